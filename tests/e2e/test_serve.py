"""The README's first command, end to end: ``timebank serve --demo`` in an empty directory.

The real command runs as its own process on a free loopback port, with no database URL set, so it
uses the embedded default (a SQLite file in the working directory), migrates it, seeds the demo and
serves. The test then does what the printed instructions say: log in as the demo member and read
their own account and statement through HTTP.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from timebank.demo.timebank import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _timebank_command() -> list[str]:
    # The console script installed beside this interpreter: the very command the README gives.
    beside = Path(sys.executable).parent / "timebank"
    installed = str(beside) if beside.exists() else shutil.which("timebank")
    assert installed, "install the package (pip install -e .) so that the timebank command exists"
    return [installed]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    process = subprocess.Popen(
        [*_timebank_command(), "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"timebank serve exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("timebank serve did not answer within 60 s")
    yield base, process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_serve_demo_answers_with_the_demo_timebank_on_the_default_sqlite_file(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, _ = served

    health = httpx.get(f"{base}/v1/health").json()
    token = httpx.post(f"{base}/v1/auth/token", data={"username": "demo-member", "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = httpx.get(f"{base}/v1/me", headers=headers).json()
    account = httpx.get(
        f"{base}/v1/timebanks/{me['timebank_id']}/accounts/{me['account_id']}", headers=headers
    )
    statement = httpx.get(
        f"{base}/v1/timebanks/{me['timebank_id']}/accounts/{me['account_id']}/statement", headers=headers
    )

    assert health == {"status": "ok", "database": "sqlite"}
    assert (tmp_path / "timebank.sqlite3").exists()
    assert account.status_code == 200
    assert account.json()["version"] > 0, "the demo member has a year of exchanges"
    assert len(statement.json()["lines"]) > 0


def test_serve_prints_how_to_log_in_and_stops_cleanly_on_sigterm(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    _, process = served

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)

    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it ended.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Finished server process" in output
    assert "demo-coordinator" in output
    assert DEMO_PASSWORD in output

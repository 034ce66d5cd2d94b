"""The real server as a separate process, for tests and benchmarks that must crash and restart it.

``timebank serve`` is started exactly as an operator would start it (the console script, its own
migrate-then-serve path, uvicorn with the configured number of worker processes), bound to loopback
only, in a process group of its own so that one signal reaches the supervisor and every worker.
``kill()`` sends SIGKILL to the whole group: nothing gets to clean up, as in a power cut of the
process (not of the machine). ``terminate()`` sends SIGTERM to the supervisor only, as ``systemctl
stop`` or ``docker stop`` would, and waits for the graceful shutdown to finish.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

__all__ = ["HOST", "ServerProcess", "free_port", "timebank_command"]

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def timebank_command() -> list[str]:
    """The installed console script beside this interpreter: the very command the README gives."""
    beside = Path(sys.executable).parent / "timebank"
    installed = str(beside) if beside.exists() else shutil.which("timebank")
    if not installed:
        raise RuntimeError("install the package (pip install -e .) so that the timebank command exists")
    return [installed]


class ServerProcess:
    """``timebank serve`` on a loopback port, startable again after a kill on the same port."""

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        workers: int = 2,
        port: int | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.workers = workers
        self.port = port or free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        # The server gets the caller's environment minus every TIMEBANK_ setting but the database URL
        # (and any the caller passes on purpose), so what it runs with is what this object says.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
        # Its mail (with no SMTP server set) goes beside its log, never into the working directory.
        mail = {"TIMEBANK_MAIL_FOLDER": str(log_path.parent / "mail-outbox")}
        self.environment = {**inherited, **mail, **(environment or {}), "TIMEBANK_DATABASE_URL": database_url}
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    # --- life ------------------------------------------------------------------------------------

    def start(self, timeout_seconds: float = 90) -> None:
        """Start the server and wait until ``/v1/health`` answers 200."""
        if self.running:
            raise RuntimeError("the server is already running")
        self._log = self.log_path.open("ab")
        self._log.write(f"\n--- start {self.starts + 1} at {time.time():.3f}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            [
                *timebank_command(),
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one killpg reaches every worker
        )
        self.starts += 1
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"timebank serve exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"timebank serve did not answer within {timeout_seconds} s:\n{self.log_tail()}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server was never started")
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the supervisor and every worker at once; return when the supervisor is gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._wait_for_group_to_end()
        self._close_log()

    def terminate(self, timeout_seconds: float = 60) -> int:
        """SIGTERM the supervisor, wait for the graceful shutdown; return its exit status."""
        if self.process is None:
            raise RuntimeError("the server was never started")
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"timebank serve did not stop within {timeout_seconds} s of SIGTERM") from None
        self._wait_for_group_to_end()
        self._close_log()
        return status

    def stop(self) -> None:
        """End the server however it is: gracefully if it will, by force if not."""
        if self.running:
            with contextlib.suppress(RuntimeError):
                self.terminate(timeout_seconds=20)
        self.kill()

    def log_tail(self, characters: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    # --- inside ----------------------------------------------------------------------------------

    def _wait_for_group_to_end(self, timeout_seconds: float = 30) -> None:
        # Workers are in the supervisor's group; the port is only free again once they have all gone.
        assert self.process is not None
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not _live_members(self.process.pid):
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _live_members(group: int) -> list[int]:
    """Processes of a process group that are still running (a zombie holds no port and no lock)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found

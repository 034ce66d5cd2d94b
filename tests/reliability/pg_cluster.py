"""A PostgreSQL cluster of a test's own, to crash at will.

The shared test server on port 5432 serves every other test at the same time, so no test may crash
it. A test that must see PostgreSQL itself die (not only a client) makes a cluster of its own here:
``initdb`` in a temporary directory, the server on a free loopback port with its socket in that
directory, run as the ``postgres`` user when the tests run as root (PostgreSQL refuses to run as
root). ``kill()`` stops every process of the cluster, then SIGKILLs them all at once, so none of them
gets to write anything more; the next ``start()`` runs crash recovery.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

__all__ = ["POSTGRES_BIN", "PrivateCluster"]

POSTGRES_BIN = Path(os.environ.get("TIMEBANK_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_START_SECONDS_MAX = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may hold spaces: the fields that follow it are safe.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _children(pid: int) -> list[int]:
    candidates = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return [child for child in candidates if _parent_pid(child) == pid]


def _is_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, in a temporary directory, on a free loopback port.

    The postmaster is a direct child of the test (run as the ``postgres`` user when the test runs as
    root, since PostgreSQL refuses root), so its pid is known without trusting a pid file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = _free_port()
        self.log = directory / "postgres.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.owner: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            self.owner = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def initialise(self) -> None:
        if self.owner:
            os.chown(self.directory, self.owner["user"], self.owner["group"])
        # --no-sync only spares initdb's own final fsync of the new files; the server runs with
        # fsync on, and the crash below is of processes, which the page cache survives.
        command = [str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            [*command, "--no-sync", "-E", "UTF8", "--locale=C"],
            cwd=self.directory,
            check=True,
            capture_output=True,
            **self.owner,
        )

    def start(self) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.directory),
            "fsync": "on",
            # The server's own default is the weak one: only the engine's setting can make the
            # acknowledged commits survive.
            "synchronous_commit": "off",
            "shared_buffers": "16MB",
            "max_connections": "20",
        }
        options = [part for name, value in settings.items() for part in ("-c", f"{name}={value}")]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(POSTGRES_BIN / "postgres"), "-D", str(self.data), *options],
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.owner,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS_MAX
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(text("SELECT 1"))
                    return
                except OperationalError:
                    if not self.is_running() or time.monotonic() > deadline:
                        raise AssertionError(
                            f"the private cluster did not start:\n{self.log_tail()}"
                        ) from None
                    time.sleep(0.1)
        finally:
            engine.dispose()

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def kill(self) -> int:
        """SIGKILL the postmaster and every backend at once; return how many processes died."""
        assert self.process is not None and self.is_running(), "the cluster is not running"
        postmaster = self.process.pid
        # Stopped first, so that none of them (the WAL writer, the checkpointer, a backend in the
        # middle of a commit) runs a single instruction between the first kill and the last.
        # Backends call setsid(), so the postmaster's process group does not hold them.
        _signal(postmaster, signal.SIGSTOP)
        processes = [postmaster, *_children(postmaster)]
        for pid in processes:
            _signal(pid, signal.SIGSTOP)
        for pid in processes:
            _signal(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not all(_is_gone(pid) for pid in processes):
            assert time.monotonic() < deadline, "the cluster's processes survived SIGKILL"
            time.sleep(0.01)
        return len(processes)

    def stop(self) -> None:
        """Shut down cleanly, so that no shared memory is left behind; kill it if that fails."""
        if self.is_running():
            command = [str(POSTGRES_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w"]
            result = subprocess.run(
                [*command, "-t", "20"], cwd=self.directory, capture_output=True, **self.owner
            )
            if result.returncode != 0 and self.is_running():
                self.kill()
        if not self.is_running():
            self._remove_orphaned_shared_memory()

    def _remove_orphaned_shared_memory(self) -> None:
        # A killed postmaster leaves its small System V segment behind; a restart would reuse it,
        # but a cluster that is about to be deleted must give it back itself.
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            key = int((self.data / "postmaster.pid").read_text().splitlines()[6].split()[0])
            subprocess.run(["ipcrm", "-M", str(key)], capture_output=True)

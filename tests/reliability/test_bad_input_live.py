"""The bad-input corpus sent to the real server: ``timebank serve`` over real sockets, on both backends.

tests/api/test_bad_input.py sends its corpus through the ASGI app inside the test's own process.
Here the very same corpus goes over TCP to the command an operator runs (uvicorn with two worker
processes, the server's own settings, engine and pool), so everything between the socket and the
app is tested too: the HTTP parser, how bodies are framed, chunked uploads, answers given before a
body is read. Each answer must be a 4xx problem with the expected code (the replay: the first answer,
byte for byte), and the database, read through the test's own engine, exactly as before (but for
refusals recorded under their own Idempotency-Key, which tests/api/test_bad_input.py explains).

A few requests only a real server can see are sent over raw sockets: a Content-Length that promises
more bytes than come before the client hangs up, a body cut off in the middle of its JSON (by length
and by chunks), headers that frame a body in ways HTTP forbids, and bytes that are not HTTP at all.
Each carries a valid exchange and a fresh Idempotency-Key, so a server that acted on one would leave a
row behind. The server may answer them with a 4xx or not at all; it must act on none of them, log no
error of its own, and go on answering afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.api.bad_input_corpus import (
    CASES_MIN,
    OPERATION_BY_NAME,
    OPERATIONS,
    Arranged,
    arrange,
    run_corpus,
    timebank_rows,
    unchanged_problems,
)
from tests.api.conftest import World, build_world
from tests.api.db_snapshot import row_counts
from tests.reliability.server import HOST, ServerProcess

# What the server's log may never hold: the app's own record of a 500, or any traceback at all.
LOG_ERRORS = ("internal error", "Traceback")
HANG_UP_AFTER_SECONDS = 0.2


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    # The server hashes passwords as cheaply as the tests do (tests/conftest.py sets these).
    cheap_hashing = {k: v for k, v in os.environ.items() if k.startswith("TIMEBANK_PASSWORD_HASH_")}
    # The server's own delivery would mark queued messages sent while the corpus checks that
    # nothing changed: this server runs no background jobs.
    quiet = {**cheap_hashing, "TIMEBANK_BACKGROUND_JOBS": "false"}
    process = ServerProcess(database_url, tmp_path / "server.log", workers=2, environment=quiet)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_the_real_server_refuses_the_whole_corpus_and_changes_nothing(
    engine: Engine, server: ServerProcess
) -> None:
    """Every operation's corpus over HTTP, then the raw-socket requests; every failure at once."""
    world = build_world(engine)
    world.client.close()  # the in-process app is not used: every request goes to the server
    failures: list[str] = []
    sent: dict[str, int] = {}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        here, there = arrange(client, world)
        before = timebank_rows(world)
        for op in OPERATIONS:
            outcome = run_corpus(client, world, op, here, there)
            sent[op.name] = outcome.cases
            failures += [f"{op.name}: {failure}" for failure in outcome.failures]
        failures += _raw_socket_problems(server, world, here)
        failures += _still_answering_problems(server, client, world)
    failures += unchanged_problems(before, timebank_rows(world))
    log = server.log_path.read_text(errors="replace")
    failures += [f"the server's log holds {error!r}" for error in LOG_ERRORS if error in log]

    too_few = {
        name: n
        for name, n in sent.items()
        if n < (OPERATION_BY_NAME[name].cases_min or CASES_MIN[OPERATION_BY_NAME[name].takes])
    }
    assert not too_few, f"too few cases: {too_few}"
    assert not failures, (
        f"{len(failures)} of {sum(sent.values())} requests went wrong:\n"
        + "\n".join(failures)
        + f"\n--- server log ---\n{server.log_tail()}"
    )


# --- raw sockets ---------------------------------------------------------------------------------


def _raw_requests(world: World, here: Arranged) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each raw request; each would record an exchange if the server acted on it."""
    body = json.dumps(OPERATION_BY_NAME["record_exchange"].body(world, here)).encode()
    half = body[: len(body) // 2]

    def head(*framing: str) -> bytes:
        lines = [
            f"POST {world.url('/exchanges')} HTTP/1.1",
            f"Host: {HOST}",
            f"Authorization: {world.headers['coordinator']['Authorization']}",
            f"Idempotency-Key: {uuid.uuid4().hex}",
            "Content-Type: application/json",
            *framing,
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    first_chunk = b"%x\r\n%s\r\n" % (len(half), half)  # and never the last, empty one
    yield "a Content-Length past the bytes sent", head(f"Content-Length: {len(body) + 64}") + body
    yield "a body cut off mid-JSON", head(f"Content-Length: {len(body)}") + half
    yield "a chunked body cut off mid-JSON", head("Transfer-Encoding: chunked") + first_chunk
    yield "a Content-Length that is not a number", head("Content-Length: sixty") + body
    yield (
        "two Content-Lengths that differ",
        head(f"Content-Length: {len(body)}", f"Content-Length: {len(body) + 1}") + body,
    )
    yield "a negative Content-Length", head("Content-Length: -1") + body
    yield "not HTTP: every byte value", bytes(range(256)) * 4
    tls_client_hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64
    yield "not HTTP: the start of a TLS handshake", tls_client_hello
    yield "not HTTP: a line of text", b"HELLO timebank\r\n\r\n"
    yield "HTTP/2's preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def _exchange(port: int, request: bytes) -> bytes:
    """Send ``request``, wait, hang up the sending side, and read what comes until the server closes.

    The wait lets the server hand a request it has parsed the head of to the app, which is then
    reading the body when the client goes: the case a disconnect in mid-upload really is.
    """
    received = b""
    with socket.create_connection((HOST, port), timeout=5) as connection:
        try:
            connection.sendall(request)
            time.sleep(HANG_UP_AFTER_SECONDS)
            connection.shutdown(socket.SHUT_WR)
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # closing on garbage is a fair answer
        except TimeoutError:
            received += b"(no close within 5 s)"
    return received


def _raw_socket_problems(server: ServerProcess, world: World, here: Arranged) -> list[str]:
    """Each raw request must be answered with a 4xx or nothing, and add or remove no row."""
    found: list[str] = []
    counts = row_counts(world.engine)
    for name, request in _raw_requests(world, here):
        answer = _exchange(server.port, request)
        status_line = answer.split(b"\r\n", 1)[0]
        if answer and not status_line.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")):
            found.append(f"raw {name}: answered {answer[:200]!r}")
        now = row_counts(world.engine)
        if now != counts:
            changed = sorted(table for table in now if now[table] != counts[table])
            found.append(f"raw {name}: rows added or removed: {changed}")
            counts = now
    return found


def _still_answering_problems(server: ServerProcess, client: httpx.Client, world: World) -> list[str]:
    """After everything, the server answers health checks and an ordinary authenticated read."""
    found: list[str] = []
    # Each on a connection of its own, so that the two workers take their share of them.
    for _ in range(4):
        health = httpx.get(f"{server.base_url}/v1/health", timeout=10)
        if health.status_code != 200:
            found.append(f"health answered {health.status_code}: {health.text[:200]}")
    account = world.account_ids["member"]
    read = client.get(world.url(f"/accounts/{account}"), headers=world.headers["member"])
    if read.status_code != 200:
        found.append(f"reading an account answered {read.status_code}: {read.text[:200]}")
    return found

"""The outbox survives a delivery worker killed as a process, on SQLite and PostgreSQL.

``timebank deliver`` runs as a process of its own against a real SMTP server (aiosmtpd), which
holds the worker's EHLO unanswered: the worker has claimed the message and is talking to the
server when it is killed with SIGKILL, so nothing after that line runs and the server has accepted
nothing. A second ``timebank deliver`` within the lease leaves the message alone (it is still
claimed); one after the lease sends it, and the server's received mail holds it exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from tests.notification_calls import SmtpServer, Street, _Handler, drain, make_street
from timebank.db import run

LEASE_SECONDS = 20  # long enough for a second worker to start within it


@dataclass
class HoldsTheFirstEhlo(_Handler):
    """Answers nothing to the first EHLO until the test lets go (or the client is gone)."""

    held: threading.Event = field(default_factory=threading.Event)
    holding: bool = True

    async def handle_EHLO(  # aiosmtpd's hook: return the responses to send, or wait first
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        if self.holding:
            self.holding = False
            self.held.set()
            await asyncio.sleep(60)  # the worker is killed meanwhile; the sleep ends with the server
        session.host_name = hostname
        return responses


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.handler = HoldsTheFirstEhlo()
    server.restart()
    yield server
    server.stop()


def deliver(database_url: str, smtp_url: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    env |= {
        "TIMEBANK_DATABASE_URL": database_url,
        "TIMEBANK_SMTP_URL": smtp_url,
        "TIMEBANK_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    command = [sys.executable, "-c", "from timebank.cli import app; app()", "deliver"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def outbox_row(street: Street, name: str):  # type: ignore[no-untyped-def]
    member_id = street.member_ids[name]
    rows = run(
        street.engine, lambda uow: uow.notifications.messages_for(street.timebank_id, member_id), write=False
    )
    return rows[-1]


def test_a_killed_worker_process_leaves_the_message_to_be_sent_once_after_its_lease(
    engine: Engine, database_url: str, smtp: SmtpServer
) -> None:
    street = make_street(engine)
    drain(engine)  # what other tests left due, and the street's own verification messages
    street.give("bo", "ann")
    assert outbox_row(street, "ann").sent_at is None

    first = deliver(database_url, smtp.url)
    handler = smtp.handler
    assert isinstance(handler, HoldsTheFirstEhlo)
    if not handler.held.wait(60):
        first.kill()
        out, err = first.communicate(timeout=30)
        pytest.fail(f"the worker never reached the SMTP server: {out!r} {err.decode()[-3000:]}")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = time.monotonic()

    claimed = outbox_row(street, "ann")
    assert claimed.sent_at is None and claimed.claimed_until is not None  # claimed, died unsent
    within = deliver(database_url, smtp.url)
    within_out, _ = within.communicate(timeout=120)
    assert within.returncode == 0
    # Still claimed by the dead worker (unless this machine took the whole lease to start a process).
    within_lease = time.monotonic() - killed_at < LEASE_SECONDS
    assert (b"0 message(s) sent" in within_out) or not within_lease, within_out
    time.sleep(max(0.0, LEASE_SECONDS + 0.5 - (time.monotonic() - killed_at)))
    after = deliver(database_url, smtp.url)
    after_out, after_err = after.communicate(timeout=120)
    assert within_out.count(b"1 message(s) sent") + after_out.count(b"1 message(s) sent") == 1

    assert after.returncode == 0, after_err
    mine = [m for m in smtp.received if street.domain in str(m["To"])]
    assert len(mine) == 1, [str(m["Subject"]) for m in mine]
    assert str(mine[0]["Subject"]) == "Bo recorded help they gave you. Please confirm it"
    sent = outbox_row(street, "ann")
    assert sent.sent_at is not None
    assert str(mine[0]["Message-ID"]).startswith("<notification-")

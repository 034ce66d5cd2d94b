"""Delivery benchmark: how fast the outbox empties into a real SMTP server, beside raw smtplib.

Not a test. It starts an SMTP server in this process (aiosmtpd, as the tests do, keeping a count of
what it accepts), builds a timebank of 100 members with checked addresses, queues N messages in the
outbox (each a member's "an exchange waits for you" message, the size the service really writes),
and then, side by side in one run on one machine:

- **outbox**: ``deliver_due`` passes until the outbox is empty, as ``timebank deliver`` runs them:
  each pass claims a batch for a lease (one transaction), sends each message, and marks each sent
  (one transaction per message, so that a crash loses no more than one message's mark);
- **raw smtplib**: the same number of messages of the same size handed to the same server by
  smtplib over one connection, with no database at all: the floor under the outbox's figure.

The ratio of the two is the figure to read; the machine is shared and noisy, so absolute figures
vary from run to run. Every message is checked as received, once.

    python bench/delivery_bench.py                         # 2,000 messages on SQLite
    python bench/delivery_bench.py --messages 10000
    python bench/delivery_bench.py --backend postgresql    # a fresh PostgreSQL database, then dropped
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from ledger_bench import drop_postgres_database, fresh_postgres_database  # type: ignore[import-not-found]

MEMBERS = 100
BODY = (
    "Hello Ann,\n\nBo Baker recorded that they helped you: 1 hour 30 minutes of gardening on "
    "3 March 2026.\nPlease confirm or decline it: https://timebank.example/exchanges/123\n\n"
    "It waits for you until 17 March 2026.\n\n"
    "You get these messages because you chose to. To stop them:\n"
    "https://timebank.example/notifications/unsubscribe?token=1.exchange_awaiting_confirmation.abc\n"
)


class Sink:
    """Counts what the server accepts, by Message-ID."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        for line in content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.message_ids.append(line.split(b":", 1)[1].strip().decode())
                break
        else:
            self.message_ids.append("")
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build(url: str, messages: int) -> int:
    """A timebank of ``MEMBERS`` members with checked addresses, and ``messages`` queued for them."""
    from timebank.clock import utc_now
    from timebank.db import make_engine, run, upgrade
    from timebank.people.callers import Caller
    from timebank.people.members import add_member
    from timebank.people.requests import AddMember, CreateTimebank
    from timebank.people.timebanks import create_timebank

    upgrade(url)
    engine = make_engine(url)
    admin = Caller("bench:admin", True, None, None, None, False, frozenset())
    timebank_id = create_timebank(engine, admin, CreateTimebank(name="bench")).timebank_id
    coordinator = Caller.coordinator_of(timebank_id)
    member_ids = [
        add_member(engine, timebank_id, coordinator, AddMember(display_name=f"Member {i}")).member_id
        for i in range(MEMBERS)
    ]
    now = utc_now()

    def queue(uow: Any) -> None:
        for member_id in member_ids:
            uow.notifications.set_email(timebank_id, member_id, f"member{member_id}@bench.example")
            uow.notifications.mark_verified(timebank_id, member_id, now)
        for n in range(messages):
            member_id = member_ids[n % MEMBERS]
            uow.notifications.queue(
                timebank_id,
                member_id,
                "exchange_awaiting_confirmation",
                f"exchange:{n}",
                f"member{member_id}@bench.example",
                "An exchange waits for you to confirm it",
                BODY,
                False,
                now,
            )
        uow.commit()

    run(engine, queue)
    engine.dispose()
    return timebank_id


def deliver_outbox(url: str, port: int) -> tuple[float, int]:
    """Passes of ``deliver_due`` until nothing is claimed: (seconds, messages sent)."""
    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.notifications import deliver_due
    from timebank.notifications.transports import SmtpTransport

    engine = make_engine(url)
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    sent = 0
    began = time.perf_counter()
    while True:
        report = deliver_due(engine, transport, utc_now())
        sent += report.sent
        if report.claimed == 0:
            break
    seconds = time.perf_counter() - began
    engine.dispose()
    return seconds, sent


def deliver_raw(port: int, messages: int) -> float:
    """The same number of messages of the same size, by smtplib over one connection."""
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(messages):
            message = EmailMessage()
            message["From"] = "timebank@bench.example"
            message["To"] = f"member{n % MEMBERS}@bench.example"
            message["Subject"] = "An exchange waits for you to confirm it"
            message["Message-ID"] = f"<raw-{n}@bench.example>"
            message.set_content(BODY)
            client.send_message(message)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    folder = tempfile.TemporaryDirectory()
    database = None
    try:
        if arguments.backend == "postgresql":
            url = database = fresh_postgres_database()
        else:
            url = f"sqlite:///{Path(folder.name) / 'bench.sqlite3'}"
        build(url, arguments.messages)

        outbox_seconds, sent = deliver_outbox(url, port)
        outbox_ids = list(sink.message_ids)
        assert sent == arguments.messages, f"sent {sent} of {arguments.messages}"
        assert len(outbox_ids) == len(set(outbox_ids)) == arguments.messages, "a message was lost or repeated"

        sink.message_ids.clear()
        raw_seconds = deliver_raw(port, arguments.messages)
        assert len(sink.message_ids) == arguments.messages

        n = arguments.messages
        print(f"backend {arguments.backend}, {n:,} messages, each received once")
        print(f"{'outbox (deliver_due)':24} {outbox_seconds:7.2f} s  {n / outbox_seconds:8.0f} messages/s")
        print(f"{'raw smtplib':24} {raw_seconds:7.2f} s  {n / raw_seconds:8.0f} messages/s")
        print(f"{'outbox / raw':24} {outbox_seconds / raw_seconds:7.2f} x the time")
    finally:
        controller.stop()
        folder.cleanup()
        if database is not None:
            drop_postgres_database(database)


if __name__ == "__main__":
    main()

"""A small timebank for the notification tests, and a real SMTP server to deliver to.

``Street`` is a timebank of its own with three members, Ann, Bo and Cy, each with a verified
address unless asked otherwise (set through the use cases, the link followed as a member would),
and a coordinator who holds no account. ``SmtpServer`` is aiosmtpd on a free port, keeping every
message it accepts; it can be told to refuse (550) or be stopped (down).
"""

from __future__ import annotations

import re
import socket
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from tests.conftest import STORY_BACKDATE_DAYS
from tests.ledger_calls import recording
from tests.people_calls import add_member, create_timebank
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.repositories import OutboxRecord
from timebank.exchanges import lifecycle
from timebank.exchanges.views import ExchangeView
from timebank.ledger.types import ReceiverShare
from timebank.notifications import deliver_due, set_email, verify_email
from timebank.notifications.requests import SetEmail, VerifyEmail
from timebank.people.callers import Caller

__all__ = ["Sink", "SmtpServer", "Street", "drain", "make_street", "verification_token"]

ACTIVITY_DATE = date(2026, 3, 3)


def verification_token(body: str) -> str:
    found = re.search(r"token=(tbv_[A-Za-z0-9_-]+)", body)
    assert found is not None, body
    return found.group(1)


@dataclass
class Street:
    engine: Engine
    timebank_id: int
    member_ids: dict[str, int] = field(default_factory=dict)
    account_ids: dict[str, int] = field(default_factory=dict)
    # Each street's addresses have a domain of their own, so its mail is told apart from others'.
    domain: str = "street.example"

    def address(self, name: str) -> str:
        return f"{name}@{self.domain}"

    @property
    def coordinator(self) -> Caller:
        return Caller.coordinator_of(self.timebank_id, "login:coordinator")

    def member(self, name: str) -> Caller:
        return Caller.holder_of(
            self.timebank_id, self.account_ids[name], f"login:{name}", self.member_ids[name]
        )

    def outbox(self, name: str) -> list[OutboxRecord]:
        member_id = self.member_ids[name]
        return run(
            self.engine, lambda uow: uow.notifications.messages_for(self.timebank_id, member_id), write=False
        )

    def give(self, giver: str, receiver: str, minutes: int = 90, **kwargs: Any) -> ExchangeView:
        """The giver records help they gave: it waits for the receiver's confirmation."""
        request = recording(
            self.account_ids[giver],
            [ReceiverShare(self.account_ids[receiver], minutes)],
            ACTIVITY_DATE,
            "Gardening",
        )
        return lifecycle.record_exchange(self.engine, self.timebank_id, self.member(giver), request, **kwargs)

    def verify(self, name: str, email: str) -> None:
        set_email(
            self.engine, self.timebank_id, self.member(name), self.member_ids[name], SetEmail(email=email)
        )
        body = self.outbox(name)[-1].body
        verify_email(self.engine, VerifyEmail(token=verification_token(body)))


def make_street(engine: Engine, *, verified: bool = True) -> Street:
    timebank = create_timebank(engine, "Street", backdate_days_max=STORY_BACKDATE_DAYS)
    street = Street(engine, timebank.timebank_id, domain=f"street-{uuid.uuid4().hex[:8]}.example")
    admin = Caller("system:test", True, None, None, None, False, frozenset())
    for name in ("ann", "bo", "cy"):
        view = add_member(engine, street.timebank_id, admin, name.title())
        street.member_ids[name] = view.member_id
        street.account_ids[name] = view.account_id
        if verified:
            street.verify(name, street.address(name))
    return street


@dataclass
class _Handler:
    received: list[Message] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return "550 Mailbox unavailable"
        content = envelope.original_content or b""
        message = message_from_bytes(content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.received.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port; ``url`` is what TIMEBANK_SMTP_URL would be."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Message]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller.loop.is_running():
            self.controller.stop()

    def restart(self) -> None:
        """Start again on the same port, keeping what was received (a controller runs once)."""
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def refuse(self, refuse: bool = True) -> None:
        self.handler.refuse = refuse


class Sink:
    """A transport that keeps what it is given: to drain the outbox before a test."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


def drain(engine: Engine) -> None:
    """Send away every message other tests left due, now or in the coming year."""
    while deliver_due(engine, Sink(), utc_now() + timedelta(days=365), 1000).claimed:
        pass

"""Delivering the outbox to a real SMTP server (aiosmtpd), on SQLite and PostgreSQL.

Delivered once with the right To, Subject and body, and an unsubscribe link only on mail that is
not about security; a server that refuses (550) is tried again with back-off, then given up with
its error kept; a server that is down is tried again later and then delivered to; a worker that
dies after claiming and before sending leaves the message to the next pass after its lease, which
sends it exactly once. One pass sends over one connection, and a refusal starts a new one. The
folder transport writes whole ``.eml`` files; the background jobs survive a failing job and stop when asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.notification_calls import SmtpServer, Street, drain, make_street
from timebank.clock import utc_now
from timebank.db import run
from timebank.notifications import BackgroundJobs, FolderTransport, Job, SmtpTransport, deliver_due
from timebank.notifications.delivery import backoff
from timebank.settings import get_settings


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def delivery_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TIMEBANK_DELIVERY_ATTEMPTS_MAX", "3")
    monkeypatch.setenv("TIMEBANK_DELIVERY_BACKOFF_SECONDS", "60")
    monkeypatch.setenv("TIMEBANK_DELIVERY_LEASE_SECONDS", "300")
    monkeypatch.setenv("TIMEBANK_SMTP_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def street_mail(smtp: SmtpServer, street: Street) -> list[object]:
    return [m for m in smtp.received if str(m["To"]).endswith("@" + street.domain)]


@pytest.fixture
def street(engine: Engine, delivery_settings: None) -> Street:
    drain(engine)
    built = make_street(engine, verified=False)
    built.verify("ann", built.address("ann"))
    return built


def test_each_message_is_delivered_once_with_its_address_subject_and_body(
    engine: Engine, smtp: SmtpServer, street: Street
) -> None:
    street.give("bo", "ann")
    now = utc_now()

    first = deliver_due(engine, SmtpTransport(smtp.url), now)
    second = deliver_due(engine, SmtpTransport(smtp.url), now + timedelta(hours=1))

    assert (first.sent, second.claimed) == (2, 0)
    verification, waiting = street_mail(smtp, street)
    assert verification["To"] == waiting["To"] == street.address("ann")  # type: ignore[index]
    assert verification["Subject"] == "Confirm your email address for Street"  # type: ignore[index]
    assert waiting["Subject"] == "Bo recorded help they gave you. Please confirm it"  # type: ignore[index]
    assert "1 hour 30 minutes" in waiting.get_payload(decode=True).decode()  # type: ignore[attr-defined]
    assert verification["List-Unsubscribe"] is None  # type: ignore[index]
    assert "unsubscribe" not in verification.get_payload(decode=True).decode()  # type: ignore[attr-defined]
    assert "/notifications/unsubscribe?token=" in waiting["List-Unsubscribe"]  # type: ignore[index]
    assert waiting["Message-ID"].startswith("<notification-")  # type: ignore[index]
    assert all(m.sent_at is not None and m.attempts == 1 for m in street.outbox("ann"))


class CountingTransport(SmtpTransport):
    """An SMTP transport that counts the connections it opens."""

    connections = 0

    def _connect(self):  # type: ignore[no-untyped-def]
        self.connections += 1
        return super()._connect()


def test_one_pass_sends_every_message_over_one_connection_and_a_refusal_starts_a_new_one(
    engine: Engine, smtp: SmtpServer, street: Street
) -> None:
    street.verify("bo", street.address("bo"))
    street.give("bo", "ann")
    street.give("ann", "bo")
    transport = CountingTransport(smtp.url)

    together = deliver_due(engine, transport, utc_now())
    assert (together.sent, transport.connections) == (4, 1)

    # A refusal drops the connection, so that the next message starts on a clean one.
    smtp.refuse()
    street.give("bo", "ann")
    refused = deliver_due(engine, transport, utc_now())
    smtp.refuse(False)
    later = deliver_due(engine, transport, utc_now() + backoff(1))
    assert (refused.retrying, later.sent, transport.connections) == (1, 1, 3)
    assert len(street_mail(smtp, street)) == 5


def test_a_refusing_server_is_tried_again_with_back_off_then_given_up(
    engine: Engine, smtp: SmtpServer, street: Street
) -> None:
    smtp.refuse()
    now = utc_now()
    transport = SmtpTransport(smtp.url)

    reports = [deliver_due(engine, transport, now)]
    # Not due again before its back-off has passed.
    reports.append(deliver_due(engine, transport, now + backoff(1) - timedelta(seconds=1)))
    reports.append(deliver_due(engine, transport, now + backoff(1)))
    reports.append(deliver_due(engine, transport, now + backoff(1) + backoff(2)))
    reports.append(deliver_due(engine, transport, now + timedelta(days=30)))

    assert [(r.claimed, r.retrying, r.given_up) for r in reports] == [
        (1, 1, 0),
        (0, 0, 0),
        (1, 1, 0),
        (1, 0, 1),
        (0, 0, 0),
    ]
    (message,) = street.outbox("ann")
    assert message.sent_at is None
    assert message.given_up_at is not None
    assert message.attempts == 3
    assert "550" in (message.last_error or "")
    assert street_mail(smtp, street) == []


def test_a_server_that_is_down_is_tried_again_later_and_delivered_to(
    engine: Engine, smtp: SmtpServer, street: Street
) -> None:
    smtp.stop()
    now = utc_now()

    down = deliver_due(engine, SmtpTransport(smtp.url), now)
    (waiting,) = street.outbox("ann")
    smtp.restart()
    early = deliver_due(engine, SmtpTransport(smtp.url), now + backoff(1) - timedelta(seconds=1))
    up = deliver_due(engine, SmtpTransport(smtp.url), now + backoff(1))

    assert (down.retrying, early.claimed, up.sent) == (1, 0, 1)
    assert "ConnectionRefusedError" in (waiting.last_error or "")
    assert waiting.sent_at is None
    (message,) = street.outbox("ann")
    assert message.sent_at is not None
    assert message.attempts == 2
    assert len(street_mail(smtp, street)) == 1


def test_a_worker_killed_after_claiming_leaves_the_message_to_be_sent_once_after_its_lease(
    engine: Engine, smtp: SmtpServer, street: Street
) -> None:
    street.give("bo", "ann")
    now = utc_now()
    lease = timedelta(seconds=get_settings().delivery_lease_seconds)

    class Killed(BaseException):
        """The worker's process dies: nothing after this line of the pass runs."""

    class DiesBeforeSending:
        def send(self, message: object) -> None:
            raise Killed()

        def close(self) -> None:
            pass

    with pytest.raises(Killed):
        deliver_due(engine, DiesBeforeSending(), now)
    during = deliver_due(engine, SmtpTransport(smtp.url), now + lease - timedelta(seconds=1))
    after = deliver_due(engine, SmtpTransport(smtp.url), now + lease)
    later = deliver_due(engine, SmtpTransport(smtp.url), now + 2 * lease)

    # The first message was claimed and died with the worker; the second stayed claimed with it.
    assert (during.claimed, after.sent, later.claimed) == (0, 2, 0)
    subjects = sorted(str(m["Subject"]) for m in street_mail(smtp, street))  # type: ignore[index]
    assert subjects == [
        "Bo recorded help they gave you. Please confirm it",
        "Confirm your email address for Street",
    ]


def test_two_workers_at_once_send_each_message_once(engine: Engine, smtp: SmtpServer, street: Street) -> None:
    for _ in range(5):
        street.give("bo", "ann")
    now = utc_now()
    reports = []

    def work() -> None:
        reports.append(deliver_due(engine, SmtpTransport(smtp.url), now, 2))

    while True:
        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if not reports[-1].claimed and not reports[-2].claimed:
            break

    assert sum(r.sent for r in reports) == 6
    ids = [m["Message-ID"] for m in street_mail(smtp, street)]  # type: ignore[index]
    assert len(ids) == len(set(ids)) == 6


def test_the_folder_transport_writes_each_message_as_a_whole_eml_file(
    engine: Engine, street: Street, tmp_path: Path
) -> None:
    report = deliver_due(engine, FolderTransport(tmp_path / "mail"), utc_now())

    (written,) = sorted((tmp_path / "mail").iterdir())
    message = message_from_bytes(written.read_bytes())
    assert report.sent == 1
    assert written.suffix == ".eml"
    assert message["To"] == street.address("ann")
    assert message["Subject"] == "Confirm your email address for Street"


def test_background_jobs_survive_a_failing_job_and_stop_when_asked(engine: Engine) -> None:
    calls: list[str] = []

    def failing() -> None:
        calls.append("fail")
        raise RuntimeError("the database went away")

    jobs = BackgroundJobs(
        [Job("fails", 0.01, failing), Job("counts", 0.01, lambda: calls.append("ok"))]
    ).start()
    deadline = time.monotonic() + 5
    while (jobs.failures["fails"] < 3 or jobs.runs["counts"] < 3) and time.monotonic() < deadline:
        time.sleep(0.01)
    stopped = jobs.stop(timeout_seconds=5)

    assert stopped
    assert jobs.failures["fails"] >= 3
    assert jobs.runs["counts"] >= 3
    assert run(engine, lambda uow: uow.timebanks.all_ids(), write=False) is not None

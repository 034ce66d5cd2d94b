"""The failed-login limits hold under concurrent guesses, through the services.

A guesser who sends many attempts at once must get no more password checks than one who sends
them one by one: at most ``login_failures_per_username_max`` per username and
``login_failures_per_address_max`` per address in the window. Each test fires 40 attempts at the
same moment from 40 threads and counts the calls to the password verifier, then shows that the
right password, tried after them within the window, is refused without being checked.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from tests.people_calls import add_member, change_password, create_timebank
from timebank.db.people_tables import login_failures
from timebank.errors import TimebankError
from timebank.people import access
from timebank.people.callers import Caller
from timebank.people.errors import LoginAttemptsExceeded
from timebank.settings import get_settings

PASSWORD = "correct horse battery"
ATTEMPTS = 40


@dataclass
class Verifier:
    """Counts the password checks made; wraps the real verifier."""

    calls: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> Iterator[Verifier]:
    counted = Verifier()
    real = access.verify_password

    def verify(password_hash: str | None, password: str) -> bool:
        with counted._lock:
            counted.calls += 1
        return real(password_hash, password)

    monkeypatch.setattr(access, "verify_password", verify)
    # Enough hashing slots for every thread: these tests are about the count of attempts, not the
    # bound on hashing at once (tests/api/test_busy_http.py has those).
    settings = get_settings()
    monkeypatch.setattr(settings, "password_hash_concurrency_max", ATTEMPTS, raising=False)
    monkeypatch.setattr(settings, "busy_waiters_per_slot_max", ATTEMPTS, raising=False)
    monkeypatch.setattr(settings, "busy_wait_milliseconds_max", 60_000, raising=False)
    yield counted


def fresh_address() -> str:
    a, b, c = secrets.token_bytes(3)
    return f"10.{a}.{b}.{c}"


def new_member(engine: Engine) -> tuple[str, Caller]:
    """A member with a login of their own; returns the username and the caller behind it."""
    timebank = create_timebank(engine, f"Limits {uuid.uuid4().hex[:10]}")
    admin = Caller("system:test", True, None, None, None, False, frozenset())
    username = f"guessed_{uuid.uuid4().hex[:12]}"
    add_member(engine, timebank.timebank_id, admin, "Gus", username=username, password=PASSWORD)
    token = access.log_in(engine, username, PASSWORD).access_token
    return username, access.authenticate(engine, token)


def at_once(attempt: Callable[[int], object]) -> Counter[str]:
    """Run ``attempt(i)`` for 40 values of i at the same moment; count the outcomes by error code."""
    outcomes: list[str] = [""] * ATTEMPTS
    start = threading.Barrier(ATTEMPTS)

    def one(index: int) -> None:
        start.wait()
        try:
            attempt(index)
            outcomes[index] = "ok"
        except TimebankError as error:
            outcomes[index] = error.code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


def failures_of(engine: Engine, subject: str) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(login_failures).where(login_failures.c.subject == subject)
        return int(connection.execute(query).scalar_one())


def test_forty_wrong_passwords_at_once_get_five_checks_and_then_the_right_one_is_refused(
    engine: Engine, verifier: Verifier
) -> None:
    username, _ = new_member(engine)
    verifier.calls = 0
    limit = get_settings().login_failures_per_username_max

    outcomes = at_once(lambda i: access.log_in(engine, username, f"guess {i}", fresh_address()))

    assert verifier.calls == limit
    assert outcomes == {"credentials_invalid": limit, "login_attempts_exceeded": ATTEMPTS - limit}
    assert failures_of(engine, f"username:{username}") == limit
    with pytest.raises(LoginAttemptsExceeded) as refused:
        access.log_in(engine, username, PASSWORD, fresh_address())
    assert 1 <= refused.value.retry_after_seconds <= get_settings().login_failure_window_seconds + 1
    assert verifier.calls == limit


def test_forty_unknown_names_at_once_from_one_address_get_thirty_checks(
    engine: Engine, verifier: Verifier
) -> None:
    username, _ = new_member(engine)
    verifier.calls = 0
    address = fresh_address()
    limit = get_settings().login_failures_per_address_max

    outcomes = at_once(lambda i: access.log_in(engine, f"nobody_{uuid.uuid4().hex[:12]}", "guess", address))

    assert verifier.calls == limit
    assert outcomes == {"credentials_invalid": limit, "login_attempts_exceeded": ATTEMPTS - limit}
    assert failures_of(engine, f"address:{address}") == limit
    # The right password for a real login, from the same address, waits like the rest.
    with pytest.raises(LoginAttemptsExceeded):
        access.log_in(engine, username, PASSWORD, address)
    assert verifier.calls == limit


def test_forty_wrong_current_passwords_at_once_get_five_checks_and_then_the_right_one_is_refused(
    engine: Engine, verifier: Verifier
) -> None:
    username, caller = new_member(engine)
    token = access.log_in(engine, username, PASSWORD).access_token
    verifier.calls = 0
    limit = get_settings().login_failures_per_username_max

    outcomes = at_once(lambda i: change_password(engine, caller, token, f"guess {i}", "a new password"))

    assert verifier.calls == limit
    assert outcomes == {"credentials_invalid": limit, "login_attempts_exceeded": ATTEMPTS - limit}
    with pytest.raises(LoginAttemptsExceeded):
        change_password(engine, caller, token, PASSWORD, "a new password")
    with pytest.raises(LoginAttemptsExceeded):
        access.log_in(engine, username, PASSWORD, fresh_address())
    assert verifier.calls == limit


def test_a_right_password_leaves_no_failure_behind_for_its_username_or_address(
    engine: Engine, verifier: Verifier
) -> None:
    """An attempt is counted before its password is checked; one that succeeds is taken back."""
    username, _ = new_member(engine)
    address = fresh_address()

    issued = access.log_in(engine, username, PASSWORD, address)

    assert issued.token_type == "bearer"
    assert failures_of(engine, f"username:{username}") == 0
    assert failures_of(engine, f"address:{address}") == 0

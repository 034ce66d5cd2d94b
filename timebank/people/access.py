"""Logging in and out, and turning a bearer credential into a ``Caller``.

A successful login issues an opaque bearer token: 32 random bytes, given to the caller once and
stored only as its SHA-256, with an expiry; logging out revokes it at once. Organisation API keys
are the same kind of secret with another prefix (``tbt_`` for tokens, ``tbk_`` for keys), so one
``Authorization: Bearer`` header carries either.

Failed logins are counted per username and per client address over a window; past the limit a
login is refused with ``login_attempts_exceeded`` and the seconds to wait, before the password is
even checked, so guessing costs the guesser time. The count must hold when the guesses come all at
once, so an attempt is counted *before* its password is checked: one short write transaction locks
the attempt's subjects, counts their failures in the window, refuses at the limit, and otherwise
records the attempt as a failure, then commits. Only then is the password checked (slow by design,
so outside any transaction). A right password takes its attempt back in the transaction that issues
the token, and clears the username's failures; a wrong one leaves the failure where it is. Forty
guesses at once thus get five checks, as forty one after another do.

Checking a password takes one of a few password-hashing slots (``timebank.busy``). A
login takes its slot before it counts the attempt, so a login refused with ``server_busy`` has
recorded nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.busy import password_hashing
from timebank.clock import utc_now
from timebank.db.repositories import CallerRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import NotAllowed
from timebank.notifications.notices import tell_password_changed
from timebank.people.callers import Caller
from timebank.people.errors import CredentialsInvalid, LoginAttemptsExceeded, TokenInvalid, UsernameTaken
from timebank.people.passwords import (
    check_password_shape,
    check_username,
    hash_password,
    needs_rehash,
    verify_password,
)
from timebank.people.recovery_errors import LoginDisabled
from timebank.people.requests import ChangePassword
from timebank.people.views import IssuedToken
from timebank.settings import get_settings

__all__ = [
    "API_KEY_PREFIX",
    "TOKEN_PREFIX",
    "authenticate",
    "change_password",
    "count_attempt",
    "create_admin",
    "log_in",
    "log_out",
    "new_secret",
    "secret_sha256",
    "subjects_of",
]

TOKEN_PREFIX = "tbt_"
API_KEY_PREFIX = "tbk_"
_CREDENTIAL_LENGTH_MAX = 200


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_admin(engine: Engine, username: str, password: str) -> int:
    """Create a platform admin login (``timebank admin create``)."""
    check_username(username)
    password_hash = hash_password(password)

    def use_case(uow: UnitOfWork) -> int:
        if uow.access.username_exists(username):
            raise UsernameTaken(f"The username {username!r} is taken")
        login_id = uow.access.insert_login(username, password_hash, True, utc_now())
        uow.commit()
        return login_id

    return run(engine, use_case)


def subjects_of(username: str | None, address: str | None) -> list[str]:
    """What an attempt is counted against: the username tried (if any) and the address it came from."""
    subjects = [] if username is None else [f"username:{username[:100]}"]
    if address:
        subjects.append(f"address:{address[:100]}")
    return subjects


def count_attempt(uow: UnitOfWork, subjects: list[str], now: datetime) -> list[int]:
    """Count an attempt before its password is checked: refuse it past a limit, else record it.

    The attempt is recorded as a failure for each subject, and the ids of those rows are returned so
    that a right password can take them back. The caller commits.
    """
    settings = get_settings()
    window = timedelta(seconds=settings.login_failure_window_seconds)
    limits = {
        "username": settings.login_failures_per_username_max,
        "address": settings.login_failures_per_address_max,
    }
    uow.access.lock_subjects(subjects)
    # Old failures no longer count; dropping them keeps the table small.
    uow.access.forget_failures(subjects, before=now - window)
    for subject in subjects:
        count, oldest = uow.access.failures_since(subject, now - window)
        if count >= limits[subject.split(":", 1)[0]] and oldest is not None:
            wait_seconds = max(1, int((oldest + window - now).total_seconds()) + 1)
            raise LoginAttemptsExceeded(
                f"Too many failed logins. Wait {wait_seconds} seconds and try again.",
                retry_after_seconds=wait_seconds,
            )
    return uow.access.record_failure(subjects, now)


def log_in(engine: Engine, username: str, password: str, address: str | None = None) -> IssuedToken:
    # Usernames are stored lower-case; people type them as they like.
    username = username.strip().lower()
    now = utc_now()
    subjects = subjects_of(username, address)

    def count(uow: UnitOfWork) -> tuple[list[int], str | None]:
        attempt_ids = count_attempt(uow, subjects, now)
        login = uow.access.login_by_username(username)
        uow.commit()
        return attempt_ids, None if login is None else login.password_hash

    # The slot first: a login refused for want of one has recorded nothing.
    with password_hashing().hold():
        attempt_ids, password_hash = run(engine, count)
        ok = len(password) <= _CREDENTIAL_LENGTH_MAX and verify_password(password_hash, password)
        rehashed = hash_password(password) if ok and password_hash and needs_rehash(password_hash) else None
    if not ok:
        raise CredentialsInvalid("The username or password is wrong")
    settings = get_settings()

    def issue(uow: UnitOfWork) -> IssuedToken:
        login = uow.access.login_by_username(username)
        assert login is not None, "a login verified a moment ago exists"
        if login.disabled_at is not None:
            # Said only after the right password, so it tells a guesser nothing about who exists.
            raise LoginDisabled("Your login is turned off. Ask your coordinator to turn it back on.")
        # The attempt was no failure: it leaves its address, and the username starts afresh.
        uow.access.forget_failure_ids(attempt_ids[1:])
        uow.access.forget_failures(subjects[:1])
        if rehashed is not None:
            uow.access.set_password_hash(login.login_id, rehashed)
        token = new_secret(TOKEN_PREFIX)
        lifetime = timedelta(minutes=settings.token_lifetime_minutes)
        uow.access.insert_token(login.login_id, secret_sha256(token), now, now + lifetime)
        uow.commit()
        return IssuedToken(access_token=token, token_type="bearer", expires_in=int(lifetime.total_seconds()))

    return run(engine, issue)


def log_out(engine: Engine, token: str) -> None:
    # An API key is not a login's token: "logging it out" would revoke nothing and leave the caller
    # believing it dead. A coordinator or the organisation's staff revoke it instead.
    if token.startswith(API_KEY_PREFIX):
        raise NotAllowed("An API key does not log out; a coordinator or the organisation's staff revoke it")

    def use_case(uow: UnitOfWork) -> None:
        uow.access.revoke_token(secret_sha256(token), utc_now())
        uow.commit()

    run(engine, use_case)


def _from_login(record: CallerRecord) -> Caller:
    return Caller(
        caller=f"login:{record.login_id}",
        is_admin=record.is_admin,
        timebank_id=record.timebank_id,
        member_id=record.member_id,
        account_id=record.account_id,
        is_coordinator=record.is_coordinator,
        organisation_account_ids=record.organisation_account_ids,
        login_id=record.login_id,
    )


def authenticate(engine: Engine, credential: str) -> Caller:
    """The caller behind a bearer token or an organisation API key; ``token_invalid`` if none."""
    if len(credential) > _CREDENTIAL_LENGTH_MAX:
        raise TokenInvalid("This token is not one we issued")
    digest = secret_sha256(credential)

    def use_case(uow: UnitOfWork) -> Caller | None:
        if credential.startswith(API_KEY_PREFIX):
            key = uow.access.api_key_by_secret(digest)
            if key is None:
                return None
            return Caller(
                caller=f"api_key:{key.api_key_id}",
                is_admin=False,
                timebank_id=key.timebank_id,
                member_id=None,
                account_id=None,
                is_coordinator=False,
                organisation_account_ids=frozenset({key.account_id}),
            )
        record = uow.access.caller_for_token(digest, utc_now())
        return None if record is None else _from_login(record)

    caller = run(engine, use_case, write=False)
    if caller is None:
        raise TokenInvalid("This token is unknown, expired or logged out. Log in again.")
    return caller


def change_password(engine: Engine, caller: Caller, token: str, request: ChangePassword) -> None:
    """Change your own password. Every other session of the login ends; the one in use goes on.

    The current password is asked for, so a token left open on a shared computer cannot take the
    account over; a wrong one counts as a failed login, so the limit applies to guessing here too,
    and it is counted before it is checked, as a login's is.
    """
    if caller.login_id is None:
        raise NotAllowed("An API key has no password; a coordinator or the organisation's staff revoke it")
    current_password, new_password = request.current_password, request.new_password
    # Checked first: a right current password must not be counted as a failure for a bad new one.
    check_password_shape(new_password)
    login_id = caller.login_id
    now = utc_now()

    def count(uow: UnitOfWork) -> tuple[list[int], str]:
        login = uow.access.login_by_id(login_id)
        attempt_ids = count_attempt(uow, subjects_of(login.username, None), now)
        uow.commit()
        return attempt_ids, login.password_hash

    with password_hashing().hold():
        attempt_ids, password_hash = run(engine, count)
        ok = len(current_password) <= _CREDENTIAL_LENGTH_MAX and verify_password(
            password_hash, current_password
        )
        new_hash = hash_password(new_password) if ok else None
    if new_hash is None:
        raise CredentialsInvalid("The current password is wrong")

    def record(uow: UnitOfWork) -> None:
        uow.access.forget_failure_ids(attempt_ids)
        uow.access.set_password_hash(login_id, new_hash)
        uow.access.revoke_other_tokens(login_id, secret_sha256(token), now)
        if caller.timebank_id is not None and caller.member_id is not None:
            tell_password_changed(uow, caller.timebank_id, caller.member_id, "by you, when logged in", now)
        uow.commit()

    run(engine, record)

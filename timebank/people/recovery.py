"""Ways back in: a set-password code from a coordinator, and a reset link by email.

Many members have no email, and some have never had a login. A coordinator never sees or sets a
password (DESIGN §9): they **issue a set-password code** for the member, print it as a letter to
hand over or post (or have it emailed to the member's checked address), and the member types it on
the "I have a code" page with a new password (and, if they had no login, a username of their
choosing). A member with a checked email who forgot their password **asks for a reset link**.

- **Codes** are 12 characters of Crockford's base 32 (digits and capitals without I, L, O and U):
  60 bits, about 10^18 codes. They are typed with or without dashes and spaces, in any case, with
  O read as 0 and I or L as 1. A guess is counted before it is checked, with failed logins, per
  address (``timebank.people.access``: 30 a quarter of an hour by default), so one address makes
  about a million guesses a year; with a thousand live codes, finding one takes it about 10^9
  years, and a hundred thousand addresses together about 10^4.
- **Links** carry 32 random bytes (256 bits); they are only ever followed, never typed.
- Either is stored only as its SHA-256, works once, and expires (``TIMEBANK_PASSWORD_CODE_DAYS``,
  ``TIMEBANK_PASSWORD_RESET_MINUTES``). Issuing a new one voids the member's earlier ones. Using
  one ends every session of the login.
- **Asking for a reset answers the same** whether or not the username or address matches anyone
  (``ask_for_reset`` returns nothing). Each address may ask ``password_resets_per_hour_max`` times
  an hour, and each member is sent at most that many links an hour, whoever asks.
- **Turning a login off** (a coordinator, with a reason) ends its sessions at once and refuses it
  until it is turned on again; the member, their account and their history are untouched.

Every step is audited (``timebank.involvement.audit``) without the secret.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.busy import password_hashing
from timebank.clock import utc_now
from timebank.db.repositories import LoginOfMember, PasswordCodeRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.ledger import rules
from timebank.notifications import messages
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.notices import tell_password_changed
from timebank.notifications.outbox import queue_message, site_url
from timebank.people.access import count_attempt, subjects_of
from timebank.people.callers import Caller
from timebank.people.erasure_errors import MemberAlreadyErased
from timebank.people.errors import UsernameTaken
from timebank.people.passwords import check_password_shape, check_username, hash_password
from timebank.people.recovery_errors import (
    MemberHasNoLogin,
    OwnLoginStaysOn,
    PasswordCodeExpired,
    PasswordCodeUnknown,
    PasswordCodeUsed,
    ResetLinkExpired,
    ResetLinkUnknown,
    ResetLinkUsed,
    ResetRequestsExceeded,
    UsernameRequired,
    VerifiedEmailRequired,
)
from timebank.people.requests import (
    AskForReset,
    IssuePasswordCode,
    ResetPassword,
    TurnLoginOff,
    TurnLoginOn,
    UsePasswordCode,
)
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import LoginStateView, PasswordCodeView, PasswordSetView
from timebank.settings import get_settings

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "RESET_PREFIX",
    "ask_for_reset",
    "format_code",
    "issue_password_code",
    "new_code",
    "normalise_code",
    "read_login_state",
    "reset_password",
    "turn_login_off",
    "turn_login_on",
    "use_password_code",
]

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 12  # 60 bits
RESET_PREFIX = "tbr_"
_CODE = "code"
_LINK = "link"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """In groups of four, as printed on the letter: "7KQ2-M9XD-4HTR"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)


def _code_sha256(code: str) -> str:
    # Prefixed, so a code can never be mistaken for a link's secret or any other kind of token.
    return hashlib.sha256(f"password-code:{code}".encode()).hexdigest()


def _link_sha256(secret: str) -> str:
    return hashlib.sha256(f"password-link:{secret}".encode()).hexdigest()


# --- a coordinator issues a code ------------------------------------------------------------------


def issue_password_code(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: IssuePasswordCode
) -> PasswordCodeView:
    """Make a member a set-password code (coordinators), shown once; optionally email it too."""
    caller.check_timebank(timebank_id)
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id)
    settings = get_settings()
    code = new_code()

    def use_case(uow: UnitOfWork) -> PasswordCodeView:
        member = _member(uow, timebank_id, member_id)
        if member.erased_at is not None:
            # A code would give the former member's account a login again, and a name to go with it.
            raise MemberAlreadyErased(
                "This member's personal data was erased. They cannot have a login again."
            )
        now = utc_now()
        expires_at = now + timedelta(days=settings.password_code_days)
        recipient = uow.notifications.recipient(timebank_id, member_id)
        if request.send_by_email and (recipient.email is None or recipient.email_verified_at is None):
            raise VerifiedEmailRequired(
                "This member has no checked email address. Print the code as a letter instead."
            )
        uow.recovery.void_codes(timebank_id, member_id, now)
        code_id = uow.recovery.insert_code(
            timebank_id, member_id, _CODE, _code_sha256(code), caller.caller, now, expires_at
        )
        sent = False
        if request.send_by_email:
            timebank = uow.timebanks.get(timebank_id)
            composed = messages.password_code(
                member.display_name,
                timebank.name,
                format_code(code),
                f"{site_url()}/password/code",
                settings.password_code_days,
            )
            sent = queue_message(
                uow,
                timebank,
                recipient,
                NotificationKind.PASSWORD_CODE,
                f"password_code:{code_id}",
                composed,
                now,
            )
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.PASSWORD_CODE_ISSUED,
            member.account_id,
            by_email=sent,
            new_login=member.login_id is None,
        )
        trail.write(uow, timebank_id)
        uow.commit()
        return PasswordCodeView(
            member_id=member_id,
            display_name=member.display_name,
            username=member.username,
            code=format_code(code),
            expires_at=expires_at,
            sent_by_email=sent,
        )

    return run(engine, use_case)


def _member(uow: UnitOfWork, timebank_id: int, member_id: int) -> LoginOfMember:
    member = uow.recovery.login_of(timebank_id, member_id, for_update=True)
    if member is None:
        uow.members.get(timebank_id, member_id)  # raises member_not_found
        raise AssertionError("a member read a moment ago exists")
    return member


# --- a member uses a code or a link -------------------------------------------------------------


def _check_live(record: PasswordCodeRecord | None, now: datetime, *, kind: str) -> PasswordCodeRecord:
    unknown, used, expired = (
        (PasswordCodeUnknown, PasswordCodeUsed, PasswordCodeExpired)
        if kind == _CODE
        else (ResetLinkUnknown, ResetLinkUsed, ResetLinkExpired)
    )
    if record is None or record.kind != kind:
        raise unknown()
    if record.used_at is not None:
        raise used()
    if record.expires_at <= now:
        raise expired()
    return record


def use_password_code(
    engine: Engine, request: UsePasswordCode, address: str | None = None
) -> PasswordSetView:
    """Set a password with a coordinator's code; a member with no login gets one. No login needed."""
    # Text that no code holds is refused before it is counted as a guess: it could never be right.
    rules.check_text("code", request.code, len(request.code))
    code = normalise_code(request.code)
    username = None if request.username is None else request.username.strip().lower()
    # The shapes first: a right code must not be spent on a password that would be refused.
    check_password_shape(request.new_password)
    if username is not None:
        check_username(username)
    subjects = subjects_of(None, address)
    digest = _code_sha256(code)

    def look(uow: UnitOfWork) -> tuple[list[int], PasswordCodeRecord | None]:
        # Counted before it is checked, and committed, as a login's password is.
        attempt_ids = count_attempt(uow, subjects, utc_now()) if subjects else []
        record = uow.recovery.code_by_hash(digest) if len(code) == CODE_LENGTH else None
        uow.commit()
        return attempt_ids, record

    attempt_ids, record = run(engine, look)
    found = _check_live(record, utc_now(), kind=_CODE)
    member = run(engine, lambda uow: uow.recovery.login_of(found.timebank_id, found.member_id), write=False)
    assert member is not None, "a code's member exists"
    if member.login_id is None and username is None:
        raise UsernameRequired("Choose a username: you do not have a login yet.")
    with password_hashing().hold():
        password_hash = hash_password(request.new_password)

    def use(uow: UnitOfWork) -> PasswordSetView:
        now = utc_now()
        live = _check_live(uow.recovery.code_by_hash(digest, for_update=True), now, kind=_CODE)
        member = _member(uow, live.timebank_id, live.member_id)
        chosen = _set_password(uow, member, username, password_hash, now)
        if member.login_id is not None:
            how = "with a code from a coordinator"
            tell_password_changed(uow, live.timebank_id, member.member_id, how, now)
        uow.recovery.use_code(live.code_id, now)
        uow.recovery.void_codes(live.timebank_id, live.member_id, now)
        uow.access.forget_failure_ids(attempt_ids)
        trail = AuditTrail(f"member:{member.member_id}")
        trail.add(AuditAction.PASSWORD_SET_WITH_CODE, member.account_id, new_login=member.login_id is None)
        trail.write(uow, live.timebank_id)
        uow.commit()
        return PasswordSetView(username=chosen)

    return run(engine, use)


def _set_password(
    uow: UnitOfWork, member: LoginOfMember, username: str | None, password_hash: str, now: datetime
) -> str:
    """The member's new password; a login for them if they had none. Every session ends."""
    if member.login_id is None:
        if username is None:
            raise UsernameRequired("Choose a username: you do not have a login yet.")
        if uow.access.username_exists(username):
            raise UsernameTaken(f"The username {username!r} is taken. Choose another.")
        login_id = uow.access.insert_login(username, password_hash, False, now)
        uow.recovery.give_login(member.timebank_id, member.member_id, login_id)
        return username
    assert member.username is not None, "a login has a username"
    uow.access.set_password_hash(member.login_id, password_hash)
    uow.recovery.revoke_all_tokens(member.login_id, now)
    return member.username


def ask_for_reset(engine: Engine, request: AskForReset, address: str | None = None) -> None:
    """Email a reset link to the member named, if they have a login and a checked address.

    The answer is the same whoever is named: nothing, or a refusal for asking too often from one
    address (which says nothing about whom).
    """
    typed = request.username_or_email.strip()
    rules.check_text("username_or_email", typed, 254)
    settings = get_settings()
    per_hour = settings.password_resets_per_hour_max

    def use_case(uow: UnitOfWork) -> None:
        now = utc_now()
        if address:
            _count_reset_request(uow, f"reset:{address[:100]}", now, per_hour)
        if "@" in typed:
            found = uow.recovery.members_with_verified_email(typed)
        else:
            one = uow.recovery.member_of_username(typed.lower())
            found = [] if one is None else [one]
        for timebank_id, member_id in found:
            _send_reset_link(uow, timebank_id, member_id, now, per_hour)
        uow.commit()

    run(engine, use_case)


def _count_reset_request(uow: UnitOfWork, subject: str, now: datetime, per_hour: int) -> None:
    window = timedelta(hours=1)
    uow.access.lock_subjects([subject])
    uow.access.forget_failures([subject], before=now - window)
    count, oldest = uow.access.failures_since(subject, now - window)
    if count >= per_hour and oldest is not None:
        wait_seconds = max(1, int((oldest + window - now).total_seconds()) + 1)
        raise ResetRequestsExceeded(
            f"Too many requests for a new password from here. Wait {wait_seconds // 60 + 1} minutes.",
            retry_after_seconds=wait_seconds,
        )
    uow.access.record_failure([subject], now)


def _send_reset_link(uow: UnitOfWork, timebank_id: int, member_id: int, now: datetime, per_hour: int) -> None:
    recipient = uow.notifications.recipient(timebank_id, member_id, for_update=True)
    if recipient.email is None or recipient.email_verified_at is None:
        return
    if uow.recovery.links_since(timebank_id, member_id, now - timedelta(hours=1)) >= per_hour:
        return  # this member was sent enough for now, whoever asks
    settings = get_settings()
    secret = RESET_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=settings.password_reset_minutes)
    uow.recovery.void_codes(timebank_id, member_id, now, kind=_LINK)
    link_id = uow.recovery.insert_code(
        timebank_id, member_id, _LINK, _link_sha256(secret), "reset_request", now, expires_at
    )
    timebank = uow.timebanks.get(timebank_id)
    composed = messages.password_reset(
        recipient.display_name,
        timebank.name,
        f"{site_url()}/password/reset?token={secret}",
        settings.password_reset_minutes,
    )
    queue_message(
        uow, timebank, recipient, NotificationKind.PASSWORD_RESET, f"password_reset:{link_id}", composed, now
    )
    trail = AuditTrail("reset_request")
    trail.add(AuditAction.PASSWORD_RESET_SENT, recipient.account_id)
    trail.write(uow, timebank_id)


def reset_password(engine: Engine, request: ResetPassword) -> PasswordSetView:
    """Set a new password with a reset link's token. No login needed; every session ends."""
    check_password_shape(request.new_password)
    rules.check_text("token", request.token, len(request.token))
    digest = _link_sha256(request.token)
    found = _check_live(
        run(engine, lambda uow: uow.recovery.code_by_hash(digest), write=False), utc_now(), kind=_LINK
    )
    del found
    with password_hashing().hold():
        password_hash = hash_password(request.new_password)

    def use(uow: UnitOfWork) -> PasswordSetView:
        now = utc_now()
        live = _check_live(uow.recovery.code_by_hash(digest, for_update=True), now, kind=_LINK)
        member = _member(uow, live.timebank_id, live.member_id)
        if member.login_id is None:
            raise ResetLinkUnknown()  # links are sent only to logins; this one lost its login
        chosen = _set_password(uow, member, None, password_hash, now)
        tell_password_changed(uow, live.timebank_id, member.member_id, "with a reset link", now)
        uow.recovery.use_code(live.code_id, now)
        uow.recovery.void_codes(live.timebank_id, live.member_id, now)
        trail = AuditTrail(f"member:{member.member_id}")
        trail.add(AuditAction.PASSWORD_RESET, member.account_id)
        trail.write(uow, live.timebank_id)
        uow.commit()
        return PasswordSetView(username=chosen)

    return run(engine, use)


# --- a coordinator turns a login off or on --------------------------------------------------------


def read_login_state(engine: Engine, timebank_id: int, caller: Caller, member_id: int) -> LoginStateView:
    """Whether the member has a login, and whether it is turned off (coordinators)."""
    caller.check_timebank(timebank_id)
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id)

    def use_case(uow: UnitOfWork) -> LoginStateView:
        member = uow.recovery.login_of(timebank_id, member_id)
        if member is None:
            uow.members.get(timebank_id, member_id)  # raises member_not_found
            raise AssertionError("a member read a moment ago exists")
        disabled = member.disabled_at is not None
        return LoginStateView(member_id=member_id, username=member.username, login_disabled=disabled)

    return run(engine, use_case, write=False)


def turn_login_off(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: TurnLoginOff
) -> LoginStateView:
    """Turn a member's login off (coordinators): every session ends at once."""
    return _turn(engine, timebank_id, caller, member_id, request.reason, off=True)


def turn_login_on(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: TurnLoginOn
) -> LoginStateView:
    """Turn a member's login back on (coordinators). Their old sessions stay ended."""
    return _turn(engine, timebank_id, caller, member_id, request.reason, off=False)


def _turn(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, reason: str, *, off: bool
) -> LoginStateView:
    caller.check_timebank(timebank_id)
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id)
    rules.check_text("reason", reason, 500)
    if off and caller.member_id == member_id:
        raise OwnLoginStaysOn("You cannot turn off your own login. Ask another coordinator.")

    def use_case(uow: UnitOfWork) -> LoginStateView:
        member = _member(uow, timebank_id, member_id)
        if member.login_id is None:
            raise MemberHasNoLogin("This member has no login. Give them one with a set-password code.")
        now = utc_now()
        if off and member.disabled_at is None:
            uow.recovery.set_disabled(member.login_id, now)
            uow.recovery.revoke_all_tokens(member.login_id, now)
        elif not off and member.disabled_at is not None:
            uow.recovery.set_disabled(member.login_id, None)
        trail = AuditTrail(caller.caller)
        action = AuditAction.LOGIN_TURNED_OFF if off else AuditAction.LOGIN_TURNED_ON
        trail.add_noted(action, member.account_id, reason.strip())
        trail.write(uow, timebank_id)
        uow.commit()
        return LoginStateView(member_id=member_id, username=member.username, login_disabled=off)

    return run(engine, use_case)

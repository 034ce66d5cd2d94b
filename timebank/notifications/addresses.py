"""A member's email address: set it, read it, verify it by a link.

- **Optional.** A member without an address is simply never emailed.
- **Private.** Only the member and the timebank's coordinators see it (``EmailView``); no other
  view of a member carries it, not the directory, and not an admin's reads.
- **Verified by a link.** Setting an address (the member, or a coordinator for them) leaves it
  unverified and queues a verification message to it, with a single-use secret that expires
  (``TIMEBANK_EMAIL_VERIFICATION_HOURS``). The secret is stored only as its SHA-256, like an access
  token (``timebank.people.access``). Following the link verifies the address; a link that is
  unknown, expired, or used (or sent to an address since changed) is refused by the rule it broke
  and changes nothing. Until then nothing else is sent to the address: a mistyped one reaches one
  stranger once, with a message that asks nothing of them.
- **Changeable.** A new address voids the links sent to the old one, and a checked old address is
  told of the change (``timebank.notifications.notices``), so a login taken over cannot move the
  address away unseen.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import Recipient
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.ledger.contacts import check_contact
from timebank.notifications import messages
from timebank.notifications.errors import (
    VerificationTokenExpired,
    VerificationTokenUnknown,
    VerificationTokenUsed,
)
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.notices import tell_email_changed
from timebank.notifications.outbox import queue_message, site_url
from timebank.notifications.requests import TOKEN_LENGTH_MAX, SetEmail, VerifyEmail
from timebank.notifications.views import EmailVerifiedView, EmailView
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused
from timebank.settings import get_settings

__all__ = ["VERIFICATION_PREFIX", "read_email", "set_email", "verify_email"]

VERIFICATION_PREFIX = "tbv_"


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_self_or_coordinator(caller: Caller, timebank_id: int, member_id: int) -> None:
    # Not an admin, not the organisation's API key, not another member.
    caller.check_timebank(timebank_id)
    if not (caller.is_coordinator or (caller.member_id is not None and caller.member_id == member_id)):
        raise SelfOrCoordinatorRequired("An email address is seen only by the member and coordinators")


def read_email(engine: Engine, timebank_id: int, caller: Caller, member_id: int) -> EmailView:
    """The member's address and whether it is verified (the member or a coordinator)."""

    def use_case(uow: UnitOfWork) -> EmailView:
        with not_found_before_refused(uow, timebank_id, member_ids=[member_id]):
            _check_self_or_coordinator(caller, timebank_id, member_id)
        return EmailView.of(uow.notifications.recipient(timebank_id, member_id))

    return run(engine, use_case, write=False)


def set_email(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: SetEmail
) -> EmailView:
    """Set, change or remove the member's address; a new one is sent a verification link."""
    email = check_contact(None, request.email, None).email

    def use_case(uow: UnitOfWork) -> EmailView:
        with not_found_before_refused(uow, timebank_id, member_ids=[member_id]):
            _check_self_or_coordinator(caller, timebank_id, member_id)
        timebank = uow.timebanks.get(timebank_id)
        current = uow.notifications.recipient(timebank_id, member_id, for_update=True)
        if email is not None and email == current.email and current.email_verified_at is not None:
            # The address it already has, verified: nothing to do, and nothing is sent.
            return EmailView.of(current)
        now = utc_now()
        uow.notifications.void_verifications(timebank_id, member_id, now)
        uow.notifications.set_email(timebank_id, member_id, email)
        changed = Recipient(current.member_id, current.account_id, current.display_name, email, None)
        sent = email is not None and _send_verification(uow, timebank_id, timebank.name, changed, email)
        tell_email_changed(uow, timebank_id, current, email, now)
        uow.commit()
        return EmailView.of(changed, verification_sent=sent)

    return run(engine, use_case)


def _send_verification(
    uow: UnitOfWork, timebank_id: int, timebank_name: str, recipient: Recipient, email: str
) -> bool:
    hours = get_settings().email_verification_hours
    now = utc_now()
    secret = VERIFICATION_PREFIX + secrets.token_urlsafe(32)
    verification_id = uow.notifications.insert_verification(
        timebank_id, recipient.member_id, email, _sha256(secret), now, now + timedelta(hours=hours)
    )
    link = f"{site_url()}/email/verify?token={secret}"
    composed = messages.verify_address(recipient.display_name, timebank_name, link, hours)
    timebank = uow.timebanks.get(timebank_id)
    kind = NotificationKind.EMAIL_VERIFICATION
    event_key = f"verification:{verification_id}"
    return queue_message(uow, timebank, recipient, kind, event_key, composed, now, to_address=email)


def verify_email(engine: Engine, request: VerifyEmail) -> EmailVerifiedView:
    """Follow a verification link: the address it was sent to is verified. No login needed."""
    rules.check_text("token", request.token, TOKEN_LENGTH_MAX)
    token_sha256 = _sha256(request.token)

    def use_case(uow: UnitOfWork) -> EmailVerifiedView:
        verification = uow.notifications.verification_by_hash(token_sha256)
        if verification is None:
            raise VerificationTokenUnknown()
        now = utc_now()
        if verification.used_at is not None:
            raise VerificationTokenUsed()
        if verification.expires_at <= now:
            raise VerificationTokenExpired()
        member = uow.notifications.recipient(
            verification.timebank_id, verification.member_id, for_update=True
        )
        # Changing the address voids its links, so a live link names the current address.
        assert member.email == verification.email, "a live verification names the member's address"
        uow.notifications.use_verification(verification.verification_id, now)
        uow.notifications.mark_verified(verification.timebank_id, verification.member_id, now)
        uow.commit()
        return EmailVerifiedView(email=verification.email, email_verified_at=now)

    return run(engine, use_case)

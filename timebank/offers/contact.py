"""Contact this member: a message about an offer or request, through the timebank, never an address.

Members reach each other through the timebank (DESIGN §10): a member writes a short message about a
post, and the timebank queues it in the outbox (``timebank.notifications``) for the post's member,
as a ``member_message``, naming the sender and the post, with an **answer link**. The link is signed
with the recipient's own key (``timebank.notifications.keys.reply_token``): opened by them, logged
in, it lets them write back to the sender about the same post (and the answer carries a link of its
own, so the two can go on), and it lets nobody write to anyone else. Neither side learns the
other's address.

**Whoever reads it.** A member with no checked address, or who switched these messages off, is
written to through the coordinators: each coordinator with a checked address who gets these
messages is asked to pass it on. The sender is told the same thing whatever happened
(``MESSAGE_ON_ITS_WAY``), so asking never reveals whether someone uses email.

**Bounds.** A message is at most ``MESSAGE_LENGTH_MAX`` characters of text without control
characters. A member sends at most ``MESSAGES_PER_DAY_MAX`` messages in any 24 hours
(``messages_per_day_exceeded``), counted from the audit log, where each message leaves an entry
(``member_message_sent``: the post and the member written to, never the words). Nobody writes to
themselves (no request can ask it), nor to a member who has left, nor about a hidden post; a first
message needs a post that is open and unexpired (``timebank.offers.answering``), while an answer
may follow a post its member has since closed, since the member asked for it by writing. Another
timebank's post is not found. A replayed Idempotency-Key sends nothing twice. No message names a
benefit: its words are the two members' names, the post's kind and title, and what the sender wrote.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import PostRecord, Recipient, TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.ledger import rules
from timebank.notifications import messages
from timebank.notifications.keys import preferences_of, reply_token
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.outbox import queue_message, site_url
from timebank.offers.answering import check_answerable, check_readable
from timebank.offers.errors import (
    MemberHasLeft,
    MessageRequired,
    MessagesPerDayExceeded,
    PostHidden,
    ReplyLinkInvalid,
)
from timebank.offers.requests import MESSAGE_LENGTH_MAX, ContactMember
from timebank.offers.views import MessageSentView, MessageTargetView, PostView
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired

__all__ = ["MESSAGES_PER_DAY_MAX", "contact_member", "read_message_target"]

# Enough to ask about a few offers in a day and answer those who wrote; few enough that nobody
# can use the timebank to flood its members.
MESSAGES_PER_DAY_MAX = 10
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Target:
    post: PostRecord
    recipient: Recipient
    is_answer: bool


def _check_sender(caller: Caller) -> tuple[int, int]:
    if caller.member_id is None or caller.account_id is None:
        raise SelfOrCoordinatorRequired("Only members write to members")
    return caller.member_id, caller.account_id


def _target(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    post_id: int,
    to_member_id: int | None,
    token: str | None,
    now: datetime,
) -> _Target:
    """The post and the member written to, once every rule on them holds (what they name is looked
    for before who asks is judged: another timebank's post or member is not found, whoever asks)."""
    post = uow.offers.post(timebank_id, post_id)
    if to_member_id is not None:
        uow.notifications.recipient(timebank_id, to_member_id)
    _check_sender(caller)
    if to_member_id is None:
        check_answerable(caller, post, now.date())
        to_member_id, is_answer = post.member_id, False
    else:
        check_readable(caller, post)
        _check_answer_link(uow, timebank_id, caller, post, to_member_id, token or "", now)
        if post.hidden_at is not None:
            raise PostHidden(f"A coordinator has hidden this {post.kind}, so it cannot be written about")
        is_answer = True
    # Nobody writes to themselves: a first message is never about one's own post, and an answer
    # link is made only for a message someone else sent, so no request can name the caller here.
    assert to_member_id != caller.member_id, "a message never goes to its writer"
    if uow.notifications.has_left(timebank_id, to_member_id):
        raise MemberHasLeft("This member has left the timebank, so they cannot be written to")
    recipient = uow.notifications.recipient(timebank_id, to_member_id)
    return _Target(post, recipient, is_answer)


def _check_answer_link(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    post: PostRecord,
    to_member_id: int,
    token: str,
    now: datetime,
) -> None:
    """An answer goes back to ``to_member_id`` by the link in a message they sent the caller.

    Such a link exists only for a message that was sent: to a post's member, or from them in answer,
    so every conversation it continues has the post's member in it.
    """
    refusal = ReplyLinkInvalid("This answer link is not one we sent you. Open the link in the message")
    if caller.member_id is None:
        raise refusal
    key = preferences_of(uow, timebank_id, caller.member_id, now).unsubscribe_key
    expected = reply_token(key, post.post_id, to_member_id, caller.member_id)
    if not hmac.compare_digest(expected, token):
        raise refusal


def _check_day_limit(uow: UnitOfWork, timebank_id: int, account_id: int, now: datetime) -> None:
    sent = uow.audit.count_since(timebank_id, account_id, AuditAction.MEMBER_MESSAGE_SENT.value, now - _DAY)
    if sent >= MESSAGES_PER_DAY_MAX:
        raise MessagesPerDayExceeded(
            f"You can send {MESSAGES_PER_DAY_MAX} messages a day. Try again tomorrow",
            retry_after_seconds=3600,
        )


def read_message_target(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    post_id: int,
    *,
    to_member_id: int | None = None,
    reply_token: str | None = None,
) -> MessageTargetView:
    """Whom a message about the post would go to, refused now by the rules a message would meet."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> MessageTargetView:
        now = utc_now()
        target = _target(uow, timebank_id, caller, post_id, to_member_id, reply_token, now)
        _check_day_limit(uow, timebank_id, _check_sender(caller)[1], now)
        # The answer link's check may have made the caller's key: kept, as the first message would.
        uow.commit()
        return MessageTargetView(
            post=PostView.of(target.post, now.date()),
            to_member_id=target.recipient.member_id,
            to_name=target.recipient.display_name,
            is_answer=target.is_answer,
        )

    return run(engine, use_case)


def contact_member(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    post_id: int,
    request: ContactMember,
    *,
    idempotency_key: str | None = None,
) -> MessageSentView:
    """Write to a post's member (or answer one who wrote about yours): queued for them, or for the
    coordinators to pass on; the answer is the same either way."""
    caller.check_timebank(timebank_id)
    rules.check_text("message", request.message, MESSAGE_LENGTH_MAX)
    message = request.message.strip()
    if not message:
        raise MessageRequired("Write your message")
    if (request.to_member_id is None) != (request.reply_token is None):
        raise ReplyLinkInvalid("An answer names the member and the token of the link, both or neither")

    def work(uow: UnitOfWork) -> MessageSentView:
        now = utc_now()
        target = _target(uow, timebank_id, caller, post_id, request.to_member_id, request.reply_token, now)
        member_id, account_id = _check_sender(caller)
        _check_day_limit(uow, timebank_id, account_id, now)
        timebank = uow.timebanks.get(timebank_id)
        sender = uow.notifications.recipient(timebank_id, member_id)
        _queue(uow, timebank, sender, target, message, now)
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.MEMBER_MESSAGE_SENT,
            account_id,
            post_id=post_id,
            to_member_id=target.recipient.member_id,
        )
        trail.write(uow, timebank_id)
        return MessageSentView(post_id=post_id)

    def use_case(uow: UnitOfWork) -> MessageSentView:
        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "contact_member",
            {"post_id": post_id, **request.model_dump(mode="json")},
            MessageSentView,
            lambda: work(uow),
        )
        uow.commit()
        return view

    return run(engine, use_case)


def _post_words(post: PostRecord, *, own: bool) -> str:
    kind = post.kind
    return f'your {kind} "{post.title}"' if own else f'{post.member_name}\'s {kind} "{post.title}"'


def _queue(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    sender: Recipient,
    target: _Target,
    message: str,
    now: datetime,
) -> None:
    """Queue the message for the member written to; failing that, for each coordinator to pass on."""
    post, recipient = target.post, target.recipient
    kind = NotificationKind.MEMBER_MESSAGE
    # One event per message: a new message is never taken for a replay of an earlier one.
    event_key = f"member_message:{sender.member_id}:{secrets.token_hex(12)}"
    key = preferences_of(uow, timebank.timebank_id, recipient.member_id, now).unsubscribe_key
    token = reply_token(key, post.post_id, sender.member_id, recipient.member_id)
    link = f"{site_url()}/offers/{post.post_id}/message?to={sender.member_id}&token={token}"
    own = recipient.member_id == post.member_id
    composed = messages.member_message(
        recipient.display_name, sender.display_name, timebank.name, _post_words(post, own=own), message, link
    )
    if queue_message(uow, timebank, recipient, kind, event_key, composed, now):
        return
    post_link = f"{site_url()}/offers/{post.post_id}"
    for coordinator in uow.notifications.coordinator_recipients(timebank.timebank_id):
        if coordinator.member_id in (sender.member_id, recipient.member_id):
            continue
        passed_on = messages.member_message_to_pass_on(
            coordinator.display_name,
            recipient.display_name,
            sender.display_name,
            _post_words(post, own=False),
            message,
            post_link,
        )
        queue_message(uow, timebank, coordinator, kind, event_key, passed_on, now)

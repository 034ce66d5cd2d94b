"""Contact this member, and answering a post, through the services, on SQLite and PostgreSQL.

Bo writes to Ann about her offer: one ``member_message`` is queued for Ann, naming Bo and the offer,
with an answer link and an unsubscribe link, and no email address of Bo's. Ann answers through the
link: Bo gets her answer about the same offer. A link used by anyone else, or changed, is refused.
A member with no checked address, or who switched these messages off, is written to through the
coordinators who have one: each is asked to pass it on; and the sender's answer is the same in every
case. Nobody writes to themselves, about a hidden, closed or expired post, to a member who has left,
or about another timebank's post; more than the day's number of messages is refused; every refusal
changes nothing. A replayed key sends nothing twice. The post page's reading, and the rule every
answer meets, are checked here too.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.notification_calls import Street, make_street
from tests.offer_calls import expire, post_for
from tests.people_calls import add_member, end_membership
from timebank.clock import utc_now
from timebank.errors import PostNotFound, TimebankError, TimebankNotFound
from timebank.involvement.audit import AuditAction, read_audit_log
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.preferences import set_preferences
from timebank.notifications.requests import ChoosePreferences
from timebank.offers import (
    MESSAGES_PER_DAY_MAX,
    ContactMember,
    HidePost,
    PostKind,
    close_post,
    contact_member,
    hide_post,
    read_message_target,
    read_post_page,
    read_post_to_answer,
)
from timebank.offers.errors import (
    MemberHasLeft,
    MessageRequired,
    MessagesPerDayExceeded,
    PostHidden,
    PostIsYourOwn,
    PostNotOpen,
    ReplyLinkInvalid,
)
from timebank.offers.views import MESSAGE_ON_ITS_WAY, MessageSentView
from timebank.people.callers import Caller

ANSWER_LINK = re.compile(r"/offers/(\d+)/message\?to=(\d+)&token=([0-9a-f]{32})")


def _offer(street: Street, name: str = "ann", **fields: Any) -> int:
    return post_for(street.engine, street.timebank_id, street.member_ids[name], **fields).post_id


def _write(
    street: Street, sender: str, post_id: int, words: str = "Could you help on Saturday?", **more: Any
) -> MessageSentView:
    request = ContactMember(message=words, **more)
    return contact_member(street.engine, street.timebank_id, street.member(sender), post_id, request)


def _member_messages(street: Street, name: str) -> list[str]:
    return [m.body for m in street.outbox(name) if m.kind == NotificationKind.MEMBER_MESSAGE]


def _coordinator(street: Street, name: str = "cora", *, verified: bool = True) -> Caller:
    admin = Caller("system:test", True, None, None, None, False, frozenset())
    view = add_member(street.engine, street.timebank_id, admin, name.title(), roles=("member", "coordinator"))
    street.member_ids[name] = view.member_id
    street.account_ids[name] = view.account_id
    if verified:
        street.verify(name, street.address(name))
    return Caller(
        f"login:{name}", False, street.timebank_id, view.member_id, view.account_id, True, frozenset()
    )


def test_a_member_writes_about_an_offer_and_its_member_answers_by_the_link(engine: Engine) -> None:
    street = make_street(engine)
    post_id = _offer(street, title="Help in the garden")

    sent = _write(street, "bo", post_id, "Could you help on Saturday?\nI have tools.")

    assert sent.detail == MESSAGE_ON_ITS_WAY
    (to_ann,) = [m for m in street.outbox("ann") if m.kind == NotificationKind.MEMBER_MESSAGE]
    assert to_ann.subject == 'Bo wrote to you about your offer "Help in the garden"'
    assert "    Could you help on Saturday?\n    I have tools." in to_ann.body
    assert "/notifications/unsubscribe?token=" in to_ann.body
    assert street.address("bo") not in to_ann.body
    assert not to_ann.is_security
    link = ANSWER_LINK.search(to_ann.body)
    assert link is not None
    assert (int(link.group(1)), int(link.group(2))) == (post_id, street.member_ids["bo"])

    answer = ContactMember(
        message="Yes, at ten.", to_member_id=street.member_ids["bo"], reply_token=link.group(3)
    )
    target = read_message_target(
        engine,
        street.timebank_id,
        street.member("ann"),
        post_id,
        to_member_id=street.member_ids["bo"],
        reply_token=link.group(3),
    )
    assert (target.to_name, target.is_answer) == ("Bo", True)
    contact_member(engine, street.timebank_id, street.member("ann"), post_id, answer)

    (to_bo,) = _member_messages(street, "bo")
    assert 'Ann wrote to you through Street about Ann\'s offer "Help in the garden"' in to_bo
    assert "    Yes, at ten." in to_bo
    assert street.address("ann") not in to_bo

    # Bo answers her answer by the link in it: the conversation goes on.
    back = ANSWER_LINK.search(to_bo)
    assert back is not None
    assert int(back.group(2)) == street.member_ids["ann"]
    more = ContactMember(
        message="See you then.", to_member_id=street.member_ids["ann"], reply_token=back.group(3)
    )
    contact_member(engine, street.timebank_id, street.member("bo"), post_id, more)
    assert "    See you then." in _member_messages(street, "ann")[-1]


def test_an_answer_link_works_only_for_whom_it_was_sent_and_as_sent(engine: Engine) -> None:
    street = make_street(engine)
    post_id = _offer(street)
    _write(street, "bo", post_id)
    link = ANSWER_LINK.search(_member_messages(street, "ann")[0])
    assert link is not None
    token, bo = link.group(3), street.member_ids["bo"]
    before = row_counts(engine)

    for who, to_member_id, used in (
        ("cy", bo, token),  # not the post's member
        ("ann", street.member_ids["cy"], token),  # to someone who did not write
        ("ann", bo, "0" * 32),  # a token we did not make
    ):
        with pytest.raises(ReplyLinkInvalid):
            _write(street, who, post_id, to_member_id=to_member_id, reply_token=used)
    with pytest.raises(ReplyLinkInvalid):
        _write(street, "ann", post_id, to_member_id=bo)  # the member without the token
    assert row_counts(engine) == before


def test_without_email_the_message_goes_to_the_coordinators_and_the_answer_is_the_same(
    engine: Engine,
) -> None:
    street = make_street(engine, verified=False)
    street.verify("bo", street.address("bo"))
    _coordinator(street, "cora")
    _coordinator(street, "cai", verified=False)
    post_id = _offer(street, title="Lifts to the surgery")

    sent = _write(street, "bo", post_id, "I need a lift on Tuesday.")

    assert sent.detail == MESSAGE_ON_ITS_WAY
    assert _member_messages(street, "ann") == []
    (to_cora,) = [m for m in street.outbox("cora") if m.kind == NotificationKind.MEMBER_MESSAGE]
    assert to_cora.subject == "Please pass on a message to Ann from Bo"
    assert "Ann does not get messages by email, so please pass this on" in to_cora.body
    assert "    I need a lift on Tuesday." in to_cora.body
    assert f"/offers/{post_id}" in to_cora.body
    assert _member_messages(street, "cai") == []

    # Ann has an address now but switched these messages off: the coordinators again.
    street.verify("ann", street.address("ann"))
    choice = ChoosePreferences(member_message=False)
    set_preferences(engine, street.timebank_id, street.member("ann"), street.member_ids["ann"], choice)
    assert _write(street, "bo", post_id).detail == MESSAGE_ON_ITS_WAY
    assert _member_messages(street, "ann") == []
    assert len(_member_messages(street, "cora")) == 2


def test_every_message_is_audited_without_its_words_and_the_day_has_a_limit(engine: Engine) -> None:
    street = make_street(engine)
    post_id = _offer(street)
    for _ in range(MESSAGES_PER_DAY_MAX):
        _write(street, "bo", post_id, "Secret words")
    before = row_counts(engine)

    with pytest.raises(MessagesPerDayExceeded):
        _write(street, "bo", post_id)
    with pytest.raises(MessagesPerDayExceeded):
        read_message_target(engine, street.timebank_id, street.member("bo"), post_id)
    assert row_counts(engine) == before
    _write(street, "cy", post_id)  # the limit is each sender's own

    log = read_audit_log(engine, street.timebank_id, Caller.coordinator_of(street.timebank_id))
    sent = [e for e in log.entries if e.action == AuditAction.MEMBER_MESSAGE_SENT]
    assert len(sent) == MESSAGES_PER_DAY_MAX + 1
    assert sent[0].details == {"post_id": post_id, "to_member_id": street.member_ids["ann"]}
    assert "Secret" not in str([e.details for e in sent])


def test_a_replayed_key_sends_once(engine: Engine) -> None:
    street = make_street(engine)
    post_id = _offer(street)
    key = uuid.uuid4().hex
    request = ContactMember(message="Hello")
    for _ in range(2):
        contact_member(engine, street.timebank_id, street.member("bo"), post_id, request, idempotency_key=key)

    assert len(_member_messages(street, "ann")) == 1


def test_each_refusal_names_its_rule_and_changes_nothing(engine: Engine) -> None:
    street = make_street(engine)
    own = _offer(street)
    hidden = _offer(street)
    closed = _offer(street)
    ended = _offer(street)
    coordinator = Caller.coordinator_of(street.timebank_id)
    hide_post(engine, street.timebank_id, coordinator, hidden, HidePost(reason="Asks for money"))
    close_post(engine, street.timebank_id, coordinator, closed)
    expire(engine, ended)
    far = make_street(engine)
    far_post = _offer(far)
    cora = _coordinator(street)
    before = row_counts(engine)

    cases: list[tuple[str, int, str, type[TimebankError]]] = [
        ("ann", own, "Hello", PostIsYourOwn),
        ("bo", hidden, "Hello", PostNotFound),  # to other members a hidden post is not there
        ("bo", closed, "Hello", PostNotOpen),
        ("bo", ended, "Hello", PostNotOpen),
        ("bo", far_post, "Hello", PostNotFound),
        ("bo", own, "   ", MessageRequired),
        ("bo", 10**12, "Hello", PostNotFound),
    ]
    for sender, post_id, words, refusal in cases:
        with pytest.raises(refusal):
            _write(street, sender, post_id, words)
    with pytest.raises(TimebankNotFound):
        contact_member(engine, far.timebank_id, street.member("bo"), far_post, ContactMember(message="Hi"))
    with pytest.raises(PostHidden):  # a coordinator sees it, and is told why it cannot be written about
        contact_member(engine, street.timebank_id, cora, hidden, ContactMember(message="Hi"))
    assert row_counts(engine) == before


def test_a_member_who_has_left_is_not_written_to(engine: Engine) -> None:
    street = make_street(engine)
    post_id = _offer(street)
    _write(street, "bo", post_id)
    link = ANSWER_LINK.search(_member_messages(street, "ann")[0])
    assert link is not None
    coordinator = Caller.coordinator_of(street.timebank_id)
    end_membership(engine, street.timebank_id, coordinator, street.member_ids["bo"], utc_now().date())

    with pytest.raises(MemberHasLeft):
        _write(street, "ann", post_id, to_member_id=street.member_ids["bo"], reply_token=link.group(3))


def test_the_post_page_names_the_member_and_an_answer_needs_someone_elses_open_post(engine: Engine) -> None:
    street = make_street(engine)
    offer = _offer(street, kind=PostKind.OFFER)
    hidden = _offer(street)
    hide_post(
        engine, street.timebank_id, Caller.coordinator_of(street.timebank_id), hidden, HidePost(reason="Rude")
    )

    page = read_post_page(engine, street.timebank_id, street.member("bo"), offer)
    assert (page.post.member_name, page.last_took_part_on) == ("Ann", None)
    answering = read_post_to_answer(engine, street.timebank_id, street.member("bo"), offer)
    assert answering.member_account_id == street.account_ids["ann"]
    with pytest.raises(PostIsYourOwn):
        read_post_to_answer(engine, street.timebank_id, street.member("ann"), offer)
    with pytest.raises(PostNotFound):
        read_post_page(engine, street.timebank_id, street.member("bo"), hidden)
    own_hidden = read_post_page(engine, street.timebank_id, street.member("ann"), hidden)
    assert (own_hidden.post.hidden, own_hidden.post.hidden_reason) == (True, "Rude")

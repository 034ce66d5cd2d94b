"""Erasing a member's personal data on request (UK GDPR, the right to erasure; DESIGN §9).

A member may ask to be forgotten. A coordinator then erases their personal data, in one database
transaction, and the member becomes "Former member N" (N their member number) everywhere the
timebank names them: pages, answers, statements, exports, reports, the audit log.

**What goes.** Their name (on their member row and their account), email address, tags, staff
links and coordinator's role; their login (its username and password: the row stays as a tombstone
nobody can log in with, because the audit log and the exchanges they recorded name it by number);
their tokens, set-password codes, email checks, message preferences and every message to them in the
outbox, sent or not; failed logins under their username; their benefits declaration and the payment
advice drawn from it; stored replies to keyed writes (idempotency) by them or about them; and
every upload of files waiting to be imported into the timebank, whose rows may name them in any
layout (a coordinator sends the files again).

**What is replaced.** Free text they wrote or that is about them gets a neutral text:
the descriptions of the exchanges they gave, received or recorded ("Description removed"), the
reasons and notes of the transactions that moved their credits or that they wrote ("Reason
removed", "Note removed"), the reasons written with audit entries about them or by them, and the
words of the money records and limit changes about them or written by them (what an expense or
payment was for, the receipt, the journey, a charity chosen, acknowledgements, why a limit changed:
"Removed"). Messages to other members about their exchanges lose the description too. Anywhere else
in the timebank's free text (another exchange's description or category, an activity's title, a
message, an API key's label), a mention of them by name, username or email, as a whole word and
ignoring case, becomes "Former member N". An organisation's own words (its activities and spend
options) are the organisation's, and keep all but such mentions.

**What stays.** The ledger: every transfer and transaction, with its minutes and times, so every
balance, statement total and report figure is what it was, and the invariants L2-L10 hold. Those
rows carry no personal data (only ids, kinds, minutes and times: ``timebank.db.tables``), which is
why they can stay; a record that someone gave an hour is kept, the person who gave it is not named.
Amounts of money paid or repaid stay too: the organisations that paid must keep their accounts.

**Who may, and when.** A coordinator of the timebank, for another member: a coordinator cannot erase
their own data (``own_data_erased_by_another``), nor the timebank's last coordinator
(``last_coordinator_required``), and a member is erased once (``member_already_erased``). The
request must confirm it (``erasure_not_confirmed``): it cannot be undone. Organisations are not
people and have no personal data to erase; their staff are members, and are erased as members.
The erasure is audited as ``member_erased`` with counts only: the entry keeps nothing it erased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import ErasureSubject
from timebank.db.repositories.erasure import MentionRow
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.offers.words import search_text
from timebank.people.callers import Caller
from timebank.people.erasure_errors import ErasureNotConfirmed, MemberAlreadyErased, OwnDataErasedByAnother
from timebank.people.errors import LastCoordinatorRequired
from timebank.people.requests import EraseMember
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import ErasureView

__all__ = [
    "DESCRIPTION_REMOVED",
    "NOTE_REMOVED",
    "REASON_REMOVED",
    "TEXT_REMOVED",
    "erase_member",
    "former_member_name",
]

DESCRIPTION_REMOVED = "Description removed"
REASON_REMOVED = "Reason removed"
NOTE_REMOVED = "Note removed"
TEXT_REMOVED = "Removed"
POST_TITLE_REMOVED = "Offer or request removed"


def former_member_name(member_id: int) -> str:
    """The name an erased member goes by: their member number, which is no personal data."""
    return f"Former member {member_id}"


@dataclass
class _Counts:
    texts_replaced: int = 0
    records_deleted: int = 0


def erase_member(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: EraseMember
) -> ErasureView:
    """Erase a member's personal data (coordinators, for another member). It cannot be undone."""
    if request.confirm is not True:
        raise ErasureNotConfirmed("Confirm that this member's personal data is to be erased")
    caller.check_timebank(timebank_id)
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id)
        if caller.member_id == member_id:
            raise OwnDataErasedByAnother("You cannot erase your own personal data. Ask another coordinator.")

    def use_case(uow: UnitOfWork) -> ErasureView:
        uow.timebanks.get(timebank_id)
        # Erasing a coordinator takes their role: role changes that may leave the timebank without
        # one take turns on its row (as in update_member).
        uow.timebanks.lock(timebank_id)
        subject = uow.erasure.subject(timebank_id, member_id)
        _check_may_erase(uow, timebank_id, subject)
        now = utc_now()
        name = former_member_name(member_id)
        counts = _erase(uow, timebank_id, subject, name, now)
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.MEMBER_ERASED,
            subject.account_id,
            member_id=member_id,
            texts_replaced=counts.texts_replaced,
            records_deleted=counts.records_deleted,
        )
        trail.write(uow, timebank_id)
        uow.commit()
        return ErasureView(
            member_id=member_id,
            account_id=subject.account_id,
            display_name=name,
            erased_at=now,
            texts_replaced=counts.texts_replaced,
            records_deleted=counts.records_deleted,
        )

    return run(engine, use_case)


def _check_may_erase(uow: UnitOfWork, timebank_id: int, subject: ErasureSubject) -> None:
    """The rules on the member's state, checked inside the transaction, on the locked row: each rule
    on what a member must be before their data can go is one more check here."""
    if subject.erased_at is not None:
        raise MemberAlreadyErased("This member's personal data was erased already.")
    if subject.is_coordinator and uow.members.coordinator_count(timebank_id) <= 1:
        raise LastCoordinatorRequired(
            "This is the timebank's last coordinator. Make another member a coordinator first."
        )


def _erase(uow: UnitOfWork, timebank_id: int, subject: ErasureSubject, name: str, now: datetime) -> _Counts:
    erasure = uow.erasure
    counts = _Counts()
    # What names them, read before it goes: the mentions of it elsewhere are found by it.
    needles = _needles(subject)
    descriptions = erasure.exchange_descriptions(timebank_id, subject)
    counts.records_deleted += erasure.delete_personal_records(timebank_id, subject)
    counts.records_deleted += erasure.retire_login(subject, now)
    counts.records_deleted += erasure.delete_stored_replies(timebank_id, subject, needles)
    # Files waiting to be imported may hold them, in any layout: they go whole, and are sent again.
    counts.records_deleted += uow.import_uploads.delete_waiting(timebank_id)
    erasure.replace_name(subject, name, now)
    counts.texts_replaced += erasure.replace_exchange_descriptions(timebank_id, subject, DESCRIPTION_REMOVED)
    counts.texts_replaced += erasure.replace_transaction_texts(
        timebank_id, subject, REASON_REMOVED, NOTE_REMOVED
    )
    counts.texts_replaced += erasure.replace_audit_notes(timebank_id, subject, REASON_REMOVED)
    counts.texts_replaced += erasure.replace_money_texts(timebank_id, subject, TEXT_REMOVED)
    mention = _mention_pattern(needles)
    for message in erasure.messages_about_exchanges(timebank_id, sorted(descriptions)):
        quoted = f'"{descriptions[message.exchange_id]}"'
        subject_text, body = (
            _replace_mentions(mention, text.replace(quoted, f'"{DESCRIPTION_REMOVED}"'), name)
            for text in (message.subject, message.body)
        )
        if (subject_text, body) != (message.subject, message.body):
            erasure.rewrite_message(message.outbox_id, subject_text, body)
            counts.texts_replaced += 1
    counts.texts_replaced += _rewrite_mentions(uow, erasure.mentioning(timebank_id, needles), mention, name)
    counts.texts_replaced += _erase_posts(uow, timebank_id, subject, needles, mention, name, now)
    return counts


def _erase_posts(
    uow: UnitOfWork,
    timebank_id: int,
    subject: ErasureSubject,
    needles: list[str],
    mention: re.Pattern[str],
    name: str,
    now: datetime,
) -> int:
    """Their own offers and requests lose their words and close; others' that name them are renamed.
    The folded words search reads (``search_text``) are made again from what is left, so the search
    index forgets them too (a trigger on SQLite, a generated column on PostgreSQL)."""
    erasure = uow.erasure
    folded = search_text(POST_TITLE_REMOVED, TEXT_REMOVED)
    replaced = erasure.replace_posts(timebank_id, subject, POST_TITLE_REMOVED, TEXT_REMOVED, folded, now)
    for post in erasure.posts_mentioning(timebank_id, needles):
        texts = {
            column: None if text is None else _replace_mentions(mention, text, name)
            for column, text in post.texts.items()
        }
        if texts != post.texts:
            folded = search_text(texts["title"], texts["description"], texts["area"])
            erasure.rewrite_post(post.post_id, texts, folded)
            replaced += 1
    if replaced:
        erasure.forget_search_words()
    return replaced


def _needles(subject: ErasureSubject) -> list[str]:
    """What names the member in free text: their name, username and email, longest first."""
    found = {text.strip() for text in (subject.display_name, subject.username, subject.email) if text}
    return sorted((text for text in found if text), key=lambda text: (-len(text), text))


def _mention_pattern(needles: Iterable[str]) -> re.Pattern[str]:
    # Whole words only: erasing "Al" must not turn "also" into "Former member 12so".
    alternatives = "|".join(re.escape(needle) for needle in needles)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _replace_mentions(pattern: re.Pattern[str], text: str, name: str) -> str:
    return pattern.sub(name, text)


def _rewrite_mentions(
    uow: UnitOfWork, rows: Iterable[MentionRow], pattern: re.Pattern[str], name: str
) -> int:
    rewritten = 0
    for row in rows:
        text = _replace_mentions(pattern, row.text, name)
        if text != row.text:
            uow.erasure.rewrite(row, text)
            rewritten += 1
    return rewritten

"""Which kinds of message a member gets, and the one-click link that stops a kind.

Every kind is sent unless the member switched it off; the kinds about security cannot be switched
off (``timebank.notifications.kinds``). The member changes their own choice, or a coordinator does
for them (many members are not online).

**Unsubscribing** needs no login: each message that is not about security carries a link with a
token that names the member and the kind, signed (HMAC-SHA256) with a key kept for that member in
their preferences. Following it switches that kind off, changing nothing else; following it twice
is not an error. A token that does not verify is refused with ``unsubscribe_token_invalid`` and
changes nothing. The key lives in the database, so links work with no deployment secret, survive a
restart, and cannot be forged by someone who only reads the messages.
"""

from __future__ import annotations

import hmac

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import PreferencesRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.notifications.errors import NotificationKindRequired, UnsubscribeTokenInvalid
from timebank.notifications.keys import TOKEN, preferences_of, signature, unsubscribe_token
from timebank.notifications.kinds import CHOOSABLE_KINDS, NotificationKind
from timebank.notifications.requests import TOKEN_LENGTH_MAX, ChoosePreferences, Unsubscribe
from timebank.notifications.views import PreferencesView, UnsubscribedView
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = [
    "preferences_of",
    "read_preferences",
    "set_preferences",
    "unsubscribe",
    "unsubscribe_token",
]


def _check_may(caller: Caller, timebank_id: int, member_id: int) -> None:
    caller.check_timebank(timebank_id)
    caller.check_may_read_member(timebank_id, member_id)


def read_preferences(engine: Engine, timebank_id: int, caller: Caller, member_id: int) -> PreferencesView:
    """The kinds of message the member gets (the member or a coordinator)."""

    def use_case(uow: UnitOfWork) -> PreferencesView:
        with not_found_before_refused(uow, timebank_id, member_ids=[member_id]):
            _check_may(caller, timebank_id, member_id)
        uow.members.get(timebank_id, member_id)
        found = uow.notifications.preferences(member_id)
        muted = frozenset() if found is None else found[1].muted_kinds
        return PreferencesView.of(member_id, muted)

    return run(engine, use_case, write=False)


def set_preferences(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: ChoosePreferences
) -> PreferencesView:
    """Choose which kinds of message the member gets; what the request leaves out stays as it was."""
    chosen = request.chosen()
    if not chosen:
        raise NotificationKindRequired()

    def use_case(uow: UnitOfWork) -> PreferencesView:
        with not_found_before_refused(uow, timebank_id, member_ids=[member_id]):
            _check_may(caller, timebank_id, member_id)
        uow.notifications.recipient(timebank_id, member_id, for_update=True)
        now = utc_now()
        record = preferences_of(uow, timebank_id, member_id, now)
        muted = {kind for kind in record.muted_kinds if kind not in chosen}
        muted |= {kind for kind, wanted in chosen.items() if not wanted}
        updated = PreferencesRecord(member_id, frozenset(muted), record.unsubscribe_key, now)
        uow.notifications.put_preferences(timebank_id, updated)
        uow.commit()
        return PreferencesView.of(member_id, updated.muted_kinds)

    return run(engine, use_case)


def unsubscribe(engine: Engine, request: Unsubscribe) -> UnsubscribedView:
    """Switch off the kind of message a link names, for the member it names; no login needed."""
    rules.check_text("token", request.token, TOKEN_LENGTH_MAX)
    match = TOKEN.match(request.token)
    if match is None or match.group(2) not in {kind.value for kind in CHOOSABLE_KINDS}:
        raise UnsubscribeTokenInvalid()
    member_id, kind, given = int(match.group(1)), NotificationKind(match.group(2)), match.group(3)

    def use_case(uow: UnitOfWork) -> UnsubscribedView:
        found = uow.notifications.preferences(member_id)
        # An unknown member and a wrong signature are told apart by nobody: one refusal for both.
        if found is None or not hmac.compare_digest(
            signature(found[1].unsubscribe_key, member_id, kind), given
        ):
            raise UnsubscribeTokenInvalid()
        timebank_id, record = found
        uow.notifications.recipient(timebank_id, member_id, for_update=True)
        if kind not in record.muted_kinds:
            muted = record.muted_kinds | {kind.value}
            uow.notifications.put_preferences(
                timebank_id, PreferencesRecord(member_id, muted, record.unsubscribe_key, utc_now())
            )
        uow.commit()
        return UnsubscribedView(kind=kind)

    return run(engine, use_case)

"""Erasing a member's personal data, through the use case, on SQLite and PostgreSQL.

The member becomes "Former member N": their name, email, tags and login go, the free text about
them is replaced, and the ledger stays exactly as it was (every transfer and transaction row, every
balance, the invariants). Each refusal (not confirmed, one's own data, erased already, the last
coordinator, not a coordinator, another timebank's member) records nothing. The complete sweep,
every page, answer, export and row, is ``tests/web/test_erasure_sweep.py``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.api.db_snapshot import snapshot
from tests.conftest import STORY_BACKDATE_DAYS
from tests.integration.helpers import check_invariants
from tests.ledger_calls import give_credits, record_exchange, reverse_exchange
from tests.people_calls import add_member, create_timebank, get_account
from timebank.clock import utc_now
from timebank.db.tables import transactions, transfers
from timebank.db.unit_of_work import run
from timebank.errors import MemberNotFound, TimebankNotFound
from timebank.ledger.errors import CoordinatorRequired
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.access import log_in
from timebank.people.callers import Caller
from timebank.people.erasure import DESCRIPTION_REMOVED, NOTE_REMOVED, REASON_REMOVED, erase_member
from timebank.people.erasure_errors import ErasureNotConfirmed, MemberAlreadyErased, OwnDataErasedByAnother
from timebank.people.errors import CredentialsInvalid, LastCoordinatorRequired, TokenInvalid
from timebank.people.members import get_member
from timebank.people.recovery import issue_password_code, read_login_state
from timebank.people.requests import EraseMember, IssuePasswordCode

PASSWORD = "a long enough password"
CONFIRMED = EraseMember(confirm=True)


def _coordinator(tb: int, member_id: int | None = None, login: str = "system:test") -> Caller:
    return Caller(login, False, tb, member_id, None, True, frozenset())


def _ledger(engine: Engine, tb: int) -> list[dict[str, Any]]:
    def read(uow: Any) -> list[dict[str, Any]]:
        rows = []
        for table in (transactions, transfers):
            query = select(table).where(table.c.timebank_id == tb).order_by(table.c.id)
            rows += [dict(row) for row in uow.connection.execute(query).mappings()]
        return rows

    found: list[dict[str, Any]] = run(engine, read, write=False)
    return found


@pytest.fixture
def story(engine: Engine) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    tb = create_timebank(engine, f"Erasure {suffix}", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    system = _coordinator(tb)
    zed = add_member(
        engine,
        tb,
        system,
        f"Zed Quill {suffix}",
        username=f"zed.{suffix}",
        password=PASSWORD,
        tags=["garden"],
    )
    ann = add_member(engine, tb, system, f"Ann {suffix}")
    cora = add_member(
        engine,
        tb,
        system,
        f"Cora {suffix}",
        username=f"cora.{suffix}",
        password=PASSWORD,
        roles=["coordinator"],
    )
    coordinator = Actor(f"login:{cora.member_id}", None, is_coordinator=True)
    day = utc_now().date() - timedelta(days=2)
    helped = record_exchange(
        engine,
        tb,
        coordinator,
        zed.account_id,
        [ReceiverShare(ann.account_id, 90)],
        day,
        f"Zed Quill {suffix} dug",
    )
    wrong = record_exchange(
        engine, tb, coordinator, ann.account_id, [ReceiverShare(zed.account_id, 30)], day, "Shopping"
    )
    reverse_exchange(engine, tb, coordinator, wrong.exchange_id, f"zed.{suffix} asked us to")
    give_credits(
        engine, tb, Actor("zed", zed.account_id), zed.account_id, ann.account_id, 15, "Thanks from Zed"
    )
    # Another member's exchange that names Zed in passing.
    record_exchange(
        engine,
        tb,
        coordinator,
        ann.account_id,
        [ReceiverShare(cora.account_id, 20)],
        day,
        f"Lift to see Zed Quill {suffix}",
    )
    return {
        "tb": tb,
        "suffix": suffix,
        "zed": zed,
        "ann": ann,
        "cora": cora,
        "helped": helped,
        "cora_caller": _coordinator(tb, cora.member_id, f"login:{cora.member_id}"),
    }


def test_an_erased_member_is_a_former_member_and_the_ledger_is_untouched(
    engine: Engine, story: dict[str, Any]
) -> None:
    tb, zed = story["tb"], story["zed"]
    token = log_in(engine, zed.username, PASSWORD).access_token
    ledger = _ledger(engine, tb)
    accounts = [story[who].account_id for who in ("zed", "ann", "cora")]
    balances = {account_id: get_account(engine, tb, account_id) for account_id in accounts}

    erased = erase_member(engine, tb, story["cora_caller"], zed.member_id, CONFIRMED)

    name = f"Former member {zed.member_id}"
    assert erased.display_name == name
    assert erased.texts_replaced >= 4
    member = get_member(engine, tb, story["cora_caller"], zed.member_id)
    assert (member.display_name, member.username, member.tags) == (name, None, ())
    assert member.erased_at == erased.erased_at
    assert _ledger(engine, tb) == ledger
    for account_id, before in balances.items():
        after = get_account(engine, tb, account_id)
        assert (after.balance_minutes, after.earned_minutes, after.spent_minutes, after.version) == (
            before.balance_minutes,
            before.earned_minutes,
            before.spent_minutes,
            before.version,
        )
    assert check_invariants(engine, tb) == []
    # Their login is gone: the password fails, the old token is dead, a coordinator sees no login.
    with pytest.raises(CredentialsInvalid):
        log_in(engine, zed.username, PASSWORD)
    with pytest.raises(TokenInvalid):
        from timebank.people.access import authenticate

        authenticate(engine, token)
    state = read_login_state(engine, tb, story["cora_caller"], zed.member_id)
    assert (state.username, state.login_disabled) == (None, False)


def test_the_texts_about_them_are_replaced_and_mentions_elsewhere_renamed(
    engine: Engine, story: dict[str, Any]
) -> None:
    from tests.ledger_calls import get_exchange
    from tests.people_calls import statement

    tb, zed, suffix = story["tb"], story["zed"], story["suffix"]

    erase_member(engine, tb, story["cora_caller"], zed.member_id, CONFIRMED)

    assert get_exchange(engine, tb, story["helped"].exchange_id).description == DESCRIPTION_REMOVED
    lines = statement(engine, tb, story["ann"].account_id).lines
    texts = {(line.description, line.reason) for line in lines}
    assert (DESCRIPTION_REMOVED, REASON_REMOVED) in texts
    assert (NOTE_REMOVED, None) in texts
    assert (f"Lift to see Former member {zed.member_id}", None) in texts
    assert not any(suffix in str(text) for text in texts)


def test_each_refusal_records_nothing(engine: Engine, story: dict[str, Any]) -> None:
    tb, zed, cora = story["tb"], story["zed"], story["cora"]
    other_tb = create_timebank(engine, f"Elsewhere {story['suffix']}").timebank_id
    before = snapshot(engine, [tb, other_tb])
    member = Caller(f"login:{zed.member_id}", False, tb, zed.member_id, zed.account_id, False, frozenset())
    refusals: list[tuple[type[Exception], Any]] = [
        (
            ErasureNotConfirmed,
            lambda: erase_member(engine, tb, story["cora_caller"], zed.member_id, EraseMember(confirm=False)),
        ),
        (CoordinatorRequired, lambda: erase_member(engine, tb, member, story["ann"].member_id, CONFIRMED)),
        (
            OwnDataErasedByAnother,
            lambda: erase_member(engine, tb, story["cora_caller"], cora.member_id, CONFIRMED),
        ),
        (
            LastCoordinatorRequired,
            lambda: erase_member(engine, tb, _coordinator(tb), cora.member_id, CONFIRMED),
        ),
        (
            MemberNotFound,
            lambda: erase_member(engine, other_tb, _coordinator(other_tb), zed.member_id, CONFIRMED),
        ),
        (
            TimebankNotFound,
            lambda: erase_member(engine, other_tb, story["cora_caller"], zed.member_id, CONFIRMED),
        ),
    ]
    for refused, attempt in refusals:
        with pytest.raises(refused):
            attempt()
        assert snapshot(engine, [tb, other_tb]) == before, refused


def test_a_member_is_erased_once_and_gets_no_login_again(engine: Engine, story: dict[str, Any]) -> None:
    tb, zed = story["tb"], story["zed"]
    erase_member(engine, tb, story["cora_caller"], zed.member_id, CONFIRMED)
    before = snapshot(engine, [tb])

    with pytest.raises(MemberAlreadyErased):
        erase_member(engine, tb, story["cora_caller"], zed.member_id, CONFIRMED)
    with pytest.raises(MemberAlreadyErased):
        issue_password_code(engine, tb, story["cora_caller"], zed.member_id, IssuePasswordCode())

    assert snapshot(engine, [tb]) == before

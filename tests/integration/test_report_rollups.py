"""The report's running totals stay equal to a recount of the exchanges, on both backends.

Every way an exchange starts or stops counting is covered: recorded confirmed, confirmed later,
declined (never counts), reversed (stops counting, the pair's first date moves on, and a pair's
month whose legs were all reversed loses its row), imported in bulk, and help between two
organisations (never counts). After each story the tables must equal the oracle's recount
(``rollup_oracle``, plain Python over the exchange rows), and a rebuild in SQL must leave them
exactly as they were. The migrations' backfills are checked the same way: a database downgraded
below 0003 (or only below 0007, which adds the pair-months) and upgraded again fills the tables
from history. The tables' CHECKs refuse rows that count nothing. The ledger's state
machine checks the same equality after every step (``test_ledger_state_machine``), and the random
histories of ``test_report_storage`` do too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.integration.rollup_oracle import recounted_rollups, stored_rollups
from tests.integration.test_report_storage import Bank, make_bank
from tests.ledger_calls import confirm_exchange, decline_exchange, import_exchanges, record_exchange
from timebank.db import make_engine, run, upgrade
from timebank.db.migrate import downgrade
from timebank.db.report_tables import report_account_months, report_pair_months, report_pairs
from timebank.exchanges.imports import ImportRow
from timebank.ledger.types import Actor, ReceiverShare

D = date


def assert_rollups_true(engine: Engine, timebank_id: int) -> None:
    stored = stored_rollups(engine, timebank_id)
    assert stored == recounted_rollups(engine, timebank_id)

    def rebuild(uow: object) -> None:
        uow.rollups.rebuild(timebank_id)
        uow.commit()  # type: ignore[attr-defined]

    run(engine, rebuild)
    assert stored_rollups(engine, timebank_id) == stored


def story(engine: Engine) -> tuple[Bank, dict[str, int]]:
    bank = make_bank(engine)
    ann, bo, cy = (bank.member(name) for name in ("Ann", "Bo", "Cy"))
    _, library = bank.organisation("Library")
    _, clinic = bank.organisation("Clinic")
    bank.help(D(2024, 1, 5), ann, (bo, 60))
    bank.help(D(2024, 1, 20), ann, (bo, 30), (cy, 45))  # one exchange, two legs
    bank.help(D(2024, 2, 3), bo, (ann, 90))
    bank.help(D(2024, 2, 3), library, (cy, 120))
    bank.help(D(2024, 2, 9), cy, (library, 60))
    bank.help(D(2024, 3, 1), library, (clinic, 60))  # trade between services: never counted
    return bank, {"ann": ann, "bo": bo, "cy": cy, "library": library, "clinic": clinic}


def test_exchanges_recorded_confirmed_are_counted(engine: Engine) -> None:
    bank, who = story(engine)
    pairs, months, pair_months = stored_rollups(engine, bank.timebank_id)

    assert pairs[who["ann"], who["bo"]] == (D(2024, 1, 5), 2)
    assert (who["library"], who["clinic"]) not in pairs
    # Ann took part in two January exchanges and gave in both: 60 + 30 + 45 minutes.
    assert months[who["ann"], D(2024, 1, 1)] == (2, 2, 135, 0, D(2024, 1, 5), D(2024, 1, 20))
    assert (who["clinic"], D(2024, 3, 1)) not in months
    # One row per pair and month: Ann gave Bo 60 + 30 minutes in two January exchanges, and Cy 45
    # minutes in the second of them; the trade between services has no row.
    assert pair_months == {
        (who["ann"], who["bo"], D(2024, 1, 1)): (90, 2),
        (who["ann"], who["cy"], D(2024, 1, 1)): (45, 1),
        (who["bo"], who["ann"], D(2024, 2, 1)): (90, 1),
        (who["library"], who["cy"], D(2024, 2, 1)): (120, 1),
        (who["cy"], who["library"], D(2024, 2, 1)): (60, 1),
    }
    assert_rollups_true(engine, bank.timebank_id)


def test_a_reversal_recounts_the_pair_and_the_months_it_touched(engine: Engine) -> None:
    bank, who = story(engine)
    first = bank.help(D(2023, 12, 30), who["ann"], (who["bo"], 15))
    pairs, _, pair_months = stored_rollups(engine, bank.timebank_id)
    assert pairs[who["ann"], who["bo"]] == (D(2023, 12, 30), 3)
    assert pair_months[who["ann"], who["bo"], D(2023, 12, 1)] == (15, 1)

    bank.reverse(first, index=-1)

    pairs, months, pair_months = stored_rollups(engine, bank.timebank_id)
    assert pairs[who["ann"], who["bo"]] == (D(2024, 1, 5), 2)  # the first date moved on
    assert (who["ann"], D(2023, 12, 1)) not in months  # nothing counts in December any more
    assert (who["ann"], who["bo"], D(2023, 12, 1)) not in pair_months
    assert pair_months[who["ann"], who["bo"], D(2024, 1, 1)] == (90, 2)  # January untouched
    assert_rollups_true(engine, bank.timebank_id)


def test_a_reversal_takes_its_legs_out_of_a_pair_month_that_goes_on_counting(engine: Engine) -> None:
    bank, who = story(engine)
    late = bank.help(D(2024, 1, 31), who["ann"], (who["bo"], 20), (who["cy"], 5))
    assert stored_rollups(engine, bank.timebank_id)[2][who["ann"], who["bo"], D(2024, 1, 1)] == (110, 3)

    bank.reverse(late, index=-1)

    _, _, pair_months = stored_rollups(engine, bank.timebank_id)
    assert pair_months[who["ann"], who["bo"], D(2024, 1, 1)] == (90, 2)
    assert pair_months[who["ann"], who["cy"], D(2024, 1, 1)] == (45, 1)
    assert_rollups_true(engine, bank.timebank_id)


def test_reversing_a_pairs_only_exchange_removes_the_pair(engine: Engine) -> None:
    bank, who = story(engine)
    only = bank.help(D(2024, 4, 2), who["cy"], (who["ann"], 30), (who["bo"], 30))

    bank.reverse(only, index=-1)

    pairs, _, pair_months = stored_rollups(engine, bank.timebank_id)
    assert (who["cy"], who["ann"]) not in pairs and (who["cy"], who["bo"]) not in pairs
    assert not {key for key in pair_months if key[0] == who["cy"] and key[2] == D(2024, 4, 1)}
    assert_rollups_true(engine, bank.timebank_id)


def test_a_pending_exchange_counts_once_confirmed_and_a_declined_one_never(engine: Engine) -> None:
    bank, who = story(engine)
    giver = Actor(caller=f"member:{who['ann']}", account_id=who["ann"])
    receiver = Actor(caller=f"member:{who['cy']}", account_id=who["cy"])
    shares = [ReceiverShare(who["cy"], 50)]
    kept = record_exchange(engine, bank.timebank_id, giver, who["ann"], shares, D(2024, 5, 6), "tea", None)
    dropped = record_exchange(engine, bank.timebank_id, giver, who["ann"], shares, D(2024, 5, 7), "tea", None)
    assert kept.status == dropped.status == "pending"
    # Ann helped Cy once in January; the pending ones do not count yet.
    assert stored_rollups(engine, bank.timebank_id)[0][who["ann"], who["cy"]] == (D(2024, 1, 20), 1)

    confirm_exchange(engine, bank.timebank_id, receiver, kept.exchange_id, idempotency_key="k1")
    decline_exchange(engine, bank.timebank_id, receiver, dropped.exchange_id)

    assert stored_rollups(engine, bank.timebank_id)[0][who["ann"], who["cy"]] == (D(2024, 1, 20), 2)
    assert_rollups_true(engine, bank.timebank_id)


def test_imported_history_is_counted(engine: Engine) -> None:
    bank, who = story(engine)
    rows = [
        ImportRow(who["bo"], who["cy"], 40, D(2022, 7, day), "history from the spreadsheet")
        for day in (1, 2, 3)
    ]
    import_exchanges(engine, bank.timebank_id, bank.actor, rows)

    pairs, months, pair_months = stored_rollups(engine, bank.timebank_id)
    assert pairs[who["bo"], who["cy"]] == (D(2022, 7, 1), 3)
    assert months[who["cy"], D(2022, 7, 1)] == (3, 0, 0, 120, D(2022, 7, 1), D(2022, 7, 3))
    assert pair_months[who["bo"], who["cy"], D(2022, 7, 1)] == (120, 3)
    assert_rollups_true(engine, bank.timebank_id)


def test_the_tables_refuse_rows_that_count_nothing(engine: Engine) -> None:
    bank, who = story(engine)
    pair = {
        "timebank_id": bank.timebank_id,
        "giver_account_id": who["bo"],
        "receiver_account_id": who["cy"],
        "first_on": D(2024, 1, 1),
        "exchange_count": 0,
    }
    month = {
        "timebank_id": bank.timebank_id,
        "account_id": who["bo"],
        "month_on": D(2020, 1, 1),
        "exchange_count": 1,
        "given_exchange_count": 2,
        "given_minutes": 10,
        "received_minutes": 0,
        "first_on": D(2020, 1, 1),
        "last_on": D(2020, 1, 1),
    }
    pair_month = {
        "timebank_id": bank.timebank_id,
        "month_on": D(2020, 1, 1),
        "giver_account_id": who["bo"],
        "receiver_account_id": who["cy"],
        "minutes": 30,
        "exchange_count": 1,
    }
    refused = [
        (report_pairs, pair, "counts_something"),
        (report_account_months, month, "given_within_all"),
        (report_pair_months, {**pair_month, "exchange_count": 0, "minutes": 0}, "counts_something"),
        (report_pair_months, {**pair_month, "exchange_count": -1}, "counts_something"),
        (report_pair_months, {**pair_month, "minutes": 2, "exchange_count": 3}, "a_minute_a_leg"),
        (report_pair_months, {**pair_month, "receiver_account_id": who["bo"]}, "not_a_self_pair"),
    ]
    for table, row, constraint in refused:

        def write(uow: object, table: object = table, row: object = row) -> None:
            uow.connection.execute(insert(table), row)  # type: ignore[attr-defined, arg-type]

        with pytest.raises(IntegrityError) as refusal:
            run(engine, write)
        assert f"ck_{table.name}_{constraint}" in str(refusal.value.orig), row
    assert_rollups_true(engine, bank.timebank_id)

    # A minute a leg is the least a row may hold: the CHECKs let that through.
    def write_least(uow: object) -> None:
        row = {**pair_month, "minutes": 3, "exchange_count": 3}
        uow.connection.execute(insert(report_pair_months), row)  # type: ignore[attr-defined]
        uow.commit()  # type: ignore[attr-defined]

    run(engine, write_least)
    assert stored_rollups(engine, bank.timebank_id)[2][who["bo"], who["cy"], D(2020, 1, 1)] == (3, 3)


# --- the migration's backfill ---------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        upgrade(url)
        yield url
        return
    url, admin_url = fresh_postgres_database()
    upgrade(url)
    yield url
    drop_postgres_database(url, admin_url)


@pytest.mark.parametrize("below", ["0002", "0006"])
def test_the_migration_fills_the_totals_from_the_history_already_recorded(
    own_database: str, below: str
) -> None:
    # Down to 0002 empties every running total and 0003 and 0007 fill them again; down to 0006
    # drops only the pair-months, which 0007 fills beside the totals 0003 left in place.
    engine = make_engine(own_database)
    try:
        bank, who = story(engine)
        bank.reverse(bank.help(D(2024, 6, 1), who["bo"], (who["cy"], 10)), index=-1)
        bank.help(D(2024, 6, 3), who["bo"], (who["cy"], 25))
        bank.help(D(2024, 6, 28), who["bo"], (who["cy"], 35), (who["ann"], 5))
        before = stored_rollups(engine, bank.timebank_id)
        assert before[2][who["bo"], who["cy"], D(2024, 6, 1)] == (60, 2)  # not the reversed 10
        engine.dispose()

        downgrade(own_database, below)
        upgrade(own_database)

        assert (
            stored_rollups(engine, bank.timebank_id) == before == recounted_rollups(engine, bank.timebank_id)
        )
    finally:
        engine.dispose()

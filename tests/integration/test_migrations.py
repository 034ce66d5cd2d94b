"""The schema migrations, forward and back, on SQLite and PostgreSQL, and the ``timebank`` CLI.

Each test starts from an empty database of its own (a fresh SQLite file, or a fresh PostgreSQL
database created and dropped around the test). Upgrading creates every table in
``timebank.db.tables.metadata`` and the append-only triggers; the migrated schema matches the
metadata (alembic's autogenerate comparison finds nothing to do, and the CHECK constraints, which it
does not compare, carry the same names); downgrading to ``base`` removes everything but alembic's
own version table; and the database can be upgraded again. Every revision steps up and down one at a
time; stepping down from 0005 keeps every exchange a spend posted, and stepping down from 0006 drops
the timebanks' own rating thresholds (they go back to the defaults) and nothing else; its CHECKs
refuse thresholds out of range or the wrong way round for their figure; stepping down from 0007
drops the report's pair-months and its two indexes and leaves the ledger and its triggers as they
were (the backfill is tested in ``test_report_rollups``); stepping down from 0009 drops the
contact details of organisations and timebanks and keeps their rows, the ledger and its triggers;
0010 gives every existing timebank a bound of 365 days on back-dating exchanges, its CHECK keeps
the bound from 0 to ten years, and stepping down drops only that setting; 0013 has every existing
timebank keep a leaving member's balance, adds the ``membership_end`` kind of transaction (the
append-only triggers rebuilt with the table on SQLite), its CHECKs refuse a half-recorded end, an
unknown setting and a closed account whose counters move, and stepping down refuses while a
membership has ended, otherwise dropping only what it added; 0016 adds the ``opening_balance`` kind
of transaction (the triggers rebuilt as in 0013) and the record of imports, whose CHECKs refuse an
unknown source or kind and whose key refuses a repeated natural key, and stepping down refuses
while an opening balance exists, otherwise dropping only what it added; 0017 adds the uploads
waiting to be confirmed, whose CHECKs refuse an unknown state, a half-recorded import and too many
files or bytes, and stepping down drops only them. ``timebank migrate`` and
``timebank downgrade`` do the same through the command line, reading the database URL from
``TIMEBANK_DATABASE_URL``; so does ``alembic upgrade head`` run from the checkout, whose
``alembic.ini`` names the root ``alembic/`` folder and no URL. Whether the triggers refuse changes
is tested in ``test_append_only``; that an installed wheel migrates itself, in ``tests/e2e/test_wheel.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Connection, Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from tests.conftest import STORY_BACKDATE_DAYS, drop_postgres_database, fresh_postgres_database
from timebank.cli import app
from timebank.db import (
    benefit_tables,  # noqa: F401  (and these)
    downgrade,
    import_tables,  # noqa: F401  (the record of imports, 0016)
    make_engine,
    notification_tables,  # noqa: F401  (being told, 0011)
    offer_tables,
    people_tables,  # noqa: F401  (its tables join the metadata)
    report_tables,  # noqa: F401  (so do these)
    spend_tables,  # noqa: F401  (and these)
    upgrade,
)
from timebank.db.migrate import alembic_config, script_location
from timebank.db.tables import metadata
from timebank.settings import get_settings

TABLES = {table.name for table in metadata.sorted_tables}
EXPECTED_TABLES = {
    "timebanks",
    "accounts",
    "transactions",
    "transfers",
    "exchanges",
    "exchange_receivers",
    "idempotency_keys",
    "limit_changes",
    # people and access (migration 0002)
    "logins",
    "members",
    "member_tags",
    "organisations",
    "organisation_staff",
    "api_keys",
    "access_tokens",
    "login_failures",
    # the report's running totals (migration 0003)
    "report_pairs",
    "report_account_months",
    # recognising involvement: activities, money kept apart, declarations, audit (migration 0004)
    "activities",
    "attendance",
    "expenses",
    "payments",
    "declined_payments",
    "benefit_declarations",
    "audit_log",
    # spending credits on what organisations offer (migration 0005)
    "spend_options",
    "spends",
    # each timebank's own thresholds for the report's ratings (migration 0006)
    "report_rating_thresholds",
    # the report's pairs by calendar month (migration 0007)
    "report_pair_months",
    # invitations to activities and the members' payment advice (migration 0008)
    "activity_invitations",
    "payment_advice",
    # being told: email verifications, preferences and the outbox (migration 0011)
    "email_verifications",
    "notification_preferences",
    "notification_outbox",
    # ways back in: set-password codes and reset links (migration 0012)
    "password_codes",
    # erasure: free text kept off the append-only rows (migration 0014)
    "transaction_texts",
    "audit_notes",
    # offers and requests (migration 0015)
    "categories",
    "posts",
    # the record of imports of a timebank's history (migration 0016)
    "imports",
    "import_keys",
    # uploads of files to import, waiting to be confirmed (migration 0017)
    "import_uploads",
    "import_upload_files",
}
SPEND_TABLES = {"spend_options", "spends"}  # migration 0005
RATING_TABLES = {"report_rating_thresholds"}  # migration 0006
PAIR_MONTH_TABLES = {"report_pair_months"}  # migration 0007
INVITATION_TABLES = {"activity_invitations", "payment_advice"}  # migration 0008
NOTIFICATION_TABLES = {"email_verifications", "notification_preferences", "notification_outbox"}  # 0011
RECOVERY_TABLES = {"password_codes"}  # 0012
# Why a pending exchange was cancelled (0013), and the post it came from (0015).
EXCHANGE_COLUMNS_SINCE_0013 = {"closed_because", "post_id"}
ERASURE_TABLES = {"transaction_texts", "audit_notes"}  # 0014
OFFER_TABLES = {"categories", "posts"}  # 0015
IMPORT_TABLES = {"imports", "import_keys"}  # 0016
UPLOAD_TABLES = {"import_uploads", "import_upload_files"}  # 0017
SINCE_0011_TABLES = (
    NOTIFICATION_TABLES | RECOVERY_TABLES | ERASURE_TABLES | OFFER_TABLES | IMPORT_TABLES | UPLOAD_TABLES
)
# Named here rather than taken from timebank.db.triggers, so that a trigger dropped from that
# module is noticed.
TRIGGERS = {
    "sqlite": {
        "transactions_append_only_update",
        "transactions_append_only_delete",
        "transfers_append_only_update",
        "transfers_append_only_delete",
        "audit_log_append_only_update",
        "audit_log_append_only_delete",
    },
    "postgresql": {
        "transactions_append_only",
        "transactions_append_only_truncate",
        "transfers_append_only",
        "transfers_append_only_truncate",
        "audit_log_append_only",
        "audit_log_append_only_truncate",
    },
}


# The checkout: alembic.ini and the alembic/ folder sit at its root.
REPOSITORY = Path(__file__).resolve().parents[2]


def new_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database that no other test uses."""
    if request.param == "sqlite":
        yield new_sqlite_url(tmp_path)
        return
    url, admin_url = fresh_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url, admin_url)


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def search_table_names(engine: Engine) -> set[str]:
    """The full-text search's own tables (SQLite's FTS5 table and its shadow tables; none on PostgreSQL)."""
    return set(inspect(engine).get_table_names()) & set(offer_tables.SEARCH_OBJECTS["sqlite_tables"])


def table_names(engine: Engine) -> set[str]:
    """The tables, but the full-text search's own (``search_table_names``), which the metadata leaves out."""
    return set(inspect(engine).get_table_names()) - search_table_names(engine)


def all_trigger_names(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    else:
        rows = connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
    return {row[0] for row in rows}


def trigger_names(connection: Connection) -> set[str]:
    """The append-only triggers: every trigger but those that keep SQLite's search in step (0015)."""
    return all_trigger_names(connection) - set(offer_tables.SEARCH_OBJECTS["sqlite_triggers"])


def refuse_change_function_exists(connection: Connection) -> bool:
    found = connection.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'timebank_refuse_change'"))
    return bool(found.scalar_one() == 1)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


# --- forward and back ---------------------------------------------------------------------------


def test_the_metadata_holds_the_tables_the_ledger_needs() -> None:
    assert TABLES == EXPECTED_TABLES


def test_upgrade_creates_every_table_and_the_append_only_triggers(
    empty_url: str, empty_engine: Engine
) -> None:
    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert current_revision(empty_engine) == head_revision(empty_url)
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        if connection.dialect.name == "postgresql":
            assert refuse_change_function_exists(connection)


def test_downgrade_to_base_removes_every_table_and_trigger(empty_url: str, empty_engine: Engine) -> None:
    upgrade(empty_url)

    downgrade(empty_url, "base")

    assert table_names(empty_engine) == {"alembic_version"}
    assert current_revision(empty_engine) is None
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == set()
        if connection.dialect.name == "postgresql":
            assert not refuse_change_function_exists(connection)


def test_a_downgraded_database_can_be_upgraded_again(empty_url: str, empty_engine: Engine) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")

    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert current_revision(empty_engine) == head_revision(empty_url)
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]


def test_upgrading_an_up_to_date_database_changes_nothing(empty_url: str, empty_engine: Engine) -> None:
    upgrade(empty_url)
    with empty_engine.connect() as connection:
        triggers_before = trigger_names(connection)

    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == triggers_before


def test_every_revision_steps_up_and_down_one_at_a_time(empty_url: str, empty_engine: Engine) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(empty_url))
    revisions = [script.revision for script in scripts.walk_revisions("base", "heads")]
    revisions.reverse()  # walk_revisions goes from the head down
    assert revisions

    for revision in revisions:
        upgrade(empty_url, "+1")
        assert current_revision(empty_engine) == revision
    below: list[str | None] = [*reversed(revisions[:-1]), None]
    for revision_below in below:
        downgrade(empty_url, "-1")
        assert current_revision(empty_engine) == revision_below
    assert table_names(empty_engine) == {"alembic_version"}


def test_downgrading_one_database_leaves_another_untouched(tmp_path: Path) -> None:
    # Migrating one database must never touch another: the URL handed over is the one used.
    kept = new_sqlite_url(tmp_path / "kept")
    emptied = new_sqlite_url(tmp_path / "emptied")
    (tmp_path / "kept").mkdir()
    (tmp_path / "emptied").mkdir()
    upgrade(kept)
    upgrade(emptied)

    downgrade(emptied, "base")

    engine = make_engine(kept)
    try:
        assert table_names(engine) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


# --- the migrated schema is the metadata --------------------------------------------------------


def test_the_migrated_schema_matches_the_metadata(empty_url: str, empty_engine: Engine) -> None:
    upgrade(empty_url)

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": offer_tables.described_by_metadata,
            },
        )
        differences = compare_metadata(context, metadata)

    # Only the full-text search's own objects are left out (migration 0015 makes them in SQL; the
    # 0015 tests below check them): on both databases autogenerate sees tables, columns, types,
    # nullability, indexes, unique and foreign keys exactly as declared.
    assert differences == []


def test_the_migrated_check_constraints_are_the_declared_ones(empty_url: str, empty_engine: Engine) -> None:
    # compare_metadata never looks at CHECK constraints, and they carry the ledger's rules (minutes
    # > 0, balance within floor and cap), so their names are compared here. Their SQL text is not:
    # each database reflects it back in its own spelling.
    upgrade(empty_url)
    inspector = inspect(empty_engine)

    for table in metadata.sorted_tables:
        declared = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        migrated = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert migrated == declared, table.name


def test_the_ledgers_rules_are_among_the_migrated_check_constraints(
    empty_url: str, empty_engine: Engine
) -> None:
    upgrade(empty_url)
    inspector = inspect(empty_engine)

    assert {"ck_transfers_minutes_positive", "ck_transfers_accounts_differ"} <= {
        c["name"] for c in inspector.get_check_constraints("transfers")
    }
    assert {
        "ck_accounts_balance_within_floor",
        "ck_accounts_balance_within_cap",
        "ck_accounts_balance_is_in_minus_out",
    } <= {c["name"] for c in inspector.get_check_constraints("accounts")}


def test_a_database_missing_a_table_is_reported_as_different(empty_url: str, empty_engine: Engine) -> None:
    # The comparison above must be able to fail: without limit_changes it finds the gap.
    upgrade(empty_url)
    with empty_engine.begin() as connection:
        connection.execute(text("DROP TABLE limit_changes"))

    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": offer_tables.described_by_metadata}
        )
        differences = compare_metadata(context, metadata)

    assert [d[0] for d in differences] == ["add_table"]
    assert differences[0][1].name == "limit_changes"


# --- 0004 widens the kinds of transaction ---------------------------------------------------------


def _history(engine: Engine) -> list[tuple[object, ...]]:
    """Every transaction and transfer, with each transaction's reason and note wherever they are
    kept: on the transaction before 0014, beside it in ``transaction_texts`` since."""
    if "transaction_texts" in table_names(engine):
        texts = "SELECT transaction_id, reason, note FROM transaction_texts ORDER BY transaction_id"
    else:
        texts = (
            "SELECT id, reason, note FROM transactions"
            " WHERE reason IS NOT NULL OR note IS NOT NULL ORDER BY id"
        )
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                text(
                    "SELECT id, timebank_id, kind, reverses_transaction_id, created_by, created_at"
                    " FROM transactions ORDER BY id"
                )
            ).all()
        )
        rows += connection.execute(text(texts)).all()
        rows += connection.execute(text("SELECT * FROM transfers ORDER BY id")).all()
    return [tuple(row) for row in rows]


def test_0004_keeps_every_transaction_and_the_append_only_triggers_when_it_adds_recognition(
    empty_url: str, empty_engine: Engine
) -> None:
    # On SQLite the CHECK can only change by rebuilding the table that transfers refer to.
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import create_timebank
    from timebank.accounts.accounts import open_account
    from timebank.ledger import AccountKind, Actor, ReceiverShare

    # The history is written through today's services, so at head, and the database is then taken
    # back below 0004: the services write tables (the report's pair-months) that 0003 lacks.
    upgrade(empty_url)
    timebank = create_timebank(empty_engine, "Before 0004", backdate_days_max=STORY_BACKDATE_DAYS)
    coordinator = Actor("coordinator", is_coordinator=True)
    ann, bo = (
        open_account(empty_engine, timebank.timebank_id, coordinator, AccountKind.MEMBER, name)
        for name in ("Ann", "Bo")
    )
    record_exchange(
        empty_engine,
        timebank.timebank_id,
        coordinator,
        ann.account_id,
        [ReceiverShare(bo.account_id, 45)],
        date(2024, 5, 1),
        "help before the upgrade",
    )
    downgrade(empty_url, "0003")
    before = _history(empty_engine)

    upgrade(empty_url)

    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        kinds = next(
            c["sqltext"]
            for c in inspect(connection).get_check_constraints("transactions")
            if c["name"] == "ck_transactions_kind_known"
        )
        assert "recognition" in str(kinds)
    with empty_engine.connect() as connection, pytest.raises(IntegrityError) as refusal:
        connection.execute(text("UPDATE transactions SET created_by = 'edited'"))
    assert "append_only" in str(refusal.value.orig)


def test_the_downgrade_below_0004_refuses_while_a_recognition_transaction_exists(
    empty_url: str, empty_engine: Engine
) -> None:
    # At 0004 itself: a downgrade through later revisions first is not what this is about.
    upgrade(empty_url, "0004")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO transactions (timebank_id, kind, created_by, created_at) "
                "VALUES (1, 'recognition', 'sql', :at)"
            ),
            {"at": "2024-05-01 10:00:00"},
        )

    with pytest.raises(RuntimeError, match="recognition transaction"):
        downgrade(empty_url, "0003")

    assert current_revision(empty_engine) == "0004"
    assert table_names(
        empty_engine
    ) == TABLES - SPEND_TABLES - RATING_TABLES - PAIR_MONTH_TABLES - INVITATION_TABLES - SINCE_0011_TABLES | {
        "alembic_version"
    }


# --- 0005 adds spend options and spends -----------------------------------------------------------


def test_0005_steps_down_leaving_every_exchange_a_spend_posted_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from .involvement import make_forum

    upgrade(empty_url)
    forum = make_forum(empty_engine, members=1)
    forum.spend(forum.spend_option("Swim session", 60).spend_option_id, forum.members[0])
    # The columns the exchanges had at 0004: later revisions added some, which the downgrade drops.
    listed = ", ".join(
        c.name for c in metadata.tables["exchanges"].c if c.name not in EXCHANGE_COLUMNS_SINCE_0013
    )
    with empty_engine.connect() as connection:
        exchanges_before = [tuple(row) for row in connection.execute(text(f"SELECT {listed} FROM exchanges"))]
    before = _history(empty_engine)

    downgrade(empty_url, "0004")

    assert current_revision(empty_engine) == "0004"
    assert table_names(
        empty_engine
    ) == TABLES - SPEND_TABLES - RATING_TABLES - PAIR_MONTH_TABLES - INVITATION_TABLES - SINCE_0011_TABLES | {
        "alembic_version"
    }
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        after = connection.execute(text(f"SELECT {listed} FROM exchanges"))
        assert [tuple(row) for row in after] == exchanges_before
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert current_revision(empty_engine) == head_revision(empty_url)
    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert forum.balance(forum.members[0]) == -60


# --- 0006 adds each timebank's own rating thresholds ------------------------------------------------


def _thresholds_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = text("SELECT * FROM report_rating_thresholds ORDER BY timebank_id, figure")
        return [tuple(row) for row in connection.execute(query)]


def test_0006_adds_the_thresholds_empty_and_steps_down_leaving_the_ledger_untouched(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import create_timebank
    from tests.reporting_calls import set_rating_thresholds
    from timebank.accounts.accounts import open_account
    from timebank.ledger import AccountKind, Actor, ReceiverShare
    from timebank.people.callers import Caller
    from timebank.reporting.ratings import read_rating_thresholds
    from timebank.reports import Boundaries, RatedFigureName

    # Written at head through today's services, then taken back below 0006 (as for 0004 above).
    upgrade(empty_url)
    timebank = create_timebank(empty_engine, "Before 0006", backdate_days_max=STORY_BACKDATE_DAYS)
    tb = timebank.timebank_id
    coordinator = Actor("coordinator", is_coordinator=True)
    ann, bo = (
        open_account(empty_engine, tb, coordinator, AccountKind.MEMBER, name) for name in ("Ann", "Bo")
    )
    record_exchange(
        empty_engine,
        tb,
        coordinator,
        ann.account_id,
        [ReceiverShare(bo.account_id, 45)],
        date(2024, 5, 1),
        "help",
    )
    downgrade(empty_url, "0005")
    before = _history(empty_engine)

    upgrade(empty_url)

    # Every timebank there was goes on being rated against the defaults.
    caller = Caller("system:test", False, tb, None, None, True, frozenset())
    assert _thresholds_rows(empty_engine) == []
    assert read_rating_thresholds(empty_engine, tb, caller).own_figures == frozenset()
    set_rating_thresholds(empty_engine, tb, caller, {RatedFigureName.TOP20_SHARE: Boundaries(70, 50)})
    assert _thresholds_rows(empty_engine) == [(tb, "top20_share", 70, 50)]

    downgrade(empty_url, "0005")

    assert current_revision(empty_engine) == "0005"
    assert table_names(
        empty_engine
    ) == TABLES - RATING_TABLES - PAIR_MONTH_TABLES - INVITATION_TABLES - SINCE_0011_TABLES | {
        "alembic_version"
    }
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert _thresholds_rows(empty_engine) == []  # the timebank is back on the defaults
    assert read_rating_thresholds(empty_engine, tb, caller).own_figures == frozenset()


def test_0006_the_database_refuses_thresholds_out_of_range_or_order(
    empty_url: str, empty_engine: Engine
) -> None:
    # The service checks first (tests/integration/test_report_ratings.py); the migrated CHECKs are
    # the last word, so they are tried here with plain SQL, in each direction.
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Checked").timebank_id
    insert = text(
        "INSERT INTO report_rating_thresholds (timebank_id, figure, red_amber_percent, amber_green_percent)"
        " VALUES (:tb, :figure, :red_amber, :amber_green)"
    )
    refused = [
        ("active_rate", 60, 50, "ordered_for_direction"),  # amber starting above green
        ("top20_share", 60, 80, "ordered_for_direction"),  # green reaching above red
        ("two_way_rate", -1, 50, "percent_in_range"),
        ("largest_scc_share", 20, 101, "percent_in_range"),
        ("gini_given", 20, 50, "figure_known"),
    ]
    for figure, red_amber, amber_green, constraint in refused:
        values = {"tb": tb, "figure": figure, "red_amber": red_amber, "amber_green": amber_green}
        with empty_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
            connection.execute(insert, values)
        assert f"ck_report_rating_thresholds_{constraint}" in str(refusal.value.orig), figure
    # Equal thresholds (no amber band) and the top-20% pair, which runs the other way.
    accepted = [("active_rate", 50, 50), ("top20_share", 80, 60)]
    with empty_engine.begin() as connection:
        for figure, red_amber, amber_green in accepted:
            values = {"tb": tb, "figure": figure, "red_amber": red_amber, "amber_green": amber_green}
            connection.execute(insert, values)
    assert len(_thresholds_rows(empty_engine)) == 2
    with empty_engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(insert, {"tb": 10**9, "figure": "active_rate", "red_amber": 20, "amber_green": 50})


# --- 0007 adds the report's pairs by month and two indexes -----------------------------------------

INDEXES_0007 = {
    "report_pairs": "ix_report_pairs_timebank_first_on",
    "transactions": "ix_transactions_timebank_kind_created",
}


def _indexes_0007(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    return {
        name
        for table, name in INDEXES_0007.items()
        if name in {index["name"] for index in inspector.get_indexes(table)}
    }


def test_0007_steps_down_leaving_the_ledger_and_its_triggers_untouched_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import create_timebank
    from timebank.accounts.accounts import open_account
    from timebank.ledger import AccountKind, Actor, ReceiverShare

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before 0007", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    coordinator = Actor("coordinator", is_coordinator=True)
    ann, bo = (
        open_account(empty_engine, tb, coordinator, AccountKind.MEMBER, name).account_id
        for name in ("Ann", "Bo")
    )
    record_exchange(empty_engine, tb, coordinator, ann, [ReceiverShare(bo, 45)], date(2024, 5, 1), "help")
    assert _indexes_0007(empty_engine) == set(INDEXES_0007.values())
    before = _history(empty_engine)

    downgrade(empty_url, "0006")

    assert current_revision(empty_engine) == "0006"
    assert table_names(empty_engine) == TABLES - PAIR_MONTH_TABLES - INVITATION_TABLES - SINCE_0011_TABLES | {
        "alembic_version"
    }
    assert _indexes_0007(empty_engine) == set()
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert _indexes_0007(empty_engine) == set(INDEXES_0007.values())
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        rows = connection.execute(text("SELECT minutes, exchange_count FROM report_pair_months")).all()
    assert [tuple(row) for row in rows] == [(45, 1)]


# --- 0008 adds invitations to activities and the members' payment advice -------------------------


def test_0008_steps_down_leaving_attendance_and_payments_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.integration.involvement import make_forum, offer
    from tests.involvement_calls import attendee, set_declaration
    from timebank.benefits.choices import Reward

    upgrade(empty_url)
    forum = make_forum(empty_engine, members=1)
    (member,) = forum.members
    set_declaration(empty_engine, forum.timebank_id, forum.member(member), member, ["carers_allowance"])
    activity = forum.activity()
    chose = attendee(member, 120, Reward.PAYMENT, acknowledgement="Told to ask the benefit office")
    forum.attend(activity.activity_id, [chose], offer=offer())
    with empty_engine.connect() as connection:
        paid = connection.execute(text("SELECT count(*) FROM payments")).scalar_one()
        advice = connection.execute(text("SELECT count(*) FROM payment_advice")).scalar_one()
    assert (paid, advice) == (1, 1)

    downgrade(empty_url, "0007")

    assert current_revision(empty_engine) == "0007"
    assert table_names(empty_engine) == TABLES - INVITATION_TABLES - SINCE_0011_TABLES | {"alembic_version"}
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM payments")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM attendance")).scalar_one() == 1
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    # The invitations went with the table; new ones are taken.
    assert forum.rows()["activity_invitations"] == []
    later = forum.activity("Second forum")
    invited = forum.rows()["activity_invitations"]
    assert [(row["activity_id"], row["account_id"]) for row in invited] == [(later.activity_id, member)]


# --- 0009 adds contact details to organisations and timebanks ------------------------------------

CONTACT_COLUMNS = {"contact_address", "contact_email", "contact_phone"}


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def _named_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, name, created_at FROM timebanks ORDER BY id")).all()
        rows += connection.execute(
            text("SELECT id, timebank_id, account_id, name FROM organisations ORDER BY id")
        ).all()
    return [tuple(row) for row in rows]


def test_0009_steps_down_dropping_only_the_contact_details_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import add_organisation, create_timebank, get_timebank
    from timebank.accounts.accounts import open_account
    from timebank.ledger import AccountKind, Actor, ReceiverShare
    from timebank.ledger.contacts import Contact
    from timebank.people.callers import Caller
    from timebank.people.organisations import get_organisation

    upgrade(empty_url)
    tb = create_timebank(
        empty_engine, "Before 0009", contact_email="hello@tb.example", backdate_days_max=STORY_BACKDATE_DAYS
    ).timebank_id
    caller = Caller("system:test", False, tb, None, None, True, frozenset())
    library = add_organisation(
        empty_engine, tb, caller, "Library", contact=Contact("1 High Street", None, None)
    )
    coordinator = Actor("coordinator", is_coordinator=True)
    ann = open_account(empty_engine, tb, coordinator, AccountKind.MEMBER, "Ann").account_id
    record_exchange(
        empty_engine, tb, coordinator, ann, [ReceiverShare(library.account_id, 45)], date(2024, 5, 1), "help"
    )
    named, before = _named_rows(empty_engine), _history(empty_engine)
    for table in ("organisations", "timebanks"):
        assert _columns(empty_engine, table) >= CONTACT_COLUMNS

    downgrade(empty_url, "0008")

    assert current_revision(empty_engine) == "0008"
    assert table_names(empty_engine) == TABLES - SINCE_0011_TABLES | {"alembic_version"}
    assert not CONTACT_COLUMNS & (
        _columns(empty_engine, "organisations") | _columns(empty_engine, "timebanks")
    )
    assert _named_rows(empty_engine) == named
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []

    upgrade(empty_url)

    assert current_revision(empty_engine) == head_revision(empty_url)
    assert _named_rows(empty_engine) == named
    assert get_organisation(empty_engine, tb, caller, library.organisation_id).contact == Contact()
    assert get_timebank(empty_engine, tb).contact == Contact()


# --- 0010 bounds how far back an exchange may be dated ------------------------------------------


def _timebank_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("timebanks")}


def test_0010_gives_every_existing_timebank_365_days_and_steps_down_dropping_only_the_setting(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import create_timebank, get_timebank
    from timebank.accounts.accounts import open_account
    from timebank.ledger import AccountKind, Actor, ReceiverShare

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before 0010", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    coordinator = Actor("coordinator", is_coordinator=True)
    ann, bo = (
        open_account(empty_engine, tb, coordinator, AccountKind.MEMBER, name).account_id
        for name in ("Ann", "Bo")
    )
    record_exchange(empty_engine, tb, coordinator, ann, [ReceiverShare(bo, 45)], date(2024, 5, 1), "help")
    before = _history(empty_engine)

    downgrade(empty_url, "0009")

    assert current_revision(empty_engine) == "0009"
    assert "backdate_days_max" not in _timebank_columns(empty_engine)
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert "backdate_days_max" in _timebank_columns(empty_engine)
    assert get_timebank(empty_engine, tb).backdate_days_max == 365
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]


def test_0010_the_database_refuses_a_bound_below_0_or_beyond_ten_years(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank, get_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Checked").timebank_id
    for days in (-1, 3661):
        with pytest.raises(IntegrityError), empty_engine.begin() as connection:
            connection.execute(
                text("UPDATE timebanks SET backdate_days_max = :days WHERE id = :tb"),
                {"days": days, "tb": tb},
            )
    for days in (0, 3660):
        with empty_engine.begin() as connection:
            connection.execute(
                text("UPDATE timebanks SET backdate_days_max = :days WHERE id = :tb"),
                {"days": days, "tb": tb},
            )
    assert get_timebank(empty_engine, tb).backdate_days_max == 3660


# --- 0013 ends memberships: the member's end, closed accounts, the setting ---------------------


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_0013_keeps_every_balance_on_leaving_and_steps_down_dropping_only_what_it_added(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import date

    from tests.ledger_calls import record_exchange
    from tests.people_calls import add_member, create_timebank, get_timebank
    from timebank.ledger import Actor, ReceiverShare
    from timebank.people.callers import Caller

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before 0013", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    coordinator = Caller.coordinator_of(tb)
    ann, bo = (add_member(empty_engine, tb, coordinator, name).account_id for name in ("Ann", "Bo"))
    actor = Actor("coordinator", is_coordinator=True)
    record_exchange(empty_engine, tb, actor, ann, [ReceiverShare(bo, 45)], date(2024, 5, 1), "help")
    downgrade(empty_url, "0012")
    before = _history(empty_engine)

    assert current_revision(empty_engine) == "0012"
    assert "balance_on_leaving" not in _columns(empty_engine, "timebanks")
    assert not {"closed_at", "closed_version"} & _columns(empty_engine, "accounts")
    assert not {"membership_ended_on", "membership_end_reason"} & _columns(empty_engine, "members")
    assert "closed_because" not in _columns(empty_engine, "exchanges")

    upgrade(empty_url)

    assert get_timebank(empty_engine, tb).balance_on_leaving == "kept"  # every timebank keeps balances
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        kinds = next(
            c["sqltext"]
            for c in inspect(connection).get_check_constraints("transactions")
            if c["name"] == "ck_transactions_kind_known"
        )
        assert "membership_end" in str(kinds)
    with empty_engine.connect() as connection, pytest.raises(IntegrityError) as refusal:
        connection.execute(text("UPDATE transactions SET created_by = 'edited'"))
    assert "append_only" in str(refusal.value.orig)


def test_the_downgrade_below_0013_refuses_while_a_membership_has_ended(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import add_member, create_timebank, end_membership
    from timebank.clock import utc_now
    from timebank.people.callers import Caller

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Leavers").timebank_id
    coordinator = Caller.coordinator_of(tb)
    leaver = add_member(empty_engine, tb, coordinator, "Lee")
    end_membership(empty_engine, tb, coordinator, leaver.member_id, utc_now().date())

    with pytest.raises(RuntimeError, match="a membership has ended"):
        downgrade(empty_url, "0012")

    # The revisions after 0013 may have stepped down already (each revision its own transaction on
    # SQLite); 0013 itself refused, so the ends of memberships are still there.
    assert current_revision(empty_engine) in {"0013", head_revision(empty_url)}
    assert "membership_ended_on" in _columns(empty_engine, "members")


def test_0013_the_database_refuses_a_half_ended_membership_an_unknown_setting_and_a_moved_closed_account(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import add_member, create_timebank
    from timebank.people.callers import Caller

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Checked").timebank_id
    member = add_member(empty_engine, tb, Caller.coordinator_of(tb), "Lee")
    refused = [
        ("UPDATE timebanks SET balance_on_leaving = 'sold' WHERE id = :tb", "balance_on_leaving_known"),
        (
            "UPDATE members SET membership_ended_on = '2026-01-01' WHERE timebank_id = :tb",
            "membership_end_whole",
        ),
        ("UPDATE members SET membership_end_reason = 'x' WHERE timebank_id = :tb", "membership_end_whole"),
        ("UPDATE accounts SET closed_version = 0 WHERE id = :account", "closed_together"),
        ("UPDATE accounts SET closed_at = created_at WHERE id = :account", "closed_together"),
    ]
    values = {"tb": tb, "account": member.account_id}
    for statement, constraint in refused:
        with empty_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
            connection.execute(text(statement), values)
        assert constraint in str(refusal.value.orig), statement
    with empty_engine.begin() as connection:
        connection.execute(
            text("UPDATE accounts SET closed_at = created_at, closed_version = 0 WHERE id = :account"), values
        )
    with empty_engine.begin() as connection, pytest.raises(IntegrityError) as moved:
        connection.execute(text("UPDATE accounts SET version = 1 WHERE id = :account"), values)
    assert "closed_account_unmoved" in str(moved.value.orig)


# --- 0014 takes free text off the append-only rows -----------------------------------------------


def _audit_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, action, details FROM audit_log ORDER BY id")).all()
    return [tuple(row) for row in rows]


def _texts_on_transactions(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, reason, note FROM transactions"
                " WHERE reason IS NOT NULL OR note IS NOT NULL ORDER BY id"
            )
        ).all()
    return [tuple(row) for row in rows]


def test_0014_moves_reasons_and_notes_off_the_append_only_rows_and_back(
    empty_url: str, empty_engine: Engine
) -> None:
    import json
    from datetime import date

    from tests.ledger_calls import give_credits, record_exchange, reverse_exchange
    from tests.people_calls import add_member, create_timebank
    from timebank.ledger import Actor, ReceiverShare
    from timebank.people.callers import Caller
    from timebank.people.recovery import turn_login_off
    from timebank.people.requests import TurnLoginOff

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before 0014", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    system = Caller("system:test", False, tb, None, None, True, frozenset())
    ann = add_member(empty_engine, tb, system, "Ann", username="ann.0014", password="long enough password")
    bo = add_member(empty_engine, tb, system, "Bo")
    coordinator = Actor("coordinator", is_coordinator=True)
    exchange = record_exchange(
        empty_engine,
        tb,
        coordinator,
        ann.account_id,
        [ReceiverShare(bo.account_id, 45)],
        date(2024, 5, 1),
        "help",
    )
    assert exchange.transaction_id is not None  # recorded by a coordinator: posted at once
    reversal = reverse_exchange(
        empty_engine, tb, coordinator, exchange.exchange_id, "Ann typed the wrong day"
    )
    gift = give_credits(
        empty_engine, tb, Actor("bo", bo.account_id), bo.account_id, ann.account_id, 10, "For Ann"
    )
    turn_login_off(empty_engine, tb, system, ann.member_id, TurnLoginOff(reason="Ann asked us to"))
    texts = {
        (reversal.transaction_id, "Ann typed the wrong day", None),
        (gift.transaction_id, None, "For Ann"),
    }
    ledger_rows = _history(empty_engine)
    (turned_off,) = [row for row in _audit_rows(empty_engine) if row[1] == "login_turned_off"]
    assert "reason" not in json.loads(str(turned_off[2]))

    downgrade(empty_url, "0013")

    assert current_revision(empty_engine) == "0013"
    assert not ERASURE_TABLES & table_names(empty_engine)
    assert "erased_at" not in _columns(empty_engine, "members")
    assert set(_texts_on_transactions(empty_engine)) == texts
    assert _history(empty_engine) == ledger_rows
    (before,) = [row for row in _audit_rows(empty_engine) if row[1] == "login_turned_off"]
    assert json.loads(str(before[2]))["reason"] == "Ann asked us to"
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert {"reason", "note"}.isdisjoint(_columns(empty_engine, "transactions"))
    assert _history(empty_engine) == ledger_rows
    after = dict((row[0], row) for row in _audit_rows(empty_engine))[before[0]]
    assert json.loads(str(after[2])) == {}
    with empty_engine.connect() as connection:
        notes = connection.execute(text("SELECT audit_id, note FROM audit_notes")).all()
        assert [tuple(note) for note in notes] == [(before[0], "Ann asked us to")]
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    # The audit log and the ledger refuse changes as before.
    for statement in ("UPDATE audit_log SET details = '{}'", "UPDATE transactions SET created_by = 'x'"):
        with pytest.raises(Exception, match="append_only"), empty_engine.begin() as connection:
            connection.execute(text(statement))


# --- 0015 adds offers and requests, each database's search over them, and exchanges' link ----------


def _search_objects(engine: Engine) -> set[str]:
    """The search's own objects found in the database: tables, triggers, column and index."""
    with engine.connect() as connection:
        found = search_table_names(engine) | (all_trigger_names(connection) - trigger_names(connection))
    inspector = inspect(engine)
    if "posts" in inspector.get_table_names():
        found |= {column["name"] for column in inspector.get_columns("posts")} & {"search_vector"}
        found |= {index["name"] for index in inspector.get_indexes("posts")} & {"ix_posts_search_vector"}
    return found


def _exchange_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = text("SELECT id, status, giver_account_id, description, category FROM exchanges ORDER BY id")
        return [tuple(row) for row in connection.execute(query)]


def test_0015_makes_the_search_seeds_categories_and_steps_down_leaving_every_exchange(
    empty_url: str, empty_engine: Engine
) -> None:
    from datetime import timedelta

    from tests.integration.test_offers import exchange_from
    from tests.offer_calls import make_offer_world
    from timebank.clock import utc_now
    from timebank.offers import CreatePost, PostKind, create_post, list_categories

    upgrade(empty_url)
    own = {
        "sqlite": {
            *offer_tables.SEARCH_OBJECTS["sqlite_tables"],
            *offer_tables.SEARCH_OBJECTS["sqlite_triggers"],
        },
        "postgresql": {"search_vector", "ix_posts_search_vector"},
    }[empty_engine.dialect.name]
    assert _search_objects(empty_engine) == own
    world = make_offer_world(empty_engine)
    post = world.post("Ann", title="Café visits")
    linked = exchange_from(world, post.post_id, "Ann", "Bo")
    assert linked.post_id == post.post_id
    exchanges_before = _exchange_rows(empty_engine)
    before = _history(empty_engine)

    downgrade(empty_url, "0014")

    assert current_revision(empty_engine) == "0014"
    assert table_names(empty_engine) == TABLES - OFFER_TABLES - IMPORT_TABLES - UPLOAD_TABLES | {
        "alembic_version"
    }
    assert _search_objects(empty_engine) == set()
    assert "post_id" not in _columns(empty_engine, "exchanges")
    assert _exchange_rows(empty_engine) == exchanges_before
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    # The timebank made before 0015 gets the default categories, and search works on new posts.
    assert _search_objects(empty_engine) == own
    listed = list_categories(empty_engine, world.timebank_id, world.coordinator)
    assert len(listed.categories) == 12
    category = next(c.category_id for c in listed.categories if c.name == "Gardening")
    ann = world.member("Ann")
    again = create_post(
        empty_engine,
        world.timebank_id,
        ann,
        CreatePost(
            kind=PostKind.OFFER,
            category_id=category,
            title="École run",
            description="Walking children to school",
            expires_on=utc_now().date() + timedelta(days=3),
        ),
    )
    assert world.found_ids(words="ecole") == [again.post_id]


# --- 0016 adds opening balances and the record of imports --------------------------------------


def _opening_balance_files() -> dict[str, bytes]:
    return {
        "members.csv": b"name,opening_balance\r\nAnn,-1:00\r\nBo,0:40\r\n",
        "exchanges.csv": b"date,giver,receiver,time,description\r\n2024-05-01,Ann,Bo,30,Help\r\n",
    }


def _import(engine: Engine, timebank_id: int, files: dict[str, bytes]) -> None:
    from timebank.clock import utc_now
    from timebank.imports import SourceFile, files_sha256, import_history, read_spreadsheet
    from timebank.people.callers import Caller

    given = [SourceFile(name, content) for name, content in files.items()]
    plan, problems = read_spreadsheet(given, utc_now().date())
    assert problems == []
    caller = Caller.coordinator_of(timebank_id)
    import_history(engine, timebank_id, caller, plan, files_sha256(given), dry_run=False)


def test_0016_steps_down_dropping_the_record_of_imports_and_leaving_the_ledger_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before 0016").timebank_id
    files = _opening_balance_files()
    _import(
        empty_engine, tb, {"exchanges.csv": files["exchanges.csv"], "members.csv": b"name\r\nAnn\r\nBo\r\n"}
    )
    exchanges_before, before = _exchange_rows(empty_engine), _history(empty_engine)

    downgrade(empty_url, "0015")

    assert current_revision(empty_engine) == "0015"
    assert not IMPORT_TABLES & table_names(empty_engine)
    assert _exchange_rows(empty_engine) == exchanges_before
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
        kinds = next(
            c["sqltext"]
            for c in inspect(connection).get_check_constraints("transactions")
            if c["name"] == "ck_transactions_kind_known"
        )
        assert "opening_balance" not in str(kinds)

    upgrade(empty_url)

    assert table_names(empty_engine) >= IMPORT_TABLES
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]
    # An opening balance can now be recorded, and the ledger still refuses changes.
    tb2 = create_timebank(empty_engine, "After 0016").timebank_id
    _import(empty_engine, tb2, files)
    with empty_engine.connect() as connection:
        opened = connection.execute(
            text("SELECT count(*) FROM transactions WHERE kind = 'opening_balance' AND timebank_id = :tb"),
            {"tb": tb2},
        ).scalar_one()
    assert opened == 1
    with pytest.raises(Exception, match="append_only"), empty_engine.begin() as connection:
        connection.execute(text("UPDATE transactions SET created_by = 'x'"))


def test_the_downgrade_below_0016_refuses_while_an_opening_balance_exists(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Opened").timebank_id
    _import(empty_engine, tb, _opening_balance_files())

    with pytest.raises(RuntimeError, match="an opening balance exists"):
        downgrade(empty_url, "0015")

    # PostgreSQL rolls the whole downgrade back; SQLite keeps the steps above 0016 it took.
    assert current_revision(empty_engine) in ("0016", head_revision(empty_url))
    assert table_names(empty_engine) >= IMPORT_TABLES


def test_0016_the_database_refuses_an_unknown_source_or_key_kind_and_a_repeated_key(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Keys").timebank_id
    _import(empty_engine, tb, _opening_balance_files())
    refused = [
        ("UPDATE imports SET source = 'komunitin' WHERE timebank_id = :tb", "source_known"),
        ("UPDATE imports SET members_added = -1 WHERE timebank_id = :tb", "counts_not_negative"),
        ("UPDATE import_keys SET kind = 'offer' WHERE timebank_id = :tb", "kind_known"),
        (
            "INSERT INTO import_keys (timebank_id, kind, natural_key_sha256, import_id, target_id)"
            " SELECT timebank_id, kind, natural_key_sha256, import_id, target_id FROM import_keys"
            " WHERE timebank_id = :tb",
            "import_keys",
        ),
    ]
    for statement, constraint in refused:
        with empty_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
            connection.execute(text(statement), {"tb": tb})
        assert constraint in str(refusal.value.orig), statement


# --- 0017 adds the uploads waiting to be confirmed ------------------------------------------------


def _upload(engine: Engine, timebank_id: int) -> int:
    from timebank.imports import ImportSource, SourceFile, check_upload
    from timebank.people.callers import Caller

    files = [SourceFile("members.csv", b"name\r\nAnn\r\n")]
    caller = Caller.coordinator_of(timebank_id)
    return check_upload(engine, timebank_id, caller, ImportSource.SPREADSHEET, files).upload_id


def test_0017_steps_down_dropping_only_the_uploads_and_steps_up_again(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Uploads").timebank_id
    _import(empty_engine, tb, _opening_balance_files())
    _upload(empty_engine, tb)
    before = _history(empty_engine)

    downgrade(empty_url, "0016")

    assert current_revision(empty_engine) == "0016"
    assert not UPLOAD_TABLES & table_names(empty_engine)
    assert table_names(empty_engine) >= IMPORT_TABLES
    assert _history(empty_engine) == before
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]

    upgrade(empty_url)

    assert table_names(empty_engine) >= UPLOAD_TABLES
    _upload(empty_engine, tb)


def test_0017_the_database_refuses_an_unknown_state_a_half_recorded_import_and_too_much(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Upload checks").timebank_id
    _upload(empty_engine, tb)
    refused = [
        # Neither checked nor imported: both CHECKs refuse it, and which one is named first varies.
        ("UPDATE import_uploads SET state = 'lost' WHERE timebank_id = :tb", "ck_import_uploads_"),
        ("UPDATE import_uploads SET state = 'imported' WHERE timebank_id = :tb", "imported_when_recorded"),
        ("UPDATE import_uploads SET file_count = 11 WHERE timebank_id = :tb", "file_count_bounded"),
        ("UPDATE import_uploads SET bytes_total = 16777217 WHERE timebank_id = :tb", "bytes_bounded"),
        ("UPDATE import_upload_files SET position = 10 WHERE timebank_id = :tb", "position_bounded"),
    ]
    for statement, constraint in refused:
        with empty_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
            connection.execute(text(statement), {"tb": tb})
        assert constraint in str(refusal.value.orig), statement


# --- 0018 records the offers and requests an import brought ------------------------------------

# The revision just below 0018.
_BELOW_0018 = "0017"


def _import_posts(engine: Engine, timebank_id: int) -> None:
    from timebank.clock import utc_now
    from timebank.imports import SourceFile, files_sha256, import_history, read_timeoverflow
    from timebank.people.callers import Caller

    offers = ",Offer,Tags,User,Created at\n,-,,,\n5,Dog walking,,Ann (1),2024-01-01 10:00:00 UTC\n"
    given = [SourceFile("Offers.csv", offers.encode())]
    plan, problems = read_timeoverflow(given, utc_now().date())
    assert problems == []
    caller = Caller.coordinator_of(timebank_id)
    import_history(engine, timebank_id, caller, plan, files_sha256(given), dry_run=False)


def _import_counts(engine: Engine) -> list[tuple[int, int, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT members_added, exchanges_added, opening_balances_added FROM imports ORDER BY id")
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_0018_steps_down_keeping_every_import_and_up_again_recording_posts(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Before posts").timebank_id
    _import(empty_engine, tb, _opening_balance_files())
    before = _import_counts(empty_engine)

    downgrade(empty_url, _BELOW_0018)

    assert current_revision(empty_engine) == _BELOW_0018
    assert _import_counts(empty_engine) == before
    with empty_engine.connect() as connection:
        assert "posts_added" not in {c["name"] for c in inspect(connection).get_columns("imports")}

    upgrade(empty_url)

    assert _import_counts(empty_engine) == before
    _import_posts(empty_engine, tb)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT posts_added FROM imports ORDER BY id")).scalars().all() == [
            0,
            1,
        ]
        assert (
            connection.execute(text("SELECT count(*) FROM import_keys WHERE kind = 'post'")).scalar_one() == 1
        )
    with empty_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
        connection.execute(text("UPDATE imports SET posts_added = -1"))
    assert "posts_added_not_negative" in str(refusal.value.orig)


def test_the_downgrade_below_0018_refuses_while_an_imports_post_is_recorded(
    empty_url: str, empty_engine: Engine
) -> None:
    from tests.people_calls import create_timebank

    upgrade(empty_url)
    tb = create_timebank(empty_engine, "Posts").timebank_id
    _import_posts(empty_engine, tb)

    with pytest.raises(RuntimeError, match="offers or requests are recorded"):
        downgrade(empty_url, _BELOW_0018)

    assert current_revision(empty_engine) == "0018"


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def database_url_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Point TIMEBANK_DATABASE_URL at a fresh SQLite file, with settings read afresh."""
    url = new_sqlite_url(tmp_path)
    # The working directory holds the default database file; keep any stray one out of the repo.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


def test_timebank_migrate_brings_the_configured_database_to_head(database_url_setting: str) -> None:
    result = CliRunner().invoke(app, ["migrate"])

    assert result.exit_code == 0, result.output
    assert "Database is at head" in result.output
    assert str(make_url(database_url_setting).database) in result.output
    engine = make_engine(database_url_setting)
    try:
        assert table_names(engine) == TABLES | {"alembic_version"}
        assert current_revision(engine) == head_revision(database_url_setting)
    finally:
        engine.dispose()


def test_timebank_migrate_is_safe_to_run_again(database_url_setting: str) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["migrate"])
    second = runner.invoke(app, ["migrate"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output


def test_timebank_downgrade_base_empties_the_configured_database(database_url_setting: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0

    result = runner.invoke(app, ["downgrade", "base"])

    assert result.exit_code == 0, result.output
    assert "Database is at base" in result.output
    engine = make_engine(database_url_setting)
    try:
        assert table_names(engine) == {"alembic_version"}
    finally:
        engine.dispose()


def test_timebank_downgrade_needs_a_revision(database_url_setting: str) -> None:
    result = CliRunner().invoke(app, ["downgrade"])

    assert result.exit_code != 0
    assert not Path(make_url(database_url_setting).database or "").exists()


@pytest.mark.postgres
def test_timebank_migrate_never_prints_the_database_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, admin_url = fresh_postgres_database()
    try:
        # The test server trusts local connections, so any password is accepted and must be hidden.
        with_password = make_url(url).set(password="s3cret-Pa55").render_as_string(hide_password=False)
        monkeypatch.setenv("TIMEBANK_DATABASE_URL", with_password)
        get_settings.cache_clear()

        result = CliRunner().invoke(app, ["migrate"])

        assert result.exit_code == 0, result.output
        assert "s3cret-Pa55" not in result.output
        assert "***" in result.output
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        drop_postgres_database(url, admin_url)


def test_timebank_expire_pending_closes_old_pending_exchanges_in_every_timebank(
    database_url_setting: str,
) -> None:
    from datetime import timedelta

    from tests.ledger_calls import get_exchange, record_exchange
    from tests.people_calls import create_timebank
    from timebank.accounts.accounts import open_account
    from timebank.clock import utc_now
    from timebank.exchanges.lifecycle import expire_pending_everywhere
    from timebank.exchanges.views import ExpiryReport
    from timebank.ledger import AccountKind, Actor, ReceiverShare

    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    engine = make_engine(database_url_setting)
    coordinator = Actor("coordinator", is_coordinator=True)
    pending = []
    for name in ("North", "South"):
        timebank = create_timebank(engine, name, pending_expiry_days=1)
        giver, receiver = (
            open_account(engine, timebank.timebank_id, coordinator, AccountKind.MEMBER, n).account_id
            for n in ("Ann", "Bo")
        )
        exchange = record_exchange(
            engine,
            timebank.timebank_id,
            Actor(f"member:{giver}", giver),
            giver,
            [ReceiverShare(receiver, 30)],
            utc_now().date(),
            "shopping",
        )
        pending.append((timebank.timebank_id, exchange.exchange_id))
    # Nothing is old enough yet.
    assert expire_pending_everywhere(engine, utc_now()) == {
        tb: ExpiryReport(expired=0, auto_confirmed=0) for tb, _ in pending
    }

    reports = expire_pending_everywhere(engine, utc_now() + timedelta(days=2))
    result = runner.invoke(app, ["expire-pending"])

    assert result.exit_code == 0, result.output
    assert "2 timebank(s): 0 pending exchange(s) expired" in result.output  # already closed above
    assert reports == {tb: ExpiryReport(expired=1, auto_confirmed=0) for tb, _ in pending}
    for timebank_id, exchange_id in pending:
        assert get_exchange(engine, timebank_id, exchange_id).status == "expired"
    engine.dispose()


# --- alembic's own command, from the checkout ----------------------------------------------------


def run_alembic(
    *arguments: str, cwd: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``alembic`` command installed beside this interpreter, as a user types it."""
    beside = Path(sys.executable).parent / "alembic"
    command = str(beside) if beside.exists() else shutil.which("alembic")
    assert command, "install the package (pip install -e .) so that the alembic command exists"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    if database_url is not None:
        environment["TIMEBANK_DATABASE_URL"] = database_url
    return subprocess.run(
        [command, *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_in_a_checkout_the_migrations_are_the_root_alembic_folder() -> None:
    assert script_location() == REPOSITORY / "alembic"
    assert (REPOSITORY / "alembic.ini").is_file()
    # Were it a package, `python -m ...` from the root would import it in place of the library.
    assert not (REPOSITORY / "alembic" / "__init__.py").exists()


def test_alembic_upgrade_head_from_the_checkout_migrates_the_configured_database(
    empty_url: str, empty_engine: Engine
) -> None:
    result = run_alembic("upgrade", "head", cwd=REPOSITORY, database_url=empty_url)

    assert result.returncode == 0, result.stderr
    head = head_revision(empty_url)
    # alembic.ini's logging sections print each step, as alembic users expect.
    assert f"-> {head}, " in result.stderr
    assert table_names(empty_engine) == TABLES | {"alembic_version"}
    assert current_revision(empty_engine) == head
    with empty_engine.connect() as connection:
        assert trigger_names(connection) == TRIGGERS[connection.dialect.name]


def test_alembic_upgrade_head_without_a_url_migrates_the_default_sqlite_file_as_timebank_serve_would(
    tmp_path: Path,
) -> None:
    result = run_alembic("-c", str(REPOSITORY / "alembic.ini"), "upgrade", "head", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    # The file `timebank serve` uses when TIMEBANK_DATABASE_URL is unset: timebank.sqlite3 in the
    # working directory (tests/e2e/test_serve.py serves from it).
    url = f"sqlite:///{tmp_path / 'timebank.sqlite3'}"
    engine = make_engine(url)
    try:
        assert table_names(engine) == TABLES | {"alembic_version"}
        assert current_revision(engine) == head_revision(url)
    finally:
        engine.dispose()


def test_alembic_downgrade_base_from_the_checkout_empties_the_configured_database(
    empty_url: str, empty_engine: Engine
) -> None:
    upgrade(empty_url)

    result = run_alembic("downgrade", "base", cwd=REPOSITORY, database_url=empty_url)

    assert result.returncode == 0, result.stderr
    assert table_names(empty_engine) == {"alembic_version"}
    assert current_revision(empty_engine) is None

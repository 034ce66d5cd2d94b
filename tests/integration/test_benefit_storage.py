"""What the database itself refuses in the involvement tables, whoever types the SQL (B1, B2, B4).

On a raw connection, on SQLite and PostgreSQL: the audit log is append-only (UPDATE and DELETE
refused by triggers on both, TRUNCATE on PostgreSQL too); an expense cannot exceed its evidence
and a mileage claim's evidence is exactly miles × rate; a payment that needed an acknowledgement
cannot lack one; credits are chosen exactly when a recognition transaction is named; a member's
attendance at an activity is recorded once; a money row cannot name another organisation's
activity. And, read from the metadata: the codes in the CHECKs are the benefits core's, no ledger
table has a money column, and no money table has minutes but the paid work a payment is for.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, insert, text, update

from tests.involvement_calls import attendee
from tests.people_calls import add_organisation
from timebank.benefits import ActivityClassification, PaymentKind, PeriodKind, Reward
from timebank.benefits.checks import PENCE_MAX
from timebank.benefits.choices import CHOICE_MEANINGS, MoneyRecordKind
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db import benefit_tables, make_engine, spend_tables
from timebank.db.benefit_tables import attendance, audit_log, expenses, payments
from timebank.db.tables import accounts, exchange_receivers, exchanges, transactions, transfers

from .involvement import FORUM_DAY, Forum, make_forum, offer
from .test_append_only import refused_by_the_database


def audited_forum(engine: Engine) -> tuple[Forum, int]:
    """A forum with one attendance recorded, so the audit log has rows; returns it and an audit id."""
    forum = make_forum(engine, members=1)
    activity = forum.activity()
    forum.attend(activity.activity_id, [attendee(forum.members[0], 60, Reward.CREDITS)])
    return forum, forum.audit()[0].audit_id or 0


# --- the audit log is append-only ---------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_log SET details = '{}' WHERE id = :id", id="update_details"),
        pytest.param("UPDATE audit_log SET actor = 'someone else' WHERE id = :id", id="update_actor"),
        pytest.param("DELETE FROM audit_log WHERE id = :id", id="delete_one"),
        pytest.param("DELETE FROM audit_log WHERE id = :id OR id <> :id", id="delete_all"),
    ],
)
def test_an_audit_row_cannot_be_updated_or_deleted(engine: Engine, statement: str) -> None:
    forum, audit_id = audited_forum(engine)
    before = forum.rows()

    error = refused_by_the_database(engine, statement, id=audit_id)

    assert "append_only" in str(error.orig)
    assert forum.rows() == before


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_audit_log(postgresql_url: str) -> None:
    engine = make_engine(postgresql_url)
    forum, _ = audited_forum(engine)
    before = forum.rows()

    # CASCADE: the audit notes refer to the log, and a plain TRUNCATE is refused for that alone.
    error = refused_by_the_database(engine, "TRUNCATE audit_log CASCADE")

    assert "append_only" in str(error.orig)
    assert forum.rows() == before
    engine.dispose()


# --- checks on the money and attendance rows ----------------------------------------------------


def expense_row(forum: Forum, **changes: Any) -> dict[str, Any]:
    row = {
        "timebank_id": forum.timebank_id,
        "organisation_id": forum.organisation_id,
        "account_id": forum.members[0],
        "activity_id": None,
        "incurred_on": FORUM_DAY,
        "description": "Bus",
        "amount_pence": 300,
        "evidence_kind": "receipt",
        "receipt_reference": "R1",
        "journey": None,
        "miles": None,
        "pence_per_mile": None,
        "evidenced_pence": 300,
        "recorded_by": "sql",
        "recorded_at": utc_now(),
    }
    return row | changes


MILEAGE = {"evidence_kind": "mileage", "receipt_reference": None, "journey": "Home to library"}


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        pytest.param({"amount_pence": 301}, "within_evidence", id="above_the_receipt"),
        pytest.param({"amount_pence": 0}, "amount_in_range", id="zero_pence"),
        pytest.param(
            {"amount_pence": PENCE_MAX + 1, "evidenced_pence": PENCE_MAX + 1}, "amount_in_range", id="huge"
        ),
        pytest.param({"receipt_reference": None}, "evidence_shape", id="receipt_without_reference"),
        pytest.param(
            MILEAGE | {"miles": 10, "pence_per_mile": 45, "evidenced_pence": 451, "amount_pence": 451},
            "evidence_shape",
            id="mileage_evidence_not_miles_times_rate",
        ),
        pytest.param(
            MILEAGE | {"miles": 10, "pence_per_mile": None}, "evidence_shape", id="mileage_without_rate"
        ),
        # Neither a receipt nor a mileage claim: whichever CHECK the database tries first refuses it.
        pytest.param({"evidence_kind": "hearsay"}, "evidence_", id="unknown_evidence"),
    ],
)
def test_a_malformed_expense_cannot_be_inserted_by_sql(
    engine: Engine, changes: dict[str, Any], constraint: str
) -> None:
    forum = make_forum(engine, members=1)
    before = forum.rows()

    error = refused_by_the_database(engine, insert(expenses).values(expense_row(forum, **changes)))

    assert constraint in str(error.orig)
    assert forum.rows() == before


def test_a_well_formed_expense_row_is_accepted_so_the_refusals_above_are_about_their_one_change(
    engine: Engine,
) -> None:
    forum = make_forum(engine, members=1)
    mileage = MILEAGE | {"miles": 10, "pence_per_mile": 45, "evidenced_pence": 450, "amount_pence": 450}
    with engine.connect() as connection:
        connection.execute(insert(expenses).values(expense_row(forum)))
        connection.execute(insert(expenses).values(expense_row(forum, **mileage)))
        connection.rollback()


def paid_forum(engine: Engine) -> tuple[Forum, int]:
    forum = make_forum(engine, members=2)
    activity = forum.activity()
    forum.attend(
        activity.activity_id,
        [
            attendee(forum.members[0], 60, Reward.PAYMENT),
            attendee(forum.members[1], 60, Reward.CREDITS),
        ],
        offer=offer(),
    )
    return forum, activity.activity_id


def test_a_payment_that_needed_an_acknowledgement_cannot_be_stored_without_one(engine: Engine) -> None:
    forum, _ = paid_forum(engine)
    before = forum.rows()
    payment_id = before["payments"][0]["id"]

    # Payments may be corrected by hand, but not into a needed acknowledgement that is missing.
    error = refused_by_the_database(
        engine, update(payments).where(payments.c.id == payment_id).values(acknowledgement_needed=True)
    )

    assert "acknowledged_where_needed" in str(error.orig)
    assert forum.rows() == before


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        pytest.param({"reward": "payment"}, "credits_iff_recognised", id="credits_row_turned_into_payment"),
        pytest.param(
            {"recognition_transaction_id": None}, "credits_iff_recognised", id="credits_unrecognised"
        ),
        pytest.param({"minutes": 0}, "minutes_in_range", id="zero_minutes"),
        pytest.param(
            {"reward": "wages", "recognition_transaction_id": None}, "reward_known", id="unknown_reward"
        ),
    ],
)
def test_an_attendance_row_keeps_credits_and_recognition_together(
    engine: Engine, values: dict[str, Any], constraint: str
) -> None:
    forum, activity_id = paid_forum(engine)
    before = forum.rows()
    credited = forum.members[1]

    error = refused_by_the_database(
        engine,
        update(attendance)
        .where(attendance.c.activity_id == activity_id, attendance.c.account_id == credited)
        .values(values),
    )

    assert constraint in str(error.orig)
    assert forum.rows() == before


def test_a_members_attendance_at_an_activity_is_stored_once(engine: Engine) -> None:
    forum, _ = paid_forum(engine)
    before = forum.rows()
    row = dict(before["attendance"][0])

    error = refused_by_the_database(engine, insert(attendance).values(row))

    assert "attendance" in str(error.orig)
    assert forum.rows() == before


def test_a_money_row_cannot_name_another_organisations_activity(engine: Engine) -> None:
    forum, activity_id = paid_forum(engine)
    other = add_organisation(engine, forum.timebank_id, forum.coordinator, "Clinic")
    before = forum.rows()

    error = refused_by_the_database(
        engine,
        insert(expenses).values(
            expense_row(forum, organisation_id=other.organisation_id, activity_id=activity_id)
        ),
    )

    assert "foreign key" in str(error.orig).lower()
    assert forum.rows() == before


def test_an_activity_classification_must_be_known(engine: Engine) -> None:
    forum = make_forum(engine, members=0)
    activity = forum.activity()

    error = refused_by_the_database(
        engine,
        text("UPDATE activities SET classification = 'paid_work' WHERE id = :id"),
        id=activity.activity_id,
    )

    assert "classification_known" in str(error.orig)


# --- the tables and the benefits core agree -----------------------------------------------------


def test_the_codes_in_the_checks_are_the_benefits_cores() -> None:
    assert tuple(c.value for c in ActivityClassification) == benefit_tables.ACTIVITY_CLASSIFICATIONS
    assert tuple(r.value for r in Reward) == benefit_tables.REWARDS
    assert tuple(k.value for k in PaymentKind) == benefit_tables.PAYMENT_KINDS
    assert tuple(p.value for p in PeriodKind) == benefit_tables.PERIOD_KINDS
    assert (
        tuple(
            r.value
            for r, meaning in CHOICE_MEANINGS.items()
            if meaning.money_record in (MoneyRecordKind.DECLINED_PAYMENT, MoneyRecordKind.REDIRECTED_PAYMENT)
        )
        == benefit_tables.DECLINED_CHOICES
    )
    assert benefit_tables.PENCE_MAX == PENCE_MAX
    assert tuple(c.value for c in SpendClass) == spend_tables.SPEND_CLASSES
    assert tuple(c.value for c in SpendClass if c.is_goods_or_voucher) == spend_tables.ACKNOWLEDGED_CLASSES


def test_no_ledger_table_has_money_and_no_money_table_has_credits() -> None:
    # B1: credits have no price; B2: money lives apart.
    ledger = (
        accounts,
        transactions,
        transfers,
        exchanges,
        exchange_receivers,
        attendance,
        spend_tables.spend_options,
        spend_tables.spends,
    )
    money = (expenses, payments, benefit_tables.declined_payments)
    for table in ledger:
        assert [
            c.name for c in table.columns if "pence" in c.name or "price" in c.name or "rate" in c.name
        ] == []
    for table in money:
        minutes = [c.name for c in table.columns if "minutes" in c.name]
        assert minutes == (["worked_minutes"] if table is payments else []), table.name
    assert "minutes" not in {c.name for c in audit_log.columns}

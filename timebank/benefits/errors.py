"""Every rule the benefits core can find broken, each with a stable snake_case code.

A *breach* is a value: the rule's code and a plain-English sentence saying what was wrong. The
checks in this package return every breach they find, not the first (STYLE 6), so a form or an
import can show them all at once. Where a value refuses to exist in a broken state (an expense
above its evidence, a payment of no pence), its constructor raises ``BenefitRulesBroken``: a
``ValueError`` that carries every breach, whose ``code`` is the first one's.

These are not ledger errors. ``timebank.ledger.errors`` is the tree the HTTP API maps to status
codes, and each of its classes must be reachable through the API; the API for benefits comes
later and will map these codes when it does. The codes, grouped by the value they guard:

    amounts of money          pence_must_be_whole, pence_must_be_positive, pence_above_limit
    amounts of time           minutes_must_be_whole, minutes_must_be_positive,
                              minutes_must_not_be_negative, minutes_above_transfer_limit
    text                      text_required, text_too_long
    expenses                  expense_evidence_missing, expense_above_evidence,
                              miles_must_be_whole, miles_must_be_positive, miles_above_limit,
                              mileage_rate_must_be_whole, mileage_rate_must_be_positive,
                              mileage_rate_above_limit
    periods                   period_must_end_after_start, week_must_be_seven_days,
                              month_must_be_one_month, month_start_day_out_of_range
    reward choices            payment_not_offered, reduced_payment_missing,
                              reduced_payment_not_below_offer, charity_name_missing,
                              choice_detail_not_wanted
    recognition               attendees_required, too_many_attendees, attendee_repeated,
                              accounts_must_differ, attendance_above_activity_length
    limits                    limit_must_end_after_start, limit_hours_must_be_positive,
                              limit_entry_repeated, too_many_limit_entries
    payment guards            too_many_payments
    statements                statement_entry_outside_period, too_many_statement_entries,
                              statement_covers_future_days

Four codes repeat the ledger's own (``minutes_must_be_whole``, ``minutes_must_be_positive``,
``minutes_above_transfer_limit``, ``accounts_must_differ``) on purpose: attendance minutes become
ledger transfers, and the same broken rule should read the same wherever it is found.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["BenefitRulesBroken", "Breach", "BreachCode", "raise_if_broken"]


class BreachCode(enum.StrEnum):
    PENCE_MUST_BE_WHOLE = "pence_must_be_whole"
    PENCE_MUST_BE_POSITIVE = "pence_must_be_positive"
    PENCE_ABOVE_LIMIT = "pence_above_limit"
    MINUTES_MUST_BE_WHOLE = "minutes_must_be_whole"
    MINUTES_MUST_BE_POSITIVE = "minutes_must_be_positive"
    MINUTES_MUST_NOT_BE_NEGATIVE = "minutes_must_not_be_negative"
    MINUTES_ABOVE_TRANSFER_LIMIT = "minutes_above_transfer_limit"
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    EXPENSE_EVIDENCE_MISSING = "expense_evidence_missing"
    EXPENSE_ABOVE_EVIDENCE = "expense_above_evidence"
    MILES_MUST_BE_WHOLE = "miles_must_be_whole"
    MILES_MUST_BE_POSITIVE = "miles_must_be_positive"
    MILES_ABOVE_LIMIT = "miles_above_limit"
    MILEAGE_RATE_MUST_BE_WHOLE = "mileage_rate_must_be_whole"
    MILEAGE_RATE_MUST_BE_POSITIVE = "mileage_rate_must_be_positive"
    MILEAGE_RATE_ABOVE_LIMIT = "mileage_rate_above_limit"
    PERIOD_MUST_END_AFTER_START = "period_must_end_after_start"
    WEEK_MUST_BE_SEVEN_DAYS = "week_must_be_seven_days"
    MONTH_MUST_BE_ONE_MONTH = "month_must_be_one_month"
    MONTH_START_DAY_OUT_OF_RANGE = "month_start_day_out_of_range"
    PAYMENT_NOT_OFFERED = "payment_not_offered"
    REDUCED_PAYMENT_MISSING = "reduced_payment_missing"
    REDUCED_PAYMENT_NOT_BELOW_OFFER = "reduced_payment_not_below_offer"
    CHARITY_NAME_MISSING = "charity_name_missing"
    CHOICE_DETAIL_NOT_WANTED = "choice_detail_not_wanted"
    ATTENDEES_REQUIRED = "attendees_required"
    TOO_MANY_ATTENDEES = "too_many_attendees"
    ATTENDEE_REPEATED = "attendee_repeated"
    ACCOUNTS_MUST_DIFFER = "accounts_must_differ"
    ATTENDANCE_ABOVE_ACTIVITY_LENGTH = "attendance_above_activity_length"
    LIMIT_MUST_END_AFTER_START = "limit_must_end_after_start"
    LIMIT_HOURS_MUST_BE_POSITIVE = "limit_hours_must_be_positive"
    LIMIT_ENTRY_REPEATED = "limit_entry_repeated"
    TOO_MANY_LIMIT_ENTRIES = "too_many_limit_entries"
    TOO_MANY_PAYMENTS = "too_many_payments"
    STATEMENT_ENTRY_OUTSIDE_PERIOD = "statement_entry_outside_period"
    TOO_MANY_STATEMENT_ENTRIES = "too_many_statement_entries"
    STATEMENT_COVERS_FUTURE_DAYS = "statement_covers_future_days"


@dataclass(frozen=True, slots=True)
class Breach:
    """One broken rule: its code and a sentence a coordinator can act on."""

    code: BreachCode
    detail: str


class BenefitRulesBroken(ValueError):
    """A value or a request broke one or more rules; ``breaches`` lists every one, in check order."""

    def __init__(self, breaches: Iterable[Breach]) -> None:
        self.breaches = tuple(breaches)
        assert self.breaches, "raise only when a rule is broken"
        self.code = self.breaches[0].code
        # One breach a line, as pydantic does: each detail stands alone when shown to a person.
        super().__init__("\n".join(f"{b.code}: {b.detail}" for b in self.breaches))


def raise_if_broken(breaches: Iterable[Breach]) -> None:
    found = tuple(breaches)
    if found:
        raise BenefitRulesBroken(found)

"""Every rule the benefits core can find broken, each with a stable snake_case code.

A *breach* is a value: the rule's code and a plain-English sentence saying what was wrong. The
checks in this package return every breach they find, not the first (STYLE 6), so a form or an
import can show them all at once. Where a value refuses to exist in a broken state (an expense
above its evidence, a payment of no pence), its constructor raises ``BenefitRulesBroken``: a
``ValueError`` that carries every breach, whose ``code`` is the first one's.

Each code is a leaf of the one error tree (``timebank.errors``): ``BREACH_ERRORS`` gives the class
of every code, and ``refusal`` turns the breaches a check found into the first one's error, with
every breach in its detail, for a use case to raise. The codes, grouped by the value they guard:

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

Four codes are the ledger's own (``minutes_must_be_whole``, ``minutes_must_be_positive``,
``minutes_above_transfer_limit``, ``accounts_must_differ``), and ``text_too_long`` too: attendance
minutes become ledger transfers, and the same broken rule should read the same wherever it is found,
so their classes are the ledger's (``timebank.ledger.errors``), not copies.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from timebank.errors import InvalidRequest
from timebank.ledger.errors import (
    AccountsMustDiffer,
    MinutesAboveTransferLimit,
    MinutesMustBePositive,
    MinutesMustBeWhole,
    TextTooLong,
)

__all__ = [
    "BREACH_ERRORS",
    "AttendanceAboveActivityLength",
    "AttendeeRepeated",
    "AttendeesRequired",
    "BenefitRulesBroken",
    "Breach",
    "BreachCode",
    "CharityNameMissing",
    "ChoiceDetailNotWanted",
    "ExpenseAboveEvidence",
    "ExpenseEvidenceMissing",
    "MileageRateAboveLimit",
    "MileageRateMustBePositive",
    "MileageRateMustBeWhole",
    "MilesAboveLimit",
    "MilesMustBePositive",
    "MilesMustBeWhole",
    "MonthMustBeOneMonth",
    "PaymentNotOffered",
    "PenceAboveLimit",
    "PenceMustBePositive",
    "PenceMustBeWhole",
    "PeriodMustEndAfterStart",
    "ReducedPaymentMissing",
    "ReducedPaymentNotBelowOffer",
    "TextRequired",
    "TooManyAttendees",
    "WeekMustBeSevenDays",
    "benefit_rules",
    "raise_if_broken",
    "refusal",
]


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


# --- the error classes of the codes above: leaves of the one tree ------------------------------------


class TextRequired(InvalidRequest):
    code = "text_required"
    title = "A text field is needed"


class PenceMustBeWhole(InvalidRequest):
    code = "pence_must_be_whole"
    title = "Money must be a whole number of pence"


class PenceMustBePositive(InvalidRequest):
    code = "pence_must_be_positive"
    title = "An amount of money must be more than zero"


class PenceAboveLimit(InvalidRequest):
    code = "pence_above_limit"
    title = "The amount of money is above the limit"


class ExpenseEvidenceMissing(InvalidRequest):
    code = "expense_evidence_missing"
    title = "An expense needs a receipt or a mileage calculation"


class ExpenseAboveEvidence(InvalidRequest):
    code = "expense_above_evidence"
    title = "An expense cannot be more than its evidence shows"


class MilesMustBeWhole(InvalidRequest):
    code = "miles_must_be_whole"
    title = "Miles must be a whole number"


class MilesMustBePositive(InvalidRequest):
    code = "miles_must_be_positive"
    title = "Miles must be more than zero"


class MilesAboveLimit(InvalidRequest):
    code = "miles_above_limit"
    title = "Too many miles for one claim"


class MileageRateMustBeWhole(InvalidRequest):
    code = "mileage_rate_must_be_whole"
    title = "The pence per mile must be a whole number"


class MileageRateMustBePositive(InvalidRequest):
    code = "mileage_rate_must_be_positive"
    title = "The pence per mile must be more than zero"


class MileageRateAboveLimit(InvalidRequest):
    code = "mileage_rate_above_limit"
    title = "The pence per mile is above the limit"


class PeriodMustEndAfterStart(InvalidRequest):
    code = "period_must_end_after_start"
    title = "A period must end after it starts"


class WeekMustBeSevenDays(InvalidRequest):
    code = "week_must_be_seven_days"
    title = "A week is seven days"


class MonthMustBeOneMonth(InvalidRequest):
    code = "month_must_be_one_month"
    title = "A monthly period is one month"


class PaymentNotOffered(InvalidRequest):
    code = "payment_not_offered"
    title = "This choice needs a payment offer"


class ReducedPaymentMissing(InvalidRequest):
    code = "reduced_payment_missing"
    title = "A smaller payment needs its amount"


class ReducedPaymentNotBelowOffer(InvalidRequest):
    code = "reduced_payment_not_below_offer"
    title = "A smaller payment must be less than the offer"


class CharityNameMissing(InvalidRequest):
    code = "charity_name_missing"
    title = "A payment to a charity needs the charity's name"


class ChoiceDetailNotWanted(InvalidRequest):
    code = "choice_detail_not_wanted"
    title = "This choice takes no smaller amount or charity"


class AttendeesRequired(InvalidRequest):
    code = "attendees_required"
    title = "An activity's attendance needs at least one attendee"


class TooManyAttendees(InvalidRequest):
    code = "too_many_attendees"
    title = "Too many attendees for one activity"


class AttendeeRepeated(InvalidRequest):
    code = "attendee_repeated"
    title = "An attendee is listed twice"


class AttendanceAboveActivityLength(InvalidRequest):
    code = "attendance_above_activity_length"
    title = "An attendee cannot have given more time than the activity lasted"


# Each code a request can break, by its class. The rest (a malformed limit schedule, a statement
# assembled wrong) are the core's own consistency checks that no request can meet; ``refusal``
# refuses them as a plain ``invalid_request`` that still names the code.
BREACH_ERRORS: Mapping[BreachCode, type[InvalidRequest]] = MappingProxyType(
    {
        BreachCode(cls.code): cls
        for cls in (
            MinutesMustBeWhole,
            MinutesMustBePositive,
            MinutesAboveTransferLimit,
            AccountsMustDiffer,
            TextTooLong,
            TextRequired,
            PenceMustBeWhole,
            PenceMustBePositive,
            PenceAboveLimit,
            ExpenseEvidenceMissing,
            ExpenseAboveEvidence,
            MilesMustBeWhole,
            MilesMustBePositive,
            MilesAboveLimit,
            MileageRateMustBeWhole,
            MileageRateMustBePositive,
            MileageRateAboveLimit,
            PeriodMustEndAfterStart,
            WeekMustBeSevenDays,
            MonthMustBeOneMonth,
            PaymentNotOffered,
            ReducedPaymentMissing,
            ReducedPaymentNotBelowOffer,
            CharityNameMissing,
            ChoiceDetailNotWanted,
            AttendeesRequired,
            TooManyAttendees,
            AttendeeRepeated,
            AttendanceAboveActivityLength,
        )
    }
)


def refusal(breaches: Iterable[Breach]) -> InvalidRequest:
    """The error to raise for these breaches: the first one's class, every breach in the detail."""
    found = tuple(breaches)
    assert found, "a refusal needs a broken rule"
    cls = BREACH_ERRORS.get(found[0].code)
    if cls is None:
        return InvalidRequest("; ".join(f"{b.code}: {b.detail}" for b in found))
    return cls("; ".join(b.detail for b in found))


@contextmanager
def benefit_rules() -> Iterator[None]:
    """Raise, as the error of its first breach, whatever the core finds broken inside the block."""
    try:
        yield
    except BenefitRulesBroken as broken:
        raise refusal(broken.breaches) from broken

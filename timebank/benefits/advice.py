"""The warnings the guards give, each in two versions: one for the member, one for the organisation.

Every warning has a stable code and plain-English text with advice to tell the benefit office.
``text`` is for the member and for coordinators who may see the member's declaration; it names
the limit, the amount and the period. ``organisation_text`` is for the organisation's staff, who
may not learn which benefits a member gets (B4). Every payment warning gives them the same one
sentence and the same one code, whatever the benefit, the amount or the limit: a limit's amount
names its benefit, so an organisation told "limit reached" at £20 but not at £19.99 would know.
All the wording lives here, so one test can read every sentence the guards can say (B8: credits
are never called pay, wages or earnings).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from timebank.benefits.formatting import format_minutes, format_pence, format_span
from timebank.benefits.limits import BenefitLimit, LimitCode
from timebank.benefits.periods import PeriodKind

__all__ = [
    "ORGANISATION_PAYMENT_ADVICE",
    "BenefitWarning",
    "WarningCode",
    "benefits_not_specified",
    "limit_crossed",
    "limit_reached",
    "payment_may_affect_benefits",
    "permitted_work_hours_reached",
    "spend_may_affect_benefits",
]

_TELL_THE_OFFICE = "Please tell your benefit office before you accept it."
_ASK_FIRST = "Please check with the member before you go ahead."


class WarningCode(enum.StrEnum):
    PAYMENT_MAY_AFFECT_BENEFITS = "payment_may_affect_benefits"
    BENEFITS_NOT_SPECIFIED = "benefits_not_specified"
    LIMIT_REACHED = "limit_reached"
    LIMIT_CROSSED = "limit_crossed"
    PERMITTED_WORK_HOURS_REACHED = "permitted_work_hours_reached"
    SPEND_MAY_AFFECT_BENEFITS = "spend_may_affect_benefits"


@dataclass(frozen=True, slots=True)
class BenefitWarning:
    code: WarningCode
    text: str
    organisation_text: str
    limit_code: LimitCode | None = None

    @property
    def organisation_code(self) -> WarningCode:
        """The code the organisation sees: one for every payment warning, so none names a benefit (B4)."""
        if self.code is WarningCode.SPEND_MAY_AFFECT_BENEFITS:
            return self.code
        return WarningCode.PAYMENT_MAY_AFFECT_BENEFITS


# What an organisation is told about any payment to a member who declared benefits, whichever
# benefits they are, whatever the amount, and whether or not a limit would be reached (B4, B6).
ORGANISATION_PAYMENT_ADVICE = (
    "This member should check with their benefit office before they accept a payment. "
    "You could offer time credits instead. Ask the member what they would like: they can choose "
    "time credits, take less, turn it down, or have it go to a charity."
)


def _period_words(kind: PeriodKind, from_on: date, to_on: date) -> str:
    noun = "week" if kind is PeriodKind.WEEK else "period"
    return f"the {noun} {format_span(from_on, to_on)}"


def payment_may_affect_benefits(amount_pence: int) -> BenefitWarning:
    return BenefitWarning(
        WarningCode.PAYMENT_MAY_AFFECT_BENEFITS,
        f"A payment of {format_pence(amount_pence)} may affect your benefits, "
        "whether it is cash, a voucher or a gift. "
        f"{_TELL_THE_OFFICE} You can take a smaller payment, turn it down, or ask for it to go to a charity. "
        "You can choose time credits instead.",
        ORGANISATION_PAYMENT_ADVICE,
    )


def benefits_not_specified() -> BenefitWarning:
    return BenefitWarning(
        WarningCode.BENEFITS_NOT_SPECIFIED,
        "You have not said which benefits you get, so we cannot check this against benefit limits. "
        "Please ask your benefit office before you accept it.",
        ORGANISATION_PAYMENT_ADVICE,
    )


def limit_reached(limit: BenefitLimit, total_pence: int, from_on: date, to_on: date) -> BenefitWarning:
    where = _period_words(limit.period, from_on, to_on)
    return BenefitWarning(
        WarningCode.LIMIT_REACHED,
        f"With this payment you would get {format_pence(total_pence)} in {where}. That is exactly the "
        f"{limit.name} of {format_pence(limit.amount_pence)} {limit.period.label}. Any more in that "
        f"{'week' if limit.period is PeriodKind.WEEK else 'period'} would go above it. {_TELL_THE_OFFICE}",
        ORGANISATION_PAYMENT_ADVICE,
        limit.code,
    )


def limit_crossed(limit: BenefitLimit, total_pence: int, from_on: date, to_on: date) -> BenefitWarning:
    where = _period_words(limit.period, from_on, to_on)
    return BenefitWarning(
        WarningCode.LIMIT_CROSSED,
        f"With this payment you would get {format_pence(total_pence)} in {where}. That is above the "
        f"{limit.name} of {format_pence(limit.amount_pence)} {limit.period.label}. {_TELL_THE_OFFICE}",
        ORGANISATION_PAYMENT_ADVICE,
        limit.code,
    )


def permitted_work_hours_reached(
    limit: BenefitLimit, worked_minutes: int, from_on: date, to_on: date
) -> BenefitWarning:
    assert limit.weekly_work_minutes_below is not None
    return BenefitWarning(
        WarningCode.PERMITTED_WORK_HOURS_REACHED,
        f"With this payment you would have {format_minutes(worked_minutes)} of paid work in "
        f"{_period_words(PeriodKind.WEEK, from_on, to_on)}. The {limit.name} is only for less than "
        f"{format_minutes(limit.weekly_work_minutes_below)} of paid work a week. {_TELL_THE_OFFICE}",
        ORGANISATION_PAYMENT_ADVICE,
        limit.code,
    )


def spend_may_affect_benefits(spend_label: str) -> BenefitWarning:
    return BenefitWarning(
        WarningCode.SPEND_MAY_AFFECT_BENEFITS,
        f"This is {spend_label}. Swapping time credits for goods or vouchers could affect your benefits. "
        "Please ask your benefit office first. To go ahead, you need to say that you understand this.",
        f"This member needs to confirm this choice first. {_ASK_FIRST}",
    )

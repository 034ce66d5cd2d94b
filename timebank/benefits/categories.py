"""The benefit categories a member may declare, and which limits each one brings (DESIGN B4).

Benefit status reveals health and disability, so it is special-category data: declaring it is
optional and never needed to take part, and the categories are deliberately coarse. They are just
fine enough to pick the limits that matter for money paid for involvement:

    universal_credit                  the Universal Credit work allowance, a month (assessment period)
    legacy_means_tested               the legacy earnings disregards, a week (Income Support,
                                      income-based Jobseeker's Allowance, Housing Benefit and others)
    employment_and_support_allowance  the permitted work limits, a week, and their hours condition
    carers_allowance                  the Carer's Allowance earnings limit, a week
    prefer_not_to_say                 the member gets benefits, or may, and would rather not say which

A member declares a set of them; the empty set means nothing declared, and such a member gets no
benefit warnings at all. "Prefer not to say" counts as declared: the member is treated with the
same care (credits and expenses by default, advice before any payment) but no limit can be named.
Benefits that earnings do not touch (Personal Independence Payment, say) need no category.

Code that holds a member's categories must show them only to the member and to coordinators who
need them (B4); nothing in this package logs, prints or stores them.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from types import MappingProxyType

from timebank.benefits.limits import LimitCode

__all__ = ["LIMIT_CODES_BY_CATEGORY", "BenefitCategory", "has_declared", "limit_codes_for"]


class BenefitCategory(enum.StrEnum):
    UNIVERSAL_CREDIT = "universal_credit"
    LEGACY_MEANS_TESTED = "legacy_means_tested"
    EMPLOYMENT_AND_SUPPORT_ALLOWANCE = "employment_and_support_allowance"
    CARERS_ALLOWANCE = "carers_allowance"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    BenefitCategory.UNIVERSAL_CREDIT: "Universal Credit",
    BenefitCategory.LEGACY_MEANS_TESTED: (
        "Income Support, Jobseeker's Allowance, Housing Benefit or another means-tested benefit"
    ),
    BenefitCategory.EMPLOYMENT_AND_SUPPORT_ALLOWANCE: "Employment and Support Allowance",
    BenefitCategory.CARERS_ALLOWANCE: "Carer's Allowance",
    BenefitCategory.PREFER_NOT_TO_SAY: "I get benefits but prefer not to say which",
}

LIMIT_CODES_BY_CATEGORY: Mapping[BenefitCategory, tuple[LimitCode, ...]] = MappingProxyType(
    {
        # Both work allowances: whether the member gets help with housing costs is not asked.
        BenefitCategory.UNIVERSAL_CREDIT: (
            LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING,
            LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITHOUT_HOUSING,
        ),
        # All three disregards: which one applies turns on circumstances we do not ask about.
        BenefitCategory.LEGACY_MEANS_TESTED: (
            LimitCode.EARNINGS_DISREGARD_SINGLE,
            LimitCode.EARNINGS_DISREGARD_COUPLE,
            LimitCode.EARNINGS_DISREGARD_HIGHER,
        ),
        BenefitCategory.EMPLOYMENT_AND_SUPPORT_ALLOWANCE: (
            LimitCode.PERMITTED_WORK_LOWER,
            LimitCode.PERMITTED_WORK_HIGHER,
        ),
        BenefitCategory.CARERS_ALLOWANCE: (LimitCode.CARERS_ALLOWANCE_EARNINGS,),
        BenefitCategory.PREFER_NOT_TO_SAY: (),
    }
)


def has_declared(categories: Collection[BenefitCategory]) -> bool:
    """Whether the member declared any benefit, "prefer not to say" included."""
    return bool(categories)


def limit_codes_for(categories: Collection[BenefitCategory]) -> tuple[LimitCode, ...]:
    """The limits that concern a member with these categories, once each, in ``LimitCode`` order."""
    wanted = {code for category in categories for code in LIMIT_CODES_BY_CATEGORY[category]}
    return tuple(code for code in LimitCode if code in wanted)

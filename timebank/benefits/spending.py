"""Safe defaults for a member who declared benefits: how they are thanked, and what they spend on (B5).

*How they are thanked.* For a member who declared benefits, the default reward is time credits plus
expenses repaid against evidence: credits that stay hour-for-hour and cashless are not earnings
(ministerial statement of 15 June 2000, as quoted by Timebanking UK), and genuine expenses are
disregarded (NCVO; SCIE At a glance 50). A payment stays the member's own choice, made with advice.
For everyone else the organisation's own default stands; expenses are always repaid.

*What they spend on.* Each spend option carries a class: another member's time, a community
activity, goods, or a voucher. The ministerial statement's disregard rests on credits not being
exchanged for goods, so goods and vouchers are the risky classes: for a member who declared
benefits they are refused unless the member explicitly acknowledges the risk (and the caller logs
that acknowledgement). Time and community activities are always allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from timebank.benefits import advice
from timebank.benefits.advice import BenefitWarning
from timebank.benefits.categories import BenefitCategory, has_declared
from timebank.benefits.choices import Reward

__all__ = [
    "DefaultReward",
    "SpendClass",
    "SpendDecision",
    "check_spend",
    "default_reward",
]


@dataclass(frozen=True, slots=True)
class DefaultReward:
    """The choice offered first for an activity, and whether expenses are repaid (always)."""

    choice: Reward
    expenses_repaid: bool


def default_reward(categories: Collection[BenefitCategory], organisation_default: Reward) -> DefaultReward:
    """Credits plus expenses for a member who declared benefits; the organisation's default otherwise."""
    choice = Reward.CREDITS if has_declared(categories) else organisation_default
    return DefaultReward(choice=choice, expenses_repaid=True)


class SpendClass(enum.StrEnum):
    MEMBER_TIME = "member_time"
    COMMUNITY_ACTIVITY = "community_activity"
    GOODS = "goods"
    VOUCHER = "voucher"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_goods_or_voucher(self) -> bool:
        return self in (SpendClass.GOODS, SpendClass.VOUCHER)


_LABELS = {
    SpendClass.MEMBER_TIME: "time with another member",
    SpendClass.COMMUNITY_ACTIVITY: "a community activity",
    SpendClass.GOODS: "goods",
    SpendClass.VOUCHER: "a voucher",
}


@dataclass(frozen=True, slots=True)
class SpendDecision:
    """Whether a spend may go ahead, whether it needs an acknowledgement, and the advice to show."""

    allowed: bool
    acknowledgement_needed: bool
    warning: BenefitWarning | None


def check_spend(
    categories: Collection[BenefitCategory], spend_class: SpendClass, *, acknowledged: bool
) -> SpendDecision:
    """Goods and vouchers for a member who declared benefits go ahead only once acknowledged."""
    if not (has_declared(categories) and spend_class.is_goods_or_voucher):
        return SpendDecision(allowed=True, acknowledgement_needed=False, warning=None)
    return SpendDecision(
        allowed=acknowledged,
        acknowledgement_needed=True,
        warning=advice.spend_may_affect_benefits(spend_class.label),
    )

"""A member's reward choice for an activity, and what it means for credits and for money (DESIGN B3).

An organisation runs an *activity* (a user forum, a co-production board, an interview panel) and
thanks the people who came. Each attendee chooses, for that activity:

    choice            credits   money
    credits           posted    none
    payment           none      a payment to the member, of the amount offered
    reduced_payment   none      a payment to the member, of less than the amount offered
    decline           none      none: at most a note that an offer was turned down
    charity           none      a payment to a charity the member names, not to the member

Only ``credits`` posts credits, and it posts no money: credits and money never mix (B1, B2).
Declining is a real choice, not a missing answer: a person may refuse payment, and a declined
payment is not notional earnings (Universal Credit Regulations 2013, reg. 60; NIHR payment guidance
v1.5, April 2024: it is the person's choice whether to accept payment). A payment given to a
charity at the member's request is recorded as redirected, never as a payment to the member.

Each activity carries a classification. The one that matters most in law is what DESIGN calls
involvement by members who use services; benefit rules and guidance (SCIE At a glance 50) call it
"participating as a service user", so that phrase is its label on statements and nowhere else.

The activity, the attendance and the recognition plan live in ``timebank.benefits.activities``;
this module holds the choice and its meaning for money.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from timebank.benefits.checks import pence_breaches, text_breaches
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.money import (
    DeclinedPayment,
    Payment,
    PaymentKind,
    PaymentPeriod,
    RedirectedPayment,
)
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "CHOICE_MEANINGS",
    "ChoiceMeaning",
    "MoneyRecord",
    "MoneyRecordKind",
    "PaymentOffer",
    "Reward",
    "money_for_choice",
]


class Reward(enum.StrEnum):
    """What one attendee chose for one activity."""

    CREDITS = "credits"
    PAYMENT = "payment"
    REDUCED_PAYMENT = "reduced_payment"
    DECLINE = "decline"
    CHARITY = "charity"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Reward.CREDITS: "Time credits",
    Reward.PAYMENT: "Payment",
    Reward.REDUCED_PAYMENT: "A smaller payment",
    Reward.DECLINE: "No payment",
    Reward.CHARITY: "Payment to a charity",
}


class MoneyRecordKind(enum.StrEnum):
    """The money record a choice leaves: only ``payment`` is money paid to the member."""

    NONE = "none"
    PAYMENT = "payment"
    DECLINED_PAYMENT = "declined_payment"
    REDIRECTED_PAYMENT = "redirected_payment"


@dataclass(frozen=True, slots=True)
class ChoiceMeaning:
    """What a choice does: whether it posts credits, and which money record it leaves."""

    posts_credits: bool
    money_record: MoneyRecordKind
    needs_offer: bool

    @property
    def pays_member(self) -> bool:
        return self.money_record is MoneyRecordKind.PAYMENT


CHOICE_MEANINGS: Mapping[Reward, ChoiceMeaning] = MappingProxyType(
    {
        Reward.CREDITS: ChoiceMeaning(True, MoneyRecordKind.NONE, needs_offer=False),
        Reward.PAYMENT: ChoiceMeaning(False, MoneyRecordKind.PAYMENT, needs_offer=True),
        Reward.REDUCED_PAYMENT: ChoiceMeaning(False, MoneyRecordKind.PAYMENT, needs_offer=True),
        # Declining needs no offer (a member may decline credits too); with an offer, the note
        # records what was declined.
        Reward.DECLINE: ChoiceMeaning(False, MoneyRecordKind.DECLINED_PAYMENT, needs_offer=False),
        Reward.CHARITY: ChoiceMeaning(False, MoneyRecordKind.REDIRECTED_PAYMENT, needs_offer=True),
    }
)


@dataclass(frozen=True, slots=True)
class PaymentOffer:
    """What the organisation offers an attendee for an activity, if it offers a payment at all."""

    amount_pence: int
    kind: PaymentKind
    covers: PaymentPeriod
    description: str

    def __post_init__(self) -> None:
        raise_if_broken(
            pence_breaches("An offered payment", self.amount_pence)
            + text_breaches("An offer's description", self.description, DESCRIPTION_LENGTH_MAX)
        )


MoneyRecord = Payment | DeclinedPayment | RedirectedPayment


def _choice_breaches(
    choice: Reward, offer: PaymentOffer | None, reduced_pence: int | None, charity_name: str | None
) -> list[Breach]:
    breaches: list[Breach] = []
    if CHOICE_MEANINGS[choice].needs_offer and offer is None:
        breaches.append(Breach(BreachCode.PAYMENT_NOT_OFFERED, f"The choice {choice} needs a payment offer"))
    if choice is Reward.REDUCED_PAYMENT:
        if reduced_pence is None:
            breaches.append(Breach(BreachCode.REDUCED_PAYMENT_MISSING, "A smaller payment needs its amount"))
        else:
            breaches += pence_breaches("A smaller payment", reduced_pence)
            if offer is not None and not breaches and reduced_pence >= offer.amount_pence:
                breaches.append(
                    Breach(
                        BreachCode.REDUCED_PAYMENT_NOT_BELOW_OFFER,
                        f"A smaller payment of {reduced_pence} pence is not below "
                        f"the {offer.amount_pence} offered",
                    )
                )
    elif reduced_pence is not None:
        breaches.append(
            Breach(BreachCode.CHOICE_DETAIL_NOT_WANTED, f"The choice {choice} takes no smaller amount")
        )
    if choice is Reward.CHARITY:
        if charity_name is None or not charity_name.strip():
            breaches.append(
                Breach(BreachCode.CHARITY_NAME_MISSING, "A payment to a charity needs the charity's name")
            )
        else:
            breaches += text_breaches("The charity's name", charity_name, NAME_LENGTH_MAX)
    elif charity_name is not None:
        breaches.append(Breach(BreachCode.CHOICE_DETAIL_NOT_WANTED, f"The choice {choice} takes no charity"))
    return breaches


def money_for_choice(
    choice: Reward,
    offer: PaymentOffer | None,
    on: date,
    *,
    reduced_pence: int | None = None,
    charity_name: str | None = None,
) -> MoneyRecord | None:
    """The money record one attendee's choice leaves, dated ``on``; None when it leaves none.

    ``credits`` leaves none (its credits are posted by the recognition plan, never here); ``decline``
    leaves a note of the declined offer when there was one; only ``payment`` and ``reduced_payment``
    return a ``Payment`` to the member. Raises ``BenefitRulesBroken`` with every breach.
    """
    raise_if_broken(_choice_breaches(choice, offer, reduced_pence, charity_name))
    record = CHOICE_MEANINGS[choice].money_record
    if record is MoneyRecordKind.NONE or offer is None:
        return None
    if record is MoneyRecordKind.DECLINED_PAYMENT:
        return DeclinedPayment(on, offer.description, offer.amount_pence, offer.kind)
    if record is MoneyRecordKind.REDIRECTED_PAYMENT:
        assert charity_name is not None
        return RedirectedPayment(on, offer.description, offer.amount_pence, charity_name.strip())
    amount_pence = offer.amount_pence if reduced_pence is None else reduced_pence
    return Payment(on, offer.description, amount_pence, offer.kind, offer.covers)

"""What a call to record attendance carries, and the checks it needs no database for.

``AttendeeChoice`` is one attendee's minutes and reward choice with what the choice needs;
``OfferTerms`` is the payment the organisation offers, as given (checked into the benefits core's
``PaymentOffer`` when the call is made). ``money_records`` works out, for every attendee at once,
the money record their choice leaves, and refuses with every breach of every attendee.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import CHOICE_MEANINGS, PaymentOffer, Reward, money_for_choice
from timebank.benefits.errors import BenefitRulesBroken, Breach, BreachCode, refusal
from timebank.benefits.money import DeclinedPayment, Payment, PaymentKind, PaymentPeriod, RedirectedPayment
from timebank.benefits.periods import PeriodKind, week_of
from timebank.benefits.spending import default_reward
from timebank.involvement.errors import MemberAccountRequired
from timebank.ledger import rules
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind, AccountState

__all__ = [
    "AttendeeChoice",
    "MoneyRecord",
    "OfferTerms",
    "check_members",
    "check_texts",
    "money_records",
    "with_defaults",
]

MoneyRecord = Payment | DeclinedPayment | RedirectedPayment


@dataclass(frozen=True)
class AttendeeChoice:
    """One attendee: their minutes, their choice, and what the choice needs.

    ``choice`` None means the organisation does not know it: the default applies (``with_defaults``).
    ``reduced_pence`` for ``reduced_payment``; ``charity_name`` for ``charity``; ``acknowledgement``
    for a payment the benefit guard says needs one: a short note or reference of the organisation's
    (the advice given, the form signed).
    """

    account_id: int
    minutes: int
    choice: Reward | None
    reduced_pence: int | None = None
    charity_name: str | None = None
    acknowledgement: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None and bool(self.acknowledgement.strip())

    @property
    def reward(self) -> Reward:
        """The choice, once defaults are filled in; asking before that is a bug."""
        assert self.choice is not None, "the default reward is filled in before the choice is used"
        return self.choice


def with_defaults(
    attendees: Sequence[AttendeeChoice],
    declared: Mapping[int, Collection[str]],
    offer: PaymentOffer | None,
    invited: Collection[int],
) -> tuple[tuple[AttendeeChoice, ...], tuple[int, ...]]:
    """Every attendee with a choice, and the accounts whose choice was the default (B5).

    An attendee whose choice is not given gets the default: time credits (with expenses repaid) for a
    member who declared benefits, and for anyone not invited (a payment goes only to invited
    members); otherwise the organisation's own, which is the payment when it offers one and time
    credits when it does not. So a default tells an organisation nothing about someone it did not
    invite. ``declared`` need only hold invited members.
    """
    resolved: list[AttendeeChoice] = []
    defaulted: list[int] = []
    for attendee in attendees:
        if attendee.choice is None:
            may_be_paid = offer is not None and attendee.account_id in invited
            organisation_default = Reward.PAYMENT if may_be_paid else Reward.CREDITS
            categories = [BenefitCategory(code) for code in declared.get(attendee.account_id, ())]
            choice = default_reward(categories, organisation_default).choice
            attendee = replace(attendee, choice=choice)
            defaulted.append(attendee.account_id)
        resolved.append(attendee)
    return tuple(resolved), tuple(defaulted)


@dataclass(frozen=True)
class OfferTerms:
    """What the organisation offers each attendee who takes a payment (or turns one down), as given.

    Checked when the attendance is recorded (``timebank.benefits.choices.PaymentOffer``), so every
    broken rule is refused by its code like the rest of the call's.
    """

    amount_pence: int
    kind: PaymentKind
    period_kind: PeriodKind
    from_on: date
    to_on: date
    description: str

    @classmethod
    def for_week(cls, amount_pence: int, kind: PaymentKind, on: date, description: str) -> OfferTerms:
        """An offer covering the Monday-start week of ``on``."""
        from_on, to_on = week_of(on)
        return cls(amount_pence, kind, PeriodKind.WEEK, from_on, to_on, description)

    def offer(self) -> PaymentOffer:
        """The checked offer; raises ``BenefitRulesBroken`` with every breach."""
        period = PaymentPeriod(PeriodKind(self.period_kind), self.from_on, self.to_on)
        return PaymentOffer(self.amount_pence, PaymentKind(self.kind), period, self.description.strip())


def check_texts(attendees: Sequence[AttendeeChoice], offer: OfferTerms | None) -> None:
    if offer is not None:
        rules.check_text("offer description", offer.description, DESCRIPTION_LENGTH_MAX)
    for attendee in attendees:
        rules.check_text("charity name", attendee.charity_name, NAME_LENGTH_MAX)
        rules.check_text("acknowledgement", attendee.acknowledgement, NAME_LENGTH_MAX)


def money_records(
    attendees: Sequence[AttendeeChoice], offer: PaymentOffer | None, on: date
) -> list[MoneyRecord | None]:
    """Each attendee's money record (None for credits, or a decline with no offer); every breach."""
    records: list[MoneyRecord | None] = []
    breaches: list[Breach] = []
    for index, attendee in enumerate(attendees):
        if attendee.acknowledgement is not None and not CHOICE_MEANINGS[attendee.reward].pays_member:
            detail = f"Attendee {index + 1} chose {attendee.reward}, which takes no acknowledgement"
            breaches.append(Breach(BreachCode.CHOICE_DETAIL_NOT_WANTED, detail))
        try:
            records.append(
                money_for_choice(
                    attendee.reward,
                    offer,
                    on,
                    reduced_pence=attendee.reduced_pence,
                    charity_name=attendee.charity_name,
                )
            )
        except BenefitRulesBroken as broken:
            breaches += [Breach(b.code, f"Attendee {index + 1}: {b.detail}") for b in broken.breaches]
    if breaches:
        raise refusal(breaches)
    return records


def check_members(locked: Mapping[int, AccountState], attendees: Sequence[AttendeeChoice]) -> None:
    others = [a.account_id for a in attendees if locked[a.account_id].kind is not AccountKind.MEMBER]
    if others:
        raise MemberAccountRequired(f"Only members attend an activity; accounts {others} are not members'")

"""The attendees of one call to record attendance: their defaults, and the checks that need no database.

An attendee's minutes and reward choice come as the request's ``AttendeeChoice``; the payment the
organisation offers as its ``OfferTerms`` (``timebank.involvement.requests``). ``with_defaults``
fills in the choice nobody gave; ``money_records`` works out, for every attendee at once, the money
record their choice leaves, and refuses with every breach of every attendee.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import CHOICE_MEANINGS, PaymentOffer, Reward, money_for_choice
from timebank.benefits.errors import BenefitRulesBroken, Breach, BreachCode, refusal
from timebank.benefits.money import DeclinedPayment, Payment, RedirectedPayment
from timebank.benefits.spending import default_reward
from timebank.involvement.errors import MemberAccountRequired
from timebank.involvement.requests import AttendeeChoice, OfferTerms
from timebank.ledger import rules
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind, AccountState

__all__ = [
    "MoneyRecord",
    "check_members",
    "check_texts",
    "money_records",
    "with_defaults",
]

MoneyRecord = Payment | DeclinedPayment | RedirectedPayment


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
            attendee = attendee.model_copy(update={"choice": choice})
            defaulted.append(attendee.account_id)
        resolved.append(attendee)
    return tuple(resolved), tuple(defaulted)


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
    """Attendees are members' accounts, and members still: whatever they chose, a membership that
    ended takes part in nothing more (``membership_ended`` names every such attendee)."""
    others = [a.account_id for a in attendees if locked[a.account_id].kind is not AccountKind.MEMBER]
    if others:
        raise MemberAccountRequired(f"Only members attend an activity; accounts {others} are not members'")
    rules.check_open(locked[a.account_id] for a in attendees)

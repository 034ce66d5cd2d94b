"""The benefit check on one spend of credits, with the member's declaration read from storage (B5).

``timebank.benefits.spending.check_spend`` needs the member's declared categories and the option's
class. This reads the declaration, runs the check, and records it in the use case's audit trail:
``spend_checked`` always (the option, its class, whether an acknowledgement was needed), and
``spend_acknowledged`` when one was needed and given. The details hold no benefit category.

When goods or a voucher lack the acknowledgement they need, ``guard_spend`` adds ``spend_refused``
and raises ``SpendRefused``, which carries the refusal and the audit rows it must leave out of the
use case: the use case is rolled back, and ``audit.write_refusal_audit`` writes those rows in a
transaction of their own, as a refused payment's are (``timebank.involvement.payment_guard``). The
refusal's detail is the benefits core's advice to the member, which names no benefit.
"""

from __future__ import annotations

from timebank.benefits.categories import BenefitCategory
from timebank.benefits.spending import SpendClass, SpendDecision, check_spend
from timebank.db.repositories import AuditRecord, SpendOptionRecord
from timebank.db.unit_of_work import UnitOfWork
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.spending.errors import SpendAcknowledgementRequired

__all__ = ["SpendRefused", "guard_spend"]

# Said after the advice, so that the member knows where things stand.
_NOTHING_SPENT = "Nothing has been spent yet."


class SpendRefused(Exception):
    """Carries a refused spend out of the rolled-back use case, with the audit rows it must leave."""

    def __init__(self, refusal: SpendAcknowledgementRequired, entries: list[AuditRecord]) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal
        self.entries = entries


def guard_spend(
    uow: UnitOfWork,
    timebank_id: int,
    account_id: int,
    option: SpendOptionRecord,
    acknowledgement: str | None,
    trail: AuditTrail,
) -> SpendDecision:
    """Check the member's spend on ``option``, auditing it; raise ``SpendRefused`` if it may not go ahead."""
    declared = uow.declarations.categories_for(timebank_id, [account_id]).get(account_id, ())
    spend_class = SpendClass(option.spend_class)
    decision = check_spend(
        [BenefitCategory(code) for code in declared], spend_class, acknowledged=acknowledgement is not None
    )
    about = {"spend_option_id": option.spend_option_id, "spend_class": spend_class.value}
    trail.add(
        AuditAction.SPEND_CHECKED, account_id, **about, acknowledgement_needed=decision.acknowledgement_needed
    )
    if decision.allowed:
        if decision.acknowledgement_needed:
            trail.add(AuditAction.SPEND_ACKNOWLEDGED, account_id, **about)
        return decision
    assert decision.acknowledgement_needed
    assert decision.warning is not None
    trail.add(AuditAction.SPEND_REFUSED, account_id, **about)
    refusal = SpendAcknowledgementRequired(f"{decision.warning.text} {_NOTHING_SPENT}")
    raise SpendRefused(refusal, trail.of(AuditAction.SPEND_CHECKED, AuditAction.SPEND_REFUSED))

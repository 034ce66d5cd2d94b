"""The benefits core's broken rules, refused as the ledger's errors of the same code.

``timebank.benefits`` checks its values and raises ``BenefitRulesBroken`` with every breach it
found, each with a stable code. The API maps ledger errors to HTTP in one place, so the services
turn a breach into the ledger error class of the same code (``expense_above_evidence`` is
``ExpenseAboveEvidence``), chosen by the first breach, with every breach in the detail. A breach no
service can meet (a malformed limit schedule, say) has no class of its own and is refused as a
plain ``InvalidRequest`` that still names its code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from timebank.benefits.errors import BenefitRulesBroken, Breach
from timebank.ledger import errors

__all__ = ["benefit_rules", "refusal_for"]


def refusal_for(breaches: Iterable[Breach]) -> errors.InvalidRequest:
    """The ledger error for these breaches: the first one's class, every one in the detail."""
    found = tuple(breaches)
    assert found, "a refusal needs a broken rule"
    cls = errors.all_error_codes().get(found[0].code)
    if cls is None or not issubclass(cls, errors.InvalidRequest) or cls.__subclasses__():
        return errors.InvalidRequest("; ".join(f"{b.code}: {b.detail}" for b in found))
    assert cls is not errors.ImportRejected
    return cls("; ".join(b.detail for b in found))


@contextmanager
def benefit_rules() -> Iterator[None]:
    """Refuse, as a ledger error, whatever the benefits core finds broken inside the block."""
    try:
        yield
    except BenefitRulesBroken as broken:
        raise refusal_for(broken.breaches) from broken

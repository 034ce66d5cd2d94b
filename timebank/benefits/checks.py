"""The small checks every value here shares: whole positive pence, whole minutes, bounded text.

Each returns a list of breaches (empty when the value is fine) so that the value's own check can
gather every problem before refusing. ``bool`` is an ``int`` in Python, so ``True`` pence or minutes
are refused as not whole rather than taken as one. Floats are refused even when whole (``20.0``):
money and time are integers everywhere in timebank, and a float here would be a caller's mistake.
"""

from __future__ import annotations

from timebank.benefits.errors import Breach, BreachCode

__all__ = [
    "PENCE_MAX",
    "is_whole",
    "pence_breaches",
    "text_breaches",
]

# A limit on everything (STYLE 11): no expense, payment or benefit limit in this package is above
# £100,000. Far more than any involvement payment; small enough that sums of many stay exact in a
# 64-bit column.
PENCE_MAX = 10_000_000


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def pence_breaches(name: str, value: object, pence_max: int = PENCE_MAX) -> list[Breach]:
    """Breaches of ``name`` as an amount of money: whole pence, more than zero, at most the limit."""
    if not is_whole(value):
        return [
            Breach(BreachCode.PENCE_MUST_BE_WHOLE, f"{name} must be a whole number of pence, not {value!r}")
        ]
    assert isinstance(value, int)
    if value <= 0:
        return [
            Breach(BreachCode.PENCE_MUST_BE_POSITIVE, f"{name} must be more than zero pence, not {value}")
        ]
    if value > pence_max:
        return [Breach(BreachCode.PENCE_ABOVE_LIMIT, f"{name} is {value} pence; the limit is {pence_max}")]
    return []


def text_breaches(name: str, value: str, length_max: int, *, required: bool = True) -> list[Breach]:
    if required and not value.strip():
        return [Breach(BreachCode.TEXT_REQUIRED, f"{name} is needed")]
    if len(value) > length_max:
        return [
            Breach(BreachCode.TEXT_TOO_LONG, f"{name} is {len(value)} characters; the limit is {length_max}")
        ]
    return []

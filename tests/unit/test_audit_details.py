"""An audit entry's details are codes, numbers and flags; what a person wrote is its note.

The audit log is append-only, so it must hold nothing that erasing a member would have to remove
(DESIGN §9). ``AuditTrail.add`` refuses, as a bug, a detail that reads like words a person typed.
"""

from __future__ import annotations

import pytest

from timebank.involvement.audit import AuditAction, AuditTrail


@pytest.mark.parametrize(
    "details",
    [
        {"activity_id": 7, "choice": "credits", "minutes": 90},
        {"from_on": "2026-01-01", "to_on": "2026-03-31"},
        {"by_coordinator": True, "cut": ["statement", "exchanges"]},
        {"transaction_id": None, "warnings": ["weekly_limit_crossed"]},
    ],
)
def test_details_of_codes_numbers_days_and_flags_are_written(details: dict[str, object]) -> None:
    trail = AuditTrail("login:7")

    trail.add(AuditAction.REWARD_CHOSEN, 3, **details)  # type: ignore[arg-type]

    (entry,) = trail.entries
    assert entry.details == details
    assert entry.note is None


@pytest.mark.parametrize(
    "details",
    [
        {"reason": "Ann asked us to"},
        {"name": "Ann Smith"},
        {"email": "ann@example.org"},
        {"cut": ["statement", "Ann's exchanges"]},
    ],
)
def test_a_detail_that_reads_like_words_is_refused_as_a_bug(details: dict[str, object]) -> None:
    trail = AuditTrail("login:7")

    with pytest.raises(AssertionError, match="free text"):
        trail.add(AuditAction.LOGIN_TURNED_OFF, 3, **details)  # type: ignore[arg-type]
    assert trail.entries == []


def test_what_a_person_wrote_is_the_entrys_note() -> None:
    trail = AuditTrail("login:7")

    trail.add_noted(AuditAction.LOGIN_TURNED_OFF, 3, "Ann asked us to")

    (entry,) = trail.entries
    assert entry.details == {}
    assert entry.note == "Ann asked us to"

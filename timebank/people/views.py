"""What the people use cases return about a timebank."""

from __future__ import annotations

from dataclasses import dataclass

from timebank.views import _Json

__all__ = ["TimebankView"]


@dataclass(frozen=True)
class TimebankView(_Json):
    timebank_id: int
    name: str
    pot_account_id: int

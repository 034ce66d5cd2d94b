"""What use cases return: plain frozen values, easy to turn into JSON and back.

Idempotent use cases store their first answer as JSON and rebuild it on replay, so every view here
round-trips through ``to_json``/``from_json`` unchanged.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Self

__all__ = ["_Json"]


class _Json:
    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = asdict(self)  # type: ignore[call-overload]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**data)

"""What use cases return: one typed view per answer, used as it is by the API and the pages.

A view is a frozen pydantic model. The JSON API declares it as its response model, so the contract
is generated from it; the pages take it as their template's context; an idempotent write keeps it
as JSON and answers it again on a replay (``to_json``/``from_json`` round-trip it exactly). Dates
stay dates and statuses stay enums until the edge writes them. Where the contract names a field
otherwise than the code does (an exchange's ``id`` is ``exchange_id`` in the code, so that it is
never mistaken for another id), the view says so with a serialization alias.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict

__all__ = ["View"]


class View(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The view as JSON values, by the names the code uses (the replay of a keyed write)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data)

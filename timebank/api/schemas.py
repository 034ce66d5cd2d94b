"""The API's own bodies: a refusal as problem+json, and the health check.

Every other body is a use case's: its request (``timebank.<concept>.requests``, built on
``timebank.fields``) and its view (``timebank.<concept>.views``), declared by the routes as they are.
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["Health", "Problem"]


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` names the rule that was broken."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, object]] | None = None
    # An import refused (import_refused): every problem of its files, each with file, row and reason.
    problems: list[dict[str, object]] | None = None


class Health(BaseModel):
    status: str
    database: str

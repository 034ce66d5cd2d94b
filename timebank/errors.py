"""Every way timebank can refuse, in one tree: named for the rule that was broken.

A refusal is never a crash: it is an exception with a stable ``code`` that callers may rely on (the
API puts it in the problem document, the pages in their error summary, tests assert on it) and a
plain-English ``detail``. This module is the root of the tree and its groups, in the order the
checks run: first the request itself (is it well formed?), then what it names (does it exist
here?), then who asks (may they?), then the state it meets (is the exchange still pending?), and
last the limits (would a balance cross its floor?). Each package owns the leaves for its own rules:

    TimebankError              timebank_error
    ├── InvalidRequest         invalid_request: the request breaks a rule on its own
    │       leaves in timebank.ledger.errors (minutes, accounts, receivers, dates, text, limits,
    │       contacts), timebank.benefits.errors (money, expenses, periods, reward choices,
    │       attendance), timebank.exchanges.errors (idempotency keys, imports), timebank.people.errors
    │       (usernames, passwords, tags, roles), timebank.involvement.errors, timebank.spending.errors,
│       timebank.offers.errors (posts, categories, search words),
    │       timebank.reports.errors and timebank.reporting.errors (report windows, ratings),
    │       timebank.paging (cursors, page sizes)
    ├── NotFound               not_found: it does not exist in this timebank (leaves here, below:
    │                          storage and every package meet them)
    ├── NotAllowed             not_allowed: this caller may not do this (ledger, people, involvement)
    ├── StateConflict          state_conflict: the object is not in a state that allows it
    ├── LimitBreached          limit_breached: a balance would leave its limits (ledger)
    ├── IdempotencyConflict    idempotency_conflict (exchanges)
    ├── NotAuthenticated       not_authenticated: we do not know who is asking (people)
    ├── TooManyAttempts        too_many_attempts: slow down (people)
    └── ServerBusy             server_busy: too much slow work at once (timebank.busy)

``all_error_codes`` is the one registry of codes: every class of the tree by its code, read by the
API's problem mapping, the pages' error summaries and storage (which names the rule a database
constraint backs by its code, ``error_class``). Codes are unique across the tree; a class is
registered when its module is imported, and the registry imports every module that holds leaves.

A refused operation changes nothing (invariant L5): use cases raise these before writing, and the
unit of work rolls back whatever was begun.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

__all__ = [
    "AccountNotFound",
    "ActivityNotFound",
    "ApiKeyNotFound",
    "CategoryNotFound",
    "ExchangeNotFound",
    "IdempotencyConflict",
    "InvalidRequest",
    "LimitBreached",
    "MemberNotFound",
    "NotAllowed",
    "NotAuthenticated",
    "NotFound",
    "OrganisationNotFound",
    "PostNotFound",
    "SpendOptionNotFound",
    "StateConflict",
    "TimebankError",
    "TimebankNotFound",
    "TooManyAttempts",
    "TransactionNotFound",
    "all_error_codes",
    "error_class",
    "render_tree",
]

# The modules that hold leaves of the tree, imported by the registry (by name: the pure cores and
# storage import this module, and must not load the use cases by doing so).
_LEAF_MODULES = (
    "timebank.ledger.errors",
    "timebank.benefits.errors",
    "timebank.reports.errors",
    "timebank.paging",
    "timebank.busy",
    "timebank.exchanges.errors",
    "timebank.people.errors",
    "timebank.people.recovery_errors",
    "timebank.people.erasure_errors",
    "timebank.involvement.errors",
    "timebank.spending.errors",
    "timebank.reporting.errors",
    "timebank.notifications.errors",
    "timebank.offers.errors",
    "timebank.imports.errors",
)
_REGISTRY: dict[str, type[TimebankError]] = {}


class TimebankError(Exception):
    """Base of every refusal. ``code`` is stable; ``detail`` is a plain-English sentence."""

    code: ClassVar[str] = "timebank_error"
    title: ClassVar[str] = "The ledger refused this request"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        # Each class names its own code; one written twice is a bug found at import.
        if "code" in cls.__dict__:
            known = _REGISTRY.get(cls.code)
            assert known is None or known.__qualname__ == cls.__qualname__, f"code {cls.code} is taken"
            _REGISTRY[cls.code] = cls

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


_REGISTRY[TimebankError.code] = TimebankError


def all_error_codes() -> dict[str, type[TimebankError]]:
    """Every error class by its code: the whole tree, every package's leaves included."""
    for name in _LEAF_MODULES:
        importlib.import_module(name)
    return dict(_REGISTRY)


def render_tree() -> str:
    """The whole tree as text, one class a line under its parent, with its code and its module.

    ``docs/errors.md`` holds it (``timebank errors --output docs/errors.md`` writes it; a test fails
    when they differ), so a contributor or an integrator reads every code in one place.
    """
    classes = all_error_codes().values()
    children: dict[type[TimebankError], list[type[TimebankError]]] = {}
    for cls in classes:
        if cls is not TimebankError:
            children.setdefault(cls.__bases__[0], []).append(cls)
    lines = [f"TimebankError  {TimebankError.code}"]

    def draw(parent: type[TimebankError], prefix: str) -> None:
        # Groups keep the order the checks run in; leaves within a group go by their code.
        kids = children.get(parent, [])
        if parent is not TimebankError:
            kids = sorted(kids, key=lambda cls: cls.code)
        for index, cls in enumerate(kids):
            last = index == len(kids) - 1
            home = cls.__module__.removeprefix("timebank.")
            lines.append(f"{prefix}{'└── ' if last else '├── '}{cls.__name__}  {cls.code}  ({home})")
            draw(cls, prefix + ("    " if last else "│   "))

    draw(TimebankError, "")
    return "\n".join(lines) + "\n"


def error_class(code: str) -> type[TimebankError]:
    """The class of ``code``; a ``KeyError`` for a code no rule has."""
    if code not in _REGISTRY:
        all_error_codes()
    return _REGISTRY[code]


# --- the groups, in the order the checks run -------------------------------------------------------


class InvalidRequest(TimebankError):
    code = "invalid_request"
    title = "The request breaks a ledger rule"


class NotFound(TimebankError):
    code = "not_found"
    title = "Not found"


class NotAllowed(TimebankError):
    code = "not_allowed"
    title = "You may not do this"


class StateConflict(TimebankError):
    code = "state_conflict"
    title = "Not possible in the current state"


class LimitBreached(TimebankError):
    code = "limit_breached"
    title = "A balance would leave its limits"


class IdempotencyConflict(TimebankError):
    code = "idempotency_conflict"
    title = "Idempotency conflict"


class NotAuthenticated(TimebankError):
    code = "not_authenticated"
    title = "Log in first"


class TooManyAttempts(TimebankError):
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str | None = None, retry_after_seconds: int = 60) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(detail)


# --- what a request names and storage does not find -------------------------------------------------


class TimebankNotFound(NotFound):
    code = "timebank_not_found"
    title = "No such timebank"


class AccountNotFound(NotFound):
    code = "account_not_found"
    title = "No such account in this timebank"


class ExchangeNotFound(NotFound):
    code = "exchange_not_found"
    title = "No such exchange in this timebank"


class TransactionNotFound(NotFound):
    code = "transaction_not_found"
    title = "No such transaction in this timebank"


class MemberNotFound(NotFound):
    code = "member_not_found"
    title = "No such member in this timebank"


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    title = "No such organisation in this timebank"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    title = "No such API key for this organisation"


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    title = "No such activity for this organisation in this timebank"


class SpendOptionNotFound(NotFound):
    code = "spend_option_not_found"
    title = "No such spend option in this timebank"


class CategoryNotFound(NotFound):
    code = "category_not_found"
    title = "No such category in this timebank"


class PostNotFound(NotFound):
    code = "post_not_found"
    title = "No such offer or request in this timebank"

"""A refusal in plain words for people: one sentence, no codes, no schema paths.

The API answers a refusal with a problem document for programs; a person at a terminal or on a page
needs a sentence. A ledger refusal already carries one (its ``detail``). A request that does not fit
its schema carries pydantic's errors, written for developers (``minutes: Input should be a valid
integer``); each is turned here into what a person would say ("Minutes must be a whole number.").
The command line and the pages both use these, so a refusal reads the same wherever it is met.

Pydantic's errors are read as the plain mappings its ``errors()`` returns (``type``, ``loc``,
``ctx``), which FastAPI's request errors share, so nothing here depends on pydantic itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from timebank.benefits.formatting import format_minutes
from timebank.errors import TimebankError

__all__ = ["FieldErrors", "field_sentence", "field_words", "refusal_sentence", "sentence"]

# A refusal that lists many fields names a few: one line must stay readable.
FIELDS_NAMED_MAX = 3

_WHOLE_NUMBER = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}
_DATE = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_YES_OR_NO = {"bool_type", "bool_parsing"}
_NUMBER = {"float_type", "float_parsing", "decimal_type", "decimal_parsing"}


class FieldErrors(Protocol):
    """What pydantic's ``ValidationError`` and FastAPI's ``RequestValidationError`` both offer."""

    def errors(self) -> Sequence[Mapping[str, object]]: ...


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first, a full stop last."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def field_words(name: str) -> str:
    """A field's name as words: ``activity_date`` → ``activity date``, ``account_id`` → ``account number``."""
    if name.endswith("_id"):
        name = name.removesuffix("_id") + " number"
    elif name.endswith("_ids"):
        name = name.removesuffix("_ids") + " numbers"
    return name.replace("_", " ")


def field_sentence(error: Mapping[str, object], name: Callable[[str], str] = field_words) -> str:
    """One of pydantic's errors as a sentence about its field, named by ``name`` (words, by default)."""
    location = error.get("loc", ())
    fields = (
        [part for part in location if isinstance(part, str)] if isinstance(location, tuple | list) else []
    )
    field = fields[-1] if fields else ""
    kind = str(error.get("type", ""))
    context = error.get("ctx")
    ctx: Mapping[str, object] = context if isinstance(context, Mapping) else {}
    what = name(field) if field else "this"
    return sentence(_field_text(field, what, kind, ctx, str(error.get("msg", ""))))


def _field_text(field: str, what: str, kind: str, ctx: Mapping[str, object], message: str) -> str:
    of_minutes = field.endswith("minutes")
    if kind in _WHOLE_NUMBER:
        return f"{what} must be a whole number"
    most_minutes = ctx.get("le")
    if kind in ("less_than_equal", "less_than") and of_minutes and isinstance(most_minutes, int):
        most = format_minutes(most_minutes)
        if field == "minutes":
            return f"the timebank allows at most {most} in one exchange"
        return f"{what} can be at most {most}"
    if kind == "greater_than_equal" and of_minutes and ctx.get("ge") == 1:
        return f"{what} must be more than zero"
    bound_words = {
        "less_than_equal": ("le", "can be at most"),
        "less_than": ("lt", "must be less than"),
        "greater_than_equal": ("ge", "must be at least"),
        "greater_than": ("gt", "must be more than"),
    }
    if kind in bound_words:
        key, words = bound_words[kind]
        return f"{what} {words} {ctx.get(key)}"
    return _shape_text(what, kind, ctx, message)


def _shape_text(what: str, kind: str, ctx: Mapping[str, object], message: str) -> str:
    if kind in _DATE:
        return f"{what} must be a date written as YYYY-MM-DD, such as 2024-05-01"
    if kind in _YES_OR_NO:
        return f"{what} must be true or false"
    if kind in _NUMBER:
        return f"{what} must be a number"
    if kind == "missing":
        return f"{what} is needed"
    if kind == "extra_forbidden":
        return f"{what} is not something we can take here; leave it out"
    if kind == "string_type":
        return f"{what} must be text"
    if kind == "string_too_short":
        least = ctx.get("min_length")
        return f"{what} cannot be empty" if least == 1 else f"{what} needs at least {least} characters"
    if kind == "string_too_long":
        return f"{what} can be at most {ctx.get('max_length')} characters long"
    if kind == "too_short":
        least = ctx.get("min_length")
        return f"{what} must list at least one" if least == 1 else f"{what} must list at least {least}"
    if kind == "too_long":
        return f"{what} can list at most {ctx.get('max_length')}"
    if kind in ("literal_error", "enum"):
        return f"{what} must be {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{what} is not written the way it should be"
    if kind == "json_invalid":
        return "the request is not valid JSON"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    # Anything else: pydantic's own words, which are plain enough, after the field's name.
    return f"{what}: {message[:1].lower()}{message[1:]}" if message else f"{what} is not right"


def refusal_sentence(error: TimebankError | FieldErrors, name: Callable[[str], str] = field_words) -> str:
    """A refusal as one line for a person: the ledger's own sentence, or each field's problem."""
    if isinstance(error, TimebankError):
        return sentence(error.detail)
    found = list(error.errors())
    if not found:
        return "Something in the request is not right."
    said = [field_sentence(e, name) for e in found[:FIELDS_NAMED_MAX]]
    # Two problems with one field (a missing value and its wrong type) are said once.
    line = " ".join(dict.fromkeys(said))
    if len(found) > FIELDS_NAMED_MAX:
        line += f" ({len(found) - FIELDS_NAMED_MAX} more not shown.)"
    return line

"""What a page does with a form: read its fields, and turn every refusal into an error summary.

A refusal reaches the member twice, as the GOV.UK pattern has it: in the error summary at the top
of the page (a link to the field in error) and beside the field itself, in the same plain words
the API's problem documents carry in ``detail``. What the member typed is given back to the form,
so nothing has to be typed again. Fields are read as text and turned into numbers and days here,
with a sentence naming the field when that fails ("Hours must be a whole number, like 2.").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from timebank.errors import TimebankError
from timebank.rendering.refusals import field_sentence, sentence

__all__ = ["FormErrors", "calendar_day", "whole_number"]

# A number a person types into a form: a few digits. Anything longer is not an amount of hours.
_DIGITS_MAX = 6


@dataclass
class FormErrors:
    """The refusals of one form submission, in the order of the fields they name."""

    by_field: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, field_id: str | None, message: str) -> None:
        if field_id is None:
            self.general.append(sentence(message))
        else:
            self.by_field.setdefault(field_id, sentence(message))

    def refusal(self, refused: TimebankError, fields_by_code: Mapping[str, str]) -> None:
        """A use case's refusal, placed beside the field its rule is about (if it is about one)."""
        self.add(fields_by_code.get(refused.code), refused.detail)

    def invalid(
        self, error: ValidationError, fields_by_name: Mapping[str, str], words: Mapping[str, str]
    ) -> None:
        """A request that does not fit its schema, one sentence per field, in the form's words."""
        for item in error.errors():
            location = [part for part in item.get("loc", ()) if isinstance(part, str)]
            name = location[-1] if location else ""
            self.add(
                fields_by_name.get(name),
                field_sentence(item, name=lambda n: words.get(n, n.replace("_", " "))),
            )

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def summary(self) -> list[dict[str, str]]:
        """The error summary's list, for ``govukErrorSummary``: each links to its field."""
        items = [{"text": message, "href": f"#{field_id}"} for field_id, message in self.by_field.items()]
        return [{"text": message} for message in self.general] + items

    def message(self, field_id: str) -> dict[str, str] | None:
        """The message beside a field, for a macro's ``errorMessage``, or None."""
        text = self.by_field.get(field_id)
        return None if text is None else {"text": text}


def whole_number(
    form: Mapping[str, str], name: str, label: str, errors: FormErrors, *, blank_is: int | None = None
) -> int | None:
    """A field that holds a whole number of zero or more, or None with the reason added to ``errors``."""
    text = form.get(name, "").strip()
    if not text:
        if blank_is is not None:
            return blank_is
        errors.add(name, f"Enter {label.lower()}")
        return None
    if not text.isascii() or not text.isdigit() or len(text) > _DIGITS_MAX:
        errors.add(name, f"{label} must be a whole number, like 2")
        return None
    return int(text)


def calendar_day(form: Mapping[str, str], prefix: str, label: str, errors: FormErrors) -> date | None:
    """A day typed as three boxes (``prefix-day``, ``prefix-month``, ``prefix-year``), or None."""
    parts = [form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        errors.add(f"{prefix}-day", f"Enter {label.lower()}")
        return None
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        errors.add(f"{prefix}-day", f"{label} must be a real date, like 27 3 2026")
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        errors.add(f"{prefix}-day", f"{label} must be a real date, like 27 3 2026")
        return None

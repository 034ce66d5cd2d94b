"""What a coordinator asks the Reports page for: a period and a group, read from its GET form.

The period is one of four choices (``period``): the last 90 days (the default, and the period the
RED/AMBER/GREEN colours are set for), the last 12 months, this year so far, or dates typed in GOV.UK
date inputs (``from-day``, ``from-month``, ``from-year`` and the same for ``to``). Links the page
makes (the downloads, the printable version) carry the dates as ``from=YYYY-MM-DD&to=YYYY-MM-DD``
instead, which read the same. The "to" date is the period's last day, as a person says it; the
report's own window ends the day after (``to_on``, exclusive).

The group (``group``) is all members, the members with a tag (``tag``), or an organisation with its
staff (``organisation``, an id from the page's list). Asking for both a tag and an organisation
cannot happen: only the chosen group's field is read.

Refused, each beside its field and in the error summary: a date that is not a real one, a period
that ends before it starts, one in the future, one longer than a report covers
(``REPORT_WINDOW_DAYS_MAX``), a tag that cannot be one, and a group not chosen from the list. An
organisation of another timebank is left for the use case to find missing (a 404 page), as every
other page does with another timebank's ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from timebank.reporting.reports import REPORT_WINDOW_DAYS_MAX
from timebank.reports import Group, OrganisationGroup, TagGroup
from timebank.web.forms import FormErrors, calendar_day

__all__ = ["PERIODS", "ReportChoice", "read_choice"]

# The period choices, as the radios offer them.
PERIODS = {
    "90-days": "The last 90 days",
    "12-months": "The last 12 months",
    "this-year": "This year so far",
    "dates": "Choose the dates",
}
DEFAULT_PERIOD = "90-days"
DEFAULT_DAYS = 90
_GROUPS = ("all", "tag", "organisation")
_TAG = re.compile(r"[a-z0-9_]{1,50}")
# Years a person may mean: outside these a date is a typing slip.
_YEAR_MIN = 1970
_YEAR_MAX = 2999
_BAD_DATE = "{label} must be a real date, like 27 3 2026"
_LONGEST_YEARS = REPORT_WINDOW_DAYS_MAX // 366


@dataclass(frozen=True)
class ReportChoice:
    """The form as typed (``typed``, shown back), and the window and group it names if it is valid."""

    typed: dict[str, str]
    period: str
    from_on: date | None = None
    last_on: date | None = None  # the window's last day; the report's to_on is the day after
    group: Group | None = None

    @property
    def valid(self) -> bool:
        return self.from_on is not None and self.last_on is not None

    @property
    def to_on(self) -> date:
        assert self.last_on is not None
        return self.last_on + timedelta(days=1)

    def query(self) -> str:
        """The choice as a link's query string, the dates written out (what downloads carry)."""
        assert self.from_on is not None and self.last_on is not None
        fields = {"period": "dates", "from": self.from_on.isoformat(), "to": self.last_on.isoformat()}
        if isinstance(self.group, TagGroup):
            fields.update(group="tag", tag=self.group.tag)
        elif isinstance(self.group, OrganisationGroup):
            fields.update(group="organisation", organisation=str(self.group.organisation_id))
        return urlencode(fields)


def read_choice(query: Mapping[str, str], today: date, errors: FormErrors) -> ReportChoice:
    """The period and group asked for, or the reasons they cannot be reported, added to ``errors``."""
    typed = {name: query.get(name, "") for name in _FIELDS}
    period = query.get("period") or ("dates" if query.get("from") or query.get("to") else DEFAULT_PERIOD)
    if period not in PERIODS:
        errors.add("period", "Choose a period from the list")
        period = DEFAULT_PERIOD
    typed["period"] = period
    window = _window(query, period, today, errors)
    group = _group(query, errors)
    typed["group"] = query.get("group") or "all"
    if window is not None:
        for prefix, on in zip(("from", "to"), window, strict=True):
            if period == "dates" and not any(typed[box] for box in _boxes(prefix)):
                typed.update(zip(_boxes(prefix), (str(on.day), str(on.month), str(on.year)), strict=True))
    if errors or window is None:
        return ReportChoice(typed, period)
    return ReportChoice(typed, period, window[0], window[1], group)


def _window(
    query: Mapping[str, str], period: str, today: date, errors: FormErrors
) -> tuple[date, date] | None:
    if period == "90-days":
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    if period == "12-months":
        return _year_before(today), today
    if period == "this-year":
        return today.replace(month=1, day=1), today
    from_on = _day(query, "from", "The start date", errors)
    last_on = _day(query, "to", "The end date", errors)
    if from_on is None or last_on is None:
        return None
    if from_on > today:
        errors.add("from-day", "The start date must be today or earlier")
    if last_on > today:
        errors.add("to-day", "The end date must be today or earlier")
    if last_on < from_on:
        errors.add("to-day", "The end date must be the same as or after the start date")
    elif (last_on - from_on).days + 1 > REPORT_WINDOW_DAYS_MAX:
        errors.add(
            "from-day", f"A report can cover {_LONGEST_YEARS} years at most. Choose a later start date"
        )
    return None if errors else (from_on, last_on)


def _group(query: Mapping[str, str], errors: FormErrors) -> Group | None:
    chosen = query.get("group") or "all"
    if chosen not in _GROUPS:
        errors.add("group", "Choose who the report is about")
        return None
    if chosen == "tag":
        tag = query.get("tag", "").strip()
        if not tag:
            errors.add("tag", "Enter a tag, like uses_services")
        elif not _TAG.fullmatch(tag):
            errors.add("tag", "A tag has only small letters, numbers and underscores, like uses_services")
        else:
            return TagGroup(tag)
    if chosen == "organisation":
        text = query.get("organisation", "").strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0):
            errors.add("organisation", "Choose an organisation from the list")
        else:
            return OrganisationGroup(int(text))
    return None


def _day(query: Mapping[str, str], prefix: str, label: str, errors: FormErrors) -> date | None:
    if any(query.get(box) for box in _boxes(prefix)) or not query.get(prefix):
        on = calendar_day(query, prefix, label, errors)
    else:
        on = _iso_day(query[prefix])
        if on is None:
            errors.add(f"{prefix}-day", _BAD_DATE.format(label=label))
    if on is not None and not _YEAR_MIN <= on.year <= _YEAR_MAX:
        errors.add(f"{prefix}-day", _BAD_DATE.format(label=label))
        return None
    return on


def _iso_day(text: str) -> date | None:
    if len(text) != len("2026-03-27") or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _year_before(today: date) -> date:
    """The day after the same day a year earlier: twelve months up to and including today."""
    try:
        return today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year earlier there is no such day
        return today.replace(year=today.year - 1, day=28) + timedelta(days=1)


def _boxes(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")


_FIELDS = (*_boxes("from"), *_boxes("to"), "tag", "organisation")

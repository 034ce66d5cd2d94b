"""Reading the settings page's two forms into the use cases' requests, with a refusal per field.

The timebank's settings (``timebank.people.requests.UpdateTimebank``) are typed as a person says
them: limits in hours and minutes (a floor as "how far below zero", turned into the negative minutes
the ledger keeps), days as whole numbers, yes-or-no settings and what happens to a leaving member's
balance as radios, contact details as text. A
member's cap left blank means no cap. The report's ratings
(``timebank.reporting.requests.SetReportRatings``) are whole percent, two per figure; a figure left
blank, or typed as its default, stays on the default, so the form never turns defaults into the
timebank's own by being saved. Each refusal is placed beside its box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from timebank.people.requests import UpdateTimebank
from timebank.people.views import TimebankView
from timebank.reporting.requests import SetReportRatings
from timebank.reporting.views import ReportRatingsView
from timebank.reports import DEFAULT_THRESHOLDS, LOWER_IS_BETTER, RatedFigureName
from timebank.web.forms import FormErrors, whole_number

__all__ = [
    "FIGURES",
    "SETTINGS_FIELDS_BY_CODE",
    "RatingsAnswers",
    "SettingsAnswers",
    "ratings_form",
    "read_ratings",
    "read_settings",
    "settings_form",
]

# The limits typed in hours and minutes: the form's prefix, the setting, and whether it is a floor
# (kept below zero, typed as how far below).
_DURATIONS = (
    ("member_floor", "default_member_floor_minutes", True),
    ("member_cap", "default_member_cap_minutes", False),
    ("organisation_floor", "default_organisation_floor_minutes", True),
    ("transfer_max", "minutes_per_transfer_max", False),
)
_LABELS = {
    "member_floor": "How far below zero a new member can go",
    "member_cap": "The most credits a new member can hold",
    "organisation_floor": "How far below zero a new organisation can go",
    "transfer_max": "The longest exchange",
    "pending_expiry_days": "Days an exchange waits",
    "backdate_days_max": "Days back an exchange can be dated",
}
# Where a refusal from the request's type or the use case belongs on the form.
_FIELDS_BY_NAME = {
    "name": "name",
    "default_member_floor_minutes": "member_floor-hours",
    "default_member_cap_minutes": "member_cap-hours",
    "default_organisation_floor_minutes": "organisation_floor-hours",
    "minutes_per_transfer_max": "transfer_max-hours",
    "pending_expiry_days": "pending_expiry_days",
    "backdate_days_max": "backdate_days_max",
    "contact_address": "contact_address",
    "contact_email": "contact_email",
    "contact_phone": "contact_phone",
}
_WORDS = {
    "name": "the name",
    "default_member_floor_minutes": "how far below zero a new member can go",
    "default_member_cap_minutes": "the most credits a new member can hold",
    "default_organisation_floor_minutes": "how far below zero a new organisation can go",
    "minutes_per_transfer_max": "the longest exchange",
    "pending_expiry_days": "the days an exchange waits",
    "backdate_days_max": "the days back an exchange can be dated",
    "contact_address": "the address",
    "contact_email": "the email address",
    "contact_phone": "the phone number",
}
SETTINGS_FIELDS_BY_CODE = {
    "email_invalid": "contact_email",
    "phone_invalid": "contact_phone",
    "minutes_above_transfer_limit": "transfer_max-hours",
    "minutes_must_be_positive": "transfer_max-hours",
}

# Each rated figure: its name on the page, and what it measures, in one sentence.
FIGURES: dict[RatedFigureName, tuple[str, str]] = {
    RatedFigureName.ACTIVE_RATE: (
        "Active members",
        "The share of members who gave or received help in the month.",
    ),
    RatedFigureName.TWO_WAY_RATE: (
        "Members who both give and receive",
        "The share of active members who both gave and received help.",
    ),
    RatedFigureName.USES_SERVICES_GIVING_RATE: (
        "Members who use services and also give",
        "The share of members tagged as using services who gave help.",
    ),
    RatedFigureName.LARGEST_SCC_SHARE: (
        "Members in the biggest circle",
        "The share of active members in the biggest group where help goes round and comes back.",
    ),
    RatedFigureName.TOP20_SHARE: (
        "Hours given by the busiest fifth",
        "The share of all hours given by the busiest one in five members. Lower is better here.",
    ),
}


@dataclass
class SettingsAnswers:
    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    request: UpdateTimebank | None = None


@dataclass
class RatingsAnswers:
    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    request: SetReportRatings | None = None


def settings_form(timebank: TimebankView) -> dict[str, str]:
    """The settings as the form shows them before anything is typed."""
    form = {
        "name": timebank.name,
        "pending_expiry_days": str(timebank.pending_expiry_days),
        "backdate_days_max": str(timebank.backdate_days_max),
        "auto_confirm": "yes" if timebank.auto_confirm_pending else "no",
        "require_both_sides": "yes" if timebank.require_both_sides else "no",
        "balance_on_leaving": timebank.balance_on_leaving.value,
        "contact_address": timebank.contact_address or "",
        "contact_email": timebank.contact_email or "",
        "contact_phone": timebank.contact_phone or "",
    }
    for prefix, name, is_floor in _DURATIONS:
        minutes: int | None = getattr(timebank, name)
        if minutes is None:
            form[f"{prefix}-hours"] = form[f"{prefix}-minutes"] = ""
            continue
        hours, rest = divmod(-minutes if is_floor else minutes, 60)
        form[f"{prefix}-hours"], form[f"{prefix}-minutes"] = str(hours), str(rest)
    return form


def _minutes(form: Mapping[str, str], prefix: str, errors: FormErrors, *, blank_allowed: bool) -> int | None:
    """Hours and minutes typed in two boxes, as minutes; None when refused, or blank and allowed."""
    if not form.get(f"{prefix}-hours", "").strip() and not form.get(f"{prefix}-minutes", "").strip():
        if not blank_allowed:
            errors.add(f"{prefix}-hours", f"Enter {_LABELS[prefix].lower()}, in hours and minutes")
        return None
    hours = whole_number(form, f"{prefix}-hours", "Hours", errors, blank_is=0)
    minutes = whole_number(form, f"{prefix}-minutes", "Minutes", errors, blank_is=0)
    if minutes is not None and minutes >= 60:
        errors.add(f"{prefix}-minutes", "Minutes must be 59 or fewer. Put whole hours in the hours box")
        return None
    if hours is None or minutes is None:
        return None
    return hours * 60 + minutes


def _yes_no(form: Mapping[str, str], name: str, question: str, errors: FormErrors) -> bool | None:
    answer = form.get(name)
    if answer not in ("yes", "no"):
        errors.add(name, f"Choose yes or no for {question}")
        return None
    return answer == "yes"


def read_settings(form: dict[str, str]) -> SettingsAnswers:
    answers = SettingsAnswers(form=form)
    errors = answers.errors
    body: dict[str, Any] = {"name": form.get("name", "").strip()}
    if not body["name"]:
        errors.add("name", "Enter the timebank's name")
    for prefix, name, is_floor in _DURATIONS:
        # Only the cap may be left blank: it means no cap.
        minutes = _minutes(form, prefix, errors, blank_allowed=prefix == "member_cap")
        body[name] = None if minutes is None else (-minutes if is_floor else minutes)
    for name in ("pending_expiry_days", "backdate_days_max"):
        body[name] = whole_number(form, name, _LABELS[name], errors)
    body["auto_confirm_pending"] = _yes_no(form, "auto_confirm", "what happens when the time is up", errors)
    body["require_both_sides"] = _yes_no(form, "require_both_sides", "whether both sides confirm", errors)
    body["balance_on_leaving"] = form.get("balance_on_leaving")
    if body["balance_on_leaving"] not in ("kept", "to_pot"):
        errors.add("balance_on_leaving", "Choose what happens to a member's balance when they leave")
    for name in ("contact_address", "contact_email", "contact_phone"):
        body[name] = form.get(name, "").strip() or None
    if errors:
        return answers
    try:
        answers.request = UpdateTimebank.model_validate(body)
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
    return answers


def ratings_form(ratings: ReportRatingsView) -> dict[str, str]:
    form: dict[str, str] = {}
    for figure in RatedFigureName:
        shown = getattr(ratings, figure.value)
        if figure in LOWER_IS_BETTER:
            form[f"{figure.value}-green"] = str(shown.green_below_percent)
            form[f"{figure.value}-red"] = str(shown.red_above_percent)
        else:
            form[f"{figure.value}-amber"] = str(shown.amber_from_percent)
            form[f"{figure.value}-green"] = str(shown.green_from_percent)
    return form


def _percent(form: Mapping[str, str], name: str, errors: FormErrors) -> int | None:
    value = whole_number(form, name, "The percentage", errors)
    if value is not None and value > 100:
        errors.add(name, "The percentage must be 100 or less")
        return None
    return value


def _figure(form: Mapping[str, str], figure: RatedFigureName, errors: FormErrors) -> dict[str, int] | None:
    """One figure's thresholds as typed; None when left blank or typed as the default."""
    lower = figure in LOWER_IS_BETTER
    first, second = ("green", "red") if lower else ("amber", "green")
    names = (f"{figure.value}-{first}", f"{figure.value}-{second}")
    if not any(form.get(name, "").strip() for name in names):
        return None
    low, high = (_percent(form, name, errors) for name in names)
    if low is None or high is None:
        return None
    default = DEFAULT_THRESHOLDS.boundaries(figure)
    if lower:
        if low > high:
            errors.add(names[0], "Green must end at or below where red begins")
            return None
        if (high, low) == (default.red_amber_percent, default.amber_green_percent):
            return None
        return {"green_below_percent": low, "red_above_percent": high}
    if low > high:
        errors.add(names[0], "Amber must start at or below where green starts")
        return None
    if (low, high) == (default.red_amber_percent, default.amber_green_percent):
        return None
    return {"amber_from_percent": low, "green_from_percent": high}


def read_ratings(form: dict[str, str]) -> RatingsAnswers:
    answers = RatingsAnswers(form=form)
    body = {figure.value: _figure(form, figure, answers.errors) for figure in RatedFigureName}
    if answers.errors:
        return answers
    try:
        answers.request = SetReportRatings.model_validate(body)
    except ValidationError as error:
        answers.errors.invalid(error, {}, {})
    return answers

"""Everything held about a member as a ZIP of JSON and CSV files, with a README that explains them.

The use case (``timebank.people.member_data``) reads it; this draws it, and does nothing else. A
member opens the ZIP on a phone or a library computer, so each file is one thing, named plainly:
two small JSON files for what there is one of (the profile, the benefits declaration) and a CSV for
each list, which any spreadsheet opens. ``README.txt`` says in plain English what each file holds
and what each column means; it is written from the same table (``CSV_FILES``) as the files, so the
two cannot drift apart.

Text people typed goes through ``spreadsheet_text`` (a leading apostrophe before ``=``, ``+``,
``-`` or ``@``) so no cell runs as a formula. Times are ISO 8601 in UTC; days are ``YYYY-MM-DD``;
credits are whole minutes and money whole pence, in columns of their own, never added together.
The ZIP's entries carry the moment the data was read, so the same data always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from timebank.rendering.statement_lines import line_what, spreadsheet_text
from timebank.rendering.zip_files import zip_entry

__all__ = ["CSV_FILES", "JSON_FILES", "README_NAME", "MemberDataLike", "member_data_zip"]

README_NAME = "README.txt"

Cell = str | int | None


class MemberDataLike(Protocol):
    """What ``timebank.people.member_data.MemberData`` holds (rendering imports no use case)."""

    @property
    def read_at(self) -> datetime: ...
    @property
    def profile(self) -> Any: ...
    @property
    def declaration(self) -> Any: ...
    @property
    def declared_labels(self) -> tuple[str, ...]: ...
    @property
    def organisation_names(self) -> Mapping[int, str]: ...
    @property
    def cut(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    cell: Callable[[Any, MemberDataLike], Cell]


@dataclass(frozen=True)
class CsvFile:
    name: str
    holds: str
    rows: Callable[[Any], Iterable[Any]]  # the view's list this file is drawn from
    columns: tuple[Column, ...]


def _text(value: str | None) -> str | None:
    return None if value is None else spreadsheet_text(value)


def _moment(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _field(name: str, meaning: str) -> Column:
    """A column that is the row's own value: a number, or text that is passed through the guard."""

    def cell(row: Any, _: MemberDataLike) -> Cell:
        value = getattr(row, name)
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, bool):
            return "yes" if value else "no"
        return _text(value) if isinstance(value, str) else value

    return Column(name, meaning, cell)


def _organisation(row: Any, data: MemberDataLike) -> Cell:
    return _text(data.organisation_names[row.organisation_id])


def _named(row: Any, _: MemberDataLike) -> Cell:
    return _text(row.organisation_name)


_ORGANISATION = Column("organisation", "The organisation it came from.", _organisation)
_RAN_IT = Column("organisation", "The organisation that ran it.", _named)

CSV_FILES: tuple[CsvFile, ...] = (
    CsvFile(
        "exchanges.csv",
        "Every exchange you were part of, as the giver or as a receiver. Newest first.",
        lambda data: data.exchanges,
        (
            _field("exchange_id", "The exchange's number in our records."),
            _field("role", "giver if you gave the time, receiver if you received it."),
            _field("other_party", "Who you exchanged with, by the name they use here."),
            _field("minutes", "The time in whole minutes (for a receiver, your own share)."),
            _field("status", "pending, confirmed, declined, cancelled, expired or reversed."),
            _field("activity_date", "The day the help was given."),
            _field("description", "What the help was, as it was recorded."),
            _field("category", "The kind of help, if one was chosen."),
            _field("recorded_at", "When it was recorded (UTC)."),
            _field("reversal_reason", "If a coordinator reversed it, the reason they gave."),
        ),
    ),
    CsvFile(
        "statement.csv",
        "Every line of your statement, oldest first, with your balance after each line.",
        lambda data: data.statement,
        (
            _field("posted_at", "When the credits moved (UTC)."),
            _field("activity_date", "The day of the exchange or activity, if there was one."),
            _field(
                "kind",
                "exchange, gift, pot_donation, pot_grant, recognition, reversal, membership_end "
                "(the balance settled with the pot as the membership ended) or opening_balance "
                "(the balance brought from the timebank's earlier records).",
            ),
            Column("with", "The other side, by name.", lambda row, _: _text(row.counterparty_name)),
            Column("description", "What the line was for.", lambda row, _: _text(line_what(row))),
            Column("minutes_in", "Credits that came in, in minutes.", lambda row, _: max(row.minutes, 0)),
            Column("minutes_out", "Credits that went out, in minutes.", lambda row, _: max(-row.minutes, 0)),
            _field("balance_after_minutes", "Your balance just after this line, in minutes."),
        ),
    ),
    CsvFile(
        "activities.csv",
        "Activities you took part in, such as a forum or a panel, and what you chose for each.",
        lambda data: data.attended,
        (
            _field("activity_id", "The activity's number in our records."),
            _field("title", "The activity's name."),
            _field("held_on", "The day it was held."),
            Column(
                "organisation", "The organisation that ran it.", lambda row, _: _text(row.organisation_name)
            ),
            _field("minutes", "The time you gave, in minutes."),
            _field("reward", "What you chose: credits, payment, reduced_payment, decline or charity."),
            _field("chosen_at", "When your choice was recorded (UTC)."),
        ),
    ),
    CsvFile(
        "invitations.csv",
        "Activities you were invited to.",
        lambda data: data.invited,
        (
            _field("activity_id", "The activity's number in our records."),
            _field("title", "The activity's name."),
            _field("held_on", "The day it was held."),
            Column(
                "organisation", "The organisation that ran it.", lambda row, _: _text(row.organisation_name)
            ),
            _field("invited_at", "When you were invited (UTC)."),
        ),
    ),
    CsvFile(
        "expenses.csv",
        "Money paid back to you for costs you had. This is money, not credits.",
        lambda data: data.expenses,
        (
            _field("incurred_on", "The day you had the cost."),
            _ORGANISATION,
            _field("description", "What the cost was."),
            _field("amount_pence", "The amount paid back, in pence."),
            _field("evidence_kind", "receipt or mileage."),
            _field("receipt_reference", "The receipt's reference, for a receipt."),
            _field("journey", "The journey, for mileage."),
            _field("miles", "The miles, for mileage."),
            _field("pence_per_mile", "The rate per mile in pence, for mileage."),
        ),
    ),
    CsvFile(
        "payments.csv",
        "Payments made to you for taking part. This is money, not credits.",
        lambda data: data.payments,
        (
            _field("paid_on", "The day it was paid."),
            _ORGANISATION,
            _field("description", "What it was for."),
            _field("amount_pence", "The amount, in pence."),
            _field("offered_pence", "The amount offered, if you took less."),
            _field("kind", "cash, voucher or gift."),
            _field("worked_minutes", "The time it was for, in minutes."),
        ),
    ),
    CsvFile(
        "declined_payments.csv",
        "Payments you turned down, or asked to be given to a charity.",
        lambda data: data.declined,
        (
            _field("declined_on", "The day you chose."),
            _ORGANISATION,
            _field("choice", "decline, or charity."),
            _field("description", "What it was for."),
            _field("offered_pence", "The amount offered, in pence, if one was."),
            _field("kind", "cash, voucher or gift, if known."),
            _field("charity_name", "The charity it went to, if you chose one."),
        ),
    ),
    CsvFile(
        "spends.csv",
        "Things you spent credits on that an organisation offers.",
        lambda data: data.spent,
        (
            _field("spent_at", "When you spent them (UTC)."),
            _field("exchange_id", "The exchange that moved the credits (see exchanges.csv)."),
            _field("option_title", "What you spent them on."),
            Column(
                "organisation",
                "The organisation that offers it.",
                lambda row, _: _text(row.organisation_name),
            ),
            _field("spend_class", "member_time, community_activity, goods or voucher."),
            _field("acknowledgement", "What you agreed to first, if you had to agree to anything."),
        ),
    ),
    CsvFile(
        "offers_and_requests.csv",
        "What you offered to do for others, and what you asked for help with.",
        lambda data: data.posts,
        (
            _field("post_id", "Its number."),
            _field("kind", "offer or request."),
            _field("category_name", "Its category."),
            _field("title", "Its title."),
            _field("description", "What you wrote about it."),
            _field("area", "Where, if you said."),
            _field("availability", "When, if you said."),
            _field("expires_on", "The last day it is shown."),
            _field("status", "open or closed."),
            _field("created_at", "When it was posted (UTC)."),
            _field("hidden_at", "When a coordinator hid it, if they did (UTC)."),
            _field("hidden_reason", "Why a coordinator hid it, if they did."),
        ),
    ),
    CsvFile(
        "audit_log.csv",
        "Our log of things done about you: checks, choices, reads of your records, and downloads.",
        lambda data: data.audit,
        (
            _field("at", "When it happened (UTC)."),
            _field("action", "What happened, as a short code."),
            _field("actor", "Who did it: a login number (login:7) or an organisation's key (api_key:3)."),
            Column(
                "details",
                "More about it, as JSON: numbers and codes, never your benefits.",
                lambda row, _: json.dumps(row.details, sort_keys=True),
            ),
            Column(
                "note",
                "What the person who did it wrote, such as a reason, if they wrote anything.",
                lambda row, _: _text(row.note),
            ),
        ),
    ),
)

JSON_FILES: Mapping[str, str] = {
    "profile.json": (
        "Your details: your name and username, your roles and tags, the organisations you are staff"
        " of, your limits and balance in minutes, your email address and when you checked it, the"
        " messages you get and the ones you stopped, when you joined, and, if your membership has"
        " ended, its last day and the reason a coordinator recorded."
    ),
    "benefits_declaration.json": (
        "The benefits you told us about, if you did. Only you and your coordinators can see it."
        ' If you told us nothing, "declared" is false.'
    ),
}


def _profile_json(data: MemberDataLike) -> dict[str, Any]:
    p = data.profile
    return {
        "member_id": p.member_id,
        "account_id": p.account_id,
        "timebank": p.timebank_name,
        "display_name": p.display_name,
        "username": p.username,
        "roles": list(p.roles),
        "tags": list(p.tags),
        "staff_of": list(p.staff_of),
        "login_turned_off_at": _moment(p.login_turned_off_at),
        "floor_minutes": p.floor_minutes,
        "cap_minutes": p.cap_minutes,
        "balance_minutes": p.balance_minutes,
        "earned_minutes": p.earned_minutes,
        "spent_minutes": p.spent_minutes,
        "email": p.email,
        "email_checked": p.email_checked_at is not None,
        "email_checked_at": _moment(p.email_checked_at),
        "messages_wanted": list(p.messages_wanted),
        "messages_stopped": list(p.messages_stopped),
        "joined_at": _moment(p.joined_at),
        "membership_ended_on": None if p.membership_ended_on is None else p.membership_ended_on.isoformat(),
        "membership_end_reason": p.membership_end_reason,
    }


def _declaration_json(data: MemberDataLike) -> dict[str, Any]:
    declaration = data.declaration
    if declaration is None:
        return {"declared": False, "categories": [], "category_labels": []}
    return {
        "declared": True,
        "categories": list(declaration.categories),
        "category_labels": list(data.declared_labels),
        "declared_at": _moment(declaration.declared_at),
        "set_for_you_by_a_coordinator": declaration.set_for_member,
    }


def _csv(file: CsvFile, data: MemberDataLike) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(column.name for column in file.columns)
    for row in file.rows(data):
        writer.writerow(column.cell(row, data) for column in file.columns)
    return out.getvalue()


def _readme(data: MemberDataLike) -> str:
    lines = [
        f"Everything {data.profile.timebank_name} holds about {data.profile.display_name}",
        f"Read on {data.read_at.strftime('%d %B %Y at %H:%M')} UTC.",
        "",
        "This folder has a file for each kind of record. CSV files open in any spreadsheet.",
        "JSON files open in any text editor. Times are in UTC. Credits are in whole minutes.",
        "Money is in whole pence. Credits are never money.",
        "",
        "We do not give you your password or login codes: we keep only a scrambled form of them.",
        "",
    ]
    for name, holds in JSON_FILES.items():
        lines += [name, f"  {holds}", ""]
    for file in CSV_FILES:
        lines += [file.name, f"  {file.holds}"]
        if file.name.removesuffix(".csv") in data.cut:
            lines.append("  This list was too long to give in full here. Ask your coordinator for the rest.")
        lines.append("  Columns:")
        lines += [f"  - {column.name}: {column.meaning}" for column in file.columns]
        lines.append("")
    return "\n".join(lines)


def member_data_zip(data: MemberDataLike) -> bytes:
    """The ZIP: README.txt first, then the JSON files, then a CSV for each list."""
    files: list[tuple[str, str]] = [(README_NAME, _readme(data))]
    files.append(("profile.json", json.dumps(_profile_json(data), indent=2, ensure_ascii=False)))
    files.append(
        ("benefits_declaration.json", json.dumps(_declaration_json(data), indent=2, ensure_ascii=False))
    )
    files += [(file.name, _csv(file, data)) for file in CSV_FILES]
    return _zipped(files, data.read_at)


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _zipped(files: Sequence[tuple[str, str]], moment: datetime) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files:
            archive.writestr(zip_entry(name, moment), text.encode("utf-8"))
    return out.getvalue()

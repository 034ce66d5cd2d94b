"""Our own spreadsheet layout: members, exchanges and opening balances as CSV files.

Three files, each with a header row naming its columns (in any order, any case; documented in
``docs/imports.md``, with templates from ``timebank import-template``):

- ``members.csv``: ``name``; optional ``username``, ``email``, ``tags`` (separated by ``;``),
  ``opening_balance`` (minutes or ``h:mm``, ``-`` in front for a balance below zero) and ``number``
  (the member number of someone already here, added by hand, whose history the files bring);
- ``exchanges.csv``: ``date`` (``YYYY-MM-DD``), ``giver``, ``receiver`` (a member's username or
  name), ``time`` (minutes, or ``h:mm``), ``description``;
- ``opening_balances.csv`` (optional): ``member``, ``balance``.

Which file is which is read from its header, not its name. Every row is checked and every problem
listed; a member may be named in exchanges by username, or by name when no two members share it,
or as ``#12`` for member number 12 of the timebank (the use case looks those up).
A member is keyed by username when given, otherwise by name, so two rows for one person are "a
member twice" and refused. Reading is pure: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from timebank.errors import TimebankError
from timebank.imports.csv_text import CsvRow, decode, parse_day, parse_minutes, read_rows
from timebank.imports.errors import Problem
from timebank.imports.plan import ImportPlan, PlannedExchange, PlannedMember, PlannedOpening, SourceFile
from timebank.ledger import rules
from timebank.ledger.contacts import check_contact
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.people.passwords import check_username

__all__ = ["LAYOUTS", "member_key", "read_spreadsheet", "reference_keys"]

SOURCE = "spreadsheet"
# Each file's columns: the required ones, then the optional ones.
LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "members": (("name",), ("username", "email", "tags", "opening_balance", "number")),
    "exchanges": (("date", "giver", "receiver", "time", "description"), ()),
    "opening_balances": (("member", "balance"), ()),
}
_ALIASES = {
    "minutes": "time",
    "hours": "time",
    "opening_balance_minutes": "opening_balance",
    "member_number": "number",
}
_NUMBER = re.compile(r"^#?([0-9]{1,9})$")
_TAG = re.compile(r"^[a-z0-9_]{1,50}$")
_TAGS_MAX = 20


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def member_key(kind: str, value: str) -> str:
    return f"{SOURCE}:{kind}:{_fold(value)}"


def reference_keys(reference: str) -> tuple[str, str]:
    """The keys a member named in an exchange may be stored under: by username, then by name."""
    return member_key("username", reference), member_key("name", reference)


@dataclass
class _Reading:
    today: date
    problems: list[Problem] = field(default_factory=list)
    members: list[PlannedMember] = field(default_factory=list)
    exchanges: list[PlannedExchange] = field(default_factory=list)
    openings: list[PlannedOpening] = field(default_factory=list)

    def problem(self, file: str, row: int | None, reason: str) -> None:
        self.problems.append(Problem(file, row, reason))


def _header(row: CsvRow) -> list[str]:
    names = ["_".join(cell.casefold().split()) for cell in row.cells]
    return [_ALIASES.get(name, name) for name in names]


def _layout_of(header: list[str]) -> str | None:
    for layout, (required, _) in LAYOUTS.items():
        if required[0] in header and (layout != "members" or "giver" not in header):
            return layout
    return None


def read_spreadsheet(files: list[SourceFile], today: date) -> tuple[ImportPlan, list[Problem]]:
    """The plan the files describe, and every problem found in them (an empty list: none)."""
    reading = _Reading(today)
    tables: dict[str, list[tuple[str, list[dict[str, str]], list[int]]]] = {name: [] for name in LAYOUTS}
    for source in files:
        text, problem = decode(source.name, source.content)
        if problem is not None or text is None:
            reading.problems.append(problem or Problem(source.name, None, "The file is empty."))
            continue
        rows, broken = read_rows(source.name, text)
        if broken is not None:
            reading.problems.append(broken)
        if not rows:
            reading.problem(source.name, None, "The file has no header row and no rows.")
            continue
        header = _header(rows[0])
        layout = _layout_of(header)
        if layout is None:
            reading.problem(
                source.name,
                1,
                "The header names none of the layouts: members.csv needs a 'name' column, "
                "exchanges.csv 'date', 'giver', 'receiver', 'time' and 'description', "
                "opening_balances.csv 'member' and 'balance'.",
            )
            continue
        required, _ = LAYOUTS[layout]
        missing = [column for column in required if column not in header]
        if missing:
            reading.problem(source.name, 1, f"Columns missing from the header: {', '.join(missing)}.")
            continue
        records = [dict(zip(header, row.cells, strict=False)) for row in rows[1:]]
        tables[layout].append((source.name, records, [row.line for row in rows[1:]]))
    aliases = _read_members(reading, tables["members"])
    for name, records, lines in tables["exchanges"]:
        _read_exchanges(reading, name, records, lines, aliases)
    for name, records, lines in tables["opening_balances"]:
        for record, line in zip(records, lines, strict=True):
            _read_opening(reading, name, line, record.get("member", ""), record.get("balance", ""), aliases)
    plan = ImportPlan(SOURCE, tuple(reading.members), tuple(reading.exchanges), tuple(reading.openings))
    return plan, reading.problems


def _checked(reading: _Reading, file: str, line: int, check: object, *args: object) -> bool:
    try:
        check(*args)  # type: ignore[operator]
    except TimebankError as error:
        reading.problem(file, line, error.detail)
        return False
    return True


def _read_members(
    reading: _Reading, tables: list[tuple[str, list[dict[str, str]], list[int]]]
) -> dict[str, str]:
    """Read every member row; the names and usernames exchanges may use, to each member's key."""
    by_username: dict[str, tuple[str, int]] = {}
    by_email: dict[str, tuple[str, int]] = {}
    by_name: dict[str, list[tuple[str, int, str]]] = {}
    by_number: dict[int, tuple[str, int]] = {}
    for file, records, lines in tables:
        for record, line in zip(records, lines, strict=True):
            member = _read_member(reading, file, line, record, by_username, by_email, by_name, by_number)
            if member is not None:
                reading.members.append(member)
    aliases: dict[str, str] = {}
    for name, holders in by_name.items():
        if len(holders) == 1:
            aliases[name] = holders[0][2]
    for username in by_username:
        aliases[username] = member_key("username", username)
    return aliases


def _read_member(
    reading: _Reading,
    file: str,
    line: int,
    record: dict[str, str],
    by_username: dict[str, tuple[str, int]],
    by_email: dict[str, tuple[str, int]],
    by_name: dict[str, list[tuple[str, int, str]]],
    by_number: dict[int, tuple[str, int]],
) -> PlannedMember | None:
    name = record.get("name", "")
    username = record.get("username", "") or None
    email = record.get("email", "") or None
    ok = True
    number_ok, number = _number(reading, file, line, record.get("number", "").strip(), by_number)
    ok &= number_ok
    if not name:
        reading.problem(file, line, "The name is empty: every member needs a name.")
        ok = False
    else:
        ok &= _checked(reading, file, line, rules.check_text, "name", name, NAME_LENGTH_MAX)
    if username is not None:
        username = username.lower()
        ok &= _checked(reading, file, line, check_username, username)
        if username in by_username:
            first = by_username[username]
            reading.problem(
                file,
                line,
                f"This member is there twice: the username {username!r} is also on "
                f"{first[0]}, row {first[1]}.",
            )
            ok = False
        by_username.setdefault(username, (file, line))
    if email is not None:
        ok &= _checked(reading, file, line, check_contact, None, email, None)
        folded = email.casefold()
        if folded in by_email:
            first = by_email[folded]
            reading.problem(
                file,
                line,
                f"The email {email!r} is also on {first[0]}, row {first[1]}: one email, one member.",
            )
            ok = False
        by_email.setdefault(folded, (file, line))
    tags = tuple(sorted({t.strip().lower() for t in re.split(r"[;,]", record.get("tags", "")) if t.strip()}))
    bad = [t for t in tags if not _TAG.fullmatch(t)]
    if bad or len(tags) > _TAGS_MAX:
        reading.problem(
            file,
            line,
            f"Tags are at most {_TAGS_MAX} words of lower-case letters, digits and _, separated by ';'.",
        )
        ok = False
    if name and username is None:
        same = by_name.get(_fold(name), [])
        if same:
            first_file, first_line, _ = same[0]
            reading.problem(
                file,
                line,
                f"This member is there twice: {name!r} is also on {first_file}, row {first_line}. "
                "If they are two people, give each a username.",
            )
            ok = False
    if not ok:
        return None
    keys: tuple[str, ...] = (member_key("username", username),) if username else ()
    keys += (member_key("name", name),)
    by_name.setdefault(_fold(name), []).append((file, line, keys[0]))
    opening = record.get("opening_balance", "")
    if opening:
        _read_opening(reading, file, line, None, opening, {}, member=keys[0])
    return PlannedMember(file, line, keys, " ".join(name.split()), email, tags, number)


def _number(
    reading: _Reading, file: str, line: int, text: str, by_number: dict[int, tuple[str, int]]
) -> tuple[bool, int | None]:
    """Whether the row's number is fine, and the number (None when the cell is empty)."""
    if not text:
        return True, None
    match = _NUMBER.fullmatch(text)
    if match is None:
        reading.problem(
            file, line, f"The number {text!r} is not a member number: leave it empty for a new member."
        )
        return False, None
    number = int(match.group(1))
    if number in by_number:
        first = by_number[number]
        reading.problem(
            file, line, f"This member is there twice: number {number} is also on {first[0]}, row {first[1]}."
        )
        return False, None
    by_number[number] = (file, line)
    return True, number


def _resolve(
    reading: _Reading, file: str, line: int, what: str, reference: str, aliases: dict[str, str]
) -> str | None:
    if not reference:
        reading.problem(file, line, f"The {what} is empty: name a member by username or name.")
        return None
    # A member from an earlier import is looked up by the use case under the same keys.
    return (
        aliases.get(_fold(reference)) or aliases.get(reference.lower()) or f"{SOURCE}:ref:{_fold(reference)}"
    )


def _read_exchanges(
    reading: _Reading, file: str, records: list[dict[str, str]], lines: list[int], aliases: dict[str, str]
) -> None:
    for record, line in zip(records, lines, strict=True):
        problems_before = len(reading.problems)
        day = parse_day(record.get("date", ""))
        if day is None:
            reading.problem(
                file, line, f"The date {record.get('date', '')!r} is not a day written YYYY-MM-DD."
            )
        elif day > reading.today:
            reading.problem(
                file, line, f"The date {day.isoformat()} is after today: only help already given is recorded."
            )
        giver = _resolve(reading, file, line, "giver", record.get("giver", ""), aliases)
        receiver = _resolve(reading, file, line, "receiver", record.get("receiver", ""), aliases)
        if giver is not None and giver == receiver:
            reading.problem(file, line, "The giver and the receiver are the same member.")
        minutes = _time(reading, file, line, record.get("time", ""))
        description = record.get("description", "")
        if not description:
            reading.problem(file, line, "The description is empty: say what the help was.")
        else:
            _checked(
                reading, file, line, rules.check_text, "description", description, DESCRIPTION_LENGTH_MAX
            )
        if len(reading.problems) == problems_before:
            assert day is not None and giver is not None and receiver is not None and minutes is not None
            reading.exchanges.append(PlannedExchange(file, line, giver, receiver, minutes, day, description))


def _time(reading: _Reading, file: str, line: int, text: str) -> int | None:
    minutes = parse_minutes(text)
    if minutes is None:
        reading.problem(
            file, line, f"The time {text!r} is not whole minutes (90) or hours and minutes (1:30)."
        )
        return None
    if minutes <= 0:
        reading.problem(file, line, f"The time {text!r} is not more than zero: an exchange gives some time.")
        return None
    return minutes


def _read_opening(
    reading: _Reading,
    file: str,
    line: int,
    reference: str | None,
    text: str,
    aliases: dict[str, str],
    *,
    member: str | None = None,
) -> None:
    minutes = parse_minutes(text.replace(" ", ""))
    if minutes is None:
        reading.problem(
            file, line, f"The balance {text!r} is not whole minutes (-90) or hours and minutes (-1:30)."
        )
        return
    key = member if member is not None else _resolve(reading, file, line, "member", reference or "", aliases)
    if key is not None and minutes != 0:
        reading.openings.append(PlannedOpening(file, line, key, minutes))

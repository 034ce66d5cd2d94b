"""TimeOverflow's files (coopdevs/timeoverflow), read as they are written.

Five kinds of CSV, told apart by their shape, since the headers are in the admin's language:

- the **members** report of "download all" (``app/decorators/report/member_decorator.rb``): a header
  then ``N`` (the member number), username, email, phone, other phone, joined, last login, locale,
  balance (whole **seconds**). Only active members are listed;
- the **transfers** report (``transfer_decorator.rb``): a header then date (``2024-05-01 10:20:30
  +0200``), from, to, post, quantity (``h:mm``). A member is written "name (number)"; an inactive
  member has no number (``"The user isn't active"``), nor a deleted one, and the organisation is
  its name. **It has no reasons**: an exchange is described by its post's title, or as imported;
- the **users** file its importer takes (``app/services/user_importer.rb``), no header: number,
  joined, first name, two surnames, gender, birth date, phone, other phone, email;
- the **transfers** file its importer takes (``transfer_importer.rb``), no header: source number,
  source type, destination number, destination type, amount in **seconds**, date, reason, post;
- the **offers** and **inquiries** reports (``post_decorator.rb``): a header whose first cell is
  empty, then, per category, a row naming it (``-`` for none) and a row per post: number, title,
  tags, "name (number)", created. Only open posts of active members are listed. **They have no
  descriptions**: a post's description here is its title, with its tags.

"Download all" is a ZIP of these reports (``Members_*.csv``, ``Transfers_*.csv``,
``Offers_*.csv``, ``Inquiries_*.csv``); it may be given as it is. Which report holds offers and
which requests is read from the ZIP's names, or else from the header's word for them.

A TimeOverflow transfer moves time from its source to its destination: the destination gave the
help (our giver), the source received it (our receiver). A transfer between two numbered members
becomes an exchange. One with the organisation, an inactive or a deleted member cannot: the
numbered member's side of it becomes part of their **opening balance** from the pot. Where the
members report gives balances, each member's opening balance is their balance less the exchanges
imported for them, so every balance comes over exactly, and reciprocity counts only real exchanges.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from timebank.db.offer_tables import POST_DESCRIPTION_LENGTH_MAX, POST_TITLE_LENGTH_MAX
from timebank.errors import TimebankError
from timebank.imports.csv_text import CsvRow, decode, parse_day, parse_hours_minutes, read_rows
from timebank.imports.errors import Problem
from timebank.imports.plan import (
    IMPORT_FILE_BYTES_MAX,
    ImportPlan,
    PlannedExchange,
    PlannedMember,
    PlannedOpening,
    PlannedPost,
    SourceFile,
)
from timebank.ledger import rules
from timebank.ledger.contacts import check_contact
from timebank.ledger.limits import CATEGORY_LENGTH_MAX, DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = ["DESCRIPTION_WHEN_NONE", "member_key", "read_timeoverflow"]

SOURCE = "timeoverflow"
DESCRIPTION_WHEN_NONE = "Exchange imported from TimeOverflow"
_NUMBERED = re.compile(r"^(.*?)\s*\((\d{1,9})\)$")
_DIGITS = re.compile(r"^-?\d{1,12}$")
_ZIP_ENTRIES_MAX = 20
# The word TimeOverflow's locales (config/locales/*.yml) use for each kind of post, folded: the
# header of a report downloaded alone names its kind in the admin's language.
_POST_WORDS = {
    "offer": {"offer", "offers", "oferta", "ofertas", "offre", "offres", "eskaintza", "eskaintzak"}
    | {"aanbieding", "aanbiedingen", "オファー"},
    "request": {"request", "requests", "inquiry", "inquiries", "demanda", "demandas", "demandes"}
    | {"demande", "eskaera", "eskaerak", "verzoek", "verzoeken", "solicitude", "リクエスト"},
}
_ZIP_POSTS = {"Offers_": "offer", "Inquiries_": "request"}


def member_key(number: str) -> str:
    return f"{SOURCE}:{int(number)}"


@dataclass
class _Reading:
    today: date
    problems: list[Problem] = field(default_factory=list)
    members: dict[str, PlannedMember] = field(default_factory=dict)
    balances: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    exchanges: list[PlannedExchange] = field(default_factory=list)
    # The minutes each member's side of transfers that could not be exchanges moved, and from where.
    apart: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    apart_rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    posts: list[PlannedPost] = field(default_factory=list)
    left_out: int = 0
    notes: list[str] = field(default_factory=list)

    def problem(self, file: str, row: int | None, reason: str) -> None:
        self.problems.append(Problem(file, row, reason))


def _unzipped(source: SourceFile, reading: _Reading) -> list[SourceFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.content))
    except zipfile.BadZipFile:
        reading.problem(source.name, None, "This file is not a ZIP that can be opened.")
        return []
    entries = [e for e in archive.infolist() if not e.is_dir()][:_ZIP_ENTRIES_MAX]
    kept = []
    # What the ZIP says each file unpacks to, added up: a small ZIP may unpack to gigabytes, so the
    # whole is bound as one file is (zipfile never gives more bytes than an entry declares).
    unpacked = 0
    for entry in entries:
        base = entry.filename.rsplit("/", 1)[-1]
        wanted = base.startswith(("Members_", "Transfers_", *_ZIP_POSTS))
        unpacked += entry.file_size if wanted else 0
        if unpacked > IMPORT_FILE_BYTES_MAX:
            reading.problem(
                f"{source.name}/{base}",
                None,
                f"The ZIP unpacks to more than {IMPORT_FILE_BYTES_MAX // 2**20} MB: unpack it and give "
                "its files instead.",
            )
            break
        elif wanted:
            try:
                kept.append(SourceFile(f"{source.name}/{base}", archive.read(entry)))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
                # A damaged entry, an unknown compression or a password: nothing to read.
                reading.problem(f"{source.name}/{base}", None, "This file in the ZIP cannot be unpacked.")
        else:
            reading.notes.append(f"{base} was not imported: it is not a report TimeOverflow puts there.")
    return kept


def read_timeoverflow(files: list[SourceFile], today: date) -> tuple[ImportPlan, list[Problem]]:
    """The plan TimeOverflow's files describe, and every problem found in them."""
    reading = _Reading(today)
    expanded: list[SourceFile] = []
    for source in files:
        expanded.extend(_unzipped(source, reading) if source.content[:4] == b"PK\x03\x04" else [source])
    transfer_files = []
    post_files = []
    for source in expanded:
        text, problem = decode(source.name, source.content)
        if problem is not None or text is None:
            reading.problems.append(problem or Problem(source.name, None, "The file is empty."))
            continue
        rows, broken = read_rows(source.name, text)
        if broken is not None:
            reading.problems.append(broken)
        kind = _kind_of(rows)
        if kind == "members":
            _read_members_report(reading, source.name, rows[1:])
        elif kind == "users":
            _read_users(reading, source.name, rows)
        elif kind in ("transfers", "importer_transfers"):
            transfer_files.append((kind, source.name, rows))
        elif kind == "posts":
            post_files.append((source.name, rows))
        else:
            reading.problem(
                source.name,
                None,
                "This is not a file TimeOverflow makes: the members, transfers, offers or inquiries "
                "report of 'download all', or the users or transfers file its importers take.",
            )
    for kind, name, rows in transfer_files:
        if kind == "transfers":
            _read_transfers_report(reading, name, rows[1:])
        else:
            _read_importer_transfers(reading, name, rows)
    for name, rows in post_files:
        _read_posts_report(reading, name, rows)
    return _plan(reading), reading.problems


def _kind_of(rows: list[CsvRow]) -> str | None:
    if not rows:
        return None
    first = rows[0].cells
    if len(first) == 9 and first[0] == "N":
        return "members"
    if len(first) == 5 and first[0] == "":
        return "posts"
    if len(first) == 5 and not parse_day(first[0]):
        return "transfers"
    if len(first) == 10 and first[0].isdigit():
        return "users"
    if len(first) in (7, 8) and _DIGITS.match(first[4]):
        return "importer_transfers"
    return None


def _add_member(reading: _Reading, file: str, line: int, number: str, name: str, email: str | None) -> None:
    if not number.isdigit():
        reading.problem(file, line, f"The member number {number!r} is not a whole number.")
        return
    key = member_key(number)
    if key in reading.members:
        first = reading.members[key]
        reading.problem(
            file, line, f"Member number {int(number)} is there twice: also on {first.file}, row {first.row}."
        )
        return
    if not name:
        reading.problem(file, line, f"Member number {int(number)} has no name.")
        return
    try:
        rules.check_text("name", name, NAME_LENGTH_MAX)
        email = check_contact(None, email, None).email
    except TimebankError as error:
        reading.problem(file, line, error.detail)
        return
    reading.members[key] = PlannedMember(file, line, (key,), name, email)


def _read_members_report(reading: _Reading, file: str, rows: list[CsvRow]) -> None:
    for row in rows:
        cells = row.cells + ("",) * (9 - len(row.cells))
        _add_member(reading, file, row.line, cells[0], cells[1], cells[2] or None)
        balance = cells[8] or "0"
        if not _DIGITS.match(balance) or int(balance) % 60:
            reading.problem(
                file, row.line, f"The balance {balance!r} is not a whole number of minutes in seconds."
            )
        elif cells[0].isdigit():
            reading.balances[member_key(cells[0])] = (file, row.line, int(balance) // 60)


def _read_users(reading: _Reading, file: str, rows: list[CsvRow]) -> None:
    for row in rows:
        cells = row.cells + ("",) * (10 - len(row.cells))
        name = " ".join(part for part in cells[2:5] if part)
        _add_member(reading, file, row.line, cells[0], name, cells[9] or None)


def _party(reading: _Reading, file: str, line: int, cell: str) -> str | None:
    """The member key of a "name (number)" cell, or None for the organisation or an unnumbered one."""
    found = _NUMBERED.match(cell)
    if found is None:
        return None
    key = member_key(found.group(2))
    if key not in reading.members:
        # No members file named them: the transfer itself does.
        reading.members[key] = PlannedMember(file, line, (key,), found.group(1) or f"Member {found.group(2)}")
    return key


def _transfer(
    reading: _Reading,
    file: str,
    line: int,
    source: str | None,
    target: str | None,
    minutes: int,
    day_text: str,
    description: str,
) -> None:
    """One transfer: an exchange between two numbered members, or a member's side put apart."""
    day = parse_day(day_text)
    if day is None:
        reading.problem(file, line, f"The date {day_text!r} is not a day written YYYY-MM-DD.")
        return
    if day > reading.today:
        reading.problem(file, line, f"The date {day.isoformat()} is after today.")
        return
    if minutes <= 0:
        reading.problem(file, line, "The amount is not more than zero: a transfer moves some time.")
        return
    if source is not None and target is not None:
        if source == target:
            reading.problem(file, line, "The transfer is from a member to themselves.")
            return
        try:
            rules.check_text("description", description, DESCRIPTION_LENGTH_MAX)
        except TimebankError as error:
            reading.problem(file, line, error.detail)
            return
        reading.exchanges.append(PlannedExchange(file, line, target, source, minutes, day, description))
        return
    reading.left_out += 1
    for key, sign in ((source, -1), (target, 1)):
        if key is not None:
            reading.apart[key] += sign * minutes
            reading.apart_rows.setdefault(key, (file, line))


def _read_transfers_report(reading: _Reading, file: str, rows: list[CsvRow]) -> None:
    for row in rows:
        cells = row.cells + ("",) * (5 - len(row.cells))
        minutes = parse_hours_minutes(cells[4])
        if minutes is None:
            reading.problem(file, row.line, f"The quantity {cells[4]!r} is not hours and minutes (1:30).")
            continue
        source = _party(reading, file, row.line, cells[1])
        target = _party(reading, file, row.line, cells[2])
        _transfer(
            reading, file, row.line, source, target, minutes, cells[0], cells[3] or DESCRIPTION_WHEN_NONE
        )
    reading.notes.append(
        f"{file} has no reasons for transfers: each exchange is described by its post's title, "
        f"or as '{DESCRIPTION_WHEN_NONE}'."
    )


def _read_importer_transfers(reading: _Reading, file: str, rows: list[CsvRow]) -> None:
    for row in rows:
        cells = row.cells + ("",) * (8 - len(row.cells))
        seconds = cells[4]
        if not _DIGITS.match(seconds) or int(seconds) % 60:
            reading.problem(
                file, row.line, f"The amount {seconds!r} is not a whole number of minutes in seconds."
            )
            continue
        parties: list[str | None] = []
        for number, kind in ((cells[0], cells[1]), (cells[2], cells[3])):
            if kind.lower() == "organization":
                parties.append(None)
            elif number.isdigit():
                key = member_key(number)
                if key not in reading.members:
                    reading.problem(file, row.line, f"Member number {number} is in no users or members file.")
                parties.append(key)
            else:
                reading.problem(file, row.line, f"The member number {number!r} is not a whole number.")
                parties.append(None)
        _transfer(
            reading,
            file,
            row.line,
            parties[0],
            parties[1],
            int(seconds) // 60,
            cells[5],
            cells[6] or DESCRIPTION_WHEN_NONE,
        )


def _post_kind(file: str, header: tuple[str, ...]) -> str | None:
    base = file.rsplit("/", 1)[-1]
    for prefix, kind in _ZIP_POSTS.items():
        if base.startswith(prefix):
            return kind
    words = {" ".join(header[1].split()).casefold()} if len(header) > 1 else set()
    for kind, known in _POST_WORDS.items():
        if words & known:
            return kind
    return None


def _moment(text: str) -> datetime | None:
    """When a post was made: Rails writes ``2024-05-01 10:20:30 +0200`` (or ``UTC``)."""
    written = text[:-4] + " +0000" if text.endswith(" UTC") else text
    try:
        return datetime.strptime(written, "%Y-%m-%d %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        day = parse_day(text)
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _read_posts_report(reading: _Reading, file: str, rows: list[CsvRow]) -> None:
    """Offers or inquiries, grouped by category: a row naming each category, then its posts."""
    kind = _post_kind(file, rows[0].cells)
    if kind is None:
        reading.problem(
            file,
            1,
            "This looks like TimeOverflow's offers or inquiries, but neither its name nor its header says "
            "which: name the file Offers_….csv or Inquiries_….csv.",
        )
        return
    category: str | None = None
    for row in rows[1:]:
        cells = row.cells + ("",) * (5 - len(row.cells))
        if cells[0] == "":
            category = None if cells[1] in ("", "-") else " ".join(cells[1].split())
            if category is not None and len(category) > CATEGORY_LENGTH_MAX:
                reading.problem(
                    file, row.line, f"The category is longer than {CATEGORY_LENGTH_MAX} characters."
                )
            continue
        _read_post(reading, file, row.line, kind, category, cells)
    if any(post.file == file for post in reading.posts):
        reading.notes.append(
            f"{file} has no descriptions: each {'offer' if kind == 'offer' else 'request'} is described by "
            "its title and tags, open for 90 days."
        )


def _read_post(
    reading: _Reading, file: str, line: int, kind: str, category: str | None, cells: tuple[str, ...]
) -> None:
    number, title, tags, member, created = cells[:5]
    if not number.isdigit():
        reading.problem(file, line, f"The post number {number!r} is not a whole number.")
        return
    member_key_ = _party(reading, file, line, member)
    if member_key_ is None:
        reading.problem(file, line, f"The member {member!r} is not written 'name (number)'.")
        return
    at = _moment(created)
    if at is None:
        reading.problem(file, line, f"The date {created!r} is not a day written YYYY-MM-DD.")
        return
    title = " ".join(title.split())
    description = title + (f"\n\nTags: {tags}" if tags else "")
    for what, text, length_max in (
        ("title", title, POST_TITLE_LENGTH_MAX),
        ("description", description, POST_DESCRIPTION_LENGTH_MAX),
    ):
        if not text:
            reading.problem(file, line, f"The {what} is empty.")
            return
        if len(text) > length_max:
            reading.problem(file, line, f"The {what} is longer than {length_max} characters.")
            return
    key = f"{SOURCE}:{kind}:{int(number)}"
    reading.posts.append(PlannedPost(file, line, key, kind, member_key_, title, description, category, at))


def _plan(reading: _Reading) -> ImportPlan:
    openings = []
    if reading.balances:
        net: dict[str, int] = defaultdict(int)
        for e in reading.exchanges:
            net[e.giver_key] += e.minutes
            net[e.receiver_key] -= e.minutes
        for key, (file, line, balance) in reading.balances.items():
            if balance - net[key]:
                openings.append(PlannedOpening(file, line, key, balance - net[key]))
        unlisted = sorted(set(reading.apart) - set(reading.balances))
        for key in unlisted:
            file, line = reading.apart_rows[key]
            reading.problem(
                file, line, f"Member {key.split(':')[1]} is in the transfers but not in the members report."
            )
    else:
        for key, minutes in reading.apart.items():
            if minutes:
                file, line = reading.apart_rows[key]
                openings.append(PlannedOpening(file, line, key, minutes))
    if reading.left_out:
        reading.notes.append(
            f"{reading.left_out} transfer(s) were with the organisation, an inactive or a deleted member, "
            "so they cannot be exchanges here: each numbered member's side is in their opening balance "
            "from the pot, and inactive or deleted members, who have no number in the files, "
            "are not imported."
        )
    return ImportPlan(
        SOURCE,
        tuple(reading.members.values()),
        tuple(reading.exchanges),
        tuple(openings),
        tuple(reading.posts),
        tuple(reading.notes),
    )

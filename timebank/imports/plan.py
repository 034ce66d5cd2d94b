"""What a set of files asks an import to write: members, exchanges, opening balances and posts.

Reading a file (``spreadsheet``, ``timeoverflow``) turns its rows into a plan and a list of
problems; nothing here touches a database. Each planned row keeps its file and row, so a refusal
later (a balance that would cross a floor) still names the line to fix.

Members are known by a **key** in the source's own terms: ``timeoverflow:12`` for TimeOverflow's
member number 12, ``spreadsheet:username:ann`` or ``spreadsheet:name:ann smith`` for a spreadsheet.
An exchange names its giver and receiver by key, so it can refer to a member imported in an earlier
run. Keys are stored hashed with what they made (``timebank.db.import_tables``): a key seen before is
never made twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime

__all__ = [
    "IMPORT_FILES_MAX",
    "IMPORT_FILE_BYTES_MAX",
    "ImportPlan",
    "PlannedExchange",
    "PlannedMember",
    "PlannedOpening",
    "PlannedPost",
    "SourceFile",
    "files_sha256",
    "key_sha256",
    "number_occurrences",
]

# Bounds on what one import reads: a file of 100 000 exchanges is about 10 MB.
IMPORT_FILES_MAX = 10
IMPORT_FILE_BYTES_MAX = 64 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file as given: its name (for the problems' wording) and its bytes, undecoded."""

    name: str
    content: bytes


@dataclass(frozen=True)
class PlannedMember:
    file: str
    row: int
    # Every key the member may be found by: the first is the one they are stored under.
    keys: tuple[str, ...]
    display_name: str
    email: str | None = None
    tags: tuple[str, ...] = ()
    # The member number of someone already in the timebank (added by hand, say) whose history this
    # row brings: nothing about them changes, and the files' names for them lead to them.
    number: int | None = None


@dataclass(frozen=True)
class PlannedExchange:
    file: str
    row: int
    giver_key: str
    receiver_key: str
    minutes: int
    activity_date: date
    description: str
    # Which occurrence of an identical row this is (0 for the first): two identical exchanges on
    # one day are two exchanges, and a re-run recognises each.
    occurrence: int = 0

    def natural_key(self) -> str:
        return "\x1f".join(
            (
                self.giver_key,
                self.receiver_key,
                str(self.minutes),
                self.activity_date.isoformat(),
                self.description,
                str(self.occurrence),
            )
        )


@dataclass(frozen=True)
class PlannedOpening:
    """A member's balance brought from the source: above zero from the pot, below zero to it."""

    file: str
    row: int
    member_key: str
    minutes: int


@dataclass(frozen=True)
class PlannedPost:
    """An offer or request brought open, under its key in the source (``timeoverflow:offer:7``)."""

    file: str
    row: int
    key: str
    kind: str  # "offer" or "request"
    member_key: str
    title: str
    description: str
    # The category's name in the source; None for a post it left without one.
    category: str | None
    created_at: datetime


@dataclass(frozen=True)
class ImportPlan:
    source: str
    members: tuple[PlannedMember, ...] = ()
    exchanges: tuple[PlannedExchange, ...] = ()
    openings: tuple[PlannedOpening, ...] = ()
    posts: tuple[PlannedPost, ...] = ()
    # What the files could not carry and what the import did about it, in plain sentences.
    notes: tuple[str, ...] = field(default=())


def key_sha256(kind: str, key: str) -> str:
    return hashlib.sha256(f"{kind}\x1e{key}".encode()).hexdigest()


def files_sha256(files: list[SourceFile]) -> str:
    """One digest of the files as given, in name order, so the same files are known again."""
    digest = hashlib.sha256()
    for source in sorted(files, key=lambda f: f.name):
        digest.update(hashlib.sha256(source.content).digest())
    return digest.hexdigest()


def number_occurrences(exchanges: list[PlannedExchange]) -> tuple[PlannedExchange, ...]:
    """The exchanges with each identical row numbered by its occurrence, in file order."""
    seen: dict[str, int] = {}
    numbered = []
    for exchange in exchanges:
        key = exchange.natural_key()
        count = seen.get(key, 0)
        seen[key] = count + 1
        numbered.append(replace(exchange, occurrence=count))
    return tuple(numbered)

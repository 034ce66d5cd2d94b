"""Importing a timebank's history: members, exchanges and opening balances, all or nothing.

The files are read first (``spreadsheet``, ``timeoverflow``): every row checked, every problem
listed. Then, in one database transaction, the plan meets the ledger:

1. members an earlier import brought (found by their keys, ``import_keys``) are reused, the rest
   are added, without logins (a coordinator gives each a set-password code when they want one);
2. each opening balance moves the member's balance from the pot (or an organisation's account the
   coordinator names), or to it when below zero, in one ``opening_balance`` transaction (negative
   ones first, so the source never dips on the way); the pot cannot go below zero, nor an
   organisation below its lowest balance, so opening balances that take more are refused, saying
   by how much;
3. the exchanges are replayed in order through the ledger's rules (``exchanges.imports.replay``),
   each refused row becoming a problem with its file and row, then written in bulk as confirmed
   exchanges, counted by the reports as exchanges (opening balances never are);
4. offers and requests (TimeOverflow's reports) are added open, each in the category of its name
   (added when the timebank has none), for as long as a new post;
5. the import is recorded with every key it added, so giving the same files again imports nothing,
   and an overlapping file adds only its new rows.

Any problem refuses the whole import and nothing is written. A dry run does everything but commit,
so its report is exactly what the import would do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.benefits.formatting import format_minutes
from timebank.clock import utc_now
from timebank.db.repositories import MemberRecord, NewPost
from timebank.db.repositories.imports import MemberHere
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import TimebankError
from timebank.exchanges.imports import ImportRow, replay
from timebank.imports.errors import ImportRefused, Problem
from timebank.imports.plan import ImportPlan, PlannedExchange, PlannedMember, PlannedOpening, key_sha256
from timebank.imports.spreadsheet import reference_keys
from timebank.ledger import rules
from timebank.ledger.errors import CoordinatorRequired
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import AccountKind, AccountState, PostedTransfer, TransactionKind, TransferIntent
from timebank.offers.categories import CATEGORIES_MAX
from timebank.offers.words import name_key, search_text
from timebank.people.callers import Caller

__all__ = ["ImportReport", "Progress", "import_history"]

# Told how far the import has gone: a stage's name, then how much of it is done, out of how much.
Progress = Callable[[str, int, int], None]

_OPENING_NOTES = {
    "timeoverflow": "Opening balance brought from TimeOverflow",
    "spreadsheet": "Opening balance brought from the timebank's spreadsheet",
}
_REFERENCE = "spreadsheet:ref:"
# How long an offer or request brought from elsewhere stays open: as long as a new one, by default.
IMPORTED_POST_DAYS = 90
_NUMBER = re.compile(r"^#([0-9]{1,9})$")


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    dry_run: bool
    already_imported_at: datetime | None
    members_added: int
    members_known: int
    exchanges_added: int
    exchanges_known: int
    minutes_exchanged: int
    opening_balances_added: int
    opening_balances_known: int
    notes: tuple[str, ...]
    posts_added: int = 0
    posts_known: int = 0


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def import_history(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    plan: ImportPlan,
    files_sha256: str,
    *,
    dry_run: bool,
    progress: Progress = _quiet,
    openings_from: int | None = None,
) -> ImportReport:
    """Import the plan into the timebank (coordinators), or refuse it whole with every problem.

    Opening balances come from the pot, or from ``openings_from``, an organisation's account: the
    pot cannot go below zero, while an organisation may go as low as its lowest balance allows, as
    the organisation's account in TimeOverflow does."""
    actor = caller.actor(timebank_id)
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can import a timebank's history")

    def use_case(uow: UnitOfWork) -> ImportReport:
        report = _import(uow, timebank_id, actor.caller, plan, files_sha256, dry_run, progress, openings_from)
        if not dry_run:
            uow.commit()
        return report

    return run(engine, use_case)


@dataclass
class _Resolved:
    account_of_key: dict[str, int]
    new_members: list[PlannedMember]
    members_known: int
    # Keys of rows that named a member already here by number, to be found by later imports.
    matched_keys: list[tuple[str, int]]
    here: _MembersHere


class _MembersHere:
    """The timebank's members as an import may name them: by number (``#12``), login or name.

    Read once, and only when a row needs it: a member added by hand has no import key, so files
    reach them by their member number, their login's username, or a name no other member here has.
    """

    def __init__(self, uow: UnitOfWork, timebank_id: int) -> None:
        self._uow = uow
        self._timebank_id = timebank_id
        self._loaded = False
        self.by_number: dict[int, MemberHere] = {}
        self._by_username: dict[str, MemberHere] = {}
        self._by_name: dict[str, list[MemberHere]] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for member in self._uow.imports.members_here(self._timebank_id):
            self.by_number[member.member_id] = member
            if member.erased:
                continue
            if member.username:
                self._by_username[member.username.casefold()] = member
            self._by_name.setdefault(_fold(member.display_name), []).append(member)

    def number(self, number: int) -> MemberHere | None:
        self._load()
        return self.by_number.get(number)

    def named(self, name: str) -> list[MemberHere]:
        self._load()
        return self._by_name.get(_fold(name), [])

    def find(self, reference: str) -> MemberHere | str:
        """The member a row names, or why none could be chosen."""
        self._load()
        number = _NUMBER.fullmatch(reference)
        if number is not None:
            found = self.by_number.get(int(number.group(1)))
            if found is None or found.erased:
                return f"No member number {number.group(1)} here."
            return found
        if reference.casefold() in self._by_username:
            return self._by_username[reference.casefold()]
        named = self.named(reference)
        if len(named) == 1:
            return named[0]
        if named:
            numbers = ", ".join(f"#{m.member_id}" for m in named[:5])
            return (
                f"{len(named)} members here are called {reference!r}: name the one you mean by "
                f"their member number ({numbers})."
            )
        return f"No member {reference!r} in these files, an earlier import or this timebank."


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _resolve_members(
    uow: UnitOfWork, timebank_id: int, plan: ImportPlan, problems: list[Problem]
) -> _Resolved:
    """Which planned members are already here (an earlier import's keys, or a number given on the
    row) and which are new; a new member whose name a member here already has is a problem."""
    references = {e.giver_key for e in plan.exchanges} | {e.receiver_key for e in plan.exchanges}
    references |= {o.member_key for o in plan.openings}
    candidates = {k for m in plan.members for k in m.keys} | {c for r in references for c in _candidates(r)}
    stored = uow.imports.targets(timebank_id, "member", [key_sha256("member", k) for k in candidates])
    account_of_key = {
        k: stored[key_sha256("member", k)] for k in candidates if key_sha256("member", k) in stored
    }
    here = _MembersHere(uow, timebank_id)
    resolved = _Resolved(account_of_key, [], 0, [], here)
    for member in plan.members:
        found = [account_of_key[k] for k in member.keys if k in account_of_key]
        if member.number is not None:
            _match_number(resolved, member, found, problems)
        elif found:
            resolved.members_known += 1
            for k in member.keys:
                account_of_key[k] = found[0]
        else:
            resolved.new_members.append(member)
    if plan.source == "spreadsheet":
        for member in resolved.new_members:
            _check_not_here(resolved, member, problems)
    return resolved


def _match_number(
    resolved: _Resolved, member: PlannedMember, found: list[int], problems: list[Problem]
) -> None:
    assert member.number is not None
    here = resolved.here.number(member.number)
    if here is None or here.erased:
        problems.append(Problem(member.file, member.row, f"There is no member number {member.number} here."))
        return
    if _fold(here.display_name) != _fold(member.display_name):
        problems.append(
            Problem(
                member.file,
                member.row,
                f"Member number {member.number} is called {here.display_name!r} here, not "
                f"{member.display_name!r}: check the number.",
            )
        )
        return
    if found and found[0] != here.account_id:
        problems.append(
            Problem(
                member.file,
                member.row,
                "An earlier import brought this row's member as someone else, "
                f"not member number {member.number}.",
            )
        )
        return
    resolved.members_known += 1
    for key in member.keys:
        if key not in resolved.account_of_key:
            resolved.matched_keys.append((key_sha256("member", key), here.account_id))
        resolved.account_of_key[key] = here.account_id


def _check_not_here(resolved: _Resolved, member: PlannedMember, problems: list[Problem]) -> None:
    """A new member without a username, named like someone here: the same person, most likely."""
    if len(member.keys) > 1:  # a username says who they are; a namesake here is someone else
        return
    named = resolved.here.named(member.display_name)
    if named:
        problems.append(
            Problem(
                member.file,
                member.row,
                f"{member.display_name!r} is already a member here (number {named[0].member_id}). To bring "
                f"their history, put {named[0].member_id} in the number column; if this is someone "
                "else, give the row a username.",
            )
        )


def _candidates(reference: str) -> tuple[str, ...]:
    if reference.startswith(_REFERENCE):
        return reference_keys(reference.removeprefix(_REFERENCE))
    return (reference,)


def _add_members(
    uow: UnitOfWork, timebank_id: int, resolved: _Resolved, now: datetime
) -> list[tuple[str, int]]:
    timebank = uow.timebanks.get(timebank_id)
    added = []
    for member in resolved.new_members:
        account_id = uow.accounts.insert(
            timebank_id,
            AccountKind.MEMBER,
            member.display_name,
            timebank.default_member_floor_minutes,
            timebank.default_member_cap_minutes,
            now,
        )
        member_id = uow.members.insert(timebank_id, account_id, member.display_name, False, None, now)
        if member.tags:
            uow.members.set_tags(timebank_id, member_id, member.tags)
        if member.email is not None:
            uow.imports.set_email(timebank_id, member_id, member.email)
        for key in member.keys:
            resolved.account_of_key[key] = account_id
            added.append((key_sha256("member", key), account_id))
    return added


def _find(resolved: _Resolved, reference: str) -> int | str:
    """The account a row's member reference leads to, or why it leads nowhere.

    The files' own members and earlier imports come first; a spreadsheet's name, username or
    ``#number`` not found there may name a member added by hand."""
    for candidate in _candidates(reference):
        if candidate in resolved.account_of_key:
            return resolved.account_of_key[candidate]
    if not reference.startswith(_REFERENCE):
        name = reference.split(":", 2)[-1]
        return f"No member {name!r} in these files or an earlier import."
    found = resolved.here.find(reference.removeprefix(_REFERENCE))
    return found if isinstance(found, str) else found.account_id


@dataclass(frozen=True)
class _OpeningsFrom:
    """The account opening balances come from (and go to, below zero): the pot or an organisation's."""

    account_id: int
    name: str
    is_pot: bool


def _opening_intents(account_id: int, source_id: int, minutes: int) -> list[TransferIntent]:
    """One balance as transfers of at most the ledger's limit each (a long history holds more)."""
    source, target = (source_id, account_id) if minutes > 0 else (account_id, source_id)
    left = abs(minutes)
    intents = []
    while left:
        step = min(left, MINUTES_PER_TRANSFER_MAX)
        intents.append(TransferIntent(source, target, step))
        left -= step
    return intents


def _post_openings(
    uow: UnitOfWork,
    timebank_id: int,
    plan: ImportPlan,
    resolved: _Resolved,
    states: dict[int, AccountState],
    source: _OpeningsFrom,
    problems: list[Problem],
) -> tuple[list[PostedTransfer], list[tuple[str, int]], int]:
    keys: list[tuple[PlannedOpening, int | None]] = []
    for opening in plan.openings:
        found = _find(resolved, opening.member_key)
        if isinstance(found, str):
            problems.append(Problem(opening.file, opening.row, found))
        keys.append((opening, None if isinstance(found, str) else found))
    sha_of = {id_: key_sha256("opening_balance", str(id_)) for _, id_ in keys if id_ is not None}
    stored = uow.imports.targets(timebank_id, "opening_balance", sha_of.values())
    seen: dict[int, Problem] = {}
    todo = []
    for opening, account_id in keys:
        if account_id is None or sha_of[account_id] in stored:
            continue
        if account_id in seen:
            problems.append(
                Problem(
                    opening.file,
                    opening.row,
                    f"This member already has an opening balance on {seen[account_id].line()}.",
                )
            )
            continue
        seen[account_id] = Problem(opening.file, opening.row, "")
        todo.append((opening, account_id))
    total = sum(o.minutes for o, _ in todo)
    held = states[source.account_id]
    if held.balance_minutes - total < held.floor_minutes:
        problems.append(
            Problem(plan.openings[0].file if plan.openings else "", None, _short_of(source, held, total))
        )
        return [], [], len(stored)
    posted: list[PostedTransfer] = []
    # Balances below zero first: they fill the pot that the others draw on.
    for opening, account_id in sorted(todo, key=lambda pair: pair[0].minutes):
        try:
            changed, moved = rules.post(
                states,
                _opening_intents(account_id, source.account_id, opening.minutes),
                MINUTES_PER_TRANSFER_MAX,
            )
        except TimebankError as error:
            problems.append(Problem(opening.file, opening.row, f"The opening balance: {error.detail}."))
            continue
        states.update(changed)
        posted.extend(moved)
    return posted, [(sha_of[a], a) for _, a in todo], len(stored)


def _short_of(source: _OpeningsFrom, held: AccountState, total: int) -> str:
    can_give = held.balance_minutes - held.floor_minutes
    said = (
        f"The opening balances give members {format_minutes(total)} more than they take, and "
        f"{source.name} can give {format_minutes(can_give)}: {format_minutes(total - can_give)} short."
    )
    if source.is_pot:
        return (
            said + " The pot cannot go below zero. Take the opening balances from an organisation's "
            "account whose lowest balance is low enough (as TimeOverflow's organisation account did), "
            "or give credits to the pot first."
        )
    return said + f" Lower {source.name}'s lowest balance first."


def _exchange_rows(
    plan: ImportPlan, resolved: _Resolved, problems: list[Problem]
) -> list[tuple[PlannedExchange, ImportRow, str]]:
    rows = []
    occurrences: dict[str, int] = {}
    # A history names the same few members over and over: look each name up once.
    accounts: dict[str, int | str] = {}
    for e in plan.exchanges:
        for key in (e.giver_key, e.receiver_key):
            if key not in accounts:
                accounts[key] = _find(resolved, key)
        giver, receiver = accounts[e.giver_key], accounts[e.receiver_key]
        if isinstance(giver, str) or isinstance(receiver, str):
            problems.extend(Problem(e.file, e.row, a) for a in (giver, receiver) if isinstance(a, str))
            continue
        natural = "\x1f".join(
            (str(giver), str(receiver), str(e.minutes), e.activity_date.isoformat(), e.description)
        )
        count = occurrences.get(natural, 0)
        occurrences[natural] = count + 1
        row = ImportRow(giver, receiver, e.minutes, e.activity_date, e.description)
        rows.append((e, row, key_sha256("exchange", f"{natural}\x1f{count}")))
    return rows


def _add_posts(
    uow: UnitOfWork,
    timebank_id: int,
    plan: ImportPlan,
    resolved: _Resolved,
    created_by: str,
    now: datetime,
    problems: list[Problem],
) -> tuple[list[tuple[str, int]], int]:
    """Each offer or request not brought before, open for ``IMPORTED_POST_DAYS`` in its category
    (added when the timebank has none of that name; "Other" for a post the source left without)."""
    if not plan.posts:
        return [], 0
    sha_of = {post.key: key_sha256("post", post.key) for post in plan.posts}
    stored = uow.imports.targets(timebank_id, "post", sha_of.values())
    category_ids: dict[str, int] = {}
    members: dict[int, MemberRecord] = {}
    expires_on = now.date() + timedelta(days=IMPORTED_POST_DAYS)
    added = []
    for post in plan.posts:
        if sha_of[post.key] in stored:
            continue
        found = _find(resolved, post.member_key)
        if isinstance(found, str):
            problems.append(Problem(post.file, post.row, found))
            continue
        if found not in members:
            member_id = uow.members.id_for_account(timebank_id, found)
            assert member_id is not None, "an import's members are members"
            members[found] = uow.members.get(timebank_id, member_id)
        member = members[found]
        if member.membership_ended_on is not None:
            problems.append(
                Problem(
                    post.file,
                    post.row,
                    f"{member.display_name}'s membership here has ended, so nothing of theirs can be open.",
                )
            )
            continue
        category_id = _category_id(uow, timebank_id, post.category or "Other", category_ids, now)
        if category_id is None:
            problems.append(
                Problem(
                    post.file,
                    post.row,
                    f"The category {post.category!r} would be one too many: a timebank has at most "
                    f"{CATEGORIES_MAX}. Retire or rename some first.",
                )
            )
            continue
        new = NewPost(
            member_id=member.member_id,
            kind=post.kind,
            category_id=category_id,
            title=post.title,
            description=post.description,
            area=None,
            availability=None,
            expires_on=expires_on,
            search_text=search_text(post.title, post.description, None),
            created_by=created_by,
            created_at=post.created_at,
        )
        added.append((sha_of[post.key], uow.offers.insert_post(timebank_id, new)))
    return added, len(stored)


def _category_id(
    uow: UnitOfWork, timebank_id: int, name: str, known: dict[str, int], now: datetime
) -> int | None:
    """The category of that name here (case and accents aside), added if there is none and room."""
    key = name_key(name)
    if key not in known:
        found = uow.offers.category_named(timebank_id, key)
        if found is not None:
            known[key] = found.category_id
        elif uow.offers.category_count(timebank_id) >= CATEGORIES_MAX:
            return None
        else:
            (known[key],) = uow.offers.insert_categories(timebank_id, [(name, key)], now)
    return known[key]


def _import(
    uow: UnitOfWork,
    timebank_id: int,
    created_by: str,
    plan: ImportPlan,
    digest: str,
    dry_run: bool,
    progress: Progress,
    openings_from: int | None,
) -> ImportReport:
    earlier = uow.imports.find(timebank_id, digest)
    if earlier is not None:
        return ImportReport(
            plan.source,
            dry_run,
            earlier.created_at,
            0,
            len(plan.members),
            0,
            len(plan.exchanges),
            0,
            0,
            len(plan.openings),
            plan.notes,
            0,
            len(plan.posts),
        )
    now = utc_now()
    problems: list[Problem] = []
    progress("Checking members", 0, len(plan.members))
    resolved = _resolve_members(uow, timebank_id, plan, problems)
    member_keys = resolved.matched_keys + _add_members(uow, timebank_id, resolved, now)
    progress("Checking members", len(plan.members), len(plan.members))
    exchange_rows = _exchange_rows(plan, resolved, problems)
    stored = uow.imports.targets(timebank_id, "exchange", [sha for _, _, sha in exchange_rows])
    fresh = [(e, row, sha) for e, row, sha in exchange_rows if sha not in stored]
    timebank = uow.timebanks.get(timebank_id)
    assert timebank.pot_account_id is not None, "every timebank has its pot"
    source = _OpeningsFrom(timebank.pot_account_id, "the pot", True)
    if openings_from is not None:
        organisation = uow.organisations.get(timebank_id, openings_from)
        source = _OpeningsFrom(organisation.account_id, organisation.name, False)
    referenced = (
        {source.account_id}
        | {r.giver_account_id for _, r, _ in fresh}
        | {r.receiver_account_id for _, r, _ in fresh}
    )
    referenced |= {a for a in resolved.account_of_key.values()}
    locked = uow.accounts.lock(timebank_id, referenced)
    states = dict(locked)
    opening_posted, opening_keys, openings_known = _post_openings(
        uow, timebank_id, plan, resolved, states, source, problems
    )
    progress("Checking exchanges", 0, len(fresh))
    states, posted, row_errors = replay([row for _, row, _ in fresh], states, MINUTES_PER_TRANSFER_MAX)
    for error in row_errors:
        planned = fresh[error.row - 1][0]
        problems.append(Problem(planned.file, planned.row, error.detail))
    progress("Checking exchanges", len(fresh), len(fresh))
    post_keys, posts_known = _add_posts(uow, timebank_id, plan, resolved, created_by, now, problems)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.file, p.row or 0)))
    progress("Writing", 0, len(fresh))
    if opening_posted:
        transaction_id = uow.transactions.insert(
            timebank_id, TransactionKind.OPENING_BALANCE, created_by, now, note=_OPENING_NOTES[plan.source]
        )
        uow.transfers.insert_many(timebank_id, transaction_id, opening_posted, now)
        opening_keys = [(sha, transaction_id) for sha, _ in opening_keys]
    exchange_ids = uow.history.write(timebank_id, created_by, [row for _, row, _ in fresh], posted, now)
    uow.rollups.count_exchanges(timebank_id, list(exchange_ids))
    uow.accounts.save(locked, [states[i] for i in sorted(locked) if states[i] != locked[i]])
    counts = (len(resolved.new_members), len(fresh), len(opening_keys), len(post_keys))
    if any(counts):
        import_id = uow.imports.record(timebank_id, plan.source, digest, created_by, now, counts)
        uow.imports.add_keys(timebank_id, import_id, "member", member_keys)
        uow.imports.add_keys(
            timebank_id,
            import_id,
            "exchange",
            [(sha, i) for (_, _, sha), i in zip(fresh, exchange_ids, strict=True)],
        )
        uow.imports.add_keys(timebank_id, import_id, "opening_balance", opening_keys)
        uow.imports.add_keys(timebank_id, import_id, "post", post_keys)
    progress("Writing", len(fresh), len(fresh))
    return ImportReport(
        source=plan.source,
        dry_run=dry_run,
        already_imported_at=None,
        members_added=len(resolved.new_members),
        members_known=resolved.members_known,
        exchanges_added=len(fresh),
        exchanges_known=len(exchange_rows) - len(fresh),
        minutes_exchanged=sum(row.minutes for _, row, _ in fresh),
        opening_balances_added=len(opening_keys),
        opening_balances_known=openings_known,
        notes=plan.notes,
        posts_added=len(post_keys),
        posts_known=posts_known,
    )

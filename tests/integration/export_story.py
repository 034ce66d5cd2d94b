"""A timebank's history made through the use cases, its export, its import, and what to compare.

``build_history`` makes a timebank with an organisation (its staff, an activity with invitations,
attendance, payments and declined payments, an expense, a spend option), sixteen members (enough
for the report's figures), opening balances brought by a small spreadsheet import, and then plays
a list of steps (exchanges posted, confirmed, declined, cancelled, expired and reversed, with one
receiver or two, from an offer or not; gifts and their reversal, pot grants, spends, posts hidden
and closed, limit changes, tags, memberships ended with the balance kept or moved to the pot, an
erased member, rating thresholds, new categories). A step the ledger refuses changes nothing and
the story goes on.

``export_files`` reads an export's CSVs; ``comparable`` puts them in terms that do not depend on
the ids a database gave: every id and reference becomes ``space#rank`` (its place in its own file,
which is in id order), "moved:" is taken off actors, and what an import does not carry (the
timebank's own number, name and creation, members' login usernames) is blanked. ``figures`` reads
what people see: each account's balance and every line of its statement, each account's report
figures, each member's benefit-safe statement, and the whole timebank's reciprocity report.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from tests.integration.involvement import FORUM_DAY, Forum, make_forum, offer
from tests.involvement_calls import attendee, record_expense
from tests.ledger_calls import give_credits
from tests.offer_calls import post_for
from tests.people_calls import (
    change_settings,
    create_timebank,
    end_membership,
    get_timebank,
    set_limits,
    statement,
    update_member,
)
from tests.reporting_calls import set_rating_thresholds
from timebank.benefits.choices import Reward
from timebank.benefits.money import Receipt
from timebank.clock import utc_now
from timebank.errors import TimebankError
from timebank.exchanges import lifecycle, reversals
from timebank.exchanges.requests import ReceiverShareIn, RecordExchange, ReverseExchange
from timebank.exports import FILES, export_timebank, import_export
from timebank.imports import SourceFile, files_sha256, import_history, read_spreadsheet
from timebank.involvement.statements import benefit_safe_statement
from timebank.ledger.types import Actor, BalanceOnLeaving
from timebank.offers.categories import add_category
from timebank.offers.posts import close_post, hide_post
from timebank.offers.requests import AddCategory, HidePost
from timebank.people.callers import Caller
from timebank.people.erasure import erase_member
from timebank.people.requests import EraseMember
from timebank.reporting.reports import member_report, reciprocity_report
from timebank.reports import Boundaries, RatedFigureName, report_json

__all__ = [
    "Step",
    "build_history",
    "comparable",
    "export_files",
    "export_zip",
    "figures",
    "import_zip",
    "record",
]

EXCHANGE_DAY = date(2025, 3, 3)
REPORT_FROM = date(2024, 1, 1)
MEMBERS = 15  # and the organisation's clerk: sixteen, enough for the report to show its figures


@dataclass(frozen=True)
class Step:
    """One thing done: ``kind`` names it, the numbers pick members, minutes and days."""

    kind: str
    first: int
    second: int
    minutes: int
    days: int


def export_zip(engine: Engine, timebank_id: int) -> bytes:
    out = io.BytesIO()
    export_timebank(engine, timebank_id, Caller.coordinator_of(timebank_id), out)
    return out.getvalue()


def import_zip(engine: Engine, data: bytes, name: str = "Moved here", *, dry_run: bool = False) -> int:
    """A new, empty timebank with the export imported into it; its id."""
    timebank_id = create_timebank(engine, name).timebank_id
    import_export(
        engine,
        timebank_id,
        Caller.coordinator_of(timebank_id),
        SourceFile("export.zip", data),
        dry_run=dry_run,
    )
    return timebank_id


def export_files(data: bytes) -> dict[str, list[list[str]]]:
    """Each CSV of the export as its rows, header first."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        file.name: list(csv.reader(io.StringIO(archive.read(file.name).decode("utf-8"), newline="")))
        for file in FILES
    }


def comparable(files: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    ranks: dict[str, dict[str, str]] = {}
    for file in FILES:
        id_column = file.id_column
        if id_column is not None:
            at = files[file.name][0].index(id_column.name)
            ranks[id_column.space or ""] = {
                row[at]: f"{id_column.space}#{n}" for n, row in enumerate(files[file.name][1:])
            }
    blanked = {("settings.csv", "timebank_id"), ("settings.csv", "name"), ("settings.csv", "created_at")}
    blanked.add(("members.csv", "username"))
    result = {}
    for file in FILES:
        header, *rows = files[file.name]
        kept = []
        for row in rows:
            cells = []
            for column, cell in zip(
                file.columns, (row[header.index(c.name)] for c in file.columns), strict=True
            ):
                if (file.name, column.name) in blanked:
                    cell = ""
                elif column.kind in ("id", "ref") and cell:
                    cell = ranks[column.space or ""][cell]
                elif column.kind == "actor":
                    cell = cell.removeprefix("moved:")
                cells.append(cell)
            kept.append(cells)
        result[file.name] = [[c.name for c in file.columns], *kept]
    return result


def _account_ids(files: dict[str, list[list[str]]]) -> list[int]:
    return [int(row[0]) for row in files["accounts.csv"][1:]]


def figures(engine: Engine, timebank_id: int, files: dict[str, list[list[str]]]) -> dict[str, Any]:
    """What people see, by the account's place in accounts.csv rather than by its id."""
    coordinator = Caller.coordinator_of(timebank_id)
    to_on = utc_now().date() + timedelta(days=1)
    seen: dict[str, Any] = {"statements": [], "member_reports": [], "benefit_statements": []}
    for account_id in _account_ids(files):
        lines, cursor = [], None
        while True:
            page = statement(engine, timebank_id, account_id, cursor, 200)
            lines += [
                (
                    line.kind,
                    line.minutes,
                    line.balance_after_minutes,
                    line.posted_at,
                    line.counterparty_name,
                    line.description,
                    line.activity_date,
                    line.reason,
                    line.exchange_id is None,
                    line.reverses_transaction_id is None,
                )
                for line in page.lines
            ]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        seen["statements"].append((page.balance_minutes, lines))
        figures_of = member_report(engine, timebank_id, coordinator, account_id, REPORT_FROM, to_on)
        seen["member_reports"].append({k: v for k, v in vars(figures_of).items() if k != "account_id"})
    for row in files["accounts.csv"][1:]:
        if row[1] == "member":
            # The benefit-safe statement too, but for who issued it: the timebank, by its own name.
            found = benefit_safe_statement(engine, timebank_id, coordinator, int(row[0]), REPORT_FROM, to_on)
            seen["benefit_statements"].append({**dataclasses.asdict(found), "issued_by": None})
    report = reciprocity_report(engine, timebank_id, coordinator, REPORT_FROM, to_on)
    seen["report"] = report_json(report)
    return seen


# --- the history -------------------------------------------------------------------------------


def _opening_balances(forum: Forum, pot: int) -> None:
    """Two members brought from a spreadsheet with their balances (the pot funded first) and an
    exchange between them."""
    engine, tb = forum.engine, forum.timebank_id
    give_credits(
        engine,
        tb,
        Actor("login:staff", forum.organisation_account),
        forum.organisation_account,
        pot,
        240,
        "Seed the pot",
    )
    files = [
        SourceFile(
            "members.csv", b"name,username,opening_balance\r\nIda Moved,ida,2:00\r\nJo Moved,joan,-60\r\n"
        ),
        SourceFile(
            "exchanges.csv",
            b"date,giver,receiver,time,description\r\n2025-01-10,ida,joan,45,=Lifts to town\r\n",
        ),
    ]
    plan, problems = read_spreadsheet(files, utc_now().date())
    assert problems == []
    import_history(engine, tb, Caller.coordinator_of(tb), plan, files_sha256(files), dry_run=False)


def _forum_life(forum: Forum) -> None:
    """The organisation's side: an activity with credits, a voucher, less taken, a decline and a
    charity; an expense; an offer of the member's; a spend option."""
    m = forum.members
    activity = forum.activity()
    forum.attend(
        activity.activity_id,
        [
            attendee(m[0], 90, Reward.CREDITS),
            attendee(m[1], 120, Reward.CREDITS),
            attendee(m[2], 120, Reward.PAYMENT),
            attendee(m[3], 120, Reward.REDUCED_PAYMENT, reduced_pence=1000),
            attendee(m[4], 120, Reward.DECLINE),
            attendee(m[5], 120, Reward.CHARITY, charity_name="Shelter"),
        ],
        offer=offer(2000),
    )
    record_expense(
        forum.engine,
        forum.timebank_id,
        forum.staff,
        forum.organisation_id,
        m[0],
        450,
        Receipt("Bus ticket 77", 450),
        "-Bus fare to the forum",
        FORUM_DAY,
        activity_id=activity.activity_id,
    )


def build_history(engine: Engine, steps: list[Step]) -> Forum:
    forum = make_forum(engine, members=MEMBERS)
    pot = get_timebank(engine, forum.timebank_id).pot_account_id
    _opening_balances(forum, pot)
    _forum_life(forum)
    option = forum.spend_option().spend_option_id
    exchanges: list[int] = []
    gifts: list[int] = []
    posts: list[int] = []
    for step in steps:
        # A refused step changes nothing, and the story goes on.
        with contextlib.suppress(TimebankError):
            _play(forum, pot, step, option, exchanges, gifts, posts)
    return forum


def record(
    forum: Forum, caller: Caller, giver: int, receiver: int, step: Step, post_id: int | None = None
) -> int:
    """An exchange of the step's minutes, dated by its days, recorded by ``caller``; its id."""
    request = RecordExchange.model_construct(
        giver_account_id=giver,
        receivers=[ReceiverShareIn.model_construct(account_id=receiver, minutes=step.minutes)],
        activity_date=EXCHANGE_DAY + timedelta(days=step.days),
        description=f"Help {step.kind} {step.minutes}",
        category="Gardening" if step.days % 2 else None,
        post_id=post_id,
    )
    return lifecycle.record_exchange(forum.engine, forum.timebank_id, caller, request).exchange_id


def _play(
    forum: Forum, pot: int, step: Step, option: int, exchanges: list[int], gifts: list[int], posts: list[int]
) -> None:
    engine, tb, coordinator = forum.engine, forum.timebank_id, forum.coordinator
    m = forum.members
    giver, receiver = m[step.first % len(m)], m[step.second % len(m)]
    if step.kind == "posted":
        exchanges.append(record(forum, coordinator, giver, receiver, step))
    elif step.kind in ("confirmed", "declined", "cancelled", "waiting"):
        exchange_id = record(forum, forum.member(giver), giver, receiver, step)
        if step.kind == "confirmed":
            lifecycle.confirm_exchange(engine, tb, forum.member(receiver), exchange_id)
            exchanges.append(exchange_id)
        elif step.kind == "declined":
            lifecycle.decline_exchange(engine, tb, forum.member(receiver), exchange_id)
        elif step.kind == "cancelled":
            lifecycle.cancel_exchange(engine, tb, forum.member(giver), exchange_id)
    elif step.kind == "reversed" and exchanges:
        exchange_id = exchanges.pop(step.first % len(exchanges))
        reversals.reverse_exchange(
            engine, tb, coordinator, exchange_id, ReverseExchange(reason="+Recorded twice")
        )
    elif step.kind == "gift":
        view = give_credits(
            engine, tb, Actor(f"login:m{giver}", giver), giver, receiver, step.minutes, "A thank-you"
        )
        gifts.append(view.transaction_id)
    elif step.kind == "grant":
        give_credits(
            engine, tb, Actor("coordinator", is_coordinator=True), pot, receiver, step.minutes, "Grant"
        )
    elif step.kind == "gift_reversed" and gifts:
        reversals.reverse_transaction(
            engine, tb, coordinator, gifts.pop(), ReverseExchange(reason="Given by mistake")
        )
    elif step.kind == "spend":
        forum.spend(option, giver)
    elif step.kind == "post":
        post = post_for(engine, tb, forum.member_ids[giver], title=f"@Offer {step.minutes}")
        posts.append(post.post_id)
        record(forum, coordinator, giver, receiver, step, post.post_id)
    elif step.kind == "limits":
        set_limits(
            engine,
            tb,
            Actor("coordinator", is_coordinator=True),
            receiver,
            floor_minutes=-step.minutes,
            cap_minutes=None,
            reason="Agreed",
        )
    elif step.kind == "group":
        third = m[(step.first + step.second + 1) % len(m)]
        request = RecordExchange.model_construct(
            giver_account_id=giver,
            receivers=[
                ReceiverShareIn.model_construct(account_id=receiver, minutes=step.minutes),
                ReceiverShareIn.model_construct(account_id=third, minutes=step.days + 1),
            ],
            activity_date=EXCHANGE_DAY + timedelta(days=step.days),
            description="A group walk",
        )
        exchanges.append(lifecycle.record_exchange(engine, tb, coordinator, request).exchange_id)
    elif step.kind == "expired":
        lifecycle.expire_pending(engine, tb, now=utc_now() + timedelta(days=60))
    elif step.kind in ("hidden", "closed") and posts:
        if step.kind == "hidden":
            hide_post(engine, tb, coordinator, posts[-1], HidePost(reason="=Not allowed here"))
        else:
            close_post(engine, tb, coordinator, posts[-1])
    elif step.kind == "erased":
        with contextlib.suppress(TimebankError):  # ended already, perhaps
            end_membership(engine, tb, coordinator, forum.member_ids[giver], utc_now().date())
        erase_member(engine, tb, coordinator, forum.member_ids[giver], EraseMember(confirm=True))
    elif step.kind == "ratings":
        set_rating_thresholds(
            engine, tb, coordinator, {RatedFigureName.ACTIVE_RATE: Boundaries(step.days % 50, 60)}
        )
    elif step.kind == "category":
        add_category(engine, tb, coordinator, AddCategory(name=f"Café visits {step.minutes}"))
    elif step.kind == "tagged":
        update_member(
            engine, tb, coordinator, forum.member_ids[giver], tags=["uses_services", f"group_{step.days % 3}"]
        )
    elif step.kind == "to_pot":
        change_settings(engine, tb, coordinator, {"balance_on_leaving": BalanceOnLeaving.TO_POT})
    elif step.kind == "ended":
        end_membership(engine, tb, coordinator, forum.member_ids[giver], utc_now().date())

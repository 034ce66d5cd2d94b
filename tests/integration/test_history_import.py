"""Importing a timebank's history from a spreadsheet or TimeOverflow, on SQLite and PostgreSQL.

The files' balances arrive exactly (a hypothesis-made history's balances are what its rows imply);
opening balances change balances and statements but no reciprocity figure; a refused import lists
every problem with its file and row and writes nothing; a dry run writes nothing; and the same
files given again import nothing, while an overlapping file adds only its new rows.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from tests.people_calls import create_timebank, statement
from timebank.clock import utc_now
from timebank.db.import_tables import import_keys
from timebank.db.people_tables import members
from timebank.db.tables import accounts, exchanges, transactions
from timebank.imports import (
    ImportRefused,
    ImportReport,
    SourceFile,
    files_sha256,
    import_history,
    read_spreadsheet,
    read_timeoverflow,
)
from timebank.people.callers import Caller
from timebank.people.erasure import erase_member
from timebank.people.requests import EraseMember
from timebank.reporting.reports import reciprocity_report

from .helpers import check_invariants

TODAY = utc_now().date()


def run(
    engine: Engine,
    tb: int,
    files: dict[str, str | bytes],
    *,
    source: str = "spreadsheet",
    dry_run: bool = False,
    openings_from: int | None = None,
) -> ImportReport:
    given_files = [SourceFile(n, c.encode() if isinstance(c, str) else c) for n, c in files.items()]
    read = read_timeoverflow if source == "timeoverflow" else read_spreadsheet
    plan, problems = read(given_files, TODAY)
    if problems:
        raise ImportRefused(problems)
    return import_history(
        engine,
        tb,
        Caller.coordinator_of(tb),
        plan,
        files_sha256(given_files),
        dry_run=dry_run,
        openings_from=openings_from,
    )


def balances(engine: Engine, tb: int) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(accounts.c.name, accounts.c.balance_minutes).where(
                accounts.c.timebank_id == tb, accounts.c.kind == "member"
            )
        )
        return {name: balance for name, balance in rows}


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(accounts)).scalar_one(),
            connection.execute(select(func.count()).select_from(transactions)).scalar_one(),
            connection.execute(select(func.count()).select_from(exchanges)).scalar_one(),
        )


def account_id(engine: Engine, tb: int, name: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(accounts.c.id).where(accounts.c.timebank_id == tb, accounts.c.name == name)
            ).scalar_one()
        )


MEMBERS = (
    "name,username,email,tags\r\n"
    "Ann O'Neill,ann,ann@example.org,uses_services\r\n"
    "Bo Muñoz,,,\r\n"
    "Cy,cyx,,carer;staff\r\n"
)
EXCHANGES = (
    "date,giver,receiver,time,description\r\n"
    '2024-05-01,ann,Bo Muñoz,1:30,"Gardening, then tea"\r\n'
    "2024-05-02,Bo Muñoz,cy,45,Shopping\r\n"
    "2024-05-02,Bo Muñoz,cy,45,Shopping\r\n"
)


def test_a_spreadsheet_brings_members_and_exchanges_and_a_second_run_imports_nothing(engine: Engine) -> None:
    tb = create_timebank(engine, "Moving in").timebank_id
    files = {"members.csv": "\ufeff" + MEMBERS, "exchanges.csv": EXCHANGES}

    first = run(engine, tb, files)
    before = counts(engine)
    again = run(engine, tb, files)

    assert (first.members_added, first.exchanges_added, first.minutes_exchanged) == (3, 3, 180)
    assert balances(engine, tb) == {"Ann O'Neill": 90, "Bo Muñoz": 0, "Cy": -90}
    assert again.already_imported_at is not None
    assert counts(engine) == before
    # The same rows with one more, in a new file: only the new row is added.
    more = run(engine, tb, {"exchanges.csv": EXCHANGES + "2024-05-03,cy,ann,0:20,Lift\r\n"})
    assert (more.exchanges_added, more.exchanges_known, more.members_added) == (1, 3, 0)
    assert balances(engine, tb) == {"Ann O'Neill": 70, "Bo Muñoz": 0, "Cy": -70}
    assert check_invariants(engine, tb) == []


def test_a_dry_run_says_what_would_happen_and_writes_nothing(engine: Engine) -> None:
    tb = create_timebank(engine, "Trying").timebank_id
    before = counts(engine)

    report = run(engine, tb, {"members.csv": MEMBERS, "exchanges.csv": EXCHANGES}, dry_run=True)

    assert (report.dry_run, report.members_added, report.exchanges_added) == (True, 3, 3)
    assert counts(engine) == before
    assert run(engine, tb, {"members.csv": MEMBERS, "exchanges.csv": EXCHANGES}).exchanges_added == 3


def _figures_but_balances(engine: Engine, tb: int) -> object:
    report = reciprocity_report(
        engine, tb, Caller.coordinator_of(tb), date(2024, 1, 1), TODAY + timedelta(days=1)
    )
    assert report.figures is not None
    return replace(report.figures, balance_distribution=None)


def test_an_opening_balance_changes_a_balance_and_a_statement_but_no_reciprocity_figure(
    engine: Engine,
) -> None:
    tb = create_timebank(engine, "Openings").timebank_id
    names = [f"Member {n}" for n in range(16)]
    members = "name\r\n" + "".join(f"{n}\r\n" for n in names)
    trades = "date,giver,receiver,time,description\r\n" + "".join(
        f"2024-06-{1 + i:02d},{names[i]},{names[i + 1]},{30 + i},Help\r\n" for i in range(15)
    )
    run(engine, tb, {"members.csv": members, "exchanges.csv": trades})
    figures_before, balances_before = _figures_but_balances(engine, tb), balances(engine, tb)

    report = run(
        engine, tb, {"opening_balances.csv": f"member,balance\r\n{names[0]},-2:00\r\n{names[3]},1:45\r\n"}
    )

    assert report.opening_balances_added == 2
    after = balances(engine, tb)
    assert after[names[0]] == balances_before[names[0]] - 120
    assert after[names[3]] == balances_before[names[3]] + 105
    assert _figures_but_balances(engine, tb) == figures_before
    lines = statement(engine, tb, account_id(engine, tb, names[3])).lines
    assert lines[0].kind == "opening_balance"
    assert lines[0].minutes == 105
    assert check_invariants(engine, tb) == []


def test_malformed_files_are_refused_with_every_problem_and_nothing_written(engine: Engine) -> None:
    tb = create_timebank(engine, "Refused").timebank_id
    run(engine, tb, {"members.csv": "name,username\r\nZed,zed\r\n"})
    before = counts(engine)
    files = [
        SourceFile("members.csv", b"name,username\r\nAnn,ann\r\nAnn Again,ann\r\nBo,\r\nBo,\r\n"),
        SourceFile("exchanges.csv", b"date,giver,receiver,description\r\n2024-01-01,ann,Bo,x\r\n"),
        SourceFile(
            "more.csv",
            b"date,giver,receiver,time,description\r\n2024-01-01,ann,Bo,-30,Help\r\n2030-01-01,ann,ann,1:00,\r\n",
        ),
        SourceFile("latin1.csv", "name\r\nJosé\r\n".encode("latin-1")),
    ]

    plan, problems = read_spreadsheet(files, date(2026, 1, 1))

    lines = [p.line() for p in problems]
    assert any(line.startswith("members.csv, row 3: This member is there twice") for line in lines)
    assert any(line.startswith("members.csv, row 5: This member is there twice") for line in lines)
    assert "exchanges.csv, row 1: Columns missing from the header: time." in lines
    assert any(line.startswith("more.csv, row 2: The time '-30' is not more than zero") for line in lines)
    assert any(line.startswith("more.csv, row 3: The date 2030-01-01 is after today") for line in lines)
    assert any(line.startswith("more.csv, row 3: The giver and the receiver are the same") for line in lines)
    assert any(line.startswith("more.csv, row 3: The description is empty") for line in lines)
    assert any(line.startswith("latin1.csv: This file is not saved as UTF-8") for line in lines)
    assert plan.members[0].display_name == "Ann"
    with pytest.raises(ImportRefused) as refused:
        run(engine, tb, {f.name: f.content for f in files})
    assert [p.line() for p in refused.value.problems] == lines
    assert counts(engine) == before


def test_rows_the_ledger_refuses_are_listed_with_their_file_and_row_and_nothing_is_written(
    engine: Engine,
) -> None:
    tb = create_timebank(engine, "Floors").timebank_id
    before = counts(engine)
    trades = (
        "date,giver,receiver,time,description\r\n"
        "2024-01-01,ann,bob,11:00,Too much\r\n"
        "2024-01-02,ann,zed,1:00,Nobody\r\n"
    )

    with pytest.raises(ImportRefused) as refused:
        run(engine, tb, {"members.csv": "name,username\r\nAnn,ann\r\nBo,bob\r\n", "exchanges.csv": trades})

    lines = [p.line() for p in refused.value.problems]
    assert lines[0].startswith("exchanges.csv, row 2: ")
    assert "floor" in lines[0]
    assert lines[1] == (
        "exchanges.csv, row 3: No member 'zed' in these files, an earlier import or this timebank."
    )
    assert counts(engine) == before


# --- TimeOverflow --------------------------------------------------------------------------------

TO_MEMBERS = (
    "N,Usuario,Email,Teléfono,Teléfono alternativo,Creado,Último login,Idioma,Saldo\n"
    "1,Hermione Cadena Muñoz,user@example.com,622743103,,2018-01-30 10:00:00 +0100,,es,109800\n"
    "2,Dónal O'Brien,,,,2019-02-01 10:00:00 +0100,,en,-5400\n"
    "3,Zoë,,,,2019-02-01 10:00:00 +0100,,ca,0\n"
)
TO_TRANSFERS = (
    "Fecha,Origen,Destino,Anuncio,Cantidad\n"
    "2024-03-01 10:20:30 +0100,Dónal O'Brien (2),Hermione Cadena Muñoz (1),"
    '"Jardinería, poda\ny riego",30:30\n'
    "2024-03-02 09:00:00 +0100,Banco de Tiempo,Hermione Cadena Muñoz (1),,1:00\n"
    "2024-03-03 09:00:00 +0100,El usuario no está activo,Zoë (3),,0:15\n"
    "2024-03-04 09:00:00 +0100,Zoë (3),Dónal O'Brien (2),,0:15\n"
)


def test_timeoverflow_download_all_brings_every_balance_and_only_member_transfers_as_exchanges(
    engine: Engine,
) -> None:
    """TimeOverflow's organisation account gave more than it took: here, opening balances come from
    an organisation's account standing for it (the pot cannot go below zero), and only as far as
    its lowest balance allows."""
    from tests.people_calls import add_organisation, get_account, set_limits
    from timebank.errors import OrganisationNotFound
    from timebank.ledger import Actor

    tb = create_timebank(engine, "From TimeOverflow").timebank_id
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Members_2024-04-01.csv", TO_MEMBERS)
        z.writestr("Transfers_2024-04-01.csv", TO_TRANSFERS)
        z.writestr("Offers_2024-04-01.csv", TO_OFFERS)
        z.writestr("Inquiries_2024-04-01.csv", TO_INQUIRIES)
        z.writestr("notes.txt", "not a report")
    files = {"timebank.zip": archive.getvalue()}
    coordinator = Caller.coordinator_of(tb)
    bank = add_organisation(engine, tb, coordinator, "Banco de Tiempo", floor_minutes=-20 * 60)
    elsewhere = create_timebank(engine, "Elsewhere").timebank_id
    theirs = add_organisation(
        engine, elsewhere, Caller.coordinator_of(elsewhere), "Theirs", floor_minutes=-6000
    )
    before = counts(engine)

    with pytest.raises(ImportRefused) as from_pot:
        run(engine, tb, files, source="timeoverflow")
    with pytest.raises(ImportRefused) as too_high:
        run(engine, tb, files, source="timeoverflow", openings_from=bank.organisation_id)
    # Another timebank's organisation is not there to take them from.
    with pytest.raises(OrganisationNotFound):
        run(engine, tb, files, source="timeoverflow", openings_from=theirs.organisation_id)
    assert counts(engine) == before
    assert from_pot.value.problems[0].reason.startswith(
        "The opening balances give members 29 hours more than they take, and the pot can give 0 minutes: "
        "29 hours short. The pot cannot go below zero."
    )
    assert too_high.value.problems[0].reason == (
        "The opening balances give members 29 hours more than they take, and Banco de Tiempo can give "
        "20 hours: 9 hours short. Lower Banco de Tiempo's lowest balance first."
    )
    set_limits(
        engine,
        tb,
        Actor("coordinator", is_coordinator=True),
        bank.account_id,
        floor_minutes=-30 * 60,
        cap_minutes=None,
    )

    report = run(engine, tb, files, source="timeoverflow", openings_from=bank.organisation_id)

    assert balances(engine, tb) == {"Hermione Cadena Muñoz": 1830, "Dónal O'Brien": -90, "Zoë": 0}
    assert get_account(engine, tb, bank.account_id).balance_minutes == -1740
    assert (report.members_added, report.exchanges_added, report.posts_added) == (3, 2, 3)
    assert any("no reasons" in note for note in report.notes)
    assert any("Offers_" in note and "no descriptions" in note for note in report.notes)
    assert any("notes.txt was not imported" in note for note in report.notes)
    with engine.connect() as connection:
        described = set(
            connection.execute(select(exchanges.c.description).where(exchanges.c.timebank_id == tb)).scalars()
        )
    assert described == {"Jardinería, poda\ny riego", "Exchange imported from TimeOverflow"}
    assert run(engine, tb, files, source="timeoverflow").already_imported_at is not None
    assert check_invariants(engine, tb) == []


TO_OFFERS = (
    ",Oferta,Etiquetas,Usuario,Creado\n"
    ",Jardinería,,,\n"
    '11,"Poda de árboles, frutales",poda,Hermione Cadena Muñoz (1),2023-10-01 09:30:00 +0200\n'
    ",-,,,\n"
    "12,Charla en inglés,,Dónal O'Brien (2),2024-02-02 10:00:00 UTC\n"
)
TO_INQUIRIES = (
    ",Demanda,Etiquetas,Usuario,Creado\n,Gardening,,,\n11,Ayuda con el huerto,,Zoë (3),2024-03-01\n"
)


def _posts(engine: Engine, tb: int) -> list[tuple[str, str, str, str, str, str]]:
    from timebank.db.offer_tables import categories, posts

    with engine.connect() as connection:
        rows = connection.execute(
            select(
                posts.c.kind,
                posts.c.title,
                posts.c.description,
                categories.c.name,
                members.c.display_name,
                posts.c.status,
            )
            .join(categories, categories.c.id == posts.c.category_id)
            .join(members, members.c.id == posts.c.member_id)
            .where(posts.c.timebank_id == tb)
            .order_by(posts.c.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_timeoverflow_offers_and_inquiries_come_open_in_their_categories_and_only_once(
    engine: Engine,
) -> None:
    """The reports have no descriptions: the title and tags stand in. A category the timebank lacks
    is added; one it has (any case) is used; a post without one goes under "Other"."""
    from timebank.offers.search import search_posts

    tb = create_timebank(engine, "Posts from TimeOverflow").timebank_id
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Members_2024-04-01.csv", TO_MEMBERS.replace("109800", "0").replace("-5400", "0"))
        z.writestr("Offers_2024-04-01.csv", TO_OFFERS)
        z.writestr("Inquiries_2024-04-01.csv", TO_INQUIRIES)
    files = {"timebank.zip": archive.getvalue()}

    report = run(engine, tb, files, source="timeoverflow")
    # A later download holds the same posts and one more: only that one is added.
    later = io.BytesIO()
    with zipfile.ZipFile(later, "w") as z:
        z.writestr("Offers_2024-05-01.csv", TO_OFFERS + "13,Clases de guitarra,,Zoë (3),2024-04-20\n")
    again = run(engine, tb, {"later.zip": later.getvalue()}, source="timeoverflow")

    assert (report.posts_added, report.posts_known) == (3, 0)
    assert (again.posts_added, again.posts_known, again.members_added) == (1, 2, 0)
    assert _posts(engine, tb) == [
        (
            "offer",
            "Poda de árboles, frutales",
            "Poda de árboles, frutales\n\nTags: poda",
            "Jardinería",
            "Hermione Cadena Muñoz",
            "open",
        ),
        ("offer", "Charla en inglés", "Charla en inglés", "Other", "Dónal O'Brien", "open"),
        ("request", "Ayuda con el huerto", "Ayuda con el huerto", "Gardening", "Zoë", "open"),
        ("offer", "Clases de guitarra", "Clases de guitarra", "Other", "Zoë", "open"),
    ]
    found = search_posts(engine, tb, Caller.coordinator_of(tb), words="poda").posts
    assert [p.title for p in found] == ["Poda de árboles, frutales"]


def test_an_offer_of_a_member_no_file_names_is_refused_and_nothing_is_written(engine: Engine) -> None:
    tb = create_timebank(engine, "Unknown poster").timebank_id
    before = counts(engine)
    offers = ",Offer,Tags,User,Created at\n,-,,,\n5,Dog walking,,Ann (1),2024-01-01 10:00:00 UTC\n"
    given = {"Offers.csv": offers, "users.csv": "2,2020-01-01,Bo,,,,,,,\n"}

    report = run(engine, tb, given, source="timeoverflow", dry_run=True)

    # The post names its member, "Ann (1)", so she comes with it, as with transfers.
    assert (report.members_added, report.posts_added) == (2, 1)
    assert counts(engine) == before


def _fill_pot(engine: Engine, tb: int, minutes: int) -> None:
    run(engine, tb, {"members.csv": "name,username\r\nDonor,donor\r\n"})
    from tests.ledger_calls import give_credits
    from timebank.ledger import Actor

    donor = account_id(engine, tb, "Donor")
    with engine.begin() as connection:
        connection.execute(accounts.update().where(accounts.c.id == donor).values(floor_minutes=-minutes))
    with engine.connect() as connection:
        pot = connection.execute(
            select(accounts.c.id).where(accounts.c.timebank_id == tb, accounts.c.kind == "pot")
        ).scalar_one()
    # A gift is at most the timebank's limit per exchange (24 hours by default).
    for step in range(0, minutes, 24 * 60):
        chunk = min(24 * 60, minutes - step)
        give_credits(engine, tb, Actor("coordinator", is_coordinator=True), donor, pot, chunk, "to start")


def test_timeoverflow_importer_files_with_seconds_reasons_and_the_organisation(engine: Engine) -> None:
    tb = create_timebank(engine, "Importer files", default_member_floor_minutes=-100_000).timebank_id
    users = (
        "1,2018-01-30,Hermione,Cadena,Muñoz,1,1989-03-16,622743103,691777984,user@example.com\n"
        "2,2018-02-01,Seán,,,2,,,,\n"
    )
    transfers = (
        '2,member,1,member,5400,2024-01-05,"Lift to the clinic, twice",\n'
        "1,member,2,member,90000,2024-01-06,,\n"
        "0,organization,2,member,3600,2024-01-07,Welcome hour,\n"
    )
    _fill_pot(engine, tb, 60)

    run(engine, tb, {"users.csv": users, "transfers.csv": transfers}, source="timeoverflow")

    assert balances(engine, tb) == {"Hermione Cadena Muñoz": 90 - 1500, "Seán": -90 + 1500 + 60, "Donor": -60}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, 120), st.integers(0, 400)),
        max_size=30,
    )
)
def test_a_generated_spreadsheet_history_gives_exactly_the_balances_its_rows_imply(
    engine: Engine, rows: list[tuple[int, int, int, int]]
) -> None:
    tb = create_timebank(engine, "Generated", default_member_floor_minutes=-100_000).timebank_id
    names = ["Ann", "Bo", "Cy", "Dee", "Éva"]
    lines = ["date,giver,receiver,time,description"]
    expected: dict[str, int] = defaultdict(int, {n: 0 for n in names})
    for giver, receiver, minutes, days in rows:
        if giver == receiver:
            continue
        time = f"{minutes // 60}:{minutes % 60:02d}" if days % 2 else str(minutes)
        lines.append(f"{TODAY - timedelta(days=days)},{names[giver]},{names[receiver]},{time},Help")
        expected[names[giver]] += minutes
        expected[names[receiver]] -= minutes
    files = {"members.csv": "name\r\n" + "\r\n".join(names), "exchanges.csv": "\r\n".join(lines)}

    run(engine, tb, files)
    run(engine, tb, files)

    assert balances(engine, tb) == dict(expected)
    assert check_invariants(engine, tb) == []


def test_only_a_coordinator_imports_and_another_timebanks_imports_are_never_reused(engine: Engine) -> None:
    from tests.people_calls import add_member
    from timebank.ledger.errors import CoordinatorRequired

    first = create_timebank(engine, "First").timebank_id
    second = create_timebank(engine, "Second").timebank_id
    files = {"members.csv": MEMBERS, "exchanges.csv": EXCHANGES}
    run(engine, first, files)
    member = add_member(engine, second, Caller.coordinator_of(second), "Dee")
    given = [SourceFile(n, c.encode()) for n, c in files.items()]
    plan, _ = read_spreadsheet(given, TODAY)
    as_member = Caller(
        f"member:{member.member_id}", False, second, member.member_id, member.account_id, False, frozenset()
    )
    before = counts(engine)

    with pytest.raises(CoordinatorRequired):
        import_history(engine, second, as_member, plan, files_sha256(given), dry_run=False)
    assert counts(engine) == before

    # The same files into another timebank: its own members, not the first timebank's.
    report = run(engine, second, files)
    assert (report.members_added, report.exchanges_added, report.already_imported_at) == (3, 3, None)
    assert balances(engine, first) == {"Ann O'Neill": 90, "Bo Muñoz": 0, "Cy": -90}
    assert balances(engine, second) == {"Dee": 0, "Ann O'Neill": 90, "Bo Muñoz": 0, "Cy": -90}


def test_an_erasure_forgets_the_import_keys_made_of_the_members_name_and_no_others(engine: Engine) -> None:
    """The keys of a member and of their exchanges are digests of their name or username: a guess
    could be checked against them, so they go with the erasure. Everyone else's stay."""
    tb = create_timebank(engine, "Moving in").timebank_id
    run(engine, tb, {"members.csv": MEMBERS, "exchanges.csv": EXCHANGES})

    def keys() -> set[tuple[str, int]]:
        with engine.connect() as connection:
            rows = connection.execute(
                select(import_keys.c.kind, import_keys.c.target_id).where(import_keys.c.timebank_id == tb)
            )
            return {(kind, target) for kind, target in rows}

    anns_account = account_id(engine, tb, "Ann O'Neill")
    with engine.connect() as connection:
        ann = connection.execute(
            select(members.c.id).where(members.c.timebank_id == tb, members.c.display_name == "Ann O'Neill")
        ).scalar_one()
        # (An import knows a member by their account.)
        anns_exchange = connection.execute(
            select(exchanges.c.id).where(
                exchanges.c.timebank_id == tb,
                exchanges.c.giver_account_id == anns_account,
            )
        ).scalar_one()
    before = keys()
    assert ("member", anns_account) in before
    assert ("exchange", anns_exchange) in before

    erase_member(engine, tb, Caller.coordinator_of(tb), ann, EraseMember(confirm=True))

    assert keys() == before - {("member", anns_account), ("exchange", anns_exchange)}
    assert check_invariants(engine, tb) == []


# --- Members added by hand -----------------------------------------------------------------------


def test_files_reach_members_added_by_hand_by_number_login_or_a_name_no_one_else_has(
    engine: Engine,
) -> None:
    """A timebank that began by hand: its files name those members by number (#N), by their login's
    username, or by a name only they have; a members.csv row with a number brings no new member."""
    from tests.people_calls import add_member

    tb = create_timebank(engine, "Began by hand").timebank_id
    coordinator = Caller.coordinator_of(tb)
    dee = add_member(engine, tb, coordinator, "Dee Patel")
    add_member(engine, tb, coordinator, "Eve", username="eve.w", password="a long enough password")
    fay = add_member(engine, tb, coordinator, "Fay")
    files = {
        "members.csv": f"name,username,number\r\nFay,fay,{fay.member_id}\r\nGus,,\r\n",
        "exchanges.csv": (
            "date,giver,receiver,time,description\r\n"
            "2024-01-01,dee patel,Gus,1:00,Lift\r\n"
            "2024-01-02,Eve.W,fay,0:30,Shopping\r\n"
            f"2024-01-03,#{dee.member_id},eve.w,0:15,Tea\r\n"
        ),
    }

    report = run(engine, tb, files)
    again = run(engine, tb, {"exchanges.csv": files["exchanges.csv"] + "2024-01-04,fay,Gus,0:10,Call\r\n"})

    assert (report.members_added, report.members_known, report.exchanges_added) == (1, 1, 3)
    assert (again.members_added, again.exchanges_added, again.exchanges_known) == (0, 1, 3)
    assert balances(engine, tb) == {"Dee Patel": 75, "Eve": 15, "Fay": -20, "Gus": -70}
    assert check_invariants(engine, tb) == []


def test_a_namesake_or_a_wrong_number_is_refused_with_the_number_to_use_and_nothing_is_written(
    engine: Engine,
) -> None:
    from tests.people_calls import add_member

    tb = create_timebank(engine, "Namesakes").timebank_id
    coordinator = Caller.coordinator_of(tb)
    ann = add_member(engine, tb, coordinator, "Ann Smith")
    add_member(engine, tb, coordinator, "Bo Li")
    second_bo = add_member(engine, tb, coordinator, "Bo  li")
    before = counts(engine)
    files = {
        "members.csv": (
            "name,username,number\r\n"
            "ann smith,,\r\n"  # the member here, most likely: refused with her number
            f"Ann Jones,,{ann.member_id}\r\n"  # a number that is someone else
            "Cy,,99999\r\n"  # a number nobody has
            "Ann Smith,ann2,\r\n"  # a username says it is someone else: fine
        ),
        "exchanges.csv": "date,giver,receiver,time,description\r\n2024-01-01,bo li,ann2,1:00,Lift\r\n",
    }

    with pytest.raises(ImportRefused) as refused:
        run(engine, tb, files)

    lines = [p.line() for p in refused.value.problems]
    assert lines == [
        "exchanges.csv, row 2: 2 members here are called 'bo li': name the one you mean by their member "
        f"number (#{second_bo.member_id - 1}, #{second_bo.member_id}).",
        f"members.csv, row 2: 'ann smith' is already a member here (number {ann.member_id}). To bring "
        f"their history, put {ann.member_id} in the number column; if this is someone else, give the row "
        "a username.",
        f"members.csv, row 3: Member number {ann.member_id} is called 'Ann Smith' here, not 'Ann Jones': "
        "check the number.",
        "members.csv, row 4: There is no member number 99999 here.",
    ]
    assert counts(engine) == before


def test_an_erased_member_cannot_be_named_by_their_number_or_their_old_name(engine: Engine) -> None:
    from tests.people_calls import add_member

    tb = create_timebank(engine, "Erased").timebank_id
    coordinator = Caller.coordinator_of(tb)
    gone = add_member(engine, tb, coordinator, "Hal")
    add_member(engine, tb, coordinator, "Ivy")
    erase_member(engine, tb, coordinator, gone.member_id, EraseMember(confirm=True))
    trades = (
        "date,giver,receiver,time,description\r\n"
        f"2024-01-01,#{gone.member_id},Ivy,1:00,Lift\r\n"
        "2024-01-02,Hal,Ivy,1:00,Lift\r\n"
    )

    with pytest.raises(ImportRefused) as refused:
        run(engine, tb, {"exchanges.csv": trades})

    assert [p.line() for p in refused.value.problems] == [
        f"exchanges.csv, row 2: No member number {gone.member_id} here.",
        "exchanges.csv, row 3: No member 'hal' in these files, an earlier import or this timebank.",
    ]

"""Moving in over HTTP, on SQLite and PostgreSQL: upload, check as a dry run, confirm.

A coordinator's upload is checked and stored with its dry run's report, imports nothing until it is
confirmed, and then moves exactly the balances its files describe; confirming again imports
nothing and answers the same. A refused upload lists every problem (file, row, reason) and writes
nothing; another timebank's coordinator finds nothing (404) and a member is refused (403); too many
or too large files, too many uploads waiting, and an upload that expired are each refused by name
and change nothing. ``timebank tidy`` deletes expired uploads, files and all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from tests.api.conftest import World
from tests.api.db_snapshot import snapshot
from timebank.clock import utc_now
from timebank.db.import_tables import import_upload_files, import_uploads
from timebank.db.tables import accounts, exchanges
from timebank.imports.uploads import UPLOAD_BYTES_MAX, UPLOADS_WAITING_MAX
from timebank.people.housekeeping import tidy

MEMBERS = (
    "name,username,opening_balance\r\n"
    "Ann Import,ann.import,0:30\r\n"
    "Bo Import,bo.import,\r\n"
    "Cy Import,cy.import,-0:30\r\n"
)
EXCHANGES = (
    "date,giver,receiver,time,description\r\n"
    "2024-05-01,ann.import,bo.import,1:30,Gardening\r\n"
    "2024-05-02,bo.import,cy.import,45,A lift to the shops\r\n"
)
BROKEN = (
    "date,giver,receiver,time,description\r\n"
    "2024-13-01,ann.import,bo.import,1:30,Gardening\r\n"
    "2024-05-02,nobody,cy.import,0,A lift\r\n"
)


def _files(*named: tuple[str, str | bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (name, body.encode() if isinstance(body, str) else body, "text/csv"))
        for name, body in named
    ]


def upload(
    world: World, *named: tuple[str, str | bytes], who: str = "coordinator", tb: int | None = None
) -> Any:
    return world.client.post(
        world.url("/imports", tb),
        headers=world.headers[who],
        data={"source": "spreadsheet"},
        files=_files(*named),
    )


def balances(world: World) -> dict[str, int]:
    with world.engine.connect() as connection:
        rows = connection.execute(
            select(accounts.c.name, accounts.c.balance_minutes).where(
                accounts.c.timebank_id == world.timebank_id, accounts.c.name.like("% Import")
            )
        )
        return dict(rows.all())


def exchange_count(world: World) -> int:
    with world.engine.connect() as connection:
        query = select(func.count()).where(exchanges.c.timebank_id == world.timebank_id)
        return int(connection.execute(query).scalar_one())


def test_a_coordinator_checks_then_confirms_and_the_balances_arrive(world: World) -> None:
    checked = upload(world, ("members.csv", MEMBERS), ("exchanges.csv", EXCHANGES))
    assert checked.status_code == 201, checked.text
    body = checked.json()
    assert body["state"] == "checked"
    assert [f["name"] for f in body["files"]] == ["members.csv", "exchanges.csv"]
    assert body["checked"]["dry_run"] is True
    assert (body["checked"]["members_added"], body["checked"]["exchanges_added"]) == (3, 2)
    assert body["checked"]["minutes_exchanged"] == 135
    assert body["imported"] is None
    assert balances(world) == {}

    path = world.url(f"/imports/{body['id']}")
    assert world.client.get(path, headers=world.headers["coordinator"]).json() == body
    listed = world.client.get(world.url("/imports"), headers=world.headers["coordinator"]).json()
    assert ([u["id"] for u in listed["waiting"]], listed["imports"]) == ([body["id"]], [])

    confirmed = world.client.post(path + "/confirm", headers=world.headers["coordinator"])
    assert confirmed.status_code == 200, confirmed.text
    done = confirmed.json()
    assert done["state"] == "imported"
    assert done["files"] == []
    assert done["imported"]["dry_run"] is False
    assert done["imported"]["exchanges_added"] == 2
    assert done["import_id"] is not None
    # Ann gave 90 minutes and opened at 30; Bo got 90 and gave 45; Cy got 45 and opened at -30.
    assert balances(world) == {"Ann Import": 120, "Bo Import": -45, "Cy Import": -75}
    listed = world.client.get(world.url("/imports"), headers=world.headers["coordinator"]).json()
    assert listed["waiting"] == []
    assert [(i["id"], i["members_added"], i["exchanges_added"]) for i in listed["imports"]] == [
        (done["import_id"], 3, 2)
    ]
    audit = world.client.get(world.url("/audit-log"), headers=world.headers["coordinator"]).json()
    entries = [e for e in audit["entries"] if e["action"] == "history_imported"]
    assert [e["details"]["import_id"] for e in entries] == [done["import_id"]]


def test_confirming_twice_imports_once_and_answers_the_same(world: World) -> None:
    upload_id = upload(world, ("members.csv", MEMBERS), ("exchanges.csv", EXCHANGES)).json()["id"]
    path = world.url(f"/imports/{upload_id}/confirm")
    first = world.client.post(path, headers=world.headers["coordinator"])
    before = (balances(world), exchange_count(world))
    second = world.client.post(path, headers=world.headers["coordinator"])
    assert second.status_code == 200
    assert second.json() == first.json()
    assert (balances(world), exchange_count(world)) == before
    # The same files uploaded again are checked as "already imported", and add nothing either.
    again = upload(world, ("members.csv", MEMBERS), ("exchanges.csv", EXCHANGES)).json()
    assert again["checked"]["already_imported_at"] is not None
    assert again["checked"]["exchanges_added"] == 0


def test_a_refused_upload_lists_every_problem_and_writes_nothing(world: World) -> None:
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])
    refused = upload(world, ("members.csv", MEMBERS), ("exchanges.csv", BROKEN))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "import_refused"
    listed = {(e["file"], e["row"]) for e in problem["problems"]}
    assert {("exchanges.csv", 2), ("exchanges.csv", 3)} <= listed
    assert all(e["reason"] for e in problem["problems"])
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before


def test_another_timebanks_coordinator_finds_nothing_and_a_member_is_refused(world: World) -> None:
    upload_id = upload(world, ("members.csv", MEMBERS)).json()["id"]
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])
    outsider = world.headers["other_coordinator"]
    # Through their own timebank's address, the upload is not theirs: not found.
    for method, path in (
        ("GET", f"/imports/{upload_id}"),
        ("POST", f"/imports/{upload_id}/confirm"),
    ):
        answer = world.client.request(method, world.url(path, world.other_timebank_id), headers=outsider)
        assert (answer.status_code, answer.json()["code"]) == (404, "import_upload_not_found")
        answer = world.client.request(method, world.url(path), headers=outsider)
        assert (answer.status_code, answer.json()["code"]) == (404, "timebank_not_found")
        answer = world.client.request(method, world.url(path), headers=world.headers["member"])
        assert (answer.status_code, answer.json()["code"]) == (403, "coordinator_required")
    listed = world.client.get(world.url("/imports", world.other_timebank_id), headers=outsider).json()
    assert listed == {"imports": [], "waiting": []}
    refused = upload(world, ("members.csv", MEMBERS), who="member")
    assert (refused.status_code, refused.json()["code"]) == (403, "coordinator_required")
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before


def test_too_many_or_too_large_files_and_none_are_refused_by_name(world: World) -> None:
    before = snapshot(world.engine, [world.timebank_id])
    eleven = [(f"m{i}.csv", MEMBERS) for i in range(11)]
    answer = upload(world, *eleven)
    assert (answer.status_code, answer.json()["code"]) == (422, "import_files_too_many")
    answer = upload(world, ("members.csv", b"name\r\n" + b"x" * (UPLOAD_BYTES_MAX - 5)))
    assert (answer.status_code, answer.json()["code"]) == (422, "import_files_too_large")
    answer = world.client.post(
        world.url("/imports"),
        headers=world.headers["coordinator"],
        data={"source": "spreadsheet"},
        files=_files(("members.csv", b"name\r\n" + b"x" * (UPLOAD_BYTES_MAX + 300 * 1024))),
    )
    assert (answer.status_code, answer.json()["code"]) == (413, "request_body_too_large")
    answer = world.client.post(
        world.url("/imports"),
        headers=world.headers["coordinator"],
        data={"source": "elsewhere"},
        files=_files(("a.csv", "x")),
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "request_invalid")
    answer = upload(world, ("", b""))
    assert answer.status_code == 422
    assert snapshot(world.engine, [world.timebank_id]) == before


def test_a_body_that_declares_too_much_is_refused_before_it_is_read(world: World) -> None:
    answer = world.client.post(
        world.url("/imports"),
        headers={**world.headers["coordinator"], "Content-Type": "multipart/form-data; boundary=x"},
        content=b"--x--",
        # The length a client declares: refused on sight, whatever follows.
    )
    assert answer.status_code in (400, 422)  # a tiny, malformed body reaches the parser
    huge = world.client.post(
        world.url("/imports"),
        headers={
            **world.headers["coordinator"],
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(UPLOAD_BYTES_MAX + 10 * 2**20),
        },
        content=b"--x--",
    )
    assert (huge.status_code, huge.json()["code"]) == (413, "request_body_too_large")


def test_an_expired_upload_cannot_be_confirmed_and_tidy_deletes_it(world: World) -> None:
    upload_id = upload(world, ("members.csv", MEMBERS)).json()["id"]
    with world.engine.begin() as connection:
        connection.execute(
            update(import_uploads)
            .where(import_uploads.c.id == upload_id)
            .values(created_at=utc_now() - timedelta(days=2), expires_at=utc_now() - timedelta(days=1))
        )
    answer = world.client.post(
        world.url(f"/imports/{upload_id}/confirm"), headers=world.headers["coordinator"]
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "import_upload_expired")
    assert balances(world) == {}
    shown = world.client.get(world.url(f"/imports/{upload_id}"), headers=world.headers["coordinator"]).json()
    assert shown["expired"] is True
    assert tidy(world.engine).import_uploads_deleted >= 1
    with world.engine.connect() as connection:
        left = connection.execute(
            select(func.count()).where(import_upload_files.c.upload_id == upload_id)
        ).scalar_one()
    assert left == 0
    answer = world.client.get(world.url(f"/imports/{upload_id}"), headers=world.headers["coordinator"])
    assert (answer.status_code, answer.json()["code"]) == (404, "import_upload_not_found")


def test_at_most_a_few_uploads_wait_and_an_expired_one_makes_room(world: World) -> None:
    ids = [
        upload(world, (f"m{i}.csv", MEMBERS.replace("Import", f"Import{i}"))).json()["id"]
        for i in range(UPLOADS_WAITING_MAX)
    ]
    refused = upload(world, ("members.csv", MEMBERS))
    assert (refused.status_code, refused.json()["code"]) == (409, "import_uploads_too_many")
    with world.engine.begin() as connection:
        connection.execute(
            update(import_uploads)
            .where(import_uploads.c.id == ids[0])
            .values(created_at=utc_now() - timedelta(days=2), expires_at=utc_now() - timedelta(days=1))
        )
    accepted = upload(world, ("members.csv", MEMBERS))
    assert accepted.status_code == 201, accepted.text
    gone = world.client.get(world.url(f"/imports/{ids[0]}"), headers=world.headers["coordinator"])
    assert gone.status_code == 404


def _checked_and_confirmed(world: World, members: str) -> None:
    upload_id = upload(world, ("members.csv", members)).json()["id"]
    answer = world.client.post(
        world.url(f"/imports/{upload_id}/confirm"), headers=world.headers["coordinator"]
    )
    assert answer.status_code == 200, answer.text


def test_an_upload_the_database_now_refuses_lists_its_problems_and_stays_waiting(world: World) -> None:
    # Eve's balance below zero fills the pot with 20 minutes; Dee's upload is checked against it.
    _checked_and_confirmed(world, "name,opening_balance\r\nEve Import,-0:20\r\n")
    dee = upload(world, ("members.csv", "name,opening_balance\r\nDee Import,0:20\r\n"))
    assert dee.status_code == 201, dee.text
    # Before Dee's is confirmed, Fay's takes the 20 minutes: the pot cannot go below zero.
    _checked_and_confirmed(world, "name,opening_balance\r\nFay Import,0:20\r\n")
    before = snapshot(world.engine, [world.timebank_id])

    path = world.url(f"/imports/{dee.json()['id']}")
    refused = world.client.post(path + "/confirm", headers=world.headers["coordinator"])

    assert (refused.status_code, refused.json()["code"]) == (422, "import_refused")
    assert "pot" in refused.json()["problems"][0]["reason"]
    assert snapshot(world.engine, [world.timebank_id]) == before
    shown = world.client.get(path, headers=world.headers["coordinator"]).json()
    assert (shown["state"], [f["name"] for f in shown["files"]]) == ("checked", ["members.csv"])


def test_opening_balances_may_come_from_an_organisations_account_named_with_the_upload(world: World) -> None:
    """The pot cannot go below zero; an organisation standing for the old system's own account may,
    within its lowest balance. The choice is kept with the upload, so the confirm takes from there."""
    members = "name,username,opening_balance\r\nDee Import,dee.import,2:00\r\n"
    organisation = world.account_ids["organisation"]
    with world.engine.begin() as connection:
        connection.execute(update(accounts).where(accounts.c.id == organisation).values(floor_minutes=-600))
        before = connection.execute(
            select(accounts.c.balance_minutes).where(accounts.c.id == organisation)
        ).scalar_one()

    def check(openings_from: int) -> Any:
        return world.client.post(
            world.url("/imports"),
            headers=world.headers["coordinator"],
            data={"source": "spreadsheet", "openings_from": str(openings_from)},
            files=_files(("members.csv", members)),
        )

    # An organisation that is not this timebank's is not there to take from.
    elsewhere = check(10**9)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "organisation_not_found")

    checked = check(world.organisation_id)
    assert checked.status_code == 201, checked.text
    body = checked.json()
    assert body["openings_from"] == {
        "organisation_id": world.organisation_id,
        "name": "Riverside Health Trust",
    }
    done = world.client.post(
        world.url(f"/imports/{body['id']}/confirm"), headers=world.headers["coordinator"]
    )

    assert done.status_code == 200, done.text
    assert balances(world) == {"Dee Import": 120}
    with world.engine.connect() as connection:
        after = connection.execute(
            select(accounts.c.balance_minutes).where(accounts.c.id == organisation)
        ).scalar_one()
    assert after == before - 120

"""The erasure sweep: an erased member appears nowhere, and the ledger still holds (issue 18, DESIGN §9).

On both databases, a member with a unique name, username, email and tag builds a history with
everything that can hold personal data: exchanges given and received whose descriptions name them,
one waiting for another member (so the outbox holds a message about them), a reversal whose reason
names them, a gift with a note, an exchange between two other members that mentions them, a checked
email address, a benefits declaration, limits changed with a reason, expenses with a receipt and a
journey, a payment given to a charity of their choice, a voucher with their acknowledgement, a login
a coordinator turned off with a reason naming them, a download of their data, a keyed write whose key
spells their username, and the reports read. Before the erasure, every one of those strings is
somewhere the sweep looks (so the sweep would see it). Then a coordinator erases them through the API.

After it, none of the strings appears, ignoring case, in:

- any page (every GET route of ``timebank.web.pages.PAGE_MODULES``, as the coordinator, staff and two
  members, with the ids of the erased member and with another member's), PDFs read as text and
  ZIPs file by file;
- any answer of the JSON API (every GET operation of the committed document, the same ways), the
  CSV, PDF and ZIP downloads and the reports included;
- any row of any table of the database.

And the ledger is what it was: every transaction and transfer row, every account's balance, counters
and version, and the invariants (L2-L4, L9, L10) checked over the timebank's rows.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import Engine, select

from tests.integration.helpers import check_invariants
from tests.involvement_calls import (
    attendee,
    create_activity,
    create_spend_option,
    invite_members,
    record_attendance,
    record_expense,
    set_declaration,
    spend_credits,
)
from tests.ledger_calls import record_exchange
from tests.notification_calls import verification_token
from tests.people_calls import add_member
from tests.web.site import PASSWORD, Site, build_site
from tests.web.test_page_access import GETS, Ids, page_world
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.benefits.money import Mileage, PaymentKind, Receipt
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db.tables import accounts, metadata, transactions, transfers
from timebank.db.unit_of_work import run
from timebank.involvement.requests import OfferTerms
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.access import log_in
from timebank.people.callers import Caller

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
_PARAMETER = re.compile(r"{(\w+)}")
_TEXTS = (
    "gave",
    "received",
    "reason",
    "note",
    "pending",
    "limits",
    "login_off",
    "expense",
    "receipt",
    "journey",
    "charity",
    "acknowledgement",
    "offer",
    "area",
    "hidden",
)
CHARTS = ("monthly", "role_mix", "give_share", "hours_matrix")


def _text(answer: Response) -> str:
    """What an answer says, as text: a PDF's text, a ZIP's files, anything else decoded."""
    kind = answer.headers.get("content-type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(answer.content)).pages)
    if kind.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
    return answer.content.decode("utf-8", errors="replace")


def _database_text(engine: Engine) -> str:
    """Every row of every table, every column, as text (JSON's \\u escapes undone)."""
    parts: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    if isinstance(value, str) and value.startswith(("{", "[")):
                        with contextlib.suppress(ValueError):
                            value = json.dumps(json.loads(value), ensure_ascii=False)
                    parts.append(str(value))
    return "\n".join(parts)


def _found(text: str, needles: dict[str, str]) -> set[str]:
    lowered = text.lower()
    return {what for what, needle in needles.items() if needle.lower() in lowered}


# --- the member and their history ---------------------------------------------------------------


def _last_link(engine: Engine, tb: int, member_id: int) -> str:
    """The token of the verification link last sent to the member."""
    messages = run(engine, lambda uow: uow.notifications.messages_for(tb, member_id), write=False)
    return verification_token(messages[-1].body)


def _story(site: Site, api: TestClient) -> dict[str, Any]:
    engine, tb = site.engine, site.timebank_id
    suffix = f"{uuid.uuid4().int % 10**10:010d}"
    name = f"Ysolde Quillfeather {suffix}"
    username = f"ysolde.{suffix}"
    email = f"ysolde.{suffix}@example.org"
    system = Caller.coordinator_of(tb)
    ysolde = add_member(
        engine,
        tb,
        system,
        name,
        username=username,
        password=PASSWORD,
        tags=["uses_services", f"kin_{suffix}"],
    )
    # What names her, and a token of its own in each text about her or by her: a text left half
    # replaced still shows its token.
    needles = {
        "name": name,
        "surname": f"Quillfeather {suffix}",
        "username": username,
        "email": email,
        "tag": f"kin_{suffix}",
        **{what: f"{suffix}-{what}" for what in _TEXTS},
    }
    texts = {
        "gave": f"Weeded the allotment {needles['gave']}",
        "received": f"Helped {name} with shopping {needles['received']}",
        "reason": f"Undone as {username} asked {needles['reason']}",
        "note": f"Birthday thanks {needles['note']}",
        "pending": f"Walked the dog {needles['pending']}",
        "limits": f"Asked by {name} on the phone {needles['limits']}",
        "login_off": f"{name} is in hospital {needles['login_off']}",
        "expense": f"Taxi to the forum {needles['expense']}",
        "receipt": f"Receipt {needles['receipt']}",
        "journey": f"Home at 3 Elm Row {needles['journey']}",
        "charity": f"Friends of {needles['charity']}",
        "acknowledgement": f"I accept the risk {needles['acknowledgement']}",
        "offer": f"{name} can help with sewing {needles['offer']}",
        "area": f"Near Elm Row {needles['area']}",
        "hidden": f"{name} asked for cash {needles['hidden']}",
        # Bob's words, naming her in passing: they stay, her name does not.
        "request": f"A lift for {name} on Tuesdays",
    }
    # Two other members' exchange that mentions her in passing keeps its words, but not her name.
    mention = f"Drove {name} to the clinic"
    bearer = {"Authorization": f"Bearer {log_in(engine, username, PASSWORD).access_token}"}
    coordinator = {
        "Authorization": f"Bearer {log_in(engine, site.usernames['coordinator'], PASSWORD).access_token}"
    }
    bob = {"Authorization": f"Bearer {log_in(engine, site.usernames['bob'], PASSWORD).access_token}"}
    url = f"/v1/timebanks/{tb}"
    day = (utc_now().date() - timedelta(days=2)).isoformat()
    alice, bob_account = site.account_ids["alice"], site.account_ids["bob"]

    def post(path: str, body: dict[str, Any], headers: dict[str, str], key: str | None = None) -> Any:
        keyed = {"Idempotency-Key": key or uuid.uuid4().hex}
        answer = api.post(f"{url}{path}", json=body, headers=headers | keyed)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    # Checked email addresses for her and for Bob, so messages about her reach the outbox.
    for member_id, headers, address in (
        (ysolde.member_id, bearer, email),
        (site.member_ids["bob"], bob, f"bob.{suffix}@example.org"),
    ):
        api.put(f"{url}/members/{member_id}/email", json={"email": address}, headers=headers)
        assert (
            api.post("/v1/email/verify", json={"token": _last_link(engine, tb, member_id)}).status_code == 200
        )

    def exchange(giver: int, receiver: int, description: str, headers: dict[str, str]) -> Any:
        shares = [{"account_id": receiver, "minutes": 60}]
        body = {
            "giver_account_id": giver,
            "receivers": shares,
            "activity_date": day,
            "description": description,
        }
        return post("/exchanges", body, headers)

    # She received help (she recorded it: it posts), gave help (waits for Bob), and a third one is undone.
    exchange(alice, ysolde.account_id, texts["received"], bearer)
    exchange(ysolde.account_id, bob_account, texts["pending"], bearer)
    gave = exchange(ysolde.account_id, alice, texts["gave"], coordinator)
    undone = exchange(alice, ysolde.account_id, f"Ironing {suffix}", coordinator)
    post(f"/exchanges/{undone['id']}/reverse", {"reason": texts["reason"]}, coordinator)
    gift = post(
        "/gifts",
        {
            "from_account_id": ysolde.account_id,
            "to_account_id": alice,
            "minutes": 15,
            "note": texts["note"],
        },
        bearer,
        key=f"{username}-gift",
    )
    # Two other members' exchange that mentions her in passing.
    record_exchange(
        engine,
        tb,
        Actor("test:coordinator", None, is_coordinator=True),
        alice,
        [ReceiverShare(bob_account, 30)],
        utc_now().date() - timedelta(days=1),
        mention,
    )
    # Her offer, and Bob's request that names her: searched for by her name before the erasure.
    category_id = api.get(f"{url}/categories", headers=bearer).json()["categories"][0]["id"]
    expires_on = (utc_now().date() + timedelta(days=30)).isoformat()
    post_ids = []
    for headers, kind, title, area in (
        (bearer, "offer", texts["offer"], texts["area"]),
        (bob, "request", texts["request"], None),
        (bearer, "offer", f"{name} can mend coats", None),
    ):
        body = {
            "kind": kind,
            "category_id": category_id,
            "title": title[:80],
            "description": title,
            "expires_on": expires_on,
        }
        created = api.post(f"{url}/posts", json=body | ({"area": area} if area else {}), headers=headers)
        assert created.status_code == 201, created.text
        post_ids.append(created.json()["id"])
    found = api.get(f"{url}/posts", params={"q": "Quillfeather"}, headers=bob).json()
    assert len(found["posts"]) == 3, found
    # Her second offer, hidden by a coordinator with a reason that names her.
    hide = {"reason": texts["hidden"]}
    hidden = api.post(f"{url}/posts/{post_ids[2]}/hide", json=hide, headers=coordinator)
    assert hidden.status_code == 200, hidden.text
    limits = {"floor_minutes": -900, "cap_minutes": None, "reason": texts["limits"]}
    assert (
        api.put(f"{url}/accounts/{ysolde.account_id}/limits", json=limits, headers=coordinator).status_code
        == 200
    )

    # Involvement: her declaration, an activity she was invited to and chose a charity for, expenses.
    set_declaration(
        engine, tb, system, ysolde.account_id, [BenefitCategory.CARERS_ALLOWANCE], members_say_so=True
    )
    held_on = utc_now().date() - timedelta(days=1)
    forum = create_activity(
        engine,
        tb,
        system,
        site.organisation_id,
        "Carers forum",
        held_on,
        120,
        ActivityClassification.USES_SERVICES,
    )
    invite_members(engine, tb, system, forum.activity_id, [ysolde.account_id])
    record_attendance(
        engine,
        tb,
        system,
        forum.activity_id,
        [attendee(ysolde.account_id, 120, Reward.CHARITY, charity_name=texts["charity"])],
        offer=OfferTerms.for_week(2000, PaymentKind.VOUCHER, held_on, "Thank-you voucher"),
        paid_on=held_on,
    )
    for evidence, description in (
        (Receipt(texts["receipt"], 900), texts["expense"]),
        (Mileage(texts["journey"], 10), f"Mileage {suffix}"),
    ):
        record_expense(
            engine,
            tb,
            system,
            site.organisation_id,
            ysolde.account_id,
            evidence.evidenced_pence,
            evidence,
            description,
            held_on,
            activity_id=forum.activity_id,
        )
    voucher = create_spend_option(
        engine, tb, system, site.organisation_id, "Cafe voucher", 30, SpendClass.VOUCHER
    )
    spend_credits(
        engine,
        tb,
        system,
        voucher.spend_option_id,
        ysolde.account_id,
        acknowledgement=texts["acknowledgement"],
    )
    # Files checked for an import and waiting to be confirmed, naming her (as a namesake, so the
    # check passes): an erasure cannot read every layout for her, so the upload goes whole.
    waiting = api.post(
        f"{url}/imports",
        headers=coordinator,
        data={"source": "spreadsheet"},
        files=[
            (
                "files",
                ("members.csv", f"name,username,email\r\n{name},ys.copy,{email}\r\n".encode(), "text/csv"),
            )
        ],
    )
    assert waiting.status_code == 201, waiting.text
    # Her data downloaded, the reports read, and last her login turned off with a reason.
    assert api.get(f"{url}/members/{ysolde.member_id}/data.zip", headers=coordinator).status_code == 200
    assert api.get(f"{url}/reports/reciprocity", headers=coordinator).status_code in (200, 409)
    off = {"reason": texts["login_off"]}
    assert (
        api.post(f"{url}/members/{ysolde.member_id}/login/off", json=off, headers=coordinator).status_code
        == 200
    )
    return {
        "member": ysolde,
        "needles": needles,
        "exchange_id": gave["id"],
        "transaction_id": gift["id"],
        "activity_id": forum.activity_id,
        "post_id": post_ids[0],
        "upload_id": waiting.json()["id"],
    }


# --- reading everything ---------------------------------------------------------------------------


def _fill(template: str, ids: dict[str, Any]) -> str:
    return _PARAMETER.sub(lambda match: str(ids[match.group(1)]), template)


def _pages(site: Site, visitor_names: tuple[str, ...], ids: Ids) -> dict[str, str]:
    read: dict[str, str] = {}
    for who in visitor_names:
        visitor = site.logged_in(who)
        for path in GETS:
            if path == "/logout":
                continue
            address = ids.path(path)
            read[f"page {address} as {who}"] = _text(visitor.get(address))
    return read


def _api_gets() -> list[str]:
    document = json.loads(SPEC.read_text())
    return [path for path, item in document["paths"].items() if "get" in item]


def _answers(api: TestClient, tokens: dict[str, str], ids: dict[str, Any]) -> dict[str, str]:
    read: dict[str, str] = {}
    paths = []
    for template in _api_gets():
        charts = CHARTS if "{chart}" in template else (None,)
        paths += [_fill(template, ids | {"chart": chart}) for chart in charts]
    tb = ids["tb"]
    paths += [
        f"/v1/timebanks/{tb}/exchanges?account_id={ids['account_id']}",
        f"/v1/timebanks/{tb}/audit-log?account_id={ids['account_id']}",
        f"/v1/timebanks/{tb}/audit-log?limit=200",
        f"/v1/timebanks/{tb}/spend-options?include_withdrawn=true",
    ]
    for who, token in tokens.items():
        for path in paths:
            answer = api.get(path, headers={"Authorization": f"Bearer {token}"})
            read[f"GET {path} as {who}"] = _text(answer)
        csv = api.get(
            f"/v1/timebanks/{tb}/reports/reciprocity",
            headers={"Authorization": f"Bearer {token}", "Accept": "text/csv"},
        )
        read[f"report CSV as {who}"] = _text(csv)
    return read


def _ledger(engine: Engine, tb: int) -> list[dict[str, Any]]:
    """Every transaction and transfer of the timebank, and every account but for its name."""
    with engine.connect() as connection:
        rows = []
        for table in (transactions, transfers, accounts):
            query = select(table).where(table.c.timebank_id == tb).order_by(table.c.id)
            rows += [
                {k: v for k, v in row.items() if k != "name"} for row in connection.execute(query).mappings()
            ]
    return rows


def test_an_erased_member_appears_nowhere_and_the_ledger_still_holds(engine: Engine) -> None:
    site = build_site(engine)
    default_ids = page_world(site)
    api = TestClient(site.visitor().client.app, client=(site.address, 50000))
    story = _story(site, api)
    member, needles = story["member"], story["needles"]
    subject_ids = Ids(
        here=default_ids.here
        | {
            "member_id": member.member_id,
            "account_id": member.account_id,
            "exchange_id": story["exchange_id"],
            "transaction_id": story["transaction_id"],
            "activity_id": story["activity_id"],
            "post_id": story["post_id"],
        },
        elsewhere=default_ids.elsewhere,
        by_page={**default_ids.by_page, "/members/{member_id}/erased": {"member_id": member.member_id}},
    )
    api_ids = {
        "tb": site.timebank_id,
        "member_id": member.member_id,
        "account_id": member.account_id,
        "exchange_id": story["exchange_id"],
        "activity_id": story["activity_id"],
        "organisation_id": site.organisation_id,
        "post_id": story["post_id"],
        "upload_id": story["upload_id"],
    }
    tokens = {
        who: log_in(engine, site.usernames[who], PASSWORD).access_token
        for who in ("coordinator", "staff", "alice")
    }
    # Before: the sweep sees every string somewhere (else finding none afterwards would prove nothing).
    seen = _pages(site, ("coordinator",), subject_ids) | _answers(
        api, {"coordinator": tokens["coordinator"]}, api_ids
    )
    assert _found("\n".join(seen.values()) + _database_text(engine), needles) == set(needles)
    ledger = _ledger(engine, site.timebank_id)

    erased = api.post(
        f"/v1/timebanks/{site.timebank_id}/members/{member.member_id}/erasure",
        json={"confirm": True},
        headers={"Authorization": f"Bearer {tokens['coordinator']}"},
    )

    assert erased.status_code == 200, erased.text
    read = _pages(site, ("coordinator",), subject_ids)
    read |= _pages(site, ("coordinator", "staff", "alice", "bob"), default_ids)
    read |= _answers(api, tokens, api_ids)
    read |= _answers(
        api,
        tokens,
        api_ids | {"member_id": site.member_ids["alice"], "account_id": site.account_ids["alice"]},
    )
    leaks = {where: sorted(_found(text, needles)) for where, text in read.items() if _found(text, needles)}
    assert leaks == {}
    assert _found(_database_text(engine), needles) == set()
    # Search forgets her: her own offer is closed and its words gone, Bob's request no longer names her.
    after = api.get(
        f"/v1/timebanks/{site.timebank_id}/posts",
        params={"q": "Quillfeather"},
        headers={"Authorization": f"Bearer {tokens['alice']}"},
    ).json()
    assert after["posts"] == []
    assert f"Former member {member.member_id}" in read[f"page /members/{member.member_id} as coordinator"]
    # The ledger: every row as it was, every balance, counter and version, and the invariants.
    assert _ledger(engine, site.timebank_id) == ledger
    assert check_invariants(engine, site.timebank_id) == []

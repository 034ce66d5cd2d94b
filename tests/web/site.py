"""A timebank to visit through the pages, and a browser-less visitor for the tests that need no browser.

``build_site`` makes a timebank with members who log in (Alice, Bob, a coordinator, and Priya, staff of
the organisation "Riverside Health Trust"), one who does not (Carol, recorded for by coordinators),
and a second timebank with a member and an organisation of its own.
``Visitor`` reads pages and posts their forms as a browser would: it sends what the page filled in
(hidden fields such as the CSRF token and the idempotency key, values kept after a refusal, today's
date, checked radios), so a test says only what a member would type.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from tests.apps import shared_app
from tests.conftest import STORY_BACKDATE_DAYS
from tests.ledger_calls import record_exchange
from tests.people_calls import add_member, add_organisation, add_staff, create_timebank, get_account
from timebank.app import create_app
from timebank.clock import utc_now
from timebank.exchanges.views import ExchangeView
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller

PASSWORD = "correct horse battery staple"


@dataclass
class Form:
    action: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(action=a.get("action", ""), fields={})
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and "name" in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._current.fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "password"):
                self._current.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and self._current is not None:
            self._textarea = a.get("name")
            self._current.fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._current is not None:
            self._current.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Visitor:
    client: TestClient

    def get(self, path: str) -> Response:
        return self.client.get(path, follow_redirects=False)

    def form(self, page: Response | str, action: str) -> Form:
        """The first form on the page (the page's own address) that posts to ``action``."""
        html = page if isinstance(page, str) else page.text
        for form in forms_of(html):
            if form.action == action:
                return form
        raise AssertionError(f"no form posts to {action}")

    def submit(self, page: Response | str, action: str, typed: dict[str, str] | None = None) -> Response:
        """Post the form that posts to ``action``, filled in as the page gave it, then as ``typed`` says."""
        fields = dict(self.form(page, action).fields)
        fields.update(typed or {})
        return self.client.post(action, data=fields, follow_redirects=False)

    def log_in(self, username: str, password: str = PASSWORD) -> Response:
        page = self.get("/login")
        return self.submit(page, "/login", {"username": username, "password": password})


@dataclass
class Site:
    engine: Engine
    timebank_id: int
    pot_account_id: int
    usernames: dict[str, str] = field(default_factory=dict)
    account_ids: dict[str, int] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    other_timebank_id: int = 0
    organisation_id: int = 0
    organisation_name: str = ""
    other_organisation_id: int = 0
    # The address its visitors come from: a site's own, so the limits counted per address (failed
    # logins and code guesses, reset requests) in a database many tests share are its own too.
    address: str = field(
        default_factory=lambda: (
            f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        )
    )

    def record(
        self, giver: str, receiver: str, minutes: int, description: str, *, by: str, days_ago: int = 1
    ) -> ExchangeView:
        """An exchange recorded through the use case by ``by`` (the giver's waits for the receiver)."""
        actor = Actor(caller=f"test:{by}", account_id=self.account_ids[by])
        return record_exchange(
            self.engine,
            self.timebank_id,
            actor,
            self.account_ids[giver],
            [ReceiverShare(self.account_ids[receiver], minutes)],
            utc_now().date() - timedelta(days=days_ago),
            description,
        )

    def balance(self, who: str) -> int:
        return get_account(self.engine, self.timebank_id, self.account_ids[who]).balance_minutes

    def visitor(self) -> Visitor:
        # The worker's app (tests.apps), a client (its own cookies) per visitor.
        app = shared_app(create_app, self.engine)
        return Visitor(TestClient(app, base_url="http://testserver", client=(self.address, 50000)))

    def logged_in(self, who: str) -> Visitor:
        visitor = self.visitor()
        answer = visitor.log_in(self.usernames[who])
        assert answer.status_code == 303, answer.text
        return visitor


def build_site(engine: Engine) -> Site:
    # Digits, not hex: textstat counts a token like "db00ddda" as three syllables and "5e3e6730" as
    # one, so a hex suffix in every name made a page's reading ease (tests/browser/axe.py) a lottery.
    suffix = f"{uuid.uuid4().int % 10**10:010d}"
    timebank = create_timebank(engine, f"Riverside {suffix}", backdate_days_max=STORY_BACKDATE_DAYS)
    other = create_timebank(engine, f"Hillside {suffix}")
    site = Site(engine, timebank.timebank_id, timebank.pot_account_id, other_timebank_id=other.timebank_id)
    system = Caller.coordinator_of(timebank.timebank_id)
    people = {
        "alice": (f"Alice Green {suffix}", ("member",), True),
        "bob": (f"Bob Stone {suffix}", ("member",), True),
        "carol": (f"Carol White {suffix}", ("member",), False),
        "coordinator": (f"Cora Ordinator {suffix}", ("member", "coordinator"), True),
        "staff": (f"Priya Staffer {suffix}", ("member",), True),
    }
    for key, (name, roles, has_login) in people.items():
        username = f"{key}_{suffix}" if has_login else None
        view = add_member(
            engine,
            timebank.timebank_id,
            system,
            name,
            username=username,
            password=PASSWORD if has_login else None,
            roles=roles,
        )
        site.account_ids[key] = view.account_id
        site.member_ids[key] = view.member_id
        site.names[key] = name
        if username:
            site.usernames[key] = username
    outsider = add_member(
        engine,
        other.timebank_id,
        Caller.coordinator_of(other.timebank_id),
        f"Olive Outsider {suffix}",
        username=f"olive_{suffix}",
        password=PASSWORD,
    )
    site.usernames["olive"] = f"olive_{suffix}"
    site.account_ids["olive"] = outsider.account_id
    site.names["olive"] = outsider.display_name
    trust = add_organisation(engine, timebank.timebank_id, system, f"Riverside Health Trust {suffix}")
    add_staff(engine, timebank.timebank_id, system, trust.organisation_id, site.member_ids["staff"])
    site.organisation_id = trust.organisation_id
    site.organisation_name = trust.name
    elsewhere = add_organisation(
        engine, other.timebank_id, Caller.coordinator_of(other.timebank_id), f"Hillside Council {suffix}"
    )
    site.other_organisation_id = elsewhere.organisation_id
    return site

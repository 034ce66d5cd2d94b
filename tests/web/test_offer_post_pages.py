"""A post's own page, recording from it, writing to its member, and hiding it, on SQLite and PostgreSQL.

Bob finds Alice's offer and opens its page from the search results: her name and when she last
took part, never her username. From it he records the help she gave him: the record form comes
filled in (someone helped me, Alice, the offer's title), the check page names the offer, and the
exchange keeps the link and shows it. A request works the other way round ("I helped someone").
Answering her own post, a closed one or a hidden one is refused by a page named for the rule, and
nothing is recorded. Bob writes to her: the page refuses an empty message beside the box, then says
the same words whoever reads it. A coordinator hides the post after a page that asks why, sees the
reason on its page, and shows it again.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import Engine, select

from tests.api.db_snapshot import row_counts
from tests.offer_calls import post_for
from tests.web.site import Site, build_site
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.tables import exchanges
from timebank.involvement.audit import AuditAction, read_audit_log
from timebank.notifications.keys import preferences_of, reply_token
from timebank.offers import HidePost, PostKind, close_post, hide_post
from timebank.offers.views import MESSAGE_ON_ITS_WAY
from timebank.people.callers import Caller


def main_text(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _post(site: Site, who: str = "alice", **fields: Any) -> int:
    return post_for(site.engine, site.timebank_id, site.member_ids[who], **fields).post_id


def _post_id_of_exchange(engine: Engine, exchange_id: int) -> int | None:
    with engine.connect() as connection:
        found = connection.execute(select(exchanges.c.post_id).where(exchanges.c.id == exchange_id)).scalar()
    return None if found is None else int(found)


def test_a_member_opens_a_post_from_search_and_from_their_own_list(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, title="Help in the garden")
    bob, alice = site.logged_in("bob"), site.logged_in("alice")

    found = bob.get("/offers?q=garden").text
    assert f'href="/offers/{post_id}"' in found
    page = bob.get(f"/offers/{post_id}")
    text = main_text(page.text)
    assert page.status_code == 200
    assert "Help in the garden" in text and site.names["alice"] in text
    assert site.usernames["alice"] not in page.text
    assert f'href="/record?post={post_id}"' in page.text
    assert f'href="/offers/{post_id}/message"' in page.text
    assert "For coordinators" not in text

    assert f'href="/offers/{post_id}"' in alice.get("/offers/mine").text
    own = main_text(alice.get(f"/offers/{post_id}").text)
    assert "This is yours" in own
    assert "/record?post=" not in alice.get(f"/offers/{post_id}").text


def test_recording_from_an_offer_fills_the_form_names_the_offer_and_keeps_the_link(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, title="Help in the garden")
    bob = site.logged_in("bob")

    form = bob.get(f"/record?post={post_id}")
    assert form.status_code == 200
    fields = bob.form(form, "/record").fields
    assert fields["post"] == str(post_id)
    assert fields["other_name"] == site.names["alice"]
    assert fields["description"] == "Help in the garden"
    assert 'value="received" checked' in form.text
    checked = bob.submit(form, "/record", {"direction": "received", "hours": "2"})
    assert checked.status_code == 200, checked.text
    assert f"{site.names['alice']}'s offer: Help in the garden" in main_text(checked.text)
    recorded = bob.submit(checked, "/record", {"action": "record"})

    assert recorded.status_code == 303, recorded.text
    exchange_id = int(recorded.headers["location"].rsplit("/", 1)[1])
    assert _post_id_of_exchange(engine, exchange_id) == post_id
    assert f'href="/offers/{post_id}"' in bob.get(recorded.headers["location"]).text


def test_recording_from_a_request_is_help_given(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, kind=PostKind.REQUEST, title="A lift to the surgery")
    bob = site.logged_in("bob")

    form = bob.get(f"/record?post={post_id}")
    assert 'value="gave" checked' in form.text
    checked = bob.submit(form, "/record", {"hours": "1"})
    recorded = bob.submit(checked, "/record", {"action": "record"})

    exchange_id = int(recorded.headers["location"].rsplit("/", 1)[1])
    assert _post_id_of_exchange(engine, exchange_id) == post_id


def test_a_post_that_cannot_be_answered_is_refused_by_its_rule_and_nothing_is_recorded(
    engine: Engine,
) -> None:
    site = build_site(engine)
    coordinator = Caller.coordinator_of(site.timebank_id)
    own, closed, hidden = _post(site), _post(site), _post(site)
    close_post(engine, site.timebank_id, coordinator, closed)
    hide_post(engine, site.timebank_id, coordinator, hidden, HidePost(reason="Asks for money"))
    alice, bob, cora = site.logged_in("alice"), site.logged_in("bob"), site.logged_in("coordinator")
    before = row_counts(engine)

    mine = alice.get(f"/record?post={own}")
    assert mine.status_code == 422 and "This is your own offer or request" in main_text(mine.text)
    shut = bob.get(f"/record?post={closed}")
    assert shut.status_code == 409 and "closed or has ended" in main_text(shut.text)
    assert bob.get(f"/record?post={hidden}").status_code == 404
    assert cora.get(f"/record?post={hidden}").status_code == 409
    assert bob.get(f"/offers/{closed}/message").status_code == 409
    # The last step asks again: a post closed since the check page is refused.
    checked = bob.submit(bob.get(f"/record?post={own}"), "/record", {"hours": "1"})
    close_post(engine, site.timebank_id, coordinator, own)
    assert bob.submit(checked, "/record", {"action": "record"}).status_code == 409
    assert row_counts(engine) == before


def test_a_member_writes_to_a_posts_member_and_is_told_the_same_whoever_reads_it(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, title="Help in the garden")
    bob = site.logged_in("bob")

    form = bob.get(f"/offers/{post_id}/message")
    assert form.status_code == 200
    assert f"Send a message to {site.names['alice']}" in main_text(form.text)
    empty = bob.submit(form, f"/offers/{post_id}/message", {"message": "  "})
    assert empty.status_code == 422 and 'href="#message"' in empty.text
    sent = bob.submit(form, f"/offers/{post_id}/message", {"message": "Could you help on Saturday?"})

    assert (sent.status_code, sent.headers["location"]) == (303, f"/offers/{post_id}?done=sent")
    assert MESSAGE_ON_ITS_WAY in main_text(bob.get(sent.headers["location"]).text)
    log = read_audit_log(engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))
    assert [e.action for e in log.entries].count(AuditAction.MEMBER_MESSAGE_SENT) == 1


def test_a_coordinator_hides_a_post_with_a_reason_and_shows_it_again(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, title="Help in the garden")
    cora, bob, alice = site.logged_in("coordinator"), site.logged_in("bob"), site.logged_in("alice")
    page = cora.get(f"/offers/{post_id}")
    assert f'href="/offers/{post_id}/hide"' in page.text

    asked = cora.get(f"/offers/{post_id}/hide")
    assert "Hide Help in the garden?" in main_text(asked.text)
    empty = cora.submit(asked, f"/offers/{post_id}/hide", {"reason": " "})
    assert empty.status_code == 422 and 'href="#reason"' in empty.text
    too_long = cora.submit(asked, f"/offers/{post_id}/hide", {"reason": "x" * 501})
    assert too_long.status_code == 422 and 'href="#reason"' in too_long.text
    hidden = cora.submit(asked, f"/offers/{post_id}/hide", {"reason": "Asks for money"})

    assert (hidden.status_code, hidden.headers["location"]) == (303, f"/offers/{post_id}?done=hidden")
    assert "The reason: Asks for money" in main_text(cora.get(f"/offers/{post_id}").text)
    assert "The reason: Asks for money" in main_text(alice.get(f"/offers/{post_id}").text)
    assert bob.get(f"/offers/{post_id}").status_code == 404
    again = cora.submit(asked, f"/offers/{post_id}/hide", {"reason": "Twice"})
    assert again.status_code == 409

    shown = cora.submit(cora.get(f"/offers/{post_id}"), f"/offers/{post_id}/show")
    assert (shown.status_code, shown.headers["location"]) == (303, f"/offers/{post_id}?done=shown")
    assert bob.get(f"/offers/{post_id}").status_code == 200
    log = read_audit_log(engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))
    actions = [e.action for e in log.entries]
    assert (AuditAction.POST_HIDDEN in actions) and (AuditAction.POST_SHOWN in actions)
    # Showing it again once it shows is refused by its rule.
    csrf = cora.form(cora.get(f"/offers/{post_id}/hide"), f"/offers/{post_id}/hide").fields
    answer = cora.client.post(f"/offers/{post_id}/show", data=csrf, follow_redirects=False)
    assert answer.status_code == 409 and "This offer or request is not hidden" in answer.text


def test_a_posts_member_answers_by_the_link_in_a_message_and_a_forged_link_is_refused(engine: Engine) -> None:
    site = build_site(engine)
    post_id = _post(site, title="Help in the garden")
    bob, alice = site.logged_in("bob"), site.logged_in("alice")
    bob.submit(bob.get(f"/offers/{post_id}/message"), f"/offers/{post_id}/message", {"message": "Saturday?"})

    def alices_key(uow):  # type: ignore[no-untyped-def]
        key = preferences_of(uow, site.timebank_id, site.member_ids["alice"], utc_now()).unsubscribe_key
        uow.commit()  # made here if Bob's message did not make it
        return key

    token = reply_token(run(engine, alices_key), post_id, site.member_ids["bob"], site.member_ids["alice"])
    link = f"/offers/{post_id}/message?to={site.member_ids['bob']}&token={token}"
    assert (
        alice.get(f"/offers/{post_id}/message?to={site.member_ids['bob']}&token={'0' * 32}").status_code
        == 403
    )
    assert bob.get(link).status_code == 403  # the link is Alice's, not his

    form = alice.get(link)
    assert form.status_code == 200 and f"Answer {site.names['bob']}" in main_text(form.text)
    sent = alice.submit(form, f"/offers/{post_id}/message", {"message": "Yes, at ten."})

    assert (sent.status_code, sent.headers["location"]) == (303, f"/offers/{post_id}?done=sent")
    log = read_audit_log(engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))
    answers = [e.details for e in log.entries if e.action == AuditAction.MEMBER_MESSAGE_SENT]
    assert answers[-1] == {"post_id": post_id, "to_member_id": site.member_ids["bob"]}

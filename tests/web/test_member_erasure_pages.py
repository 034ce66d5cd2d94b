"""A coordinator erases a member's personal data on the pages, on both databases.

From the member's page: the question page says what goes and what stays, the box must be ticked
(refused beside it, nothing erased), the check page says it cannot be undone, and its button erases;
the done page and the member's page then name them "Former member N". The same button pressed twice
lands on the done page; a member erased already, or one's own data, gets a page saying why not;
members and staff get 403 and another timebank's member 404 (tests/web/test_page_access.py).
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.web.site import build_site


def test_a_coordinator_erases_bobs_data_from_his_page(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    bob_id, bob_name = site.member_ids["bob"], site.names["bob"]
    balance = site.balance("bob")
    page = cora.get(f"/members/{bob_id}")
    assert f'href="/members/{bob_id}/erase"' in page.text
    path = f"/members/{bob_id}/erase"

    question = cora.get(path)
    assert question.status_code == 200
    assert "What we remove" in question.text and "What stays" in question.text
    assert f"Former member {bob_id}" in question.text
    before = row_counts(engine)
    unticked = cora.submit(question, path)
    assert unticked.status_code == 422 and 'href="#confirm"' in unticked.text
    assert row_counts(engine) == before
    check = cora.submit(question, path, {"confirm": "yes"})
    assert check.status_code == 200 and "Check your answers" in check.text and "cannot undo" in check.text
    assert row_counts(engine) == before

    done = cora.submit(check, path, {"action": "erase"})

    assert (done.status_code, done.headers["location"]) == (303, f"/members/{bob_id}/erased")
    erased = cora.get(done.headers["location"])
    assert erased.status_code == 200 and f"Former member {bob_id}" in erased.text
    page = cora.get(f"/members/{bob_id}")
    assert f"Former member {bob_id}" in page.text and bob_name not in page.text
    assert "personal data was erased on" in page.text
    assert f'href="/members/{bob_id}/erase"' not in page.text
    assert site.balance("bob") == balance
    # The same button again: the first press erased him, and says so.
    again = cora.submit(check, path, {"action": "erase"})
    assert (again.status_code, again.headers["location"]) == (303, f"/members/{bob_id}/erased")
    assert cora.get(path).status_code == 409


def test_a_coordinator_cannot_erase_their_own_data(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    own = site.member_ids["coordinator"]
    assert f'href="/members/{own}/erase"' not in cora.get(f"/members/{own}").text
    before = row_counts(engine)

    page = cora.get(f"/members/{own}/erase")
    posted = cora.client.post(
        f"/members/{own}/erase",
        data={
            "csrf_token": cora.form(cora.get("/"), "/logout").fields["csrf_token"],
            "confirm": "yes",
            "action": "erase",
        },
        follow_redirects=False,
    )

    assert page.status_code == 403 and "Ask another coordinator" in page.text
    assert posted.status_code == 403
    assert row_counts(engine) == before


def test_the_done_page_of_a_member_not_erased_is_not_found(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    assert cora.get(f"/members/{site.member_ids['alice']}/erased").status_code == 404

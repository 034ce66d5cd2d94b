"""Reading the audit log by kind and by member, with names (coordinators only), on SQLite and PostgreSQL.

``read_audit_log`` and ``read_named_audit_log`` take the kind of entry (``action``) and the member
(``account_id``) together or apart; the named page adds the names of the accounts its entries are
about. A member is refused, another timebank's coordinator is not found, and no entry names a
benefit category.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.involvement_calls import set_declaration
from tests.web.site import Site, build_site
from timebank.benefits.categories import BenefitCategory
from timebank.errors import NotAllowed, NotFound
from timebank.involvement.audit import AuditAction, read_audit_log, read_named_audit_log
from timebank.involvement.declarations import read_declaration
from timebank.people.callers import Caller


def _history(site: Site) -> Caller:
    """Alice and Bob declare their benefits (each for themself); the coordinator reads Alice's."""
    coordinator = Caller.coordinator_of(site.timebank_id, "test:coordinator")
    for who in ("alice", "bob"):
        holder = Caller.holder_of(site.timebank_id, site.account_ids[who], f"test:{who}")
        set_declaration(
            site.engine, site.timebank_id, holder, site.account_ids[who], [BenefitCategory.CARERS_ALLOWANCE]
        )
    read_declaration(site.engine, site.timebank_id, coordinator, site.account_ids["alice"])
    return coordinator


def test_the_log_is_read_by_kind_by_member_or_both(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = _history(site)
    alice = site.account_ids["alice"]

    def actions(**filters: object) -> list[tuple[str, int | None]]:
        page = read_audit_log(engine, site.timebank_id, coordinator, **filters)  # type: ignore[arg-type]
        return [(e.action, e.subject_account_id) for e in page.entries]

    assert actions(action=AuditAction.DECLARATION_SET) == [
        ("declaration_set", alice),
        ("declaration_set", site.account_ids["bob"]),
    ]
    assert actions(account_id=alice) == [("declaration_set", alice), ("declaration_read", alice)]
    assert actions(account_id=alice, action=AuditAction.DECLARATION_READ) == [("declaration_read", alice)]
    assert actions(action=AuditAction.PAYMENT_WARNED) == []


def test_the_named_log_names_whom_each_entry_is_about_and_never_a_benefit(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = _history(site)
    page = read_named_audit_log(engine, site.timebank_id, coordinator)
    assert page.subject_names == {
        site.account_ids["alice"]: site.names["alice"],
        site.account_ids["bob"]: site.names["bob"],
    }
    assert page.actor_names == {}  # test callers are not logins
    assert BenefitCategory.CARERS_ALLOWANCE.value not in page.model_dump_json()


def test_a_member_is_refused_and_another_timebanks_coordinator_finds_nothing(engine: Engine) -> None:
    site = build_site(engine)
    _history(site)
    member = Caller.holder_of(site.timebank_id, site.account_ids["alice"], "test:alice")
    with pytest.raises(NotAllowed):
        read_named_audit_log(engine, site.timebank_id, member, action=AuditAction.DECLARATION_SET)
    with pytest.raises(NotFound):
        read_named_audit_log(engine, site.timebank_id, Caller.coordinator_of(site.other_timebank_id))

"""The bad-input test: every write operation, sent everything a careless or hostile client might.

The corpus itself (what is sent to each operation, and how each answer is judged) is in
``bad_input_corpus.py``; ``tests/reliability/test_bad_input_live.py`` sends the same corpus to the
real server over real sockets. Here it goes through the ASGI app, once per operation and backend,
and a meta-test keeps the corpus in step with the OpenAPI document, so that no write escapes it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .bad_input_corpus import (
    CASES_MIN,
    FORM,
    KEY_REUSED_CASES,
    OPERATION_BY_NAME,
    OPERATIONS,
    Arranged,
    Operation,
    Prior,
    arrange,
    corpus,
    own_address,
    run_corpus,
    send,
    timebank_rows,
    unchanged_problems,
    valid_alternatives,
    valid_request,
)
from .conftest import World

# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_bad_input_is_refused_with_a_problem_and_changes_nothing(world: World, op: Operation) -> None:
    """Each case: a 4xx problem (a replay: the first answer), and no row added or removed anywhere;
    after all: no row of either timebank changed. Then the valid request is accepted."""
    # One client for the corpus, entered once: a request then costs half as much as through world.client.
    with TestClient(world.client.app, client=own_address()) as client:
        here, there = arrange(client, world, [op])
        before = timebank_rows(world)
        outcome = run_corpus(client, world, op, here, there)
        after = timebank_rows(world)
        failures = outcome.failures + unchanged_problems(before, after)
        # The control: the corpus was built from requests that are accepted, so its refusals are its own.
        controls = [valid_request(op, world, here), *valid_alternatives(op, world, here)]
        answers = [(control, send(client, world, op, here, control)) for control in controls]
    for control, valid in answers:
        if valid.status_code not in (200, 201, 202, 204):
            failures.append(f"{control.name} itself: answered {valid.status_code}: {valid.text[:300]}")
    assert outcome.cases >= (op.cases_min or CASES_MIN[op.takes]), f"only {outcome.cases} cases for {op.name}"
    assert not failures, f"{len(failures)} of {outcome.cases} cases went wrong:\n" + "\n".join(failures)


def _spec_writes(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    }


def test_the_corpus_covers_every_write_in_the_document(world: World) -> None:
    """Every write of the OpenAPI document is in OPERATIONS, taking what the document says it takes,
    and its corpus reaches every id in its path, its key, and the bodies it takes or must refuse."""
    writes = _spec_writes(world.client.get("/openapi.json").json())
    assert set(writes) == set(OPERATION_BY_NAME)

    # Stand-ins for the arrangement: the corpus is built, not sent.
    prior = Prior("k", {}, b"", None, 200, b"{}", {}, b"")
    here = {"prior": {op.name: prior for op in OPERATIONS}} | {"tb": 1, "activity": 1, "withdrawn_option": 1}
    here |= {"post": 1, "closed_post": 1, "hidden_post": 1, "category": 1}
    here |= {
        "future_activity": 1,
        "verification_token": "tbv_x",
        "unsubscribe_token": "1.exchange_confirmed.x",
        "password_code": "ABCD-EFGH-JKMN",
        "code_username": "nell.newcomer",
        "reset_username": "fay@riverside.example",
        "reset_token": "tbr_x",
        "login_off": 1,
    }
    there: Arranged = {name: 2 for op in OPERATIONS for name in op.path_ids} | {"account": 2, "member": 2}
    for name, (method, path, spec) in writes.items():
        op = OPERATION_BY_NAME[name]
        assert (op.method, _braced(op.path)) == (method, _braced(path)), name
        parameters = spec.get("parameters", [])
        assert len(op.path_ids) == sum(p["in"] == "path" for p in parameters), name
        assert op.keyed == any(p["name"] == "Idempotency-Key" for p in parameters), name
        content = spec.get("requestBody", {}).get("content", {})
        takes = (
            "json"
            if "application/json" in content
            else "form"
            if FORM in content
            else "multipart"
            if "multipart/form-data" in content
            else "nothing"
        )
        assert op.takes == takes, name

        names = [case.name for case in corpus(op, world, here, there)]
        assert len(names) >= (op.cases_min or CASES_MIN[op.takes]), f"only {len(names)} cases for {name}"
        required = {f"path {placeholder} of another timebank" for placeholder in op.path_ids}
        if op.keyed:
            required |= {"no Idempotency-Key", *KEY_REUSED_CASES}
        if op.takes == "nothing":
            required |= {"a body: malformed JSON", "a 1 MB body"}
        assert required <= set(names), f"{name} lacks {sorted(required - set(names))}"


class _Braced(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{}"


def _braced(path: str) -> str:
    """A path template with its placeholders' names left out: "/a/{}/b"."""
    return path.format_map(_Braced())

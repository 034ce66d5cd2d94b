"""Each operation's entry in the contract lists the refusals it can really answer, and no other.

The lists live in ``timebank.api.operation_problems``. The deterministic HTTP tests run with
``TIMEBANK_STRICT_PROBLEMS`` set (``tests/conftest.py``), so an operation answering a code its
entry does not list fails the test that met it; these tests hold the lists themselves to the
registry of codes and to the document, and show that strictness catches a missing code.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine

from timebank.api import problems
from timebank.api.app import create_app, openapi_document
from timebank.api.operation_problems import EDGE_CODES, OPERATION_CODES
from timebank.api.problems import EDGE_STATUSES, UndeclaredProblem, status_of_code
from timebank.errors import all_error_codes

from .conftest import World


def _operations() -> dict[str, dict[str, Any]]:
    document = openapi_document(create_app(create_engine("sqlite://")))
    return {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
    }


def test_every_operation_of_the_contract_has_a_list_and_every_list_an_operation() -> None:
    assert sorted(OPERATION_CODES) == sorted(_operations())


def test_every_listed_code_is_a_code_the_application_knows() -> None:
    known = set(all_error_codes()) | set(EDGE_STATUSES)
    listed = set(EDGE_CODES).union(*OPERATION_CODES.values())

    assert sorted(listed - known) == []


def test_the_document_lists_each_operations_codes_under_the_status_each_answers_with() -> None:
    for operation_id, operation in _operations().items():
        written = {
            code: int(status)
            for status, response in operation["responses"].items()
            for code in response.get("x-codes", [])
        }
        for code in OPERATION_CODES[operation_id]:
            assert written.get(code) == status_of_code(code), (operation_id, code)


def test_a_refusal_the_operation_does_not_list_is_caught_as_a_bug(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = world.url("/accounts/999999")
    assert world.client.get(url, headers=world.headers["coordinator"]).json()["code"] == ("account_not_found")

    # The same answer, with the operation's list missing the code it answered.
    monkeypatch.setattr(problems, "codes_of", lambda operation_id: EDGE_CODES)
    with pytest.raises(UndeclaredProblem, match="account_not_found"):
        world.client.get(url, headers=world.headers["coordinator"])

"""The committed OpenAPI document is the app's: a change to the API must come with the file.

Regenerate it with ``timebank openapi`` and commit the result.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine

from timebank.api.app import create_app, openapi_document

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _document() -> dict[str, object]:
    return openapi_document(create_app(create_engine("sqlite://")))


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = json.loads(SPEC.read_text())

    assert committed == json.loads(json.dumps(_document())), (
        "run `timebank openapi` and commit openapi/openapi.json"
    )


def test_every_operation_has_a_stable_snake_case_id_and_a_summary() -> None:
    operations = [op for path in _document()["paths"].values() for op in path.values()]  # type: ignore[attr-defined]

    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for operation in operations:
        assert operation["operationId"].replace("_", "").isalpha(), operation["operationId"]
        assert operation.get("summary"), operation["operationId"]


def test_the_contract_paths_of_the_design_are_all_there() -> None:
    paths = _document()["paths"]

    for path, method in [
        ("/v1/auth/token", "post"),
        ("/v1/timebanks", "post"),
        ("/v1/timebanks/{tb}/members", "post"),
        ("/v1/timebanks/{tb}/organisations", "post"),
        ("/v1/timebanks/{tb}/accounts/{account_id}", "get"),
        ("/v1/timebanks/{tb}/accounts/{account_id}/statement", "get"),
        ("/v1/timebanks/{tb}/exchanges", "post"),
        ("/v1/timebanks/{tb}/exchanges/{exchange_id}/confirm", "post"),
        ("/v1/timebanks/{tb}/exchanges/{exchange_id}/decline", "post"),
        ("/v1/timebanks/{tb}/exchanges/{exchange_id}/cancel", "post"),
        ("/v1/timebanks/{tb}/exchanges/{exchange_id}/reverse", "post"),
        ("/v1/timebanks/{tb}/gifts", "post"),
    ]:
        assert method in paths[path], (method, path)  # type: ignore[index]


def test_every_error_response_is_a_problem_document() -> None:
    for path in _document()["paths"].values():  # type: ignore[attr-defined]
        for operation in path.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        operation["operationId"],
                        status,
                    )


def test_writes_that_move_credits_require_an_idempotency_key() -> None:
    paths = _document()["paths"]
    for path in (
        "/v1/timebanks/{tb}/exchanges",
        "/v1/timebanks/{tb}/exchanges/{exchange_id}/confirm",
        "/v1/timebanks/{tb}/exchanges/{exchange_id}/reverse",
        "/v1/timebanks/{tb}/gifts",
    ):
        parameters = paths[path]["post"]["parameters"]  # type: ignore[index]
        key = [p for p in parameters if p["name"] == "Idempotency-Key"]
        assert key and key[0]["required"] is True and key[0]["in"] == "header", path


def _numbers(node: object) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.append((key, value))
            found += _numbers(value)
    elif isinstance(node, list):
        for item in node:
            found += _numbers(item)
    return found


def test_integers_stay_integers_and_an_id_may_reach_two_to_the_sixty_third_less_one() -> None:
    document = _document()
    numbers = _numbers(document)

    assert [(key, value) for key, value in numbers if isinstance(value, float)] == []
    schemas = document["components"]["schemas"]  # type: ignore[index]
    giver = schemas["RecordExchange"]["properties"]["giver_account_id"]
    assert (giver["type"], giver["minimum"], giver["maximum"]) == ("integer", 1, 2**63 - 1)


def test_every_summary_says_what_the_operation_does() -> None:
    # Not the function's name title-cased ("Get", "Add"): the first line of the route's docstring.
    for path, item in _document()["paths"].items():  # type: ignore[attr-defined]
        for method, operation in item.items():
            summary = operation["summary"]
            assert len(summary.split()) >= 4, (method, path, summary)
            assert summary.endswith((".", ")")) or summary[0].isupper(), (method, path, summary)

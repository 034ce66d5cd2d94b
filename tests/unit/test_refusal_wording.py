"""Refusals in plain words (``timebank.rendering.refusals``): what a person reads, not a schema path."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from timebank.exchanges.requests import GiveCredits as GiftCreate
from timebank.exchanges.requests import RecordExchange as ExchangeCreate
from timebank.ledger.errors import ReasonRequired
from timebank.ledger.rules import check_minutes
from timebank.people.requests import AddMember as MemberCreate
from timebank.rendering.refusals import field_sentence, refusal_sentence, sentence

EXCHANGE = {
    "giver_account_id": 1,
    "receivers": [{"account_id": 2, "minutes": 60}],
    "activity_date": "2024-05-01",
    "description": "Gardening",
}


def _invalid(model: Any, data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        ("sixty", "Minutes must be a whole number."),
        (1.5, "Minutes must be a whole number."),
        (0, "Minutes must be more than zero."),
        (20000, "The timebank allows at most 168 hours in one exchange."),
    ],
)
def test_minutes_are_refused_in_words(minutes: object, said: str) -> None:
    data = {**EXCHANGE, "receivers": [{"account_id": 2, "minutes": minutes}]}

    assert refusal_sentence(_invalid(ExchangeCreate, data)) == said


def test_each_field_is_named_in_words_and_no_path_is_shown() -> None:
    data = {**EXCHANGE, "activity_date": "2024-13-01", "description": "", "colour": "red"}

    said = refusal_sentence(_invalid(ExchangeCreate, data))

    assert said == (
        "Activity date must be a date written as YYYY-MM-DD, such as 2024-05-01. "
        "Description cannot be empty. "
        "Colour is not something we can take here; leave it out."
    )
    assert "body" not in said
    assert "Input should" not in said


def test_missing_fields_choices_and_lengths() -> None:
    gift = _invalid(GiftCreate, {"from_account_id": 1, "minutes": 5, "note": "x" * 501})
    member = _invalid(MemberCreate, {"display_name": "Ann", "roles": ["boss"]})

    assert refusal_sentence(gift) == "To account number is needed. Note can be at most 500 characters long."
    assert refusal_sentence(member) == "Roles must be 'member' or 'coordinator'."


def test_many_problems_name_three_and_count_the_rest() -> None:
    invalid = _invalid(ExchangeCreate, {"a": 1, "b": 2, "c": 3, "d": 4})

    said = refusal_sentence(invalid)

    assert said.endswith("(5 more not shown.)")
    assert said.count(".") == 4  # three sentences and the count


def test_a_ledger_refusal_is_its_own_detail_as_a_sentence() -> None:
    assert refusal_sentence(ReasonRequired("say why this is being reversed")) == (
        "Say why this is being reversed."
    )


def test_the_timebanks_limit_on_one_exchange_is_said_in_hours() -> None:
    with pytest.raises(Exception) as caught:
        check_minutes(1500, 24 * 60)

    assert str(caught.value) == "The timebank allows at most 24 hours in one exchange or gift, not 25 hours"


def test_fields_can_be_named_another_way_such_as_by_setting() -> None:
    error = {"type": "int_parsing", "loc": ("workers",), "msg": "Input should be a valid integer"}

    assert field_sentence(error, lambda field: f"TIMEBANK_{field.upper()}") == (
        "TIMEBANK_WORKERS must be a whole number."
    )


def test_an_error_kind_without_words_of_its_own_keeps_pydantics_message_after_the_field() -> None:
    error = {"type": "url_parsing", "loc": ("body", "home_page"), "msg": "Input should be a valid URL"}

    assert field_sentence(error) == "Home page: input should be a valid URL."


def test_a_sentence_starts_with_a_capital_and_ends_with_a_stop() -> None:
    assert sentence("  minutes  must be   whole ") == "Minutes must be whole."
    assert sentence("Done!") == "Done!"
    assert sentence("") == ""

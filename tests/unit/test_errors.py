"""The error tree (timebank.errors): one tree of stable, unique codes, each package owning its leaves.

The root module draws the groups in the order the checks run; these tests hold that drawing to the
classes. Every class of every leaf module is found by the one registry (``all_error_codes``), each
declares its own snake_case code that spells its class name, each hangs under a group of the root,
each module exports its classes in ``__all__``, and ``docs/errors.md`` is the tree as it is.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import timebank.errors as root
from timebank.cli import errors_document
from timebank.errors import TimebankError, all_error_codes, error_class, render_tree
from timebank.exchanges.errors import ImportRejected, RowError
from timebank.imports.errors import ImportRefused, Problem
from timebank.ledger.errors import BalanceBelowFloor

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
GROUPS = [
    "InvalidRequest",
    "NotFound",
    "NotAllowed",
    "StateConflict",
    "LimitBreached",
    "IdempotencyConflict",
    "NotAuthenticated",
    "TooManyAttempts",
    "ServerBusy",
]
LEAF_MODULES = [importlib.import_module(name) for name in root._LEAF_MODULES]
CLASSES = list(all_error_codes().values())
DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def classes_defined_in(module: ModuleType) -> list[type[TimebankError]]:
    return [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, TimebankError) and value.__module__ == module.__name__
    ]


def test_the_root_draws_the_groups_in_the_order_the_checks_run() -> None:
    doc = root.__doc__ or ""
    drawn = [line.split()[1] for line in doc.splitlines() if re.match(r"\s+[├└]── [A-Z]", line)]

    assert drawn == GROUPS
    groups = [cls.__name__ for cls in CLASSES if cls.__bases__ == (TimebankError,)]
    assert groups == GROUPS


def test_the_registry_finds_every_class_of_every_leaf_module_and_the_root() -> None:
    defined = {cls for module in (root, *LEAF_MODULES) for cls in classes_defined_in(module)}

    assert set(CLASSES) == defined
    assert len(CLASSES) == len({cls.code for cls in CLASSES})


def test_every_leaf_hangs_under_a_group_of_the_root() -> None:
    for cls in CLASSES:
        if cls is TimebankError:
            continue
        ancestors = [base.__name__ for base in cls.__mro__[1:] if base.__bases__ == (TimebankError,)]
        assert cls.__name__ in GROUPS or ancestors, cls.__name__


def test_every_error_class_has_its_own_code() -> None:
    for cls in CLASSES:
        # Each class declares its code itself rather than inheriting its parent's.
        assert "code" in vars(cls), cls.__name__


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_code_is_snake_case(cls: type[TimebankError]) -> None:
    assert SNAKE_CASE.match(cls.code), cls.code


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_code_spells_its_class_name(cls: type[TimebankError]) -> None:
    # MinutesMustBeWhole is minutes_must_be_whole: the code can be found from the class and back.
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    assert cls.code == snake


@pytest.mark.parametrize("module", [root, *LEAF_MODULES], ids=lambda module: module.__name__)
def test_every_module_exports_its_error_classes(module: ModuleType) -> None:
    exported = set(module.__all__)

    for cls in classes_defined_in(module):
        assert cls.__name__ in exported, cls.__name__


def test_a_code_finds_its_class_and_an_unknown_code_none() -> None:
    assert error_class("balance_below_floor") is BalanceBelowFloor
    assert error_class("username_taken").__module__ == "timebank.people.errors"
    with pytest.raises(KeyError):
        error_class("no_such_rule")


def test_the_documented_tree_is_the_tree_as_it_is() -> None:
    written = DOCS.read_text(encoding="utf-8")

    assert written == errors_document(render_tree()), "run: timebank errors --output docs/errors.md"
    for cls in CLASSES:
        assert f" {cls.code} " in written or written.count(cls.code), cls.code


@pytest.mark.parametrize(
    "cls", [c for c in CLASSES if c not in (ImportRejected, ImportRefused)], ids=lambda cls: cls.__name__
)
def test_an_error_raised_without_detail_explains_itself_with_its_title(cls: type[TimebankError]) -> None:
    refusal = cls()

    assert cls.title
    assert refusal.detail == cls.title
    assert str(refusal) == cls.title
    assert isinstance(refusal, TimebankError)


def test_an_error_keeps_the_detail_it_was_given() -> None:
    refusal = BalanceBelowFloor("Account 3 would have -610 minutes")

    assert refusal.detail == "Account 3 would have -610 minutes"
    assert str(refusal) == refusal.detail
    assert refusal.code == "balance_below_floor"


def test_a_rejected_import_carries_every_row_error() -> None:
    row_errors = [
        RowError(row=2, code="minutes_must_be_positive", detail="zero minutes"),
        RowError(row=5, code="account_not_found", detail="no account 99"),
    ]

    refusal = ImportRejected(row_errors)

    assert refusal.errors == row_errors
    assert refusal.code == "import_rejected"
    assert "2 row(s)" in refusal.detail


def test_a_refused_import_carries_every_problem_with_its_file_and_row() -> None:
    problems = [
        Problem("members.csv", 3, "This member is there twice."),
        Problem("a.csv", None, "Not UTF-8."),
    ]

    refusal = ImportRefused(problems)

    assert refusal.problems == problems
    assert refusal.code == "import_refused"
    assert refusal.detail == "2 problem(s) in the files; nothing was recorded"
    assert [p.line() for p in problems] == [
        "members.csv, row 3: This member is there twice.",
        "a.csv: Not UTF-8.",
    ]

"""The errors tree (timebank.ledger.errors): one documented tree of stable, unique codes.

The module docstring draws the tree; these tests parse that drawing and hold it to the classes: the
same classes, the same parent for each, and beside each class the code it really carries (a group
such as ``InvalidRequest`` has its code before a colon and a description). Codes are unique and
snake_case, ``all_error_codes()`` finds every one, and every error class is exported in ``__all__``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import pytest

from timebank.ledger import errors

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
TREE_LINE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>[A-Z][A-Za-z]*)(?:\s+(?P<rest>\S.*))?$")
# What follows a class name is its code when it is one snake_case word, perhaps with a remark in
# brackets ("import_rejected (carries every row's errors)"); otherwise it describes a group.
TREE_CODE = re.compile(r"^(?P<code>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?::\s.*|\s+\(.*\))?$")


@dataclass(frozen=True)
class TreeEntry:
    name: str
    parent: str | None
    code: str | None


def parse_tree(docstring: str) -> list[TreeEntry]:
    lines = docstring.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("LedgerError"))
    entries: list[TreeEntry] = []
    ancestors: list[tuple[int, str]] = []
    for line in lines[start:]:
        if not line.strip():
            break
        match = TREE_LINE.match(line)
        assert match, f"cannot read this line of the errors tree: {line!r}"
        depth = len(match["indent"])
        while ancestors and ancestors[-1][0] >= depth:
            ancestors.pop()
        code_match = TREE_CODE.match(match["rest"] or "")
        entries.append(
            TreeEntry(
                name=match["name"],
                parent=ancestors[-1][1] if ancestors else None,
                code=code_match["code"] if code_match else None,
            )
        )
        ancestors.append((depth, match["name"]))
    return entries


TREE = parse_tree(errors.__doc__ or "")
ERROR_CLASSES: list[type[errors.LedgerError]] = [
    value
    for _, value in inspect.getmembers(errors, inspect.isclass)
    if issubclass(value, errors.LedgerError) and value.__module__ == errors.__name__
]
LEAF_CLASSES = [cls for cls in ERROR_CLASSES if not cls.__subclasses__()]


def test_the_parsed_tree_is_rooted_at_ledger_error_and_names_the_groups() -> None:
    assert TREE[0] == TreeEntry("LedgerError", parent=None, code="ledger_error")
    groups = [entry.name for entry in TREE if entry.parent == "LedgerError"]
    assert groups == [
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
    # A group's code is read from before its description.
    assert [entry.code for entry in TREE if entry.parent == "LedgerError"] == [
        "invalid_request",
        "not_found",
        "not_allowed",
        "state_conflict",
        "limit_breached",
        "idempotency_conflict",
        "not_authenticated",
        "too_many_attempts",
        "server_busy",
    ]


def test_the_tree_names_every_error_class_once_and_nothing_else() -> None:
    names = [entry.name for entry in TREE]

    assert len(names) == len(set(names))
    assert set(names) == {cls.__name__ for cls in ERROR_CLASSES}


def test_each_class_sits_under_its_real_parent_in_the_tree() -> None:
    for entry in TREE[1:]:
        assert entry.parent is not None
        cls = getattr(errors, entry.name)
        assert cls.__bases__ == (getattr(errors, entry.parent),), entry.name


def test_each_code_written_in_the_tree_is_the_code_its_class_carries() -> None:
    for entry in TREE:
        if entry.code is not None:
            assert getattr(errors, entry.name).code == entry.code, entry.name


def test_every_error_class_has_its_code_in_the_tree() -> None:
    codes_in_tree = {entry.name: entry.code for entry in TREE}

    for cls in ERROR_CLASSES:
        assert codes_in_tree[cls.__name__] == cls.code, cls.__name__


def test_every_code_in_the_tree_belongs_to_an_error_class() -> None:
    codes_in_tree = [entry.code for entry in TREE if entry.code is not None]

    assert len(codes_in_tree) == len(set(codes_in_tree))
    assert set(codes_in_tree) <= {cls.code for cls in ERROR_CLASSES}
    assert len(codes_in_tree) == len(ERROR_CLASSES)


def test_every_error_class_has_its_own_code() -> None:
    codes = [cls.code for cls in ERROR_CLASSES]

    assert len(codes) == len(set(codes))
    for cls in ERROR_CLASSES:
        # Each class declares its code itself rather than inheriting its parent's.
        assert "code" in vars(cls), cls.__name__


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_code_is_snake_case(cls: type[errors.LedgerError]) -> None:
    assert SNAKE_CASE.match(cls.code), cls.code


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_code_spells_its_class_name(cls: type[errors.LedgerError]) -> None:
    # MinutesMustBeWhole is minutes_must_be_whole: the code can be found from the class and back.
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    assert cls.code == snake


def test_all_error_codes_returns_every_class_by_its_code() -> None:
    assert errors.all_error_codes() == {cls.code: cls for cls in ERROR_CLASSES}


def test_every_error_class_is_exported() -> None:
    exported = set(errors.__all__)

    for cls in ERROR_CLASSES:
        assert cls.__name__ in exported, cls.__name__
    assert "all_error_codes" in exported
    assert "RowError" in exported


def test_every_exported_name_exists_once() -> None:
    assert len(errors.__all__) == len(set(errors.__all__))
    for name in errors.__all__:
        assert hasattr(errors, name), name


@pytest.mark.parametrize(
    "cls", [c for c in ERROR_CLASSES if c is not errors.ImportRejected], ids=lambda cls: cls.__name__
)
def test_an_error_raised_without_detail_explains_itself_with_its_title(cls: type[errors.LedgerError]) -> None:
    refusal = cls()

    assert cls.title
    assert refusal.detail == cls.title
    assert str(refusal) == cls.title
    assert isinstance(refusal, errors.LedgerError)


def test_an_error_keeps_the_detail_it_was_given() -> None:
    refusal = errors.BalanceBelowFloor("Account 3 would have -610 minutes")

    assert refusal.detail == "Account 3 would have -610 minutes"
    assert str(refusal) == refusal.detail
    assert refusal.code == "balance_below_floor"


def test_a_rejected_import_carries_every_row_error() -> None:
    row_errors = [
        errors.RowError(row=2, code="minutes_must_be_positive", detail="zero minutes"),
        errors.RowError(row=5, code="account_not_found", detail="no account 99"),
    ]

    refusal = errors.ImportRejected(row_errors)

    assert refusal.errors == row_errors
    assert refusal.code == "import_rejected"
    assert "2 row(s)" in refusal.detail
    assert isinstance(refusal, errors.InvalidRequest)


def test_a_row_error_is_a_value_not_an_exception() -> None:
    assert not issubclass(errors.RowError, BaseException)

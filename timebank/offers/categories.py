"""A timebank's categories of help: the default list, and the coordinators' own changes to it.

Every timebank starts with the default categories (``DEFAULT_CATEGORIES``, kept with the tables,
written by ``create_timebank`` in its own transaction, and by migration 0015 for the timebanks made
before it). Coordinators add, rename and retire categories; every
member sees the list. Names are unique in a timebank whatever their case or accents ("DIY" and
"diy" are one), and a category is retired rather than deleted, because posts and exchanges point at
it: a retired category takes no new post, and the posts already in it keep their name. A timebank
has at most ``CATEGORIES_MAX`` categories, retired ones included.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.offer_tables import DEFAULT_CATEGORIES as DEFAULT_CATEGORY_KEYS
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.ledger.limits import CATEGORY_LENGTH_MAX
from timebank.offers.errors import CategoriesTooMany, CategoryNameTaken, PostTextRequired
from timebank.offers.requests import AddCategory, ChangeCategory
from timebank.offers.views import CategoryList, CategoryUseList, CategoryUseView, CategoryView
from timebank.offers.words import name_key
from timebank.people.callers import Caller

__all__ = [
    "CATEGORIES_MAX",
    "DEFAULT_CATEGORIES",
    "add_category",
    "change_category",
    "list_categories",
    "list_category_uses",
]

CATEGORIES_MAX = 100
DEFAULT_CATEGORIES = tuple(name for name, _ in DEFAULT_CATEGORY_KEYS)


def _name(name: str) -> tuple[str, str]:
    """The name as kept (trimmed) and its key; refused if it holds no letter or digit."""
    rules.check_text("name", name, CATEGORY_LENGTH_MAX)
    trimmed = " ".join(name.split())
    key = name_key(trimmed)
    if not key:
        raise PostTextRequired("A category's name needs a letter or a digit")
    return trimmed, key


def _check_name_free(uow: UnitOfWork, timebank_id: int, key: str, category_id: int | None) -> None:
    holder = uow.offers.category_named(timebank_id, key)
    if holder is not None and holder.category_id != category_id:
        raise CategoryNameTaken(f"This timebank already has the category '{holder.name}'")


def list_categories(engine: Engine, timebank_id: int, caller: Caller) -> CategoryList:
    """Every category of the timebank by name, retired ones marked, for anyone in it."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> CategoryList:
        uow.timebanks.get(timebank_id)
        records = uow.offers.categories(timebank_id)
        return CategoryList(categories=tuple(CategoryView.of(r) for r in records))

    return run(engine, use_case, write=False)


def list_category_uses(engine: Engine, timebank_id: int, caller: Caller) -> CategoryUseList:
    """Every category by name with how many posts are findable in it today (coordinators)."""
    caller.check_coordinator(timebank_id)

    def use_case(uow: UnitOfWork) -> CategoryUseList:
        uow.timebanks.get(timebank_id)
        records = uow.offers.categories(timebank_id)
        counts = uow.offers.open_posts_by_category(timebank_id, utc_now().date())
        return CategoryUseList(
            categories=tuple(
                CategoryUseView(**CategoryView.of(r).model_dump(), open_posts=counts.get(r.category_id, 0))
                for r in records
            )
        )

    return run(engine, use_case, write=False, snapshot=True)


def add_category(engine: Engine, timebank_id: int, caller: Caller, request: AddCategory) -> CategoryView:
    """Add a category (coordinators)."""
    caller.check_coordinator(timebank_id)
    name, key = _name(request.name)

    def use_case(uow: UnitOfWork) -> CategoryView:
        uow.timebanks.get(timebank_id)
        _check_name_free(uow, timebank_id, key, None)
        if uow.offers.category_count(timebank_id) >= CATEGORIES_MAX:
            raise CategoriesTooMany(f"A timebank has at most {CATEGORIES_MAX} categories")
        (category_id,) = uow.offers.insert_categories(timebank_id, [(name, key)], utc_now())
        view = CategoryView.of(uow.offers.category(timebank_id, category_id))
        uow.commit()
        return view

    return run(engine, use_case)


def change_category(
    engine: Engine, timebank_id: int, caller: Caller, category_id: int, request: ChangeCategory
) -> CategoryView:
    """Rename a category, retire it, or bring it back (coordinators). Posts in it keep pointing at it."""
    caller.check_timebank(timebank_id)
    named = None if request.name is None else _name(request.name)

    def use_case(uow: UnitOfWork) -> CategoryView:
        category = uow.offers.category(timebank_id, category_id)
        caller.check_coordinator(timebank_id)
        if named is not None:
            name, key = named
            _check_name_free(uow, timebank_id, key, category_id)
            uow.offers.rename_category(timebank_id, category_id, name, key)
        if request.retired is not None and request.retired != category.retired:
            uow.offers.set_category_retired(timebank_id, category_id, utc_now() if request.retired else None)
        view = CategoryView.of(uow.offers.category(timebank_id, category_id))
        uow.commit()
        return view

    return run(engine, use_case)

"""The coordinators' Categories page: the kinds of help a timebank's offers and requests are sorted by.

``/categories`` lists every category by name, with how many offers and requests are open in it
today, and whether it is in use or retired. From there a coordinator adds one
(``/categories/new``), renames one (``/categories/{id}/rename``), retires one so that no new post
takes it (``/categories/{id}/retire``) or brings a retired one back (``/categories/{id}/restore``).
A new name is repeated on a check page before anything changes, and retiring and restoring each
ask first; only the check page's button changes anything.

Names are one per timebank whatever their case or accents ("DIY" and "diy" are one), so a name
taken is refused on the form, beside the field, before the check page; the use case checks again
when the button is pressed, for a name taken in between. Every page is behind
``CoordinatorVisitDep``; another timebank's category answers 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, StateConflict
from timebank.ledger.limits import CATEGORY_LENGTH_MAX
from timebank.offers import AddCategory, ChangeCategory, add_category, change_category, list_category_uses
from timebank.offers.views import CategoryUseView
from timebank.offers.words import name_key
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id, not_found
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_HERE = "/reports"  # reached from the offers report, under Reports
_FIELDS_BY_CODE = {
    "category_name_taken": "name",
    "post_text_required": "name",
    "text_too_long": "name",
    "text_has_control_characters": "name",
}
DONE_MESSAGES = {
    "added": "Category added. Members can now choose it.",
    "renamed": "Category renamed. Its offers and requests show the new name.",
    "retired": "Category retired. No new offer or request can be put in it.",
    "restored": "Category restored. Members can choose it again.",
}


def _uses(visit: Visit) -> tuple[CategoryUseView, ...]:
    with refused_as_page():
        return list_category_uses(visit.engine, visit.timebank_id, visit.caller).categories


def _category(visit: Visit, category_id: int) -> CategoryUseView:
    check_id(category_id)
    for category in _uses(visit):
        if category.category_id == category_id:
            return category
    raise not_found()


@router.get("/categories")
def categories_page(request: Request, visit: CoordinatorVisitDep, done: str | None = None) -> Response:
    context = {
        "title": "Categories of offers and requests",
        "visit": visit,
        "here": _HERE,
        "errors": None,
        "categories": _uses(visit),
        "done": DONE_MESSAGES.get(done or ""),
    }
    return render(request, "categories.html", context)


def checked_name(visit: Visit, typed: str, category_id: int | None, errors: FormErrors) -> str | None:
    """The name typed, trimmed, if it could be a new name for ``category_id`` (None: a new category)."""
    name = " ".join(typed.split())
    if not name:
        errors.add("name", "Enter the category's name")
    elif len(name) > CATEGORY_LENGTH_MAX:
        errors.add("name", f"A category's name must be {CATEGORY_LENGTH_MAX} characters or fewer")
    elif not name_key(name):
        errors.add("name", "A category's name needs a letter or a digit")
    else:
        key = name_key(name)
        for other in _uses(visit):
            if other.category_id != category_id and name_key(other.name) == key:
                errors.add("name", f"This timebank already has the category '{other.name}'")
    return None if errors else name


def _name_page(
    request: Request,
    visit: Visit,
    category: CategoryUseView | None,
    form: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Add a category" if category is None else f"Rename {category.name}",
        "visit": visit,
        "here": _HERE,
        "errors": errors or None,
        "form": form,
        "category": category,
        "action": "/categories/new" if category is None else f"/categories/{category.category_id}/rename",
    }
    return render(request, "category_name.html", context, status_code=status_code)


async def _named(request: Request, visit: Visit, category: CategoryUseView | None) -> Response:
    """The name form's post: check it, show the check page, or (from the check page) change it."""
    form = await posted_form(request, visit)
    errors = FormErrors()
    if form.get("action") == "change":
        return await run_in_threadpool(_name_page, request, visit, category, form, errors)
    category_id = None if category is None else category.category_id
    name = await run_in_threadpool(checked_name, visit, form.get("name", ""), category_id, errors)
    if name is None:
        return await run_in_threadpool(_name_page, request, visit, category, form, errors, 422)
    if form.get("action") != "save":
        context: dict[str, Any] = {
            "title": "Check the name",
            "visit": visit,
            "here": _HERE,
            "errors": None,
            "name": name,
            "category": category,
            "action": "/categories/new" if category is None else f"/categories/{category_id}/rename",
        }
        return render(request, "category_check.html", context)
    try:
        with refused_as_page():
            if category_id is None:
                await run_in_threadpool(
                    add_category, visit.engine, visit.timebank_id, visit.caller, AddCategory(name=name)
                )
            else:
                change = ChangeCategory(name=name)
                await run_in_threadpool(
                    change_category, visit.engine, visit.timebank_id, visit.caller, category_id, change
                )
    except (InvalidRequest, StateConflict) as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        status = 409 if isinstance(refused, StateConflict) else 422
        return await run_in_threadpool(_name_page, request, visit, category, form, errors, status)
    done = "added" if category_id is None else "renamed"
    return RedirectResponse(f"/categories?done={done}", status_code=303)


@router.get("/categories/new")
def new_category_page(request: Request, visit: CoordinatorVisitDep) -> Response:
    return _name_page(request, visit, None, {}, FormErrors())


@router.post("/categories/new")
async def new_category(request: Request, visit: CoordinatorVisitDep) -> Response:
    return await _named(request, visit, None)


@router.get("/categories/{category_id}/rename")
def rename_page(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    category = _category(visit, category_id)
    return _name_page(request, visit, category, {"name": category.name}, FormErrors())


@router.post("/categories/{category_id}/rename")
async def rename(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    category = await run_in_threadpool(_category, visit, category_id)
    return await _named(request, visit, category)


def _retire_page(request: Request, visit: Visit, category_id: int, retire: bool) -> Response:
    category = _category(visit, category_id)
    verb = "Retire" if retire else "Restore"
    context = {
        "title": f"{verb} {category.name}",
        "visit": visit,
        "here": _HERE,
        "errors": None,
        "category": category,
        "retire": retire,
    }
    return render(request, "category_retire.html", context)


async def _set_retired(request: Request, visit: Visit, category_id: int, retire: bool) -> Response:
    await posted_form(request, visit)
    await run_in_threadpool(_category, visit, category_id)
    with refused_as_page():
        await run_in_threadpool(
            change_category,
            visit.engine,
            visit.timebank_id,
            visit.caller,
            category_id,
            ChangeCategory(retired=retire),
        )
    return RedirectResponse(f"/categories?done={'retired' if retire else 'restored'}", status_code=303)


@router.get("/categories/{category_id}/retire")
def retire_page(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    return _retire_page(request, visit, category_id, retire=True)


@router.post("/categories/{category_id}/retire")
async def retire(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    return await _set_retired(request, visit, category_id, retire=True)


@router.get("/categories/{category_id}/restore")
def restore_page(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    return _retire_page(request, visit, category_id, retire=False)


@router.post("/categories/{category_id}/restore")
async def restore(request: Request, visit: CoordinatorVisitDep, category_id: int) -> Response:
    return await _set_retired(request, visit, category_id, retire=False)

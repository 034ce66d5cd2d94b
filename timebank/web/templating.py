"""Rendering a page: Jinja2 templates, the GOV.UK Frontend macros, and the headers every page carries.

Templates live in ``timebank/web/templates``; the components (error summary, inputs, radios, date
input, buttons, tables, summary lists) are the GOV.UK Frontend's own Jinja macros
(``govuk-frontend-jinja``), so their markup is the markup researched with disabled people. The
filters write quantities the way DESIGN §8 asks: "2 hours 30 minutes", "3 May 2026", never a
decimal and never money for credits.

Every page is personal (a balance, a statement, a declaration), so none may be kept by a cache, and
its Content-Security-Policy lets it load only our own styles and scripts and post only to us.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

from timebank.benefits.formatting import format_date, format_minutes, format_pence
from timebank.rendering.statement_lines import line_day, line_what
from timebank.web.navigation import links_for

__all__ = ["PAGE_POLICY", "day", "environment", "hours", "new_key", "render"]

_HERE = Path(__file__).parent

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def hours(minutes: int) -> str:
    """Minutes as a person says them; a balance below zero says "minus" in words, not a sign."""
    return format_minutes(minutes) if minutes >= 0 else "minus " + format_minutes(-minutes)


def new_key() -> str:
    """A new idempotency key for one rendered form: its posts, however many, record once."""
    return str(uuid.uuid4())


def day(on: date | None) -> str:
    return "" if on is None else format_date(on)


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(_HERE / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(("html",)),
        # The templates ship with the package and never change while it runs: without this, every
        # render of a page would ask the disk whether each macro file it imports has changed.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["hours"] = hours
    env.filters["day"] = day
    env.filters["pounds"] = format_pence
    env.filters["line_day"] = line_day
    env.filters["line_what"] = line_what
    env.globals["new_key"] = new_key
    env.globals["navigation"] = links_for
    return env


environment = _environment()


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    html = environment.get_template(template).render(request=request, **context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Content-Security-Policy": PAGE_POLICY},
    )

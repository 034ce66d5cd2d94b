"""One account's figures for a window, for the terminal and as CSV (``timebank report --account``).

The text names each figure in words and writes time as hours and minutes ("2 hours 30 minutes").
The CSV has the same columns as the timebank's report (``period,figure,value,rating``), so one
spreadsheet reads both; an account's figures carry no rating, and its minutes stay whole minutes.
Only numbers and dates are written, never a name or other text a member typed.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Protocol

from timebank.benefits.formatting import format_date, format_minutes
from timebank.rendering.report_csv import CSV_COLUMNS

__all__ = ["AccountFigures", "account_report_csv", "account_report_text"]


class AccountFigures(Protocol):
    """What ``timebank.reporting.views.MemberReportView`` holds (rendering imports no use case)."""

    @property
    def account_id(self) -> int: ...
    @property
    def from_on(self) -> date: ...
    @property
    def to_on(self) -> date: ...
    @property
    def given_minutes(self) -> int: ...
    @property
    def received_minutes(self) -> int: ...
    @property
    def exchange_count(self) -> int: ...
    @property
    def partner_count(self) -> int: ...
    @property
    def last_exchange_on(self) -> date | None: ...


def account_report_text(figures: AccountFigures) -> str:
    last = figures.last_exchange_on
    rows = [
        ("Given", format_minutes(figures.given_minutes)),
        ("Received", format_minutes(figures.received_minutes)),
        ("Exchanges", str(figures.exchange_count)),
        ("Partners", str(figures.partner_count)),
        ("Last exchange", format_date(last) if last is not None else "none yet"),
    ]
    width = max(len(label) for label, _ in rows)
    title = (
        f"Account {figures.account_id}, {figures.from_on.isoformat()} to {figures.to_on.isoformat()}"
        " (to exclusive)"
    )
    return "\n".join([title, *(f"  {label:<{width}}  {value}" for label, value in rows)]) + "\n"


def account_report_csv(figures: AccountFigures) -> str:
    """The figures as CSV text, one row a figure (header first; lines end with CRLF, as RFC 4180 says)."""
    period = f"{figures.from_on.isoformat()}/{figures.to_on.isoformat()}"
    last = figures.last_exchange_on
    values = [
        ("account_id", str(figures.account_id)),
        ("given_minutes", str(figures.given_minutes)),
        ("received_minutes", str(figures.received_minutes)),
        ("exchange_count", str(figures.exchange_count)),
        ("partner_count", str(figures.partner_count)),
        ("last_exchange_on", last.isoformat() if last is not None else ""),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows((period, figure, value, "") for figure, value in values)
    return out.getvalue()

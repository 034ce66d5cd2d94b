"""``README.txt`` of a timebank's export: what each file and each column holds, in plain words.

It is written from the same table as the files (``timebank.exports.files.FILES``), so the two
cannot drift apart; a test reads an export and checks that every column of every CSV is described.
"""

from __future__ import annotations

from datetime import datetime

from timebank.exports.files import FILES

__all__ = ["LEFT_OUT", "README_NAME", "readme_text"]

README_NAME = "README.txt"

LEFT_OUT = (
    "Passwords, set-password codes, reset links, login tokens, organisations' API keys and the keys"
    " in email links: secrets, which we keep only in a scrambled form. Logins are not here either:"
    " members come without logins, and get a set-password code from a coordinator.",
    "Benefits declarations, and the payment advice drawn from them. Benefit status is personal: only"
    " the member and the coordinators who need it see it, and it is never handed out in bulk. A"
    " member can download their own from their data page.",
    "The audit log: our record of who did what here, including every read of a benefits declaration.",
    "Messages waiting to be emailed, and the messages each member chose to get.",
    "Our record of earlier imports, files waiting to be imported, and the keys that let a repeated"
    " request count once.",
)


def readme_text(timebank_name: str, read_at: datetime) -> str:
    lines = [
        f"Everything of the timebank {timebank_name}",
        f"Read on {read_at.strftime('%d %B %Y at %H:%M')} UTC, all at one moment.",
        "",
        "This folder has a CSV file for each kind of record; any spreadsheet opens them.",
        "Credits are in whole minutes, in columns whose names end in _minutes. Money is in whole",
        "pence, in columns whose names end in _pence. Credits are never money.",
        "Days are written YYYY-MM-DD. Columns whose names end in _at are times in UTC (ISO 8601).",
        "yes and no are written as yes and no. An empty cell means nothing was recorded.",
        "Numbers in columns ending in _id are this timebank's own numbers for its records; a file",
        "names a row of another file by them.",
        "Text that begins with = + - @ or ' has an apostrophe put in front, so that no spreadsheet",
        "runs it as a formula. An import of this ZIP takes it off again.",
        "",
        "To move this timebank to another timebank service like this one, import this ZIP into an",
        "empty timebank there:  timebank import TIMEBANK_ID this.zip --from export",
        "Every balance, statement and report figure comes out the same.",
        "",
        "What is not here, on purpose:",
        *(f"- {sentence}" for sentence in LEFT_OUT),
        "",
    ]
    for file in FILES:
        lines += [file.name, f"  {file.holds}", "  Columns:"]
        lines += [f"  - {column.name}: {column.meaning}" for column in file.columns]
        lines.append("")
    return "\n".join(lines)

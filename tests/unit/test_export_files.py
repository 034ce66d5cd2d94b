"""The export's layout (``timebank.exports.files``) against the tables and the README, without a database.

Every stored column names a real column of its table, and every table column a timebank holds is
either exported or left out on purpose, so a column added to a table cannot silently miss the
export. Names carry their units; the README describes every column; cells that a spreadsheet would
run as formulas round-trip through the guard exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timebank.db.tables import metadata
from timebank.exports import FILES, LEFT_OUT, ExportFile
from timebank.exports.readme import readme_text
from timebank.rendering.zip_files import read_back_text, reversible_text

# Table columns the export does not carry, and why: derived again by the import, secrets and
# logins, or this service's own bookkeeping.
NOT_EXPORTED = {
    ("timebanks", "pot_account_id"): "the import keeps the new timebank's own pot",
    ("accounts", "closed_version"): "the transfer count when closed, which an account keeps",
    ("members", "login_id"): "logins are not moved",
    ("members", "email_verified_at"): "an email is imported unchecked",
    ("categories", "name_key"): "the name folded, derived again",
    ("posts", "search_text"): "the words folded for search, derived again",
}


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_every_stored_column_is_a_column_of_its_table_and_none_is_forgotten(file: ExportFile) -> None:
    table = metadata.tables[file.table]
    names = [column.name for column in table.columns]
    stored = {c.column for c in file.columns if c.column is not None}

    assert stored <= set(names), stored - set(names)
    for name in names:
        if name in stored or name == "timebank_id":
            continue
        assert (file.table, name) in NOT_EXPORTED, f"{file.table}.{name} is neither exported nor left out"


def test_names_carry_their_units() -> None:
    units = ("minutes", "pence", "miles", "percent", "count", "days", "_id")
    for file in FILES:
        for column in file.columns:
            if column.kind == "moment":
                assert column.name.endswith("_at"), (file.name, column.name)
            if column.kind == "day":
                assert column.name.endswith(("_on", "_date")), (file.name, column.name)
            if column.kind == "int":
                assert any(unit in column.name for unit in units), (file.name, column.name)
            if column.kind in ("id", "ref"):
                assert column.name.endswith("_id") and column.space, (file.name, column.name)


def test_the_readme_describes_every_column_and_says_what_is_left_out() -> None:
    readme = readme_text("Riverside", datetime(2026, 12, 7, 18, 0, tzinfo=UTC))

    for file in FILES:
        section = readme.split(f"\n{file.name}\n", 1)[1].split("\n\n", 1)[0]
        for column in file.columns:
            assert f"  - {column.name}: {column.meaning}" in section
    for sentence in LEFT_OUT:
        assert sentence in readme


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2 hours", "@home", "'quoted", "''", "\tx", "plain", ""])
def test_text_guarded_for_spreadsheets_comes_back_exactly(text: str) -> None:
    written = reversible_text(text)

    assert not written.startswith(("=", "+", "-", "@", "\t"))
    assert read_back_text(written) == text


# Every other table, and why it has no file of its own.
NO_FILE = {
    "member_tags": "in members.csv, as its tags column",
    "transaction_texts": "in transactions.csv, as its reason and note columns",
    "report_pairs": "the report's running totals, recounted by the import",
    "report_pair_months": "the report's running totals, recounted by the import",
    "report_account_months": "the report's running totals, recounted by the import",
    "logins": "logins are not moved",
    "access_tokens": "a secret",
    "login_failures": "this service's rate limit",
    "password_codes": "a secret",
    "email_verifications": "a secret",
    "api_keys": "a secret",
    "benefit_declarations": "personal: never handed out in bulk",
    "payment_advice": "drawn from a benefits declaration",
    "audit_log": "this service's record of who did what",
    "audit_notes": "this service's record of who did what",
    "notification_outbox": "messages waiting to be sent here",
    "notification_preferences": "members' choices, and the keys of their unsubscribe links",
    "idempotency_keys": "this service's record of requests",
    "imports": "this service's record of earlier imports",
    "import_keys": "this service's record of earlier imports",
    "import_uploads": "files checked for an import and waiting a day to be confirmed",
    "import_upload_files": "files checked for an import and waiting a day to be confirmed",
}


def test_every_table_has_a_file_or_a_reason_to_have_none() -> None:
    import timebank.db  # noqa: F401 - every table module, so the metadata names every table

    tables = set(metadata.tables)

    assert tables - {file.table for file in FILES} == set(NO_FILE)

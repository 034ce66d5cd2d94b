"""Rendering: answers drawn for people, as HTML, PDF, CSV, text and charts.

Every module here turns a view that a use case returned into bytes or text and does nothing else:
no database, no decisions. The benefit-safe statement and its letter as a page and as a PDF; the
reciprocity report as CSV, as text for the terminal, and as charts (matplotlib; imported by name,
so that reading a report never loads it); one account's figures; a member's statement lines as
CSV; everything held about a member as a ZIP; and refusals in plain words.

    statement_html   the benefit-safe statement and letter as a page
    statement_pdf    the same as a PDF to hand to a benefit office
    report_csv       the report as CSV, one row per figure, small groups never exported
    report_text      the report for the terminal
    account_report   one account's figures for the terminal and as CSV
    statement_lines  a member's statement lines in words, and as CSV (formulas guarded)
    member_data_zip  everything held about a member: JSON and CSV files with a README, zipped
    refusals         a refusal as one sentence for a person, from the ledger or from pydantic
    charts           the report as four charts for a board paper, SVG or PNG
"""

__all__ = []

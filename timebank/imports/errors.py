"""The refusals of an import of a timebank's history (leaves of ``timebank.errors``).

An import checks every row of every file first and is refused whole, listing every problem with its
file, row and a plain reason, so a coordinator fixes them all at once (``ImportRefused``). Nothing is
written. A file that cannot be read at all (not UTF-8, no header the layout names) is one problem
among the others, not a different kind of refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from timebank.errors import InvalidRequest

__all__ = ["ImportRefused", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the files: the file's name, the row (1 is the first line; None for the
    file as a whole) and a sentence saying what to change."""

    file: str
    row: int | None
    reason: str

    def line(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        return f"{where}: {self.reason}"


class ImportRefused(InvalidRequest):
    """An import with at least one problem. Nothing was recorded; ``problems`` lists every one."""

    code = "import_refused"
    title = "The import was refused; nothing was recorded"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the files; nothing was recorded")

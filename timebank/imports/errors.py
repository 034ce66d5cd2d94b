"""The refusals of an import of a timebank's history (leaves of ``timebank.errors``).

An import checks every row of every file first and is refused whole, listing every problem with its
file, row and a plain reason, so a coordinator fixes them all at once (``ImportRefused``). Nothing is
written. A file that cannot be read at all (not UTF-8, no header the layout names) is one problem
among the others, not a different kind of refusal.

An upload over HTTP (``timebank.imports.uploads``) has refusals of its own, each before any file is
read: no file, too many files or bytes; too many uploads waiting to be confirmed;
an upload that is not this timebank's (not found, whoever asks), or that expired before it was
confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from timebank.errors import InvalidRequest, NotFound, StateConflict

__all__ = [
    "ImportFilesRequired",
    "ImportFilesTooLarge",
    "ImportFilesTooMany",
    "ImportRefused",
    "ImportUploadExpired",
    "ImportUploadNotFound",
    "ImportUploadsTooMany",
    "Problem",
]


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


class ImportFilesRequired(InvalidRequest):
    code = "import_files_required"
    title = "Choose at least one file to import"


class ImportFilesTooMany(InvalidRequest):
    code = "import_files_too_many"
    title = "Too many files in one import"


class ImportFilesTooLarge(InvalidRequest):
    code = "import_files_too_large"
    title = "The files are too large for one upload"


class ImportUploadNotFound(NotFound):
    code = "import_upload_not_found"
    title = "No such import is waiting in this timebank"


class ImportUploadExpired(StateConflict):
    code = "import_upload_expired"
    title = "This import waited too long to be confirmed; upload the files again"


class ImportUploadsTooMany(StateConflict):
    code = "import_uploads_too_many"
    title = "Too many imports are waiting to be confirmed"

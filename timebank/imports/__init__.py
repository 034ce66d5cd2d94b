"""Moving in: a timebank's history imported from TimeOverflow or from a spreadsheet (issue 20).

Files are read by pure readers (``spreadsheet``, ``timeoverflow``) into a plan and a list of
problems; ``import_history`` writes the plan all or nothing, with members, exchanges and opening
balances (never counted as exchanges), and never imports the same rows twice. Over the web, a
coordinator uploads the files, checks what they would do and confirms (``uploads``).
"""

from timebank.imports.errors import ImportRefused, Problem
from timebank.imports.importing import ImportReport, Progress, import_history
from timebank.imports.plan import ImportPlan, SourceFile, files_sha256
from timebank.imports.spreadsheet import read_spreadsheet
from timebank.imports.templates import TEMPLATES
from timebank.imports.timeoverflow import read_timeoverflow
from timebank.imports.uploads import check_upload, confirm_upload, list_imports, read_upload
from timebank.imports.views import (
    ImportSource,
    ImportSummaryView,
    ImportsView,
    ImportUploadView,
    UploadedFileView,
    UploadState,
)

__all__ = [
    "TEMPLATES",
    "ImportPlan",
    "ImportRefused",
    "ImportReport",
    "ImportSource",
    "ImportSummaryView",
    "ImportUploadView",
    "ImportsView",
    "Problem",
    "Progress",
    "SourceFile",
    "UploadState",
    "UploadedFileView",
    "check_upload",
    "confirm_upload",
    "files_sha256",
    "import_history",
    "list_imports",
    "read_spreadsheet",
    "read_timeoverflow",
    "read_upload",
]

"""Moving out: everything of a timebank as a ZIP of CSV files, and its import into an empty one.

``export_timebank`` writes the ZIP (coordinators; audited): a CSV per kind of record, described
column by column in its ``README.txt`` (``files``, ``readme``). ``import_export`` reads such a ZIP
into an empty timebank, checking every row and the ledger's invariants, all or nothing, and gives
every row a new id; every balance, statement and report figure comes out the same (issue 20).
"""

from timebank.exports.export import ExportSummary, export_timebank
from timebank.exports.files import FILES, ExportColumn, ExportFile
from timebank.exports.readme import LEFT_OUT, README_NAME
from timebank.exports.restore import RestoreReport, import_export, moved

__all__ = [
    "FILES",
    "LEFT_OUT",
    "README_NAME",
    "ExportColumn",
    "ExportFile",
    "ExportSummary",
    "RestoreReport",
    "export_timebank",
    "import_export",
    "moved",
]

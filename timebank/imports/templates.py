"""The spreadsheet layout's templates: a header row and an example row for each file.

``timebank import-template <folder>`` writes them; ``docs/imports.md`` shows them. They are UTF-8
with a byte-order mark, so Excel opens accents as they are. ``number`` is left empty: it names a
member already here (added by hand) whose history the files bring.
"""

from __future__ import annotations

__all__ = ["TEMPLATES"]

TEMPLATES: dict[str, str] = {
    "members.csv": (
        "name,username,email,tags,opening_balance,number\r\n"
        "Ann O'Neill,ann.oneill,ann@example.org,uses_services;carer,2:30,\r\n"
        "Bo Muñoz,,,,,\r\n"
    ),
    "exchanges.csv": (
        "date,giver,receiver,time,description\r\n"
        '2024-05-01,ann.oneill,Bo Muñoz,1:30,"Gardening, and a cup of tea"\r\n'
    ),
    "opening_balances.csv": "member,balance\r\nBo Muñoz,-0:45\r\n",
}

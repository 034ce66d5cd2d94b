"""Reading import files, with no database: encodings, amounts, layouts and TimeOverflow's shapes."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.imports import SourceFile, read_spreadsheet, read_timeoverflow
from timebank.imports.csv_text import decode, parse_hours_minutes, parse_minutes, read_rows
from timebank.imports.templates import TEMPLATES

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("1:30", 90),
        ("30:15", 1815),
        ("0:05", 5),
        ("-1:30", -90),
        ("-45", -45),
        ("1:60", None),
        ("1.5", None),
        ("", None),
    ],
)
def test_time_is_whole_minutes_or_hours_and_minutes_with_hours_past_24(
    text: str, minutes: int | None
) -> None:
    assert parse_minutes(text) == minutes


def test_hours_and_minutes_alone_refuse_bare_minutes() -> None:
    assert parse_hours_minutes("90") is None


def test_utf8_with_or_without_a_byte_order_mark_is_read_and_another_encoding_is_refused_plainly() -> None:
    assert decode("a.csv", "\ufeffname\r\nJosé".encode()) == ("name\r\nJosé", None)
    assert decode("a.csv", "name\r\nJosé".encode()) == ("name\r\nJosé", None)
    text, problem = decode("a.csv", "name\r\nJosé".encode("cp1252"))
    assert text is None
    assert problem is not None
    assert problem.line() == (
        "a.csv: This file is not saved as UTF-8 (the byte at position 9 is not UTF-8 text). "
        "Save it again as 'CSV UTF-8' and import that."
    )


def test_a_row_holding_a_line_break_keeps_the_line_it_starts_on() -> None:
    rows, problem = read_rows("a.csv", 'a,b\n"one\ntwo",x\n\nlast,y\n')
    assert problem is None
    assert [(r.line, r.cells) for r in rows] == [(1, ("a", "b")), (2, ("one\ntwo", "x")), (5, ("last", "y"))]


def test_an_unclosed_quote_is_a_problem_with_its_row() -> None:
    _, problem = read_rows("a.csv", 'a,b\n"one,x\n')
    assert problem is not None
    assert problem.file == "a.csv"


def test_the_templates_are_read_without_a_problem() -> None:
    files = [SourceFile(name, ("\ufeff" + text).encode()) for name, text in TEMPLATES.items()]
    plan, problems = read_spreadsheet(files, TODAY)
    assert problems == []
    assert [m.display_name for m in plan.members] == ["Ann O'Neill", "Bo Muñoz"]
    assert [(o.member_key, o.minutes) for o in plan.openings] == [
        ("spreadsheet:username:ann.oneill", 150),
        ("spreadsheet:name:bo muñoz", -45),
    ]
    (exchange,) = plan.exchanges
    assert (exchange.giver_key, exchange.receiver_key, exchange.minutes) == (
        "spreadsheet:username:ann.oneill",
        "spreadsheet:name:bo muñoz",
        90,
    )
    assert exchange.description == "Gardening, and a cup of tea"


def test_headers_are_found_in_any_order_and_case() -> None:
    files = [SourceFile("x.csv", b"Description,Receiver,Giver,Minutes,Date\r\nHelp,Bo,Ann,20,2024-01-01\r\n")]
    plan, problems = read_spreadsheet(files, TODAY)
    assert problems == []
    assert plan.exchanges[0].minutes == 20
    assert plan.exchanges[0].giver_key == "spreadsheet:ref:ann"


def test_a_member_number_is_digits_with_an_optional_hash_and_is_given_once() -> None:
    members = b"Name,Member number\r\nAnn,#12\r\nBo,\r\nCy,12\r\nDi,twelve\r\n"
    plan, problems = read_spreadsheet([SourceFile("m.csv", members)], TODAY)
    assert [p.line() for p in problems] == [
        "m.csv, row 4: This member is there twice: number 12 is also on m.csv, row 2.",
        "m.csv, row 5: The number 'twelve' is not a member number: leave it empty for a new member.",
    ]
    assert [(m.display_name, m.number) for m in plan.members] == [("Ann", 12), ("Bo", None)]


def test_a_file_of_no_layout_says_which_columns_each_needs() -> None:
    _, problems = read_spreadsheet([SourceFile("x.csv", b"who,what\r\na,b\r\n")], TODAY)
    assert [p.row for p in problems] == [1]
    assert "members.csv needs a 'name' column" in problems[0].reason


# --- TimeOverflow's shapes ------------------------------------------------------------------------

MEMBERS_CA = (
    "N,Usuari,Correu electrònic,Telèfon,Telèfon alternatiu,Creat,Darrera connexió,Idioma,Saldo\n"
    "7,Núria d'Arenys,,,,,,ca,-3600\n"
    "7,Núria again,,,,,,ca,0\n"
)


def test_a_members_report_in_another_language_is_read_by_shape_and_a_number_twice_is_refused() -> None:
    plan, problems = read_timeoverflow([SourceFile("Members.csv", MEMBERS_CA.encode())], TODAY)
    assert [p.line() for p in problems] == [
        "Members.csv, row 3: Member number 7 is there twice: also on Members.csv, row 2."
    ]
    assert [(m.keys, m.display_name, m.email) for m in plan.members] == [
        (("timeoverflow:7",), "Núria d'Arenys", None)
    ]


def test_a_transfers_report_names_the_giver_as_its_destination_and_puts_the_organisation_apart() -> None:
    transfers = (
        "Date,From,To,Post,Quantity\n"
        "2024-01-02 10:00:00 UTC,Ann (1),Bo (2),,25:45\n"
        "2024-01-03 10:00:00 UTC,Our Timebank,Ann (1),,2:00\n"
        "2024-01-04 10:00:00 UTC,The user isn't active,Bo (2),,0:30\n"
    )
    plan, problems = read_timeoverflow([SourceFile("Transfers.csv", transfers.encode())], TODAY)
    assert problems == []
    (exchange,) = plan.exchanges
    assert (exchange.giver_key, exchange.receiver_key, exchange.minutes) == (
        "timeoverflow:2",
        "timeoverflow:1",
        1545,
    )
    assert {(o.member_key, o.minutes) for o in plan.openings} == {
        ("timeoverflow:1", 120),
        ("timeoverflow:2", 30),
    }
    assert any("no reasons" in note for note in plan.notes)


def test_importer_transfers_in_seconds_must_be_whole_minutes_and_name_known_members() -> None:
    users = "1,2018-01-30,Ann,,,1,,,,\n"
    transfers = "1,member,9,member,90,2024-01-05,Odd,\n1,member,1,member,600,2030-01-05,Later,\n"
    _, problems = read_timeoverflow(
        [SourceFile("users.csv", users.encode()), SourceFile("transfers.csv", transfers.encode())], TODAY
    )
    assert [p.line() for p in problems] == [
        "transfers.csv, row 1: The amount '90' is not a whole number of minutes in seconds.",
        "transfers.csv, row 2: The date 2030-01-05 is after today.",
    ]


# --- TimeOverflow's offers and inquiries ---------------------------------------------------------


def test_a_posts_report_is_known_by_its_empty_first_cell_and_its_kind_by_its_name_or_header() -> None:
    offers = (
        ",Oferta,Etiquetas,Usuario,Creado\n"
        ",Cuidados,,,\n"
        '3,Acompañar al médico,"salud, compañía",Ana (4),2024-01-02 10:20:30 +0100\n'
        ",-,,,\n"
        "4,Recados,,Ana (4),2024-01-03 10:00:00 UTC\n"
    )
    requests = "\ufeff,Verzoek,Tags,Gebruiker,Aangemaakt\n,-,,,\n9,Hulp,,Bo (5),2024-02-01\n"
    plan, problems = read_timeoverflow(
        [SourceFile("a.csv", offers.encode()), SourceFile("b.csv", requests.encode())], TODAY
    )
    assert problems == []
    assert [(p.key, p.kind, p.member_key, p.title, p.description, p.category) for p in plan.posts] == [
        (
            "timeoverflow:offer:3",
            "offer",
            "timeoverflow:4",
            "Acompañar al médico",
            "Acompañar al médico\n\nTags: salud, compañía",
            "Cuidados",
        ),
        ("timeoverflow:offer:4", "offer", "timeoverflow:4", "Recados", "Recados", None),
        ("timeoverflow:request:9", "request", "timeoverflow:5", "Hulp", "Hulp", None),
    ]
    assert [p.created_at.isoformat() for p in plan.posts] == [
        "2024-01-02T09:20:30+00:00",
        "2024-01-03T10:00:00+00:00",
        "2024-02-01T00:00:00+00:00",
    ]
    # The members the posts name come with them.
    assert [m.keys for m in plan.members] == [("timeoverflow:4",), ("timeoverflow:5",)]


def test_a_posts_report_of_no_known_kind_or_with_broken_rows_lists_each_problem() -> None:
    unknown = ",Anuncio,Tags,User,Created\n,-,,,\n1,Help,,Ann (1),2024-01-01\n"
    broken = (
        ",Offer,Tags,User,Created\n"
        ",-,,,\n"
        "x,Help,,Ann (1),2024-01-01\n"
        "2,Help,,Ann,2024-01-01\n"
        "3,Help,,Ann (1),yesterday\n"
        f"4,{'T' * 121},,Ann (1),2024-01-01\n"
        "5,,,Ann (1),2024-01-01\n"
    )
    _, problems = read_timeoverflow(
        [SourceFile("Posts.csv", unknown.encode()), SourceFile("Offers.csv", broken.encode())], TODAY
    )
    assert [p.line() for p in problems] == [
        "Posts.csv, row 1: This looks like TimeOverflow's offers or inquiries, but neither its name nor its "
        "header says which: name the file Offers_….csv or Inquiries_….csv.",
        "Offers.csv, row 3: The post number 'x' is not a whole number.",
        "Offers.csv, row 4: The member 'Ann' is not written 'name (number)'.",
        "Offers.csv, row 5: The date 'yesterday' is not a day written YYYY-MM-DD.",
        "Offers.csv, row 6: The title is longer than 120 characters.",
        "Offers.csv, row 7: The title is empty.",
    ]


def test_a_zip_that_unpacks_too_large_or_is_damaged_is_a_problem_not_a_crash() -> None:
    import io
    import zipfile

    from timebank.imports.plan import IMPORT_FILE_BYTES_MAX

    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        # Zeros pack small: 3 × 30 MB unpacks past the bound from a ZIP of well under 1 MB.
        for part in range(3):
            z.writestr(f"Transfers_{part}.csv", b"\0" * (30 * 2**20))
    assert len(big.getvalue()) < 2**20 < IMPORT_FILE_BYTES_MAX
    _, problems = read_timeoverflow([SourceFile("big.zip", big.getvalue())], TODAY)
    # The third file is never unpacked (the first two are read, and are not CSV).
    assert (
        "big.zip/Transfers_2.csv: The ZIP unpacks to more than 64 MB: unpack it and give its files instead."
        in [p.line() for p in problems]
    )
    assert not any(p.file == "big.zip/Transfers_2.csv" and p.row for p in problems)

    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Members_1.csv", "N,a,b,c,d,e,f,g,h\n" * 100)
    content = bytearray(damaged.getvalue())
    content[60:70] = b"\xff" * 10  # inside the packed data
    _, problems = read_timeoverflow([SourceFile("damaged.zip", bytes(content))], TODAY)
    assert [p.line() for p in problems] == [
        "damaged.zip/Members_1.csv: This file in the ZIP cannot be unpacked."
    ]

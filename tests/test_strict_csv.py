"""A CSV import reads only well-formed CSV: a quote left open, quotes out of place, a
NUL, a field over its length, or a row with more or fewer cells than the header is a
refused row with its line number and nothing is imported (a broken row used to become a
job holding the rest of the file). Well-formed CSV, quoted line breaks and doubled quotes
included, still imports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from courier.extensions import db
from courier.models import Job
from tests.shops.test_import import post_csv

HEADER = "reference,dropoff_lat,dropoff_lon,dropoff_address,ready_at,notes\n"


def ready() -> str:
    """A ready time five minutes from when the test runs, not from when the module was
    collected: a long suite would otherwise reach the job's delivery window's end."""
    return (datetime.now(UTC) + timedelta(minutes=5)).isoformat()


def refused_rows(r) -> dict[int, str]:
    assert r.status_code == 422, r.json
    assert db.session.query(Job).count() == 0
    return {row["row"]: row["error"] for row in r.json["rows"]}


def test_an_unclosed_quote_is_refused_with_its_row_not_made_a_job(make_merchant):
    text = HEADER + (f"r6,45.76,4.84,1 rue A,{ready()},\n"
                     f'r7,45.75,4.85,"unclosed,{ready()},\n'
                     f"r8,45.77,4.83,3 rue C,{ready()},\n"
                     f"r9,45.78,4.82,4 rue D,{ready()},\n")
    rows = refused_rows(post_csv(make_merchant(), text))
    assert rows == {3: "a quote opened on this row is never closed"}


def test_quotes_out_of_place_are_refused(make_merchant):
    text = HEADER + f'r1,45.76,4.84,"1 rue A"bis,{ready()},\n'
    rows = refused_rows(post_csv(make_merchant(), text))
    assert list(rows) == [2] and rows[2].startswith("quotes out of place")


def test_rows_with_more_or_fewer_cells_than_the_header_are_refused(make_merchant):
    text = HEADER + (f"r1,45.76,4.84,1 rue A,{ready()},,surplus\n"
                     f"r2,45.76,4.84,1 rue A,{ready()},\n"
                     "r3,45.76,4.84\n")
    rows = refused_rows(post_csv(make_merchant(), text))
    assert rows == {2: "7 cells where the header names 6 columns",
                    4: "3 cells where the header names 6 columns"}


def test_well_formed_csv_with_quoted_line_breaks_and_quotes_imports(make_merchant):
    text = HEADER + (f'r1,45.76,4.84,"1 rue A, bât. B",{ready()},"ring twice\nthen ""wait"""\n'
                     f"r2,45.77,4.83,2 rue B,{ready()},,\n"  # a trailing separator
                     "\n"
                     f"r3,45.78,4.82,3 rue C,{ready()},\n")
    r = post_csv(make_merchant(), text)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 3
    assert r.json["jobs"][0]["notes"] == 'ring twice\nthen "wait"'
    assert r.json["jobs"][0]["dropoff"]["address"] == "1 rue A, bât. B"


def test_a_row_after_a_multi_line_cell_is_reported_on_its_own_line(make_merchant):
    text = HEADER + (f'r1,45.76,4.84,1 rue A,{ready()},"two\nlines"\n'
                     f"r2,95,4.84,2 rue B,{ready()},\n")
    r = post_csv(make_merchant(), text)
    assert r.status_code == 422 and [row["row"] for row in r.json["rows"]] == [4]


def test_any_line_ending_ends_a_row(make_merchant):
    text = HEADER.replace("\n", "\r\n") + (f"r1,45.76,4.84,1 rue A,{ready()},\r"
                                           f"r2,45.77,4.83,2 rue B,{ready()},\r\n"
                                           f"r3,45.78,4.82,3 rue C,{ready()},\n")
    r = post_csv(make_merchant(), text)
    assert r.status_code == 201, r.json
    assert [j["dropoff"]["address"] for j in r.json["jobs"]] == ["1 rue A", "2 rue B", "3 rue C"]


def test_a_nul_character_is_a_refused_row(make_merchant):
    text = HEADER + f"r1,45.76,4.84,1 rue\x00 A,{ready()},\nr2,45.77,4.83,2 rue B,{ready()},\n"
    rows = refused_rows(post_csv(make_merchant(), text))
    assert rows == {2: "a NUL character: the file is not plain text"}


def test_a_byte_order_mark_and_mixed_line_endings_import(make_merchant):
    text = "\ufeff" + HEADER.replace("\n", "\r") + (f"r1,45.76,4.84,1 rue A,{ready()},\r\n"
                                                   f"r2,45.77,4.83,2 rue B,{ready()},\n")
    r = post_csv(make_merchant(), text)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 2


def test_a_hundred_thousand_rows_are_refused_whole(make_merchant):
    text = "reference,dropoff_lat,dropoff_lon\n" + "r,45.7,4.8\n" * 100_000
    r = post_csv(make_merchant(), text)
    assert r.status_code == 422 and db.session.query(Job).count() == 0
    assert r.json["fields"] == {"file": "more than 500 rows"}


def test_a_field_over_its_length_is_a_refused_row_naming_the_column(make_merchant):
    text = HEADER + (f"r1,45.76,4.84,1 rue A,{ready()},\n"
                     f"r2,45.77,4.83,{'x' * 256},{ready()},\n"
                     f"{'k' * 256},45.78,4.82,3 rue C,{ready()},\n"
                     f"r4,45.79,4.81,4 rue D,{ready()},{'n' * 2001}\n")
    r = post_csv(make_merchant(), text)
    rows = refused_rows(r)
    assert sorted(rows) == [3, 4, 5]
    assert {k for row in r.json["rows"] for k in row["fields"]} == {
        "dropoff_address", "reference", "notes"}


def test_a_cell_longer_than_any_field_is_a_refused_row(make_merchant):
    text = HEADER + f"r1,45.76,4.84,1 rue A,{ready()},{'n' * 200_000}\n"
    rows = refused_rows(post_csv(make_merchant(), text))
    assert rows == {2: "a cell over 131072 characters"}

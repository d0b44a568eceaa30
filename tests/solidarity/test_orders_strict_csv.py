"""A hub's order list is read as strictly as a shop's jobs (courier.shops.csvrows): a
quote left open, quotes out of place, a NUL, a field over its length, or a row with more
or fewer cells than the header is a refused row with its line, and no order is imported;
well-formed files with a BOM, any line ending and quoted line breaks still import."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.solidarity.models import RoundOrder
from tests.solidarity.test_orders import new_round, tomorrow, upload  # noqa: F401 (fixture)

HEADER = "customer,address,lat,lon,weight_kg,reference,notes\n"


def refused(hub, rnd, text) -> dict[int, str]:
    r = upload(hub, rnd, text)
    assert r.status_code == 422, r.json
    assert db.session.scalars(select(RoundOrder)).all() == []
    return {row["row"]: row["error"] for row in r.json["rows"]}


@pytest.mark.parametrize(("rows", "expected"), [
    ('Mme Martin,1 rue A,45.77,4.83,3,A1,\n'
     'M. Paul,"2 rue B,45.76,4.84,2,A2,\n'
     'Mme Li,3 rue C,45.75,4.85,1,A3,\n',
     {3: "a quote opened on this row is never closed"}),
    ('Mme Martin,"1 rue A"bis,45.77,4.83,3,A1,\n', {2: "quotes out of place"}),
    ('Mme Martin,1 rue A,45.77,4.83,3,A1,,surplus\nM. Paul,2 rue B\n',
     {2: "8 cells where the header names 7 columns",
      3: "2 cells where the header names 7 columns"}),
    ('Mme Mar\x00tin,1 rue A,45.77,4.83,3,A1,\n', {2: "a NUL character"}),
    (f'Mme Martin,1 rue A,45.77,4.83,3,{"A" * 81},\nM. Paul,{"b" * 256},45.76,4.84,2,A2,\n',
     {2: "reference: at most 80 characters", 3: "address: at most 255 characters"}),
    (f'Mme Martin,1 rue A,45.77,4.83,3,A1,{"n" * 200_000}\n',
     {2: "a cell over 131072 characters"}),
], ids=["unclosed quote", "quotes out of place", "cells", "NUL", "field lengths", "huge cell"])
def test_a_broken_order_list_is_refused_row_by_row(hub, tomorrow, rows, expected):  # noqa: F811
    rnd = new_round(hub, tomorrow)
    found = refused(hub, rnd, HEADER + rows)
    assert set(found) == set(expected)
    for line, start in expected.items():
        assert found[line].startswith(start), found


def test_a_well_formed_list_imports_whatever_its_bom_and_line_endings(hub, tomorrow):  # noqa: F811
    rnd = new_round(hub, tomorrow)
    text = ("\ufeff" + HEADER.replace("\n", "\r\n")
            + 'Mme Martin,"1 rue A, bât. B",45.77,4.83,3,A1,"sonner\r\ndeux fois"\r'
            + "M. Paul,2 rue B,45.76,4.84,2,A2,,\r\n"  # a trailing separator
            + "\n"
            + "Mme Li,3 rue C,45.75,4.85,1,A3,\n")
    r = upload(hub, rnd, text)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 3
    notes = db.session.scalars(select(RoundOrder.notes).order_by(RoundOrder.id)).all()
    assert notes[0] == "sonner\ndeux fois"


def test_a_hundred_thousand_rows_are_refused_whole(hub, tomorrow):  # noqa: F811
    rnd = new_round(hub, tomorrow)
    text = "customer,weight_kg\n" + "x,1\n" * 100_000
    r = upload(hub, rnd, text)
    assert r.status_code == 422 and r.json["fields"] == {"file": "too many rows"}

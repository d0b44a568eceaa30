"""A boolean in a JSON body is ``true`` or ``false`` and a number a JSON number: ``0``, ``1`` or
``"yes"`` for a boolean, ``"5"``, ``true`` or ``2.5`` for an integer are refused
with 422 naming the field (marshmallow alone reads them as booleans and numbers; Schemathesis
found ``{"on_failure": 0}`` and ``{"delay_margin_min": 2.5e-42}`` accepted)."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from courier.web.api.common import not_booleans


@pytest.mark.parametrize("value", [0, 1, "yes", "true", [], {}])
def test_a_body_boolean_given_anything_else_is_refused_naming_it(value, make_merchant):
    shop = make_merchant()
    r = shop.client.put("/api/v1/shop/proof-policy", headers=shop.headers,
                        json={"required": "photo", "on_failure": value})
    assert r.status_code == 422 and list(r.json["fields"]) == ["on_failure"], r.json
    assert shop.get("/shop/proof-policy").json["required"] == "none"  # nothing was saved


def test_a_body_boolean_given_true_or_false_is_read(make_merchant):
    shop = make_merchant()
    for value in (True, False):
        r = shop.client.put("/api/v1/shop/proof-policy", headers=shop.headers,
                            json={"required": "photo", "on_failure": value})
        assert r.status_code == 200 and r.json["on_failure"] is value, r.json


def test_booleans_nested_in_objects_and_lists_are_held_to_true_or_false():
    class Inner(Schema):
        flag = fields.Boolean()

    class Outer(Schema):
        one = fields.Nested(Inner)
        many = fields.List(fields.Nested(Inner))
        top = fields.Boolean(allow_none=True)

    assert not_booleans(Outer(), {"one": {"flag": True}, "many": [{"flag": False}],
                                  "top": None}) == {}
    assert not_booleans(Outer(), {"one": {"flag": 1}, "many": [{"flag": True}, {"flag": "no"}],
                                  "top": 0}) == {
        "one": {"flag": ["Not a valid boolean: give true or false."]},
        "many": {1: {"flag": ["Not a valid boolean: give true or false."]}},
        "top": ["Not a valid boolean: give true or false."]}


@pytest.mark.parametrize("value", [2.5, 2.589e-42, "5", True])
def test_a_body_integer_given_a_fraction_a_string_or_a_boolean_is_refused_naming_it(
        value, make_user):
    council = make_user("council")
    before = council.get("/coop").json["delay_margin_min"]
    r = council.client.patch("/api/v1/coop", headers=council.headers,
                             json={"delay_margin_min": value})
    assert r.status_code == 422 and list(r.json["fields"]) == ["delay_margin_min"], r.json
    assert council.get("/coop").json["delay_margin_min"] == before


def test_a_body_integer_given_a_whole_number_is_read(make_user):
    council = make_user("council")
    r = council.client.patch("/api/v1/coop", headers=council.headers,
                             json={"delay_margin_min": 7})
    assert r.status_code == 200 and r.json["delay_margin_min"] == 7, r.json

"""The council's pages and the member's earnings page: who may open them."""

import json
import re

import pytest
from flask_babel import force_locale

from courier.fairwork import labels
from courier.fairwork import rules as R
from tests.test_pages import login

UNITS = {"h", "min", "kg", "l", "eur", "pct", "clock", "days", "stops", "choice", "number",
         "c", "kmh", "mm_h", "km", "m"}  # the last: the safety rules' (docs/safety.md)


@pytest.mark.parametrize("role, page, status", [
    ("council", "/council", 200), ("council", "/council/rules", 200),
    ("courier", "/council", 403), ("dispatcher", "/council/rules", 403),
    ("courier", "/me/earnings", 200), ("merchant", "/me/earnings", 403),
])
def test_who_opens_which_page(client, make_user, role, page, status):
    actor = make_user(role, lat=45.76, lon=4.83) if role in ("courier", "merchant") else (
        make_user(role))
    login(client, actor)
    r = client.get(page)
    assert r.status_code == status
    if status == 200:
        html = r.get_data(as_text=True)
        assert "council.css" in html and "js/council.js" in html


def test_council_link_in_the_header(client, make_user):
    login(client, make_user("council"))
    assert 'href="/council"' in client.get("/dispatch").get_data(as_text=True)


def test_scripts_and_styles_are_served(client):
    for path in ("/static/js/council.js", "/static/js/council_rules.js",
                 "/static/js/council_reports.js", "/static/js/council_earnings.js",
                 "/static/css/council.css"):
        with client.get(path) as r:
            assert r.status_code == 200, path


RULE_PATHS = sorted({*R._FIELDS, *R.RULES})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_rule_path_has_words_and_a_unit(app, lang):
    with app.test_request_context(), force_locale(lang):
        words = labels.words()
        for path in RULE_PATHS:
            assert labels.label(path) != path, f"{path} has no label"
        assert set(words["fields"]) == set(R._FIELDS)
        for path, entry in words["fields"].items():
            assert entry["unit"] in UNITS, path
            assert entry["label"] and entry["field"], path
            assert ("choices" in entry) == (R._FIELDS[path][0] == "enum"), path


def test_every_rule_label_is_translated_into_french(app):
    with app.test_request_context():
        with force_locale("en"):
            english = {p: labels.label(p) for p in RULE_PATHS}
        with force_locale("fr"):
            french = {p: labels.label(p) for p in RULE_PATHS}
    same = [p for p in RULE_PATHS if english[p] == french[p]]
    assert not same, f"not translated into French: {same}"


@pytest.mark.parametrize("lang, expected", [
    ("en", ["Maximum working time per day: 10 h → 8 h", "Pay per hour on shift: €9.00 → €10.50",
            "Bike's load cap (weight): 15 kg → 8.5 kg", "Break length: 30 min → 45 min",
            "Maximum run duration, enforcement: block → warn", "Night bonus: 25% → 30%",
            "Maximum consecutive working days: 1 day → 6 days"]),
    ("fr", ["Temps de travail maximal par jour : 10 h → 8 h",
            "Rémunération par heure en service : 9,00 € → 10,50 €",
            "Charge maximale d'un vélo (poids) : 15 kg → 8,5 kg",
            "Durée de la pause : 30 min → 45 min",
            "Durée maximale d'une tournée, application : bloquer → avertir",
            "Majoration de nuit : 25 % → 30 %",
            "Nombre maximal de jours travaillés consécutifs : 1 jour → 6 jours"]),
])
def test_a_change_of_the_rules_reads_in_words_and_units(app, lang, expected):
    changes = [("working_time.max_day.limit_s", 36000, 28800), ("pay.per_hour_cents", 900, 1050),
               ("load.vehicle_caps.bike.kg", 15.0, 8.5),
               ("working_time.break.duration_s", 1800, 2700),
               ("load.max_run.enforce", "block", "warn"), ("pay.night_bonus_pct", 25, 30),
               ("working_time.consecutive_days.max_days", 1, 6)]
    with app.test_request_context(), force_locale(lang):
        said = [labels.change({"path": p, "from": a, "to": b}) for p, a, b in changes]
    assert [s.replace("\u00a0", " ").replace("\u202f", " ") for s in said] == expected


def test_pages_get_the_rules_in_the_readers_words(client, make_user):
    login(client, make_user("council"))
    html = client.get("/council/rules", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    found = re.search(r'<script id="rule-words" type="application/json">(.*?)</script>', html, re.S)
    words = json.loads(found.group(1))
    assert words["fields"]["working_time.max_day.limit_s"] == {
        "label": "Temps de travail maximal par jour", "field": "limite", "unit": "h",
        "min": 0, "max": 86400}
    assert words["rules"]["load.max_run"] == "Durée maximale d'une tournée"
    assert "js/app.js" in html  # phrase() and the rules' words for council.js

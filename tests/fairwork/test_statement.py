"""A member's monthly pay statement (PDF, in their language) and the same numbers
everywhere: the earnings API, its CSV, the pay per run and its CSV, and the statement
give a member's month the same figures."""

import csv
import io
from datetime import timedelta

import pytest
from babel.numbers import format_currency
from pypdf import PdfReader

from courier.extensions import db
from tests.fairwork.helpers import courier, publish, shift
from tests.fairwork.test_pay_per_run import WED, ridden

MONTH = "2026-03"
Q = "from=2026-03-01&to=2026-03-31"


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _text(body: bytes) -> str:
    return _plain("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))


def _euros(cents: int, locale="fr_FR") -> str:
    return _plain(format_currency(cents / 100, "EUR", locale=locale))


@pytest.fixture
def march(make_user, make_merchant):
    """Ana's March: the council pays a failed attempt's ride; an hour on shift with one run
    (one job delivered, one failed), and a day of three hours with another run."""
    council = make_user("council", "Chloé Council")
    publish(council, {"pay": {"failed_attempt": "ride"}}, now=WED - timedelta(days=3))
    ana = courier(make_user, "Ana", since=None)
    ana.user.locale = "fr"
    db.session.commit()
    shop = make_merchant()
    shift(ana.courier, WED, WED + timedelta(hours=1))
    ridden(ana.courier, shop, accepted=WED, outcomes=[
        ("delivered", WED + timedelta(minutes=20)), ("failed", WED + timedelta(minutes=40))])
    later = WED + timedelta(days=2)
    shift(ana.courier, later, later + timedelta(hours=3))
    ridden(ana.courier, shop, accepted=later, outcomes=[
        ("delivered", later + timedelta(minutes=30))], metres=2500)
    return council, ana


def test_the_api_its_csv_the_runs_and_the_statement_give_the_same_numbers(march):
    _, ana = march
    report = ana.get(f"/reports/earnings?{Q}").json
    (m,) = report["members"]
    assert m["total_cents"] == sum(line["cents"] for line in m["lines"])
    rows = list(csv.DictReader(io.StringIO(ana.get(f"/reports/earnings?{Q}&format=csv")
                                           .get_data(as_text=True))))
    own = next(r for r in rows if r["courier_id"] == str(ana.courier.id))
    assert int(own["total_cents"]) == m["total_cents"]
    for comp, cents in m["pay"].items():
        assert int(own[f"{comp}_cents"]) == cents, comp
    assert float(own["on_shift_h"]) == m["on_shift_s"] / 3600

    runs = ana.get(f"/reports/runs?{Q}").json
    assert len(runs["runs"]) == 2 and runs["totals"]["failed_attempts"] == 1
    run_rows = list(csv.reader(io.StringIO(ana.get(f"/reports/runs?{Q}&format=csv")
                                           .get_data(as_text=True))))
    assert int(run_rows[-1][-3]) == runs["totals"]["total_cents"]
    # each run's pay is what the report pays for its deliveries and km (no bonus here)
    for comp in ("deliveries", "failed_attempts", "distance"):
        assert runs["totals"]["pay"][comp] == m["pay"][comp], comp

    text = _text(ana.get(f"/reports/statements/{MONTH}.pdf").data)
    assert "Relevé de paie, mars 2026" in text and "Ana" in text
    assert f"Total {_euros(m['total_cents'])}" in text
    for comp, words in (("hours", "Rémunération horaire"),
                        ("deliveries", "Rémunération par livraison"),
                        ("distance", "Rémunération kilométrique")):
        assert f"{words} {_euros(m['pay'][comp])}" in text, comp
    assert f"{_euros(runs['totals']['total_cents'])}" in text
    assert "Heures en service 4,0 h" in text
    assert "Tentatives échouées payées : le trajet seulement (règles v2)." in text
    hourly = _euros(m["effective_hourly_cents"])
    assert f"{hourly} de l'heure sur 4,0 h" in text  # beside the hours it is computed over


def test_the_statement_hides_an_hourly_rate_over_too_few_hours_and_says_why(march):
    council, ana = march
    publish(council, {"fairness": {"hourly_shown_from_s": 5 * 3600}},
            now=WED + timedelta(days=200))
    text = _text(ana.get(f"/reports/statements/{MONTH}.pdf").data)
    assert ("Non affichée : 4,0 h en service, moins que les 5,0 h fixées par le conseil"
            in text)
    assert "de l'heure sur" not in text


def test_a_statement_is_the_members_and_the_councils_only(march, make_user):
    council, ana = march
    bea = courier(make_user, "Bea", since=None)
    assert bea.get(f"/reports/statements/{MONTH}.pdf?courier={ana.courier.id}"
                   ).status_code == 403
    assert council.get(f"/reports/statements/{MONTH}.pdf").status_code == 422
    r = council.get(f"/reports/statements/{MONTH}.pdf?courier={ana.courier.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "Relevé de paie" in _text(r.data)  # in the member's language, not the reader's
    bad = ana.get("/reports/statements/2026-3.pdf")
    assert bad.status_code == 422 and "month" in bad.json["fields"]

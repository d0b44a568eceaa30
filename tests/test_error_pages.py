"""Error pages speak the reader's language: the app's own page (not Werkzeug's bare
English one) for unknown addresses, refusals and other HTTP errors, with what the
status means translated, and the server's message translated when it can be."""

from __future__ import annotations

import html

import pytest
from flask_babel import refresh

from courier.extensions import db
from courier.texts import N_, Phrase
from courier.web.answers import error_page
from tests.test_pages import login

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def page(response) -> str:
    refresh()  # the tests' app context outlives requests: forget the language it cached
    return html.unescape(response.get_data(as_text=True))


def test_an_unknown_address_answers_the_apps_page_in_french(client):
    r = client.get("/no-such-page", headers=FR)
    text = page(r)
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert '<html lang="fr" ' in text
    assert "Page introuvable" in text and "Il n'y a pas de page à cette adresse" in text
    assert "Erreur 404" in text and "Page d'accueil" in text
    assert "Not Found" not in text and "requested URL" not in text


def test_the_same_page_in_english_for_an_english_reader(client):
    text = page(client.get("/no-such-page", headers={"Accept-Language": "en"}))
    assert "Page not found" in text and "Error 404" in text and "introuvable" not in text


def test_a_refused_page_is_french_for_a_member_who_chose_french(client, make_courier):
    ana = make_courier()
    ana.user.locale = "fr"
    db.session.commit()
    login(client, ana)
    r = client.get("/dispatch", headers={"Accept-Language": "en"})  # her setting wins
    text = page(r)
    assert r.status_code == 403
    assert "Accès refusé" in text and "Votre compte n'a pas accès à cette page." in text
    assert "Forbidden" not in text


def test_a_method_a_page_does_not_take_is_405_in_french_with_allow(client):
    r = client.delete("/login", headers=FR)
    assert r.status_code == 405 and "Impossible ici" in page(r)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_the_api_still_answers_json_and_keeps_allow(client):
    r = client.delete("/api/v1/jobs", headers=FR)
    assert r.status_code == 405 and r.is_json and r.json["fields"] == {}
    assert "POST" in r.headers["Allow"]
    r = client.get("/api/v1/no-such-thing", headers=FR)
    assert r.status_code == 404 and r.is_json


def test_the_servers_own_message_is_translated_when_it_can_be(app):
    with app.test_request_context(headers=FR):
        refresh()
        body, status = error_page(409, Phrase(N_("not assigned: no courier on shift")))
        assert status == 409 and "Conflit" in body
        assert "non attribuée : aucun·e coursier·e en service" in html.unescape(body)
        body, _ = error_page(403, "this run is not yours")  # a sentence of the catalogue
        assert "cette tournée n'est pas la vôtre" in html.unescape(body)
        body, _ = error_page(404, "no job 12")  # none: shown as it is, marked English
        assert '<p class="muted" lang="en">no job 12</p>' in body


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500,
                                    503])
def test_every_common_status_has_its_french_title_and_sentence(app, status):
    from courier.web.answers import OTHER, STATUS_TEXTS

    def texts(lang):
        with app.test_request_context(headers={"Accept-Language": lang}):
            refresh()
            return [str(t) for t in (*STATUS_TEXTS[status], *OTHER)]

    english, french = texts("en"), texts("fr")
    assert all(fr != en for fr, en in zip(french, english, strict=True)), french
    assert english[:2] != english[2:]  # a status of its own, not the generic error

"""French and English: the language comes from the user's setting, the ``lang`` cookie
or the browser; French is complete; the pages' scripts get their words translated."""

import json
import re
import subprocess
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from courier.web.strings import js_msgids, phrase_templates

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "courier/translations/fr/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def test_browser_language_gives_a_french_page(client):
    html = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="fr" ' in html and "Mot de passe" in html


def test_lang_cookie_beats_the_browser(client):
    client.get("/lang/en")  # sets the cookie
    html = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en" ' in html and "Password" in html


def test_users_own_setting_beats_the_cookie(client, make_courier):
    from courier.extensions import db
    from tests.test_pages import login

    ana = make_courier()
    ana.user.locale = "en"
    db.session.commit()
    login(client, ana)
    client.set_cookie("lang", "fr")
    assert "Go on shift" in client.get("/courier").get_data(as_text=True)


def test_choosing_a_language_logged_in_becomes_the_users_setting(client, make_merchant):
    from tests.test_pages import login

    shop = make_merchant()
    login(client, shop)
    r = client.get("/lang/en", headers={"Referer": "http://localhost/shop"})
    assert r.headers["Location"] == "http://localhost/shop" or r.headers["Location"] == "/shop"
    assert shop.user.locale == "en"
    client.delete_cookie("lang")
    refresh()  # the test's app context outlives requests: forget the language it cached
    assert "New delivery" in client.get("/shop", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)


def test_language_switch_never_redirects_elsewhere(client):
    r = client.get("/lang/fr", headers={"Referer": "https://evil.example/phish"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]


def test_login_errors_are_next_to_the_field_in_french(client):
    from tests.test_pages import csrf_of

    r = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_of(client)},
                    headers={"Accept-Language": "fr"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="email-error">Saisissez votre adresse e-mail.' in html
    assert 'aria-describedby="email-error"' in html


def test_scripts_get_their_words_in_french(client, make_courier):
    from tests.test_pages import login

    login(client, make_courier())
    html = client.get("/courier", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    words = json.loads(re.search(r'<script id="i18n"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert words["Picked up"] == "Récupérée"
    assert words["must be between {0} and {1}"] == "doit être entre {0} et {1}"
    assert words["not assigned: no courier on shift"] == (
        "non attribuée : aucun·e coursier·e en service")  # the server's sentences too
    assert set(words) == set(js_msgids(client.application.static_folder)) | set(
        phrase_templates())


def test_every_sentence_template_of_the_server_is_translated_with_the_same_fields():
    with PO.open("rb") as fh:
        french = {m.id: m.string for m in read_po(fh) if m.id}
    field = re.compile(r"\{(\w+)\}")
    templates = phrase_templates()
    assert len(templates) > 40
    for template in templates:
        assert french.get(template), f"{template!r} is not translated"
        assert sorted(set(field.findall(template))) == sorted(
            set(field.findall(french[template]))), template


def _forms(value):
    """A message's id or translation as a tuple (plural messages have several forms)."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def test_french_catalogue_is_complete_and_compiled():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog
                    if m.id and (not all(_forms(m.string)) or m.fuzzy)]
    assert not untranslated, f"translate these in {PO} then run scripts/i18n.sh compile"
    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    assert {_forms(m.id): _forms(m.string) for m in compiled if m.id} == {
        _forms(m.id): _forms(m.string) for m in catalog if m.id}, "run scripts/i18n.sh compile"




def test_every_string_of_the_pages_is_in_the_catalogue():
    """The pages' templates and scripts: a new string is translated before it lands."""
    with PO.open("rb") as fh:
        ids = {_forms(m.id)[0] for m in read_po(fh)}
    assert not [m for m in js_msgids(str(ROOT / "static")) if m not in ids]
    pattern = re.compile(r"""_\(\s*'((?:[^'\\]|\\.)*)'|_\(\s*"((?:[^"\\]|\\.)*)\"""")
    for page in (ROOT / "courier/templates").glob("**/*.html"):
        for a, b in pattern.findall(page.read_text(encoding="utf-8")):
            text = (a or b).replace("\\'", "'").replace('\\"', '"')
            assert text in ids, (f"{page.name}: {text!r} is not in the French catalogue: "
                                 "run scripts/i18n.sh, translate it in messages.po, then "
                                 "scripts/i18n.sh compile")


def test_i18n_script_is_executable():
    script = ROOT / "scripts/i18n.sh"
    assert script.stat().st_mode & 0o111
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0

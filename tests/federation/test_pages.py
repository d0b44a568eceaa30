"""The partner coops' page: the council manages partnerships and the hand-off rule,
dispatch reads the hand-offs, nobody else opens it; in English and French."""

import pytest
from flask_babel import refresh

from tests.test_pages import login


@pytest.mark.parametrize("role, forms", [("council", True), ("dispatcher", False)])
def test_the_council_and_dispatch_open_the_partner_coops_page(client, make_user, role, forms):
    login(client, make_user(role))
    client.set_cookie("lang", "en")
    refresh()  # the test's app context outlives requests: forget the language it cached
    html = client.get("/council/federation").get_data(as_text=True)
    assert "Partner coops" in html and "council_federation.js" in html
    assert ('id="rule-form"' in html) is forms and ('id="connect-form"' in html) is forms
    client.set_cookie("lang", "fr")
    refresh()
    assert "Coopératives partenaires" in client.get("/council/federation").get_data(as_text=True)


@pytest.mark.parametrize("role", ["merchant", "courier", "partner"])
def test_nobody_else_opens_it(client, make_user, role):
    login(client, make_user(role))
    assert client.get("/council/federation").status_code == 403

"""The council's pages and the member's earnings page: who may open them."""

import pytest

from tests.test_pages import login


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

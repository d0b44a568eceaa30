"""Each role lands on its own page after logging in: the council on its reports (members'
earnings, warnings and contests), not on the dispatch board."""

import pytest

from tests.test_pages import login


@pytest.mark.parametrize("role, home", [("council", "/council"), ("dispatcher", "/dispatch"),
                                        ("courier", "/courier"), ("merchant", "/shop")])
def test_login_lands_on_the_roles_own_page(client, make_user, role, home):
    who = make_user(role, lat=45.76, lon=4.83) if role == "merchant" else make_user(role)
    assert login(client, who).headers["Location"].endswith(home)
    assert client.get("/").headers["Location"].endswith(home)
    assert client.get(home).status_code == 200


def test_the_council_still_reaches_the_dispatch_board(client, make_user):
    login(client, make_user("council"))
    assert client.get("/dispatch").status_code == 200
    assert 'href="/dispatch"' in client.get("/council").get_data(as_text=True)

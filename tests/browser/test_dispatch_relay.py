"""The dispatch board's relay button in a real browser, in French and in English: shown
beside "hand to a partner coop" for a pending job a partner's relay hub fits, pressed,
and the answer said in the job's row, with no script error."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from courier.extensions import db
from courier.federation import relay, signing
from courier.models import Partner, PartnerStatus
from courier.shops.zones import create_zone
from tests.browser import checks
from tests.conftest import LYON

OURS = {"type": "Polygon", "coordinates": [[[4.80, 45.73], [4.88, 45.73], [4.88, 45.79],
                                             [4.80, 45.79], [4.80, 45.73]]]}
THEIRS = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
          "geometry": {"type": "Polygon", "coordinates": [[[4.87, 45.75], [4.93, 45.75],
                       [4.93, 45.79], [4.87, 45.79], [4.87, 45.75]]]}}]}
HUB = {"name": "Halles du Tonkin", "address": "5 rue du Tonkin", "lat": 45.770, "lon": 4.875}


def relay_ready(council) -> None:
    """Our zone, a partner coop (not reachable from the test) covering Villeurbanne, and
    a relay hub between the two set by our council."""
    create_zone(None, {"name": "Lyon", "geometry": OURS})
    p = Partner(name="Coop Villeurbanne", base_url="http://127.0.0.1:9",
                status=PartnerStatus.ACTIVE, our_key_id="k_ours", our_secret=signing.new_secret(),
                their_key_id="k_theirs", their_secret=signing.new_secret(),
                credit_limit_cents=100_000, zone=THEIRS,
                profile_at=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.add(p)
    db.session.flush()
    relay.set_hubs(council.user, p, [HUB])
    db.session.commit()


def test_the_dispatcher_relays_a_job_from_the_board(open_page, server, make_user, make_merchant,
                                                    make_job, dispatcher):
    shop = make_merchant()
    near = make_job(shop)  # a drop-off in Lyon: no partner covers it
    far = make_job(shop, dlat=45.770 - LYON[0], dlon=4.900 - LYON[1])  # Villeurbanne
    relay_ready(make_user("council"))
    for lang, words in (("en", "Relay through a hub"), ("fr", "Relayer par un point d’échange")):
        board = open_page(dispatcher, phone=False, lang=lang)
        watch = checks.Watch(board, server.url)
        board.reload()
        expect(board.locator("#conn")).to_have_attribute("data-state", "online")
        row = board.locator(f'#unassigned li[data-job="{far["id"]}"]')
        button = row.locator("[data-relay]")
        expect(button).to_have_text(words)
        expect(row.locator("[data-handoff]")).to_be_visible()  # beside "hand to a partner"
        assert "Halles du Tonkin" in button.get_attribute("title")
        expect(board.locator(f'#unassigned li[data-job="{near["id"]}"] [data-relay]')
               ).to_have_count(0)
        if lang == "fr":
            with board.expect_response(lambda r: r.url.endswith(f"/jobs/{far['id']}/relay")
                                       and r.request.method == "POST") as answer:
                button.click()
            assert answer.value.status == 200
            assert answer.value.json()["status"] == "stopped"  # the partner is not reachable
            expect(row.locator(".partner-answer")).to_contain_text("Coop Villeurbanne")
            expect(row.locator("[data-relay]")).to_have_count(0)  # that hub was tried
        assert watch.take() == []

"""On the courier's phone, each stop still to do shows its live ETA ("≈ 14:32", the API's
`eta` in the coop's time), and a stop done shows its planned time again."""

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import COOP_TZ
from tests.browser.live_api import dispatch, post
from tests.browser.test_courier import courier_page


def _local(iso: str) -> str:
    return f"{datetime.fromisoformat(iso).astimezone(ZoneInfo(COOP_TZ)):%H:%M}"


def test_the_run_shows_each_stops_live_eta_until_it_is_done(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    page = courier_page(open_page, ana)
    job = make_job(shop)
    run = dispatch(server, dispatcher)
    with page.expect_response(lambda r: r.url.endswith("/accept") and r.ok):
        page.click("#accept")
    stops = ana.get(f"/runs/{run['id']}").json["stops"]
    assert all(s["eta"] for s in stops)
    pickup = page.locator(f'#run-stops li[data-kind="pickup"][data-job="{job["id"]}"] .time')
    dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job["id"]}"] .time')
    expect(pickup).to_have_text(f"≈ {_local(stops[0]['eta'])}")
    expect(dropoff).to_have_text(f"≈ {_local(stops[1]['eta'])}")
    post(server, ana, f"/jobs/{job['id']}/picked-up")
    page.reload()
    expect(pickup).to_have_text(_local(stops[0]["planned_arrival"]))  # done: as planned
    expect(dropoff).to_contain_text("≈ ")

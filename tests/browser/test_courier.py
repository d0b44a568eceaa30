"""The courier's phone app in a real browser: an offer arrives live with its alert,
is accepted, and the stops are marked; an action taken offline is replayed once
the phone is back online; the run comes back after a reload."""

from playwright.sync_api import expect

from tests.browser.held import hold_first_read, wait_until_held
from tests.browser.live_api import dispatch

LYON = {"latitude": 45.7660, "longitude": 4.8357}


def courier_page(open_page, actor):
    page = open_page(actor, geolocation=LYON, permissions=["geolocation"],
                     service_workers="block")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    return page


def go_on_shift(page):
    page.click("#shift")
    expect(page.locator("#shift")).to_have_attribute("data-online", "true")
    expect(page.locator("#position")).to_have_attribute("data-state", "sharing")


def test_courier_gets_an_offer_live_accepts_and_marks_stops(open_page, server, make_merchant,
                                                            make_courier, dispatcher, make_job,
                                                            snap):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana Lopez", on_shift=False)
    page = courier_page(open_page, ana)
    snap(page, "courier-off-shift")
    go_on_shift(page)
    job = make_job(shop, notes="Code 1234, 2nd floor")
    dispatch(server, dispatcher)

    offer = page.locator("#offer")
    expect(offer).to_be_visible()
    expect(offer).to_have_attribute("data-alerts", "1")  # sound and vibration fired
    expect(page.locator("#countdown")).to_contain_text("s")
    snap(page, "courier-offer")
    page.click("#decline")  # one stray tap declines nothing
    expect(page.locator("#decline")).to_have_text("Touchez encore pour refuser")
    expect(offer).to_be_visible()
    page.click("#accept")

    pickup = page.locator(f'#run-stops li[data-kind="pickup"][data-job="{job["id"]}"]')
    dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job["id"]}"]')
    expect(pickup.locator('a[href^="geo:"]')).to_be_visible()
    pickup.locator('button[data-act="picked-up"]').click()
    expect(dropoff).to_have_attribute("data-status", "picked_up")
    snap(page, "courier-run")
    dropoff.locator('button[data-act="delivered"]').click()
    expect(page.locator("#idle")).to_be_visible()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")  # sent and answered
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "delivered"


def test_delivered_while_offline_is_replayed_once_back_online(open_page, make_merchant,
                                                              make_courier, dispatcher, make_job,
                                                              server, snap):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = dispatch(server, dispatcher)
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    assert ana.post(f"/jobs/{job['id']}/picked-up").status_code == 200
    page = courier_page(open_page, ana)
    dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job["id"]}"]')
    expect(dropoff).to_have_attribute("data-status", "picked_up")  # the run came back

    page.context.set_offline(True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    dropoff.locator('button[data-act="delivered"]').click()
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")
    expect(page.locator("#idle")).to_be_visible()  # shown as done at once
    snap(page, "courier-offline")

    # Signal comes back too weak for the API: a reload keeps the run's state and the queue.
    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")
    expect(page.locator("#idle")).to_be_visible()
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "picked_up"

    page.unroute("**/api/**")  # a good connection: the queue is replayed
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    events = [e["action"] for e in shop.get(f"/jobs/{job['id']}").json["events"]]
    assert events.count("delivered") == 1


def test_courier_app_installs_its_service_worker_and_keeps_its_files(open_page, make_courier):
    page = open_page(make_courier("Ana"))  # service workers allowed
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => !!r.active)")
    cached = page.evaluate("""async () => {
        const name = (await caches.keys()).find((k) => k.startsWith("courier-"));
        const cache = await caches.open(name);
        return (await cache.keys()).map((r) => new URL(r.url).pathname);
    }""")
    for path in ("/courier", "/static/js/courier.js", "/static/js/queue.js",
                 "/static/vendor/leaflet/leaflet.js", "/static/css/app.css"):
        assert path in cached
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["start_url"] == "/courier"


def test_a_refused_shift_is_explained_in_french(open_page, make_courier):
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from courier.extensions import db
    from tests.fairwork.helpers import shift

    ana = make_courier("Ana", on_shift=False)
    today = datetime.now(ZoneInfo("Europe/Paris")).date()  # the coop's days
    for d in range(1, 7):  # six days in a row: the default rules block a seventh
        start = datetime.combine(today - timedelta(days=d), time(10), ZoneInfo("Europe/Paris"))
        shift(ana.user.courier, start.astimezone(UTC), start.astimezone(UTC) + timedelta(hours=1))
    db.session.commit()
    page = courier_page(open_page, ana)
    page.click("#shift")
    expect(page.locator("#error")).to_have_text(
        "pas maintenant selon règles v1 : 6 jours travaillés d'affilée, 6 au plus")
    expect(page.locator("#shift")).to_have_attribute("data-online", "false")



def test_a_refresh_read_before_going_on_shift_does_not_put_the_courier_back_off(
        open_page, make_courier):
    ana = make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    held = hold_first_read(page, "/courier/me")  # the first read is held, the next go through
    page.evaluate("() => { window.refreshed = refresh(); }")  # as on a socket reconnect
    wait_until_held(page, held, "the refresh never asked for the courier")
    stale = held[0].fetch()  # the server's answer from before the shift: off shift
    go_on_shift(page)
    held[0].fulfill(response=stale)  # ... arrives after the shift's own answer
    page.evaluate("() => window.refreshed")
    assert page.locator("#shift").get_attribute("data-online") == "true"
    expect(page.locator("#shift")).to_have_text("Terminer mon service")

"""The courier's page built for riding, in Chromium: the next stop's action within a
thumb at the bottom of a phone's screen, the screen kept on while a run is ridden and let
go when the run or the shift ends, the live connection coming back by itself and the run
fetched again when the page is back in front."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.live_api import dispatch, post

LYON = {"latitude": 45.7660, "longitude": 4.8357}


def riding_page(open_page, actor):
    page = open_page(actor, geolocation=LYON, permissions=["geolocation"])
    page.goto("/courier")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    return page


def keeps_screen_on(browser, page, server):
    """The page as a phone allows it to keep the screen on (a user's gesture elsewhere)."""
    target = page.context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]
    browser.new_browser_cdp_session().send("Browser.grantPermissions", {
        "origin": server.url, "permissions": ["wakeLockScreen"],
        "browserContextId": target["browserContextId"]})
    page.reload()
    return page


def test_riding_the_next_stop_is_at_the_thumb_and_the_screen_stays_on(
        browser, open_page, server, make_merchant, make_courier, dispatcher, make_job, snap):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = dispatch(server, dispatcher)
    post(server, ana, f"/runs/{run['id']}/accept")
    page = keeps_screen_on(browser, riding_page(open_page, ana), server)
    bar = page.locator("#ride-next")
    expect(bar.locator("button.primary")).to_have_text("Récupérée")
    expect(page.locator("#wake")).to_have_attribute("data-state", "on")
    snap(page, "courier-riding")
    box = bar.locator("button.primary").bounding_box()
    assert box["y"] > 740 - 120  # at the bottom of a 740 px phone screen
    bar.locator("button.primary").click()
    dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job["id"]}"]')
    expect(dropoff).to_have_attribute("data-status", "picked_up")
    expect(bar.locator("button.primary")).to_have_text("Livrée")
    bar.locator("button.primary").click()
    expect(page.locator("#idle")).to_be_visible()
    expect(bar).to_be_hidden()
    expect(page.locator("#wake")).to_be_hidden()  # the run is over: the screen may sleep


def test_the_screen_may_sleep_once_the_shift_ends_even_with_a_parcel_to_bring_back(
        browser, open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    make_job(shop)
    run = dispatch(server, dispatcher)
    post(server, ana, f"/runs/{run['id']}/accept")
    page = keeps_screen_on(browser, riding_page(open_page, ana), server)
    page.locator("#ride-next button.primary").click()  # picked up: the parcel is on the bike
    expect(page.locator("#ride-next button.primary")).to_have_text("Livrée")
    expect(page.locator("#wake")).to_have_attribute("data-state", "on")
    page.click("#shift")  # refused with work accepted: the emergency stop is offered
    page.fill("#emergency-reason", "crevaison, je rentre")
    page.click("#emergency-stop")
    expect(page.locator("#shift")).to_have_attribute("data-online", "false")
    expect(page.locator("#run")).to_be_visible()  # the parcel still to bring back
    expect(page.locator("#wake")).to_be_hidden()  # off shift: the screen may sleep


def test_the_socket_comes_back_by_itself_and_in_front_the_run_is_fetched_again(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    page = riding_page(open_page, ana)
    conn, offer = page.locator("#conn"), page.locator("#offer")
    page.context.set_offline(True)  # out of signal in a pocket: the connection drops
    page.evaluate("liveSocket.io.engine.close()")
    expect(conn).not_to_have_attribute("data-state", "online")
    job = make_job(shop)
    dispatch(server, dispatcher)
    page.wait_for_timeout(300)
    expect(offer).to_be_hidden()  # nothing heard meanwhile
    page.context.set_offline(False)  # the signal is back: the socket reconnects by itself
    expect(conn).to_have_attribute("data-state", "online")
    expect(offer).to_be_visible()  # and what was missed is fetched

    page.evaluate("liveSocket.disconnect()")  # the browser put the page to sleep in the back
    expect(conn).not_to_have_attribute("data-state", "online")
    assert shop.post(f"/jobs/{job['id']}/cancel", json={"reason": "closed"}).status_code == 200
    page.wait_for_timeout(300)
    expect(offer).to_be_visible()  # the withdrawal went unheard
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # back in front
    expect(conn).to_have_attribute("data-state", "online")
    expect(offer).to_be_hidden()  # the run as it is now

"""On the courier's phone, in French: a failed drop-off brings a return stop to the
shop onto the run, with its own button, and the run ends once the parcel is back; a job
accepted and not picked up yet is given back to dispatch with a reason."""

from playwright.sync_api import expect

from tests.browser.live_api import dispatch
from tests.browser.test_courier import courier_page, go_on_shift


def _accept(page, server, dispatcher):
    run = dispatch(server, dispatcher)
    page.click("#accept")
    expect(page.locator("#run")).to_be_visible()
    return run


def test_a_failed_drop_off_shows_a_return_to_the_shop_and_the_run_ends_once_back(
        open_page, server, make_merchant, make_courier, dispatcher, make_job, snap):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    go_on_shift(page)
    job = make_job(shop)
    _accept(page, server, dispatcher)
    stops = page.locator("#run-stops")
    stops.locator(f'li[data-kind="pickup"][data-job="{job["id"]}"] '
                  'button[data-act="picked-up"]').click()
    dropoff = stops.locator(f'li[data-kind="dropoff"][data-job="{job["id"]}"]')
    expect(dropoff).to_have_attribute("data-status", "picked_up")
    dropoff.locator('button[data-act="failed"]').click()
    page.check('#fail-form input[value="recipient absent"]')
    page.click("#fail-confirm")

    back = stops.locator(f'li[data-kind="return"][data-job="{job["id"]}"]')
    expect(back).to_contain_text("Retour à la boutique")
    expect(back).to_contain_text("1 place Bellecour")
    expect(back.locator(".time")).not_to_be_empty()  # re-timed by the server, pushed live
    expect(page.locator("#run-progress")).to_have_text("2 arrêt(s) sur 3 faits")
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    snap(page, "courier-return")
    button = back.locator('button[data-act="returned"]')
    expect(button).to_have_text("Rapporté à la boutique")
    button.click()
    expect(page.locator("#idle")).to_be_visible()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "failed" and seen["returned_at"]


def test_a_job_not_picked_up_is_given_back_with_a_reason(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    go_on_shift(page)
    near = make_job(shop, dlat=0.004)
    far = make_job(shop, dlat=0.03, dlon=0.03)
    run = _accept(page, server, dispatcher)
    assert {s["job_id"] for s in run["stops"]} == {near["id"], far["id"]}
    stops = page.locator("#run-stops")
    stops.locator(f'li[data-kind="pickup"][data-job="{far["id"]}"] '
                  'button[data-act="release"]').click()
    dialog = page.locator("#release-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#release-title")).to_have_text(f"Rendre la course #{far['id']} ?")
    page.click("#release-confirm")  # no reason chosen: said at the field
    expect(dialog.locator('[data-field="reason"]')).to_contain_text("Choisissez un motif")
    page.check('#release-form input[value="vehicle problem"]')
    page.fill('#release-form input[name="details"]', "chaîne cassée")
    page.click("#release-confirm")
    expect(dialog).to_be_hidden()
    expect(stops.locator(f'li[data-job="{far["id"]}"]')).to_have_count(0)
    expect(stops.locator(f'li[data-job="{near["id"]}"]')).to_have_count(2)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    given = dispatcher.get(f"/jobs/{far['id']}").json
    assert given["status"] == "pending"
    released = [e for e in given["events"] if e["action"] == "released"]
    assert released and released[-1]["reason"] == (
        "given back by Ana: vehicle problem: chaîne cassée")

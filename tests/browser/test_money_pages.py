"""Money where it is earned, in a real browser, in French and English, on a phone and a
desktop: a member reads each run's and each job's pay, a failed job's why and the run's
decision, the rule on failed attempts, and downloads their monthly statement; a shop reads
its month's statement (the API's figures), its CSV and its numbered invoice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from courier.extensions import db
from courier.models import Job, JobStatus
from tests.browser.conftest import COOP_TZ
from tests.browser.history import build

DAYS = 3  # the history's runs of yesterday and today, whatever the time of day


def _today():
    return datetime.now(ZoneInfo(COOP_TZ)).date()


def _fail_the_offered_job(h):
    """Ana accepts the run offered to her, picks the parcel up, and fails to deliver it."""
    (run,) = [r for r in h.ana.get("/courier/runs").json["runs"] if r["status"] == "offered"]
    assert h.ana.post(f"/runs/{run['id']}/accept").status_code == 200
    job_id = run["stops"][0]["job_id"]
    assert h.ana.post(f"/jobs/{job_id}/picked-up").status_code == 200
    r = h.ana.post(f"/jobs/{job_id}/failed", json={"reason": "personne à la porte"})
    assert r.status_code == 200, r.json
    return run["id"], job_id


def _period(page):
    """The last days (yesterday's run, even on a Monday), shown."""
    today = _today()
    page.fill("#period input[name=from]", (today - timedelta(days=DAYS)).isoformat())
    page.fill("#period input[name=to]", today.isoformat())
    page.click("#period button")


def test_member_reads_pay_per_run_and_job_and_why_in_french(open_page, make_user, server):
    h = build(make_user)
    run_id, job_id = _fail_the_offered_job(h)
    page = open_page(h.ana, lang="fr", service_workers="block")
    page.goto("/me/earnings")
    _period(page)
    run = page.locator(f'#runs tr.run[data-run="{run_id}"]')
    expect(run).to_contain_text(f"Tournée {run_id}")
    decision = run.locator("a[data-decision]")  # the decision that gave the run, linked
    expect(decision).to_contain_text("proposée à Ana")
    target = decision.get_attribute("href")
    expect(page.locator(f"#decisions li{target}")).to_have_attribute("data-action", "offered")
    failed = page.locator(f'#runs tr.job[data-job="{job_id}"]')
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed).to_contain_text(
        "Échec : personne à la porte. Tentatives échouées payées : rien.")
    expect(page.locator("#failed-rule span")).to_have_text(
        "Tentatives échouées payées : rien (règles v2).")
    expect(page.locator("#failed-rule a.how")).to_have_attribute(
        "href", "/docs/fairwork.md#failed-attempts")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    today = _today()
    api = h.ana.get(f"/reports/runs?from={today - timedelta(days=DAYS)}&to={today}").json
    assert len(api["runs"]) == 3  # yesterday's, today's and the failed one
    expect(page.locator("#runs tr.run")).to_have_count(3)
    total = page.locator("#runs tfoot td b")
    expect(total).to_have_text(re.compile(_euros_fr(api["totals"]["total_cents"])))

    month = today.strftime("%Y-%m")  # this month's, by default
    link = page.locator("#statement-pdf")
    expect(link).to_have_attribute("href", f"/api/v1/reports/statements/{month}.pdf")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def _euros_fr(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}\\s€"


def test_member_page_in_english_on_a_desktop_matches_the_api(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.bea, lang="en", phone=False, service_workers="block")
    page.goto("/me/earnings")
    _period(page)
    today = _today()
    q = f"from={today - timedelta(days=DAYS)}&to={today}"
    api = h.bea.get(f"/reports/runs?{q}").json
    report = h.bea.get(f"/reports/earnings?{q}").json
    expect(page.locator("#runs tr.run")).to_have_count(len(api["runs"]))
    for r in api["runs"]:
        row = page.locator(f'#runs tr.run[data-run="{r["run_id"]}"]')
        expect(row.locator("td").nth(4)).to_have_text(_euros_en(r["total_cents"]))
    total = page.locator("#mine > div").filter(has_text="Total").locator("dd").first
    expect(total).to_have_text(_euros_en(report["members"][0]["total_cents"]))
    expect(page.locator("#failed-rule span")).to_have_text(
        "Failed attempts are paid: nothing (rules v2).")
    csv = page.request.get(page.locator("#runs-csv").get_attribute("href"))
    assert csv.status == 200 and csv.text().splitlines()[-1].split(",")[-3] == str(
        api["totals"]["total_cents"])


def _euros_en(cents: int) -> str:
    return f"€{cents // 100}.{cents % 100:02d}"


def test_shop_reads_its_statement_and_gets_last_months_invoice(open_page, make_user, server):
    h = build(make_user)
    last = datetime.now(ZoneInfo(COOP_TZ)).replace(day=1) - timedelta(days=1)
    job = db.session.query(Job).filter(Job.merchant_id == h.shop.user.merchant.id,
                                       Job.status == JobStatus.DELIVERED).first()
    job.created_at = last.replace(hour=10).astimezone(UTC)  # last month's, delivered
    db.session.commit()
    api = h.shop.get(f"/statements/{_today():%Y-%m}").json

    page = open_page(h.shop, lang="fr", service_workers="block")
    page.goto("/shop/statements")
    billed = page.locator('#totals [data-figure="billed_cents"] dd')
    expect(billed).to_have_text(re.compile(_euros_fr(api["totals"]["billed_cents"])))
    expect(page.locator("#jobs tbody tr")).to_have_count(api["totals"]["jobs"])
    expect(page.locator("#invoice")).to_be_hidden()  # this month is not over
    expect(page.locator("#invoice-later")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.fill("#month-form input[name=month]", f"{last:%Y-%m}")
    page.click("#month-form button")
    invoice = page.locator("#invoice")
    expect(invoice).to_be_visible()
    expect(invoice).to_have_attribute("href", f"/api/v1/statements/{last:%Y-%m}/invoice.pdf")
    first = page.request.get(invoice.get_attribute("href"))
    again = page.request.get(invoice.get_attribute("href"))
    assert first.status == 200 and first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == again.headers["content-disposition"]
    csv = page.request.get(page.locator("#csv").get_attribute("href"))
    assert csv.status == 200 and csv.text().startswith("job_id,")


def test_shop_statement_in_english_on_a_desktop(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.shop, lang="en", phone=False, service_workers="block")
    page.goto("/shop")
    page.click("header nav a[href='/shop/statements']")
    expect(page.locator("h1")).to_have_text("Statements and invoices")
    api = h.shop.get(f"/statements/{_today():%Y-%m}").json
    expect(page.locator('#totals [data-figure="jobs"] dd')).to_have_text(
        str(api["totals"]["jobs"]))
    expect(page.locator("#jobs tfoot")).to_contain_text(_euros_en(api["totals"]["billed_cents"]))


def test_council_sets_the_failed_attempts_rule_in_words(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.council, lang="fr", phone=False)
    page.goto("/council/rules")
    options = page.locator('select[data-path="pay.failed_attempt"] option')
    expect(options).to_have_count(3)
    assert sorted(options.all_inner_texts()) == [
        "le tarif complet d'une livraison", "le trajet seulement", "rien"]
    expect(page.locator('input[data-path="fairness.hourly_shown_from_s"]')).to_have_value("2")

"""The fair-work API: rules and their history, reports with their access rules,
decisions and contests, breaks and corrections; all in the OpenAPI description."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, courier, job, shift


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def test_the_first_version_is_the_french_road_transport_template(make_courier):
    ana = make_courier()
    r = ana.get("/rules").json
    v = r["in_force"]
    assert v["number"] == 1 and "French road-transport" in v["reason"]
    wt = v["rules"]["working_time"]
    assert wt["max_day"] == {"enforce": "block", "limit_s": 36000}
    assert wt["max_week"]["limit_s"] == 48 * 3600 and wt["daily_rest"]["min_s"] == 11 * 3600
    assert wt["break"] == {"enforce": "block", "after_s": 6 * 3600, "duration_s": 1800}
    assert wt["consecutive_days"]["max_days"] == 6


def test_council_publishes_a_version_with_who_why_and_what_changed(council):
    r = council.post("/rules", json={"rules": {"working_time": {"max_day": {"limit_s": 32400}}},
                                     "reason": "9 h days voted at the March assembly"})
    assert r.status_code == 201, r.json
    assert r.json["number"] == 2 and r.json["created_by"] == "Chloé Council"
    assert r.json["diff"] == [{"path": "working_time.max_day.limit_s", "from": 36000,
                               "to": 32400}]
    versions = council.get("/rules/versions").json["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    cmp = council.get("/rules/versions/compare?from=1&to=2").json
    assert cmp["changes"] == r.json["diff"]
    assert council.get("/rules").json["in_force"]["number"] == 2


def test_a_version_can_be_scheduled_but_never_backdated(council):
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    r = council.post("/rules", json={"rules": {"pay": {"per_km_cents": 50}}, "reason": "km",
                                     "effective_from": later})
    assert r.status_code == 201
    cur = council.get("/rules").json
    assert cur["in_force"]["number"] == 1 and [v["number"] for v in cur["scheduled"]] == [2]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = council.post("/rules", json={"rules": {"pay": {"per_km_cents": 60}}, "reason": "x",
                                     "effective_from": past})
    assert r.status_code == 422 and "effective_from" in r.json["fields"]
    sooner = datetime.fromisoformat(later) - timedelta(days=1)
    r = council.post("/rules", json={"rules": {"pay": {"per_km_cents": 60}}, "reason": "x",
                                     "effective_from": sooner.isoformat()})
    local = datetime.fromisoformat(later).astimezone(ZoneInfo("Europe/Paris"))  # the coop's
    assert r.status_code == 422 and f"applies from {local:%Y-%m-%d %H:%M};" in r.json["error"]


@pytest.mark.parametrize("change, field", [
    ({"working_time": {"max_day": {"enforce": "sometimes"}}}, "rules.working_time.max_day.enforce"),
    ({"working_time": {"max_day": {"limit_s": -1}}}, "rules.working_time.max_day.limit_s"),
    ({"pay": {"per_km_cents": "a lot"}}, "rules.pay.per_km_cents"),
    ({"load": {"teleport": {"enforce": "off"}}}, "rules.load.teleport.enforce"),
    ({"fairness": {"balance": "random"}}, "rules.fairness.balance"),
])
def test_bad_rules_are_refused_naming_the_field(council, change, field):
    r = council.post("/rules", json={"rules": change, "reason": "test"})
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert len(council.get("/rules/versions").json["versions"]) == 1  # nothing half-written


def test_only_the_council_sets_rules(make_courier, dispatcher):
    body = {"rules": {"pay": {"per_km_cents": 99}}, "reason": "raise"}
    assert make_courier().post("/rules", json=body).status_code == 403
    assert dispatcher.post("/rules", json=body).status_code == 403


def test_reports_access(make_user, make_merchant, council):
    ana = courier(make_user, "Ana", since=None)
    bea = courier(make_user, "Bea", since=None)
    for c in (ana, bea):
        shift(c.courier, NOW - timedelta(hours=3), NOW - timedelta(hours=1))
    q = "/reports/earnings?from=2026-03-04&to=2026-03-04"
    assert make_merchant().get(q).status_code == 403
    assert ana.get(q + f"&courier={bea.courier.id}").status_code == 403
    own = ana.get(q).json
    assert [m["courier_id"] for m in own["members"]] == [ana.courier.id]
    assert own["distribution"]["on_shift_s"] == [7200, 7200] and "Bea" not in str(own)
    full = council.get(q).json
    assert {m["name"] for m in full["members"]} == {"Ana", "Bea"}
    assert council.get(q + f"&courier={bea.courier.id}").json["members"][0]["name"] == "Bea"
    csv = council.get(q + "&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("courier_id,name") and len(lines) == 4  # header, 2, total


def test_bad_report_period_names_the_field(council):
    r = council.get("/reports/earnings?from=2026-03-04&to=2026-03-01")
    assert r.status_code == 422 and "to" in r.json["fields"]
    assert council.get("/reports/earnings?to=2026-03-01").status_code == 422


def test_courier_sees_why_and_contests_the_council_answers(make_user, make_merchant, council):
    near = courier(make_user, "Ana")
    far = courier(make_user, "Bea", lat=45.70)
    job(make_merchant())
    run_cycle(now=NOW)
    mine = far.get("/courier/decisions").json["decisions"]
    assert mine[0]["action"] == "not_offered" and mine[0]["reason"].startswith("no offer:")
    assert "rules v1" in mine[0]["reason"]
    offer = near.get("/courier/decisions").json["decisions"][0]
    assert offer["action"] == "offered" and "offered to Ana: nearest" in offer["reason"]
    assert near.post(f"/events/{mine[0]['id']}/contest", json={"body": "x"}).status_code == 403
    r = far.post(f"/events/{mine[0]['id']}/contest", json={"body": "I was waiting at the shop"})
    assert r.status_code == 201 and r.json["status"] == "open"
    open_ = council.get("/contests?status=open").json["contests"]
    assert [c["id"] for c in open_] == [r.json["id"]]
    a = council.post(f"/contests/{r.json['id']}/answer", json={"body": "Your position was "
                                                               "10 minutes old."})
    assert a.status_code == 201 and a.json["status"] == "answered"
    assert far.get("/contests").json["contests"][0]["answers"][0]["body"].startswith("Your")
    assert near.get("/contests").json["contests"] == []
    assert far.get("/courier/decisions").json["contested"] == [mine[0]["id"]]


def test_breaks_hold_offers_and_corrections_are_events(make_courier, make_merchant, make_job,
                                                      dispatcher, council):
    ana = make_courier()
    assert ana.post("/courier/break", json={"on": True}).status_code == 200
    assert ana.post("/courier/break", json={"on": True}).status_code == 409
    make_job(make_merchant())
    r = dispatcher.post("/dispatch").json
    assert r["runs"] == [] and "on a break" in r["unassigned"][0]["reason"]
    assert ana.post("/courier/break", json={"on": False}).status_code == 200
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    t = ana.get("/time", query_string={"courier": ana.user.courier.id, "since": since}).json
    assert len(t["shifts"]) == 1 and len(t["breaks"]) == 1 and t["on_break"] is False
    body = {"courier_id": ana.user.courier.id, "kind": "break", "target": t["breaks"][0]["id"],
            "void": True, "reason": "the break was a phone glitch"}
    assert ana.post("/time/corrections", json=body).status_code == 403
    assert council.post("/time/corrections", json=body).status_code == 201
    t = council.get("/time", query_string={"courier": ana.user.courier.id, "since": since}).json
    assert t["breaks"] == []


def test_going_on_shift_is_refused_when_a_blocking_rule_says_rest(make_user):
    from courier.dispatch import operations
    from courier.errors import Conflict

    ana = courier(make_user, since=None)
    for d in range(1, 7):
        shift(ana.courier, NOW - timedelta(days=d), NOW - timedelta(days=d) + timedelta(hours=2))
    with pytest.raises(Conflict, match="6 days worked in a row"):
        operations.set_shift(ana.user, True, now=NOW)


def test_a_refused_shift_says_why_in_a_phrase_pages_translate(make_user):
    ana = courier(make_user, since=None)
    today = datetime.now(ZoneInfo("Europe/Paris")).date()  # the coop's days
    for d in range(1, 7):
        start = datetime.combine(today - timedelta(days=d), time(10), ZoneInfo("Europe/Paris"))
        shift(ana.courier, start.astimezone(UTC), start.astimezone(UTC) + timedelta(hours=1))
    db.session.commit()
    r = ana.post("/courier/shift", json={"online": True, "lat": LYON[0], "lon": LYON[1]})
    assert r.status_code == 409
    assert r.json["error"] == "not now under rules v1: 6 days worked in a row, at most 6"
    assert r.json["error_phrase"] == {"template": "not now under {rules}: {why}", "values": {
        "rules": {"template": "rules v{number}", "values": {"number": 1}},
        "why": {"template": "{days} days worked in a row, at most {most}",
                "values": {"days": 6, "most": 6}}}}


def test_fair_work_endpoints_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for p in ("/api/v1/rules", "/api/v1/rules/versions", "/api/v1/rules/versions/compare",
              "/api/v1/reports/earnings", "/api/v1/rules/what-if",
              "/api/v1/events/{event_id}/contest", "/api/v1/contests/{contest_id}/answer"):
        assert p in paths, p
    assert "post" in paths["/api/v1/rules"] and "get" in paths["/api/v1/rules"]

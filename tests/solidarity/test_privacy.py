"""The recipient of a solidarity delivery (address, exact position, name, phone,
notes) is seen by the partner who asked for it and by the courier carrying it, only
while carrying it; by nobody else, on any channel.

The walk calls every GET operation of the API's OpenAPI description as every role,
at every step of the job's life, listens on Socket.IO as every role, and reads the
public tracking page, the CSV reports and the open data.
"""

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader

from courier import settings
from courier.extensions import db
from courier.models import Event, Job, utcnow
from tests.conftest import LYON

DROPOFF = (45.77437, 4.82571)
SECRETS = ("7 impasse des Lilas", "Odette", "12 34 56 78", "code porte 4521", "45.77437",
           "4.82571")
WHO = ("partner", "other_partner", "shop", "courier", "other_courier", "dispatcher",
       "council", "anonymous")


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def cast(make_user, make_merchant, make_courier, dispatcher, partner):
    council = make_user("council", "Colette Council")
    settings.put("open_data", True)
    db.session.commit()
    return {"partner": partner,
            "other_partner": make_user("partner", "Restos", lat=45.75, lon=4.85),
            "shop": make_merchant("Épicerie"),
            "courier": make_courier("Carole", lat=LYON[0] - 0.003, lon=LYON[1] + 0.002),
            "other_courier": make_courier("Omar", lat=LYON[0] + 0.05, lon=LYON[1] + 0.05,
                                          on_shift=False),
            "dispatcher": dispatcher, "council": council, "anonymous": None}


def _operations(client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return [(p.removeprefix("/api/v1"), op) for p, item in spec["paths"].items()
            for op in item if op == "get"]


def _queries(path: str, ids: dict) -> list[str]:
    today = date.today().isoformat()
    return {"/reports/earnings": [f"from={today}&to={today}",
                                  f"from={today}&to={today}&format=csv"],
            "/statements/{month}": [f"merchant={ids['merchant']}",
                                    f"merchant={ids['merchant']}&format=csv"],
            "/time": [f"courier={ids['courier_id']}&since={today}T00:00:00Z"],
            "/zones/lookup": [f"lat={DROPOFF[0]}&lon={DROPOFF[1]}"],
            "/courier/decisions": ["", "limit=200"],
            }.get(path, [""])


def _text(response) -> str:
    """What an answer says: a PDF's written text (a statement, an invoice), else its body."""
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in
                         PdfReader(io.BytesIO(response.get_data())).pages)
    return response.get_data(as_text=True)


def walk(client, cast, ids) -> dict[str, list[tuple[str, str]]]:
    """Every GET answer, as every role: who -> [(call, body)]."""
    seen = {who: [] for who in WHO}
    for path, _ in _operations(client):
        url = path
        for key, value in ids.items():
            url = url.replace("{" + key + "}", str(value))
        if "{" in url:
            continue  # an object this story has none of (a zone, a webhook...)
        for q in _queries(path, ids):
            for who in WHO:
                actor = cast[who]
                r = client.get("/api/v1" + url + ("?" + q if q else ""),
                               headers=actor.headers if actor else {})
                seen[who].append((f"GET {url}?{q}", _text(r)))
    page = client.get(f"/t/{ids['token']}").get_data(as_text=True)  # the recipient's page
    seen["anonymous"].append(("tracking page", page))
    return seen


def heard(sockets) -> dict[str, list[tuple[str, str]]]:
    return {who: [(m["name"], json.dumps(m["args"], ensure_ascii=False))
                  for m in s.get_received()] for who, s in sockets.items()}


def check(step, answers: dict, may_see: set[str]) -> None:
    for who, items in answers.items():
        for call, body in items:
            if who not in may_see:
                assert not leaked(body), f"{step}: {who} read {leaked(body)} in {call}"


def test_only_the_partner_and_the_carrying_courier_ever_see_the_recipient(
        app, client, cast, ask):
    sockets = {who: a.socket(app) for who, a in cast.items() if a is not None}
    job = ask(cast["partner"], dlat=DROPOFF[0] - LYON[0], dlon=DROPOFF[1] - LYON[1])
    assert job["dropoff"]["lat"] == DROPOFF[0] and job["recipient"]["phone"]  # the partner's
    row = db.session.get(Job, job["id"])
    ids = {"job_id": job["id"], "token": row.tracking_token, "number": 1,
           "month": utcnow().strftime("%Y-%m"), "merchant": row.merchant_id,
           "courier_id": cast["courier"].user.courier.id,
           "event_id": db.session.scalar(db.select(Event.id).where(Event.job_id == row.id))}
    courier, dispatcher = cast["courier"], cast["dispatcher"]

    def step(name, carrying: bool):
        answers = walk(client, cast, ids)
        live = heard(sockets)
        may = {"partner", "courier"} if carrying else {"partner"}
        check(name, answers, may)
        check(name + " (live)", live, may)
        mine = dict(answers["partner"])[f"GET /jobs/{job['id']}?"]
        assert leaked(mine), f"{name}: the partner lost sight of their own request"
        theirs = dict(answers["courier"]).get(f"GET /jobs/{job['id']}?", "")
        assert bool(leaked(theirs)) == carrying, name
        return live

    step("submitted", carrying=False)
    cycle = dispatcher.post("/dispatch")
    assert not leaked(cycle.get_data(as_text=True))
    (run,) = cycle.json["runs"]
    assert run["courier"]["id"] == ids["courier_id"]
    ids["run_id"] = run["id"]
    live = step("offered", carrying=False)  # an offer shows the neighbourhood, not the door
    assert any(name == "run.offered" for name, _ in live["courier"])

    accepted = courier.post(f"/runs/{run['id']}/accept")
    assert leaked(accepted.get_data(as_text=True))  # now the courier carries it
    live = step("accepted", carrying=True)
    assert any(leaked(body) for name, body in live["courier"] if name == "run.updated")
    assert leaked(courier.post(f"/jobs/{job['id']}/picked-up").get_data(as_text=True))
    step("picked up", carrying=True)

    done = courier.post(f"/jobs/{job['id']}/delivered")
    assert done.status_code == 200 and not leaked(done.get_data(as_text=True))
    live = step("delivered", carrying=False)  # delivered: the courier's sight ends too
    assert live["courier"] and not any(leaked(body) for _, body in live["courier"])
    reconnect = cast["courier"].socket(app)  # the runs replayed on reconnect
    assert not leaked(json.dumps(reconnect.get_received(), ensure_ascii=False))


CSV = ("customer,address,lat,lon,weight_kg,slot,phone,notes\n"
       "Mme Odette Martin,7 impasse des Lilas,45.77437,4.82571,4,10:00-11:00,"
       "+33 6 12 34 56 78,code porte 4521\n")


def test_a_hubs_households_stay_with_the_hub_on_every_other_channel(hub, dispatcher,
                                                                    make_user):
    from datetime import timedelta

    from courier.models import WebhookDelivery, WebhookEndpoint

    council = make_user("council", "Colette Council")
    db.session.add(WebhookEndpoint(merchant_id=hub.user.merchant.id, events=["job.created"],
                                   url="https://hub.example.org/hook", secret="whsec_x"))
    db.session.commit()
    day = (utcnow() + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    rnd = hub.post("/hub/rounds", json={
        "kind": "distribute", "solidarity": True, "starts_at": day.isoformat(),
        "ends_at": (day + timedelta(hours=4)).isoformat()}).json
    r = hub.post(f"/hub/rounds/{rnd['id']}/orders", data=CSV,
                 headers={"Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    assert hub.post(f"/hub/rounds/{rnd['id']}/release").status_code == 200
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    month = utcnow().strftime("%Y-%m")
    calls = [f"/hub/rounds/{rnd['id']}", f"/webhooks/deliveries/{delivery.id}",
             f"/webhooks/{delivery.endpoint_id}/deliveries", "/jobs",
             f"/statements/{month}?merchant={hub.user.merchant.id}",
             f"/statements/{month}?merchant={hub.user.merchant.id}&format=csv"]
    for call in calls:
        for other in (dispatcher, council):
            body = other.get(call).get_data(as_text=True)
            assert not leaked(body), f"{other.user.name} read {leaked(body)} in {call}"
    for call in (f"/hub/rounds/{rnd['id']}", "/jobs"):  # the hub itself sees its households
        assert leaked(hub.get(call).get_data(as_text=True)), call
    own = hub.get(f"/statements/{month}?format=csv").get_data(as_text=True)
    assert "7 impasse des Lilas" in own and "Odette" in own  # the hub's own statement
    assert leaked(hub.get(f"/webhooks/deliveries/{delivery.id}").get_data(as_text=True))
    assert leaked(delivery.payload)  # what the hub's own endpoint receives

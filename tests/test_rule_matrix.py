"""The council's rules hold on every path that changes work. Each operation of the API
that gives, takes back or moves work is called while a blocking rule stands in the way
(Xena, on a bike, is on her break; a 70 kg parcel rides on Yann's cargo bike), and
answers as the one table below says. An operation that changes work and has no row in
the table fails the suite: whoever adds one decides here what the rules do to it.

(Who may call what at all is tests/test_authz_matrix.py.)
"""

from datetime import timedelta

import pytest

from courier.models import utcnow
from tests.test_authz_matrix import OPERATIONS

WORK = ("/assign", "/reassign", "/accept", "/decline", "/shift", "/cancel", "/picked-up",
        "/delivered", "/failed", "/returned", "/dispatch", "/break", "/release", "/orders",
        "/signup")
BLOCKED = 409
# what a call gets; None: it gives no work to a courier (the work it makes goes through
# the dispatch cycle, which asks the gate)
RULES = {
    "POST /jobs/{job_id}/assign": BLOCKED,  # to Xena on her break
    "POST /runs/{run_id}/reassign": BLOCKED,  # Yann's 70 kg run to Xena's bike
    "POST /runs/{run_id}/accept": BLOCKED,  # Xena accepts her offer during her break
    "POST /runs/{run_id}/decline": 200,  # turning work down is always allowed
    "POST /courier/shift": 200,  # Xena goes off shift: she has nothing accepted
    "POST /courier/break": 200,  # and ends her break
    "POST /jobs/{job_id}/cancel": 200,  # the shop cancels a job on Xena's offer
    "POST /jobs/{job_id}/picked-up": 200,  # Yann, not on a break, rides on
    "POST /jobs/{job_id}/delivered": 200,
    "POST /jobs/{job_id}/failed": 200,  # and its parcel comes back, rules or not
    "POST /jobs/{job_id}/returned": 200,
    "POST /jobs/{job_id}/release": 200,  # giving work back is always allowed
    "POST /dispatch": 200,  # and Xena is offered nothing
    "POST /shifts/slots/{slot_id}/signup": BLOCKED,  # Xena: 12 h planned that day, 10 h a day
    "POST /shifts/signups/{signup_id}/accept": BLOCKED,  # Zoe's evening to Xena: the same
    "POST /shifts/signups/{signup_id}/release": 200,  # giving a shift back is always allowed
    "POST /shifts/slots/{slot_id}/cancel": 200,  # a slot off the calendar gives no work
    "POST /hub/rounds/{round_id}/orders": None,
    "POST /hub/rounds/{round_id}/release": None,
}


def _changes_work(name: str) -> bool:
    method, path = name.split(" ", 1)
    return method == "POST" and path.endswith(WORK)


def test_every_operation_that_changes_work_has_a_row():
    work = sorted(n for n, _ in OPERATIONS if _changes_work(n))
    missing = [n for n in work if n not in RULES]
    assert work and not missing, "\n".join(f"no rule expectation for {m}" for m in missing)
    assert sorted(RULES) == work  # and no row for an operation that is gone


@pytest.fixture
def world(make_merchant, make_courier, make_job, dispatcher):
    shop = make_merchant()
    yann = make_courier("Yann", vehicle="cargo_bike")
    heavy = make_job(shop, weight_kg=70)
    ride = dispatcher.post(f"/jobs/{heavy['id']}/assign",
                           json={"courier_id": yann.user.courier.id, "reason": "cargo"}).json
    assert yann.post(f"/runs/{ride['id']}/accept").status_code == 200
    xena = make_courier("Xena", vehicle="bike", lat=45.7605, lon=4.8357)
    light = make_job(shop)
    offer = dispatcher.post("/dispatch").json["runs"]
    (offer,) = [r for r in offer if r["courier"]["id"] == xena.user.courier.id]
    assert xena.post("/courier/break", json={"on": True}).status_code == 200
    waiting = make_job(shop, dlat=0.003)
    return {"shop": shop, "yann": yann, "xena": xena, "dispatcher": dispatcher,
            "heavy": heavy["id"], "ride": ride["id"], "light": light["id"],
            "offer": offer["id"], "waiting": waiting["id"],
            **_shifts(dispatcher, xena, make_courier("Zoe", on_shift=False))}


def _shifts(dispatcher, xena, zoe):
    """In two days, Xena rides 6:00 to 12:00; Zoe 13:00 to 19:00 and offers it to Xena."""
    day = (utcnow() + timedelta(days=2)).replace(hour=5, minute=0, second=0, microsecond=0)
    slots = [dispatcher.post("/shifts/slots", json={
        "starts_at": (day + timedelta(hours=h)).isoformat(),
        "ends_at": (day + timedelta(hours=h + 6)).isoformat(),
        "vehicle": "bike", "riders": 2}).json["id"] for h in (0, 7)]
    mine = xena.post(f"/shifts/slots/{slots[0]}/signup").json["signup_id"]
    hers = zoe.post(f"/shifts/slots/{slots[1]}/signup").json["signup_id"]
    assert zoe.post(f"/shifts/signups/{hers}/offer",
                    json={"courier_id": xena.user.courier.id}).status_code == 200
    return {"slots": slots, "mine": mine, "hers": hers}


def _call(name: str, w: dict):
    d, x, y, s = w["dispatcher"], w["xena"], w["yann"], w["shop"]
    xid = x.user.courier.id
    calls = {
        "POST /jobs/{job_id}/assign": lambda: d.post(
            f"/jobs/{w['waiting']}/assign", json={"courier_id": xid, "reason": "near"}),
        "POST /runs/{run_id}/reassign": lambda: d.post(
            f"/runs/{w['ride']}/reassign", json={"courier_id": xid, "reason": "swap"}),
        "POST /runs/{run_id}/accept": lambda: x.post(f"/runs/{w['offer']}/accept"),
        "POST /runs/{run_id}/decline": lambda: x.post(f"/runs/{w['offer']}/decline"),
        "POST /courier/shift": lambda: x.post("/courier/shift", json={"online": False}),
        "POST /courier/break": lambda: x.post("/courier/break", json={"on": False}),
        "POST /jobs/{job_id}/cancel": lambda: s.post(f"/jobs/{w['light']}/cancel"),
        "POST /jobs/{job_id}/picked-up": lambda: y.post(f"/jobs/{w['heavy']}/picked-up"),
        "POST /jobs/{job_id}/delivered": lambda: (y.post(f"/jobs/{w['heavy']}/picked-up"),
                                                  y.post(f"/jobs/{w['heavy']}/delivered"))[1],
        "POST /jobs/{job_id}/failed": lambda: y.post(f"/jobs/{w['heavy']}/failed",
                                                     json={"reason": "closed"}),
        "POST /jobs/{job_id}/returned": lambda: (
            y.post(f"/jobs/{w['heavy']}/picked-up"),
            y.post(f"/jobs/{w['heavy']}/failed", json={"reason": "closed"}),
            y.post(f"/jobs/{w['heavy']}/returned"))[2],
        "POST /jobs/{job_id}/release": lambda: y.post(f"/jobs/{w['heavy']}/release",
                                                      json={"reason": "too heavy"}),
        "POST /dispatch": lambda: d.post("/dispatch"),
        "POST /shifts/slots/{slot_id}/signup": lambda: x.post(
            f"/shifts/slots/{w['slots'][1]}/signup"),
        "POST /shifts/signups/{signup_id}/accept": lambda: x.post(
            f"/shifts/signups/{w['hers']}/accept"),
        "POST /shifts/signups/{signup_id}/release": lambda: x.post(
            f"/shifts/signups/{w['mine']}/release"),
        "POST /shifts/slots/{slot_id}/cancel": lambda: d.post(
            f"/shifts/slots/{w['slots'][0]}/cancel"),
    }
    return calls[name]()


@pytest.mark.parametrize("name", [n for n, v in RULES.items() if v is not None])
def test_each_operation_keeps_the_rules(name, world):
    r = _call(name, world)
    assert r.status_code == RULES[name], (name, r.status_code, r.json)
    if RULES[name] == BLOCKED:
        assert r.json["fields"]["rules_version"] == 1
        assert r.json["fields"]["rules"], r.json  # the rule is named, with its figures
        assert r.json["fields"]["breaches"][0]["figures"], r.json
    if name == "POST /dispatch":
        xid = world["xena"].user.courier.id
        assert all(run["courier"]["id"] != xid for run in r.json["runs"])

"""The recipient's phone number reaches a courier only once they have accepted the job:
an offer they may still decline carries the name and the door, not the number."""

from tests.conftest import job_body

PHONE = "0611223344"


def _received(sock, name):
    return [m["args"][0] for m in sock.get_received() if m["name"] == name]


def _dropoff(run):
    return next(s for s in run["stops"] if s["kind"] == "dropoff")


def test_phone_hidden_in_the_offer_and_shown_once_accepted(app, make_merchant, make_courier,
                                                           dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    job = shop.post("/jobs", json=job_body(recipient={"name": "Rita", "phone": PHONE})).json
    sock = ana.socket(app)
    sock.get_received()
    dispatcher.post("/dispatch")

    (offer,) = _received(sock, "run.offered")
    assert _dropoff(offer)["recipient"] == {"name": "Rita", "phone": ""}
    assert _dropoff(offer)["address"] == "Rue X"  # the door is known: the courier plans
    listed = ana.get("/courier/runs").json["runs"][0]
    assert _dropoff(listed)["recipient"]["phone"] == ""
    as_job = ana.get(f"/jobs/{job['id']}")
    assert as_job.status_code == 200 and as_job.json["recipient"]["phone"] == ""
    assert shop.get(f"/jobs/{job['id']}").json["recipient"]["phone"] == PHONE  # the shop's own

    assert ana.post(f"/runs/{offer['id']}/accept").status_code == 200
    (updated,) = _received(sock, "run.updated")
    assert _dropoff(updated)["recipient"] == {"name": "Rita", "phone": PHONE}
    assert _dropoff(ana.get("/courier/runs").json["runs"][0])["recipient"]["phone"] == PHONE
    assert ana.get(f"/jobs/{job['id']}").json["recipient"]["phone"] == PHONE


def test_declined_offer_never_carried_the_phone(app, make_merchant, make_courier, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    shop.post("/jobs", json=job_body(recipient={"name": "Rita", "phone": PHONE}))
    sock = ana.socket(app)
    sock.get_received()
    dispatcher.post("/dispatch")
    (offer,) = _received(sock, "run.offered")
    assert ana.post(f"/runs/{offer['id']}/decline", json={"reason": ""}).status_code == 200
    assert PHONE not in str(sock.get_received())

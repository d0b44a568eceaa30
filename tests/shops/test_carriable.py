"""A delivery no vehicle of the coop can carry is refused at submission (and in a quote),
naming the largest capacity, instead of being priced and left for dispatch to never plan."""

from courier.extensions import db
from courier.fairwork.models import RulesVersion
from courier.fairwork.versions import in_force
from courier.models import Job, utcnow
from tests.conftest import job_body


def test_a_job_over_every_vehicle_is_refused_naming_the_largest(make_merchant, make_courier):
    shop = make_merchant()
    make_courier(vehicle="bike")
    make_courier(vehicle="cargo_bike", on_shift=False)  # registered counts, not on shift
    r = shop.post("/jobs", json=job_body(weight_kg=90))
    assert r.status_code == 422, r.json
    assert r.json["fields"]["weight_kg"] == (
        "more than any vehicle of the coop carries (largest 80 kg)")
    assert "80 kg" in r.json["error"]
    assert db.session.query(Job).count() == 0  # nothing taken, nothing priced
    quote = shop.post("/quotes", json=job_body(weight_kg=90))
    assert quote.status_code == 422 and "weight_kg" in quote.json["fields"]

    assert shop.post("/jobs", json=job_body(weight_kg=70)).status_code == 201  # the cargo bike's


def test_volume_is_checked_too_and_the_bikes_caps_apply(make_merchant, make_courier):
    shop = make_merchant()
    make_courier(vehicle="bike")
    r = shop.post("/jobs", json=job_body(weight_kg=16))
    assert r.status_code == 422
    assert r.json["fields"] == {"weight_kg": "more than any vehicle of the coop carries "
                                             "(largest 15 kg)"}
    r = shop.post("/jobs", json=job_body(weight_kg=2, volume_l=60))
    assert r.json["fields"] == {"volume_l": "more than any vehicle of the coop carries "
                                            "(largest 40 L)"}


def test_the_councils_blocking_cap_counts_below_the_vehicles_own(make_merchant,
                                                                 make_courier):
    shop = make_merchant()
    make_courier(vehicle="cargo_bike")
    version = in_force(utcnow())
    rules = {**version.rules, "load": {**version.rules["load"], "vehicle_caps": {
        "enforce": "block", "bike": {"kg": 15.0, "l": 40.0},
        "cargo_bike": {"kg": 50.0, "l": 250.0}}}}
    db.session.query(RulesVersion).filter_by(id=version.id).update({"rules": rules})
    db.session.commit()
    r = shop.post("/jobs", json=job_body(weight_kg=60))
    assert r.status_code == 422 and "largest 50 kg" in r.json["fields"]["weight_kg"]

    rules["load"]["vehicle_caps"]["enforce"] = "warn"  # only a warning: the bike's own 80 kg
    db.session.query(RulesVersion).filter_by(id=version.id).update({"rules": rules})
    db.session.commit()
    assert shop.post("/jobs", json=job_body(weight_kg=60)).status_code == 201


def test_a_multi_drop_delivery_is_judged_on_its_total(make_merchant, make_courier):
    shop = make_merchant()
    make_courier(vehicle="bike")
    body = job_body()
    del body["dropoff"], body["weight_kg"], body["volume_l"], body["recipient"]
    body["dropoffs"] = [{"lat": 45.77, "lon": 4.84, "weight_kg": 9},
                        {"lat": 45.78, "lon": 4.85, "weight_kg": 9}]
    r = shop.post("/jobs", json=body)
    assert r.status_code == 422 and "largest 15 kg" in r.json["fields"]["dropoffs"]


def test_a_coop_with_no_courier_yet_refuses_nothing(make_merchant):
    assert make_merchant().post("/jobs", json=job_body(weight_kg=90)).status_code == 201

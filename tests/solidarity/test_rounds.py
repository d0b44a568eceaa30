"""Food hubs' rounds: a collection round planned as one courier's run within the
capacities; recurring rounds made and released by themselves at the cut-off."""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from courier.extensions import db
from courier.models import Job, JobStatus, Run, StopKind
from courier.solidarity import rounds
from courier.solidarity.models import Round, RoundOrder, RoundStatus
from tests.conftest import LYON

HUB = (LYON[0] + 0.004, LYON[1] - 0.003)


def producers(hub, n=8, kg=15.0, radius=0.012):
    """``n`` producers in a ring around the hub (about 1 km away), ``kg`` each."""
    out = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = hub.post("/hub/producers", json={
            "name": f"Ferme {i + 1}", "lat": HUB[0] + radius * math.sin(a),
            "lon": HUB[1] + radius * 1.4 * math.cos(a), "address": f"{i + 1} chemin des Prés",
            "default_kg": kg, "default_l": 20})
        assert r.status_code == 201, r.json
        out.append(r.json)
    return out


def onboard_peak(run: Run) -> float:
    """The most the courier carries at once along the run, in kg."""
    load = peak = 0.0
    for stop in run.stops:
        load += stop.job.weight_kg if stop.kind == StopKind.PICKUP else -stop.job.weight_kg
        peak = max(peak, load)
    return peak


def test_collection_round_of_eight_producers_is_one_couriers_run_within_capacity(
        hub, make_courier, dispatcher):
    farms = producers(hub)
    make_courier("Cargo Carla", vehicle="cargo_bike", lat=HUB[0] + 0.001, lon=HUB[1])
    make_courier("Bike Basile", lat=HUB[0] - 0.002, lon=HUB[1])
    make_courier("Bike Bérénice", lat=HUB[0], lon=HUB[1] + 0.003)
    now = datetime.now(UTC)
    r = hub.post("/hub/rounds", json={
        "name": "Collecte du mardi", "kind": "collect", "producer_ids": [f["id"] for f in farms],
        "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=3)).isoformat(),
        "cutoff_at": now.isoformat()})
    assert r.status_code == 201, r.json
    assert r.json["order_count"] == 8 and r.json["weight_kg"] == 120  # over one cargo bike
    released = hub.post(f"/hub/rounds/{r.json['id']}/release")
    assert released.status_code == 200, released.json
    jobs = released.json["jobs"]
    assert len(jobs) == 8 and len({j["group_id"] for j in jobs}) == 1
    assert all(j["dropoff"]["lat"] == HUB[0] and j["price_cents"] is not None for j in jobs)

    cycle = dispatcher.post("/dispatch").json
    assert not cycle["unassigned"], cycle["unassigned"]
    ids = {j["id"] for j in jobs}
    carrying = [run for run in cycle["runs"] if {s["job_id"] for s in run["stops"]} & ids]
    assert len(carrying) == 1  # one courier collects the whole round
    run = db.session.get(Run, carrying[0]["id"])
    assert {s.job_id for s in run.stops} == ids and len(run.stops) == 16
    seen = set()
    for stop in run.stops:  # every producer is collected before its drop at the hub
        assert stop.kind == StopKind.PICKUP or stop.job_id in seen
        seen.add(stop.job_id)
    courier = run.courier
    assert onboard_peak(run) <= courier.capacity_kg + 1e-9  # capacities respected
    assert courier.capacity_kg < 120  # whoever rides it cannot carry it all at once...
    drops = [i for i, s in enumerate(run.stops) if s.kind == StopKind.DROPOFF]
    picks = [i for i, s in enumerate(run.stops) if s.kind == StopKind.PICKUP]
    assert drops[0] < picks[-1]  # ...so it unloads at the hub before the last producer


def test_a_weekly_schedule_makes_its_rounds_ahead_and_releases_them_at_the_cutoff(hub):
    farms = producers(hub, n=3, kg=6)
    r = hub.post("/hub/schedules", json={
        "name": "Collecte", "kind": "collect", "weekdays": [1, 4], "start": "09:00",
        "end": "11:30", "cutoff_hours": 18, "producer_ids": [f["id"] for f in farms]})
    assert r.status_code == 201, r.json
    db.session.execute(db.delete(RoundOrder))  # made at once for the real week: start afresh
    db.session.execute(db.delete(Round))
    db.session.commit()
    monday = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Lyon
    made = rounds.plan_ahead(monday)
    db.session.commit()
    starts = sorted(x.starts_at for x in made)
    # Tuesday and Friday 09:00 in Lyon (08:00 UTC in March), then next Monday is not one
    assert starts == [datetime(2026, 3, 3, 8, 0, tzinfo=UTC), datetime(2026, 3, 6, 8, 0,
                                                                      tzinfo=UTC)]
    tuesday = min(made, key=lambda x: x.starts_at)
    assert tuesday.cutoff_at == tuesday.starts_at - timedelta(hours=18)
    assert tuesday.ends_at - tuesday.starts_at == timedelta(hours=2, minutes=30)
    assert sorted(o.customer for o in tuesday.orders) == ["Ferme 1", "Ferme 2", "Ferme 3"]
    assert rounds.plan_ahead(monday) == []  # made once only

    assert rounds.release_due(tuesday.cutoff_at - timedelta(seconds=1)) == []
    released = rounds.release_due(tuesday.cutoff_at)
    db.session.commit()
    assert [x.id for x in released] == [tuesday.id]
    db.session.refresh(tuesday)
    assert tuesday.status == RoundStatus.RELEASED
    jobs = db.session.scalars(select(Job).where(Job.round_id == tuesday.id)).all()
    assert len(jobs) == 3 and {j.status for j in jobs} == {JobStatus.PENDING}
    assert {j.ready_at for j in jobs} == {tuesday.starts_at}
    assert len({j.group_id for j in jobs}) == 1 and all(o.job_id for o in tuesday.orders)
    assert rounds.release_due(tuesday.cutoff_at + timedelta(hours=1)) == []  # not twice


def test_a_round_past_its_end_is_cancelled_not_released(hub):
    producers(hub, n=1)
    past = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    rnd = Round(hub_id=hub.user.merchant.id, kind="collect", starts_at=past,
                ends_at=past + timedelta(hours=1), cutoff_at=past - timedelta(hours=1))
    db.session.add(rnd)
    db.session.commit()
    assert rounds.release_due(past + timedelta(hours=2)) == [rnd]
    assert rnd.status == RoundStatus.CANCELLED
    assert db.session.scalars(select(Job)).all() == []


def test_only_a_food_hub_has_producers_and_rounds(make_merchant, hub):
    shop = make_merchant()
    r = shop.post("/hub/producers", json={"name": "X", "lat": 45.7, "lon": 4.8})
    assert r.status_code == 403
    r = hub.post("/hub/rounds", json={"kind": "collect", "starts_at": "2030-01-01T08:00:00Z",
                                      "ends_at": "2030-01-01T10:00:00Z"})
    assert r.status_code == 422 and "producer_ids" in r.json["fields"]
    r = hub.post("/hub/schedules", json={"name": "S", "kind": "distribute", "weekdays": [7],
                                         "start": "9:00", "end": "10:00"})
    assert r.status_code == 422 and "weekdays.0" in str(r.json["fields"])
    r = hub.post("/hub/schedules", json={"name": "S", "kind": "distribute", "weekdays": [1],
                                         "start": "10:00", "end": "09:00"})
    assert r.status_code == 422 and "end" in r.json["fields"]


def test_the_dispatch_loop_makes_and_releases_rounds_by_itself(app, hub):
    from courier.dispatch import scheduler

    ids = [p["id"] for p in producers(hub, n=2)]
    now = datetime.now(UTC)
    r = hub.post("/hub/schedules", json={
        "name": "Tous les jours", "kind": "collect", "weekdays": list(range(7)),
        "start": "23:00", "end": "23:59", "cutoff_hours": 0, "producer_ids": ids})
    assert r.status_code == 201
    db.session.execute(db.delete(RoundOrder))  # made with the schedule: forget them
    db.session.execute(db.delete(Round))
    db.session.commit()
    due = hub.post("/hub/rounds", json={
        "kind": "collect", "producer_ids": ids, "starts_at": (now + timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        "cutoff_at": (now - timedelta(seconds=1)).isoformat()}).json
    scheduler.tick(app, last_cycle=0.0, now=1.0)  # no dispatch cycle due; rounds are
    db.session.expire_all()
    assert db.session.get(Round, due["id"]).status == RoundStatus.RELEASED
    assert len(db.session.scalars(select(Job).where(Job.round_id == due["id"])).all()) == 2
    made = db.session.scalars(select(Round).where(Round.schedule_id == r.json["id"])).all()
    assert len(made) >= 6  # the coming week's, made again by the loop

"""The cycle's facts, worked out for all couriers at once (courier.dispatch.facts.table),
say of every pair exactly what the one-pair reading (facts.fit) says."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from courier.dispatch import facts
from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle


def _situation(seed: int):
    rng = random.Random(seed)
    places = 12
    d = [[0 if a == b else rng.randrange(60, 1500) for b in range(places)]
         for a in range(places)]
    couriers, vehicles = [], []
    for i in range(rng.randrange(1, 9)):
        kg, litres = rng.choice([(15, 40), (80, 250)])
        couriers.append(SimpleNamespace(id=100 + i, capacity_kg=kg, capacity_l=litres,
                                        volunteer=rng.random() < 0.2))
        start = rng.randrange(0, 1200)
        vehicles.append(Vehicle(
            100 + i, rng.randrange(places),
            time_window=TimeWindow(start, start + rng.randrange(600, 7200))
            if rng.random() < 0.5 else TimeWindow(start),
            capacity=(round(min(kg, rng.choice([kg, 10])) * 1000), round(litres * 1000)),
            max_working_time=rng.choice([None, 1800, 3600]),
            max_stops=rng.choice([None, None, 1, 8]),
            speed_factor=rng.choice([1.0, 1.0, 1.25, 1.1])))
    jobs, shipments, refused = [], [], {}
    for k in range(rng.randrange(1, 12)):
        kg = rng.choice([1.5, 4.0, 12.0, 18.0, 30.0])
        litres = rng.choice([3.0, 20.0, 45.0])
        ready = rng.randrange(0, 1800)
        window = TimeWindow(ready, ready + rng.randrange(300, 5400))
        allowed = None
        if rng.random() < 0.3:
            allowed = frozenset(v.id for v in vehicles if rng.random() < 0.5)
            refused[k] = {c.id: "declined" for c in couriers
                          if c.id not in allowed and rng.random() < 0.5}
        jobs.append(SimpleNamespace(id=k, weight_kg=kg, volume_l=litres,
                                    solidarity=rng.random() < 0.3))
        shipments.append(Shipment(k, Stop(rng.randrange(places), window, 180),
                                  Stop(rng.randrange(places), window, 120),
                                  (round(kg * 1000), round(litres * 1000)),
                                  allowed_vehicles=allowed))
    return Problem(shipments, vehicles, d, d), couriers, jobs, refused


@pytest.mark.parametrize("seed", range(40))
def test_the_table_says_of_every_pair_what_fit_says(seed):
    problem, couriers, jobs, refused = _situation(seed)
    only = {j.id for j in jobs if j.id % 3 != 1}
    table = facts.table(problem, couriers, jobs, refused, only)
    assert set(table) == only
    for si, job in enumerate(jobs):
        if job.id not in only:
            continue
        for vi, c in enumerate(couriers):
            one = facts.fit(problem, vi, si, c, job, refused.get(job.id, {}))
            assert table[job.id][c.id] == one, (job.id, c.id)
            assert all(type(v) in (int, float, str) for v in one.figures.values())
            assert all(type(v) in (int, float, str)
                       for v in table[job.id][c.id].figures.values())

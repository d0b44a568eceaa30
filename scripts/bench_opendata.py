"""How long the public open-data figures take over a year of work.

    .venv/bin/python scripts/bench_opendata.py sqlite:////tmp/od.sqlite
    .venv/bin/python scripts/bench_opendata.py postgresql://postgres@127.0.0.1/scratch_od

The database must be new and empty (it is filled here): 365 days of 15 runs of 3
delivered jobs each (a third of them solidarity work), then
``GET /api/v1/open-data/weekly.json?weeks=52`` is timed (the best of 5).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from courier import create_app, settings
from courier.accounts import create_user
from courier.extensions import db
from courier.models import Job, Run, RunStop


def fill(shop, courier, days: int = 365, runs_a_day: int = 15) -> tuple[int, int]:
    now, rnd = datetime.now(UTC), random.Random(1)
    jobs, runs, stops = [], [], []
    for d in range(days):
        for r in range(runs_a_day):
            at = now - timedelta(days=d, minutes=r * 30)
            run_id = len(runs) + 1
            runs.append(dict(id=run_id, courier_id=courier.id, status="done", created_at=at,
                             expires_at=at, accepted_at=at, ended_at=at, planned_start=at,
                             planned_end=at, distance_m=rnd.randint(2000, 9000), reason=""))
            for k in range(3):
                job_id = len(jobs) + 1
                jobs.append(dict(
                    id=job_id, merchant_id=shop.id, status="delivered", pickup_address="",
                    pickup_lat=45.76, pickup_lon=4.83, dropoff_address="", dropoff_lat=45.77,
                    dropoff_lon=4.84, ready_at=at, deliver_by=at, weight_kg=2.0, volume_l=1.0,
                    recipient_name="", recipient_phone="", notes="", solidarity=k == 0,
                    priority=0, created_at=at, updated_at=at, delivered_at=at, run_id=run_id,
                    courier_id=courier.id, tracking_token=f"t{job_id}"))
                for kind in ("pickup", "dropoff"):
                    stops.append(dict(id=len(stops) + 1, run_id=run_id, seq=len(stops),
                                      job_id=job_id, kind=kind, planned_arrival=at, lat=45.76,
                                      lon=4.83, done_at=at))
    db.session.execute(sa.insert(Run), runs)
    db.session.execute(sa.insert(Job), jobs)
    db.session.execute(sa.insert(RunStop), stops)
    db.session.commit()
    return len(jobs), len(runs)


def main(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 40, "DISPATCH_AUTORUN": False})
    with app.app_context():
        shop = create_user("merchant", "Shop", lat=45.76, lon=4.83).merchant
        courier = create_user("courier", "Ana", lat=45.76, lon=4.83).courier
        settings.put("open_data", True)
        db.session.commit()
        jobs, runs = fill(shop, courier)
        if db.engine.dialect.name == "postgresql":  # as autovacuum would have by then
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("ANALYZE"))
        client = app.test_client()
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            r = client.get("/api/v1/open-data/weekly.json?weeks=52")
            best = min(best, time.perf_counter() - t)
        assert r.status_code == 200 and len(r.json["weeks"]) == 52
        print(f"{db.engine.dialect.name}: {jobs} jobs, {runs} runs: "
              f"weekly.json?weeks=52 in {best * 1000:.0f} ms (best of 5)")
        db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])

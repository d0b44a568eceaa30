"""How long the dashboards' charts take over a week, a month and a year of work.

    .venv/bin/python scripts/bench_dashboard.py sqlite:////tmp/dash.sqlite
    .venv/bin/python scripts/bench_dashboard.py postgresql://postgres@127.0.0.1/scratch_dash

The database must be new and empty (it is filled here): 365 days of 8 couriers, each on
shift 6 hours a day and riding 2 runs of 3 delivered jobs (17,520 jobs, 5,840 runs, 5,840
shifts), for 2 shops. Then ``GET /api/v1/dashboard`` is timed as the council (every chart,
the members by name, the Gini week by week) and as a shop (its own jobs' charts) over the
last 7, 31 and 366 days (the best of 3).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from courier import create_app
from courier.accounts import create_user, issue_token
from courier.extensions import db
from courier.models import Event, Job, Run, RunStop

COURIERS, DAYS, RUNS, JOBS = 8, 365, 2, 3


def fill(shops, couriers) -> tuple[int, int]:
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    rnd = random.Random(1)
    jobs, runs, stops, events = [], [], [], []
    for d in range(DAYS):
        for c, courier in enumerate(couriers):
            on = start - timedelta(days=d + 1, minutes=c * 20)
            events += [dict(at=on, subject="courier", action="shift_started",
                            courier_id=courier.id, reason=""),
                       dict(at=on + timedelta(hours=6), subject="courier",
                            action="shift_ended", courier_id=courier.id, reason="")]
            for r in range(RUNS):
                at = on + timedelta(hours=1 + 2 * r)
                run_id = len(runs) + 1
                runs.append(dict(id=run_id, courier_id=courier.id, status="done", created_at=at,
                                 expires_at=at, accepted_at=at, ended_at=at + timedelta(hours=1),
                                 planned_start=at, planned_end=at + timedelta(hours=1),
                                 distance_m=rnd.randint(2000, 9000), reason=""))
                for k in range(JOBS):
                    job_id = len(jobs) + 1
                    done = at + timedelta(minutes=20 * (k + 1))
                    jobs.append(dict(
                        id=job_id, merchant_id=shops[k % 2].id, status="delivered",
                        pickup_address="", pickup_lat=45.76, pickup_lon=4.83,
                        dropoff_address="", dropoff_lat=45.77, dropoff_lon=4.84, ready_at=at,
                        deliver_by=at + timedelta(minutes=rnd.choice((45, 90))), weight_kg=2.0,
                        volume_l=1.0, recipient_name="", recipient_phone="", notes="",
                        solidarity=False, priority=0, created_at=at, updated_at=done,
                        delivered_at=done, run_id=run_id, courier_id=courier.id,
                        tracking_token=f"t{job_id}"))
                    for kind, t in (("pickup", at), ("dropoff", done)):
                        stops.append(dict(id=len(stops) + 1, run_id=run_id, seq=len(stops),
                                          job_id=job_id, kind=kind, planned_arrival=t,
                                          lat=45.76, lon=4.83, done_at=t))
    for table, rows in ((Run, runs), (Job, jobs), (RunStop, stops), (Event, events)):
        db.session.execute(sa.insert(table), rows)
    db.session.commit()
    return len(jobs), len(runs)


def best_of(client, headers, query: str, n: int = 3) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(f"/api/v1/dashboard?{query}", headers=headers)
        best = min(best, time.perf_counter() - t)
        assert r.status_code == 200, r.json
    return best


def main(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 40, "DISPATCH_AUTORUN": False})
    with app.app_context():
        shops = [create_user("merchant", f"Shop {i}", lat=45.76, lon=4.83) for i in (1, 2)]
        couriers = [create_user("courier", f"Courier {i}", lat=45.76, lon=4.83).courier
                    for i in range(COURIERS)]
        council = create_user("council", "Council")
        db.session.commit()
        jobs, runs = fill([s.merchant for s in shops], couriers)
        if db.engine.dialect.name == "postgresql":  # as autovacuum would have by then
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("ANALYZE"))
        tokens = {"council": issue_token(council), "shop": issue_token(shops[0])}
        db.session.commit()
        client = app.test_client()
        today = datetime.now(UTC).date()
        print(f"{db.engine.dialect.name}: {jobs} jobs, {runs} runs, {COURIERS} couriers")
        for days in (7, 31, 366):
            q = f"from={today - timedelta(days=days)}&to={today - timedelta(days=1)}"
            line = [f"{days:>3} days:"]
            for who, token in tokens.items():
                secs = best_of(client, {"Authorization": f"Bearer {token}"}, q)
                line.append(f"{who} {secs * 1000:.0f} ms")
            print(" ".join(line), "(best of 3)")
        db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])

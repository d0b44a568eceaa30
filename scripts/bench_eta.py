#!/usr/bin/env python3
"""What live ETAs cost, measured in one process on a scratch SQLite database: a city with
``--couriers`` couriers each riding an accepted run of ``--jobs-per-run`` jobs, then

- ``POST /api/v1/courier/position`` by a courier riding a run, when its ETAs are worked
  out again (the first position after ``ETA_REFRESH_S``) against the same request when
  they are not (the peer: a position within the interval), through the Flask test client;
- one ``eta.sweep`` working out every run's ETAs again (what the dispatch loop does once
  per ``ETA_REFRESH_S`` as time passes), against one dispatch cycle planning
  ``--pending`` open jobs over ``--free`` free couriers (the peer the sweep runs inside).

    .venv/bin/python scripts/bench_eta.py               # 80 couriers, 3 jobs each
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

LYON = (45.7640, 4.8357)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--couriers", type=int, default=80)
    ap.add_argument("--jobs-per-run", type=int, default=3)
    ap.add_argument("--pending", type=int, default=150)
    ap.add_argument("--free", type=int, default=40)
    ap.add_argument("--n", type=int, default=200, help="position requests measured each way")
    args = ap.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import event

    from courier import create_app
    from courier.accounts import create_user, issue_token
    from courier.dispatch import eta
    from courier.dispatch.cycle import run_cycle
    from courier.extensions import db
    from courier.models import Run, RunStatus

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'eta.sqlite'}",
                          "AUTO_MIGRATE": False, "DISPATCH_AUTORUN": False, "TESTING": True,
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "DISPATCH_TIME_LIMIT": 2.0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
        with app.app_context():
            upgrade()
            client = app.test_client()

            def user(role, i, **kw):
                u = create_user(role, f"{role} {i}", email=f"{role}{i}@bench.coop",
                                password="x", **kw)
                return {"Authorization": f"Bearer {issue_token(u)}"}

            def grid(i, step=0.004):
                return LYON[0] + (i % 10 - 5) * step, LYON[1] + (i // 10 - 5) * step

            shops = [user("merchant", i, lat=grid(i)[0], lon=grid(i)[1], address="x")
                     for i in range(20)]
            disp = user("dispatcher", 0)
            couriers = [user("courier", i, lat=grid(i)[0], lon=grid(i)[1], vehicle="bike")
                        for i in range(args.couriers + args.free)]
            db.session.commit()
            api = lambda h, path, **kw: client.post("/api/v1" + path, headers=h, **kw)  # noqa: E731

            def submit(n, minutes):
                now = datetime.now(UTC)
                for i in range(n):
                    lat, lon = grid(i * 7 + 3, 0.003)
                    assert api(shops[i % len(shops)], "/jobs", json={
                        "dropoff": {"lat": lat, "lon": lon}, "weight_kg": 1,
                        "ready_at": now.isoformat(),
                        "deliver_by": (now + timedelta(minutes=minutes)).isoformat()}
                    ).status_code == 201

            for i, h in enumerate(couriers[:args.couriers]):
                lat, lon = grid(i)
                api(h, "/courier/shift", json={"online": True, "lat": lat, "lon": lon})
            submit(args.couriers * args.jobs_per_run, 240)
            riders = {}  # courier's index -> their headers, once they ride a run
            for _ in range(5):  # offers to everyone, each accepted
                api(disp, "/dispatch")
                for i, h in enumerate(couriers[:args.couriers]):
                    for r in client.get("/api/v1/courier/runs", headers=h).json["runs"]:
                        if r["status"] == "offered":
                            api(h, f"/runs/{r['id']}/accept")
                            riders[i] = h
            ridden = db.session.scalar(db.select(db.func.count()).select_from(Run).where(
                Run.status == RunStatus.ACCEPTED))
            print(f"{ridden} runs ridden, "
                  f"{db.session.scalar(db.select(db.func.count(Run.id)))} runs in all")

            statements = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a: statements.append(1))

            def positions(refresh_s):
                app.config["ETA_REFRESH_S"] = refresh_s
                times = []
                statements.clear()
                for i in range(args.n):
                    k = list(riders)[i % len(riders)]
                    h, (lat, lon) = riders[k], grid(k)
                    t = time.perf_counter()
                    assert api(h, "/courier/position",
                               json={"lat": lat + 0.0005, "lon": lon}).status_code == 200
                    times.append(time.perf_counter() - t)
                return statistics.median(times) * 1000, len(statements) / args.n

            positions(0)  # warm up
            (quiet, q_sql), (worked, w_sql) = positions(3600), positions(0)
            print(f"position, ETAs not due: {quiet:.2f} ms, {q_sql:.1f} statements "
                  f"(median of {args.n})")
            print(f"position, ETAs worked out: {worked:.2f} ms, {w_sql:.1f} statements  "
                  f"ratio {worked / quiet:.2f}")

            later = datetime.now(UTC) + timedelta(hours=1)
            t = time.perf_counter()
            eta.sweep(later)
            sweep = time.perf_counter() - t
            db.session.commit()
            for i, h in enumerate(couriers[args.couriers:]):
                lat, lon = grid(i)
                api(h, "/courier/shift", json={"online": True, "lat": lat, "lon": lon})
            submit(args.pending, 240)
            app.config["ETA_REFRESH_S"] = 10**6  # the cycle's own sweep finds nothing due
            t = time.perf_counter()
            res = run_cycle()
            cycle = time.perf_counter() - t
            print(f"sweep of {ridden} ridden runs: {sweep * 1000:.0f} ms; dispatch cycle "
                  f"({res.stats.get('jobs')} open jobs, {res.stats.get('couriers')} free "
                  f"couriers): {cycle * 1000:.0f} ms  ratio {sweep / cycle:.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the safety rules cost a dispatch cycle, measured in one process on scratch SQLite
databases: the same city (``--couriers`` couriers on shift, a third of them on cargo bikes,
``--jobs`` pending jobs around Lyon) planned once under the template (every safety rule
off) and once with every safety rule blocking: 35 °C set by the council against a heat rule
(runs of 45 minutes, caps lowered by 20 %, a break every hour), km caps (bike 6 km, cargo
bike 5 km), a climbing cap (bike 120 m, cargo bike 60 m) on a made-up elevation model of
the city (a hill rising 40 m every 0.01° north), an e-cargo battery (30 km, 20 % kept).

Printed for each, in CPU time (the machine is shared: wall clock wanders with its load):
the whole cycle, and the parts the safety rules add: reading the world for them (weather,
batteries, the model) and assessing each courier, keeping each job from the couriers it is
out of reach of (before planning), cutting runs back (after).

    .venv/bin/python scripts/bench_safety.py [--couriers 120] [--jobs 300] [--time-limit 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

LYON = (45.7640, 4.8357)
SAFETY = {
    "heat": {"enforce": "block", "above_c": 30, "max_run_s": 45 * 60, "break_every_s": 3600,
             "break_s": 600, "caps_pct": 20},
    "distance": {"enforce": "block", "bike": {"km": 6}, "cargo_bike": {"km": 5}},
    "climb": {"enforce": "block", "bike": {"m": 120}, "cargo_bike": {"m": 60}},
    "battery": {"enforce": "block", "cargo_bike": {"range_km": 30}, "reserve_pct": 20},
}


def city(args, tmp: Path, safety: bool) -> dict:
    from flask_migrate import upgrade

    from courier import create_app, settings
    from courier.accounts import create_user
    from courier.dispatch import conditions, operations, reach, terrain
    from courier.dispatch.cycle import run_cycle
    from courier.extensions import db
    from courier.fairwork import versions
    from courier.models import utcnow
    from courier.shops import submit

    dem = tmp / "hill.asc"
    rows = [" ".join(str(170 + 40 * r) for _ in range(41)) for r in range(40, -1, -1)]
    dem.write_text(f"ncols 41\nnrows 41\nxllcenter {LYON[1] - 0.2}\nyllcenter {LYON[0] - 0.2}\n"
                   "cellsize 0.01\n" + "\n".join(rows) + "\n")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'safety.sqlite'}", "TESTING": True,
                      "AUTO_MIGRATE": False, "DISPATCH_AUTORUN": False, "SECRET_KEY": "bench",
                      "DISPATCH_TIME_LIMIT": args.time_limit, "WEATHER_PROVIDER": "none",
                      "ELEVATION_DEM": str(dem), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    spent: dict[str, float] = {"world": 0.0, "assess": 0.0, "exclude": 0.0, "trim": 0.0}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.process_time()  # CPU: the machine is shared, wall clock wanders
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.process_time() - t
        return wrapper

    def assessor(*a, **kw):
        return timed("assess", timed("world", terrain_assessor)(*a, **kw))

    terrain_assessor, exclude, trim = terrain.assessor, reach.exclude, reach.trim
    terrain.assessor, reach.exclude, reach.trim = (
        assessor, timed("exclude", exclude), timed("trim", trim))
    with app.app_context():
        upgrade()
        council = create_user("council", "Council", email="c@bench.coop")
        shops = [create_user("merchant", f"Shop {i}", lat=LYON[0] + (i % 5 - 2) * 0.006,
                             lon=LYON[1] + (i // 5 - 2) * 0.006, address="x") for i in range(20)]
        couriers = [create_user("courier", f"Courier {i}", lat=LYON[0] + (i % 12 - 6) * 0.004,
                                lon=LYON[1] + (i // 12 - 5) * 0.004,
                                vehicle="cargo_bike" if i % 3 == 0 else "bike")
                    for i in range(args.couriers)]
        db.session.commit()
        now = utcnow()
        for u in couriers:
            operations.set_shift(u, True, lat=u.courier.lat, lon=u.courier.lon, now=now)
        for i in range(args.jobs):
            shop = shops[i % len(shops)]
            submit.submit_job(shop, {
                "dropoff": {"lat": LYON[0] + ((i * 37) % 41 - 20) * 0.0015,
                            "lon": LYON[1] + ((i * 53) % 41 - 20) * 0.0015},
                "weight_kg": 1 + (i % 7) * 2, "volume_l": 5, "ready_at": now,
                "deliver_by": now + timedelta(hours=2)}, now=now)
        if safety:
            versions.publish(council, {"safety": SAFETY}, "bench", now=now)
            settings.put("center", list(LYON))
            conditions.set_override(council, {"temperature_c": 35}, now + timedelta(hours=3),
                                    "bench", now=now)
        db.session.commit()
        t = time.process_time()
        result = run_cycle(now=datetime.now(UTC))
        cycle = time.process_time() - t
        jobs = sum(len({s.job_id for s in r.stops}) for r in result.runs)
    terrain.assessor, reach.exclude, reach.trim = terrain_assessor, exclude, trim
    return {"cycle": cycle, "runs": len(result.runs), "jobs": jobs, **spent}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--couriers", type=int, default=120)
    ap.add_argument("--jobs", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=2.0)
    args = ap.parse_args()
    for safety in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            r = city(args, Path(tmp), safety)
        print(f"{'safety rules blocking' if safety else 'template (safety off)':<22} "
              f"cycle {r['cycle'] * 1000:6.0f} ms CPU, {r['runs']} runs, {r['jobs']} jobs offered; "
              f"world read {r['world'] * 1000:.1f} ms, couriers assessed "
              f"{r['assess'] * 1000:.1f} ms, out of reach "
              f"{r['exclude'] * 1000:.1f} ms, cut back {r['trim'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()

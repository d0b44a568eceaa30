"""Quotes benchmark: 1,000 quotes against 50 service zones and 30 pricing rules.

Each quote is what ``POST /api/v1/quotes`` does (``courier.shops.intake.quote``):
read the zones' stamp and the rules version in force from the database, check
the stops against the zones (STRtree of prepared polygons), compute the ride's
street distance estimate, evaluate every rule (``sum`` strategy: all 30 are
looked at) and build the breakdown. Run on a throw-away SQLite database:

    .venv/bin/python scripts/bench_quotes.py [--quotes 1000] [--http]

``--http`` also times the same quotes through the Flask test client (routing,
token check, JSON in and out). Prefix with ``taskset -c 0`` to pin one core.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

LYON = (45.7640, 4.8357)


def circle(lon: float, lat: float, radius_deg: float, n: int = 48) -> dict:
    ring = [[lon + radius_deg * 1.4 * math.cos(2 * math.pi * i / n),
             lat + radius_deg * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def zones(n: int = 50) -> list[dict]:
    """A 7 x 7 grid of overlapping districts over Lyon, plus one big service area."""
    out = [{"name": "service area", "geometry": circle(LYON[1], LYON[0], 0.12, 96)}]
    for i in range(n - 1):
        row, col = divmod(i, 7)
        out.append({"name": f"district {i + 1}", "geometry": circle(
            LYON[1] - 0.09 + col * 0.03, LYON[0] - 0.06 + row * 0.02, 0.014)})
    return out


def rules(n: int = 30) -> dict:
    """30 rules over every kind of condition; the sum strategy evaluates them all."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    out = [{"name": "base", "price": {"fixed_cents": 400, "per_km_cents": 80, "above_km": 2}}]
    for i in range(1, n):
        kind = i % 6
        when = [{"distance_km": {"min": i % 5, "max": i % 5 + 3}},
                {"weight_kg": {"min": i % 8}},
                {"pickup_zone": {"in": [f"district {i}", f"district {i + 7}"]}},
                {"dropoff_zone": {"not_in": [f"district {i}"]}},
                {"days": days[i % 7:i % 7 + 2] or ["sun"], "time": {"from": "18:00",
                                                                    "to": "08:00"}},
                {"urgency_minutes": {"max": 30 + i}}][kind]
        price = {"percent": 5 + i} if kind == 5 else {"fixed_cents": 10 * i}
        out.append({"name": f"rule {i}", "when": when, "price": price})
    return {"strategy": "sum", "minimum_cents": 500, "rules": out}


def bodies(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = []
    for _ in range(n):
        ready = now + timedelta(minutes=rng.randrange(0, 600))
        out.append({"dropoff": {"lat": LYON[0] + rng.uniform(-0.05, 0.05),
                                "lon": LYON[1] + rng.uniform(-0.07, 0.07), "address": ""},
                    "weight_kg": round(rng.uniform(0, 20), 1), "volume_l": 10.0,
                    "ready_at": ready,
                    "deliver_by": ready + timedelta(minutes=rng.choice([30, 60, 120]))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quotes", type=int, default=1000)
    parser.add_argument("--http", action="store_true")
    opts = parser.parse_args()

    from courier import create_app
    from courier.accounts import create_user, issue_token
    from courier.extensions import db
    from courier.shops import pricing
    from courier.shops import zones as zone_ops
    from courier.shops.intake import quote

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "DISPATCH_AUTORUN": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
        with app.app_context():
            council = create_user("council", "Bench Council")
            shop = create_user("merchant", "Bench Shop", lat=LYON[0], lon=LYON[1])
            token = issue_token(shop)
            for z in zones():
                zone_ops.create_zone(None, z)
            pricing.publish(council, rules(), "benchmark rules")
            db.session.commit()
            work = bodies(opts.quotes)
            quote(shop, work[0])  # build the index and compile the rules once
            times = []
            started, cpu = time.perf_counter(), time.process_time()
            for body in work:
                t = time.perf_counter()
                q = quote(shop, body)
                times.append(time.perf_counter() - t)
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert q.price.cents > 0 and len(q.price.lines) > 1
            print(f"{opts.quotes} quotes, 50 zones, 30 rules (sum): {total:.3f} s wall, "
                  f"{cpu:.3f} s CPU ({cpu / opts.quotes * 1e6:.0f} µs CPU per quote; median "
                  f"{statistics.median(times) * 1e6:.0f} µs, p99 "
                  f"{sorted(times)[int(len(times) * 0.99)] * 1e6:.0f} µs wall)")
            if opts.http:
                client = app.test_client()
                headers = {"Authorization": f"Bearer {token}"}
                payloads = [{**b, "ready_at": b["ready_at"].isoformat(),
                             "deliver_by": b["deliver_by"].isoformat()} for b in work]
                started = time.perf_counter()
                for body in payloads:
                    r = client.post("/api/v1/quotes", json=body, headers=headers)
                    assert r.status_code == 200, r.json
                total = time.perf_counter() - started
                print(f"{opts.quotes} quotes through POST /api/v1/quotes: {total:.3f} s "
                      f"({total / opts.quotes * 1e6:.0f} µs per quote)")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()

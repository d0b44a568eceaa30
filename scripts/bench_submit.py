#!/usr/bin/env python3
"""What one job submission costs the web process, measured in one process and one thread:
``POST /api/v1/jobs`` through the Flask test client against PostgreSQL, with the Redis
message queue, as the production web processes run it (no HTTP server, no other threads).

    .venv/bin/python scripts/bench_submit.py                 # CPU ms and statements
    .venv/bin/python scripts/bench_submit.py --calls         # and Python calls (cProfile)
    .venv/bin/python scripts/bench_submit.py --session       # from a logged-in page instead

A token (the default) is how shop software submits; ``--session`` submits as the shop's own
page does, with its session cookie and CSRF token (the path a logout must close).

CPU time moves with whatever else the machine does; instruction counts do not. For those,
run it twice under callgrind and divide the difference by the submissions of the second:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python \\
        scripts/bench_submit.py --n 0      # then --n 150

Needs PostgreSQL (``--pg``; a scratch database is created and dropped) and Redis (``--redis``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_load  # noqa: E402 - the same scratch database, shops and app settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--n", type=int, default=600, help="submissions measured")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--calls", action="store_true", help="count Python calls with cProfile")
    ap.add_argument("--session", action="store_true",
                    help="submit with a logged-in page's session cookie, not a token")
    args = ap.parse_args()

    from sqlalchemy import event

    from courier.extensions import db

    os.environ.update(COURIER_SOCKETIO_MESSAGE_QUEUE=args.redis,
                      COURIER_SOCKETIO_CHANNEL=f"courier-submit-{uuid.uuid4().hex[:8]}")
    with bench_load.scratch_database(args.pg, "courier_submit") as url:
        tokens, _ = bench_load.setup(url, 10, 0)
        app = bench_load.bench_app(url)
        client = app.test_client()
        statements = []
        who = log_in(app, client) if args.session else None

        def post(i: int) -> None:
            auth = who or {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
            r = client.post("/api/v1/jobs", data=bench_load.job_body(i), headers={
                **auth, "Content-Type": "application/json", "Idempotency-Key": f"s{i}"})
            if r.status_code != 201:
                raise SystemExit(f"submission {i}: {r.status_code} {r.get_data(as_text=True)}")

        for i in range(args.warmup):
            post(i)
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute",
                     lambda *a: statements.append(a[2].split(None, 1)[0]))
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(args.warmup, args.warmup + args.n):
            post(i)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = max(1, args.n)
        kind = " from a page's session" if args.session else ""
        print(f"{args.n} submissions{kind}: {1000 * cpu / n:.2f} ms CPU and "
              f"{1000 * wall / n:.2f} ms each, {len(statements) / n:.1f} SQL statements each "
              "(plus the commit)")
        if args.calls and args.n:
            profile = cProfile.Profile()
            profile.runcall(lambda: [post(i) for i in range(10**6, 10**6 + args.n)])
            print(f"{pstats.Stats(profile).total_calls / args.n:.0f} Python calls each")
        engine.dispose()


def log_in(app, client) -> dict:
    """Log the first shop in through the login page, as a person would; the headers its
    page then sends with each call (the session cookie stays in ``client``)."""
    import re

    from courier.accounts import hash_password
    from courier.extensions import db
    from courier.models import User

    with app.app_context():
        shop = db.session.query(User).filter_by(email="s0@bench").one()
        shop.password_hash = hash_password("bench")
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": "s0@bench", "password": "bench", "csrf_token": csrf})
    if r.status_code != 302:
        raise SystemExit(f"login: {r.status_code}")
    return {"X-CSRFToken": csrf}


if __name__ == "__main__":
    main()

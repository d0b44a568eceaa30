#!/usr/bin/env python3
"""Load benchmark of the production setup: gunicorn web processes on PostgreSQL, Redis
between them, and a dispatch worker, all on this machine.

1. Job submissions: an open-loop load of ``--rate`` POST /api/v1/jobs per second for
   ``--seconds`` (after a warm-up), spread over the web processes and several shops.
   Latency is measured from when each request was due, so a server that falls behind
   shows it. Reports submissions per second achieved, p50/p99, errors.
2. Offers: ``--couriers`` Socket.IO clients (websocket) connected across the web processes;
   each round, one transaction offers a run to every one of them (as a dispatch cycle
   does, from this process standing in for the worker), then commits; the latency is from
   just before the commit to the arrival at each client. Reports p50/p99.
3. Memory (RSS) of each process.

    .venv/bin/python scripts/bench_load.py                    # defaults: the targets' load
    .venv/bin/python scripts/bench_load.py --rate 400 --seconds 30 --json

Needs PostgreSQL (``--pg``, a server where it may create and drop a scratch database) and
Redis (``--redis``). Touches nothing else; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LYON = (45.7640, 4.8357)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``, 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(groups: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(cpu_s(p) for p in pids) for name, pids in groups.items()}


def named(name: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


class Processes:
    """The web processes and the worker, started like deploy/ starts them."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.procs = env, logs, []

    def start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"web process on {port} did not start")


def job_body(i: int) -> bytes:
    now = datetime.now(UTC)
    return json.dumps({
        "dropoff": {"lat": LYON[0] + (i % 97) * 0.0003, "lon": LYON[1] + (i % 89) * 0.0003,
                    "address": f"{i} rue de la Charge"},
        "weight_kg": 2, "volume_l": 5, "recipient": {"name": "Rita", "phone": "0600000000"},
        "deliver_by": (now + timedelta(hours=2)).isoformat()}).encode()


class Client:
    """A keep-alive HTTP/1.1 connection that sends prepared requests and reads just the
    status and the body (http.client parses every header with the email package: on a
    machine the server shares, the load generator's own CPU is taken from the server)."""

    def __init__(self, port: int):
        self.port, self.sock, self.buf = port, None, b""

    def post(self, path: str, body: bytes, headers: dict) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.buf = b""
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        top, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = top.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next((int(line.split(b":", 1)[1]) for line in lines[1:]
                       if line[:15].lower() == b"content-length:"), 0)
        while len(self.buf) < length:
            self.buf += self._recv()
        self.buf = self.buf[length:]
        if any(line.lower() == b"connection: close" for line in lines[1:]):
            self.close()
        return status

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def submissions(ports: list[int], tokens: list[str], rate: float, seconds: float,
                warmup: float, senders: int) -> dict:
    """Open-loop POST /api/v1/jobs at ``rate`` per second; latency from the due time."""
    total = int(rate * (seconds + warmup))
    start = time.monotonic() + 0.5
    counter = itertools.count()
    lock = threading.Lock()
    lat, errors, done_at = [], [], []
    acknowledged = [0]  # 201 answers, warm-up included

    def sender(n: int) -> None:
        client = Client(ports[n % len(ports)])
        while True:
            i = next(counter)
            if i >= total:
                client.close()
                return
            due = start + i / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}",
                       "Content-Type": "application/json", "Idempotency-Key": f"b{i}"}
            try:
                status = client.post("/api/v1/jobs", job_body(i), headers)
            except (OSError, ValueError, IndexError) as err:
                status = str(err) or type(err).__name__
                client.close()
            end = time.monotonic()
            with lock:
                acknowledged[0] += status == 201
                if due >= start + warmup:
                    lat.append(end - due)
                    done_at.append(end)
                    if status != 201:
                        errors.append(status)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    span = max(done_at) - (start + warmup) if done_at else 1
    return {"requested_rate": rate, "seconds": seconds, "completed": len(lat),
            "acknowledged": acknowledged[0],
            "achieved_per_s": round(len(lat) / span, 1), "errors": len(errors),
            "error_sample": errors[:5], "p50_ms": round(pct(lat, 50) * 1000, 1),
            "p99_ms": round(pct(lat, 99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1)}


def courier_clients(members: list[tuple[int, str, int]], conn) -> None:
    """In a process of its own: connect these couriers ``(courier_id, token, port)`` and
    note when each offer arrives; on each request, hand over (and forget) the arrivals."""
    import socketio as sio

    arrivals: dict = {}
    connected = threading.Semaphore(0)
    clients = []
    for courier_id, token, port in members:
        client = sio.Client(reconnection=False)
        client.on("hello", lambda data: connected.release())
        client.on("run.offered", lambda run, cid=courier_id: arrivals.setdefault(
            (cid, run["id"]), time.monotonic()))
        client.connect(f"http://127.0.0.1:{port}", auth={"token": token},
                       transports=["websocket"], wait_timeout=20)
        clients.append(client)
    ok = all(connected.acquire(timeout=30) for _ in clients)
    conn.send(ok)
    while conn.recv() is not None:
        conn.send(dict(arrivals))
        arrivals.clear()
    for client in clients:
        client.disconnect()


def offers(url: str, ports: list[int], couriers: list, rounds: int, client_procs: int) -> dict:
    """Connect every courier (from ``client_procs`` processes, so that 200 sockets do not
    queue behind one interpreter lock on the receiving side), then each round have another
    process (standing in for the dispatch worker) offer each of them a run in one commit;
    time the arrivals."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    members = [(courier_id, token, ports[n % len(ports)])
               for n, (_user, courier_id, token) in enumerate(couriers)]
    listeners = []
    for k in range(client_procs):
        here, there = ctx.Pipe()
        ctx.Process(target=courier_clients, args=(members[k::client_procs], there)).start()
        listeners.append(here)
    if not all(listener.recv() for listener in listeners):
        raise RuntimeError("not every courier got its hello")
    here, there = ctx.Pipe()
    emitter = ctx.Process(target=offer_rounds, args=(url, [c[1] for c in couriers], there))
    emitter.start()
    lat, commit_ms = [], []
    for r in range(rounds):
        here.send(r)
        t0, took, runs = here.recv()  # CLOCK_MONOTONIC is the same in every process
        commit_ms.append(took)
        arrivals: dict = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(k in arrivals for k in runs):
            time.sleep(0.2)
            for listener in listeners:
                listener.send(True)
                arrivals.update(listener.recv())
        lat += [arrivals[k] - t0 for k in runs if k in arrivals]
        missing = sum(1 for k in runs if k not in arrivals)
        if missing:
            print(f"round {r}: {missing} offers did not arrive in 10 s", file=sys.stderr)
        time.sleep(0.5)
    here.send(None)
    emitter.join(30)
    for listener in listeners:
        listener.send(None)
    expected = rounds * len(couriers)
    return {"couriers": len(couriers), "rounds": rounds, "client_processes": client_procs,
            "delivered": len(lat), "expected": expected,
            "p50_ms": round(pct(lat, 50) * 1000, 1),
            "p99_ms": round(pct(lat, 99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
            "commit_and_emit_ms": round(statistics.mean(commit_ms), 1)}


def offer_rounds(url: str, courier_ids: list[int], conn) -> None:
    """In a process of its own, like the worker: for each round asked, one new job per
    courier, offered to them in one transaction; reply (time before commit, commit ms,
    the (courier, run) pairs)."""
    from courier.dispatch import overrides
    from courier.extensions import db
    from courier.models import Courier, User
    from courier.shops import submit

    app = bench_app(url)
    with app.app_context():
        dispatcher = db.session.scalars(db.select(User).where(User.email == "d@bench")).one()
        shop = db.session.scalars(db.select(User).where(User.email == "s0@bench")).one()
        while (r := conn.recv()) is not None:
            jobs = [submit.submit_job(shop, {"dropoff": {"lat": LYON[0] + 0.01,
                                                             "lon": LYON[1] + 0.01 * (i % 7)}})[0]
                    for i in range(len(courier_ids))]
            db.session.commit()
            runs = []
            for job, courier_id in zip(jobs, courier_ids, strict=True):
                courier = db.session.get(Courier, courier_id)
                runs.append((courier_id, overrides.assign_job(dispatcher, job, courier,
                                                                f"bench round {r}").id))
            t0 = time.monotonic()
            db.session.commit()  # the offers go out right after this, through Redis
            conn.send((t0, (time.monotonic() - t0) * 1000, runs))
        db.engine.dispose()


def bench_app(url: str):
    from courier import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, "AUTO_MIGRATE": False,
                       "DISPATCH_AUTORUN": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SOCKETIO_MESSAGE_QUEUE": os.environ["COURIER_SOCKETIO_MESSAGE_QUEUE"],
                       "SOCKETIO_CHANNEL": os.environ["COURIER_SOCKETIO_CHANNEL"]})


def setup(url: str, shops: int, couriers: int):
    """Migrate the scratch database; make shops, on-shift couriers and a dispatcher."""
    from flask_migrate import upgrade

    from courier.accounts import create_user, issue_token
    from courier.extensions import db
    from courier.models import utcnow

    app = bench_app(url)
    with app.app_context():
        upgrade()
        shop_tokens, courier_rows = [], []
        for i in range(shops):
            u = create_user("merchant", f"Shop {i}", f"s{i}@bench", lat=LYON[0] + i * 0.002,
                            lon=LYON[1], address=f"{i} place Bellecour")
            shop_tokens.append(issue_token(u, "bench"))
        create_user("dispatcher", "Dana", "d@bench")
        for i in range(couriers):
            u = create_user("courier", f"Courier {i}", f"c{i}@bench",
                            lat=LYON[0] + (i % 20) * 0.001, lon=LYON[1] + (i // 20) * 0.001)
            u.courier.on_shift, u.courier.shift_started_at = True, utcnow()
            courier_rows.append((u, issue_token(u, "bench")))
        db.session.commit()
        courier_rows = [(u.id, u.courier.id, t) for u, t in courier_rows]
        db.engine.dispose()
    return shop_tokens, courier_rows


@contextlib.contextmanager
def scratch_database(pg: str, prefix: str):
    """A database of its own on the PostgreSQL server ``pg`` (a URL), dropped afterwards:
    yields its URL."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BENCH_SECRET = "bench-secret-" + "x" * 32


def measure(args, url: str) -> dict:
    """Start the processes on the database ``url``, run both phases, stop everything."""
    channel = f"courier-bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(COURIER_SOCKETIO_MESSAGE_QUEUE=args.redis, COURIER_SOCKETIO_CHANNEL=channel)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COURIER_ENV": "production",
           "COURIER_SECRET_KEY": BENCH_SECRET, "COURIER_DATABASE_URL": url,
           "COURIER_SOCKETIO_MESSAGE_QUEUE": args.redis, "COURIER_SOCKETIO_CHANNEL": channel,
           "COURIER_DISPATCH_AUTORUN": "false", "COURIER_AUTO_MIGRATE": "false",
           "COURIER_ACCESS_LOG": "", "COURIER_THREADS": str(args.threads),
           "COURIER_DISPATCH_INTERVAL": "3600"}
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / channel
    logs.mkdir(parents=True)
    procs = Processes(env, logs)
    result = {"machine": {"cores": os.cpu_count()}, "web_processes": args.web}
    try:
        shop_tokens, couriers = setup(url, args.shops, args.couriers)
        ports = [free_port() for _ in range(args.web)]
        webs = [procs.start(f"web-{p}", [sys.executable, "-m", "gunicorn", "-c",
                                         "deploy/gunicorn.conf.py", "wsgi:app"],
                            COURIER_BIND=f"127.0.0.1:{p}") for p in ports]
        worker = procs.start("worker", [sys.executable, "-m", "courier", "worker"])
        for p in ports:
            wait_http(p)
        acknowledged = 0
        for p in ports:  # open the pools' connections before counting PostgreSQL's CPU
            acknowledged += submissions([p], shop_tokens, 20, 0.5, 0, 4)["acknowledged"]
        groups = {"web processes": [c for w in webs for c in children(w.pid)],
                  "dispatch worker": [worker.pid], "load generator": [os.getpid()],
                  # the servers' own processes on this machine (PostgreSQL's backends
                  # are listed again after the run: the pools open more under load)
                  "postgresql": named("postgres"), "redis": named("redis-server")}
        before, t0 = cpu_of(groups), time.monotonic()
        result["submissions"] = submissions(ports, shop_tokens, args.rate, args.seconds,
                                            args.warmup, args.senders)
        wall = time.monotonic() - t0
        groups["postgresql"] = sorted(set(groups["postgresql"]) | set(named("postgres")))
        used = {k: v - before[k] for k, v in cpu_of(groups).items()}
        result["submissions"]["cpu_cores_busy"] = {k: round(v / wall, 2) for k, v in used.items()}
        result["submissions"]["cpu_ms_per_request"] = {
            k: round(v * 1000 / max(1, result["submissions"]["completed"]), 2)
            for k, v in used.items()}
        acknowledged += result["submissions"]["acknowledged"]
        result["submissions"]["stored"] = stored_jobs(url)
        result["submissions"]["acknowledged_total"] = acknowledged
        result["offers"] = offers(url, ports, couriers, args.rounds, args.client_procs)
        result["memory_mb"] = {
            **{f"web {i + 1} (gunicorn worker)": round(sum(rss_mb(c) for c in children(w.pid)),
                                                       1) for i, w in enumerate(webs)},
            **{f"web {i + 1} (gunicorn master)": round(rss_mb(w.pid), 1)
               for i, w in enumerate(webs)},
            "dispatch worker": round(rss_mb(worker.pid), 1)}
    finally:
        procs.stop()
    return result


def stored_jobs(url: str) -> int:
    """Jobs in the database (every 201 answer must be one, and nothing else)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM jobs")).scalar_one()
    finally:
        engine.dispose()


def verdict(result: dict) -> list[str]:
    """The issue's targets, met or not, in this run."""
    s, o = result["submissions"], result["offers"]
    sustained = s["achieved_per_s"] >= 0.99 * s["requested_rate"] and not s["errors"]
    return [
        f"submissions: {s['requested_rate']:g}/s sustained with p99 < 200 ms: "
        f"{'met' if sustained and s['p99_ms'] < 200 else 'NOT met'}"
        + ("" if s["requested_rate"] >= 300 else " (below the 300/s of the target)"),
        f"every acknowledged job stored, none more: "
        f"{'yes' if s['stored'] == s['acknowledged_total'] else 'NO'} "
        f"({s['acknowledged_total']} answered 201, {s['stored']} in the database)",
        f"offers to {o['couriers']} couriers with p99 < 250 ms: "
        f"{'met' if o['delivered'] == o['expected'] and o['p99_ms'] < 250 else 'NOT met'}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--web", type=int, default=2, help="web processes (gunicorn instances)")
    ap.add_argument("--threads", type=int, default=300, help="threads per web process")
    ap.add_argument("--rate", type=float, default=300, help="submissions per second")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--senders", type=int, default=48, help="client threads sending jobs")
    ap.add_argument("--shops", type=int, default=10)
    ap.add_argument("--couriers", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--client-procs", type=int, default=4,
                    help="processes holding the couriers' sockets")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with scratch_database(args.pg, "courier_bench") as url:
        result = measure(args, url)
    result["targets"] = verdict(result)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s, o = result["submissions"], result["offers"]
    print(f"submissions: {s['achieved_per_s']}/s for {s['requested_rate']}/s requested over "
          f"{s['seconds']} s, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms, "
          f"{s['errors']} errors {s['error_sample']}")
    print(f"  CPU ms per submission: {s['cpu_ms_per_request']} (cores busy: "
          f"{s['cpu_cores_busy']})")
    print(f"offers to {o['couriers']} couriers ({o['client_processes']} client processes) x "
          f"{o['rounds']} rounds: {o['delivered']}/"
          f"{o['expected']} delivered, p50 {o['p50_ms']} ms, p99 {o['p99_ms']} ms, "
          f"max {o['max_ms']} ms; commit and emit took {o['commit_and_emit_ms']} ms")
    for proc, mb in result["memory_mb"].items():
        print(f"memory {proc}: {mb} MB")
    for line in result["targets"]:
        print(f"target, {line}")


if __name__ == "__main__":
    main()

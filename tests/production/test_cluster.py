"""Several web processes and a dispatch worker, as deployed: offers cross processes."""

from __future__ import annotations

import threading

import requests
import socketio as sio

from tests.conftest import job_body
from tests.production.invariants import check_consistency


def listen(url: str, token: str, *names: str) -> tuple[sio.Client, dict]:
    """A real Socket.IO client over a websocket; ``got[name]`` lists what arrived."""
    client = sio.Client(reconnection=False)
    got = {n: [] for n in names}
    arrived = {n: threading.Event() for n in names}
    for n in names:
        def handler(data, n=n):
            got[n].append(data)
            arrived[n].set()
        client.on(n, handler)
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    got["_arrived"] = arrived
    return client, got


def test_offer_made_by_the_worker_reaches_a_courier_on_another_process(
        cluster, make_merchant, make_courier, dispatcher):
    a, b = cluster.web("web-a").start(), cluster.web("web-b").start()
    worker = cluster.worker().start()
    a.wait_ready(), b.wait_ready(), worker.wait_ready()
    shop, ana = make_merchant(), make_courier("Ana")
    ana_sock, ana_got = listen(a.url, ana.token, "run.offered")
    disp_sock, disp_got = listen(b.url, dispatcher.token, "run.offered", "job.updated")
    try:
        r = requests.post(b.url + "/api/v1/jobs", json=job_body(), headers=shop.headers,
                          timeout=10)
        assert r.status_code == 201, r.text
        assert ana_got["_arrived"]["run.offered"].wait(20), worker.log()
        assert disp_got["_arrived"]["run.offered"].wait(5)
    finally:
        ana_sock.disconnect()
        disp_sock.disconnect()
    (offer,) = ana_got["run.offered"]
    assert offer["courier"]["first_name"] == "Ana"
    assert {s["job_id"] for s in offer["stops"]} == {r.json()["id"]}
    assert disp_got["run.offered"][0]["id"] == offer["id"]
    assert r.json()["id"] in {j["id"] for j in disp_got["job.updated"]}
    assert check_consistency() == []


def test_processes_starting_at_once_on_a_fresh_database_migrate_it_once(pg_url, tmp_path):
    """AUTO_MIGRATE in several processes at once: one upgrades, the others wait and find
    the schema current (an advisory lock), instead of racing to create the same tables."""
    import subprocess
    import sys
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_URL, _pg_admin

    name = f"courier_test_mig_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin(PG_URL)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    env = {**cluster_env(), "COURIER_DATABASE_URL": url, "COURIER_AUTO_MIGRATE": "true"}
    go = tmp_path / "go"
    code = ("import os, time\nfrom courier import create_app\nimport courier.models\n"
            "print('ready', flush=True)\n"
            f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
            "create_app()\nprint('up')")
    try:
        procs = [subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(3)]
        for p in procs:  # all three imported and waiting at the start line
            assert p.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [p.communicate(timeout=120)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cluster_env() -> dict:
    import os

    from tests.production.cluster import ROOT

    return {**os.environ, "PYTHONPATH": str(ROOT), "COURIER_DISPATCH_AUTORUN": "false"}

"""SIGKILL in the middle of the work: no acknowledged job lost, nothing half-written,
and a courier who reconnects gets their current run back."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select, text

from courier.dispatch.cycle import _LOCK_KEY
from courier.extensions import db
from courier.models import Job, Run, RunStatus
from tests.conftest import job_body
from tests.production.invariants import check_consistency
from tests.production.test_cluster import listen


def submit_load(urls: list[str], shops: list, seconds: float, threads: int = 6) -> dict:
    """Submit jobs with Idempotency-Keys from ``threads`` threads for ``seconds``.

    Returns ``{key: (shop, body, status or None, job id or None)}``; a status of None is
    a request that got no answer (the process died under it).
    """
    outcomes: dict = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        session, i = requests.Session(), 0
        while time.monotonic() < stop_at:
            shop, url = shops[n % len(shops)], urls[(n + i) % len(urls)]
            key, body = f"t{n}-{i}", job_body(dlat=random.uniform(-0.02, 0.02))
            i += 1
            try:
                r = session.post(url + "/api/v1/jobs", json=body, timeout=10,
                                 headers={**shop.headers, "Idempotency-Key": key})
                result = (r.status_code, r.json().get("id") if r.status_code < 300 else None)
            except requests.RequestException:
                result = (None, None)
                session = requests.Session()
                time.sleep(0.05)
            with lock:
                outcomes[key] = (shop, body, *result)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(client, range(threads)))
    return outcomes


def retry_unanswered(url: str, outcomes: dict) -> None:
    """What a shop's software does after a timeout: send the same request again."""
    for key, (shop, body, status, _) in list(outcomes.items()):
        if status is None or status >= 500:
            r = requests.post(url + "/api/v1/jobs", json=body, timeout=10,
                              headers={**shop.headers, "Idempotency-Key": key})
            assert r.status_code in (200, 201), r.text
            outcomes[key] = (shop, body, r.status_code, r.json()["id"])


def assert_every_acknowledged_job_is_there_once(outcomes: dict) -> None:
    db.session.expire_all()
    stored = dict(db.session.execute(select(Job.idempotency_key, Job.id)).all())
    acked = {key: job_id for key, (_, _, status, job_id) in outcomes.items()
             if status in (200, 201)}
    assert acked and len(acked) == len(outcomes), "every request answered after the retries"
    lost = {k: v for k, v in acked.items() if stored.get(k) != v}
    assert lost == {}, f"acknowledged jobs missing or different: {lost}"
    assert len(stored) == len(acked), f"jobs nobody was told about: {set(stored) - set(acked)}"


def test_sigkill_of_a_web_process_under_load_loses_no_acknowledged_job(
        cluster, make_merchant, make_courier):
    a, b = cluster.web("web-a").start(), cluster.web("web-b").start()
    worker = cluster.worker().start()
    a.wait_ready(), b.wait_ready(), worker.wait_ready()
    shops = [make_merchant(), make_merchant()]
    for i in range(3):
        make_courier(lat=45.76 + i * 0.003, lon=4.835)

    def crash_and_restart():
        time.sleep(1.5)
        a.kill()
        time.sleep(0.5)
        a.start().wait_ready()

    crasher = threading.Thread(target=crash_and_restart)
    crasher.start()
    outcomes = submit_load([a.url, b.url], shops, seconds=5)
    crasher.join()
    unanswered = sum(1 for o in outcomes.values() if o[2] is None)
    assert "--- start" in a.log() and a.log().count("--- start") == 2
    retry_unanswered(b.url, outcomes)
    assert_every_acknowledged_job_is_there_once(outcomes)
    print(f"{len(outcomes)} submissions, {unanswered} unanswered when the process died")
    assert len(outcomes) > 50, f"only {len(outcomes)} submissions ({unanswered} unanswered)"
    assert check_consistency() == []


def _cycle_running() -> bool:
    """Whether a dispatch cycle holds its advisory lock in this database right now."""
    return bool(db.session.execute(text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objid = :key AND database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database())"), {"key": _LOCK_KEY}).scalar())


def test_sigkill_of_the_worker_mid_cycle_leaves_no_half_written_run(
        cluster, make_merchant, make_courier):
    web = cluster.web("web").start()
    cluster.env["COURIER_DISPATCH_TIME_LIMIT"] = "1.5"
    worker = cluster.worker().start()
    web.wait_ready()
    shop = make_merchant()
    couriers = [make_courier(f"C{i}", lat=45.76 + i * 0.003, lon=4.835) for i in range(4)]
    for i in range(24):
        r = requests.post(web.url + "/api/v1/jobs", json=job_body(dlat=0.001 * i),
                          headers=shop.headers, timeout=10)
        assert r.status_code == 201, r.text
    worker.wait_ready()

    deadline = time.monotonic() + 20
    while not _cycle_running():
        assert time.monotonic() < deadline, worker.log()
        db.session.rollback()
        time.sleep(0.02)
    time.sleep(random.uniform(0.2, 1.6))  # somewhere in the solve or the writing of offers
    worker.kill()
    db.session.rollback()
    assert check_consistency() == []
    assert not _cycle_running(), "the dead worker's lock is released with its connection"

    worker.start().wait_ready()
    deadline = time.monotonic() + 30
    while not db.session.scalar(select(func.count()).select_from(Run)):
        assert time.monotonic() < deadline, worker.log()
        db.session.rollback()
        time.sleep(0.2)
    worker.stop()
    assert check_consistency() == []

    # Every courier with a run gets it back on (re)connecting, even to another process.
    other = cluster.web("web-b").start().wait_ready()
    with_runs = 0
    for courier in couriers:
        expected = db.session.scalars(select(Run.id).where(
            Run.courier_id == courier.user.courier.id,
            Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED]))).all()
        sock, got = listen(other.url, courier.token, "runs.current")
        try:
            assert got["_arrived"]["runs.current"].wait(10)
        finally:
            sock.disconnect()
        assert [r["id"] for r in got["runs.current"][0]["runs"]] == sorted(expected)
        with_runs += bool(expected)
    assert with_runs >= 1

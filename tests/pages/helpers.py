"""Shared steps for page tests: a job carried by a courier, up to the state asked."""

from __future__ import annotations


def carried_job(make_merchant, make_courier, dispatcher, make_job, until="accepted",
                courier_name="Ana Lopez"):
    """A shop, a courier and one job, taken to ``until`` (offered, accepted, picked_up,
    delivered). Returns (shop, courier, job_id, run_id)."""
    shop, ana = make_merchant(), make_courier(courier_name)
    job = make_job(shop)
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200 and r.json["runs"], r.json
    run_id = r.json["runs"][0]["id"]
    steps = ["accepted", "picked_up", "delivered"]
    for step in steps[: steps.index(until) + 1] if until in steps else []:
        path = {"accepted": f"/runs/{run_id}/accept", "picked_up": f"/jobs/{job['id']}/picked-up",
                "delivered": f"/jobs/{job['id']}/delivered"}[step]
        r = ana.post(path)
        assert r.status_code == 200, r.json
    return shop, ana, job["id"], run_id

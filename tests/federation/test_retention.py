"""Recipients' data of a job a partner coop handed to us goes at the end of the
retention period, from the job and from the partner's signed ask we keep."""

import json
from datetime import timedelta

from sqlalchemy import select

from courier.dispatch import retention
from courier.extensions import db
from courier.models import FederationMessage, Job, utcnow
from tests.federation.conftest import (
    deliver_messages,
    on_duty,
    partner_job,
    ride,
    shop_at,
    submit,
)


def test_the_partners_ask_is_erased_with_the_job_it_made(paired):
    coops = paired
    zoe = on_duty(coops.b)
    job = submit(shop_at(coops.a))
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.status_code == 200 and r.json["status"] == "accepted", r.json
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, zoe, their_id)
    deliver_messages(coops)
    with coops.b.ctx():
        (ask,) = db.session.scalars(select(FederationMessage).where(
            FederationMessage.direction == "in", FederationMessage.kind == "handoff.ask")).all()
        asked = json.loads(ask.body)["job"]
        assert asked["recipient"] == {"name": "Rosa Parks", "phone": "+33612345678"}
        assert asked["dropoff"]["address"] == "12 cours \u00c9mile Zola"
        others = {m.id: m.body for m in db.session.scalars(select(FederationMessage).where(
            FederationMessage.id != ask.id))}
        theirs = db.session.get(Job, their_id)
        theirs.delivered_at = utcnow() - timedelta(days=31)
        db.session.commit()
        assert retention.sweep() == 1
        db.session.commit()
        db.session.expire_all()
        kept = db.session.get(FederationMessage, ask.id).body
        assert "Rosa" not in kept and "612345678" not in kept and "Zola" not in kept
        left = json.loads(kept)
        assert left["idempotency_key"] == json.loads(ask.body)["idempotency_key"]
        assert (left["job"]["recipient"], left["job"]["notes"]) == ({"name": "", "phone": ""}, "")
        assert left["job"]["dropoff"] == {"address": "", "lat": round(asked["dropoff"]["lat"], 3),
                                          "lon": round(asked["dropoff"]["lon"], 3)}
        assert {m.id: m.body for m in db.session.scalars(select(FederationMessage).where(
            FederationMessage.id != ask.id))} == others  # the rest is untouched
        assert db.session.get(Job, their_id).recipient_name == ""

"""The reasons that used to be guessed now state the fact that decided."""

from datetime import timedelta

from sqlalchemy import select

from courier.dispatch import runs
from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.models import Event
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, courier, job


def test_a_heavy_job_waits_for_the_cargo_bike_considering_another_offer(make_user,
                                                                       make_merchant):
    shop = make_merchant()
    carl = courier(make_user, "Carl", vehicle="cargo_bike")
    job(shop, weight=5)
    (offer,) = run_cycle(now=NOW).runs
    assert offer.courier_id == carl.courier.id
    courier(make_user, "Bea", vehicle="bike", lat=LYON[0] + 0.004)
    heavy = job(shop, weight=70, dlat=0.02)
    result = run_cycle(now=NOW + timedelta(seconds=20))
    text = dict((j.id, t) for j, t in result.unassigned)[heavy.id]
    assert "70 kg fits only Carl, considering another offer" in text
    assert "largest 15 kg" not in text


def test_an_offer_left_to_expire_is_not_called_declined(make_user, make_merchant, app):
    courier(make_user, "Ana")
    j = job(make_merchant())
    (offer,) = run_cycle(now=NOW).runs
    ttl = app.config["OFFER_TTL"]
    assert runs.expire_offers(NOW + timedelta(seconds=ttl + 1)) == [offer]
    db.session.commit()
    result = run_cycle(now=NOW + timedelta(seconds=ttl + 2))
    text = dict((x.id, t) for x, t in result.unassigned)[j.id]
    assert "not answered in time by Ana" in text and "declined" not in text


def test_a_declined_offer_is_called_declined(make_user, make_merchant):
    ana = courier(make_user, "Ana")
    j = job(make_merchant())
    (offer,) = run_cycle(now=NOW).runs
    runs.decline_run(ana.user, offer, "puncture")
    db.session.commit()
    text = dict((x.id, t) for x, t in run_cycle(now=NOW + timedelta(seconds=5)).unassigned)[j.id]
    assert "declined by Ana" in text


def test_a_volunteer_is_told_paid_work_is_not_theirs(make_user, make_merchant):
    vic = courier(make_user, "Vic")
    vic.courier.volunteer = True
    db.session.commit()
    job(make_merchant(), dlat=0.001)  # right by them: reach is not the question
    run_cycle(now=NOW)
    told = db.session.scalars(select(Event).where(Event.action == "not_offered",
                                                  Event.courier_id == vic.courier.id)).one()
    assert "paid work, and you take solidarity work only" in told.reason
    assert "reached in time" not in told.reason


def test_a_job_nobody_can_reach_in_time_names_the_soonest_arrival(make_user, make_merchant):
    courier(make_user, "Ana", lat=LYON[0] + 0.25)  # about 30 km out
    courier(make_user, "Bob", lat=LYON[0] - 0.15)
    j = job(make_merchant(), minutes=15)
    result = run_cycle(now=NOW)
    text = dict((x.id, t) for x, t in result.unassigned)[j.id]
    assert "no courier free on shift can deliver it by" in text
    assert "the soonest, Bob," in text  # Bob is nearer
    told = db.session.scalars(select(Event).where(Event.action == "not_offered")).all()
    assert len(told) == 2
    assert all("could not be reached in time from where you are" in ev.reason for ev in told)


def test_an_offer_to_a_farther_courier_names_the_nearer_one_and_why_not(make_user):
    from courier.dispatch.planning import Snapshot
    from courier.dispatch.reasons import why_them
    from courier.routing.geo import LatLon

    near = courier(make_user, "Nina", lat=LYON[0] + 0.001).courier
    far = courier(make_user, "Fred", lat=LYON[0] + 0.02).courier
    snap = Snapshot(now=NOW, jobs=[], couriers=[near, far], on_shift=2)
    snap.free_from = {c.id: (LatLon(c.lat, c.lon), NOW) for c in (near, far)}
    snap.planned = {near.id, far.id}
    text = why_them(far, LYON, 2.0, snap)
    assert text.startswith("2.2 km away; Nina, nearer (0.1 km), rides other work of this plan")
    snap.planned = {far.id}
    assert "Nina, nearer (0.1 km), fits it less well" in why_them(far, LYON, 2.0, snap)
    assert why_them(near, LYON, 2.0, snap).startswith("nearest courier on shift")

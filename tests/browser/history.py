"""A coop with a past, for walking its pages: every role, work done and paid, the rules
changed and a change scheduled, a warning rule breached, decisions, contests.

Built on the real clock (the live server reads it too) through the same operations the
API and dispatch use; only finished runs of earlier hours are written directly, as the
fair-work tests do (tests/fairwork/helpers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from courier.extensions import db
from courier.fairwork import versions
from courier.models import Job
from tests.conftest import LYON
from tests.fairwork.helpers import delivered, shift

H = timedelta(hours=1)
# Every page of the walk shows these in French: words a page would leave in English
# could hide among names, so the names are French or neutral.
CONTEST = "J'attendais devant la boutique depuis dix minutes."
ANSWER = "Ta position avait dix minutes de retard."


@dataclass
class History:
    council: object
    dispatcher: object
    shop: object
    hub: object
    partner: object
    ana: object  # a courier on shift, offered a run that breaks a warning rule
    bea: object  # a courier on shift too far to get it: a non-offer she contests
    track_token: str
    warning_event: int
    contest_id: int


def build(make_user, now: datetime | None = None) -> History:
    """The coop's history up to ``now`` (the real clock by default)."""
    from courier import settings

    now = now or datetime.now(UTC)
    council = make_user("council", "Chloé Conseil")
    dispatcher = make_user("dispatcher", "Dana Répartition")
    shop = make_user("merchant", "Épicerie Rosa", lat=LYON[0], lon=LYON[1],
                     address="1 place Bellecour")
    hub = make_user("merchant", "Drive fermier", lat=LYON[0] - 0.01, lon=LYON[1] + 0.01,
                    address="4 rue Paul Bert", kind="hub")
    partner = make_user("partner", "Secours Solidaire", lat=LYON[0] + 0.01, lon=LYON[1],
                        address="9 rue Garibaldi")
    ana = make_user("courier", "Ana Lopez", lat=LYON[0] + 0.002, lon=LYON[1], vehicle="bike")
    bea = make_user("courier", "Béa Martin", lat=45.70, lon=4.80, vehicle="bike")
    settings.put("open_data", True)
    db.session.commit()

    # Rules: v2 a week ago turns the bike's load cap into a warning at 10 kg; v3 is
    # scheduled for tomorrow (shorter days).
    caps = {"enforce": "warn", "bike": {"kg": 10.0, "l": 40.0},
            "cargo_bike": {"kg": 80.0, "l": 250.0}}
    versions.publish(council.user, {"load": {"vehicle_caps": caps}},
                     "Les vélos portent moins, on surveille", effective_from=now - 7 * 24 * H,
                     now=now - 7 * 24 * H)
    versions.publish(council.user, {"working_time": {"max_day": {"limit_s": 8 * 3600}}},
                     "Journées de huit heures", effective_from=now + 24 * H, now=now)
    db.session.commit()

    # Earlier today and yesterday: shifts and delivered runs, so there is pay to show.
    for actor, offset in ((ana, 0), (bea, 1)):
        c = actor.user.courier
        for days in (1, 0):
            start = now - timedelta(days=days) - (5 - offset) * H
            shift(c, start, start + 3 * H)
            delivered(c, shop, accepted=start + 0.5 * H,
                      delivered_at=[start + 1 * H, start + 1.5 * H], metres=6800)
    # Now both are on shift; a 12 kg job goes to Ana over the 10 kg warning cap, Bea is
    # too far and is told why she got nothing.
    for actor in (ana, bea):
        shift(actor.user.courier, now - 0.5 * H, None)
    job = _submit(shop, now, weight=12)
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200 and [run["courier"]["id"] for run in r.json["runs"]] == [
        ana.user.courier.id], r.json

    # A shift in an hour for one rider: Bea signed up first and rides it, Ana waits.
    slot = dispatcher.post("/shifts/slots", json={
        "starts_at": (now + H).isoformat(), "ends_at": (now + 4 * H).isoformat(),
        "vehicle": "bike", "riders": 1, "note": "Midi, place Bellecour"})
    assert slot.status_code == 201, slot.json
    for actor in (bea, ana):
        assert actor.post(f"/shifts/slots/{slot.json['id']}/signup").status_code == 201

    warning = _event(ana, "rule_warning")
    not_offered = _event(bea, "not_offered")
    r = bea.post(f"/events/{not_offered}/contest", json={"body": CONTEST})
    assert r.status_code == 201, r.json
    return History(council, dispatcher, shop, hub, partner, ana, bea,
                   track_token=job.tracking_token, warning_event=warning,
                   contest_id=r.json["id"])


def _submit(shop, now, weight):
    body = {"dropoff": {"lat": LYON[0] + 0.01, "lon": LYON[1] + 0.01,
                        "address": "12 rue de la République"},
            "weight_kg": weight, "volume_l": 10, "ready_at": now.isoformat(),
            "deliver_by": (now + 2 * H).isoformat(),
            "recipient": {"name": "Rita", "phone": "0600000000"}}
    r = shop.post("/jobs", json=body)
    assert r.status_code == 201, r.json
    return db.session.get(Job, r.json["id"])


def _event(actor, action) -> int:
    decisions = actor.get("/courier/decisions").json["decisions"]
    found = [d["id"] for d in decisions if d["action"] == action]
    assert found, (action, decisions)
    return found[0]

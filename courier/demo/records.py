"""The rows of the demo's past (:mod:`courier.demo.past`): jobs priced as a submission
then would have been, runs with their stops and the reasons their offers gave, and
the event log as the operations write it (job and run changes, shifts and breaks,
warnings of the rules in force). Inserted in bulk: a few statements for four weeks.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert

from courier.demo.past import Past, PastRun
from courier.extensions import db
from courier.fairwork import versions
from courier.models import Event, Job, JobStatus, Run, RunStatus, RunStop, StopKind, User
from courier.texts import Phrase, stored

PHONE = "04 00 00 00 00"
FAILED = "recipient absent"


class Writer:
    """Writes one past; ``users``: the demo city's users by email."""

    def __init__(self, users: dict[str, User], tz: ZoneInfo):
        self.users, self.tz = users, tz
        self.timeline = versions.Timeline()  # the versions in force, the change included

    def _courier(self, email: str):
        return self.users[email].courier

    def runs(self, past: Past) -> dict[int, int]:
        """Insert the runs; returns run number -> id."""
        from courier.dispatch import reasons

        rows = []
        for r in past.runs:
            c = self._courier(r.courier)
            version = self.timeline.at(r.offered)
            r.version, r.warnings = version.number, self._warnings(r, version.rules)
            cap = min(c.capacity_kg, version.rules["load"]["vehicle_caps"][c.vehicle.value]["kg"])
            why = Phrase(reasons.NEAREST, kind=Phrase(reasons.COURIER),
                         km=f"{r.away_m / 1000:.1f}")
            peak = sum(past.jobs[n].weight_kg for n in r.jobs)
            r.reason = reasons.offer(c, len(r.jobs), r.metres / 1000, peak, why=why, cap_kg=cap,
                                     rules=version.label, notes=tuple(
                                         Phrase(_explain().WARNING, text=w["text"],
                                                rule=w["rule"]) for w in r.warnings))
            sentence, phrase = stored(r.reason)
            rows.append({"courier_id": c.id, "status": RunStatus(r.status),
                         "created_at": r.offered, "expires_at": _expires(r),
                         "accepted_at": r.accepted, "ended_at": r.ended,
                         "planned_start": r.offered, "planned_end": _planned_end(r),
                         "distance_m": r.metres, "reason": sentence, "reason_phrase": phrase})
        ids = db.session.scalars(insert(Run).returning(Run.id, sort_by_parameter_order=True),
                                 rows).all()
        return dict(enumerate(ids))

    def _warnings(self, r: PastRun, rules: dict) -> list[dict]:
        """Warning rules the run's plan breached (only the run's length is checked:
        the other rules of the demo's versions block)."""
        from courier.fairwork.limits import LASTS, hm

        rule = rules["load"]["max_run"]
        lasts = (_planned_end(r) - r.offered).total_seconds()
        if rule["enforce"] != "warn" or lasts <= rule["limit_s"]:
            return []
        return [{"rule": "load.max_run", "enforce": "warn",
                 "text": Phrase(LASTS, lasts=hm(lasts), over=hm(rule["limit_s"]))}]

    def jobs(self, past: Past, run_ids: dict[int, int], key: str) -> dict[int, int]:
        """Insert the jobs, each priced under the shops' prices in force when it was
        submitted; returns job number -> id."""
        from courier.shops.intake import prepare

        rows = []
        for j in past.jobs:
            shop = self.users[j.shop["email"]]
            lat, lon, address = j.dropoff
            data = {"dropoff": {"lat": lat, "lon": lon, "address": address},
                    "weight_kg": j.weight_kg, "volume_l": j.volume_l, "ready_at": j.created,
                    "deliver_by": j.deliver_by, "recipient": {"name": j.recipient,
                                                              "phone": PHONE}}
            fields = prepare(shop.merchant, data, j.created).job_fields()[0]
            run = past.runs[j.run] if j.run is not None else None
            rows.append({**fields, "merchant_id": shop.merchant.id,
                         "status": JobStatus(j.status), "idempotency_key": f"{key}{j.n}",
                         "created_at": j.created, "updated_at": max([j.created, *j.at.values()]),
                         "picked_up_at": j.at.get("picked_up"),
                         "delivered_at": j.at.get("delivered"),
                         "failure_reason": FAILED if j.status == "failed" else None,
                         "run_id": run_ids[run.n] if run else None,
                         "courier_id": self._courier(run.courier).id if run else None})
        ids = db.session.scalars(insert(Job).returning(Job.id, sort_by_parameter_order=True),
                                 rows).all()
        return dict(enumerate(ids))

    def stops(self, past: Past, job_ids: dict, run_ids: dict) -> None:
        rows = [{"run_id": run_ids[r.n], "seq": i, "job_id": job_ids[s.job],
                 "kind": StopKind(s.kind), "planned_arrival": s.planned, "lat": s.lat,
                 "lon": s.lon, "done_at": s.done}
                for r in past.runs for i, s in enumerate(r.stops)]
        db.session.execute(insert(RunStop), rows)

    def events(self, past: Past, job_ids: dict, run_ids: dict) -> int:
        """The event log of the past, in the order things happened."""
        out: list[tuple] = []

        def add(at, subject, action, courier, actor=None, job=None, run=None, before=None,
                after=None, reason="", data=None):
            sentence, phrase = stored(reason)
            out.append((at, len(out), {
                "at": at, "subject": subject, "action": action, "courier_id": courier,
                "actor_id": actor, "job_id": job, "run_id": run, "from_status": before,
                "to_status": after, "reason": sentence, "reason_phrase": phrase, "data": data}))

        for j in past.jobs:
            shop = self.users[j.shop["email"]].id
            add(j.created, "job", "created", None, shop, job_ids[j.n], after="pending")
            if "cancelled" in j.at:
                add(j.at["cancelled"], "job", "cancelled", None, shop, job_ids[j.n],
                    before="pending", after="cancelled", reason="no courier came in time")
        for r in past.runs:
            self._run_events(add, past, r, job_ids, run_ids[r.n])
        for s in past.shifts:
            c, actor = self._courier(s.courier).id, self.users[s.courier].id
            add(s.start, "courier", "shift_started", c, actor)
            for b, e in s.breaks:
                add(b, "courier", "break_started", c, actor)
                add(e, "courier", "break_ended", c, actor)
            add(s.end, "courier", "shift_ended", c, actor)
        rows = [row for _, _, row in sorted(out, key=lambda x: (x[0], x[1]))]
        db.session.execute(insert(Event), rows)
        return len(rows)

    def _run_events(self, add, past: Past, r: PastRun, job_ids: dict, run_id: int) -> None:
        c, actor = self._courier(r.courier).id, self.users[r.courier].id
        jobs = [past.jobs[n] for n in r.jobs]
        data = {"rules_version": r.version, "warnings": r.warnings}
        add(r.offered, "run", "offered", c, run=run_id, after="offered", reason=r.reason,
            data={"jobs": sorted(job_ids[j.n] for j in jobs), **data})
        for j in jobs:
            add(r.offered, "job", "offered", c, job=job_ids[j.n], run=run_id, before="pending",
                after="offered")
        if r.warnings:
            x = _explain()
            add(r.offered, "run", "rule_warning", c, run=run_id, data=data,
                reason=x.breaches_said(r.warnings))
        if r.status != "done":
            declined = r.status == "declined"
            add(r.ended, "run", r.status, c, actor if declined else None, run=run_id,
                before="offered", after=r.status,
                reason="" if declined else "not answered in time")
            for j in jobs:
                add(r.ended, "job", "declined" if declined else "offer_expired", c,
                    actor if declined else None, job_ids[j.n], run_id, "offered", "pending",
                    "" if declined else "the offer was not answered in time")
            return
        add(r.accepted, "run", "accepted", c, actor, run=run_id, before="offered",
            after="accepted")
        for j in jobs:
            add(r.accepted, "job", "accepted", c, actor, job_ids[j.n], run_id, "offered",
                "accepted")
        for j in jobs:
            add(j.at["picked_up"], "job", "picked_up", c, actor, job_ids[j.n], run_id,
                "accepted", "picked_up")
            if j.status == "failed":
                add(j.at["failed"], "job", "failed", c, actor, job_ids[j.n], run_id,
                    "picked_up", "failed", FAILED)
            else:
                add(j.at["delivered"], "job", "delivered", c, actor, job_ids[j.n], run_id,
                    "picked_up", "delivered")
        add(r.ended, "run", "completed", c, actor, run=run_id, before="accepted", after="done")


def _explain():
    from courier.dispatch import explain

    return explain


def _expires(r: PastRun):
    return r.offered + timedelta(seconds=current_app.config["OFFER_TTL"])


def _planned_end(r: PastRun):
    """When the plan had the run end: the last stop's arrival and service."""
    return r.stops[-1].planned + timedelta(seconds=current_app.config["DROPOFF_SERVICE_S"])

"""The gate: may this work go to this courier now, and why or why not.

Every way work reaches a courier asks here, and gets its answer from the same facts:

- the automatic cycle: :func:`context` says who is held back and the bounds each courier
  brings to the routing problem (:func:`vehicle`); every planned run is then judged
  (:func:`breaches`) before it is offered;
- a dispatcher's manual assignment or reassignment, and a courier accepting an offer:
  :func:`admit` judges the run as it would be ridden and refuses a blocking rule's
  breach (409 naming the rule, the rules version and the figures); a warning rule's
  breach goes through and is recorded for the council;
- going on shift (:func:`check_shift_start`) and off shift (:func:`check_shift_end`),
  and signing up for a shift planned ahead (:func:`check_slot`);
- a courier giving back accepted work (:func:`check_release`).

The rules themselves (what a limit is, how time is counted) are the council's, in
:mod:`courier.fairwork`; this module only applies them to work.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import has_request_context
from sqlalchemy import select

from courier.dispatch import terrain
from courier.dispatch.runfacts import RouteFacts, breaches
from courier.errors import Conflict
from courier.extensions import db
from courier.fairwork import safety, tracking, versions
from courier.fairwork.earned import balanced_by, so_far
from courier.fairwork.intervals import Interval
from courier.fairwork.labels import label
from courier.fairwork.limits import (
    Limits,
    courier_limits,
    planned_breaches,
    shift_start_breaches,
    week_start,
)
from courier.fairwork.models import RulesVersion
from courier.journal import record
from courier.models import Courier, Job, JobStatus, Run, RunStatus, StopKind, User
from courier.routing import Break, TimeWindow
from courier.routing import Vehicle as RoutingVehicle
from courier.solidarity.dispatching import check_assignable
from courier.texts import N_, Phrase, joined

log = logging.getLogger(__name__)
MIN_FACTOR, MAX_FACTOR = 0.5, 2.0
ON_BREAK = N_("on a break")
BUSY_UNTIL_LIMIT = N_("busy until the limit ({why})")
NOT_NOW = N_("not now under {rules}: {why}")
NOT_THIS_SHIFT = N_("not this shift under {rules}: {why}")
WENT_ON_SHIFT = N_("went on shift: {why} ({rule}, warning under {rules})")
REFUSED = N_("not for {name} under {rules}: {why}")
OVER_VEHICLE = N_("carries up to {kg} kg / {l} L, over the {vehicle}'s {cap_kg} kg / {cap_l} L")
NOT_ON_SHIFT = N_("{name} is not on shift")
STILL_RIDING = N_("you have work accepted ({jobs}): finish it first, or stop in an emergency "
                  "and dispatch takes it back")
BIKE, CARGO_BIKE = N_("bike"), N_("cargo bike")


def vehicle_name(courier: Courier) -> Phrase:
    return Phrase(CARGO_BIKE if courier.vehicle.value == "cargo_bike" else BIKE)


@dataclass
class Context:
    version: RulesVersion
    limits: dict[int, Limits] = field(default_factory=dict)
    held: dict[int, str] = field(default_factory=dict)  # courier id -> why no work now
    held_rule: dict[int, str] = field(default_factory=dict)  # courier id -> the rule
    cost_factor: dict[int, float] = field(default_factory=dict)
    balance: int = 0
    figures: dict[int, dict] = field(default_factory=dict)  # so far this week

    @property
    def label(self) -> str:
        return self.version.label


def _factors(figures: dict[int, dict], mode: str, strength: int) -> dict[int, float]:
    """Below 1 for couriers under the mean of what ``mode`` evens out (they are
    preferred), above 1 over it."""
    values = {cid: balanced_by(f, mode) for cid, f in figures.items()}
    mean = sum(values.values()) / len(values) if values else 0
    if mean <= 0:
        return {cid: 1.0 for cid in values}
    k = strength / 100
    return {cid: round(min(MAX_FACTOR, max(MIN_FACTOR, 1 + k * (v / mean - 1))), 3)
            for cid, v in values.items()}


def context(couriers: list, now: datetime, free_from: dict | None = None) -> Context:
    """The rules' view of ``couriers`` at ``now``: each one's limits, who is held back
    and why, and (when the council balances work) each one's cost factor.

    ``free_from``: courier id -> (place, time) when each is next free; a courier
    whose working time runs out before that is held back too.
    """
    ctx = Context(versions.in_force(now))
    doc, tz = ctx.version.rules, tracking.timezone()
    ids = [c.id for c in couriers]
    tracked = tracking.load(ids, min(week_start(now, tz), now))
    assess = terrain.assessor(doc, couriers, now)  # weather, climbing, batteries
    for c in couriers:
        t = tracked[c.id]
        work = t.work(now)
        lim = courier_limits(doc, ctx.version.number, c.vehicle.value, work, now, tz)
        ctx.limits[c.id] = safety.attach(lim, assess(c, work))
        if t.on_break:
            ctx.held[c.id], ctx.held_rule[c.id] = Phrase(ON_BREAK), "working_time.break"
        elif lim.excluded:
            ctx.held[c.id], ctx.held_rule[c.id] = lim.excluded, lim.excluded_rule
        elif free_from and lim.deadline_s is not None:
            busy = (free_from[c.id][1] - now).total_seconds()
            if busy >= lim.deadline_s:
                ctx.held[c.id] = Phrase(BUSY_UNTIL_LIMIT, why=lim.deadline_why)
                ctx.held_rule[c.id] = lim.deadline_rule
    fair = doc["fairness"]
    free = [cid for cid in ids if cid not in ctx.held]
    if fair["balance"] != "off" and fair["strength"] > 0 and len(free) > 1:
        ctx.figures = so_far(free, week_start(now, tz), now)
        ctx.cost_factor = _factors(ctx.figures, fair["balance"], fair["strength"])
        ctx.balance = max(1, fair["strength"] // 25)
    return ctx


def vehicle(v: RoutingVehicle, lim: Limits, cost_factor: float = 1.0) -> RoutingVehicle:
    """``v`` with the blocking rules of ``lim`` as routing bounds, the weather's among
    them (:func:`courier.fairwork.safety.tighten`). A break is planned only when one can
    fall due before the run must end (by the working-time deadline or the longest run
    allowed): a courier fresh on shift rides without one. Caps on a run's km and climbing
    are no routing bound: a plan is cut back to them (:mod:`courier.dispatch.reach`)."""
    lim = safety.tighten(lim)
    changes: dict = {"cost_factor": cost_factor}
    end = v.time_window.end
    if lim.deadline_s is not None:  # (or the shift's planned end, when sooner)
        end = max(v.time_window.start,
                  lim.deadline_s if end is None else min(end, lim.deadline_s))
        changes["time_window"] = TimeWindow(v.time_window.start, end)
    if lim.max_run_s is not None:
        changes["max_working_time"] = lim.max_run_s
        end = min(end, v.time_window.start + lim.max_run_s) if end is not None \
            else v.time_window.start + lim.max_run_s
    if lim.max_stops is not None:
        changes["max_stops"] = lim.max_stops
    if lim.caps is not None and v.capacity:
        kg, litres = lim.caps
        changes["capacity"] = (min(v.capacity[0], round(kg * 1000)),
                               min(v.capacity[1], round(litres * 1000)))
    if lim.break_by_s is not None and (end is None or lim.break_by_s < end):
        start = v.time_window.start  # busy until then: the break comes first when due before
        by = max(start, lim.break_by_s)
        changes["breaks"] = (Break("rest", (TimeWindow(start, by),), lim.break_s),)
    return dataclasses.replace(v, **changes)


@dataclass
class Verdict:
    """The gate's answer for one run and one courier."""

    courier: Courier
    version: RulesVersion
    blocked: list[dict] = field(default_factory=list)  # {"rule", "enforce", "text", ...}
    warnings: list[dict] = field(default_factory=list)

    def refusal(self) -> Conflict:
        """409: the rules this run would break, the rules version and the figures."""
        why = joined([b["text"] for b in self.blocked])
        return Conflict(Phrase(REFUSED, name=self.courier.user.first_name,
                               rules=self.version.label, why=why),
                        {"courier_id": self.courier.id,
                         "rules": [b["rule"] for b in self.blocked],
                         "rules_version": self.version.number,
                         "breaches": [{"rule": b["rule"], "text": str(b["text"]),
                                       "figures": b.get("figures", {})}
                                      for b in self.blocked]})


def judge(courier: Courier, facts: RouteFacts, now: datetime) -> Verdict:
    """What the rules in force say of ``courier`` riding a run with ``facts`` from now:
    held back (on a break, a limit reached), over the vehicle's own capacity, or
    breaking a blocking or warning rule on the way."""
    ctx = context([courier], now)
    lim = ctx.limits[courier.id]
    v = Verdict(courier, ctx.version)
    if courier.id in ctx.held:
        v.blocked.append({"rule": ctx.held_rule.get(courier.id, "working_time"),
                          "enforce": "block", "text": ctx.held[courier.id],
                          "figures": {"worked_today_s": lim.worked_today_s,
                                      "worked_week_s": lim.worked_week_s,
                                      "continuous_s": lim.continuous_s,
                                      "streak_days": lim.streak_days}})
    kg, litres = facts.peak
    if kg > courier.capacity_kg + 1e-9 or litres > courier.capacity_l + 1e-9:
        v.blocked.append({"rule": "vehicle.capacity", "enforce": "block", "text": Phrase(
            OVER_VEHICLE, kg=f"{kg:g}", l=f"{litres:g}", vehicle=vehicle_name(courier),
            cap_kg=f"{courier.capacity_kg:g}", cap_l=f"{courier.capacity_l:g}"),
            "figures": {"kg": kg, "l": litres, "capacity_kg": courier.capacity_kg,
                        "capacity_l": courier.capacity_l}})
    held = {b["rule"] for b in v.blocked}
    for b in breaches(lim, facts):
        if b["rule"] not in held:  # a limit already reached is said once
            (v.blocked if b["enforce"] == "block" else v.warnings).append(b)
    return v


def admit(courier: Courier, jobs: list, facts: RouteFacts, now: datetime) -> Verdict:
    """May ``courier`` be given ``jobs`` as a run with ``facts``? Raises Conflict when
    not (not on shift, solidarity work only, a blocking rule); returns the verdict,
    whose warnings the caller records with the run."""
    if not courier.on_shift or courier.lat is None:
        raise Conflict(Phrase(NOT_ON_SHIFT, name=courier.user.name), {"courier_id": courier.id})
    check_assignable(courier, jobs)
    verdict = judge(courier, facts, now)
    if verdict.blocked:
        raise verdict.refusal()
    return verdict


def _worked(courier: Courier, now: datetime) -> list[Interval]:
    tz = tracking.timezone()
    since = min(week_start(now, tz), now - timedelta(days=32))
    return tracking.load([courier.id], since)[courier.id].work(now)


def _refuse_blocking(version: RulesVersion, found: list, template: str) -> None:
    """409 when any of ``found`` (``(rule, enforce, text[, figures])``) blocks: the rules
    in words (:mod:`courier.fairwork.labels`), the version and each breach."""
    blocking = [b for b in found if b[1] == "block"]
    if blocking:
        raise Conflict(Phrase(template, rules=version.label,
                              why=joined([b[2] for b in blocking])),
                       {"rules": [b[0] for b in blocking], "rules_version": version.number,
                        "breaches": [said(*b) for b in blocking]})


def said(rule: str, enforce: str, text: str, figures: dict | None = None) -> dict:
    """A breach as the API gives it: the rule's key, its name in the member's words
    (:mod:`courier.fairwork.labels`), the breach in words (and as a phrase the pages
    translate) and its figures."""
    words = label(rule) if has_request_context() else rule  # in the reader's language
    return {"rule": rule, "label": words, "enforce": enforce, "text": str(text),
            "text_phrase": text.as_json() if isinstance(text, Phrase) else None,
            "figures": figures or {}}


def check_shift_start(user: User, courier: Courier, now: datetime) -> None:
    """Going on shift: refused while a blocking rule says to rest (409 naming the rules,
    the version and the figures); a warning rule's breach is recorded for the council."""
    version = versions.in_force(now)
    found = shift_start_breaches(version.rules, _worked(courier, now), now, tracking.timezone())
    _refuse_blocking(version, found, NOT_NOW)
    for rule, _, text in found:
        record(user, "courier", "rule_warning", courier=courier, at=now,
               reason=Phrase(WENT_ON_SHIFT, why=text, rule=rule, rules=version.label),
               data={"rule": rule, "rules_version": version.number})


def check_slot(courier: Courier, slot: Interval, planned: list[Interval],
               now: datetime) -> list[dict]:
    """Signing up for a shift planned ahead (``slot``; ``planned``: the courier's other
    sign-ups to come): refused (409) when it would break a blocking rule of the version in
    force at the slot's start, counting the time worked and the shifts planned; returns
    the warning rules' breaches (:func:`said`), which the member is shown."""
    version = versions.in_force(slot[0])
    work = _worked(courier, now) + [(max(s, now), e) for s, e in planned if e > now]
    found = planned_breaches(version.rules, work, slot, tracking.timezone())
    _refuse_blocking(version, found, NOT_THIS_SHIFT)
    return [said(*b) for b in found]


def check_shift_end(courier: Courier, emergency: bool = False) -> list:
    """Going off shift: refused (409) while the courier has work accepted, unless in an
    emergency; returns the accepted runs the caller must then hand back."""
    riding = db.session.scalars(select(Run).where(
        Run.courier_id == courier.id, Run.status == RunStatus.ACCEPTED)).all()
    open_jobs = sorted({s.job_id for r in riding for s in r.stops if s.done_at is None})
    if open_jobs and not emergency:
        raise Conflict(Phrase(STILL_RIDING, jobs=", ".join(f"#{j}" for j in open_jobs)),
                       {"online": "work accepted", "jobs": open_jobs,
                        "runs": [r.id for r in riding]})
    return list(riding) if open_jobs else []


def check_release(courier: Courier, job: Job) -> list[Job]:
    """A courier gives back ``job``, accepted on their run and not picked up yet. No
    council rule keeps a courier from giving work back (as none keeps them from declining
    an offer), on a break or not; what is on the bike stays (it is delivered, or marked
    failed and brought back). Returns the jobs that go: ``job`` and the other parts of its
    delivery on the same run (a multi-drop delivery or a round goes as a whole)."""
    run = job.run
    if job.courier_id != courier.id or run is None:
        raise Conflict("this job is not on your run", {"status": job.status.value})
    if run.status != RunStatus.ACCEPTED or job.status != JobStatus.ACCEPTED:
        raise Conflict(f"a job that is {job.status.value} cannot be released"
                       + ("" if run.status == RunStatus.ACCEPTED else ": decline the offer"),
                       {"status": job.status.value, "run_status": run.status.value})
    parts = list({s.job_id: s.job for s in run.stops if s.kind == StopKind.PICKUP and (
        s.job_id == job.id or (job.group_id is not None and s.job.group_id == job.group_id))
    }.values())
    on_bike = [j.id for j in parts if j.status != JobStatus.ACCEPTED]
    if on_bike:
        raise Conflict(f"part of this delivery is on your bike (jobs {on_bike}): deliver it "
                       "first", {"jobs": on_bike, "status": job.status.value})
    return parts

"""Explained decisions: the terms of an offer under the rules, and why a courier
free on shift got no offer. Called by :mod:`courier.dispatch.cycle`.

Each offer's reason names the courier, why them, the load against the cap and
the rules version; a planned break and any warning rule's breach are added to
it and stored with the offer's event (and as a ``rule_warning`` event of the
run, for the council). A run that would break a blocking rule is never offered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from courier.dispatch import reasons, waits
from courier.dispatch.runfacts import breaches, route_facts
from courier.extensions import db
from courier.fairwork import safety
from courier.fairwork.limits import hm
from courier.journal import record
from courier.models import Event
from courier.texts import N_, Phrase, joined, stored

log = logging.getLogger(__name__)
WITH_BREAK = N_("includes a {pause} break ({worked} worked without one so far)")
WARNING = N_("warning: {text} ({rule})")
RULE_BREACH = N_("{text} ({rule})")


@dataclass
class Terms:
    why: str = ""
    cap_kg: float | None = None
    rules: str = ""
    notes: tuple[str, ...] = ()
    warnings: list[dict] = field(default_factory=list)
    blocked: list[dict] = field(default_factory=list)
    version: int | None = None

    def reason_kwargs(self) -> dict:
        return {"why": self.why, "cap_kg": self.cap_kg, "rules": self.rules, "notes": self.notes}

    def data(self) -> dict:
        return {"rules_version": self.version, "warnings": self.warnings}


def terms(courier, route, snap, points) -> Terms:
    """The terms of offering ``route`` to ``courier`` in the cycle of ``snap``."""
    ctx = snap.rules
    if ctx is None:
        return Terms()
    cfg = current_app.config
    facts = route_facts(route, {"pickup": cfg["PICKUP_SERVICE_S"],
                                "delivery": cfg["DROPOFF_SERVICE_S"]}, points)
    lim = ctx.limits[courier.id]
    found = breaches(lim, facts)
    first = next(s for s in route.steps if s.type in ("pickup", "delivery"))
    p = points[first.location]
    t = Terms(why=reasons.why_them(courier, (p.lat, p.lon), facts.peak[0], snap),
              cap_kg=reasons._capped(courier, snap)[0], rules=ctx.label,
              version=ctx.version.number,
              warnings=[b for b in found if b["enforce"] == "warn"],
              blocked=[b for b in found if b["enforce"] == "block"])
    notes = []
    if facts.breaks:  # the break the plan holds: the working-time rule's or the weather's
        notes.append(Phrase(WITH_BREAK, pause=hm(safety.tighten(lim).break_s),
                            worked=hm(lim.continuous_s)))
    if lim.safety is not None and lim.safety.climb_unchecked:
        notes.append(Phrase(safety.NO_ELEVATION))
    notes += [Phrase(WARNING, text=w["text"], rule=w["rule"]) for w in t.warnings]
    t.notes = tuple(notes)
    if t.blocked:
        log.error("plan for courier %s breaks %s: not offered", courier.id, t.blocked)
    return t


def breaches_said(found: list[dict]) -> Phrase:
    """Rules' breaches in words, each with the rule it breaks."""
    return joined([Phrase(RULE_BREACH, text=b["text"], rule=b["rule"]) for b in found])


def record_warnings(actor, run, t: Terms) -> None:
    """Warning rules' breaches, as an event of the run the council sees."""
    if t.warnings:
        record(actor, "run", "rule_warning", run=run, reason=breaches_said(t.warnings),
               data=t.data())


def _last_reasons(courier_ids: list[int]) -> dict[int, str]:
    """The reason each courier was last told they got nothing (absent when their last
    word was an offer, or none), in one query for the cycle."""
    if not courier_ids:
        return {}
    last = (select(func.max(Event.id)).where(
        Event.courier_id.in_(courier_ids), Event.action.in_(("not_offered", "offered")))
        .group_by(Event.courier_id))
    rows = db.session.execute(select(Event.courier_id, Event.action, Event.reason)
                              .where(Event.id.in_(last))).all()
    return {cid: reason for cid, action, reason in rows if action == "not_offered"}


def not_offered(actor, snap, offered: set[int], left: list, waiting: dict | None = None) -> None:
    """For each courier free on shift who got nothing this cycle, why (recorded
    when it differs from the last reason they were given). ``left``: the jobs
    nobody got; ``waiting``: courier id -> why the run planned for them is held back."""
    ctx = snap.rules
    if ctx is None:
        return
    waiting = waiting or {}
    who = [(c, why) for c, why in snap.held.values()]
    who += [(c, waiting[c.id]) for c in snap.couriers if c.id in waiting]
    who += [(c, waits.courier_waits(c, snap, left)) for c in snap.couriers
            if c.id not in offered]
    told = _last_reasons([c.id for c, _ in who])
    for c, why in who:
        text = reasons.not_offered(why, ctx.label)
        if told.get(c.id) != stored(text)[0]:
            record(actor, "courier", "not_offered", courier=c, reason=text,
                   data={"rules_version": ctx.version.number})

"""The demo coop's last four weeks, written once into a fresh demo database: jobs from
the demo shops, runs offered, accepted, ridden (a few declined or left to lapse),
shifts and breaks, a rules change two weeks ago (pay under the version in force at
the time, a warning rule breached since), a few contests. Every report, the what-if
replay and the members' pages then have material on first start.

The past is worked out by :mod:`courier.demo.past` (deterministic for a seed) and
written in bulk, as the operations would have written it: the same rows, the same
events with the same reasons. Nothing is written if the past is already there; and
it stops at the first day the database already has work of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, insert, select

from courier.demo import past as P
from courier.demo import records
from courier.demo.seed import CITY
from courier.extensions import db
from courier.fairwork import rules as R
from courier.fairwork import versions
from courier.fairwork.models import Contest, ContestAnswer, RulesVersion
from courier.models import Event, Job, User, utcnow

KEY = "demo-history-"  # the Idempotency-Key prefix of the past's jobs: seeded once
DAYS = 28
CHANGE_DAYS_AGO = 14
CHANGE = {"pay": {"per_hour_cents": 1000, "guaranteed_hourly_cents": 1300},
          "load": {"max_run": {"enforce": "warn", "limit_s": 3600}}}
CHANGE_REASON = ("General assembly: hourly pay from EUR 9 to EUR 10 and the guaranteed "
                 "minimum from EUR 12 to EUR 13; runs over an hour are no longer refused at "
                 "3 hours but each one is flagged to the council, to see how often they happen")
CONTESTS = [  # who (None: any member), the decision contested, what they wrote, the answer
    ("ana@demo.coop", "run", "offered",
     "This run was offered to me near the end of my shift; I finished 20 minutes late.",
     "Dispatch plans within your working time under the rules, not within the hours of "
     "the rota. We will look at ending offers 30 minutes before a shift ends."),
    (None, "run", "rule_warning",
     "This long run was planned by dispatch, not by me. Does the warning count against me?",
     "No: a warning tells the council how often long runs happen. Nothing counts against "
     "you."),
    (None, "job", "offer_expired",
     "My phone was in my pocket while riding: two minutes is too short to answer.", None),
    (None, "run", "offered", "Why was this run not given to someone nearer to the shop?", None),
]


@dataclass
class Seeded:
    days: int
    jobs: int
    runs: int
    shifts: int
    rules_change: int | None  # the number of the version published two weeks ago


def already_seeded() -> bool:
    return db.session.scalar(select(Job.id).where(Job.idempotency_key.like(KEY + "%"))
                             .limit(1)) is not None


def seed_history(now: datetime | None = None, seed: int = 25, days: int = DAYS) -> Seeded | None:
    """Write the demo coop's last ``days`` local days before today, once (None when the
    past is already there). Needs the demo city's users (:func:`courier.demo.seed.seed`)."""
    if already_seeded():
        return None
    now = now or utcnow()
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    today = now.astimezone(tz).date()
    first = db.session.scalar(select(func.min(Event.at)))  # the database's own work
    end = min(today, first.astimezone(tz).date()) if first is not None else today
    span = [end - timedelta(days=k) for k in range(days, 0, -1)
            if end - timedelta(days=k) >= today - timedelta(days=days)]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        [x["email"] for x in CITY["couriers"] + CITY["shops"] + CITY["staff"]])))}
    change = _rules_change(users["council@demo.coop"], today, tz, span)
    past = P.generate(_setup(tz, users), span, seed)
    w = records.Writer(users, tz)
    run_ids = w.runs(past)
    job_ids = w.jobs(past, run_ids, KEY)
    w.stops(past, job_ids, run_ids)
    w.events(past, job_ids, run_ids)
    _contests(users, min(now - timedelta(days=2), datetime.combine(end, time(0), tz)))
    db.session.commit()
    return Seeded(len(span), len(past.jobs), len(past.runs), len(past.shifts),
                  change.number if change is not None else None)


def _setup(tz: ZoneInfo, users: dict) -> P.Setup:
    cfg = current_app.config
    couriers = [dict(c, capacity_kg=users[c["email"]].courier.capacity_kg)
                for c in CITY["couriers"]]
    return P.Setup(tz, couriers, CITY["shops"], CITY["places"],
                   speed_mps=cfg["BIKE_SPEED_KMH"] / 3.6, detour=cfg["DETOUR_FACTOR"],
                   cargo_factor=cfg["CARGO_SPEED_FACTOR"], pickup_s=cfg["PICKUP_SERVICE_S"],
                   dropoff_s=cfg["DROPOFF_SERVICE_S"], offer_ttl=cfg["OFFER_TTL"],
                   cooldown_s=cfg["REOFFER_COOLDOWN"])


def _rules_change(council: User, today: date, tz: ZoneInfo,
                  span: list[date]) -> RulesVersion | None:
    """The council's change of two weeks ago, written as publishing it then would have
    (publishing refuses the past). Only over the template, and only if the database has
    no work of its own since then: work already done stays under the rules it was done
    under, and a coop that already changed its rules keeps its own history."""
    effective = datetime.combine(today - timedelta(days=CHANGE_DAYS_AGO), time(0), tz)
    known = versions.all_versions()
    if len(known) != 1 or not span or span[0] >= effective.date():
        return None
    if db.session.scalar(select(Event.id).where(Event.at >= effective).limit(1)) is not None:
        return None
    prev = known[0]
    doc = R.validate(R.merge(prev.rules, CHANGE))
    published = effective - timedelta(days=3) + timedelta(hours=19)  # the assembly's evening
    version = RulesVersion(number=prev.number + 1, created_at=published,
                           created_by_id=council.id, reason=CHANGE_REASON,
                           effective_from=effective, rules=doc, diff=R.diff(prev.rules, doc))
    db.session.add(version)
    db.session.flush()
    return version


def _contests(users: dict, before: datetime) -> None:
    """A few members contest a decision of the past about them (the latest of its kind
    ``before``, one contest per member); the council answered some."""
    council = users["council@demo.coop"]
    authors = {u.courier.id: u for u in users.values() if u.courier is not None}
    done: set[int] = set()
    for who, subject, action, body, answer in CONTESTS:
        q = select(Event).where(Event.subject == subject, Event.action == action,
                                Event.at <= before, Event.courier_id.not_in(done))
        if who is not None:
            q = q.where(Event.courier_id == users[who].courier.id)
        ev = db.session.scalars(q.order_by(Event.at.desc()).limit(1)).first()
        if ev is None:
            continue
        done.add(ev.courier_id)
        asked = ev.at + timedelta(hours=3)
        contest = Contest(event_id=ev.id, courier_id=ev.courier_id,
                          author_id=authors[ev.courier_id].id, body=body, created_at=asked)
        db.session.add(contest)
        db.session.flush()
        if answer:
            db.session.execute(insert(ContestAnswer), [{
                "contest_id": contest.id, "author_id": council.id, "body": answer,
                "created_at": asked + timedelta(hours=20)}])

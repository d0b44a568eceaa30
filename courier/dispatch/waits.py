"""Why work waits, said from the cycle's facts (:mod:`courier.dispatch.facts`): why a
pending job went to nobody, and why a courier free on shift got no offer.

Each reason states the fact that decided: who could have taken the job alone and was
given other work; the capacity, the cap or the time that stopped every courier, with
its figures; an offer declined or left to expire; paid work and volunteers.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from courier.dispatch import reach
from courier.dispatch.facts import FITS
from courier.dispatch.gate import vehicle_name
from courier.fairwork import safety, tracking
from courier.fairwork.limits import hm
from courier.texts import N_, Phrase, joined

OVER_CAPACITY = N_("not assigned: {amount} {unit} is over every on-shift vehicle's capacity "
                   "(largest {largest} {unit})")
FOR_BUSY = N_("not assigned yet: {amount} {unit} fits only {names}, considering another "
              "offer; waiting for them")
OVER_CAP = N_("not assigned: {amount} {unit} is over every on-shift vehicle's cap under "
              "{rules} (largest {largest} {unit})")
RUNS_FULL = N_("not assigned: every on-shift courier's run is full under {rules}")
TOO_LATE = N_("not assigned: no courier free on shift can deliver it by {time}; the soonest, "
              "{name}, would arrive at {arrival}")
NO_TIME = N_("not assigned: no courier free on shift has enough working time left for it "
             "under {rules}")
RUN_TOO_LONG = N_("not assigned: riding it takes longer than a run may last under {rules} "
                  "({lasts}, at most {limit})")
VOLUNTEERS_ONLY = N_("not assigned: only volunteers are free on shift, and they take "
                     "solidarity work only")
REFUSED = N_("not assigned: {who}; it will be offered to them again after a cool-down")
DECLINED_BY = N_("declined by {names}")
LAPSED_WITH = N_("not answered in time by {names}")
NONE_ALLOWED = N_("not assigned: no courier free on shift may take it")
EACH = N_("not assigned: no courier free on shift can take it ({each})")
WHO_WHY = N_("{name}: {why}")
BESIDE = N_("not assigned yet: it fits {names} alone, but not beside the work planned for "
            "them; waiting for the next cycle")
LEFT_OUT = N_("not assigned yet: {names} could take it, but the planner left it out this "
              "cycle; waiting for the next one")
# the same facts, as a courier hears them
WENT_ELSEWHERE = N_("every pending job was planned with another courier")
ONE_LEFT, LEFT = N_("the {n} job left"), N_("the {n} jobs left")
ONE_OVER_CAP = N_("{jobs} is over your {vehicle}'s {kg} kg cap")
OVER_YOUR_CAP = N_("{jobs} are over your {vehicle}'s {kg} kg cap")
NO_TIME_LEFT = N_("{jobs} did not fit in your remaining working time ({why})")
OUT_OF_REACH = N_("{jobs} could not be reached in time from where you are")
TOO_LONG = N_("{jobs} would make a run longer than the rules allow")
PAID_WORK = N_("{jobs}: paid work, and you take solidarity work only")
YOU_REFUSED = N_("{jobs}: you turned it down a moment ago")
FIT_ALONE = N_("{jobs} fit you alone, but not into this cycle's plan; waiting for the next")
NOT_YOURS = N_("{jobs}: not yours to take")
BEYOND_CAPS = N_("not assigned: riding it would take every courier free on shift past a cap "
                 "under {rules} ({what}, {rule})")
PAST_YOUR_CAP = N_("{jobs} would take you past a cap ({what}, {rule})")
SHORT = {"volunteer": N_("solidarity work only"), "refused": N_("turned it down"),
         "not_allowed": N_("may not take it"), "capacity": N_("{amount} {unit} over capacity"),
         "cap": N_("over the cap"), "stops": N_("run full"),
         "late": N_("would arrive at {arrival}"), "working_time": N_("working time left"),
         "run_length": N_("run too long"), "reach": N_("past a cap on km or climbing"),
         FITS: N_("fits")}
UNITS = ("kg", "L")


def _names(couriers) -> str:
    return ", ".join(c.user.first_name for c in couriers)


def _clock(snap, seconds: int) -> str:
    """A time of the day, as the coop's members read it (its own time zone)."""
    return tracking.local(snap.now + timedelta(seconds=seconds))


def job_waits(job, snap, rules, given: set[int]) -> Phrase:
    """Why ``job`` went to nobody in the cycle of ``snap``; ``given``: the couriers who
    were offered a run in it."""
    fits = snap.fits.get(job.id, {})
    free = {c.id: c for c in snap.couriers}
    able = [free[cid] for cid, f in fits.items() if f.code == FITS]
    if able:
        idle = [c for c in able if c.id not in given]
        return Phrase(LEFT_OUT if idle else BESIDE, names=_names(idle or able))
    codes = Counter(f.code for f in fits.values())
    if len(codes) == 1:
        (code,) = codes
        return _all_stopped_by(code, job, snap, rules, fits, free)
    each = joined([Phrase(WHO_WHY, name=free[cid].user.first_name, why=_short(f, snap))
                   for cid, f in fits.items()])
    return Phrase(EACH, each=each)


def _short(f, snap) -> Phrase:
    if f.code == "capacity":
        return Phrase(SHORT[f.code], amount=f"{f.figures['amount']:g}",
                      unit=UNITS[f.figures["dim"]])
    if f.code == "late":
        return Phrase(SHORT[f.code], arrival=_clock(snap, f.figures["arrival_s"]))
    return Phrase(SHORT[f.code])


def _all_stopped_by(code, job, snap, rules, fits, free) -> Phrase:
    if code == "capacity":
        d = next(iter(fits.values())).figures["dim"]
        amount = (job.weight_kg, job.volume_l)[d]
        busy = [c for c in snap.deciding if (c.capacity_kg, c.capacity_l)[d] + 1e-9 >= amount]
        if busy:
            return Phrase(FOR_BUSY, amount=f"{amount:g}", unit=UNITS[d], names=_names(busy))
        largest = max((c.capacity_kg, c.capacity_l)[d] for c in snap.couriers)
        return Phrase(OVER_CAPACITY, amount=f"{amount:g}", unit=UNITS[d], largest=f"{largest:g}")
    if code == "cap":
        d = next(iter(fits.values())).figures["dim"]
        largest = max(f.figures["cap"] for f in fits.values())
        return Phrase(OVER_CAP, amount=f"{(job.weight_kg, job.volume_l)[d]:g}", unit=UNITS[d],
                      rules=rules, largest=f"{largest:g}")
    if code == "late":
        cid, f = min(fits.items(), key=lambda kv: kv[1].figures["arrival_s"])
        return Phrase(TOO_LATE, time=tracking.local(job.deliver_by), name=free[cid].user.first_name,
                      arrival=_clock(snap, f.figures["arrival_s"]))
    if code == "refused":
        parts = []
        for how, template in (("declined", DECLINED_BY), ("expired", LAPSED_WITH)):
            who = [free[cid] for cid, f in fits.items() if f.figures["how"] == how]
            if who:
                parts.append(Phrase(template, names=_names(who)))
        return Phrase(REFUSED, who=joined(parts))
    if code == "reach":  # the courier it would take least far past their cap
        f = min(fits.values(), key=lambda f: f.figures["value"] / max(f.figures["limit"], 1))
        return Phrase(BEYOND_CAPS, rules=rules, what=reach.said(f), rule=f.figures["rule"])
    if code == "run_length":
        f = min(fits.values(), key=lambda f: f.figures["lasts_s"])
        return Phrase(RUN_TOO_LONG, rules=rules, lasts=hm(f.figures["lasts_s"]),
                      limit=hm(f.figures["limit_s"]))
    template = {"volunteer": VOLUNTEERS_ONLY, "stops": RUNS_FULL, "working_time": NO_TIME,
                "not_allowed": NONE_ALLOWED}[code]
    return Phrase(template, **({"rules": rules} if "{rules}" in template else {}))


def courier_waits(c, snap, left: list) -> Phrase:
    """Why courier ``c``, free on shift, got no offer: ``left`` are the jobs nobody got."""
    if not left:
        return Phrase(WENT_ELSEWHERE)
    fits = [snap.fits.get(j.id, {}).get(c.id) for j in left]
    codes = Counter(f.code for f in fits if f is not None)
    parts = []
    for code, n in codes.most_common():
        jobs = Phrase(ONE_LEFT if n == 1 else LEFT, n=n)
        parts.append(_to_courier(code, jobs, n, c, snap))
    return joined(parts) if parts else Phrase(WENT_ELSEWHERE)


def _to_courier(code, jobs, n, c, snap) -> Phrase:
    lim = safety.tighten(snap.rules.limits[c.id])  # the caps the weather lowered among them
    if code in ("capacity", "cap"):
        kg = c.capacity_kg if code == "capacity" or lim.caps is None \
            else min(c.capacity_kg, lim.caps[0])
        return Phrase(ONE_OVER_CAP if n == 1 else OVER_YOUR_CAP, jobs=jobs,
                      vehicle=vehicle_name(c), kg=f"{kg:g}")
    if code == "reach":
        f = next(f for j in snap.fits.values() if (f := j.get(c.id)) and f.code == "reach")
        return Phrase(PAST_YOUR_CAP, jobs=jobs, what=reach.said(f), rule=f.figures["rule"])
    table = {"working_time": (NO_TIME_LEFT, {"why": lim.deadline_why}), "late": (OUT_OF_REACH, {}),
             "run_length": (TOO_LONG, {}), "volunteer": (PAID_WORK, {}),
             "refused": (YOU_REFUSED, {}), FITS: (FIT_ALONE, {})}
    template, values = table.get(code, (NOT_YOURS, {}))
    return Phrase(template, jobs=jobs, **values)

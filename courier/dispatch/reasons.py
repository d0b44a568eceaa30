"""Why work went where it went, in words a courier or a shopkeeper understands: why a
run was offered to a courier, and why a job waits (from the cycle's facts, see
:mod:`courier.dispatch.waits`)."""

from __future__ import annotations

from courier.dispatch import waits
from courier.dispatch.gate import vehicle_name
from courier.dispatch.planning import Snapshot
from courier.fairwork import safety
from courier.models import Courier, Job
from courier.texts import N_, Phrase, joined

RULES = N_("the rules")
WITH_RULES = N_("{reason} ({rules})")
NO_COURIER = N_("not assigned: no courier on shift")
ALL_HELD = N_("not assigned: every courier free on shift is held back under {rules} ({who})")
HELD = N_("{name}: {why}")
ALL_CONSIDERING = N_("not assigned: every courier on shift is considering an offer")
BEST_PLAN = N_("best plan for the couriers on shift")
OFFERED = N_("offered to {name}: {why}, {load} of {cap} kg; {jobs}, {km} km by {vehicle}")
ONE_JOB, JOBS = N_("{n} job"), N_("{n} jobs")
NEAREST = N_("nearest {kind} on shift, {km} km away")
COURIER = N_("courier")
FEWER_HOURS = N_("fewer hours this week than nearer couriers (balancing), {km} km away")
LESS_PAY = N_("less pay this week than nearer couriers (balancing), {km} km away")
LESS_HOURLY = N_("less pay per hour on shift this week than nearer couriers (balancing), "
                 "{km} km away")
NEARER_BUSY = N_("{km} km away; {name}, nearer ({near} km), rides other work of this plan")
BEST_FIT_OVER = N_("{km} km away; {name}, nearer ({near} km), fits it less well with the rest "
                   "of the plan")
NO_OFFER = N_("no offer: {why} ({rules})")
CUT_BACK = N_("not assigned yet: left out of {name}'s run, which would go past a cap "
              "({why}, {rule}); waiting for the next cycle")


def _kg(x: float) -> str:
    return f"{x:g} kg"


def _rules(snap: Snapshot) -> str:
    return snap.rules.label if snap.rules is not None else Phrase(RULES)


def unassigned(job: Job, snap: Snapshot, given: set[int]) -> Phrase:
    """The reason ``job`` was not offered to anyone in this cycle, naming the rules
    version in force; ``given``: the couriers offered a run in it."""
    text = _unassigned(job, snap, given)
    label = _rules(snap)
    return text if label in text else Phrase(WITH_RULES, reason=text, rules=label)


def _capped(c: Courier, snap: Snapshot) -> tuple[float, float]:
    lim = snap.rules.limits.get(c.id) if snap.rules is not None else None
    lim = safety.tighten(lim) if lim is not None else None  # as the weather lowered them
    if lim is None or lim.caps is None:
        return c.capacity_kg, c.capacity_l
    return min(c.capacity_kg, lim.caps[0]), min(c.capacity_l, lim.caps[1])


def _unassigned(job: Job, snap: Snapshot, given: set[int]) -> Phrase:
    if snap.on_shift == 0:
        return Phrase(NO_COURIER)
    if not snap.couriers and snap.held:
        who = joined([Phrase(HELD, name=c.user.first_name, why=why)
                      for c, why in snap.held.values()])
        return Phrase(ALL_HELD, rules=_rules(snap), who=who)
    if not snap.couriers:
        return Phrase(ALL_CONSIDERING)
    if job.id in snap.trimmed:  # planned, then cut back to the courier's caps
        cid, why, rule = snap.trimmed[job.id]
        name = next(c.user.first_name for c in snap.couriers if c.id == cid)
        return Phrase(CUT_BACK, name=name, why=why, rule=rule)
    return waits.job_waits(job, snap, _rules(snap), given)


def offer(courier: Courier, jobs: int, km: float, peak_kg: float, *, why: str = "",
          cap_kg: float | None = None, rules: str = "", notes: tuple[str, ...] = ()) -> str:
    """Why this run went to this courier: ``why`` it is them (e.g. "nearest cargo bike
    on shift, 2.1 km away"), the load against the cap, the rules version, and
    ``notes`` (a break planned, a warning rule breached)."""
    why = why or Phrase(BEST_PLAN)
    cap = courier.capacity_kg if cap_kg is None else cap_kg
    text = Phrase(OFFERED, name=courier.user.first_name, why=why, load=f"{peak_kg:g}",
                  cap=f"{cap:g}", jobs=Phrase(ONE_JOB if jobs == 1 else JOBS, n=jobs),
                  km=f"{km:.1f}", vehicle=vehicle_name(courier))
    return joined([text, *([rules] if rules else []), *notes])


def why_them(courier: Courier, pickup: tuple[float, float], peak_kg: float,
             snap: Snapshot) -> str:
    """Why this courier rather than another: nearest able to carry the load, or
    preferred by balancing, or, naming the nearest one, why not them: they ride other
    work of this plan, or the whole plan is shorter this way."""
    from geopy.distance import geodesic

    away = {c.id: geodesic(tuple(snap.free_from[c.id][0]), pickup).km for c in snap.couriers}
    mine = away[courier.id]
    able = [c for c in snap.couriers if _capped(c, snap)[0] + 1e-9 >= peak_kg]
    nearest = min(able or [courier], key=lambda c: away[c.id])
    if away[nearest.id] >= mine - 0.05:
        kind = Phrase(COURIER)
        if len(able) < len(snap.couriers) and all(c.vehicle == courier.vehicle for c in able):
            kind = vehicle_name(courier)
        return Phrase(NEAREST, kind=kind, km=f"{mine:.1f}")
    factors = snap.rules.cost_factor if snap.rules is not None else {}
    if factors.get(courier.id, 1.0) < factors.get(nearest.id, 1.0):
        mode = snap.rules.version.rules["fairness"]["balance"]
        why = {"hours": FEWER_HOURS, "pay": LESS_PAY, "hourly": LESS_HOURLY}[mode]
        return Phrase(why, km=f"{mine:.1f}")
    near = {"name": nearest.user.first_name, "near": f"{away[nearest.id]:.1f}", "km": f"{mine:.1f}"}
    if nearest.id in snap.planned:
        return Phrase(NEARER_BUSY, **near)
    return Phrase(BEST_FIT_OVER, **near)


def not_offered(why: str, rules: str) -> Phrase:
    """Why a courier free on shift got no offer in a cycle that had work."""
    return Phrase(NO_OFFER, why=why, rules=rules)

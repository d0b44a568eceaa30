"""Why work went where it went, in words a courier or a shopkeeper understands."""

from __future__ import annotations

from courier.dispatch.planning import Snapshot
from courier.models import Courier, Job


def _kg(x: float) -> str:
    return f"{x:g} kg"


def _rules(snap: Snapshot) -> str:
    return snap.rules.label if snap.rules is not None else "the rules"


def unassigned(job: Job, code: str, snap: Snapshot) -> str:
    """The reason ``job`` was not offered to anyone in this cycle, naming the rules
    version in force."""
    text = _unassigned(job, code, snap)
    label = _rules(snap)
    return text if label in text else f"{text} ({label})"


def _capped(c: Courier, snap: Snapshot) -> tuple[float, float]:
    lim = snap.rules.limits.get(c.id) if snap.rules is not None else None
    if lim is None or lim.caps is None:
        return c.capacity_kg, c.capacity_l
    return min(c.capacity_kg, lim.caps[0]), min(c.capacity_l, lim.caps[1])


def _unassigned(job: Job, code: str, snap: Snapshot) -> str:
    if snap.on_shift == 0:
        return "not assigned: no courier on shift"
    if not snap.couriers and snap.held:
        who = "; ".join(f"{c.user.first_name}: {why}" for c, why in snap.held.values())
        return (f"not assigned: every courier free on shift is held back under {_rules(snap)} "
                f"({who})")
    if not snap.couriers:
        return "not assigned: every courier on shift is considering an offer"
    if code == "capacity":
        phys_kg = max(c.capacity_kg for c in snap.couriers)
        phys_l = max(c.capacity_l for c in snap.couriers)
        max_kg = max(_capped(c, snap)[0] for c in snap.couriers)
        max_l = max(_capped(c, snap)[1] for c in snap.couriers)
        for amount, unit, cap, phys in ((job.weight_kg, "kg", max_kg, phys_kg),
                                        (job.volume_l, "L", max_l, phys_l)):
            if amount > phys:
                return (f"not assigned: {amount:g} {unit} is over every on-shift vehicle's "
                        f"capacity (largest {phys:g} {unit})")
            if amount > cap:
                return (f"not assigned: {amount:g} {unit} is over every on-shift vehicle's cap "
                        f"under {_rules(snap)} (largest {cap:g} {unit})")
        stops = [lim.max_stops for lim in (snap.rules.limits.values() if snap.rules else [])]
        if stops and all(s is not None and s < 2 for s in stops):
            return f"not assigned: every on-shift courier's run is full under {_rules(snap)}"
        return "not assigned: too heavy or bulky for the couriers allowed to take it"
    if code == "time_window":
        return (f"not assigned: no courier on shift can deliver it by "
                f"{job.deliver_by:%H:%M} UTC within the working time {_rules(snap)} allows")
    if code == "working_time":
        return (f"not assigned: no courier on shift has enough working time left for it "
                f"under {_rules(snap)}")
    if code == "not_allowed" and not job.solidarity and all(c.volunteer for c in snap.couriers):
        return ("not assigned: only volunteers are free on shift, and they take solidarity "
                "work only")
    if code == "not_allowed":
        return ("not assigned: declined by every courier on shift; it will be offered to them "
                "again after a cool-down")
    if code == "no_vehicle":
        return "not assigned: no courier available"
    return "not assigned yet: every courier on shift has a full plan; waiting for the next cycle"


def vehicle_name(courier: Courier) -> str:
    return "cargo bike" if courier.vehicle.value == "cargo_bike" else "bike"


def offer(courier: Courier, jobs: int, km: float, peak_kg: float, *, why: str = "",
          cap_kg: float | None = None, rules: str = "", notes: tuple[str, ...] = ()) -> str:
    """Why this run went to this courier: ``why`` it is them (e.g. "nearest cargo bike
    on shift, 2.1 km away"), the load against the cap, the rules version, and
    ``notes`` (a break planned, a warning rule breached)."""
    why = why or "best plan for the couriers on shift"
    cap = courier.capacity_kg if cap_kg is None else cap_kg
    text = (f"offered to {courier.user.first_name}: {why}, {peak_kg:g} of {cap:g} kg; "
            f"{jobs} job{'s' if jobs != 1 else ''}, {km:.1f} km by {vehicle_name(courier)}")
    if rules:
        text += f"; {rules}"
    for note in notes:
        text += f"; {note}"
    return text[:500]


def why_them(courier: Courier, pickup: tuple[float, float], peak_kg: float,
             snap: Snapshot) -> str:
    """Why this courier rather than another: nearest able to carry the load, or
    preferred by balancing, or the best fit for the whole plan."""
    from geopy.distance import geodesic

    away = {c.id: geodesic(tuple(snap.free_from[c.id][0]), pickup).km for c in snap.couriers}
    mine = away[courier.id]
    able = [c for c in snap.couriers if _capped(c, snap)[0] + 1e-9 >= peak_kg]
    nearest = min(able or [courier], key=lambda c: away[c.id])
    if away[nearest.id] >= mine - 0.05:
        kind = "courier"
        if len(able) < len(snap.couriers) and all(c.vehicle == courier.vehicle for c in able):
            kind = vehicle_name(courier)
        return f"nearest {kind} on shift, {mine:.1f} km away"
    factors = snap.rules.cost_factor if snap.rules is not None else {}
    if factors.get(courier.id, 1.0) < factors.get(nearest.id, 1.0):
        what = "hours" if snap.rules.version.rules["fairness"]["balance"] == "hours" else "pay"
        return f"fewer {what} this week than nearer couriers (balancing), {mine:.1f} km away"
    return f"{mine:.1f} km away, best fit for the whole plan"


def not_offered(why: str, rules: str) -> str:
    """Why a courier free on shift got no offer in a cycle that had work."""
    return f"no offer: {why} ({rules})"[:500]

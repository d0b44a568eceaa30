"""Why work went where it went, in words a courier or a shopkeeper understands."""

from __future__ import annotations

from courier.dispatch.planning import Snapshot
from courier.models import Courier, Job


def _kg(x: float) -> str:
    return f"{x:g} kg"


def unassigned(job: Job, code: str, snap: Snapshot) -> str:
    """The reason ``job`` was not offered to anyone in this cycle."""
    if snap.on_shift == 0:
        return "not assigned: no courier on shift"
    if not snap.couriers:
        return "not assigned: every courier on shift is considering an offer"
    if code == "capacity":
        max_kg = max(c.capacity_kg for c in snap.couriers)
        max_l = max(c.capacity_l for c in snap.couriers)
        if job.weight_kg > max_kg:
            return (f"not assigned: {_kg(job.weight_kg)} is over every on-shift vehicle's "
                    f"capacity (largest {_kg(max_kg)})")
        if job.volume_l > max_l:
            return (f"not assigned: {job.volume_l:g} L is over every on-shift vehicle's "
                    f"capacity (largest {max_l:g} L)")
        return "not assigned: too heavy or bulky for the couriers allowed to take it"
    if code == "time_window":
        return (f"not assigned: no courier on shift can deliver it by "
                f"{job.deliver_by:%H:%M} UTC")
    if code == "working_time":
        return "not assigned: no courier on shift has enough working time left"
    if code == "not_allowed":
        return ("not assigned: declined by every courier on shift; it will be offered to them "
                "again after a cool-down")
    if code == "no_vehicle":
        return "not assigned: no courier available"
    return "not assigned yet: every courier on shift has a full plan; waiting for the next cycle"


def offer(courier: Courier, jobs: int, km: float, peak_kg: float) -> str:
    """Why this run went to this courier."""
    vehicle = "cargo bike" if courier.vehicle.value == "cargo_bike" else "bike"
    return (f"offered to {courier.user.first_name}: best plan for the couriers on shift, "
            f"{jobs} job{'s' if jobs != 1 else ''}, {km:.1f} km by {vehicle}, "
            f"up to {peak_kg:g} of {courier.capacity_kg:g} kg")

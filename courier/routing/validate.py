"""Problems the planner cannot take are refused up front, by field.

:func:`validate` raises :class:`ValueError` whose message starts with the
field at fault (``durations``, ``vehicles[3].breaks[0].time_windows``, ...):
matrices that are not square or smaller than the locations used, negative
durations or distances, breaks whose windows lie outside the vehicle's shift,
capacity dimensions that differ between vehicles or from the shipments',
negative amounts, services, capacities or caps, repeated ids.
"""

from __future__ import annotations

import numpy as np

from courier.routing.problem import Problem


def _matrix(name: str, m, needed: int) -> None:
    try:
        arr = np.asarray(m, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: not a numeric matrix") from None
    if arr.size == 0 and needed == 0:
        return
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name}: must be square, got shape {arr.shape}")
    if arr.shape[0] < needed:
        raise ValueError(f"{name}: {arr.shape[0]} locations, the problem uses {needed}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name}: negative or non-finite entries")
    if arr.size and arr.max() >= 2**40:
        raise ValueError(f"{name}: entries too large (seconds and metres expected)")


def validate(problem: Problem) -> None:
    """Raise ValueError naming the field of ``problem`` the planner cannot take."""
    vehicles, shipments = problem.vehicles, problem.shipments
    locations = [v.start for v in vehicles] + [v.end for v in vehicles if v.end is not None]
    for sh in shipments:
        locations += [sh.pickup.location, sh.delivery.location]
    if any(not isinstance(x, (int, np.integer)) or x < 0 for x in locations):
        raise ValueError("locations: every location must be an index >= 0 into the matrices")
    needed = max(locations) + 1 if locations else 0
    _matrix("durations", problem.durations, needed)
    if problem.distances is not None:
        _matrix("distances", problem.distances, needed)
        if np.shape(problem.distances) != np.shape(problem.durations):
            raise ValueError("distances: must have the shape of durations")
    dims = {len(v.capacity) for v in vehicles if v.capacity}
    if len(dims) > 1:
        raise ValueError(f"vehicles.capacity: dimensions differ between vehicles: {sorted(dims)}")
    dim = dims.pop() if dims else None
    if len({v.id for v in vehicles}) != len(vehicles):
        raise ValueError("vehicles.id: repeated vehicle id")
    if len({s.id for s in shipments}) != len(shipments):
        raise ValueError("shipments.id: repeated shipment id")
    for i, v in enumerate(vehicles):
        where = f"vehicles[{i}]"
        if any(c < 0 for c in v.capacity):
            raise ValueError(f"{where}.capacity: negative")
        for name in ("max_working_time", "max_stops"):
            if getattr(v, name) is not None and getattr(v, name) < 0:
                raise ValueError(f"{where}.{name}: negative")
        if not v.speed_factor > 0 or not v.cost_factor >= 0 or v.fixed_cost < 0:
            raise ValueError(f"{where}.speed_factor/cost_factor/fixed_cost: out of range")
        for k, b in enumerate(v.breaks):
            if b.duration < 0:
                raise ValueError(f"{where}.breaks[{k}].duration: negative")
            tw = v.time_window
            if not b.time_windows or not any(w.start <= tw.end and w.end >= tw.start
                                             for w in b.time_windows):
                raise ValueError(f"{where}.breaks[{k}].time_windows: outside the vehicle's "
                                 f"time window [{tw.start}, {tw.end}]")
    for i, sh in enumerate(shipments):
        where = f"shipments[{i}]"
        if dim is not None and sh.amount and len(sh.amount) != dim:
            raise ValueError(f"{where}.amount: {len(sh.amount)} dimensions, the vehicles' "
                             f"capacity has {dim}")
        if any(a < 0 for a in sh.amount):
            raise ValueError(f"{where}.amount: negative")
        if sh.pickup.service < 0 or sh.delivery.service < 0:
            raise ValueError(f"{where}.service: negative")

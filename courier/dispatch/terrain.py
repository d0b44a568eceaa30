"""What the safety rules need to know of the world now (:func:`assessor`): the weather
(:mod:`courier.dispatch.conditions`), the heights of the coop's territory
(``ELEVATION_DEM``, read once and kept while the file is unchanged) and the km each
electric cargo bike has ridden on its charge (since going on shift)."""

from __future__ import annotations

import logging
import os

from flask import current_app
from sqlalchemy import select

from courier.dispatch import conditions
from courier.extensions import db
from courier.fairwork import safety
from courier.models import Run, RunStatus
from courier.routing.elevation import Grid, GridError, climb, read_ascii_grid

log = logging.getLogger(__name__)
_grids: dict[tuple, Grid | None] = {}


def grid() -> Grid | None:
    """The configured elevation model, or None (none set, or a file that cannot be read:
    the climbing rule is then not checked, and the failure is logged once)."""
    path = current_app.config.get("ELEVATION_DEM")
    if not path:
        return None
    try:
        key = (path, os.path.getmtime(path))
    except OSError as err:
        key = (path, None)
        if key not in _grids:
            log.error("elevation model %s unavailable, climbing not checked: %s", path, err)
            _grids[key] = None
        return None
    if key not in _grids:
        try:
            _grids[key] = read_ascii_grid(path)
        except (GridError, OSError) as err:
            log.error("elevation model %s unreadable, climbing not checked: %s", path, err)
            _grids[key] = None
    return _grids[key]


def climb_on() -> bool:
    return grid() is not None


def climb_of(points) -> float | None:
    """Metres climbed riding through ``points`` (objects with ``lat`` and ``lon``, or
    pairs), None without an elevation model (or outside it)."""
    g = grid()
    if g is None or len(points) < 2:
        return None if g is None else 0.0
    pairs = [(p.lat, p.lon) if hasattr(p, "lat") else (p[0], p[1]) for p in points]
    found = climb(g, pairs, float(current_app.config["ELEVATION_SAMPLE_M"]))
    return None if found is None else round(found, 1)


def ridden_km(couriers) -> dict[int, float]:
    """Courier id -> km of the runs they accepted since going on shift (those done and
    the one they ride): what their battery has used since the charge it started with."""
    on = {c.id: c.shift_started_at for c in couriers if c.shift_started_at is not None}
    if not on:
        return {}
    rows = db.session.execute(
        select(Run.courier_id, Run.accepted_at, Run.distance_m)
        .where(Run.courier_id.in_(list(on)), Run.accepted_at.is_not(None),
               Run.status.in_((RunStatus.ACCEPTED, RunStatus.DONE)),
               Run.accepted_at >= min(on.values()))).all()
    out: dict[int, float] = {}
    for cid, accepted, metres in rows:
        if accepted >= on[cid]:
            out[cid] = out.get(cid, 0.0) + (metres or 0) / 1000
    return out


def assessor(doc: dict, couriers, now):
    """``(courier, work) -> Safety``: the safety rules of ``doc`` for each of ``couriers``
    now, the world read once for them all (and only what a rule that is on needs)."""
    rules = safety.section(doc)
    weather = conditions.current(now)
    climbing = rules["climb"]["enforce"] != "off" and climb_on()
    ridden = ridden_km([c for c in couriers if c.vehicle.value == "cargo_bike"]) \
        if rules["battery"]["enforce"] != "off" else {}
    return lambda c, work: safety.assess(doc, c.vehicle.value, weather, work, now,
                                         ridden.get(c.id, 0.0), climbing)

"""A planned route with some of its shipments taken off."""

from __future__ import annotations

import dataclasses

from courier.routing.problem import Problem, Route


def without(route: Route, gone, problem: Problem) -> Route:
    """``route`` without the steps of the shipments in ``gone``: its distances and
    loads worked out again, its times kept (riding less never makes a stop later)."""
    amounts = {s.id: s.amount for s in problem.shipments}
    steps, here, metres = [], None, 0
    load = list(route.steps[0].load) if route.steps else []
    for s in route.steps:
        if s.shipment in gone:
            continue
        if s.location is not None:
            if here is not None and problem.distances is not None:
                metres += int(problem.distances[here][s.location])
            here = s.location
        if s.type in ("pickup", "delivery"):
            sign = 1 if s.type == "pickup" else -1
            load = [x + sign * y for x, y in zip(load, amounts[s.shipment], strict=False)]
        steps.append(dataclasses.replace(s, distance=metres, load=tuple(load)))
    return dataclasses.replace(route, steps=tuple(steps), distance=metres)

"""Vehicle routing for the dispatch engine: a pure pickup-and-delivery solver.

No Flask, no database: a :class:`Problem` in, a :class:`Plan` out, OR-Tools
behind :func:`solve`.
"""

from courier.routing.problem import (
    INFINITY,
    Break,
    Plan,
    PlannedStep,
    Problem,
    Route,
    Shipment,
    Stats,
    Stop,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Vehicle,
)
from courier.routing.solver import solve

__all__ = [
    "INFINITY",
    "Break",
    "Plan",
    "PlannedStep",
    "Problem",
    "Route",
    "Shipment",
    "Stats",
    "Stop",
    "TimeWindow",
    "Unassigned",
    "UnassignedReason",
    "Vehicle",
    "solve",
]

"""The routing boundary: a pickup-and-delivery problem in, a plan out.

Plain frozen dataclasses, shaped after VROOM's problem/solution format. Everything
is an integer: times in seconds from an epoch the caller chooses (dispatch uses
"now"), distances in metres, amounts in whatever unit each capacity dimension
uses (dispatch uses grams and millilitres). Locations are indices into the
duration and distance matrices; coordinates never cross this boundary, so there
is no ``[lon, lat]`` ambiguity here.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Id = Hashable
INFINITY = 10**9  # an open time bound, in seconds (about 31 years)


@dataclass(frozen=True)
class TimeWindow:
    """Service may start at any time in ``[start, end]`` (waiting is allowed)."""

    start: int = 0
    end: int = INFINITY

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends before it starts: {self.start} > {self.end}")


@dataclass(frozen=True)
class Stop:
    """One end of a shipment: where, when service may start, and how long it takes."""

    location: int
    time_window: TimeWindow = TimeWindow()
    service: int = 0


@dataclass(frozen=True)
class Shipment:
    """Something to carry from ``pickup`` to ``delivery`` on one vehicle.

    ``amount`` has one entry per capacity dimension of the vehicles.
    ``priority`` (0-100) weighs the penalty of leaving the shipment unserved:
    a higher priority is served first when not everything fits.
    ``allowed_vehicles`` restricts which vehicles may carry it (None: any).
    ``onboard``: the id of the vehicle that already carries it; the pickup is
    then ignored and only the delivery is planned, on that vehicle, counting in
    the vehicle's load from its start.
    ``preferred_vehicle``: the vehicle that had it in the previous plan; a soft
    preference that keeps successive plans stable.
    ``mandatory``: must be served (accepted work); the plan fails rather than
    drop it.
    ``group``: shipments sharing a group are served by one vehicle, all or none
    (a multi-drop delivery: one pickup, several drop-offs).
    """

    id: Id
    pickup: Stop
    delivery: Stop
    amount: tuple[int, ...] = ()
    priority: int = 0
    allowed_vehicles: frozenset | None = None
    onboard: Id | None = None
    preferred_vehicle: Id | None = None
    mandatory: bool = False
    group: Id | None = None


@dataclass(frozen=True)
class Break:
    """A rest the vehicle must take, somewhere in one of its windows."""

    id: Id
    time_windows: tuple[TimeWindow, ...]
    duration: int


@dataclass(frozen=True)
class Vehicle:
    """A courier on shift.

    ``start``/``end`` are location indices; ``end=None`` means the route ends at
    its last delivery (couriers do not return to a depot). ``time_window`` is the
    availability (the route starts no earlier and ends no later).
    ``max_working_time`` caps the route's duration (end minus start, waiting
    included). ``speed_factor`` multiplies travel durations (a loaded cargo bike
    is slower). ``fixed_cost`` is paid when the vehicle is used at all;
    ``cost_factor`` multiplies its travel cost (the fairness hook: a courier who
    has worked less so far this period gets a factor below 1).
    """

    id: Id
    start: int
    end: int | None = None
    time_window: TimeWindow = TimeWindow()
    capacity: tuple[int, ...] = ()
    max_working_time: int | None = None
    max_stops: int | None = None
    breaks: tuple[Break, ...] = ()
    speed_factor: float = 1.0
    fixed_cost: int = 0
    cost_factor: float = 1.0


@dataclass(frozen=True)
class Problem:
    """Shipments, vehicles and square matrices (``durations[i][j]`` in seconds,
    ``distances[i][j]`` in metres); matrices may be numpy arrays or nested lists.

    ``initial_routes`` warm-starts the search from a previous plan: vehicle id to
    the ordered list of ``(shipment id, "pickup" | "delivery")``.
    ``balance`` > 0 asks the solver to even out route durations among vehicles.
    """

    shipments: Sequence[Shipment]
    vehicles: Sequence[Vehicle]
    durations: Sequence[Sequence[int]]
    distances: Sequence[Sequence[int]] | None = None
    initial_routes: dict = field(default_factory=dict)
    balance: int = 0


StepType = Literal["start", "pickup", "delivery", "break", "end"]


@dataclass(frozen=True)
class PlannedStep:
    """A step of a route: ``arrival`` at the location, service start after any
    waiting, the vehicle's load after the step and distance travelled so far."""

    type: StepType
    location: int | None
    arrival: int
    service_start: int
    load: tuple[int, ...]
    distance: int = 0
    shipment: Id | None = None
    break_id: Id | None = None


@dataclass(frozen=True)
class Route:
    vehicle: Id
    steps: tuple[PlannedStep, ...]
    duration: int  # end minus start, waiting and service included
    distance: int


UnassignedReason = Literal[
    "no_vehicle",  # no vehicle at all
    "capacity",  # heavier/bulkier than every allowed vehicle
    "time_window",  # no allowed vehicle can reach it in time
    "working_time",  # does not fit in any allowed vehicle's remaining working time
    "not_allowed",  # no vehicle is allowed to take it
    "no_room",  # feasible alone, but did not fit in the plan with the rest
]


@dataclass(frozen=True)
class Unassigned:
    shipment: Id
    reason: UnassignedReason
    detail: str = ""


@dataclass(frozen=True)
class Stats:
    solve_time: float  # seconds of wall clock spent in solve()
    status: str  # e.g. "optimal", "feasible", "no_solution", "empty"
    cost: int = 0
    vehicles_used: int = 0
    distance: int = 0
    duration: int = 0


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    stats: Stats

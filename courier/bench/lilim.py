"""Li & Lim PDPTW instances: reader, conversion to a routing problem, independent
verifier and SINTEF solution writer/reader.

Format and conventions (SINTEF TOP, see ``shared/bench/README.md``): first line
``vehicles capacity speed``, then one line per node ``id x y demand earliest
latest service pickup delivery``; node 0 is the depot. Travel time equals the
Euclidean distance in double precision. The solver needs integers: everything
is scaled by :data:`SCALE` and travel times are rounded *up*, so a solution
that is feasible with integers is feasible in double precision; the reported
distance is recomputed in floating point from the routes.

The verifier knows nothing about the solver: it takes routes as lists of node
numbers and checks them against the instance file in double precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle

SCALE = 1000
EPS = 1e-9  # slack for floating-point noise when comparing times with windows


@dataclass(frozen=True)
class Node:
    id: int
    x: float
    y: float
    demand: int
    earliest: float
    latest: float
    service: float
    pickup: int  # for a delivery: its pickup node
    delivery: int  # for a pickup: its delivery node


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]

    @property
    def pairs(self) -> int:
        """Number of pickup-and-delivery requests."""
        return sum(1 for n in self.nodes[1:] if n.demand > 0)

    def distance(self, a: int, b: int) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na.x - nb.x, na.y - nb.y)


def parse(path: str | Path) -> Instance:
    """Read an instance in the original Li & Lim text format."""
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    vehicles, capacity = int(lines[0][0]), int(lines[0][1])
    nodes = []
    for i, f in enumerate(lines[1:]):
        if len(f) < 9:
            raise ValueError(f"{path}: line {i + 2} has {len(f)} fields, expected 9")
        node = Node(int(f[0]), float(f[1]), float(f[2]), int(f[3]), float(f[4]), float(f[5]),
                    float(f[6]), int(f[7]), int(f[8]))
        if node.id != i:
            raise ValueError(f"{path}: node {node.id} on line {i + 2}, expected {i}")
        nodes.append(node)
    return Instance(path.stem, vehicles, capacity, tuple(nodes))


def travel_matrix(inst: Instance) -> np.ndarray:
    """Integer travel times: Euclidean distance times SCALE, rounded up."""
    xy = np.array([(n.x, n.y) for n in inst.nodes], dtype=np.float64)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    return np.ceil(d * SCALE - 1e-7).astype(np.int64)


def to_problem(inst: Instance) -> Problem:
    """The instance as a courier routing problem (shipment id = pickup node number)."""
    depot = inst.nodes[0]
    horizon = TimeWindow(round(depot.earliest * SCALE), round(depot.latest * SCALE))

    def stop(n: Node) -> Stop:
        tw = TimeWindow(round(n.earliest * SCALE), round(n.latest * SCALE))
        return Stop(n.id, tw, round(n.service * SCALE))

    shipments = [Shipment(n.id, stop(n), stop(inst.nodes[n.delivery]), amount=(n.demand,))
                 for n in inst.nodes[1:] if n.demand > 0]
    vehicles = [Vehicle(k, 0, 0, horizon, capacity=(inst.capacity,))
                for k in range(inst.vehicles)]
    matrix = travel_matrix(inst)
    return Problem(shipments, vehicles, matrix, matrix)


def routes_of(plan) -> list[list[int]]:
    """Node numbers of each non-empty route of a plan, depot left out."""
    return [[s.location for s in r.steps if s.type in ("pickup", "delivery")]
            for r in plan.routes if len(r.steps) > 2]


@dataclass(frozen=True)
class Verdict:
    feasible: bool
    vehicles: int
    distance: float
    errors: tuple[str, ...]


def verify(inst: Instance, routes: list[list[int]]) -> Verdict:
    """Check routes against the instance in double precision (see module docstring)."""
    errors: list[str] = []
    depot = inst.nodes[0]
    seen: dict[int, int] = {}
    total = 0.0
    routes = [r for r in routes if r]
    if len(routes) > inst.vehicles:
        errors.append(f"{len(routes)} routes, only {inst.vehicles} vehicles")
    for k, route in enumerate(routes, 1):
        t, load, at, position = depot.earliest, 0, 0, {}
        for pos, node_id in enumerate(route):
            if not 0 < node_id < len(inst.nodes):
                errors.append(f"route {k}: no node {node_id}")
                continue
            if node_id in seen:
                errors.append(f"node {node_id} visited twice (routes {seen[node_id]} and {k})")
            seen[node_id] = k
            position[node_id] = pos
            node = inst.nodes[node_id]
            total += inst.distance(at, node_id)
            t = max(t + inst.distance(at, node_id), node.earliest)
            if t > node.latest + EPS:
                errors.append(f"route {k}: node {node_id} served at {t:.4f} > {node.latest}")
            t += node.service
            load += node.demand
            if load > inst.capacity:
                errors.append(f"route {k}: load {load} > {inst.capacity} at node {node_id}")
            if node.demand < 0 and position.get(node.pickup, len(route)) > pos:
                errors.append(f"route {k}: delivery {node_id} without its pickup "
                              f"{node.pickup} before it on the route")
            at = node_id
        total += inst.distance(at, 0)
        t += inst.distance(at, 0)
        if t > depot.latest + EPS:
            errors.append(f"route {k}: back at the depot at {t:.4f} > {depot.latest}")
    missing = [n.id for n in inst.nodes[1:] if n.id not in seen]
    if missing:
        errors.append(f"{len(missing)} nodes not visited: {missing[:10]}")
    return Verdict(not errors, len(routes), total, tuple(errors))


def write_sintef(path: str | Path, inst: Instance, routes: list[list[int]],
                 reference: str = "courier bench lilim (OR-Tools)") -> None:
    """Write routes in SINTEF's solution format (``Route k : n1 n2 ...``)."""
    import datetime

    lines = [f"Instance name : {inst.name}", "Authors       : courier",
             f"Date          : {datetime.date.today().isoformat()}",
             f"Reference     : {reference}", "Solution"]
    lines += [f"Route {k} : " + " ".join(map(str, r))
              for k, r in enumerate((r for r in routes if r), 1)]
    Path(path).write_text("\n".join(lines) + "\n")


def read_sintef(path: str | Path) -> list[list[int]]:
    """Routes of a solution file in SINTEF's format."""
    routes = []
    for line in Path(path).read_text().splitlines():
        if line.startswith("Route") and ":" in line:
            routes.append([int(x) for x in line.split(":", 1)[1].split()])
    return routes

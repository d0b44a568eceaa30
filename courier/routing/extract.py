"""Read an OR-Tools assignment back into :class:`~courier.routing.problem.Route` objects.

Times come from the time dimension's cumuls (service start); the arrival is
recomputed as the departure from the previous step plus the travel time (plus
any break taken on the way), so waiting shows as ``service_start - arrival``.
Loads and distances are recomputed from the problem, not read from the model,
so they are exactly what the caller's data say.
"""

from __future__ import annotations

from courier.routing.model import TIME, Model
from courier.routing.precheck import travel
from courier.routing.problem import PlannedStep, Route


def _breaks_of(m: Model, assignment, vi: int) -> list[tuple[int, int, object]]:
    """(start, duration, break id) of the breaks the vehicle takes, by start time."""
    out = []
    for brk, iv in m.breaks.get(vi, []):
        if assignment.PerformedValue(iv):
            out.append((assignment.StartValue(iv), int(brk.duration), brk.id))
    return sorted(out, key=lambda x: x[0])


def route_nodes(m: Model, assignment, vi: int) -> list[int]:
    """Node numbers of the vehicle's route, start and end included."""
    routing, manager = m.routing, m.manager
    index = routing.Start(vi)
    nodes = [manager.IndexToNode(index)]
    while not routing.IsEnd(index):
        index = assignment.Value(routing.NextVar(index))
        nodes.append(manager.IndexToNode(index))
    return nodes


def extract_route(m: Model, assignment, vi: int) -> Route:
    """The vehicle's route as planned steps (empty routes included; the caller skips them)."""
    problem = m.problem
    vehicle = problem.vehicles[vi]
    time = m.routing.GetDimensionOrDie(TIME)
    distances = problem.distances
    breaks = _breaks_of(m, assignment, vi)
    index = m.routing.Start(vi)
    load = list(m.start_load[vi]) if m.start_load else []
    start_time = assignment.Value(time.CumulVar(index))
    steps = [PlannedStep("start", vehicle.start, start_time, start_time, tuple(load), 0)]
    depart, loc, dist = start_time, vehicle.start, 0
    end_time = start_time
    for node in route_nodes(m, assignment, vi)[1:]:
        index = assignment.Value(m.routing.NextVar(index))
        cumul = assignment.Value(time.CumulVar(index))
        kind, location = m.node_kind[node], m.node_location[node]
        open_end = kind == "end" and location is None
        taken = [b for b in breaks if open_end or b[0] + b[1] <= cumul]
        breaks = [b for b in breaks if b not in taken]
        for b_start, b_duration, b_id in taken:
            steps.append(PlannedStep("break", None, b_start, b_start, tuple(load), dist,
                                     break_id=b_id))
            end_time = max(end_time, b_start + b_duration)
        if open_end:
            break
        arrival = depart + travel(problem, vehicle, loc, location)
        arrival = min(cumul, arrival + sum(b[1] for b in taken if b[0] >= depart))
        if distances is not None:
            dist += int(distances[loc][location])
        shipment = None
        if kind in ("pickup", "delivery"):
            sh = problem.shipments[m.node_shipment[node]]
            shipment = sh.id
            sign = 1 if kind == "pickup" else -1
            for d in range(len(load)):
                load[d] += sign * (sh.amount[d] if d < len(sh.amount) else 0)
        steps.append(PlannedStep(kind, location, arrival, cumul, tuple(load), dist,
                                 shipment=shipment))
        depart, loc = cumul + m.node_service[node], location
        end_time = max(end_time, depart)
    return Route(vehicle.id, tuple(steps), end_time - start_time, dist)

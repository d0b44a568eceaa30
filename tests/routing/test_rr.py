"""The ruin and recreate search over the whole model, against brute force.

Small random problems with every feature of the model (mixed speeds, cost
factors, fixed costs, open and closed routes, shift windows, two capacity
dimensions, working-time and stop caps, breaks, allowed vehicles, groups,
on-board shipments, preferences, priorities, mandatory shipments, balance):
the compiled evaluation and insertion agree with the Python reference, the
plan is the brute-force optimum of the same objective, and the independent
verifier finds nothing wrong.
"""

from __future__ import annotations

import itertools
import os
import random

import pytest

from courier.bench.verify import violations
from courier.routing import Break, Problem, Shipment, Stop, TimeWindow, Vehicle, rr_c, solve
from courier.routing.precheck import check_shipment, group_checks
from courier.routing.rr_data import pack
from courier.routing.rr_plan import units_of
from courier.routing.rr_route import best_insertion, evaluate, route_cost

BUILT = rr_c.available() or os.environ.get("COURIER_TEST_REQUIRE_COMPILED") == "1"
compiled = pytest.mark.skipif(not BUILT, reason="C extension not built")

FEATURES = ("breaks", "caps", "allowed", "groups", "onboard", "preferred", "priority",
            "mandatory", "balance", "fleet")


def random_problem(seed: int, ships: int = 3, vehicles: int = 2, features=FEATURES) -> Problem:
    rng = random.Random(seed)
    n = 2 * ships + vehicles + 1
    pts = [(rng.randint(0, 60), rng.randint(0, 60)) for _ in range(n)]
    dur = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    vs = []
    for i in range(vehicles):
        a = rng.choice([0, 0, 30])
        brk = ()
        if "breaks" in features and rng.random() < 0.5:
            lo = rng.choice([0, a, a + 40])
            brk = (Break("rest", (TimeWindow(lo, lo + rng.randint(20, 200)),), rng.randint(5, 30)),)
        fleet = "fleet" in features
        vs.append(Vehicle(
            f"v{i}", start=2 * ships + i, end=rng.choice([None, 2 * ships + i, n - 1]),
            time_window=TimeWindow(a, a + rng.randint(250, 500)),
            capacity=(rng.randint(3, 9), rng.randint(3, 9)),
            max_working_time=rng.choice([None, 150, 250]) if "caps" in features else None,
            max_stops=rng.choice([None, 3, 4]) if "caps" in features else None, breaks=brk,
            speed_factor=rng.choice([1.0, 1.25]) if fleet else 1.0,
            fixed_cost=rng.choice([0, 30]) if fleet else 0,
            cost_factor=rng.choice([1.0, 0.8, 1.3]) if fleet else 1.0))
    out = []
    for j in range(ships):
        ready = rng.randint(0, 200)
        tw = TimeWindow(ready, ready + rng.randint(60, 300))
        onboard = f"v{rng.randrange(vehicles)}" if "onboard" in features and rng.random() < 0.2 \
            else None
        out.append(Shipment(
            f"s{j}", Stop(2 * j, tw, rng.randint(0, 10)), Stop(2 * j + 1, tw, rng.randint(0, 10)),
            amount=(rng.randint(1, 4), rng.randint(1, 4)),
            priority=rng.choice([0, 0, 50]) if "priority" in features else 0,
            allowed_vehicles=frozenset(rng.sample([v.id for v in vs], 1))
            if "allowed" in features and rng.random() < 0.3 else None,
            onboard=onboard,
            preferred_vehicle=rng.choice([None, "v0"]) if "preferred" in features else None,
            mandatory="mandatory" in features and rng.random() < 0.2,
            group="g" if "groups" in features and j < 2 and rng.random() < 0.5 else None))
    return Problem(out, vs, dur, dur, balance=rng.choice([0, 0, 2]) if "balance" in features else 0)


def packed(problem: Problem):
    checks = group_checks(problem, [check_shipment(problem, s) for s in problem.shipments])
    modelled = [i for i, c in enumerate(checks) if c.reason is None]
    allowed = {i: checks[i].vehicles for i in modelled}
    return pack(problem, modelled, allowed, 300, 0)


def orders(nodes: list[int], pk) -> list[list[int]]:
    """Every order of ``nodes`` with pickups before their deliveries."""
    partner = pk.data["partner"]
    out = []
    for perm in itertools.permutations(nodes):
        pos = {x: k for k, x in enumerate(perm)}
        if all(partner[x] < 0 or pk.node_kind[x] != "pickup" or pos[x] < pos[int(partner[x])]
               for x in perm):
            out.append(list(perm))
    return out


def key(pk, routes) -> tuple[int, int]:
    """(weight left out, cost): the default objective."""
    d = pk.data
    units = units_of(pk)
    on = {x for r in routes for x in r}
    out = sum(int(d["unit_weight"][u]) for u in units if u not in on)
    cost = sum(route_cost(pk, v, r) for v, r in enumerate(routes))
    durs = [evaluate(pk, v, r)[2] for v, r in enumerate(routes) if r]
    return out, cost + int(d["balance"]) * max(durs + [0])


def brute_force(pk) -> tuple[int, int]:
    units = list(units_of(pk).items())
    nv = len(pk.problem.vehicles)
    best = None
    d = pk.data

    def may(xs, v):
        ships = {int(d["ship"][x]) for x in xs}
        return all(d["allowed"][k][v] if d["onboard"][k] < 0 else d["onboard"][k] == v
                   for k in ships)

    for choice in itertools.product(range(-1, nv), repeat=len(units)):
        if any(c >= 0 and not may(xs, c) for (_, xs), c in zip(units, choice, strict=True)):
            continue
        per = [[x for (u, xs), c in zip(units, choice, strict=True) if c == v for x in xs]
               for v in range(nv)]
        options = []
        for v in range(nv):
            feasible = [o for o in orders(per[v], pk) if not o or evaluate(pk, v, o) is not None]
            if not feasible:
                break
            options.append(feasible)
        else:
            for routes in itertools.product(*options):
                k = key(pk, list(routes))
                best = k if best is None or k < best else best
    return best


def plan_routes(pk, plan) -> list[list[int]]:
    vindex = {v.id: i for i, v in enumerate(pk.problem.vehicles)}
    ids = {pk.problem.shipments[s].id: s for s in pk.modelled}
    routes = [[] for _ in pk.problem.vehicles]
    for r in plan.routes:
        for st in r.steps:
            if st.type in ("pickup", "delivery"):
                s = ids[st.shipment]
                node = (pk.pickup_node if st.type == "pickup" else pk.delivery_node)[s]
                routes[vindex[r.vehicle]].append(node)
    return routes


@pytest.mark.parametrize("seed", range(40))
def test_plan_is_the_brute_force_optimum_and_keeps_every_rule(seed):
    problem = random_problem(seed)
    plan = solve(problem, 0.3, courier_cost=0)
    assert violations(problem, plan) == []
    pk = packed(problem)
    assert key(pk, plan_routes(pk, plan)) == brute_force(pk)


@pytest.mark.parametrize("feature", FEATURES)
@pytest.mark.parametrize("seed", range(6))
def test_each_feature_alone_against_brute_force(feature, seed):
    problem = random_problem(100 + seed, features=(feature,))
    plan = solve(problem, 0.3, courier_cost=0)
    assert violations(problem, plan) == []
    pk = packed(problem)
    assert key(pk, plan_routes(pk, plan)) == brute_force(pk)


@compiled
@pytest.mark.parametrize("seed", range(30))
def test_compiled_evaluation_matches_the_python_one(seed):
    problem = random_problem(seed, ships=4, vehicles=2)
    pk = packed(problem)
    rng = random.Random(seed)
    nodes = list(range(pk.n))
    for _ in range(30):
        v = rng.randrange(len(problem.vehicles))
        seq = rng.sample(nodes, rng.randint(0, len(nodes)))
        assert rr_c.evaluate(pk, v, seq) == evaluate(pk, v, seq), (v, seq)


@compiled
@pytest.mark.parametrize("seed", range(30))
def test_compiled_insertion_is_the_cheapest_feasible_one(seed):
    problem = random_problem(seed, ships=5, vehicles=1, features=FEATURES[:2] + ("fleet",))
    pk = packed(problem)
    d = pk.data
    seq: list[int] = []
    for u in units_of(pk):
        partner = int(d["partner"][u])
        py = best_insertion(pk, 0, seq, u, partner if partner >= 0 else None)
        c = rr_c.insertion(pk, 0, seq, u)
        assert (c is None) == (py is None)
        if c is not None:
            assert evaluate(pk, 0, c[0]) is not None
            assert route_cost(pk, 0, c[0]) - route_cost(pk, 0, seq) == py[0]
            seq = c[0]

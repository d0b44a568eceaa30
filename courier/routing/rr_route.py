"""Routes of the whole model, in Python: the reference of ``_rr_route.c``.

:func:`schedule` says whether a vehicle can serve visits in a given order and
when: loads and capacities (on-board shipments counted from the start), stop
cap, windows of the visits and of the vehicle, breaks, working time. Breaks
are placed by the schedule, not by the search, so that a break never delays
work it need not delay:

- each break (in the order of its first window) is taken in the gap before a
  visit only when it could no longer start after that visit; otherwise it
  waits for a later gap, so it comes as late as the route allows;
- a break still due after the last visit is taken there (after the last stop
  of an open route, before the ride back of a closed one): work that all ends
  before the break window does not wait for it;
- only if that order fails, a second pass also takes a break as soon as it
  fits in the waiting before a visit (it then delays nothing either).

The vehicle then leaves as late as it can without ending later, which gives
the least route duration (the working time checked against
``max_working_time``).

:func:`best_insertion` is the cheapest feasible insertion of a unit by brute
force over every position, the reference the compiled insertion is tested on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from courier.routing.rr_data import BIG, Packed


@dataclass(frozen=True)
class Item:
    """A visit (``node``) or a break (``brk``, its index in the packed data)."""

    node: int | None
    brk: int | None
    arrival: int
    start: int


@dataclass(frozen=True)
class Schedule:
    start: int
    end: int
    duration: int
    items: tuple[Item, ...]


def vehicle_row(pk: Packed, v: int):
    r = pk.data["veh_int"][v]
    sf, cf = pk.data["veh_float"][v]
    return [int(x) for x in r], float(sf), float(cf)


def travel(pk: Packed, v: int, a: int, b: int) -> int:
    if a < 0 or b < 0:
        return 0
    t = int(pk.data["D"][a, b])
    sf = float(pk.data["veh_float"][v][0])
    return t if sf == 1.0 else int(math.ceil(t * sf - 1e-9))


def arc_cost(pk: Packed, v: int, t: int) -> int:
    cf = float(pk.data["veh_float"][v][1])
    return t if cf == 1.0 else int(round(t * cf))


def _break_start(pk: Packed, b: int, t: int):
    d = pk.data
    for w in range(int(d["bwoff"][b]), int(d["bwoff"][b + 1])):
        s = max(t, int(d["bws"][w]))
        if s <= int(d["bwe"][w]):
            return s, int(d["bwe"][w])
    return None


def _pass(pk: Packed, v: int, seq: list[int], absorb: bool):
    d = pk.data
    (vstart, vend, a, b, mwt, _stops, _fixed, brk0, nbrk), _, _ = vehicle_row(pk, v)
    t, W, shift, here, bi = a, 0, b - a, vstart, 0
    taken = []  # (gap, break index)
    for m in range(len(seq) + 1):
        if m < len(seq):
            x = seq[m]
            xloc, xe, xl, xs = (int(d["loc"][x]), int(d["early"][x]), int(d["late"][x]),
                                int(d["svc"][x]))
        elif vend >= 0:
            xloc, xe, xl, xs = vend, a, b, 0
        else:
            xloc = -1
        tr = travel(pk, v, here, xloc)
        while bi < nbrk:
            brk = brk0 + bi
            found = _break_start(pk, brk, t)
            if found is None:
                return None
            bs, bl = found
            take = True
            if m < len(seq):
                tx = max(xe, t + tr)
                if tx > xl:
                    return None
                take = (_break_start(pk, brk, tx + xs) is None
                        or (absorb and bs + int(d["bdur"][brk]) + tr <= xe))
            if not take:
                break
            W += bs - t
            shift = min(shift, bl - bs + W)
            t = bs + int(d["bdur"][brk])
            taken.append((m, brk))
            bi += 1
        if xloc < 0:
            break
        arr = t + tr
        s = max(xe, arr)
        if s > xl:
            return None
        W += s - arr
        shift = min(shift, xl - s + W)
        t = s + xs
        here = xloc
    if t > b:
        return None
    start = a + max(0, min(shift, W))
    if t - start > mwt:
        return None
    return start, t, taken


def _loads_ok(pk: Packed, v: int, seq: list[int]) -> bool:
    d = pk.data
    dims = d["dims"]
    cap = d["cap"][v]
    load = [0] * dims
    for x in seq:
        if d["partner"][x] < 0:
            load = [load[c] - int(d["q"][x][c]) for c in range(dims)]
    for x in seq:
        load = [load[c] + int(d["q"][x][c]) for c in range(dims)]
        if any(load[c] > cap[c] for c in range(dims)):
            return False
    return True


def evaluate(pk: Packed, v: int, seq: list[int]):
    """(start, end, duration) of vehicle ``v`` serving ``seq``, or None."""
    found = _evaluate(pk, v, seq)
    return None if found is None else (found[0], found[1], found[1] - found[0])


def _evaluate(pk: Packed, v: int, seq: list[int]):
    (_, _, _, _, _, stops, _, _, nbrk), _, _ = vehicle_row(pk, v)
    if len(seq) > stops or not _loads_ok(pk, v, seq):
        return None
    found = _pass(pk, v, seq, False)
    if found is None and nbrk:
        found = _pass(pk, v, seq, True)
    return found


def schedule(pk: Packed, v: int, seq: list[int]) -> Schedule | None:
    """The times of ``seq`` on vehicle ``v``, leaving as late as the end allows."""
    found = _evaluate(pk, v, seq)
    if found is None:
        return None
    start, end, taken = found
    d = pk.data
    (vstart, vend, _, _, _, _, _, _, _), _, _ = vehicle_row(pk, v)
    t, here, items, k = start, vstart, [], 0
    for m in range(len(seq) + 1):
        xloc = int(d["loc"][seq[m]]) if m < len(seq) else vend
        while k < len(taken) and taken[k][0] == m:
            brk = taken[k][1]
            bs, _ = _break_start(pk, brk, t)
            items.append(Item(None, brk, bs, bs))
            t = bs + int(d["bdur"][brk])
            k += 1
        if m == len(seq):
            break
        x = seq[m]
        arr = t + travel(pk, v, here, xloc)
        s = max(int(d["early"][x]), arr)
        items.append(Item(x, None, arr, s))
        t, here = s + int(d["svc"][x]), xloc
    if vend >= 0:
        arr = t + travel(pk, v, here, vend)
        items.append(Item(None, None, arr, arr))
        t = arr
    assert t == end, "the later start moved the end"
    return Schedule(start, end, end - start, tuple(items))


def route_cost(pk: Packed, v: int, seq: list[int]) -> int:
    """Arc costs (cost factor applied), fixed cost and preference penalties."""
    if not seq:
        return 0
    d = pk.data
    (vstart, vend, _, _, _, _, fixed, _, _), _, _ = vehicle_row(pk, v)
    locs = [vstart] + [int(d["loc"][x]) for x in seq] + [vend]
    cost = sum(arc_cost(pk, v, travel(pk, v, a, b)) for a, b in zip(locs, locs[1:], strict=False))
    for x in seq:
        s = int(d["ship"][x])
        pv = int(d["preferred"][s])
        if int(d["rep"][s]) == x and pv >= 0 and pv != v:
            cost += int(d["pref_cost"])
    return cost + fixed


def best_insertion(pk: Packed, v: int, seq: list[int], p: int, d: int | None):
    """(cost delta, new sequence) of the cheapest feasible insertion of the pair
    (p, d), or of the lone on-board delivery p when d is None; None if none fits."""
    data = pk.data
    s = int(data["ship"][p])
    onboard = int(data["onboard"][s])
    if (onboard >= 0 and onboard != v) or (onboard < 0 and not data["allowed"][s][v]):
        return None
    base = route_cost(pk, v, seq)
    longest = evaluate(pk, v, seq)[2] if seq and data["balance"] else 0
    best = None
    L = len(seq)
    for i in range(L + 1):
        for j in range(i, L + 1) if d is not None else [i]:
            trial = seq[:i] + [p] + seq[i:j] + [d] + seq[j:] if d is not None else (
                seq[:i] + [p] + seq[i:])
            found = evaluate(pk, v, trial)
            if found is None:
                continue
            c = route_cost(pk, v, trial) - base
            if data["balance"]:
                c += int(data["balance"]) * max(0, found[2] - longest)
            if best is None or c < best[0]:
                best = (c, trial)
    return best


__all__ = ["BIG", "Item", "Schedule", "best_insertion", "evaluate", "route_cost", "schedule"]

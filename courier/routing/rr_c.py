"""The ruin and recreate search of :mod:`courier.routing.rr`, compiled (``_rr``).

:func:`search_for` returns the compiled search when the extension was built
(and wanted), else the Python reference (:mod:`courier.routing.rr_search`);
both offer ``construct``, ``fewer_vehicles`` and ``less_cost`` on routes given
as node lists, one per vehicle.
"""

from __future__ import annotations

import numpy as np

from courier.routing.rr_data import Packed

try:
    from courier.routing import _rr
except ImportError:  # no compiler at install time: the Python search is used
    _rr = None


def available() -> bool:
    return _rr is not None


class CompiledSearch:
    """The phases run in C; each call draws from the seed and the calls made so
    far (a run is repeatable); ``rounds`` counts the ruin and recreate rounds."""

    def __init__(self, pk: Packed, cfg, cpu_clock: bool = False):
        self.pk, self.cfg, self.cpu_clock = pk, cfg, cpu_clock
        self.absences = np.zeros(max(1, pk.n), dtype=np.int64)[: pk.n]
        self.calls = self.rounds = 0

    def _run(self, routes: list[list[int]], seconds: float, phase: int) -> list[list[int]]:
        if phase and seconds <= 0:
            return routes
        self.calls += 1
        seed = (self.cfg.seed * 1_000_003 + self.calls) & (2**64 - 1)
        out, rounds = _rr.search(self.pk.data, self.cfg.tuple_for(seconds), routes,
                                 self.absences, seed, max(0.0, seconds), phase, self.cpu_clock)
        self.rounds += rounds
        return out

    def construct(self, routes: list[list[int]]) -> list[list[int]]:
        """Every unit not on ``routes`` inserted (the first plan)."""
        return self._run(routes, 0.0, 0)

    def fewer_vehicles(self, routes: list[list[int]], seconds: float) -> list[list[int]]:
        return self._run(routes, seconds, 1)

    def less_cost(self, routes: list[list[int]], seconds: float) -> list[list[int]]:
        return self._run(routes, seconds, 2)


def search_for(pk: Packed, cfg, compiled: bool = True):
    """The compiled search when asked for and built, else the Python one."""
    if compiled and available():
        return CompiledSearch(pk, cfg)
    from courier.routing.rr_search import Search

    return Search(pk, cfg)


def evaluate(pk: Packed, v: int, seq: list[int]):
    """The compiled :func:`courier.routing.rr_route.evaluate`."""
    return _rr.evaluate(pk.data, v, list(seq))


def insertion(pk: Packed, v: int, seq: list[int], unit: int):
    """Every route after the compiled cheapest insertion of ``unit`` into vehicle
    ``v``'s ``seq`` (the other vehicles unused), or None."""
    return _rr.insertion(pk.data, v, list(seq), unit)

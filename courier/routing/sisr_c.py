"""The ruin and recreate search of :mod:`courier.routing.sisr`, compiled.

:class:`CompiledSearch` has the interface of :class:`courier.routing.sisr.Search`
(``solution``, ``minimise_vehicles``, ``minimise_cost``, ``absences``,
``stall_seconds``) and runs each phase in the C extension ``_sisr``: the same
ruin, recreate, acceptance, spare route and kicks, a few hundred times as many
rounds per second. :func:`available` tells whether the extension was built;
:func:`search_class` picks it, or the Python search when it is missing or not
wanted.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import replace

import numpy as np

from courier.routing.lns import Data
from courier.routing.sisr import Search, SisrConfig, Solution

try:
    from courier.routing import _sisr
except ImportError:  # no compiler at install time: the Python search is used
    _sisr = None


def available() -> bool:
    return _sisr is not None


def search_class(compiled: bool = True):
    """The compiled search when asked for and built, else the Python one."""
    return CompiledSearch if compiled and available() else Search


def arrays(data: Data) -> tuple:
    """The data tuple of ``_sisr.search`` and ``_sisr.insertion``."""
    i64 = np.int64
    n = len(data.early)
    customers = data.customers
    row = np.full(n, -1, dtype=i64)
    row[customers] = np.arange(len(customers))
    near = np.array([data.near[int(c)] for c in customers], dtype=i64).reshape(
        len(customers), len(customers))
    pickups = np.array([p for p, _ in data.pairs], dtype=i64)
    c = np.ascontiguousarray
    return (n, data.q.shape[1], data.start, data.end, len(customers),
            c(data.T, dtype=i64), c(data.early, dtype=i64), c(data.late, dtype=i64),
            c(data.svc, dtype=i64), c(data.q, dtype=i64), c(data.cap, dtype=i64),
            c(data.partner, dtype=i64), pickups, c(near), row)


class CompiledSearch:
    """:class:`courier.routing.sisr.Search` with the phases run in C.

    Each call draws its random numbers from the configuration's seed and the
    number of calls made so far, so a run is repeatable. ``cpu_clock``: the
    deadlines given are read on the process CPU clock (for measurements on a
    busy machine); ``rounds`` counts the ruin and recreate rounds run."""

    def __init__(self, data: Data, cfg: SisrConfig | None = None, cpu_clock: bool = False):
        self.data = data
        self.cfg = cfg or SisrConfig()
        self.arrays = arrays(data)
        self.absences_array = np.zeros(len(data.early), dtype=np.int64)
        self.stall_seconds = math.inf
        self.cpu_clock = cpu_clock
        self.calls = 0
        self.rounds = 0

    def fork(self, seed: int) -> CompiledSearch:
        """:meth:`Search.fork`, sharing this search's packed arrays."""
        other = copy.copy(self)
        other.cfg = replace(self.cfg, seed=seed)
        other.absences_array = np.zeros_like(self.absences_array)
        other.calls = other.rounds = 0
        return other

    @property
    def absences(self) -> dict[int, int]:
        """Rounds each pair spent unserved, by pickup."""
        return {p: int(self.absences_array[p]) for p, _ in self.data.pairs}

    def solution(self, node_routes: list[list[int]]) -> Solution:
        return Search.solution(self, node_routes)  # only uses self.data

    def _config(self) -> tuple:
        c = self.cfg
        stall_seconds = self.stall_seconds if math.isfinite(self.stall_seconds) else 1e18
        return (c.avg_removed, c.max_string, c.blink, c.stall, c.focus, c.near_routes,
                c.start_temperature, c.end_temperature, c.kick_after, c.spare, c.spare_share,
                stall_seconds)

    def _run(self, sol: Solution, until: float, phase: int) -> Solution:
        clock = time.process_time if self.cpu_clock else time.perf_counter
        seconds = until - clock()
        if seconds <= 0:
            return sol
        self.calls += 1
        seed = (self.cfg.seed * 1_000_003 + self.calls) & (2**64 - 1)
        routes, rounds = _sisr.search(self.arrays, self._config(), [r.nodes for r in sol.routes],
                                      self.absences_array, seed, seconds, phase, self.cpu_clock)
        self.rounds += rounds
        return self.solution(routes)

    def minimise_vehicles(self, sol: Solution, until: float) -> Solution:
        """Fewer routes, every pair served (:meth:`Search.minimise_vehicles`)."""
        return self._run(sol, until, 0)

    def minimise_cost(self, sol: Solution, until: float) -> Solution:
        """Less travel (:meth:`Search.minimise_cost`)."""
        return self._run(sol, until, 1)


def insertion(data: Data, nodes: list[int], p: int, d: int, packed: tuple | None = None):
    """The compiled :meth:`courier.routing.lns.Route.best_insertion` without blinks."""
    return _sisr.insertion(packed or arrays(data), list(nodes), p, d)


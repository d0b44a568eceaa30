"""The day ``courier bench day`` runs: what the shops will send and when, who works when,
and every chance the couriers and recipients will take, drawn up front from the seed.

The same settings always give the same day, and both policies of a run (the project's
dispatch and the greedy baseline) live exactly this day: the same jobs at the same
times, the same shifts, and the same draws. A draw is keyed by what it is about (the
n-th offer a courier gets, the n-th leg a courier rides, the k-th job), never by the
order things happen in, so one policy's choices cannot shift the other's luck.

Jobs arrive as an inhomogeneous Poisson process over the day: quieter at opening, a
lunch peak (11:30-13:30) and an evening peak (17:00-19:00). Shops are the real places
of :mod:`courier.bench.lyon`; amounts and windows follow the city day
(:mod:`courier.bench.city`), with one job in seven urgent (45 minutes) and one in four
ready a little after it is sent. By default the day is a local coop's
(:mod:`courier.bench.day_coop`): each shop delivers in its own part of town and the
shifts are staffed to the day's work. ``spread`` keeps the first day of this
benchmark: drop-offs scattered around all of Lyon's neighbourhoods whatever the shop,
and the city day's staggered shifts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from courier.bench.city import CARGO_SLOTS, SHIFTS, WINDOWS, _amount, _jitter
from courier.bench.day_coop import courier_hours, hourly_work, local_dropoff, staffed_shifts
from courier.bench.lyon import NEIGHBOURHOODS, SHOPS
from courier.fairwork.rules import BALANCE as FAIRNESS
from courier.routing.geo import LatLon

HOUR = 3600
OPENING_HOUR = 8  # local time the day starts at (shifts of the city day start at 08:00)
# A Tuesday in March, away from the clock changes: 08:00 in Lyon is 07:00 UTC.
DAY_START = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
URGENT_MINUTES, URGENT_SHARE = 45, 1 / 7
LATER_READY_SHARE = 0.25  # ready 10-30 minutes after it is sent (prepared first)
LAST_CALL_S = 45 * 60  # no job is sent later than this before the day's end
# (from, to, weight) in local hours: how busy each part of the day is.
PROFILE = ((8, 9, 0.6), (9, 11.5, 1.0), (11.5, 13.5, 2.2), (13.5, 17, 1.0),
           (17, 19, 2.0), (19, 24, 0.7))


@dataclass(frozen=True)
class Settings:
    """What the command was asked for (checked by :func:`check`)."""

    jobs: int = 1500
    couriers: int = 80
    seed: int = 0
    decline_rate: float = 0.1
    speed_noise: float = 0.2
    hours: float = 12.0
    cycle_every: int = 30  # seconds of the day between two dispatch cycles
    fail_rate: float = 0.02  # recipient absent
    planned: bool = True  # couriers book their shifts ahead as slots (dispatch knows the ends)
    spread: bool = False  # the first day: drop-offs all over Lyon, the city day's shifts
    # the council's fairness setting for the day (rules' fairness.balance and .strength):
    # "off" as the template ships, or work steered to who has had less "hours" or "pay"
    fairness: str = "off"
    fairness_strength: int = 50


def check(s: Settings) -> None:
    """Raise ValueError, in words a user can act on, for a day that cannot be run."""
    if s.couriers < 1:
        raise ValueError("a day needs at least one courier")
    if s.jobs < 0:
        raise ValueError("the number of jobs cannot be negative")
    if not 0 <= s.decline_rate <= 1:
        raise ValueError("the decline rate is a share between 0 and 1")
    if not 0 <= s.speed_noise < 1:
        raise ValueError("the speed noise is a share between 0 and 1 (0.2: 20 %)")
    if not 0 <= s.fail_rate <= 1:
        raise ValueError("the failure rate is a share between 0 and 1")
    if s.hours < 1 or s.hours > 16:
        raise ValueError("a day runs from 1 to 16 hours (jobs need 45 minutes to be served)")
    if s.cycle_every < 1:
        raise ValueError("dispatch needs at least a second between two cycles")
    if s.fairness not in FAIRNESS:
        raise ValueError(f"the fairness setting is one of {', '.join(FAIRNESS)}")
    if not 0 <= s.fairness_strength <= 100:
        raise ValueError("the fairness strength is from 0 to 100")


@dataclass(frozen=True)
class Arrival:
    """One job a shop will send: ``at`` seconds into the day; ready ``ready_s`` after
    that; to be delivered within ``window_s`` of being ready (clipped to the day)."""

    index: int
    at: int
    shop: int
    dropoff: LatLon
    grams: int
    millilitres: int
    ready_s: int
    window_s: int


@dataclass(frozen=True)
class Shift:
    """A courier's day: where they live, what they ride, when they mean to work
    (seconds into the day; a split shift's second stretch in ``later``) and how late
    they actually start."""

    index: int
    home: LatLon
    vehicle: str  # "bike" or "cargo_bike"
    start: int
    end: int
    late_s: int
    later: tuple[int, int] | None = None  # (start, end) of the second stretch

    @property
    def stretches(self) -> list[tuple[int, int]]:
        return [(self.start, self.end)] + ([self.later] if self.later else [])


@dataclass(frozen=True)
class Day:
    settings: Settings
    shops: tuple[tuple[str, LatLon], ...]
    arrivals: tuple[Arrival, ...]
    shifts: tuple[Shift, ...]

    @property
    def length_s(self) -> int:
        return round(self.settings.hours * HOUR)

    def at(self, seconds: float) -> datetime:
        return DAY_START + timedelta(seconds=seconds)


def draw(seed: int, *key) -> random.Random:
    """A random stream for one decision, the same for the same seed and key whatever
    happened before (string seeds are hashed with SHA-512: stable across runs)."""
    return random.Random(f"{seed}|" + "|".join(str(k) for k in key))


def _weight(local_hour: float) -> float:
    return next((w for a, b, w in PROFILE if a <= local_hour < b), PROFILE[-1][2])


def minute_weights(length_s: int) -> list[float]:
    """How busy each minute jobs may be sent in is (:data:`PROFILE`): none later than
    :data:`LAST_CALL_S` before the end (the first 15 minutes on a short day)."""
    last = max(length_s - LAST_CALL_S, 15 * 60)
    return [_weight(OPENING_HOUR + m / 60) for m in range(last // 60)]


def arrival_times(n: int, length_s: int, rng: random.Random) -> list[int]:
    """``n`` sorted send times (seconds into the day) following :func:`minute_weights`."""
    weights = minute_weights(length_s)
    picked = rng.choices(range(len(weights)), weights, k=n)
    return sorted(m * 60 + rng.randrange(60) for m in picked)


def _shift(i: int, length_s: int) -> tuple[int, int]:
    """The city day's staggered shifts, scaled to the day; on a day under four hours
    everyone works all of it."""
    if length_s < 4 * HOUR:
        return 0, length_s
    a, b = (h - OPENING_HOUR for h in SHIFTS[i % len(SHIFTS)])  # 08:00-20:00 in hours
    return round(a / 12 * length_s), round(b / 12 * length_s)


def _staffed(couriers: int, jobs: int, length_s: int) -> list[list[tuple[int, int]]]:
    """The coop's shifts (their stretches, in seconds into the day), staffed to the
    day's work (:func:`courier.bench.day_coop.staffed_shifts`); on a day under four hours
    everyone works all of it."""
    if length_s < 4 * HOUR:
        return [[(0, length_s)]] * couriers
    work = hourly_work(minute_weights(length_s), length_s)
    return [[(a * HOUR, min(b * HOUR, length_s)) for a, b in shift]
            for shift in staffed_shifts(couriers, work, courier_hours(jobs))]


def make_day(s: Settings) -> Day:
    """The day of ``s`` (see the module docstring); raises ValueError for impossible
    settings."""
    check(s)
    rng = random.Random(s.seed)
    shops = tuple(SHOPS.items())
    homes = list(NEIGHBOURHOODS.values())
    length = round(s.hours * HOUR)
    staffed = None if s.spread else _staffed(s.couriers, s.jobs, length)
    shifts = []
    for i in range(s.couriers):
        (start, end), *later = [_shift(i, length)] if staffed is None else staffed[i]
        late = rng.choice((0, 0, 0, 0, 5, 10, 20)) * 60 if start > 0 else 0
        shifts.append(Shift(i, _jitter(rng, rng.choice(homes), 600),
                            "cargo_bike" if i % 10 in CARGO_SLOTS else "bike", start, end,
                            late, later[0] if later else None))
    minutes, weights = zip(*WINDOWS, strict=True)
    arrivals = []
    for k, at in enumerate(arrival_times(s.jobs, length, rng)):
        shop = rng.randrange(len(shops))
        grams, ml = _amount(rng)
        ready = 60 * rng.randrange(10, 31) if rng.random() < LATER_READY_SHARE else 0
        window = (URGENT_MINUTES if rng.random() < URGENT_SHARE
                  else rng.choices(minutes, weights)[0]) * 60
        window = min(window, length - at - ready)  # delivered by the day's end
        if window < URGENT_MINUTES * 60:  # sent late with a late ready time: ready at once
            ready, window = 0, max(URGENT_MINUTES * 60, length - at)
        drop = (_jitter(rng, rng.choice(homes), 700) if s.spread
                else local_dropoff(rng, shops[shop][1]))
        arrivals.append(Arrival(k, at, shop, drop, grams, ml, ready, window))
    return Day(s, shops, tuple(arrivals), tuple(shifts))

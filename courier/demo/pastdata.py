"""What the demo's past is made of (see :mod:`courier.demo.past`): plain records of
shifts, jobs, runs and their stops, before they become rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass
class Setup:
    """What the past depends on (from the demo city and the app's settings)."""

    tz: ZoneInfo
    couriers: list[dict]  # email, vehicle, lat, lon, capacity_kg
    shops: list[dict]  # email, lat, lon, address
    places: list[dict]
    speed_mps: float  # planned street speed of a bike
    detour: float
    cargo_factor: float
    pickup_s: int
    dropoff_s: int
    offer_ttl: int
    cooldown_s: int


@dataclass
class Shift:
    courier: str
    start: datetime
    end: datetime
    breaks: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class PastJob:
    n: int
    shop: dict
    created: datetime
    deliver_by: datetime
    dropoff: tuple[float, float, str]
    weight_kg: float
    volume_l: float
    recipient: str
    status: str = "pending"  # delivered, failed or cancelled in the end
    at: dict = field(default_factory=dict)  # picked_up, delivered, failed, cancelled -> time
    run: int | None = None  # the run that carried it


@dataclass
class PastStop:
    job: int
    kind: str  # pickup, dropoff
    lat: float
    lon: float
    planned: datetime
    done: datetime | None


@dataclass
class PastRun:
    n: int
    courier: str
    jobs: list[int]
    offered: datetime
    status: str  # done, declined, expired
    ended: datetime
    accepted: datetime | None = None
    stops: list[PastStop] = field(default_factory=list)
    metres: int = 0
    away_m: int = 0  # from the courier to the first pickup
    version: int | None = None  # filled when written: the rules in force, the offer's reason
    warnings: list = field(default_factory=list)
    reason: str = ""


@dataclass
class Past:
    shifts: list[Shift] = field(default_factory=list)
    jobs: list[PastJob] = field(default_factory=list)
    runs: list[PastRun] = field(default_factory=list)

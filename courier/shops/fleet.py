"""Whether some vehicle of the coop could carry a delivery: checked at submission (and in
quotes and CSV imports), so that work dispatch could never plan is refused with the
largest capacity named instead of being taken and priced.

A vehicle carries what its courier registered (``Courier.capacity_kg`` / ``capacity_l``)
within the council's cap for its type when that rule blocks (dispatch never loads past
it: ``load.vehicle_caps`` of the rules in force). Couriers count whether on shift or not;
a coop with no courier registered yet refuses nothing. The facts are read as scalar
subqueries (:func:`columns`), in the same round trip as the zones and prices.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, select

from courier.errors import InvalidInput
from courier.fairwork import rules as R
from courier.fairwork.models import RulesVersion
from courier.models import Courier, User, Vehicle


def _riders(vehicle: Vehicle):
    return (Courier.vehicle == vehicle, Courier.user_id == User.id, User.active)


def columns(now, weight_kg, volume_l) -> list:
    """The rules in force at ``now``, then per vehicle type: its largest kg and litres and
    whether one vehicle of it holds ``weight_kg`` and ``volume_l`` (bound parameters or
    values)."""
    rules = (select(RulesVersion.rules).where(RulesVersion.effective_from <= now)
             .order_by(RulesVersion.effective_from.desc(), RulesVersion.number.desc())
             .limit(1).scalar_subquery())
    out = [rules]
    for v in Vehicle:
        out += [select(func.max(Courier.capacity_kg)).where(*_riders(v)).scalar_subquery(),
                select(func.max(Courier.capacity_l)).where(*_riders(v)).scalar_subquery(),
                exists().where(and_(*_riders(v), Courier.capacity_kg >= weight_kg,
                                    Courier.capacity_l >= volume_l))]
    return out


def _n(x: float) -> str:
    return f"{round(x, 2):g}"


def check(values: tuple, weight_kg: float, volume_l: float, kg_field: str = "weight_kg",
          l_field: str = "volume_l") -> None:
    """Raise InvalidInput (422) when no vehicle holds the delivery; ``values`` are what
    :func:`columns` read."""
    rules, *per_type = values
    caps = (rules or R.TEMPLATE)["load"]["vehicle_caps"]
    blocking = caps.get("enforce") == "block"
    largest, fits = [], False
    for i, v in enumerate(Vehicle):
        most_kg, most_l, holds = per_type[3 * i: 3 * i + 3]
        if most_kg is None:
            continue  # nobody rides one
        cap = caps.get(v.value, {}) if blocking else {}
        cap_kg, cap_l = cap.get("kg", most_kg), cap.get("l", most_l)
        largest.append((min(most_kg, cap_kg), min(most_l, cap_l)))
        fits = fits or (bool(holds) and weight_kg <= cap_kg and volume_l <= cap_l)
    if fits or not largest:
        return
    most_kg, most_l = max(kg for kg, _ in largest), max(lit for _, lit in largest)
    fields: dict[str, str] = {}
    if weight_kg > most_kg:
        fields[kg_field] = f"more than any vehicle of the coop carries (largest {_n(most_kg)} kg)"
    if volume_l > most_l:
        fields[l_field] = (f"more than any vehicle of the coop carries (largest {_n(most_l)} L)"
                           if l_field not in fields else
                           "more than any vehicle of the coop carries "
                           f"(largest {_n(most_kg)} kg, {_n(most_l)} L)")
    if not fields:  # the weight fits one vehicle and the volume another, never both in one
        both = (f"no vehicle of the coop carries {_n(weight_kg)} kg and {_n(volume_l)} L "
                "together")
        fields = {kg_field: both, l_field: both}
    kg, litres = max(largest)
    raise InvalidInput("no vehicle of the coop can carry this delivery: the largest carries "
                       f"{_n(kg)} kg and {_n(litres)} L", fields)

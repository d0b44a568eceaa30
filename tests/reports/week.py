"""A known week of work for the dashboards' tests: two couriers, two shops, one late
delivery, one run shared by both shops."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from courier.extensions import db
from tests.fairwork.helpers import courier, delivered, publish, shift

MON = datetime(2026, 3, 2, tzinfo=UTC)  # Europe/Paris is UTC+1 in early March
TUE = MON + timedelta(days=1)
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
WEEK = (date(2026, 3, 2), date(2026, 3, 4))  # Monday to Wednesday


def at(day, hour, minute=0):
    return day + timedelta(hours=hour, minutes=minute)


def build(make_user, make_merchant):
    """Ana (shop A) on Monday: 2 deliveries, one late, 3 km, 4 h on shift, 1 h on her run.
    Bea on Tuesday: one run of 2 km for shop A and shop B (a delivery each), 4 h on shift."""
    council = make_user("council", "Chloé Council")
    publish(council, {"pay": {"guaranteed_hourly_cents": 1000}}, now=MON - timedelta(days=1),
            effective_from=MON - timedelta(hours=2))
    shop_a, shop_b = make_merchant("Shop A"), make_merchant("Shop B")
    ana = courier(make_user, "Ana", since=None)
    bea = courier(make_user, "Bea", since=None)
    shift(ana.courier, at(MON, 8), at(MON, 12))
    run = delivered(ana.courier, shop_a, accepted=at(MON, 9),
                    delivered_at=[at(MON, 9, 30), at(MON, 10)], metres=3000)
    late = next(s.job for s in run.stops if s.job.delivered_at == at(MON, 10))
    late.deliver_by = at(MON, 9, 45)
    shift(bea.courier, at(TUE, 9), at(TUE, 13))
    shared = delivered(bea.courier, shop_a, accepted=at(TUE, 10),
                       delivered_at=[at(TUE, 10, 20), at(TUE, 10, 30)], metres=2000)
    shared.stops[-1].job.merchant_id = shop_b.user.merchant.id
    db.session.commit()
    return SimpleNamespace(council=council, shop_a=shop_a, shop_b=shop_b, ana=ana, bea=bea)

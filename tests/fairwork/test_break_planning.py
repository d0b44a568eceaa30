"""A break is planned into a run only when one falls due before the run would end. Under
the coop's template rules (a 30 min break after 6 h of work, 10 h days), a courier fresh
on shift rides straight to the pickup with no break; one whose break falls due in five
minutes gets it where the rules put it, by the time it is due, and the run ends later by it.

Ana and Bea live the same situation in one cycle: Bea's world is Ana's moved east, so every
distance (and so every travel time) is the same for both."""

from datetime import timedelta

from courier.dispatch.cycle import run_cycle
from courier.dispatch.planning import build_problem, snapshot
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, courier, job

EAST = 0.06  # degrees of longitude between the two worlds (about 4.7 km)


def _worlds(make_user, make_merchant, bea_since):
    ana = courier(make_user, "Ana", since=NOW - timedelta(minutes=30))  # fresh on shift
    bea = courier(make_user, "Bea", lon=LYON[1] + EAST, since=bea_since)
    shop = make_merchant()
    a = job(shop, plat=LYON[0], plon=LYON[1], dlat=0.01, dlon=0.01)
    b = job(shop, plat=LYON[0], plon=LYON[1] + EAST, dlat=0.01, dlon=0.01 + EAST)
    return ana, bea, a, b


def _offsets(run):
    return [(s.kind.value, (s.planned_arrival - NOW).total_seconds()) for s in run.stops]


def test_a_fresh_courier_rides_straight_and_one_near_the_limit_gets_the_break(
        make_user, make_merchant):
    five_to = NOW - timedelta(hours=5, minutes=55)  # the break falls due in 5 minutes
    ana, bea, a, b = _worlds(make_user, make_merchant, five_to)
    problem, _ = build_problem(snapshot(NOW))
    vehicles = {v.id: v for v in problem.vehicles}
    pickup_of = {s.id: s.pickup.location for s in problem.shipments}
    drop_of = {s.id: s.delivery.location for s in problem.shipments}
    va, vb = vehicles[ana.courier.id], vehicles[bea.courier.id]
    straight = problem.durations[va.start][pickup_of[a.id]]
    assert straight == problem.durations[vb.start][pickup_of[b.id]] > 0  # the same worlds
    ride = problem.durations[pickup_of[a.id]][drop_of[a.id]]
    at_pickup = next(s.pickup.service for s in problem.shipments if s.id == a.id)
    assert ride == problem.durations[pickup_of[b.id]][drop_of[b.id]] > 0

    result = run_cycle(now=NOW)
    runs = {r.courier_id: r for r in result.runs}
    assert set(runs) == {ana.courier.id, bea.courier.id}
    ra, rb = runs[ana.courier.id], runs[bea.courier.id]
    assert [s.job_id for s in ra.stops] == [a.id, a.id]
    assert [s.job_id for s in rb.stops] == [b.id, b.id]

    # Ana: no break in the run, and the pickup exactly when riding straight there gets her
    assert "break" not in ra.reason
    (kind, at), (_, dropped) = _offsets(ra)
    assert kind == "pickup" and at == straight
    assert dropped == straight + at_pickup + ride  # and no rest on the way

    # Bea: the break, started by the time it falls due, and the run longer by it
    assert "includes a 30 min break (5 h 55 worked without one so far)" in rb.reason
    (_, b_at), (_, b_dropped) = _offsets(rb)
    assert b_dropped == dropped + 30 * 60
    if b_at > at:  # the rest before the pickup: begun by the time it was due
        assert b_at - 30 * 60 - straight <= 5 * 60
    else:  # picked up first (within the 5 minutes), the rest before the drop-off
        assert at <= 5 * 60 and b_at == at


def test_a_courier_fresh_on_shift_gets_no_break_even_with_a_long_run(make_user,
                                                                     make_merchant):
    """Two drop-offs 6 km apart on either side of the shop: still far from the 6 h the
    break is due after, so none is planned."""
    ana = courier(make_user, "Ana", since=NOW - timedelta(minutes=10))
    shop = make_merchant()
    far = [job(shop, dlat=0.05, dlon=0.04, minutes=180), job(shop, dlat=-0.05, dlon=-0.04,
                                                           minutes=180)]
    (run,) = run_cycle(now=NOW).runs
    assert run.courier_id == ana.courier.id
    assert {s.job_id for s in run.stops} == {j.id for j in far}
    assert "break" not in run.reason
    times = [s.planned_arrival for s in run.stops]
    assert times == sorted(times)
    assert (times[-1] - NOW) < timedelta(hours=6)

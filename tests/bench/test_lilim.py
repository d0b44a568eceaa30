"""Li & Lim reader, verifier, SINTEF files and the ``bench lilim`` command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from courier.bench import bench
from courier.bench.lilim import (
    SCALE,
    parse,
    read_sintef,
    to_problem,
    travel_matrix,
    verify,
    write_sintef,
)
from courier.bench.lilim_run import default_bks_path, instance_paths, load_bks

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "lilim"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmark data absent")

# Depot at the origin; two requests: 1 -> 2 along x, 3 -> 4 along y.
TINY = """2 10 1
0 0 0 0 0 1000 0 0 0
1 10 0 5 0 100 10 0 2
2 20 0 -5 0 200 10 1 0
3 0 10 8 0 1000 0 0 4
4 0 20 -8 0 1000 0 3 0
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    return parse(path)


def test_parse_reads_header_nodes_and_pairs(tiny):
    assert (tiny.name, tiny.vehicles, tiny.capacity, tiny.pairs) == ("tiny", 2, 10, 2)
    assert tiny.nodes[1].delivery == 2 and tiny.nodes[2].pickup == 1
    assert tiny.nodes[2].demand == -5 and tiny.nodes[1].service == 10


def test_parse_rejects_out_of_order_nodes(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("1 10 1\n0 0 0 0 0 100 0 0 0\n2 1 1 1 0 100 0 0 0\n")
    with pytest.raises(ValueError):
        parse(path)


def test_travel_times_are_scaled_and_rounded_up(tmp_path):
    path = tmp_path / "diag.txt"
    path.write_text("1 10 1\n0 0 0 0 0 100 0 0 0\n1 1 1 1 0 100 0 0 2\n2 1 1 -1 0 100 0 1 0\n")
    m = travel_matrix(parse(path))
    assert m[0][1] == math.ceil(math.sqrt(2) * SCALE) and m[1][2] == 0


def test_to_problem_makes_one_shipment_per_request(tiny):
    p = to_problem(tiny)
    assert [(s.pickup.location, s.delivery.location, s.amount) for s in p.shipments] == [
        (1, 2, (5,)), (3, 4, (8,))]
    assert len(p.vehicles) == 2 and p.vehicles[0].capacity == (10,)
    assert p.shipments[0].pickup.time_window.end == 100 * SCALE


def test_verifier_accepts_a_feasible_solution_and_measures_it(tiny):
    v = verify(tiny, [[1, 2], [3, 4]])
    assert v.feasible and v.vehicles == 2
    assert v.distance == pytest.approx(40 + 40)


def test_verifier_rejects_a_missing_node(tiny):
    v = verify(tiny, [[1, 2], [3]])
    assert not v.feasible and any("not visited" in e for e in v.errors)


def test_verifier_rejects_a_delivery_before_its_pickup(tiny):
    assert not verify(tiny, [[2, 1], [3, 4]]).feasible


def test_verifier_rejects_pickup_and_delivery_on_different_routes(tiny):
    assert not verify(tiny, [[1, 4], [3, 2]]).feasible


def test_verifier_rejects_a_late_arrival(tiny):
    # Serving 3 and 4 first reaches node 1 at 20 + 22.36, after its window closes at 30.
    late = parse_text(tiny, {1: (0, 30)})
    v = verify(late, [[3, 4, 1, 2]])
    assert not v.feasible and any("served at" in e for e in v.errors)


def test_verifier_rejects_an_overload(tiny):
    v = verify(tiny, [[1, 3, 2, 4]])
    assert not v.feasible and any("load" in e for e in v.errors)


def test_verifier_rejects_a_late_return_to_the_depot(tiny):
    short = parse_text(tiny, {0: (0, 45)})
    v = verify(short, [[1, 2], [3, 4]])
    assert not v.feasible and any("depot" in e for e in v.errors)


def test_verifier_rejects_a_node_visited_twice_and_too_many_routes(tiny):
    v = verify(tiny, [[1, 2], [3, 4], [1, 2]])
    assert not v.feasible
    assert any("twice" in e for e in v.errors) and any("vehicles" in e for e in v.errors)


def parse_text(inst, windows: dict[int, tuple[int, int]]):
    """A copy of ``inst`` with some time windows replaced."""
    from dataclasses import replace

    nodes = tuple(replace(n, earliest=windows[n.id][0], latest=windows[n.id][1])
                  if n.id in windows else n for n in inst.nodes)
    return replace(inst, nodes=nodes)


def test_sintef_files_round_trip(tiny, tmp_path):
    write_sintef(tmp_path / "sol.txt", tiny, [[1, 2], [], [3, 4]])
    text = (tmp_path / "sol.txt").read_text()
    assert "Route 1 : 1 2\nRoute 2 : 3 4\n" in text
    assert read_sintef(tmp_path / "sol.txt") == [[1, 2], [3, 4]]


def test_instance_paths_expand_directories(tmp_path):
    (tmp_path / "b.txt").write_text(TINY)
    (tmp_path / "a.txt").write_text(TINY)
    (tmp_path / "notes.md").write_text("")
    assert [p.name for p in instance_paths([tmp_path])] == ["a.txt", "b.txt"]


def test_default_bks_table_is_the_repository_sibling():
    assert default_bks_path().parts[-4:] == ("shared", "bench", "lilim", "bks.csv")
    assert default_bks_path().parent.parent.parent.parent == Path(__file__).resolve().parents[
        2].parent


@needs_shared
def test_verifier_accepts_every_best_known_solution_at_its_distance():
    bks = load_bks(SHARED / "bks.csv")
    files = sorted((SHARED / "bks_solutions").glob("*.txt"))
    assert len(files) == 56
    for f in files:
        name = f.name.split(".")[0]
        v = verify(parse(SHARED / "pdp_100" / f"{name}.txt"), read_sintef(f))
        assert v.feasible, (name, v.errors)
        assert (v.vehicles, round(v.distance, 2)) == (bks[name][0], round(bks[name][1], 2))


def test_bench_command_solves_verifies_and_writes_routes(tiny, tmp_path):
    instance = tmp_path / "tiny.txt"
    bks = tmp_path / "bks.csv"
    bks.write_text("instance,nominal_tasks,vehicles,distance\ntiny,4,2,80.0\n")
    out = tmp_path / "routes"
    result = CliRunner().invoke(bench, ["lilim", str(instance), "--time-limit", "1", "--json",
                                        "--bks", str(bks), "--routes-out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (row,) = data["results"]["ortools"]
    assert row["feasible"] and row["bks_vehicles"] == 2
    assert data["totals"]["ortools"]["feasible"] == 1
    assert read_sintef(out / "ortools" / "tiny.txt")


def test_bench_command_reports_instances_missing_from_the_table_without_gap(tmp_path):
    (tmp_path / "other.txt").write_text(TINY)
    bks = tmp_path / "bks.csv"
    bks.write_text("instance,nominal_tasks,vehicles,distance\nlc101,100,10,828.94\n")
    result = CliRunner().invoke(bench, ["lilim", str(tmp_path), "--time-limit", "1",
                                        "--bks", str(bks)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "other" in line)
    assert row.split()[5:8] == ["-", "-", "-"]


@pytest.mark.parametrize("table, said", [
    ("gen_c_200_1,400,24,17303.5\n", "no column distance, instance, vehicles"),
    ("instance,vehicles,distance\nlc101,ten,828.94\n", "line 2"),
])
def test_bench_command_names_what_is_wrong_with_a_bks_table(tmp_path, table, said):
    (tmp_path / "other.txt").write_text(TINY)
    bks = tmp_path / "bks.csv"
    bks.write_text(table)
    result = CliRunner().invoke(bench, ["lilim", str(tmp_path), "--bks", str(bks)])
    assert result.exit_code == 2
    assert "--bks" in result.output and said in result.output
    assert "Traceback" not in result.output

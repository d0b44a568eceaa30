"""The instance generator: files in Li & Lim's format around a feasible plan."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from courier.bench import bench
from courier.bench.lilim import parse, read_sintef, routes_of, to_problem, verify
from courier.bench.lilim_gen import generate
from courier.routing import solve


@pytest.mark.parametrize("kind", ["r", "c", "rc"])
def test_constructed_plan_is_feasible_for_the_written_instance(tmp_path, kind):
    g = generate(60, seed=3, kind=kind)
    path = tmp_path / f"{g.name}.txt"
    path.write_text(g.text)
    inst = parse(path)
    assert inst.pairs == 60
    verdict = verify(inst, g.routes)
    assert verdict.feasible, verdict.errors
    assert verdict.distance == pytest.approx(g.distance)


def test_generation_is_deterministic_per_seed():
    assert generate(30, seed=1).text == generate(30, seed=1).text
    assert generate(30, seed=1).text != generate(30, seed=2).text


def test_generate_command_writes_instances_and_reference(tmp_path):
    result = CliRunner().invoke(bench, ["lilim-generate", str(tmp_path), "--pairs", "40",
                                        "--kind", "c", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "reference.csv").read_text().splitlines()
    assert rows[0].startswith("instance,nominal_tasks,vehicles,distance")
    assert [r.split(",")[0] for r in rows[1:]] == ["gen_c_40_1", "gen_c_40_2"]
    inst = parse(tmp_path / "gen_c_40_2.txt")
    assert verify(inst, read_sintef(tmp_path / "reference_solutions" / "gen_c_40_2.txt")).feasible


def test_solver_plan_on_a_generated_instance_passes_the_verifier(tmp_path):
    g = generate(40, seed=5, kind="rc")
    path = tmp_path / "i.txt"
    path.write_text(g.text)
    inst = parse(path)
    plan = solve(to_problem(inst), 1.0, strategy="vehicles_first", full_time=True)
    verdict = verify(inst, routes_of(plan))
    assert verdict.feasible, verdict.errors


def test_a_time_limit_shorter_than_the_first_solution_drops_nothing(tmp_path):
    g = generate(120, seed=2, kind="r")
    path = tmp_path / "i.txt"
    path.write_text(g.text)
    inst = parse(path)
    plan = solve(to_problem(inst), 0.05, strategy="vehicles_first", full_time=True)
    assert not plan.unassigned
    assert verify(inst, routes_of(plan)).feasible


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["r", "c", "rc"])
def test_solver_plans_for_250_pairs_pass_the_verifier(tmp_path, kind):
    g = generate(250, seed=1, kind=kind)
    path = tmp_path / "big.txt"
    path.write_text(g.text)
    inst = parse(path)
    verdict = verify(inst, routes_of(solve(to_problem(inst), 20.0, strategy="vehicles_first",
                                           full_time=True)))
    assert verdict.feasible, verdict.errors

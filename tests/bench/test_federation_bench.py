"""``courier bench federation`` from the command line: a tiny lunch-peak day lived by
Lyon alone and beside a partner coop (two apps, two databases, the federation between
them), every job counted once, the overflow handed over and booked alike in both
ledgers."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from courier.__main__ import main

TINY = ["--jobs", "24", "--couriers", "1", "--partner-jobs", "4", "--partner-couriers", "3",
        "--hours", "1.5", "--time-limit", "0.2", "--pending-minutes", "5"]


@pytest.fixture(scope="module")
def out():
    r = CliRunner().invoke(main, ["bench", "federation", *TINY, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_every_job_is_counted_once_alone_and_with_a_partner(out):
    for scenario in ("alone", "together"):
        for coop in ("lyon", "partner"):
            f = out[scenario][coop]
            assert f["on_time"] + f["late"] + f["failed"] + f["never_served"] == f["jobs"]
    assert out["alone"]["lyon"]["jobs"] == out["together"]["lyon"]["jobs"] > 0


def test_alone_nothing_is_handed_over_and_the_ledger_is_empty(out):
    for coop in ("lyon", "partner"):
        f = out["alone"][coop]
        assert f["handed_over"] == f["carried_for_partner"] == f["balance_cents"] == 0


def test_with_a_partner_the_overflow_is_carried_and_booked_alike_in_both_ledgers(out):
    lyon, partner = out["together"]["lyon"], out["together"]["partner"]
    assert lyon["handed_over"] > 0  # one courier cannot serve 24 jobs in time
    assert partner["carried_for_partner"] == lyon["handed_over"]
    assert lyon["carried_for_partner"] == partner["handed_over"]
    assert lyon["balance_cents"] == -partner["balance_cents"] != 0


@pytest.mark.parametrize(("args", "word"), [(["--couriers", "0"], "courier"),
                                            (["--pending-minutes", "0"], "pending-minutes")])
def test_settings_that_cannot_run_are_refused(args, word):
    r = CliRunner().invoke(main, ["bench", "federation", *args])
    assert r.exit_code == 2 and word in r.output


def test_every_ask_is_answered_accepted_or_refused(out):
    together = out["together"]
    answered = sum(c["handed_over"] + c["refused_by_partner"] for c in together.values())
    assert out["asks"]["asks"] == answered > 0

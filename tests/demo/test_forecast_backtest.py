"""``courier bench forecast``: the back-test prints the model's and the naive forecast's
mean absolute error per hour, and the seasonal weighting it rests on."""

from collections import Counter
from datetime import date, timedelta

from click.testing import CliRunner

from courier.__main__ import main
from courier.reports.forecast import backtest, naive, seasonal


def test_the_back_test_prints_both_errors_and_their_ratio():
    r = CliRunner().invoke(main, ["bench", "forecast", "--seeds", "1", "--days", "14"])
    assert r.exit_code == 0, r.output
    header, seed_row, total = r.output.splitlines()[:3]
    assert "model MAE" in header and "naive MAE" in header and "ratio" in header
    model, naive_mae, ratio = (float(x) for x in total.split()[-3:])
    assert model > 0 and naive_mae > 0 and abs(model / naive_mae - ratio) < 0.01


def test_bad_settings_are_refused_with_their_name():
    r = CliRunner().invoke(main, ["bench", "forecast", "--alpha", "0"])
    assert r.exit_code == 2 and "--alpha" in r.output


def test_recent_weeks_weigh_more_and_unobserved_weeks_do_not_count():
    monday = date(2026, 11, 2)
    counts = Counter({(monday, 12): 4, (monday + timedelta(days=7), 12): 8})
    day = monday + timedelta(days=14)
    observed = (monday, day)
    assert seasonal(counts, observed, day, 12, alpha=0.5) == (8 + 0.5 * 4) / 1.5
    assert seasonal(counts, observed, day, 12, alpha=1.0) == 6.0
    later = day + timedelta(days=7)  # the week before it is not observed yet
    assert seasonal(counts, observed, later, 12, alpha=0.5) == (8 + 0.5 * 4) / 1.5
    assert seasonal(counts, observed, monday, 12) is None  # nothing before the history
    assert naive(counts, observed, day, 12) == 8.0


def test_backtest_scores_only_days_with_a_week_of_history():
    monday = date(2026, 11, 2)
    counts = Counter({(monday, 9): 2, (monday + timedelta(days=7), 9): 2})
    result = backtest(counts, monday, [monday, monday + timedelta(days=7)], hours=[9])
    assert result == {"hours": 1, "model_mae": 0.0, "naive_mae": 0.0}

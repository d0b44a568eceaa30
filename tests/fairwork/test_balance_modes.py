"""What each of the council's fairness settings evens out between members."""

import pytest

from courier.fairwork.earned import balanced_by
from courier.fairwork.labels import CHOICES
from courier.fairwork.rules import BALANCE


def test_each_fairness_setting_evens_out_its_own_figure():
    two_hours_thirty_euros = {"on_shift_s": 7200, "total_cents": 3000}
    assert balanced_by(two_hours_thirty_euros, "hours") == 7200
    assert balanced_by(two_hours_thirty_euros, "pay") == 3000
    assert balanced_by(two_hours_thirty_euros, "hourly") == 1500  # cents per hour on shift
    assert balanced_by({"on_shift_s": 0, "total_cents": 0}, "hourly") == 0  # not yet on shift
    with pytest.raises(ValueError, match="off"):
        balanced_by(two_hours_thirty_euros, "off")


def test_every_fairness_setting_has_words_for_the_council():
    assert set(CHOICES["balance"]) == set(BALANCE)

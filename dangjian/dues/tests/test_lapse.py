"""自行脱党预警 (Party Constitution Art. 9, §2 R2.14): the alarm levels at their boundaries."""

import pytest

from dangjian.dues import rules


@pytest.mark.parametrize(
    ("dues", "life", "level"),
    [
        (0, 0, None), (2, 2, None),
        (3, 0, rules.LAPSE_FIRST), (0, 3, rules.LAPSE_FIRST), (4, 4, rules.LAPSE_FIRST),
        (5, 0, rules.LAPSE_SECOND), (0, 5, rules.LAPSE_SECOND),
        (6, 0, rules.LAPSE_FLAG), (0, 6, rules.LAPSE_FLAG), (5, 6, rules.LAPSE_FLAG), (30, 1, rules.LAPSE_FLAG),
    ],
)  # fmt: skip
def test_either_count_reaching_a_threshold_raises_the_level(dues, life, level):
    assert rules.lapse_level(dues_months=dues, life_months=life, first_alert=3, second_alert=5) == level


def test_thresholds_are_settings_but_six_months_is_the_constitution():
    assert rules.lapse_level(dues_months=2, life_months=0, first_alert=2, second_alert=4) == rules.LAPSE_FIRST
    assert rules.lapse_level(dues_months=4, life_months=0, first_alert=2, second_alert=4) == rules.LAPSE_SECOND
    assert rules.lapse_level(dues_months=6, life_months=0, first_alert=2, second_alert=4) == rules.LAPSE_FLAG
    assert rules.LAPSE_MONTHS == 6

"""The generator's plans, without a database: determinism, and distributions on a larger sample."""

from __future__ import annotations

import collections
import datetime as dt
import random

import pytest

from dangjian.demo.county import build_county
from dangjian.demo.people import SCENARIO_RATES, MemberPlanner, allocate
from dangjian.members import rules
from dangjian.members.codes import AGE_BANDS, COLLEGE_OR_ABOVE

TODAY = dt.date(2026, 11, 27)


def _plans(seed: int, members: int, today: dt.date = TODAY) -> list:
    plan = build_county(random.Random(f"{seed}:tree"), today)
    return list(MemberPlanner(plan, members=members, seed=seed, today=today))


def test_same_seed_same_county_and_members() -> None:
    a = build_county(random.Random("3:tree"), TODAY)
    b = build_county(random.Random("3:tree"), TODAY)
    assert a.orgs == b.orgs and a.units == b.units and a.divisions == b.divisions
    assert _plans(3, 300) == _plans(3, 300)
    assert _plans(3, 300) != _plans(4, 300)


def test_the_tree_does_not_depend_on_the_number_of_members() -> None:
    plan = build_county(random.Random("1:tree"), TODAY)
    small = MemberPlanner(plan, members=200, seed=1, today=TODAY)
    large = MemberPlanner(plan, members=5000, seed=1, today=TODAY)
    assert small.total == 200 and large.total == 5000
    assert plan.account_branches == build_county(random.Random("1:tree"), TODAY).account_branches


def test_allocate_is_exact() -> None:
    assert sum(allocate([1.5, 2.5, 3.0, 0.1], 97)) == 97
    assert allocate([1, 1], 0) == [0, 0]


@pytest.fixture(scope="module")
def sample() -> list:
    return _plans(11, 5000)


def test_distributions_close_to_the_bulletin_bent_rural(sample: list) -> None:
    roster = [m for m in sample if m.state.status in rules.ON_ROSTER]
    n = len(roster)
    assert 0.9 * len(sample) < n
    assert 0.24 <= sum(m.sex == "2" for m in roster) / n <= 0.36  # bulletin: 30%
    assert 0.3 <= sum(m.education in COLLEGE_OR_ABOVE for m in roster) / n <= 0.5  # bulletin 56%, rural lower
    assert 0.003 <= sum(m.ethnicity != "01" for m in roster) / n <= 0.05
    bands = collections.Counter()
    for m in roster:
        age = rules.age_on(m.birth_date, TODAY)
        bands[next(label for upper, label in AGE_BANDS if age <= upper)] += 1
    for _, label in AGE_BANDS:
        assert 0.04 <= bands[label] / n <= 0.4, (label, bands)
    assert 0.2 <= bands["61岁及以上"] / n <= 0.4  # bulletin: 28%
    jobs = collections.Counter(m.personnel_category for m in roster)
    assert 0.3 <= jobs["farmer"] / n <= 0.55
    for code in ("worker", "professional", "manager", "official", "retired", "other"):
        assert jobs[code] / n >= 0.02, code


def test_histories_cover_recent_admissions_and_every_scenario(sample: list) -> None:
    first = collections.Counter(m.events[0].kind for m in sample)
    assert first[rules.RECORDED] > first[rules.ADMITTED] > first[rules.TRANSFER_IN] > 0
    assert 0.05 <= first[rules.ADMITTED] / len(sample) <= 0.2  # about 2% a year join
    assert {m.scenario for m in sample} >= set(SCENARIO_RATES)
    extended_now = [m for m in sample if m.scenario == "extended_now"]
    assert all(m.state.status == rules.PROBATIONARY and m.state.extended for m in extended_now)
    assert all(e.date <= TODAY for m in sample for e in m.events)


def test_a_past_today_gives_a_consistent_county() -> None:
    """Dates are relative to today; another today must give histories the rules accept just as well."""
    plans = _plans(5, 400, dt.date(2031, 3, 2))
    assert all(e.date <= dt.date(2031, 3, 2) for m in plans for e in m.events)


def test_names_and_shapes_do_not_depend_on_the_day() -> None:
    """The README lists the demo accounts' organizations: they must be the same whenever it is built."""
    a = build_county(random.Random("1:tree"), TODAY)
    b = build_county(random.Random("1:tree"), dt.date(2027, 3, 15))
    assert [o.name for o in a.orgs] == [o.name for o in b.orgs]
    assert a.account_branches == b.account_branches

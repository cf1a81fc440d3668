"""§3.1 structure checks at each threshold, which types may sit under which, and terms."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.orgs import rules
from dangjian.orgs.models import OrgType
from dangjian.orgs.rules import StructureFacts, structure_findings


def facts(**kw):
    base = dict(org_type=rules.BRANCH, full_members=5, members=5, committee_size=0, units=1,
                is_village_level=False, term_started_on=None)
    base.update(kw)
    return StructureFacts(**base)


def codes(f):
    return {x.code for x in structure_findings(f)}


def test_a_healthy_branch_has_no_findings():
    assert structure_findings(facts()) == []


@pytest.mark.parametrize(("full", "found"), [(0, True), (2, True), (3, False)])
def test_fewer_than_three_full_members(full, found):
    assert ("few_full_members" in codes(facts(full_members=full, members=full + 2))) is found


def test_few_full_members_names_the_check_in_chinese():
    (f,) = structure_findings(facts(full_members=2, members=2))
    assert f.name == "正式党员不足3人"
    assert "2人" in f.message
    assert f.level == "warning"


@pytest.mark.parametrize(("full", "committee", "found"), [(6, 0, False), (7, 0, True), (7, 3, False), (20, 5, False)])
def test_seven_full_members_need_a_committee(full, committee, found):
    assert ("no_committee" in codes(facts(full_members=full, members=full, committee_size=committee))) is found


def test_no_committee_finding_text():
    f = next(x for x in structure_findings(facts(full_members=7, members=7)) if x.code == "no_committee")
    assert f.name == "正式党员7人以上未设支委会"


@pytest.mark.parametrize(("members", "found"), [(50, False), (51, True)])
def test_branch_over_fifty_members(members, found):
    assert ("branch_too_large" in codes(facts(full_members=members, members=members, committee_size=5))) is found


@pytest.mark.parametrize(
    ("org_type", "members", "found"),
    [(rules.BRANCH, 99, False), (rules.BRANCH, 100, True), (rules.GENERAL_BRANCH, 99, False),
     (rules.GENERAL_BRANCH, 100, True), (rules.PRIMARY_COMMITTEE, 500, False)],
)
def test_hundred_members_may_become_a_primary_committee(org_type, members, found):
    out = {x.code: x for x in structure_findings(facts(org_type=org_type, full_members=members, members=members, committee_size=5))}
    assert ("may_become_committee" in out) is found
    if found:
        assert out["may_become_committee"].level == "info"
        assert out["may_become_committee"].name == "党员100人以上可设基层党委"


@pytest.mark.parametrize(("org_type", "units", "found"), [(rules.JOINT_BRANCH, 5, False), (rules.JOINT_BRANCH, 6, True),
                                                          (rules.BRANCH, 6, False)])
def test_joint_branch_over_five_units(org_type, units, found):
    assert ("joint_too_many_units" in codes(facts(org_type=org_type, units=units))) is found


@pytest.mark.parametrize(("village", "term", "found"), [(True, None, True), (True, dt.date(2021, 1, 1), False),
                                                        (False, None, False)])
def test_village_term_missing(village, term, found):
    assert ("village_term_missing" in codes(facts(is_village_level=village, term_started_on=term))) is found


def test_committees_above_branches_are_not_checked_for_branch_sizes():
    assert codes(facts(org_type=rules.TOWNSHIP_COMMITTEE, full_members=0, members=0)) == set()
    assert codes(facts(org_type=rules.GENERAL_BRANCH, full_members=1, members=60)) == set()


def test_dissolved_organizations_have_no_findings():
    assert structure_findings(facts(full_members=0, members=0, is_active=False, is_village_level=True)) == []


@given(full=st.integers(0, 200), extra=st.integers(0, 50), committee=st.integers(0, 7), units=st.integers(0, 10))
def test_findings_follow_the_thresholds_for_any_branch(full, extra, committee, units):
    members = full + extra
    got = codes(facts(org_type=rules.JOINT_BRANCH, full_members=full, members=members, committee_size=committee, units=units))
    assert ("few_full_members" in got) == (full < 3)
    assert ("no_committee" in got) == (full >= 7 and committee == 0)
    assert ("branch_too_large" in got) == (members > 50)
    assert ("may_become_committee" in got) == (members >= 100)
    assert ("joint_too_many_units" in got) == (units > 5)
    assert ("committee_size" in got) == (committee in (1, 2))


LABELS = dict(OrgType.choices)


@pytest.mark.parametrize(
    ("parent", "child", "ok"),
    [
        (rules.COUNTY_COMMITTEE, rules.TOWNSHIP_COMMITTEE, True),
        (rules.TOWNSHIP_COMMITTEE, rules.BRANCH, True),
        (rules.GENERAL_BRANCH, rules.BRANCH, True),
        (rules.BRANCH, rules.PARTY_GROUP, True),
        (rules.BRANCH, rules.BRANCH, False),
        (rules.GENERAL_BRANCH, rules.GENERAL_BRANCH, False),
        (rules.TOWNSHIP_COMMITTEE, rules.TOWNSHIP_COMMITTEE, False),
        (rules.PARTY_GROUP, rules.PARTY_GROUP, False),
    ],
)
def test_which_types_may_sit_under_which(parent, child, ok):
    msg = rules.check_child_allowed(parent, child, LABELS)
    if ok:
        assert msg is None
    else:
        assert msg == rules.CHILD_NOT_ALLOWED.format(parent=LABELS[parent], child=LABELS[child])


def test_is_inside():
    assert rules.is_inside("00010002", "0001")
    assert rules.is_inside("0001", "0001")
    assert not rules.is_inside("0002", "0001")


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [(dt.date(2021, 1, 1), 5, dt.date(2026, 1, 1)), (dt.date(2020, 2, 29), 3, dt.date(2023, 2, 28)),
     (None, 5, None), (dt.date(2021, 1, 1), None, None)],
)
def test_term_ends_on(start, years, end):
    assert rules.term_ends_on(start, years) == end


def test_default_terms():
    assert rules.default_term_years(rules.BRANCH, True) == 5  # 村、社区 5 years
    assert rules.default_term_years(rules.BRANCH, False) == 3
    assert rules.default_term_years(rules.PRIMARY_COMMITTEE, False) == 5
    assert rules.default_term_years(rules.GENERAL_BRANCH, False) == 3


@pytest.mark.parametrize(
    ("size", "found"), [(0, False), (1, True), (2, True), (3, False), (5, False), (7, False), (8, True), (12, True)]
)
def test_branch_committee_of_three_to_seven_members(size, found):
    """R3.5: 支委会 3 to 5 members, generally no more than 7; 0 means no committee (secretary only)."""
    out = {x.code: x for x in structure_findings(facts(full_members=9, members=9, committee_size=size))}
    assert ("committee_size" in out) is found
    if found:
        assert out["committee_size"].message == rules.COMMITTEE_SIZE_MESSAGE.format(size=size)
        assert out["committee_size"].level == "warning"


@pytest.mark.parametrize(
    ("category", "org_type", "village"),
    [("rural", rules.BRANCH, True), ("community", rules.GENERAL_BRANCH, True), ("rural", rules.PRIMARY_COMMITTEE, True),
     ("rural", rules.TOWNSHIP_COMMITTEE, False), ("rural", rules.PARTY_GROUP, False), ("community", rules.WORKING_COMMITTEE, False),
     ("school", rules.BRANCH, False), ("agency", rules.PRIMARY_COMMITTEE, False)],
)
def test_village_level_is_a_rule(category, org_type, village):
    assert rules.is_village_level(category, org_type) is village

"""Reads of the organization tree, always inside the acting user's scope."""

import datetime as dt

import pytest
from django.http import Http404

from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.orgs import selectors
from dangjian.orgs.models import Org, Unit
from dangjian.orgs.services import org_dissolve
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


def test_org_get_inside_and_outside_scope(tree):
    organizer = tree.users["township_organizer"]
    assert selectors.org_get(organizer, tree.village_a1.pk) == tree.village_a1
    assert selectors.org_get(organizer, str(tree.town_a.pk)) == tree.town_a
    for pk in (tree.village_b1.pk, tree.county.pk, tree.town_b.pk, 999999, "abc", None):
        with pytest.raises(Http404):
            selectors.org_get(organizer, pk)
    with pytest.raises(Http404):
        selectors.org_get(tree.users["member"], tree.village_a1.pk)


def test_roots_children_subtree_and_breadcrumb(tree):
    organizer = tree.users["township_organizer"]
    assert selectors.org_roots(organizer) == [tree.town_a]
    assert selectors.org_roots(tree.users["county_admin"]) == [tree.county]
    assert list(selectors.org_children(organizer, tree.town_a)) == [tree.village_a1, tree.village_a2]
    # The county's children, seen by the township organizer: only their own township.
    assert list(selectors.org_children(organizer, tree.county)) == [tree.town_a]
    org_dissolve(actor=tree.users["county_admin"], org=Org.objects.get(pk=tree.village_a2.pk),
                 date=dt.date(2024, 1, 1), doc_number="撤")
    assert list(selectors.org_children(organizer, tree.town_a)) == [tree.village_a1]
    assert len(selectors.org_children(organizer, tree.town_a, include_dissolved=True)) == 2
    assert set(selectors.org_subtree(organizer, tree.town_a)) == {tree.town_a, tree.village_a1, tree.village_a2}
    assert list(selectors.org_subtree(organizer, tree.town_b)) == []
    # Breadcrumb stops at the top of the user's scope.
    assert selectors.ancestors(organizer, tree.village_a1) == [tree.town_a]
    assert selectors.ancestors(tree.users["county_admin"], tree.village_a1) == [tree.county, tree.town_a]


def test_org_search_by_name_short_name_and_code(tree):
    organizer = tree.users["township_organizer"]
    assert selectors.org_search(organizer, "一村") == [tree.village_a1]
    assert selectors.org_search(organizer, tree.village_a2.code) == [tree.village_a2]
    assert selectors.org_search(organizer, "乙镇") == []  # exists, but outside the scope
    assert selectors.org_search(tree.users["county_admin"], "乙镇")[0] == tree.town_b
    assert selectors.org_search(organizer, "  ") == []


def _member(org, name, sex, birth, education="bachelor", **kw):
    kw.setdefault("date", dt.date(2020, 1, 1))
    return make_member(org, name=name, sex=sex, birth_date=birth, education=education, **kw)


def test_org_counts_by_status_sex_age_band_and_education(tree):
    admin = tree.users["county_admin"]
    va2 = tree.village_a2
    # Age-band boundaries on 2026-03-01: the day before and the day of each birthday.
    _member(va2, "甲一", "1", dt.date(1995, 3, 2))  # 30 -> 30岁及以下
    _member(va2, "甲二", "2", dt.date(1995, 3, 1), education="master")  # 31 -> 31-35岁
    _member(va2, "甲三", "1", dt.date(1990, 3, 1), education="junior_high")  # 36 -> 36-40岁
    _member(va2, "甲四", "2", dt.date(1965, 3, 2), education="junior_high")  # 60 -> 56-60岁
    _member(va2, "甲五", "1", dt.date(1965, 3, 1), education="college")  # 61 -> 61岁及以上
    _member(va2, "预备", "2", dt.date(2000, 1, 1), first_event=member_rules.ADMITTED, date=dt.date(2025, 7, 1),
            joined_on=dt.date(2025, 7, 1), converted_on=None)
    suspended = _member(va2, "停止", "1", dt.date(1980, 1, 1))
    member_add_event(actor=None, member=suspended, kind=member_rules.SUSPEND, date=dt.date(2025, 1, 1))
    died = _member(va2, "故去", "1", dt.date(1940, 1, 1))
    member_add_event(actor=None, member=died, kind=member_rules.DIE, date=dt.date(2025, 1, 1))
    mobile = _member(va2, "流动", "2", dt.date(1988, 8, 8))
    member_add_event(actor=None, member=mobile, kind=member_rules.WENT_MOBILE, date=dt.date(2025, 1, 1))
    member_add_event(actor=None, member=mobile, kind=member_rules.LOST_CONTACT, date=dt.date(2025, 2, 1))

    c = selectors.org_counts(admin, va2, today=TODAY)
    assert c.total == 8  # the dead member is no longer on the roster
    assert c.by_status == {member_rules.FULL: 6, member_rules.PROBATIONARY: 1, member_rules.SUSPENDED: 1}
    assert c.by_sex == {"男": 4, "女": 4}
    ages = dict(c.by_age)
    assert ages["30岁及以下"] == 2  # 甲一 and 预备 (26)
    assert ages["31-35岁"] == 1
    assert ages["36-40岁"] == 2  # 甲三, 流动 (37)
    assert ages["46-50岁"] == 1  # 停止 (46)
    assert ages["56-60岁"] == 1
    assert ages["61岁及以上"] == 1
    assert sum(ages.values()) == c.total
    edu = dict(c.by_education)
    assert (edu["研究生（硕士）"], edu["初中及以下"], edu["大学专科"], edu["大学本科"]) == (1, 2, 1, 4)
    assert (c.mobile, c.lost_contact) == (1, 1)


def test_org_counts_cover_the_subtree_and_stay_in_scope(tree):
    assert selectors.org_counts(tree.users["county_admin"], tree.county, today=TODAY).total == 2
    assert selectors.org_counts(tree.users["township_organizer"], tree.county, today=TODAY).total == 1
    assert selectors.org_counts(tree.users["township_organizer"], tree.town_b, today=TODAY).total == 0


def test_org_counts_follow_transfers_conversions_and_new_members_at_once(tree):
    """Counts are read from the members as they are now: a member transferred out of the subtree,
    transferred in, converted or just recorded changes every figure it belongs to, at once."""
    admin = tree.users["county_admin"]
    town_a, town_b = tree.town_a, tree.town_b
    prob = _member(tree.village_a2, "预备", "2", dt.date(1993, 5, 5), education="college",
                   first_event=member_rules.ADMITTED, date=dt.date(2024, 7, 1), joined_on=dt.date(2024, 7, 1),
                   converted_on=None)
    a = selectors.org_counts(admin, town_a, today=TODAY)
    assert (a.total, a.by_status[member_rules.PROBATIONARY], a.by_sex) == (2, 1, {"男": 1, "女": 1})
    assert dict(a.by_age)["31-35岁"] == 1 and dict(a.by_education)["大学专科"] == 1

    member_add_event(actor=None, member=prob, kind=member_rules.CONVERTED, date=dt.date(2025, 7, 1))
    a = selectors.org_counts(admin, town_a, today=TODAY)
    assert a.by_status == {member_rules.FULL: 2, member_rules.PROBATIONARY: 0, member_rules.SUSPENDED: 0}

    # 李明 (甲镇一村) moves to 乙镇一村: out of 甲镇's figures, into 乙镇's, the county's unchanged.
    member_add_event(actor=None, member=tree.member_a1, kind=member_rules.TRANSFER, date=dt.date(2025, 8, 1),
                     to_org=tree.village_b1)
    a, b = selectors.org_counts(admin, town_a, today=TODAY), selectors.org_counts(admin, town_b, today=TODAY)
    assert (a.total, a.by_sex, dict(a.by_education)["大学本科"]) == (1, {"男": 0, "女": 1}, 0)
    assert (b.total, b.by_sex, dict(b.by_education)["大学本科"]) == (2, {"男": 1, "女": 1}, 2)
    assert selectors.org_counts(admin, tree.county, today=TODAY).total == 3

    # A member of 101 and one who turned 18 today land in the outer bands: the bands add up to the total.
    _member(tree.village_b1, "百岁", "1", dt.date(1925, 1, 1))
    _member(tree.village_b1, "十八", "2", dt.date(2008, 3, 1), date=TODAY, converted_on=None)
    b = selectors.org_counts(admin, town_b, today=TODAY)
    assert (dict(b.by_age)["61岁及以上"], dict(b.by_age)["30岁及以下"], sum(n for _, n in b.by_age)) == (1, 1, 4)


def test_structure_findings_for_branches(tree):
    admin = tree.users["county_admin"]
    va1, va2 = tree.village_a1, tree.village_a2
    for i in range(6):
        _member(va2, f"成员{i}", "1", dt.date(1980, 1, 1 + i))
    found = selectors.structure_findings(admin, [tree.county, tree.town_a, va1, va2, tree.village_b1])
    # 一村: one full member; its term is recorded.  二村: 6 full members; no term recorded.
    assert {f.code for f in found[va1.pk]} == {"few_full_members"}
    assert {f.code for f in found[va2.pk]} == {"village_term_missing"}
    assert tree.county.pk not in found and tree.town_a.pk not in found
    # The seventh full member makes a committee necessary.
    _member(va2, "成员7", "1", dt.date(1980, 2, 1))
    found = selectors.structure_findings(admin, [va2])
    assert {f.code for f in found[va2.pk]} == {"village_term_missing", "no_committee"}


def test_structure_findings_count_only_full_members_as_full(tree):
    admin = tree.users["county_admin"]
    va1 = tree.village_a1
    _member(va1, "正式二", "1", dt.date(1980, 1, 1))
    for i in range(2):
        _member(va1, f"预备{i}", "1", dt.date(2000, 1, 1), first_event=member_rules.ADMITTED,
                date=dt.date(2025, 7, 1), joined_on=dt.date(2025, 7, 1), converted_on=None)
    # 2 full + 2 probationary: still fewer than 3 full members.
    assert {f.code for f in selectors.structure_findings(admin, [va1])[va1.pk]} == {"few_full_members"}
    _member(va1, "正式三", "1", dt.date(1980, 1, 2))
    assert va1.pk not in selectors.structure_findings(admin, [va1])


def test_general_branch_counts_its_whole_subtree(tree):
    admin = tree.users["county_admin"]
    general = make_org(tree.town_a, "甲镇机关党总支", "general_branch")
    b1 = make_org(general, "第一支部", "branch", committee_size=3)
    b2 = make_org(general, "第二支部", "branch", committee_size=3)
    for i in range(50):
        _member(b1 if i % 2 else b2, f"党员{i}", "1", dt.date(1980, 1, 1) + dt.timedelta(days=i))
    found = selectors.structure_findings(admin, [general, b1, b2])
    assert general.pk not in found  # 50 members: neither a branch size nor a committee finding
    for i in range(50, 100):
        _member(b1 if i % 2 else b2, f"党员{i}", "1", dt.date(1980, 1, 1) + dt.timedelta(days=i))
    found = selectors.structure_findings(admin, [general, b1, b2])
    assert {f.code for f in found[general.pk]} == {"may_become_committee"}
    assert b1.pk not in found and b2.pk not in found  # 50 each: not over 50
    _member(b1, "党员100", "1", dt.date(1970, 1, 1))
    found = selectors.structure_findings(admin, [general, b1, b2])
    assert {f.code for f in found[b1.pk]} == {"branch_too_large"}
    assert b2.pk not in found


def test_joint_branch_units(tree):
    admin = tree.users["county_admin"]
    joint = make_org(tree.town_a, "甲镇非公企业联合党支部", "joint_branch", unit_situation="joint", committee_size=3)
    for i in range(3):
        _member(joint, f"企业党员{i}", "1", dt.date(1985, 1, 1 + i))
    units = [Unit.objects.create(name=f"企业{i}") for i in range(6)]
    joint.units.set(units[:5])
    assert joint.pk not in selectors.structure_findings(admin, [joint])
    joint.units.add(units[5])
    assert {f.code for f in selectors.structure_findings(admin, [joint])[joint.pk]} == {"joint_too_many_units"}


def test_findings_are_not_given_for_organizations_outside_scope(tree):
    found = selectors.structure_findings(tree.users["township_organizer"], [tree.village_a1, tree.village_b1])
    assert tree.village_b1.pk not in found
    assert tree.village_a1.pk in found
    assert selectors.structure_findings(tree.users["township_organizer"], []) == {}


def test_findings_for_one_organization_read_only_its_members(tree):
    """A county user's org page must not group every member of the county (or city) to check one branch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.orgs import selectors as org_selectors

    va1 = Org.objects.get(pk=tree.village_a1.pk)
    with CaptureQueriesContext(connection) as ctx:
        org_selectors.structure_findings(tree.users["county_admin"], [va1])
    member_queries = [q["sql"] for q in ctx.captured_queries if "members_member" in q["sql"]]
    assert len(member_queries) == 1
    assert f'"members_member"."org_id" IN ({va1.pk})' in member_queries[0]


def test_org_children_use_the_path_range(tree):
    from dangjian.orgs import selectors as org_selectors

    qs = org_selectors.org_children(tree.users["county_admin"], Org.objects.get(pk=tree.town_a.pk))
    assert "LIKE" not in str(qs.query).upper()
    assert [o.pk for o in qs] == [tree.village_a1.pk, tree.village_a2.pk]

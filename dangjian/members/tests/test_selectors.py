"""Reads of the roster: the roster as of any date, search, deadlines of R5.5, always in scope."""

import datetime as dt

import pytest
from django.http import Http404

from dangjian.common import crypto
from dangjian.members import rules, selectors
from dangjian.members.services import member_add_event, member_transfer
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(m.name for m in qs)


# --- roster as of a date ----------------------------------------------------------------------------


@pytest.fixture
def history(tree):
    """周红: admitted into 甲镇一村 2019-06-01, converted 2020-06-01, transferred to 甲镇二村 2021-03-01
    (letter out 2021-02-20), to 乙镇一村 2022-01-01, died 2023-05-01. 吴刚 left the county 2022-07-01."""
    zhou = make_member(tree.village_a1, name="周红", sex="2", birth_date=dt.date(1995, 1, 1), first_event=rules.ADMITTED,
                       date=dt.date(2019, 6, 1), joined_on=dt.date(2019, 6, 1), converted_on=None)
    member_add_event(actor=None, member=zhou, kind=rules.CONVERTED, date=dt.date(2020, 6, 1))
    member_transfer(actor=None, member=zhou, to_org=tree.village_a2, date=dt.date(2021, 3, 1),
                    out_date=dt.date(2021, 2, 20), letter_number="T-1")
    member_transfer(actor=None, member=zhou, to_org=tree.village_b1, date=dt.date(2022, 1, 1), letter_number="T-2")
    member_add_event(actor=None, member=zhou, kind=rules.DIE, date=dt.date(2023, 5, 1))
    wu = make_member(tree.village_a2, name="吴刚", date=dt.date(2012, 1, 1))
    member_add_event(actor=None, member=wu, kind=rules.TRANSFER_OUT, date=dt.date(2022, 7, 1))
    return tree


@pytest.mark.parametrize(
    ("as_of", "a1", "a2", "b1"),
    [
        (dt.date(2011, 1, 1), ["李明"], [], ["王芳"]),  # before 吴刚 was recorded (2012)
        (dt.date(2019, 5, 31), ["李明"], ["吴刚"], ["王芳"]),
        (dt.date(2019, 6, 1), ["周红", "李明"], ["吴刚"], ["王芳"]),  # the day of admission
        (dt.date(2021, 2, 28), ["周红", "李明"], ["吴刚"], ["王芳"]),  # letter issued, not yet received
        (dt.date(2021, 3, 1), ["李明"], ["吴刚", "周红"], ["王芳"]),
        (dt.date(2022, 1, 1), ["李明"], ["吴刚"], ["周红", "王芳"]),
        (dt.date(2022, 7, 1), ["李明"], [], ["周红", "王芳"]),  # 吴刚 left the county that day
        (dt.date(2023, 4, 30), ["李明"], [], ["周红", "王芳"]),
        (dt.date(2023, 5, 1), ["李明"], [], ["王芳"]),  # died
    ],
)
def test_roster_on_several_dates(history, as_of, a1, a2, b1):
    t = history
    admin = t.users["county_admin"]
    assert names(selectors.roster_as_of(admin, t.village_a1, as_of)) == sorted(a1)
    assert names(selectors.roster_as_of(admin, t.village_a2, as_of)) == sorted(a2)
    assert names(selectors.roster_as_of(admin, t.village_b1, as_of)) == sorted(b1)
    assert names(selectors.roster_as_of(admin, t.county, as_of)) == sorted(a1 + a2 + b1)
    assert names(selectors.roster_as_of(admin, t.town_a, as_of)) == sorted(a1 + a2)


def test_roster_annotates_status_and_organization_of_that_date(history):
    t = history
    admin = t.users["county_admin"]
    zhou = selectors.roster_as_of(admin, t.county, dt.date(2019, 12, 31)).get(name="周红")
    assert (zhou.status_at, zhou.org_at_id) == (rules.PROBATIONARY, t.village_a1.pk)
    zhou = selectors.roster_as_of(admin, t.county, dt.date(2021, 12, 31)).get(name="周红")
    assert (zhou.status_at, zhou.org_at_id) == (rules.FULL, t.village_a2.pk)


def test_suspended_members_stay_on_the_roster(tree):
    member_add_event(actor=None, member=tree.member_a1, kind=rules.SUSPEND, date=dt.date(2024, 1, 1))
    got = selectors.roster_as_of(tree.users["county_admin"], tree.village_a1, dt.date(2024, 6, 1)).get()
    assert got.status_at == rules.SUSPENDED


def test_township_roster_of_a_past_date_includes_members_who_left_since(history):
    """甲镇's year-end roster for 2021 must not change because 周红 moved to 乙镇 in 2022."""
    t = history
    organizer = t.users["township_organizer"]
    assert names(selectors.roster_as_of(organizer, t.town_a, dt.date(2021, 12, 31))) == ["吴刚", "周红", "李明"]
    # And 乙镇's past never shows up for 甲镇's organizer.
    assert names(selectors.roster_as_of(organizer, t.county, dt.date(2022, 6, 30))) == ["吴刚", "李明"]
    assert names(selectors.roster_as_of(organizer, t.town_b, dt.date(2022, 6, 30))) == []
    assert names(selectors.roster_as_of(t.users["member"], t.village_a1, dt.date(2022, 6, 30))) == []


# --- get, subtree, timeline ---------------------------------------------------------------------------


def test_member_get_in_and_out_of_scope(tree):
    assert selectors.member_get(tree.users["township_organizer"], tree.member_a1.pk) == tree.member_a1
    assert selectors.member_get(tree.users["member"], str(tree.member_a1.pk)) == tree.member_a1
    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        for pk in (tree.member_b1.pk, 10**9, "x", None):
            with pytest.raises(Http404):
                selectors.member_get(tree.users[role], pk)


def test_members_in_subtree(tree):
    assert names(selectors.members_in_subtree(tree.users["county_admin"], tree.town_a)) == ["李明"]
    assert names(selectors.members_in_subtree(tree.users["county_admin"], tree.county)) == ["李明", "王芳"]
    assert names(selectors.members_in_subtree(tree.users["township_organizer"], tree.county)) == ["李明"]


def test_timeline_in_order_and_in_scope(history):
    t = history
    zhou = t.village_b1.members.get(name="周红")
    kinds = [e.kind for e in selectors.member_timeline(t.users["county_admin"], zhou)]
    assert kinds == [rules.ADMITTED, rules.CONVERTED, rules.TRANSFER, rules.TRANSFER, rules.DIE]
    with pytest.raises(Http404):
        selectors.member_timeline(t.users["township_organizer"], zhou)


# --- search -------------------------------------------------------------------------------------------


@pytest.fixture
def people(tree):
    make_member(tree.village_a1, name="张晓明", phone="13800000011")
    make_member(tree.village_a2, name="欧阳娜娜", sex="2", birth_date=dt.date(1992, 2, 29))
    make_member(tree.village_b1, name="张伟")
    return tree


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("明", ["张晓明", "李明"]),  # any part of the name
        ("张晓", ["张晓明"]),
        ("zhangxiaoming", ["张晓明"]),  # full pinyin
        ("ZhangXiao", ["张晓明"]),  # pinyin prefix, any case
        ("zxm", ["张晓明"]),  # initials
        ("lm", ["李明"]),
        ("oyn", ["欧阳娜娜"]),
        ("ouyang", ["欧阳娜娜"]),
        ("zhang", ["张晓明", "张伟"]),
        ("xiaoming", []),  # pinyin matches from the start of the name
        ("王", ["王芳"]),
        ("", ["张晓明", "李明", "欧阳娜娜", "张伟", "王芳"]),
        ("刘", []),
    ],
)
def test_search_by_name_pinyin_and_initials(people, q, expected):
    assert names(selectors.member_search(people.users["county_admin"], q)) == sorted(expected)


def test_search_stays_in_scope(people):
    organizer = people.users["township_organizer"]
    assert names(selectors.member_search(organizer, "zhang")) == ["张晓明"]
    assert names(selectors.member_search(organizer, "王芳")) == []
    assert names(selectors.member_search(people.users["branch_secretary"], "")) == ["张晓明", "李明"]
    assert names(selectors.member_search(people.users["county_admin"], "zhang", org=people.town_b)) == ["张伟"]


def test_search_by_exact_id_number_but_never_by_a_part_of_it(people):
    admin = people.users["county_admin"]
    m = people.member_a1
    number = crypto.decrypt(m.id_number_enc)
    assert names(selectors.member_search(admin, number)) == ["李明"]
    assert names(selectors.member_search(admin, f" {number[:6]} {number[6:14]} {number[14:].lower()} ")) == ["李明"]
    for part in (number[:6], number[-4:], number[:17], number[1:], number[6:14], m.id_number_masked):
        assert names(selectors.member_search(admin, part)) == [], part
    # The township organizer of 甲镇 cannot find 王芳 (乙镇) by her number either.
    other = crypto.decrypt(people.member_b1.id_number_enc)
    assert names(selectors.member_search(people.users["township_organizer"], other)) == []
    assert names(selectors.member_search(admin, other)) == ["王芳"]


def test_search_excludes_former_members_unless_asked(tree):
    member_add_event(actor=None, member=tree.member_a1, kind=rules.DIE, date=dt.date(2024, 1, 1))
    admin = tree.users["county_admin"]
    assert names(selectors.member_search(admin, "李明")) == []
    assert names(selectors.member_search(admin, "李明", include_former=True)) == ["李明"]


# --- R5.5 work-queue deadlines ------------------------------------------------------------------------


def lost(tree, name, on):
    m = make_member(tree.village_a1, name=name)
    member_add_event(actor=None, member=m, kind=rules.LOST_CONTACT, date=on)
    return m


@pytest.mark.parametrize(
    ("lost_on", "today", "within", "due"),
    [
        (dt.date(2024, 1, 15), dt.date(2024, 6, 14), 30, False),  # six months end 07-15: 31 days away
        (dt.date(2024, 1, 15), dt.date(2024, 6, 15), 30, True),  # exactly 30 days away
        (dt.date(2024, 1, 15), dt.date(2024, 7, 14), 0, False),
        (dt.date(2024, 1, 15), dt.date(2024, 7, 15), 0, True),  # the day the six months end
        (dt.date(2024, 1, 15), dt.date(2025, 7, 15), 0, True),  # long overdue
        (dt.date(2023, 8, 31), dt.date(2024, 2, 28), 0, False),
        (dt.date(2023, 8, 31), dt.date(2024, 2, 29), 0, True),  # 31 August + 6 months = 29 February
        (dt.date(2024, 8, 30), dt.date(2025, 2, 28), 0, True),
        (dt.date(2024, 8, 31), dt.date(2025, 2, 27), 0, False),
    ],
)
def test_lost_contact_due_at_six_months(tree, lost_on, today, within, due):
    lost(tree, "失联者", lost_on)
    got = names(selectors.lost_contact_due(tree.users["county_admin"], today=today, within_days=within))
    assert got == (["失联者"] if due else [])


def test_lost_contact_due_only_for_active_lost_members_in_scope(tree):
    long_ago = dt.date(2020, 1, 1)
    a = lost(tree, "甲", long_ago)
    restored = lost(tree, "乙", long_ago)
    member_add_event(actor=None, member=restored, kind=rules.CONTACT_RESTORED, date=dt.date(2020, 3, 1))
    suspended = lost(tree, "丙", long_ago)
    member_add_event(actor=None, member=suspended, kind=rules.SUSPEND, date=dt.date(2020, 7, 1))
    today = dt.date(2026, 1, 1)
    assert names(selectors.lost_contact_due(tree.users["county_admin"], today=today)) == ["甲"]
    assert names(selectors.lost_contact_due(tree.users["branch_secretary"], today=today)) == ["甲"]
    other_town = make_member(tree.village_b1, name="丁")
    member_add_event(actor=None, member=other_town, kind=rules.LOST_CONTACT, date=long_ago)
    assert names(selectors.lost_contact_due(tree.users["township_organizer"], today=today)) == ["甲"]
    assert a.pk in {m.pk for m in selectors.lost_contact_due(tree.users["county_admin"], today=today)}


@pytest.mark.parametrize(
    ("suspended_on", "today", "within", "due"),
    [
        (dt.date(2022, 3, 10), dt.date(2024, 1, 9), 60, False),  # two years end 2024-03-10: 61 days away
        (dt.date(2022, 3, 10), dt.date(2024, 1, 10), 60, True),  # 60 days away
        (dt.date(2022, 3, 10), dt.date(2024, 3, 9), 0, False),
        (dt.date(2022, 3, 10), dt.date(2024, 3, 10), 0, True),
        (dt.date(2020, 2, 29), dt.date(2022, 2, 27), 0, False),
        (dt.date(2020, 2, 29), dt.date(2022, 2, 28), 0, True),  # 29 February + 2 years = 28 February
    ],
)
def test_suspension_due_at_two_years(tree, suspended_on, today, within, due):
    m = make_member(tree.village_a1, name="停止者", date=dt.date(2010, 1, 1))
    member_add_event(actor=None, member=m, kind=rules.SUSPEND, date=suspended_on)
    got = names(selectors.suspension_due(tree.users["county_admin"], today=today, within_days=within))
    assert got == (["停止者"] if due else [])


def test_removed_members_are_no_longer_due(tree):
    m = make_member(tree.village_a1, name="停止者")
    member_add_event(actor=None, member=m, kind=rules.SUSPEND, date=dt.date(2020, 1, 1))
    member_add_event(actor=None, member=m, kind=rules.REMOVE, date=dt.date(2022, 1, 2), reason="self_lapsed")
    assert names(selectors.suspension_due(tree.users["county_admin"], today=dt.date(2026, 1, 1))) == []


def test_search_by_the_surname_reading_of_a_heteronym(tree):
    make_member(tree.village_a1, name="曾伟")
    admin = tree.users["county_admin"]
    for q in ("zengwei", "zeng", "zw", "曾伟", "曾"):
        assert names(selectors.member_search(admin, q)) == ["曾伟"], q


def test_a_chinese_query_matches_names_not_their_pinyin(tree):
    from dangjian.members.selectors import member_search
    from dangjian.testing import make_member

    make_member(tree.village_a1, name="刘备", birth_date=dt.date(1981, 1, 1))
    admin = tree.users["county_admin"]
    assert list(member_search(admin, "李").values_list("name", flat=True)) == ["李明"]  # not 刘 (liu)
    assert set(member_search(admin, "li").values_list("name", flat=True)) == {"李明", "刘备"}

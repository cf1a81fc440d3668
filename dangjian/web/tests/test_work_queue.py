"""The work queue (待办): deadlines and structure warnings, in scope, most urgent first."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.members import rules
from dangjian.members.services import member_add_event
from dangjian.testing import make_member
from dangjian.web.selectors import work_groups, work_queue

TODAY = timezone.localdate()


def lost(org, name, days_ago):
    m = make_member(org, name=name, birth_date=dt.date(1970, 1, 1 + len(name)))
    member_add_event(actor=None, member=m, kind=rules.LOST_CONTACT, date=TODAY - dt.timedelta(days=days_ago))
    return m


def suspended(org, name, days_ago):
    m = make_member(org, name=name, birth_date=dt.date(1960, 1, 1 + len(name)))
    member_add_event(actor=None, member=m, kind=rules.SUSPEND, date=TODAY - dt.timedelta(days=days_ago))
    return m


def test_structure_warnings_of_the_scope_with_chinese_names(tree):
    items = work_queue(tree.users["township_organizer"], TODAY)
    structure = {(i.org.pk, i.group_title) for i in items if i.kind == "structure"}
    assert (tree.village_a2.pk, "正式党员不足3人") in structure
    assert (tree.village_a2.pk, "村（社区）党组织无任期记录") in structure
    assert (tree.village_a1.pk, "正式党员不足3人") in structure
    assert (tree.village_a1.pk, "村（社区）党组织无任期记录") not in structure  # its term is on record
    assert all(i.org.pk != tree.village_b1.pk for i in items)  # another township's
    assert all(i.url == reverse("web:org_detail", args=[i.org.pk]) for i in items if i.kind == "structure")


def test_lost_contact_and_suspension_deadlines(tree):
    overdue = lost(tree.village_a1, "失联甲", 200)
    nearing = lost(tree.village_a1, "失联乙", 170)
    lost(tree.village_a1, "失联丙", 30)  # far from 6 months: not yet
    susp = suspended(tree.village_a2, "停止甲", 715)
    lost(tree.village_b1, "乙镇失联", 200)  # outside the township
    items = work_queue(tree.users["township_organizer"], TODAY)
    # (the six-month lapse alarms are tested in test_work_queue_lapse.py)
    by_member = {i.member.pk: i for i in items if i.kind in ("lost_contact", "suspension")}
    assert set(by_member) == {overdue.pk, nearing.pk, susp.pk}
    assert by_member[overdue.pk].severity == "danger"
    assert by_member[nearing.pk].severity == "warning"
    assert by_member[nearing.pk].due == rules.lost_contact_deadline(TODAY - dt.timedelta(days=170))
    assert by_member[susp.pk].kind == "suspension"
    assert by_member[susp.pk].due == rules.suspension_deadline(TODAY - dt.timedelta(days=715))
    assert by_member[overdue.pk].url == reverse("web:member_detail", args=[overdue.pk])
    deadlines = [i for i in items if i.kind in ("lost_contact", "suspension")]
    assert deadlines[0].member == overdue  # the overdue deadline comes first
    assert "失联已满6个月" in deadlines[0].title


def test_groups_count_items(tree):
    lost(tree.village_a1, "失联甲", 200)
    groups = {g.key: g for g in work_groups(work_queue(tree.users["township_organizer"], TODAY))}
    assert groups["lost_contact"].count == 1 and groups["lost_contact"].severity == "danger"
    assert groups["structure:few_full_members"].count == 2


def test_members_and_users_without_scope_have_no_queue(tree):
    assert work_queue(tree.users["member"], TODAY) == []


def test_home_shows_the_queue_and_filters_by_group(tree, as_role):
    lost(tree.village_a1, "失联甲", 200)
    c = as_role("township_organizer")
    body = c.get(reverse("web:home")).content.decode()
    assert 'data-testid="work-item"' in body
    assert "失联甲：失联已满6个月" in body
    assert "正式党员不足3人" in body
    assert tree.village_b1.name not in body
    only = c.get(reverse("web:home"), {"group": "lost_contact"}).content.decode()
    assert only.count('data-testid="work-item"') == 1


def test_home_for_the_county_includes_every_township(tree, as_role):
    body = as_role("county_admin").get(reverse("web:home")).content.decode()
    assert tree.village_b1.name in body and tree.village_a2.name in body

"""Organization writes through the pages: each goes through its service, bad input comes back as
Chinese messages on the form with nothing written, and a concurrent edit is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.common.errors import CONFLICT
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import row_counts
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgEvent
from dangjian.orgs.services import CODE_TAKEN
from dangjian.testing import make_member, make_org

# The suite can run across the county's midnight: today is read when the test runs, not when it is collected.
TODAY = timezone.localdate()


def future_date_message() -> str:
    return org_rules.FUTURE_DATE.format(date=timezone.localdate())


def create_data(**overrides):
    data = {
        "name": "中共甲镇三村支部委员会", "short_name": "三村支部", "stats_name": "", "code": "NEW0001",
        "org_type": "branch", "established_on": "2024-03-01", "doc_number": "甲组〔2024〕3号", "category": "rural",
        "unit_situation": "same_as_parent", "secretary_name": "周书记", "contact_name": "", "contact_phone": "",
        "committee_size": "0", "term_started_on": "", "term_years": "", "division_code": "", "approving_org": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def edit_data(org: Org, **overrides):
    data = {
        "version": org.version, "short_name": org.short_name, "stats_name": org.stats_name, "category": org.category,
        "unit_situation": org.unit_situation, "secretary_name": org.secretary_name, "contact_name": org.contact_name,
        "contact_phone": org.contact_phone, "committee_size": org.committee_size,
        "term_started_on": org.term_started_on.isoformat() if org.term_started_on else "",
        "term_years": org.term_years or "", "division_code": "", "approving_org": org.approving_org_id or "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_child_org(tree, as_role):
    c = as_role("township_organizer")
    resp = c.post(reverse("web:org_create", args=[tree.town_a.pk]), create_data(approving_org=tree.town_a.pk))
    assert resp.status_code == 302
    org = Org.objects.get(code="NEW0001")
    assert resp["Location"] == reverse("web:org_detail", args=[org.pk])
    assert Org.objects.get_parent(org) == tree.town_a
    assert org.secretary_name == "周书记" and org.approving_org == tree.town_a
    ev = OrgEvent.objects.get(org=org)
    assert ev.kind == "established" and ev.doc_number == "甲组〔2024〕3号"
    assert AuditEvent.objects.filter(action="org.create", target_id=str(org.pk),
                                     actor=tree.users["township_organizer"]).exists()


def test_create_offers_only_the_types_allowed_under_the_parent(tree, as_role):
    body = as_role("township_organizer").get(reverse("web:org_create", args=[tree.village_a1.pk])).content.decode()
    assert 'value="party_group"' in body
    assert 'value="general_branch"' not in body


@pytest.mark.parametrize(("overrides", "message", "field"), [
    ({"established_on": (TODAY + dt.timedelta(days=3)).isoformat()}, future_date_message, "established_on"),
    ({"code": "__taken__"}, None, "code"),
    ({"name": ""}, "这个字段是必填项。", "name"),
    ({"division_code": "999999"}, "未找到区划代码“999999”。", "division_code"),
])  # fmt: skip
def test_create_refuses_bad_input_with_chinese_messages_and_writes_nothing(tree, as_role, overrides, message, field):
    if overrides.get("code") == "__taken__":
        overrides = {"code": tree.village_a1.code}
        message = CODE_TAKEN.format(code=tree.village_a1.code, name=tree.village_a1.name)
    c = as_role("township_organizer")
    before = row_counts()
    resp = c.post(reverse("web:org_create", args=[tree.town_a.pk]), create_data(**overrides))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert (message() if callable(message) else message) in body
    assert "中共甲镇三村支部委员会" in body or field == "name"  # the user's input is kept
    assert row_counts() == before


def test_create_under_an_out_of_scope_parent_is_404(tree, as_role):
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:org_create", args=[tree.town_b.pk]), create_data())
    assert resp.status_code == 404
    assert row_counts() == before


def test_edit_updates_through_the_service(tree, as_role):
    org = tree.village_a1
    resp = as_role("branch_secretary").post(reverse("web:org_edit", args=[org.pk]),
                                            edit_data(org, secretary_name="李书记", contact_phone="0791-1234567"))
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.secretary_name == "李书记" and org.contact_phone == "0791-1234567"
    assert org.version == 2
    assert AuditEvent.objects.filter(action="org.update", target_id=str(org.pk)).exists()


def test_concurrent_edit_second_save_shows_conflict_and_keeps_input(tree, as_role):
    org = tree.village_a1
    first, second = as_role("township_organizer"), as_role("branch_secretary")
    stale = edit_data(org)
    assert first.post(reverse("web:org_edit", args=[org.pk]), {**stale, "secretary_name": "第一人"}).status_code == 302
    before = row_counts()
    resp = second.post(reverse("web:org_edit", args=[org.pk]), {**stale, "secretary_name": "第二人"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert CONFLICT in body
    assert 'value="第二人"' in body  # the second user's input is kept
    assert "第一人" in body  # and the content saved meanwhile is shown
    org.refresh_from_db()
    assert org.secretary_name == "第一人"  # nothing silently overwritten
    assert row_counts() == before
    # Having seen the latest content, saving again is a deliberate choice and goes through.
    fresh_version = org.version
    assert f'name="version" value="{fresh_version}"' in body
    resp = second.post(reverse("web:org_edit", args=[org.pk]), {**stale, "version": fresh_version, "secretary_name": "第二人"})
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.secretary_name == "第二人"


def test_rename_records_a_dated_event(tree, as_role):
    org = tree.village_a1
    resp = as_role("township_organizer").post(reverse("web:org_rename", args=[org.pk]), {
        "name": "中共甲镇幸福村支部委员会", "short_name": "幸福村支部", "date": "2024-05-01", "doc_number": "甲组〔2024〕9号",
    })  # fmt: skip
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.name == "中共甲镇幸福村支部委员会"
    ev = OrgEvent.objects.get(org=org, kind="renamed")
    assert ev.date == dt.date(2024, 5, 1) and ev.doc_number == "甲组〔2024〕9号"


def test_event_forms_need_a_date_and_document_number(tree, as_role):
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:org_rename", args=[tree.village_a1.pk]),
                                              {"name": "新名称", "date": "", "doc_number": ""})
    assert resp.status_code == 200
    assert resp.content.decode().count("这个字段是必填项。") == 2
    assert row_counts() == before


def test_change_type(tree, as_role):
    org = tree.village_a1
    resp = as_role("township_organizer").post(reverse("web:org_change_type", args=[org.pk]), {
        "org_type": "general_branch", "date": "2024-06-01", "doc_number": "甲组〔2024〕10号"})
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.org_type == "general_branch"
    assert OrgEvent.objects.filter(org=org, kind="type_changed").exists()


def test_move_under_another_org(tree, as_role):
    org = tree.village_a2
    resp = as_role("county_admin").post(reverse("web:org_move", args=[org.pk]), {
        "new_parent": tree.town_b.pk, "date": "2024-06-01", "doc_number": "县组〔2024〕1号"})
    assert resp.status_code == 302
    org.refresh_from_db()
    assert Org.objects.get_parent(org) == tree.town_b
    assert OrgEvent.objects.get(org=org, kind="moved").other_org == tree.town_b


def test_move_under_own_descendant_is_refused_in_chinese(tree, as_role):
    before = row_counts()
    resp = as_role("county_admin").post(reverse("web:org_move", args=[tree.town_a.pk]), {
        "new_parent": tree.village_a1.pk, "date": "2024-06-01", "doc_number": "县组〔2024〕1号"})
    assert resp.status_code == 200
    assert org_rules.MOVE_UNDER_SELF in resp.content.decode()
    assert row_counts() == before


def test_move_target_outside_scope_is_not_a_valid_choice(tree, as_role):
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:org_move", args=[tree.village_a2.pk]), {
        "new_parent": tree.town_b.pk, "date": "2024-06-01", "doc_number": "x"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "请搜索并选择一个党组织。" in body
    assert tree.town_b.name not in body
    assert row_counts() == before


def test_merge_transfers_members_and_dissolves(tree, as_role):
    small = make_org(tree.town_a, "中共甲镇小村支部委员会", "branch", category="rural")
    m = make_member(small, name="钱小", birth_date=dt.date(1980, 2, 2))
    resp = as_role("township_organizer").post(reverse("web:org_merge", args=[small.pk]), {
        "into": tree.village_a1.pk, "date": "2024-07-01", "doc_number": "甲组〔2024〕12号"})
    assert resp.status_code == 302
    small.refresh_from_db()
    m.refresh_from_db()
    assert small.dissolved_on == dt.date(2024, 7, 1)
    assert m.org == tree.village_a1


def test_dissolve_an_empty_org_and_refuse_one_with_members(tree, as_role):
    c = as_role("township_organizer")
    resp = c.post(reverse("web:org_dissolve", args=[tree.village_a2.pk]),
                  {"date": "2024-08-01", "doc_number": "甲组〔2024〕13号", "note": "村庄合并"})
    assert resp.status_code == 302
    tree.village_a2.refresh_from_db()
    assert tree.village_a2.dissolved_on == dt.date(2024, 8, 1)
    before = row_counts()
    resp = c.post(reverse("web:org_dissolve", args=[tree.village_a1.pk]), {"date": "2024-08-01", "doc_number": "x"})
    assert resp.status_code == 200
    assert org_rules.DISSOLVE_WITH_MEMBERS.format(name=tree.village_a1.name, count=1) in resp.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize("name", ["web:org_create", "web:org_edit", "web:org_rename", "web:org_change_type",
                                  "web:org_move", "web:org_merge", "web:org_dissolve", "web:member_create"])
def test_inspector_gets_404_on_every_org_write(tree, as_role, name):
    c = as_role("inspector")
    before = row_counts()
    url = reverse(name, args=[tree.village_a1.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, {"date": "2024-01-01", "doc_number": "x", "name": "y"}).status_code == 404
    assert row_counts() == before


def test_org_page_hides_write_actions_from_the_inspector(tree, as_role):
    url = reverse("web:org_detail", args=[tree.village_a1.pk])
    assert 'data-testid="org-actions"' in as_role("branch_secretary").get(url).content.decode()
    assert 'data-testid="org-actions"' not in as_role("inspector").get(url).content.decode()


def test_org_page_offers_structural_changes_only_to_a_higher_organization(tree, as_role):
    """R3.12: a branch secretary edits the branch but does not rename, move or dissolve it."""
    url = reverse("web:org_detail", args=[tree.village_a1.pk])
    secretary = as_role("branch_secretary").get(url).content.decode()
    assert 'data-testid="org-edit-link"' in secretary and 'data-testid="org-events-menu"' not in secretary
    town = as_role("township_organizer").get(url).content.decode()
    assert 'data-testid="org-events-menu"' in town and reverse("web:org_dissolve", args=[tree.village_a1.pk]) in town
    root = as_role("county_admin").get(reverse("web:org_detail", args=[tree.county.pk])).content.decode()
    assert reverse("web:org_rename", args=[tree.county.pk]) in root
    assert reverse("web:org_dissolve", args=[tree.county.pk]) not in root

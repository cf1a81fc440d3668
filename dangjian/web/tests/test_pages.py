"""Every page renders for the roles it is for, and answers 404 to the others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from dangjian.testing import make_member

ORG_ROLES = ["county_admin", "township_organizer", "branch_secretary", "inspector"]
WRITERS = ["county_admin", "township_organizer", "branch_secretary"]


def read_urls(tree) -> list[str]:
    va1, m = tree.village_a1.pk, tree.member_a1.pk
    return [
        reverse("web:home"),
        reverse("web:org_tree"),
        reverse("web:org_tree") + "?q=一村",
        reverse("web:org_detail", args=[va1]),
        reverse("web:org_detail", args=[va1]) + "?as_of=2015-01-01",
        reverse("web:org_detail", args=[va1]) + "?status=former",
        reverse("web:org_children", args=[va1]),
        reverse("web:org_pick") + "?field=to_org&to_org_search=村",
        reverse("web:member_search") + "?q=li",
        reverse("web:member_detail", args=[m]),
        reverse("web:member_timeline", args=[m]),
    ]


def write_urls(tree) -> list[str]:
    va1, m = tree.village_a1.pk, tree.member_a1.pk
    names = ["web:org_create", "web:org_edit", "web:org_rename", "web:org_change_type", "web:org_move", "web:org_merge",
             "web:org_dissolve", "web:member_create"]
    return [reverse(n, args=[va1]) for n in names] + [
        reverse("web:member_edit", args=[m]), reverse("web:member_event", args=[m])
    ]


@pytest.mark.parametrize("role", ORG_ROLES)
def test_read_pages_render_for_org_roles(tree, as_role, role):
    c = as_role(role)
    for url in read_urls(tree):
        resp = c.get(url)
        assert resp.status_code == 200, (role, url, resp.status_code)


@pytest.mark.parametrize("role", WRITERS)
def test_write_pages_render_for_writers(tree, as_role, role):
    c = as_role(role)
    for url in write_urls(tree):
        resp = c.get(url)
        assert resp.status_code == 200, (role, url, resp.status_code)
        assert "csrfmiddlewaretoken" in resp.content.decode()


@pytest.mark.parametrize("role", ["inspector", "member"])
def test_write_urls_are_404_for_read_only_roles(tree, as_role, role):
    c = as_role(role)
    for url in write_urls(tree):
        assert c.get(url).status_code == 404, url
        assert c.post(url, {"name": "x"}).status_code == 404, url


def test_member_role_sees_own_record_and_nothing_of_the_org_side(tree, as_role):
    c = as_role("member")
    home = c.get(reverse("web:home"))
    assert home.status_code == 200
    assert reverse("web:me") in home.content.decode()
    me = c.get(reverse("web:me"))
    assert me.status_code == 200
    body = me.content.decode()
    assert "李明" in body and tree.member_a1.id_number_masked in body
    assert 'data-testid="member-timeline"' in body
    assert c.get(reverse("web:member_detail", args=[tree.member_a1.pk])).status_code == 200
    assert c.get(reverse("web:member_detail", args=[tree.member_b1.pk])).status_code == 404
    for url in (reverse("web:org_tree"), reverse("web:member_search"), reverse("web:org_pick"),
                reverse("web:org_detail", args=[tree.village_a1.pk]), reverse("web:audit")):
        assert c.get(url).status_code == 404, url


def test_me_is_404_for_users_without_a_member_record(tree, as_role):
    assert as_role("township_organizer").get(reverse("web:me")).status_code == 404


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector"])
def test_other_townships_records_do_not_exist_for_town_users(tree, as_role, role):
    c = as_role(role)
    urls = [
        reverse("web:org_detail", args=[tree.village_b1.pk]),
        reverse("web:org_children", args=[tree.town_b.pk]),
        reverse("web:member_detail", args=[tree.member_b1.pk]),
        reverse("web:member_timeline", args=[tree.member_b1.pk]),
        reverse("web:org_edit", args=[tree.village_b1.pk]),
        reverse("web:member_edit", args=[tree.member_b1.pk]),
        reverse("web:org_detail", args=[987654]),
    ]
    for url in urls:
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("web:member_reveal", args=[tree.member_b1.pk, "id_number"])).status_code == 404


def test_navigation_matches_the_role(tree, as_role):
    body = as_role("county_admin").get(reverse("web:home")).content.decode()
    assert reverse("web:audit") in body and reverse("web:org_tree") in body
    body = as_role("township_organizer").get(reverse("web:home")).content.decode()
    assert reverse("web:audit") not in body
    assert as_role("township_organizer").get(reverse("web:audit")).status_code == 404


def test_org_page_shows_national_fields_counts_findings_and_members(tree, as_role):
    body = as_role("township_organizer").get(reverse("web:org_detail", args=[tree.village_a2.pk])).content.decode()
    for label in ("党组织全称", "党组织简称", "党内统计用党组织简称", "党组织编码", "组织类型", "组织类别",
                  "党组织所在单位情况", "党组织所在行政区划", "批准成立的上级党组织", "成立日期", "党组织书记",
                  "党组织联系人", "联系电话", "审批预备党员权限", "委员会委员人数", "任期"):
        assert label in body, label
    # an empty rural branch: fewer than 3 full members, and no term on record — by their Chinese names
    assert "正式党员不足3人" in body
    assert "村（社区）党组织无任期记录" in body
    assert 'id="org-charts"' not in body  # no members, no charts
    assert "成立" in body  # the established event


def test_org_page_lists_members_masked_with_counts_and_chart_data(tree, as_role):
    make_member(tree.village_a1, name="赵一", sex="2", birth_date=dt.date(1995, 5, 5))
    body = as_role("branch_secretary").get(reverse("web:org_detail", args=[tree.village_a1.pk])).content.decode()
    assert 'data-testid="count-total">2<' in body
    assert 'id="org-charts"' in body
    assert tree.member_a1.id_number_masked in body
    assert "13800000001" not in body and "138****0001" in body
    assert "赵一" in body and "李明" in body
    assert "echarts.min.js" in body
    # Every script and stylesheet comes from our own /static/ (a random CSRF token may contain "cdn").
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', body)


def test_org_page_roster_as_of_a_date(tree, as_role):
    c = as_role("township_organizer")
    url = reverse("web:org_detail", args=[tree.village_a1.pk])
    assert "李明" in c.get(url + "?as_of=2015-01-01").content.decode()
    before = c.get(url + "?as_of=2009-12-31").content.decode()
    assert 'data-testid="member-row"' not in before
    assert "截至2009-12-31" in before


def test_org_page_member_list_is_paginated(tree, as_role, settings):
    settings.PAGE_SIZE = 2
    for i in range(3):
        make_member(tree.village_a2, name=f"孙{i}", birth_date=dt.date(1980, 1, i + 1))
    c = as_role("township_organizer")
    url = reverse("web:org_detail", args=[tree.village_a2.pk])
    first = c.get(url).content.decode()
    assert first.count('data-testid="member-row"') == 2
    assert 'data-testid="pagination"' in first
    second = c.get(url + "?page=2").content.decode()
    assert second.count('data-testid="member-row"') == 1


def test_org_tree_is_lazy(tree, as_role):
    c = as_role("county_admin")
    body = c.get(reverse("web:org_tree")).content.decode()
    assert 'data-testid="tree-node"' in body
    assert tree.county.name in body
    assert tree.village_a1.name not in body  # grandchildren load on click, never the whole tree
    assert reverse("web:org_children", args=[tree.county.pk]) in body
    fragment = c.get(reverse("web:org_children", args=[tree.town_a.pk])).content.decode()
    assert fragment.count('data-testid="tree-node"') == 2
    assert tree.village_a1.name in fragment and tree.village_b1.name not in fragment
    assert "<html" not in fragment


def test_org_page_tree_expands_only_the_path_to_the_org(tree, as_role):
    body = as_role("county_admin").get(reverse("web:org_detail", args=[tree.village_a1.pk])).content.decode()
    assert tree.village_a2.name in body  # sibling, on the open path
    assert tree.village_b1.name not in body  # the other township stays closed
    assert 'aria-current="page"' in body


def test_org_search_stays_in_scope(tree, as_role):
    body = as_role("township_organizer").get(reverse("web:org_tree") + "?q=一村").content.decode()
    assert tree.village_a1.name in body and tree.village_b1.name not in body
    assert 'data-testid="org-search-result"' in body


def test_org_picker_offers_only_visible_orgs_that_fit(tree, as_role):
    c = as_role("township_organizer")
    body = c.get(reverse("web:org_pick") + "?field=to_org&to_org_search=村&purpose=member_org").content.decode()
    assert tree.village_a2.name in body and tree.village_b1.name not in body
    assert 'name="to_org"' in body
    body = c.get(reverse("web:org_pick") + "?field=to_org&to_org_search=委员会&purpose=member_org").content.decode()
    assert tree.town_a.name not in body  # a township committee cannot hold members' relations


def test_member_search_by_name_pinyin_initials_and_id(tree, as_role):
    c = as_role("township_organizer")
    for q in ("李明", "liming", "lm", tree.member_a1.id_number_masked.replace("*", "0")):
        body = c.get(reverse("web:member_search"), {"q": q}).content.decode()
        if q.startswith("1101"):
            assert 'data-testid="member-row"' not in body  # an ID number matches only exactly
        else:
            assert "李明" in body, q
    from dangjian.common import crypto

    full = crypto.decrypt(tree.member_a1.id_number_enc)
    body = c.get(reverse("web:member_search"), {"q": full}).content.decode()
    assert 'data-testid="member-row"' in body
    assert full not in body.replace(f'value="{full}"', "")  # shown masked in the list
    other_town = c.get(reverse("web:member_search"), {"q": "王芳"}).content.decode()
    assert 'data-testid="member-row"' not in other_town
    assert reverse("web:member_detail", args=[tree.member_b1.pk]) not in other_town


def test_member_page_shows_fields_party_age_and_timeline(tree, as_role):
    body = as_role("inspector").get(reverse("web:member_detail", args=[tree.member_a1.pk])).content.decode()
    for label in ("姓名", "性别", "公民身份号码", "民族", "出生年份", "年龄", "学历", "学位", "人员类别", "手机号码", "党龄",
                  "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务", "是否农民工", "户籍所在地", "现居住地",
                  "是否流动党员", "是否失联党员", "入党日期", "转正日期"):
        assert label in body, label
    assert tree.member_a1.id_number_masked in body
    assert 'data-testid="reveal-id_number"' in body and 'data-testid="reveal-phone"' in body
    assert "补录党员信息" in body
    assert tree.village_a1.name in body
    assert 'data-testid="member-edit-link"' not in body  # the inspector reads only


def test_audit_is_for_county_admins_only(tree, as_role):
    assert as_role("county_admin").get(reverse("web:audit")).status_code == 200
    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        assert as_role(role).get(reverse("web:audit")).status_code == 404, role


def test_org_page_status_filter(tree, as_role):
    from dangjian.members import rules
    from dangjian.members.services import member_add_event

    gone = make_member(tree.village_a1, name="周已故", birth_date=dt.date(1940, 1, 1))
    member_add_event(actor=None, member=gone, kind=rules.DIE, date=dt.date(2020, 1, 1))
    c = as_role("branch_secretary")
    url = reverse("web:org_detail", args=[tree.village_a1.pk])
    assert "周已故" not in c.get(url).content.decode()
    former = c.get(url, {"status": "former"}).content.decode()
    assert "周已故" in former and "李明" not in former
    full = c.get(url, {"status": rules.FULL}).content.decode()
    assert "李明" in full and "周已故" not in full


def test_member_page_says_party_age_unknown_for_a_full_member_without_a_conversion_date(tree, as_role):
    """A full member recorded without 转正日期 has an unknown 党龄, not "probationary"."""
    import re

    from dangjian.members import rules as member_rules
    from dangjian.testing import make_member

    m = make_member(tree.village_a1, name="周五", status=member_rules.FULL, converted_on=None)
    body = as_role("inspector").get(reverse("web:member_detail", args=[m.pk])).content.decode()
    cell = re.search(r'data-testid="member-party-age">(.*?)</dd>', body, re.S).group(1)
    assert "未知" in cell and "预备党员" not in cell


def test_org_page_query_count_does_not_grow_with_the_rest_of_the_scope(tree, as_role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.testing import make_member, make_org

    client = as_role("county_admin")
    url = reverse("web:org_detail", args=[tree.village_a1.pk])
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for i in range(6):
        branch = make_org(tree.town_b, f"乙镇第{i}支部", "branch", category="rural")
        for j in range(3):
            make_member(branch, name=f"成员{i}{j}", birth_date=dt.date(1970 + i, 1 + j, 1 + i))
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)

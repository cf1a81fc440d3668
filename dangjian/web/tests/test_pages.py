"""Every page renders for the roles it is for, and answers 404 to the others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

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


# --- the organization page's counts, pinned against hand-counted members -------------------------------


def _shown_counts(body: str) -> dict:
    """Every count the organization page shows, read back from the HTML: the figures line, the age
    and education tables, the chart data and the member list's total (共 N 条)."""
    import json

    figures = {k: int(v) for k, v in re.findall(r'data-testid="count-([^"]+)">(\d+)<', body)}

    def table(testid: str) -> dict[str, int]:  # absent (no members): {}
        html = re.search(rf'data-testid="{testid}">(.*?)</table>', body, re.S)
        return {k: int(v) for k, v in re.findall(r'<tr><td>([^<]+)</td><td class="text-end">(\d+)</td></tr>',
                                                 html.group(1) if html else "")}

    script = re.search(r'<script id="org-charts" type="application/json">(.*?)</script>', body, re.S)
    charts = json.loads(script.group(1)) if script else {}
    listed = re.search(r"共 (\d+) 条", body)
    return {
        "figures": figures,
        "age": table("count-age"),
        "education": table("count-education"),
        "charts": {name: {label: n for label, n in c["data"]} for name, c in charts.items()},
        "listed": int(listed.group(1)) if listed else 0,
        "rows": body.count('data-testid="member-row"'),
    }


def _band_member(org, name, sex, age_years, education, *, days_younger=0, **kw):
    """A member whose age today is ``age_years`` (``days_younger`` days short of the next birthday
    boundary moves them one day younger), so the age bands are hand-countable on any date."""

    from dangjian.members import rules as member_rules

    birth = member_rules.add_years(timezone.localdate(), -age_years) + dt.timedelta(days=days_younger)
    return make_member(org, name=name, sex=sex, birth_date=birth, education=education, **kw)


AGE_LABELS = ["30岁及以下", "31-35岁", "36-40岁", "41-45岁", "46-50岁", "51-55岁", "56-60岁", "61岁及以上"]
EDUCATION_LABELS = {"doctorate": "研究生（博士）", "master": "研究生（硕士）", "bachelor": "大学本科", "college": "大学专科",
                    "secondary_vocational": "中等专科", "high_school": "高中、中技", "junior_high": "初中及以下"}


def check_counts(shown: dict, *, total, full, probationary, suspended, male, female, mobile, lost, ages, education):
    """Every figure on the page against the hand count: figures line, tables and chart data agree."""
    f = shown["figures"]
    assert (f["total"], f["full"], f["probationary"], f["suspended"]) == (total, full, probationary, suspended)
    assert (f["sex-男"], f["sex-女"], f["mobile"], f["lost-contact"]) == (male, female, mobile, lost)
    want_ages = {label: ages.get(label, 0) for label in AGE_LABELS}
    want_edu = {EDUCATION_LABELS[code]: education.get(code, 0) for code in EDUCATION_LABELS}
    assert shown["age"] == want_ages
    assert shown["education"] == want_edu
    assert shown["charts"] == {
        "status": {"正式党员": full, "预备党员": probationary, "停止党籍": suspended},
        "sex": {"男": male, "女": female},
        "age": want_ages,
        "education": want_edu,
    }


def test_org_page_counts_every_figure_of_the_subtree_by_hand(tree, as_role):
    """A general branch with two branches below it, seen by the township organizer: every figure on
    the page is the hand count of the members below it — not the rest of the township (甲镇二村),
    not another township (乙镇), not a member who died."""
    from dangjian.members import rules as r
    from dangjian.members.services import member_add_event
    from dangjian.testing import make_org

    today = timezone.localdate()
    general = make_org(tree.town_a, "中共甲镇三村总支部委员会", "general_branch", category="rural")
    b1 = make_org(general, "中共甲镇三村第一支部委员会", "branch", category="rural")
    b2 = make_org(general, "中共甲镇三村第二支部委员会", "branch", category="rural")
    _band_member(b1, "甲", "1", 25, "bachelor")
    _band_member(b1, "乙", "2", 30, "master")  # 30 today: still 30岁及以下
    lost = _band_member(b2, "丙", "2", 31, "junior_high")  # 31 today: 31-35岁
    member_add_event(actor=None, member=lost, kind=r.WENT_MOBILE, date=today - dt.timedelta(days=60))
    member_add_event(actor=None, member=lost, kind=r.LOST_CONTACT, date=today - dt.timedelta(days=30))
    suspended = _band_member(b2, "丁", "1", 61, "high_school")
    member_add_event(actor=None, member=suspended, kind=r.SUSPEND, date=today - dt.timedelta(days=10))
    admitted_on = today - dt.timedelta(days=400)
    _band_member(b2, "戊", "1", 61, "college", days_younger=1,  # 60 until tomorrow: 56-60岁
                 first_event=r.ADMITTED, date=admitted_on, joined_on=admitted_on, converted_on=None)
    mobile = _band_member(b1, "辛", "2", 45, "doctorate")
    member_add_event(actor=None, member=mobile, kind=r.WENT_MOBILE, date=today - dt.timedelta(days=5))
    died = _band_member(b1, "故", "1", 80, "bachelor")
    member_add_event(actor=None, member=died, kind=r.DIE, date=today - dt.timedelta(days=3))
    _band_member(tree.village_a2, "庚", "1", 40, "bachelor")  # in scope, outside the general branch

    c = as_role("township_organizer")
    url = reverse("web:org_detail", args=[general.pk])
    shown = _shown_counts(c.get(url).content.decode())
    check_counts(shown, total=6, full=4, probationary=1, suspended=1, male=3, female=3, mobile=2, lost=1,
                 ages={"30岁及以下": 2, "31-35岁": 1, "41-45岁": 1, "56-60岁": 1, "61岁及以上": 1},
                 education={"doctorate": 1, "master": 1, "bachelor": 1, "college": 1, "high_school": 1,
                            "junior_high": 1})
    assert (shown["listed"], shown["rows"]) == (6, 6)
    for status, n in ((r.FULL, 4), (r.PROBATIONARY, 1), (r.SUSPENDED, 1), ("former", 1)):
        filtered = _shown_counts(c.get(url, {"status": status}).content.decode())
        assert (filtered["listed"], filtered["rows"]) == (n, n), status


def test_org_page_counts_follow_a_write_at_once(tree, as_role, settings):
    """Right after a member is added, transferred in from another township, or converted, the next
    page shows it in every figure and in the list's total (no cached counts), also past one page."""
    from dangjian.members import rules as r
    from dangjian.members.services import member_add_event

    settings.PAGE_SIZE = 2
    today = timezone.localdate()
    c = as_role("township_organizer")
    url = reverse("web:org_detail", args=[tree.town_a.pk])
    before = _shown_counts(c.get(url).content.decode())  # 李明 alone
    assert (before["figures"]["total"], before["listed"]) == (1, 1)

    admitted_on = today - dt.timedelta(days=400)
    new = _band_member(tree.village_a2, "新", "2", 33, "master", first_event=r.ADMITTED, date=admitted_on,
                       joined_on=admitted_on, converted_on=None)
    shown = _shown_counts(c.get(url).content.decode())
    assert (shown["figures"]["total"], shown["figures"]["probationary"], shown["figures"]["sex-女"]) == (2, 1, 1)
    assert shown["age"]["31-35岁"] == 1 and shown["education"]["研究生（硕士）"] == 1
    assert (shown["listed"], shown["rows"]) == (2, 2)

    # 王芳 (乙镇, outside the organizer's scope) is transferred into 甲镇二村.
    member_add_event(actor=None, member=tree.member_b1, kind=r.TRANSFER, date=today, to_org=tree.village_a2)
    shown = _shown_counts(c.get(url).content.decode())
    assert (shown["figures"]["total"], shown["figures"]["full"], shown["figures"]["sex-女"]) == (3, 2, 2)
    assert (shown["listed"], shown["rows"]) == (3, 2)  # two on the first page of two
    county = _shown_counts(as_role("county_admin").get(reverse("web:org_detail", args=[tree.town_b.pk])).content.decode())
    assert (county["figures"]["total"], county["listed"]) == (0, 0)

    member_add_event(actor=None, member=new, kind=r.CONVERTED, date=today)
    shown = _shown_counts(c.get(url).content.decode())
    f = shown["figures"]
    assert (f["total"], f["full"], f["probationary"], f["suspended"]) == (3, 3, 0, 0)
    assert shown["charts"]["status"] == {"正式党员": 3, "预备党员": 0, "停止党籍": 0}
    probationary = _shown_counts(c.get(url, {"status": r.PROBATIONARY}).content.decode())
    assert (probationary["listed"], probationary["rows"]) == (0, 0)
    full = _shown_counts(c.get(url, {"status": r.FULL, "page": 2}).content.decode())
    assert (full["listed"], full["rows"]) == (3, 1)


def test_org_page_children_findings_and_tree_leave_out_what_they_should(tree, as_role):
    """One structure check for the organization and its children: each finding lands on its own
    organization. A dissolved child is listed among the children but not in the tree."""
    from dangjian.orgs.models import Org
    from dangjian.orgs.services import org_dissolve

    org_dissolve(actor=tree.users["county_admin"], org=Org.objects.get(pk=tree.village_a2.pk),
                 date=dt.date(2024, 1, 1), doc_number="撤")
    body = as_role("county_admin").get(reverse("web:org_detail", args=[tree.town_a.pk])).content.decode()
    children = re.search(r'data-testid="org-children">(.*?)</table>', body, re.S).group(1)
    rows = re.findall(r"<tr.*?</tr>", children, re.S)[1:]
    assert [tree.village_a1.name in rows[0], tree.village_a2.name in rows[1]] == [True, True]
    assert "正式党员不足3人" in rows[0]  # 一村: one full member
    assert "已撤销" in rows[1] and "正式党员不足3人" not in rows[1]  # dissolved: no checks
    own = re.search(r'data-testid="org-findings">(.*?)</div>\s*\n\s*<div class="card', body, re.S)
    assert own is None or tree.village_a1.name not in own.group(1)
    tree_html = re.search(r'data-testid="org-tree">(.*?)</ul>\s*</div>\s*</div>', body, re.S).group(1)
    assert f'data-org-id="{tree.village_a1.pk}"' in tree_html
    assert f'data-org-id="{tree.village_a2.pk}"' not in tree_html

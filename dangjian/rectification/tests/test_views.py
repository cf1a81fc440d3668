"""The pages: every page renders for the roles that may see it, the forms write through the services
and show their Chinese messages, ids outside the user's subtree answer 404 and write nothing, POST-only
routes answer 405 to GET; the .xlsx export holds the hand-counted numbers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.rectification import rules, services
from dangjian.rectification.models import Case, Plan
from dangjian.rectification.tests import scope_objects
from dangjian.rectification.tests.conftest import PNG, row_counts
from dangjian.testing import PASSWORD, make_org


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def made(tree):
    """One object of each kind for 甲镇一村 and for 乙镇一村, made as the scope walk makes them."""
    admin = tree.users["county_admin"]
    return {"a": scope_objects.make(admin, tree.village_a1, tree.town_a),
            "b": scope_objects.make(admin, tree.village_b1, tree.town_b)}


def urls_for(ids: dict[str, int], org_id: int) -> dict[str, tuple[str, str]]:
    """url name → (method, url) for every route of the app."""
    case, m, p = ids["rectification_case"], ids["rectification_milestone"], ids["rectification_progress"]
    f, s = ids["rectification_file"], ids["rectification_survey"]
    r = reverse
    return {
        "org": ("get", r("rectification:org", args=[org_id])),
        "counts_export": ("get", r("rectification:counts_export", args=[org_id])),
        "case_list": ("get", r("rectification:case_list", args=[org_id])),
        "identify": ("get", r("rectification:identify", args=[org_id])),
        "nominate": ("get", r("rectification:nominate", args=[org_id])),
        "surveys": ("get", r("rectification:surveys", args=[org_id])),
        "survey_new": ("get", r("rectification:survey_new", args=[org_id])),
        "survey_detail": ("get", r("rectification:survey_detail", args=[s])),
        "case_detail": ("get", r("rectification:case_detail", args=[case])),
        "case_confirm": ("post", r("rectification:case_confirm", args=[case])),
        "case_dismiss": ("post", r("rectification:case_dismiss", args=[case])),
        "plan_new": ("get", r("rectification:plan_new", args=[case])),
        "milestone_add": ("post", r("rectification:milestone_add", args=[case])),
        "progress_add": ("post", r("rectification:progress_add", args=[case])),
        "acceptance_add": ("post", r("rectification:acceptance_add", args=[case])),
        "milestone_done": ("post", r("rectification:milestone_done", args=[m])),
        "progress_files": ("post", r("rectification:progress_files", args=[p])),
        "file": ("get", r("rectification:file", args=[f])),
    }


def test_pages_render_for_the_township(tree, made):
    c = client(tree.users["township_organizer"])
    for name, (method, url) in urls_for(made["a"], tree.village_a1.pk).items():
        if method == "get" and name not in ("nominate", "survey_new", "plan_new"):
            resp = c.get(url)
            assert resp.status_code == 200, (name, resp.status_code)
    # 甲镇 is above 甲镇一村: it may nominate and enter surveys there
    assert c.get(reverse("rectification:nominate", args=[tree.village_a1.pk])).status_code == 200
    assert c.get(reverse("rectification:survey_new", args=[tree.village_a2.pk])).status_code == 200
    page = c.get(reverse("rectification:case_detail", args=[made["a"]["rectification_case"]])).content.decode()
    assert "班子不团结，内耗严重。" in page and "调整班子" in page and "会议.png" in page


def test_out_of_scope_ids_answer_404_and_write_nothing(tree, made):
    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        c = client(tree.users[role])
        before = row_counts()
        for name, (method, url) in urls_for(made["b"], tree.village_b1.pk).items():
            resp = getattr(c, method)(url)
            assert resp.status_code == 404, (role, name, resp.status_code)
        assert row_counts() == before


def test_member_sees_nothing_even_inside(tree, made):
    c = client(tree.users["member"])
    for name, (method, url) in urls_for(made["a"], tree.village_a1.pk).items():
        assert getattr(c, method)(url).status_code == 404, name
    assert c.get(reverse("rectification:home")).status_code == 404


def test_post_only_routes_answer_405_to_get(tree, made):
    c = client(tree.users["county_admin"])
    for name, (method, url) in urls_for(made["a"], tree.village_a1.pk).items():
        if method == "post":
            assert c.get(url).status_code == 405, name


def test_readers_cannot_write(tree, made):
    before = row_counts()
    for role in ("inspector",):
        c = client(tree.users[role])
        for name, (method, url) in urls_for(made["a"], tree.village_a1.pk).items():
            if method == "post":
                assert c.post(url, {}).status_code == 404, name
    # the village's own secretary may not confirm, dismiss or accept its own case
    c = client(tree.users["branch_secretary"])
    assert c.get(reverse("rectification:nominate", args=[tree.village_a1.pk])).status_code == 404
    resp = c.post(reverse("rectification:acceptance_add", args=[made["a"]["rectification_case"]]),
                  {"date": timezone.localdate().isoformat(), "accepted_by": "自己", "result": "passed"})
    assert resp.status_code == 404
    assert row_counts() == before


def test_nominate_confirm_plan_progress_accept_through_the_pages(tree):
    admin = tree.users["county_admin"]
    c = client(tree.users["township_organizer"])
    today = timezone.localdate()
    resp = c.post(reverse("rectification:nominate", args=[tree.village_a2.pk]),
                  {"year": today.year, "category": "c04", "reason": "三会一课长期不开展。"})
    case = Case.objects.get(org=tree.village_a2)
    assert resp.status_code == 302 and resp["Location"] == reverse("rectification:case_detail", args=[case.pk])
    resp = c.post(reverse("rectification:case_confirm", args=[case.pk]), {"version": case.version}, follow=True)
    assert "超过倒排比例参考10%" in resp.content.decode()  # 1 of 2 villages of 甲镇: warned, not blocked
    case.refresh_from_db()
    assert case.status == rules.CONFIRMED
    # a plan with missing 四定 fields comes back with the messages
    url = reverse("rectification:plan_new", args=[case.pk])
    resp = c.post(url, {"responsible_person": "王某", "deadline": today.isoformat()})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "请填写定责（整顿责任）。" in body and "整顿期限应晚于方案制定日期" in body
    assert not Plan.objects.exists()
    deadline = (today + dt.timedelta(days=60)).isoformat()
    resp = c.post(url, {"responsible_person": "王某", "responsibility": "包村指导", "goal": "组织生活正常",
                        "reward_penalty": "约谈", "leader": str(admin.pk), "leader_name": "县领导",
                        "leader_post": "县委常委", "deadline": deadline})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.status == rules.RECTIFYING and case.plan.leader == admin
    # progress with a renamed executable is refused and nothing is written
    before = row_counts()
    bad = SimpleUploadedFile("照片.png", b"MZ" + b"\x00" * 80)
    resp = c.post(reverse("rectification:progress_add", args=[case.pk]),
                  {"date": today.isoformat(), "text": "进展", "uploaded": [bad]})
    assert resp.status_code == 422 and "内容与扩展名不符" in resp.content.decode()
    assert row_counts() == before
    resp = c.post(reverse("rectification:progress_add", args=[case.pk]),
                  {"date": today.isoformat(), "text": "已整改", "uploaded": [SimpleUploadedFile("a.png", PNG)]})
    assert resp.status_code == 302
    f = case.files.get()
    download = c.get(reverse("rectification:file", args=[f.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    resp = c.post(reverse("rectification:acceptance_add", args=[case.pk]),
                  {"date": today.isoformat(), "accepted_by": "甲镇党委", "result": "not_passed", "notes": ""})
    assert resp.status_code == 422 and rules.NOTES_REQUIRED in resp.content.decode()
    c.post(reverse("rectification:acceptance_add", args=[case.pk]),
           {"date": today.isoformat(), "accepted_by": "甲镇党委", "result": "not_passed", "notes": "继续"})
    c.post(reverse("rectification:acceptance_add", args=[case.pk]),
           {"date": today.isoformat(), "accepted_by": "甲镇党委", "result": "passed", "notes": ""})
    case.refresh_from_db()
    assert case.status == rules.ACCEPTED and case.acceptances.count() == 2


def test_counts_page_and_export(tree, made):
    admin = tree.users["county_admin"]
    year = timezone.localdate().year
    c = client(admin)
    page = c.get(reverse("rectification:org", args=[tree.county.pk]), {"year": year}).content.decode()
    assert "整顿软弱涣散基层党组织2个，验收通过0个" in page
    assert f'{reverse("rectification:case_list", args=[tree.town_a.pk])}?year={year}&state=identified' in page
    resp = c.get(reverse("rectification:counts_export", args=[tree.county.pk]), {"year": year})
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=3)]
    by_name = {r[1]: r for r in rows}
    assert by_name[tree.town_a.name][2:7] == [0, 1, 1, 0, 0]
    assert by_name[tree.town_a.name][8] == "1/2"
    assert by_name[tree.county.name][3] == 2


def test_other_county_admin_sees_nothing(tree, made):
    other = make_org(None, "中共邻县委员会", "county_committee")
    user = user_create(actor=None, username="other_admin", password=PASSWORD, role=Role.COUNTY_ADMIN, orgs=[other])
    c = client(user)
    before = row_counts()
    for name, (method, url) in urls_for(made["a"], tree.village_a1.pk).items():
        assert getattr(c, method)(url).status_code == 404, name
    assert row_counts() == before
    assert services  # the services module is what the pages call


def test_objects_made_for_a_village_are_visible_inside(tree, made):
    """What the scope walk relies on: 甲镇's organizer, 甲镇一村's secretary and 甲镇's inspector see the
    case, its file and the survey made for 甲镇一村; 李明 (a member there) sees none of it."""
    ids = made["a"]
    pages = [reverse("rectification:case_detail", args=[ids["rectification_case"]]),
             reverse("rectification:survey_detail", args=[ids["rectification_survey"]]),
             reverse("rectification:file", args=[ids["rectification_file"]])]
    for role in ("township_organizer", "branch_secretary", "inspector"):
        c = client(tree.users[role])
        for url in pages:
            assert c.get(url).status_code == 200, (role, url)
    c = client(tree.users["member"])
    assert all(c.get(url).status_code == 404 for url in pages)


def test_org_panel_template(tree, made):
    from django.template.loader import render_to_string

    from dangjian.rectification import selectors

    panel = selectors.org_panel(tree.users["township_organizer"], tree.village_a1)
    html = render_to_string("rectification/_org_panel.html", {"panel": panel})
    assert "已确认" not in html and "整顿中" in html and "已完成0/1" in html
    assert reverse("rectification:case_detail", args=[made["a"]["rectification_case"]]) in html


def test_share_line_on_a_candidate(tree):
    admin = tree.users["county_admin"]
    today = timezone.localdate()
    case = services.case_nominate(actor=admin, org=tree.village_a1, year=today.year, category="c01", reason="x",
                                  today=today)
    page = client(tree.users["township_organizer"]).get(reverse("rectification:case_detail", args=[case.pk]))
    # compared with the whole county's villages even when the township decides (E6.12: no even split)
    assert (f"中共示范县委员会{today.year}年已确认村党组织0个，共3个（0.0%）；倒排比例参考10%（0.3个）"
            in page.content.decode())
    # the inspector reads the case but decides nothing
    page = client(tree.users["inspector"]).get(reverse("rectification:case_detail", args=[case.pk])).content.decode()
    assert "share-line" not in page and "confirm-form" not in page

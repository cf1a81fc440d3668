"""The assessment pages: the whole flow through the browser's forms (tree editor, self-assessment
with evidence, review with a reason, inspection, evaluation, finalise, publish), bad input answered in
Chinese with nothing written, exports that open with openpyxl / python-docx and hold the right numbers,
and scope: every id of another township answers 404 and writes nothing."""

from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from dangjian.assessment import rules, services
from dangjian.assessment.models import ItemScore, Node, Result, Scheme
from dangjian.assessment.tests import scope_objects
from dangjian.assessment.tests.conftest import PNG, row_counts
from dangjian.testing import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_flow_through_the_pages(tree):
    town = client_for(tree.users["township_organizer"])
    year = timezone.localdate().year
    r = town.post(reverse("assessment:scheme_new"), {
        "owner": tree.town_a.pk, "year": year, "name": "村级党建考核", "kind": rules.KIND_VILLAGE,
        "review_level": rules.REVIEW_OWNER, "notice_days": 5, "bands": "好,90\n较好,80\n一般,60\n差,0"})  # fmt: skip
    assert r.status_code == 302
    scheme = Scheme.objects.get(name="村级党建考核")
    r = town.post(reverse("assessment:node_new", args=[scheme.pk]), {"title": "组织建设", "method": "manual", "source": "manual"})
    area = Node.objects.get(scheme=scheme, title="组织建设")
    r = town.post(reverse("assessment:node_new", args=[scheme.pk]) + f"?parent={area.pk}", {
        "title": "班子建设", "max_points": "60", "method": "manual", "source": "manual"})  # fmt: skip
    assert r.status_code == 302
    town.post(reverse("assessment:node_new", args=[scheme.pk]), {"parent": area.pk, "title": "日常督查", "max_points": "40",
                                                                  "method": "manual", "source": "inspection"})
    # A deduction item without its points per occurrence: Chinese message, nothing added.
    before = Node.objects.count()
    r = town.post(reverse("assessment:node_new", args=[scheme.pk]), {"parent": area.pk, "title": "违纪", "max_points": "5",
                                                                      "method": "deduction", "source": "manual"})
    assert r.status_code == 422 and services.PER_REQUIRED in r.content.decode()
    assert Node.objects.count() == before
    page = town.get(reverse("assessment:scheme", args=[scheme.pk])).content.decode()
    assert "班子建设" in page and 'data-testid="scheme-points">100.00<' in page
    assert town.post(reverse("assessment:scheme_activate", args=[scheme.pk]), {}).status_code == 302
    result = Result.objects.get(scheme=scheme, org=tree.village_a1)
    manual = Node.objects.get(scheme=scheme, title="班子建设")
    inspected = Node.objects.get(scheme=scheme, title="日常督查")

    sec = client_for(tree.users["branch_secretary"])
    r = sec.post(reverse("assessment:self_assess", args=[result.pk]), {f"v_{manual.pk}": "61"})
    assert r.status_code == 422 and "“班子建设”的得分61.00超过满分60.00。" in r.content.decode()
    assert not ItemScore.objects.filter(result=result).exists()
    assert sec.post(reverse("assessment:self_assess", args=[result.pk]), {f"v_{manual.pk}": "55", f"n_{manual.pk}": "齐"}).status_code == 302
    before = row_counts()
    r = sec.post(reverse("assessment:evidence_add", args=[result.pk]), {"file": SimpleUploadedFile("病毒.exe", b"MZ" + b"\0" * 50)})
    assert r.status_code == 422 and "“病毒.exe”的文件类型不允许" in r.content.decode()
    assert row_counts() == before
    assert sec.post(reverse("assessment:evidence_add", args=[result.pk]),
                    {"node": manual.pk, "file": SimpleUploadedFile("会议.png", PNG)}).status_code == 302
    assert sec.post(reverse("assessment:result_submit", args=[result.pk])).status_code == 302
    # The secretary may not review their own result.
    assert sec.get(reverse("assessment:review", args=[result.pk])).status_code == 404

    insp = client_for(tree.users["inspector"])
    r = insp.post(reverse("assessment:inspection_new", args=[result.pk]), {
        "date": timezone.localdate().isoformat(), f"item_{inspected.pk}": "36", "notes": "资料规范",
        "photos": [SimpleUploadedFile("现场.png", PNG)]})  # fmt: skip
    assert r.status_code == 302

    r = town.post(reverse("assessment:review", args=[result.pk]), {f"v_{manual.pk}": "50"})
    assert r.status_code == 422 and services.REASON_REQUIRED.format(item="班子建设") in r.content.decode()
    assert town.post(reverse("assessment:review", args=[result.pk]), {f"v_{manual.pk}": "50", f"r_{manual.pk}": "记录不全"}).status_code == 302
    other = Result.objects.get(scheme=scheme, org=tree.village_a2)
    services.self_assess(actor=tree.users["township_organizer"], result=other, values={manual.pk: ("40", "")})
    services.result_submit(actor=tree.users["township_organizer"], result=other)
    services.result_review(actor=tree.users["county_admin"], result=other, decisions={})
    sheet = sec.get(reverse("assessment:result", args=[result.pk])).content.decode()
    assert "预览" in sheet and "调整理由：记录不全" in sheet and 'data-testid="result-total">86.00<' in sheet

    assert town.post(reverse("assessment:scheme_finalize", args=[scheme.pk])).status_code == 302
    result.refresh_from_db()
    assert (result.total, result.rank, result.grade) == (D("86.00"), 1, "较好")
    assert town.post(reverse("assessment:scheme_publish", args=[scheme.pk]), {"start": timezone.localdate().isoformat()}).status_code == 302
    ranking = sec.get(reverse("assessment:ranking", args=[scheme.pk])).content.decode()
    assert "中共甲镇一村支部委员会" in ranking and "86.00" in ranking
    # Published (公示): the secretary sees the whole ranking, but may open only its own sheet.
    other = Result.objects.get(scheme=scheme, org__name="中共甲镇二村支部委员会")
    assert "中共甲镇二村支部委员会" in ranking and reverse("assessment:result", args=[other.pk]) not in ranking
    assert sec.get(reverse("assessment:result", args=[other.pk])).status_code == 404
    assert "中共甲镇二村支部委员会" in town.get(reverse("assessment:ranking", args=[scheme.pk])).content.decode()

    xlsx = town.get(reverse("assessment:export_xlsx", args=[scheme.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["排名"].iter_rows(min_row=3, values_only=True))
    assert rows == [(1, "中共甲镇一村支部委员会", 86, "较好", None, "已定分"), (2, "中共甲镇二村支部委员会", 40, "差", None, "已定分")]
    items = list(wb["分项得分"].iter_rows(min_row=2, values_only=True))
    assert items[0] == ("党组织", "班子建设（60.00）", "日常督查（40.00）", "总分")
    assert items[1] == ("中共甲镇一村支部委员会", 50, 36, 86)
    doc = Document(io.BytesIO(town.get(reverse("assessment:export_docx", args=[scheme.pk])).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "对2个村党组织（农村）进行了" in text and "“较好”1个" in text and "“差”1个" in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[1] == ["1", "中共甲镇一村支部委员会", "86.00", "较好"]

    # Copy to next year from the page; the published scheme stays as it was.
    assert town.post(reverse("assessment:scheme_copy", args=[scheme.pk]), {"year": year + 1, "name": ""}).status_code == 302
    assert Scheme.objects.get(pk=scheme.pk).status == rules.PUBLISHED
    assert Scheme.objects.filter(year=year + 1, name="村级党建考核", status=rules.DRAFT).exists()


def test_member_and_post_only(tree):
    member = client_for(tree.users["member"])
    assert member.get(reverse("assessment:home")).status_code == 404
    ids = scope_objects.make(tree.users["county_admin"], tree.village_a1, tree.town_a)
    town = client_for(tree.users["township_organizer"])
    for name, kw in (("scheme_finalize", {"scheme_id": ids["scheme"]}), ("node_remove", {"node_id": ids["node"]}),
                     ("result_submit", {"result_id": ids["result"]})):  # fmt: skip
        assert town.get(reverse(f"assessment:{name}", kwargs=kw)).status_code == 405
    assert member.get(reverse("assessment:result", args=[ids["result"]])).status_code == 404


ROUTES = [
    ("scheme", "scheme_id", "GET"), ("scheme_edit", "scheme_id", "GET"), ("node_new", "scheme_id", "GET"),
    ("scheme_copy", "scheme_id", "GET"), ("ranking", "scheme_id", "GET"), ("export_xlsx", "scheme_id", "GET"),
    ("export_docx", "scheme_id", "GET"), ("scheme_activate", "scheme_id", "POST"), ("scheme_finalize", "scheme_id", "POST"),
    ("scheme_publish", "scheme_id", "POST"), ("scheme_close", "scheme_id", "POST"), ("node_edit", "node_id", "GET"),
    ("node_move", "node_id", "POST"), ("node_remove", "node_id", "POST"), ("result", "result_id", "GET"),
    ("self_assess", "result_id", "POST"), ("evidence_add", "result_id", "POST"), ("result_submit", "result_id", "POST"),
    ("review", "result_id", "POST"), ("result_return", "result_id", "POST"), ("inspection_new", "result_id", "POST"),
    ("evaluation_new", "result_id", "POST"), ("inspection", "inspection_id", "GET"),
    ("evaluation", "evaluation_id", "GET"), ("file", "assessfile_id", "GET"),
]  # fmt: skip
KIND = {"scheme_id": "scheme", "node_id": "node", "result_id": "result", "inspection_id": "inspection",
        "evaluation_id": "evaluation", "assessfile_id": "assessfile"}  # fmt: skip


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector"])
def test_other_township_is_404_and_writes_nothing(tree, role):
    mine = scope_objects.make(tree.users["county_admin"], tree.village_a1, tree.town_a)
    theirs = scope_objects.make(tree.users["county_admin"], tree.village_b1, tree.town_b)
    c = client_for(tree.users[role])
    for name, param, method in ROUTES:
        url = reverse(f"assessment:{name}", kwargs={param: theirs[KIND[param]]})
        before = row_counts()
        r = c.get(url) if method == "GET" else c.post(url, {"reason": "x", "start": "2026-01-01"})
        assert r.status_code == 404, (role, name)
        assert row_counts() == before, (role, name)
    # In scope, the pages open.
    for name, param, method in ROUTES:
        if method == "GET" and name not in ("scheme_edit", "node_new", "scheme_copy", "node_edit"):
            url = reverse(f"assessment:{name}", kwargs={param: mine[KIND[param]]})
            assert c.get(url).status_code == 200, (role, name)


def test_another_county_is_404(tree):
    other_county = make_org(None, "中共邻县委员会", "county_committee")
    other_town = make_org(other_county, "中共邻镇委员会", "township_committee")
    other_village = make_org(other_town, "中共邻镇一村支部委员会", "branch", category="rural")
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import user_create

    admin2 = user_create(actor=None, username="county2", password="Dangjian-Test-2026", role=Role.COUNTY_ADMIN,
                         orgs=[other_county])
    theirs = scope_objects.make(admin2, other_village, other_town)
    c = client_for(tree.users["county_admin"])
    for name, param, method in ROUTES:
        if method == "GET":
            assert c.get(reverse(f"assessment:{name}", kwargs={param: theirs[KIND[param]]})).status_code == 404, name
    assert "党支部考核" not in c.get(reverse("assessment:home")).content.decode()

"""The points pages through the Django test client: a branch's year, entering with evidence, approval,
credits, posting, a member's objection from their phone page, handling it, ratings, the export, and
scope — every page with an id answers 404 outside the user's subtree and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.points import rules, services
from dangjian.points.models import MemberRating, Objection, PointsEntry, Posting
from dangjian.points.tests import scope_objects
from dangjian.points.tests.conftest import EXE, PNG, TODAY, row_counts
from dangjian.testing import PASSWORD, make_member


def login(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def clients(tree):
    return {role: login(u) for role, u in tree.users.items()}


def test_branch_page_shows_the_live_table(world, clients):
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=world.item("为群众办实事、做好事"),
                           date=dt.date(2026, 3, 1), reason="x", evidence=[SimpleUploadedFile("a.png", PNG)], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    r = clients["branch_secretary"].get(reverse("points:org", args=[world.tree.village_a1.pk]), {"year": 2026})
    assert r.status_code == 200
    rows = {row.name: row for row in r.context["table"].rows}
    assert rows["张伟"].total.total == D("62") and rows["李明"].total.total == D("60")
    assert "张伟" in r.content.decode()
    r = clients["township_organizer"].get(reverse("points:org", args=[world.tree.town_a.pk]), {"year": 2026})
    assert r.status_code == 200 and "rollup" in r.context
    assert clients["member"].get(reverse("points:org", args=[world.tree.village_a1.pk])).status_code == 404
    assert clients["branch_secretary"].get(reverse("points:org", args=[world.tree.village_b1.pk])).status_code == 404


def test_enter_with_evidence_then_approve(world, clients):
    url = reverse("points:entry_new", args=[world.tree.village_a1.pk])
    item = world.item("参与人居环境整治等农村工作")
    data = {"member": world.zhang.pk, "item": item.pk, "date": "2026-05-06", "quantity": "2", "reason": "清理垃圾"}
    before = row_counts()
    bad = clients["branch_secretary"].post(url, {**data, "evidence": SimpleUploadedFile("a.exe", EXE)})
    assert bad.status_code == 422 and "文件类型不允许" in bad.content.decode()
    assert row_counts() == before
    r = clients["branch_secretary"].post(url, {**data, "evidence": SimpleUploadedFile("现场.png", PNG)})
    assert r.status_code == 302
    entry = PointsEntry.objects.get(member=world.zhang)
    assert (entry.points, entry.status, entry.evidence.count()) == (D("4"), rules.PENDING, 1)
    page = clients["branch_secretary"].get(reverse("points:entry", args=[entry.pk]))
    assert page.status_code == 200 and not page.context["can_decide"]  # entered it: may not approve
    ev = entry.evidence.get()
    got = clients["inspector"].get(reverse("points:evidence", args=[ev.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert clients["member"].get(reverse("points:evidence", args=[ev.pk])).status_code == 404
    # The inspector reads only: no decision.
    assert clients["inspector"].post(reverse("points:entry", args=[entry.pk]), {"decision": "approve"}).status_code == 404
    r = clients["township_organizer"].post(reverse("points:entry", args=[entry.pk]),
                                           {"decision": "approve", "note": "属实", "version": entry.version})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == rules.APPROVED and entry.decided_by == world.organizer


def test_credit_post_and_member_objection_from_phone(world, clients):
    t = world.tree
    e = services.entry_add(actor=world.secretary, member=t.member_a1, item=world.item("参与维护稳定工作"),
                           date=dt.date(2026, 8, 1), reason="巡逻", evidence=[SimpleUploadedFile("a.png", PNG)],
                           today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    r = clients["branch_secretary"].post(reverse("points:credit", args=[t.village_a1.pk]), {"year": 2026, "quarter": 3})
    assert r.status_code == 302
    today = timezone.localdate()
    year, quarter = (today.year, rules.quarter_of(today) - 1) if rules.quarter_of(today) > 1 else (today.year - 1, 4)
    if year != 2026:  # the real date decides which quarter has ended; the scheme is for 2026
        services.scheme_copy(actor=world.admin, scheme=world.scheme, year=year, today=today)
    r = clients["branch_secretary"].post(reverse("points:posting_new", args=[t.village_a1.pk]),
                                         {"year": year, "quarter": quarter})
    posting = Posting.objects.get(org=t.village_a1)
    assert r.status_code == 302 and r.url == reverse("points:posting", args=[posting.pk])
    # 李明 (the member user) sees his points and the posting on his phone page, and objects.
    mine = clients["member"].get(reverse("points:mine"), {"year": year})
    assert mine.status_code == 200 and mine.context["mp"].may_object
    assert "张伟" in mine.content.decode()  # the posting lists the branch
    r = clients["member"].post(reverse("points:mine") + f"?year={year}", {"reason": "少记了一次学习"})
    assert r.status_code == 302
    obj = Objection.objects.get()
    assert (obj.member, obj.filed_by) == (t.member_a1, t.users["member"])
    # The township handles it: rejected needs a reason.
    url = reverse("points:objection", args=[obj.pk])
    assert clients["township_organizer"].post(url, {"decision": "rejected", "response": ""}).status_code == 422
    r = clients["township_organizer"].post(url, {"decision": "rejected", "response": "经核实无误"})
    assert r.status_code == 302
    obj.refresh_from_db()
    assert obj.status == rules.DISMISSED
    # The member's page is theirs only: other members' and org pages are not.
    assert clients["member"].get(reverse("points:member", args=[t.member_a1.pk])).status_code == 404
    assert clients["member"].get(reverse("points:posting", args=[posting.pk])).status_code == 404


def test_ratings_and_export(world, clients):
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=world.item("为群众办实事、做好事"),
                           date=dt.date(2026, 3, 1), reason="x", evidence=[SimpleUploadedFile("a.png", PNG)], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026, today=dt.date(2026, 12, 20))
    r = clients["inspector"].get(reverse("points:ratings", args=[world.tree.town_a.pk]), {"year": 2026})
    assert r.status_code == 200 and r.context["rollup"].total.counts == {1: 2}
    x = clients["inspector"].get(reverse("points:export", args=[world.tree.village_a1.pk, 2026]))
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    summary = {row[0]: row for row in wb["积分汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["张伟"][-3] == 62 and summary["张伟"][-2] == "" and summary["张伟"][-1] == "一星"
    assert [row[0] for row in wb["年终星级"].iter_rows(min_row=3, values_only=True)] == ["张伟", "李明"]
    assert MemberRating.objects.count() == 2
    assert clients["inspector"].post(reverse("points:ratings", args=[world.tree.village_a1.pk]),
                                     {"year": 2026}).status_code == 404


def test_branch_rating_pages(world, clients):
    url = reverse("points:brating_new", args=[world.tree.village_a1.pk])
    assert clients["branch_secretary"].post(url, {"year": 2026}).status_code == 404  # does not rate itself
    r = clients["township_organizer"].post(url, {"year": 2026})
    assert r.status_code == 302
    from dangjian.points.models import BranchRating

    rating = BranchRating.objects.get()
    assert rating.rater == world.tree.town_a
    page = reverse("points:brating", args=[rating.pk])
    assert clients["branch_secretary"].get(page).status_code == 200  # sees its rating
    assert clients["branch_secretary"].post(page, {"category": "system", "indicator": "x", "points": "5",
                                                   "date": "2026-06-01", "reason": "x"}).status_code == 404
    r = clients["township_organizer"].post(page, {"category": "service", "indicator": "为民办事", "points": "-35",
                                                  "date": "2026-06-01", "reason": "群众满意度低"})
    assert r.status_code == 302
    clients["township_organizer"].post(reverse("points:brating_finalize", args=[rating.pk]))
    rating.refresh_from_db()
    assert (rating.score, rating.stars) == (D("65"), 1)


# --- scope: every route with an id --------------------------------------------------------------------------


ID_ROUTES = [
    ("points:org", "org"), ("points:scheme_new", "org"), ("points:entry_new", "org"), ("points:pending", "org"),
    ("points:ratings", "org"), ("points:member", "member"), ("points:scheme", "pscheme"),
    ("points:scheme_edit", "pscheme"), ("points:item_edit", "pitem"), ("points:entry", "pentry"), ("points:evidence", "pevidence"),
    ("points:posting", "posting"), ("points:objection", "objection"), ("points:brating", "brating"),
]  # fmt: skip
POST_ONLY = [("points:credit", "org"), ("points:posting_new", "org"), ("points:brating_new", "org"),
             ("points:scheme_copy", "pscheme"), ("points:brating_finalize", "brating")]  # fmt: skip


@pytest.fixture
def objects(tree):
    t, admin = tree, tree.users["county_admin"]
    inside = {**scope_objects.make(admin, t.village_a1, t.town_a), "org": t.village_a1.pk}
    outside = {**scope_objects.make(admin, t.village_b1, t.town_b), "org": t.village_b1.pk}
    return inside, outside


def test_out_of_scope_ids_are_404_and_write_nothing(clients, objects):
    inside, outside = objects
    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        c = clients[role]
        for name, kind in ID_ROUTES + POST_ONLY:
            url = reverse(name, args=[outside[kind]])
            before = row_counts()
            # POST-only routes: 405 for a writer; read-only roles find nothing (404) before the method matters.
            assert c.get(url).status_code in ((404, 405) if (name, kind) in POST_ONLY else (404,)), (role, name)
            assert c.post(url, {"year": 2026, "quarter": 3, "decision": "approve", "reason": "x", "response": "x",
                                "category": "system", "indicator": "x", "points": "1", "date": "2026-06-01",
                                "name": "x", "kind": "add", "source": "manual"}).status_code in (404, 405), (role, name)
            assert row_counts() == before, (role, name)
    export = reverse("points:export", args=[outside["org"], 2026])
    assert clients["township_organizer"].get(export).status_code == 404


def test_inside_ids_answer_for_org_users_and_not_for_the_member(clients, objects):
    inside, _ = objects
    for name, kind in ID_ROUTES:
        if name in ("points:scheme_new", "points:entry_new", "points:item_edit", "points:scheme_edit"):
            roles = ("township_organizer", "branch_secretary")  # write pages
        else:
            roles = ("township_organizer", "branch_secretary", "inspector")
        url = reverse(name, args=[inside[kind]])
        for role in roles:
            assert clients[role].get(url).status_code == 200, (role, name)
        assert clients["member"].get(url).status_code == 404, name


def test_post_only_routes_answer_405_to_get(clients, objects):
    inside, _ = objects
    for name, kind in POST_ONLY:
        assert clients["township_organizer"].get(reverse(name, args=[inside[kind]])).status_code == 405, name


def test_an_automatic_credit_links_to_its_record(world, clients):
    from dangjian.orglife import rules as orglife_rules
    from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record

    meeting = meeting_record(actor=world.admin, org=world.tree.village_a1, today=TODAY,
                             fields=MeetingFields(kind="theme_day", date=dt.date(2026, 7, 1), topic="主题党日"),
                             attendance=[AttendanceIn(member=world.zhang, status=orglife_rules.PRESENT)])
    services.credit_quarter(actor=world.secretary, org=world.tree.village_a1, year=2026, quarter=3, today=TODAY)
    entry = PointsEntry.objects.get(member=world.zhang)
    r = clients["inspector"].get(reverse("points:entry", args=[entry.pk]))
    assert r.status_code == 200
    assert reverse("orglife:meeting_detail", args=[meeting.pk]) in r.content.decode()
    assert clients["inspector"].get(reverse("orglife:meeting_detail", args=[meeting.pk])).status_code == 200


def test_member_page_marks_entries_under_a_scheme_that_no_longer_applies(world, clients):
    county = services.scheme_create(actor=world.admin, org=world.tree.county, year=2026, template="E6.1", today=TODAY)
    wang = make_member(world.tree.village_a2, name="王强", birth_date=dt.date(1990, 5, 5), date=dt.date(2016, 7, 1),
                       joined_on=dt.date(2016, 7, 1))
    e = services.entry_add(actor=world.organizer, member=wang, item=county.items.get(name="为群众办实事、做好事"),
                           date=dt.date(2026, 3, 1), reason="帮扶", evidence=[SimpleUploadedFile("a.png", PNG)], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    url = reverse("points:member", args=[wang.pk])
    assert 'data-testid="entry-not-counted"' not in clients["township_organizer"].get(url, {"year": 2026}).content.decode()
    own = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, template="E6.1", today=TODAY)
    body = clients["township_organizer"].get(url, {"year": 2026}).content.decode()
    assert 'data-testid="entry-not-counted"' in body and f"现适用“{own.name}”" in body

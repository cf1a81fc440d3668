"""Review checks of member points: query counts that must not grow with the members of a branch or the
branches of a township, and pages that must render with no data at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.points import services
from dangjian.points.tests.conftest import TODAY
from dangjian.testing import PASSWORD, make_member


def login(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def count_queries(client: Client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries)


def _add_members(org, n: int, start: int) -> None:
    for i in range(n):
        make_member(org, name=f"党员{start + i}", birth_date=dt.date(1980, 1, 1 + (start + i) % 27),
                    date=dt.date(2015, 7, 1), joined_on=dt.date(2015, 7, 1))


@pytest.mark.parametrize("url_name", ["points:org", "points:ratings", "points:pending"])
def test_pages_render_with_no_data(tree, url_name):
    c = login(tree.users["county_admin"])
    for org in (tree.county, tree.town_a, tree.village_a1):
        r = c.get(reverse(url_name, args=[org.pk]), {"year": 2026})
        assert r.status_code == 200, (org.name, r.status_code)


def test_member_pages_render_with_no_data(tree):
    m = login(tree.users["member"])
    assert m.get(reverse("points:mine")).status_code == 200
    assert m.get(reverse("points:home")).status_code in (200, 302)
    c = login(tree.users["branch_secretary"])
    assert c.get(reverse("points:member", args=[tree.users["member"].member_id])).status_code == 200
    assert c.get(reverse("points:home")).status_code in (200, 302)


def test_branch_page_queries_do_not_grow_with_members(world):
    admin = world.admin
    c = login(world.secretary)
    url = reverse("points:org", args=[world.tree.village_a1.pk])
    small = count_queries(c, url, year=2026)
    _add_members(world.tree.village_a1, 6, 0)
    big = count_queries(c, url, year=2026)
    assert big == small, (small, big)
    exp = reverse("points:export", args=[world.tree.village_a1.pk, 2026])
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(exp).status_code == 200
    assert len(ctx.captured_queries) < 40
    del admin


def test_township_and_county_pages_queries_do_not_grow_with_branches(world):
    c = login(world.admin)
    services.scheme_create(actor=world.admin, org=world.tree.county, year=2026, template="E6.1", today=TODAY)
    counts = []
    for _ in range(2):
        for url_name in ("points:org", "points:ratings"):
            counts.append(count_queries(c, reverse(url_name, args=[world.tree.county.pk]), year=2026))
        _add_members(world.tree.village_a2, 3, 100)
        _add_members(world.tree.village_b1, 3, 200)
    assert counts[:2] == counts[2:], counts


# --- automatic credits follow their records ---------------------------------------------------------------------


def test_meeting_edited_after_credit_is_not_credited_twice_and_excused_member_loses_it(world):
    from decimal import Decimal as D

    from dangjian.orglife import rules as orglife_rules
    from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record, meeting_update
    from dangjian.points import queries, rules
    from dangjian.points.models import PointsEntry

    t, admin = world.tree, world.admin
    li, zhang = t.member_a1, world.zhang
    meeting = meeting_record(actor=admin, org=t.village_a1, today=TODAY,
                             fields=MeetingFields(kind="general_meeting", date=dt.date(2026, 1, 10), topic="党员大会"),
                             attendance=[AttendanceIn(member=zhang, status=orglife_rules.PRESENT),
                                         AttendanceIn(member=li, status=orglife_rules.PRESENT)])  # fmt: skip
    services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert queries.member_total(zhang, 2026)[1].total.total == D("61")
    # The secretary corrects the record: 李明 was in fact on approved leave (excused); the topic is fixed too.
    meeting.refresh_from_db()
    meeting_update(actor=admin, meeting=meeting, version=meeting.version, today=TODAY,
                   fields=MeetingFields(kind="general_meeting", date=dt.date(2026, 1, 10), topic="党员大会（更正）"),
                   attendance=[AttendanceIn(member=zhang, status=orglife_rules.PRESENT),
                               AttendanceIn(member=li, status=orglife_rules.LEAVE)])  # fmt: skip
    result = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    # 张伟 attended one meeting: one point, not two; 李明 was excused: no point.
    assert queries.member_total(zhang, 2026)[1].total.total == D("61")
    assert queries.member_total(li, 2026)[1].total.total == D("60")
    assert result.withdrawn == {"参加组织生活": 2} and result.created == {"参加组织生活": 1, "按时足额交纳党费": 0,
                                                                        "学习培训（每学时）": 0}
    zhang_live = PointsEntry.objects.get(member=zhang, status=rules.APPROVED)
    assert zhang_live.source_id == meeting.attendance.get(member=zhang).pk
    withdrawn = PointsEntry.objects.filter(status=rules.REJECTED)
    assert withdrawn.count() == 2 and all("不再计分" in e.decision_note for e in withdrawn)
    # Running again changes nothing.
    again = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert again.total == 0 and again.withdrawn == {}
    assert queries.member_total(zhang, 2026)[1].total.total == D("61")


def test_dues_corrected_to_late_withdraws_and_back_on_time_restores(world):
    from decimal import Decimal as D

    from dangjian.dues import rules as dues_rules
    from dangjian.dues import services as dues_services
    from dangjian.dues.models import DuesEntry
    from dangjian.points import queries, rules
    from dangjian.points.models import PointsEntry

    t, admin, zhang = world.tree, world.admin, world.zhang
    dues_services.basis_set(actor=admin, member=zhang, category=dues_rules.FARMER, effective_from=dt.date(2026, 1, 1),
                            today=TODAY)
    dues_services.payment_record(actor=admin, org=t.village_a1, member=zhang, months=[dt.date(2026, 1, 1)],
                                 paid_on=dt.date(2026, 1, 20), today=TODAY)
    services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert queries.member_total(zhang, 2026)[1].total.total == D("60.5")
    # The ledger's payment date was mistyped: it was paid on 10 February, late.
    DuesEntry.objects.filter(member=zhang).update(paid_on=dt.date(2026, 2, 10))
    r = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert r.withdrawn == {"按时足额交纳党费": 1}
    assert queries.member_total(zhang, 2026)[1].total.total == D("60")
    DuesEntry.objects.filter(member=zhang).update(paid_on=dt.date(2026, 1, 20))
    r = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert r.reinstated == {"按时足额交纳党费": 1} and r.total == 0
    assert PointsEntry.objects.filter(member=zhang).count() == 1
    assert PointsEntry.objects.get(member=zhang).status == rules.APPROVED
    assert queries.member_total(zhang, 2026)[1].total.total == D("60.5")


# --- objections --------------------------------------------------------------------------------------------------


def test_secretary_may_not_handle_an_objection_to_their_own_score(world):
    from dangjian.accounts.models import User
    from dangjian.points import rules, selectors
    from dangjian.points.models import Objection
    from dangjian.points.tests.conftest import check_rejected, png

    e = services.entry_add(actor=world.secretary, member=world.zhang, item=world.item("为群众办实事、做好事"),
                           date=dt.date(2026, 8, 1), reason="帮扶", evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    posting = services.posting_publish(actor=world.secretary, org=world.tree.village_a1, year=2026, quarter=3,
                                       today=dt.date(2026, 10, 10))
    obj = services.objection_file(actor=world.secretary, posting=posting, member=world.zhang, entry=e,
                                  reason="应记两次", today=dt.date(2026, 10, 11))
    # The branch secretary's account is 张伟's own (a secretary is a member of the branch too).
    User.objects.filter(pk=world.secretary.pk).update(member=world.zhang)
    secretary = User.objects.get(pk=world.secretary.pk)
    assert "points_objection" not in {w.kind for w in selectors.work_items(secretary, dt.date(2026, 10, 12))}
    check_rejected(lambda: services.objection_handle(actor=secretary, objection=obj, upheld=True, response="属实",
                                                     corrected_points="4", today=dt.date(2026, 10, 12)),
                   services.OWN_OBJECTION)
    e.refresh_from_db()
    assert e.points == 2
    # The township handles it.
    assert "points_objection" in {w.kind for w in selectors.work_items(world.organizer, dt.date(2026, 10, 12))}
    services.objection_handle(actor=world.organizer, objection=obj, upheld=True, response="属实",
                              corrected_points="4", today=dt.date(2026, 10, 12))
    assert Objection.objects.get(pk=obj.pk).status == rules.UPHELD


def test_panel_and_work_items_with_no_data(tree):
    from django.template.loader import render_to_string

    from dangjian.points import selectors

    day = dt.date(2026, 12, 10)
    for role, user in tree.users.items():
        assert isinstance(selectors.work_items(user, day), list), role
    for org in (tree.county, tree.town_a, tree.village_a1):
        panel = selectors.org_panel(tree.users["county_admin"], org, today=day)
        if panel is not None:
            assert render_to_string("points/_org_panel.html", {"panel": panel})


def test_county_ratings_page_lists_the_unqualified_not_every_member(world):
    from dangjian.points.tests.conftest import png

    e = services.entry_add(actor=world.secretary, member=world.zhang, item=world.item("不履行党员义务"),
                           date=dt.date(2026, 6, 1), reason="无故不参加组织生活", evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026, today=dt.date(2026, 12, 10))
    c = login(world.admin)
    branch = c.get(reverse("points:ratings", args=[world.tree.village_a1.pk]), {"year": 2026})
    assert sorted(r.member.name for r in branch.context["rows"]) == ["张伟", "李明"]
    county = c.get(reverse("points:ratings", args=[world.tree.county.pk]), {"year": 2026})
    assert county.status_code == 200
    assert [(r.member.name, r.stars) for r in county.context["rows"]] == [("张伟", 0)]
    assert county.context["rollup"].total.counts == {0: 1, 1: 1}
    assert "不合格党员" in county.content.decode()


def test_export_entries_are_the_ones_behind_the_totals(world):
    import io

    import openpyxl

    from dangjian.points.tests.conftest import png

    t = world.tree
    county = services.scheme_create(actor=world.admin, org=t.county, year=2026, template="E6.1", today=TODAY)
    wang = make_member(t.village_a2, name="王五", birth_date=dt.date(1982, 3, 3))
    item = county.items.get(name="为群众办实事、做好事")
    e = services.entry_add(actor=world.organizer, member=wang, item=item, date=dt.date(2026, 3, 1), reason="旧方案",
                           evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    # The branch adopts its own scheme: the county scheme's entry no longer counts for its members.
    own = services.scheme_create(actor=world.admin, org=t.village_a2, year=2026, template="E6.1", today=TODAY)
    e2 = services.entry_add(actor=world.organizer, member=wang, item=own.items.get(name="参与维护稳定工作"),
                            date=dt.date(2026, 4, 1), reason="新方案", evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e2, approve=True, today=TODAY)
    c = login(world.admin)
    page = c.get(reverse("points:org", args=[t.village_a2.pk]), {"year": 2026})
    assert {r.name: r.total.total for r in page.context["table"].rows} == {"王五": 62}
    r = c.get(reverse("points:export", args=[t.village_a2.pk, 2026]))
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    summary = {row[0]: row for row in wb["积分汇总"].iter_rows(min_row=3, values_only=True)}
    entries = list(wb["积分记录"].iter_rows(min_row=3, values_only=True))
    assert summary["王五"][-3] == 62  # 年度积分
    assert [(row[0], row[7], row[5]) for row in entries] == [("王五", "新方案", 2)]


def test_transferred_member_keeps_earlier_credits_and_a_dead_member_gets_none(world):
    from decimal import Decimal as D

    from dangjian.members import rules as member_rules
    from dangjian.members.services import member_add_event, member_transfer
    from dangjian.orglife import rules as orglife_rules
    from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record
    from dangjian.points import queries, rules
    from dangjian.points.models import PointsEntry

    t, admin, zhang, li = world.tree, world.admin, world.zhang, world.tree.member_a1
    services.scheme_create(actor=admin, org=t.county, year=2026, template="E6.1", today=TODAY)  # 甲镇二村's scheme

    def meeting(org, date, members):
        meeting_record(actor=admin, org=org, today=TODAY, fields=MeetingFields(kind="general_meeting", date=date,
                                                                              topic=f"{date}党员大会"),
                       attendance=[AttendanceIn(member=m, status=orglife_rules.PRESENT) for m in members])

    meeting(t.village_a1, dt.date(2026, 1, 10), [zhang, li])
    # The running quarter is credited on 1 February: 张伟's January meeting under 甲镇一村's own scheme.
    services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=dt.date(2026, 2, 1))
    member_transfer(actor=admin, member=zhang, to_org=t.village_a2, date=dt.date(2026, 2, 15), letter_number="转2026-1")
    meeting(t.village_a2, dt.date(2026, 3, 1), [zhang])
    member_add_event(actor=admin, member=li, kind=member_rules.DIE, date=dt.date(2026, 3, 5), today=TODAY)
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.org_id == t.village_a2.pk and li.status == member_rules.DIED
    a1 = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=dt.date(2026, 4, 2))
    # 甲镇一村's run after the transfer withdraws nothing: the January record still earns its credit.
    assert a1.withdrawn == {} and a1.total == 0
    assert PointsEntry.objects.filter(member=zhang, scheme=world.scheme, status=rules.APPROVED).count() == 1
    a2 = services.credit_quarter(actor=admin, org=t.village_a2, year=2026, quarter=1, today=dt.date(2026, 4, 2))
    assert a2.created["参加组织生活"] == 2  # January at 甲镇一村 and March at 甲镇二村, under the county scheme
    assert queries.member_total(zhang, 2026)[1].total.total == D("62")
    # The member who died is on no branch's table and earns nothing more.
    assert li.pk not in {r.member_id for r in queries.branch_totals(t.village_a1, 2026)[1]}
    assert not PointsEntry.objects.filter(member=li, date__gt=dt.date(2026, 3, 5)).exists()

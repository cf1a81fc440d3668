"""Services of member points: schemes and templates, manual entries with evidence and approval,
automatic credits against hand-counted records made through the orglife and dues services, the
quarterly posting with objections, year-end stars, branch star ratings, copying to a new year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.errors import NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.dues import rules as dues_rules
from dangjian.dues import services as dues_services
from dangjian.orglife import rules as orglife_rules
from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record, training_record
from dangjian.points import queries, rules, selectors, services
from dangjian.points.models import MemberRating, PointsEntry, PointsEvidence, PointsScheme
from dangjian.points.tests.conftest import EXE, TODAY, check_rejected, png, row_counts
from dangjian.testing import make_member


def total_of(member, year=2026, upto=None):
    return queries.member_total(member, year, upto=upto)[1]


# --- schemes ---------------------------------------------------------------------------------------------


def test_template_copied_into_a_scheme(world):
    s = world.scheme
    assert (s.template, s.base_points, s.total_cap, s.bands) == ("E6.1", D("60"), None, ["60", "70", "80", "90", "96"])
    assert s.items.count() == len(rules.TEMPLATES["E6.1"].items)
    assert set(s.items.values_list("source", flat=True)) == {"manual", "meeting", "dues", "class_hours"}
    assert AuditEvent.objects.filter(action="points.scheme.create", target_id=str(s.pk)).exists()


def test_e63_template_has_the_veto_list_and_cap(world):
    s = services.scheme_create(actor=world.admin, org=world.tree.county, year=2026, template="E6.3", today=TODAY)
    assert s.total_cap == D("100") and s.base_points == D("70")
    assert s.items.filter(kind=rules.VETO).count() == 5


def test_branch_scheme_overrides_the_county_scheme(world):
    county = services.scheme_create(actor=world.admin, org=world.tree.county, year=2026, template="E6.4", today=TODAY)
    assert queries.scheme_for(world.tree.village_a1, 2026) == world.scheme
    assert queries.scheme_for(world.tree.village_a2, 2026) == county
    assert queries.scheme_for(world.tree.village_a2, 2025) is None


def test_scheme_bad_input_nothing_written(world):
    check_rejected(lambda: services.scheme_create(actor=world.admin, org=world.tree.village_a1, year=2026,
                                                  template="E6.2", today=TODAY),
                   services.SCHEME_EXISTS.format(org=world.tree.village_a1.name, year=2026))
    check_rejected(lambda: services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, name="x",
                                                  base_points="60", total_cap="50", bands=["60", "50", "80", "90", "96"],
                                                  today=TODAY),
                   services.CAP_BELOW_BASE, rules.BANDS_INVALID)
    check_rejected(lambda: services.item_add(actor=world.admin, scheme=world.scheme, item=services.ItemIn(
        name="自动扣分", kind=rules.DEDUCT, points="1", source=rules.MEETING)), services.AUTO_ONLY_ADD)
    check_rejected(lambda: services.item_add(actor=world.admin, scheme=world.scheme, item=services.ItemIn(
        name="x", kind=rules.ADD, points="5", yearly_cap="3")), services.ITEM_CAP_BELOW)


def test_scheme_outside_scope_not_permitted(world):
    before = row_counts()
    with pytest.raises(NotPermitted):
        services.scheme_create(actor=world.secretary, org=world.tree.village_b1, year=2026, template="E6.1", today=TODAY)
    with pytest.raises(NotPermitted):  # the inspector reads only
        services.scheme_create(actor=world.tree.users["inspector"], org=world.tree.village_a2, year=2026,
                               template="E6.1", today=TODAY)
    assert row_counts() == before


def test_copy_to_a_new_year_leaves_the_old_year_alone(world):
    item = world.item("为群众办实事、做好事")
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=item, date=dt.date(2026, 3, 2),
                           reason="帮助孤寡老人", evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    old_ratings = services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026,
                                            today=dt.date(2026, 12, 20))
    old_items = list(world.scheme.items.values_list("pk", "name", "points", "yearly_cap"))
    new = services.scheme_copy(actor=world.secretary, scheme=world.scheme, year=2027, today=dt.date(2026, 12, 20))
    assert new.year == 2027 and new.copied_from == world.scheme and new.org == world.tree.village_a1
    assert [(n, p, c) for _, n, p, c in old_items] == list(new.items.values_list("name", "points", "yearly_cap"))
    assert not set(new.items.values_list("pk", flat=True)) & {pk for pk, *_ in old_items}
    # The new year's item changes; the old year's items, entries and ratings do not.
    services.item_update(actor=world.secretary, item=new.items.get(name=item.name), name=item.name, points="3",
                         yearly_cap="15", evidence_required=True)
    assert list(world.scheme.items.values_list("pk", "name", "points", "yearly_cap")) == old_items
    assert set(MemberRating.objects.filter(year=2026).values_list("pk", "total")) == {(r.pk, r.total) for r in old_ratings}
    assert PointsEntry.objects.get(pk=e.pk).points == D("2")
    check_rejected(lambda: services.scheme_copy(actor=world.secretary, scheme=world.scheme, year=2027,
                                                today=dt.date(2026, 12, 20)),
                   services.SCHEME_EXISTS.format(org=world.tree.village_a1.name, year=2027))


# --- manual entries, evidence, approval ---------------------------------------------------------------------


def test_entry_with_evidence_awaits_approval_and_no_self_approval(world):
    item = world.item("参与人居环境整治等农村工作")
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=item, date=dt.date(2026, 5, 6),
                           reason="参与人居环境整治", quantity=2, evidence=[png()], today=TODAY)
    assert (e.status, e.points, e.org) == (rules.PENDING, D("4"), world.tree.village_a1)
    ev = PointsEvidence.objects.get(entry=e)
    assert ev.file_type == "png" and ev.original_name == "证明.png"
    assert total_of(world.zhang).total.total == D("60")  # pending counts nothing
    # The one who entered it may not approve it.
    check_rejected(lambda: services.entry_decide(actor=world.secretary, entry=e, approve=True, today=TODAY),
                   services.SELF_DECIDE)
    # A rejection needs its reason.
    check_rejected(lambda: services.entry_decide(actor=world.organizer, entry=e, approve=False, today=TODAY),
                   services.REJECT_NOTE_REQUIRED)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, note="属实", today=TODAY)
    assert total_of(world.zhang).total.total == D("64")
    check_rejected(lambda: services.entry_decide(actor=world.admin, entry=e, approve=False, note="x", today=TODAY),
                   services.ENTRY_DECIDED.format(status="已生效"))
    assert AuditEvent.objects.filter(action="points.entry.decide", target_id=str(e.pk), actor=world.organizer).exists()


def test_entry_above_the_items_cap_rejected(world):
    item = world.item("参与维护稳定工作")  # 2 points each, cap 6
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                              date=dt.date(2026, 5, 6), reason="巡逻", quantity=4, evidence=[png()],
                                              today=TODAY),
                   services.ENTRY_OVER_CAP.format(points="8", item=item.name, cap="6"), field="quantity")
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=item, date=dt.date(2026, 5, 6),
                           reason="巡逻", quantity=3, evidence=[png()], today=TODAY)
    assert e.points == D("6")
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                              date=dt.date(2026, 6, 6), reason="巡逻", evidence=[png()], today=TODAY),
                   services.ITEM_CAP_REACHED.format(name="张伟", item=item.name, sum="6", cap="6"))


def test_forbidden_evidence_rejected_nothing_written(world, settings):
    item = world.item("为群众办实事、做好事")
    exe = SimpleUploadedFile("setup.exe", EXE, content_type="application/octet-stream")
    renamed = SimpleUploadedFile("照片.png", EXE, content_type="image/png")  # an .exe renamed to .png
    for f, message in ((exe, "文件类型不允许"), (renamed, "内容与扩展名不符")):
        err = check_rejected(lambda f=f: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                                             date=dt.date(2026, 5, 6), reason="x", evidence=[f],
                                                             today=TODAY), field="evidence")
        assert message in err.errors["evidence"][0]
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                              date=dt.date(2026, 5, 6), reason="x", today=TODAY),
                   services.EVIDENCE_REQUIRED.format(item=item.name))


def test_entry_for_a_member_outside_scope_not_permitted(world):
    item = world.item("为群众办实事、做好事")
    before = row_counts()
    with pytest.raises(NotPermitted):
        services.entry_add(actor=world.secretary, member=world.tree.member_b1, item=item, date=dt.date(2026, 5, 6),
                           reason="x", evidence=[png()], today=TODAY)
    assert row_counts() == before


def test_entry_dates_automatic_items_and_other_schemes_refused(world):
    item = world.item("为群众办实事、做好事")
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                              date=dt.date(2026, 12, 1), reason="x", evidence=[png()], today=TODAY),
                   services.DATE_FUTURE.format(today="2026-11-15"))
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=item,
                                              date=dt.date(2025, 12, 1), reason="x", evidence=[png()], today=TODAY),
                   services.DATE_OUTSIDE_YEAR.format(year=2026))
    auto = world.item("参加组织生活")
    check_rejected(lambda: services.entry_add(actor=world.secretary, member=world.zhang, item=auto,
                                              date=dt.date(2026, 5, 1), reason="x", today=TODAY),
                   services.ITEM_AUTOMATIC.format(item=auto.name))
    other = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, template="E6.1", today=TODAY)
    foreign = other.items.get(name=item.name)
    check_rejected(lambda: services.entry_add(actor=world.admin, member=world.zhang, item=foreign,
                                              date=dt.date(2026, 5, 1), reason="x", evidence=[png()], today=TODAY),
                   field="item")


def test_veto_sets_the_year_to_zero(world):
    s = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, template="E6.3", today=TODAY)
    m = make_member(world.tree.village_a2, name="吴六", birth_date=dt.date(1979, 4, 4))
    contrib = s.items.get(name="贡献加分")
    e1 = services.entry_add(actor=world.organizer, member=m, item=contrib, date=dt.date(2026, 4, 1), reason="捐资助学",
                            quantity=2, evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e1, approve=True, today=TODAY)
    assert total_of(m).total.total == D("74") and total_of(m).stars == 2
    veto = s.items.get(name="违法犯罪")
    e2 = services.entry_add(actor=world.organizer, member=m, item=veto, date=dt.date(2026, 6, 1), reason="判决书",
                            evidence=[png("判决书.png")], today=TODAY)
    assert total_of(m).total.total == D("74")  # awaiting approval: no effect yet
    services.entry_decide(actor=world.admin, entry=e2, approve=True, today=TODAY)
    t = total_of(m)
    assert (t.total.total, t.total.vetoed, t.stars, t.unqualified) == (D("0"), True, 0, True)


def test_year_total_with_item_and_total_caps(world):
    s = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, name="上限测试", base_points="90",
                               total_cap="100", bands=["60", "70", "80", "90", "96"],
                               items=[services.ItemIn("好人好事", rules.ADD, "4", "8"),
                                      services.ItemIn("违纪", rules.DEDUCT, "3", "3")], today=TODAY)
    m = make_member(world.tree.village_a2, name="郑七", birth_date=dt.date(1981, 5, 5))
    good, bad = s.items.get(name="好人好事"), s.items.get(name="违纪")
    for day in (1, 2):  # 4 + 4 = 8: at the cap
        e = services.entry_add(actor=world.organizer, member=m, item=good, date=dt.date(2026, 3, day), reason="x",
                               today=TODAY)
        services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    assert total_of(m).total.total == D("98") and total_of(m).stars == 5
    e = services.entry_add(actor=world.organizer, member=m, item=bad, date=dt.date(2026, 4, 1), reason="x", today=TODAY)
    services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    assert total_of(m).total.total == D("95") and total_of(m).stars == 4


# --- automatic credits ------------------------------------------------------------------------------------------


def test_automatic_credits_match_hand_counted_records_and_do_not_double(world):
    t, admin = world.tree, world.admin
    li, zhang = t.member_a1, world.zhang

    def meeting(kind, date, present, absent=()):
        return meeting_record(actor=admin, org=t.village_a1, today=TODAY,
                              fields=MeetingFields(kind=kind, date=date, topic=f"{date}会议"),
                              attendance=[AttendanceIn(member=m, status=orglife_rules.PRESENT) for m in present]
                              + [AttendanceIn(member=m, status=orglife_rules.LEAVE) for m in absent])

    # Q1: three meetings. 张伟 at all three, 李明 at one (on leave twice). One meeting in Q2 (not this quarter).
    meeting("general_meeting", dt.date(2026, 1, 10), [zhang, li])
    meeting("theme_day", dt.date(2026, 2, 10), [zhang], [li])
    meeting("party_lecture", dt.date(2026, 3, 31), [zhang], [li])
    meeting("general_meeting", dt.date(2026, 4, 1), [zhang, li])
    # Dues: 张伟 pays January and February on time, March late (10 April); 李明 pays nothing.
    dues_services.basis_set(actor=admin, member=zhang, category=dues_rules.FARMER, effective_from=dt.date(2026, 1, 1),
                            today=TODAY)
    for month, paid_on in ((1, dt.date(2026, 1, 20)), (2, dt.date(2026, 2, 28)), (3, dt.date(2026, 4, 10))):
        dues_services.payment_record(actor=admin, org=t.village_a1, member=zhang, months=[dt.date(2026, month, 1)],
                                     paid_on=paid_on, today=TODAY)
    # Training: 张伟 one day (8 class hours) in March.
    training_record(actor=admin, org=t.village_a1, title="冬春训", date=dt.date(2026, 3, 5), days=1, attendees=[zhang],
                    today=TODAY)

    result = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert result.created == {"参加组织生活": 4, "按时足额交纳党费": 2, "学习培训（每学时）": 1}
    zhang_entries = PointsEntry.objects.filter(member=zhang).order_by("date")
    assert [(e.item.source, e.quantity, e.points) for e in zhang_entries] == [
        ("dues", D("1"), D("0.5")), ("meeting", D("1"), D("1")), ("dues", D("1"), D("0.5")),
        ("meeting", D("1"), D("1")), ("class_hours", D("8"), D("1.6")), ("meeting", D("1"), D("1")),
    ]
    assert all(e.status == rules.APPROVED and e.source_id for e in zhang_entries)
    assert {e.source_type for e in zhang_entries} == {"attendance", "dues_entry", "training_attendance"}
    assert total_of(zhang).total.total == D("60") + 3 + 1 + D("1.6")
    assert total_of(li).total.total == D("61")

    again = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=1, today=TODAY)
    assert again.total == 0
    assert PointsEntry.objects.count() == 7
    # Q2 picks up only the April meeting, for both.
    q2 = services.credit_quarter(actor=world.secretary, org=t.village_a1, year=2026, quarter=2, today=TODAY)
    assert q2.created["参加组织生活"] == 2
    assert AuditEvent.objects.filter(action="points.credit.quarter").count() == 3


def test_credit_refusals(world):
    check_rejected(lambda: services.credit_quarter(actor=world.secretary, org=world.tree.village_a1, year=2027,
                                                   quarter=1, today=TODAY),
                   services.QUARTER_NOT_STARTED.format(year=2027, quarter=1))
    check_rejected(lambda: services.credit_quarter(actor=world.admin, org=world.tree.village_b1, year=2026,
                                                   quarter=1, today=TODAY),
                   services.NO_SCHEME.format(org=world.tree.village_b1.name, year=2026))
    check_rejected(lambda: services.credit_quarter(actor=world.admin, org=world.tree.town_a, year=2026, quarter=1,
                                                   today=TODAY),
                   services.NOT_A_BRANCH.format(name=world.tree.town_a.name))


# --- posting and objections ---------------------------------------------------------------------------------------


def _approved(world, item_name, member, day, quantity=1):
    e = services.entry_add(actor=world.secretary, member=member, item=world.item(item_name), date=day, reason="事由",
                           quantity=quantity, evidence=[png()], today=TODAY)
    return services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)


def test_posting_objection_upheld_corrects_the_entry(world):
    e = _approved(world, "为群众办实事、做好事", world.zhang, dt.date(2026, 8, 1))
    later = _approved(world, "参与维护稳定工作", world.zhang, dt.date(2026, 10, 8))  # Q4: not in the Q3 posting
    check_rejected(lambda: services.posting_publish(actor=world.secretary, org=world.tree.village_a1, year=2026,
                                                    quarter=4, today=TODAY),
                   services.QUARTER_NOT_ENDED.format(year=2026, quarter=4, end=dt.date(2026, 12, 31)))
    posting = services.posting_publish(actor=world.secretary, org=world.tree.village_a1, year=2026, quarter=3,
                                       today=dt.date(2026, 10, 10))
    assert posting.ends_on == dt.date(2026, 10, 14)
    rows = {r["name"]: r for r in posting.rows}
    assert rows["张伟"]["total"] == "62" and rows["李明"]["total"] == "60" and rows["张伟"]["stars"] == 1
    check_rejected(lambda: services.posting_publish(actor=world.secretary, org=world.tree.village_a1, year=2026,
                                                    quarter=3, today=dt.date(2026, 10, 11)), field="quarter")
    # The member objects for themselves (the member user is 李明: give 张伟 an account of his own).
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import user_create
    from dangjian.testing import PASSWORD

    zhang_user = user_create(actor=None, username="zhang", password=PASSWORD, role=Role.MEMBER, member=world.zhang)
    with pytest.raises(NotPermitted):  # 李明 may not object for 张伟
        services.objection_file(actor=world.tree.users["member"], posting=posting, member=world.zhang, reason="x",
                                today=dt.date(2026, 10, 12))
    check_rejected(lambda: services.objection_file(actor=zhang_user, posting=posting, member=world.zhang, entry=later,
                                                   reason="x", today=dt.date(2026, 10, 12)),
                   services.OBJECTION_ENTRY.format(name="张伟"))
    check_rejected(lambda: services.objection_file(actor=zhang_user, posting=posting, member=world.zhang, entry=e,
                                                   reason="x", today=dt.date(2026, 10, 15)),
                   services.POSTING_CLOSED.format(date=dt.date(2026, 10, 14)))
    obj = services.objection_file(actor=zhang_user, posting=posting, member=world.zhang, entry=e,
                                  reason="帮扶了两户，只记了一户", today=dt.date(2026, 10, 14))
    check_rejected(lambda: services.objection_handle(actor=world.secretary, objection=obj, upheld=True, response="属实",
                                                     corrected_points="-2", today=dt.date(2026, 10, 16)),
                   field="corrected_points")
    check_rejected(lambda: services.objection_handle(actor=world.secretary, objection=obj, upheld=True, response="属实",
                                                     corrected_points="12", today=dt.date(2026, 10, 16)),
                   field="corrected_points")  # above the item's cap of 10
    services.objection_handle(actor=world.secretary, objection=obj, upheld=True, response="核实为两户",
                              corrected_points="4", today=dt.date(2026, 10, 16))
    obj.refresh_from_db()
    e.refresh_from_db()
    assert (obj.status, obj.corrected_points, e.points) == (rules.UPHELD, D("4"), D("4"))
    assert total_of(world.zhang, upto=dt.date(2026, 9, 30)).total.total == D("64")
    audit = AuditEvent.objects.get(action="points.entry.correct", target_id=str(e.pk))
    assert audit.changes["points"] == ["2.0", "4.0"]
    assert posting.rows == Posting_rows(posting)  # the posting itself keeps what was posted
    check_rejected(lambda: services.objection_handle(actor=world.secretary, objection=obj, upheld=False, response="x",
                                                     today=dt.date(2026, 10, 16)),
                   services.OBJECTION_HANDLED.format(status="异议成立"))


def Posting_rows(posting):  # noqa: N802 - reads the stored snapshot again
    from dangjian.points.models import Posting

    return Posting.objects.get(pk=posting.pk).rows


def test_objection_rejected_needs_a_reason_and_leaves_entries(world):
    e = _approved(world, "为群众办实事、做好事", world.zhang, dt.date(2026, 8, 1))
    posting = services.posting_publish(actor=world.secretary, org=world.tree.village_a1, year=2026, quarter=3,
                                       today=dt.date(2026, 10, 10))
    obj = services.objection_file(actor=world.secretary, posting=posting, member=world.zhang, reason="口头提出：分数偏低",
                                  today=dt.date(2026, 10, 10))
    check_rejected(lambda: services.objection_handle(actor=world.organizer, objection=obj, upheld=False, response=" ",
                                                     today=dt.date(2026, 10, 12)), services.RESPONSE_REQUIRED)
    services.objection_handle(actor=world.organizer, objection=obj, upheld=False, response="经核实，计分无误",
                              today=dt.date(2026, 10, 12))
    obj.refresh_from_db()
    e.refresh_from_db()
    assert (obj.status, obj.response, e.points) == (rules.DISMISSED, "经核实，计分无误", D("2"))


# --- year-end stars and roll-ups --------------------------------------------------------------------------------


def test_ratings_finalize_and_rollup(world):
    _approved(world, "参与人居环境整治等农村工作", world.zhang, dt.date(2026, 8, 1), quantity=5)  # +10
    _approved(world, "为群众办实事、做好事", world.zhang, dt.date(2026, 8, 2), quantity=5)  # +10
    _approved(world, "参与维护稳定工作", world.zhang, dt.date(2026, 8, 3), quantity=3)  # +6 → 86
    check_rejected(lambda: services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026,
                                                     today=TODAY), services.RATING_TOO_EARLY.format(year=2026))
    rated = services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026,
                                      today=dt.date(2026, 12, 28))
    assert {(r.member.name, r.total, r.stars) for r in rated} == {("张伟", D("86"), 3), ("李明", D("60"), 1)}
    m = make_member(world.tree.village_a2, name="冯八", birth_date=dt.date(1990, 1, 1))
    s2 = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, name="二村", base_points="50",
                                today=TODAY)
    assert s2.items.count() == 0
    services.ratings_finalize(actor=world.organizer, org=world.tree.village_a2, year=2026, today=dt.date(2026, 12, 28))
    roll = selectors.stars_rollup(world.organizer, world.tree.town_a, 2026)
    assert roll.total.counts == {3: 1, 1: 1, 0: 1} and roll.total.unqualified == 1 and roll.total.rated == 3
    assert [(r.org, r.cells()) for r in roll.branches] == [(world.tree.village_a1, [0, 0, 1, 0, 1, 0]),
                                                           (world.tree.village_a2, [0, 0, 0, 0, 0, 1])]
    assert MemberRating.objects.get(member=m).stars == 0
    # Rating again replaces, never duplicates.
    services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026, today=dt.date(2026, 12, 29))
    assert MemberRating.objects.filter(year=2026).count() == 3


def test_carry_over_reads_last_years_rating(world):
    s25 = services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2025, template="E6.2", today=TODAY)
    m = make_member(world.tree.village_a2, name="褚九", birth_date=dt.date(1983, 3, 3))
    task = s25.items.get(name__startswith="岗位职责")
    e = services.entry_add(actor=world.organizer, member=m, item=task, date=dt.date(2025, 6, 1), reason="x",
                           quantity=10, evidence=[png()], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    services.ratings_finalize(actor=world.organizer, org=world.tree.village_a2, year=2025, today=TODAY)
    assert MemberRating.objects.get(member=m, year=2025).total == D("80")  # 20 + min(60, 70)
    services.scheme_copy(actor=world.organizer, scheme=s25, year=2026, today=TODAY)
    assert total_of(m).base == D("16")  # 20% of 80


# --- branch star ratings (E6.5) ------------------------------------------------------------------------------


def test_branch_rating_by_the_township(world):
    t = world.tree
    with pytest.raises(NotPermitted):  # the township is outside a branch secretary's subtree
        services.branch_rating_open(actor=world.secretary, org=t.village_a1, rater=t.town_a, year=2026, today=TODAY)
    check_rejected(lambda: services.branch_rating_open(actor=world.secretary, org=t.village_a1, rater=t.village_a1,
                                                       year=2026, today=TODAY),  # nor does a branch rate itself
                   services.RATER_NOT_ABOVE.format(org=t.village_a1.name))
    check_rejected(lambda: services.branch_rating_open(actor=world.admin, org=t.village_a1, rater=t.town_b, year=2026,
                                                       today=TODAY),
                   services.RATER_NOT_ABOVE.format(org=t.village_a1.name))
    r1 = services.branch_rating_open(actor=world.organizer, org=t.village_a1, rater=t.town_a, year=2026, today=TODAY)
    r2 = services.branch_rating_open(actor=world.organizer, org=t.village_a2, rater=t.town_a, year=2026, today=TODAY)
    assert r1.bands == ["60", "70", "80", "90", "100"]
    for cat, pts in (("system", "5"), ("service", "8"), ("team", "-2")):
        services.branch_rating_line_add(actor=world.organizer, rating=r1, category=cat, indicator="指标", points=pts,
                                        reason="事由", date=dt.date(2026, 6, 1), today=TODAY)
    services.branch_rating_line_add(actor=world.organizer, rating=r2, category="governance", indicator="村务公开",
                                    points="-25", reason="未按期公开", date=dt.date(2026, 6, 1), today=TODAY)
    with pytest.raises(NotPermitted):
        services.branch_rating_line_add(actor=world.secretary, rating=r1, category="system", indicator="x", points="50",
                                        reason="x", date=dt.date(2026, 6, 1), today=TODAY)
    check_rejected(lambda: services.branch_rating_line_add(actor=world.organizer, rating=r1, category="nope",
                                                           indicator="x", points="0", reason="x", date=None,
                                                           today=TODAY),
                   services.CATEGORY_INVALID, services.BRANCH_POINTS_INVALID, services.DATE_REQUIRED)
    f1 = services.branch_rating_finalize(actor=world.organizer, rating=r1, today=TODAY)
    f2 = services.branch_rating_finalize(actor=world.admin, rating=r2, today=TODAY)
    assert (f1.score, f1.stars) == (D("111"), 5)
    assert (f2.score, f2.stars) == (D("75"), 2)
    assert selectors.branch_stars(t.county, 2026) == {t.village_a1.pk: 5, t.village_a2.pk: 2}
    assert selectors.branch_stars(t.town_b, 2026) == {}
    check_rejected(lambda: services.branch_rating_finalize(actor=world.admin, rating=r1, today=TODAY),
                   services.RATING_FINAL)
    panel = selectors.org_panel(world.organizer, t.town_a, TODAY)
    assert panel is not None and panel.flagged_branches == 1 and panel.rated_branches == 2


def test_scheme_model_unique_per_org_year(world):
    assert PointsScheme.objects.filter(org=world.tree.village_a1, year=2026).count() == 1


def test_scheme_update_changes_live_stars_not_past_ratings(world):
    from dangjian.common.errors import ConflictError

    services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026, today=dt.date(2026, 12, 20))
    assert total_of(world.zhang).stars == 1
    check_rejected(lambda: services.scheme_update(actor=world.secretary, scheme=world.scheme, version=1, name="x",
                                                  base_points="60", total_cap="50", carry_over_percent=None,
                                                  bands=["50", "60", "70", "80", "90"]), services.CAP_BELOW_BASE)
    s = services.scheme_update(actor=world.secretary, scheme=world.scheme, version=1, name="一村积分方案",
                               base_points="60", total_cap="100", carry_over_percent=None,
                               bands=["50", "55", "58", "60", "90"])
    assert (s.version, s.bands, s.total_cap) == (2, ["50", "55", "58", "60", "90"], D("100"))
    assert total_of(world.zhang).stars == 4  # 60 is now four stars
    assert set(MemberRating.objects.values_list("stars", flat=True)) == {1}  # the year-end snapshot stays
    with pytest.raises(ConflictError):
        services.scheme_update(actor=world.secretary, scheme=world.scheme, version=1, name="x", base_points="60",
                               total_cap=None, carry_over_percent=None, bands=["60", "70", "80", "90", "96"])
    audit = AuditEvent.objects.get(action="points.scheme.update")
    assert audit.changes["bands"][1] == "['50', '55', '58', '60', '90']"

"""Writes to the member roster, the way a branch secretary or township organizer makes them: the
happy paths, every kind of bad input (refused in Chinese, nothing half-written), concurrent edits,
and the audit trail."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.common import crypto, idnumbers
from dangjian.common.errors import CONFLICT, ConflictError, NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import assert_rejected, row_counts
from dangjian.members import rules, services
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org
from dangjian.orgs.services import org_dissolve
from dangjian.testing import make_org, valid_id_number

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 4, 12)
TODAY = dt.date(2026, 3, 1)


def today_message():
    return rules.FUTURE_DATE.format(date=timezone.localdate().isoformat())


def create_args(tree, **kw):
    args = dict(
        actor=tree.users["branch_secretary"], org=tree.village_a1, name="赵敏", sex="2", birth_date=BIRTH,
        id_number=idnumbers.make("110102", BIRTH, 55, "2"), education="college", personnel_category="farmer",
        phone="13912345678", first_event=rules.RECORDED, date=dt.date(2015, 7, 1), status=rules.FULL,
        joined_on=dt.date(2014, 7, 1), converted_on=dt.date(2015, 7, 1),
    )
    args.update(kw)
    return args


def create(tree, **kw):
    return services.member_create(**create_args(tree, **kw))


def fresh(member):
    return Member.objects.select_related("org").get(pk=member.pk)


def new_audit(before):
    return list(AuditEvent.objects.order_by("id")[before:])


# --- create ---------------------------------------------------------------------------------------


def test_create_stores_the_id_number_encrypted_hashed_and_masked(tree):
    n = AuditEvent.objects.count()
    m = create(tree)
    number = idnumbers.make("110102", BIRTH, 55, "2")
    m = fresh(m)
    assert (m.status, m.org, m.county) == (rules.FULL, tree.village_a1, tree.county)
    assert (m.joined_on, m.converted_on) == (dt.date(2014, 7, 1), dt.date(2015, 7, 1))
    assert (m.name_pinyin, m.name_initials) == ("zhaomin", "zm")
    assert number not in m.id_number_enc and crypto.decrypt(m.id_number_enc) == number
    assert m.id_number_hash == crypto.keyed_hash(number)
    assert m.id_number_masked == number[:6] + "********" + number[-4:]
    assert m.phone_masked == "139****5678" and crypto.decrypt(m.phone_enc) == "13912345678"
    # The raw values are nowhere in the row.
    with connection.cursor() as c:
        c.execute("SELECT * FROM members_member WHERE id = %s", [m.pk])
        row = " ".join(str(v) for v in c.fetchone())
    assert number not in row and "13912345678" not in row
    (ev,) = m.events.all()
    assert (ev.kind, ev.date, ev.status_after, ev.org_after, ev.recorded_by) == (
        rules.RECORDED, dt.date(2015, 7, 1), rules.FULL, tree.village_a1, tree.users["branch_secretary"])
    (audit,) = new_audit(n)
    assert (audit.action, audit.actor, audit.org, audit.target_id) == (
        "member.create", tree.users["branch_secretary"], tree.village_a1, str(m.pk))
    assert audit.changes["name"] == [None, "赵敏"]
    assert audit.changes["id_number"] == [None, m.id_number_masked]
    assert number not in str(audit.changes)  # the audit log never holds the full number


def test_create_admitted_as_probationary(tree):
    m = create(tree, first_event=rules.ADMITTED, date=dt.date(2025, 6, 1), joined_on=None, converted_on=None)
    m = fresh(m)
    assert (m.status, m.joined_on, m.probation_ends_on, m.converted_on) == (
        rules.PROBATIONARY, dt.date(2025, 6, 1), dt.date(2026, 6, 1), None)


def test_create_accepts_an_id_number_typed_with_spaces_and_lower_case_x(tree):
    for seq in range(500):
        number = idnumbers.make("110101", BIRTH, seq, "1")
        if number.endswith("X"):
            break
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    m = create(tree, sex="1", id_number=typed)
    assert crypto.decrypt(fresh(m).id_number_enc) == number


def test_admission_at_exactly_eighteen_is_allowed(tree):
    birth = dt.date(2000, 5, 10)
    m = create(tree, birth_date=birth, id_number=valid_id_number(birth, "2"), first_event=rules.ADMITTED,
               date=dt.date(2018, 5, 10), joined_on=None, converted_on=None)
    assert fresh(m).status == rules.PROBATIONARY


# --- create: bad input -------------------------------------------------------------------------------


def test_wrong_check_digit(tree):
    number = idnumbers.make("110102", BIRTH, 55, "2")
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    assert_rejected(lambda: create(tree, id_number=wrong), idnumbers.ID_CHECK_DIGIT.format(expected=number[17]), field="id_number")


def test_id_number_disagreeing_with_the_birth_date(tree):
    assert_rejected(lambda: create(tree, birth_date=dt.date(1990, 4, 13)),
             idnumbers.ID_BIRTH_MISMATCH.format(birth="1990-04-13", id_birth="1990-04-12"), field="birth_date")


def test_id_number_disagreeing_with_the_sex(tree):
    assert_rejected(lambda: create(tree, sex="1"), idnumbers.ID_SEX_MISMATCH.format(sex="男", id_sex="女"), field="sex")


def test_duplicate_id_number_says_where_only_if_the_user_may_see_it(tree):
    create(tree)
    # The same person typed again in the same branch: the branch is named.
    assert_rejected(lambda: create(tree, name="赵敏敏"), services.ID_TAKEN.format(where=tree.village_a1.name), field="id_number")
    # Entered by 乙镇's organizer... there is none; by an organizer who cannot see 一村, the place stays hidden.
    other = make_org(tree.town_b, "乙镇二村支部", "branch")
    assert_rejected(lambda: create(tree, actor=tree.users["county_admin"], org=other),
             services.ID_TAKEN.format(where=tree.village_a1.name))
    number_b1 = crypto.decrypt(fresh(tree.member_b1).id_number_enc)
    assert_rejected(lambda: create(tree, actor=tree.users["township_organizer"], id_number=number_b1, birth_date=dt.date(1990, 3, 8)),
             services.ID_TAKEN.format(where="其他党组织"))


def test_future_dates_are_refused(tree):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert_rejected(lambda: create(tree, date=tomorrow), today_message(), field="date")
    assert_rejected(lambda: create(tree, converted_on=tomorrow), today_message(), field="converted_on")
    assert_rejected(lambda: create(tree, first_event=rules.ADMITTED, date=tomorrow, joined_on=None, converted_on=None),
             today_message())


def test_future_birth_date_is_refused(tree):
    birth = timezone.localdate() + dt.timedelta(days=1)
    assert_rejected(lambda: create(tree, birth_date=birth, id_number=valid_id_number(birth, "2"), date=dt.date(2015, 7, 1)),
             today_message(), field="birth_date")


def test_conversion_before_admission_is_refused(tree):
    assert_rejected(lambda: create(tree, joined_on=dt.date(2015, 7, 1), converted_on=dt.date(2015, 6, 30)),
             rules.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2015, 6, 30), admitted=dt.date(2015, 7, 1)))


def test_a_date_before_the_birth_is_refused(tree):
    assert_rejected(lambda: create(tree, joined_on=dt.date(1990, 4, 11)), rules.BEFORE_BIRTH.format(birth="1990-04-12"),
             field="joined_on")


def test_admission_under_eighteen_is_refused(tree):
    birth = dt.date(2000, 5, 10)
    assert_rejected(lambda: create(tree, birth_date=birth, id_number=valid_id_number(birth, "2"), first_event=rules.ADMITTED,
                            date=dt.date(2018, 5, 9), joined_on=None, converted_on=None),
             rules.JOIN_BEFORE_18.format(date="2018-05-09"), field="date")


def test_creating_into_a_dissolved_or_non_branch_organization(tree):
    org_dissolve(actor=tree.users["county_admin"], org=Org.objects.get(pk=tree.village_a2.pk), date=dt.date(2020, 1, 1),
                 doc_number="撤")
    gone = Org.objects.get(pk=tree.village_a2.pk)
    assert_rejected(lambda: create(tree, actor=tree.users["township_organizer"], org=gone, date=dt.date(2021, 1, 1)),
             services.ORG_INACTIVE.format(name=gone.name, date=gone.dissolved_on), field="org")
    assert_rejected(lambda: create(tree, actor=tree.users["township_organizer"], org=tree.town_a),
             org_rules.NOT_HOLDING_MEMBERS.format(type="乡镇党委/街道党工委"), field="org")


def test_several_mistakes_are_reported_together(tree):
    err = assert_rejected(lambda: create(tree, name=" ", phone="12345", education="phd", sex="1"),
                   services.NAME_REQUIRED, services.PHONE_FORMAT, services.CHOICE_INVALID.format(value="phd", field="学历"),
                   idnumbers.ID_SEX_MISMATCH.format(sex="男", id_sex="女"))
    assert set(err.errors) >= {"name", "phone", "education", "sex"}


def test_party_age_correction_range(tree):
    assert_rejected(lambda: create(tree, party_age_correction=81), services.CORRECTION_RANGE, field="party_age_correction")


def test_creating_outside_scope_or_read_only_is_not_permitted(tree):
    for role, org in (("township_organizer", tree.village_b1), ("branch_secretary", tree.village_a2),
                      ("inspector", tree.village_a1), ("member", tree.village_a1)):
        before = row_counts()
        with pytest.raises(NotPermitted):
            create(tree, actor=tree.users[role], org=org)
        assert row_counts() == before, role


# --- update -------------------------------------------------------------------------------------------


def test_update_personal_fields_with_old_and_new_in_the_audit(tree):
    m = fresh(tree.member_a1)
    n = AuditEvent.objects.count()
    services.member_update(actor=tree.users["branch_secretary"], member=m, version=m.version, name="李明华",
                           education="master", phone="13900000002")
    m = fresh(m)
    assert (m.name, m.name_pinyin, m.name_initials, m.education, m.version) == ("李明华", "liminghua", "lmh", "master", 2)
    assert m.phone_masked == "139****0002"
    (audit,) = new_audit(n)
    assert audit.action == "member.update"
    assert audit.changes == {"name": ["李明", "李明华"], "education": ["bachelor", "master"],
                             "phone": ["138****0001", "139****0002"]}


def test_update_the_id_number(tree):
    m = fresh(tree.member_a1)
    number = valid_id_number(m.birth_date, m.sex, birthplace="110102")
    services.member_update(actor=tree.users["county_admin"], member=m, version=m.version, id_number=number)
    m = fresh(m)
    assert crypto.decrypt(m.id_number_enc) == number and m.id_number_hash == crypto.keyed_hash(number)
    audit = AuditEvent.objects.filter(action="member.update").get()
    assert number not in str(audit.changes)
    assert audit.changes["id_number"][1] == m.id_number_masked


def test_update_bad_input(tree):
    m = fresh(tree.member_a1)
    actor = tree.users["branch_secretary"]

    def update(**kw):
        return lambda: services.member_update(actor=actor, member=m, version=m.version, **kw)

    # A birth date or sex that no longer matches the stored ID number.
    assert_rejected(update(birth_date=dt.date(1985, 6, 16)),
             idnumbers.ID_BIRTH_MISMATCH.format(birth="1985-06-16", id_birth="1985-06-15"), field="birth_date")
    assert_rejected(update(sex="2"), idnumbers.ID_SEX_MISMATCH.format(sex="女", id_sex="男"), field="sex")
    # Someone else's number.
    other = crypto.decrypt(fresh(tree.member_b1).id_number_enc)
    assert_rejected(update(id_number=other, birth_date=dt.date(1990, 3, 8), sex="2"), services.ID_TAKEN.format(where="其他记录"))
    number = idnumbers.make("110101", m.birth_date, 77, "1")
    assert_rejected(update(id_number=number[:17] + ("0" if number[17] != "0" else "1")),
             idnumbers.ID_CHECK_DIGIT.format(expected=number[17]))
    assert_rejected(update(phone="1380000000"), services.PHONE_FORMAT, field="phone")
    assert_rejected(update(name=""), services.NAME_REQUIRED, field="name")
    assert fresh(m).version == m.version


def test_update_outside_scope_is_not_permitted(tree):
    m = fresh(tree.member_b1)
    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        with pytest.raises(NotPermitted):
            services.member_update(actor=tree.users[role], member=m, version=m.version, job="x")
    assert fresh(m).job == ""


def test_two_people_editing_the_same_member(tree):
    """Both open the record at version v; the first save wins; the second is refused with the
    conflict message and nothing of the first person's change is lost."""
    first_view, second_view = fresh(tree.member_a1), fresh(tree.member_a1)
    v = first_view.version
    services.member_update(actor=tree.users["branch_secretary"], member=first_view, version=v, job="村委会主任",
                           phone="13700000000")
    before = row_counts()
    with pytest.raises(ConflictError) as info:
        services.member_update(actor=tree.users["township_organizer"], member=second_view, version=v, job="会计")
    assert info.value.messages == [CONFLICT]
    assert row_counts() == before
    m = fresh(tree.member_a1)
    assert (m.job, m.phone_masked, m.version) == ("村委会主任", "137****0000", v + 1)


def test_an_event_recorded_after_the_member_was_opened_conflicts_too(tree):
    m = fresh(tree.member_a1)
    v = m.version
    services.member_add_event(actor=tree.users["branch_secretary"], member=m, kind=rules.WENT_MOBILE,
                              date=dt.date(2024, 1, 1), version=v)
    with pytest.raises(ConflictError):
        services.member_update(actor=tree.users["branch_secretary"], member=m, version=v, job="x")
    before = row_counts()
    with pytest.raises(ConflictError):
        services.member_add_event(actor=tree.users["branch_secretary"], member=m, kind=rules.LOST_CONTACT,
                                  date=dt.date(2024, 2, 1), version=v)
    assert row_counts() == before


# --- events -------------------------------------------------------------------------------------------


def probationary(tree, **kw):
    kw.setdefault("first_event", rules.ADMITTED)
    kw.setdefault("date", dt.date(2023, 6, 1))
    return create(tree, joined_on=None, converted_on=None, **kw)


def test_conversion_event(tree):
    m = probationary(tree)
    n = AuditEvent.objects.count()
    ev = services.member_add_event(actor=tree.users["branch_secretary"], member=m, kind=rules.CONVERTED,
                                   date=dt.date(2024, 6, 1))
    m = fresh(m)
    assert (m.status, m.converted_on, m.probation_ends_on) == (rules.FULL, dt.date(2024, 6, 1), None)
    assert (ev.status_after, ev.org_after) == (rules.FULL, tree.village_a1)
    (audit,) = new_audit(n)
    assert audit.action == "member.event.converted"
    assert audit.changes == {"event": [None, "预备党员转正"], "date": [None, "2024-06-01"]}


def test_conversion_before_admission_event_is_refused(tree):
    m = probationary(tree)
    assert_rejected(lambda: services.member_add_event(actor=tree.users["branch_secretary"], member=m, kind=rules.CONVERTED,
                                               date=dt.date(2023, 5, 31)),
             rules.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2023, 5, 31), admitted=dt.date(2023, 6, 1)))
    assert fresh(m).status == rules.PROBATIONARY


def test_events_dated_before_the_first_record_say_so(tree):
    m = fresh(tree.member_a1)  # recorded on 2010-07-01
    assert_rejected(lambda: services.member_add_event(actor=None, member=m, kind=rules.WENT_MOBILE, date=dt.date(2009, 1, 1)),
             rules.BEFORE_FIRST_EVENT.format(date=dt.date(2009, 1, 1), first=dt.date(2010, 7, 1), event="补录党员信息"),
             field="date")


def test_event_dates_future_and_before_birth(tree):
    m = fresh(tree.member_a1)
    actor = tree.users["branch_secretary"]
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.WENT_MOBILE,
                                               date=timezone.localdate() + dt.timedelta(days=1)), today_message(), field="date")
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.WENT_MOBILE, date=dt.date(1985, 6, 14)),
             rules.BEFORE_BIRTH.format(birth="1985-06-15"))
    assert_rejected(lambda: services.member_transfer(actor=actor, member=m, to_org=tree.village_a2, date=dt.date(2024, 1, 1),
                                              out_date=dt.date(2024, 1, 2), letter_number=""),
             services.OUT_DATE_AFTER, field="out_date")


def test_initial_or_unknown_kinds_cannot_be_added_as_events(tree):
    m = fresh(tree.member_a1)
    for kind in (rules.RECORDED, "teleported"):
        assert_rejected(lambda kind=kind: services.member_add_event(actor=None, member=m, kind=kind, date=dt.date(2024, 1, 1)),
                 services.KIND_NOT_HERE.format(kind=rules.EVENT_LABELS.get(kind, kind)), field="kind")
    # Coming back and joining again are later events, but not for a member who is on the roster.
    for kind in (rules.ADMITTED, rules.TRANSFER_IN):
        assert_rejected(lambda kind=kind: services.member_add_event(actor=None, member=m, kind=kind, date=dt.date(2024, 1, 1)),
                 services.ORG_REQUIRED, field="org")
        assert_rejected(lambda kind=kind: services.member_add_event(actor=None, member=m, kind=kind, date=dt.date(2024, 1, 1),
                                                             to_org=tree.village_a2),
                 rules.ALREADY_RECORDED)


def test_a_member_who_left_the_county_comes_back_on_the_same_record(tree):
    town = tree.users["township_organizer"]
    m = fresh(tree.member_a1)
    services.member_add_event(actor=town, member=m, kind=rules.TRANSFER_OUT, date=dt.date(2020, 3, 1))
    # Typing the person in again is refused, and says where to record the return.
    number = crypto.decrypt(fresh(m).id_number_enc)
    assert_rejected(lambda: create(tree, actor=town, id_number=number, name=m.name, sex=m.sex, birth_date=m.birth_date),
             services.ID_TAKEN_RETURN.format(where=tree.village_a1.name, status=rules.STATUS_LABELS[rules.TRANSFERRED_OUT]))
    # Into an organization outside one's own subtrees: not permitted.
    with pytest.raises(NotPermitted):
        services.member_add_event(actor=town, member=fresh(m), kind=rules.TRANSFER_IN, date=dt.date(2023, 5, 1),
                                  to_org=tree.village_b1)
    services.member_add_event(actor=town, member=fresh(m), kind=rules.TRANSFER_IN, date=dt.date(2023, 5, 1),
                              to_org=tree.village_a2, letter_number="外转〔2023〕8号")
    back = fresh(m)
    assert (back.status, back.org, back.converted_on) == (rules.FULL, tree.village_a2, tree.member_a1.converted_on)


def test_an_expelled_member_may_join_again(tree):
    admin = tree.users["county_admin"]
    m = fresh(tree.member_a1)
    services.member_add_event(actor=admin, member=m, kind=rules.EXPEL, date=dt.date(2015, 3, 1))
    assert_rejected(lambda: services.member_add_event(actor=admin, member=fresh(m), kind=rules.TRANSFER_IN,
                                               date=dt.date(2022, 5, 1), to_org=tree.village_a1), rules.ALREADY_RECORDED)
    services.member_add_event(actor=admin, member=fresh(m), kind=rules.ADMITTED, date=dt.date(2022, 5, 1),
                              to_org=tree.village_a1)
    again = fresh(m)
    assert (again.status, again.joined_on, again.converted_on) == (rules.PROBATIONARY, dt.date(2022, 5, 1), None)


def test_removal_needs_a_known_reason(tree):
    m = fresh(tree.member_a1)
    assert_rejected(lambda: services.member_add_event(actor=None, member=m, kind=rules.REMOVE, date=dt.date(2024, 1, 1),
                                               reason="whatever"), services.REASON_REQUIRED, field="reason")
    services.member_add_event(actor=None, member=m, kind=rules.REMOVE, date=dt.date(2024, 1, 1), reason="self_lapsed")
    assert fresh(m).status == rules.REMOVED


def test_transfer_between_branches(tree):
    m = fresh(tree.member_a1)
    n = AuditEvent.objects.count()
    ev = services.member_transfer(actor=tree.users["township_organizer"], member=m, to_org=tree.village_a2,
                                  date=dt.date(2024, 3, 1), out_date=dt.date(2024, 2, 20), letter_number="甲转〔2024〕1号")
    assert (ev.from_org, ev.to_org, ev.out_date, ev.letter_number) == (
        tree.village_a1, tree.village_a2, dt.date(2024, 2, 20), "甲转〔2024〕1号")
    m = fresh(m)
    assert m.org == tree.village_a2 and m.status == rules.FULL
    (audit,) = new_audit(n)
    assert audit.action == "member.event.transfer"
    assert audit.org == tree.village_a2
    assert audit.changes["org"] == [tree.village_a1.name, tree.village_a2.name]


def test_transfer_into_a_dissolved_organization_is_refused(tree):
    org_dissolve(actor=tree.users["county_admin"], org=Org.objects.get(pk=tree.village_a2.pk), date=dt.date(2023, 1, 1),
                 doc_number="撤")
    gone = Org.objects.get(pk=tree.village_a2.pk)
    assert_rejected(lambda: services.member_transfer(actor=tree.users["township_organizer"], member=fresh(tree.member_a1),
                                              to_org=gone, date=dt.date(2024, 1, 1), letter_number="L1"),
             services.ORG_INACTIVE.format(name=gone.name, date=gone.dissolved_on), field="org")
    assert fresh(tree.member_a1).org == tree.village_a1


def test_backdated_transfer_into_an_organization_dissolved_later_is_refused(tree):
    """Y was open on the transfer date but dissolved since: the member would be left in a dissolved
    organization, so the replay's final organization is checked too."""
    org_dissolve(actor=tree.users["county_admin"], org=Org.objects.get(pk=tree.village_a2.pk), date=dt.date(2023, 1, 1),
                 doc_number="撤")
    gone = Org.objects.get(pk=tree.village_a2.pk)
    assert_rejected(lambda: services.member_transfer(actor=tree.users["township_organizer"], member=fresh(tree.member_a1),
                                              to_org=gone, date=dt.date(2022, 6, 1), letter_number="L1"),
             services.LEFT_IN_DISSOLVED.format(date=gone.dissolved_on, name=gone.name), field="to_org")
    assert fresh(tree.member_a1).org == tree.village_a1


def test_transfer_into_an_organization_that_holds_no_members_is_refused(tree):
    assert_rejected(lambda: services.member_transfer(actor=tree.users["county_admin"], member=fresh(tree.member_a1),
                                              to_org=tree.town_b, date=dt.date(2024, 1, 1), letter_number=""),
             org_rules.NOT_HOLDING_MEMBERS.format(type="乡镇党委/街道党工委"))


def test_second_transfer_of_a_member_already_transferred(tree):
    """The same transfer submitted twice (by two people, or a double click): the second one names the
    organization the member has already left, and is refused."""
    actor = tree.users["township_organizer"]
    first, second = fresh(tree.member_a1), fresh(tree.member_a1)
    services.member_transfer(actor=actor, member=first, from_org=first.org, to_org=tree.village_a2,
                             date=dt.date(2024, 3, 1), letter_number="甲转〔2024〕1号")
    # Same from-organization again, a new letter number, even a different destination.
    for to_org, date in ((tree.village_a2, dt.date(2024, 3, 1)), (tree.village_a2, dt.date(2024, 4, 1))):
        assert_rejected(lambda to_org=to_org, date=date: services.member_transfer(
            actor=actor, member=second, from_org=second.org, to_org=to_org, date=date, letter_number="甲转〔2024〕2号"),
            rules.TRANSFER_WRONG_ORG.format(date=date))
    other_town_branch = make_org(tree.town_a, "甲镇三村支部", "branch")
    assert_rejected(lambda: services.member_transfer(actor=actor, member=second, from_org=second.org, to_org=other_town_branch,
                                              date=dt.date(2024, 5, 1), letter_number=""),
             rules.TRANSFER_WRONG_ORG.format(date=dt.date(2024, 5, 1)))
    # Re-using the letter number of the transfer already done.
    assert_rejected(lambda: services.member_transfer(actor=actor, member=fresh(tree.member_a1), to_org=other_town_branch,
                                              date=dt.date(2024, 5, 1), letter_number="甲转〔2024〕1号"),
             services.LETTER_USED.format(letter="甲转〔2024〕1号"), field="letter_number")
    assert fresh(tree.member_a1).org == tree.village_a2
    assert MembershipEvent.objects.filter(member=tree.member_a1, kind=rules.TRANSFER).count() == 1


def test_the_same_transfer_entered_twice_without_naming_the_source(tree):
    actor = tree.users["township_organizer"]
    m = fresh(tree.member_a1)
    services.member_transfer(actor=actor, member=m, to_org=tree.village_a2, date=dt.date(2024, 3, 1), letter_number="")
    assert_rejected(lambda: services.member_transfer(actor=actor, member=m, to_org=tree.village_a2, date=dt.date(2024, 3, 1),
                                              letter_number=""), rules.TRANSFER_SAME_ORG)


def test_transfer_back_dated_before_an_earlier_transfer_is_checked_against_it(tree):
    """An event entered late is replayed with everything after it: moving the member out of 一村 in
    January contradicts the March transfer out of 一村 already on record."""
    actor = tree.users["county_admin"]
    services.member_transfer(actor=actor, member=fresh(tree.member_a1), to_org=tree.village_a2, date=dt.date(2024, 3, 1),
                             letter_number="")
    assert_rejected(lambda: services.member_transfer(actor=actor, member=fresh(tree.member_a1), to_org=tree.village_b1,
                                              date=dt.date(2024, 1, 1), letter_number=""),
             rules.TRANSFER_WRONG_ORG.format(date=dt.date(2024, 3, 1)))


def test_event_after_death_and_death_before_a_later_event(tree):
    actor = tree.users["branch_secretary"]
    m = probationary(tree)
    services.member_add_event(actor=actor, member=m, kind=rules.CONVERTED, date=dt.date(2024, 6, 1))
    services.member_add_event(actor=actor, member=m, kind=rules.DIE, date=dt.date(2025, 1, 1))
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.WENT_MOBILE, date=dt.date(2025, 2, 1)),
             rules.NOT_ACTIVE.format(date=dt.date(2025, 2, 1), status="死亡", event="外出流动"))
    # Back-dated: suspending her in 2023 would break the conversion of 2024.
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.SUSPEND, date=dt.date(2023, 12, 1)),
             rules.NOT_PROBATIONARY.format(event="预备党员转正", date=dt.date(2024, 6, 1), status="停止党籍"))


def test_extension_once_then_conversion(tree):
    actor = tree.users["branch_secretary"]
    m = probationary(tree)
    services.member_add_event(actor=actor, member=m, kind=rules.PROBATION_EXTENDED, date=dt.date(2024, 6, 1), months=6)
    assert fresh(m).probation_ends_on == dt.date(2024, 12, 1)
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.PROBATION_EXTENDED,
                                               date=dt.date(2024, 11, 1), months=6), rules.EXTENSION_TWICE)
    other = probationary(tree, name="钱", id_number=valid_id_number(BIRTH, "2"))
    assert_rejected(lambda: services.member_add_event(actor=actor, member=other, kind=rules.PROBATION_EXTENDED,
                                               date=dt.date(2024, 6, 1), months=13),
             rules.EXTENSION_MONTHS.format(months=13))


def test_lost_contact_suspension_restoration_and_removal(tree):
    actor = tree.users["branch_secretary"]
    m = fresh(tree.member_a1)
    services.member_add_event(actor=actor, member=m, kind=rules.LOST_CONTACT, date=dt.date(2023, 1, 10))
    assert fresh(m).is_lost_contact and fresh(m).lost_contact_on == dt.date(2023, 1, 10)
    services.member_add_event(actor=actor, member=m, kind=rules.SUSPEND, date=dt.date(2023, 7, 10))
    m = fresh(m)
    assert (m.status, m.suspended_on) == (rules.SUSPENDED, dt.date(2023, 7, 10))
    services.member_add_event(actor=actor, member=m, kind=rules.RESTORE, date=dt.date(2024, 1, 1))
    m = fresh(m)
    assert (m.status, m.suspended_on, m.is_lost_contact) == (rules.FULL, None, False)
    services.member_add_event(actor=actor, member=m, kind=rules.EXPEL, date=dt.date(2024, 6, 1))
    assert_rejected(lambda: services.member_add_event(actor=actor, member=m, kind=rules.RESTORE, date=dt.date(2024, 7, 1)),
             rules.NO_RESTORE_AFTER.format(status="开除党籍"))


def test_events_on_the_same_day_keep_their_order(tree):
    actor = tree.users["county_admin"]
    m = fresh(tree.member_a1)
    services.member_transfer(actor=actor, member=m, to_org=tree.village_a2, date=dt.date(2024, 3, 1), letter_number="")
    services.member_transfer(actor=actor, member=m, to_org=tree.village_b1, date=dt.date(2024, 3, 1), letter_number="")
    evs = list(fresh(m).events.filter(kind=rules.TRANSFER).order_by("date", "seq", "id"))
    assert [(e.seq, e.from_org, e.to_org) for e in evs] == [
        (0, tree.village_a1, tree.village_a2), (1, tree.village_a2, tree.village_b1)]
    assert fresh(m).org == tree.village_b1 and fresh(m).county == tree.county


def test_events_outside_scope_are_not_permitted(tree):
    m = fresh(tree.member_b1)
    for role in ("township_organizer", "inspector", "member"):
        before = row_counts()
        with pytest.raises(NotPermitted):
            services.member_add_event(actor=tree.users[role], member=m, kind=rules.WENT_MOBILE, date=dt.date(2024, 1, 1))
        assert row_counts() == before
    with pytest.raises(NotPermitted):  # into an organization outside the organizer's township
        services.member_transfer(actor=tree.users["township_organizer"], member=fresh(tree.member_a1),
                                 to_org=tree.village_b1, date=dt.date(2024, 1, 1), letter_number="")


def test_members_are_never_deleted(tree):
    with pytest.raises(RuntimeError):
        fresh(tree.member_a1).delete()


# --- reveal -----------------------------------------------------------------------------------------


def test_reveal_returns_the_full_value_and_audits_each_view(tree):
    m = fresh(tree.member_a1)
    number = crypto.decrypt(m.id_number_enc)
    n = AuditEvent.objects.count()
    actor = tree.users["branch_secretary"]
    assert services.member_reveal(actor=actor, member=m, field="id_number") == number
    assert services.member_reveal(actor=actor, member=m, field="phone") == "13800000001"
    assert services.member_reveal(actor=actor, member=m, field="id_number") == number
    audits = new_audit(n)
    assert [a.action for a in audits] == ["member.reveal.id_number", "member.reveal.phone", "member.reveal.id_number"]
    assert all(a.actor == actor and a.org == tree.village_a1 and a.target_id == str(m.pk) for a in audits)
    assert all(number not in str(a.changes) for a in audits)


def test_member_may_reveal_their_own_record_only(tree):
    own = fresh(tree.member_a1)
    assert services.member_reveal(actor=tree.users["member"], member=own, field="phone") == "13800000001"
    with pytest.raises(NotPermitted):
        services.member_reveal(actor=tree.users["member"], member=fresh(tree.member_b1), field="id_number")


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector"])
def test_reveal_outside_scope_is_not_permitted_and_not_audited(tree, role):
    before = row_counts()
    with pytest.raises(NotPermitted):
        services.member_reveal(actor=tree.users[role], member=fresh(tree.member_b1), field="id_number")
    assert row_counts() == before


def test_no_member_before_the_organization_was_established(tree):
    from dangjian.common.tests.helpers import assert_rejected
    from dangjian.members import services as member_services
    from dangjian.testing import make_member, make_org

    young = make_org(tree.town_a, "中共新成立支部委员会", "branch", established_on=dt.date(2024, 5, 1))
    message = member_services.ORG_NOT_YET.format(name=young.name, date=dt.date(2024, 5, 1))
    assert_rejected(lambda: make_member(young, name="早到", date=dt.date(2024, 4, 30), joined_on=dt.date(2020, 1, 1)),
             message, field="org")
    assert make_member(young, name="准时", date=dt.date(2024, 5, 1), joined_on=dt.date(2020, 1, 1)).org == young

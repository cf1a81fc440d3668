"""The demo county as loaded into the database by ``dangjian demo`` (600 members, one seed)."""

from __future__ import annotations

import collections
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.cn import uscc

from dangjian.accounts.models import Role, User
from dangjian.accounts.selectors import scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.models import AuditEvent
from dangjian.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, summary_rows
from dangjian.demo.tests.conftest import DEMO_MEMBERS
from dangjian.members import rules
from dangjian.members.codes import AGE_BANDS, COLLEGE_OR_ABOVE
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.selectors import lost_contact_due, suspension_due
from dangjian.members.services import member_add_event, member_transfer
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Division, Org, OrgEvent, OrgType, Unit
from dangjian.recruitment.models import DevelopmentRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_output")]


def _events_by_member() -> dict[int, list[MembershipEvent]]:
    out: dict[int, list[MembershipEvent]] = collections.defaultdict(list)
    for e in MembershipEvent.objects.order_by("date", "seq", "id"):
        out[e.member_id].append(e)
    return out


def test_progress_and_counts_are_printed(demo_output: str) -> None:
    assert "示范县：清溪县" in demo_output
    assert f"党员 {DEMO_MEMBERS}/{DEMO_MEMBERS}" in demo_output
    # the probationary members admitted by the development demo (dangjian.demo.recruitment) come on top
    assert Member.objects.count() == DEMO_MEMBERS + DevelopmentRecord.objects.exclude(member=None).count()
    assert Org.objects.count() > 1000
    assert AuditEvent.objects.filter(action="demo.load", actor=None).count() == 1


def test_every_id_number_is_valid_and_agrees_with_birth_date_and_sex() -> None:
    for m in Member.objects.all():
        number = crypto.decrypt(m.id_number_enc)
        info = idnumbers.parse(number)  # check digit, birthplace code valid in the birth year, date
        assert idnumbers.check_agrees(info, birth_date=m.birth_date, sex=m.sex) == []
        assert m.id_number_hash == crypto.keyed_hash(number)
        assert m.id_number_masked == crypto.mask_id_number(number)
        phone = crypto.decrypt(m.phone_enc)
        assert phone == "" or (len(phone) == 11 and phone.isdigit() and phone[0] == "1")


def test_no_event_is_in_the_future_or_before_adulthood() -> None:
    today = timezone.localdate()
    assert not MembershipEvent.objects.filter(date__gt=today).exists()
    for m in Member.objects.all():
        assert m.joined_on is not None and rules.age_on(m.birth_date, m.joined_on) >= 18


def test_cached_state_and_snapshots_are_what_the_rules_replay_gives() -> None:
    events = _events_by_member()
    for m in Member.objects.all():
        evs = events[m.pk]
        assert evs[0].kind in rules.INITIAL_KINDS
        states = rules.replay(e.as_rule_event() for e in evs)
        for e, st in zip(evs, states, strict=True):
            assert (e.org_after_id, e.status_after, e.mobile_after, e.lost_after) == (
                st.org_id, st.status, st.is_mobile, st.is_lost_contact)
        last = states[-1]
        assert (m.org_id, m.status, m.joined_on, m.converted_on, m.probation_ends_on, m.is_mobile, m.is_lost_contact,
                m.lost_contact_on, m.suspended_on) == (
            last.org_id, last.status, last.admitted_on, last.converted_on, last.probation_ends_on, last.is_mobile,
            last.is_lost_contact, last.lost_contact_on, last.suspended_on)
        assert m.county_id == Org.objects.get(depth=1).pk


def test_the_services_accept_further_events_on_demo_members() -> None:
    """The services replay a member's whole history with each new event: demo histories must pass."""
    today = timezone.localdate()
    moved = (Member.objects.filter(status=rules.FULL, events__kind=rules.TRANSFER, is_mobile=False, is_lost_contact=False)
             .select_related("org").first())
    assert moved is not None
    target = Org.objects.filter(org_type=OrgType.BRANCH, dissolved_on__isnull=True).exclude(pk=moved.org_id).first()
    assert target is not None
    member_transfer(actor=None, member=moved, to_org=target, date=today, letter_number="测试〔2026〕1号")
    moved.refresh_from_db()
    assert moved.org_id == target.pk
    probationary = Member.objects.filter(status=rules.PROBATIONARY, is_mobile=False).first()
    assert probationary is not None
    member_add_event(actor=None, member=probationary, kind=rules.WENT_MOBILE, date=today)


def test_transfer_letter_numbers_are_unique() -> None:
    letters = list(MembershipEvent.objects.exclude(letter_number="").values_list("letter_number", flat=True))
    assert letters and len(letters) == len(set(letters))


def test_history_has_every_kind_of_event_a_county_needs() -> None:
    kinds = set(MembershipEvent.objects.values_list("kind", flat=True))
    assert {rules.RECORDED, rules.ADMITTED, rules.CONVERTED, rules.TRANSFER, rules.LOST_CONTACT, rules.SUSPEND,
            rules.REMOVE, rules.PROBATION_EXTENDED} <= kinds
    assert Member.objects.filter(status=rules.PROBATIONARY).exists()
    assert MembershipEvent.objects.filter(kind=rules.REMOVE, reason="self_lapsed").exists()


def test_work_queue_has_lost_contact_and_suspension_deadlines() -> None:
    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    lost = list(lost_contact_due(admin, today=today))
    assert any(rules.lost_contact_deadline(m.lost_contact_on) > today for m in lost)  # nearing 6 months
    assert any(rules.lost_contact_deadline(m.lost_contact_on) <= today for m in lost)  # past it
    assert list(suspension_due(admin, today=today))


def test_structure_problems_are_planted() -> None:
    admin = User.objects.get(username="admin")
    findings = org_selectors.structure_findings(admin, list(Org.objects.all()))
    codes = collections.Counter(f.code for fs in findings.values() for f in fs)
    # (with only 600 members no branch is big enough for "no committee" or "over 50": see the benchmark)
    for code in ("few_full_members", "joint_too_many_units", "village_term_missing"):
        assert codes[code] >= 1, code
    assert codes["village_term_missing"] == 1


def test_tree_paths_are_what_treebeard_would_write() -> None:
    assert all(not problems for problems in Org.objects.find_problems())
    county = Org.objects.get(depth=1)
    assert county.org_type == OrgType.COUNTY_COMMITTEE and county.name == "中共清溪县委员会"
    townships = Org.objects.filter(org_type=OrgType.TOWNSHIP_COMMITTEE)
    assert townships.count() == 13 and all(t.can_approve_probationary for t in townships)
    assert all(o.county_id == county.pk for o in Org.objects.exclude(pk=county.pk))
    villages = [o for o in Org.objects.filter(depth=3) if o.is_village_level]
    assert 165 <= len(villages) <= 185
    assert all(o.term_years == 5 for o in villages if o.term_started_on and o.dissolved_on is None)
    assert OrgEvent.objects.filter(kind="established").count() == Org.objects.count()
    assert OrgEvent.objects.filter(kind="merged").exists() and Org.objects.filter(dissolved_on__isnull=False).exists()


def test_divisions_and_units_are_consistent() -> None:
    county = Division.objects.get(level="county")
    assert county.code == "360722000000"
    for d in Division.objects.exclude(pk=county.pk):
        assert len(d.code) == 12 and d.code.startswith("360722"), d.code
    for u in Unit.objects.all():
        assert uscc.is_valid(u.credit_code), (u.name, u.credit_code)
    joint = Org.objects.filter(org_type=OrgType.JOINT_BRANCH)
    assert all(o.unit_situation == "joint" and o.units.count() >= 2 for o in joint)


def test_distributions_are_roughly_those_of_a_rural_county() -> None:
    today = timezone.localdate()
    roster = list(Member.objects.filter(status__in=rules.ON_ROSTER))
    n = len(roster)
    women = sum(m.sex == "2" for m in roster) / n
    assert 0.2 <= women <= 0.4
    college = sum(m.education in COLLEGE_OR_ABOVE for m in roster) / n
    assert 0.25 <= college <= 0.6
    bands = collections.Counter()
    for m in roster:
        age = rules.age_on(m.birth_date, today)
        bands[next(label for upper, label in AGE_BANDS if age <= upper)] += 1
    assert all(bands[label] > 0 for _, label in AGE_BANDS), bands
    assert collections.Counter(m.personnel_category for m in roster).most_common(1)[0][0] == "farmer"
    assert sum(m.ethnicity != "01" for m in roster) / n < 0.1


def test_accounts_of_every_role_see_what_they_should() -> None:
    users = {u.username: u for u in User.objects.all()}
    assert {a.username for a in DEMO_ACCOUNTS} <= set(users)
    assert {u.role for u in users.values()} == set(Role.values)
    county = Org.objects.get(depth=1)
    for town in ("shimen", "fenggang"):
        organizer, secretary = users[f"{town}_zuzhi"], users[f"{town}_shuji"]
        inspector, member_user = users[f"{town}_ducha"], users[f"{town}_dangyuan"]
        township = organizer.orgs.get()
        assert township.org_type == OrgType.TOWNSHIP_COMMITTEE
        assert scope_for(organizer).paths == (township.path,)
        assert scope_for(inspector).paths == (township.path,) and not inspector.can_write
        branch = secretary.orgs.get()
        assert branch.org_type == OrgType.BRANCH and branch.is_village_level
        assert scope_for(secretary).paths == (branch.path,) and branch.path.startswith(township.path)
        assert secretary.display_name == branch.secretary_name
        member = member_user.member
        assert member is not None and member.org_id == branch.pk and member.status == rules.FULL
        assert not member.is_mobile and not member.is_lost_contact
        scope = scope_for(member_user)
        assert scope.paths == () and scope.own_member_id == member.pk
    assert scope_for(users["admin"]).paths == (county.path,) and users["admin"].role == Role.COUNTY_ADMIN
    assert users["admin"].check_password(DEMO_PASSWORD)


def test_accounts_summary_prints_the_table() -> None:
    out = io.StringIO()
    call_command("accounts_summary", stdout=out)
    text = out.getvalue()
    assert "| 用户名 | 角色 | 所属党组织 | 密码 |" in text
    assert len(summary_rows()) == len(DEMO_ACCOUNTS)
    assert "| shimen_zuzhi | 乡镇（街道）组织委员 | 石门镇党委 |" in text


def test_if_empty_does_nothing_on_a_loaded_database() -> None:
    before = (Org.objects.count(), Member.objects.count(), MembershipEvent.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("demo", if_empty=True, members=200, stdout=out)
    assert "跳过示范数据" in out.getvalue()
    assert (Org.objects.count(), Member.objects.count(), MembershipEvent.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError, match="只能载入空数据库"):
        call_command("demo", members=200, stdout=io.StringIO())


def test_dates_of_probation_follow_the_rules() -> None:
    for m in Member.objects.filter(status=rules.PROBATIONARY):
        assert m.probation_ends_on is not None and m.joined_on is not None
        assert m.probation_ends_on >= rules.add_years(m.joined_on, 1)
    for m in Member.objects.filter(status=rules.FULL).exclude(converted_on=None)[:200]:
        assert m.converted_on >= rules.add_years(m.joined_on, 1) - dt.timedelta(days=1)


def test_organizational_life_records_start_this_month_so_the_lapse_alarms_do_not_flood() -> None:
    """The demo has no meetings before today: its records start this month, like a new install."""
    from dangjian.common import settings_registry
    from dangjian.orglife import params as orglife_params
    from dangjian.web.selectors import work_queue

    today = timezone.localdate()
    assert settings_registry.get(orglife_params.RECORDS_START) == today.year * 100 + today.month
    admin = User.objects.get(username="admin")
    assert not [i for i in work_queue(admin, today) if i.kind == "lapse"]

"""Member writes through the pages, and the audited reveal of personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.common import crypto, idnumbers
from dangjian.common.errors import CONFLICT
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import row_counts
from dangjian.members import rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.services import ORG_INACTIVE
from dangjian.orgs.services import org_dissolve
from dangjian.testing import make_org, valid_id_number
from dangjian.web import forms as web_forms

# The suite can run across the county's midnight: today is read when the test runs, not when it is collected.
TODAY = timezone.localdate()


def future_date_message() -> str:
    return rules.FUTURE_DATE.format(date=timezone.localdate().isoformat())
BIRTH = dt.date(1988, 4, 12)


def create_data(**overrides):
    data = {
        "name": "陈红", "sex": "2", "id_number": valid_id_number(BIRTH, "2"), "birth_date": BIRTH.isoformat(),
        "ethnicity": "01", "phone": "13900000002", "education": "bachelor", "degree": "bachelor",
        "personnel_category": "farmer", "party_age_correction": "0", "new_social_stratum": "", "job": "村委会委员",
        "professional_title": "", "registered_residence": "", "current_residence": "",
        "first_event": "recorded", "date": "2020-01-01", "status": "full", "joined_on": "2012-07-01",
        "converted_on": "2013-07-01", "letter_number": "", "note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def edit_data(m: Member, **overrides):
    data = {
        "version": m.version, "name": m.name, "sex": m.sex, "birth_date": m.birth_date.isoformat(),
        "ethnicity": m.ethnicity, "education": m.education, "degree": m.degree,
        "personnel_category": m.personnel_category, "party_age_correction": m.party_age_correction,
        "new_social_stratum": m.new_social_stratum, "job": m.job, "professional_title": m.professional_title,
        "registered_residence": m.registered_residence, "current_residence": m.current_residence,
        "id_number": "", "phone": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_member_with_its_first_event(tree, as_role):
    c = as_role("branch_secretary")
    resp = c.post(reverse("web:member_create", args=[tree.village_a1.pk]), create_data())
    assert resp.status_code == 302
    m = Member.objects.get(name="陈红")
    assert resp["Location"] == reverse("web:member_detail", args=[m.pk])
    assert m.org == tree.village_a1 and m.status == rules.FULL
    assert m.converted_on == dt.date(2013, 7, 1)
    assert m.phone_masked == "139****0002"
    assert list(m.events.values_list("kind", flat=True)) == [rules.RECORDED]
    assert AuditEvent.objects.filter(action="member.create", target_id=str(m.pk)).exists()


def test_create_admitted_as_probationary(tree, as_role):
    resp = as_role("township_organizer").post(
        reverse("web:member_create", args=[tree.village_a2.pk]),
        create_data(first_event="admitted", date="2025-07-01", status="", joined_on="", converted_on=""),
    )
    assert resp.status_code == 302
    m = Member.objects.get(name="陈红")
    assert m.status == rules.PROBATIONARY and m.probation_ends_on == dt.date(2026, 7, 1)


def wrong_check_digit() -> str:
    good = valid_id_number(BIRTH, "2")
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"id_number": "__wrong__"}, "公民身份号码校验码错误"),
    ({"date": (TODAY + dt.timedelta(days=5)).isoformat()}, future_date_message),
    ({"birth_date": "1988-04-13"}, "与公民身份号码中的出生日期（1988-04-12）不一致"),
    ({"sex": "1"}, "与公民身份号码第17位表示的性别（女）不一致"),
    ({"converted_on": "2011-01-01"}, rules.CONVERSION_BEFORE_ADMISSION.format(date="2011-01-01", admitted="2012-07-01")),
    ({"phone": "12345"}, "手机号码应为11位数字，以1开头。"),
])  # fmt: skip
def test_create_refuses_bad_input_in_chinese_and_writes_nothing(tree, as_role, overrides, expected):
    if overrides.get("id_number") == "__wrong__":
        overrides = {"id_number": wrong_check_digit()}
    before = row_counts()
    resp = as_role("branch_secretary").post(reverse("web:member_create", args=[tree.village_a1.pk]), create_data(**overrides))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert (expected() if callable(expected) else expected) in body
    assert 'value="陈红"' in body  # the input is kept
    assert row_counts() == before


def test_create_refuses_a_duplicate_id_number(tree, as_role):
    full = crypto.decrypt(tree.member_a1.id_number_enc)
    before = row_counts()
    resp = as_role("branch_secretary").post(
        reverse("web:member_create", args=[tree.village_a1.pk]),
        create_data(id_number=full, sex="1", birth_date="1985-06-15"),
    )
    assert resp.status_code == 200
    assert "公民身份号码已存在" in resp.content.decode()
    assert row_counts() == before


def test_create_in_an_org_that_cannot_hold_members(tree, as_role):
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:member_create", args=[tree.town_a.pk]), create_data())
    assert resp.status_code == 200
    assert "党员组织关系只能隶属于" in resp.content.decode()
    assert row_counts() == before


def test_edit_member(tree, as_role):
    m = tree.member_a1
    resp = as_role("branch_secretary").post(reverse("web:member_edit", args=[m.pk]),
                                            edit_data(m, job="村文书", phone="13911112222"))
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.job == "村文书" and m.phone_masked == "139****2222" and m.version == 2
    assert crypto.decrypt(m.id_number_enc) == crypto.decrypt(Member.objects.get(pk=m.pk).id_number_enc)


def test_edit_does_not_prefill_the_full_id_number(tree, as_role):
    m = tree.member_a1
    body = as_role("branch_secretary").get(reverse("web:member_edit", args=[m.pk])).content.decode()
    assert crypto.decrypt(m.id_number_enc) not in body
    assert "13800000001" not in body


def test_concurrent_member_edits_second_gets_the_conflict_message_and_loses_nothing(tree, as_role):
    m = tree.member_a1
    first, second = as_role("township_organizer"), as_role("branch_secretary")
    stale = edit_data(m)
    assert first.post(reverse("web:member_edit", args=[m.pk]), {**stale, "job": "支部委员"}).status_code == 302
    before = row_counts()
    resp = second.post(reverse("web:member_edit", args=[m.pk]), {**stale, "current_residence": "甲镇一村5组"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert CONFLICT in body
    assert 'value="甲镇一村5组"' in body  # the second user's input is still in the form
    assert "支部委员" in body  # the change saved meanwhile is shown
    m.refresh_from_db()
    assert m.job == "支部委员" and m.current_residence == ""  # the first save survives, nothing mixed
    assert row_counts() == before


def test_edit_refuses_a_future_birth_date(tree, as_role):
    m = tree.member_a1
    before = row_counts()
    resp = as_role("branch_secretary").post(reverse("web:member_edit", args=[m.pk]),
                                            edit_data(m, birth_date=(timezone.localdate() + dt.timedelta(days=1)).isoformat()))
    assert resp.status_code == 200
    assert future_date_message() in resp.content.decode()
    assert row_counts() == before


def event_data(m: Member, **overrides):
    data = {"kind": rules.TRANSFER, "date": "2024-03-01", "to_org": "", "out_date": "2024-02-20",
            "letter_number": "甲转〔2024〕001", "months": "", "reason": "", "note": "", "version": m.version}
    data.update(overrides)
    return data


def test_transfer_between_branches(tree, as_role):
    m = tree.member_a1
    resp = as_role("township_organizer").post(reverse("web:member_event", args=[m.pk]),
                                              event_data(m, to_org=tree.village_a2.pk))
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.org == tree.village_a2
    ev = m.events.get(kind=rules.TRANSFER)
    assert ev.from_org == tree.village_a1 and ev.to_org == tree.village_a2
    assert ev.letter_number == "甲转〔2024〕001" and ev.out_date == dt.date(2024, 2, 20)
    timeline = as_role("township_organizer").get(reverse("web:member_timeline", args=[m.pk])).content.decode()
    assert "甲转〔2024〕001" in timeline and tree.village_a2.name in timeline


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"to_org": ""}, web_forms.TRANSFER_NEEDS.format(what="转入党组织")),
    ({"letter_number": ""}, web_forms.TRANSFER_NEEDS.format(what="介绍信编号")),
    ({"out_date": ""}, web_forms.TRANSFER_NEEDS.format(what="转出日期")),
    ({"date": (TODAY + dt.timedelta(days=2)).isoformat()}, future_date_message),
    ({"kind": rules.PROBATION_EXTENDED, "months": ""}, web_forms.MONTHS_REQUIRED),
    ({"kind": rules.PROBATION_EXTENDED, "months": "6"}, "只有预备党员才能办理“延长预备期”"),
    ({"kind": rules.REMOVE}, web_forms.REASON_REQUIRED),
    ({"kind": rules.CONVERTED}, "只有预备党员才能办理“预备党员转正”"),
])  # fmt: skip
def test_events_refuse_bad_input_in_chinese_and_write_nothing(tree, as_role, overrides, expected):
    m = tree.member_a1
    overrides.setdefault("to_org", tree.village_a2.pk)
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:member_event", args=[m.pk]), event_data(m, **overrides))
    assert resp.status_code == 200
    assert (expected() if callable(expected) else expected) in resp.content.decode()
    assert row_counts() == before


def test_transfer_into_a_dissolved_org_is_refused(tree, as_role):
    gone = make_org(tree.town_a, "中共甲镇旧村支部委员会", "branch", category="rural")
    org_dissolve(actor=tree.users["county_admin"], org=gone, date=dt.date(2023, 1, 1), doc_number="x")
    m = tree.member_a1
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:member_event", args=[m.pk]), event_data(m, to_org=gone.pk))
    assert resp.status_code == 200
    assert ORG_INACTIVE.format(name=gone.name, date=dt.date(2023, 1, 1)) in resp.content.decode()
    assert row_counts() == before


def test_transfer_to_another_townships_org_is_not_a_choice(tree, as_role):
    m = tree.member_a1
    before = row_counts()
    resp = as_role("township_organizer").post(reverse("web:member_event", args=[m.pk]),
                                              event_data(m, to_org=tree.village_b1.pk))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "请搜索并选择一个党组织。" in body and tree.village_b1.name not in body
    assert row_counts() == before


def test_a_second_transfer_with_the_same_letter_is_refused(tree, as_role):
    m = tree.member_a1
    c = as_role("township_organizer")
    assert c.post(reverse("web:member_event", args=[m.pk]), event_data(m, to_org=tree.village_a2.pk)).status_code == 302
    m.refresh_from_db()
    before = row_counts()
    resp = c.post(reverse("web:member_event", args=[m.pk]), event_data(m, to_org=tree.village_a1.pk, date="2024-04-01"))
    assert resp.status_code == 200
    assert "已经使用过" in resp.content.decode()
    assert row_counts() == before


def test_event_on_a_stale_page_shows_the_conflict(tree, as_role):
    m = tree.member_a1
    c = as_role("township_organizer")
    stale_version = m.version
    assert c.post(reverse("web:member_event", args=[m.pk]),
                  event_data(m, kind=rules.WENT_MOBILE, to_org="", letter_number="")).status_code == 302
    before = row_counts()
    resp = c.post(reverse("web:member_event", args=[m.pk]),
                  event_data(m, kind=rules.LOST_CONTACT, version=stale_version, letter_number=""))
    assert resp.status_code == 200
    assert CONFLICT in resp.content.decode()
    assert row_counts() == before


def test_remove_with_a_reason(tree, as_role):
    m = tree.member_a1
    resp = as_role("branch_secretary").post(reverse("web:member_event", args=[m.pk]),
                                            event_data(m, kind=rules.REMOVE, reason="self_lapsed", to_org=""))
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.status == rules.REMOVED
    assert m.events.get(kind=rules.REMOVE).reason == "self_lapsed"
    body = as_role("branch_secretary").get(reverse("web:member_detail", args=[m.pk])).content.decode()
    assert "自行脱党" in body


def test_event_kinds_offered_exclude_the_initial_ones(tree, as_role):
    body = as_role("branch_secretary").get(reverse("web:member_event", args=[tree.member_a1.pk])).content.decode()
    assert f'value="{rules.TRANSFER}"' in body and f'value="{rules.SUSPEND}"' in body
    for kind in rules.INITIAL_KINDS:
        assert f'value="{kind}"' not in body


@pytest.mark.parametrize("name", ["web:member_edit", "web:member_event"])
def test_inspector_gets_404_on_member_writes(tree, as_role, name):
    c = as_role("inspector")
    before = row_counts()
    url = reverse(name, args=[tree.member_a1.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, event_data(tree.member_a1, to_org=tree.village_a2.pk)).status_code == 404
    assert row_counts() == before


def test_township_organizer_cannot_write_another_townships_member(tree, as_role):
    c = as_role("township_organizer")
    before = row_counts()
    m = tree.member_b1
    assert c.post(reverse("web:member_edit", args=[m.pk]), edit_data(m, job="x")).status_code == 404
    assert c.post(reverse("web:member_event", args=[m.pk]), event_data(m, kind=rules.WENT_MOBILE)).status_code == 404
    assert c.post(reverse("web:member_create", args=[tree.village_b1.pk]), create_data()).status_code == 404
    assert row_counts() == before


@pytest.mark.parametrize("role", ["county_admin", "township_organizer", "branch_secretary", "inspector"])
def test_reveal_returns_the_full_id_number_and_writes_an_audit_event(tree, as_role, role):
    m = tree.member_a1
    user = tree.users[role]
    full = crypto.decrypt(m.id_number_enc)
    body = as_role(role).get(reverse("web:member_detail", args=[m.pk])).content.decode()
    assert full not in body
    before = AuditEvent.objects.filter(action="member.reveal.id_number", actor=user, target_id=str(m.pk)).count()
    resp = as_role(role).post(reverse("web:member_reveal", args=[m.pk, "id_number"]))
    assert resp.status_code == 200
    fragment = resp.content.decode()
    assert 'data-testid="revealed-id_number"' in fragment and full in fragment
    assert "<html" not in fragment
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]
    after = AuditEvent.objects.filter(action="member.reveal.id_number", actor=user, target_id=str(m.pk)).count()
    assert after == before + 1


def test_reveal_phone_and_member_self_reveal(tree, as_role):
    resp = as_role("member").post(reverse("web:member_reveal", args=[tree.member_a1.pk, "phone"]))
    assert resp.status_code == 200
    assert "13800000001" in resp.content.decode()
    assert AuditEvent.objects.filter(action="member.reveal.phone", actor=tree.users["member"]).exists()


def test_reveal_needs_a_post_and_a_known_field_and_scope(tree, as_role):
    c = as_role("township_organizer")
    before = AuditEvent.objects.count()
    assert c.get(reverse("web:member_reveal", args=[tree.member_a1.pk, "id_number"])).status_code == 405
    assert c.post(reverse("web:member_reveal", args=[tree.member_a1.pk, "name"])).status_code == 404
    assert c.post(reverse("web:member_reveal", args=[tree.member_b1.pk, "id_number"])).status_code == 404
    assert as_role("member").post(reverse("web:member_reveal", args=[tree.member_b1.pk, "id_number"])).status_code == 404
    assert AuditEvent.objects.count() == before


def test_the_id_number_check_digit_message_names_the_expected_digit(tree, as_role):
    bad = wrong_check_digit()
    expected = idnumbers.ID_CHECK_DIGIT.format(expected=valid_check_digit(bad))
    resp = as_role("branch_secretary").post(reverse("web:member_create", args=[tree.village_a1.pk]),
                                            create_data(id_number=bad))
    assert expected in resp.content.decode()
    assert not MembershipEvent.objects.filter(member__name="陈红").exists()


def valid_check_digit(number: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(number)


def test_event_form_offers_coming_back_and_joining_again_only_to_members_off_the_roster(tree):
    from dangjian.members import rules as member_rules
    from dangjian.members.models import Member
    from dangjian.members.services import member_add_event
    from dangjian.web.forms import MemberEventForm

    actor = tree.users["township_organizer"]
    m = Member.objects.get(pk=tree.member_a1.pk)
    kinds = {k for k, _ in MemberEventForm(actor=actor, member=m).fields["kind"].choices}
    assert member_rules.TRANSFER_IN not in kinds and member_rules.ADMITTED not in kinds
    member_add_event(actor=actor, member=m, kind=member_rules.TRANSFER_OUT, date=dt.date(2020, 3, 1))
    m = Member.objects.get(pk=m.pk)
    form = MemberEventForm({"kind": member_rules.TRANSFER_IN, "date": "2023-05-01", "version": m.version},
                           actor=actor, member=m)
    assert {member_rules.TRANSFER_IN, member_rules.ADMITTED} <= {k for k, _ in form.fields["kind"].choices}
    assert not form.is_valid() and "to_org" in form.errors  # the organization coming back into is required
    form = MemberEventForm({"kind": member_rules.TRANSFER_IN, "date": "2023-05-01", "version": m.version,
                            "to_org": tree.village_a2.pk}, actor=actor, member=m)
    assert form.is_valid(), form.errors
    member_add_event(actor=actor, member=m, **form.service_kwargs())
    assert Member.objects.get(pk=m.pk).org == tree.village_a2

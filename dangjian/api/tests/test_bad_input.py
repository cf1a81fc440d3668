"""Bad input through the API: each refused with 422 and the service's Chinese message, under the
field it concerns, and nothing written (no row in any core table, no audit event)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from stdnum.cn import ric

from dangjian.api.tests.conftest import row_counts
from dangjian.common import idnumbers
from dangjian.members import rules as member_rules
from dangjian.members.services import ORG_INACTIVE
from dangjian.orgs import rules as org_rules
from dangjian.testing import make_org, valid_id_number

pytestmark = pytest.mark.django_db


def new_member(tree, **over) -> dict:
    birth = dt.date(1988, 9, 9)
    body = {
        "org": tree.village_a1.pk, "name": "吴刚", "sex": "1", "birth_date": birth.isoformat(),
        "id_number": valid_id_number(birth, "1"), "education": "bachelor", "personnel_category": "worker",
        "first_event": "recorded", "date": "2012-07-01", "joined_on": "2011-07-01", "converted_on": "2012-07-01",
    }
    body.update(over)
    return body


def assert_refused(caller, method: str, url: str, body: dict, field: str, message: str, *, versions=()) -> dict:
    """Send a request that must be refused with ``message`` under ``field``; nothing may change."""
    before = row_counts()
    old_versions = [(o, o.__class__.objects.get(pk=o.pk).version) for o in versions]
    resp = caller.call(method, url, body)
    assert resp.status_code == 422, (url, resp.status_code, resp.content.decode())
    errors = resp.json()["errors"]
    assert message in errors.get(field, []), errors
    assert message in resp.json()["detail"]
    assert row_counts() == before
    for obj, version in old_versions:
        assert obj.__class__.objects.get(pk=obj.pk).version == version
    return errors


def wrong_check_digit(number: str) -> str:
    right = ric.calc_check_digit(number)
    wrong = "0" if right != "0" else "1"
    return number[:17] + wrong


def test_wrong_id_check_digit(tree, as_role):
    caller = as_role("township_organizer")
    body = new_member(tree)
    bad = wrong_check_digit(body["id_number"])
    expected = idnumbers.ID_CHECK_DIGIT.format(expected=ric.calc_check_digit(bad))
    assert_refused(caller, "POST", "/api/members", {**body, "id_number": bad}, "id_number", expected)
    assert_refused(caller, "PATCH", f"/api/members/{tree.member_a1.pk}", {"version": 1, "id_number": bad}, "id_number", expected,
            versions=[tree.member_a1])


def test_id_number_disagreeing_with_birth_date_or_sex(tree, api_as):
    caller = api_as("township_organizer")
    body = new_member(tree)
    msg = idnumbers.ID_BIRTH_MISMATCH.format(birth="1988-09-10", id_birth="1988-09-09")
    assert_refused(caller, "POST", "/api/members", {**body, "birth_date": "1988-09-10"}, "birth_date", msg)
    msg = idnumbers.ID_SEX_MISMATCH.format(sex="女", id_sex="男")
    assert_refused(caller, "POST", "/api/members", {**body, "sex": "2"}, "sex", msg)
    # Editing the record: the stored ID number still has to agree.
    msg = idnumbers.ID_BIRTH_MISMATCH.format(birth="1985-06-16", id_birth="1985-06-15")
    assert_refused(caller, "PATCH", f"/api/members/{tree.member_a1.pk}", {"version": 1, "birth_date": "1985-06-16"},
            "birth_date", msg, versions=[tree.member_a1])


def test_future_dates(tree, api_as):
    caller = api_as("township_organizer")
    today = timezone.localdate()  # read when the test runs: the suite can run across the county's midnight
    future = (today + dt.timedelta(days=1)).isoformat()
    member_msg = member_rules.FUTURE_DATE.format(date=today.isoformat())
    assert_refused(caller, "POST", "/api/members", new_member(tree, date=future), "date", member_msg)
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events", {"kind": "went_mobile", "date": future},
            "date", member_msg, versions=[tree.member_a1])
    org_msg = org_rules.FUTURE_DATE.format(date=today)
    assert_refused(caller, "POST", f"/api/orgs/{tree.village_a2.pk}/rename", {"name": "新名称", "date": future}, "date", org_msg,
            versions=[tree.village_a2])
    assert_refused(caller, "POST", "/api/orgs", {
        "parent": tree.town_a.pk, "name": "中共甲镇新村支部委员会", "code": "F1", "org_type": "branch", "established_on": future,
    }, "established_on", org_msg)


def test_conversion_before_admission(tree, api_as):
    caller = api_as("township_organizer")
    msg = member_rules.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2010, 7, 1), admitted=dt.date(2011, 7, 1))
    assert_refused(caller, "POST", "/api/members", new_member(tree, converted_on="2010-07-01"), "__all__", msg)


def test_conversion_dated_before_the_admission_event(tree, api_as):
    caller = api_as("township_organizer")
    resp = caller.post("/api/members", new_member(tree, first_event="admitted", date="2023-03-01", joined_on=None,
                                                  converted_on=None))
    assert resp.status_code == 201, resp.content
    member_id = resp.json()["id"]
    msg = member_rules.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2023, 2, 1), admitted=dt.date(2023, 3, 1))
    assert_refused(caller, "POST", f"/api/members/{member_id}/events", {"kind": "converted", "date": "2023-02-01"}, "date", msg)
    assert caller.get(f"/api/members/{member_id}").json()["status"] == "probationary"


def test_transfer_into_a_dissolved_org(tree, api_as):
    caller = api_as("township_organizer")
    resp = caller.post(f"/api/orgs/{tree.village_a2.pk}/dissolve", {"date": "2021-01-01", "doc_number": "甲组〔2021〕1号"})
    assert resp.status_code == 200, resp.content
    msg = ORG_INACTIVE.format(name=tree.village_a2.name, date=dt.date(2021, 1, 1))
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events",
            {"kind": "transfer", "date": "2022-01-01", "to_org": tree.village_a2.pk, "letter_number": "L-1"},
            "to_org", msg, versions=[tree.member_a1])


def test_second_transfer_of_a_member_already_transferred(tree, api_as):
    caller = api_as("county_admin")
    first = {"kind": "transfer", "date": "2020-01-01", "to_org": tree.village_a2.pk, "letter_number": "甲转2020-001"}
    assert caller.post(f"/api/members/{tree.member_a1.pk}/events", first).status_code == 201
    # The same transfer (same introduction letter) entered again.
    again = {**first, "to_org": tree.village_b1.pk, "date": "2020-02-01"}
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events", again, "letter_number",
            "介绍信编号“甲转2020-001”已经使用过，同一次转接不能重复办理。", versions=[tree.member_a1])
    # A transfer out of the first branch dated before the one already recorded: by the recorded
    # transfer's date the member is no longer there.
    earlier = {"kind": "transfer", "date": "2019-06-01", "to_org": tree.village_b1.pk, "letter_number": "乙转2019-009"}
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events", earlier, "__all__",
            member_rules.TRANSFER_WRONG_ORG.format(date=dt.date(2020, 1, 1)), versions=[tree.member_a1])
    # Transferring again into the branch the member is already in.
    same = {"kind": "transfer", "date": "2021-01-01", "to_org": tree.village_a2.pk, "letter_number": "甲转2021-002"}
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events", same, "__all__", member_rules.TRANSFER_SAME_ORG,
            versions=[tree.member_a1])
    # A second user, still looking at the member in the first branch, transfers them out of it again.
    second = {"kind": "transfer", "date": "2021-01-01", "from_org": tree.village_a1.pk, "to_org": tree.village_b1.pk,
              "letter_number": "甲转2021-003"}
    assert_refused(caller, "POST", f"/api/members/{tree.member_a1.pk}/events", second, "__all__",
            member_rules.TRANSFER_WRONG_ORG.format(date=dt.date(2021, 1, 1)), versions=[tree.member_a1])
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.org == tree.village_a2 and tree.member_a1.events.count() == 2


def test_move_an_org_under_its_own_descendant(tree, api_as):
    caller = api_as("county_admin")
    group = make_org(tree.village_a1, "第一党小组", "party_group")
    assert_refused(caller, "POST", f"/api/orgs/{tree.town_a.pk}/move", {"parent": tree.village_a1.pk, "date": "2021-01-01"},
            "parent", org_rules.MOVE_UNDER_SELF, versions=[tree.town_a])
    assert_refused(caller, "POST", f"/api/orgs/{tree.village_a1.pk}/move", {"parent": group.pk, "date": "2021-01-01"},
            "parent", org_rules.MOVE_UNDER_SELF, versions=[tree.village_a1])
    assert_refused(caller, "POST", f"/api/orgs/{tree.village_a1.pk}/move", {"parent": tree.village_a1.pk, "date": "2021-01-01"},
            "parent", org_rules.MOVE_UNDER_SELF, versions=[tree.village_a1])
    tree.town_a.refresh_from_db()
    assert tree.town_a.depth == 2


def test_duplicate_id_number_and_bad_choices(tree, api_as):
    from dangjian.common import crypto

    caller = api_as("county_admin")
    existing = crypto.decrypt(tree.member_b1.id_number_enc)
    body = new_member(tree, id_number=existing, sex="2", birth_date="1990-03-08")
    errors = assert_refused(caller, "POST", "/api/members", body, "id_number",
                     "公民身份号码已存在：该党员已在系统中（中共乙镇一村支部委员会），请勿重复录入。")
    assert set(errors) == {"id_number"}
    assert_refused(caller, "POST", "/api/members", new_member(tree, education="kindergarten"), "education", "“kindergarten”不是有效的学历。")
    assert_refused(caller, "POST", "/api/members", new_member(tree, phone="12345"), "phone", "手机号码应为11位数字，以1开头。")


def test_schema_errors_are_chinese_and_per_field(tree, api_as):
    caller = api_as("county_admin")
    before = row_counts()
    resp = caller.post("/api/members", {"org": tree.village_a1.pk, "birth_date": "1990-02-30", "name": "x" * 51})
    assert resp.status_code == 422
    errors = resp.json()["errors"]
    assert errors["birth_date"] == ["日期格式应为 YYYY-MM-DD，且须是有效日期。"]
    assert errors["name"] == ["最多50个字符。"]
    assert errors["id_number"] == ["此项为必填项。"] and errors["date"] == ["此项为必填项。"]
    resp = caller.client.post("/api/orgs", "{not json", content_type="application/json", headers=caller.headers)
    assert resp.status_code == 400 and "JSON" in resp.json()["detail"]
    # Fields that are not editable this way are refused, not silently dropped.
    resp = caller.patch(f"/api/orgs/{tree.town_a.pk}", {"version": 1, "name": "中共甲镇新名委员会", "contact_name": "甲"})
    assert resp.status_code == 422 and resp.json()["errors"] == {"name": ["不认识的字段。"]}
    assert row_counts() == before


def test_org_child_type_not_allowed(tree, api_as):
    caller = api_as("township_organizer")
    msg = org_rules.CHILD_NOT_ALLOWED.format(parent="党支部", child="乡镇党委/街道党工委")
    assert_refused(caller, "POST", "/api/orgs", {
        "parent": tree.village_a1.pk, "name": "中共某镇委员会", "code": "C1", "org_type": "township_committee",
        "established_on": "2020-01-01",
    }, "org_type", msg)

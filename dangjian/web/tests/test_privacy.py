"""What the pages must never put together, and past rosters that show only their own date.

The masked ID number (first 6 + last 4) hides exactly the 8 digits of the birth date, so a page that
shows the mask and the birth date side by side gives the full number away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.common import crypto
from dangjian.common.models import AuditEvent
from dangjian.members import rules
from dangjian.members.services import member_add_event, member_update
from dangjian.testing import make_member, valid_id_number

pytestmark = pytest.mark.django_db


def birth_strings(birth: dt.date) -> list[str]:
    return [birth.isoformat(), birth.strftime("%Y%m%d"), f"{birth.year}年{birth.month}月{birth.day}日"]


def leaks_full_id(body: str, masked: str, birth: dt.date) -> bool:
    return masked in body and any(s in body for s in birth_strings(birth))


def test_member_lists_show_age_not_birth_date(tree, as_role):
    c = as_role("township_organizer")
    m = tree.member_a1
    pages = [
        c.get(reverse("web:member_search"), {"q": "李明"}),
        c.get(reverse("web:member_search"), {"q": crypto.decrypt(tree.member_a1.id_number_enc)}),
        c.get(reverse("web:org_detail", args=[tree.village_a1.pk])),
        c.get(reverse("web:org_detail", args=[tree.village_a1.pk]), {"as_of": "2015-01-01"}),
    ]
    full = crypto.decrypt(m.id_number_enc)
    for resp in pages:
        body = resp.content.decode().replace(f'value="{full}"', "")  # the query the user typed, echoed back
        assert m.id_number_masked in body
        assert not leaks_full_id(body, m.id_number_masked, m.birth_date), resp.request["PATH_INFO"]
        assert "年龄（周岁）" in body and 'data-testid="member-age"' in body


def test_member_page_shows_year_and_age_and_the_date_only_with_the_audited_reveal(tree, as_role):
    c = as_role("branch_secretary")
    m = tree.member_a1
    page = c.get(reverse("web:member_detail", args=[m.pk])).content.decode()
    assert not leaks_full_id(page, m.id_number_masked, m.birth_date)
    assert "1985年" in page and 'data-testid="member-age"' in page
    revealed = c.post(reverse("web:member_reveal", args=[m.pk, "id_number"])).content.decode()
    assert crypto.decrypt(m.id_number_enc) in revealed and "出生日期 1985-06-15" in revealed
    assert AuditEvent.objects.filter(action="member.reveal.id_number", target_id=str(m.pk)).count() == 1


def test_edit_form_keeps_the_birth_date_but_not_the_mask(tree, as_role):
    m = tree.member_a1
    body = as_role("branch_secretary").get(reverse("web:member_edit", args=[m.pk])).content.decode()
    assert 'name="birth_date"' in body and "1985-06-15" in body
    assert m.id_number_masked not in body


def test_audit_keeps_the_birth_year_only(tree):
    actor = tree.users["branch_secretary"]
    m = make_member(tree.village_a1, actor=actor, name="钱多", birth_date=dt.date(1979, 11, 23))
    created = AuditEvent.objects.get(action="member.create", target_id=str(m.pk))
    assert created.changes["birth_date"] == [None, "1979-**-**"]
    assert "1979-11-23" not in str(created.changes)
    born = dt.date(1979, 11, 24)
    member_update(actor=actor, member=m, version=m.version, birth_date=born, id_number=valid_id_number(born))
    updated = AuditEvent.objects.get(action="member.update", target_id=str(m.pk))
    assert updated.changes["birth_date"] == ["1979-**-**", "1979-**-**"]
    assert "11-2" not in str(updated.changes["birth_date"])


def test_past_roster_shows_only_that_dates_values(tree, as_role):
    """A member who was mobile in 甲镇 at the end of 2019 and has since transferred to 乙镇, lost
    contact and been suspended there: 甲镇's roster of 2019 shows the organization, status and flags
    of that date and nothing of where the member is today."""
    admin = tree.users["county_admin"]
    m = make_member(tree.village_a2, name="赵强", date=dt.date(2015, 7, 1))
    member_add_event(actor=admin, member=m, kind=rules.WENT_MOBILE, date=dt.date(2018, 3, 1))
    member_add_event(actor=admin, member=m, kind=rules.RETURNED, date=dt.date(2020, 4, 1))
    member_add_event(actor=admin, member=m, kind=rules.TRANSFER, date=dt.date(2020, 5, 1), to_org=tree.village_b1,
                     out_date=dt.date(2020, 5, 1), letter_number="甲转2020-9")
    member_add_event(actor=admin, member=m, kind=rules.LOST_CONTACT, date=dt.date(2021, 1, 10))
    member_add_event(actor=admin, member=m, kind=rules.SUSPEND, date=dt.date(2021, 8, 1))
    m.refresh_from_db()
    assert m.org == tree.village_b1 and m.status == rules.SUSPENDED and m.is_lost_contact

    c = as_role("township_organizer")
    body = c.get(reverse("web:org_detail", args=[tree.town_a.pk]), {"as_of": "2019-12-31"}).content.decode()
    row = body[body.index(f'data-member-id="{m.pk}"'):]
    row = row[: row.index("</tr>")]
    assert tree.village_a2.name in row and "正式党员" in row and "流动" in row
    assert "失联" not in row and "停止党籍" not in row
    assert tree.village_b1.name not in body and "乙镇" not in body


def test_audit_page_shows_old_rows_birth_dates_by_year_only(tree, as_role):
    """Rows written before the log kept the year only still hold the full date; the page hides it."""
    from django.db import transaction

    from dangjian.common.audit import audit_record

    m = tree.member_a1
    with transaction.atomic():
        audit_record(actor=None, action="member.update", org=m.org, target=m,
                     changes={"birth_date": ["1985-06-15", "1985-06-16"], "id_number": [m.id_number_masked, m.id_number_masked]})
    body = as_role("county_admin").get(reverse("web:audit"), {"action": "member."}).content.decode()
    assert m.id_number_masked in body
    assert not leaks_full_id(body, m.id_number_masked, m.birth_date) and "1985-06-16" not in body
    assert "1985-**-**" in body

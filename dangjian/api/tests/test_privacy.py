"""The API never returns the masked ID number together with the birth date (the mask hides exactly
those 8 digits), and a past roster returns only that date's values."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.common import crypto
from dangjian.members import rules
from dangjian.members.services import member_add_event
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db


def test_no_answer_has_the_mask_and_the_birth_date(tree, api_as):
    m = tree.member_a1
    birth = m.birth_date
    caller = api_as("township_organizer")
    full = crypto.decrypt(m.id_number_enc)
    answers = [
        caller.get("/api/members", {"q": "李明"}),
        caller.get("/api/members", {"q": full}),
        caller.get(f"/api/members/{m.pk}"),
        caller.get(f"/api/orgs/{tree.village_a1.pk}/members"),
        caller.get(f"/api/orgs/{tree.village_a1.pk}/members", {"as_of": "2015-01-01"}),
        caller.get("/api/me"),
    ]
    for resp in answers:
        assert resp.status_code == 200
        text = resp.content.decode()
        if m.id_number_masked in text:
            for s in (birth.isoformat(), birth.strftime("%Y%m%d")):
                assert s not in text, resp.request["PATH_INFO"]
    item = answers[0].json()["items"][0]
    assert item["birth_year"] == 1985 and isinstance(item["age"], int) and "birth_date" not in item


def test_past_roster_returns_only_that_dates_flags(tree, api_as):
    admin = tree.users["county_admin"]
    m = make_member(tree.village_a2, name="赵强", date=dt.date(2015, 7, 1))
    member_add_event(actor=admin, member=m, kind=rules.TRANSFER, date=dt.date(2020, 5, 1), to_org=tree.village_b1,
                     out_date=dt.date(2020, 5, 1), letter_number="甲转2020-8")
    member_add_event(actor=admin, member=m, kind=rules.LOST_CONTACT, date=dt.date(2021, 1, 10))
    member_add_event(actor=admin, member=m, kind=rules.SUSPEND, date=dt.date(2021, 8, 1))
    then = api_as("township_organizer").get(f"/api/orgs/{tree.town_a.pk}/members", {"as_of": "2019-12-31"})
    row = next(i for i in then.json()["items"] if i["name"] == "赵强")
    assert row["org"] == {"id": tree.village_a2.pk, "name": tree.village_a2.name}
    assert row["status"] == "full" and row["status_label"] == "正式党员"
    assert row["is_lost_contact"] is False and row["is_mobile"] is False
    assert "乙镇" not in then.content.decode()

"""Uniqueness messages name the other record only when it lies in the actor's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.common import crypto
from dangjian.common.tests.helpers import assert_rejected
from dangjian.members import services as member_services
from dangjian.orgs import services

pytestmark = pytest.mark.django_db
D = dt.date(2024, 1, 1)


def create_org(actor, parent, code):
    return lambda: services.org_create(actor=actor, parent=parent, name="新支部", code=code, org_type="branch",
                                       established_on=D)


def test_code_taken_names_the_holder_only_in_scope(tree):
    organizer = tree.users["township_organizer"]
    out_of_scope = tree.village_b1
    err = assert_rejected(create_org(organizer, tree.town_a, out_of_scope.code),
                   services.CODE_TAKEN_ELSEWHERE.format(code=out_of_scope.code), field="code")
    assert out_of_scope.name not in str(err) and "乙镇" not in str(err)
    assert_rejected(create_org(organizer, tree.town_a, tree.village_a2.code),
             services.CODE_TAKEN.format(code=tree.village_a2.code, name=tree.village_a2.name), field="code")
    assert_rejected(create_org(tree.users["county_admin"], tree.town_a, out_of_scope.code),
             services.CODE_TAKEN.format(code=out_of_scope.code, name=out_of_scope.name), field="code")


def test_id_taken_does_not_name_an_organization_out_of_scope(tree):
    number = crypto.decrypt(tree.member_b1.id_number_enc)
    err = assert_rejected(lambda: member_services.member_create(
        actor=tree.users["township_organizer"], org=tree.village_a1, name="王芳", sex="2",
        birth_date=tree.member_b1.birth_date, id_number=number, education="bachelor", personnel_category="farmer",
        date=dt.date(2015, 1, 1), joined_on=dt.date(2015, 1, 1), converted_on=dt.date(2016, 1, 1),
    ), member_services.ID_TAKEN.format(where="其他党组织"), field="id_number")
    assert tree.village_b1.name not in str(err)

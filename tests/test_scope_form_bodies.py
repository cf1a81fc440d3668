"""Scope of ids carried in form bodies, not in the URL: the web scope walk (test_scope_every_route)
POSTs empty bodies, so it never tries ``new_parent``, ``into`` or ``to_org``. Here the township
organizer (甲镇) posts each organization and member event with a target outside the township, and
gets a form error (or 404), with nothing written and nothing about the target shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.common.tests.helpers import row_counts
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.web.forms import ORG_NOT_FOUND

pytestmark = pytest.mark.django_db
DATE = "2024-03-01"


@pytest.fixture
def organizer(tree):
    c = Client()
    c.force_login(tree.users["township_organizer"])
    return c


def refused(resp, target: Org, field: str) -> None:
    assert resp.status_code in (200, 400, 404), resp.status_code
    if resp.status_code != 404:
        form = resp.context["form"]
        assert form.errors.get(field) == [ORG_NOT_FOUND], form.errors
        assert target.name not in resp.content.decode()


def out_of_scope_targets(tree) -> list[Org]:
    return [tree.town_b, tree.village_b1, tree.county]


def test_move_under_an_organization_outside_the_township(tree, organizer):
    url = reverse("web:org_move", args=[tree.village_a2.pk])
    for target in out_of_scope_targets(tree):
        before = row_counts()
        resp = organizer.post(url, {"new_parent": target.pk, "date": DATE, "doc_number": "甲组〔2024〕1号"})
        refused(resp, target, "new_parent")
        assert row_counts() == before
    va2 = Org.objects.get(pk=tree.village_a2.pk)
    assert va2.path.startswith(tree.town_a.path) and va2.version == tree.village_a2.version


def test_merge_into_an_organization_outside_the_township(tree, organizer):
    url = reverse("web:org_merge", args=[tree.village_a2.pk])
    for target in out_of_scope_targets(tree):
        before = row_counts()
        resp = organizer.post(url, {"into": target.pk, "date": DATE, "doc_number": "甲组〔2024〕2号"})
        refused(resp, target, "into")
        assert row_counts() == before
    assert Org.objects.get(pk=tree.village_a2.pk).dissolved_on is None
    # The same form with a target inside the township does go through (the refusals above are scope).
    resp = organizer.post(url, {"into": tree.village_a1.pk, "date": DATE, "doc_number": "甲组〔2024〕2号"})
    assert resp.status_code == 302 and Org.objects.get(pk=tree.village_a2.pk).dissolved_on is not None


def test_transfer_to_an_organization_outside_the_township(tree, organizer):
    m = tree.member_a1
    url = reverse("web:member_event", args=[m.pk])
    for target in out_of_scope_targets(tree):
        before = row_counts()
        resp = organizer.post(url, {
            "kind": "transfer", "date": DATE, "to_org": target.pk, "out_date": DATE, "letter_number": f"甲转-{target.pk}",
            "version": m.version,
        })  # fmt: skip
        refused(resp, target, "to_org")
        assert row_counts() == before
    fresh = Member.objects.get(pk=m.pk)
    assert fresh.org_id == tree.village_a1.pk and fresh.version == m.version
    resp = organizer.post(url, {
        "kind": "transfer", "date": DATE, "to_org": tree.village_a2.pk, "out_date": DATE, "letter_number": "甲转-内",
        "version": m.version,
    })  # fmt: skip
    assert resp.status_code == 302 and Member.objects.get(pk=m.pk).org_id == tree.village_a2.pk


def test_event_forms_on_an_organization_outside_the_township_are_404(tree, organizer):
    before = row_counts()
    assert organizer.post(reverse("web:org_move", args=[tree.village_b1.pk]),
                          {"new_parent": tree.town_a.pk, "date": DATE, "doc_number": "x"}).status_code == 404
    assert organizer.post(reverse("web:org_merge", args=[tree.village_b1.pk]),
                          {"into": tree.village_a1.pk, "date": DATE, "doc_number": "x"}).status_code == 404
    assert organizer.post(reverse("web:member_event", args=[tree.member_b1.pk]), {
        "kind": "transfer", "date": DATE, "to_org": tree.village_a1.pk, "out_date": DATE, "letter_number": "x",
        "version": 1,
    }).status_code == 404  # fmt: skip
    assert row_counts() == before

"""The audit log page: county administrators browse and filter it; nothing edits it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.common.models import AuditEvent


def test_reveal_can_be_found_in_the_audit_log(tree, as_role):
    as_role("township_organizer").post(reverse("web:member_reveal", args=[tree.member_a1.pk, "id_number"]))
    c = as_role("county_admin")
    body = c.get(reverse("web:audit"), {"action": "member.reveal."}).content.decode()
    assert body.count('data-testid="audit-row"') == 1
    assert "查看完整公民身份号码" in body and "甲镇组织委员" in body and "李明" in body
    by_target = c.get(reverse("web:audit"), {"target_type": "members.member", "target_id": tree.member_a1.pk}).content.decode()
    assert 'data-action="member.reveal.id_number"' in by_target
    assert 'data-action="member.create"' in by_target
    assert tree.member_b1.name not in by_target


def test_filters_by_org_subtree_actor_and_date(tree, as_role):
    c = as_role("county_admin")
    town_b = c.get(reverse("web:audit"), {"org": tree.town_b.pk, "action": "member."}).content.decode()
    assert "王芳" in town_b and "李明" not in town_b
    as_role("township_organizer").post(reverse("web:member_reveal", args=[tree.member_a1.pk, "phone"]))
    by_actor = c.get(reverse("web:audit"), {"actor": "甲镇组织委员"}).content.decode()
    assert by_actor.count('data-testid="audit-row"') == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert 'data-testid="audit-row"' not in c.get(reverse("web:audit"), {"date_from": tomorrow}).content.decode()
    today = timezone.localdate().isoformat()
    assert 'data-testid="audit-row"' in c.get(reverse("web:audit"), {"date_from": today, "date_to": today}).content.decode()


def test_audit_page_is_read_only(tree, as_role):
    c = as_role("county_admin")
    count = AuditEvent.objects.count()
    assert c.post(reverse("web:audit"), {"action": "x"}).status_code == 405
    body = c.get(reverse("web:audit")).content.decode()
    assert 'method="post"' not in body.split('data-testid="audit-table"')[1]
    assert AuditEvent.objects.count() == count


def test_other_countys_events_stay_hidden(tree, as_role):
    from dangjian.testing import make_member, make_org

    other = make_org(None, "中共邻县委员会", "county_committee")
    make_member(make_org(other, "中共邻县某村支部委员会", "branch", category="rural"), name="赵邻县",
                birth_date=dt.date(1970, 1, 2))
    body = as_role("county_admin").get(reverse("web:audit")).content.decode()
    assert "赵邻县" not in body

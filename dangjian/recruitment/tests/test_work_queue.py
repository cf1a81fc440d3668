"""The development deadlines reach the home page's work queue (web.selectors.work_queue), next to the
other apps' items, for the branch and — once overdue — for the county."""

from __future__ import annotations

import pytest

from dangjian.recruitment.services import StepIn
from dangjian.recruitment.tests.conftest import TODAY, D, World, new_record
from dangjian.web.selectors import work_queue

pytestmark = pytest.mark.django_db


def recruitment_items(user) -> list[tuple[str, str, str]]:
    return [(i.group, str(i.due), i.severity) for i in work_queue(user, TODAY) if i.kind == "recruitment"]


def test_overdue_talk_is_in_the_branch_and_county_queues(world: World) -> None:
    new_record(world, application=StepIn(1, D("2026-10-01")))  # talk due 2026-11-01, overdue on TODAY
    expected = [("recruitment:talk_due", "2026-11-01", "danger")]
    assert recruitment_items(world.tree.users["branch_secretary"]) == expected
    assert recruitment_items(world.admin) == expected
    assert recruitment_items(world.tree.users["member"]) == []


def test_upcoming_talk_is_the_branchs_business_only(world: World) -> None:
    new_record(world, application=StepIn(1, D("2026-11-10")))  # talk due 2026-12-10
    assert recruitment_items(world.tree.users["branch_secretary"]) == [("recruitment:talk_due", "2026-12-10", "info")]
    assert recruitment_items(world.admin) == []

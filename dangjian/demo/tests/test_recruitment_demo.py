"""Membership development in the demo county (``dangjian.demo.recruitment``), on the small demo load of
conftest: every stage present, every step valid when re-checked, plans, and the work queue."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.demo.recruitment import PLANTED, record_count
from dangjian.demo.tests.conftest import DEMO_MEMBERS
from dangjian.members import rules as member_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.recruitment import params, rules
from dangjian.recruitment import services as svc
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import (
    DevelopmentPlan,
    DevelopmentRecord,
    Outcome,
    PublicNotice,
    RuleOverride,
    Step,
    Vote,
)
from dangjian.web.selectors import work_queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_output")]


def test_progress_line_and_record_count(demo_output: str) -> None:
    assert "发展党员：" in demo_output
    # the planted people come on top of the evenly spread ones
    assert DevelopmentRecord.objects.count() == record_count(DEMO_MEMBERS) + len(PLANTED)


def test_every_stage_and_outcome_is_present() -> None:
    statuses = collections.Counter(DevelopmentRecord.objects.values_list("status", flat=True))
    for status in (rules.APPLICANT, rules.ACTIVIST, rules.CANDIDATE, rules.PROBATIONARY, rules.CONVERTED,
                   rules.ARCHIVED, rules.STOPPED):
        assert statuses[status] >= 1, (status, statuses)
    assert {r.stage for r in DevelopmentRecord.objects.all()} == {1, 2, 3, 4, 5}
    assert Outcome.objects.filter(kind=rules.OUTCOME_EXTENDED).count() == 1
    assert Outcome.objects.filter(kind=rules.OUTCOME_STOPPED).count() >= 1


def test_both_rule_versions_and_the_2026_notice_are_used() -> None:
    effective = params.effective_2026()
    today = timezone.localdate()
    versions = set(Step.objects.values_list("rules_version", flat=True))
    assert S.V2014 in versions
    for s in Step.objects.all():
        assert s.rules_version == (S.V2026 if s.date >= effective else S.V2014)
    if today >= effective + dt.timedelta(days=60):  # steps of the last two months at least
        assert S.V2026 in versions
    for s in Step.objects.filter(number=S.CANDIDATE_FILING, rules_version=S.V2026):
        notice = PublicNotice.objects.get(record=s.record, kind="candidate")
        assert notice.workdays >= params.current().candidate_notice_workdays and notice.end < s.date


def test_every_step_passes_the_rules_again_without_any_override() -> None:
    assert not RuleOverride.objects.exists()
    today = timezone.localdate()
    p = params.current()
    checked = 0
    for record in DevelopmentRecord.objects.select_related("org"):
        facts = svc.record_facts(record)
        ordered = sorted(facts.steps, key=lambda s: (s.date, s.number))
        for k, step in enumerate(ordered):
            assert step.date <= today
            before = rules.RecordFacts(
                birth_date=facts.birth_date, branch=facts.branch, steps=tuple(ordered[:k]),
                notices=tuple(n for n in facts.notices if n.start <= step.date), leaving_unit_on=facts.leaving_unit_on,
                extensions=tuple(e for e in facts.extensions if e.approved_on <= step.date),
            )  # fmt: skip
            blocks = [r for r in rules.check_step(before, step, today=today, params=p) if r.blocks]
            assert blocks == [], (record.name, step.number, step.date, blocks)
            checked += 1
    assert checked == Step.objects.count() > 100


def test_admissions_made_probationary_members_through_the_services() -> None:
    admitted = DevelopmentRecord.objects.filter(steps__number=S.ADMISSION_APPROVAL).select_related("member")
    assert admitted.exists()
    for r in admitted:
        assert r.member is not None and r.member.org_id == r.org_id and r.member.joined_on == r.admitted_on
        kinds = list(r.member.events.order_by("date", "seq").values_list("kind", flat=True))
        assert kinds[0] == member_rules.ADMITTED
        if r.status in (rules.CONVERTED, rules.ARCHIVED):
            assert r.member.status == member_rules.FULL and r.member.converted_on == r.converted_on
        else:
            assert r.member.status == member_rules.PROBATIONARY
    extended = Outcome.objects.get(kind=rules.OUTCOME_EXTENDED).record
    assert extended.member is not None
    assert extended.member.probation_ends_on == extended.probation_ends_on
    assert extended.probation_ends_on == member_rules.add_months(member_rules.add_years(extended.admitted_on, 1), 6)


def test_sponsors_are_full_members_of_the_same_branch_and_votes_pass() -> None:
    sponsors = Step.objects.filter(number=S.SPONSORS).prefetch_related("people__member").select_related("record")
    assert sponsors.exists()
    for s in sponsors:
        people = list(s.people.all())
        assert len(people) == 2 and all(p.member is not None and p.member.org_id == s.record.org_id for p in people)
    votes = Vote.objects.all()
    assert votes.filter(kind=Vote.BRANCH_MEETING).exists() and votes.filter(kind=Vote.COMMITTEE).exists()
    assert all(v.quorum_met and v.passed for v in votes)


def test_plans_for_every_township_this_year_and_last() -> None:
    year = timezone.localdate().year
    townships = Org.objects.filter(org_type=OrgType.TOWNSHIP_COMMITTEE, dissolved_on__isnull=True)
    assert townships.count() == 13
    for t in townships:
        assert set(DevelopmentPlan.objects.filter(org=t).values_list("year", flat=True)) == {year - 1, year}


def test_the_demo_branch_secretary_has_development_items_in_the_work_queue() -> None:
    secretary = User.objects.get(username="shimen_shuji")
    items = [i for i in work_queue(secretary, timezone.localdate()) if i.kind == "recruitment"]
    assert items
    assert any(i.group == "recruitment:talk_due" and i.severity == "danger" for i in items)


def test_record_facts_asks_membership_statuses_only_for_steps_naming_members() -> None:
    # services._person_facts skipped no step: a status query per step, twice per save (quadratic in
    # the steps of a record; most of the demo's load time at county scale before the fix).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record = DevelopmentRecord.objects.filter(status=rules.ARCHIVED).first()
    assert record is not None
    naming = Step.objects.filter(record=record, people__member__isnull=False).distinct().count()
    assert naming == 2  # mentors (5) and sponsors (9)
    with CaptureQueriesContext(connection) as ctx:
        svc.record_facts(record)
    status_queries = [q for q in ctx.captured_queries if "members_membershipevent" in q["sql"]]
    assert len(status_queries) == naming

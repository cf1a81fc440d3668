"""Reads of membership development. Every function takes the acting user first and applies their
scope: organization users see the records whose responsible branch lies in their subtrees; member-role
users and users without organizations see none. An id outside the scope is 404, as a missing one.

Counts are aggregated in SQL (one ``aggregate`` per question); deadlines are computed by the pure
``rules.deadlines`` over facts loaded for all open records in three queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import scope_for
from dangjian.common.scope import subtree_upper_bound
from dangjian.members import codes
from dangjian.members.rules import add_years
from dangjian.orgs.models import Org
from dangjian.recruitment import params, rules
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import (
    DevelopmentPlan,
    DevelopmentRecord,
    Outcome,
    PublicNotice,
    Step,
)

# Registers (花名册): which derived statuses each one lists.
REGISTERS = {
    "applicants": ((rules.APPLICANT,), "入党申请人花名册"),
    "activists": ((rules.ACTIVIST,), "入党积极分子花名册"),
    "candidates": ((rules.CANDIDATE,), "发展对象花名册"),
    "probationary": ((rules.PROBATIONARY,), "预备党员花名册"),
}
# Dates a period count can be taken on (the cached dates of DevelopmentRecord).
PERIOD_EVENTS = {
    "applied_on": "递交入党申请", "activist_on": "确定为入党积极分子", "candidate_on": "确定为发展对象",
    "admitted_on": "党员大会接收为预备党员", "approved_on": "批准为预备党员", "converted_on": "预备党员转正",
}  # fmt: skip


def records_visible(actor: User) -> QuerySet[DevelopmentRecord]:
    if actor.role not in ORG_ROLES:
        return DevelopmentRecord.objects.none()
    return DevelopmentRecord.objects.filter(scope_for(actor).q("org__path"))


def record_get(actor: User, pk: int | str) -> DevelopmentRecord:
    """One record in the actor's scope, else Http404 (missing and out of scope answer alike)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    record = records_visible(actor).filter(pk=pk).select_related("org", "member").first()
    if record is None:
        raise Http404
    return record


def _in_subtree(qs: QuerySet[Any], org: Org | None, field_: str = "org__path") -> QuerySet[Any]:
    if org is None:
        return qs
    return qs.filter(**{f"{field_}__gte": org.path, f"{field_}__lt": subtree_upper_bound(org.path)})


def record_list(actor: User, *, org: Org | None = None, stage: int | None = None, status: str | None = None,
                q: str = "") -> QuerySet[DevelopmentRecord]:
    """Records in scope, optionally within ``org``'s subtree, at a stage (1-5), with a status
    (rules.STATUS_LABELS keys) or whose name contains ``q``; ordered by branch then application date."""
    qs = _in_subtree(records_visible(actor), org)
    if stage is not None:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(name__contains=q.strip())
    return qs.select_related("org").order_by("org__path", "applied_on", "pk")


@dataclass
class StepView:
    step: Step
    label: str  # in the wording of the step's rules version
    stage_label: str
    people: list[Any]
    vote: Any
    documents: list[Any]
    overrides: list[Any]


@dataclass
class RecordDetail:
    """One record with everything its page, its documents and the API show."""

    record: DevelopmentRecord
    status_label: str
    stage_label: str
    steps: list[StepView]
    notices: list[PublicNotice]
    outcomes: list[Outcome]
    documents: list[Any]
    next_steps: list[int]  # the step numbers that may be recorded now
    deadlines: list[rules.Deadline] = field(default_factory=list)
    params: rules.Params | None = None


def next_steps(numbers: set[int], outcome: str | None) -> list[int]:
    """The steps that may come next: the first step not yet recorded, plus the repeatable assessment
    steps while they are open (6 until step 7, 21 until step 23)."""
    if outcome in (rules.OUTCOME_STOPPED, rules.OUTCOME_CANCELLED):
        return []
    nxt = next((n for n in range(1, 26) if n not in numbers and n not in S.REPEATABLE), None)
    out = []
    if S.MENTORS in numbers and S.CANDIDATE not in numbers:
        out.append(S.ACTIVIST_TRAINING)
    if S.OATH in numbers and S.CONVERSION_MEETING not in numbers:
        out.append(S.PROBATION_EDUCATION)
    if nxt is not None:
        out.append(nxt)
    return sorted(out)


def record_detail(actor: User, pk: int | str, *, today: dt.date | None = None) -> RecordDetail:
    from dangjian.recruitment.services import record_facts

    today = today or timezone.localdate()
    record = record_get(actor, pk)
    steps_ = list(record.steps.select_related("approving_org", "vote", "recorded_by").prefetch_related(
        "people__member", "documents", "overrides").order_by("number", "date", "id"))  # fmt: skip
    views = [StepView(s, s.label, S.get(s.number).stage_label, list(s.people.all()), getattr(s, "vote", None),
                      list(s.documents.all()), list(s.overrides.all())) for s in steps_]  # fmt: skip
    facts = record_facts(record)
    p = params.current()
    return RecordDetail(
        record=record, status_label=rules.STATUS_LABELS[record.status], stage_label=S.STAGES[record.stage], steps=views,
        notices=list(record.notices.order_by("start", "id")),
        outcomes=list(record.outcomes.select_related("approving_org", "meeting_vote", "committee_vote")),
        documents=list(record.documents.order_by("id")), next_steps=next_steps(facts.numbers, facts.outcome),
        deadlines=rules.deadlines(facts, today=today, params=p), params=p,
    )  # fmt: skip


def record_for_member(actor: User, member_id: int) -> DevelopmentRecord | None:
    """The development record that admitted this member (for the member's timeline), if in scope."""
    return records_visible(actor).filter(member_id=member_id).select_related("org").first()


def register(actor: User, org: Org, kind: str) -> QuerySet[DevelopmentRecord]:
    """花名册 of ``org``'s subtree: ``kind`` one of REGISTERS (applicants, activists, candidates,
    probationary), by the current derived status."""
    statuses, _ = REGISTERS[kind]
    return _in_subtree(records_visible(actor), org).filter(status__in=statuses).select_related("org").order_by(
        "org__path", "applied_on", "pk")  # fmt: skip


@dataclass(frozen=True)
class Counts:
    total: int
    by_stage: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_sex: list[tuple[str, int]]
    by_age: list[tuple[str, int]]  # age on the period's last day (codes.AGE_BANDS)
    by_education: list[tuple[str, int]]
    by_occupation: list[tuple[str, int]]


def counts(actor: User, org: Org, *, start: dt.date | None = None, end: dt.date | None = None,
           event: str = "approved_on") -> Counts:
    """Counts of ``org``'s subtree, in one SQL aggregate. With a period: the records whose ``event``
    date (PERIOD_EVENTS, default 批准为预备党员 = newly developed members) lies in ``start`` ..
    ``end``; without: every record not finished (the current pipeline)."""
    if event not in PERIOD_EVENTS:
        raise ValueError(event)
    qs = _in_subtree(records_visible(actor), org)
    if start is not None or end is not None:
        if start is not None:
            qs = qs.filter(**{f"{event}__gte": start})
        if end is not None:
            qs = qs.filter(**{f"{event}__lte": end})
    else:
        qs = qs.exclude(status__in=rules.FINISHED)
    on = end or timezone.localdate()
    agg: dict[str, Count] = {"total": Count("id")}
    for k in S.STAGES:
        agg[f"stage_{k}"] = Count("id", filter=Q(stage=k))
    for st in rules.STATUS_LABELS:
        agg[f"st_{st}"] = Count("id", filter=Q(status=st))
    for code, _ in codes.SEX:
        agg[f"sex_{code}"] = Count("id", filter=Q(sex=code))
    for code, _ in codes.EDUCATION:
        agg[f"ed_{code}"] = Count("id", filter=Q(education=code))
    for code, _ in codes.PERSONNEL_CATEGORY:
        agg[f"oc_{code}"] = Count("id", filter=Q(occupation=code))
    for i, (upper, _) in enumerate(codes.AGE_BANDS[:-1]):
        agg[f"age_le_{i}"] = Count("id", filter=Q(birth_date__gt=add_years(on, -(upper + 1))))
    row = qs.aggregate(**agg)
    at_most = [row[f"age_le_{i}"] for i in range(len(codes.AGE_BANDS) - 1)] + [row["total"]]
    return Counts(
        total=row["total"],
        by_stage=[(label, row[f"stage_{k}"]) for k, label in S.STAGES.items()],
        by_status=[(label, row[f"st_{st}"]) for st, label in rules.STATUS_LABELS.items()],
        by_sex=[(label, row[f"sex_{code}"]) for code, label in codes.SEX],
        by_age=[(label, at_most[i] - (at_most[i - 1] if i else 0)) for i, (_, label) in enumerate(codes.AGE_BANDS)],
        by_education=[(label, row[f"ed_{code}"]) for code, label in codes.EDUCATION],
        by_occupation=[(label, row[f"oc_{code}"]) for code, label in codes.PERSONNEL_CATEGORY],
    )


@dataclass(frozen=True)
class PlanRow:
    org: Org
    year: int
    quota: int
    approved: int  # 批准为预备党员 in the year within the org's subtree

    @property
    def percent(self) -> float | None:
        return round(self.approved * 100 / self.quota, 1) if self.quota else None


def plan_fulfilment(actor: User, year: int, *, org: Org | None = None) -> list[PlanRow]:
    """年度发展计划 and their fulfilment: for each plan of an organization in scope (within ``org``'s
    subtree if given), the records approved as probationary members in ``year`` under it. One grouped
    SQL count over branches, bucketed by the plans' paths."""
    plans = list(_in_subtree(DevelopmentPlan.objects.filter(scope_for(actor).q("org__path"), year=year), org)
                 .select_related("org").order_by("org__path"))  # fmt: skip
    if actor.role not in ORG_ROLES or not plans:
        return []
    rows = (records_visible(actor).filter(approved_on__gte=dt.date(year, 1, 1), approved_on__lte=dt.date(year, 12, 31))
            .values("org__path").annotate(n=Count("id")))  # fmt: skip
    by_path = {r["org__path"]: r["n"] for r in rows}
    return [PlanRow(p.org, year, p.quota, sum(n for path, n in by_path.items() if path.startswith(p.org.path)))
            for p in plans]  # fmt: skip


# --- deadlines and the work queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    record: DevelopmentRecord
    deadline: rules.Deadline
    state: str  # rules.OVERDUE / rules.UPCOMING


def _light_facts(records: list[DevelopmentRecord]) -> dict[int, rules.RecordFacts]:
    """Facts enough for ``rules.deadlines`` (steps, notices, extensions, outcome) for many records in
    three queries; no people or votes, which deadlines do not need."""
    ids = [r.pk for r in records]
    steps_: dict[int, list[rules.StepFacts]] = defaultdict(list)
    for rid, n, d, details in Step.objects.filter(record_id__in=ids).values_list("record_id", "number", "date", "details"):
        steps_[rid].append(rules.StepFacts(n, d, details or {}))
    notices: dict[int, list[rules.NoticeFacts]] = defaultdict(list)
    for rid, kind, start, end, res in PublicNotice.objects.filter(record_id__in=ids).values_list(
            "record_id", "kind", "start", "end", "objection_result"):  # fmt: skip
        notices[rid].append(rules.NoticeFacts(kind, start, end, res))
    exts: dict[int, list[rules.ExtensionFacts]] = defaultdict(list)
    final: dict[int, str] = {}
    for rid, kind, d, approved, months in Outcome.objects.filter(record_id__in=ids).values_list(
            "record_id", "kind", "date", "approved_on", "months"):  # fmt: skip
        if kind == rules.OUTCOME_EXTENDED:
            exts[rid].append(rules.ExtensionFacts(d, approved or d, months or 0))
        else:
            final[rid] = kind
    branch = rules.OrgFacts("", "", "")
    return {r.pk: rules.RecordFacts(birth_date=r.birth_date, branch=branch, steps=tuple(steps_[r.pk]),
                                    notices=tuple(notices[r.pk]), extensions=tuple(exts[r.pk]), outcome=final.get(r.pk))
            for r in records}  # fmt: skip


def _responsible(actor: User, record: DevelopmentRecord) -> bool:
    """Upcoming deadlines go to the branch and the organization directly above it (a village's
    township); higher organizations see only the overdue ones of their subtree."""
    return any(record.org.path.startswith(p) and len(record.org.path) - len(p) <= Org.steplen for p in scope_for(actor).paths)


def deadlines_in_scope(actor: User, today: dt.date, *, org: Org | None = None) -> list[DeadlineRow]:
    """Every overdue deadline of the open records in scope, and the upcoming ones (within
    ``recruitment.reminder_days``) of the records the actor is responsible for (see _responsible)."""
    p = params.current()
    records = list(_in_subtree(records_visible(actor), org).exclude(status__in=rules.FINISHED).select_related("org", "member"))
    facts = _light_facts(records)
    out = []
    for r in records:
        responsible = _responsible(actor, r)
        for d in rules.deadlines(facts[r.pk], today=today, params=p):
            state = d.state(today, p.reminder_days)
            if state == rules.OVERDUE or (state == rules.UPCOMING and responsible):
                out.append(DeadlineRow(r, d, state))
    out.sort(key=lambda x: (x.deadline.due, x.record.pk))
    return out


def record_url(pk: int) -> str:
    return reverse("recruitment:record_detail", args=[pk])


DEADLINE_DETAIL = {
    "talk_due": "{applied}递交入党申请，应在一个月内（{due}前）派人谈话。",
    "assessment_due": "入党积极分子每半年至少考察一次，下次考察应在{due}前。",
    "meeting_due": "2026年细则：预审合格后一个月内（{due}前）提交党支部党员大会讨论。",
    "approval_due": "党员大会{admitted}通过接收，上级党委应在三个月内（{due}前）审批。",
    "probation_ending": "预备期{due}届满，应及时讨论其能否转为正式党员。",
    "conversion_approval_due": "转正的党员大会决议应在三个月内（{due}前）审批。",
    "oath_due": "批准后应及时组织入党宣誓（{due}前，期限待核实）。",
    "notice_closing": "公示{due}结束，请登记公示结果。",
}


def work_items(actor: User, today: dt.date) -> list[Any]:
    """待办 of membership development, as ``dangjian.web.selectors.WorkItem`` (kind "recruitment",
    group "recruitment:<deadline code>"): overdue deadlines are "danger", upcoming ones "warning" in
    the last 7 days, else "info". Member-role and scope-less users have none."""
    from dangjian.web.selectors import WorkItem

    if actor.role not in ORG_ROLES:
        return []
    items = []
    for row in deadlines_in_scope(actor, today):
        r, d = row.record, row.deadline
        overdue = row.state == rules.OVERDUE
        detail = DEADLINE_DETAIL[d.code].format(due=d.due, applied=r.applied_on, admitted=r.admitted_on)
        severity = "danger" if overdue else ("warning" if (d.due - today).days <= 7 else "info")
        items.append(WorkItem(
            kind="recruitment", group=f"recruitment:{d.code}", group_title=d.name,
            title=f"{r.name}（{r.org.name}）：{d.name}{'（已超期）' if overdue else ''}", detail=detail,
            url=record_url(r.pk), org=r.org, member=r.member, due=d.due, severity=severity, article=d.article,
        ))  # fmt: skip
    return items


# --- API and reports (phase 2) ------------------------------------------------------------------------------


def plan_get(actor: User, pk: int | str) -> DevelopmentPlan:
    """One annual plan whose organization lies in the actor's scope, else Http404 (like a missing one)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if actor.role not in ORG_ROLES:
        raise Http404
    plan = DevelopmentPlan.objects.filter(scope_for(actor).q("org__path"), pk=pk).select_related("org").first()
    if plan is None:
        raise Http404
    return plan


def approving_org_get(actor: User, record: DevelopmentRecord, pk: int | str) -> Org:
    """The higher committee a step of ``record`` may name: an organization in the actor's scope, or one
    above the record's branch (a branch secretary names their township committee, which lies outside
    their own subtree). Anything else is Http404, like an id that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    org = Org.objects.filter(pk=pk).first()
    if org is None or actor.role not in ORG_ROLES:
        raise Http404
    if scope_for(actor).contains_path(org.path):
        return org
    if org.path != record.org.path and record.org.path.startswith(org.path):
        return org
    raise Http404

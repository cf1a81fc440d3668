"""Writes of weak-organization rectification. Every service validates everything first and raises
``ServiceError`` (field → Chinese messages) before touching the database; then it writes in one
transaction together with its audit event. ``NotPermitted`` (views answer 404) when the actor may not
act on the organization: cases are decided (confirmed, dismissed, planned, accepted) by a level above
the organization — county or township — never by the organization itself; progress is reported by the
organization's writers or the 包 leader.

Status: candidate → confirmed → rectifying (a plan is made) → accepted (an acceptance passed); a
candidate may be dismissed with a reason. Every transition is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record
from dangjian.common.errors import ConflictError, FieldErrors, NotPermitted, ServiceError
from dangjian.common.uploads import upload_facts
from dangjian.orglife import rules as file_rules
from dangjian.orgs.models import Org
from dangjian.rectification import params, rules, selectors
from dangjian.rectification.models import (
    Acceptance,
    Case,
    Finding,
    Milestone,
    Plan,
    ProgressReport,
    RectificationFile,
    SatisfactionSurvey,
)

# --- messages (the tests import them) -----------------------------------------------------------------
YEAR_INVALID = "年度应在2000年至今年（{year}）之间。"
ORG_NOT_JUDGED = "“{name}”不是基层党组织（党支部、党总支、基层党委），不列入软弱涣散整顿。"
ORG_DISSOLVED = "党组织“{name}”已撤销。"
CASE_CLOSED = "“{name}”{year}年的整顿已{status}，不能再提名。"
CATEGORY_INVALID = "请选择情形类别（E6.11 所列情形）。"
REASON_REQUIRED = "请写明理由。"
STATUS_NOT = "当前状态为“{status}”，不能{action}。"
LEADER_INVALID = "包联领导应是能看到该党组织的县、乡镇工作人员账号。"
MILESTONE_TITLE = "请填写节点任务。"
MILESTONE_DONE = "该节点已于{date}完成。"
TEXT_REQUIRED = "请填写整顿进展。"
SURVEY_EXISTS = "“{name}”{year}年已登记群众满意度测评，请修改原记录。"
METHOD_REQUIRED = "请填写测评方式（来源）。"
NO_PLAN = "尚未制定整顿方案。"
STILL_OPEN = "“{name}”{year}年确认的整顿尚未验收通过，请在原整顿记录中继续。"
ORG_NOT_YET = "“{name}”成立于{date}，{year}年尚不存在。"
SURVEY_DATE_YEAR = "{year}年度的测评日期应在{year}年或次年年初。"
DEADLINE_BEFORE_MILESTONE = "整顿期限不能早于尚未完成的节点的完成期限（{date}）。"
PLAN_UNCHANGED = "整顿方案没有改动。"
ACCEPTANCE_BEFORE_LAST = "验收日期不能早于上一次验收（{date}）。"
NOMINATION_REPEATED = "“{name}”{year}年已有同一情形类别、同样理由的提名，未重复记录。"
SURVEY_UNCHANGED = "测评记录没有改动。"




@dataclass
class Result:
    value: Any
    warnings: list[str] = field(default_factory=list)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _decider(actor: User, org: Org) -> Org:
    """The actor's nearest assigned organization strictly above ``org``: the level deciding the case."""
    require_writer(actor)
    paths = selectors.above_paths(actor, org)
    if not paths:
        raise NotPermitted
    return Org.objects.get(path=paths[-1])


def _check_reporter(actor: User, case: Case) -> None:
    """Progress and milestones: the organization's writers (and anyone above), or the 包 leader."""
    plan = getattr(case, "plan", None)
    if plan is not None and plan.leader_id == actor.pk and actor.can_write:
        return
    _check_writable(actor, case.org)


def _check_version(obj: Any, version: int | None) -> None:
    if version is not None and int(version) != obj.version:
        raise ConflictError


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("org", "confirming_org").get(pk=case.pk)


def _check_year(errors: FieldErrors, year: int, today: dt.date) -> None:
    if not (2000 <= int(year) <= today.year):
        errors.add("year", YEAR_INVALID.format(year=today.year))


def _check_judged_org(errors: FieldErrors, org: Org, on: dt.date) -> None:
    if org.org_type not in selectors.JUDGED_TYPES:
        errors.add("org", ORG_NOT_JUDGED.format(name=org.name))
    elif org.dissolved_on is not None and org.dissolved_on <= on:
        errors.add("org", ORG_DISSOLVED.format(name=org.name))


# --- uploads -------------------------------------------------------------------------------------------------


@dataclass
class _Upload:
    file: File
    name: str
    size: int
    file_type: str


def _inspect_uploads(errors: FieldErrors, files: Sequence[File], max_mb: float) -> list[_Upload]:
    """Each file's type by its content (orglife.rules.check_upload: images, pdf, docx, xlsx)."""
    out = []
    for f in files:
        name, size, head, zip_names = upload_facts(f)
        message = file_rules.check_upload(name=name, size=size, head=head, zip_names=zip_names,
                                          purpose=file_rules.ATTACHMENT, max_mb=max_mb)
        if message:
            errors.add("files", message)
        else:
            out.append(_Upload(f, name, size, file_rules.sniff_type(head, zip_names) or ""))
    return out


def _save_uploads(actor: User, case: Case, uploads: list[_Upload], *, progress: ProgressReport | None = None,
                  acceptance: Acceptance | None = None) -> list[RectificationFile]:
    saved = []
    for u in uploads:
        rf = RectificationFile(case=case, progress=progress, acceptance=acceptance, county=case.county,
                               original_name=u.name[:200], size=u.size, file_type=u.file_type, uploaded_by=actor)
        rf.file.save(u.name, u.file, save=False)
        rf.save()
        saved.append(rf)
    return saved


# --- identification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifyOutcome:
    created: int  # new candidate cases
    findings: int  # findings added (to new cases and to candidates already recorded)
    unchanged: int  # organizations whose case was already decided (left as it is)


@transaction.atomic
def candidates_identify(*, actor: User, org: Org, year: int, today: dt.date | None = None) -> IdentifyOutcome:
    """Run the record-based criteria over ``org``'s subtree for ``year`` and record the organizations
    found as candidates, each finding with its facts and links as they are today. Idempotent: a
    criterion already recorded on a case is not added twice; decided cases are left alone."""
    today = _today(today)
    errors = FieldErrors()
    _check_year(errors, year, today)
    if errors:
        raise ServiceError(dict(errors))
    _check_writable(actor, org)
    scan = selectors.candidate_scan(actor, org, year, today)
    mine = [c for c in scan.candidates if selectors.may_decide(actor, c.org)]
    # Existing cases and their criteria in two queries, locked, so a second run adds nothing twice.
    cases = {c.org_id: c for c in Case.objects.select_for_update().filter(org__in=[c.org.pk for c in mine], year=year)}
    # An organization still rectifying an earlier year's case is not found again as a new candidate: it
    # would be counted twice (identified in both years) for one turnaround.
    still_open = set(Case.objects.filter(org__in=[c.org.pk for c in mine], status__in=rules.OPEN)
                     .exclude(year=year).values_list("org_id", flat=True))
    have: dict[int, set[str]] = {}
    for case_id, criterion in Finding.objects.filter(case__in=list(cases.values())).values_list("case_id", "criterion"):
        have.setdefault(case_id, set()).add(criterion)
    created = added = unchanged = 0
    for cand in mine:
        case = cases.get(cand.org.pk)
        if (case is not None and case.status != rules.CANDIDATE) or (case is None and cand.org.pk in still_open):
            unchanged += 1
            continue
        new = case is None
        if case is None:
            case = Case.objects.create(org=cand.org, county=selectors.county_of(cand.org), year=year,
                                       identified_on=today, created_by=actor)
            created += 1
        fresh = [f for f in cand.findings if f.criterion not in have.get(case.pk, set())]
        Finding.objects.bulk_create([
            Finding(case=case, criterion=f.criterion, category=f.category, facts=f.facts,
                    links=[list(link) for link in f.links], found_on=today, found_by=actor) for f in fresh
        ])  # fmt: skip
        added += len(fresh)
        if fresh:
            audit_record(actor=actor, action="rectification.case.identify" if new else "rectification.case.findings",
                         org=cand.org, target=case,
                         changes={"status": [None, rules.STATUS_LABELS[case.status]],
                                  "findings": [None, "；".join(rules.CRITERION_LABELS[f.criterion] for f in fresh)]})
    return IdentifyOutcome(created, added, unchanged)


@transaction.atomic
def case_nominate(*, actor: User, org: Org, year: int, category: str, reason: str,
                  today: dt.date | None = None) -> Case:
    """人工提名: an organization nominated with a reason and a situation of E6.11's list."""
    today = _today(today)
    _decider(actor, org)
    errors = FieldErrors()
    _check_year(errors, year, today)
    _check_judged_org(errors, org, today)
    if "year" not in errors and org.established_on > dt.date(int(year), 12, 31):
        errors.add("year", ORG_NOT_YET.format(name=org.name, date=org.established_on.isoformat(), year=year))
    if category not in rules.CATEGORY_LABELS:
        errors.add("category", CATEGORY_INVALID)
    if not reason.strip():
        errors.add("reason", REASON_REQUIRED)
    case = Case.objects.select_for_update().filter(org=org, year=year).first()
    if case is not None and case.status in (rules.DISMISSED, rules.ACCEPTED):
        errors.add("__all__", CASE_CLOSED.format(name=org.name, year=year, status=rules.STATUS_LABELS[case.status]))
    elif case is not None and case.findings.filter(criterion=rules.MANUAL, category=category,
                                                   facts=reason.strip()).exists():
        # The same nomination sent again (a double click, a phone retrying): one finding, not two.
        errors.add("reason", NOMINATION_REPEATED.format(name=org.name, year=year))
    if case is None:
        earlier = Case.objects.filter(org=org, status__in=rules.OPEN).exclude(year=year).first()
        if earlier is not None:
            errors.add("__all__", STILL_OPEN.format(name=org.name, year=earlier.year))
    if errors:
        raise ServiceError(dict(errors))
    if case is None:
        case = Case.objects.create(org=org, county=selectors.county_of(org), year=year, identified_on=today,
                                   created_by=actor)
    Finding.objects.create(case=case, criterion=rules.MANUAL, category=category, facts=reason.strip(), found_on=today,
                           found_by=actor)
    audit_record(actor=actor, action="rectification.case.nominate", org=org, target=case,
                 changes={"category": [None, rules.CATEGORY_LABELS[category]]}, reason=reason.strip())
    return case


def share_warning(level: Org, case: Case, share_percent: float) -> str | None:
    """倒排比例 guide (E6.11: 5%–10%): confirmed cases of the case's kind in ``level``'s subtree,
    counting this one, against share × organizations of that kind. A warning, never a block; the
    share is compared for the whole level, never split evenly between townships (E6.12)."""
    kind, confirmed, total = selectors.level_share(level, case)
    if not rules.share_exceeded(confirmed=confirmed, orgs_of_kind=total, share_percent=share_percent):
        return None
    return (f"{level.name}{case.year}年已确认软弱涣散{rules.KIND_LABELS[kind]}党组织{confirmed}个，共{total}个，"
            f"超过倒排比例参考{share_percent:g}%（{rules.share_guide(orgs_of_kind=total, share_percent=share_percent)}个）。"
            "比例只作参考，请确认确有必要。")


@transaction.atomic
def case_confirm(*, actor: User, case: Case, version: int | None = None, today: dt.date | None = None) -> Result:
    """确认: a candidate becomes a confirmed weak organization of the year; warns beyond the share."""
    today = _today(today)
    case = _lock(case)
    level = _decider(actor, case.org)
    _check_version(case, version)
    if not rules.may_transition(case.status, rules.CONFIRMED):
        raise ServiceError(STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="确认"))
    if case.org.dissolved_on is not None and case.org.dissolved_on <= today:
        # Dissolved since it was found: there is nothing left to rectify; dismiss it instead.
        raise ServiceError(ORG_DISSOLVED.format(name=case.org.name))
    case.status, case.confirmed_on, case.confirming_org, case.confirmed_by = rules.CONFIRMED, today, level, actor
    case.version += 1
    case.save(update_fields=["status", "confirmed_on", "confirming_org", "confirmed_by", "version"])
    warning = share_warning(selectors.share_level(case, level), case, params.current().reverse_share)
    audit_record(actor=actor, action="rectification.case.confirm", org=case.org, target=case,
                 changes={"status": [rules.STATUS_LABELS[rules.CANDIDATE], rules.STATUS_LABELS[rules.CONFIRMED]],
                          "confirming_org": [None, level.name]})
    return Result(case, [warning] if warning else [])


@transaction.atomic
def case_dismiss(*, actor: User, case: Case, reason: str, version: int | None = None,
                 today: dt.date | None = None) -> Case:
    today = _today(today)
    case = _lock(case)
    _decider(actor, case.org)
    _check_version(case, version)
    errors = FieldErrors()
    if not rules.may_transition(case.status, rules.DISMISSED):
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="排除"))
    if not reason.strip():
        errors.add("reason", REASON_REQUIRED)
    if errors:
        raise ServiceError(dict(errors))
    old = case.status
    case.status, case.dismissed_on, case.dismiss_reason = rules.DISMISSED, today, reason.strip()[:500]
    case.version += 1
    case.save(update_fields=["status", "dismissed_on", "dismiss_reason", "version"])
    audit_record(actor=actor, action="rectification.case.dismiss", org=case.org, target=case,
                 changes={"status": [rules.STATUS_LABELS[old], rules.STATUS_LABELS[rules.DISMISSED]]},
                 reason=case.dismiss_reason)
    return case


# --- plan, milestones, progress, acceptance ------------------------------------------------------------------


def _valid_leader(leader: User | None, org: Org) -> bool:
    if leader is None or not leader.is_active or leader.role not in ORG_ROLES or not leader.can_write:
        return False
    return any(org.path.startswith(p) and org.path != p for p in scope_for(leader).paths)


@transaction.atomic
def plan_create(*, actor: User, case: Case, responsible_person: str, responsibility: str, goal: str,
                reward_penalty: str, leader: User | None, leader_name: str, leader_post: str,
                deadline: dt.date | None, measures: str = "", today: dt.date | None = None) -> Plan:
    """整顿方案 with the "四定一包" for a confirmed case; the case becomes 整顿中."""
    today = _today(today)
    case = _lock(case)
    _decider(actor, case.org)
    values = {"responsible_person": responsible_person, "responsibility": responsibility, "goal": goal,
              "reward_penalty": reward_penalty, "leader_name": leader_name, "leader_post": leader_post}
    errors = FieldErrors()
    if not rules.may_transition(case.status, rules.RECTIFYING):
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="制定整顿方案"))
    errors.merge(rules.check_plan(values=values, has_leader_user=leader is not None, made_on=today, deadline=deadline))
    if leader is not None and not _valid_leader(leader, case.org):
        errors.add("leader", LEADER_INVALID)
    if errors:
        raise ServiceError(dict(errors))
    assert deadline is not None and leader is not None
    plan = Plan.objects.create(case=case, county=case.county, made_on=today, leader=leader, deadline=deadline,
                               measures=measures.strip(), recorded_by=actor,
                               **{k: v.strip() for k, v in values.items()})
    case.status = rules.RECTIFYING
    case.version += 1
    case.save(update_fields=["status", "version"])
    audit_record(actor=actor, action="rectification.plan.create", org=case.org, target=case,
                 changes={"status": [rules.STATUS_LABELS[rules.CONFIRMED], rules.STATUS_LABELS[rules.RECTIFYING]],
                          "responsible_person": [None, plan.responsible_person],
                          "leader": [None, f"{plan.leader_name}（{plan.leader_post}）"],
                          "deadline": [None, str(deadline)]})  # fmt: skip
    return plan


PLAN_FIELDS = ("responsible_person", "responsibility", "goal", "reward_penalty", "leader_name", "leader_post")


@transaction.atomic
def plan_update(*, actor: User, case: Case, reason: str, responsible_person: str, responsibility: str, goal: str,
                reward_penalty: str, leader: User | None, leader_name: str, leader_post: str,
                deadline: dt.date | None, measures: str = "", version: int | None = None,
                today: dt.date | None = None) -> Plan:
    """调整整顿方案 — most often 延长整顿期限 — by the deciding level while the case is 整顿中, with a
    reason; the "四定一包" checks again, and milestones not yet done must still fall within the deadline.
    Audited with every field changed and the reason."""
    today = _today(today)
    case = _lock(case)
    _decider(actor, case.org)
    plan = Plan.objects.select_for_update().filter(case=case).first()
    errors = FieldErrors()
    if plan is None:
        raise ServiceError({"__all__": [NO_PLAN]})
    _check_version(plan, version)
    if case.status != rules.RECTIFYING:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="调整整顿方案"))
    if not reason.strip():
        errors.add("reason", REASON_REQUIRED)
    values = {"responsible_person": responsible_person, "responsibility": responsibility, "goal": goal,
              "reward_penalty": reward_penalty, "leader_name": leader_name, "leader_post": leader_post}
    errors.merge(rules.check_plan(values=values, has_leader_user=leader is not None, made_on=plan.made_on,
                                  deadline=deadline))
    if leader is not None and leader.pk != plan.leader_id and not _valid_leader(leader, case.org):
        errors.add("leader", LEADER_INVALID)
    if deadline is not None:
        latest = case.milestones.filter(done_on__isnull=True).order_by("-due").values_list("due", flat=True).first()
        if latest is not None and latest > deadline:
            errors.add("deadline", DEADLINE_BEFORE_MILESTONE.format(date=latest.isoformat()))
    from dangjian.common.audit import diff

    old = {**{k: getattr(plan, k) for k in PLAN_FIELDS}, "leader": str(plan.leader), "deadline": plan.deadline,
           "measures": plan.measures}
    new = {**{k: v.strip() for k, v in values.items()}, "leader": str(leader) if leader else "",
           "deadline": deadline, "measures": measures.strip()}
    changes = diff(old, new)
    if not changes and not errors:
        errors.add("__all__", PLAN_UNCHANGED)
    if errors:
        raise ServiceError(dict(errors))
    assert deadline is not None and leader is not None
    for k, v in values.items():
        setattr(plan, k, v.strip())
    plan.leader, plan.deadline, plan.measures = leader, deadline, measures.strip()
    plan.version += 1
    plan.save(update_fields=[*PLAN_FIELDS, "leader", "deadline", "measures", "version"])
    audit_record(actor=actor, action="rectification.plan.update", org=case.org, target=case, changes=changes,
                 reason=reason.strip())
    return plan


def _plan_of(errors: FieldErrors, case: Case) -> Plan | None:
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        errors.add("__all__", NO_PLAN)
    return plan


@transaction.atomic
def milestone_add(*, actor: User, case: Case, title: str, due: dt.date | None, today: dt.date | None = None) -> Milestone:
    today = _today(today)
    case = _lock(case)
    _check_reporter(actor, case)
    errors = FieldErrors()
    plan = _plan_of(errors, case)
    if case.status != rules.RECTIFYING:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="添加整顿节点"))
    if not title.strip():
        errors.add("title", MILESTONE_TITLE)
    if due is None:
        errors.add("due", rules.REQUIRED.format(label="完成期限"))
    elif plan is not None:
        if due < plan.made_on:
            errors.add("due", rules.DATE_BEFORE_PLAN.format(label="完成期限", date=plan.made_on.isoformat()))
        elif due > plan.deadline:
            errors.add("due", rules.DUE_AFTER_DEADLINE.format(date=plan.deadline.isoformat()))
    if errors:
        raise ServiceError(dict(errors))
    assert due is not None
    m = Milestone.objects.create(case=case, county=case.county, title=title.strip()[:200], due=due, recorded_by=actor)
    audit_record(actor=actor, action="rectification.milestone.add", org=case.org, target=case,
                 changes={"milestone": [None, f"{m.title}（{due}）"]})
    return m


@transaction.atomic
def milestone_done(*, actor: User, milestone: Milestone, done_on: dt.date | None, note: str = "",
                   today: dt.date | None = None) -> Milestone:
    today = _today(today)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    case = _lock(milestone.case)
    _check_reporter(actor, case)
    errors = FieldErrors()
    plan = _plan_of(errors, case)
    if case.status != rules.RECTIFYING:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="登记节点完成"))
    if milestone.done_on is not None:
        errors.add("done_on", MILESTONE_DONE.format(date=milestone.done_on.isoformat()))
    elif plan is not None:
        for m in rules.check_dated(label="完成日期", date=done_on, plan_made_on=plan.made_on, today=today):
            errors.add("done_on", m)
    if errors:
        raise ServiceError(dict(errors))
    milestone.done_on, milestone.note = done_on, note.strip()[:500]
    milestone.save(update_fields=["done_on", "note"])
    audit_record(actor=actor, action="rectification.milestone.done", org=case.org, target=case,
                 changes={"milestone": milestone.title, "done_on": [None, str(done_on)]})
    return milestone


@transaction.atomic
def progress_report(*, actor: User, case: Case, date: dt.date | None, text: str, files: Sequence[File] = (),
                    today: dt.date | None = None) -> ProgressReport:
    """整顿进展 with its files (each checked by content; a forbidden or renamed file refuses it all)."""
    today = _today(today)
    case = _lock(case)
    _check_reporter(actor, case)
    errors = FieldErrors()
    plan = _plan_of(errors, case)
    if case.status != rules.RECTIFYING:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="报告整顿进展"))
    if plan is not None:
        for m in rules.check_dated(label="报告日期", date=date, plan_made_on=plan.made_on, today=today):
            errors.add("date", m)
    if not text.strip():
        errors.add("text", TEXT_REQUIRED)
    uploads = _inspect_uploads(errors, files, params.current().file_max_mb)
    if errors:
        raise ServiceError(dict(errors))
    assert date is not None
    report = ProgressReport.objects.create(case=case, county=case.county, date=date, text=text.strip(), reported_by=actor)
    saved = _save_uploads(actor, case, uploads, progress=report)
    audit_record(actor=actor, action="rectification.progress.report", org=case.org, target=case,
                 changes={"progress": [None, f"{date}：{report.text[:100]}"], "files": [None, len(saved)]})
    return report


@transaction.atomic
def progress_files_add(*, actor: User, progress: ProgressReport, files: Sequence[File]) -> list[RectificationFile]:
    case = _lock(progress.case)
    _check_reporter(actor, case)
    errors = FieldErrors()
    if case.status != rules.RECTIFYING:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="补充整顿材料"))
    if not files:
        errors.add("files", "请选择文件。")
    uploads = _inspect_uploads(errors, files, params.current().file_max_mb)
    if errors:
        raise ServiceError(dict(errors))
    saved = _save_uploads(actor, case, uploads, progress=progress)
    audit_record(actor=actor, action="rectification.progress.files", org=case.org, target=case,
                 changes={"files": [None, "、".join(f.original_name for f in saved)]})
    return saved


@transaction.atomic
def acceptance_record(*, actor: User, case: Case, date: dt.date | None, accepted_by: str, result: str,
                      notes: str = "", files: Sequence[File] = (), today: dt.date | None = None) -> Acceptance:
    """验收 by the level above: passed → 已验收; not passed → continues rectifying (a later acceptance)."""
    today = _today(today)
    case = _lock(case)
    _decider(actor, case.org)
    errors = FieldErrors()
    plan = Plan.objects.filter(case=case).first()
    if case.status != rules.RECTIFYING and plan is not None:
        errors.add("__all__", STATUS_NOT.format(status=rules.STATUS_LABELS[case.status], action="验收"))
    errors.merge(rules.check_acceptance(date=date, plan_made_on=plan.made_on if plan else None, today=today,
                                        result=result, accepted_by=accepted_by, notes=notes))
    # A later acceptance follows the one not passed: dated before it, the case's history would say it
    # passed and then failed.
    last = case.acceptances.order_by("-date").values_list("date", flat=True).first()
    if date is not None and last is not None and date < last and "date" not in errors:
        errors.add("date", ACCEPTANCE_BEFORE_LAST.format(date=last.isoformat()))
    uploads = _inspect_uploads(errors, files, params.current().file_max_mb)
    if errors:
        raise ServiceError(dict(errors))
    assert date is not None
    acc = Acceptance.objects.create(case=case, county=case.county, date=date, accepted_by=accepted_by.strip()[:200],
                                    result=result, notes=notes.strip(), recorded_by=actor)
    _save_uploads(actor, case, uploads, acceptance=acc)
    changes: dict[str, Any] = {"acceptance": [None, f"{date} {rules.RESULT_LABELS[result]}"]}
    if result == rules.PASSED:
        case.status, case.accepted_on = rules.ACCEPTED, date
        case.version += 1
        case.save(update_fields=["status", "accepted_on", "version"])
        changes["status"] = [rules.STATUS_LABELS[rules.RECTIFYING], rules.STATUS_LABELS[rules.ACCEPTED]]
    audit_record(actor=actor, action="rectification.acceptance.record", org=case.org, target=case, changes=changes,
                 reason=notes.strip())
    return acc


# --- satisfaction surveys ----------------------------------------------------------------------------------------


def _check_survey(errors: FieldErrors, *, year: int, date: dt.date | None, respondents: int | None, satisfied: int | None,
                  method: str, today: dt.date) -> None:
    _check_year(errors, year, today)
    if date is None:
        errors.add("date", rules.REQUIRED.format(label="测评日期"))
    elif date > today:
        errors.add("date", rules.DATE_FUTURE.format(label="测评日期", today=today.isoformat()))
    elif "year" not in errors and date.year not in (int(year), int(year) + 1):
        # A year's survey is held in that year or at the start of the next (年终测评), not years apart.
        errors.add("date", SURVEY_DATE_YEAR.format(year=year))
    if respondents is None or satisfied is None or respondents <= 0 or not (0 <= satisfied <= respondents):
        errors.add("satisfied", rules.COUNT_INVALID)
    if not method.strip():
        errors.add("method", METHOD_REQUIRED)


@transaction.atomic
def survey_record(*, actor: User, org: Org, year: int, date: dt.date | None, respondents: int | None,
                  satisfied: int | None, method: str, today: dt.date | None = None) -> SatisfactionSurvey:
    """年度群众满意度测评 of an organization, entered by the township or county (a level above it)."""
    today = _today(today)
    _decider(actor, org)
    errors = FieldErrors()
    _check_judged_org(errors, org, today)
    _check_survey(errors, year=year, date=date, respondents=respondents, satisfied=satisfied, method=method, today=today)
    if SatisfactionSurvey.objects.filter(org=org, year=year).exists():
        errors.add("year", SURVEY_EXISTS.format(name=org.name, year=year))
    if errors:
        raise ServiceError(dict(errors))
    assert date is not None and respondents is not None and satisfied is not None
    s = SatisfactionSurvey.objects.create(org=org, county=selectors.county_of(org), year=year, date=date,
                                          respondents=respondents, satisfied=satisfied, method=method.strip()[:200],
                                          recorded_by=actor)
    audit_record(actor=actor, action="rectification.survey.record", org=org, target=s,
                 changes={"year": [None, year], "respondents": [None, respondents], "satisfied": [None, satisfied]})
    return s


@transaction.atomic
def survey_update(*, actor: User, survey: SatisfactionSurvey, version: int | None, date: dt.date | None,
                  respondents: int | None, satisfied: int | None, method: str,
                  today: dt.date | None = None) -> SatisfactionSurvey:
    today = _today(today)
    survey = SatisfactionSurvey.objects.select_for_update().select_related("org").get(pk=survey.pk)
    _decider(actor, survey.org)
    _check_version(survey, version)
    errors = FieldErrors()
    _check_survey(errors, year=survey.year, date=date, respondents=respondents, satisfied=satisfied, method=method,
                  today=today)
    from dangjian.common.audit import diff

    old = {"date": survey.date, "respondents": survey.respondents, "satisfied": survey.satisfied, "method": survey.method}
    changes = diff(old, {"date": date, "respondents": respondents, "satisfied": satisfied, "method": method.strip()[:200]})
    if not changes and not errors:
        # Saving what is stored would bump the version (another editor's save then fails for nothing)
        # and leave an audit event that changed nothing.
        errors.add("__all__", SURVEY_UNCHANGED)
    if errors:
        raise ServiceError(dict(errors))
    assert date is not None and respondents is not None and satisfied is not None
    survey.date, survey.respondents, survey.satisfied, survey.method = date, respondents, satisfied, method.strip()[:200]
    survey.version += 1
    survey.save(update_fields=["date", "respondents", "satisfied", "method", "version"])
    audit_record(actor=actor, action="rectification.survey.update", org=survey.org, target=survey, changes=changes)
    return survey

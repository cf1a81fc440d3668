"""Writes of membership development. Every service validates everything first — the input, then the
rules of ``rules.py`` under the version in force on the step's date — and raises before touching the
database; then it writes in one transaction together with its audit event(s).

Refusals:
- ``ServiceError`` (field → Chinese messages) for bad input;
- ``RuleBlocked`` (a ServiceError) when a rule blocks; ``.results`` holds every rule result (pass, warn
  and block) so pages and the API can show them. An overridable block is accepted when
  ``override_reason`` is given by a user assigned to the approving committee (the committee itself or
  an organization above it); each overridden rule is stored as a RuleOverride and audited;
- ``NotPermitted`` when the actor may not write here (views answer 404); ``ConflictError`` when the
  record changed since ``version``.

Admission approval (step 17) creates the probationary Member (``members.services.member_create`` with
the ADMITTED event dated the branch meeting of step 15); conversion approval (step 24) records the
CONVERTED event dated the end of probation; extension and cancellation record theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.audit import audit_record
from dangjian.common.errors import ConflictError, FieldErrors, NotPermitted, ServiceError
from dangjian.common.uploads import upload_facts
from dangjian.members import codes
from dangjian.members import rules as member_rules
from dangjian.members import services as member_services
from dangjian.members.models import Member, MembershipEvent
from dangjian.orglife import rules as file_rules
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.recruitment import params, rules
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import (
    DevelopmentPlan,
    DevelopmentRecord,
    Document,
    Outcome,
    PublicNotice,
    RuleOverride,
    Step,
    StepPerson,
    Vote,
)

# --- messages (the tests import them) -----------------------------------------------------------------
NAME_REQUIRED = "请填写姓名。"
CHOICE_INVALID = "“{value}”不是有效的{field}。"
PHONE_FORMAT = "手机号码应为11位数字，以1开头。"
OPEN_RECORD_EXISTS = "该公民身份号码已有正在进行的发展党员记录（{where}），请勿重复建立。"
ALREADY_MEMBER = "该公民身份号码已是党员（{where}），不能再建立发展党员记录。"
ORG_NOT_BRANCH = "发展党员记录应由党支部（含联合党支部）或党总支、基层党委负责，不能是“{type}”。"
ORG_DISSOLVED = "党组织“{name}”已撤销。"
STEP_NUMBER = "步骤应为1至25。"
FIRST_STEP = "建立记录时应录入第1步“递交入党申请书”。"
DETAIL_UNKNOWN = "第{n}步没有“{key}”这项信息。"
ROLE_INVALID = "第{n}步不能登记“{role}”。"
PERSON_NAME = "请填写{role}的姓名或选择党员。"
VOTE_NOT_HERE = "第{n}步不登记表决情况。"
APPROVING_ORG_NOT_HERE = "第{n}步不需要选择上级党委。"
APPROVAL_REJECTED = "上级党委不批准的，请办理“终止发展”（或“取消预备党员资格”），并写明原因。"
RESULT_INVALID = "“{value}”不是有效的{field}。"
OVERRIDE_NOT_ALLOWED = "只有审批党委（{org}）的工作人员才能在特殊情况下继续办理，并须写明理由。"
OVERRIDE_NO_COMMITTEE = "找不到有审批权限的上级党委，不能作特殊情况处理。"
NOT_OVERRIDABLE = "此项不能作特殊情况处理。"
NOTICE_KIND = "“{value}”不是有效的公示类别。"
NOTICE_PLACE = "请填写公示地点（范围）。"
NOTICE_DATES = "公示结束日期不能早于开始日期。"
NOTICE_FUTURE_START = "公示开始日期不能晚于今天（{today}）。"
DOCUMENT_KIND = "“{value}”不是有效的材料类别。"
DOCUMENT_STEP = "该步骤不属于这条发展记录。"
PLAN_ORG = "年度发展计划应下达到乡镇（街道）党委或工委、基层党委，不能是“{type}”。"
PLAN_QUOTA = "计划名额应为0至100000之间的整数。"
PLAN_YEAR = "年度应在2000至2100之间。"
MONTHS_REQUIRED = "请填写延长月数。"
WITHDRAW_NOT_LAST = "只能撤销最近录入的一个步骤（第{last}步），请先撤销其后的步骤。"
WITHDRAW_MEMBER_STEP = "第{n}步已在党员名册中产生记录（接收或转正），不能撤销；如有错误，请在党员档案中按规定更正。"
WITHDRAW_REASON = "请填写撤销原因。"
VOTE_DATE_MEETING = "党员大会的表决日期就是本步骤的日期（{date}），请不要另填其他日期。"
VOTE_DATE_AFTER = "党委会议的表决日期不能晚于审批日期（{date}）。"

RECORD_PERSONAL = ("name", "sex", "birth_date", "ethnicity", "education", "occupation", "unit_name", "job",
                   "leaving_unit_on")  # fmt: skip
CHOICES = {"sex": (codes.SEX, "性别"), "ethnicity": (codes.ETHNICITY, "民族"), "education": (codes.EDUCATION, "学历"),
           "occupation": (codes.PERSONNEL_CATEGORY, "人员类别")}  # fmt: skip
HOLDS_RECORDS = org_rules.HOLDS_MEMBERS - {org_rules.TEMPORARY_BRANCH}
TYPE_LABELS = dict(OrgType.choices)
PLAN_ORG_TYPES = frozenset({"county_committee", "township_committee", "working_committee", "primary_committee"})


class RuleBlocked(ServiceError):
    """A rule refused the write. ``results`` are all the rule results of the check."""

    def __init__(self, results: list[rules.RuleResult]) -> None:
        self.results = results
        super().__init__({"rules": [f"{r.title}：{r.message}" for r in results if r.blocks]})


# --- input shapes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonIn:
    """A responsible person: a ``member`` of the roster, or a ``name`` typed in (non-members, officers
    of other counties). The two flags are the sponsor's discipline (R1.10), declared by the branch."""

    role: str
    member: Member | None = None
    name: str = ""
    position: str = ""
    under_party_probation: bool = False
    correction_ordered: bool = False


@dataclass(frozen=True)
class ExclusionIn:
    """One voting member left out of "should attend" (R1.15, five categories in rules.EXCLUSION_CATEGORIES)."""

    category: str
    approved_by_higher: bool
    approved_by_meeting: bool
    name: str = ""


@dataclass(frozen=True)
class VoteIn:
    should_attend_total: int
    present: int
    yes: int
    no: int = 0
    abstain: int = 0
    written_opinions: int = 0
    exclusions: Sequence[ExclusionIn] = ()
    meeting_date: dt.date | None = None  # defaults to the step's (or outcome's) date

    def facts(self, roster_full: int | None = None) -> rules.VoteFacts:
        return rules.VoteFacts(
            should_attend_total=self.should_attend_total, present=self.present, yes=self.yes, no=self.no,
            abstain=self.abstain, written_opinions=self.written_opinions, roster_full=roster_full,
            exclusions=tuple(rules.Exclusion(e.category, e.approved_by_higher, e.approved_by_meeting, e.name)
                             for e in self.exclusions),
        )  # fmt: skip


@dataclass(frozen=True)
class StepIn:
    """A step to record. ``details`` keys: steps.Step.details of that step (dates as ISO strings or
    ``date``). ``vote``: for steps 15 and 23 the branch meeting, for 17 and 24 the committee's vote."""

    number: int
    date: dt.date
    people: Sequence[PersonIn] = ()
    approving_org: Org | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    vote: VoteIn | None = None
    outcome: str = ""
    notes: str = ""




# --- facts from the database --------------------------------------------------------------------------------


def org_facts(org: Org) -> rules.OrgFacts:
    return rules.OrgFacts(org.name, org.org_type, org.path, org.can_approve_probationary, org.is_village_level)


def member_statuses(member_ids: Sequence[int], on: dt.date) -> dict[int, str | None]:
    """Each member's membership status on ``on`` (from their last event on or before it). Not scoped."""
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), date__lte=on).order_by("-date", "-seq", "-id")
    rows = Member.objects.filter(pk__in=list(member_ids)).annotate(st=Subquery(latest.values("status_after")[:1]))
    return dict(rows.values_list("pk", "st"))


def full_members_on(org: Org, on: dt.date) -> int:
    """Full members of ``org`` itself on ``on``: the voting members of its general meeting (R1.15)."""
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), date__lte=on).order_by("-date", "-seq", "-id")
    return (Member.objects.annotate(st=Subquery(latest.values("status_after")[:1]),
                                    org_at=Subquery(latest.values("org_after")[:1]))
            .filter(st=member_rules.FULL, org_at=org.pk).count())  # fmt: skip


def _person_facts(step: Step) -> tuple[rules.Person, ...]:
    people = list(step.people.all())
    ids = [p.member_id for p in people if p.member_id]
    # Most steps name no member: skip the status query (record_facts runs this for every step twice per save).
    statuses = member_statuses(ids, step.date) if ids else {}
    return tuple(rules.Person(p.role, p.name, p.member_id, statuses.get(p.member_id) if p.member_id else None,
                              p.under_party_probation, p.correction_ordered) for p in people)  # fmt: skip


def record_facts(record: DevelopmentRecord) -> rules.RecordFacts:
    """The record as the pure rules see it (steps with people, votes and approving organizations;
    notices; approved extensions; the final outcome)."""
    steps_ = list(record.steps.select_related("approving_org", "vote").prefetch_related("people"))
    facts = []
    for s in steps_:
        vote = getattr(s, "vote", None)
        facts.append(rules.StepFacts(
            number=s.number, date=s.date, details=s.details, people=_person_facts(s),
            approving_org=org_facts(s.approving_org) if s.approving_org else None,
            vote=vote.as_facts() if vote is not None else None,
        ))  # fmt: skip
    outcomes = list(record.outcomes.all())
    final = next((o.kind for o in outcomes if o.kind in (rules.OUTCOME_STOPPED, rules.OUTCOME_CANCELLED)), None)
    return rules.RecordFacts(
        birth_date=record.birth_date,
        branch=org_facts(record.org),
        steps=tuple(facts),
        notices=tuple(n.as_facts() for n in record.notices.all()),
        extensions=tuple(rules.ExtensionFacts(o.date, o.approved_on or o.date, o.months or 0)
                         for o in outcomes if o.kind == rules.OUTCOME_EXTENDED),
        outcome=final,
        leaving_unit_on=record.leaving_unit_on,
    )  # fmt: skip


def approving_committee(record: DevelopmentRecord) -> Org | None:
    """The committee that approves this record's admission: the one recorded at step 17 (or 13), else
    the nearest organization above the branch that ``rules.check_approver`` accepts."""
    for n in (S.ADMISSION_APPROVAL, S.PRE_REVIEW) if record.pk else ():
        s = record.steps.filter(number=n, approving_org__isnull=False).select_related("approving_org").first()
        if s is not None and s.approving_org is not None:
            return s.approving_org
    branch = org_facts(record.org)
    for anc in reversed(list(Org.objects.get_ancestors(record.org))):
        if rules.check_approver(org_facts(anc), branch)[0].level == rules.PASS:
            return anc
    return None


# --- shared checks ------------------------------------------------------------------------------------------


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def _may_override(actor: User, committee: Org | None) -> bool:
    if committee is None:
        return False
    return any(committee.path.startswith(p) for p in scope_for(actor).paths)


def _resolve_blocks(actor: User, results: list[rules.RuleResult], override_reason: str,
                    committee: Org | None) -> list[rules.RuleResult]:
    """The blocking results to record as overrides; raises RuleBlocked if any block stands."""
    blocks = rules.blocking(results)
    if not blocks:
        return []
    reason = (override_reason or "").strip()
    if not reason or any(not r.overridable for r in blocks):
        raise RuleBlocked(results)
    if not _may_override(actor, committee):
        err = RuleBlocked(results)
        err.errors["override_reason"] = [OVERRIDE_NOT_ALLOWED.format(org=committee.name) if committee else OVERRIDE_NO_COMMITTEE]
        raise err
    return blocks


def _write_overrides(actor: User, record: DevelopmentRecord, blocks: list[rules.RuleResult], reason: str,
                     committee: Org | None, *, step: Step | None = None, outcome: Outcome | None = None) -> None:
    assert committee is not None or not blocks
    for r in blocks:
        assert committee is not None
        ov = RuleOverride.objects.create(
            record=record, step=step, outcome=outcome, rule_code=r.code, rule_name=r.name[:100], message=r.message[:500],
            reason=reason.strip()[:500], approved_by=actor, approving_org=committee,
        )  # fmt: skip
        audit_record(actor=actor, action="recruitment.rule.override", org=record.org, target=record,
                     changes={"rule": [None, r.title], "message": [None, r.message], "step": [None, step.number if step else None],
                              "committee": [None, committee.name]}, reason=ov.reason)  # fmt: skip


def _refresh_cache(record: DevelopmentRecord) -> None:
    """Stage, status and key dates from the steps and outcomes (rules.derive_status); never typed."""
    facts = record_facts(record)
    # R1.9 (2026): the target is listed at step 8 (agreement and notice), not at the branch's step 7.
    chosen = record.steps.filter(number=S.CANDIDATE).order_by("-date", "-id").values_list("rules_version", flat=True).first()
    candidate_step = S.CANDIDATE_FILING if chosen == S.V2026 else S.CANDIDATE
    stage, status = rules.derive_status(facts.numbers, facts.outcome, candidate_step=candidate_step)
    record.stage, record.status = stage, status
    record.last_step = max(facts.numbers, default=0)

    def date_of(n: int) -> dt.date | None:
        s = facts.last(n)
        return s.date if s else None

    record.applied_on = date_of(S.APPLICATION)
    record.activist_on = date_of(S.ACTIVIST)
    record.candidate_on = date_of(candidate_step)
    record.admitted_on = date_of(S.ADMISSION_MEETING)
    record.approved_on = date_of(S.ADMISSION_APPROVAL)
    probation = rules.probation_end(facts)
    record.probation_ends_on = probation if S.ADMISSION_APPROVAL in facts.numbers else None
    record.converted_on = probation if S.CONVERSION_APPROVAL in facts.numbers else None
    record.version += 1
    record.save(update_fields=["stage", "status", "last_step", "applied_on", "activist_on", "candidate_on", "admitted_on",
                               "approved_on", "probation_ends_on", "converted_on", "version", "updated_at"])  # fmt: skip


def _validate_phone(errors: FieldErrors, phone: str) -> str:
    phone = "".join((phone or "").split())
    if phone and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
        errors.add("phone", PHONE_FORMAT)
    return phone


def _validate_personal(errors: FieldErrors, values: Mapping[str, Any], today: dt.date) -> None:
    if "name" in values and not (values["name"] or "").strip():
        errors.add("name", NAME_REQUIRED)
    for f, (choices, label) in CHOICES.items():
        if f in values and values[f] not in dict(choices):
            errors.add(f, CHOICE_INVALID.format(value=values[f], field=label))
    birth = values.get("birth_date")
    if birth and birth > today:
        errors.add("birth_date", member_rules.FUTURE_DATE.format(date=today))


def _plain_details(details: Mapping[str, Any]) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, Mapping):
            return {k: plain(x) for k, x in v.items()}
        return v

    return {k: plain(v) for k, v in details.items()}


def _validate_step_input(errors: FieldErrors, s: StepIn) -> None:
    if s.number not in S.BY_NUMBER:
        errors.add("number", STEP_NUMBER)
        return
    step = S.get(s.number)
    for key in s.details:
        if key not in step.details:
            errors.add("details", DETAIL_UNKNOWN.format(n=s.number, key=key))
    for p in s.people:
        if p.role not in (*step.people, S.RESPONSIBLE):
            errors.add("people", ROLE_INVALID.format(n=s.number, role=S.ROLE_LABELS.get(p.role, p.role)))
        elif p.member is None and not p.name.strip():
            errors.add("people", PERSON_NAME.format(role=S.ROLE_LABELS[p.role]))
    if s.vote is not None and not step.has_vote:
        errors.add("vote", VOTE_NOT_HERE.format(n=s.number))
    if s.vote is not None:
        for m in rules.vote_errors(s.vote.facts()):
            errors.add("vote", m)
        # The branch meeting's vote is the step itself (probation runs from its date, R1.20); a committee's
        # vote (steps 17, 24) is held on or before the approval it decides.
        when = s.vote.meeting_date
        if when is not None and s.number in (S.ADMISSION_MEETING, S.CONVERSION_MEETING) and when != s.date:
            errors.add("vote", VOTE_DATE_MEETING.format(date=s.date))
        elif when is not None and when > s.date:
            errors.add("vote", VOTE_DATE_AFTER.format(date=s.date))
    if s.approving_org is not None and not step.needs_approving_org:
        errors.add("approving_org", APPROVING_ORG_NOT_HERE.format(n=s.number))
    result = s.details.get("approval_result")
    if s.number in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL) and result not in (None, rules.APPROVED):
        errors.add("details", APPROVAL_REJECTED)
    pre = s.details.get("pre_review_result")
    if pre is not None and pre not in ("passed", "failed"):
        errors.add("details", RESULT_INVALID.format(value=pre, field="预审意见"))
    conclusion = s.details.get("review_conclusion")
    if conclusion is not None and conclusion not in (rules.QUALIFIED, rules.UNQUALIFIED):
        errors.add("details", RESULT_INVALID.format(value=conclusion, field="政治审查结论"))


def _step_facts(record: DevelopmentRecord | None, s: StepIn) -> rules.StepFacts:
    members = [p.member.pk for p in s.people if p.member is not None]
    statuses = member_statuses(members, s.date) if members else {}
    people = tuple(rules.Person(p.role, p.member.name if p.member else p.name.strip(), p.member.pk if p.member else None,
                                statuses.get(p.member.pk) if p.member else None, p.under_party_probation,
                                p.correction_ordered) for p in s.people)  # fmt: skip
    vote = None
    if s.vote is not None:
        branch_meeting = s.number in (S.ADMISSION_MEETING, S.CONVERSION_MEETING)
        roster = full_members_on(record.org, s.vote.meeting_date or s.date) if branch_meeting and record else None
        vote = s.vote.facts(roster_full=roster)
    return rules.StepFacts(number=s.number, date=s.date, details=_plain_details(s.details), people=people,
                           approving_org=org_facts(s.approving_org) if s.approving_org else None, vote=vote)


def _evaluate(record: DevelopmentRecord, s: StepIn, today: dt.date) -> tuple[rules.RecordFacts, list[rules.RuleResult]]:
    facts = record_facts(record)
    results = rules.check_step(facts, _step_facts(record, s), today=today, params=params.current())
    return facts, results


def _step_write(actor: User | None, record: DevelopmentRecord, s: StepIn, version: str) -> Step:
    step = Step.objects.create(
        record=record, number=s.number, date=s.date, rules_version=version, approving_org=s.approving_org,
        outcome=s.outcome[:200], notes=s.notes, details=_plain_details(s.details), county=record.county, recorded_by=actor,
    )  # fmt: skip
    for p in s.people:
        StepPerson.objects.create(step=step, role=p.role, member=p.member, name=(p.member.name if p.member else p.name.strip())[:50],
                                  position=p.position[:100], under_party_probation=p.under_party_probation,
                                  correction_ordered=p.correction_ordered)  # fmt: skip
    if s.vote is not None:
        _vote_write(s.vote, step=step, date=s.date,
                    kind=Vote.COMMITTEE if s.number in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL) else Vote.BRANCH_MEETING)
    return step


def _vote_write(v: VoteIn, *, step: Step | None, date: dt.date, kind: str) -> Vote:
    result = rules.vote_result(v.facts())
    return Vote.objects.create(
        step=step, kind=kind, meeting_date=v.meeting_date or date, should_attend_total=v.should_attend_total,
        exclusions=[{"name": e.name, "category": e.category, "approved_by_higher": e.approved_by_higher,
                     "approved_by_meeting": e.approved_by_meeting} for e in v.exclusions],
        present=v.present, written_opinions=v.written_opinions, yes=v.yes, no=v.no, abstain=v.abstain,
        expected=result.expected, quorum_met=result.quorum_met, passed=result.passed,
    )  # fmt: skip


# --- records --------------------------------------------------------------------------------------------------


@transaction.atomic
def record_create(
    *,
    actor: User,
    org: Org,
    id_number: str,
    application: StepIn,
    phone: str = "",
    override_reason: str = "",
    today: dt.date | None = None,
    **personal: Any,
) -> DevelopmentRecord:
    """Open a development record with its first step (递交入党申请书). ``personal``: name, sex,
    birth_date, ethnicity, education, occupation (codes.PERSONNEL_CATEGORY), unit_name, job,
    leaving_unit_on. The ID number must agree with the birth date and sex; one open record per person,
    and nobody who is already a member."""
    today = today or timezone.localdate()
    _check_writable(actor, org)
    unknown = set(personal) - set(RECORD_PERSONAL)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    errors = FieldErrors()
    _validate_personal(errors, personal, today)
    for f in ("name", "sex", "birth_date", "education", "occupation"):
        if not personal.get(f):
            errors.add(f, "请填写此项。")
    phone = _validate_phone(errors, phone)
    info = None
    try:
        info = idnumbers.parse(id_number)
    except idnumbers.IdNumberError as exc:
        errors.add("id_number", str(exc))
    else:
        for m in idnumbers.check_agrees(info, birth_date=personal.get("birth_date"), sex=personal.get("sex")):
            errors.add("birth_date" if "出生" in m else "sex", m)
        key = crypto.keyed_hash(info.number)
        visible = scope_for(actor)
        open_ = DevelopmentRecord.objects.filter(id_number_hash=key).exclude(
            status__in=[rules.STOPPED, rules.CANCELLED]).select_related("org").first()
        if open_ is not None:
            errors.add("id_number", OPEN_RECORD_EXISTS.format(where=open_.org.name if visible.contains_path(open_.org.path) else "其他党组织"))
        member = Member.objects.filter(id_number_hash=key).select_related("org").first()
        if member is not None and member.status not in member_rules.REJOIN_AFTER:
            where = member.org.name if member.org and visible.contains_path(member.org.path) else "其他党组织"
            errors.add("id_number", ALREADY_MEMBER.format(where=where))
    if org.org_type not in HOLDS_RECORDS:
        errors.add("org", ORG_NOT_BRANCH.format(type=TYPE_LABELS.get(org.org_type, org.org_type)))
    if org.dissolved_on is not None:
        errors.add("org", ORG_DISSOLVED.format(name=org.name))
    if application.number != S.APPLICATION:
        errors.add("number", FIRST_STEP)
    _validate_step_input(errors, application)
    if errors:
        raise ServiceError(errors)
    assert info is not None
    draft = DevelopmentRecord(birth_date=personal["birth_date"], org=org, leaving_unit_on=personal.get("leaving_unit_on"))
    facts = rules.RecordFacts(birth_date=draft.birth_date, branch=org_facts(org), leaving_unit_on=draft.leaving_unit_on)
    results = rules.check_step(facts, _step_facts(None, application), today=today, params=params.current())
    committee = approving_committee(draft) if rules.blocking(results) else None
    blocks = _resolve_blocks(actor, results, override_reason, committee)

    record = DevelopmentRecord.objects.create(
        **personal,
        id_number_enc=crypto.encrypt(info.number), id_number_hash=crypto.keyed_hash(info.number),
        id_number_masked=crypto.mask_id_number(info.number), phone_enc=crypto.encrypt(phone),
        phone_hash=crypto.keyed_hash(phone), phone_masked=crypto.mask_phone(phone), org=org, county=_county_of(org),
        created_by=actor,
    )  # fmt: skip
    step = _step_write(actor, record, application, rules.version_on(application.date, params.current()))
    _refresh_cache(record)
    birth = personal["birth_date"]
    audit_record(actor=actor, action="recruitment.record.create", org=org, target=record, changes={
        "name": [None, record.name], "id_number": [None, record.id_number_masked], "birth_date": [None, f"{birth.year}-**-**"],
        "step": [None, f"1 {S.label(1, step.rules_version)} {application.date}"],
    })  # fmt: skip
    _write_overrides(actor, record, blocks, override_reason, committee, step=step)
    return record


@transaction.atomic
def record_update(*, actor: User, record: DevelopmentRecord, version: int, phone: str | None = None,
                  today: dt.date | None = None, **personal: Any) -> DevelopmentRecord:
    """Edit personal fields (not the ID number or birth date, which the rules were judged on)."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org").get(pk=record.pk)
    _check_writable(actor, record.org)
    allowed = set(RECORD_PERSONAL) - {"birth_date"}
    unknown = set(personal) - allowed
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    if record.version != version:
        raise ConflictError
    errors = FieldErrors()
    _validate_personal(errors, personal, today)
    if phone is not None:
        phone = _validate_phone(errors, phone)
    if errors:
        raise ServiceError(errors)
    changes: dict[str, Any] = {}
    for k, v in personal.items():
        if getattr(record, k) != v:
            changes[k] = [getattr(record, k), v]
            setattr(record, k, v)
    if phone is not None and crypto.keyed_hash(phone) != record.phone_hash:
        changes["phone"] = [record.phone_masked, crypto.mask_phone(phone)]
        record.phone_enc, record.phone_hash, record.phone_masked = crypto.encrypt(phone), crypto.keyed_hash(phone), crypto.mask_phone(phone)
    record.version += 1
    record.save()
    audit_record(actor=actor, action="recruitment.record.update", org=record.org, target=record, changes=changes)
    return record


@transaction.atomic
def record_reveal(*, actor: User, record: DevelopmentRecord, field: str) -> str:
    """The full ID number or phone for a user whose scope holds the record; each view is audited."""
    if field not in ("id_number", "phone"):
        raise ValueError(field)
    if actor.role not in ORG_ROLES or not scope_for(actor).contains_path(record.org.path):
        raise NotPermitted
    value = crypto.decrypt(record.id_number_enc if field == "id_number" else record.phone_enc)
    audit_record(actor=actor, action=f"recruitment.reveal.{field}", org=record.org, target=record, reason="查看完整个人信息")
    return value


# --- steps ------------------------------------------------------------------------------------------------------


def check_step(*, actor: User, record: DevelopmentRecord, step: StepIn, today: dt.date | None = None) -> list[rules.RuleResult]:
    """The rule results of recording ``step`` (pass, warn, block), without saving anything. Input
    errors (unknown detail keys, impossible vote numbers...) raise ServiceError as step_record would."""
    today = today or timezone.localdate()
    if not scope_for(actor).contains_path(record.org.path):
        raise NotPermitted
    errors = FieldErrors()
    _validate_step_input(errors, step)
    if errors:
        raise ServiceError(errors)
    return _evaluate(record, step, today)[1]


def check_new_record(*, actor: User, org: Org, birth_date: dt.date, application: StepIn,
                     leaving_unit_on: dt.date | None = None, today: dt.date | None = None) -> list[rules.RuleResult]:
    """The rule results of opening a record with ``application`` (step 1), without saving anything."""
    today = today or timezone.localdate()
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted
    errors = FieldErrors()
    _validate_step_input(errors, application)
    if application.number != S.APPLICATION:
        errors.add("number", FIRST_STEP)
    _raise_errors(errors)
    facts = rules.RecordFacts(birth_date=birth_date, branch=org_facts(org), leaving_unit_on=leaving_unit_on)
    return rules.check_step(facts, _step_facts(None, application), today=today, params=params.current())


@transaction.atomic
def step_withdraw(*, actor: User, step: Step, reason: str, version: int | None = None) -> None:
    """Withdraw (撤销) the most recently recorded step of a record that was entered by mistake, so it
    can be recorded again correctly. Steps 17 and 24 wrote the member's roster events and cannot be
    withdrawn here. The step, its people and vote go; its documents stay on the record, its overrides
    stay with the step's number in their message; the audit log keeps what was withdrawn and why."""
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org").get(pk=step.record_id)
    _check_writable(actor, record.org)
    if version is not None and record.version != version:
        raise ConflictError
    step = Step.objects.get(pk=step.pk)
    latest = record.steps.order_by("-date", "-number", "-id").first()
    errors = FieldErrors()
    if not reason.strip():
        errors.add("reason", WITHDRAW_REASON)
    if latest is None or latest.pk != step.pk:
        errors.add("step", WITHDRAW_NOT_LAST.format(last=latest.number if latest else ""))
    if step.number in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL):
        errors.add("step", WITHDRAW_MEMBER_STEP.format(n=step.number))
    if record.outcomes.filter(kind__in=[rules.OUTCOME_STOPPED, rules.OUTCOME_CANCELLED]).exists():
        errors.add("step", rules.ENDED.format(status="终止"))
    _raise_errors(errors)
    label = f"{step.number} {step.label} {step.date}"
    for ov in step.overrides.all():
        ov.step = None
        ov.message = f"（已撤销的第{step.number}步）{ov.message}"[:500]
        ov.save(update_fields=["step", "message"])
    step.documents.update(step=None)
    Vote.objects.filter(step=step).delete()
    step.people.all().delete()
    step.delete()
    _refresh_cache(record)
    audit_record(actor=actor, action="recruitment.step.withdraw", org=record.org, target=record,
                 changes={"step": [label, None]}, reason=reason.strip())


@transaction.atomic
def step_record(*, actor: User, record: DevelopmentRecord, step: StepIn, override_reason: str = "",
                version: int | None = None, today: dt.date | None = None) -> Step:
    """Record one step after checking it against every rule of its date's version. Step 17 creates the
    probationary member; step 24 records the conversion (see the module docstring)."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update().get(pk=record.pk)
    _check_writable(actor, record.org)
    if version is not None and record.version != version:
        raise ConflictError
    errors = FieldErrors()
    _validate_step_input(errors, step)
    if errors:
        raise ServiceError(errors)
    facts, results = _evaluate(record, step, today)
    blocks = rules.blocking(results)
    committee = (step.approving_org if step.approving_org and step.approving_org.can_approve_probationary
                 else approving_committee(record)) if blocks else None  # fmt: skip
    blocks = _resolve_blocks(actor, results, override_reason, committee)
    if step.number == S.ADMISSION_APPROVAL:
        _precheck_admission(record)

    rv = rules.version_on(step.date, params.current())
    written = _step_write(actor, record, step, rv)
    if step.number == S.ADMISSION_APPROVAL:
        meeting = facts.last(S.ADMISSION_MEETING)
        assert meeting is not None
        record.member = member_services.member_create(
            actor=actor, org=record.org, id_number=crypto.decrypt(record.id_number_enc), phone=crypto.decrypt(record.phone_enc),
            first_event=member_rules.ADMITTED, date=meeting.date, today=today, via_development=True,
            note=f"发展党员：{step.date}经{step.approving_org.name if step.approving_org else '上级党委'}批准",
            name=record.name, sex=record.sex, birth_date=record.birth_date, ethnicity=record.ethnicity,
            education=record.education, personnel_category=record.occupation, job=record.job,
        )  # fmt: skip
        record.save(update_fields=["member"])
    elif step.number == S.CONVERSION_APPROVAL and record.member is not None:
        ends = rules.probation_end(facts)
        assert ends is not None
        member_services.member_add_event(actor=actor, member=record.member, via_development=True, kind=member_rules.CONVERTED, date=ends, today=today,
                                         note=f"发展党员：{step.date}经上级党委批准按期转正")  # fmt: skip
    _refresh_cache(record)
    audit_record(actor=actor, action="recruitment.step.record", org=record.org, target=record, changes={
        "step": [None, f"{step.number} {S.label(step.number, rv)}"], "date": [None, str(step.date)], "rules_version": [None, rv],
        "warnings": [None, [r.message for r in results if r.level == rules.WARN]],
    })  # fmt: skip
    _write_overrides(actor, record, blocks, override_reason, committee, step=written)
    return written


def _precheck_admission(record: DevelopmentRecord) -> None:
    # member_create refuses an existing ID number too, but only after this service has written; say it first.
    existing = Member.objects.filter(id_number_hash=record.id_number_hash).first()
    if existing is not None and existing.status not in member_rules.REJOIN_AFTER:
        raise ServiceError(ALREADY_MEMBER.format(where="其他党组织"), "id_number")


# --- notices and documents ----------------------------------------------------------------------------------------


@transaction.atomic
def notice_record(*, actor: User, record: DevelopmentRecord, kind: str, place: str, start: dt.date, end: dt.date,
                  objections: str = "", objection_count: int = 0, handling: str = "", objection_result: str = "none",
                  today: dt.date | None = None) -> PublicNotice:
    """A public notice (公示). Its working days are computed with China's holidays and make-up days; a
    period past the calendar's coverage is refused. A notice shorter than the county's local setting
    is recorded with a warning (R1.26); the development-target notice of 2026 is judged at step 8."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org").get(pk=record.pk)
    _check_writable(actor, record.org)
    errors = FieldErrors()
    if kind not in rules.NOTICE_KINDS:
        errors.add("kind", NOTICE_KIND.format(value=kind))
    if not place.strip():
        errors.add("place", NOTICE_PLACE)
    if end < start:
        errors.add("end", NOTICE_DATES)
    if start > today:
        errors.add("start", NOTICE_FUTURE_START.format(today=today))
    if start < record.birth_date:
        errors.add("start", rules.BEFORE_BIRTH.format(date=start, birth=record.birth_date))
    if objection_result not in rules.OBJECTION_RESULTS:
        errors.add("objection_result", RESULT_INVALID.format(value=objection_result, field="公示结果"))
    count = 0
    if not errors:
        results = rules.check_notice(rules.NoticeFacts(kind, start, end, objection_result), params=params.current())
        for r in results:
            if r.blocks and r.code == "R1.26" and not r.overridable:
                errors.add("end", r.message)
        if not errors:
            from dangjian.common import workdays

            count = workdays.workdays_between(start, end)
    if errors:
        raise ServiceError(errors)
    notice = PublicNotice.objects.create(
        record=record, kind=kind, place=place.strip()[:200], start=start, end=end, workdays=count, objections=objections,
        objection_count=max(int(objection_count or 0), 0), handling=handling, objection_result=objection_result,
        county=record.county, recorded_by=actor,
    )  # fmt: skip
    record.version += 1
    record.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="recruitment.notice.record", org=record.org, target=record, changes={
        "notice": [None, f"{rules.NOTICE_KINDS[kind]} {start}至{end}（{count}个工作日）"],
        "objection_result": [None, rules.OBJECTION_RESULTS[objection_result]]})  # fmt: skip
    return notice


@transaction.atomic
def notice_update(*, actor: User, notice: PublicNotice, version: int, objections: str, objection_count: int, handling: str,
                  objection_result: str) -> PublicNotice:
    """Record the objections received during a notice and their handling."""
    notice = PublicNotice.objects.select_for_update(of=("self",)).select_related("record__org").get(pk=notice.pk)
    _check_writable(actor, notice.record.org)
    if notice.version != version:
        raise ConflictError
    if objection_result not in rules.OBJECTION_RESULTS:
        raise ServiceError(RESULT_INVALID.format(value=objection_result, field="公示结果"), "objection_result")
    old = notice.objection_result
    notice.objections, notice.objection_count, notice.handling = objections, max(int(objection_count or 0), 0), handling
    notice.objection_result = objection_result
    notice.version += 1
    notice.save()
    audit_record(actor=actor, action="recruitment.notice.update", org=notice.record.org, target=notice.record,
                 changes={"objection_result": [rules.OBJECTION_RESULTS[old], rules.OBJECTION_RESULTS[objection_result]],
                          "objection_count": [None, notice.objection_count]})  # fmt: skip
    return notice


FILE_MAX_MB = 20


@transaction.atomic
def document_add(*, actor: User, record: DevelopmentRecord, kind: str, file: File, step: Step | None = None) -> Document:
    """An uploaded scan: an image (jpg/png/gif/webp) or pdf/docx/xlsx whose content really is that type
    (orglife.rules.check_upload), at most 20 MB."""
    record = DevelopmentRecord.objects.select_related("org").get(pk=record.pk)
    _check_writable(actor, record.org)
    errors = FieldErrors()
    if kind not in dict(Document.KIND_CHOICES):
        errors.add("kind", DOCUMENT_KIND.format(value=kind))
    if step is not None and step.record_id != record.pk:
        errors.add("step", DOCUMENT_STEP)
    name, size, head, zip_names = upload_facts(file)
    message = file_rules.check_upload(name=name, size=size, head=head, zip_names=zip_names, purpose=file_rules.ATTACHMENT,
                                      max_mb=FILE_MAX_MB)  # fmt: skip
    if message:
        errors.add("file", message)
    if errors:
        raise ServiceError(errors)
    doc = Document(record=record, step=step, kind=kind, original_name=name[:200], size=size,
                   file_type=file_rules.sniff_type(head, zip_names) or "", county=record.county, uploaded_by=actor)  # fmt: skip
    doc.file.save(name, file, save=False)
    doc.save()
    audit_record(actor=actor, action="recruitment.document.add", org=record.org, target=record,
                 changes={"document": [None, f"{doc.get_kind_display()}：{name}"]})
    return doc


# --- outcomes -----------------------------------------------------------------------------------------------------


def _raise_errors(errors: FieldErrors) -> None:
    if errors:
        raise ServiceError(errors)


@transaction.atomic
def outcome_stop(*, actor: User, record: DevelopmentRecord, date: dt.date, reason: str,
                 today: dt.date | None = None) -> Outcome:
    """终止发展 of an applicant, activist or development target (not after admission), with its reason."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org").get(pk=record.pk)
    _check_writable(actor, record.org)
    results = rules.check_stop(record_facts(record), date=date, reason=reason, today=today)
    if rules.blocking(results):
        raise RuleBlocked(results)
    outcome = Outcome.objects.create(record=record, kind=rules.OUTCOME_STOPPED, date=date, reason=reason.strip()[:500],
                                     county=record.county, recorded_by=actor)  # fmt: skip
    _refresh_cache(record)
    audit_record(actor=actor, action="recruitment.outcome.stopped", org=record.org, target=record,
                 changes={"status": [None, rules.STATUS_LABELS[rules.STOPPED]], "date": [None, str(date)]}, reason=outcome.reason)
    return outcome


def _outcome_votes(errors: FieldErrors, meeting_vote: VoteIn | None, committee_vote: VoteIn | None) -> None:
    for name, v in (("meeting_vote", meeting_vote), ("committee_vote", committee_vote)):
        if v is not None:
            for m in rules.vote_errors(v.facts()):
                errors.add(name, m)


@transaction.atomic
def outcome_extend(*, actor: User, record: DevelopmentRecord, meeting_date: dt.date, approved_on: dt.date, months: int,
                   reason: str, meeting_vote: VoteIn, approving_org: Org, committee_vote: VoteIn,
                   override_reason: str = "", today: dt.date | None = None) -> Outcome:
    """延长预备期 (R1.21): decided by the branch meeting on ``meeting_date``, approved by
    ``approving_org`` on ``approved_on``; records the member's PROBATION_EXTENDED event."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=record.pk)
    _check_writable(actor, record.org)
    errors = FieldErrors()
    if not months:
        errors.add("months", MONTHS_REQUIRED)
    if not reason.strip():
        errors.add("reason", rules.OUTCOME_REASON)
    _outcome_votes(errors, meeting_vote, committee_vote)
    _raise_errors(errors)
    facts = record_facts(record)
    roster = full_members_on(record.org, meeting_vote.meeting_date or meeting_date)
    results = rules.check_extension(
        facts, rules.ExtensionFacts(meeting_date, approved_on, months), vote=meeting_vote.facts(roster_full=roster),
        approving_org=org_facts(approving_org), committee_vote=committee_vote.facts(), today=today, params=params.current(),
    )  # fmt: skip
    committee = approving_org if rules.blocking(results) else None
    blocks = _resolve_blocks(actor, results, override_reason, committee)
    if facts.extensions and record.member is not None:
        # The roster's state machine (members.rules) allows one extension whatever the rule version;
        # say so before writing rather than failing inside member_add_event.
        raise ServiceError(member_rules.EXTENSION_TWICE, "months")
    outcome = Outcome.objects.create(
        record=record, kind=rules.OUTCOME_EXTENDED, date=meeting_date, approved_on=approved_on, approving_org=approving_org,
        months=months, reason=reason.strip()[:500], county=record.county, recorded_by=actor,
        meeting_vote=_vote_write(meeting_vote, step=None, date=meeting_date, kind=Vote.BRANCH_MEETING),
        committee_vote=_vote_write(committee_vote, step=None, date=approved_on, kind=Vote.COMMITTEE),
    )  # fmt: skip
    if record.member is not None:
        member_services.member_add_event(actor=actor, member=record.member, via_development=True, kind=member_rules.PROBATION_EXTENDED,
                                         date=approved_on, months=months, note=reason.strip()[:500], today=today)  # fmt: skip
    _refresh_cache(record)
    audit_record(actor=actor, action="recruitment.outcome.extended", org=record.org, target=record,
                 changes={"months": [None, months], "probation_ends_on": [None, str(record.probation_ends_on)]},
                 reason=outcome.reason)  # fmt: skip
    _write_overrides(actor, record, blocks, override_reason, committee, outcome=outcome)
    return outcome


@transaction.atomic
def outcome_cancel(*, actor: User, record: DevelopmentRecord, meeting_date: dt.date, approved_on: dt.date, reason: str,
                   meeting_vote: VoteIn, approving_org: Org, committee_vote: VoteIn, override_reason: str = "",
                   today: dt.date | None = None) -> Outcome:
    """取消预备党员资格 (R1.21): records the member's PROBATION_CANCELLED event; the record ends."""
    today = today or timezone.localdate()
    record = DevelopmentRecord.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=record.pk)
    _check_writable(actor, record.org)
    errors = FieldErrors()
    _outcome_votes(errors, meeting_vote, committee_vote)
    _raise_errors(errors)
    roster = full_members_on(record.org, meeting_vote.meeting_date or meeting_date)
    results = rules.check_cancellation(
        record_facts(record), meeting_date=meeting_date, approved_on=approved_on, reason=reason,
        vote=meeting_vote.facts(roster_full=roster), approving_org=org_facts(approving_org),
        committee_vote=committee_vote.facts(), today=today, params=params.current(),
    )  # fmt: skip
    committee = approving_org if rules.blocking(results) else None
    blocks = _resolve_blocks(actor, results, override_reason, committee)
    outcome = Outcome.objects.create(
        record=record, kind=rules.OUTCOME_CANCELLED, date=meeting_date, approved_on=approved_on, approving_org=approving_org,
        reason=reason.strip()[:500], county=record.county, recorded_by=actor,
        meeting_vote=_vote_write(meeting_vote, step=None, date=meeting_date, kind=Vote.BRANCH_MEETING),
        committee_vote=_vote_write(committee_vote, step=None, date=approved_on, kind=Vote.COMMITTEE),
    )  # fmt: skip
    if record.member is not None:
        member_services.member_add_event(actor=actor, member=record.member, via_development=True, kind=member_rules.PROBATION_CANCELLED,
                                         date=approved_on, note=reason.strip()[:500], today=today)  # fmt: skip
    _refresh_cache(record)
    audit_record(actor=actor, action="recruitment.outcome.cancelled", org=record.org, target=record,
                 changes={"status": [None, rules.STATUS_LABELS[rules.CANCELLED]]}, reason=outcome.reason)
    _write_overrides(actor, record, blocks, override_reason, committee, outcome=outcome)
    return outcome


# --- plans --------------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_set(*, actor: User, org: Org, year: int, quota: int, note: str = "") -> DevelopmentPlan:
    """年度发展党员计划 of a township (or other committee): issued by an organization above it (the
    county), so the actor needs an assigned organization strictly above ``org``."""
    require_writer(actor)
    paths = scope_for(actor).paths
    if not any(org.path.startswith(p) and org.path != p for p in paths):
        raise NotPermitted
    errors = FieldErrors()
    if org.org_type not in PLAN_ORG_TYPES:
        errors.add("org", PLAN_ORG.format(type=TYPE_LABELS.get(org.org_type, org.org_type)))
    if isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= 100000:
        errors.add("quota", PLAN_QUOTA)
    if not 2000 <= int(year) <= 2100:
        errors.add("year", PLAN_YEAR)
    _raise_errors(errors)
    plan = DevelopmentPlan.objects.select_for_update().filter(org=org, year=year).first()
    old = plan.quota if plan else None
    if plan is None:
        plan = DevelopmentPlan(org=org, year=year, quota=quota, note=note[:500], county=_county_of(org), updated_by=actor)
    else:
        plan.quota, plan.note, plan.updated_by, plan.version = quota, note[:500], actor, plan.version + 1
    plan.save()
    audit_record(actor=actor, action="recruitment.plan.set", org=org, target=plan, changes={f"{year}年计划名额": [old, quota]})
    return plan


@transaction.atomic
def register_export(*, actor: User, org: Org, kind: str, full: bool = False,
                    today: dt.date | None = None) -> tuple[bytes, int]:
    """The register (花名册) ``kind`` of ``org``'s subtree as .xlsx, and its number of people. With
    ``full``, the full ID numbers and phones — an audit event in the same transaction, so a failed
    export leaves none behind."""
    from dangjian.recruitment import selectors
    from dangjian.recruitment.sheets import REGISTER_HEADERS, REGISTER_WIDTHS, Sheet

    today = today or timezone.localdate()
    if actor.role not in ORG_ROLES or not scope_for(actor).contains_path(org.path):
        raise NotPermitted
    title = selectors.REGISTERS[kind][1]
    sheet = Sheet(f"{org.name}{title}（{today:%Y年%m月%d日}）", title, REGISTER_HEADERS, REGISTER_WIDTHS)
    n = 0
    for n, r in enumerate(selectors.register(actor, org, kind).iterator(chunk_size=500), 1):
        id_number = crypto.decrypt(r.id_number_enc) if full else r.id_number_masked
        phone = (crypto.decrypt(r.phone_enc) if r.phone_enc else "") if full else r.phone_masked
        sheet.add([
            n, r.name, codes.label(codes.SEX, r.sex), id_number, r.birth_date.year,
            member_rules.age_on(r.birth_date, today), codes.label(codes.ETHNICITY, r.ethnicity),
            codes.label(codes.EDUCATION, r.education), codes.label(codes.PERSONNEL_CATEGORY, r.occupation),
            r.unit_name, phone, r.org.name, r.applied_on, r.activist_on, r.candidate_on, r.admitted_on,
            r.approved_on, r.probation_ends_on, f"{r.stage}. {S.STAGES[r.stage]}", rules.STATUS_LABELS[r.status],
        ])  # fmt: skip
    content = sheet.close()
    if full:
        audit_record(actor=actor, action="recruitment.export.full", org=org, target=org,
                     changes={"register": [None, title], "people": [None, n]},
                     reason="导出含完整公民身份号码和手机号码的发展党员花名册")  # fmt: skip
    return content, n

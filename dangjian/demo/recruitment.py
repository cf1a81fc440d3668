"""Membership development (发展党员) in the demo county: a pipeline of people at every stage, written
through ``dangjian.recruitment.services`` by the demo's county administrator, so every record is what
the pages would have written and every step passed the rules of its date (the 2014 细则 before the
county's 2026 effective date, the 2026 revision from it) — no RuleOverride is ever needed.

Application dates are spread evenly over the last three and a half years (with jitter) and each person
goes forward step by step with plausible gaps; a step whose date would fall after the demo's "today"
is where that person stands now. So the oldest applicants are archived members, the newest are
applicants, and everything in between is there: activists with half-yearly assessments, development
targets with sponsors (full members of the same branch), the 2026 development-target notice in working
days, pre-review, branch meetings that pass, approvals that create probationary members through the
real services, conversions and archiving. Planted on top: applicants whose talk is overdue (one in the
石门镇 demo branch, so its secretary's work queue has it), a few stopped developments and one extended
probation. Annual plans (quotas) go to every township for this year and last year.

Only the demo county gets this (the loader calls it for 清溪县 alone), so the city and province
benchmarks cost the same as before. Deterministic for a seed and a "today".

Cost: every step is a real ``step_record`` (rule checks, record facts, settings, audit), about 60 ms of
wall time a step on the shared 2-core machine; at county scale (20,000 members) the 110 records and
~1,600 steps add about 95 s under load (see ``record_count``, which caps the number for that reason).
The admitted people are real members, so the demo county's roster is the planned members plus them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dangjian.accounts.models import User
from dangjian.common import crypto, idnumbers, workdays
from dangjian.demo import county as cty
from dangjian.demo import names
from dangjian.demo.people import birthplace
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.rules import add_months, add_years
from dangjian.orgs.models import Org, OrgType
from dangjian.recruitment import params as rparams
from dangjian.recruitment import rules
from dangjian.recruitment import services as svc
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord
from dangjian.recruitment.services import PersonIn, StepIn, VoteIn

SPAN_DAYS = 1250  # application dates spread over the last ~3.4 years: the oldest are converted or archived by now
MIN_FULL = 5  # full members a branch needs for mentors, two sponsors and a quorate branch meeting
EDUCATION = ["bachelor", "bachelor", "college", "college", "secondary_vocational", "high_school", "master"]
OCCUPATION = ["farmer", "farmer", "worker", "professional", "manager", "official", "student", "other"]
STOP_REASONS = ["本人撤回入党申请", "考察期间表现不符合发展党员条件，经支部委员会研究终止培养",
                "外出务工长期不在本地，无法继续培养考察"]  # fmt: skip


@dataclass
class RecruitmentSummary:
    records: int = 0
    steps: int = 0
    notices: int = 0
    members: int = 0  # probationary members created by admission approvals
    stopped: int = 0
    extended: int = 0
    plans: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


# (days since application, step held at, then) — see load_recruitment
PLANTED: tuple[tuple[int, int | None, str], ...] = (
    (40, S.APPLICATION, ""), (55, S.APPLICATION, ""), (70, S.APPLICATION, ""),  # talk overdue (R1.3)
    (800, S.CENTRALIZED_TRAINING, ""),  # a development target
    (900, S.OATH, ""),  # a probationary member (or a target still, if the gaps were long)
    (1500, S.CONVERSION_APPROVAL, ""),  # converted, not yet archived
    (1600, None, ""),  # archived
    (150, S.TALK, "stop"), (400, S.ACTIVIST_TRAINING, "stop"),  # stopped before admission
    (1330, S.CONVERSION_APPLICATION, "extend"),  # probation extended six months
)


def record_count(members: int) -> int:
    """How many people are spread over the pipeline: one per 400 members, 24 to 50 (every step goes
    through the services and their rule checks, ~0.1 s a step on a quiet machine — see load_recruitment)."""
    return max(24, min(50, members // 400))


class _Stop(Exception):
    """The next step would fall after today, or the facts it needs are not there: the person stands here."""


class _Generator:
    def __init__(self, actor: User, county: Org, *, seed: int, today: dt.date) -> None:
        self.actor = actor
        self.county = county
        self.today = today
        self.rng = random.Random(f"{seed}:recruitment")
        self.params = rparams.current()
        self.summary = RecruitmentSummary()
        self.committees: dict[int, Org] = {}
        self.full_cache: dict[int, list[Member]] = {}
        self.filing_seq: dict[tuple[str, int], int] = {}
        self.hold: int | None = None  # the step a planted person stops at

    # --- helpers ------------------------------------------------------------------------------------------
    def days(self, d: dt.date, lo: int, hi: int) -> dt.date:
        out = d + dt.timedelta(days=self.rng.randint(lo, hi))
        if out > self.today:
            raise _Stop
        return out

    def doc_number(self, kind: str, year: int) -> str:
        n = self.filing_seq.get((kind, year), 0) + 1
        self.filing_seq[(kind, year)] = n
        return f"{cty.COUNTY_SHORT}{kind}〔{year}〕{n:03d}号"

    def id_number(self, birth: dt.date, sex: str) -> str:
        code = birthplace(cty.COUNTY_CODE_HISTORY, birth.year) or cty.COUNTY_CODE
        # The planner counts its sequences up from 0; these count down from 499 and skip any taken.
        for seq in range(499, 0, -1):
            number = idnumbers.make(code, birth, seq, sex)
            key = crypto.keyed_hash(number)
            if not Member.objects.filter(id_number_hash=key).exists() and \
                    not DevelopmentRecord.objects.filter(id_number_hash=key).exists():
                return number
        raise RuntimeError(f"no ID number left for {birth}")

    def full_members(self, branch: Org) -> list[Member]:
        if branch.pk not in self.full_cache:
            self.full_cache[branch.pk] = list(Member.objects.filter(org=branch, status=member_rules.FULL)
                                              .order_by("converted_on", "pk"))  # fmt: skip
        return self.full_cache[branch.pk]

    def full_on(self, branch: Org, date: dt.date, k: int) -> list[Member]:
        """``k`` members of the branch who were full members on ``date`` (mentors, sponsors)."""
        pool = [m for m in self.full_members(branch) if m.converted_on is not None and m.converted_on < date]
        statuses = svc.member_statuses([m.pk for m in pool], date)
        pool = [m for m in pool if statuses.get(m.pk) == member_rules.FULL]
        if len(pool) < k:
            raise _Stop
        return self.rng.sample(pool, k)

    def branch_vote(self, branch: Org, date: dt.date) -> VoteIn:
        roster = svc.full_members_on(branch, date)
        if roster < 1:
            raise _Stop
        present = roster - self.rng.randint(0, (roster - 1) // 3)
        return VoteIn(should_attend_total=roster, present=present, yes=present)

    def committee_vote(self) -> VoteIn:
        size = self.rng.choice([7, 9])
        present = size - self.rng.randint(0, 2)
        return VoteIn(should_attend_total=size, present=present, yes=present)

    def committee(self, record: DevelopmentRecord) -> Org:
        if record.org_id not in self.committees:
            c = svc.approving_committee(record)
            assert c is not None, record.org
            self.committees[record.org_id] = c
        return self.committees[record.org_id]

    def step(self, record: DevelopmentRecord, s: StepIn) -> None:
        # No override reason: a step the rules block raises RuleBlocked and the demo fails loudly.
        svc.step_record(actor=self.actor, record=record, step=s, today=self.today)
        self.summary.steps += 1
        if s.number == self.hold:
            raise _Stop

    # --- one person -----------------------------------------------------------------------------------------
    def person(self, branch: Org, applied: dt.date, *, talk: bool = True,
               hold: int | None = None) -> tuple[DevelopmentRecord, dt.date]:
        rng = self.rng
        self.hold = hold
        sex = "1" if rng.random() < 0.62 else "2"
        age = rng.choice([19, 21, 23, 25, 27, 29, 31, 34, 37, 42])
        birth = dt.date(applied.year - age, rng.randint(1, 12), rng.randint(1, 28))
        occupation = rng.choice(OCCUPATION)
        record = svc.record_create(
            actor=self.actor, org=branch, id_number=self.id_number(birth, sex), phone=names.mobile(rng),
            today=self.today, name=names.person_name(rng, sex, birth.year), sex=sex, birth_date=birth,
            education=rng.choice(EDUCATION), occupation=occupation,
            unit_name="" if occupation in ("farmer", "student") else branch.name.removesuffix("党支部").removeprefix("中共"),
            application=StepIn(S.APPLICATION, applied, details={"received_by": branch.name}),
        )  # fmt: skip
        self.summary.records += 1
        self.summary.steps += 1
        last = applied
        if not talk:
            return record, last
        try:
            last = self.pipeline(record, branch, applied)
        except _Stop:
            last = max(s.date for s in record.steps.all())
        record.refresh_from_db()  # the services wrote the cached stage and status on their own copy
        return record, last

    def pipeline(self, record: DevelopmentRecord, branch: Org, applied: dt.date) -> dt.date:
        """Steps 2-25 from ``applied`` on, as far as today allows. Returns the last date written."""
        d = self.days(applied, 7, 26)
        secretary = branch.secretary_name or "党支部书记"
        self.step(record, StepIn(S.TALK, d, people=[PersonIn(S.TALKER, name=secretary, position="党支部书记")],
                                 details={"talk_content": "了解入党动机和对党的认识，介绍党的基本知识"}))  # fmt: skip
        activist = d = self.days(d, 45, 170)
        self.step(record, StepIn(S.ACTIVIST, d, details={"nominated_by": "党员推荐", "decided_by": "支委会"}))
        committee = self.committee(record)
        d = self.days(d, 3, 12)
        self.step(record, StepIn(S.ACTIVIST_FILING, d, approving_org=committee,
                                 details={"filing_number": self.doc_number("积备", d.year)}))  # fmt: skip
        d = self.days(d, 1, 10)
        mentors = self.full_on(branch, d, 2)
        self.step(record, StepIn(S.MENTORS, d, people=[PersonIn(S.MENTOR, member=m) for m in mentors]))
        # Half-yearly assessments (R1.7) until the branch committee lists the activist as a target,
        # after more than a year of training (R1.9).
        candidate_on = add_months(activist, self.rng.randint(12, 15)) + dt.timedelta(days=self.rng.randint(1, 20))
        t = activist
        while True:
            t = add_months(t, 4) + dt.timedelta(days=self.rng.randint(0, 40))
            if t >= candidate_on:
                break
            if t > self.today:
                raise _Stop
            self.step(record, StepIn(S.ACTIVIST_TRAINING, t, details={"assessment": self.rng.choice([
                "思想汇报按时，工作积极，考察合格", "学习认真，能发挥先锋作用", "群众评价较好，继续培养"])}))
            d = t
        if candidate_on > self.today:
            raise _Stop
        d = candidate_on
        self.step(record, StepIn(S.CANDIDATE, d, details={"committee_opinion": "培养考察一年以上，符合条件，同意列为发展对象"}))
        d = self.candidate_filing(record, d, committee)
        d = self.days(d, 2, 10)
        sponsors = self.full_on(branch, d, 2)
        self.step(record, StepIn(S.SPONSORS, d, people=[PersonIn(S.SPONSOR, member=m) for m in sponsors]))
        d = self.days(d, 10, 35)
        self.step(record, StepIn(S.POLITICAL_REVIEW, d, details={
            "review_conclusion": rules.QUALIFIED, "review_summary": "经函调和本人谈话，政治历史清白，现实表现良好"}))
        d = self.days(d, 5, 30)
        self.step(record, StepIn(S.CENTRALIZED_TRAINING, d, details={
            "training_name": f"{d.year}年发展对象培训班", "training_days": 3, "training_hours": 24,
            "certificate": self.doc_number("训", d.year)}))
        d = self.days(d, 3, 15)
        self.step(record, StepIn(S.COMMITTEE_REVIEW, d, details={"committee_opinion": "材料齐全，同意报上级党委预审"}))
        d = pre = self.days(d, 3, 15)
        self.step(record, StepIn(S.PRE_REVIEW, d, approving_org=committee, details={"pre_review_result": "passed"}))
        d = self.days(d, 2, 8)
        self.step(record, StepIn(S.APPLICATION_FORM, d, details={"form_number": self.doc_number("志", d.year)}))
        # 2026: the branch meeting within a month of the pre-review (R1.14).
        d = min(self.days(d, 3, 12), pre + dt.timedelta(days=28))
        self.step(record, StepIn(S.ADMISSION_MEETING, d, vote=self.branch_vote(branch, d)))
        meeting = d
        d = self.days(d, 5, 20)
        self.step(record, StepIn(S.APPROVAL_TALK, d, people=[PersonIn(S.TALKER, name=names.person_name(
            self.rng, "1", 1975), position="组织员")], details={"talker_position": "组织员",
                                                             "talk_content": "审批前谈话，了解入党动机和对党的认识"}))
        d = approved = self.days(d, 7, 35)
        self.step(record, StepIn(S.ADMISSION_APPROVAL, d, approving_org=committee, vote=self.committee_vote(),
                                 details={"approval_result": rules.APPROVED}))
        self.summary.members += 1
        d = self.days(d, 3, 15)
        self.step(record, StepIn(S.ADMISSION_FILING, d, details={"filing_number": self.doc_number("组备", d.year)}))
        d = self.days(d, 1, 5)
        self.step(record, StepIn(S.ASSIGNMENT, d, details={"group_name": self.rng.choice(["第一党小组", "第二党小组"])}))
        d = min(self.days(d, 1, 12), approved + dt.timedelta(days=28))
        self.step(record, StepIn(S.OATH, d, details={"oath_place": f"{branch.short_name or branch.name}党员活动室"}))
        ends = add_years(meeting, 1)
        t = d
        while True:
            t = add_months(t, 3) + dt.timedelta(days=self.rng.randint(0, 30))
            if t >= ends - dt.timedelta(days=20):
                break
            if t > self.today:
                raise _Stop
            self.step(record, StepIn(S.PROBATION_EDUCATION, t, details={"assessment": self.rng.choice([
                "预备期表现良好，按时参加组织生活", "能履行党员义务，继续教育考察", "思想汇报按时，群众反映好"])}))
            d = t
        d = max(d, ends - dt.timedelta(days=self.rng.randint(5, 18)))
        if d > self.today:
            raise _Stop
        self.step(record, StepIn(S.CONVERSION_APPLICATION, d, details={"written": True}))
        d = self.days(ends, 0, 15)
        self.step(record, StepIn(S.CONVERSION_MEETING, d, details={"decision": "convert"}, vote=self.branch_vote(branch, d)))
        d = self.days(d, 7, 40)
        self.step(record, StepIn(S.CONVERSION_APPROVAL, d, approving_org=committee, vote=self.committee_vote(),
                                 details={"approval_result": rules.APPROVED}))
        d = self.days(d, 20, 120)
        self.step(record, StepIn(S.ARCHIVING, d, details={
            "archive_number": self.doc_number("档", d.year), "archived_items": "入党申请书、志愿书、政审材料、转正申请等"}))
        return d

    def candidate_filing(self, record: DevelopmentRecord, listed: dt.date, committee: Org) -> dt.date:
        """Step 8: filed (2014); or under 2026 agreed by the committee, noticed for the county's number
        of working days, and recorded after the notice ended (R1.9)."""
        d = self.days(listed, 3, 10)
        if rules.version_on(d, self.params) == S.V2014:
            self.step(record, StepIn(S.CANDIDATE_FILING, d, approving_org=committee,
                                     details={"filing_number": self.doc_number("发备", d.year)}))  # fmt: skip
            return d
        agreed = d
        try:
            start = workdays.add_workdays(agreed, 1)
            end = workdays.notice_end(start, self.params.candidate_notice_workdays)
        except workdays.CalendarNotCovered:
            raise _Stop from None  # no holiday calendar for that year yet: the notice cannot be counted
        if start > self.today:
            raise _Stop
        svc.notice_record(actor=self.actor, record=record, kind="candidate", place=f"{record.org.name}党务公开栏",
                          start=start, end=end, today=self.today)  # fmt: skip
        self.summary.notices += 1
        d = self.days(end, 1, 5)
        self.step(record, StepIn(S.CANDIDATE_FILING, d, approving_org=committee, details={
            "filing_number": self.doc_number("发备", d.year), "agreed_on": agreed}))
        return d

    # --- outcomes ---------------------------------------------------------------------------------------------
    def stop(self, record: DevelopmentRecord, last: dt.date) -> bool:
        date = max(last, min(last + dt.timedelta(days=self.rng.randint(10, 60)), self.today))
        svc.outcome_stop(actor=self.actor, record=record, date=date, reason=self.rng.choice(STOP_REASONS), today=self.today)
        self.summary.stopped += 1
        return True

    def extend(self, record: DevelopmentRecord, branch: Org) -> bool:
        """延长预备期 six months, decided at the end of probation (R1.21)."""
        ends = record.probation_ends_on
        last = max(s.date for s in record.steps.all())
        if ends is None or S.CONVERSION_MEETING in set(record.steps.values_list("number", flat=True)):
            return False
        meeting = max(ends, last) + dt.timedelta(days=self.rng.randint(1, 7))
        approved = meeting + dt.timedelta(days=self.rng.randint(7, 20))
        if approved > self.today:
            return False
        svc.outcome_extend(
            actor=self.actor, record=record, meeting_date=meeting, approved_on=approved, months=6,
            reason="预备期内组织纪律观念不强，需要继续教育考察", meeting_vote=self.branch_vote(branch, meeting),
            approving_org=self.committee(record), committee_vote=self.committee_vote(), today=self.today,
        )  # fmt: skip
        self.summary.extended += 1
        return True


def _branches(county: Org, first: list[Org], wanted: int) -> list[Org]:
    """Branches with enough full members for mentors, sponsors and a meeting: ``first`` (the demo
    accounts' branches) and then the largest ones, in a stable order."""
    from django.db.models import Count, Q

    rows = (Org.objects.filter(county=county, org_type__in=[OrgType.BRANCH, OrgType.JOINT_BRANCH], dissolved_on__isnull=True)
            .annotate(full=Count("members", filter=Q(members__status=member_rules.FULL)))
            .filter(full__gte=MIN_FULL).order_by("-full", "path"))  # fmt: skip
    out = [o for o in first if o is not None]
    for o in rows:
        if len(out) >= wanted:
            break
        if o.pk not in {x.pk for x in out}:
            out.append(o)
    return out


def load_recruitment(*, actor: User, county: Org, members: int, seed: int, today: dt.date,
                     account_branches: list[Org], out: Callable[[str], None] = print) -> RecruitmentSummary:
    """Write the demo county's development records and plans (see the module docstring)."""
    started, cpu = time.perf_counter(), time.process_time()
    g = _Generator(actor, county, seed=seed, today=today)
    rng = g.rng
    n = record_count(members)
    branches = _branches(county, account_branches, max(len(account_branches), n // 4))
    if branches:
        # Evenly spread application dates (every stage gets people), jittered; branches in turn.
        step = SPAN_DAYS / n
        dates = [today - dt.timedelta(days=int(step * k + rng.uniform(0, step)) + 5) for k in range(n)]
        dates.sort()
        for k, applied in enumerate(dates):
            g.person(branches[k % len(branches)], applied)
        # Planted, whatever the spread gave (application dates far enough back for the held step to be
        # reached whatever the random gaps): each stage for sure, stopped developments, an extension.
        for k, (days_ago, hold, then) in enumerate(PLANTED):
            branch = branches[k % len(branches)]
            record, last = g.person(branch, today - dt.timedelta(days=days_ago + rng.randint(0, 30)),
                                    talk=hold != S.APPLICATION, hold=hold)
            if then == "stop":
                g.stop(record, last)
            elif then == "extend":
                g.extend(record, branch)
    for township in Org.objects.filter(county=county, org_type=OrgType.TOWNSHIP_COMMITTEE,
                                       dissolved_on__isnull=True).order_by("path"):  # fmt: skip
        for year in (today.year - 1, today.year):
            svc.plan_set(actor=actor, org=township, year=year, quota=rng.randint(6, 24),
                         note=f"{year}年度发展党员计划")
            g.summary.plans += 1
    s = g.summary
    s.by_status = _status_counts(county)
    s.seconds, s.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    out(f"  发展党员：{s.records} 条记录、{s.steps} 个步骤、{s.notices} 次公示，接收预备党员 {s.members} 名，"
        f"终止发展 {s.stopped} 名，延长预备期 {s.extended} 名，年度计划 {s.plans} 条"
        f"（{s.seconds:.1f} 秒，CPU {s.cpu_seconds:.1f} 秒）")
    return s


def _status_counts(county: Org) -> dict[str, int]:
    from django.db.models import Count

    rows = DevelopmentRecord.objects.filter(county=county).values("status").annotate(n=Count("id"))
    return {rules.STATUS_LABELS[r["status"]]: r["n"] for r in rows}

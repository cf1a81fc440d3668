"""Supervision and assessment (督办、考核、积分与评星定级、软弱涣散整顿) in the demo county, written through
the four apps' services by the demo's accounts, so every record is what the pages would have written
and every number on those pages traces back to records. Deterministic for a seed and a "today".

Dates in the past are reached by passing the services an earlier ``today`` (the day the thing was
done), never by writing models directly: a task whose deadline has passed was issued when that
deadline still lay ahead.

- 督办: last year's yearly task (feeding last year's assessment); this quarter's work: a quarterly
  recurring task started last quarter (so last quarter's items are accepted on time, accepted late,
  returned, overdue or submitted late; this quarter's period runs) and a one-off task due in three days,
  cascaded by 石门镇 to its villages with an earlier, passed deadline (its light turns red with theirs)
  and by 凤岗街道 with the same one — green, amber and red on both boards, items in the work queues of
  the county administrator (review; escalated as 包联领导), both demo townships and both demo branches.
- 考核: last year's township scheme in 揭东's shape (3 areas, 19 sub-items, 100 points; every scoring
  method and all three sources: platform monitoring, inspection, report-and-evaluation votes) run to
  the end — self-assessment, review with adjustments, inspections, evaluation, final scores, published
  ranking, archived — and this year's copy active, part-way through.
- 积分: the county's E6.1 scheme for last year and its copy for this year (plus two county items whose
  record is the branch's own roll, so no evidence file is needed); meetings recorded in a few branches
  (the demo accounts' first) so their members are credited automatically for the last two quarters;
  manual entries approved and pending; the last quarter's posting with one objection; last year's
  member stars; branch star ratings (last year final, this year open).
- 软弱涣散: last year's nominated cases rectified and accepted (one failed first, passed later); this
  year's candidates found by the scan over the records (planted facts: secretaries who left months ago,
  satisfaction surveys below 60%), a handful confirmed with plans (四定一包), milestones and progress,
  one left for the county to decide, and a manual nomination. The demo county declares its development
  records complete from this year (``rectification.development_records_from_year``, as the loader sets
  the organizational-life records-start month): the demo holds development records for a few branches
  only, and without it "no development target for 2 years" would flag nearly every village.

Cost: about 18 s of wall time (10 s CPU) at county scale (20,000 members) on the shared 2-core machine
(31 s once under heavier load), mostly the services' own checks. The numbers of tasks, branches with
meetings and stars, and cases are fixed; only those branches' rosters grow with the members asked for.

Running it twice is refused (``AlreadyLoaded``), before anything is written: the records would
otherwise be duplicated or refused half-way by the services' own uniqueness checks.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count

from dangjian.accounts.models import User
from dangjian.assessment import rules as arules
from dangjian.assessment import services as asvc
from dangjian.assessment.models import Node, Result, Scheme
from dangjian.common.scope import subtree_upper_bound
from dangjian.common.services import setting_update
from dangjian.members.rules import add_months
from dangjian.orglife import rules as orules
from dangjian.orglife import services as osvc
from dangjian.orglife.selectors import branch_roster
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.points import rules as prules
from dangjian.points import services as psvc
from dangjian.points.models import PointsEntry, PointsScheme
from dangjian.rectification import params as rparams
from dangjian.rectification import rules as rrules
from dangjian.rectification import services as rsvc
from dangjian.rectification.models import Case
from dangjian.supervision import rules as srules
from dangjian.supervision import services as ssvc
from dangjian.supervision.models import Item, Task

# The demo accounts this module acts as (dangjian.demo.accounts); missing ones fall back to the admin.
TOWNSHIP_A, TOWNSHIP_B = "石门镇", "凤岗街道"
USERS = ("shimen_zuzhi", "shimen_shuji", "shimen_dangyuan", "fenggang_zuzhi", "fenggang_shuji", "ducha")

RETURN_REASONS = ("佐证材料不全，缺少会议记录和现场照片，请补充后重新报送。",
                  "报送内容与规定动作不对应，请逐项说明完成情况。",
                  "照片未体现活动主题，签到表缺失，请补充。")  # fmt: skip
SUBMIT_TEXTS = ("已按规定动作逐项落实，召开专题会议研究部署，附会议纪要和工作台账。",
                "已完成全部规定动作，相关台账已归档，现报送完成情况。",
                "已组织开展并形成书面总结，报送佐证材料清单。")  # fmt: skip
PROGRESS_TEXTS = ("已召开党委会专题部署，明确责任人，正在推进。", "已完成过半，剩余事项本月内完成。",
                  "已下发工作通知，各村（社区）正在落实。")  # fmt: skip


class AlreadyLoaded(RuntimeError):
    """The demo county already has supervision, assessment, points or rectification records."""


@dataclass
class OversightSummary:
    tasks: int = 0
    items: int = 0
    lights: dict[str, int] = field(default_factory=dict)  # this quarter's tasks, on the board today
    schemes: int = 0
    published_results: int = 0
    inspections: int = 0
    evaluations: int = 0
    meetings: int = 0
    credited: int = 0
    manual_entries: int = 0
    postings: int = 0
    objections: int = 0
    member_ratings: int = 0
    branch_ratings: int = 0
    candidates: int = 0
    confirmed: int = 0
    accepted: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds of each part


def quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def check_not_loaded(county: Org) -> None:
    """Refuse a second run (see the module text)."""
    if (Task.objects.filter(county=county).exists() or Scheme.objects.filter(county=county).exists()
            or PointsScheme.objects.filter(county=county).exists() or Case.objects.filter(county=county).exists()):
        raise AlreadyLoaded(f"{county.name}已有督办、考核、积分或整顿记录，示范数据不重复载入。")


class _Generator:
    def __init__(self, actor: User, county: Org, *, seed: int, today: dt.date) -> None:
        self.admin = actor
        self.county = county
        self.today = today
        self.year = today.year
        self.rng = random.Random(f"{seed}:oversight")
        self.s = OversightSummary()
        users = {u.username: u for u in User.objects.filter(username__in=USERS, is_active=True)}
        self.users: dict[str, User | None] = {name: users.get(name) for name in USERS}
        self.homes: dict[str, Org | None] = {
            name: (u.orgs.order_by("path").first() if u is not None else None) for name, u in self.users.items()}
        self.townships = list(Org.objects.filter(county=county, org_type=OrgType.TOWNSHIP_COMMITTEE,
                                                 dissolved_on__isnull=True).order_by("path"))  # fmt: skip
        # The demo townships first, so the demo accounts get the planted states.
        first = [t for name in (TOWNSHIP_A, TOWNSHIP_B) for t in self.townships if name in t.name]
        self.townships = first + [t for t in self.townships if t not in first]

    # --- helpers -------------------------------------------------------------------------------------------
    def on(self, d: dt.date) -> dt.date:
        """A day the thing was done: never after today."""
        return min(d, self.today)

    def user(self, name: str) -> User:
        return self.users.get(name) or self.admin

    def home(self, name: str) -> Org | None:
        return self.homes.get(name)

    def handler(self, org: Org) -> User:
        """Who acts for a receiving organization: its demo account if it has one, else the administrator
        (who may act for a village without an account)."""
        for name in ("shimen_zuzhi", "fenggang_zuzhi", "shimen_shuji", "fenggang_shuji"):
            home = self.home(name)
            if home is not None and home.pk == org.pk:
                return self.user(name)
        return self.admin

    def branches_of(self, township: Org, n: int, first: Org | None = None) -> list[Org]:
        rows = list(Org.objects.filter(path__gt=township.path, path__lt=subtree_upper_bound(township.path),
                                       depth=township.depth + 1, org_type__in=org_rules.HOLDS_MEMBERS,
                                       dissolved_on__isnull=True).order_by("path"))  # fmt: skip
        if first is not None and first.path.startswith(township.path):
            rows = [first] + [o for o in rows if o.pk != first.pk]
        return rows[:n]

    # === 督办 ===============================================================================================
    def item(self, task: Task, org: Org, period: str = "") -> Item:
        return Item.objects.get(task=task, receiver_org=org, period=period)

    def ack(self, item: Item, d: dt.date) -> None:
        ssvc.item_acknowledge(actor=self.handler(item.receiver_org), item=item, today=self.on(d))

    def progress(self, item: Item, d: dt.date) -> None:
        ssvc.item_progress(actor=self.handler(item.receiver_org), item=item, text=self.rng.choice(PROGRESS_TEXTS),
                           today=self.on(d))

    def submit(self, item: Item, d: dt.date) -> None:
        ssvc.item_submit(actor=self.handler(item.receiver_org), item=item, text=self.rng.choice(SUBMIT_TEXTS),
                         today=self.on(d))

    def reviewer(self, item: Item) -> User:
        issuer = Task.objects.get(pk=item.task_id).issuer
        return self.admin if issuer.pk == self.county.pk else self.handler(issuer)

    def accept(self, item: Item, d: dt.date) -> None:
        ssvc.item_accept(actor=self.reviewer(item), item=item, text="材料齐全，验收通过。", today=self.on(d))

    def send_back(self, item: Item, d: dt.date) -> None:
        ssvc.item_return(actor=self.reviewer(item), item=item, reason=self.rng.choice(RETURN_REASONS), today=self.on(d))

    def issue(self, *, title: str, basis: str, actions: str, evidence: str, issued: dt.date, deadline: dt.date,
              recurrence: str = srules.ONCE, until: dt.date | None = None, liaison: User | None = None) -> Task:
        task = ssvc.task_issue(
            actor=self.admin, issuer=self.county, title=title, basis=basis, actions=actions, evidence_required=evidence,
            deadline=deadline, recurrence=recurrence, recur_until=until, liaison_leader=liaison,
            responsible_leader="县委常委、组织部部长", receiver_orgs=self.townships, today=issued,
        )  # fmt: skip
        self.s.tasks += 1
        return task

    def supervision(self) -> None:
        t, y = self.today, self.year
        # Last year's yearly task: feeds last year's assessment (督办任务按时完成率).
        last = self.issue(title=f"{y - 1}年度基层党建工作责任制落实", basis=f"清组通〔{y - 1}〕8号",
                          actions="制定年度党建工作要点\n党委书记抓基层党建责任清单\n年底述职报告",
                          evidence="工作要点文件、责任清单、述职报告", issued=dt.date(y - 1, 3, 1),
                          deadline=dt.date(y - 1, 12, 15))  # fmt: skip
        d = last.deadline
        for k, town in enumerate(self.townships):
            it = self.item(last, town)
            self.ack(it, dt.date(y - 1, 3, 5))
            if k % 5 == 2:  # late
                self.submit(it, d + dt.timedelta(days=5))
                self.accept(it, d + dt.timedelta(days=10))
            elif k % 5 == 4:  # returned once, then on time
                self.submit(it, d - dt.timedelta(days=8))
                self.send_back(it, d - dt.timedelta(days=6))
                self.submit(it, d - dt.timedelta(days=3))
                self.accept(it, d - dt.timedelta(days=1))
            else:
                self.submit(it, d - dt.timedelta(days=self.rng.randint(6, 20)))
                self.accept(it, d - dt.timedelta(days=self.rng.randint(0, 4)))

        q_start = quarter_start(t)
        prev_start = add_months(q_start, -3)
        prev_end = q_start - dt.timedelta(days=1)
        q_end = add_months(q_start, 3) - dt.timedelta(days=1)
        # The quarterly list, started last quarter: last quarter's period is over, this one runs.
        quarterly = self.issue(
            title="党建工作季度重点任务清单", basis=f"清组通〔{prev_start.year}〕21号",
            actions="召开党委会专题研究基层党建\n党委书记到联系点调研指导\n督促村（社区）落实“三会一课”",
            evidence="会议纪要、调研记录、工作台账", issued=prev_start + dt.timedelta(days=3), deadline=prev_end,
            recurrence=srules.QUARTERLY, until=q_end, liaison=self.admin,
        )  # fmt: skip
        periods = list(dict.fromkeys(quarterly.items.order_by("deadline").values_list("period", flat=True)))
        prev_label, this_label = periods[0], periods[-1]
        d = prev_end
        for k, town in enumerate(self.townships):
            it = self.item(quarterly, town, prev_label)
            self.ack(it, prev_start + dt.timedelta(days=5 + k))
            kind = k % 6
            if k < 2 or kind == 1:  # on time
                self.submit(it, d - dt.timedelta(days=10))
                self.accept(it, d - dt.timedelta(days=5))
            elif kind == 2:  # accepted late
                self.submit(it, d + dt.timedelta(days=6))
                self.accept(it, d + dt.timedelta(days=12))
            elif kind == 3:  # overdue: never submitted (red, escalated to the liaison leader)
                self.progress(it, d - dt.timedelta(days=20))
            elif kind == 4:  # returned, not yet resubmitted (red)
                self.submit(it, d - dt.timedelta(days=3))
                self.send_back(it, d + dt.timedelta(days=2))
            elif kind == 5:  # submitted after the deadline, awaiting review (red)
                self.submit(it, d + dt.timedelta(days=4))
            else:  # returned, resubmitted, accepted on time
                self.submit(it, d - dt.timedelta(days=8))
                self.send_back(it, d - dt.timedelta(days=6))
                self.submit(it, d - dt.timedelta(days=2))
                self.accept(it, d)
        for k, town in enumerate(self.townships):
            it = self.item(quarterly, town, this_label)
            kind = k % 4
            start = max(q_start, t - dt.timedelta(days=20))
            if k == 0:
                self.ack(it, start)
                self.progress(it, start + dt.timedelta(days=3))
            elif k == 1 or kind == 1:
                self.ack(it, start)
                self.submit(it, t - dt.timedelta(days=1))
            elif kind == 2:  # done early
                self.ack(it, start)
                self.submit(it, t - dt.timedelta(days=6))
                self.accept(it, t - dt.timedelta(days=3))
            elif kind == 3:
                self.ack(it, start + dt.timedelta(days=2))
            # kind 0: not yet acknowledged

        # This quarter's one-off task, due in three days; issued early enough for a cascade whose
        # deadline has already passed.
        issued = min(max(q_start + dt.timedelta(days=2), t - dt.timedelta(days=20)), t - dt.timedelta(days=6))
        oneoff = self.issue(
            title="开展村（社区）党组织“三会一课”落实情况专项检查", basis=f"清组通〔{t.year}〕35号",
            actions="对所辖村（社区）党组织逐一检查\n建立问题清单并督促整改\n报送检查报告",
            evidence="检查记录、问题清单、整改台账", issued=issued, deadline=t + dt.timedelta(days=3),
        )  # fmt: skip
        shuji_branch = self.home("shimen_shuji")
        for k, town in enumerate(self.townships):
            it = self.item(oneoff, town)
            kind = k % 5
            if k == 0:  # 石门镇 passes it on to its villages, with an earlier deadline: their lights decide its own
                villages = self.branches_of(town, 4, first=shuji_branch)
                if not villages:
                    self.ack(it, issued + dt.timedelta(days=1))
                    continue
                child = ssvc.item_cascade(actor=self.handler(town), item=it, receiver_orgs=villages,
                                          deadline=t - dt.timedelta(days=2), today=issued + dt.timedelta(days=1))
                self.s.tasks += 1
                for j, v in enumerate(villages):
                    c = self.item(child, v)
                    self.ack(c, issued + dt.timedelta(days=2))
                    if j == 1:
                        self.submit(c, t - dt.timedelta(days=4))
                        self.accept(c, t - dt.timedelta(days=3))
                    elif j == 2:
                        self.submit(c, t - dt.timedelta(days=5))
                        self.send_back(c, t - dt.timedelta(days=4))
                    elif j == 3:
                        self.submit(c, t - dt.timedelta(days=1))
                    # j == 0 (the demo branch): acknowledged only — overdue, red in its secretary's queue
            elif k == 1:  # 凤岗街道 passes it on with the same deadline: due soon for it and its branch
                villages = self.branches_of(town, 2, first=self.home("fenggang_shuji"))
                if not villages:
                    self.ack(it, issued + dt.timedelta(days=2))
                    continue
                child = ssvc.item_cascade(actor=self.handler(town), item=it, receiver_orgs=villages,
                                          deadline=oneoff.deadline, today=issued + dt.timedelta(days=2))
                self.s.tasks += 1
                for j, v in enumerate(villages):
                    c = self.item(child, v)
                    self.ack(c, issued + dt.timedelta(days=3))
                    if j == 1:
                        self.submit(c, t - dt.timedelta(days=1))
            elif kind == 0:  # due soon, in the receiver's queue
                self.ack(it, issued + dt.timedelta(days=2))
            elif kind == 1:  # cascaded, all accepted, submitted upward automatically, accepted
                villages = self.branches_of(town, 2)
                if not villages:
                    continue
                child = ssvc.item_cascade(actor=self.handler(town), item=it, receiver_orgs=villages,
                                          deadline=t + dt.timedelta(days=2), today=issued + dt.timedelta(days=1))
                self.s.tasks += 1
                for v in villages:
                    c = self.item(child, v)
                    self.submit(c, t - dt.timedelta(days=3))
                    self.accept(c, t - dt.timedelta(days=2))
                self.accept(Item.objects.get(pk=it.pk), t - dt.timedelta(days=1))
            elif kind == 2:
                self.submit(it, t - dt.timedelta(days=3))
                self.accept(it, t - dt.timedelta(days=1))
            elif kind == 3:
                self.submit(it, t - dt.timedelta(days=1))
            else:
                self.submit(it, t - dt.timedelta(days=4))
                self.send_back(it, t - dt.timedelta(days=2))
        self.s.items = Item.objects.filter(county=self.county).count()
        from dangjian.supervision.selectors import item_lights

        mine = list(Item.objects.filter(task__in=[quarterly, oneoff]))
        lights = item_lights(mine, t)
        self.s.lights = {c: sum(1 for lt in lights.values() if lt.color == c) for c in (srules.GREEN, srules.AMBER,
                                                                                        srules.RED)}

    # === 积分与评星定级 =======================================================================================
    def points(self) -> None:
        t, y = self.today, self.year
        shuji = self.home("shimen_shuji")
        fg = self.home("fenggang_shuji")
        last = psvc.scheme_create(actor=self.admin, org=self.county, year=y - 1, template="E6.1",
                                  name=f"{self.county.short_name or self.county.name}党员积分制管理（E6.1）",
                                  today=dt.date(y - 1, 1, 10))  # fmt: skip
        # Two county items entered without evidence files: the branch's own volunteer roll and meeting
        # register are the record (E6.1's own items all require evidence).
        extra = psvc.ItemIn("参加志愿服务活动", prules.ADD, "2", "20")
        absent = psvc.ItemIn("无故不参加组织生活", prules.DEDUCT, "2", "10")
        psvc.item_add(actor=self.admin, scheme=last, item=extra)
        psvc.item_add(actor=self.admin, scheme=last, item=absent)
        this = psvc.scheme_copy(actor=self.admin, scheme=last, year=y, today=self.on(dt.date(y, 1, 8)))
        self.s.schemes += 2
        branches = [b for b in (shuji, fg) if b is not None]
        big = (Org.objects.filter(county=self.county, org_type=OrgType.BRANCH, dissolved_on__isnull=True)
               .exclude(pk__in=[b.pk for b in branches])
               .annotate(n=Count("members")).filter(n__gte=6).order_by("-n", "path")[:2])  # fmt: skip
        branches += list(big)

        # Meetings in the last two quarters that have ended, so members are credited from the records.
        q_start = quarter_start(t)
        quarters = [add_months(q_start, -6), add_months(q_start, -3)]
        for branch in branches:
            for qs in quarters:
                self.meetings(branch, qs)
            for qs in quarters:
                res = psvc.credit_quarter(actor=self.admin, org=branch, year=qs.year, quarter=(qs.month - 1) // 3 + 1,
                                          today=self.on(add_months(qs, 3) + dt.timedelta(days=2)))
                self.s.credited += res.total

        items_this = {i.name: i for i in this.items.all()}
        items_last = {i.name: i for i in last.items.all()}
        volunteer_this, volunteer_last = items_this[extra.name], items_last[extra.name]
        # Manual entries this year: entered by the branch, approved by the county (not the one who entered).
        for branch in [b for b in (shuji, fg) if b is not None]:
            secretary = self.handler(branch)
            members = [m for m in branch_roster(self.admin, branch, t) if m.org_id == branch.pk][:6]
            for k, m in enumerate(members):
                e = psvc.entry_add(actor=secretary, member=m, item=volunteer_this, quantity=1 + k % 3,
                                   date=self.on(dt.date(y, 1 + (k * 2) % 10, 10 + k)),
                                   reason=self.rng.choice(["参加人居环境整治志愿服务", "参加关爱留守儿童志愿服务",
                                                           "参加防汛值守志愿服务"]), today=t)  # fmt: skip
                self.s.manual_entries += 1
                if k % 3 != 2 and secretary.pk != self.admin.pk:
                    psvc.entry_decide(actor=self.admin, entry=e, approve=True, note="情况属实。", today=t)
        # Last year's stars: in the demo branches some members earned points (entered by the county,
        # approved by the branch: never by the one who entered them); then every branch's year-end rating.
        for branch in branches:
            approver = self.handler(branch)
            if approver.pk != self.admin.pk:
                # members then and now (an entry belongs to the member's current branch)
                then = set(branch_roster(self.admin, branch, dt.date(y - 1, 12, 1)).values_list("pk", flat=True))
                members = [m for m in branch_roster(self.admin, branch, t) if m.pk in then and m.org_id == branch.pk][:12]
                for k, m in enumerate(members):
                    if k % 6 == 3:  # below 60: 不合格, flagged
                        item, qty, reason = items_last[absent.name], 3, "全年3次无故不参加组织生活"
                    elif k % 6 == 5:
                        continue  # nothing recorded: the base points
                    else:
                        item, qty, reason = volunteer_last, (2, 5, 10, 0, 7)[k % 6], "全年参加志愿服务活动"
                    e = psvc.entry_add(actor=self.admin, member=m, item=item, quantity=qty, date=dt.date(y - 1, 3 + k % 9, 12),
                                       reason=reason, today=dt.date(y - 1, 12, 10))  # fmt: skip
                    psvc.entry_decide(actor=approver, entry=e, approve=True, note="经支委会审核，情况属实。",
                                      today=dt.date(y - 1, 12, 12))  # fmt: skip
                    self.s.manual_entries += 1
            rated = psvc.ratings_finalize(actor=self.admin, org=branch, year=y - 1, today=self.on(dt.date(y, 1, 12)))
            self.s.member_ratings += len(rated)
        # The quarter's posting in the demo branch, and one objection by its demo member.
        prev = add_months(q_start, -3)
        pq = (prev.month - 1) // 3 + 1
        for branch in [b for b in (shuji, fg) if b is not None]:
            posted_on = self.on(q_start + dt.timedelta(days=4))
            posting = psvc.posting_publish(actor=self.handler(branch), org=branch, year=prev.year, quarter=pq,
                                           today=posted_on)
            self.s.postings += 1
            if shuji is None or branch.pk != shuji.pk:
                continue
            objector = self.users.get("shimen_dangyuan")
            member = objector.member if objector is not None else None
            rows = {r.get("member_id") for r in posting.rows}
            if objector is None or member is None or member.pk not in rows:
                objector = self.handler(branch)
                member = next((m for m in branch_roster(self.admin, branch, t) if m.pk in rows), None)
            if member is not None:
                # the objection names one of the quarter's meeting credits
                entry = (PointsEntry.objects.filter(member=member, source_type=prules.SOURCE_ATTENDANCE, date__gte=prev,
                                                    date__lt=q_start).order_by("-date").first())  # fmt: skip
                psvc.objection_file(actor=objector, posting=posting, member=member, entry=entry,
                                    reason="本季度参加主题党日活动的次数少计一次，请核实。",
                                    today=self.on(posted_on + dt.timedelta(days=1)))
                self.s.objections += 1
        # Branch star ratings (E6.5): last year's rated and final, this year's open.
        lines = [("system", "“三会一课”按期开展", "3", "全年组织生活按期开展，记录规范"),
                 ("team", "支部班子配备", "-5", "支委缺额半年未补选"),
                 ("results", "发展党员工作", "2", "按计划发展党员"),
                 ("service", "为民服务", "4", "建立党员联系户制度，办理实事8件"),
                 ("governance", "村务公开", "-10", "村务公开不及时，群众有意见")]  # fmt: skip
        rated_branches = branches + [b for town in self.townships[2:6] for b in self.branches_of(town, 1)]
        for k, branch in enumerate(rated_branches):
            rater = next((tw for tw in self.townships if branch.path.startswith(tw.path)), self.county)
            r = psvc.branch_rating_open(actor=self.admin, org=branch, rater=rater, year=y - 1, today=dt.date(y - 1, 2, 1))
            chosen = lines[: 2 + k % 4] if k % 5 != 4 else [lines[1], lines[4], ("system", "组织生活", "-20", "全年多次未按期开展组织生活")]
            for n, (cat, ind, pts, reason) in enumerate(chosen):
                psvc.branch_rating_line_add(actor=self.admin, rating=r, category=cat, indicator=ind, points=pts,
                                            reason=reason, date=dt.date(y - 1, 3 + n * 2, 15), today=dt.date(y - 1, 12, 20))
            psvc.branch_rating_finalize(actor=self.admin, rating=r, today=self.on(dt.date(y, 1, 15)))
            self.s.branch_ratings += 1
            if k < 3:
                r2 = psvc.branch_rating_open(actor=self.admin, org=branch, rater=rater, year=y, today=self.on(dt.date(y, 2, 1)))
                psvc.branch_rating_line_add(actor=self.admin, rating=r2, category="service", indicator="为民服务",
                                            points="3", reason="开展便民服务活动", date=self.on(dt.date(y, 5, 20)),
                                            today=t)  # fmt: skip
                self.s.branch_ratings += 1

    def meetings(self, branch: Org, q_start: dt.date) -> None:
        """三会一课 in a quarter: a general meeting, a theme day and a Party lecture (study hours)."""
        plan = ((orules.GENERAL_MEETING, 8, "学习传达上级会议精神，研究本季度支部工作", False),
                (orules.THEME_DAY, 35, "主题党日：重温入党誓词，开展志愿服务", False),
                (orules.PARTY_LECTURE, 60, "党课：学习党章党规，做合格党员", True))  # fmt: skip
        for kind, offset, topic, study in plan:
            date = q_start + dt.timedelta(days=offset + self.rng.randint(0, 5))
            if date > self.today:
                continue
            roster = list(branch_roster(self.admin, branch, date))
            if not roster:
                continue
            attendance = [osvc.AttendanceIn(m, orules.PRESENT if self.rng.random() < 0.85 else orules.LEAVE,
                                            note="") for m in roster]  # fmt: skip
            if not any(a.status == orules.PRESENT for a in attendance):
                attendance[0] = osvc.AttendanceIn(roster[0], orules.PRESENT)
            osvc.meeting_record(actor=self.admin, org=branch, fields=osvc.MeetingFields(
                kind=kind, date=date, topic=topic, place="党员活动室", host=branch.secretary_name or "党支部书记",
                recorder="组织委员", counts_as_study=study, duration_hours=Decimal("2") if study else None,
            ), attendance=attendance, today=self.today)  # fmt: skip
            self.s.meetings += 1

    # === 考核 ===============================================================================================
    # 揭东's ledger: 3 areas, 19 sub-items, 100 points; every method and all three sources.
    LEDGER: tuple[tuple[str, tuple[tuple[str, str, str, str, str, dict[str, str]], ...]], ...] = (
        ("镇域经济发展", (
            ("村级集体经济发展", "6", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("招商引资和项目建设", "6", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("“百千万工程”重点项目推进", "6", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("督办任务按时完成", "8", arules.M_PROPORTIONAL, arules.SRC_PLATFORM, "supervision_on_time", {}),
            ("营商环境和安全生产（每起扣1分）", "4", arules.M_DEDUCTION, arules.SRC_MANUAL, "", {"per": "1", "cap": "4"}),
        )),
        ("城乡融合发展", (
            ("镇村人居环境整治", "6", arules.M_MANUAL, arules.SRC_INSPECTION, "", {}),
            ("基础设施和公共服务", "5", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("“两新”组织党建覆盖达标", "4", arules.M_PASS_FAIL, arules.SRC_MANUAL, "", {}),
            ("党群服务中心建设和运行", "5", arules.M_MANUAL, arules.SRC_INSPECTION, "", {}),
            ("网格化治理和矛盾纠纷化解", "5", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("平安建设（发生重大责任事故一票否决）", "0", arules.M_VETO, arules.SRC_MANUAL, "", {}),
            ("民生实事办理件数（按名次计分）", "5", arules.M_RANK, arules.SRC_MANUAL, "", {"step": "0.5", "floor": "2"}),
        )),
        ("乡村振兴和基层党建", (
            ("发展党员计划完成", "6", arules.M_PROPORTIONAL, arules.SRC_PLATFORM, "development_plan", {}),
            ("软弱涣散村党组织整顿", "5", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("村党组织书记队伍建设", "5", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("党员教育管理", "4", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
            ("基层党建日常督查", "5", arules.M_MANUAL, arules.SRC_INSPECTION, "", {}),
            ("党委书记抓基层党建述职评议", "10", arules.M_MANUAL, arules.SRC_EVALUATION, "", {}),
            ("驻村帮扶和乡村振兴", "5", arules.M_MANUAL, arules.SRC_MANUAL, "", {}),
        )),
    )  # fmt: skip

    def self_values(self, leaves: list[Node], k: int, *, veto: bool = False) -> dict[int, tuple[Any, str]]:
        rng = self.rng
        out: dict[int, tuple[Any, str]] = {}
        for n in leaves:
            if n.source != arules.SRC_MANUAL:
                continue
            if n.method == arules.M_MANUAL:
                v = (n.max_points * Decimal(rng.choice(["0.8", "0.85", "0.9", "0.95", "1", "1"]))).quantize(Decimal("0.1"))
                out[n.pk] = (v, "按评分标准自评，佐证材料见工作台账。")
            elif n.method == arules.M_DEDUCTION:
                out[n.pk] = (rng.choice([0, 0, 1, 2]), "本年度发生的次数。")
            elif n.method == arules.M_PASS_FAIL:
                out[n.pk] = (0 if k % 7 == 3 else 1, "覆盖率达到要求。" if k % 7 != 3 else "尚有个别“两新”组织未覆盖。")
            elif n.method == arules.M_VETO:
                out[n.pk] = (1 if veto else 0, "未发生重大责任事故。" if not veto else "发生一起较大安全生产责任事故。")
            elif n.method == arules.M_RANK:
                out[n.pk] = (rng.randint(8, 30), "全年办理民生实事件数。")
        return out

    def assessment(self) -> None:
        t, y = self.today, self.year
        ducha = self.user("ducha")
        scheme = asvc.scheme_create(actor=self.admin, owner=self.county, year=y - 1,
                                    name="乡镇（街道）“担当作为”党建工作考核", kind=arules.KIND_TOWNSHIP)
        for area, rows in self.LEDGER:
            parent = asvc.node_add(actor=self.admin, scheme=scheme, parent=None, title=area)
            for title, pts, method, source, indicator, params in rows:
                asvc.node_add(actor=self.admin, scheme=scheme, parent=parent, title=title, max_points=pts, method=method,
                              source=source, indicator=indicator, params=params,
                              standard="按县委组织部考核细则评分。")  # fmt: skip
        self.s.schemes += 1
        # Last year's round, run to the end; every date backwards from the archive day.
        close_on = min(dt.date(y, 1, 20), t - dt.timedelta(days=1))
        publish_on = close_on - dt.timedelta(days=scheme.notice_days + 1)
        final_on = publish_on - dt.timedelta(days=2)
        review_on = final_on - dt.timedelta(days=3)
        submit_on = review_on - dt.timedelta(days=5)
        asvc.scheme_activate(actor=self.admin, scheme=scheme, self_due=submit_on, review_due=review_on)
        leaves = list(Node.objects.filter(scheme=scheme, level=2).order_by("parent__order", "order"))
        self.run_results(scheme, leaves, ducha, year=y - 1, submit_on=submit_on, review_on=review_on,
                         all_=True)  # fmt: skip
        asvc.scheme_finalize(actor=self.admin, scheme=scheme, today=final_on)
        asvc.scheme_publish(actor=self.admin, scheme=scheme, start=publish_on, today=publish_on)
        asvc.scheme_close(actor=self.admin, scheme=scheme, today=close_on)
        self.s.published_results = Result.objects.filter(scheme=scheme, rank__isnull=False).count()

        # This year's copy, active: part-way through.
        this = asvc.scheme_copy(actor=self.admin, scheme=scheme, year=y)
        self.s.schemes += 1
        asvc.scheme_activate(actor=self.admin, scheme=this, self_due=t + dt.timedelta(days=5),
                             review_due=t + dt.timedelta(days=20))
        leaves = list(Node.objects.filter(scheme=this, level=2).order_by("parent__order", "order"))
        self.run_results(this, leaves, ducha, year=y, submit_on=t - dt.timedelta(days=4),
                         review_on=t - dt.timedelta(days=1), all_=False)  # fmt: skip

    def run_results(self, scheme: Scheme, leaves: list[Node], ducha: User, *, year: int,
                    submit_on: dt.date, review_on: dt.date, all_: bool) -> None:
        by_org = {r.org_id: r for r in Result.objects.filter(scheme=scheme)}
        inspected = [n for n in leaves if n.source == arules.SRC_INSPECTION]
        evaluated = [n for n in leaves if n.source == arules.SRC_EVALUATION]
        manual = {n.pk: n for n in leaves if n.source == arules.SRC_MANUAL and n.method == arules.M_MANUAL}
        n_town = len(self.townships)
        for k, town in enumerate(self.townships):
            r = by_org.get(town.pk)
            if r is None:
                continue
            # This year: about half have submitted, a quarter are reviewed, the rest still assessing.
            submitted = all_ or k % 2 == 0 or k == 0
            reviewed = all_ or k % 4 == 0
            writer = self.handler(town)
            values = self.self_values(leaves, k, veto=all_ and k == n_town - 1)
            asvc.self_assess(actor=writer, result=r, values=values if submitted or k % 3 else dict(list(values.items())[:4]))
            if all_ or k % 3 != 2:
                visits = 2 if all_ else 1
                for v in range(visits):
                    day = dt.date(year, 4 + v * 5 + k % 3, 8 + k) if all_ else self.on(dt.date(year, 5 + k % 5, 8 + k))
                    asvc.inspection_record(actor=ducha, result=r, date=day, scores={
                        n.pk: str((n.max_points * Decimal(self.rng.choice(["0.8", "0.9", "0.95", "1"]))).quantize(Decimal("0.1")))
                        for n in inspected}, notes=self.rng.choice([
                            "实地查看党群服务中心，台账齐全，运行正常。", "抽查村级组织生活记录，个别村记录不规范，已当场指出。",
                            "查看人居环境整治现场，整体较好，个别点位需整改。"]),
                        today=self.on(day))  # fmt: skip
                    self.s.inspections += 1
            if all_ or k % 4 == 1:
                for n in evaluated:
                    groups = []
                    for name, weight, size in (("县委全会", "24", 35), ("本单位干部群众代表", "16", 25)):
                        good = self.rng.randint(size // 2, size)
                        fair = self.rng.randint(0, size - good)
                        average = size - good - fair
                        groups.append({"name": name, "weight": weight, "good": good, "fair": fair, "average": average,
                                       "poor": 0})
                    day = submit_on - dt.timedelta(days=2) if all_ else self.on(dt.date(year, 7, 15))
                    asvc.evaluation_record(actor=self.admin, result=r, node=n, date=day, groups=groups,
                                           notes="党委书记抓基层党建工作述职评议。", today=self.on(day))
                    self.s.evaluations += 1
            if not submitted:
                continue
            asvc.result_submit(actor=writer, result=r, today=self.on(submit_on + dt.timedelta(days=k % 3 - 2)))
            if not reviewed:
                continue
            decisions: dict[int, tuple[Any, str]] = {}
            if k % 3 == 1 and manual:
                node = manual[sorted(manual)[k % len(manual)]]
                decisions[node.pk] = (str((node.max_points * Decimal("0.6")).quantize(Decimal("0.1"))),
                                      "自评偏高：佐证材料只体现部分工作，按评分标准核减。")
            asvc.result_review(actor=self.admin, result=r, decisions=decisions, today=self.on(review_on))

    # === 软弱涣散整顿 =========================================================================================
    PLAN = {
        "responsible_person": "村党组织书记",
        "responsibility": "村党组织书记负总责，支委分工负责组织生活、党员管理和村务公开",
        "goal": "一年内班子配齐配强，“三会一课”正常开展，群众满意度达到80%以上",
        "reward_penalty": "按期通过验收的在年度考核中加分；整顿不力的约谈党组织书记，必要时调整",
    }

    def leader_for(self, org: Org) -> tuple[User, str]:
        for name in ("shimen_zuzhi", "fenggang_zuzhi"):
            home = self.home(name)
            if home is not None and org.path.startswith(home.path) and org.pk != home.pk:
                return self.user(name), "乡镇党委组织委员"
        return self.admin, "县委组织部副部长"

    def plan(self, case: Case, made_on: dt.date, deadline: dt.date) -> None:
        leader, post = self.leader_for(case.org)
        rsvc.case_confirm(actor=self.admin, case=case, today=made_on - dt.timedelta(days=5))
        rsvc.plan_create(actor=self.admin, case=case, leader=leader, leader_name=leader.display_name or leader.username,
                         leader_post=post, deadline=deadline, measures="选派第一书记驻村指导；每月督导一次",
                         today=made_on, **self.PLAN)  # fmt: skip

    def rectification(self) -> None:
        t, y = self.today, self.year
        # Last year: nominated cases, rectified and accepted (one failed first, passed later).
        villages = [b for town in self.townships[:6] for b in self.branches_of(town, 3)[2:3]]
        reasons = [("c09", "村集体经济收入连续两年低于5万元，村级组织运转困难"),
                   ("c05", "村务、财务公开不及时，群众多次反映"),
                   ("c07", "信访矛盾集中，年内发生群体性上访3次"),
                   ("c03", "村“两委”班子不团结，工作推进困难")]  # fmt: skip
        last_cases = []
        for k, v in enumerate(villages[:4]):
            cat, reason = reasons[k]
            case = rsvc.case_nominate(actor=self.admin, org=v, year=y - 1, category=cat, reason=reason,
                                      today=dt.date(y - 1, 3, 5))
            made_on = dt.date(y - 1, 3, 20)
            self.plan(case, made_on, dt.date(y - 1, 12, 20))
            for n, (title, due) in enumerate((("配齐配强村“两委”班子", dt.date(y - 1, 5, 31)),
                                              ("建立“三会一课”台账并按期开展", dt.date(y - 1, 8, 31)),
                                              ("完成整改事项并申请验收", dt.date(y - 1, 11, 30)))):  # fmt: skip
                m = rsvc.milestone_add(actor=self.admin, case=case, title=title, due=due, today=made_on)
                rsvc.milestone_done(actor=self.admin, milestone=m, done_on=due - dt.timedelta(days=5 + n),
                                    note="已完成。", today=due)  # fmt: skip
            rsvc.progress_report(actor=self.admin, case=case, date=dt.date(y - 1, 7, 10),
                                 text="班子已调整到位，组织生活按月开展，整改事项完成过半。", today=dt.date(y - 1, 7, 10))
            if k == 3:  # failed first, passed at the second acceptance
                rsvc.acceptance_record(actor=self.admin, case=case, date=dt.date(y - 1, 12, 10),
                                       accepted_by="县委组织部验收组", result=rrules.NOT_PASSED,
                                       notes="班子仍不团结，村务公开问题未彻底解决，继续整顿三个月。",
                                       today=dt.date(y - 1, 12, 10))  # fmt: skip
                rsvc.progress_report(actor=self.admin, case=case, date=dt.date(y - 1, 12, 28),
                                     text="按验收意见继续整改，村务公开栏已规范更新。", today=dt.date(y - 1, 12, 28))
                again = self.on(dt.date(y, 3, 15))
                rsvc.acceptance_record(actor=self.admin, case=case, date=again, accepted_by="县委组织部验收组",
                                       result=rrules.PASSED, notes="整改到位，验收通过。", today=again)
            else:
                rsvc.acceptance_record(actor=self.admin, case=case, date=dt.date(y - 1, 12, 5 + k),
                                       accepted_by="县委组织部验收组", result=rrules.PASSED,
                                       notes="整顿目标全部完成，验收通过。", today=dt.date(y - 1, 12, 5 + k))
            last_cases.append(case)

        # This year. The demo holds development records for a few branches only; like the orglife
        # records-start month the loader sets, the county declares its development records complete from
        # this year, so "no development target for 2 years" does not flag every village for a gap in the
        # demo's data. Then facts the scan finds: two secretaries who left months ago with nobody after
        # them, and satisfaction surveys below 60%.
        setting_update(actor=self.admin, key=rparams.RECORDS_FROM_YEAR, value=y)
        scan_on = max(t - dt.timedelta(days=40), dt.date(y, 1, 1))
        spread = [b for town in self.townships[1:] for b in self.branches_of(town, 4)[1:]]
        planted: list[Org] = []
        for branch in spread:
            if len(planted) == 2:
                break
            start = scan_on - dt.timedelta(days=900)
            roster = list(branch_roster(self.admin, branch, start)) if start >= branch.established_on else []
            if not roster:
                continue
            post = osvc.committee_post_add(actor=self.admin, org=branch, member=roster[0], post=orules.POST_SECRETARY,
                                           started_on=start, today=t)  # fmt: skip
            osvc.committee_post_end(actor=self.admin, post=post, ended_on=scan_on - dt.timedelta(days=130), today=t)
            planted.append(branch)
        surveyed = [b for b in spread[::7] if b not in planted][:2]
        for k, branch in enumerate(surveyed):
            rsvc.survey_record(actor=self.admin, org=branch, year=y, date=scan_on - dt.timedelta(days=20 + k),
                               respondents=120 - 20 * k, satisfied=61 - 12 * k, method="入户问卷测评", today=t)  # fmt: skip
        outcome = rsvc.candidates_identify(actor=self.admin, org=self.county, year=y, today=scan_on)
        self.s.candidates = outcome.created
        cands = list(Case.objects.filter(county=self.county, year=y, status=rrules.CANDIDATE)
                     .select_related("org").order_by("org__path"))  # fmt: skip
        # A handful confirmed — all but one when the scan finds few (the last waits for the county's
        # decision) — plus a manual nomination.
        chosen = cands[: min(len(cands) - 1, 4)] if len(cands) > 1 else cands
        shimen = self.townships[0] if self.townships else None
        nominee = next((b for b in self.branches_of(shimen, 5)[2:] if b.pk not in {c.org_id for c in cands}), None) \
            if shimen is not None else None  # fmt: skip
        if nominee is not None:
            chosen.append(rsvc.case_nominate(actor=self.admin, org=nominee, year=y, category="c02",
                                             reason="村党组织书记年龄偏大、工作不在状态，群众反映较多",
                                             today=scan_on))  # fmt: skip
        for k, case in enumerate(chosen):
            made_on = min(scan_on + dt.timedelta(days=10), t)
            self.plan(case, made_on, made_on + dt.timedelta(days=180))
            dues = (made_on + dt.timedelta(days=15), t + dt.timedelta(days=6 + k), made_on + dt.timedelta(days=150))
            for n, (title, due) in enumerate(zip(("调整充实村“两委”班子", "规范“三会一课”和主题党日", "完成整改并申请验收"),
                                                 dues, strict=True)):  # fmt: skip
                due = max(due, made_on)
                m = rsvc.milestone_add(actor=self.admin, case=case, title=title, due=due, today=made_on)
                if n == 0 and k % 2 == 0 and due <= t:
                    rsvc.milestone_done(actor=self.admin, milestone=m, done_on=due, note="已完成。", today=t)
            if made_on < t:
                rsvc.progress_report(actor=self.admin, case=case, date=self.on(made_on + dt.timedelta(days=20)),
                                     text="已召开专题组织生活会查摆问题，制定整改清单，正在逐项整改。", today=t)
        self.s.confirmed = len(chosen)
        self.s.accepted = Case.objects.filter(county=self.county, status=rrules.ACCEPTED).count()


def load_oversight(*, actor: User, county: Org, seed: int, today: dt.date,
                   out: Callable[[str], None] = print) -> OversightSummary:
    """Write the demo county's supervision, assessment, points and rectification records (see the module
    text). Refused with ``AlreadyLoaded`` when the county has any of them already."""
    started, cpu = time.perf_counter(), time.process_time()
    # All or nothing, also when called on its own: a half-written run would be refused next time.
    with transaction.atomic():
        check_not_loaded(county)
        g = _Generator(actor, county, seed=seed, today=today)
        for name, part in (("督办", g.supervision), ("积分", g.points), ("考核", g.assessment), ("整顿", g.rectification)):
            begun = time.perf_counter()
            part()
            g.s.phases[name] = round(time.perf_counter() - begun, 1)
    s = g.s
    s.seconds, s.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    out(f"  督办与考核：督办任务{s.tasks}项、事项{s.items}条（本季度红灯{s.lights.get(srules.RED, 0)}、"
        f"黄灯{s.lights.get(srules.AMBER, 0)}、绿灯{s.lights.get(srules.GREEN, 0)}）；考核方案{s.schemes}个、公布排名"
        f"{s.published_results}个单位、日常督查{s.inspections}次、述职评议{s.evaluations}次；组织生活{s.meetings}次、"
        f"自动积分{s.credited}条、手工积分{s.manual_entries}条、公示{s.postings}次、异议{s.objections}条、党员星级"
        f"{s.member_ratings}名、党组织星级{s.branch_ratings}个；软弱涣散候选{s.candidates}个、确认整顿{s.confirmed}个、"
        f"已验收{s.accepted}个（{s.seconds:.1f} 秒，CPU {s.cpu_seconds:.1f} 秒；"
        f"{'、'.join(f'{k}{v}秒' for k, v in s.phases.items())}）")
    return s

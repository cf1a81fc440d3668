"""Reads of organizational life. Every function takes the acting user first and stays in their
scope: meetings, trainings and committee posts are scoped through the organization that holds them,
members through members.selectors; an id outside the scope answers 404 as if it did not exist.

Aggregates run in SQL: the compliance calendar counts meetings grouped by branch, kind and month;
class hours are sums per member (and counts per organization); the six-month gap is two queries for
any number of members. Python only folds those grouped rows through the rules.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)  # fmt: skip
from django.db.models.functions import Coalesce, Concat, ExtractMonth, ExtractYear
from django.http import Http404
from django.urls import reverse

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.scope import subtree_upper_bound
from dangjian.members import rules as member_rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.selectors import member_get, members_in_subtree, members_visible, roster_as_of
from dangjian.orglife import params, rules
from dangjian.orglife.models import (
    Attendance,
    CommitteePost,
    Meeting,
    MeetingFile,
    TrainingAttendance,
    TrainingSession,
)  # fmt: skip
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import org_get, org_roots, orgs_visible

if TYPE_CHECKING:
    from dangjian.web.selectors import WorkItem

ZERO = Decimal("0.0")
HOURS: DecimalField = DecimalField(max_digits=7, decimal_places=1)
COMPLIANCE_TYPES = org_rules.BRANCH_LIKE  # the organizations judged by the compliance calendar


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _in_subtree(org: Org, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": org.path, f"{field}__lt": subtree_upper_bound(org.path)})


# --- meetings ------------------------------------------------------------------------------------------


def meetings_visible(actor: User) -> QuerySet[Meeting]:
    """Meetings held by organizations in the actor's subtrees (none for a member-role user: their own
    meetings come through ``member_orglife_summary``)."""
    return Meeting.objects.filter(scope_for(actor).q("org__path"))


def meeting_get(actor: User, pk: int | str) -> Meeting:
    meeting = meetings_visible(actor).filter(pk=_int(pk)).select_related("org", "branch", "recorded_by").first()
    if meeting is None:
        raise Http404
    return meeting


def org_meetings(actor: User, org: Org, *, year: int | None = None, kind: str = "") -> QuerySet[Meeting]:
    """Meetings held in ``org``'s subtree, newest first, with attendance counts (``present``,
    ``attendees``) aggregated in SQL."""
    org_get(actor, org.pk)
    qs = meetings_visible(actor).filter(_in_subtree(org, "org__path"))
    if year:
        qs = qs.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("org")
        .annotate(
            attendees=Count("attendance"),
            present=Count("attendance", filter=Q(attendance__status__in=rules.TOOK_PART)),
        )
        .order_by("-date", "-id")
    )


def meeting_attendance(actor: User, meeting: Meeting) -> list[Attendance]:
    meeting_get(actor, meeting.pk)
    return list(meeting.attendance.select_related("member", "member__org").order_by("is_guest", "member__name_pinyin"))


def meeting_files(actor: User, meeting: Meeting) -> list[MeetingFile]:
    meeting_get(actor, meeting.pk)
    return list(meeting.files.all())


def meeting_file_get(actor: User, pk: int | str) -> MeetingFile:
    mf = MeetingFile.objects.filter(pk=_int(pk), meeting__in=meetings_visible(actor).values("pk")).first()
    if mf is None:
        raise Http404
    return mf


@dataclass(frozen=True)
class RosterState:
    """A member's membership on a date, from their last membership event on or before it."""

    status: str | None
    org_path: str | None
    mobile: bool


def roster_states(member_ids: Sequence[int], on: dt.date) -> dict[int, RosterState]:
    """Each member's status, organization path and mobile flag on ``on``, in one query. Not scoped:
    services use it to check people they were given; pages go through the functions below."""
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), date__lte=on).order_by("-date", "-seq", "-id")
    rows = Member.objects.filter(pk__in=list(member_ids)).annotate(
        st=Subquery(latest.values("status_after")[:1]),
        org_path_at=Subquery(latest.values("org_after__path")[:1]),
        mobile_at=Subquery(latest.values("mobile_after")[:1]),
    ).values_list("pk", "st", "org_path_at", "mobile_at")
    return {pk: RosterState(st, path, bool(mobile)) for pk, st, path, mobile in rows}


def branch_roster(actor: User, branch: Org, on: dt.date) -> QuerySet[Member]:
    """The attendance checklist: members (正式、预备) of ``branch``'s subtree on ``on``."""
    return roster_as_of(actor, branch, on).filter(status_at__in=member_rules.ACTIVE).order_by("name_pinyin", "pk")  # type: ignore[misc]


def mobile_member_by_id_number(actor: User, id_number: str, on: dt.date) -> Member | None:
    """A mobile member (流动党员) attending a meeting away from home, found by their exact ID number
    (R5.4). Found anywhere, not only in the actor's scope — they are a guest here — but only if they
    were an active mobile member on ``on``; anyone else is None, exactly as an unknown number."""
    if actor.role not in ORG_ROLES or not actor.can_write:
        return None
    number = idnumbers.normalize(id_number or "")
    if len(number) != 18:
        return None
    member = Member.objects.filter(id_number_hash=crypto.keyed_hash(number)).select_related("org").first()
    if member is None:
        return None
    st = roster_states([member.pk], on).get(member.pk)
    if st is None or st.status not in member_rules.ACTIVE or not st.mobile:
        return None
    return member


# --- compliance ----------------------------------------------------------------------------------------


@dataclass
class BranchCompliance:
    org: Org
    calendar: dict[str, list[rules.Cell]]
    tally: rules.Tally
    rate: Decimal | None
    band: str

    @property
    def band_label(self) -> str:
        return rules.BAND_LABELS[self.band]

    @property
    def band_css(self) -> str:
        return rules.BAND_CSS[self.band]


def _compliance_branches(actor: User, org: Org, year: int) -> list[Org]:
    return list(
        orgs_visible(actor)
        .filter(_in_subtree(org), org_type__in=COMPLIANCE_TYPES, established_on__lte=dt.date(year, 12, 31))
        .exclude(dissolved_on__lt=dt.date(year, 1, 1))
        .order_by("path")
    )


def _party_group_counts(actor: User, org: Org) -> dict[str, int]:
    """Active 党小组 per parent path, in one query."""
    counts: dict[str, int] = defaultdict(int)
    paths = orgs_visible(actor).filter(
        _in_subtree(org), org_type=org_rules.PARTY_GROUP, dissolved_on__isnull=True
    ).values_list("path", flat=True)
    for p in paths:
        counts[p[: -Org.steplen]] += 1
    return counts


def _month_counts(actor: User, org: Org, year: int) -> dict[int, dict[tuple[str, int], int]]:
    """Meetings held in ``year`` per branch, kind and month, counted in SQL (党小组会: distinct groups)."""
    rows = (
        meetings_visible(actor)
        .filter(_in_subtree(org, "branch__path"), date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
        .annotate(month=ExtractMonth("date"))
        .values("branch_id", "kind", "month")
        .annotate(
            n=Count("id"),
            groups=Count(Concat("org_id", Value(":"), "group_name", output_field=CharField()), distinct=True),
        )
        .order_by()
    )
    out: dict[int, dict[tuple[str, int], int]] = defaultdict(dict)
    for r in rows:
        out[r["branch_id"]][(r["kind"], r["month"])] = r["groups"] if r["kind"] == rules.GROUP_MEETING else r["n"]
    return out


def compliance_rows(actor: User, org: Org, year: int, today: dt.date) -> list[BranchCompliance]:
    """The compliance calendar of every branch (党支部, 联合党支部, 临时党支部) in ``org``'s subtree
    for ``year``: three queries (branches, party groups, meeting counts grouped by branch/kind/month)."""
    org_get(actor, org.pk)
    branches = _compliance_branches(actor, org, year)
    if not branches:
        return []
    groups = _party_group_counts(actor, org)
    counts = _month_counts(actor, org, year)
    lecture = params.lecture_period_months()
    green, amber = params.bands()
    start = params.records_start()
    out = []
    for b in branches:
        facts = rules.BranchFacts(
            established_on=b.established_on, dissolved_on=b.dissolved_on, has_committee=b.committee_size > 0,
            party_groups=groups.get(b.path, 0), records_start=start,
        )  # fmt: skip
        cal = rules.compliance_calendar(year=year, today=today, facts=facts, counts=counts.get(b.pk, {}),
                                        lecture_period_months=lecture)
        t = rules.tally(c for cells in cal.values() for c in cells)
        out.append(BranchCompliance(
            org=b, calendar=cal, tally=t, rate=rules.compliance_rate(t.done, t.missed),
            band=rules.compliance_band(t.done, t.missed, green_min=green, amber_min=amber),
        ))  # fmt: skip
    return out


def branch_calendar(actor: User, branch: Org, year: int, today: dt.date) -> BranchCompliance:
    """组织生活完成情况日历 of one branch: each kind, each period of ``year``: done / due / missed."""
    org_get(actor, branch.pk)
    if branch.org_type not in COMPLIANCE_TYPES:
        raise Http404
    rows = [r for r in compliance_rows(actor, branch, year, today) if r.org.pk == branch.pk]
    if rows:
        return rows[0]
    # A branch established after this year, or dissolved before it: every cell not applicable.
    facts = rules.BranchFacts(established_on=branch.established_on, dissolved_on=branch.dissolved_on)
    cal = rules.compliance_calendar(year=year, today=today, facts=facts, counts={},
                                    lecture_period_months=params.lecture_period_months())
    return BranchCompliance(org=branch, calendar=cal, tally=rules.Tally(), rate=None, band=rules.NO_BAND)


@dataclass
class RankRow:
    org: Org
    branches: int
    tally: rules.Tally
    rate: Decimal | None
    band: str
    red: int = 0
    amber: int = 0
    green: int = 0
    rank: int | None = None

    @property
    def band_label(self) -> str:
        return rules.BAND_LABELS[self.band]

    @property
    def band_css(self) -> str:
        return rules.BAND_CSS[self.band]


@dataclass
class ComplianceRanking:
    org: Org
    year: int
    total: RankRow
    groups: list[RankRow]  # the organizations one level below ``org`` (for a county: its townships)
    branches: list[RankRow]


def _rank(rows: list[RankRow]) -> list[RankRow]:
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0), r.org.path))
    for r, rank in zip(rows, rules.competition_ranks([r.rate for r in rows]), strict=True):
        r.rank = rank
    return rows


def _rollup(org: Org, branches: Sequence[BranchCompliance], green: float, amber: float) -> RankRow:
    t = sum((b.tally for b in branches), rules.Tally())
    return RankRow(
        org=org, branches=len(branches), tally=t, rate=rules.compliance_rate(t.done, t.missed),
        band=rules.compliance_band(t.done, t.missed, green_min=green, amber_min=amber),
        red=sum(b.band == rules.RED for b in branches), amber=sum(b.band == rules.AMBER for b in branches),
        green=sum(b.band == rules.GREEN for b in branches),
    )  # fmt: skip


def compliance_ranking(actor: User, org: Org, year: int, today: dt.date) -> ComplianceRanking:
    """组织生活合规率排名: every branch's rate, rolled up to the organizations one level below ``org``
    (for the county committee: each township / working committee) and to ``org`` itself, ranked
    best first with red/amber/green. A rollup's rate pools its branches' periods (done over done +
    missed), so a large township is not outweighed by a small one."""
    rows = compliance_rows(actor, org, year, today)
    green, amber = params.bands()
    paths = [r.org.path for r in rows]
    groups = []
    for child in orgs_visible(actor).filter(depth=org.depth + 1, path__startswith=org.path).order_by("path"):
        lo = bisect_left(paths, child.path)
        hi = bisect_left(paths, subtree_upper_bound(child.path))
        if hi > lo:
            groups.append(_rollup(child, rows[lo:hi], green, amber))
    branches = [
        RankRow(org=r.org, branches=1, tally=r.tally, rate=r.rate, band=r.band,
                red=r.band == rules.RED, amber=r.band == rules.AMBER, green=r.band == rules.GREEN)
        for r in rows
    ]  # fmt: skip
    return ComplianceRanking(org=org, year=year, total=_rollup(org, rows, green, amber), groups=_rank(groups),
                             branches=_rank(branches))


# --- class hours ---------------------------------------------------------------------------------------


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _with_class_hours(qs: QuerySet[Member], year: int) -> QuerySet[Member]:
    """Annotate members with ``meeting_hours``, ``training_hours``, ``hours`` (their sum),
    ``is_committee`` (held a committee post on any day of the year) and ``target`` (32 or 56)."""
    start, end = _year_range(year)
    meeting = (
        Attendance.objects.filter(member=OuterRef("pk"), date__gte=start, date__lte=end, class_hours__gt=0)
        .values("member").annotate(s=Sum("class_hours")).values("s")
    )  # fmt: skip
    training = (
        TrainingAttendance.objects.filter(member=OuterRef("pk"), date__gte=start, date__lte=end)
        .values("member").annotate(s=Sum("class_hours")).values("s")
    )  # fmt: skip
    committee = CommitteePost.objects.filter(member=OuterRef("pk"), started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )
    t = params.targets()
    return qs.annotate(
        meeting_hours=Coalesce(Subquery(meeting, output_field=HOURS), Value(ZERO), output_field=HOURS),
        training_hours=Coalesce(Subquery(training, output_field=HOURS), Value(ZERO), output_field=HOURS),
        is_committee=Exists(committee),
    ).annotate(
        hours=F("meeting_hours") + F("training_hours"),
        target=Case(
            When(is_committee=True, then=Value(rules.yearly_class_hour_target(
                is_committee=True, member_target=t.member, committee_target=t.committee))),
            default=Value(rules.yearly_class_hour_target(
                is_committee=False, member_target=t.member, committee_target=t.committee)),
            output_field=HOURS,
        ),
    )  # fmt: skip


def class_hours_members(actor: User, org: Org, year: int, *, short_only: bool = False) -> QuerySet[Member]:
    """学时: members (正式、预备) now in ``org``'s subtree with their class hours for ``year`` against
    their target (R5.1: 32, or 56 for secretaries and committee members); ``short_only``: those short."""
    org_get(actor, org.pk)
    qs = _with_class_hours(members_in_subtree(actor, org).filter(status__in=member_rules.ACTIVE), year).annotate(
        shortfall=Case(When(hours__lt=F("target"), then=F("target") - F("hours")), default=Value(ZERO),
                       output_field=HOURS)
    )
    if short_only:
        qs = qs.filter(hours__lt=F("target"))  # type: ignore[misc]  # annotated by _with_class_hours
    return qs.select_related("org").order_by("org__path", "name_pinyin", "pk")


@dataclass
class HoursRow:
    org: Org
    members: int = 0
    short: int = 0
    committee: int = 0
    hours: Decimal = ZERO

    @property
    def average(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else ZERO

    @property
    def short_rate(self) -> Decimal | None:
        return (Decimal(self.short) * 100 / self.members).quantize(Decimal("0.1")) if self.members else None


@dataclass
class HoursRollup:
    org: Org
    year: int
    total: HoursRow
    groups: list[HoursRow]  # one level below ``org`` (for a county: its townships)
    branches: list[HoursRow]  # every organization that holds members


def class_hours_rollup(actor: User, org: Org, year: int) -> HoursRollup:
    """Who is short of class hours, by branch and by the level below ``org`` (township): members,
    members short, committee members and total hours per organization, counted in SQL."""
    rows = (
        _with_class_hours(members_in_subtree(actor, org).filter(status__in=member_rules.ACTIVE), year)
        .values("org_id")
        .annotate(
            n=Count("id"), short=Count("id", filter=Q(hours__lt=F("target"))),
            committee=Count("id", filter=Q(is_committee=True)), total=Sum("hours"),
        )  # fmt: skip
        .order_by()
    )
    by_org = {r["org_id"]: r for r in rows}
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=list(by_org))}
    branches = sorted(
        (HoursRow(orgs[pk], r["n"], r["short"], r["committee"], Decimal(r["total"] or 0)) for pk, r in by_org.items()),
        key=lambda h: h.org.path,
    )
    paths = [b.org.path for b in branches]

    def fold(target: Org, part: Sequence[HoursRow]) -> HoursRow:
        return HoursRow(target, sum(p.members for p in part), sum(p.short for p in part),
                        sum(p.committee for p in part), sum((p.hours for p in part), ZERO))

    groups = []
    for child in orgs_visible(actor).filter(depth=org.depth + 1, path__startswith=org.path).order_by("path"):
        lo, hi = bisect_left(paths, child.path), bisect_left(paths, subtree_upper_bound(child.path))
        if hi > lo:
            groups.append(fold(child, branches[lo:hi]))
    groups.sort(key=lambda g: (-(g.short_rate or 0), g.org.path))
    return HoursRollup(org=org, year=year, total=fold(org, branches), groups=groups, branches=branches)


@dataclass
class MemberClassHours:
    member: Member
    year: int
    meetings: list[Attendance]
    trainings: list[TrainingAttendance]
    meeting_hours: Decimal
    training_hours: Decimal
    total: Decimal
    is_committee: bool
    target: Decimal
    shortfall: Decimal


def member_class_hours(actor: User, member: Member, year: int) -> MemberClassHours:
    """A member's class hours for ``year``: each meeting counted as study and each training, the
    total, and the target (32 or 56). 404 outside the actor's scope."""
    member_get(actor, member.pk)
    start, end = _year_range(year)
    meetings = list(
        Attendance.objects.filter(member=member, date__gte=start, date__lte=end, class_hours__gt=0)
        .select_related("meeting", "meeting__org").order_by("date", "pk")
    )  # fmt: skip
    trainings = list(
        TrainingAttendance.objects.filter(member=member, date__gte=start, date__lte=end)
        .select_related("session", "session__org").order_by("date", "pk")
    )  # fmt: skip
    mh = sum((a.class_hours for a in meetings), ZERO)
    th = sum((t.class_hours for t in trainings), ZERO)
    committee = CommitteePost.objects.filter(member=member, started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    ).exists()
    t = params.targets()
    target = rules.yearly_class_hour_target(is_committee=committee, member_target=t.member, committee_target=t.committee)
    total = mh + th
    return MemberClassHours(member, year, meetings, trainings, mh, th, total, committee, target,
                            rules.class_hours_shortfall(total, target))


# --- a member's own year ----------------------------------------------------------------------------------


@dataclass
class MemberOrglifeSummary:
    member: Member
    year: int
    attendance: list[Attendance]  # every meeting of the year the member is on, oldest first
    took_part: int
    absent_with_reason: int
    absent_without_reason: int
    grade: str  # this year's 民主评议 grade code, "" if none
    class_hours: MemberClassHours

    @property
    def grade_label(self) -> str:
        return rules.GRADE_LABELS.get(self.grade, "")


def member_orglife_summary(actor: User, member: Member, year: int) -> MemberOrglifeSummary:
    """我的组织生活: the member's meetings of ``year`` (wherever held, including as a mobile member
    elsewhere), how often they took part, their appraisal grade and their class hours against the
    target. 404 outside the actor's scope (a member-role user sees only themselves).
    Rendered by the fragment ``orglife/_me.html`` (context variable ``orglife_summary``)."""
    member_get(actor, member.pk)
    start, end = _year_range(year)
    rows = list(
        Attendance.objects.filter(member=member, date__gte=start, date__lte=end)
        .select_related("meeting", "meeting__org").order_by("date", "pk")
    )  # fmt: skip
    took = sum(a.status in rules.TOOK_PART for a in rows)
    with_reason = sum(a.status in rules.ABSENT_WITH_REASON for a in rows)
    grade = next((a.grade for a in reversed(rows) if a.grade), "")
    return MemberOrglifeSummary(
        member=member, year=year, attendance=rows, took_part=took, absent_with_reason=with_reason,
        absent_without_reason=len(rows) - took - with_reason, grade=grade,
        class_hours=member_class_hours(actor, member, year),
    )  # fmt: skip


# --- six months without organizational life (R2.14) -----------------------------------------------------


@dataclass(frozen=True)
class OrglifeGap:
    member_id: int
    months: int  # consecutive months without taking part, excused months not counted
    last_took_part: dt.date | None  # the last meeting the member was present at (anywhere)
    counting_from: dt.date  # first day of the earliest month that can count (joined / records began)
    excused_months: tuple[dt.date, ...] = field(default=())  # first days of the excused months in the run


def orglife_gap_details(actor: User, members_qs: QuerySet[Member], today: dt.date) -> dict[int, OrglifeGap]:
    """``orglife_gap_months`` with the history behind each number (for the branch to act on)."""
    qs = members_qs.filter(pk__in=members_visible(actor).values("pk"))
    took_part = Attendance.objects.filter(status__in=rules.TOOK_PART, date__lte=today).order_by("-date")
    first_event = MembershipEvent.objects.filter(member=OuterRef("pk")).order_by("date", "seq", "id")
    people = qs.annotate(
        last_took_part=Subquery(took_part.filter(member=OuterRef("pk")).values("date")[:1]),
        first_event_on=Subquery(first_event.values("date")[:1]),
    ).values_list("pk", "joined_on", "first_event_on", "last_took_part")
    # Months since each member last took part in which their absences all had an approved reason:
    # grouped by member and month in SQL.
    approved = params.approved_reasons()
    month_start = today.replace(day=1)
    excused_rows = (
        Attendance.objects.filter(member__in=qs.values("pk"), date__lt=month_start)
        .exclude(status__in=rules.TOOK_PART)
        .annotate(last_took_part=Subquery(took_part.filter(member=OuterRef("member")).values("date")[:1]))
        .filter(Q(last_took_part__isnull=True) | Q(date__gt=F("last_took_part")))
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("member_id", "y", "m")
        .annotate(approved=Count("id", filter=Q(status__in=approved)), other=Count("id", filter=~Q(status__in=approved)))
        .filter(approved__gt=0, other=0)
        .order_by()
    )
    excused: dict[int, list[int]] = defaultdict(list)
    for r in excused_rows:
        excused[r["member_id"]].append(r["y"] * 12 + r["m"] - 1)
    records_start = params.records_start()
    out = {}
    for pk, joined_on, first_event_on, last in people:
        starts = [d for d in (joined_on, first_event_on, records_start) if d is not None]
        counting_from = max(starts).replace(day=1) if starts else month_start
        months = rules.gap_months(today=today, counting_from=counting_from, last_took_part=last,
                                  excused=excused.get(pk, ()))
        first = rules.month_index(counting_from)
        if last is not None:
            first = max(first, rules.month_index(last) + 1)
        run = sorted(i for i in excused.get(pk, ()) if first <= i < rules.month_index(today))
        out[pk] = OrglifeGap(
            member_id=pk, months=months, last_took_part=last, counting_from=counting_from,
            excused_months=tuple(dt.date(*rules.index_month(i), 1) for i in run),
        )  # fmt: skip
    return out


def orglife_gap_months(actor: User, members_qs: QuerySet[Member], today: dt.date) -> dict[int, int]:
    """连续未参加组织生活月数 (R2.14), for every member of ``members_qs`` the actor may see:
    ``{member_id: months}``.

    - Counts whole calendar months back from the month before ``today``'s; the current month is not
      counted until it is over, and a member present at any meeting this month has 0.
    - Taking part = being recorded ``present`` at any meeting, anywhere — including as a mobile
      member at the organization where they are (R5.4). Training sessions are not organizational life.
    - A month in which the member missed meetings only for an approved reason (请假, 病假; 外出流动
      only if ``orglife.mobile_away_excused``) is not counted and does not break the run.
    - A month with no meeting at all counts: the member had no organizational life that month.
    - Months before the member joined are not counted: before the later of their 入党日期 and their
      first membership event here (a member transferred in is not blamed for months spent elsewhere),
      nor before ``orglife.records_start_month``.
    - Lost-contact, suspended and former members are counted like anyone else: filter
      ``members_qs`` for the rule you apply.

    Two SQL queries whatever the number of members (a subquery for each member's last attendance
    and first event; absences since then grouped by member and month)."""
    return {pk: gap.months for pk, gap in orglife_gap_details(actor, members_qs, today).items()}


# --- trainings and committee posts ---------------------------------------------------------------------


def trainings_visible(actor: User) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(scope_for(actor).q("org__path"))


def training_get(actor: User, pk: int | str) -> TrainingSession:
    session = trainings_visible(actor).filter(pk=_int(pk)).select_related("org").first()
    if session is None:
        raise Http404
    return session


def org_trainings(actor: User, org: Org, *, year: int | None = None) -> QuerySet[TrainingSession]:
    org_get(actor, org.pk)
    qs = trainings_visible(actor).filter(_in_subtree(org, "org__path"))
    if year:
        qs = qs.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    return qs.select_related("org").annotate(attendee_count=Count("attendees")).order_by("-date", "-id")


def training_attendees(actor: User, session: TrainingSession) -> list[TrainingAttendance]:
    training_get(actor, session.pk)
    return list(session.attendees.select_related("member", "member__org").order_by("member__name_pinyin"))


def members_by_id_numbers(actor: User, numbers: Iterable[str]) -> tuple[list[Member], list[str]]:
    """Members found by exact ID numbers: in the actor's scope, or (as guests) anywhere if mobile.
    Returns (found, the numbers not found) — an out-of-scope non-mobile member is "not found"."""
    found: list[Member] = []
    missing: list[str] = []
    for raw in numbers:
        number = idnumbers.normalize(raw or "")
        if not number:
            continue
        m = members_visible(actor).filter(id_number_hash=crypto.keyed_hash(number)).first()
        if m is None:
            m = Member.objects.filter(id_number_hash=crypto.keyed_hash(number), is_mobile=True).first()
        if m is None:
            missing.append(raw.strip())
        else:
            found.append(m)
    return found, missing


def committee_posts(actor: User, org: Org, *, include_ended: bool = True) -> QuerySet[CommitteePost]:
    org_get(actor, org.pk)
    qs = CommitteePost.objects.filter(org=org).select_related("member")
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "post", "started_on")


def committee_post_get(actor: User, pk: int | str) -> CommitteePost:
    post = CommitteePost.objects.filter(pk=_int(pk), org__in=orgs_visible(actor).values("pk")).select_related(
        "org", "member").first()  # fmt: skip
    if post is None:
        raise Http404
    return post


# --- work queue -------------------------------------------------------------------------------------------


def work_items(actor: User, today: dt.date) -> list[WorkItem]:
    """待办 of organizational life, as ``dangjian.web.selectors.WorkItem`` (kinds ``orglife_due``,
    ``orglife_red``, ``class_hours_short``):

    - one item per branch whose meetings of the current period are not held yet and the period ends
      within ``orglife.due_reminder_days`` (warning in the last 7 days, else info);
    - one item per branch red on compliance this year (warning);
    - from ``orglife.class_hours_warn_from_month`` (October) on, one item per organization with
      members short of their yearly class hours (warning in December, else info).
    Member-role and scope-less users have none."""
    from dangjian.web.selectors import WorkItem

    if actor.role not in ORG_ROLES:
        return []
    items: list[WorkItem] = []
    reminder = int(params.value(params.DUE_REMINDER_DAYS))
    warn_from = int(params.value(params.HOURS_WARN_FROM_MONTH))
    targets = params.targets()
    for root in org_roots(actor):
        for row in compliance_rows(actor, root, today.year, today):
            b = row.org
            url = reverse("orglife:calendar", args=[b.pk]) + f"?year={today.year}"
            pending = [c for cells in row.calendar.values() for c in cells
                       if c.status == rules.DUE and c.is_current and (c.end - today).days <= reminder]
            if pending:
                due = min(c.end for c in pending)
                names = "、".join(f"{rules.KIND_LABELS[c.kind]}（{c.label}）" for c in pending)
                items.append(WorkItem(
                    kind="orglife_due", group="orglife_due", group_title="本期组织生活尚未开展",
                    title=f"{b.name}：{len(pending)}项组织生活本期尚未开展", detail=f"尚未开展：{names}。",
                    url=url, org=b, due=due, severity="warning" if (due - today).days <= 7 else "info",
                    article="§3.2",
                ))  # fmt: skip
            if row.band == rules.RED:
                items.append(WorkItem(
                    kind="orglife_red", group="orglife_red", group_title="组织生活合规率红色",
                    title=f"{b.name}：组织生活合规率{row.rate}%（红色）",
                    detail=f"{today.year}年已开展{row.tally.done}项、未开展{row.tally.missed}项。",
                    url=url, org=b, severity="warning", article="§3.2",
                ))  # fmt: skip
        if today.month >= warn_from:
            rollup = class_hours_rollup(actor, root, today.year)
            for h in rollup.branches:
                if h.short:
                    items.append(WorkItem(
                        kind="class_hours_short", group="class_hours_short", group_title="党员学时未达标",
                        title=f"{h.org.name}：{h.short}名党员{today.year}年学时未达标",
                        detail=f"共{h.members}名党员，{h.short}名未达到年度学时要求（党员{targets.member:g}、"
                               f"书记和委员{targets.committee:g}学时）。",
                        url=reverse("orglife:class_hours", args=[h.org.pk]) + f"?year={today.year}&short=1",
                        org=h.org, due=dt.date(today.year, 12, 31),
                        severity="warning" if today.month == 12 else "info", article="R5.1",
                    ))  # fmt: skip
    return items


def year_choices(today: dt.date, back: int = 5) -> list[int]:
    return list(range(today.year, today.year - back - 1, -1))


def kind_choices() -> list[tuple[str, str]]:
    return [("", "全部类型"), *rules.KIND_LABELS.items()]

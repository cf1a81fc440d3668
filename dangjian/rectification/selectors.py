"""Reads of weak-organization rectification. Every function takes the acting user first and applies
their scope: cases, surveys and files are scoped through their organization's path; an id outside the
scope (or unknown) is Http404. Member-role users see none of it.

Candidates are found from the records: the facts of every grassroots organization in a subtree are
gathered in a handful of grouped queries (committee posts, development targets per year, the
organizational-life calendar, surveys, and — where those apps publish them — assessment rankings and
branch stars), then judged by the pure functions of rules.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractYear, Substr
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.accounts.selectors import scope_for
from dangjian.common.scope import subtree_upper_bound
from dangjian.orglife import params as orglife_params
from dangjian.orglife import rules as orglife_rules
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.orgs.selectors import org_get, orgs_visible
from dangjian.rectification import params, rules
from dangjian.rectification.models import (
    Acceptance,
    Case,
    Milestone,
    ProgressReport,
    RectificationFile,
    SatisfactionSurvey,
)

if TYPE_CHECKING:
    from dangjian.web.selectors import WorkItem

# The organizations judged: grassroots organizations that hold members (党支部, 联合党支部, 临时党支部,
# 党总支, 基层党委) — not township or county committees, not 党小组.
JUDGED_TYPES = org_rules.HOLDS_MEMBERS


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _subtree(org: Org, field_: str = "path") -> Q:
    return Q(**{f"{field_}__gte": org.path, f"{field_}__lt": subtree_upper_bound(org.path)})


def active_on(on: dt.date) -> Q:
    """Organizations that existed on ``on``: the denominators of a year are its organizations, not
    today's (one dissolved since still counts for its year; one founded later does not)."""
    return Q(established_on__lte=on) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))


def county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def above_paths(actor: User, org: Org) -> list[str]:
    """The actor's assigned organizations strictly above ``org`` (nearest last): the levels that may
    confirm, dismiss, plan and accept — an organization does not judge itself."""
    if not actor.can_write:
        return []
    return sorted(p for p in scope_for(actor).paths if org.path.startswith(p) and org.path != p)


def may_decide(actor: User, org: Org) -> bool:
    return bool(above_paths(actor, org))


# --- cases ------------------------------------------------------------------------------------------------


def cases_visible(actor: User) -> QuerySet[Case]:
    if actor.role not in ORG_ROLES:
        return Case.objects.none()
    return Case.objects.filter(scope_for(actor).q("org__path"))


def case_get(actor: User, pk: int | str) -> Case:
    case = cases_visible(actor).filter(pk=_int(pk)).select_related("org", "confirming_org", "confirmed_by").first()
    if case is None:
        raise Http404
    return case


def milestone_get(actor: User, pk: int | str) -> Milestone:
    m = Milestone.objects.filter(pk=_int(pk), case__in=cases_visible(actor).values("pk")).select_related(
        "case", "case__org").first()  # fmt: skip
    if m is None:
        raise Http404
    return m


def progress_get(actor: User, pk: int | str) -> ProgressReport:
    p = ProgressReport.objects.filter(pk=_int(pk), case__in=cases_visible(actor).values("pk")).select_related(
        "case", "case__org").first()  # fmt: skip
    if p is None:
        raise Http404
    return p


def file_get(actor: User, pk: int | str) -> RectificationFile:
    f = RectificationFile.objects.filter(pk=_int(pk), case__in=cases_visible(actor).values("pk")).select_related(
        "case").first()  # fmt: skip
    if f is None:
        raise Http404
    return f


def surveys_visible(actor: User) -> QuerySet[SatisfactionSurvey]:
    if actor.role not in ORG_ROLES:
        return SatisfactionSurvey.objects.none()
    return SatisfactionSurvey.objects.filter(scope_for(actor).q("org__path"))


def survey_get(actor: User, pk: int | str) -> SatisfactionSurvey:
    s = surveys_visible(actor).filter(pk=_int(pk)).select_related("org").first()
    if s is None:
        raise Http404
    return s


def survey_list(actor: User, org: Org, year: int) -> QuerySet[SatisfactionSurvey]:
    org_get(actor, org.pk)
    return surveys_visible(actor).filter(_subtree(org, "org__path"), year=year).select_related("org").order_by("org__path")


# Which cases each count of the per-township table lists.
STATES: dict[str, tuple[str, Q]] = {
    "candidates": ("候选", Q(status=rules.CANDIDATE)),
    "identified": ("识别（确认）", Q(status__in=rules.IDENTIFIED)),
    "rectifying": ("整顿中", Q(status__in=rules.OPEN)),
    "accepted": ("已验收", Q(status=rules.ACCEPTED)),
    "not_passed": ("验收未通过（继续整顿）", Q(status=rules.RECTIFYING, acceptances__result=rules.NOT_PASSED)),
    "dismissed": ("已排除", Q(status=rules.DISMISSED)),
}


def case_list(actor: User, org: Org, *, year: int | None = None, state: str = "") -> QuerySet[Case]:
    """Cases of ``org``'s subtree, optionally of one year and one of STATES."""
    org_get(actor, org.pk)
    qs = cases_visible(actor).filter(_subtree(org, "org__path"))
    if year:
        qs = qs.filter(year=year)
    if state in STATES:
        qs = qs.filter(STATES[state][1]).distinct()
    return qs.select_related("org", "plan").annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
    ).order_by("-year", "org__path")


@dataclass
class CaseDetail:
    case: Case
    findings: list[Any]
    plan: Any
    milestones: list[Milestone]
    progress: list[ProgressReport]
    acceptances: list[Acceptance]
    may_decide: bool
    may_write: bool
    share: str = ""  # the reverse-ranking share used so far at the deciding level, for deciders


def level_share(level: Org, case: Case) -> tuple[str, int, int]:
    """(kind, confirmed, organizations) of ``case``'s kind in ``level``'s subtree for its year. Not
    scoped: ``level`` is an organization the actor decides for."""
    kind = rules.org_kind(case.org.category)
    on = rules.judged_on(case.year, timezone.localdate())
    orgs = [o for o in Org.objects.filter(_subtree(level), active_on(on), org_type__in=JUDGED_TYPES)
            if o.path != level.path]
    return kind, identified_by_kind(level, case.year).get(kind, 0), kind_totals(orgs).get(kind, 0)


def share_level(case: Case, decider: Org) -> Org:
    """Where the reverse-ranking share is compared: the whole county, whichever level confirms.
    Comparing a township's confirmations with share × its own villages would give every township the
    same quota — exactly the even split E6.12 forbids; the county's total is the guide."""
    return county_of(case.org) or decider


def share_line(level: Org, case: Case, share_percent: float) -> str:
    """“…年已确认村党组织N个，共M个（P%），倒排比例参考S%（G个）” for ``level`` (the county: share_level)."""
    kind, n, total = level_share(level, case)
    used = rules.share_percent_used(n, total)
    return (f"{level.name}{case.year}年已确认{rules.KIND_LABELS[kind]}党组织{n}个，共{total}个"
            f"{f'（{used}%）' if used is not None else ''}；倒排比例参考{share_percent:g}%"
            f"（{rules.share_guide(orgs_of_kind=total, share_percent=share_percent)}个），只作参考，乡镇名额不平均分配。")


def case_detail(actor: User, pk: int | str) -> CaseDetail:
    case = case_get(actor, pk)
    plan = getattr(case, "plan", None)
    writable = actor.can_write and scope_for(actor).contains_path(case.org.path)
    leader = plan is not None and plan.leader_id == actor.pk
    above = above_paths(actor, case.org)
    share = share_line(share_level(case, Org.objects.get(path=above[-1])), case, params.current().reverse_share) if above else ""
    return CaseDetail(
        case=case, findings=list(case.findings.order_by("id")), plan=plan,
        milestones=list(case.milestones.order_by("due", "id")),
        progress=list(case.progress_reports.prefetch_related("files").order_by("date", "id")),
        acceptances=list(case.acceptances.prefetch_related("files").order_by("date", "id")),
        may_decide=bool(above), may_write=writable or leader, share=share,
    )  # fmt: skip


# --- facts and candidates -------------------------------------------------------------------------------------


@dataclass
class Candidate:
    org: Org
    findings: list[rules.Finding]
    case: Case | None = None  # the case recorded for the org this year, or an earlier one still open


@dataclass
class CandidateScan:
    org: Org
    year: int
    on: dt.date
    candidates: list[Candidate]
    judged: int
    unavailable: list[str] = field(default_factory=list)  # criteria whose source app is not there yet


def judged_orgs(actor: User, org: Org, on: dt.date) -> list[Org]:
    """Grassroots organizations of ``org``'s subtree active on ``on`` that the actor may judge (not
    their own assigned organizations)."""
    own = set(scope_for(actor).paths)
    return [o for o in orgs_visible(actor).filter(_subtree(org), org_type__in=JUDGED_TYPES, established_on__lte=on)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)).order_by("path") if o.path not in own]


def _secretary_posts(orgs: list[Org]) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    from dangjian.orglife.models import CommitteePost

    out: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = CommitteePost.objects.filter(org__in=[o.pk for o in orgs], post=orglife_rules.POST_SECRETARY).values_list(
        "org_id", "started_on", "ended_on")  # fmt: skip
    for org_id, s, e in rows:
        out[org_id].append((s, e))
    return out


def _candidate_years(root: Org, year: int) -> list[tuple[str, int]]:
    """(branch path, year) pairs in which a development record of ``root``'s subtree reached the
    发展对象 stage, up to ``year``: one grouped query. No lower bound: the facts say "N consecutive
    years", and a year left out of the query would be counted as a year without a target."""
    from dangjian.recruitment.models import DevelopmentRecord

    rows = (DevelopmentRecord.objects.filter(_subtree(root, "org__path"), candidate_on__lte=dt.date(year, 12, 31))
            .annotate(y=ExtractYear("candidate_on")).values_list("org__path", "y").distinct().order_by())  # fmt: skip
    return list(rows)


def _assessment_rows(county: Org | None, year: int) -> dict[int, list[Any]] | None:
    """The published assessment rankings by organization, or None while that app does not offer them."""
    if county is None:
        return {}
    try:
        from dangjian.assessment.selectors import published_rankings
    except ImportError:
        return None
    out: dict[int, list[Any]] = defaultdict(list)
    for row in published_rankings(county, year):
        out[row.org_id].append(row)
    return out


def _branch_stars(county: Org | None, year: int) -> dict[int, int] | None:
    if county is None:
        return {}
    try:
        from dangjian.points.selectors import branch_stars
    except ImportError:
        return None
    return dict(branch_stars(county, year))


_SENTINEL = 987654321


def _url_maker(name: str) -> Any:
    """``reverse(name, args=[pk])`` for many pks: resolved once (a scan links hundreds of records)."""
    pattern = reverse(name, args=[_SENTINEL])
    return lambda pk: pattern.replace(str(_SENTINEL), str(pk))


def _url_maker_or_none(name: str) -> Any:
    """Like _url_maker, or None while the page is not mounted (another app's URL)."""
    try:
        return _url_maker(name)
    except NoReverseMatch:
        return None


def _rating_links(org_ids: list[int], year: int) -> dict[int, tuple[str, str]]:
    """Org id → (label, url) of the branch's star rating (党组织评星定级) of ``year`` in the points app:
    the rating page itself where it can be found, else the branch's 积分与星级 page of the year."""
    if not org_ids:
        return {}
    rating_url = _url_maker_or_none("points:brating")
    org_url = _url_maker_or_none("points:org")
    ids: dict[int, int] = {}
    if rating_url is not None:
        try:
            from dangjian.points.models import BranchRating
        except ImportError:
            pass
        else:
            ids = dict(BranchRating.objects.filter(org_id__in=org_ids, year=year).values_list("org_id", "pk"))
    out: dict[int, tuple[str, str]] = {}
    for org_id in org_ids:
        if org_id in ids:
            out[org_id] = (f"{year}年党组织评星定级", rating_url(ids[org_id]))
        elif org_url is not None:
            out[org_id] = (f"{year}年积分与星级", f"{org_url(org_id)}?year={year}")
    return out


def candidate_scan(actor: User, org: Org, year: int, today: dt.date) -> CandidateScan:
    """Every organization of ``org``'s subtree that meets a record-based criterion in ``year``, with
    the facts and links behind each finding; judged on the year's last day (today while it runs)."""
    org_get(actor, org.pk)
    p = params.current()
    on = rules.judged_on(year, today)
    orgs = judged_orgs(actor, org, on)
    by_id = {o.pk: o for o in orgs}
    found: dict[int, list[rules.Finding]] = defaultdict(list)
    unavailable: list[str] = []

    def add(o: Org, f: rules.Finding | None, *links: tuple[str, str]) -> None:
        if f is None:
            return
        f = rules.Finding(f.criterion, f.facts, f.category, tuple(links))
        mine = found[o.pk]
        for i, g in enumerate(mine):
            if g.criterion == f.criterion:  # a case records each criterion once
                mine[i] = rules.merge_findings(g, f)
                return
        mine.append(f)

    # 书记空缺
    committee_url, calendar_url = _url_maker("orglife:committee"), _url_maker("orglife:calendar")
    records_url = reverse("recruitment:record_list")
    posts = _secretary_posts(orgs)
    records_start = orglife_params.records_start()
    for o in orgs:
        add(o, rules.secretary_vacancy(posts=posts.get(o.pk, []), on=on, established_on=o.established_on,
                                       secretary_name=o.secretary_name, records_start=records_start,
                                       months=p.vacancy_months),
            ("支委职务（书记任职记录）", committee_url(o.pk)))  # fmt: skip

    # 村连续无发展对象
    villages = [o for o in orgs if o.category == "rural" and o.is_village_level]
    if villages:
        pairs = _candidate_years(org, year)
        for v in villages:
            years = {y for path, y in pairs if path.startswith(v.path)}
            add(v, rules.no_development(year=year, candidate_years=years, established_on=v.established_on,
                                        records_from_year=p.records_from_year, min_years=p.development_years, on=on),
                ("发展党员记录", f"{records_url}?org={v.pk}"))  # fmt: skip

    # 组织生活不正常
    from dangjian.orglife.selectors import compliance_rows

    for row in compliance_rows(actor, org, year, today):
        if row.org.pk not in by_id:
            continue
        missed = [f"{orglife_rules.KIND_LABELS[c.kind]}（{c.label}）" for cells in row.calendar.values() for c in cells
                  if c.status == orglife_rules.MISSED]
        add(row.org, rules.orglife_not_held(done=row.tally.done, missed=row.tally.missed, missed_items=missed,
                                            min_percent=p.orglife_min),
            ("组织生活完成情况日历", f"{calendar_url(row.org.pk)}?year={year}"))  # fmt: skip

    # 群众满意度
    for s in SatisfactionSurvey.objects.filter(org__in=list(by_id), year=year):
        add(by_id[s.org_id], rules.satisfaction_low(satisfied=s.satisfied, respondents=s.respondents,
                                                    min_percent=p.satisfaction_min, method=s.method),
            ("群众满意度测评", reverse("rectification:survey_detail", args=[s.pk])))  # fmt: skip

    # 年度考核 and 支部星级: from the assessment and points apps, where they publish them.
    county = county_of(org)
    assessed = _assessment_rows(county, year)
    if assessed is None:
        unavailable.append(rules.CRITERION_LABELS[rules.ASSESSMENT_LAST] + "（考核模块尚未提供已公布的排名）")
    else:
        # Places after each result, per scheme (ties share a competition rank: both tied last are last).
        ranks_of: dict[int, list[int]] = defaultdict(list)
        for rows in assessed.values():
            for r in rows:
                ranks_of[r.scheme_id].append(r.rank)
        ranking_url = _url_maker_or_none("assessment:ranking")
        for org_id, ranked in assessed.items():
            if org_id in by_id:
                for r in ranked:
                    below = sum(1 for x in ranks_of[r.scheme_id] if x > r.rank)
                    link = (f"考核排名（{r.scheme_name}）", ranking_url(r.scheme_id)) if ranking_url else None
                    add(by_id[org_id], rules.assessment_last(rank=r.rank, of_total=r.of_total, grade=r.grade,
                                                             vetoed=r.vetoed, scheme=r.scheme_name,
                                                             bottom_places=p.assessment_bottom, below=below),
                        *([link] if link else []))
    stars = _branch_stars(county, year)
    if stars is None:
        unavailable.append(rules.CRITERION_LABELS[rules.STARS_LOW] + "（积分模块尚未提供支部星级）")
    else:
        low = {org_id: n for org_id, n in stars.items() if org_id in by_id}
        rating_links = _rating_links([k for k, n in low.items() if n < p.stars_min], year)
        for org_id, n in low.items():
            link = rating_links.get(org_id)
            add(by_id[org_id], rules.stars_low(stars=n, min_stars=p.stars_min), *([link] if link else []))

    # The case of the year, or one of an earlier year still being rectified (not to be found again).
    existing = {c.org_id: c for c in Case.objects.filter(org__in=list(found), status__in=rules.OPEN).exclude(year=year)}
    existing.update({c.org_id: c for c in Case.objects.filter(org__in=list(found), year=year)})
    candidates = [Candidate(by_id[pk], fs, existing.get(pk)) for pk, fs in found.items()]
    candidates.sort(key=lambda c: c.org.path)
    return CandidateScan(org, year, on, candidates, len(orgs), unavailable)


# --- the reverse-ranking share and counts per township ----------------------------------------------------------


def kind_totals(orgs: list[Org]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for o in orgs:
        out[rules.org_kind(o.category)] += 1
    return out


def identified_by_kind(level: Org, year: int) -> dict[str, int]:
    """Confirmed cases (识别) of ``level``'s subtree in ``year`` per kind, counted in SQL. Not scoped:
    services use it for the share warning of a level the actor confirms for."""
    rows = (Case.objects.filter(_subtree(level, "org__path"), year=year, status__in=rules.IDENTIFIED)
            .values("org__category").annotate(n=Count("id")).order_by())  # fmt: skip
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        out[rules.org_kind(r["org__category"])] += r["n"]
    return out


@dataclass
class CountRow:
    org: Org | None  # the township (or the level below the page's org); None for the total
    candidates: int = 0
    identified: int = 0
    rectifying: int = 0
    accepted: int = 0
    not_passed: int = 0
    dismissed: int = 0
    judged: dict[str, int] = field(default_factory=dict)  # grassroots organizations per kind
    identified_kind: dict[str, int] = field(default_factory=dict)

    def share(self, kind: str) -> Any:
        return rules.share_percent_used(self.identified_kind.get(kind, 0), self.judged.get(kind, 0))

    @property
    def shares(self) -> list[tuple[str, int, int, Any]]:
        return [(rules.KIND_LABELS[k], self.identified_kind.get(k, 0), self.judged.get(k, 0), self.share(k))
                for k in rules.KIND_LABELS if self.judged.get(k)]

    @property
    def sentence(self) -> str:
        return f"整顿软弱涣散基层党组织{self.identified}个，验收通过{self.accepted}个"


@dataclass
class Counts:
    org: Org
    year: int
    rows: list[CountRow]
    total: CountRow
    share_percent: float


def counts(actor: User, org: Org, year: int, today: dt.date | None = None) -> Counts:
    """识别、整顿中、已验收、验收未通过 per organization one level below ``org`` (for a county: each
    township) in ``year``: one grouped SQL aggregate over the cases, bucketed by path prefix; plus the
    share of organizations of each kind confirmed (the reverse-ranking share actually used)."""
    org_get(actor, org.pk)
    on = rules.judged_on(year, today or timezone.localdate())
    width = (org.depth + 1) * Org.steplen
    base = cases_visible(actor).filter(_subtree(org, "org__path"), year=year)
    failed = Acceptance.objects.filter(result=rules.NOT_PASSED).values("case_id")
    agg = (base.annotate(prefix=Substr("org__path", 1, width)).values("prefix", "org__category").annotate(
        candidates=Count("id", filter=Q(status=rules.CANDIDATE)),
        identified=Count("id", filter=Q(status__in=rules.IDENTIFIED)),
        rectifying=Count("id", filter=Q(status__in=rules.OPEN)),
        accepted=Count("id", filter=Q(status=rules.ACCEPTED)),
        not_passed=Count("id", filter=Q(status=rules.RECTIFYING, pk__in=failed)),
        dismissed=Count("id", filter=Q(status=rules.DISMISSED)),
    ).order_by())  # fmt: skip
    judged = (orgs_visible(actor).filter(_subtree(org), active_on(on), org_type__in=JUDGED_TYPES)
              .exclude(path=org.path).annotate(prefix=Substr("path", 1, width)).values("prefix", "category")
              .annotate(n=Count("id")).order_by())  # fmt: skip
    children = {o.path: o for o in orgs_visible(actor).filter(_subtree(org), depth=org.depth + 1)}
    rows: dict[str, CountRow] = {}

    def row(prefix: str) -> CountRow:
        if prefix not in rows:
            rows[prefix] = CountRow(children.get(prefix), judged={}, identified_kind={})
        return rows[prefix]

    total = CountRow(org, judged={}, identified_kind={})
    for r in agg:
        kind = rules.org_kind(r["org__category"])
        for target in (row(r["prefix"]), total):
            for k in ("candidates", "identified", "rectifying", "accepted", "not_passed", "dismissed"):
                setattr(target, k, getattr(target, k) + r[k])
            target.identified_kind[kind] = target.identified_kind.get(kind, 0) + r["identified"]
    for r in judged:
        kind = rules.org_kind(r["category"])
        for target in (row(r["prefix"]), total):
            target.judged[kind] = target.judged.get(kind, 0) + r["n"]
    out = sorted((r for p, r in rows.items() if r.org is not None), key=lambda r: r.org.path if r.org else "")
    return Counts(org, year, out, total, params.current().reverse_share)


# --- work queue and the organization page ---------------------------------------------------------------------


def case_url(pk: int) -> str:
    return reverse("rectification:case_detail", args=[pk])


def acceptance_level_path(case: Case) -> str:
    """The level that accepts: the one that confirmed the case, while it is still above the
    organization; if the organization has since been moved (调整隶属关系) to another township, its
    new parent — the old township no longer sees it, and the acceptance must not fall to nobody."""
    c = case.confirming_org
    if c is not None and case.org.path.startswith(c.path) and case.org.path != c.path:
        return c.path
    return case.org.path[: -Org.steplen]


def work_items(actor: User, today: dt.date) -> list[WorkItem]:
    """待办 of rectification (kinds ``rectification_confirm``, ``rectification_milestone``,
    ``rectification_acceptance``):

    - candidates to confirm or dismiss: for writers of a level above the organization (county,
      township) — info, warning once the year is over;
    - milestones not done that are due within ``rectification.reminder_days`` or overdue (danger):
      for the case organization's own writers and the 包 leader;
    - acceptance due at the plan's deadline (same reminder; danger once passed): for the writers of
      the confirming level.
    Member-role and scope-less users have none."""
    from dangjian.web.selectors import WorkItem

    if actor.role not in ORG_ROLES or not actor.can_write:
        return []
    p = params.current()
    own = set(scope_for(actor).paths)
    items: list[WorkItem] = []
    for c in cases_visible(actor).filter(status=rules.CANDIDATE).select_related("org"):
        if not may_decide(actor, c.org):
            continue
        items.append(WorkItem(
            kind="rectification_confirm", group="rectification_confirm", group_title="软弱涣散候选待确认",
            title=f"{c.org.name}：{c.year}年软弱涣散候选，待确认或排除", detail="请核对认定依据和相关记录后确认或排除。",
            url=case_url(c.pk), org=c.org, due=dt.date(c.year, 12, 31),
            severity="warning" if today.year > c.year else "info", article="E6.11、E6.12",
        ))  # fmt: skip
    horizon = today + dt.timedelta(days=p.reminder_days)
    milestones = (Milestone.objects.filter(done_on__isnull=True, due__lte=horizon, case__status=rules.RECTIFYING)
                  .filter(Q(case__in=cases_visible(actor).values("pk")) | Q(case__plan__leader=actor))
                  .select_related("case", "case__org", "case__plan"))  # fmt: skip
    for m in milestones:
        c = m.case
        if c.org.path not in own and c.plan.leader_id != actor.pk:
            continue
        state = rules.due_state(m.due, today, p.reminder_days)
        items.append(WorkItem(
            kind="rectification_milestone", group="rectification_milestone", group_title="整顿节点到期",
            title=f"{c.org.name}：整顿节点“{m.title}”{'已超期' if state == rules.OVERDUE else '即将到期'}",
            detail=f"完成期限{m.due.isoformat()}。", url=case_url(c.pk), org=c.org, due=m.due,
            severity="danger" if state == rules.OVERDUE else "warning", article="四定一包",
        ))  # fmt: skip
    for c in (cases_visible(actor).filter(status=rules.RECTIFYING, plan__deadline__lte=horizon)
              .select_related("org", "plan", "confirming_org")):  # fmt: skip
        if acceptance_level_path(c) not in own:
            continue
        state = rules.due_state(c.plan.deadline, today, p.reminder_days)
        items.append(WorkItem(
            kind="rectification_acceptance", group="rectification_acceptance", group_title="软弱涣散整顿待验收",
            title=f"{c.org.name}：整顿期限{c.plan.deadline.isoformat()}{'已到，尚未验收通过' if state == rules.OVERDUE else '将到，请组织验收'}",
            detail="整顿期满应组织验收；验收未通过的继续整顿。", url=case_url(c.pk), org=c.org, due=c.plan.deadline,
            severity="danger" if state == rules.OVERDUE else "warning", article="E6.11",
        ))  # fmt: skip
    return items


@dataclass(frozen=True)
class OrgPanel:
    case: Case
    status_label: str
    status_css: str
    deadline: dt.date | None
    milestones_done: int
    milestones_total: int
    url: str
    findings: tuple[str, ...]


def org_panel(actor: User, org: Org, today: dt.date | None = None) -> OrgPanel | None:
    """The organization's latest rectification case (not dismissed): status, plan deadline,
    milestones done / total. None when it has none (or the actor may not see it)."""
    case = (cases_visible(actor).filter(org=org).exclude(status=rules.DISMISSED).select_related("plan")
            .annotate(m_total=Count("milestones", distinct=True),
                      m_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True))
            .order_by("-year").first())  # fmt: skip
    if case is None:
        return None
    plan = getattr(case, "plan", None)
    return OrgPanel(case, rules.STATUS_LABELS[case.status], rules.STATUS_CSS[case.status],
                    plan.deadline if plan else None, case.m_done, case.m_total, case_url(case.pk),
                    tuple(case.findings.values_list("criterion", flat=True).distinct()))


def leader_choices(actor: User, org: Org) -> list[User]:
    """Accounts that may own a turnaround (包): county and township writers above ``org`` — the
    township's own leaders or the county's (a township may name a county leader who 包s its village)."""
    out = []
    for u in (User.objects.filter(is_active=True, role__in=[Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER])
              .prefetch_related("orgs").order_by("username")):  # fmt: skip
        paths = [o.path for o in u.orgs.all()]
        if any(org.path.startswith(p) and org.path != p for p in paths):
            out.append(u)
    return out


def latest_year_with_cases(actor: User, org: Org, today: dt.date) -> int:
    y = cases_visible(actor).filter(_subtree(org, "org__path")).aggregate(y=Max("year"))["y"]
    return int(y or today.year)


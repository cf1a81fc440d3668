"""Reads of member points and star ratings. Every function takes the acting user first and applies
their scope: organization users see entries, postings, objections and ratings of the branches in their
subtrees, and the schemes owned in their subtrees or above them (the county's scheme applies to a
branch); a member-role user sees only their own points (``member_points``), never another member's,
and no page that takes an id except their own entries. An id outside the scope is 404, as a missing one.

Roll-ups are SQL counts over the year-end ratings; a branch's live table sums its entries in one
grouped query and applies the caps with the pure rules (points.queries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.accounts.selectors import scope_for
from dangjian.common.scope import subtree_upper_bound
from dangjian.members.models import Member
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import org_roots
from dangjian.points import params, queries, rules
from dangjian.points.models import (
    BranchRating,
    MemberRating,
    Objection,
    PointsEntry,
    PointsEvidence,
    PointsItem,
    PointsScheme,
    Posting,
)

if TYPE_CHECKING:
    from dangjian.web.selectors import WorkItem


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _in_subtree(org: Org, field_: str = "org__path") -> Q:
    return Q(**{f"{field_}__gte": org.path, f"{field_}__lt": subtree_upper_bound(org.path)})


def _org_user(actor: User) -> bool:
    return actor.role in ORG_ROLES


# --- schemes -------------------------------------------------------------------------------------------------


def schemes_visible(actor: User) -> QuerySet[PointsScheme]:
    """Schemes owned in the actor's subtrees, or above them (a county's scheme applies to its branches)."""
    if not _org_user(actor):
        return PointsScheme.objects.none()
    scope = scope_for(actor)
    above = {p for path in scope.paths for p in queries.ancestor_paths(path)}
    return PointsScheme.objects.filter(scope.q("org__path") | Q(org__path__in=above))


def scheme_get(actor: User, pk: int | str) -> PointsScheme:
    scheme = schemes_visible(actor).filter(pk=_int(pk)).select_related("org", "copied_from").first()
    if scheme is None:
        raise Http404
    return scheme


def item_get(actor: User, pk: int | str) -> PointsItem:
    item = PointsItem.objects.filter(pk=_int(pk), scheme__in=schemes_visible(actor)).select_related("scheme__org").first()
    if item is None:
        raise Http404
    return item


def scheme_items(actor: User, scheme: PointsScheme) -> list[PointsItem]:
    scheme_get(actor, scheme.pk)
    return list(scheme.items.order_by("position", "pk"))


def may_edit_scheme(actor: User, scheme: PointsScheme) -> bool:
    return actor.can_write and scope_for(actor).contains_path(scheme.org.path)


def org_schemes(actor: User, org: Org) -> list[PointsScheme]:
    """Schemes owned by ``org`` or above it (the ones that may apply there), newest year first."""
    return list(schemes_visible(actor).filter(org__path__in=queries.ancestor_paths(org.path)).select_related("org")
                .order_by("-year", "-org__depth"))  # fmt: skip


def applicable_scheme(actor: User, org: Org, year: int) -> PointsScheme | None:
    if not scope_for(actor).contains_path(org.path):
        raise Http404
    return queries.scheme_for(org, year)


# --- entries ----------------------------------------------------------------------------------------------------


def entries_visible(actor: User) -> QuerySet[PointsEntry]:
    scope = scope_for(actor)
    if actor.role == Role.MEMBER:
        return PointsEntry.objects.filter(member_id=scope.own_member_id) if scope.own_member_id else PointsEntry.objects.none()
    if not _org_user(actor):
        return PointsEntry.objects.none()
    return PointsEntry.objects.filter(scope.q("org__path"))


def entry_get(actor: User, pk: int | str) -> PointsEntry:
    entry = entries_visible(actor).filter(pk=_int(pk)).select_related(
        "member", "org", "item", "scheme", "entered_by", "decided_by").first()  # fmt: skip
    if entry is None:
        raise Http404
    return entry


def entry_evidence(actor: User, entry: PointsEntry) -> list[PointsEvidence]:
    entry_get(actor, entry.pk)
    return list(entry.evidence.all())


def evidence_get(actor: User, pk: int | str) -> PointsEvidence:
    """One evidence file, if the actor may see its entry (404 otherwise, as for a missing id)."""
    ev = PointsEvidence.objects.filter(pk=_int(pk)).first()
    if ev is None:
        raise Http404
    entry_get(actor, ev.entry_id)
    return ev


def entry_source(actor: User, entry: PointsEntry) -> tuple[str, str] | None:
    """(description, url) of the record an automatic credit came from: the meeting, the dues ledger
    month or the training (each page applies its own scope). None for a manual entry or a record gone."""
    from dangjian.dues.models import DuesEntry
    from dangjian.orglife.models import Attendance, TrainingAttendance

    entry_get(actor, entry.pk)
    if entry.source_id is None:
        return None
    if entry.source_type == rules.SOURCE_ATTENDANCE:
        a = Attendance.objects.filter(pk=entry.source_id).select_related("meeting").first()
        if a is not None:
            return f"{a.meeting}（出席）", reverse("orglife:meeting_detail", args=[a.meeting_id])
    elif entry.source_type == rules.SOURCE_DUES:
        d = DuesEntry.objects.filter(pk=entry.source_id).first()
        if d is not None:
            return (f"{d.month:%Y年%m月}党费，{d.paid_on}交纳{d.paid_amount}元",
                    reverse("dues:ledger", args=[d.org_id, d.month.year, d.month.month]))
    elif entry.source_type == rules.SOURCE_TRAINING:
        t = TrainingAttendance.objects.filter(pk=entry.source_id).select_related("session").first()
        if t is not None:
            return f"{t.session}（{t.class_hours}学时）", reverse("orglife:training_detail", args=[t.session_id])
    return None


def can_decide(actor: User, entry: PointsEntry) -> bool:
    return (entry.status == rules.PENDING and actor.can_write and scope_for(actor).contains_path(entry.org.path)
            and rules.may_decide_entry(decider_id=actor.pk, entered_by_id=entry.entered_by_id)
            and actor.member_id != entry.member_id)  # fmt: skip


def pending_entries(actor: User, org: Org) -> QuerySet[PointsEntry]:
    """Manual entries awaiting approval in ``org``'s subtree."""
    return entries_visible(actor).filter(_in_subtree(org), status=rules.PENDING).select_related(
        "member", "org", "item", "entered_by").order_by("org__path", "date", "pk")  # fmt: skip


def member_entries(actor: User, member: Member, year: int) -> list[PointsEntry]:
    return list(entries_visible(actor).filter(member=member, date__year=year).select_related("item", "scheme", "entered_by")
                .order_by("date", "pk"))  # fmt: skip


# --- a branch's table, a member's points ----------------------------------------------------------------------


@dataclass
class BranchTable:
    org: Org
    year: int
    scheme: PointsScheme | None
    rows: list[queries.MemberTotal]
    items: list[PointsItem]
    item_sums: dict[int, dict[int, Decimal]]  # member → item → counted points

    @property
    def distribution(self) -> list[tuple[int, str, int]]:
        counts: dict[int, int] = defaultdict(int)
        for r in self.rows:
            counts[r.stars] += 1
        return [(s, rules.STAR_LABELS[s], counts.get(s, 0)) for s in range(5, -1, -1)]

    @property
    def unqualified(self) -> int:
        return sum(1 for r in self.rows if r.unqualified)


def branch_table(actor: User, org: Org, year: int, *, upto: dt.date | None = None) -> BranchTable:
    """Every member of the branch with base, additions, deductions (within caps), total and stars."""
    if not _org_user(actor) or not scope_for(actor).contains_path(org.path):
        raise Http404
    scheme, rows = queries.branch_totals(org, year, upto=upto)
    items = list(scheme.items.order_by("position", "pk")) if scheme else []
    sums = {r.member_id: {line.item_id: line.counted for line in r.total.lines} for r in rows}
    return BranchTable(org, year, scheme, rows, items, sums)


@dataclass
class MemberPoints:
    member: Member
    year: int
    scheme: PointsScheme | None
    total: queries.MemberTotal | None
    entries: list[PointsEntry]
    posting: Posting | None
    posting_row: dict | None
    objections: list[Objection]
    rating: MemberRating | None
    may_object: bool = False
    items: list[PointsItem] = field(default_factory=list)

    @cached_property
    def other_scheme(self) -> set[int]:
        """Entries recorded under a scheme that no longer applies (the branch or township made its own
        scheme later in the year): kept and shown, but not in the total."""
        return {e.pk for e in self.entries if self.scheme is None or e.scheme_id != self.scheme.pk}


def member_points(actor: User, member: Member, year: int, *, today: dt.date) -> MemberPoints:
    """A member's year: scheme, live total and stars, entries, the branch's latest posting (with their
    row) and their objections, the year-end rating. ``member`` must be visible to the actor (the member
    themselves, or an organization user whose subtree holds them)."""
    from dangjian.members.selectors import member_get

    member = member_get(actor, member.pk)
    scheme, total = queries.member_total(member, year)
    posting = None
    if member.org is not None:
        posting = Posting.objects.filter(org=member.org, year=year).order_by("-quarter").first()
    row = next((r for r in posting.rows if r.get("member_id") == member.pk), None) if posting else None
    objections = list(Objection.objects.filter(member=member, posting__year=year).select_related("posting", "entry")
                      .order_by("filed_on", "pk"))  # fmt: skip
    may_object = bool(posting and row and posting.posted_on <= today <= posting.ends_on)
    return MemberPoints(
        member, year, scheme, total, member_entries(actor, member, year), posting, row, objections,
        MemberRating.objects.filter(member=member, year=year).first(), may_object,
        list(scheme.items.order_by("position", "pk")) if scheme else [],
    )  # fmt: skip


# --- postings and objections ---------------------------------------------------------------------------------


def postings_visible(actor: User) -> QuerySet[Posting]:
    if not _org_user(actor):
        return Posting.objects.none()
    return Posting.objects.filter(scope_for(actor).q("org__path"))


def posting_get(actor: User, pk: int | str) -> Posting:
    posting = postings_visible(actor).filter(pk=_int(pk)).select_related("org", "posted_by").first()
    if posting is None:
        raise Http404
    return posting


def org_postings(actor: User, org: Org, year: int | None = None) -> list[Posting]:
    qs = postings_visible(actor).filter(_in_subtree(org)).select_related("org")
    if year is not None:
        qs = qs.filter(year=year)
    return list(qs.annotate(open_objections=Count("objections", filter=Q(objections__status=rules.OPEN)))
                .order_by("-year", "-quarter", "org__path"))  # fmt: skip


def objections_visible(actor: User) -> QuerySet[Objection]:
    if not _org_user(actor):
        return Objection.objects.none()
    return Objection.objects.filter(scope_for(actor).q("posting__org__path"))


def objection_get(actor: User, pk: int | str) -> Objection:
    obj = objections_visible(actor).filter(pk=_int(pk)).select_related(
        "posting__org", "member", "entry__item", "filed_by", "handled_by").first()  # fmt: skip
    if obj is None:
        raise Http404
    return obj


def posting_objections(actor: User, posting: Posting) -> list[Objection]:
    posting_get(actor, posting.pk)
    return list(posting.objections.select_related("member", "entry__item", "handled_by").order_by("filed_on", "pk"))


def open_objections(actor: User, org: Org) -> QuerySet[Objection]:
    return objections_visible(actor).filter(_in_subtree(org, "posting__org__path"), status=rules.OPEN).select_related(
        "posting__org", "member")  # fmt: skip


# --- year-end ratings and roll-ups -------------------------------------------------------------------------------


RATINGS_LIST_LIMIT = 500


def member_ratings(actor: User, org: Org, year: int, *, unqualified_only: bool = False,
                   limit: int | None = None) -> list[MemberRating]:
    """The year-end ratings of ``org``'s subtree. Above a branch the page lists only the unqualified
    members (``unqualified_only``, at most ``limit``): a county's 20,000 rows would not render on a phone,
    and the roll-up already counts everyone by stars (each branch's full list is one click away)."""
    if not _org_user(actor):
        return []
    qs = MemberRating.objects.filter(scope_for(actor).q("org__path"), _in_subtree(org), year=year)
    if unqualified_only:
        qs = qs.filter(stars=0)
    qs = qs.select_related("member", "org").order_by("org__path", "-total", "member__name_pinyin")
    return list(qs[:limit] if limit is not None else qs)


@dataclass
class RollupRow:
    org: Org
    counts: dict[int, int]  # stars (0 = 不合格) → members

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    @property
    def unqualified(self) -> int:
        return self.counts.get(0, 0)

    def cells(self) -> list[int]:
        return [self.counts.get(s, 0) for s in range(5, -1, -1)]


@dataclass
class Rollup:
    org: Org
    year: int
    total: RollupRow
    branches: list[RollupRow]


def stars_rollup(actor: User, org: Org, year: int) -> Rollup:
    """评星定级汇总 of ``org``'s subtree for a year: members by stars, in all and per branch (one grouped
    count over the year-end ratings)."""
    if not _org_user(actor) or not scope_for(actor).contains_path(org.path):
        raise Http404
    per: dict[int, dict[int, int]] = defaultdict(dict)
    for r in MemberRating.objects.filter(_in_subtree(org), year=year).values("org_id", "stars").annotate(n=Count("id")) \
            .order_by():  # fmt: skip
        per[r["org_id"]][r["stars"]] = r["n"]
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=list(per)).order_by("path")}
    rows = [RollupRow(orgs[pk], per[pk]) for pk in sorted(per, key=lambda k: orgs[k].path)]
    total: dict[int, int] = defaultdict(int)
    for row in rows:
        for s, n in row.counts.items():
            total[s] += n
    return Rollup(org, year, RollupRow(org, dict(total)), rows)


# --- branch star ratings ---------------------------------------------------------------------------------------


def bratings_visible(actor: User) -> QuerySet[BranchRating]:
    if not _org_user(actor):
        return BranchRating.objects.none()
    return BranchRating.objects.filter(scope_for(actor).q("org__path"))


def brating_get(actor: User, pk: int | str) -> BranchRating:
    rating = bratings_visible(actor).filter(pk=_int(pk)).select_related("org", "rater", "created_by").first()
    if rating is None:
        raise Http404
    return rating


def brating_lines(actor: User, rating: BranchRating) -> list:
    brating_get(actor, rating.pk)
    return list(rating.lines.select_related("recorded_by").order_by("date", "pk"))


def org_branch_ratings(actor: User, org: Org, year: int) -> list[BranchRating]:
    return list(bratings_visible(actor).filter(_in_subtree(org), year=year).select_related("org", "rater")
                .order_by("org__path"))  # fmt: skip


def may_rate(actor: User, rating: BranchRating) -> bool:
    return actor.can_write and rating.status == rules.RATING_OPEN and scope_for(actor).contains_path(rating.rater.path)


def rater_for(actor: User, org: Org) -> Org | None:
    """The organization that rates ``org`` for this actor: the nearest one strictly above it that lies in
    the actor's subtree (a township organizer rates their villages; a branch secretary rates no one)."""
    if not actor.can_write:
        return None
    scope = scope_for(actor)
    for anc in reversed(list(Org.objects.get_ancestors(org))):
        if scope.contains_path(anc.path):
            return anc
    return None


def branch_stars(county: Org, year: int) -> dict[int, int]:
    """Org id → stars of the branches rated (定级, final) for ``year`` in ``county``'s subtree. No scope:
    for other apps' services and selectors (e.g. rectification candidates below 3 stars), which apply
    their own."""
    rows = BranchRating.objects.filter(_in_subtree(county), year=year, status=rules.RATING_FINAL,
                                       stars__isnull=False).values_list("org_id", "stars")
    return {org_id: stars for org_id, stars in rows if stars is not None}


def flag_below() -> int:
    return params.value(params.BRANCH_FLAG_BELOW)


# --- work queue --------------------------------------------------------------------------------------------------


def _branches_with_scheme(actor: User, root: Org, year: int) -> list[Org]:
    """Active branches of ``root``'s subtree to which a scheme of ``year`` applies (two queries)."""
    owners = set(PointsScheme.objects.filter(
        Q(org__path__in=queries.ancestor_paths(root.path)) | _in_subtree(root), year=year).values_list("org__path", flat=True))
    if not owners:
        return []
    branches = Org.objects.filter(_in_subtree(root, "path"), org_type__in=org_rules.HOLDS_MEMBERS,
                                  dissolved_on__isnull=True).order_by("path")  # fmt: skip
    return [b for b in branches if rules.applicable_owner(b.path, owners) is not None]


def _names(orgs: list[Org], n: int = 5) -> str:
    shown = "、".join(o.short_name or o.name for o in orgs[:n])
    return shown + (f"等{len(orgs)}个" if len(orgs) > n else "")


def work_items(actor: User, today: dt.date) -> list[WorkItem]:
    """待办 of member points, as ``dangjian.web.selectors.WorkItem`` (kinds ``points_pending``,
    ``points_objection``, ``points_posting_due``, ``points_rating_due``, ``points_brating_due``):

    - per branch, manual entries awaiting approval that this user may approve (not their own; warning);
    - per posting, objections not yet handled (danger once the notice period has ended, else warning);
    - per branch with a scheme, the last quarter's posting not yet made: from the quarter's end until the
      next quarter ends (warning until ``points.posting_due_days`` after the quarter, then danger);
    - per branch with a scheme, the year-end rating of members: from 1 December until it is done (info in
      December, warning until ``points.rating_due_days`` into the new year, then danger);
      these two are one item per branch for a branch's users, and one summary item per assigned
      organization (naming the branches behind) for township and county users;
    - per open branch rating of a past year that this user's organization rates (warning).
    Read-only roles and members have none: these are things to do."""
    from dangjian.web.selectors import WorkItem

    if actor.role not in ORG_ROLES or not actor.can_write:
        return []
    items: list[WorkItem] = []
    scope = scope_for(actor)
    pending = (PointsEntry.objects.filter(scope.q("org__path"), status=rules.PENDING).exclude(entered_by=actor)
               .values("org_id").annotate(n=Count("id"), first=Max("date")).order_by())  # fmt: skip
    porgs = {o.pk: o for o in Org.objects.filter(pk__in=[r["org_id"] for r in pending])}
    for r in pending:
        o = porgs[r["org_id"]]
        items.append(WorkItem(
            kind="points_pending", group="points_pending", group_title="党员积分待审核",
            title=f"{o.name}：{r['n']}条积分记录待审核", detail="支部录入的加分、扣分或否决项，审核通过后计入年度积分。",
            url=reverse("points:pending", args=[o.pk]), org=o, severity="warning", article="E6.1",
        ))  # fmt: skip
    for obj in Objection.objects.filter(scope.q("posting__org__path"), status=rules.OPEN).exclude(
            member_id=actor.member_id or 0).select_related("posting__org", "member").order_by("filed_on", "pk"):  # fmt: skip
        p = obj.posting
        items.append(WorkItem(
            kind="points_objection", group="points_objection", group_title="积分公示异议待处理",
            title=f"{p.org.name}：{obj.member.name}对{p.year}年第{p.quarter}季度积分公示提出异议",
            detail=f"异议理由：{obj.reason}", url=reverse("points:objection", args=[obj.pk]), org=p.org,
            member=obj.member, due=p.ends_on, severity="danger" if today > p.ends_on else "warning", article="E6.1",
        ))  # fmt: skip
    due_days = params.value(params.POSTING_DUE_DAYS)
    q_now = rules.quarter_of(today)
    last_year, last_q = (today.year, q_now - 1) if q_now > 1 else (today.year - 1, 4)
    q_end = rules.quarter_range(last_year, last_q)[1]
    rating_days = params.value(params.RATING_DUE_DAYS)
    rating_year = today.year if today.month == 12 else today.year - 1
    rating_due = dt.date(rating_year + 1, 1, 1) + dt.timedelta(days=rating_days - 1)
    rating_open = today.month == 12 or today <= rating_due
    for root in org_roots(actor):
        # A branch user gets one item per branch; above the branches, one item per assigned organization
        # naming how many branches are behind (a county would otherwise get an item per branch).
        per_branch = root.org_type in org_rules.HOLDS_MEMBERS
        branches = _branches_with_scheme(actor, root, last_year)
        posted = set(Posting.objects.filter(org__in=branches, year=last_year, quarter=last_q).values_list("org_id", flat=True))
        due = q_end + dt.timedelta(days=due_days)
        late = [b for b in branches if b.pk not in posted]
        severity = "danger" if today > due else "warning"
        detail = f"季度结束后{due_days}天内向党员公示积分，公示期内党员可提出异议。"
        if late and not per_branch:
            items.append(WorkItem(
                kind="points_posting_due", group="points_posting_due", group_title="季度积分应公示",
                title=f"{root.name}：{len(late)}个党支部{last_year}年第{last_q}季度积分尚未公示",
                detail=f"{detail}尚未公示：{_names(late)}。",
                url=reverse("points:org", args=[root.pk]) + f"?year={last_year}", org=root, due=due, severity=severity,
                article="E6.1",
            ))  # fmt: skip
        for b in late if per_branch else []:
            items.append(WorkItem(
                kind="points_posting_due", group="points_posting_due", group_title="季度积分应公示",
                title=f"{b.name}：{last_year}年第{last_q}季度积分尚未公示", detail=detail,
                url=reverse("points:org", args=[b.pk]) + f"?year={last_year}", org=b, due=due, severity=severity,
                article="E6.1",
            ))  # fmt: skip
        if not rating_open:
            continue
        r_branches = _branches_with_scheme(actor, root, rating_year)
        rated = set(MemberRating.objects.filter(org__in=r_branches, year=rating_year).values_list("org_id", flat=True))
        unrated = [b for b in r_branches if b.pk not in rated]
        severity = "info" if today.year == rating_year else ("danger" if today > rating_due else "warning")
        detail = "按年度积分和星级分数线评定党员星级，不合格党员单独标注。"
        if unrated and not per_branch:
            items.append(WorkItem(
                kind="points_rating_due", group="points_rating_due", group_title="年终党员评星定级",
                title=f"{root.name}：{len(unrated)}个党支部{rating_year}年度党员评星定级尚未完成",
                detail=f"{detail}尚未完成：{_names(unrated)}。",
                url=reverse("points:ratings", args=[root.pk]) + f"?year={rating_year}", org=root, due=rating_due,
                severity=severity, article="E6.1",
            ))  # fmt: skip
        for b in unrated if per_branch else []:
            items.append(WorkItem(
                kind="points_rating_due", group="points_rating_due", group_title="年终党员评星定级",
                title=f"{b.name}：{rating_year}年度党员评星定级尚未完成", detail=detail,
                url=reverse("points:ratings", args=[b.pk]) + f"?year={rating_year}", org=b, due=rating_due,
                severity=severity, article="E6.1",
            ))  # fmt: skip
    for rating in BranchRating.objects.filter(scope.q("rater__path"), status=rules.RATING_OPEN, year__lt=today.year) \
            .select_related("org"):  # fmt: skip
        items.append(WorkItem(
            kind="points_brating_due", group="points_brating_due", group_title="党组织评星定级待定级",
            title=f"{rating.org.name}：{rating.year}年度党组织评星定级尚未定级", detail="全年加减分已记录的，请定级。",
            url=reverse("points:brating", args=[rating.pk]), org=rating.org, severity="warning", article="E6.5",
        ))  # fmt: skip
    return items


# --- the organization page's panel ------------------------------------------------------------------------------


@dataclass
class OrgPanel:
    org: Org
    is_branch: bool
    year: int
    distribution: list[tuple[int, str, int]]  # (stars, label, members), five stars first
    unqualified: int
    members: int
    scheme: PointsScheme | None = None
    branch_rating: BranchRating | None = None
    flagged_branches: int = 0  # below the flag line (higher organizations)
    rated_branches: int = 0
    live: bool = False  # a branch's running year (not yet rated)


def org_panel(actor: User, org: Org, today: dt.date | None = None) -> OrgPanel | None:
    """积分与星级 on an organization's page. A branch: this year's star distribution so far (live from its
    entries), its unqualified count, and its own latest branch rating. A higher organization: the members
    by stars of the latest rated year and how many of its branches are rated below the flag line.
    None when there is nothing to show, or for a user who may not see the organization."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if not _org_user(actor) or not scope_for(actor).contains_path(org.path):
        return None
    flag = flag_below()
    if org.org_type in org_rules.HOLDS_MEMBERS:
        table = branch_table(actor, org, today.year)
        rating = BranchRating.objects.filter(org=org).select_related("rater").order_by("-year").first()
        if table.scheme is None and rating is None:
            return None
        return OrgPanel(org, True, today.year, table.distribution, table.unqualified, len(table.rows), table.scheme,
                        rating, live=True)  # fmt: skip
    latest = MemberRating.objects.filter(_in_subtree(org), year__lte=today.year).aggregate(y=Max("year"))["y"]
    ratings = BranchRating.objects.filter(_in_subtree(org), status=rules.RATING_FINAL)
    b_year = ratings.aggregate(y=Max("year"))["y"]
    if latest is None and b_year is None:
        return None
    year = latest or b_year or today.year
    rollup = stars_rollup(actor, org, year)
    cells = rollup.total.counts
    b_rows = ratings.filter(year=b_year) if b_year else ratings.none()
    return OrgPanel(
        org, False, year, [(s, rules.STAR_LABELS[s], cells.get(s, 0)) for s in range(5, -1, -1)],
        rollup.total.unqualified, rollup.total.rated,
        flagged_branches=b_rows.filter(stars__lt=flag).count(), rated_branches=b_rows.count(),
    )  # fmt: skip

"""Reads of assessment. Every function takes the acting user first and applies their scope:

- a scheme is visible to the users of its owner's subtree, and — once it is no longer a draft — to
  the users of the organizations it assesses;
- a result (and its inspections, evaluations and evidence) to the users of the assessed organization's
  subtree and of the scheme owner's subtree. A village sees its own result, not its neighbours';
  once published (公示) the whole ranking — places, totals, grades — is public to the round
  (``ranking``), the neighbours' item-by-item sheets still are not.
Member-role users see none. Ids outside the scope answer 404, as missing ones.

Scores are computed by ``compute_scores`` (one pass over a scheme's results: raw values from the
self-assessment and review, the platform indicators, inspections and evaluations; ranks for rank-based
items; then the pure methods in rules.py). Before finalisation the score sheet shows that computation
live (marked 预览); at finalisation services freeze it on the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.accounts.selectors import scope_for
from dangjian.assessment import indicators, params, rules
from dangjian.assessment.models import (
    AssessFile,
    Evaluation,
    Inspection,
    InspectionScore,
    ItemScore,
    Node,
    Result,
    Scheme,
)
from dangjian.common.scope import subtree_upper_bound
from dangjian.orgs.models import Org

ZERO = Decimal("0")


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# --- who may do what (reads of the scope; services enforce them) --------------------------------------------


def is_owner_writer(actor: User, scheme: Scheme) -> bool:
    """Writers of the scheme owner's subtree edit the scheme, review (by default), enter evaluations,
    finalise and publish."""
    return actor.can_write and scope_for(actor).contains_path(scheme.owner.path)


def may_self_assess(actor: User, result: Result) -> bool:
    """The assessed organization's writers (and those above it) enter the self-assessment."""
    return actor.can_write and scope_for(actor).contains_path(result.org.path)


def township_of(org: Org) -> Org | None:
    prefixes = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return Org.objects.filter(path__in=prefixes, org_type="township_committee").order_by("-depth").first()


def may_review(actor: User, result: Result) -> bool:
    """The higher level reviews: the scheme owner's writers, or when the scheme says so the writers of
    the township the assessed organization belongs to — never only the assessed organization itself."""
    if not actor.can_write:
        return False
    scope = scope_for(actor)
    if result.org.path in scope.paths:
        return False  # one's own organization is not reviewed by oneself
    if scope.contains_path(result.scheme.owner.path):
        return True
    if result.scheme.review_level == rules.REVIEW_TOWNSHIP:
        town = township_of(result.org)
        return town is not None and town.pk != result.org_id and scope.contains_path(town.path)
    return False


def may_inspect(actor: User, result: Result) -> bool:
    """日常督查 is recorded by the inspector role — the one write that read-only role is allowed, because
    inspecting is its job — for organizations in its subtree, or by the scheme owner's writers."""
    if actor.role == Role.INSPECTOR:
        return scope_for(actor).contains_path(result.org.path)
    return is_owner_writer(actor, result.scheme)


# --- accessors ---------------------------------------------------------------------------------------------


def schemes_visible(actor: User) -> QuerySet[Scheme]:
    if actor.role not in ORG_ROLES:
        return Scheme.objects.none()
    scope = scope_for(actor)
    assessed_here = Result.objects.filter(scope.q("org__path"), scheme=OuterRef("pk"))
    return Scheme.objects.filter(scope.q("owner__path") | (~Q(status=rules.DRAFT) & Q(Exists(assessed_here))))


def scheme_get(actor: User, pk: int | str) -> Scheme:
    scheme = schemes_visible(actor).filter(pk=_int(pk)).select_related("owner").first()
    if scheme is None:
        raise Http404
    return scheme


def scheme_list(actor: User, *, year: int | None = None) -> QuerySet[Scheme]:
    qs = schemes_visible(actor).select_related("owner")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "owner__path", "pk")


def node_get(actor: User, pk: int | str) -> Node:
    node = Node.objects.filter(pk=_int(pk), scheme__in=schemes_visible(actor)).select_related("scheme__owner").first()
    if node is None:
        raise Http404
    return node


def _result_q(actor: User, prefix: str = "") -> Q:
    scope = scope_for(actor)
    return scope.q(f"{prefix}org__path") | scope.q(f"{prefix}scheme__owner__path")


def results_visible(actor: User) -> QuerySet[Result]:
    if actor.role not in ORG_ROLES:
        return Result.objects.none()
    return Result.objects.filter(_result_q(actor))


def result_get(actor: User, pk: int | str) -> Result:
    result = results_visible(actor).filter(pk=_int(pk)).select_related("org", "scheme__owner").first()
    if result is None:
        raise Http404
    return result


def inspection_get(actor: User, pk: int | str) -> Inspection:
    if actor.role not in ORG_ROLES:
        raise Http404
    obj = (Inspection.objects.filter(_result_q(actor, "result__"), pk=_int(pk))
           .select_related("result__org", "result__scheme__owner", "inspector").first())  # fmt: skip
    if obj is None:
        raise Http404
    return obj


def evaluation_get(actor: User, pk: int | str) -> Evaluation:
    if actor.role not in ORG_ROLES:
        raise Http404
    obj = (Evaluation.objects.filter(_result_q(actor, "result__"), pk=_int(pk))
           .select_related("result__org", "result__scheme__owner", "node").first())  # fmt: skip
    if obj is None:
        raise Http404
    return obj


def assessfile_get(actor: User, pk: int | str) -> AssessFile:
    if actor.role not in ORG_ROLES:
        raise Http404
    obj = AssessFile.objects.filter(_result_q(actor, "result__"), pk=_int(pk)).select_related("result__org").first()
    if obj is None:
        raise Http404
    return obj


# --- the tree ----------------------------------------------------------------------------------------------


@dataclass
class NodeView:
    node: Node
    children: list[NodeView] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def points(self) -> Decimal:
        """A leaf's own points; an inner node's is the sum of its leaves."""
        if self.is_leaf:
            return self.node.max_points
        return sum((c.points for c in self.children), ZERO)

    def walk(self) -> Iterable[NodeView]:
        yield self
        for c in self.children:
            yield from c.walk()


def scheme_tree(scheme: Scheme) -> list[NodeView]:
    """The scheme's nodes as a tree, each level in its order."""
    views = {n.pk: NodeView(n) for n in Node.objects.filter(scheme=scheme).order_by("level", "order", "pk")}
    roots: list[NodeView] = []
    for v in views.values():
        if v.node.parent_id is None:
            roots.append(v)
        else:
            views[v.node.parent_id].children.append(v)
    return roots


def flat_tree(scheme: Scheme) -> list[NodeView]:
    return [v for r in scheme_tree(scheme) for v in r.walk()]


def leaves(scheme: Scheme) -> list[Node]:
    return [v.node for v in flat_tree(scheme) if v.is_leaf]


def scheme_points(scheme: Scheme) -> Decimal:
    return sum((r.points for r in scheme_tree(scheme)), ZERO)


# --- computing scores --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineScore:
    node_id: int
    raw: Decimal | None
    score: Decimal
    explanation: str
    veto: bool
    trace: dict[str, Any]


@dataclass(frozen=True)
class Computed:
    result_id: int
    lines: dict[int, LineScore]
    total: Decimal
    vetoed: bool


def _raw_manual(item: ItemScore | None) -> Decimal | None:
    if item is None:
        return None
    return item.review_value if item.review_value is not None else item.self_value


RANK_NOT_PREVIEWED = "按名次计分：定分时按全部参评单位的数值排名计分；您只能看到本单位的数值，预览暂不计分。"


def compute_scores(actor: User, scheme: Scheme, results: list[Result], today: dt.date, *,
                   others: list[Result] | None = None, ranked: bool = True) -> dict[int, Computed]:
    """Every leaf of every result in ``results``: the raw value from its source, then the method.
    Platform indicators are computed with ``actor``'s scope.

    Rank-based items place each organization among ``results`` + ``others``; of ``others`` only the
    rank-based items' values are read (a platform indicator costs several queries per organization,
    so a single sheet must not compute the whole round). ``ranked=False`` (the actor does not see the
    whole round): rank-based items are not scored, since their place would come from values the actor
    may not see."""
    leaf_nodes = leaves(scheme)
    others = others or []
    everyone = results + others
    result_ids = [r.pk for r in everyone]
    items = {(i.result_id, i.node_id): i for i in ItemScore.objects.filter(result_id__in=result_ids)}
    visits: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for s in (InspectionScore.objects.filter(inspection__result_id__in=result_ids)
              .select_related("inspection").order_by("inspection__date", "inspection_id")):  # fmt: skip
        visits[(s.inspection.result_id, s.node_id)].append((s.inspection.date, s.score))
    # 述职评议 of an item may be entered in several sittings (E6.6: the county plenary one day, the
    # unit's own vote another): every voter group counts; a group entered again (same name) replaces
    # its earlier entry, as a correction.
    evals: dict[tuple[int, int], list[Evaluation]] = defaultdict(list)
    for e in Evaluation.objects.filter(result_id__in=result_ids).prefetch_related("groups").order_by("date", "pk"):
        evals[(e.result_id, e.node_id)].append(e)
    values = params.eval_values()
    cache: dict[tuple[str, int], indicators.IndicatorValue] = {}
    full = {r.pk for r in results}

    raw: dict[tuple[int, int], tuple[Decimal | None, str, dict[str, Any]]] = {}
    trace: dict[str, Any]
    for r in everyone:
        for n in leaf_nodes:
            if r.pk not in full and (n.method != rules.M_RANK or not ranked):
                continue
            key = (r.pk, n.pk)
            if n.source == rules.SRC_MANUAL:
                item = items.get(key)
                text = ""
                if item is not None and item.review_value is not None and item.review_value != item.self_value:
                    text = f"自评{item.self_value}，审核调整为{item.review_value}（理由：{item.review_reason}）。"
                raw[key] = (_raw_manual(item), text, {})
            elif n.source == rules.SRC_PLATFORM:
                ck = (n.indicator, r.org_id)
                if ck not in cache:
                    cache[ck] = _indicator(n.indicator, actor, r.org, scheme.year, today)
                iv = cache[ck]
                raw[key] = (iv.value, iv.text, iv.trace)
            elif n.source == rules.SRC_INSPECTION:
                sc = rules.inspection_score(visits.get(key, []), n.max_points)
                trace = {"links": [{"label": "督查记录", "url": reverse("assessment:result", args=[r.pk]) + "#inspections"}]}
                raw[key] = (sc.score if visits.get(key) else None, sc.explanation, trace)
            else:
                sittings = evals.get(key, [])
                by_name = {g.name: g for ev in sittings for g in ev.groups.all()}
                groups = [rules.group_score(g.name, g.weight, g.counts(), values) for g in by_name.values()]
                sc = rules.evaluation_score(groups, n.max_points)
                trace = {} if not sittings else {"ids": [ev.pk for ev in sittings], "links": [
                    {"label": f"{ev.date:%Y-%m-%d}述职评议", "url": reverse("assessment:evaluation", args=[ev.pk])}
                    for ev in sittings]}  # fmt: skip
                raw[key] = (sc.score if sittings else None, sc.explanation, trace)

    ranks: dict[tuple[int, int], int | None] = {}
    if ranked:
        for n in leaf_nodes:
            if n.method == rules.M_RANK:
                vals = [raw[(r.pk, n.pk)][0] for r in everyone]
                for r, rank in zip(everyone, rules.competition_ranks(vals), strict=True):
                    ranks[(r.pk, n.pk)] = rank

    out: dict[int, Computed] = {}
    for r in results:
        lines: dict[int, LineScore] = {}
        for n in leaf_nodes:
            key = (r.pk, n.pk)
            value, text, trace = raw[key]
            method = n.method
            if method == rules.M_RANK and not ranked:
                lines[n.pk] = LineScore(n.pk, value, ZERO, " ".join(t for t in (text, RANK_NOT_PREVIEWED) if t),
                                        False, trace)
                continue
            if n.source in (rules.SRC_INSPECTION, rules.SRC_EVALUATION) and method != rules.M_RANK:
                method = rules.M_MANUAL  # their value already is the points
            scored = rules.score_item(method, value, n.max_points, n.params or {}, rank=ranks.get(key),
                                      of_total=len(everyone))
            if n.source in (rules.SRC_INSPECTION, rules.SRC_EVALUATION) and method == rules.M_MANUAL:
                explanation = text  # the visits' or ballots' computation already says how the points came
            else:
                explanation = " ".join(t for t in (text, scored.explanation) if t)
            lines[n.pk] = LineScore(n.pk, value, scored.score, explanation, scored.veto, trace)
        total = sum((line.score for line in lines.values()), ZERO)
        out[r.pk] = Computed(r.pk, lines, rules.q2(total), any(line.veto for line in lines.values()))
    return out


def _indicator(key: str, actor: User, org: Org, year: int, today: dt.date) -> indicators.IndicatorValue:
    try:
        return indicators.compute(key, actor, org, year, today)
    except Http404:
        return indicators.IndicatorValue(None, "无权查看该单位的记录，未计算。")
    except (ImportError, AttributeError):
        # The source app is not installed (yet): say so on the sheet instead of failing the page.
        return indicators.IndicatorValue(None, "数据来源模块尚未提供该指标，未计算。")


# --- pages -------------------------------------------------------------------------------------------------


@dataclass
class SheetLine:
    view: NodeView
    depth: int
    item: ItemScore | None
    line: LineScore | None  # leaves: the frozen or the live computation
    files: list[AssessFile]


@dataclass
class ScoreSheet:
    result: Result
    lines: list[SheetLine]
    total: Decimal
    vetoed: bool
    grade: str
    preview: bool  # computed live (not final yet)
    inspections: list[Inspection]
    evaluations: list[Evaluation]
    files: list[AssessFile]


def depths(roots: list[NodeView]) -> list[tuple[NodeView, int]]:
    out: list[tuple[NodeView, int]] = []

    def visit(v: NodeView, d: int) -> None:
        out.append((v, d))
        for c in v.children:
            visit(c, d + 1)

    for r in roots:
        visit(r, 0)
    return out


def _frozen(item: ItemScore) -> LineScore:
    return LineScore(item.node_id, item.raw_value, item.final_score or ZERO, item.explanation, item.veto, item.trace)


def score_sheet(actor: User, result: Result, today: dt.date) -> ScoreSheet:
    """One organization's score sheet: every node with method, source, self value, review value and
    reason, score and how it was computed (frozen once final, else a live preview), and evidence."""
    result = result_get(actor, result.pk)
    scheme = result.scheme
    items = {i.node_id: i for i in result.items.all()}
    files_by_node: dict[int | None, list[AssessFile]] = defaultdict(list)
    files = list(result.files.filter(inspection__isnull=True).order_by("pk"))
    for f in files:
        files_by_node[f.node_id].append(f)
    final = result.status == rules.R_FINAL
    if final:
        lines_by_node = {nid: _frozen(i) for nid, i in items.items() if i.final_score is not None}
        total, vetoed = result.total or ZERO, result.vetoed
    else:
        others: list[Result] = []
        ranked = True
        if _has_rank_items(scheme):
            if sees_whole_round(actor, scheme):
                others = list(scheme.results.exclude(pk=result.pk).select_related("org"))
            else:
                ranked = False
        computed = compute_scores(actor, scheme, [result], today, others=others, ranked=ranked)[result.pk]
        lines_by_node, total, vetoed = computed.lines, computed.total, computed.vetoed
    lines = [SheetLine(v, d, items.get(v.node.pk), lines_by_node.get(v.node.pk) if v.is_leaf else None,
                       files_by_node.get(v.node.pk, [])) for v, d in depths(scheme_tree(scheme))]  # fmt: skip
    grade = result.grade if final else rules.grade_for(total, scheme.bands, vetoed=vetoed)
    return ScoreSheet(
        result=result, lines=lines, total=total, vetoed=vetoed, grade=grade, preview=not final,
        inspections=list(result.inspections.select_related("inspector").prefetch_related("scores__node", "photos")),
        evaluations=list(result.evaluations.select_related("node").prefetch_related("groups")),
        files=files,
    )  # fmt: skip


def sees_whole_round(actor: User, scheme: Scheme) -> bool:
    """The scheme owner's side (its writers and inspectors) sees every result of the round; an
    assessed organization sees its own only."""
    return actor.role in ORG_ROLES and scope_for(actor).contains_path(scheme.owner.path)


def _has_rank_items(scheme: Scheme) -> bool:
    return Node.objects.filter(scheme=scheme, method=rules.M_RANK).exists()


def dashboard(actor: User, scheme: Scheme) -> list[Result]:
    """Every assessed organization of ``scheme`` the actor may see, best place first once ranked."""
    scheme = scheme_get(actor, scheme.pk)
    return list(results_visible(actor).filter(scheme=scheme).select_related("org")
                .order_by("rank", "org__path"))  # fmt: skip


PUBLIC = (rules.PUBLISHED, rules.CLOSED)


def ranking(actor: User, scheme: Scheme) -> list[Result]:
    """排名: once published (公示) or archived, the whole round's places, totals and grades are public
    to everyone who sees the scheme — posting them is what 公示 is for, so an assessed village can
    check its place among all. Before that, only the results the actor may see (a village: its own).
    Other organizations' item-by-item score sheets stay private either way (``result_get`` → 404)."""
    scheme = scheme_get(actor, scheme.pk)
    if scheme.status in PUBLIC:
        return list(Result.objects.filter(scheme=scheme).select_related("org").order_by("rank", "org__path"))
    return dashboard(actor, scheme)


def visible_result_ids(actor: User, scheme: Scheme) -> set[int]:
    return set(results_visible(actor).filter(scheme=scheme).values_list("pk", flat=True))


def status_counts(results: list[Result]) -> dict[str, int]:
    counts = dict.fromkeys(rules.RESULT_STATUS_LABELS, 0)
    for r in results:
        counts[r.status] += 1
    return counts


# --- for other apps ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedResult:
    org_id: int
    scheme_id: int
    scheme_name: str
    rank: int
    of_total: int
    total: Decimal
    grade: str
    vetoed: bool


def published_rankings(county: Org, year: int) -> list[RankedResult]:
    """The results of every published (公示) or closed round of ``year`` whose scheme is owned inside
    ``county``'s subtree, by scheme then place. Not scoped by a user: rectification (软弱涣散) reads it
    to find the last places; it only reaches results already made public."""
    qs = (Result.objects.filter(scheme__year=year, scheme__status__in=(rules.PUBLISHED, rules.CLOSED),
                                scheme__owner__path__gte=county.path,
                                scheme__owner__path__lt=subtree_upper_bound(county.path), rank__isnull=False)
          .select_related("scheme").order_by("scheme_id", "rank", "org_id"))  # fmt: skip
    return [RankedResult(r.org_id, r.scheme_id, r.scheme.name, r.rank or 0, r.of_total or 0, r.total or ZERO,
                         r.grade, r.vetoed) for r in qs]  # fmt: skip


@dataclass(frozen=True)
class OrgPanel:
    scheme: Scheme
    result: Result
    status_label: str
    url: str


def org_panel(actor: User, org: Org, today: dt.date | None = None) -> OrgPanel | None:
    """The organization's latest assessment (the newest year's result the actor may see)."""
    result = (results_visible(actor).filter(org=org).exclude(scheme__status=rules.DRAFT)
              .select_related("scheme__owner").order_by("-scheme__year", "-scheme_id").first())  # fmt: skip
    if result is None:
        return None
    label = rules.SCHEME_STATUS_LABELS[result.scheme.status] if result.status == rules.R_FINAL else (
        rules.RESULT_STATUS_LABELS[result.status])
    return OrgPanel(result.scheme, result, label, reverse("assessment:result", args=[result.pk]))


def work_items(actor: User, today: dt.date) -> list[Any]:
    """待办 of assessment, as ``dangjian.web.selectors.WorkItem`` (kinds ``assessment_self_due``,
    ``assessment_review``, ``assessment_notice``):

    - a self-assessment not submitted, for the assessed organization's writers (danger once its due
      date has passed, warning within ``assessment.self_reminder_days``, else info);
    - a submitted self-assessment waiting for review, for its reviewers;
    - a publication notice (公示) ending within the reminder days or ended and not yet closed, for the
      scheme owner's writers."""
    from dangjian.web.selectors import WorkItem

    if not actor.can_write:
        return []
    remind = params.reminder_days()
    scope = scope_for(actor)
    out: list[WorkItem] = []

    def severity(due: dt.date | None) -> str:
        if due is None:
            return "info"
        if due < today:
            return "danger"
        return "warning" if (due - today).days <= remind else "info"

    rows = (results_visible(actor).filter(scheme__status=rules.ACTIVE, status__in=(rules.R_PENDING, rules.R_SUBMITTED))
            .select_related("org", "scheme__owner").order_by("org__path"))  # fmt: skip
    for r in rows:
        url = reverse("assessment:result", args=[r.pk])
        if r.status == rules.R_PENDING and scope.contains_path(r.org.path) and not scope.contains_path(r.scheme.owner.path):
            out.append(WorkItem(
                kind="assessment_self_due", group="assessment_self_due", group_title="考核自评待提交",
                title=f"{r.org.name}：{r.scheme}自评待提交", detail=f"截止日期：{r.scheme.self_due or '未定'}。",
                url=url, org=r.org, due=r.scheme.self_due, severity=severity(r.scheme.self_due),
            ))  # fmt: skip
        elif r.status == rules.R_SUBMITTED and may_review(actor, r):
            out.append(WorkItem(
                kind="assessment_review", group="assessment_review", group_title="考核自评待审核",
                title=f"{r.org.name}：{r.scheme}自评待审核", detail=f"{r.submitted_on}提交。",
                url=reverse("assessment:review", args=[r.pk]), org=r.org, due=r.scheme.review_due,
                severity=severity(r.scheme.review_due),
            ))  # fmt: skip
    published = Scheme.objects.filter(scope.q("owner__path"), status=rules.PUBLISHED).select_related("owner")
    for s in published:
        if s.notice_end is not None and (s.notice_end - today).days <= remind:
            ended = s.notice_end < today
            out.append(WorkItem(
                kind="assessment_notice", group="assessment_notice", group_title="考核结果公示期",
                title=f"{s}：公示{'已结束，可以归档' if ended else '即将结束'}",
                detail=f"公示期{s.notice_start}至{s.notice_end}。", url=reverse("assessment:ranking", args=[s.pk]),
                org=s.owner, due=s.notice_end, severity="warning" if ended else "info",
            ))  # fmt: skip
    return out


@dataclass(frozen=True)
class TableRow:
    result: Result
    total: Decimal
    grade: str
    vetoed: bool
    rank: int | None
    scores: dict[int, Decimal]
    visible: bool = True  # False: a published place of an organization whose item scores the actor may not see


@dataclass(frozen=True)
class ResultsTable:
    scheme: Scheme
    leaves: list[Node]
    rows: list[TableRow]
    preview: bool  # not final yet: the scores are the live computation


def results_table(actor: User, scheme: Scheme, today: dt.date) -> ResultsTable:
    """The results the actor may see with every leaf's score: frozen once final, else computed live
    (with the whole round for rank-based items)."""
    scheme = scheme_get(actor, scheme.pk)
    visible = dashboard(actor, scheme)
    leaf_nodes = leaves(scheme)
    final = scheme.status in (rules.FINAL, rules.PUBLISHED, rules.CLOSED)
    rows: list[TableRow] = []
    if final:
        scores: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for i in ItemScore.objects.filter(result__in=visible, final_score__isnull=False):
            scores[i.result_id][i.node_id] = i.final_score or ZERO
        seen = {r.pk for r in visible}
        # Published: the whole ranking, as on the ranking page; item scores only of the visible.
        listed = ranking(actor, scheme) if scheme.status in PUBLIC else visible
        rows = [TableRow(r, r.total or ZERO, r.grade, r.vetoed, r.rank, scores[r.pk], r.pk in seen) for r in listed]
    elif visible:
        # The owner's side sees the whole round (visible is all of it); others get no rank-based
        # scores in a preview (compute_scores ``ranked``).
        computed = compute_scores(actor, scheme, visible, today, ranked=sees_whole_round(actor, scheme))
        for r in visible:
            c = computed[r.pk]
            rows.append(TableRow(r, c.total, rules.grade_for(c.total, scheme.bands, vetoed=c.vetoed), c.vetoed, None,
                                 {k: line.score for k, line in c.lines.items()}))
    return ResultsTable(scheme, leaf_nodes, rows, not final)

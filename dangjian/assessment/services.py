"""Every write of assessment. Each service validates everything first (ServiceError with Chinese
messages by field, nothing written), then writes in one transaction with its audit event.
``NotPermitted`` (the user may not do this here) becomes a 404 in views and the API.

Who writes what (see selectors' ``is_owner_writer``/``may_self_assess``/``may_review``/``may_inspect``):
the scheme owner's writers edit the scheme while it is a draft, start it, enter evaluations, finalise,
publish and close; the assessed organization's writers enter the self-assessment and evidence; the
reviewer accepts or adjusts each item (an adjustment needs a reason); the inspector role records
日常督查 visits — the one write that read-only role has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.assessment import indicators, params, rules
from dangjian.assessment import selectors as sel
from dangjian.assessment.models import (
    AssessFile,
    Evaluation,
    EvaluationGroup,
    Inspection,
    InspectionScore,
    ItemScore,
    Node,
    Result,
    Scheme,
)
from dangjian.assessment.templates_data import TEMPLATES, T
from dangjian.common.audit import audit_record
from dangjian.common.errors import ConflictError, FieldErrors, NotPermitted, ServiceError
from dangjian.common.scope import subtree_upper_bound
from dangjian.common.uploads import upload_facts
from dangjian.orglife import rules as file_rules
from dangjian.orgs.models import Org

FILE_MAX_MB = 20
OWNER_TYPES = frozenset({"county_committee", "township_committee", "working_committee"})

NAME_REQUIRED = "请填写方案名称。"
OWNER_TYPE = "考核方案由县（市、区）委或乡镇（街道）党（工）委制定。"
YEAR_RANGE = "考核年度应在2000至2100之间。"
KIND_INVALID = "请选择考核对象。"
REVIEW_INVALID = "请选择审核单位。"
NOTICE_DAYS_RANGE = "公示天数应在1至30天之间。"
SCHEME_LOCKED = "方案已启用（或已公示、归档），不能再修改；如需调整请复制为新方案。"
NOT_ACTIVE = "方案不在自评、审核阶段。"
TITLE_REQUIRED = "请填写名称。"
LEVEL_TOO_DEEP = "考核项目最多三级（考核内容、考核项目、考核细则）。"
PARENT_OTHER_SCHEME = "上级项目不属于本方案。"
POINTS_NEGATIVE = "分值不能为负数。"
METHOD_INVALID = "请选择计分方法。"
SOURCE_INVALID = "请选择数据来源。"
INDICATOR_INVALID = "请选择平台指标。"
SOURCE_METHOD = "日常督查、述职评议项目的分值由督查、评议得出，计分方法只能是“直接评分”或“按名次计分”。"
PARAM_BAD = "计分参数“{name}”应为不小于0的数字。"
PLATFORM_METHOD = "平台监测项目的数值是百分率，计分方法只能是“按比例计分”“按名次计分”，或设了达标线/否决线的“达标得满分”“一票否决”。"
VETO_POINTS = "一票否决项目不设分值（填0）：否决时总评直接定为最低等次，未否决也不加分。"
PER_REQUIRED = "按次扣分须填写每次扣分（大于0）。"
NO_LEAVES = "方案还没有考核项目，不能启用。"
NO_ASSESSED = "制定单位下没有符合“{kind}”的党组织，不能启用。"
DUE_ORDER = "审核截止日期不能早于自评截止日期。"
RESULT_NOT_PENDING = "自评已提交，不能再修改。"
RESULT_NOT_SUBMITTED = "该单位尚未提交自评，或已审核。"
ITEM_NOT_MANUAL = "“{item}”不是自评项目。"
ITEM_UNKNOWN = "考核项目不属于本方案。"
SELF_MISSING = "还有{n}个自评项目未填写：{items}。"
REASON_REQUIRED = "“{item}”调整了自评分，须填写调整理由。"
RETURN_REASON = "退回须填写理由。"
NOT_ALL_REVIEWED = "还有{n}个单位未完成审核（{names}），不能定分。"
NOT_FINAL = "方案尚未定分，不能公示。"
NOT_PUBLISHED = "方案不在公示中。"
NOTICE_NOT_ENDED = "公示期到{end}结束，结束后才能归档。"
DATE_FUTURE = "日期不能晚于今天。"
DATE_BEFORE_YEAR = "日期不能早于考核年度（{year}年）。"
NOTICE_START_PAST = "公示开始日期不能早于今天，否则公示期会被缩短。"
INSPECTION_EMPTY = "请至少给一个督查项目打分。"
NOT_INSPECTION_ITEM = "“{item}”不是日常督查项目。"
NOT_EVALUATION_ITEM = "请选择述职评议项目。"
GROUPS_REQUIRED = "请至少填写一个评议群体。"
GROUP_NAME = "第{i}个评议群体须填写名称。"
GROUP_WEIGHT = "第{i}个评议群体的分值应大于0。"
GROUP_COUNTS = "第{i}个评议群体的票数应为不小于0的整数，且至少一票。"
BALLOT_GRADE = "第{i}个评议群体有无效的选票等次“{grade}”。"
FILE_NODE = "佐证材料对应的项目不属于本方案。"
COPY_YEAR = "新方案的年度应在2000至2100之间。"
TEMPLATE_INVALID = "请选择有效的方案模板。"




def _county_of(org: Org) -> Org | None:
    return org if org.org_type == "county_committee" else org.county


def _require_owner_writer(actor: User, scheme: Scheme) -> None:
    if not sel.is_owner_writer(actor, scheme):
        raise NotPermitted


def _lock_scheme(scheme: Scheme) -> Scheme:
    return Scheme.objects.select_for_update(of=("self",)).select_related("owner").get(pk=scheme.pk)


def _lock_result(result: Result) -> Result:
    return Result.objects.select_for_update(of=("self",)).select_related("org", "scheme__owner").get(pk=result.pk)


def _scheme_values(errors: FieldErrors, *, name: str, year: int, kind: str, bands_text: str | None,
                   review_level: str, notice_days: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {"name": (name or "").strip()[:200], "year": year, "kind": kind, "review_level": review_level}
    if not values["name"]:
        errors.add("name", NAME_REQUIRED)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add("year", YEAR_RANGE)
    if kind not in rules.KIND_LABELS:
        errors.add("kind", KIND_INVALID)
    if review_level not in rules.REVIEW_LABELS:
        errors.add("review_level", REVIEW_INVALID)
    days = params.notice_days() if notice_days is None else notice_days
    if not 1 <= days <= 30:
        errors.add("notice_days", NOTICE_DAYS_RANGE)
    values["notice_days"] = days
    try:
        values["bands"] = rules.DEFAULT_BANDS if not (bands_text or "").strip() else rules.parse_bands(bands_text or "")
    except rules.RuleError as exc:
        errors.add("bands", exc.message)
    return values


# --- schemes -----------------------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(*, actor: User, owner: Org, year: int, name: str, kind: str, bands_text: str | None = None,
                  review_level: str = rules.REVIEW_OWNER, notice_days: int | None = None, template: str = "") -> Scheme:
    """A new draft scheme owned by a county or township (its writers); with ``template`` (one of
    templates_data.TEMPLATES) its tree is filled from that local example."""
    if not actor.can_write or not scope_for(actor).contains_path(owner.path):
        raise NotPermitted
    errors = FieldErrors()
    if owner.org_type not in OWNER_TYPES:
        errors.add("owner", OWNER_TYPE)
    if template and template not in TEMPLATES:
        errors.add("template", TEMPLATE_INVALID)
    values = _scheme_values(errors, name=name, year=year, kind=kind, bands_text=bands_text,
                            review_level=review_level, notice_days=notice_days)
    errors.raise_if_any()
    scheme = Scheme.objects.create(owner=owner, county=_county_of(owner), created_by=actor, **values)
    if template:
        _fill_from_template(scheme, TEMPLATES[template].nodes, None)
    audit_record(actor=actor, action="assessment.scheme.create", org=owner, target=scheme,
                 changes={"name": [None, scheme.name], "year": [None, year], "kind": [None, kind],
                          **({"template": [None, TEMPLATES[template].label]} if template else {})})
    return scheme


def _fill_from_template(scheme: Scheme, nodes: Sequence[T], parent: Node | None) -> None:
    for order, t in enumerate(nodes, start=1):
        node = Node.objects.create(
            scheme=scheme, parent=parent, level=1 if parent is None else parent.level + 1, order=order, title=t.title,
            standard=t.standard, max_points=Decimal(t.points), method=t.method, source=t.source, indicator=t.indicator,
            params=dict(t.params),
        )  # fmt: skip
        _fill_from_template(scheme, t.children, node)


@transaction.atomic
def scheme_update(*, actor: User, scheme: Scheme, version: int, name: str, year: int, kind: str, bands_text: str,
                  review_level: str, notice_days: int) -> Scheme:
    """Change a draft scheme (a started, published or closed one is frozen)."""
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    if scheme.version != version:
        raise ConflictError
    errors = FieldErrors()
    if scheme.status != rules.DRAFT:
        errors.add("__all__", SCHEME_LOCKED)
    values = _scheme_values(errors, name=name, year=year, kind=kind, bands_text=bands_text,
                            review_level=review_level, notice_days=notice_days)
    errors.raise_if_any()
    old = {k: getattr(scheme, k) for k in values}
    for k, v in values.items():
        setattr(scheme, k, v)
    scheme.version += 1
    scheme.save(update_fields=[*values, "version"])
    audit_record(actor=actor, action="assessment.scheme.update", org=scheme.owner, target=scheme,
                 changes={k: [str(old[k]), str(v)] for k, v in values.items() if old[k] != v})
    return scheme


def _node_values(errors: FieldErrors, *, title: str, max_points: Any, method: str, source: str, indicator: str,
                 params_: Mapping[str, Any] | None, standard: str) -> dict[str, Any]:
    values: dict[str, Any] = {"title": (title or "").strip()[:200], "method": method, "source": source,
                              "indicator": indicator if source == rules.SRC_PLATFORM else "",
                              "standard": (standard or "").strip()}  # fmt: skip
    if not values["title"]:
        errors.add("title", TITLE_REQUIRED)
    try:
        points = rules.parse_decimal(max_points if max_points not in (None, "") else 0, "分值")
        if points < 0:
            errors.add("max_points", POINTS_NEGATIVE)
        values["max_points"] = rules.q2(points)
    except rules.RuleError as exc:
        errors.add("max_points", exc.message)
    if method not in rules.METHOD_LABELS:
        errors.add("method", METHOD_INVALID)
    if source not in rules.SOURCE_LABELS:
        errors.add("source", SOURCE_INVALID)
    if source == rules.SRC_PLATFORM and indicator not in indicators.INDICATORS:
        errors.add("indicator", INDICATOR_INVALID)
    if source in (rules.SRC_INSPECTION, rules.SRC_EVALUATION) and method not in (rules.M_MANUAL, rules.M_RANK):
        errors.add("method", SOURCE_METHOD)
    if method == rules.M_VETO and values.get("max_points", 0) > 0:
        # Points on a veto item could never be earned (score_veto gives 0 either way), so the
        # scheme's full marks would be unreachable.
        errors.add("max_points", VETO_POINTS)
    clean: dict[str, str] = {}
    for key, raw in (params_ or {}).items():
        if key not in ("per", "cap", "step", "floor", "threshold") or raw in (None, ""):
            continue
        try:
            v = rules.parse_decimal(raw, key)
        except rules.RuleError:
            v = Decimal(-1)
        if v < 0:
            errors.add("params", PARAM_BAD.format(name=key))
        else:
            clean[key] = f"{rules.q2(v):f}"
    if method == rules.M_DEDUCTION and Decimal(clean.get("per", "0")) <= 0:
        errors.add("params", PER_REQUIRED)
    # A platform indicator is a percentage: read as a manual score it would be min(rate, points), as a
    # count of occurrences int(rate), and as a 1/0 flag it would pass only at exactly 1%.
    if source == rules.SRC_PLATFORM and not (
        method in (rules.M_PROPORTIONAL, rules.M_RANK)
        or (method in (rules.M_PASS_FAIL, rules.M_VETO) and "threshold" in clean)
    ):
        errors.add("method", PLATFORM_METHOD)
    values["params"] = clean
    return values


@transaction.atomic
def node_add(*, actor: User, scheme: Scheme, parent: Node | None, title: str, max_points: Any = 0,
             method: str = rules.M_MANUAL, source: str = rules.SRC_MANUAL, indicator: str = "",
             params: Mapping[str, Any] | None = None, standard: str = "") -> Node:
    """A node at the end of its level: an area (no parent), an item or a sub-item (3 levels at most)."""
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    errors = FieldErrors()
    if scheme.status != rules.DRAFT:
        errors.add("__all__", SCHEME_LOCKED)
    if parent is not None and parent.scheme_id != scheme.pk:
        errors.add("parent", PARENT_OTHER_SCHEME)
    if parent is not None and parent.level >= 3:
        errors.add("parent", LEVEL_TOO_DEEP)
    values = _node_values(errors, title=title, max_points=max_points, method=method, source=source,
                          indicator=indicator, params_=params, standard=standard)
    errors.raise_if_any()
    last = Node.objects.filter(scheme=scheme, parent=parent).aggregate(m=Max("order"))["m"] or 0
    node = Node.objects.create(scheme=scheme, parent=parent, level=1 if parent is None else parent.level + 1,
                               order=last + 1, **values)
    audit_record(actor=actor, action="assessment.node.add", org=scheme.owner, target=scheme,
                 changes={"node": [None, f"{node.title}（{node.max_points}分）"]})
    return node


@transaction.atomic
def node_update(*, actor: User, node: Node, title: str, max_points: Any, method: str, source: str,
                indicator: str = "", params: Mapping[str, Any] | None = None, standard: str = "") -> Node:
    scheme = _lock_scheme(node.scheme)
    _require_owner_writer(actor, scheme)
    node = Node.objects.get(pk=node.pk)
    errors = FieldErrors()
    if scheme.status != rules.DRAFT:
        errors.add("__all__", SCHEME_LOCKED)
    values = _node_values(errors, title=title, max_points=max_points, method=method, source=source,
                          indicator=indicator, params_=params, standard=standard)
    errors.raise_if_any()
    old = {k: getattr(node, k) for k in values}
    for k, v in values.items():
        setattr(node, k, v)
    node.save(update_fields=list(values))
    audit_record(actor=actor, action="assessment.node.update", org=scheme.owner, target=scheme,
                 changes={k: [str(old[k]), str(v)] for k, v in values.items() if old[k] != v})
    return node


@transaction.atomic
def node_move(*, actor: User, node: Node, up: bool) -> Node:
    """Swap a node with its previous (``up``) or next sibling; at either end nothing changes."""
    scheme = _lock_scheme(node.scheme)
    _require_owner_writer(actor, scheme)
    if scheme.status != rules.DRAFT:
        raise ServiceError(SCHEME_LOCKED)
    siblings = list(Node.objects.filter(scheme=scheme, parent_id=node.parent_id).order_by("order", "pk"))
    i = next(i for i, n in enumerate(siblings) if n.pk == node.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(siblings):
        return siblings[i]
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for k, n in enumerate(siblings, start=1):
        if n.order != k:
            n.order = k
            n.save(update_fields=["order"])
    audit_record(actor=actor, action="assessment.node.move", org=scheme.owner, target=scheme,
                 changes={"node": [node.title, "上移" if up else "下移"]})
    return siblings[j]


@transaction.atomic
def node_remove(*, actor: User, node: Node) -> None:
    """Remove a node and everything under it, while the scheme is a draft."""
    scheme = _lock_scheme(node.scheme)
    _require_owner_writer(actor, scheme)
    if scheme.status != rules.DRAFT:
        raise ServiceError(SCHEME_LOCKED)
    title = node.title
    Node.objects.filter(pk=node.pk).delete()
    audit_record(actor=actor, action="assessment.node.remove", org=scheme.owner, target=scheme,
                 changes={"node": [title, None]})


def assessed_orgs(scheme: Scheme) -> list[Org]:
    """The organizations of the scheme's kind in its owner's subtree (not the owner), existing during
    the year, the top-most of each subtree (rules.is_of_kind)."""
    owner = scheme.owner
    start, end = dt.date(scheme.year, 1, 1), dt.date(scheme.year, 12, 31)
    candidates = (Org.objects.filter(path__gt=owner.path, path__lt=subtree_upper_bound(owner.path),
                                     established_on__lte=end)
                  .exclude(dissolved_on__lt=start).order_by("path"))  # fmt: skip
    matching = {o.path: o for o in candidates if rules.is_of_kind(scheme.kind, org_type=o.org_type, category=o.category)}
    return [matching[p] for p in rules.top_most(list(matching))]


@transaction.atomic
def scheme_activate(*, actor: User, scheme: Scheme, self_due: dt.date | None = None,
                    review_due: dt.date | None = None) -> list[Result]:
    """Start the round: one result per assessed organization, self-assessment open."""
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    errors = FieldErrors()
    if scheme.status != rules.DRAFT:
        errors.add("__all__", SCHEME_LOCKED)
    if not sel.leaves(scheme):
        errors.add("__all__", NO_LEAVES)
    orgs = assessed_orgs(scheme)
    if not orgs:
        errors.add("__all__", NO_ASSESSED.format(kind=rules.KIND_LABELS[scheme.kind]))
    if self_due and review_due and review_due < self_due:
        errors.add("review_due", DUE_ORDER)
    errors.raise_if_any()
    results = Result.objects.bulk_create([Result(scheme=scheme, org=o) for o in orgs])
    scheme.status, scheme.self_due, scheme.review_due = rules.ACTIVE, self_due, review_due
    scheme.version += 1
    scheme.save(update_fields=["status", "self_due", "review_due", "version"])
    audit_record(actor=actor, action="assessment.scheme.activate", org=scheme.owner, target=scheme,
                 changes={"status": [rules.DRAFT, rules.ACTIVE], "assessed": [None, len(results)]})
    return results


@transaction.atomic
def scheme_copy(*, actor: User, scheme: Scheme, year: int, name: str = "") -> Scheme:
    """Copy a scheme (tree, methods, sources, bands, review level) to a new draft — the usual way to
    start a year. The old scheme and its results are not touched."""
    source = Scheme.objects.select_related("owner").get(pk=scheme.pk)
    _require_owner_writer(actor, source)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(COPY_YEAR, "year")
    new_name = (name or "").strip()[:200] or source.name
    copy = Scheme.objects.create(
        owner=source.owner, county=source.county, year=year, name=new_name, kind=source.kind, bands=source.bands,
        review_level=source.review_level, notice_days=source.notice_days, copied_from=source, created_by=actor,
    )  # fmt: skip
    mapping: dict[int, Node] = {}
    for n in Node.objects.filter(scheme=source).order_by("level", "order", "pk"):
        mapping[n.pk] = Node.objects.create(
            scheme=copy, parent=mapping[n.parent_id] if n.parent_id else None, level=n.level, order=n.order,
            title=n.title, standard=n.standard, max_points=n.max_points, method=n.method, source=n.source,
            indicator=n.indicator, params=dict(n.params or {}),
        )  # fmt: skip
    audit_record(actor=actor, action="assessment.scheme.copy", org=source.owner, target=copy,
                 changes={"from": [None, str(source)], "year": [source.year, year]})
    return copy


# --- self-assessment, evidence, review ------------------------------------------------------------------------


def _leaf_map(scheme: Scheme) -> dict[int, Node]:
    return {n.pk: n for n in sel.leaves(scheme)}


@transaction.atomic
def self_assess(*, actor: User, result: Result, values: Mapping[int, tuple[Any, str]]) -> list[ItemScore]:
    """Enter (or change) self-assessed values of manual items: ``{node_id: (raw, note)}``. Each value is
    checked for its method (a score within [0, max], a count, a flag...)."""
    result = _lock_result(result)
    if not sel.may_self_assess(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    elif result.status != rules.R_PENDING:
        errors.add("__all__", RESULT_NOT_PENDING)
    leaf = _leaf_map(result.scheme)
    clean: dict[int, tuple[Decimal | None, str]] = {}
    for node_id, (raw, note) in values.items():
        node = leaf.get(int(node_id))
        if node is None:
            errors.add("__all__", ITEM_UNKNOWN)
            continue
        if node.source != rules.SRC_MANUAL:
            errors.add(f"item_{node.pk}", ITEM_NOT_MANUAL.format(item=node.title))
            continue
        if raw in (None, ""):
            clean[node.pk] = (None, (note or "").strip())
            continue
        try:
            v = rules.check_raw(node.method, rules.parse_decimal(raw, node.title), max_points=node.max_points,
                                item=node.title, params=node.params)
        except rules.RuleError as exc:
            errors.add(f"item_{node.pk}", exc.message)
            continue
        clean[node.pk] = (v, (note or "").strip())
    errors.raise_if_any()
    out = []
    changes = {}
    for node_id, (value, note) in clean.items():
        item, _ = ItemScore.objects.get_or_create(result=result, node_id=node_id)
        if item.self_value != value or item.self_note != note:
            changes[leaf[node_id].title] = [None if item.self_value is None else str(item.self_value),
                                            None if value is None else str(value)]  # fmt: skip
            item.self_value, item.self_note = value, note
            item.save(update_fields=["self_value", "self_note"])
        out.append(item)
    audit_record(actor=actor, action="assessment.self.update", org=result.org, target=result, changes=changes)
    return out


def _check_file(errors: FieldErrors, file: File, purpose: str) -> tuple[str, int, str]:
    name, size, head, zip_names = upload_facts(file)
    message = file_rules.check_upload(name=name, size=size, head=head, zip_names=zip_names, purpose=purpose,
                                      max_mb=FILE_MAX_MB)
    if message:
        errors.add("file", message)
    return name, size, file_rules.sniff_type(head, zip_names) or ""


def _save_file(*, actor: User, result: Result, file: File, name: str, size: int, file_type: str,
               node: Node | None = None, inspection: Inspection | None = None) -> AssessFile:
    f = AssessFile(scheme=result.scheme, result=result, node=node, inspection=inspection, original_name=name[:200],
                   size=size, file_type=file_type, uploaded_by=actor)
    f.file.save(name, file, save=False)
    f.save()
    return f


@transaction.atomic
def evidence_add(*, actor: User, result: Result, file: File, node: Node | None = None) -> AssessFile:
    """佐证材料: an image or pdf/docx/xlsx whose content really is that type, at most 20 MB, while the
    self-assessment is open."""
    result = _lock_result(result)
    if not sel.may_self_assess(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    elif result.status != rules.R_PENDING:
        errors.add("__all__", RESULT_NOT_PENDING)
    if node is not None and node.scheme_id != result.scheme_id:
        errors.add("node", FILE_NODE)
    name, size, file_type = _check_file(errors, file, file_rules.ATTACHMENT)
    errors.raise_if_any()
    f = _save_file(actor=actor, result=result, file=file, name=name, size=size, file_type=file_type, node=node)
    audit_record(actor=actor, action="assessment.evidence.add", org=result.org, target=result,
                 changes={"file": [None, name]})
    return f


@transaction.atomic
def result_submit(*, actor: User, result: Result, today: dt.date | None = None) -> Result:
    """Submit the self-assessment for review: every manual item must have a value."""
    today = today or timezone.localdate()
    result = _lock_result(result)
    if not sel.may_self_assess(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    elif result.status != rules.R_PENDING:
        errors.add("__all__", RESULT_NOT_PENDING)
    filled = set(result.items.filter(self_value__isnull=False).values_list("node_id", flat=True))
    missing = [n.title for n in sel.leaves(result.scheme) if n.source == rules.SRC_MANUAL and n.pk not in filled]
    if missing:
        errors.add("__all__", SELF_MISSING.format(n=len(missing), items="、".join(missing[:5])))
    errors.raise_if_any()
    result.status, result.submitted_on = rules.R_SUBMITTED, today
    result.version += 1
    result.save(update_fields=["status", "submitted_on", "version"])
    audit_record(actor=actor, action="assessment.self.submit", org=result.org, target=result,
                 changes={"status": [rules.R_PENDING, rules.R_SUBMITTED]})
    return result


@transaction.atomic
def result_review(*, actor: User, result: Result, decisions: Mapping[int, tuple[Any, str]],
                  today: dt.date | None = None) -> Result:
    """Review a submitted self-assessment: every manual item is accepted as self-assessed, unless
    ``decisions`` gives it another value (``{node_id: (raw, reason)}``), which needs a reason."""
    today = today or timezone.localdate()
    result = _lock_result(result)
    if not sel.may_review(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE or result.status != rules.R_SUBMITTED:
        errors.add("__all__", RESULT_NOT_SUBMITTED)
    leaf = _leaf_map(result.scheme)
    items = {i.node_id: i for i in result.items.all()}
    planned: dict[int, tuple[Decimal | None, str]] = {}
    for node in leaf.values():
        if node.source != rules.SRC_MANUAL:
            continue
        item = items.get(node.pk)
        self_value = item.self_value if item else None
        raw, reason = decisions.get(node.pk, (None, ""))
        reason = (reason or "").strip()
        if raw in (None, ""):
            planned[node.pk] = (self_value, "")
            continue
        try:
            v = rules.check_raw(node.method, rules.parse_decimal(raw, node.title), max_points=node.max_points,
                                item=node.title, params=node.params)
        except rules.RuleError as exc:
            errors.add(f"item_{node.pk}", exc.message)
            continue
        if v != self_value and not reason:
            errors.add(f"item_{node.pk}", REASON_REQUIRED.format(item=node.title))
        planned[node.pk] = (v, reason[:500] if v != self_value else "")
    for node_id in decisions:
        if int(node_id) not in leaf:
            errors.add("__all__", ITEM_UNKNOWN)
    errors.raise_if_any()
    changes: dict[str, Any] = {}
    for node_id, (decided, reason) in planned.items():
        item = items.get(node_id) or ItemScore.objects.create(result=result, node_id=node_id)
        item.review_value, item.review_reason = decided, reason
        item.save(update_fields=["review_value", "review_reason"])
        if reason:
            changes[leaf[node_id].title] = [str(item.self_value), str(decided)]
    result.status, result.reviewed_on, result.reviewed_by = rules.R_REVIEWED, today, actor
    result.version += 1
    result.save(update_fields=["status", "reviewed_on", "reviewed_by", "version"])
    audit_record(actor=actor, action="assessment.review", org=result.org, target=result,
                 changes={"status": [rules.R_SUBMITTED, rules.R_REVIEWED], **changes},
                 reason="；".join(r for _v, r in planned.values() if r))
    return result


@transaction.atomic
def result_return(*, actor: User, result: Result, reason: str) -> Result:
    """Send a submitted self-assessment back to the organization, with the reason."""
    result = _lock_result(result)
    if not sel.may_review(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE or result.status != rules.R_SUBMITTED:
        errors.add("__all__", RESULT_NOT_SUBMITTED)
    if not (reason or "").strip():
        errors.add("reason", RETURN_REASON)
    errors.raise_if_any()
    result.status = rules.R_PENDING
    result.version += 1
    result.save(update_fields=["status", "version"])
    audit_record(actor=actor, action="assessment.self.return", org=result.org, target=result,
                 changes={"status": [rules.R_SUBMITTED, rules.R_PENDING]}, reason=reason.strip())
    return result


# --- inspections and evaluations -----------------------------------------------------------------------------


@transaction.atomic
def inspection_record(*, actor: User, result: Result, date: dt.date, scores: Mapping[int, Any], notes: str = "",
                      photos: Sequence[File] = (), today: dt.date | None = None) -> Inspection:
    """日常督查: one visit's scores for the scheme's inspection items, each within [0, item points],
    with notes and photos (images only, checked by content)."""
    today = today or timezone.localdate()
    result = _lock_result(result)
    if not sel.may_inspect(actor, result):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    if date > today:
        errors.add("date", DATE_FUTURE)
    elif date < dt.date(result.scheme.year, 1, 1):
        # An earlier year's visit would be averaged into this year's score.
        errors.add("date", DATE_BEFORE_YEAR.format(year=result.scheme.year))
    leaf = _leaf_map(result.scheme)
    clean: dict[int, Decimal] = {}
    for node_id, raw in scores.items():
        node = leaf.get(int(node_id))
        if node is None or node.source != rules.SRC_INSPECTION:
            errors.add("__all__", NOT_INSPECTION_ITEM.format(item=node.title if node else node_id))
            continue
        if raw in (None, ""):
            continue
        try:
            clean[node.pk] = rules.check_raw(rules.M_MANUAL, rules.parse_decimal(raw, node.title),
                                             max_points=node.max_points, item=node.title)
        except rules.RuleError as exc:
            errors.add(f"item_{node.pk}", exc.message)
    if not clean and not errors:
        errors.add("__all__", INSPECTION_EMPTY)
    checked = [(_check_file(errors, p, file_rules.PHOTO), p) for p in photos]
    errors.raise_if_any()
    inspection = Inspection.objects.create(result=result, date=date, inspector=actor, notes=(notes or "").strip())
    InspectionScore.objects.bulk_create([InspectionScore(inspection=inspection, node_id=k, score=v) for k, v in clean.items()])
    for (name, size, file_type), p in checked:
        _save_file(actor=actor, result=result, file=p, name=name, size=size, file_type=file_type, inspection=inspection)
    audit_record(actor=actor, action="assessment.inspection.add", org=result.org, target=result,
                 changes={"date": [None, str(date)], **{leaf[k].title: [None, str(v)] for k, v in clean.items()}})
    return inspection


@transaction.atomic
def evaluation_record(*, actor: User, result: Result, node: Node, date: dt.date, groups: Sequence[Mapping[str, Any]],
                      notes: str = "", today: dt.date | None = None) -> Evaluation:
    """述职评议 of one organization for one evaluation item: voter groups, each with its points (weight)
    and its ballots — counts per grade (``good``/``fair``/``average``/``poor``) or one by one
    (``ballots``: a list of those codes, counted here)."""
    today = today or timezone.localdate()
    result = _lock_result(result)
    if not sel.is_owner_writer(actor, result.scheme):
        raise NotPermitted
    errors = FieldErrors()
    if result.scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    if node.scheme_id != result.scheme_id or node.source != rules.SRC_EVALUATION:
        errors.add("node", NOT_EVALUATION_ITEM)
    if date > today:
        errors.add("date", DATE_FUTURE)
    elif date < dt.date(result.scheme.year, 1, 1):
        errors.add("date", DATE_BEFORE_YEAR.format(year=result.scheme.year))
    rows = []
    for i, g in enumerate(groups, start=1):
        name = (g.get("name") or "").strip()
        if not name:
            errors.add("groups", GROUP_NAME.format(i=i))
        try:
            weight = rules.parse_decimal(g.get("weight"), "分值")
        except rules.RuleError:
            weight = Decimal(0)
        if weight <= 0:
            errors.add("groups", GROUP_WEIGHT.format(i=i))
        counts = dict.fromkeys(rules.EVAL_GRADES, 0)
        if g.get("ballots") is not None:
            for b in g["ballots"]:
                if b not in counts:
                    errors.add("groups", BALLOT_GRADE.format(i=i, grade=b))
                else:
                    counts[b] += 1
        else:
            for k in rules.EVAL_GRADES:
                raw = g.get(k) or 0
                try:
                    counts[k] = int(raw)
                    if counts[k] < 0 or str(raw).strip() not in (str(counts[k]), "0"):
                        raise ValueError
                except (TypeError, ValueError):
                    errors.add("groups", GROUP_COUNTS.format(i=i))
                    counts[k] = 0
        if sum(counts.values()) == 0:
            errors.add("groups", GROUP_COUNTS.format(i=i))
        rows.append((name[:50], rules.q2(weight), counts))
    if not rows:
        errors.add("groups", GROUPS_REQUIRED)
    errors.raise_if_any()
    ev = Evaluation.objects.create(result=result, node=node, date=date, notes=(notes or "").strip(), created_by=actor)
    EvaluationGroup.objects.bulk_create([EvaluationGroup(evaluation=ev, name=n, weight=w, **c) for n, w, c in rows])
    audit_record(actor=actor, action="assessment.evaluation.add", org=result.org, target=result,
                 changes={n: [None, "、".join(f"{rules.EVAL_GRADE_LABELS[k]}{v}" for k, v in c.items())]
                          for n, _w, c in rows})  # fmt: skip
    return ev


# --- finalisation, publication, archive ------------------------------------------------------------------------


@transaction.atomic
def scheme_finalize(*, actor: User, scheme: Scheme, today: dt.date | None = None) -> Scheme:
    """定分: every result reviewed → every item's score computed (platform indicators recomputed now)
    and frozen with its explanation and the records it came from; totals, places (1, 2, 2, 4; a veto
    goes after everyone else) and grades (the scheme's bands; a veto the lowest)."""
    today = today or timezone.localdate()
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    results = list(Result.objects.select_for_update(of=("self",)).filter(scheme=scheme).select_related("org")
                   .order_by("org__path"))  # fmt: skip
    errors = FieldErrors()
    if scheme.status != rules.ACTIVE:
        errors.add("__all__", NOT_ACTIVE)
    waiting = [r.org.name for r in results if r.status != rules.R_REVIEWED]
    if waiting:
        errors.add("__all__", NOT_ALL_REVIEWED.format(n=len(waiting), names="、".join(waiting[:5])))
    errors.raise_if_any()
    computed = sel.compute_scores(actor, scheme, results, today)
    places = rules.result_ranks([(computed[r.pk].total, computed[r.pk].vetoed) for r in results])
    # Written in bulk: a county round is ~300 organizations × ~20 items, one save each would be
    # thousands of queries inside this transaction.
    existing = {(i.result_id, i.node_id): i for i in ItemScore.objects.filter(result__in=results)}
    to_update: list[ItemScore] = []
    to_create: list[ItemScore] = []
    for r, place in zip(results, places, strict=True):
        c = computed[r.pk]
        for node_id, line in c.lines.items():
            item = existing.get((r.pk, node_id))
            if item is None:
                item = ItemScore(result=r, node_id=node_id)
                to_create.append(item)
            else:
                to_update.append(item)
            item.raw_value, item.final_score, item.veto = line.raw, line.score, line.veto
            item.explanation, item.trace = line.explanation, line.trace
        r.total, r.vetoed, r.rank, r.of_total = c.total, c.vetoed, place, len(results)
        r.grade = rules.grade_for(c.total, scheme.bands, vetoed=c.vetoed)
        r.status = rules.R_FINAL
        r.version += 1
    ItemScore.objects.bulk_create(to_create, batch_size=500)
    ItemScore.objects.bulk_update(to_update, ["raw_value", "final_score", "veto", "explanation", "trace"],
                                  batch_size=500)
    Result.objects.bulk_update(results, ["total", "vetoed", "rank", "of_total", "grade", "status", "version"],
                               batch_size=500)
    scheme.status, scheme.finalized_on = rules.FINAL, today
    scheme.version += 1
    scheme.save(update_fields=["status", "finalized_on", "version"])
    audit_record(actor=actor, action="assessment.scheme.finalize", org=scheme.owner, target=scheme,
                 changes={"status": [rules.ACTIVE, rules.FINAL], "results": [None, len(results)]})
    return scheme


@transaction.atomic
def scheme_publish(*, actor: User, scheme: Scheme, start: dt.date | None = None,
                   today: dt.date | None = None) -> Scheme:
    """公示 the final results for the scheme's notice days, starting ``start`` (default today)."""
    today = today or timezone.localdate()
    start = start or today
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    errors = FieldErrors()
    if scheme.status != rules.FINAL:
        errors.add("__all__", NOT_FINAL)
    if start < today:
        # A start in the past would shorten (or skip) the notice period: close right after publishing.
        errors.add("start", NOTICE_START_PAST)
    errors.raise_if_any()
    scheme.status, scheme.notice_start = rules.PUBLISHED, start
    scheme.notice_end = rules.notice_end(start, scheme.notice_days)
    scheme.version += 1
    scheme.save(update_fields=["status", "notice_start", "notice_end", "version"])
    audit_record(actor=actor, action="assessment.scheme.publish", org=scheme.owner, target=scheme,
                 changes={"status": [rules.FINAL, rules.PUBLISHED], "notice": [None, f"{start}至{scheme.notice_end}"]})
    return scheme


@transaction.atomic
def scheme_close(*, actor: User, scheme: Scheme, today: dt.date | None = None) -> Scheme:
    """归档 after the notice period has ended; the results stay readable, unchanged."""
    today = today or timezone.localdate()
    scheme = _lock_scheme(scheme)
    _require_owner_writer(actor, scheme)
    errors = FieldErrors()
    if scheme.status != rules.PUBLISHED:
        errors.add("__all__", NOT_PUBLISHED)
    elif scheme.notice_end is not None and today <= scheme.notice_end:
        errors.add("__all__", NOTICE_NOT_ENDED.format(end=scheme.notice_end))
    errors.raise_if_any()
    scheme.status, scheme.closed_on = rules.CLOSED, today
    scheme.version += 1
    scheme.save(update_fields=["status", "closed_on", "version"])
    audit_record(actor=actor, action="assessment.scheme.close", org=scheme.owner, target=scheme,
                 changes={"status": [rules.PUBLISHED, rules.CLOSED]})
    return scheme

"""Writes of member points and star ratings. Each service validates everything first (raising
ServiceError with Chinese messages, nothing written), then writes in one transaction together with its
audit event.

Who may write: the writing roles inside their subtree (NotPermitted otherwise, which pages and the API
answer as 404). A manual entry is approved by a writer whose subtree holds the member's branch (the
branch secretary or the level above) other than the person who entered it (rules.may_decide_entry:
E6.1 separates the record keeper from the review group). A member files an objection for themselves;
a branch user may record one on a member's behalf. Branch star ratings are recorded by the rating
organization (the township or county above the branch), never by the rated branch itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from dangjian.accounts.models import Role, User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record
from dangjian.common.errors import ConflictError, FieldErrors, NotPermitted
from dangjian.common.uploads import upload_facts
from dangjian.dues.models import DuesEntry
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orglife import rules as orglife_rules
from dangjian.orglife.models import Attendance, TrainingAttendance
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.points import params, queries, rules
from dangjian.points.models import (
    BranchRating,
    BranchRatingLine,
    MemberRating,
    Objection,
    PointsEntry,
    PointsEvidence,
    PointsItem,
    PointsScheme,
    Posting,
)

# --- messages (the tests import these) ------------------------------------------------------------------
ORG_CANNOT_OWN = "党小组不能制定积分方案，请由所在党支部或上级党组织制定。"
YEAR_RANGE = "年度应在{low}至{high}之间。"
SCHEME_EXISTS = "“{org}”{year}年度已有积分方案，请修改该方案或复制到其他年度。"
NAME_REQUIRED = "请填写名称。"
TEXT_TOO_LONG = "“{label}”最多{n}个字。"
NUMBER_INVALID = "“{label}”应为不小于0的数，最多一位小数。"
NUMBER_RANGE = "“{label}”应在{low}至{high}之间。"
CAP_BELOW_BASE = "总分上限不能低于基础分。"
TEMPLATE_UNKNOWN = "没有“{code}”这个模板。"
KIND_INVALID = "类别应为加分、扣分或一票否决。"
SOURCE_INVALID = "计分方式无效。"
AUTO_ONLY_ADD = "自动计分的项目只能是加分项目。"
VETO_MANUAL = "一票否决项目只能由支部录入并审核。"
POINTS_POSITIVE = "加分、扣分项目的每次分值应大于0。"
ITEM_CAP_BELOW = "单项年度上限不能低于每次分值。"
MEETING_KIND_INVALID = "会议类型“{value}”无效。"
MEETING_KINDS_ONLY_MEETING = "只有“参加组织生活”自动计分的项目可以限定会议类型。"
COPY_SAME_YEAR = "请选择与原方案不同的年度。"
NOT_A_BRANCH = "“{name}”不直接管理党员，请在其下属党支部办理。"
MEMBER_NO_BRANCH = "该党员没有所在党支部。"
MEMBER_NOT_ACTIVE = "“{name}”不是正式党员或预备党员，不能记录积分。"
NO_SCHEME = "“{org}”及其上级党组织没有{year}年度的积分方案，请先制定方案。"
ITEM_NOT_IN_SCHEME = "该项目不属于适用于“{name}”的{year}年度积分方案（{scheme}）。"
ITEM_AUTOMATIC = "“{item}”由系统根据组织生活、党费、学时记录自动计分，不能手工录入。"
DATE_REQUIRED = "请填写日期。"
DATE_FUTURE = "日期不能晚于今天（{today}）。"
DATE_OUTSIDE_YEAR = "日期应在方案年度（{year}年）内。"
REASON_REQUIRED = "请填写事由。"
QUANTITY_INVALID = "次数应大于0，最多一位小数。"
ENTRY_OVER_CAP = "本条{points}分，超过“{item}”的单项年度上限{cap}分。"
ITEM_CAP_REACHED = "“{name}”本年度“{item}”已计{sum}分（含待审核），达到单项年度上限{cap}分，本条不会再计分。"
EVIDENCE_REQUIRED = "“{item}”须附证明材料。"
ENTRY_DECIDED = "该记录已审核（{status}），不能重复审核。"
SELF_DECIDE = "录入人不能审核自己录入的积分，请由支部其他支委或上级党组织审核。"
OWN_ENTRY = "不能审核自己的积分记录。"
REJECT_NOTE_REQUIRED = "不通过的，请填写审核意见。"
QUARTER_INVALID = "季度应为1至4。"
QUARTER_NOT_STARTED = "{year}年第{quarter}季度还没有开始。"
QUARTER_NOT_ENDED = "{year}年第{quarter}季度到{end}结束，季度结束后才能公示。"
POSTING_EXISTS = "“{org}”{year}年第{quarter}季度的积分已于{date}公示。"
POSTING_CLOSED = "公示期已于{date}结束，不能再提出异议。"
POSTING_NOT_OPEN = "公示期自{date}开始。"
NOT_IN_POSTING = "“{name}”不在这次公示的名单中。"
OBJECTION_ENTRY = "所指的积分记录不是“{name}”本季度公示范围内的记录。"
OBJECTION_NOT_OWN = "只能对本人的积分提出异议。"
OBJECTION_HANDLED = "该异议已处理（{status}），不能重复处理。"
OWN_OBJECTION = "不能处理对本人积分提出的异议，请由支部其他支委或上级党组织处理。"
RESPONSE_REQUIRED = "请填写处理意见（异议不成立的，须说明理由）。"
CORRECTED_REQUIRED = "异议成立的，请填写更正后的分值。"
CORRECTED_SIGN = "“{item}”是{kind}项目，更正后的分值应为{sign}。"
CORRECTED_NO_ENTRY = "这条异议没有指明积分记录，不能更正分值；如需补记，请另行录入积分。"
RATING_TOO_EARLY = "{year}年度的评星定级自{year}年12月1日起办理。"
NO_MEMBERS = "“{org}”没有在册党员。"
RATER_NOT_ABOVE = "评定的党组织应是“{org}”的上级党组织。"
RATING_EXISTS = "“{org}”{year}年度的评星定级已经建立。"
RATING_FINAL = "该评定已定级，不能再修改。"
CATEGORY_INVALID = "类别应为组织体系、班子队伍、发展成效、服务群众或治理机制。"
INDICATOR_REQUIRED = "请填写指标。"
BRANCH_POINTS_INVALID = "加减分应为-100至100之间的非零数，最多一位小数。"
DATE_OUTSIDE_RATING = "日期应在评定年度（{year}年）内。"

FILE_MAX_MB = 20
YEAR_LOW = 2000
COMMITTEE_TYPES = frozenset({OrgType.COUNTY_COMMITTEE, OrgType.TOWNSHIP_COMMITTEE, OrgType.WORKING_COMMITTEE,
                             OrgType.PRIMARY_COMMITTEE, OrgType.GENERAL_BRANCH})  # fmt: skip

# The audit actions this app writes, with their Chinese names (for the audit log page).
AUDIT_ACTION_LABELS = {
    "points.scheme.create": "制定党员积分方案",
    "points.scheme.update": "修改积分方案",
    "points.scheme.copy": "复制积分方案到新年度",
    "points.item.add": "增加积分项目",
    "points.item.update": "修改积分项目",
    "points.entry.add": "录入党员积分",
    "points.entry.decide": "审核党员积分",
    "points.entry.correct": "更正党员积分（异议成立）",
    "points.credit.quarter": "按记录自动计分（季度）",
    "points.posting.publish": "季度积分公示",
    "points.objection.file": "对积分公示提出异议",
    "points.objection.handle": "处理积分公示异议",
    "points.rating.finalize": "年终党员评星定级",
    "points.brating.open": "建立党组织评星定级",
    "points.brating.line": "党组织评星定级加减分",
    "points.brating.finalize": "党组织评星定级定级",
}




def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _text(errors: FieldErrors, value: str | None, *, f: str, label: str, n: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(f, required)
    if len(value) > n:
        errors.add(f, TEXT_TOO_LONG.format(label=label, n=n))
    return value


def _number(errors: FieldErrors, value: object, *, f: str, label: str, low: Decimal = Decimal(0),
            high: Decimal = Decimal(1000), required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.add(f, NUMBER_INVALID.format(label=label))
        return None
    try:
        v = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(f, NUMBER_INVALID.format(label=label))
        return None
    if not v.is_finite() or v != v.quantize(rules.TENTH) or v < 0:
        errors.add(f, NUMBER_INVALID.format(label=label))
        return None
    if not low <= v <= high:
        errors.add(f, NUMBER_RANGE.format(label=label, low=low, high=high))
        return None
    return v


def _year(errors: FieldErrors, year: int, today: dt.date) -> None:
    if not YEAR_LOW <= year <= today.year + 1:
        errors.add("year", YEAR_RANGE.format(low=YEAR_LOW, high=today.year + 1))


def _check_branch(errors: FieldErrors, org: Org) -> None:
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        errors.add("org", NOT_A_BRANCH.format(name=org.name))


# --- schemes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemIn:
    name: str
    kind: str
    points: object = 0
    yearly_cap: object = None
    evidence_required: bool = False
    source: str = rules.MANUAL
    meeting_kinds: str = ""
    beyond_total_cap: bool = False


def _validate_item(errors: FieldErrors, it: ItemIn, prefix: str = "") -> dict:
    name = _text(errors, it.name, f=prefix + "name", label="项目名称", n=200, required=NAME_REQUIRED)
    if it.kind not in rules.KIND_LABELS:
        errors.add(prefix + "kind", KIND_INVALID)
    if it.source not in rules.SOURCE_LABELS:
        errors.add(prefix + "source", SOURCE_INVALID)
    elif it.source in rules.AUTO_SOURCES and it.kind != rules.ADD:
        errors.add(prefix + "source", AUTO_ONLY_ADD if it.kind != rules.VETO else VETO_MANUAL)
    pts = _number(errors, it.points if it.kind != rules.VETO else 0, f=prefix + "points", label="每次分值",
                  required=it.kind != rules.VETO) or rules.ZERO  # fmt: skip
    if it.kind in (rules.ADD, rules.DEDUCT) and pts <= 0 and prefix + "points" not in errors:
        errors.add(prefix + "points", POINTS_POSITIVE)
    cap = _number(errors, it.yearly_cap, f=prefix + "yearly_cap", label="单项年度上限", required=False)
    if it.kind == rules.VETO:
        cap = None
    if cap is not None and cap < pts:
        errors.add(prefix + "yearly_cap", ITEM_CAP_BELOW)
    kinds = [k.strip() for k in (it.meeting_kinds or "").split(",") if k.strip()]
    if kinds and it.source != rules.MEETING:
        errors.add(prefix + "meeting_kinds", MEETING_KINDS_ONLY_MEETING)
    for k in kinds:
        if k not in orglife_rules.KIND_LABELS:
            errors.add(prefix + "meeting_kinds", MEETING_KIND_INVALID.format(value=k))
    return {"name": name, "kind": it.kind, "points": pts, "yearly_cap": cap,
            "evidence_required": bool(it.evidence_required), "source": it.source, "meeting_kinds": ",".join(kinds),
            "beyond_total_cap": bool(it.beyond_total_cap) and it.kind == rules.ADD}  # fmt: skip


def _template_items(code: str) -> list[ItemIn]:
    t = rules.TEMPLATES[code]
    return [ItemIn(i.name, i.kind, i.points, i.cap, i.evidence_required, i.source, i.meeting_kinds, i.beyond_total_cap)
            for i in t.items]


@transaction.atomic
def scheme_create(*, actor: User, org: Org, year: int, name: str = "", template: str = "",
                  base_points: object = None, total_cap: object = None, carry_over_percent: object = None,
                  bands: Sequence[object] | None = None, items: Sequence[ItemIn] | None = None,
                  today: dt.date | None = None) -> PointsScheme:
    """积分方案 of ``org`` (a county, township or branch; not a party group) for ``year``. With a
    ``template`` (E6.1–E6.4) its base, cap, carry-over, bands and items are the starting values; any
    value given here replaces the template's."""
    today = _today(today)
    _check_writable(actor, org)
    errors = FieldErrors()
    if org.org_type == org_rules.PARTY_GROUP:
        errors.add("org", ORG_CANNOT_OWN)
    _year(errors, year, today)
    tpl = None
    if template:
        tpl = rules.TEMPLATES.get(template)
        if tpl is None:
            errors.add("template", TEMPLATE_UNKNOWN.format(code=template))
    name = _text(errors, name or (tpl.name if tpl else ""), f="name", label="方案名称", n=200, required=NAME_REQUIRED)
    base = _number(errors, base_points if base_points not in (None, "") else (tpl.base if tpl else None),
                   f="base_points", label="基础分")  # fmt: skip
    cap_value = total_cap if total_cap not in (None, "") else (tpl.total_cap if tpl and total_cap is None else None)
    cap = _number(errors, cap_value, f="total_cap", label="总分上限", required=False)
    carry = _number(errors, carry_over_percent if carry_over_percent not in (None, "") else
                    (tpl.carry_over_percent if tpl else 0), f="carry_over_percent", label="上年总分结转比例（%）",
                    high=Decimal(100))  # fmt: skip
    try:
        band_values = rules.check_bands(bands if bands else (tpl.bands if tpl else rules.DEFAULT_BANDS))
    except rules.PointsRuleError as exc:
        errors.add("bands", str(exc))
        band_values = rules.DEFAULT_BANDS
    if base is not None and cap is not None and cap < base:
        errors.add("total_cap", CAP_BELOW_BASE)
    if PointsScheme.objects.filter(org=org, year=year).exists():
        errors.add("year", SCHEME_EXISTS.format(org=org.name, year=year))
    item_list = list(items) if items is not None else (_template_items(tpl.code) if tpl else [])
    cleaned = [_validate_item(errors, it, prefix=f"items-{n}-") for n, it in enumerate(item_list)]
    errors.raise_if_any()
    scheme = PointsScheme.objects.create(
        org=org, county=_county_of(org), year=year, name=name, template=tpl.code if tpl else "", base_points=base,
        total_cap=cap, carry_over_percent=carry or 0, bands=[str(b) for b in band_values], created_by=actor,
    )  # fmt: skip
    PointsItem.objects.bulk_create([PointsItem(scheme=scheme, position=n, **c) for n, c in enumerate(cleaned)])
    audit_record(actor=actor, action="points.scheme.create", org=org, target=scheme,
                 changes={"year": [None, year], "name": [None, name], "template": [None, scheme.template],
                          "base_points": [None, str(base)], "total_cap": [None, str(cap) if cap is not None else None],
                          "bands": [None, scheme.bands], "items": [None, [c["name"] for c in cleaned]]})  # fmt: skip
    return scheme


@transaction.atomic
def scheme_update(*, actor: User, scheme: PointsScheme, version: int, name: str, base_points: object,
                  total_cap: object, carry_over_percent: object, bands: Sequence[object]) -> PointsScheme:
    """Change a scheme's name, base, total cap, carry-over and bands (optimistic locking on ``version``).
    Year-end ratings and postings already made keep the values they were made with (snapshots)."""
    scheme = PointsScheme.objects.select_for_update(of=("self",)).select_related("org").get(pk=scheme.pk)
    _check_writable(actor, scheme.org)
    if version != scheme.version:
        raise ConflictError
    errors = FieldErrors()
    name = _text(errors, name, f="name", label="方案名称", n=200, required=NAME_REQUIRED)
    base = _number(errors, base_points, f="base_points", label="基础分")
    cap = _number(errors, total_cap, f="total_cap", label="总分上限", required=False)
    carry = _number(errors, carry_over_percent if carry_over_percent not in (None, "") else 0, f="carry_over_percent",
                    label="上年总分结转比例（%）", high=Decimal(100))  # fmt: skip
    try:
        band_values = rules.check_bands(bands)
    except rules.PointsRuleError as exc:
        errors.add("bands", str(exc))
        band_values = rules.DEFAULT_BANDS
    if base is not None and cap is not None and cap < base:
        errors.add("total_cap", CAP_BELOW_BASE)
    errors.raise_if_any()
    old = {"name": scheme.name, "base_points": scheme.base_points, "total_cap": scheme.total_cap,
           "carry_over_percent": scheme.carry_over_percent, "bands": list(scheme.bands)}  # fmt: skip
    new = {"name": name, "base_points": base, "total_cap": cap, "carry_over_percent": carry or 0,
           "bands": [str(b) for b in band_values]}  # fmt: skip
    for k, v in new.items():
        setattr(scheme, k, v)
    scheme.version += 1
    scheme.save(update_fields=[*new, "version"])
    audit_record(actor=actor, action="points.scheme.update", org=scheme.org, target=scheme,
                 changes={k: [str(old[k]), str(v)] for k, v in new.items() if str(old[k]) != str(v)})
    return scheme


@transaction.atomic
def scheme_copy(*, actor: User, scheme: PointsScheme, year: int, today: dt.date | None = None) -> PointsScheme:
    """复制上年方案: a new scheme of the same organization for ``year`` with the same base, caps, bands
    and items. The old scheme, its entries and its ratings are not touched."""
    today = _today(today)
    scheme = PointsScheme.objects.select_related("org").get(pk=scheme.pk)
    _check_writable(actor, scheme.org)
    errors = FieldErrors()
    _year(errors, year, today)
    if year == scheme.year:
        errors.add("year", COPY_SAME_YEAR)
    elif PointsScheme.objects.filter(org=scheme.org, year=year).exists():
        errors.add("year", SCHEME_EXISTS.format(org=scheme.org.name, year=year))
    errors.raise_if_any()
    new = PointsScheme.objects.create(
        org=scheme.org, county=scheme.county, year=year, name=scheme.name, template=scheme.template,
        base_points=scheme.base_points, total_cap=scheme.total_cap, carry_over_percent=scheme.carry_over_percent,
        bands=list(scheme.bands), copied_from=scheme, created_by=actor,
    )  # fmt: skip
    PointsItem.objects.bulk_create([
        PointsItem(scheme=new, name=i.name, kind=i.kind, points=i.points, yearly_cap=i.yearly_cap,
                   evidence_required=i.evidence_required, source=i.source, meeting_kinds=i.meeting_kinds,
                   beyond_total_cap=i.beyond_total_cap, position=i.position)
        for i in scheme.items.all()
    ])  # fmt: skip
    audit_record(actor=actor, action="points.scheme.copy", org=scheme.org, target=new,
                 changes={"year": [scheme.year, year], "copied_from": [None, scheme.pk]})
    return new


@transaction.atomic
def item_add(*, actor: User, scheme: PointsScheme, item: ItemIn) -> PointsItem:
    scheme = PointsScheme.objects.select_related("org").get(pk=scheme.pk)
    _check_writable(actor, scheme.org)
    errors = FieldErrors()
    cleaned = _validate_item(errors, item)
    errors.raise_if_any()
    position = (scheme.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    obj = PointsItem.objects.create(scheme=scheme, position=position, **cleaned)
    audit_record(actor=actor, action="points.item.add", org=scheme.org, target=obj,
                 changes={k: [None, str(v) if isinstance(v, Decimal) else v] for k, v in cleaned.items()})
    return obj


@transaction.atomic
def item_update(*, actor: User, item: PointsItem, name: str, points: object, yearly_cap: object,
                evidence_required: bool) -> PointsItem:
    """Name, per-occurrence points, cap and evidence of an item. Kind and source stay (entries already
    recorded under it keep their meaning); entries keep the points they were recorded with."""
    item = PointsItem.objects.select_related("scheme__org").get(pk=item.pk)
    _check_writable(actor, item.scheme.org)
    errors = FieldErrors()
    cleaned = _validate_item(errors, ItemIn(name, item.kind, points, yearly_cap, evidence_required, item.source,
                                            item.meeting_kinds, item.beyond_total_cap))  # fmt: skip
    errors.raise_if_any()
    old = {k: getattr(item, k) for k in ("name", "points", "yearly_cap", "evidence_required")}
    for k in old:
        setattr(item, k, cleaned[k])
    item.save(update_fields=list(old))
    audit_record(actor=actor, action="points.item.update", org=item.scheme.org, target=item,
                 changes={k: [str(v), str(cleaned[k])] for k, v in old.items() if v != cleaned[k]})
    return item


# --- manual entries -------------------------------------------------------------------------------------------


def _inspect_upload(file: File) -> tuple[str | None, str, str, int]:
    """(error or None, sniffed type, name, size): reads only the head and a zip's directory, exactly as
    recruitment.services.document_add does (orglife.rules.check_upload)."""
    name, size, head, zip_names = upload_facts(file)
    message = orglife_rules.check_upload(name=name, size=size, head=head, zip_names=zip_names,
                                         purpose=orglife_rules.ATTACHMENT, max_mb=FILE_MAX_MB)  # fmt: skip
    return message, orglife_rules.sniff_type(head, zip_names) or "", name, size


def _save_evidence(actor: User, entry: PointsEntry, files: Sequence[File], inspected: list[tuple[str, str, int]],
                   ) -> list[PointsEvidence]:
    saved = []
    for f, (kind, name, size) in zip(files, inspected, strict=True):
        ev = PointsEvidence(entry=entry, county=entry.county, original_name=name[:200], size=size, file_type=kind,
                            uploaded_by=actor)  # fmt: skip
        ev.file.save(name, f, save=False)
        ev.save()
        saved.append(ev)
    return saved


@transaction.atomic
def entry_add(*, actor: User, member: Member, item: PointsItem, date: dt.date | None, reason: str,
              quantity: object = 1, evidence: Sequence[File] = (), today: dt.date | None = None) -> PointsEntry:
    """录入积分 (add, deduct or veto) for a member of the actor's subtree, under an item of the scheme that
    applies to the member that year. Awaits approval. Refused with nothing written: an automatic item, a
    date outside the scheme's year or in the future, an entry above the item's cap (or an item already
    at its cap), a missing or forbidden evidence file."""
    today = _today(today)
    member = Member.objects.select_related("org").get(pk=member.pk)
    require_writer(actor)
    if member.org is None or not scope_for(actor).contains_path(member.org.path):
        raise NotPermitted
    item = PointsItem.objects.select_related("scheme__org").get(pk=item.pk)
    scheme = item.scheme
    errors = FieldErrors()
    if member.status not in member_rules.ACTIVE:
        errors.add("member", MEMBER_NOT_ACTIVE.format(name=member.name))
    applicable = queries.scheme_for(member.org, scheme.year)
    if applicable is None or applicable.pk != scheme.pk:
        errors.add("item", ITEM_NOT_IN_SCHEME.format(name=member.name, year=scheme.year,
                                                     scheme=applicable.name if applicable else "无"))
    if item.source != rules.MANUAL:
        errors.add("item", ITEM_AUTOMATIC.format(item=item.name))
    if date is None:
        errors.add("date", DATE_REQUIRED)
    elif date > today:
        errors.add("date", DATE_FUTURE.format(today=today.isoformat()))
    elif date.year != scheme.year:
        errors.add("date", DATE_OUTSIDE_YEAR.format(year=scheme.year))
    reason = _text(errors, reason, f="reason", label="事由", n=500, required=REASON_REQUIRED)
    qty = _number(errors, quantity, f="quantity", label="次数", high=Decimal(1000))
    if qty is not None and qty <= 0:
        errors.add("quantity", QUANTITY_INVALID)
        qty = None
    pts = rules.entry_points(item.kind, item.points, qty or Decimal(1))
    if item.yearly_cap is not None and qty is not None:
        if abs(pts) > item.yearly_cap:
            errors.add("quantity", ENTRY_OVER_CAP.format(points=rules.fmt(abs(pts)), item=item.name,
                                                              cap=rules.fmt(item.yearly_cap)))
        else:
            used = PointsEntry.objects.filter(item=item, member=member, status__in=[rules.PENDING, rules.APPROVED]) \
                .aggregate(s=Sum("points"))["s"] or rules.ZERO  # fmt: skip
            if abs(used) >= item.yearly_cap:
                errors.add("item", ITEM_CAP_REACHED.format(name=member.name, item=item.name, sum=rules.fmt(abs(used)),
                                                           cap=rules.fmt(item.yearly_cap)))
    if (item.evidence_required or item.kind == rules.VETO) and not evidence:
        errors.add("evidence", EVIDENCE_REQUIRED.format(item=item.name))
    inspected = []
    for f in evidence:
        message, kind, name, size = _inspect_upload(f)
        if message:
            errors.add("evidence", message)
        inspected.append((kind, name, size))
    errors.raise_if_any()
    assert date is not None and qty is not None
    entry = PointsEntry.objects.create(
        scheme=scheme, item=item, member=member, org=member.org, county=member.org.county or _county_of(member.org),
        date=date, quantity=qty, points=pts, reason=reason, status=rules.PENDING, entered_by=actor,
    )  # fmt: skip
    files = _save_evidence(actor, entry, evidence, inspected)
    audit_record(actor=actor, action="points.entry.add", org=member.org, target=entry,
                 changes={"member": [None, member.name], "item": [None, item.name], "date": [None, str(date)],
                          "points": [None, str(pts)], "reason": [None, reason],
                          **({"evidence": [None, [f.original_name for f in files]]} if files else {})})  # fmt: skip
    return entry


@transaction.atomic
def entry_decide(*, actor: User, entry: PointsEntry, approve: bool, note: str = "", version: int | None = None,
                 today: dt.date | None = None) -> PointsEntry:
    """审核: approve or reject a pending manual entry. Not by the one who entered it, nor by the member
    whose entry it is; a rejection gives its reason."""
    today = _today(today)
    entry = PointsEntry.objects.select_for_update(of=("self",)).select_related("org", "member", "item").get(pk=entry.pk)
    _check_writable(actor, entry.org)
    if version is not None and version != entry.version:
        raise ConflictError
    errors = FieldErrors()
    if entry.status != rules.PENDING:
        errors.add("__all__", ENTRY_DECIDED.format(status=rules.ENTRY_STATUS_LABELS[entry.status]))
    if not rules.may_decide_entry(decider_id=actor.pk, entered_by_id=entry.entered_by_id):
        errors.add("__all__", SELF_DECIDE)
    if actor.member_id is not None and actor.member_id == entry.member_id:
        errors.add("__all__", OWN_ENTRY)
    note = _text(errors, note, f="note", label="审核意见", n=500, required=None if approve else REJECT_NOTE_REQUIRED)
    errors.raise_if_any()
    entry.status = rules.APPROVED if approve else rules.REJECTED
    entry.decided_by = actor
    entry.decided_on = today
    entry.decision_note = note
    entry.version += 1
    entry.save(update_fields=["status", "decided_by", "decided_on", "decision_note", "version"])
    audit_record(actor=actor, action="points.entry.decide", org=entry.org, target=entry,
                 changes={"status": [rules.ENTRY_STATUS_LABELS[rules.PENDING], rules.ENTRY_STATUS_LABELS[entry.status]],
                          "member": entry.member.name, "item": entry.item.name, "points": str(entry.points)},
                 reason=note)  # fmt: skip
    return entry


# --- automatic credits -----------------------------------------------------------------------------------------

SOURCE_TYPES = {rules.MEETING: rules.SOURCE_ATTENDANCE, rules.DUES: rules.SOURCE_DUES,
                rules.CLASS_HOURS: rules.SOURCE_TRAINING}  # fmt: skip


@dataclass
class CreditResult:
    scheme: PointsScheme
    created: dict[str, int] = field(default_factory=dict)  # item name → entries created
    withdrawn: dict[str, int] = field(default_factory=dict)  # item name → credits whose record no longer earns them
    reinstated: dict[str, int] = field(default_factory=dict)  # item name → withdrawn credits earned again

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _candidates(item: PointsItem, org: Org, start: dt.date, end: dt.date, grace_days: int,
                ) -> list[tuple[int, int, dt.date, Decimal]]:
    """(source id, member id, date, quantity) of the records in the period that earn the item, for the
    branch's active members — each read with one query over indexed (member, date) columns."""
    members = Q(member__org=org, member__status__in=member_rules.ACTIVE)
    if item.source == rules.MEETING:
        qs = Attendance.objects.filter(members, date__gte=start, date__lte=end, status__in=orglife_rules.TOOK_PART)
        kinds = [k for k in item.meeting_kinds.split(",") if k]
        if kinds:
            qs = qs.filter(meeting__kind__in=kinds)
        return [(pk, mid, d, Decimal(1)) for pk, mid, d in qs.values_list("pk", "member_id", "date")]
    if item.source == rules.DUES:
        rows = DuesEntry.objects.filter(members, month__gte=start, month__lte=end, paid_on__isnull=False).values_list(
            "pk", "member_id", "month", "paid_on", "paid_amount", "due_amount")
        return [(pk, mid, month, Decimal(1)) for pk, mid, month, paid_on, paid, due in rows
                if rules.dues_on_time(month=month, paid_on=paid_on, paid=paid, due=due, grace_days=grace_days)]
    qs2 = TrainingAttendance.objects.filter(members, date__gte=start, date__lte=end, class_hours__gt=0)
    return [(pk, mid, d, h) for pk, mid, d, h in qs2.values_list("pk", "member_id", "date", "class_hours")]


WITHDRAWN_NOTE = "来源记录已更正或删除，不再计分（{today}重新按记录计分时撤销）"


def _still_earning(item: PointsItem, ids: set[int], grace_days: int) -> set[int]:
    """Of the source records ``ids`` credited under ``item``, those that still exist and still earn it
    (whoever the member is now: a member who moved branch keeps what they earned before)."""
    if item.source == rules.MEETING:
        qs = Attendance.objects.filter(pk__in=ids, status__in=orglife_rules.TOOK_PART)
        kinds = [k for k in item.meeting_kinds.split(",") if k]
        if kinds:
            qs = qs.filter(meeting__kind__in=kinds)
        return set(qs.values_list("pk", flat=True))
    if item.source == rules.DUES:
        rows = DuesEntry.objects.filter(pk__in=ids).values_list("pk", "month", "paid_on", "paid_amount", "due_amount")
        return {pk for pk, month, paid_on, paid, due in rows
                if rules.dues_on_time(month=month, paid_on=paid_on, paid=paid, due=due, grace_days=grace_days)}
    return set(TrainingAttendance.objects.filter(pk__in=ids, class_hours__gt=0).values_list("pk", flat=True))


def _reconcile(item: PointsItem, stype: str, org: Org, start: dt.date, end: dt.date, grace_days: int,
               candidates: set[int], today: dt.date) -> tuple[list[int], int]:
    """The credit follows its record. A record corrected after it was credited — an attendance changed
    from present to excused, a month's payment date corrected to a late one, a meeting edited (orglife
    replaces its attendance rows, so the old row is gone and the new one would be credited again) — has
    its credit withdrawn (kept as 未通过 with the reason, so the history stays traceable); a withdrawn
    credit whose record earns it again is restored. Returns (withdrawn entry ids, restored count)."""
    mine = Q(org=org) | Q(member__org=org)
    approved = dict(PointsEntry.objects.filter(mine, item=item, source_type=stype, status=rules.APPROVED,
                                               date__gte=start, date__lte=end).values_list("pk", "source_id"))  # fmt: skip
    earning = _still_earning(item, {s for s in approved.values() if s is not None}, grace_days)
    withdrawn = [pk for pk, src in approved.items() if src not in earning]
    if withdrawn:
        PointsEntry.objects.filter(pk__in=withdrawn).update(
            status=rules.REJECTED, decided_on=today, decision_note=WITHDRAWN_NOTE.format(today=today),
            version=F("version") + 1)  # fmt: skip
    reinstated = PointsEntry.objects.filter(item=item, source_type=stype, status=rules.REJECTED,
                                            source_id__in=candidates) \
        .update(status=rules.APPROVED, decided_on=today, decision_note="按记录自动计分（来源记录已更正，恢复计分）",
                version=F("version") + 1)  # fmt: skip
    return withdrawn, reinstated


@transaction.atomic
def credit_quarter(*, actor: User, org: Org, year: int, quarter: int, today: dt.date | None = None) -> CreditResult:
    """按记录自动计分 for one branch and quarter: one approved entry per attendance at organizational life,
    per month of dues paid in full on time, per training attended (points × class hours), each linked to
    its record. Idempotent: a record already credited under an item is skipped, so running it again (or
    after late records are entered) adds only what is new; a credit whose record was corrected since (or
    replaced, as editing a meeting replaces its attendance rows) is withdrawn, and restored if the record
    earns it again (``_reconcile``). The period ends today in a running quarter."""
    today = _today(today)
    _check_writable(actor, org)
    errors = FieldErrors()
    _check_branch(errors, org)
    start = end = None
    if not 1 <= quarter <= 4:
        errors.add("quarter", QUARTER_INVALID)
    else:
        start, end = rules.quarter_range(year, quarter)
        if start > today:
            errors.add("quarter", QUARTER_NOT_STARTED.format(year=year, quarter=quarter))
    scheme = queries.scheme_for(org, year)
    if scheme is None:
        errors.add("__all__", NO_SCHEME.format(org=org.name, year=year))
    errors.raise_if_any()
    assert scheme is not None and start is not None and end is not None
    end = min(end, today)
    grace = params.value(params.DUES_GRACE_DAYS)
    county = org.county or _county_of(org)
    result = CreditResult(scheme)
    for item in scheme.items.filter(source__in=rules.AUTO_SOURCES).order_by("position", "pk"):
        stype = SOURCE_TYPES[item.source]
        cands = _candidates(item, org, start, end, grace)
        withdrawn_ids, reinstated = _reconcile(item, stype, org, start, end, grace, {c[0] for c in cands}, today)
        if withdrawn_ids:
            result.withdrawn[item.name] = len(withdrawn_ids)
        if reinstated:
            result.reinstated[item.name] = reinstated
        done = set(PointsEntry.objects.filter(item=item, source_type=stype, source_id__in=[c[0] for c in cands])
                   .values_list("source_id", flat=True))  # fmt: skip
        new = [PointsEntry(scheme=scheme, item=item, member_id=mid, org=org, county=county, date=d, quantity=q,
                           points=rules.entry_points(item.kind, item.points, q), status=rules.APPROVED,
                           source_type=stype, source_id=pk, entered_by=actor, decided_on=today,
                           decision_note="按记录自动计分")
               for pk, mid, d, q in cands if pk not in done]  # fmt: skip
        PointsEntry.objects.bulk_create(new, batch_size=500)
        result.created[item.name] = len(new)
    audit_record(actor=actor, action="points.credit.quarter", org=org, target=scheme,
                 changes={"period": [None, f"{year}年第{quarter}季度（至{end}）"], "created": [None, result.created],
                          **({"withdrawn": [None, result.withdrawn]} if result.withdrawn else {}),
                          **({"reinstated": [None, result.reinstated]} if result.reinstated else {})})  # fmt: skip
    return result


# --- quarterly posting and objections -----------------------------------------------------------------------


@transaction.atomic
def posting_publish(*, actor: User, org: Org, year: int, quarter: int, today: dt.date | None = None) -> Posting:
    """季度公示: the branch's members' scores up to the quarter's end, as a snapshot; members may object
    within the notice period (``points.objection_days``, default 5 days from the day of posting)."""
    today = _today(today)
    _check_writable(actor, org)
    errors = FieldErrors()
    _check_branch(errors, org)
    end = None
    if not 1 <= quarter <= 4:
        errors.add("quarter", QUARTER_INVALID)
    else:
        end = rules.quarter_range(year, quarter)[1]
        if end > today:
            errors.add("quarter", QUARTER_NOT_ENDED.format(year=year, quarter=quarter, end=end))
    existing = Posting.objects.filter(org=org, year=year, quarter=quarter).first()
    if existing is not None:
        errors.add("quarter", POSTING_EXISTS.format(org=org.name, year=year, quarter=quarter, date=existing.posted_on))
    scheme = queries.scheme_for(org, year)
    if scheme is None:
        errors.add("__all__", NO_SCHEME.format(org=org.name, year=year))
    errors.raise_if_any()
    assert scheme is not None
    totals = queries.totals_for(scheme, queries.branch_members(org), year, upto=end)
    posting = Posting.objects.create(
        org=org, county=org.county or _county_of(org), year=year, quarter=quarter, posted_on=today,
        ends_on=rules.objection_deadline(today, params.value(params.OBJECTION_DAYS)),
        rows=[t.as_row() for t in totals], posted_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="points.posting.publish", org=org, target=posting,
                 changes={"period": [None, f"{year}年第{quarter}季度"], "members": [None, len(totals)],
                          "ends_on": [None, str(posting.ends_on)]})  # fmt: skip
    return posting


@transaction.atomic
def objection_file(*, actor: User, posting: Posting, member: Member, reason: str, entry: PointsEntry | None = None,
                   today: dt.date | None = None) -> Objection:
    """异议: a member objects to their own posted score within the notice period (a branch user may record
    an objection a member brought in person). ``entry``: the entry objected to, if one."""
    today = _today(today)
    posting = Posting.objects.select_related("org").get(pk=posting.pk)
    if actor.role == Role.MEMBER:
        if actor.member_id is None or actor.member_id != member.pk:
            raise NotPermitted
    else:
        _check_writable(actor, posting.org)
    errors = FieldErrors()
    if today < posting.posted_on:
        errors.add("__all__", POSTING_NOT_OPEN.format(date=posting.posted_on))
    elif today > posting.ends_on:
        errors.add("__all__", POSTING_CLOSED.format(date=posting.ends_on))
    if not any(r.get("member_id") == member.pk for r in posting.rows):
        errors.add("member", NOT_IN_POSTING.format(name=member.name))
    if entry is not None:
        end = rules.quarter_range(posting.year, posting.quarter)[1]
        if entry.member_id != member.pk or entry.date.year != posting.year or entry.date > end:
            errors.add("entry", OBJECTION_ENTRY.format(name=member.name))
    reason = _text(errors, reason, f="reason", label="异议理由", n=500, required=REASON_REQUIRED)
    errors.raise_if_any()
    obj = Objection.objects.create(posting=posting, member=member, entry=entry, county=posting.county, reason=reason,
                                   filed_on=today, filed_by=actor)  # fmt: skip
    audit_record(actor=actor, action="points.objection.file", org=posting.org, target=obj,
                 changes={"member": [None, member.name], "entry": [None, str(entry) if entry else None]}, reason=reason)
    return obj


@transaction.atomic
def objection_handle(*, actor: User, objection: Objection, upheld: bool, response: str,
                     corrected_points: object = None, today: dt.date | None = None) -> Objection:
    """处理异议: upheld → the entry named is corrected to ``corrected_points`` (a veto entry objected to
    successfully is set aside), audited with the old and new value; rejected → with the reason."""
    today = _today(today)
    objection = Objection.objects.select_for_update(of=("self",)).select_related("posting__org", "entry__item", "member") \
        .get(pk=objection.pk)  # fmt: skip
    _check_writable(actor, objection.posting.org)
    errors = FieldErrors()
    if objection.status != rules.OPEN:
        errors.add("__all__", OBJECTION_HANDLED.format(status=rules.OBJECTION_STATUS_LABELS[objection.status]))
    # A secretary who is also a member of the branch would otherwise decide (and correct) their own score:
    # the same conflict entry_decide refuses (OWN_ENTRY).
    if actor.member_id is not None and actor.member_id == objection.member_id:
        errors.add("__all__", OWN_OBJECTION)
    response = _text(errors, response, f="response", label="处理意见", n=500, required=RESPONSE_REQUIRED)
    entry = objection.entry
    new_points: Decimal | None = None
    if upheld and entry is not None and entry.item.kind != rules.VETO:
        if corrected_points in (None, ""):
            errors.add("corrected_points", CORRECTED_REQUIRED)
        else:
            try:
                new_points = rules.round1(Decimal(str(corrected_points)))
            except (InvalidOperation, ValueError):
                errors.add("corrected_points", CORRECTED_REQUIRED)
            else:
                kind = entry.item.kind
                if (kind == rules.ADD and new_points < 0) or (kind == rules.DEDUCT and new_points > 0):
                    errors.add("corrected_points", CORRECTED_SIGN.format(
                        item=entry.item.name, kind=rules.KIND_LABELS[kind], sign="正数或0" if kind == rules.ADD else "负数或0"))
                elif entry.item.yearly_cap is not None and abs(new_points) > entry.item.yearly_cap:
                    errors.add("corrected_points", ENTRY_OVER_CAP.format(points=rules.fmt(abs(new_points)),
                                                                          item=entry.item.name,
                                                                          cap=rules.fmt(entry.item.yearly_cap)))
    elif upheld and entry is None and corrected_points not in (None, ""):
        errors.add("corrected_points", CORRECTED_NO_ENTRY)
    errors.raise_if_any()
    objection.status = rules.UPHELD if upheld else rules.DISMISSED
    objection.response = response
    objection.handled_by = actor
    objection.handled_on = today
    objection.corrected_points = new_points
    objection.save(update_fields=["status", "response", "handled_by", "handled_on", "corrected_points"])
    if upheld and entry is not None:
        locked = PointsEntry.objects.select_for_update().get(pk=entry.pk)
        old_points, old_status = locked.points, locked.status
        if entry.item.kind == rules.VETO:
            locked.status = rules.REJECTED
        else:
            assert new_points is not None
            locked.points = new_points
        locked.decision_note = f"异议成立（{today}）：{response}"[:500]
        locked.version += 1
        locked.save(update_fields=["points", "status", "decision_note", "version"])
        audit_record(actor=actor, action="points.entry.correct", org=locked.org, target=locked,
                     changes={"points": [str(old_points), str(locked.points)],
                              "status": [rules.ENTRY_STATUS_LABELS[old_status], rules.ENTRY_STATUS_LABELS[locked.status]],
                              "objection": objection.pk}, reason=response)  # fmt: skip
    audit_record(actor=actor, action="points.objection.handle", org=objection.posting.org, target=objection,
                 changes={"status": [rules.OBJECTION_STATUS_LABELS[rules.OPEN],
                                     rules.OBJECTION_STATUS_LABELS[objection.status]],
                          "corrected_points": [None, str(new_points) if new_points is not None else None]},
                 reason=response)  # fmt: skip
    return objection


# --- year-end member stars ---------------------------------------------------------------------------------------


@transaction.atomic
def ratings_finalize(*, actor: User, org: Org, year: int, today: dt.date | None = None) -> list[MemberRating]:
    """年终评星定级 of a branch's members: each one's total (base + approved entries within caps; veto → 0)
    and stars by the scheme's bands, stored as the year's result (rating again replaces it, audited)."""
    today = _today(today)
    _check_writable(actor, org)
    errors = FieldErrors()
    _check_branch(errors, org)
    _year(errors, year, today)
    if (year, 12) > (today.year, today.month):
        errors.add("year", RATING_TOO_EARLY.format(year=year))
    scheme = queries.scheme_for(org, year)
    if scheme is None:
        errors.add("__all__", NO_SCHEME.format(org=org.name, year=year))
    members = queries.branch_members(org)
    if not members:
        errors.add("__all__", NO_MEMBERS.format(org=org.name))
    errors.raise_if_any()
    assert scheme is not None
    totals = queries.totals_for(scheme, members, year)
    old = dict(MemberRating.objects.filter(member_id__in=[m for m, _ in members], year=year)
               .values_list("member_id", "stars"))  # fmt: skip
    MemberRating.objects.filter(member_id__in=[m for m, _ in members], year=year).delete()
    county = org.county or _county_of(org)
    rows = MemberRating.objects.bulk_create([
        MemberRating(member_id=t.member_id, scheme=scheme, org=org, county=county, year=year, base=t.base,
                     adds=t.total.adds, deducts=t.total.deducts, total=t.total.total, vetoed=t.total.vetoed,
                     stars=t.stars, rated_on=today, rated_by=actor)
        for t in totals
    ])  # fmt: skip
    names = dict(members)
    # Rating again replaces the snapshot: the audit event keeps what it replaced.
    audit_record(actor=actor, action="points.rating.finalize", org=org, target=scheme,
                 changes={"year": [None, year],
                          "stars": [{names.get(m, str(m)): rules.STAR_LABELS[st] for m, st in old.items()} or None,
                                    {t.name: rules.STAR_LABELS[t.stars] for t in totals}]})  # fmt: skip
    return rows


# --- branch star ratings (E6.5) --------------------------------------------------------------------------------


@transaction.atomic
def branch_rating_open(*, actor: User, org: Org, rater: Org, year: int, today: dt.date | None = None) -> BranchRating:
    """建立党组织评星定级: ``rater`` (a committee strictly above ``org``, in the actor's subtree) rates the
    branch ``org`` for ``year``; starts at 100 with the bands in force now (kept with the rating)."""
    today = _today(today)
    _check_writable(actor, rater)
    errors = FieldErrors()
    _check_branch(errors, org)
    if not (org.path.startswith(rater.path) and org.path != rater.path):
        errors.add("rater", RATER_NOT_ABOVE.format(org=org.name))
    _year(errors, year, today)
    if BranchRating.objects.filter(org=org, year=year).exists():
        errors.add("year", RATING_EXISTS.format(org=org.name, year=year))
    errors.raise_if_any()
    rating = BranchRating.objects.create(org=org, rater=rater, county=org.county or _county_of(org), year=year,
                                         bands=params.branch_bands(), created_by=actor)  # fmt: skip
    audit_record(actor=actor, action="points.brating.open", org=org, target=rating,
                 changes={"year": [None, year], "rater": [None, rater.name], "bands": [None, rating.bands]})
    return rating


def _check_rater(actor: User, rating: BranchRating) -> None:
    # The rated branch's own users see the rating but may not score themselves.
    _check_writable(actor, rating.rater)


@transaction.atomic
def branch_rating_line_add(*, actor: User, rating: BranchRating, category: str, indicator: str, points: object,
                           reason: str, date: dt.date | None, today: dt.date | None = None) -> BranchRatingLine:
    today = _today(today)
    rating = BranchRating.objects.select_related("org", "rater").get(pk=rating.pk)
    _check_rater(actor, rating)
    errors = FieldErrors()
    if rating.status != rules.RATING_OPEN:
        errors.add("__all__", RATING_FINAL)
    if category not in rules.BRANCH_CATEGORIES:
        errors.add("category", CATEGORY_INVALID)
    indicator = _text(errors, indicator, f="indicator", label="指标", n=200, required=INDICATOR_REQUIRED)
    reason = _text(errors, reason, f="reason", label="事由", n=500, required=REASON_REQUIRED)
    value = None
    try:
        value = Decimal(str(points))
        if not value.is_finite() or value == 0 or abs(value) > 100 or value != value.quantize(rules.TENTH):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add("points", BRANCH_POINTS_INVALID)
    if date is None:
        errors.add("date", DATE_REQUIRED)
    elif date > today:
        errors.add("date", DATE_FUTURE.format(today=today.isoformat()))
    elif date.year != rating.year:
        errors.add("date", DATE_OUTSIDE_RATING.format(year=rating.year))
    errors.raise_if_any()
    assert date is not None
    line = BranchRatingLine.objects.create(rating=rating, category=category, indicator=indicator, points=value,
                                           reason=reason, date=date, recorded_by=actor)  # fmt: skip
    audit_record(actor=actor, action="points.brating.line", org=rating.org, target=rating,
                 changes={"line": [None, f"{rules.BRANCH_CATEGORIES[category]}·{indicator}：{value}"]}, reason=reason)
    return line


@transaction.atomic
def branch_rating_finalize(*, actor: User, rating: BranchRating, today: dt.date | None = None) -> BranchRating:
    """定级: score = 100 + every line (may exceed 100), stars by the rating's bands."""
    today = _today(today)
    rating = BranchRating.objects.select_for_update(of=("self",)).select_related("org", "rater").get(pk=rating.pk)
    _check_rater(actor, rating)
    errors = FieldErrors()
    if rating.status != rules.RATING_OPEN:
        errors.add("__all__", RATING_FINAL)
    errors.raise_if_any()
    score = rules.branch_score(rating.lines.values_list("points", flat=True))
    rating.score = score
    rating.stars = rules.stars_for(score, queries.bands_of(rating.bands))
    rating.status = rules.RATING_FINAL
    rating.rated_on = today
    rating.version += 1
    rating.save(update_fields=["score", "stars", "status", "rated_on", "version"])
    audit_record(actor=actor, action="points.brating.finalize", org=rating.org, target=rating,
                 changes={"score": [None, str(score)], "stars": [None, rules.STAR_LABELS[rating.stars]]})
    return rating

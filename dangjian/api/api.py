"""The JSON API (django-ninja) under /api/. Thin: every read goes through a selector and every write
through a service — the same ones the pages use — so scope, rules and audit are theirs, not the API's.

Answers: anything outside the caller's subtree, or a write by a read-only role, is 404 (as if it did
not exist); bad input is 422 ``{"detail", "errors": {field: [中文信息]}}``; a stale ``version`` is 409;
no valid token or session is 401.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer

from dangjian.accounts.models import Role, User
from dangjian.accounts.selectors import scope_for
from dangjian.api import schemas as s
from dangjian.api.auth import require_api_user, session_auth, token_auth, unauthenticated_response
from dangjian.common.errors import CONFLICT, ConflictError, NotPermitted, ServiceError, fields_renamed
from dangjian.members import codes
from dangjian.members import rules as member_rules
from dangjian.members import selectors as member_selectors
from dangjian.members import services as member_services
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs import rules as org_rules
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Division, Org, OrgCategory, OrgEvent, OrgType, Unit, UnitSituation

NOT_FOUND = "未找到：该记录不存在，或不在您管理的范围内。"
BAD_REQUEST = "请求内容无法解析：请发送有效的 JSON（Content-Type: application/json）。"
NOTHING_TO_CHANGE = "没有要修改的内容。"
MUST_NOT_BE_NULL = "此项不能为空。"
DIVISION_UNKNOWN = "行政区划不存在。"
STATUS_UNKNOWN = "“{value}”不是有效的党籍状态；可选：{choices}，或 all（全部）。"

ORG_TYPE_LABELS = dict(OrgType.choices)
ORG_CATEGORY_LABELS = dict(OrgCategory.choices)
UNIT_SITUATION_LABELS = dict(UnitSituation.choices)
UNIT_NATURE_LABELS = dict(Unit.NATURE_CHOICES)
ROLE_LABELS = dict(Role.choices)
# Fields an edit may set to null; every other field needs a value when it is sent.
NULLABLE_ORG_FIELDS = {"division_id", "approving_org_id", "term_started_on", "term_years"}

DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with the Chinese as written, not \\u escapes: readable in logs and by hand."""

    json_dumps_params = {"ensure_ascii": False}


class OfflineSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by this project (api.urls), never from a
    CDN: government intranets are offline. The validator badge (an external image) is switched off."""

    settings = {"layout": "BaseLayout", "deepLinking": True, "validatorUrl": None}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        assets = {name.replace("-", "_").replace(".", "_"): reverse("api_docs_asset", args=[name]) for name in DOCS_ASSETS}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": swagger_settings, "assets": assets})


api = NinjaAPI(
    title="党建工作平台 API",
    version="1",
    description=(
        "党建工作平台的 JSON 接口，与页面使用同一套查询与业务规则。认证：`Authorization: Bearer <令牌>`"
        "（令牌由 `dangjian issue_token <用户名>` 签发），或已登录页面的会话（修改类请求须带 X-CSRFToken）。"
        "超出您管理范围或不存在的记录一律返回 404；只读角色（督查员、党员）的修改请求也返回 404。"
        "输入有误返回 422 和按字段列出的中文错误信息；记录已被他人修改返回 409。日期格式为 YYYY-MM-DD。"
    ),
    urls_namespace="api",
    auth=[token_auth, session_auth],
    renderer=ChineseJSONRenderer(),
    docs=OfflineSwagger(),
    docs_url="/docs",
    docs_decorator=require_api_user,
)

READ_ERRORS: dict[int, Any] = {401: s.ErrorOut, 404: s.ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: s.ErrorOut, 409: s.ConflictOut, 422: s.ValidationErrorOut}


# --- errors -----------------------------------------------------------------------------------------
def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


def _unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    return unauthenticated_response()


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    detail = BAD_REQUEST if exc.status_code == 400 else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def _service_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "errors": exc.errors}, status=422)


def _conflict(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, {"detail": CONFLICT, "errors": exc.errors}, status=409)


def _schema_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "此项为必填项。"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日期格式应为 YYYY-MM-DD，且须是有效日期。"
    if kind.startswith("int") or kind == "float_parsing":
        return "应为整数。"
    if kind.startswith("bool"):
        return "应为 true 或 false。"
    if kind == "string_too_long":
        return f"最多{ctx.get('max_length')}个字符。"
    if kind == "string_too_short":
        return MUST_NOT_BE_NULL
    if kind == "string_type":
        return "应为文字。"
    if kind == "greater_than_equal":
        return f"不能小于{ctx.get('ge')}。"
    if kind == "less_than_equal":
        return f"不能大于{ctx.get('le')}。"
    if kind in ("literal_error", "enum"):
        return f"不是有效的选项；可选：{ctx.get('expected', '')}。"
    if kind == "extra_forbidden":
        return "不认识的字段。"
    if kind == "json_invalid":
        return "请求内容不是有效的 JSON。"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "请求内容应为 JSON 对象。"
    return "输入无效。"


def _schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
    """Ninja's (English, pydantic) validation errors in the same shape and language as ServiceError."""
    if any(err.get("loc", ("",))[0] == "path" for err in exc.errors):
        return _not_found(request, exc)  # /api/orgs/abc: no such record, like any unknown id
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())][1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "__all__", []).append(_schema_message(err))
    detail = "；".join(f"{k}：{m}" for k, msgs in errors.items() for m in msgs)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(NotPermitted, _not_found)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(ServiceError, _service_error)
api.add_exception_handler(ConflictError, _conflict)
api.add_exception_handler(ValidationError, _schema_error)


# --- building answers -------------------------------------------------------------------------------
def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _ref(actor: User, org: Org | None) -> s.OrgRef | None:
    """An organization named on a record: its id only if the caller may open it."""
    if org is None:
        return None
    visible = scope_for(actor).contains_path(org.path)
    return s.OrgRef(id=org.pk if visible else None, name=org.name)


def _division(d: Division | None) -> s.DivisionOut | None:
    return s.DivisionOut(id=d.pk, code=d.code, name=d.name, level=d.level) if d else None


def _org_brief(org: Org) -> s.OrgBrief:
    return s.OrgBrief(**_org_brief_fields(org))


def _org_brief_fields(org: Org) -> dict[str, Any]:
    return dict(
        id=org.pk, name=org.name, short_name=org.short_name, code=org.code, org_type=org.org_type,
        org_type_label=ORG_TYPE_LABELS.get(org.org_type, org.org_type), category=org.category,
        category_label=ORG_CATEGORY_LABELS.get(org.category, org.category), depth=org.depth,
        child_count=org.numchild, is_active=org.is_active, dissolved_on=org.dissolved_on,
    )


def _org_detail(actor: User, org: Org) -> s.OrgDetail:
    findings = org_selectors.structure_findings(actor, [org]).get(org.pk, [])
    parent = Org.objects.get_parent(org)
    units = [
        s.UnitOut(
            id=u.pk, name=u.name, credit_code=u.credit_code, nature=u.nature,
            nature_label=UNIT_NATURE_LABELS.get(u.nature, u.nature), org_building=u.org_building,
            employees=u.employees, division=_division(u.division), address=u.address, supervisor=u.supervisor,
        )
        for u in org.units.select_related("division").order_by("pk")
    ]
    return s.OrgDetail(
        **_org_brief_fields(org),
        stats_name=org.stats_name,
        unit_situation=org.unit_situation,
        unit_situation_label=UNIT_SITUATION_LABELS.get(org.unit_situation, org.unit_situation),
        units=units,
        division=_division(org.division),
        approving_org=_ref(actor, org.approving_org),
        parent=_ref(actor, parent),
        ancestors=[r for r in (_ref(actor, a) for a in org_selectors.ancestors(actor, org)) if r is not None],
        established_on=org.established_on,
        secretary_name=org.secretary_name,
        contact_name=org.contact_name,
        contact_phone=org.contact_phone,
        can_approve_probationary=org.can_approve_probationary,
        is_functional=org.is_functional,
        is_new_business=org.is_new_business,
        committee_size=org.committee_size,
        term_started_on=org.term_started_on,
        term_years=org.term_years,
        term_ends_on=org_rules.term_ends_on(org.term_started_on, org.term_years),
        version=org.version,
        findings=[
            s.FindingOut(code=f.code, name=f.name, message=f.message, article=f.article, level=f.level) for f in findings
        ],
    )


def _person_fields(m: Member, on: dt.date) -> dict[str, Any]:
    return dict(
        id=m.pk, name=m.name, sex=m.sex, sex_label=codes.label(codes.SEX, m.sex),
        id_number_masked=m.id_number_masked, birth_year=m.birth_date.year, age=member_rules.age_on(m.birth_date, on),
        phone_masked=m.phone_masked, joined_on=m.joined_on,
    )


def _member_brief_fields(actor: User, m: Member, today: dt.date | None = None) -> dict[str, Any]:
    return dict(
        **_person_fields(m, today or timezone.localdate()), org=_ref(actor, m.org),
        status=m.status, status_label=member_rules.STATUS_LABELS.get(m.status, m.status),
        converted_on=m.converted_on, is_mobile=m.is_mobile, is_lost_contact=m.is_lost_contact,
    )


def _member_brief(actor: User, m: Member) -> s.MemberBrief:
    return s.MemberBrief(**_member_brief_fields(actor, m))


def _roster_brief(actor: User, m: Any, as_of: dt.date) -> s.MemberBrief:
    """A row of a roster as of a date: only that date's snapshot (roster_as_of's annotations). The
    member may since have left the caller's scope; their current organization and state must not
    show, and would be wrong for the date anyway."""
    status = m.status_at
    converted_on = m.converted_on if m.converted_on and m.converted_on <= as_of else None
    return s.MemberBrief(**{
        **_person_fields(m, as_of),
        "org": s.OrgRef(id=m.org_at_id if scope_for(actor).contains_path(m.org_at_path or "") else None,
                        name=m.org_at_name or "") if m.org_at_id else None,
        "status": status,
        "status_label": member_rules.STATUS_LABELS.get(status, status), "converted_on": converted_on,
        "is_mobile": bool(m.mobile_at), "is_lost_contact": bool(m.lost_at),
        "status_as_of": status, "org_as_of": m.org_at_id,
    })  # fmt: skip


def _member_detail(actor: User, m: Member, today: dt.date | None = None) -> s.MemberDetail:
    today = today or timezone.localdate()
    return s.MemberDetail(
        **_member_brief_fields(actor, m, today),
        ethnicity=m.ethnicity,
        ethnicity_label=codes.label(codes.ETHNICITY, m.ethnicity),
        education=m.education,
        education_label=codes.label(codes.EDUCATION, m.education),
        degree=m.degree,
        degree_label=codes.label(codes.DEGREE, m.degree),
        personnel_category=m.personnel_category,
        personnel_category_label=codes.label(codes.PERSONNEL_CATEGORY, m.personnel_category),
        party_age=member_rules.party_age(converted_on=m.converted_on, as_of=today, correction=m.party_age_correction),
        party_age_correction=m.party_age_correction,
        new_social_stratum=m.new_social_stratum,
        new_social_stratum_label=codes.label(codes.NEW_SOCIAL_STRATUM, m.new_social_stratum),
        job=m.job,
        professional_title=m.professional_title,
        is_migrant_worker=m.is_migrant_worker,
        registered_residence=m.registered_residence,
        current_residence=m.current_residence,
        probation_ends_on=m.probation_ends_on,
        lost_contact_on=m.lost_contact_on,
        suspended_on=m.suspended_on,
        version=m.version,
    )


def _recorder(user: User | None) -> str:
    return str(user) if user is not None else "系统"


def _membership_event(actor: User, ev: MembershipEvent) -> s.MembershipEventOut:
    return s.MembershipEventOut(
        id=ev.pk, kind=ev.kind, kind_label=member_rules.EVENT_LABELS.get(ev.kind, ev.kind), date=ev.date,
        from_org=_ref(actor, ev.from_org), to_org=_ref(actor, ev.to_org), letter_number=ev.letter_number,
        out_date=ev.out_date, months=ev.months,
        reason=member_rules.REMOVAL_REASONS.get(ev.reason, ev.reason), note=ev.note,
        status_after=ev.status_after, status_after_label=member_rules.STATUS_LABELS.get(ev.status_after, ev.status_after),
        org_after=_ref(actor, ev.org_after), recorded_by=_recorder(ev.recorded_by),
    )


def _org_event(actor: User, ev: OrgEvent) -> s.OrgEventOut:
    return s.OrgEventOut(
        id=ev.pk, kind=ev.kind, kind_label=ev.get_kind_display(), date=ev.date, doc_number=ev.doc_number,
        other_org=_ref(actor, ev.other_org), changes=ev.changes, note=ev.note, recorded_by=_recorder(ev.recorded_by),
    )


T = TypeVar("T")
R = TypeVar("R")


def _paginate(items: QuerySet[Any] | Sequence[T], page: int, build: Callable[[Any], R]) -> dict[str, Any]:
    size = settings.PAGE_SIZE
    count = items.count() if isinstance(items, QuerySet) else len(items)
    page = max(page, 1)
    start = (page - 1) * size
    return {
        "count": count, "page": page, "pages": max(math.ceil(count / size), 1), "page_size": size,
        "items": [build(x) for x in items[start : start + size]],
    }


def _fields(data: dict[str, Any], *, nullable: set[str]) -> dict[str, Any]:
    """Sent fields, with a 422 for a null the record cannot hold (``{"name": null}``)."""
    bad = {k: [MUST_NOT_BE_NULL] for k, v in data.items() if v is None and k not in nullable}
    if bad:
        raise ServiceError(bad)
    return data


def _resolve_org_refs(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Check the ids an organization record points at: a division that exists, an approving
    organization the caller may see (404 otherwise, like any id outside their scope)."""
    if data.get("division_id") is not None and org_selectors.division_get(data["division_id"]) is None:
        raise ServiceError(DIVISION_UNKNOWN, "division_id")
    if data.get("approving_org_id") is not None:
        org_selectors.org_get(actor, data["approving_org_id"])
    return data


# --- me ---------------------------------------------------------------------------------------------
@api.get("/me", response={200: s.MeOut, **READ_ERRORS}, summary="当前用户", tags=["用户"])
def me(request: HttpRequest) -> s.MeOut:
    """当前用户、角色、管理的党组织；党员账号返回本人的党员档案（证件号、手机号已遮盖）。"""
    actor = _actor(request)
    member = member_selectors.member_get(actor, actor.member_id) if actor.member_id else None
    return s.MeOut(
        id=actor.pk, username=actor.username, display_name=actor.display_name, role=actor.role,
        role_label=ROLE_LABELS.get(actor.role, actor.role), can_write=actor.can_write,
        orgs=[_org_brief(o) for o in org_selectors.org_roots(actor)],
        member=_member_brief(actor, member) if member is not None else None,
    )


# --- organizations: reads ---------------------------------------------------------------------------
@api.get("/orgs", response={200: s.OrgPage, **READ_ERRORS}, summary="党组织列表", tags=["党组织"])
def orgs_list(
    request: HttpRequest, parent: int | None = None, q: str = "", include_dissolved: bool = False, page: int = 1
) -> dict[str, Any]:
    """不带参数：您管理范围的顶层党组织；parent：该党组织的直接下级；q：按名称、简称或编码查找
    （有 parent 时只在其下查找）。分页，每页 PAGE_SIZE 条。"""
    actor = _actor(request)
    within = org_selectors.org_get(actor, parent) if parent is not None else None
    items: QuerySet[Org] | list[Org]
    if q.strip():
        items = org_selectors.org_matches(actor, q, within=within)
        if not include_dissolved:
            items = items.filter(dissolved_on__isnull=True)
    elif within is not None:
        items = org_selectors.org_children(actor, within, include_dissolved=include_dissolved)
    else:
        items = org_selectors.org_roots(actor)
    return _paginate(items, page, _org_brief)


@api.get("/orgs/{org_id}", response={200: s.OrgDetail, **READ_ERRORS}, summary="党组织详情", tags=["党组织"])
def org_detail(request: HttpRequest, org_id: int) -> s.OrgDetail:
    """全国党员管理信息系统的党组织信息项，以及组织设置检查（§3.1）发现的问题。"""
    actor = _actor(request)
    return _org_detail(actor, org_selectors.org_get(actor, org_id))


@api.get("/orgs/{org_id}/children", response={200: list[s.OrgBrief], **READ_ERRORS}, summary="下级党组织", tags=["党组织"])
def org_children(request: HttpRequest, org_id: int, include_dissolved: bool = False) -> list[s.OrgBrief]:
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    return [_org_brief(o) for o in org_selectors.org_children(actor, org, include_dissolved=include_dissolved)]


@api.get("/orgs/{org_id}/counts", response={200: s.OrgCountsOut, **READ_ERRORS}, summary="党员统计", tags=["党组织"])
def org_counts(request: HttpRequest, org_id: int) -> s.OrgCountsOut:
    """该党组织及其下级的党员数：按党籍状态、性别、年龄段、学历，以及流动、失联党员数。"""
    actor = _actor(request)
    c = org_selectors.org_counts(actor, org_selectors.org_get(actor, org_id))
    return s.OrgCountsOut(
        total=c.total,
        by_status=c.by_status,
        by_status_label=[s.LabelCount(label=member_rules.STATUS_LABELS[k], count=v) for k, v in c.by_status.items()],
        by_sex=[s.LabelCount(label=k, count=v) for k, v in c.by_sex.items()],
        by_age=[s.LabelCount(label=k, count=v) for k, v in c.by_age],
        by_education=[s.LabelCount(label=k, count=v) for k, v in c.by_education],
        mobile=c.mobile,
        lost_contact=c.lost_contact,
    )


def _status_filter(status: str) -> str:
    if status != "all" and status not in member_rules.STATUS_LABELS:
        choices = "、".join(f"{k}（{v}）" for k, v in member_rules.STATUS_LABELS.items())
        raise ServiceError(STATUS_UNKNOWN.format(value=status, choices=choices), "status")
    return status


@api.get("/orgs/{org_id}/members", response={200: s.MemberPage, **READ_ERRORS}, summary="党员名册", tags=["党组织"])
def org_members(
    request: HttpRequest, org_id: int, as_of: dt.date | None = None, status: str = "", page: int = 1
) -> dict[str, Any]:
    """该党组织及其下级的党员。as_of（YYYY-MM-DD）：该日的花名册，由党员的组织关系事项推算；
    status：党籍状态代码，all 为全部（含已转出、死亡等）；默认为在册党员（正式、预备、停止党籍）。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    if status:
        _status_filter(status)
    qs: QuerySet[Member]
    if as_of is not None:
        qs = member_selectors.roster_as_of(actor, org, as_of)
        if status and status != "all":
            # status_at is roster_as_of's Subquery annotation, which django-stubs cannot see.
            qs = qs.filter(status_at=status)  # type: ignore[misc]
        qs = qs.order_by("org_at_path", "name_pinyin", "pk")
        return _paginate(qs, page, lambda m: _roster_brief(actor, m, as_of))
    else:
        qs = member_selectors.members_in_subtree(actor, org)
        if not status:
            qs = qs.filter(status__in=member_rules.ON_ROSTER)
        elif status != "all":
            qs = qs.filter(status=status)
    qs = qs.select_related("org").order_by("org__path", "name_pinyin", "pk")
    return _paginate(qs, page, lambda m: _member_brief(actor, m))


@api.get("/orgs/{org_id}/events", response={200: list[s.OrgEventOut], **READ_ERRORS}, summary="党组织沿革", tags=["党组织"])
def org_events(request: HttpRequest, org_id: int) -> list[s.OrgEventOut]:
    """成立、更名、调整组织类型、调整隶属关系、合并、撤销，按日期先后。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    return [_org_event(actor, ev) for ev in org_selectors.org_events(actor, org)]


# --- organizations: writes --------------------------------------------------------------------------
@api.post("/orgs", response={201: s.OrgDetail, **WRITE_ERRORS}, summary="成立党组织", tags=["党组织"])
def org_create(request: HttpRequest, payload: s.OrgCreateIn) -> Status[s.OrgDetail]:
    """在 parent 之下成立一个党组织（记录“成立”事项和审计日志）。"""
    actor = _actor(request)
    parent = org_selectors.org_get(actor, payload.parent)
    core = {"parent", "name", "code", "org_type", "established_on", "doc_number"}
    fields = {k: v for k, v in payload.dict(exclude=core).items() if v is not None}
    # The service checks every event date as "date"; in this request it is "established_on".
    with fields_renamed(date="established_on"):
        org = org_services.org_create(
            actor=actor, parent=parent, name=payload.name, code=payload.code.strip(), org_type=payload.org_type,
            established_on=payload.established_on, doc_number=payload.doc_number, **_resolve_org_refs(actor, fields),
        )
    return Status(201, _org_detail(actor, org_selectors.org_get(actor, org.pk)))


@api.patch("/orgs/{org_id}", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="修改党组织信息", tags=["党组织"])
def org_update(request: HttpRequest, org_id: int, payload: s.OrgUpdateIn) -> s.OrgDetail:
    """修改一般信息项；只传要改的字段和读取时的 version。名称、类型、隶属、撤销请用相应事项接口。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if not data:
        raise ServiceError(NOTHING_TO_CHANGE)
    fields = _resolve_org_refs(actor, _fields(data, nullable=NULLABLE_ORG_FIELDS))
    org = org_services.org_update(actor=actor, org=org, version=version, **fields)
    return _org_detail(actor, org_selectors.org_get(actor, org.pk))


@api.post("/orgs/{org_id}/rename", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="更名", tags=["党组织事项"])
def org_rename(request: HttpRequest, org_id: int, payload: s.OrgRenameIn) -> s.OrgDetail:
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    org = org_services.org_rename(
        actor=actor, org=org, name=payload.name, short_name=payload.short_name, date=payload.date,
        doc_number=payload.doc_number,
    )
    return _org_detail(actor, org)


@api.post("/orgs/{org_id}/change-type", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="调整组织类型", tags=["党组织事项"])
def org_change_type(request: HttpRequest, org_id: int, payload: s.OrgChangeTypeIn) -> s.OrgDetail:
    """如党支部升格为党总支或基层党委，或反之。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    org = org_services.org_change_type(
        actor=actor, org=org, org_type=payload.org_type, date=payload.date, doc_number=payload.doc_number
    )
    return _org_detail(actor, org)


@api.post("/orgs/{org_id}/move", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="调整隶属关系", tags=["党组织事项"])
def org_move(request: HttpRequest, org_id: int, payload: s.OrgMoveIn) -> s.OrgDetail:
    """把党组织连同其下级调整到新的上级党组织（parent）之下。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    new_parent = org_selectors.org_get(actor, payload.parent)
    org = org_services.org_move(actor=actor, org=org, new_parent=new_parent, date=payload.date, doc_number=payload.doc_number)
    return _org_detail(actor, org_selectors.org_get(actor, org.pk))


@api.post("/orgs/{org_id}/merge", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="合并", tags=["党组织事项"])
def org_merge(request: HttpRequest, org_id: int, payload: s.OrgMergeIn) -> s.OrgDetail:
    """党员转入 into，下级党组织调整到 into 之下，本党组织撤销——同一天、同一事务办理。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    into = org_selectors.org_get(actor, payload.into)
    org = org_services.org_merge(actor=actor, org=org, into=into, date=payload.date, doc_number=payload.doc_number)
    return _org_detail(actor, org_selectors.org_get(actor, org.pk))


@api.post("/orgs/{org_id}/dissolve", response={200: s.OrgDetail, **WRITE_ERRORS}, summary="撤销", tags=["党组织事项"])
def org_dissolve(request: HttpRequest, org_id: int, payload: s.OrgDissolveIn) -> s.OrgDetail:
    """撤销党组织（须已无党员和未撤销的下级党组织）。党组织从不删除。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    org = org_services.org_dissolve(actor=actor, org=org, date=payload.date, doc_number=payload.doc_number, note=payload.note)
    return _org_detail(actor, org)


# --- members: reads ---------------------------------------------------------------------------------
@api.get("/members", response={200: s.MemberPage, **READ_ERRORS}, summary="查找党员", tags=["党员"])
def members_list(
    request: HttpRequest, q: str = "", org: int | None = None, include_former: bool = False, page: int = 1
) -> dict[str, Any]:
    """按姓名、拼音或拼音首字母、完整的公民身份号码查找；org：限于该党组织及其下级；
    include_former：包括已转出、死亡等不在册的党员。证件号、手机号已遮盖。"""
    actor = _actor(request)
    within = org_selectors.org_get(actor, org) if org is not None else None
    qs = member_selectors.member_search(actor, q, org=within, include_former=include_former).select_related("org")
    return _paginate(qs.order_by(*qs.query.order_by, "pk"), page, lambda m: _member_brief(actor, m))


@api.get("/members/{member_id}", response={200: s.MemberDetail, **READ_ERRORS}, summary="党员详情", tags=["党员"])
def member_detail(request: HttpRequest, member_id: int) -> s.MemberDetail:
    """全国党员信息项。公民身份号码、手机号码只给遮盖后的值；完整值用 reveal 接口查看（记入审计）。"""
    actor = _actor(request)
    return _member_detail(actor, member_selectors.member_get(actor, member_id))


@api.get(
    "/members/{member_id}/timeline", response={200: list[s.MembershipEventOut], **READ_ERRORS}, summary="党员组织关系时间线",
    tags=["党员"],
)
def member_timeline(request: HttpRequest, member_id: int) -> list[s.MembershipEventOut]:
    actor = _actor(request)
    member = member_selectors.member_get(actor, member_id)
    return [_membership_event(actor, ev) for ev in member_selectors.member_timeline(actor, member)]


@api.post("/members/{member_id}/reveal", response={200: s.RevealOut, **WRITE_ERRORS}, summary="查看完整证件号或手机号", tags=["党员"])
def member_reveal(request: HttpRequest, member_id: int, payload: s.RevealIn) -> s.RevealOut:
    """返回完整的公民身份号码或手机号码；每次查看都记入审计日志。"""
    actor = _actor(request)
    member = member_selectors.member_get(actor, member_id)
    value = member_services.member_reveal(actor=actor, member=member, field=payload.field)
    return s.RevealOut(field=payload.field, value=value)


# --- members: writes --------------------------------------------------------------------------------
@api.post("/members", response={201: s.MemberDetail, **WRITE_ERRORS}, summary="新增党员", tags=["党员"])
def member_create(request: HttpRequest, payload: s.MemberCreateIn) -> Status[s.MemberDetail]:
    """新增党员及其第一条组织关系事项：补录、接收为预备党员或从外单位转入。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, payload.org)
    personal = {k: v for k, v in payload.dict(include=set(member_services.PERSONAL_FIELDS)).items() if v is not None}
    member = member_services.member_create(
        actor=actor, org=org, id_number=payload.id_number, phone=payload.phone or "", first_event=payload.first_event,
        date=payload.date, status=payload.status, joined_on=payload.joined_on, converted_on=payload.converted_on,
        letter_number=payload.letter_number, note=payload.note, **personal,
    )
    return Status(201, _member_detail(actor, member_selectors.member_get(actor, member.pk)))


@api.patch("/members/{member_id}", response={200: s.MemberDetail, **WRITE_ERRORS}, summary="修改党员信息", tags=["党员"])
def member_update(request: HttpRequest, member_id: int, payload: s.MemberUpdateIn) -> s.MemberDetail:
    """修改个人信息项；只传要改的字段和读取时的 version。组织关系的变化请用 events 接口。"""
    actor = _actor(request)
    member = member_selectors.member_get(actor, member_id)
    data = _fields(payload.dict(exclude_unset=True), nullable=set())
    version = data.pop("version")
    if not data:
        raise ServiceError(NOTHING_TO_CHANGE)
    member = member_services.member_update(actor=actor, member=member, version=version, **data)
    return _member_detail(actor, member_selectors.member_get(actor, member.pk))


@api.post(
    "/members/{member_id}/events", response={201: s.MemberEventCreated, **WRITE_ERRORS}, summary="录入组织关系事项",
    tags=["党员"],
)
def member_add_event(request: HttpRequest, member_id: int, payload: s.MemberEventIn) -> Status[s.MemberEventCreated]:
    """转正、延长预备期、组织关系转接（to_org、out_date、letter_number）、外出流动、失联、停止党籍、
    恢复党籍、死亡、除名（reason）等。事项按日期插入历史，违反规则的（含与其后事项冲突的）整体拒绝。"""
    actor = _actor(request)
    member = member_selectors.member_get(actor, member_id)
    to_org = org_selectors.org_get(actor, payload.to_org) if payload.to_org is not None else None
    from_org = org_selectors.org_get(actor, payload.from_org) if payload.from_org is not None else None
    # The service names the transfer's target "org"; in this request it is "to_org".
    with fields_renamed(org="to_org"):
        event = member_services.member_add_event(
            actor=actor, member=member, kind=payload.kind, date=payload.date, to_org=to_org, from_org=from_org,
            out_date=payload.out_date, letter_number=payload.letter_number, months=payload.months,
            reason=payload.reason, note=payload.note, version=payload.version,
        )
    member = member_selectors.member_get(actor, member.pk)
    return Status(201, s.MemberEventCreated(event=_membership_event(actor, event), member=_member_detail(actor, member)))


# Routers of the other apps: same API object, so the same auth, error shapes and OpenAPI document.
def _mount_app_routers() -> None:
    from dangjian.assessment.api import router as assessment_router
    from dangjian.dues.api import router as dues_router
    from dangjian.orglife.api import router as orglife_router
    from dangjian.points.api import router as points_router
    from dangjian.recruitment.api import router as recruitment_router
    from dangjian.rectification.api import router as rectification_router
    from dangjian.supervision.api import router as supervision_router

    api.add_router("/dues", dues_router, tags=["党费"])
    api.add_router("/orglife", orglife_router, tags=["组织生活"])
    api.add_router("/recruitment", recruitment_router, tags=["发展党员"])
    api.add_router("/supervision", supervision_router, tags=["督办"])
    api.add_router("/assessment", assessment_router, tags=["考核"])
    api.add_router("/points", points_router, tags=["党员积分与评星"])
    api.add_router("/rectification", rectification_router, tags=["软弱涣散整顿"])


_mount_app_routers()

"""Pages of membership development's plans, registers (花名册) and statistics, each exportable as .xlsx.
Thin, like the other pages: organizations come through ``org_get`` (404 outside the scope), plans
through ``selectors.plan_get``, figures through the selectors (aggregated in SQL), writes through
``services.plan_set``.

Exports: ID numbers and phones are masked unless the user asks for the full values (``full=1``); such
an export is ``services.register_export``, which writes its audit event in the same transaction as the
file is built (as ``ledgers.services.export_roster`` does), so a failed export leaves no audit row behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.common.errors import ServiceError
from dangjian.members import codes
from dangjian.members.rules import age_on
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.recruitment import selectors, services
from dangjian.recruitment.models import DevelopmentPlan, DevelopmentRecord
from dangjian.recruitment.sheets import Sheet
from dangjian.web.forms import OrgChoiceField, StyledForm
from dangjian.web.views import _user, org_role_required, writer_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_PAGE_SIZE = 50
KINDS = [(k, title) for k, (_, title) in selectors.REGISTERS.items()]
PLAN_SAVED = "已下达{org}{year}年发展党员计划：{quota}名。"
NO_ORGS = "您的账号没有管理的党组织。"


def _xlsx_response(content: bytes, name: str, ascii_name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return resp


def _first_root(user: User) -> Org | None:
    roots = org_selectors.org_roots(user)
    return roots[0] if roots else None


class OrgPickForm(StyledForm):
    """Choosing the organization of a register or a statistics page: a search among those in scope."""

    org = OrgChoiceField(label="党组织")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, OrgChoiceField)
        field.set_queryset(org_selectors.orgs_visible(user))


def _picked(request: HttpRequest, name: str) -> HttpResponse | None:
    """The landing pages: an organization chosen in the picker (in scope, else the form says it was
    not found) goes to its page; without one, the user's first organization's page."""
    user = _user(request)
    if "org" in request.GET:
        form = OrgPickForm(user, request.GET)
        if form.is_valid():
            args = {k: v for k, v in request.GET.items() if k not in ("org", "org_search", "page")}
            url = reverse(name, args=[form.cleaned_data["org"].pk])
            return redirect(f"{url}?{urlencode(args)}" if args else url)
        return None
    root = _first_root(user)
    return redirect(name, root.pk) if root is not None else None


# --- annual plans -----------------------------------------------------------------------------------------


class PlanForm(StyledForm):
    org = OrgChoiceField(label="乡镇（街道）党委")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quota = forms.IntegerField(label="计划发展名额", min_value=0, max_value=100000)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, OrgChoiceField)
        field.set_queryset(_plan_orgs(user))


def _plan_orgs(user: User) -> Any:
    """Organizations whose plan the user may set: plans are issued from above (services.plan_set), so
    those strictly below one of the user's own organizations, of a type that receives plans."""
    if not user.can_write:
        return Org.objects.none()
    return (org_selectors.orgs_visible(user).filter(org_type__in=services.PLAN_ORG_TYPES)
            .exclude(path__in=scope_for(user).paths))  # fmt: skip


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _plan_totals(rows: Sequence[selectors.PlanRow]) -> dict[str, Any]:
    quota, approved = sum(r.quota for r in rows), sum(r.approved for r in rows)
    return {"quota": quota, "approved": approved, "percent": round(approved * 100 / quota, 1) if quota else None}


def _plans_page(request: HttpRequest, year: int, form: PlanForm | None, *, status: int = 200) -> HttpResponse:
    user = _user(request)
    rows = selectors.plan_fulfilment(user, year)
    plans = {p.org_id: p for p in DevelopmentPlan.objects.filter(year=year, org__in=[r.org for r in rows])}
    this_year = timezone.localdate().year
    return render(request, "recruitment/reports/plans.html", {
        "year": year, "years": list(range(this_year + 1, this_year - 6, -1)),
        "rows": [(r, plans[r.org.pk]) for r in rows], "totals": _plan_totals(rows),
        "form": form, "tab": "plans",
        "editable": set(_plan_orgs(user).filter(pk__in=list(plans)).values_list("pk", flat=True)) if form else set(),
    }, status=status)  # fmt: skip


def _plan_form(user: User, **kwargs: Any) -> PlanForm | None:
    form = PlanForm(user, **kwargs)
    return form if form.fields["org"].queryset.exists() else None  # type: ignore[attr-defined]


@org_role_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    """年度发展计划: plan vs fulfilment (approved as probationary in the year) of the plans in scope;
    users who issue plans (the county for its townships) also get the form to set a quota."""
    user = _user(request)
    year = _year(request)
    return _plans_page(request, year, _plan_form(user, initial={"year": year}))


@writer_required
@require_http_methods(["GET", "POST"])
def plan_set(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _plan_orgs(user).exists():
        raise Http404
    if request.method != "POST":
        return redirect("recruitment:report_plans")
    form = PlanForm(user, request.POST)
    year = timezone.localdate().year
    if form.is_valid():
        d = form.cleaned_data
        year = d["year"]
        try:
            plan = services.plan_set(actor=user, org=d["org"], year=d["year"], quota=d["quota"], note=d["note"] or "")
        except ServiceError as exc:
            for f, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(f if f in form.fields else None, m)
        else:
            messages.success(request, PLAN_SAVED.format(org=plan.org.name, year=plan.year, quota=plan.quota))
            return redirect(f"{reverse('recruitment:report_plans')}?year={plan.year}")
    return _plans_page(request, year, form, status=422)


@org_role_required
@require_GET
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan's year, with the form filled with that plan for a user who may set it (saving goes
    through plan_set); others in scope see the year's figures only."""
    user = _user(request)
    plan = selectors.plan_get(user, plan_id)
    form = None
    if _plan_orgs(user).filter(pk=plan.org_id).exists():
        form = PlanForm(user, initial={"org": plan.org_id, "year": plan.year, "quota": plan.quota, "note": plan.note})
    return _plans_page(request, plan.year, form)


@org_role_required
@require_GET
def plans_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year = _year(request)
    rows = selectors.plan_fulfilment(user, year)
    sheet = Sheet(f"{year}年度发展党员计划完成情况", f"{year}年发展计划",
                   ["序号", "党组织", "计划发展名额", "已批准为预备党员", "完成比例（%）"], [6, 36, 14, 16, 14])  # fmt: skip
    for i, r in enumerate(rows, 1):
        sheet.add([i, r.org.name, r.quota, r.approved, r.percent])
    t = _plan_totals(rows)
    sheet.add(["合计", "", t["quota"], t["approved"], t["percent"]])
    return _xlsx_response(sheet.close(), f"{year}年发展党员计划完成情况.xlsx", f"development-plans-{year}.xlsx")


# --- registers (花名册) ------------------------------------------------------------------------------------


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or "applicants"
    if kind not in selectors.REGISTERS:
        raise Http404
    return kind


@org_role_required
@require_GET
def registers(request: HttpRequest) -> HttpResponse:
    picked = _picked(request, "recruitment:report_register")
    if picked is not None:
        return picked
    user = _user(request)
    form = OrgPickForm(user, request.GET if "org" in request.GET else None)
    return render(request, "recruitment/reports/pick.html", {
        "form": form, "title": "发展党员花名册", "action": reverse("recruitment:report_registers"),
        "kinds": KINDS, "kind": request.GET.get("kind", "applicants"), "tab": "registers", "no_orgs": NO_ORGS,
    })  # fmt: skip


def _register_row(r: DevelopmentRecord, today: dt.date) -> dict[str, Any]:
    return {
        "record": r, "sex": codes.label(codes.SEX, r.sex), "age": age_on(r.birth_date, today),
        "education": codes.label(codes.EDUCATION, r.education),
        "occupation": codes.label(codes.PERSONNEL_CATEGORY, r.occupation),
    }  # fmt: skip


@org_role_required
@require_GET
def register(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    kind = _kind(request)
    today = timezone.localdate()
    page = Paginator(selectors.register(user, org, kind), REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruitment/reports/register.html", {
        "org": org, "crumbs": org_selectors.ancestors(user, org), "kind": kind, "kinds": KINDS,
        "title": selectors.REGISTERS[kind][1], "page": page, "rows": [_register_row(r, today) for r in page.object_list],
        "pick": OrgPickForm(user, initial={"org": org.pk}), "kind_keep": [("kind", kind)], "tab": "registers",
    })  # fmt: skip


@org_role_required
@require_GET
def register_export(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    kind = _kind(request)
    full = request.GET.get("full") == "1"
    content, _ = services.register_export(actor=user, org=org, kind=kind, full=full)
    name = f"{org.short_name or org.name}-{selectors.REGISTERS[kind][1]}{'-完整信息' if full else ''}.xlsx"
    return _xlsx_response(content, name, f"register-{kind}-{org.pk}.xlsx")


# --- statistics -------------------------------------------------------------------------------------------


class PeriodForm(StyledForm):
    start = forms.DateField(label="开始日期", required=False)
    end = forms.DateField(label="结束日期", required=False)
    event = forms.ChoiceField(label="统计口径", choices=list(selectors.PERIOD_EVENTS.items()), initial="approved_on",
                              required=False)  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


@org_role_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    picked = _picked(request, "recruitment:report_org_statistics")
    if picked is not None:
        return picked
    user = _user(request)
    form = OrgPickForm(user, request.GET if "org" in request.GET else None)
    return render(request, "recruitment/reports/pick.html", {
        "form": form, "title": "发展党员统计", "action": reverse("recruitment:report_statistics"), "tab": "statistics",
        "no_orgs": NO_ORGS,
    })  # fmt: skip


DIMENSIONS = [("by_stage", "按阶段"), ("by_status", "按状态"), ("by_sex", "按性别"), ("by_age", "按年龄"),
              ("by_education", "按学历"), ("by_occupation", "按人员类别（职业）")]  # fmt: skip


def _period(request: HttpRequest) -> tuple[PeriodForm, dict[str, Any] | None]:
    if not any(request.GET.get(k) for k in ("start", "end", "event")):
        # Nothing asked: the current pipeline, with the form showing the default measure.
        return PeriodForm(initial={"event": "approved_on"}), {"start": None, "end": None, "event": "approved_on"}
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, {"start": d.get("start"), "end": d.get("end"), "event": d.get("event") or "approved_on"}


def _describe(period: dict[str, Any]) -> str:
    if period["start"] is None and period["end"] is None:
        return "正在进行的发展党员记录（不含已归档、已终止、已取消）"
    span = f"{period['start'] or '（不限）'}至{period['end'] or '（不限）'}"
    return f"{span}{selectors.PERIOD_EVENTS[period['event']]}的人员"


def _chart_data(key: str, data: Sequence[tuple[str, int]]) -> list[list[Any]]:
    # The stages' full names overlap under a phone-width bar chart; the table beside it has them.
    if key == "by_stage":
        return [[f"第{i}阶段", n] for i, (_, n) in enumerate(data, 1)]
    return [list(x) for x in data]


@org_role_required
@require_GET
def org_statistics(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    form, period = _period(request)
    ctx: dict[str, Any] = {"org": org, "crumbs": org_selectors.ancestors(user, org), "form": form, "tab": "statistics",
                           "pick": OrgPickForm(user, initial={"org": org.pk})}  # fmt: skip
    if period is None:
        return render(request, "recruitment/reports/statistics.html", ctx, status=422)
    c = selectors.counts(user, org, **period)
    tables = [(key, label, getattr(c, key)) for key, label in DIMENSIONS]
    ctx.update(counts=c, tables=tables, description=_describe(period),
               charts={key: {"type": "bar", "title": label, "data": _chart_data(key, data)} for key, label, data in tables},
               query=request.GET.urlencode())  # fmt: skip
    return render(request, "recruitment/reports/statistics.html", ctx)


@org_role_required
@require_GET
def statistics_export(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    form, period = _period(request)
    if period is None:
        raise Http404
    c = selectors.counts(user, org, **period)
    sheet = Sheet(f"{org.name}发展党员统计：{_describe(period)}", "发展党员统计", ["分类", "项目", "人数"], [22, 30, 10])
    sheet.add(["合计", "", c.total])
    for key, label in DIMENSIONS:
        for item, n in getattr(c, key):
            sheet.add([label, item, n])
    return _xlsx_response(sheet.close(), f"{org.short_name or org.name}-发展党员统计.xlsx", f"recruitment-stats-{org.pk}.xlsx")

"""The rectification pages. Thin: parse input, read through rectification.selectors (ids from the URL
through accessors that answer 404 outside the user's scope), write through rectification.services and
put their Chinese messages back on the form; share warnings are flash messages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import ORG_ROLES
from dangjian.common.errors import ConflictError, ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.rectification import export, forms, rules, selectors, services
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, posted, writer_required

MIN_YEAR = 2000
SAVED = "已保存。"
# The services name the uploads "files"; the forms' field is "uploaded" ("files" is a Form attribute).
FILE_ALIASES = {"files": "uploaded"}


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if MIN_YEAR <= year <= today.year else today.year


def _years(today: dt.date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


def _ctx(request: HttpRequest, org: Org | None, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    today = timezone.localdate()
    return {"org": org, "crumbs": org_selectors.ancestors(user, org) if org else [], "can_write": user.can_write,
            "today": today, "years": _years(today), **extra}  # fmt: skip


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in ORG_ROLES:
        raise Http404
    roots = org_selectors.org_roots(user)
    if not roots:
        raise Http404
    return redirect("rectification:org", roots[0].pk)


@org_role_required
@require_GET
def org_page(request: HttpRequest, org_id: int) -> HttpResponse:
    """识别、整顿中、已验收 per township for a year, each count linking to its organizations."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    counts = selectors.counts(user, org, year)
    return render(request, "rectification/org.html", _ctx(
        request, org, year=year, counts=counts, states=selectors.STATES, kinds=rules.KIND_LABELS,
    ))  # fmt: skip


@org_role_required
@require_GET
def counts_export(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    year = _year(request, timezone.localdate())
    data = export.counts_xlsx(selectors.counts(user, org, year))
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{year}年软弱涣散整顿情况.xlsx"
    resp["Content-Disposition"] = f"attachment; filename=rectification-{year}.xlsx; filename*=UTF-8''{quote(name)}"
    return resp


@org_role_required
@require_GET
def case_list(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    state = request.GET.get("state", "")
    if state not in selectors.STATES:
        state = ""
    cases = list(selectors.case_list(user, org, year=year, state=state))
    return render(request, "rectification/case_list.html", _ctx(
        request, org, year=year, state=state, state_label=selectors.STATES[state][0] if state else "全部",
        cases=cases, states=selectors.STATES,
    ))  # fmt: skip


@org_role_required
@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, org_id: int) -> HttpResponse:
    """从记录中查找候选: the findings of every criterion for the year (GET), recorded as candidates (POST)."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    if request.method == "POST":
        if not user.can_write:
            raise Http404
        try:
            year = int(request.POST.get("year", year))
            out = services.candidates_identify(actor=user, org=org, year=year, today=today)
        except (ValueError, ServiceError) as exc:
            messages.error(request, "；".join(exc.messages) if isinstance(exc, ServiceError) else "年度无效。")
            return redirect(reverse("rectification:identify", args=[org.pk]) + f"?year={year}")
        messages.success(request, f"新列为候选{out.created}个，新增认定依据{out.findings}条；已确认或排除的{out.unchanged}个未改动。")
        return redirect(reverse("rectification:case_list", args=[org.pk]) + f"?year={year}&state=candidates")
    scan = selectors.candidate_scan(user, org, year, today)
    return render(request, "rectification/identify.html", _ctx(request, org, year=year, scan=scan, p=services.params.current()))


@writer_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, org_id: int) -> HttpResponse:
    """人工提名 of the organization ``org_id`` (by a level above it)."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    if not selectors.may_decide(user, org):
        raise Http404
    form = forms.NominateForm(posted(request), initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_nominate(actor=user, org=org, year=form.cleaned_data["year"],
                                          category=form.cleaned_data["category"], reason=form.cleaned_data["reason"],
                                          today=today)  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, SAVED)
            return redirect("rectification:case_detail", case.pk)
    return render(request, "rectification/form_page.html", _ctx(
        request, org, form=form, title=f"人工提名软弱涣散候选：{org.name}", cancel=reverse("web:org_detail", args=[org.pk]),
    ), status=422 if request.method == "POST" else 200)  # fmt: skip


# --- cases ------------------------------------------------------------------------------------------------


def _case_page(request: HttpRequest, case_id: int, status: int = 200, **forms_: Any) -> HttpResponse:
    user = _user(request)
    detail = selectors.case_detail(user, case_id)
    case = detail.case
    leaders = selectors.leader_choices(user, case.org) if detail.may_decide else []
    ctx = _ctx(
        request, case.org, d=detail, case=case,
        status_label=rules.STATUS_LABELS[case.status], result_labels=rules.RESULT_LABELS,
        dismiss_form=forms_.get("dismiss_form") or forms.DismissForm(initial={"version": case.version}),
        milestone_form=forms_.get("milestone_form") or forms.MilestoneForm(),
        done_form=forms.MilestoneDoneForm(initial={"done_on": timezone.localdate()}),
        progress_form=forms_.get("progress_form") or forms.ProgressForm(initial={"date": timezone.localdate()}),
        acceptance_form=forms_.get("acceptance_form") or forms.AcceptanceForm(initial={"date": timezone.localdate()}),
        files_form=forms.FilesForm(), leaders=leaders, errors=forms_.get("errors", []),
    )  # fmt: skip
    return render(request, "rectification/case_detail.html", ctx, status=status)


@org_role_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


@writer_required
@require_POST
def case_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user, case_id)
    try:
        version = int(request.POST.get("version") or case.version)
        result = services.case_confirm(actor=user, case=case, version=version)
    except (ServiceError, ValueError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ServiceError) else "提交无效。")
    else:
        messages.success(request, "已确认为软弱涣散基层党组织。")
        for w in result.warnings:
            messages.warning(request, w)
    return redirect("rectification:case_detail", case.pk)


@writer_required
@require_POST
def case_dismiss(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user, case_id)
    form = forms.DismissForm(request.POST)
    if form.is_valid():
        try:
            services.case_dismiss(actor=user, case=case, reason=form.cleaned_data["reason"],
                                  version=form.cleaned_data.get("version"))
        except ConflictError as exc:
            form.add_error(None, exc.messages[0])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, "已排除。")
            return redirect("rectification:case_detail", case.pk)
    return _case_page(request, case.pk, status=422, dismiss_form=form)


@writer_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """整顿方案 with the "四定一包"."""
    user = _user(request)
    case = selectors.case_get(user, case_id)
    if not selectors.may_decide(user, case.org):
        raise Http404
    form = forms.PlanForm(posted(request), leaders=selectors.leader_choices(user, case.org))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.plan_create(
                actor=user, case=case, responsible_person=d["responsible_person"], responsibility=d["responsibility"],
                goal=d["goal"], reward_penalty=d["reward_penalty"], leader=form.leader_user(),
                leader_name=d["leader_name"], leader_post=d["leader_post"], deadline=d["deadline"],
                measures=d["measures"],
            )  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, "整顿方案已保存，进入整顿。")
            return redirect("rectification:case_detail", case.pk)
    return render(request, "rectification/form_page.html", _ctx(
        request, case.org, form=form, title=f"{case.org.name}{case.year}年整顿方案（四定一包）",
        cancel=reverse("rectification:case_detail", args=[case.pk]),
    ), status=422 if request.method == "POST" else 200)  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    """调整整顿方案 (延长整顿期限 and the like) with a reason, by the deciding level."""
    user = _user(request)
    case = selectors.case_get(user, case_id)
    plan = getattr(case, "plan", None)
    if plan is None or not selectors.may_decide(user, case.org):
        raise Http404
    initial = {k: getattr(plan, k) for k in (*services.PLAN_FIELDS, "deadline", "measures", "version")}
    initial["leader"] = str(plan.leader_id)
    leaders = selectors.leader_choices(user, case.org)
    if plan.leader not in leaders:  # keep the current leader selectable even if no longer listed
        leaders = [plan.leader, *leaders]
    form = forms.PlanEditForm(posted(request), initial=initial, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.plan_update(
                actor=user, case=case, reason=d["reason"], responsible_person=d["responsible_person"],
                responsibility=d["responsibility"], goal=d["goal"], reward_penalty=d["reward_penalty"],
                leader=form.leader_user(), leader_name=d["leader_name"], leader_post=d["leader_post"],
                deadline=d["deadline"], measures=d["measures"], version=d.get("version"),
            )  # fmt: skip
        except ConflictError as exc:
            form.add_error(None, exc.messages[0])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, "整顿方案已调整。")
            return redirect("rectification:case_detail", case.pk)
    return render(request, "rectification/form_page.html", _ctx(
        request, case.org, form=form, title=f"调整{case.org.name}{case.year}年整顿方案",
        cancel=reverse("rectification:case_detail", args=[case.pk]),
    ), status=422 if request.method == "POST" else 200)  # fmt: skip


@writer_required
@require_POST
def milestone_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user, case_id)
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=user, case=case, title=form.cleaned_data["title"], due=form.cleaned_data["due"])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, SAVED)
            return redirect("rectification:case_detail", case.pk)
    return _case_page(request, case.pk, status=422, milestone_form=form)


@writer_required
@require_POST
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    user = _user(request)
    m = selectors.milestone_get(user, milestone_id)
    form = forms.MilestoneDoneForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.milestone_done(actor=user, milestone=m, done_on=form.cleaned_data["done_on"],
                                    note=form.cleaned_data["note"])
        except ServiceError as exc:
            errors = exc.messages
        else:
            messages.success(request, SAVED)
            return redirect("rectification:case_detail", m.case_id)
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
    return _case_page(request, m.case_id, status=422, errors=errors)


@writer_required
@require_POST
def progress_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user, case_id)
    form = forms.ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.progress_report(actor=user, case=case, date=form.cleaned_data["date"],
                                     text=form.cleaned_data["text"], files=form.cleaned_data["uploaded"])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, SAVED)
            return redirect("rectification:case_detail", case.pk)
    return _case_page(request, case.pk, status=422, progress_form=form)


@writer_required
@require_POST
def progress_files(request: HttpRequest, progress_id: int) -> HttpResponse:
    user = _user(request)
    p = selectors.progress_get(user, progress_id)
    form = forms.FilesForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.progress_files_add(actor=user, progress=p, files=form.cleaned_data["uploaded"])
        except ServiceError as exc:
            errors = exc.messages
        else:
            messages.success(request, SAVED)
            return redirect("rectification:case_detail", p.case_id)
    return _case_page(request, p.case_id, status=422, errors=errors or ["请选择文件。"])


@writer_required
@require_POST
def acceptance_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user, case_id)
    form = forms.AcceptanceForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            acc = services.acceptance_record(actor=user, case=case, date=d["date"], accepted_by=d["accepted_by"],
                                             result=d["result"], notes=d["notes"], files=d["uploaded"])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, rules.RESULT_LABELS[acc.result] + ("，整顿完成。" if acc.result == rules.PASSED
                                                                          else "，继续整顿。"))
            return redirect("rectification:case_detail", case.pk)
    return _case_page(request, case.pk, status=422, acceptance_form=form)


@org_role_required
@require_GET
def file_download(request: HttpRequest, rfile_id: int) -> FileResponse:
    """A file of a progress report or acceptance, only through a case in scope (media is not served)."""
    f = selectors.file_get(_user(request), rfile_id)
    return stored_file_response(f.file, original_name=f.original_name, file_type=f.file_type)


# --- satisfaction surveys ---------------------------------------------------------------------------------


@org_role_required
@require_GET
def surveys(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    rows = list(selectors.survey_list(user, org, year))
    done = {s.org_id for s in rows}
    missing = [o for o in selectors.judged_orgs(user, org, rules.judged_on(year, today))
               if o.pk not in done and selectors.may_decide(user, o)]
    return render(request, "rectification/surveys.html", _ctx(
        request, org, year=year, rows=rows, missing=missing, min_percent=services.params.current().satisfaction_min,
    ))  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    if not selectors.may_decide(user, org):
        raise Http404
    today = timezone.localdate()
    form = forms.SurveyForm(posted(request), initial={"year": _year(request, today)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            s = services.survey_record(actor=user, org=org, year=d["year"], date=d["date"], respondents=d["respondents"],
                                       satisfied=d["satisfied"], method=d["method"], today=today)
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, SAVED)
            return redirect("rectification:survey_detail", s.pk)
    return render(request, "rectification/form_page.html", _ctx(
        request, org, form=form, title=f"登记群众满意度测评：{org.name}",
        cancel=reverse("web:org_detail", args=[org.pk]),
    ), status=422 if request.method == "POST" else 200)  # fmt: skip


@org_role_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = _user(request)
    s = selectors.survey_get(user, survey_id)
    editable = selectors.may_decide(user, s.org)
    if request.method == "POST" and not editable:
        raise Http404
    form = forms.SurveyForm(posted(request), initial={
        "year": s.year, "date": s.date, "respondents": s.respondents, "satisfied": s.satisfied, "method": s.method,
        "version": s.version})  # fmt: skip
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.survey_update(actor=user, survey=s, version=d.get("version"), date=d["date"],
                                   respondents=d["respondents"], satisfied=d["satisfied"], method=d["method"])
        except ServiceError as exc:
            add_service_errors(form, exc, FILE_ALIASES)
        else:
            messages.success(request, SAVED)
            return redirect("rectification:survey_detail", s.pk)
    return render(request, "rectification/survey.html", _ctx(
        request, s.org, s=s, form=form, editable=editable, min_percent=services.params.current().satisfaction_min,
    ), status=422 if request.method == "POST" else 200)  # fmt: skip

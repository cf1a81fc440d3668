"""The assessment pages. Thin: ids from the URL go through selectors that answer 404 outside the
user's scope; writes go through services and their Chinese messages back onto the form (status 422);
who may do what is decided by the selectors' ``is_owner_writer``/``may_*`` (NotPermitted → 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.assessment import exports, forms, indicators, params, rules, selectors, services
from dangjian.assessment.models import Node, Result, Scheme
from dangjian.common.errors import ConflictError, ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.orgs.selectors import orgs_visible
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, posted, writer_required

SAVED = "已保存。"
GET_POST = require_http_methods(["GET", "POST"])


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str, *, status: int = 200,
               multipart: bool = False, **extra: Any) -> HttpResponse:
    return render(request, "assessment/form_page.html",
                  {"form": form, "title": title, "cancel": cancel, "multipart": multipart, **extra},
                  status=status)  # fmt: skip


def _owners(request: HttpRequest) -> Any:
    return orgs_visible(_user(request)).filter(org_type__in=services.OWNER_TYPES).order_by("path")


def _scheme_url(scheme: Scheme) -> str:
    return reverse("assessment:scheme", args=[scheme.pk])


def _errors_to_messages(request: HttpRequest, exc: ServiceError) -> None:
    for m in exc.messages:
        messages.error(request, m)


# --- schemes -----------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """考核方案: every scheme the user sees, newest year first."""
    user = _user(request)
    schemes = list(selectors.scheme_list(user))
    return render(request, "assessment/home.html", {
        "schemes": schemes, "can_create": user.can_write and _owners(request).exists(),
        "status_labels": rules.SCHEME_STATUS_LABELS, "kind_labels": rules.KIND_LABELS,
    })  # fmt: skip


@writer_required
@GET_POST
def scheme_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    owners = _owners(request)
    if not owners.exists():
        raise Http404
    today = timezone.localdate()
    form = forms.SchemeForm(posted(request), owners=owners, initial={
        "year": today.year, "notice_days": params.notice_days(), "bands": rules.bands_text(rules.DEFAULT_BANDS),
        "review_level": rules.REVIEW_OWNER})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_create(actor=user, owner=d["owner"], year=d["year"], name=d["name"], kind=d["kind"],
                                            bands_text=d["bands"], review_level=d["review_level"],
                                            notice_days=d["notice_days"], template=d["template"])  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            return redirect(_scheme_url(scheme))
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, "新建考核方案", reverse("assessment:home"), status=status)


@org_role_required
@require_GET
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """A scheme: its tree (editable while a draft), the round's dashboard and the next actions."""
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    results = selectors.dashboard(user, scheme) if scheme.status != rules.DRAFT else []
    return render(request, "assessment/scheme.html", {
        "scheme": scheme, "nodes": [(v, d) for v, d in selectors.depths(selectors.scheme_tree(scheme))],
        "points": selectors.scheme_points(scheme), "results": results, "counts": selectors.status_counts(results),
        "is_owner": selectors.is_owner_writer(user, scheme), "status_label": rules.SCHEME_STATUS_LABELS[scheme.status],
        "result_labels": rules.RESULT_STATUS_LABELS, "method_labels": rules.METHOD_LABELS,
        "source_labels": rules.SOURCE_LABELS, "indicator_labels": indicators.INDICATOR_LABELS,
        "kind_label": rules.KIND_LABELS[scheme.kind], "review_label": rules.REVIEW_LABELS[scheme.review_level],
        "activate_form": forms.ActivateForm(), "R": rules,
    })  # fmt: skip


def _owned_scheme(request: HttpRequest, scheme_id: int) -> Scheme:
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    if not selectors.is_owner_writer(user, scheme):
        raise Http404
    return scheme


@writer_required
@GET_POST
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = _owned_scheme(request, scheme_id)
    form = forms.SchemeForm(posted(request), initial={
        "year": scheme.year, "name": scheme.name, "kind": scheme.kind, "review_level": scheme.review_level,
        "notice_days": scheme.notice_days, "bands": rules.bands_text(scheme.bands), "version": scheme.version})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.scheme_update(actor=user, scheme=scheme, version=d["version"] or 0, name=d["name"], year=d["year"],
                                   kind=d["kind"], bands_text=d["bands"], review_level=d["review_level"],
                                   notice_days=d["notice_days"])  # fmt: skip
        except ConflictError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            return redirect(_scheme_url(scheme))
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"修改方案：{scheme}", _scheme_url(scheme), status=status)


@writer_required
@GET_POST
def node_new(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = _owned_scheme(request, scheme_id)
    parent = None
    raw_parent = request.GET.get("parent") or request.POST.get("parent")
    if raw_parent:
        parent = selectors.node_get(user, raw_parent)
        if parent.scheme_id != scheme.pk:
            raise Http404
    form = forms.NodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.node_add(actor=user, scheme=scheme, parent=parent, **form.node_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc, {"params": "per"})
        else:
            messages.success(request, SAVED)
            return redirect(_scheme_url(scheme))
    title = f"在“{parent.title}”下添加项目" if parent else "添加考核内容（一级）"
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, title, _scheme_url(scheme), status=status,
                      hidden={"parent": parent.pk} if parent else {})


def _owned_node(request: HttpRequest, node_id: int) -> Node:
    user = _user(request)
    node = selectors.node_get(user, node_id)
    if not selectors.is_owner_writer(user, node.scheme):
        raise Http404
    return node


@writer_required
@GET_POST
def node_edit(request: HttpRequest, node_id: int) -> HttpResponse:
    user = _user(request)
    node = _owned_node(request, node_id)
    form = forms.NodeForm(posted(request), initial=forms.NodeForm.initial_for(node))
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(actor=user, node=node, **form.node_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc, {"params": "per"})
        else:
            messages.success(request, SAVED)
            return redirect(_scheme_url(node.scheme))
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"修改项目：{node.title}", _scheme_url(node.scheme), status=status)


@writer_required
@require_POST
def node_move(request: HttpRequest, node_id: int) -> HttpResponse:
    node = _owned_node(request, node_id)
    try:
        services.node_move(actor=_user(request), node=node, up=request.POST.get("up") == "1")
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    return redirect(_scheme_url(node.scheme))


@writer_required
@require_POST
def node_remove(request: HttpRequest, node_id: int) -> HttpResponse:
    node = _owned_node(request, node_id)
    try:
        services.node_remove(actor=_user(request), node=node)
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, f"已删除“{node.title}”。")
    return redirect(_scheme_url(node.scheme))


@writer_required
@require_POST
def scheme_activate(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _owned_scheme(request, scheme_id)
    form = forms.ActivateForm(request.POST)
    if form.is_valid():
        try:
            results = services.scheme_activate(actor=_user(request), scheme=scheme, self_due=form.cleaned_data["self_due"],
                                               review_due=form.cleaned_data["review_due"])  # fmt: skip
        except ServiceError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, f"方案已启用，{len(results)}个单位开始自评。")
    else:
        messages.error(request, "日期格式不正确。")
    return redirect(_scheme_url(scheme))


@writer_required
@GET_POST
def scheme_copy(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _owned_scheme(request, scheme_id)
    form = forms.CopyForm(posted(request), initial={"year": scheme.year + 1, "name": scheme.name})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.scheme_copy(actor=_user(request), scheme=scheme, year=form.cleaned_data["year"],
                                        name=form.cleaned_data["name"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已复制为{copy}（草稿），原方案及其结果不变。")
            return redirect(_scheme_url(copy))
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"复制方案：{scheme}", _scheme_url(scheme), status=status)


@writer_required
@require_POST
def scheme_finalize(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _owned_scheme(request, scheme_id)
    try:
        services.scheme_finalize(actor=_user(request), scheme=scheme, today=timezone.localdate())
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "已定分：得分、名次和等次已确定并冻结。")
    return redirect(_scheme_url(scheme))


@writer_required
@GET_POST
def scheme_publish(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _owned_scheme(request, scheme_id)
    today = timezone.localdate()
    form = forms.PublishForm(posted(request), initial={"start": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_publish(actor=_user(request), scheme=scheme, start=form.cleaned_data["start"], today=today)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            return redirect("assessment:ranking", scheme.pk)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"公示考核结果：{scheme}（公示{scheme.notice_days}天）", _scheme_url(scheme), status=status)


@writer_required
@require_POST
def scheme_close(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _owned_scheme(request, scheme_id)
    try:
        services.scheme_close(actor=_user(request), scheme=scheme, today=timezone.localdate())
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "已归档。")
    return redirect(_scheme_url(scheme))


@org_role_required
@require_GET
def ranking(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """排名与公示: the final results the user may see, best first, with the notice period."""
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    return render(request, "assessment/ranking.html", {
        "scheme": scheme, "results": selectors.ranking(user, scheme), "is_owner": selectors.is_owner_writer(user, scheme),
        "visible_ids": selectors.visible_result_ids(user, scheme),
        "final": scheme.status in (rules.FINAL, rules.PUBLISHED, rules.CLOSED),
        "status_label": rules.SCHEME_STATUS_LABELS[scheme.status], "today": timezone.localdate(), "R": rules,
    })  # fmt: skip


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@org_role_required
@require_GET
def export_xlsx(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    data = exports.results_xlsx(user, scheme, timezone.localdate())
    return _download(data, f"{scheme}考核结果.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@org_role_required
@require_GET
def export_docx(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    data = exports.report_docx(user, scheme, timezone.localdate())
    return _download(data, f"{scheme}考核情况报告.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


# --- one organization's result -----------------------------------------------------------------------------------


def _result_page(request: HttpRequest, result: Result, *, evidence_form: Any = None, return_form: Any = None,
                 status: int = 200) -> HttpResponse:
    user = _user(request)
    sheet = selectors.score_sheet(user, result, timezone.localdate())
    scheme = result.scheme
    active = scheme.status == rules.ACTIVE
    can_self = active and result.status == rules.R_PENDING and selectors.may_self_assess(user, result)
    leaves = Node.objects.filter(pk__in=[n.pk for n in selectors.leaves(scheme)])
    return render(request, "assessment/result.html", {
        "sheet": sheet, "result": result, "scheme": scheme, "can_self": can_self,
        "can_review": active and result.status == rules.R_SUBMITTED and selectors.may_review(user, result),
        "can_inspect": active and selectors.may_inspect(user, result),
        "can_evaluate": active and selectors.is_owner_writer(user, scheme)
        and leaves.filter(source=rules.SRC_EVALUATION).exists(),
        "evidence_form": evidence_form or (forms.EvidenceForm(leaves=leaves) if can_self else None),
        "return_form": return_form or forms.ReturnForm(),
        "status_label": rules.RESULT_STATUS_LABELS[result.status], "method_labels": rules.METHOD_LABELS,
        "source_labels": rules.SOURCE_LABELS, "indicator_labels": indicators.INDICATOR_LABELS,
        "eval_labels": rules.EVAL_GRADE_LABELS, "R": rules,
    }, status=status)  # fmt: skip


@org_role_required
@require_GET
def result_detail(request: HttpRequest, result_id: int) -> HttpResponse:
    """The organization's score sheet: every item with method, source, self and review values,
    adjustments with reasons, and how each score was computed, with links to its records."""
    return _result_page(request, selectors.result_get(_user(request), result_id))


def _manual_leaves(result: Result) -> list[Node]:
    return [n for n in selectors.leaves(result.scheme) if n.source == rules.SRC_MANUAL]


@writer_required
@GET_POST
def self_assess(request: HttpRequest, result_id: int) -> HttpResponse:
    user = _user(request)
    result = selectors.result_get(user, result_id)
    if not selectors.may_self_assess(user, result):
        raise Http404
    items = {i.node_id: i for i in result.items.all()}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {n.pk: (request.POST.get(f"v_{n.pk}", "").strip(), request.POST.get(f"n_{n.pk}", ""))
                  for n in _manual_leaves(result)}  # fmt: skip
        try:
            services.self_assess(actor=user, result=result, values=values)
        except ServiceError as exc:
            errors = exc.errors
        else:
            messages.success(request, SAVED)
            return redirect("assessment:result", result.pk)
    rows = []
    for n in _manual_leaves(result):
        item = items.get(n.pk)
        value = request.POST.get(f"v_{n.pk}") if errors else (item.self_value if item else None)
        note = request.POST.get(f"n_{n.pk}") if errors else (item.self_note if item else "")
        rows.append({"node": n, "value": "" if value is None else value, "note": note,
                     "errors": errors.get(f"item_{n.pk}", []), "value_label": rules.value_label(n.method, n.params)})
    return render(request, "assessment/self_assess.html", {
        "result": result, "rows": rows, "errors": errors.get("__all__", []),
    }, status=422 if errors else 200)  # fmt: skip


@writer_required
@require_POST
def evidence_add(request: HttpRequest, result_id: int) -> HttpResponse:
    user = _user(request)
    result = selectors.result_get(user, result_id)
    if not selectors.may_self_assess(user, result):
        raise Http404
    leaves = Node.objects.filter(pk__in=[n.pk for n in selectors.leaves(result.scheme)])
    form = forms.EvidenceForm(request.POST, request.FILES, leaves=leaves)
    if form.is_valid():
        try:
            services.evidence_add(actor=user, result=result, file=form.cleaned_data["file"], node=form.cleaned_data["node"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已上传。")
            return redirect("assessment:result", result.pk)
    return _result_page(request, result, evidence_form=form, status=422)


@writer_required
@require_POST
def result_submit(request: HttpRequest, result_id: int) -> HttpResponse:
    user = _user(request)
    result = selectors.result_get(user, result_id)
    try:
        services.result_submit(actor=user, result=result, today=timezone.localdate())
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "自评已提交，等待上级审核。")
    return redirect("assessment:result", result.pk)


@writer_required
@GET_POST
def review(request: HttpRequest, result_id: int) -> HttpResponse:
    """审核: accept each self-assessed item or adjust it (with the reason)."""
    user = _user(request)
    result = selectors.result_get(user, result_id)
    if not selectors.may_review(user, result):
        raise Http404
    items = {i.node_id: i for i in result.items.all()}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decisions = {n.pk: (request.POST.get(f"v_{n.pk}", "").strip(), request.POST.get(f"r_{n.pk}", ""))
                     for n in _manual_leaves(result)}  # fmt: skip
        try:
            services.result_review(actor=user, result=result, decisions=decisions, today=timezone.localdate())
        except ServiceError as exc:
            errors = exc.errors
        else:
            messages.success(request, "审核完成。")
            return redirect("assessment:result", result.pk)
    rows = [{"node": n, "item": items.get(n.pk), "value": request.POST.get(f"v_{n.pk}", "") if errors else "",
             "reason": request.POST.get(f"r_{n.pk}", "") if errors else "", "errors": errors.get(f"item_{n.pk}", []),
             "value_label": rules.value_label(n.method, n.params)} for n in _manual_leaves(result)]  # fmt: skip
    return render(request, "assessment/review.html", {
        "result": result, "rows": rows, "errors": errors.get("__all__", []),
        "files": list(result.files.filter(inspection__isnull=True)),
    }, status=422 if errors else 200)  # fmt: skip


@writer_required
@require_POST
def result_return(request: HttpRequest, result_id: int) -> HttpResponse:
    user = _user(request)
    result = selectors.result_get(user, result_id)
    form = forms.ReturnForm(request.POST)
    try:
        services.result_return(actor=user, result=result, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        add_service_errors(form, exc)
        return _result_page(request, result, return_form=form, status=422)
    messages.success(request, "已退回。")
    return redirect("assessment:result", result.pk)


@org_role_required
@GET_POST
def inspection_new(request: HttpRequest, result_id: int) -> HttpResponse:
    """日常督查 entry: the inspector role's one write (see selectors.may_inspect)."""
    user = _user(request)
    result = selectors.result_get(user, result_id)
    if not selectors.may_inspect(user, result):
        raise Http404
    items = [n for n in selectors.leaves(result.scheme) if n.source == rules.SRC_INSPECTION]
    today = timezone.localdate()
    form = forms.InspectionForm(posted(request), request.FILES or None, items=items, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record(actor=user, result=result, date=form.cleaned_data["date"], scores=form.scores(),
                                       notes=form.cleaned_data["notes"], photos=form.cleaned_data["photos"], today=today)
        except ServiceError as exc:
            add_service_errors(form, exc, {"file": "photos"})
        else:
            messages.success(request, SAVED)
            return redirect("assessment:result", result.pk)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"日常督查：{result.org.name}", reverse("assessment:result", args=[result.pk]),
                      status=status, multipart=True)


@writer_required
@GET_POST
def evaluation_new(request: HttpRequest, result_id: int) -> HttpResponse:
    """述职评议 ballots per voter group, counted per grade."""
    user = _user(request)
    result = selectors.result_get(user, result_id)
    if not selectors.is_owner_writer(user, result.scheme):
        raise Http404
    items = Node.objects.filter(pk__in=[n.pk for n in selectors.leaves(result.scheme) if n.source == rules.SRC_EVALUATION])
    today = timezone.localdate()
    form = forms.EvaluationForm(posted(request), items=items, initial={
        "date": today, "g1_name": "县委全会", "g2_name": "本单位"})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_record(actor=user, result=result, node=form.cleaned_data["node"],
                                       date=form.cleaned_data["date"], groups=form.groups(),
                                       notes=form.cleaned_data["notes"], today=today)  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc, {"groups": "g1_name"})
        else:
            messages.success(request, SAVED)
            return redirect("assessment:result", result.pk)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, f"述职评议：{result.org.name}", reverse("assessment:result", args=[result.pk]),
                      status=status)


@org_role_required
@require_GET
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.inspection_get(_user(request), inspection_id)
    return render(request, "assessment/inspection.html", {
        "inspection": inspection, "scores": list(inspection.scores.select_related("node")),
        "photos": list(inspection.photos.all())})  # fmt: skip


@org_role_required
@require_GET
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    ev = selectors.evaluation_get(_user(request), evaluation_id)
    values = params.eval_values()
    groups = [(g, rules.group_score(g.name, g.weight, g.counts(), values)) for g in ev.groups.all()]
    scored = rules.evaluation_score([s for _g, s in groups], ev.node.max_points)
    return render(request, "assessment/evaluation.html", {"ev": ev, "groups": groups, "scored": scored,
                                                          "values": values, "labels": rules.EVAL_GRADE_LABELS})


@org_role_required
@require_GET
def file_download(request: HttpRequest, assessfile_id: int) -> FileResponse:
    """Evidence or an inspection photo, only to users who may see its result (never a public URL)."""
    f = selectors.assessfile_get(_user(request), assessfile_id)
    return stored_file_response(f.file, original_name=f.original_name, file_type=f.file_type)


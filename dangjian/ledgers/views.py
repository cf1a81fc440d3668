"""Ledger pages: thin, like the web app's. Organizations come through org_get (404 outside scope);
jobs through job_get (404 for anyone but the uploader); writes through services."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts.models import User
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.ledgers import reader, rules, selectors, services
from dangjian.ledgers.models import ImportJob
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.web.views import _user, org_role_required, writer_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_DATE = "日期格式不正确，请写成 2026-06-30。"


def _org_choices(user: User) -> list[Org]:
    roots = org_selectors.org_roots(user)
    out: list[Org] = []
    for r in roots:
        out.append(r)
        out.extend(org_selectors.org_children(user, r)[:200])
    return out


@org_role_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selected = None
    if request.GET.get("org"):
        selected = org_selectors.org_get(user, request.GET["org"])
    orgs = _org_choices(user)
    if selected is not None and selected not in orgs:
        orgs.insert(0, selected)
    return render(request, "ledgers/home.html", {
        "orgs": orgs, "selected": selected, "today": timezone.localdate(),
        "sets": [rules.MEMBERS_NATIONAL, rules.MEMBERS_DANGJIAN],
        "jobs": selectors.jobs_for(user)[:20] if user.can_write else [],
    })


@org_role_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    services.exporter.write_template(tmp)
    return _file(tmp, "党建台账导入模板.xlsx", "xlsx")


def _export_params(request: HttpRequest) -> tuple[Org, str]:
    org = org_selectors.org_get(_user(request), request.GET.get("org", ""))
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return org, fmt


def _file(path: Path, name: str, fmt: str) -> HttpResponse:
    handle = path.open("rb")
    # The open handle keeps the data readable; the name goes now, so no export lingers on disk.
    path.unlink()
    path.parent.rmdir()
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")
    return cast(HttpResponse, response)  # the view gates are typed for HttpResponse


@org_role_required
@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    org, fmt = _export_params(request)
    column_set = request.GET.get("set", rules.MEMBERS_NATIONAL.key)
    if column_set not in (rules.MEMBERS_NATIONAL.key, rules.MEMBERS_DANGJIAN.key):
        raise Http404
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, BAD_DATE)
        return redirect("ledgers:home")
    full = request.GET.get("full") == "1"
    path = Path(tempfile.mkdtemp()) / f"roster.{fmt}"
    try:
        services.export_roster(actor=user, org=org, as_of=as_of, column_set=column_set, fmt=fmt, path=path, full=full)
    except NotPermitted:
        raise Http404 from None
    name = f"{org.short_name or org.name}-花名册-{as_of:%Y%m%d}{'-完整信息' if full else ''}.{fmt}"
    return _file(path, name, fmt)


@org_role_required
@require_GET
def export_orgs(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    org, fmt = _export_params(request)
    path = Path(tempfile.mkdtemp()) / f"orgs.{fmt}"
    try:
        services.export_orgs(actor=user, org=org, fmt=fmt, path=path)
    except NotPermitted:
        raise Http404 from None
    return _file(path, f"{org.short_name or org.name}-党组织列表.{fmt}", fmt)


@writer_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要导入的文件。")
        return redirect("ledgers:home")
    try:
        job = services.job_create(actor=_user(request), name=f.name or "upload", chunks=f.chunks())
    except ServiceError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("ledgers:home")
    return redirect("ledgers:job", pk=job.pk)


def _job_context(request: HttpRequest, job: ImportJob) -> dict:
    return {"job": job, "progress": services.job_summary(job), "running": job.status in (*ImportJob.RUNNING, *ImportJob.WAITING)}


@writer_required
@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(_user(request), pk)
    issues = Paginator(job.issues.all(), 100).get_page(request.GET.get("page"))
    return render(request, "ledgers/job.html", {**_job_context(request, job), "issues": issues,
                                                "preview": (job.changes or {}).get("preview", []) if isinstance(job.changes, dict) else [],
                                                "sheets": (job.changes or {}).get("sheets", []) if isinstance(job.changes, dict) else []})


@writer_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(_user(request), pk)
    ctx = _job_context(request, job)
    response = render(request, "ledgers/_progress.html", ctx)
    if not ctx["running"]:
        response["HX-Refresh"] = "true"  # finished: reload the page to show the preview or result
    return response


@writer_required
@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    job = selectors.job_get(user, pk)
    try:
        services.job_request_commit(actor=user, job=job)
    except ServiceError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("ledgers:job", pk=job.pk)


@writer_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    job = selectors.job_get(user, pk)
    try:
        services.job_retry(actor=user, job=job)
    except ServiceError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("ledgers:job", pk=job.pk)


@writer_required
@require_GET
def job_errors_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(_user(request), pk)
    if job.status not in (ImportJob.Status.INVALID, ImportJob.Status.READY, ImportJob.Status.FAILED):
        raise Http404
    try:
        path, name = services.job_error_copy(job, Path(tempfile.mkdtemp()) / "errors")
    except reader.FileRejected as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:job", pk=job.pk)
    return _file(path, name, path.suffix.lstrip("."))

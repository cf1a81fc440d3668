"""Downloads of the generated forms and the full record (全程纪实). Thin: the record or organization comes
through the scoped selectors (404 outside the actor's scope), the content from ``documents``.

ID numbers are masked. A form that officially carries the full 公民身份号码 offers it as an explicit
choice: a POST with ``full_id=1``, which reveals each person's number through ``services.record_reveal``
(one audit event per person, like a member's reveal), never a GET.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.accounts.models import User
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org, OrgType
from dangjian.recruitment import documents, services
from dangjian.recruitment.models import DevelopmentRecord
from dangjian.web.views import _user, org_role_required

PERIOD_INVALID = "请填写正确的起止日期（结束日期不能早于开始日期）。"


def _today() -> dt.date:
    return timezone.localdate()


def _actor_name(user: User) -> str:
    return user.display_name or user.username


def _download(content: bytes, name: str, ascii_name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=content_type)
    # Chinese file names in filename*; an ASCII fallback without personal data for old clients.
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    resp["Cache-Control"] = "no-store, private"
    return resp


def _wants_full_id(request: HttpRequest) -> bool:
    """GET: masked. POST: only with full_id=1 (anything else is a bad request, not a silent mask)."""
    if request.method != "POST":
        return False
    if request.POST.get("full_id") != "1":
        raise Http404
    return True


def _reveal(request: HttpRequest, record: DevelopmentRecord) -> str:
    return services.record_reveal(actor=_user(request), record=record, field="id_number")


def _dossier(request: HttpRequest, record: DevelopmentRecord, *, full_id: bool) -> documents.Dossier:
    user = _user(request)
    return documents.dossier(record, today=_today(), generated_by=_actor_name(user),
                             id_number=_reveal(request, record) if full_id else None)  # fmt: skip


def _docx(write: Callable[[io.BytesIO], None], name: str, ascii_name: str) -> HttpResponse:
    buf = io.BytesIO()
    write(buf)
    return _download(buf.getvalue(), name, ascii_name, documents.DOCX_TYPE)


# --- one person ---------------------------------------------------------------------------------------------------


def _record_with(request: HttpRequest, record_id: int, kind: str) -> DevelopmentRecord:
    """The record in scope, 404 if the step the form rests on is not recorded yet."""
    record = documents.record_in_scope(_user(request), record_id)
    if not any(s.number == documents.LIST_STEP[kind] for s in record.steps.all()):
        raise Http404
    return record


def _person_form(kind: str, writer: Callable[[documents.Dossier, io.BytesIO], None]) -> Callable[..., HttpResponseBase]:
    @never_cache
    @org_role_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, record_id: int) -> HttpResponse:
        record = _record_with(request, record_id, kind)
        full = _wants_full_id(request)
        d = _dossier(request, record, full_id=full)
        name = f"{documents.FORM_TITLES[kind]}-{d.person.name}.docx"
        return _docx(lambda buf: writer(d, buf), name, f"{kind}-{record.pk}.docx")

    view.__name__ = f"record_{kind.replace('-', '_')}"
    return view


record_activist_filing = _person_form(documents.ACTIVIST_FILING,
                                      lambda d, b: documents.write_filing(d, documents.ACTIVIST_FILING, b))
record_candidate_filing = _person_form(documents.CANDIDATE_FILING,
                                       lambda d, b: documents.write_filing(d, documents.CANDIDATE_FILING, b))
record_admission_approval = _person_form(documents.ADMISSION_APPROVAL,
                                         lambda d, b: documents.write_approval(d, documents.ADMISSION_APPROVAL, b))
record_conversion_approval = _person_form(documents.CONVERSION_APPROVAL,
                                          lambda d, b: documents.write_approval(d, documents.CONVERSION_APPROVAL, b))


@never_cache
@org_role_required
@require_GET
def record_pre_review(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_with(request, record_id, documents.PRE_REVIEW)
    d = _dossier(request, record, full_id=False)
    issued = d.date_of(documents.LIST_STEP[documents.PRE_REVIEW]) or _today()
    return _docx(lambda buf: documents.write_pre_review([d], d.branch, d.committee, issued, buf),
                 f"预审请示-{d.person.name}.docx", f"pre-review-{record.pk}.docx")  # fmt: skip


@never_cache
@org_role_required
@require_GET
def record_notice(request: HttpRequest, record_id: int, notice_id: int) -> HttpResponse:
    record = documents.record_in_scope(_user(request), record_id)
    d = _dossier(request, record, full_id=False)
    notice = next((n for n in d.notices if n.pk == notice_id), None)
    if notice is None:
        raise Http404
    return _docx(lambda buf: documents.write_notice(d, notice, buf), f"{notice.kind_label}-{d.person.name}.docx",
                 f"notice-{notice.pk}.docx")  # fmt: skip


@never_cache
@org_role_required
@require_http_methods(["GET", "POST"])
def record_full_docx(request: HttpRequest, record_id: int) -> HttpResponse:
    record = documents.record_in_scope(_user(request), record_id)
    d = _dossier(request, record, full_id=_wants_full_id(request))
    return _docx(lambda buf: documents.write_full_record(d, buf), f"全程纪实-{d.person.name}.docx",
                 f"full-record-{record.pk}.docx")  # fmt: skip


@never_cache
@org_role_required
@require_http_methods(["GET", "POST"])
def record_full_html(request: HttpRequest, record_id: int) -> HttpResponse:
    """The printable full record (A4, print CSS); the browser prints it or saves it as PDF."""
    record = documents.record_in_scope(_user(request), record_id)
    d = _dossier(request, record, full_id=_wants_full_id(request))
    outline = documents.full_record_outline(d)
    return render(request, "recruitment/documents/full_record.html", {
        "d": d, "record": record, "outline": outline,
        "files_heading": f"{documents.CN_NUMERALS[len(outline) + 1]}、材料目录", "files": documents.file_rows(d),
        "generated_on": documents.cn_date(d.generated_on),
        "docx_url": reverse("recruitment:doc_full_record", args=[record.pk]),
        "html_url": reverse("recruitment:doc_full_record_html", args=[record.pk]),
    })  # fmt: skip


# --- lists for a branch or township ---------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """?start=&end= (ISO dates); default: this year up to today. Bad input is 404 for a download."""
    today = _today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        raise Http404 from None
    if end < start:
        raise Http404
    return start, end


def _list_view(kind: str, fmt: str) -> Callable[..., HttpResponseBase]:
    @never_cache
    @org_role_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, org_id: int) -> HttpResponse:
        user = _user(request)
        org = org_selectors.org_get(user, org_id)
        full = _wants_full_id(request) if kind in documents.FORMS_WITH_ID else False
        if request.method == "POST" and not full:
            raise Http404
        start, end = _period(request)
        records = documents.records_for_list(user, org, kind, start, end)
        ds = [documents.dossier(r, today=_today(), generated_by=_actor_name(user), resolve_committee=False,
                                id_number=_reveal(request, r) if full else None) for r in records]  # fmt: skip
        title = documents.list_title(kind, org.name, start, end)
        ascii_name = f"{kind}-{org.pk}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
        buf = io.BytesIO()
        if fmt == "xlsx":
            documents.write_list_xlsx(kind, ds, org.name, start, end, buf)
            return _download(buf.getvalue(), f"{title}.xlsx", ascii_name, documents.XLSX_TYPE)
        if kind == documents.PRE_REVIEW:
            documents.write_pre_review(ds, org.name, _committee_for(ds, org), _today(), buf)
        else:
            documents.write_list_docx(kind, ds, org.name, start, end, buf, issued_on=_today())
        return _download(buf.getvalue(), f"{title}.docx", ascii_name, documents.DOCX_TYPE)

    view.__name__ = f"form_{kind.replace('-', '_')}_{fmt}"
    return view


def _committee_for(ds: list[documents.Dossier], org: Org) -> str:
    """The addressee of a branch's pre-review request: the committee its records name, else the one
    that would approve a record of this branch (services.approving_committee)."""
    named = [d.committee for d in ds if d.committee]
    if named:
        return named[0]
    if org.can_approve_probationary:
        return org.name  # a committee's own list of its branches' requests
    committee = services.approving_committee(DevelopmentRecord(org=org))
    return committee.name if committee else ""


LIST_VIEWS = {(kind, fmt): _list_view(kind, fmt) for kind in documents.LIST_TITLES for fmt in ("docx", "xlsx")}


@org_role_required
@require_GET
def forms_index(request: HttpRequest) -> HttpResponse:
    """Choose an organization of one's scope, a period and a form."""
    user = _user(request)
    # Lists are made for committees and branches; party groups and temporary branches develop nobody.
    orgs = list(org_selectors.orgs_visible(user).filter(dissolved_on__isnull=True).exclude(
        org_type__in=[OrgType.PARTY_GROUP, OrgType.TEMPORARY_BRANCH]).order_by("path").only("pk", "name", "path"))  # fmt: skip
    today = _today()
    chosen = None
    if request.GET.get("org"):
        chosen = org_selectors.org_get(user, request.GET["org"])
    start = request.GET.get("start") or f"{today.year}-01-01"
    end = request.GET.get("end") or today.isoformat()
    forms = []
    if chosen is not None:
        for k, title in documents.LIST_TITLES.items():
            urls = {fmt: reverse(f"recruitment:form_{k.replace('-', '_')}_{fmt}", args=[chosen.pk]) for fmt in ("docx", "xlsx")}
            forms.append({"kind": k, "title": title, "docx": urls["docx"], "xlsx": urls["xlsx"],
                          "with_id": k in documents.FORMS_WITH_ID})  # fmt: skip
    return render(request, "recruitment/documents/forms.html", {
        "orgs": orgs, "chosen": chosen, "start": start, "end": end, "forms": forms,
    })  # fmt: skip

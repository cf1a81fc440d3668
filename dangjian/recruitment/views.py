"""The membership-development pages (发展党员). Thin: parse input with recruitment.forms, read through
recruitment.selectors (records from the URL through ``record_get``, which answers 404 outside the
user's scope; steps, notices and documents only through their visible records), write through
recruitment.services and put their Chinese messages back on the form. A rule that blocks a save shows
every rule result; the override (with its reason) is offered only to users of the approving committee,
and the service checks that again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.common.errors import ConflictError, ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.members import rules as member_rules
from dangjian.members import selectors as member_selectors
from dangjian.members.models import Member
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.recruitment import forms, rules, selectors, services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, Document, PublicNotice, Step
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, paginate, posted, with_fresh_version, writer_required

SAVED = "已保存。"
CHECK_ONLY = "以下是按各步骤日期适用的细则逐项审核的结果，尚未保存。"
BLOCKED = "有不符合规定的事项，未保存："
STATUS_BADGES = {
    rules.APPLICANT: "secondary", rules.ACTIVIST: "info", rules.CANDIDATE: "primary", rules.PROBATIONARY: "warning",
    rules.CONVERTED: "success", rules.ARCHIVED: "dark", rules.STOPPED: "danger", rules.CANCELLED: "danger",
}  # fmt: skip
LEVEL_BADGES = {rules.PASS: "success", rules.WARN: "warning", rules.BLOCK: "danger"}


# --- scoped accessors for objects of a visible record (out of scope and missing answer alike) ---------------


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _step_get(actor: User, pk: Any) -> Step:
    step = Step.objects.filter(pk=_int(pk), record__in=selectors.records_visible(actor)).select_related("record").first()
    if step is None:
        raise Http404
    return step


def _notice_get(actor: User, pk: Any) -> PublicNotice:
    notice = PublicNotice.objects.filter(pk=_int(pk), record__in=selectors.records_visible(actor)).select_related(
        "record__org").first()  # fmt: skip
    if notice is None:
        raise Http404
    return notice


def _document_get(actor: User, pk: Any) -> Document:
    doc = Document.objects.filter(pk=_int(pk), record__in=selectors.records_visible(actor)).select_related("record").first()
    if doc is None:
        raise Http404
    return doc


def _record_orgs(actor: User) -> Any:
    return org_selectors.orgs_visible(actor).filter(org_type__in=services.HOLDS_RECORDS, dissolved_on__isnull=True)


def _branch_members(actor: User, record: DevelopmentRecord) -> Any:
    return member_selectors.members_in_subtree(actor, record.org).filter(status__in=member_rules.ON_ROSTER).order_by(
        "name_pinyin", "pk")  # fmt: skip


def _record_context(request: HttpRequest, record: DevelopmentRecord, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    return {
        "record": record, "status_label": rules.STATUS_LABELS[record.status], "stage_label": S.STAGES[record.stage],
        "status_badge": STATUS_BADGES.get(record.status, "secondary"),
        "crumbs": [*org_selectors.ancestors(user, record.org), record.org], "can_write": user.can_write, **extra,
    }  # fmt: skip


def _may_override(actor: User, committee: Org | None) -> bool:
    """Whether to offer the override: the actor is assigned to the approving committee or above it
    (services check the same before accepting it)."""
    return committee is not None and actor.can_write and scope_for(actor).contains_path(committee.path)


def _blocked(form: Any, exc: services.RuleBlocked) -> None:
    form.add_error(None, BLOCKED)
    for name, msgs in exc.errors.items():
        if name == "rules":
            for m in msgs:
                form.add_error(None, m)
        elif name in form.fields:
            for m in msgs:
                form.add_error(name, m)
        else:
            for m in msgs:
                form.add_error(None, m)


def _results_context(results: list[rules.RuleResult] | None) -> list[dict[str, Any]]:
    return [{"r": r, "badge": LEVEL_BADGES[r.level], "level": rules.LEVEL_LABELS[r.level]} for r in results or []]


def shown_details(details: dict[str, Any]) -> list[tuple[str, str]]:
    """A step's details as (label, value) in Chinese, for the timeline."""
    out = []
    for key, value in (details or {}).items():
        label = forms.DETAIL_SHORT_LABELS.get(key, S.DETAIL_LABELS.get(key, key))
        choices = dict(forms.DETAIL_CHOICES.get(key, []))
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif isinstance(value, dict):
            shown = f"{value.get('new_unit', '')}（{'培养材料已移交接续' if value.get('records_transferred') else '未移交接续'}）"
        else:
            shown = str(choices.get(value, value))
        out.append((label.split("（")[0] if key in S.DETAIL_LABELS and key not in forms.DETAIL_SHORT_LABELS else label, shown))
    return out


# --- list -----------------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    org = None
    if request.GET.get("org"):
        org = org_selectors.org_get(user, request.GET["org"])
    stage: int | None = None
    if request.GET.get("stage", "").isdigit() and int(request.GET["stage"]) in S.STAGES:
        stage = int(request.GET["stage"])
    status = request.GET.get("status", "")
    if status not in rules.STATUS_LABELS:
        status = ""
    q = request.GET.get("q", "")[:50]
    page = paginate(request, selectors.record_list(user, org=org, stage=stage, status=status or None, q=q))
    records = list(page.object_list)
    facts = selectors._light_facts(records)
    p = services.params.current()
    rows = []
    for r in records:
        overdue = [d for d in rules.deadlines(facts[r.pk], today=today, params=p) if d.state(today, p.reminder_days) == rules.OVERDUE]
        rows.append({"record": r, "status_label": rules.STATUS_LABELS[r.status], "badge": STATUS_BADGES.get(r.status, "secondary"),
                     "stage_label": S.STAGES[r.stage], "last_label": S.label(r.last_step, rules.version_on(today, p)) if r.last_step else "",
                     "overdue": overdue})  # fmt: skip
    return render(request, "recruitment/record_list.html", {
        "page": page, "rows": rows, "org": org, "stage": stage, "status": status, "q": q, "stages": S.STAGES.items(),
        "statuses": rules.STATUS_LABELS.items(), "can_write": user.can_write,
    })  # fmt: skip


# --- records ------------------------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = _record_orgs(user)
    initial = {}
    if request.GET.get("org", "").isdigit():
        initial["org"] = request.GET["org"]
    data = posted(request)
    form = forms.RecordCreateForm(data, actor=user, orgs=orgs, initial=initial)
    results: list[rules.RuleResult] | None = None
    checked = False
    if data is not None and form.is_valid():
        d = form.cleaned_data
        if request.POST.get("action") == "check":
            try:
                results = services.check_new_record(actor=user, org=d["org"], birth_date=d["birth_date"],
                                                    application=form.application(), leaving_unit_on=d["leaving_unit_on"])  # fmt: skip
                checked = True
            except ServiceError as exc:
                add_service_errors(form, exc)
        else:
            try:
                record = services.record_create(actor=user, org=d["org"], id_number=d["id_number"], phone=d["phone"],
                                                application=form.application(), override_reason=form.override_reason,
                                                **form.personal())  # fmt: skip
            except services.RuleBlocked as exc:
                results = exc.results
                committee = services.approving_committee(DevelopmentRecord(org=d["org"]))
                if _may_override(user, committee) and all(r.overridable for r in rules.blocking(exc.results)):
                    form = forms.RecordCreateForm(data, actor=user, orgs=orgs, offer_override=True)
                    form.is_valid()
                _blocked(form, exc)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已建立“{record.name}”的发展党员记录。")
                return redirect("recruitment:record_detail", record.pk)
    return render(request, "recruitment/record_form.html", {
        "form": form, "title": "新建发展党员记录（第1步：递交入党申请书）", "results": _results_context(results),
        "checked": checked, "with_check": True,
    })  # fmt: skip


@org_role_required
@require_GET
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    detail = selectors.record_detail(user, record_id, today=timezone.localdate())
    record = detail.record
    today = timezone.localdate()
    p = detail.params or services.params.current()
    version_now = rules.version_on(today, p)
    latest = record.steps.order_by("-date", "-number", "-id").first()
    deadlines = [{"d": d, "state": d.state(today, p.reminder_days)} for d in detail.deadlines]
    probationary = record.status == rules.PROBATIONARY
    return render(request, "recruitment/record_detail.html", _record_context(
        request, record, detail=detail, deadlines=deadlines, latest=latest,
        next_steps=[(n, S.label(n, version_now), S.get(n).stage_label) for n in detail.next_steps],
        withdraw_form=forms.WithdrawForm(initial={"version": record.version}),
        step_details={v.step.pk: shown_details(v.step.details) for v in detail.steps},
        can_stop=record.status in (rules.APPLICANT, rules.ACTIVIST, rules.CANDIDATE), can_probation=probationary,
        withdrawable=latest is not None and latest.number not in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL)
        and record.status not in (rules.STOPPED, rules.CANCELLED),
    ))  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    record = selectors.record_get(user, record_id)
    form = forms.RecordEditForm(posted(request), record=record)
    latest: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(actor=user, record=record, **form.service_kwargs())
        except ConflictError:
            fresh = selectors.record_get(user, record_id)
            form = with_fresh_version(forms.RecordEditForm, request, fresh.version, record=fresh)
            from dangjian.web.views import latest_values

            latest = latest_values(form, fresh, list(forms.RecordEditForm.EDITABLE))
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            return redirect("recruitment:record_detail", record.pk)
    return render(request, "recruitment/record_form.html", _record_context(
        request, record, form=form, title=f"编辑个人信息：{record.name}", latest=latest))


@never_cache
@org_role_required
@require_POST
def record_reveal(request: HttpRequest, record_id: int, field: str) -> HttpResponse:
    """The full ID number or phone (an htmx fragment); each view is an audit event."""
    record = selectors.record_get(_user(request), record_id)
    if field not in ("id_number", "phone"):
        raise Http404
    value = services.record_reveal(actor=_user(request), record=record, field=field)
    return render(request, "recruitment/_revealed.html", {"field": field, "value": value, "record": record})


# --- steps --------------------------------------------------------------------------------------------------


def _step_committee(record: DevelopmentRecord, step_in: services.StepIn | None) -> Org | None:
    org = step_in.approving_org if step_in else None
    return org if org is not None and org.can_approve_probationary else services.approving_committee(record)


@writer_required
@require_http_methods(["GET", "POST"])
def step_new(request: HttpRequest, record_id: int, number: int) -> HttpResponse:
    user = _user(request)
    record = selectors.record_get(user, record_id)
    if number not in S.BY_NUMBER or number == S.APPLICATION:
        raise Http404
    members = _branch_members(user, record)
    data = posted(request)
    form = forms.StepForm(data, number=number, record=record, members=members)
    results: list[rules.RuleResult] | None = None
    checked = False
    vote_preview = None
    if data is not None and form.is_valid():
        step_in = form.step_in()
        if step_in is not None:
            vote_preview = forms.vote_preview(step_in.vote)
            version = form.cleaned_data.get("version")
            if request.POST.get("action") == "check":
                try:
                    results = services.check_step(actor=user, record=record, step=step_in, today=timezone.localdate())
                    checked = True
                except ServiceError as exc:
                    add_service_errors(form, exc)
            else:
                try:
                    services.step_record(actor=user, record=record, step=step_in, override_reason=form.override_reason,
                                         version=version, today=timezone.localdate())  # fmt: skip
                except services.RuleBlocked as exc:
                    results = exc.results
                    if _may_override(user, _step_committee(record, step_in)) and all(
                            r.overridable for r in rules.blocking(exc.results)):  # fmt: skip
                        form = forms.StepForm(data, number=number, record=record, members=members, offer_override=True)
                        form.is_valid()
                    _blocked(form, exc)
                except ConflictError as exc:
                    form.add_error(None, exc.messages[0])
                except ServiceError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, f"已录入第{number}步。")
                    return redirect("recruitment:record_detail", record.pk)
    version_now = rules.version_on(timezone.localdate(), services.params.current())
    return render(request, "recruitment/step_form.html", _record_context(
        request, record, form=form, groups=form.groups(), step=S.get(number), step_label=S.label(number, version_now),
        results=_results_context(results), checked=checked, vote_preview=vote_preview,
        title=f"第{number}步：{S.label(number, version_now)}",
    ))  # fmt: skip


@writer_required
@require_POST
def step_withdraw(request: HttpRequest, step_id: int) -> HttpResponse:
    user = _user(request)
    step = _step_get(user, step_id)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因。")
        return redirect("recruitment:record_detail", step.record_id)
    try:
        services.step_withdraw(actor=user, step=step, reason=form.cleaned_data["reason"],
                               version=form.cleaned_data.get("version"))  # fmt: skip
    except ServiceError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except ConflictError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已撤销第{step.number}步。")
    return redirect("recruitment:record_detail", step.record_id)


# --- notices and documents ----------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    record = selectors.record_get(user, record_id)
    form = forms.NoticeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.notice_record(actor=user, record=record, kind=d["kind"], place=d["place"], start=d["start"],
                                            end=d["end"], objections=d["objections"], objection_count=d["objection_count"] or 0,
                                            handling=d["handling"], objection_result=d["objection_result"],
                                            today=timezone.localdate())  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记公示：{notice.start}至{notice.end}，共{notice.workdays}个工作日。")
            return redirect("recruitment:record_detail", record.pk)
    return render(request, "recruitment/record_form.html", _record_context(request, record, form=form, title="登记公示"))


@writer_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _user(request)
    notice = _notice_get(user, notice_id)
    record = selectors.record_get(user, notice.record_id)
    form = forms.NoticeUpdateForm(posted(request), initial={
        "version": notice.version, "objections": notice.objections, "objection_count": notice.objection_count,
        "handling": notice.handling, "objection_result": notice.objection_result})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.notice_update(actor=user, notice=notice, version=d["version"], objections=d["objections"],
                                   objection_count=d["objection_count"] or 0, handling=d["handling"],
                                   objection_result=d["objection_result"])  # fmt: skip
        except ConflictError as exc:
            form.add_error(None, exc.messages[0])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            return redirect("recruitment:record_detail", record.pk)
    title = f"公示结果：{rules.NOTICE_KINDS.get(notice.kind, '')} {notice.start}至{notice.end}（{notice.workdays}个工作日）"
    return render(request, "recruitment/record_form.html", _record_context(request, record, form=form, title=title))


@writer_required
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    record = selectors.record_get(user, record_id)
    form = forms.DocumentForm(posted(request), request.FILES or None, record=record)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            doc = services.document_add(actor=user, record=record, kind=d["kind"], file=d["file"], step=d.get("step"))
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已上传“{doc.original_name}”。")
            return redirect("recruitment:record_detail", record.pk)
    return render(request, "recruitment/record_form.html", _record_context(
        request, record, form=form, title="上传材料", multipart=True))


@org_role_required
@require_GET
def upload_file(request: HttpRequest, document_id: int) -> FileResponse:
    """An uploaded scan, only through a record in scope (the media directory is not served)."""
    doc = _document_get(_user(request), document_id)
    return stored_file_response(doc.file, original_name=doc.original_name, file_type=doc.file_type)


# --- outcomes -----------------------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, record_id: int, kind: str) -> HttpResponse:
    user = _user(request)
    record = selectors.record_get(user, record_id)
    data = posted(request)
    results: list[rules.RuleResult] | None = None
    if kind == rules.OUTCOME_STOPPED:
        form: Any = forms.StopForm(data)
    else:
        form = forms.ProbationOutcomeForm(data, record=record, extend=kind == rules.OUTCOME_EXTENDED)
    if data is not None and form.is_valid():
        d = form.cleaned_data
        today = timezone.localdate()
        try:
            if kind == rules.OUTCOME_STOPPED:
                services.outcome_stop(actor=user, record=record, date=d["date"], reason=d["reason"], today=today)
            else:
                mv, cv = form.votes()
                if mv is not None and cv is not None:
                    common = dict(actor=user, record=record, meeting_date=d["meeting_date"], approved_on=d["approved_on"],
                                  reason=d["reason"], meeting_vote=mv, approving_org=d["approving_org"], committee_vote=cv,
                                  override_reason=form.override_reason, today=today)  # fmt: skip
                    if kind == rules.OUTCOME_EXTENDED:
                        services.outcome_extend(months=d.get("months") or 0, **common)  # type: ignore[arg-type]
                    else:
                        services.outcome_cancel(**common)  # type: ignore[arg-type]
        except services.RuleBlocked as exc:
            results = exc.results
            if kind != rules.OUTCOME_STOPPED and _may_override(user, d.get("approving_org")) and all(
                    r.overridable for r in rules.blocking(exc.results)):  # fmt: skip
                form = forms.ProbationOutcomeForm(data, record=record, extend=kind == rules.OUTCOME_EXTENDED,
                                                  offer_override=True)
                form.is_valid()
            _blocked(form, exc)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            if not form.errors:
                messages.success(request, f"已办理“{rules.OUTCOME_LABELS[kind]}”。")
                return redirect("recruitment:record_detail", record.pk)
    return render(request, "recruitment/record_form.html", _record_context(
        request, record, form=form, title=rules.OUTCOME_LABELS[kind], results=_results_context(results)))


def member_development(actor: User, member: Member) -> dict[str, Any]:
    """The development history shown on a member's page (the record that admitted them), if in scope."""
    record = selectors.record_for_member(actor, member.pk)
    if record is None:
        return {"development": None}
    steps_ = list(record.steps.order_by("number", "date", "id"))
    return {"development": record, "development_steps": steps_,
            "development_url": selectors.record_url(record.pk)}




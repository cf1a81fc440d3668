"""The supervision pages (督办). Thin: parse input with supervision.forms, read through
supervision.selectors (every id from the URL through ``task_get``/``item_get``/``evidence_get``, which
answer 404 outside the user's scope), write through supervision.services and put their Chinese
messages back on the form. The act routes are POST-only; a refused act re-renders the item page with
the messages, nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.common.errors import ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.orgs import selectors as org_selectors
from dangjian.supervision import forms, rules, selectors, services, sheets
from dangjian.supervision.models import Item
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, paginate, posted, writer_required

ISSUED = "已下达督办任务，共生成{n}条事项。"
DONE = {
    rules.EV_ACKNOWLEDGE: "已签收。", rules.EV_PROGRESS: "已报告进度。", rules.EV_SUBMIT: "已报送，等待验收。",
    rules.EV_RETURN: "已退回。", rules.EV_ACCEPT: "已验收通过。",
}  # fmt: skip


# --- lists ---------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    box = request.GET.get("box", selectors.ISSUED)
    if box not in selectors.BOXES:
        box = selectors.ISSUED
    q = request.GET.get("q", "")[:50]
    ctx: dict[str, Any] = {"box": box, "boxes": selectors.BOXES.items(), "q": q, "can_write": user.can_write}
    if box == selectors.ISSUED:
        page = paginate(request, selectors.task_list(user, box, q, today=today))
        ctx.update(page=page, rows=[{"task": t, "completion": rules.rate(t.n_accepted, t.n_items),
                                     "on_time": rules.on_time_rate(t.n_on_time, t.n_accepted, t.n_red)} for t in page.object_list])  # fmt: skip
    else:
        items = selectors.received_items(user)
        if q.strip():
            items = items.filter(task__title__contains=q.strip())
        page = paginate(request, items)
        page_items = list(page.object_list)
        lights = selectors.item_lights(page_items, today)
        ctx.update(page=page, item_rows=[{"item": i, "light": lights[i.pk]} for i in page_items])
    return render(request, "supervision/task_list.html", ctx)


# --- issuing ---------------------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.TaskForm(posted(request), actor=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = services.task_issue(
                actor=user, issuer=d["issuer"], title=d["title"], basis=d["basis"], actions=d["actions"],
                evidence_required=d["evidence_required"], deadline=d["deadline"], recurrence=d["recurrence"],
                recur_until=d["recur_until"], responsible_leader=d["responsible_leader"], liaison_leader=d["liaison_leader"],
                receiver_orgs=list(d["receiver_orgs"]), receiver_users=list(d["receiver_users"]), today=timezone.localdate(),
            )  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ISSUED.format(n=task.items.count()))
            return redirect("supervision:task_detail", task.pk)
    return render(request, "supervision/task_form.html", {"form": form, "title": "下达督办任务"})


# --- a task and its board ---------------------------------------------------------------------------------


def _board(request: HttpRequest, task_id: int) -> selectors.Board:
    user = _user(request)
    task = selectors.task_get(user, task_id)
    f = forms.BoardFilter(request.GET)
    f.is_valid()
    d = getattr(f, "cleaned_data", {})
    return selectors.board(user, task, timezone.localdate(), township_id=d.get("township") or None,
                           light=d.get("light") or "", period=d.get("period") or "")  # fmt: skip


@org_role_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = _user(request)
    b = _board(request, task_id)
    task = b.task
    # A county task to 300 villages over 12 months is 3,600 rows: the page shows them a page at a time
    # (the figures above the table and the export cover every row of the filter).
    page = paginate(request, b.rows)
    return render(request, "supervision/task_detail.html", {
        "task": task, "board": b, "page": page, "issuer_side": selectors.is_issuer_side(user, task),
        "crumbs": [*org_selectors.ancestors(user, task.issuer), *([task.issuer] if selectors.is_issuer_side(user, task) else [])],
        "lights": rules.LIGHT_LABELS.items(), "export_query": _without_page(request),
    })  # fmt: skip


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@org_role_required
@require_GET
def board_export(request: HttpRequest, task_id: int) -> HttpResponse:
    b = _board(request, task_id)
    data = sheets.board_xlsx(b, timezone.localdate())
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{sheets.quoted_name(b.task)}"
    return resp


# --- an item ----------------------------------------------------------------------------------------------


def _item_page(request: HttpRequest, item: Item, status: int = 200, **forms_: Any) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    detail = selectors.item_detail(user, item, today)
    handle = services.may_handle(user, item)
    review = services.may_review(user, item)
    # A cascaded item goes up by itself once its children are accepted; until then there is nothing to submit.
    children_open = any(r.item.status != rules.ACCEPTED for r in detail.child_rows)
    ctx = {
        "item": item, "task": item.task, "detail": detail, "today": today,
        "may_handle": handle and item.status in rules.RECEIVER_TODO,
        "may_submit": handle and item.status in rules.RECEIVER_TODO and not children_open,
        "may_acknowledge": handle and item.status == rules.ASSIGNED,
        "may_cascade": handle and item.status in rules.RECEIVER_TODO and not item.receiver_user_id,
        "may_review": review and item.status == rules.SUBMITTED,
        "progress_form": forms_.get("progress_form") or forms.TextForm(),
        "submit_form": forms_.get("submit_form") or forms.SubmitForm(),
        "return_form": forms_.get("return_form") or forms.ReturnForm(),
        "accept_form": forms_.get("accept_form") or forms.AcceptForm(),
        "errors": forms_.get("errors") or [],
        "status_label": rules.STATUS_LABELS[item.status],
        "event_labels": rules.EVENT_LABELS,
    }  # fmt: skip
    return render(request, "supervision/item_detail.html", ctx, status=status)


@org_role_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_page(request, selectors.item_get(_user(request), item_id))


def _done(request: HttpRequest, item: Item, kind: str) -> HttpResponse:
    messages.success(request, DONE[kind])
    return redirect("supervision:item_detail", item.pk)


@writer_required
@require_POST
def item_acknowledge(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    try:
        services.item_acknowledge(actor=user, item=item, today=timezone.localdate())
    except ServiceError as exc:
        return _item_page(request, item, errors=exc.messages)
    return _done(request, item, rules.EV_ACKNOWLEDGE)


@writer_required
@require_POST
def item_progress(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    form = forms.TextForm(request.POST)
    if form.is_valid():
        try:
            services.item_progress(actor=user, item=item, text=form.cleaned_data["text"], today=timezone.localdate())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, item, rules.EV_PROGRESS)
    return _item_page(request, item, progress_form=form)


@writer_required
@require_POST
def item_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    form = forms.SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.item_submit(actor=user, item=item, text=form.cleaned_data["text"], files=form.cleaned_data["attachments"],
                                 today=timezone.localdate())  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc, aliases={"files": "attachments"})
        else:
            return _done(request, item, rules.EV_SUBMIT)
    return _item_page(request, item, submit_form=form)


@writer_required
@require_POST
def item_return(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.item_return(actor=user, item=item, reason=form.cleaned_data["reason"], today=timezone.localdate())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, item, rules.EV_RETURN)
    return _item_page(request, item, return_form=form)


@writer_required
@require_POST
def item_accept(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    form = forms.AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.item_accept(actor=user, item=item, text=form.cleaned_data["text"], today=timezone.localdate())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, item, rules.EV_ACCEPT)
    return _item_page(request, item, accept_form=form)


@writer_required
@require_http_methods(["GET", "POST"])
def item_cascade(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, item_id)
    if not services.may_handle(user, item):
        raise Http404
    today = timezone.localdate()
    overdue = today > item.deadline
    # An overdue item's own deadline is no longer a valid choice: the user picks a day from today on.
    form = forms.CascadeForm(posted(request), actor=user, root=item.receiver_org, overdue=overdue,
                             already=selectors.cascaded_to(user, item),
                             initial={} if overdue else {"deadline": item.deadline})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = services.item_cascade(actor=user, item=item, receiver_orgs=list(d["receiver_orgs"]), deadline=d["deadline"],
                                         responsible_leader=d["responsible_leader"], liaison_leader=d["liaison_leader"],
                                         today=today)  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已转办下级。")
            return redirect("supervision:task_detail", task.pk)
    return render(request, "supervision/cascade_form.html", {"form": form, "item": item, "title": "转办下级"})


@org_role_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, only through an item in scope (the media directory is not served)."""
    ev = selectors.evidence_get(_user(request), evidence_id)
    return stored_file_response(ev.file, original_name=ev.original_name, file_type=ev.file_type)

"""The pages. Thin: parse input, read through selectors (the acting user first; ids from the URL
through org_get / member_get, which answer 404 outside the user's scope), write through services and
put their Chinese messages back on the form. NotPermitted answers 404, like anything out of scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.common import services as common_services
from dangjian.common import settings_registry, workdays
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.dues.selectors import member_dues_summary
from dangjian.members import rules as member_rules
from dangjian.members import selectors as member_selectors
from dangjian.members import services as member_services
from dangjian.members.models import Member
from dangjian.orglife.selectors import member_orglife_summary
from dangjian.orgs import rules as org_rules
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Org
from dangjian.web import forms
from dangjian.web import selectors as web_selectors

View = Callable[..., HttpResponseBase]


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view below is behind login_required)."""
    return cast(User, request.user)


def org_role_required(view: View) -> View:
    """Pages of the organization side: anyone else (a member) finds nothing here."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if _user(request).role not in ORG_ROLES:
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotPermitted:
            raise Http404 from None

    return login_required(wrapped)


def writer_required(view: View) -> View:
    """Write pages: read-only users (inspector, member) find nothing here (404, not 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _user(request).can_write:
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotPermitted:
            raise Http404 from None

    return login_required(wrapped)


def posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one, so that required fields say so), else None."""
    return request.POST if request.method == "POST" else None


class _CountedPaginator(Paginator):
    """A paginator told its total (from counts already read) instead of running COUNT(*)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(request: HttpRequest, items: Any, *, count: int | None = None) -> Page:
    paginator = Paginator(items, settings.PAGE_SIZE) if count is None else _CountedPaginator(
        items, settings.PAGE_SIZE, count=count)
    return paginator.get_page(request.GET.get("page"))


def with_fresh_version(form_class: type, request: HttpRequest, version: int, **kwargs: Any) -> Any:
    """After a conflict: the user's input as they typed it, re-bound with the version now saved, so
    that saving again after checking the latest content is a deliberate choice."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, ConflictError().messages[0])
    return form


def latest_values(form: Any, obj: Any, names: list[str]) -> list[tuple[str, str]]:
    """The saved values that differ from what the user typed, for the conflict notice."""
    out = []
    cleaned = getattr(form, "cleaned_data", {})
    for name in names:
        current = getattr(obj, name)
        if name in cleaned and cleaned[name] == current:
            continue
        field = form.fields.get(name)
        choices = dict(getattr(field, "choices", []) or [])
        shown = choices.get(current, current)
        if isinstance(current, bool):
            shown = "是" if current else "否"
        out.append((field.label if field else name, "" if shown is None else str(shown)))
    return out


# --- login ---------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = forms.LoginForm(request, posted(request))
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)
        return HttpResponseRedirect(next_url or reverse(settings.LOGIN_REDIRECT_URL))
    return render(request, "web/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


# --- home and self-service -----------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    if user.role == Role.MEMBER:
        member = member_selectors.member_get(user, user.member_id) if user.member_id else None
        facts = web_selectors.member_facts(member, today) if member else None
        return render(request, "web/home_member.html", {"member": member, "facts": facts})
    items = web_selectors.work_queue(user, today)
    groups = web_selectors.work_groups(items)
    group = request.GET.get("group", "")
    total = len(items)
    if group:
        items = [i for i in items if i.group == group]
    return render(request, "web/home.html", {
        "page": paginate(request, items), "groups": groups, "group": group, "today": today, "total": total,
        "roots": org_selectors.org_roots(user),
    })  # fmt: skip


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.member_id:
        raise Http404
    member = member_selectors.member_get(user, user.member_id)
    year = timezone.localdate().year
    return render(request, "web/me.html", {
        **_member_context(request, member),
        "dues_summary": member_dues_summary(user, member, year),
        "orglife_summary": member_orglife_summary(user, member, year),
    })  # fmt: skip


# --- organizations -------------------------------------------------------------------------------------


@org_role_required
@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = org_selectors.org_search(_user(request), q) if q else []
    return render(request, "web/org_tree.html", {
        "q": q, "results": results, "tree": web_selectors.tree_around(_user(request)),
        "roots": org_selectors.org_roots(_user(request)),
    })  # fmt: skip


@org_role_required
@require_GET
def org_children(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_selectors.org_get(_user(request), pk)
    nodes = [web_selectors.TreeNode(o) for o in org_selectors.org_children(_user(request), org)]
    return render(request, "web/org_children.html", {"nodes": nodes, "parent": org})


FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")


@org_role_required
@require_GET
def org_pick(request: HttpRequest) -> HttpResponse:
    field = request.GET.get("field", "org")
    if not FIELD_NAME.match(field):
        field = "org"
    q = request.GET.get(f"{field}_search", request.GET.get("q", ""))
    purpose = request.GET.get("purpose", "any")
    results = web_selectors.org_pick(_user(request), q, purpose=purpose)
    return render(request, "web/org_pick.html", {"results": results, "field": field, "q": q.strip()})


@org_role_required
@require_GET
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, pk)
    today = timezone.localdate()
    counts = org_selectors.org_counts(user, org, today=today)
    children = list(org_selectors.org_children(user, org, include_dissolved=True))
    # One call for the organization and its children: one member GROUP BY, one units count.
    findings = org_selectors.structure_findings(user, [org, *children])
    filters = forms.OrgMembersFilter(request.GET or None, choices=web_selectors.MEMBER_STATUS_FILTERS)
    status, as_of = "", None
    if filters.is_valid():
        status, as_of = filters.cleaned_data["status"], filters.cleaned_data["as_of"]
    members = web_selectors.org_members(user, org, status=status, as_of=as_of)
    crumbs = org_selectors.ancestors(user, org)
    status_labels = member_rules.STATUS_LABELS
    charts = {
        "status": {"type": "pie", "title": "党籍状态",
                   "data": [[status_labels[s], n] for s, n in counts.by_status.items()]},
        "sex": {"type": "pie", "title": "性别", "data": [[k, v] for k, v in counts.by_sex.items()]},
        "age": {"type": "bar", "title": "年龄", "data": [list(x) for x in counts.by_age]},
        "education": {"type": "bar", "title": "学历", "data": [list(x) for x in counts.by_education]},
    }  # fmt: skip
    return render(request, "web/org_detail.html", {
        "org": org, "crumbs": crumbs,
        "counts": counts, "charts": charts,
        "findings": findings.get(org.pk, []),
        "events": org_selectors.org_events(user, org),
        "children": [(c, findings.get(c.pk, [])) for c in children],
        "filters": filters, "as_of": as_of,
        "page": paginate(request, members, count=_listed_count(counts, status, as_of)),
        "tree": web_selectors.tree_around(user, org, ancestors=crumbs,
                                          current_children=[c for c in children if c.is_active]),
        "term_ends_on": org_rules.term_ends_on(org.term_started_on, org.term_years),
        "holds_members": org.org_type in org_rules.HOLDS_MEMBERS and org.is_active,
        "can_write": user.can_write,
        "structure_actions": org_selectors.org_structure_actions(user, org),
        "panels": web_selectors.org_panels(user, org, today),
    })  # fmt: skip


def _listed_count(counts: org_selectors.OrgCounts, status: str, as_of: Any) -> int | None:
    """How many members the organization page's list holds, when the counts just read already say:
    today's roster (no date) is exactly the members org_counts counted — the same subtree, scope
    and statuses — so the list needs no COUNT(*) of its own. Former members and past dates: None."""
    if as_of is not None:
        return None
    if not status:
        return counts.total
    return counts.by_status.get(status)


def _org_form_page(request: HttpRequest, org: Org, form: Any, title: str, **extra: Any) -> HttpResponse:
    return render(request, "web/org_form.html", {
        "org": org, "form": form, "title": title,
        "crumbs": [*org_selectors.ancestors(_user(request), org), org],
        **extra,
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = org_selectors.org_get(_user(request), pk)
    form = forms.OrgCreateForm(posted(request), actor=_user(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = org_services.org_create(
                actor=_user(request), parent=parent, name=d["name"], code=d["code"].strip(),
                org_type=d["org_type"], established_on=d["established_on"], doc_number=d["doc_number"],
                **form.service_fields(),
            )  # fmt: skip
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, f"已成立“{org.name}”。")
            return redirect("web:org_detail", org.pk)
    return _org_form_page(request, parent, form, f"在“{parent.name}”下成立党组织")


@writer_required
@require_http_methods(["GET", "POST"])
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, pk)
    form = forms.OrgEditForm(posted(request), actor=user, org=org)
    latest: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            org_services.org_update(actor=user, org=org, version=form.cleaned_data["version"], **form.service_fields())
        except ConflictError:
            fresh = org_selectors.org_get(user, pk)
            form = with_fresh_version(forms.OrgEditForm, request, fresh.version, actor=user, org=fresh)
            latest = latest_values(form, fresh, forms.PLAIN_ORG_FIELDS)
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("web:org_detail", org.pk)
    return _org_form_page(request, org, form, "编辑党组织信息", latest=latest)


ORG_EVENTS: dict[str, tuple[type[forms.OrgEventForm], Callable[..., Org]]] = {
    "rename": (forms.OrgRenameForm, lambda actor, org, d: org_services.org_rename(
        actor=actor, org=org, name=d["name"], short_name=d["short_name"], date=d["date"], doc_number=d["doc_number"])),
    "change_type": (forms.OrgChangeTypeForm, lambda actor, org, d: org_services.org_change_type(
        actor=actor, org=org, org_type=d["org_type"], date=d["date"], doc_number=d["doc_number"])),
    "move": (forms.OrgMoveForm, lambda actor, org, d: org_services.org_move(
        actor=actor, org=org, new_parent=d["new_parent"], date=d["date"], doc_number=d["doc_number"])),
    "merge": (forms.OrgMergeForm, lambda actor, org, d: org_services.org_merge(
        actor=actor, org=org, into=d["into"], date=d["date"], doc_number=d["doc_number"])),
    "dissolve": (forms.OrgDissolveForm, lambda actor, org, d: org_services.org_dissolve(
        actor=actor, org=org, date=d["date"], doc_number=d["doc_number"], note=d["note"])),
}  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def org_event(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One form per dated organization event: 更名, 调整组织类型, 调整隶属关系, 合并, 撤销."""
    org = org_selectors.org_get(_user(request), pk)
    form_class, action = ORG_EVENTS[kind]
    form = form_class(posted(request), actor=_user(request), org=org)
    if request.method == "POST" and form.is_valid():
        try:
            action(_user(request), org, form.cleaned_data)
        except ServiceError as exc:
            forms.add_service_errors(form, exc, form.aliases)
        else:
            messages.success(request, f"已办理“{form.title}”。")
            return redirect("web:org_detail", org.pk)
    return _org_form_page(request, org, form, f"{form.title}：{org.name}", event_kind=kind)


# --- members -------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def member_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    include_former = request.GET.get("former") == "1"
    results = member_selectors.member_search(_user(request), q, include_former=include_former).select_related("org")
    if not results.ordered:  # an exact ID-number match
        results = results.order_by("pk")
    return render(request, "web/member_search.html", {
        "q": q, "former": include_former, "page": paginate(request, results),
    })  # fmt: skip


def _member_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    user = _user(request)
    return {
        "member": member,
        "facts": web_selectors.member_facts(member),
        "timeline": member_selectors.member_timeline(user, member),
        "org_links": user.role in ORG_ROLES,
        "can_write": user.can_write and user.role in ORG_ROLES,
        "crumbs": [*org_selectors.ancestors(user, member.org), member.org]
        if member.org and user.role in ORG_ROLES else [],
    }


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from dangjian.recruitment.selectors import record_for_member

    member = member_selectors.member_get(_user(request), pk)
    # A member admitted through membership development shows the record's steps (全程纪实).
    development = record_for_member(_user(request), member.pk)
    return render(request, "web/member_detail.html", {
        **_member_context(request, member), "development": development,
        "development_steps": list(development.steps.select_related("approving_org").order_by("number", "date", "id")) if development else [],
    })  # fmt: skip


@login_required
@require_GET
def member_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_selectors.member_get(_user(request), pk)
    return render(request, "web/member_timeline.html", _member_context(request, member))


@never_cache
@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The full ID number or phone (an htmx fragment); each view is an audit event."""
    member = member_selectors.member_get(_user(request), pk)
    if field not in ("id_number", "phone"):
        raise Http404
    try:
        value = member_services.member_reveal(actor=_user(request), member=member, field=field)
    except NotPermitted:
        raise Http404 from None
    return render(request, "web/_revealed.html", {"field": field, "value": value, "member": member})


@writer_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_selectors.org_get(_user(request), pk)
    form = forms.MemberCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = member_services.member_create(actor=_user(request), org=org, **form.service_kwargs())
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, f"已录入党员“{member.name}”。")
            return redirect("web:member_detail", member.pk)
    return render(request, "web/member_form.html", {
        "form": form, "org": org, "title": f"在“{org.name}”录入党员",
        "crumbs": [*org_selectors.ancestors(_user(request), org), org],
        "show_when": {"status": "recorded,transfer_in", "joined_on": "recorded,transfer_in",
                      "converted_on": "recorded,transfer_in", "letter_number": "transfer_in"},
        "show_when_field": "first_event",
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    form = forms.MemberEditForm(posted(request), member=member)
    latest: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            member_services.member_update(actor=user, member=member, **form.service_kwargs())
        except ConflictError:
            fresh = member_selectors.member_get(user, pk)
            form = with_fresh_version(forms.MemberEditForm, request, fresh.version, member=fresh)
            latest = latest_values(form, fresh, list(member_services.PERSONAL_FIELDS))
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("web:member_detail", member.pk)
    return render(request, "web/member_form.html", {
        "form": form, "member": member, "org": member.org, "title": f"编辑党员信息：{member.name}", "latest": latest,
        "crumbs": [*org_selectors.ancestors(user, member.org), member.org] if member.org else [],
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def member_event(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    form = forms.MemberEventForm(posted(request), actor=user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            event = member_services.member_add_event(actor=user, member=member, **form.service_kwargs())
        except ConflictError:
            fresh = member_selectors.member_get(user, pk)
            form = with_fresh_version(forms.MemberEventForm, request, fresh.version, actor=user, member=fresh)
        except ServiceError as exc:
            forms.add_service_errors(form, exc, {"org": "to_org"})
        else:
            messages.success(request, f"已办理“{event.get_kind_display()}”。")
            return redirect("web:member_detail", member.pk)
    show_when = {f: ",".join(kinds) for f, kinds in forms.MemberEventForm.SHOW_WHEN.items()}
    return render(request, "web/member_form.html", {
        "form": form, "member": member, "org": member.org, "title": f"办理党员事项：{member.name}",
        "crumbs": [*org_selectors.ancestors(user, member.org), member.org] if member.org else [],
        "show_when": show_when, "show_when_field": "kind",
    })  # fmt: skip


# --- audit ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_county_admin:
        raise Http404
    form = forms.AuditFilterForm(request.GET or None, actor=user, action_choices=web_selectors.AUDIT_ACTION_FILTERS)
    filters = web_selectors.AuditFilters()
    if form.is_valid():
        filters = web_selectors.AuditFilters(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    events = web_selectors.audit_events(user, filters)
    return render(request, "web/audit.html", {"form": form, "page": paginate(request, events)})


# --- configurable rule parameters (county administrators) ----------------------------------------------


def _parse_setting(param: settings_registry.Parameter, raw: str) -> Any:
    """The submitted text as the parameter's type; anything unparsable goes to the service as text,
    which refuses it with its Chinese message."""
    if isinstance(param.default, bool):
        return raw in ("1", "true", "on", "是")
    if isinstance(param.default, int | float):
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if isinstance(param.default, int) and number.is_integer() else number
    return raw.strip()


@login_required
@require_http_methods(["GET", "POST"])
def rule_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_county_admin:
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        key = request.POST.get("key", "")
        param = settings_registry.REGISTRY.get(key)
        if param is None:
            raise Http404
        try:
            common_services.setting_update(actor=user, key=key, value=_parse_setting(param, request.POST.get("value", "")))
        except ServiceError as exc:
            errors[key] = exc.messages
        else:
            messages.success(request, f"已修改“{param.label}”。")
            return redirect("web:settings")
    params = [(p, settings_registry.get(p.key), errors.get(p.key, [])) for p in settings_registry.REGISTRY.values()]
    return render(request, "web/settings.html", {"params": params}, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def holiday_schedules(request: HttpRequest) -> HttpResponse:
    """工作日日历: the years chinese-calendar covers, and the 放假安排 recorded for the years it does not yet."""
    user = _user(request)
    if not user.is_county_admin:
        raise Http404
    form = forms.HolidayScheduleForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            year = request.POST["delete"]
            try:
                common_services.holiday_schedule_delete(actor=user, year=int(year) if year.isdigit() else 0)
            except NotPermitted:
                raise Http404 from None
            messages.success(request, f"已删除{year}年的放假安排。")
            return redirect("web:holidays")
        if form.is_valid():
            d = form.cleaned_data
            try:
                common_services.holiday_schedule_save(actor=user, year=d["year"], holidays=d["holidays"],
                                                      makeup_workdays=d["makeup_workdays"], basis=d["basis"])
            except ServiceError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存{d['year']}年的放假安排。")
                return redirect("web:holidays")
    first, last = workdays.coverage()
    context = {"form": form, "first": first, "last": last, "schedules": web_selectors.holiday_schedules(user)}
    return render(request, "web/holidays.html", context, status=400 if form.errors else 200)

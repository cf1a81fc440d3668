"""Pages of organizational life. Thin: ids from the URL go through the scoped accessors (404 outside
the user's subtree), reads through selectors, writes through services, whose Chinese messages go
back on the form. Read-only users (inspector) see the pages but not the write pages (404)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import ORG_ROLES, Role
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, members_in_subtree
from dangjian.orglife import forms, params, rules, selectors, services
from dangjian.orglife.models import Meeting
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import ancestors, org_children, org_get, org_roots
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, posted, writer_required

CHECKLIST_LIMIT = 300  # above this many members a checklist is useless on a phone: ID numbers instead


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _year(request: HttpRequest) -> int:
    return forms.YearForm(request.GET).year_or(timezone.localdate().year)


def _org_context(request: HttpRequest, org: Org, section: str, **extra: Any) -> dict[str, Any]:
    """What every org page shows around its content: breadcrumb (to the same section one level up),
    the section tabs, the year."""
    user = _user(request)
    today = timezone.localdate()
    return {
        "org": org, "section": section, "crumbs": ancestors(user, org), "today": today,
        "year": extra.pop("year", _year(request)), "years": selectors.year_choices(today),
        "is_branch": org.org_type in selectors.COMPLIANCE_TYPES,
        "holds_meetings": org.org_type in services.HOLDS_MEETINGS,
        "can_write": user.can_write and org.is_active, **extra,
    }  # fmt: skip


# --- landing ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """组织生活: a member sees their own year; an organization user their organizations."""
    user = _user(request)
    if user.role == Role.MEMBER:
        if not user.member_id:
            raise Http404
        return redirect("orglife:member", user.member_id)
    if user.role not in ORG_ROLES:
        raise Http404
    roots = org_roots(user)
    if len(roots) == 1:
        return redirect("orglife:org", roots[0].pk)
    return render(request, "orglife/home.html", {"roots": roots})


@org_role_required
@require_GET
def org_home(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    ctx = _org_context(request, org, "overview")
    year, today = ctx["year"], ctx["today"]
    ctx.update(
        ranking=selectors.compliance_ranking(user, org, year, today),
        hours=selectors.class_hours_rollup(user, org, year),
        recent=selectors.org_meetings(user, org, year=year)[:8],
        children=list(org_children(user, org)),
    )  # fmt: skip
    if ctx["is_branch"]:
        ctx["cal"] = selectors.branch_calendar(user, org, year, today)
        ctx["kind_labels"] = rules.KIND_LABELS
    return render(request, "orglife/org.html", ctx)


# --- meetings -------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    f = forms.YearForm(request.GET)
    kind = f.cleaned_data.get("kind", "") if f.is_valid() else ""
    ctx = _org_context(request, org, "meetings", kind=kind, kinds=list(rules.KIND_LABELS.items()))
    ctx["page"] = _paginate(request, selectors.org_meetings(user, org, year=ctx["year"], kind=kind))
    return render(request, "orglife/meetings.html", ctx)


def _allowed_kinds(org: Org) -> list[str]:
    return [rules.GROUP_MEETING] if org.org_type == org_rules.PARTY_GROUP else list(rules.KINDS)


def _branch_of(org: Org) -> Org:
    if org.org_type == org_rules.PARTY_GROUP:
        parent = Org.objects.get_parent(org)
        if parent is not None:
            return cast(Org, parent)
    return org


MEETING_FIELD_GROUPS = {
    "main_fields": ("kind", "date", "topic", "place", "host", "recorder", "group_name"),
    "study_fields": ("counts_as_study", "duration_hours", "recorded_hours"),
    "text_fields": ("agenda", "minutes", "decisions"),
    "file_fields": ("photos", "attachments"),
}


def _meeting_form_page(request: HttpRequest, org: Org, meeting: Meeting | None) -> HttpResponse:
    user = _user(request)
    if org.org_type not in services.HOLDS_MEETINGS:
        raise Http404
    form = forms.MeetingForm(posted(request), _files(request), meeting=meeting, kinds=_allowed_kinds(org))
    today = timezone.localdate()
    on = forms.default_date(form, meeting.date if meeting else today)
    if on > today:
        on = today
    branch = _branch_of(org)
    roster = list(selectors.branch_roster(user, branch, on))
    existing = {a.member_id: a for a in meeting.attendance.select_related("member", "member__org")} if meeting else {}
    people: dict[int, Member] = {m.pk: m for m in roster}
    guests = [a for a in existing.values() if a.is_guest or a.member_id not in people]
    for a in guests:
        people[a.member_id] = a.member
    new_guest_numbers: list[str] = []
    new_guests: list[Member] = []
    if request.method == "POST":
        for number in request.POST.getlist("guest_id_number"):
            found = selectors.mobile_member_by_id_number(user, number, on)
            if found is None:
                form.add_error(None, forms.GUEST_NOT_FOUND.format(number=number))
            elif found.pk not in people:
                new_guests.append(found)
                new_guest_numbers.append(number)
        if form.is_valid():
            attendance = forms.parse_attendance(request.POST, people)
            attendance += [services.AttendanceIn(member=m, status=rules.PRESENT) for m in new_guests]
            try:
                if meeting is None:
                    saved = services.meeting_record(actor=user, org=org, fields=form.meeting_fields(),
                                                    attendance=attendance, uploads=form.uploads())
                else:
                    saved = services.meeting_update(
                        actor=user, meeting=meeting, version=form.cleaned_data["version"] or 0,
                        fields=form.meeting_fields(), attendance=attendance, uploads=form.uploads(),
                    )  # fmt: skip
            except ConflictError as exc:
                form.add_error(None, exc.messages[0])
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存“{saved.topic}”。")
                return redirect("orglife:meeting_detail", saved.pk)
    statuses = {pk: (request.POST.get(f"att-{pk}", "") if request.method == "POST"
                     else existing[pk].status if pk in existing else ("" if meeting else rules.PRESENT))
                for pk in people}  # fmt: skip
    notes = {pk: request.POST.get(f"note-{pk}", "") if request.method == "POST" else
             (existing[pk].note if pk in existing else "") for pk in people}  # fmt: skip
    rows = [(m, statuses[m.pk], notes[m.pk]) for m in roster]
    guest_rows = [(a.member, statuses[a.member_id], notes[a.member_id]) for a in guests]
    title = f"记录会议：{org.name}" if meeting is None else f"编辑会议：{meeting.topic}"
    return render(request, "orglife/meeting_form.html", {
        **_org_context(request, org, "meetings"), "form": form, "meeting": meeting, "title": title,
        "rows": rows, "guest_rows": guest_rows, "new_guests": list(zip(new_guests, new_guest_numbers, strict=True)),
        "statuses": list(rules.ATTENDANCE_LABELS.items()), "roster_date": on, "branch": branch,
        **{name: [form[f] for f in fs] for name, fs in MEETING_FIELD_GROUPS.items()},
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_get(_user(request), pk)
    return _meeting_form_page(request, org, None)


@writer_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(_user(request), pk)
    return _meeting_form_page(request, meeting.org, meeting)


@writer_required
@require_GET
def guest_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a row for a mobile member from elsewhere, found by exact ID number (R5.4)."""
    user = _user(request)
    org_get(user, pk)
    number = request.GET.get("guest_lookup", "").strip()
    on = timezone.localdate()
    with contextlib.suppress(ValueError):
        on = min(on, dt.date.fromisoformat(request.GET.get("date", "")))
    member = selectors.mobile_member_by_id_number(user, number, on) if number else None
    return render(request, "orglife/_guest_row.html", {"member": member, "number": number, "date": on})


@org_role_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user, pk)
    attendance = selectors.meeting_attendance(user, meeting)
    counts = {label: sum(a.status == code for a in attendance) for code, label in rules.ATTENDANCE_LABELS.items()}
    return render(request, "orglife/meeting_detail.html", {
        **_org_context(request, meeting.org, "meetings", year=meeting.date.year), "meeting": meeting,
        "attendance": attendance, "counts": counts, "files": selectors.meeting_files(user, meeting),
        "files_form": forms.FilesForm(), "is_appraisal": meeting.kind == rules.APPRAISAL,
        "grade_counts": [(label, sum(a.grade == code for a in attendance)) for code, label in rules.GRADE_LABELS.items()],
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def meeting_grades(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user, pk)
    if meeting.kind != rules.APPRAISAL:
        raise Http404
    attendance = selectors.meeting_attendance(user, meeting)
    errors: list[str] = []
    if request.method == "POST":
        grades = {a.member_id: request.POST.get(f"grade-{a.member_id}", "") for a in attendance}
        try:
            services.appraisal_grades_record(actor=user, meeting=meeting, grades=grades)
        except ServiceError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已保存评议等次。")
            return redirect("orglife:meeting_detail", meeting.pk)
    chosen = {a.member_id: request.POST.get(f"grade-{a.member_id}", a.grade) if request.method == "POST" else a.grade
              for a in attendance}  # fmt: skip
    return render(request, "orglife/meeting_grades.html", {
        **_org_context(request, meeting.org, "meetings", year=meeting.date.year), "meeting": meeting,
        "rows": [(a, chosen[a.member_id]) for a in attendance], "grades": list(rules.GRADE_LABELS.items()),
        "errors": errors,
    })  # fmt: skip


@writer_required
@require_POST
def meeting_files_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user, pk)
    form = forms.FilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_file_add(actor=user, meeting=meeting, uploads=form.uploads())
        except ServiceError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, "已上传。")
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("orglife:meeting_detail", meeting.pk)


@org_role_required
@require_GET
def meeting_file(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or attachment, only to users who may see its meeting (never a public media URL)."""
    mf = selectors.meeting_file_get(_user(request), pk)
    return stored_file_response(mf.file, original_name=mf.original_name, file_type=mf.file_type)


# --- compliance -------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    if org.org_type not in selectors.COMPLIANCE_TYPES:
        return redirect("orglife:ranking", org.pk)
    ctx = _org_context(request, org, "calendar")
    cal = selectors.branch_calendar(user, org, ctx["year"], ctx["today"])
    lecture = params.lecture_period_months()
    ctx.update(
        cal=cal, months=range(1, 13),
        kinds=[(k, rules.KIND_LABELS[k], rules.frequency_label(rules.required_period_months(k, lecture_period_months=lecture)),
                rules.KIND_ARTICLES[k], cal.calendar[k]) for k in rules.KINDS],
    )  # fmt: skip
    return render(request, "orglife/calendar.html", ctx)


@org_role_required
@require_GET
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    ctx = _org_context(request, org, "ranking")
    r = selectors.compliance_ranking(user, org, ctx["year"], ctx["today"])
    green, amber = params.bands()
    ctx.update(ranking=r, page=_paginate(request, r.branches), green=green, amber=amber)
    return render(request, "orglife/ranking.html", ctx)


# --- class hours -----------------------------------------------------------------------------------------


@org_role_required
@require_GET
def class_hours(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    f = forms.YearForm(request.GET)
    short = bool(f.cleaned_data.get("short")) if f.is_valid() else False
    ctx = _org_context(request, org, "class_hours", short=short)
    rollup = selectors.class_hours_rollup(user, org, ctx["year"])
    members = selectors.class_hours_members(user, org, ctx["year"], short_only=short)
    ctx.update(rollup=rollup, page=_paginate(request, members), targets=params.targets())
    return render(request, "orglife/class_hours.html", ctx)


@login_required
@require_GET
def member_year(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's organizational life and class hours for a year (the member themselves, or the
    organizations above them)."""
    user = _user(request)
    member = member_get(user, pk)
    year = _year(request)
    return render(request, "orglife/member.html", {
        "member": member, "year": year, "years": selectors.year_choices(timezone.localdate()),
        "orglife_summary": selectors.member_orglife_summary(user, member, year),
        "org_links": user.role in ORG_ROLES,
    })  # fmt: skip


# --- training --------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def trainings(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    ctx = _org_context(request, org, "trainings")
    ctx["page"] = _paginate(request, selectors.org_trainings(user, org, year=ctx["year"]))
    return render(request, "orglife/trainings.html", ctx)


@writer_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = org_get(user, pk)
    form = forms.TrainingForm(posted(request))
    candidates = members_in_subtree(user, org).filter(status__in=member_rules.ACTIVE).select_related("org")
    checklist = list(candidates.order_by("org__path", "name_pinyin")[: CHECKLIST_LIMIT + 1])
    too_many = len(checklist) > CHECKLIST_LIMIT
    if too_many:
        checklist = []
    chosen = {int(x) for x in request.POST.getlist("attendee") if x.isdigit()} if request.method == "POST" else set()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        by_pk = {m.pk: m for m in checklist}
        attendees = [by_pk[x] for x in sorted(chosen) if x in by_pk]
        found, missing = selectors.members_by_id_numbers(user, form.numbers())
        if missing:
            form.add_error("id_numbers", forms.ID_NUMBERS_NOT_FOUND.format(numbers="、".join(missing)))
        else:
            attendees += [m for m in found if m.pk not in {a.pk for a in attendees}]
            try:
                session = services.training_record(
                    actor=user, org=org, title=d["title"], kind=d["kind"], date=d["date"], end_date=d["end_date"],
                    days=d["days"], half_days=d["half_days"], hours=d["hours"], place=d["place"],
                    organizer=d["organizer"], note=d["note"], attendees=attendees,
                )  # fmt: skip
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已记录培训“{session.title}”，每人计{session.credited_hours}学时。")
                return redirect("orglife:training_detail", session.pk)
    c = params.crediting()
    return render(request, "orglife/training_form.html", {
        **_org_context(request, org, "trainings"), "form": form, "checklist": checklist, "too_many": too_many,
        "chosen": chosen, "crediting": c, "title": f"记录培训：{org.name}",
    })  # fmt: skip


@org_role_required
@require_GET
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = selectors.training_get(user, pk)
    return render(request, "orglife/training_detail.html", {
        **_org_context(request, session.org, "trainings", year=session.date.year), "session": session,
        "attendees": selectors.training_attendees(user, session),
    })  # fmt: skip


# --- committee posts -------------------------------------------------------------------------------------


@org_role_required
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    """支委成员: who holds a committee post (and so the 56-hour target, R5.1)."""
    user = _user(request)
    org = org_get(user, pk)
    if request.method == "POST" and not user.can_write:
        raise Http404
    members = list(members_in_subtree(user, org).filter(status__in=member_rules.ACTIVE)
                   .order_by("name_pinyin")[: CHECKLIST_LIMIT])  # fmt: skip
    form = forms.CommitteePostForm(posted(request), members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member: Member | None = next((m for m in members if m.pk == d["member"]), None)
        if member is None and d.get("id_number"):
            found, _ = selectors.members_by_id_numbers(user, [d["id_number"]])
            member = found[0] if found else None
        if member is None:
            form.add_error("member", forms.MEMBER_REQUIRED)
        else:
            try:
                services.committee_post_add(actor=user, org=org, member=member, post=d["post"], started_on=d["started_on"])
            except NotPermitted:
                raise Http404 from None
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记{member.name}任{rules.POST_LABELS[d['post']]}。")
                return redirect("orglife:committee", org.pk)
    return render(request, "orglife/committee.html", {
        **_org_context(request, org, "committee"), "posts": selectors.committee_posts(user, org), "form": form,
        "end_form": forms.EndPostForm(),
    })  # fmt: skip


@writer_required
@require_POST
def committee_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    post = selectors.committee_post_get(user, pk)
    form = forms.EndPostForm(request.POST)
    if form.is_valid():
        try:
            services.committee_post_end(actor=user, post=post, ended_on=form.cleaned_data["ended_on"])
        except ServiceError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, "已登记离任。")
    else:
        messages.error(request, "请填写有效的离任日期。")
    return redirect("orglife:committee", post.org_id)

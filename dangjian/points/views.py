"""The points pages. Thin: parse input, read through points.selectors (ids from the URL through accessors
that answer 404 outside the user's scope), write through points.services and put their Chinese messages
back on the form. A member uses ``me/`` only: their points, entries, the branch's posting, objections."""

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

from dangjian.accounts.models import Role
from dangjian.common.errors import ConflictError, ServiceError
from dangjian.common.uploads import stored_file_response
from dangjian.members import selectors as member_selectors
from dangjian.orgs import rules as org_rules
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.points import forms, queries, rules, selectors, services, sheets
from dangjian.web import selectors as web_selectors
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, posted, writer_required

MIN_YEAR = 2000


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if MIN_YEAR <= year <= today.year + 1 else today.year


def _org_context(request: HttpRequest, org: Org, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    today = timezone.localdate()
    return {
        "org": org, "crumbs": org_selectors.ancestors(user, org), "tree": web_selectors.tree_around(user, org),
        "is_branch": org.org_type in org_rules.HOLDS_MEMBERS, "can_write": user.can_write, "today": today,
        "year": today.year, "stars": rules.STAR_LABELS, **extra,
    }  # fmt: skip


def _errors_to_messages(request: HttpRequest, exc: ServiceError) -> None:
    for m in exc.messages:
        messages.error(request, m)


# --- landing, member self-service --------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """积分: a member goes to their own points; an organization user to the top of their scope."""
    user = _user(request)
    if user.role == Role.MEMBER:
        return redirect("points:mine")
    roots = org_selectors.org_roots(user)
    if not roots:
        raise Http404
    return redirect("points:org", roots[0].pk)


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """我的积分 (on a phone): this year's total and stars, my entries, my branch's latest posting, and an
    objection form while the posting's notice period runs."""
    user = _user(request)
    if user.role != Role.MEMBER or user.member is None:
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    mp = selectors.member_points(user, user.member, year, today=today)
    end = rules.quarter_range(mp.posting.year, mp.posting.quarter)[1] if mp.posting else None
    choices = [(e.pk, f"{e.date} {e.item.name}（{rules.fmt(e.points)}）") for e in mp.entries
               if end is not None and e.date <= end and e.status == rules.APPROVED]  # fmt: skip
    form = forms.ObjectionForm(posted(request), entries=choices)
    if request.method == "POST":
        if mp.posting is None:
            raise Http404
        if form.is_valid():
            entry_id = form.cleaned_data["entry"]
            entry = selectors.entry_get(user, entry_id) if entry_id else None
            try:
                services.objection_file(actor=user, posting=mp.posting, member=user.member, entry=entry,
                                        reason=form.cleaned_data["reason"], today=today)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "异议已提交，党支部将处理并答复。")
                return redirect("points:mine")
    return render(request, "points/mine.html", {"mp": mp, "year": year, "form": form, "stars": rules.STAR_LABELS},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def entry_evidence(request: HttpRequest, pevidence_id: int) -> FileResponse:
    """证明材料 of an entry, only to users who may see the entry (never a public media URL)."""
    ev = selectors.evidence_get(_user(request), pevidence_id)
    return stored_file_response(ev.file, original_name=ev.original_name, file_type=ev.file_type)


# --- an organization -------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def org_page(request: HttpRequest, org_id: int) -> HttpResponse:
    """积分与星级 of an organization: its schemes; for a branch, the year's table (live), postings,
    pending entries and its branch rating; for a higher organization, members by stars and the branch
    ratings below it."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    ctx = _org_context(request, org, year=year, schemes=selectors.org_schemes(user, org),
                       postings=selectors.org_postings(user, org, year),
                       pending=selectors.pending_entries(user, org).count(),
                       objections=selectors.open_objections(user, org).count(),
                       bratings=selectors.org_branch_ratings(user, org, year),
                       years=list(range(today.year + 1, today.year - 6, -1)), quarters=forms.QUARTERS,
                       flag_below=selectors.flag_below())  # fmt: skip
    if ctx["is_branch"]:
        ctx["table"] = selectors.branch_table(user, org, year)
        ctx["rater"] = selectors.rater_for(user, org)
    else:
        ctx["rollup"] = selectors.stars_rollup(user, org, year)
    return render(request, "points/org.html", ctx)


@writer_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    form = forms.SchemeForm(posted(request), initial={"year": today.year, "template": "E6.1"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_create(
                actor=user, org=org, year=d["year"], name=d["name"], template=d["template"],
                base_points=d["base_points"],
                # Empty: the template's cap, or no cap for a blank scheme.
                total_cap=d["total_cap"] if d["total_cap"] is not None else (None if d["template"] else ""),
                carry_over_percent=d["carry_over_percent"], bands=form.band_values(), today=today,
            )  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已制定{scheme.year}年度积分方案。")
            return redirect("points:scheme", scheme.pk)
    return render(request, "points/form_page.html", {
        "form": form, "title": f"制定积分方案 · {org.name}", "crumbs": org_selectors.ancestors(user, org),
        "cancel": reverse("points:org", args=[org.pk]), "multipart": False,
    }, status=422 if form.errors else 200)  # fmt: skip


def _scheme_page(request: HttpRequest, scheme_id: int, *, item_form: forms.ItemForm | None = None,
                 status: int = 200) -> HttpResponse:
    user = _user(request)
    scheme = selectors.scheme_get(user, scheme_id)
    return render(request, "points/scheme.html", _org_context(
        request, scheme.org, scheme=scheme, items=selectors.scheme_items(user, scheme),
        may_edit=selectors.may_edit_scheme(user, scheme), item_form=item_form or forms.ItemForm(),
        copy_form=forms.YearForm(initial={"year": scheme.year + 1}), kinds=rules.KIND_LABELS,
        sources=rules.SOURCE_LABELS, bands=list(zip(range(1, 6), scheme.bands, strict=False)),
    ), status=status)  # fmt: skip


@org_role_required
@require_http_methods(["GET", "POST"])
def scheme_page(request: HttpRequest, pscheme_id: int) -> HttpResponse:
    """A scheme with its items; a writer of the owning organization adds items here."""
    user = _user(request)
    scheme = selectors.scheme_get(user, pscheme_id)
    if request.method == "GET":
        return _scheme_page(request, pscheme_id)
    if not selectors.may_edit_scheme(user, scheme):
        raise Http404
    form = forms.ItemForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.item_add(actor=user, scheme=scheme, item=services.ItemIn(
                name=d["name"], kind=d["kind"], points=d["points"], yearly_cap=d["yearly_cap"],
                evidence_required=d["evidence_required"], source=d["source"], meeting_kinds=",".join(d["meeting_kinds"]),
                beyond_total_cap=d["beyond_total_cap"]))  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已增加积分项目。")
            return redirect("points:scheme", scheme.pk)
    return _scheme_page(request, pscheme_id, item_form=form, status=422)


@writer_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pscheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.scheme_get(user, pscheme_id)
    if not selectors.may_edit_scheme(user, scheme):
        raise Http404
    form = forms.SchemeEditForm(posted(request), initial={
        "version": scheme.version, "name": scheme.name, "base_points": scheme.base_points,
        "total_cap": scheme.total_cap, "carry_over_percent": scheme.carry_over_percent, "bands": ",".join(scheme.bands),
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.scheme_update(actor=user, scheme=scheme, version=d["version"], name=d["name"],
                                   base_points=d["base_points"], total_cap=d["total_cap"],
                                   carry_over_percent=d["carry_over_percent"], bands=form.band_values())  # fmt: skip
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已修改积分方案。")
            return redirect("points:scheme", scheme.pk)
    return render(request, "points/form_page.html", {
        "form": form, "title": f"修改积分方案 · {scheme}", "crumbs": org_selectors.ancestors(user, scheme.org),
        "cancel": reverse("points:scheme", args=[scheme.pk]),
    }, status=422 if form.errors else 200)  # fmt: skip


@writer_required
@require_POST
def scheme_copy(request: HttpRequest, pscheme_id: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.scheme_get(user, pscheme_id)
    form = forms.YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写年度。")
        return redirect("points:scheme", scheme.pk)
    try:
        new = services.scheme_copy(actor=user, scheme=scheme, year=form.cleaned_data["year"])
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect("points:scheme", scheme.pk)
    messages.success(request, f"已复制为{new.year}年度方案。")
    return redirect("points:scheme", new.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pitem_id: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user, pitem_id)
    if not selectors.may_edit_scheme(user, item.scheme):
        raise Http404
    form = forms.ItemEditForm(posted(request), initial={"name": item.name, "points": item.points,
                                                          "yearly_cap": item.yearly_cap,
                                                          "evidence_required": item.evidence_required})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.item_update(actor=user, item=item, name=d["name"], points=d["points"], yearly_cap=d["yearly_cap"],
                                 evidence_required=d["evidence_required"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已修改。")
            return redirect("points:scheme", item.scheme.pk)
    return render(request, "points/form_page.html", {
        "form": form, "title": f"修改积分项目 · {item.name}", "crumbs": org_selectors.ancestors(user, item.scheme.org),
        "cancel": reverse("points:scheme", args=[item.scheme.pk]),
    }, status=422 if form.errors else 200)  # fmt: skip


# --- entries ------------------------------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, org_id: int) -> HttpResponse:
    """录入积分 for a member of this branch, with evidence; awaits approval."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        raise Http404
    today = timezone.localdate()
    scheme = selectors.applicable_scheme(user, org, today.year)
    members = queries.branch_members(org)
    items = [(i.pk, f"{i.name}（{rules.KIND_LABELS[i.kind]}{'' if i.kind == rules.VETO else rules.fmt(i.points)}）")
             for i in scheme.items.filter(source=rules.MANUAL).order_by("position", "pk")] if scheme else []  # fmt: skip
    data = posted(request)
    form = forms.EntryForm(data, request.FILES if data is not None else None, members=members, items=items,
                           initial={"date": today, "quantity": 1, "member": request.GET.get("member", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = member_selectors.member_get(user, d["member"])
        item = selectors.item_get(user, d["item"])
        try:
            entry = services.entry_add(actor=user, member=member, item=item, date=d["date"], reason=d["reason"],
                                       quantity=d["quantity"], evidence=d["evidence"], today=today)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已录入{member.name}的积分，待审核。")
            return redirect("points:entry", entry.pk)
    return render(request, "points/form_page.html", {
        "form": form, "title": f"录入积分 · {org.name}", "crumbs": org_selectors.ancestors(user, org),
        "cancel": reverse("points:org", args=[org.pk]), "multipart": True,
        "notice": None if scheme else services.NO_SCHEME.format(org=org.name, year=today.year),
    }, status=422 if form.errors else 200)  # fmt: skip


@org_role_required
@require_http_methods(["GET", "POST"])
def entry_page(request: HttpRequest, pentry_id: int) -> HttpResponse:
    """One entry with its evidence and, for who may, the approval form."""
    user = _user(request)
    entry = selectors.entry_get(user, pentry_id)
    form = forms.DecideForm(posted(request))
    if request.method == "POST":
        if not user.can_write:
            raise Http404
        if form.is_valid():
            try:
                services.entry_decide(actor=user, entry=entry, approve=form.cleaned_data["decision"] == "approve",
                                      note=form.cleaned_data["note"], version=int(request.POST.get("version") or 0))
            except ConflictError as exc:
                _errors_to_messages(request, exc)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已审核。")
                return redirect("points:entry", entry.pk)
    return render(request, "points/entry.html", _org_context(
        request, entry.org, entry=entry, evidence=selectors.entry_evidence(user, entry), form=form,
        can_decide=selectors.can_decide(user, entry), objections=list(entry.objections.select_related("posting")),
        source_label=rules.SOURCE_TYPE_LABELS.get(entry.source_type, entry.source_type),
        source=selectors.entry_source(user, entry),
    ), status=422 if form.errors else 200)  # fmt: skip


@org_role_required
@require_GET
def pending(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    rows = [(e, selectors.can_decide(user, e)) for e in selectors.pending_entries(user, org)[:500]]
    return render(request, "points/pending.html", _org_context(request, org, rows=rows))


@writer_required
@require_POST
def credit(request: HttpRequest, org_id: int) -> HttpResponse:
    """按记录自动计分 for a quarter (one branch: a few grouped queries, fast enough to run from a button)."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    form = forms.QuarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择年度和季度。")
        return redirect("points:org", org.pk)
    d = form.cleaned_data
    try:
        result = services.credit_quarter(actor=user, org=org, year=d["year"], quarter=d["quarter"])
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        detail = "，".join(f"{k}{v}条" for k, v in result.created.items()) or "没有自动计分项目"
        withdrawn = sum(result.withdrawn.values())
        note = f"来源记录已更正或删除的{withdrawn}条撤销计分。" if withdrawn else ""
        messages.success(request, f"已按记录自动计分：新增{result.total}条（{detail}）。已计过的记录不会重复计分。{note}")
    return redirect(reverse("points:org", args=[org.pk]) + f"?year={d['year']}")


@org_role_required
@require_GET
def member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's year seen by the branch or the levels above."""
    user = _user(request)
    member = member_selectors.member_get(user, member_id)
    today = timezone.localdate()
    year = _year(request, today)
    mp = selectors.member_points(user, member, year, today=today)
    if member.org is None:
        raise Http404
    return render(request, "points/member.html", _org_context(request, member.org, mp=mp, year=year))


# --- postings and objections -----------------------------------------------------------------------------------


@writer_required
@require_POST
def posting_new(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    form = forms.QuarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择年度和季度。")
        return redirect("points:org", org.pk)
    d = form.cleaned_data
    try:
        posting = services.posting_publish(actor=user, org=org, year=d["year"], quarter=d["quarter"])
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect(reverse("points:org", args=[org.pk]) + f"?year={d['year']}")
    messages.success(request, f"已公示，异议截止{posting.ends_on}。")
    return redirect("points:posting", posting.pk)


@org_role_required
@require_GET
def posting_page(request: HttpRequest, posting_id: int) -> HttpResponse:
    user = _user(request)
    posting = selectors.posting_get(user, posting_id)
    return render(request, "points/posting.html", _org_context(
        request, posting.org, posting=posting, objections=selectors.posting_objections(user, posting),
    ))  # fmt: skip


@org_role_required
@require_http_methods(["GET", "POST"])
def objection_page(request: HttpRequest, objection_id: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.objection_get(user, objection_id)
    form = forms.HandleForm(posted(request))
    if request.method == "POST":
        if not user.can_write:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.objection_handle(actor=user, objection=obj, upheld=d["decision"] == "upheld",
                                          response=d["response"], corrected_points=d["corrected_points"])
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已处理。")
                return redirect("points:objection", obj.pk)
    return render(request, "points/objection.html", _org_context(request, obj.posting.org, obj=obj, form=form),
                  status=422 if form.errors else 200)


# --- year-end ratings, export ---------------------------------------------------------------------------------------


@org_role_required
@require_http_methods(["GET", "POST"])
def ratings(request: HttpRequest, org_id: int) -> HttpResponse:
    """年终评星定级: the rated members of the subtree; a branch's writer rates (again) with POST."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    today = timezone.localdate()
    year = _year(request, today)
    if request.method == "POST":
        if not user.can_write:
            raise Http404
        form = forms.YearForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                rows = services.ratings_finalize(actor=user, org=org, year=year)
            except ServiceError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(request, f"已评定{len(rows)}名党员的{year}年度星级。")
        return redirect(reverse("points:ratings", args=[org.pk]) + f"?year={year}")
    is_branch = org.org_type in org_rules.HOLDS_MEMBERS
    rows = selectors.member_ratings(user, org, year, unqualified_only=not is_branch,
                                    limit=None if is_branch else selectors.RATINGS_LIST_LIMIT)  # fmt: skip
    return render(request, "points/ratings.html", _org_context(
        request, org, year=year, rows=rows, limit=selectors.RATINGS_LIST_LIMIT,
        rollup=selectors.stars_rollup(user, org, year), years=list(range(today.year, today.year - 6, -1)),
    ))  # fmt: skip


@org_role_required
@require_GET
def export(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """A branch's year as .xlsx: members with each item's counted points, totals and stars; every entry."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    if org.org_type not in org_rules.HOLDS_MEMBERS or not MIN_YEAR <= year <= 9999:
        raise Http404
    table = selectors.branch_table(user, org, year)
    # The entries behind the summary sheet: the applicable scheme's, of the members in the table (not
    # entries under a scheme that no longer applies, nor of members who have left the branch).
    entries = list(selectors.entries_visible(user).filter(scheme=table.scheme, member_id__in=[r.member_id for r in table.rows],
                                                          date__year=year).select_related("member", "item")
                   .order_by("member__name_pinyin", "date", "pk"))  # fmt: skip
    content = sheets.branch_year(table, entries, selectors.member_ratings(user, org, year))
    name = f"{org.short_name or org.name}-{year}年党员积分.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=\"points-{org.pk}-{year}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


# --- branch star ratings ------------------------------------------------------------------------------------------


@writer_required
@require_POST
def brating_new(request: HttpRequest, org_id: int) -> HttpResponse:
    """建立党组织评星定级 of this branch, rated by the nearest organization above it in the user's subtree."""
    user = _user(request)
    org = org_selectors.org_get(user, org_id)
    rater = selectors.rater_for(user, org)
    if rater is None:
        raise Http404
    form = forms.YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写年度。")
        return redirect("points:org", org.pk)
    try:
        rating = services.branch_rating_open(actor=user, org=org, rater=rater, year=form.cleaned_data["year"])
    except ServiceError as exc:
        _errors_to_messages(request, exc)
        return redirect("points:org", org.pk)
    return redirect("points:brating", rating.pk)


@org_role_required
@require_http_methods(["GET", "POST"])
def brating_page(request: HttpRequest, brating_id: int) -> HttpResponse:
    user = _user(request)
    rating = selectors.brating_get(user, brating_id)
    may = selectors.may_rate(user, rating)
    form = forms.BratingLineForm(posted(request), initial={"date": timezone.localdate()})
    if request.method == "POST":
        if not may:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.branch_rating_line_add(actor=user, rating=rating, category=d["category"],
                                                indicator=d["indicator"], points=d["points"], reason=d["reason"],
                                                date=d["date"])  # fmt: skip
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已记录。")
                return redirect("points:brating", rating.pk)
    lines = selectors.brating_lines(user, rating)
    score = rules.branch_score(line.points for line in lines)
    return render(request, "points/brating.html", _org_context(
        request, rating.org, rating=rating, lines=lines, form=form, may_rate=may, score=score,
        projected=rules.stars_for(score, queries.bands_of(rating.bands)), flag_below=selectors.flag_below(),
        bands=list(zip(range(1, 6), rating.bands, strict=False)),
    ), status=422 if form.errors else 200)  # fmt: skip


@writer_required
@require_POST
def brating_finalize(request: HttpRequest, brating_id: int) -> HttpResponse:
    user = _user(request)
    rating = selectors.brating_get(user, brating_id)
    try:
        services.branch_rating_finalize(actor=user, rating=rating)
    except ServiceError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "已定级。")
    return redirect("points:brating", rating.pk)

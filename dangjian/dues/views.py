"""The dues pages. Thin: parse input, read through dues.selectors (ids from the URL through accessors
that answer 404 outside the user's scope), write through dues.services and put their Chinese
messages back on the form; warnings ("generally" rules) are shown as flash messages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import Role
from dangjian.common.errors import ConflictError, ServiceError
from dangjian.dues import export, forms, rules, selectors, services
from dangjian.members import selectors as member_selectors
from dangjian.members.models import Member
from dangjian.orgs import rules as org_rules
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.web import selectors as web_selectors
from dangjian.web.forms import add_service_errors
from dangjian.web.views import _user, org_role_required, posted, writer_required

MIN_YEAR = 2008
SAVED = "已保存。"


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if MIN_YEAR <= year <= today.year + 1 else today.year


def _month(year: int, month: int) -> dt.date:
    if not (MIN_YEAR <= year <= 9999 and 1 <= month <= 12):
        raise Http404
    return dt.date(year, month, 1)


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for w in warnings:
        messages.warning(request, w)


def _org_context(request: HttpRequest, org: Org, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    today = timezone.localdate()
    return {
        "org": org, "crumbs": org_selectors.ancestors(user, org), "tree": web_selectors.tree_around(user, org),
        "holds_members": org.org_type in org_rules.HOLDS_MEMBERS, "can_write": user.can_write,
        "today": today, "year": today.year, **extra,
    }  # fmt: skip


# --- landing --------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """党费: a member goes to their own dues; an organization user to the top of their scope."""
    user = _user(request)
    if user.role == Role.MEMBER:
        return redirect("dues:mine")
    roots = org_selectors.org_roots(user)
    if not roots:
        raise Http404
    return redirect("dues:org", roots[0].pk)


@org_role_required
@require_GET
def org_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization's dues for a year: by month (collected, due, handed up) and its children ranked."""
    user = _user(request)
    org = selectors.dues_org_get(user, pk)
    today = timezone.localdate()
    year = _year(request, today)
    months = selectors.rollup_months(user, org, year)
    chart = {"collected": {"type": "bar", "title": f"{year}年各月收缴党费（元）",
                           "data": [[f"{m.month.month}月", float(m.collected)] for m in months]}}  # fmt: skip
    return render(request, "dues/org.html", _org_context(
        request, org, year=year, months=months, totals=selectors.rollup_year(user, org, year),
        children=selectors.rollup_children(user, org, year), chart=chart, today=today,
        current_month=rules.month_start(today) if year == today.year else dt.date(year, 12, 1),
        pending=selectors.hardship_pending(user, org).count(),
        years=list(range(today.year + 1, max(MIN_YEAR, today.year - 10) - 1, -1)),
    ))  # fmt: skip


# --- the branch ledger ------------------------------------------------------------------------------------


@org_role_required
@require_GET
def ledger_pick(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.branch_get(_user(request), pk)
    month = forms.parse_month(request.GET.get("month", "")) or rules.month_start(timezone.localdate())
    return redirect("dues:ledger", org.pk, month.year, month.month)


def _ledger_page(request: HttpRequest, org: Org, month: dt.date, *, errors: dict[str, list[str]] | None = None,
                 status: int = 200) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    ledger = selectors.branch_ledger(user, org, month, today=today)
    errors = errors or {}
    data = request.POST if errors else None
    picked = set(data.getlist("pay")) if data is not None else set()
    lines = []
    for r in ledger.rows:
        mid = r.member.pk
        lines.append({
            "row": r,
            "errors": [m for k, msgs in errors.items() if k.startswith(f"row-{mid}-") for m in msgs],
            "checked": str(mid) in picked,
            "values": {f: data.get(f"{f}-{mid}", "") for f in ("amount", "method", "receipt", "payer", "consent")}
            if data is not None else {},
        })  # fmt: skip
    general = [m for k, msgs in errors.items() if not k.startswith("row-") for m in msgs]
    return render(request, "dues/ledger.html", _org_context(
        request, org, ledger=ledger, lines=lines, month=month, year=month.year, today=today, posted=data,
        general_errors=general, methods=list(rules.METHOD_LABELS.items()),
        prev_month=rules.add_months(month, -1), next_month=rules.add_months(month, 1),
        can_generate=month <= rules.month_start(today), month_value=f"{month.year:04d}-{month.month:02d}",
    ), status=status)  # fmt: skip


@org_role_required
@require_GET
def ledger(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    org = selectors.branch_get(_user(request), pk)
    return _ledger_page(request, org, _month(year, month))


@writer_required
@require_POST
def ledger_generate(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    user = _user(request)
    org = selectors.branch_get(user, pk)
    mo = _month(year, month)
    try:
        result = services.entries_generate(actor=user, org=org, month=mo)
    except ServiceError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        g = result.value
        messages.success(request, f"{rules.month_label(mo)}台账：新增{g.created}人，更新{g.refreshed}人，无变化{g.unchanged}人。")
        _warn(request, result.warnings)
    return redirect("dues:ledger", org.pk, mo.year, mo.month)


@writer_required
@require_POST
def ledger_pay(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    """The batch payment form of the ledger page: every ticked row, all or nothing."""
    user = _user(request)
    org = selectors.branch_get(user, pk)
    mo = _month(year, month)
    data = request.POST
    paid_on: dt.date | None = None
    errors: dict[str, list[str]] = {}
    try:
        paid_on = dt.date.fromisoformat(data.get("paid_on", ""))
    except ValueError:
        errors["paid_on"] = ["请填写交纳日期（年-月-日）。"]
    rows = []
    for key in data.getlist("pay"):
        if not key.isdigit():
            continue
        mid = int(key)
        rows.append(services.PaymentRow(
            member_id=mid, months=(mo,), method=data.get(f"method-{mid}", rules.CASH),
            amount=data.get(f"amount-{mid}", "").strip() or None, receipt_number=data.get(f"receipt-{mid}", ""),
            payer_name=data.get(f"payer-{mid}", ""), consent_note=data.get(f"consent-{mid}", ""),
        ))  # fmt: skip
    if not rows:
        errors.setdefault("__all__", []).append(services.NO_ROWS)
    if errors or paid_on is None:
        return _ledger_page(request, org, mo, errors=errors, status=422)
    try:
        result = services.payments_record_batch(actor=user, org=org, rows=rows, paid_on=paid_on)
    except ServiceError as exc:
        return _ledger_page(request, org, mo, errors=exc.errors, status=422)
    messages.success(request, f"已登记{len(result.value)}人{rules.month_label(mo)}的党费。")
    _warn(request, result.warnings)
    return redirect("dues:ledger", org.pk, mo.year, mo.month)


@writer_required
@require_POST
def ledger_correct(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    """更正交纳登记: the small form on a paid row — corrected amount/date/method, or void, with a reason."""
    user = _user(request)
    org = selectors.branch_get(user, pk)
    mo = _month(year, month)
    form = forms.CorrectForm(request.POST)
    if not form.is_valid():
        bad = form.errors.get("member") or form.errors.get("version")
        if bad:
            raise Http404
        mid = request.POST.get("member", "")
        return _ledger_page(request, org, mo, status=422, errors={
            f"row-{mid}-{f}": [str(m) for m in msgs] for f, msgs in form.errors.items()
        })  # fmt: skip
    d = form.cleaned_data
    entry = selectors.ledger_entry_get(user, org, mo, d["member"])
    try:
        services.dues_payment_correct(
            actor=user, entry=entry, version=d["version"], reason=d["reason"], void=d["void"],
            # voiding takes the payment back: the row's pre-filled date and method are not corrections
            paid_amount=None if d["void"] else d["paid_amount"] or None,
            paid_on=None if d["void"] else d["paid_on"], method=None if d["void"] else d["method"] or None,
        )
    except ConflictError as exc:
        return _ledger_page(request, org, mo, status=409, errors={f"row-{entry.member_id}-version": exc.messages})
    except ServiceError as exc:
        return _ledger_page(request, org, mo, status=422, errors={
            f"row-{entry.member_id}-{f}": msgs for f, msgs in exc.errors.items()
        })  # fmt: skip
    messages.success(request, f"已更正{entry.member.name}{rules.month_label(mo)}的交纳登记。")
    return redirect("dues:ledger", org.pk, mo.year, mo.month)


@org_role_required
@require_GET
def ledger_export(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = _user(request)
    org = selectors.branch_get(user, pk)
    _month(year, 1)
    content = export.ledger_xlsx(user, org, year)
    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = export.filename(org, year)
    resp["Content-Disposition"] = f"attachment; filename=\"dues-{org.pk}-{year}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return resp


# --- hand-ups, publication, yearly re-check ------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def handup(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = selectors.dues_org_get(user, pk)
    today = timezone.localdate()
    form = forms.HandUpForm(posted(request), initial={"month": rules.month_start(today), "handed_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.handup_record(actor=user, org=org, month=d["month"], amount=d["amount"],
                                            handed_on=d["handed_on"], receipt_number=d["receipt_number"], note=d["note"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记上缴{result.value.amount}元。")
            _warn(request, result.warnings)
            return redirect(reverse("dues:org", args=[org.pk]) + f"?year={d['month'].year}")
    parent = Org.objects.get_parent(org)
    return render(request, "dues/form_page.html", {
        "form": form, "title": f"{org.name}：上缴党费" + (f"（上缴至{parent.name}）" if parent else ""),
        "crumbs": [*org_selectors.ancestors(user, org), org], "cancel": reverse("dues:org", args=[org.pk]),
    })  # fmt: skip


@login_required
@require_GET
def publication(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """党费收缴情况年度公示: organization users in scope, and the branch's own members."""
    user = _user(request)
    org = selectors.publication_org_get(user, pk)
    _month(year, 1)
    pub = selectors.publication(user, org, year)
    return render(request, "dues/publication.html", {"pub": pub, "org": org, "year": year,
                                                     "is_member": user.role == Role.MEMBER})


@writer_required
@require_http_methods(["GET", "POST"])
def uses(request: HttpRequest, pk: int) -> HttpResponse:
    """党费使用: record a use of dues by this organization, and list the year's uses in its subtree."""
    user = _user(request)
    org = selectors.dues_org_get(user, pk)
    today = timezone.localdate()
    year = _year(request, today)
    form = forms.DuesUseForm(posted(request), initial={"used_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            use = services.dues_use_record(actor=user, org=org, used_on=d["used_on"], amount=d["amount"],
                                           purpose=d["purpose"], decision=d["decision"], note=d["note"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记党费使用{use.amount}元。")
            return redirect(reverse("dues:uses", args=[org.pk]) + f"?year={use.used_on.year}")
    rows = selectors.dues_uses(user, org, year)
    return render(request, "dues/uses.html", _org_context(
        request, org, form=form, uses=rows, year=year, total=sum((u.amount for u in rows), selectors.ZERO),
        years=list(range(today.year, max(MIN_YEAR, today.year - 10) - 1, -1)),
    ), status=422 if form.errors else 200)  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """年初核定党费基数: the base sheet — every member's category and base, confirmed or changed."""
    user = _user(request)
    org = selectors.branch_get(user, pk)
    today = timezone.localdate()
    _month(year, 1)
    sheet = selectors.review_sheet(user, org, year)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        rows = [
            services.ReviewRow(
                member_id=r.member.pk, category=post.get(f"category-{r.member.pk}", ""),
                base=post.get(f"base-{r.member.pk}", "").strip() or None,
                fixed_amount=post.get(f"fixed-{r.member.pk}", "").strip() or None,
            )
            for r in sheet.rows
        ]  # fmt: skip
        try:
            confirmed_on = dt.date.fromisoformat(post.get("confirmed_on", ""))
        except ValueError:
            errors["confirmed_on"] = ["请填写核定日期（年-月-日）。"]
        else:
            try:
                result = services.base_review_confirm(actor=user, org=org, year=year, rows=rows,
                                                      confirmed_on=confirmed_on, document=post.get("document", ""))
            except ServiceError as exc:
                errors = exc.errors
            else:
                messages.success(request, f"{year}年度党费基数已核定：{result.value.members_count}人，调整{result.value.changed_count}人。")
                _warn(request, result.warnings)
                return redirect("dues:org", org.pk)
    data = request.POST if request.method == "POST" else None
    lines = []
    for r in sheet.rows:
        mid = r.member.pk
        if data is not None:
            values = {f: data.get(f"{f}-{mid}", "") for f in ("category", "base", "fixed")}
        else:
            b = r.basis
            values = {"category": b.category if b else "", "base": b.base if b and b.base is not None else "",
                      "fixed": b.fixed_amount if b and b.fixed_amount is not None and not r.locked else ""}
        lines.append({"row": r, "values": values,
                      "errors": [m for k, msgs in errors.items() if k.startswith(f"row-{mid}-") for m in msgs]})
    general = [m for k, msgs in errors.items() if not k.startswith("row-") for m in msgs]
    return render(request, "dues/review.html", _org_context(
        request, org, sheet=sheet, lines=lines, year=year, today=today, general_errors=general,
        confirmed_on=data.get("confirmed_on", "") if data is not None else today.isoformat(),
        document=data.get("document", "") if data is not None else "",
        categories=[(c, rules.CATEGORY_LABELS[c]) for c in rules.DIRECT_CATEGORIES],
    ), status=422 if errors else 200)  # fmt: skip


# --- hardship ---------------------------------------------------------------------------------------------


@org_role_required
@require_GET
def hardship_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    org = selectors.dues_org_get(user, pk)
    pending = [(d, selectors.can_approve(user, d)) for d in selectors.hardship_pending(user, org)]
    return render(request, "dues/hardship_list.html", _org_context(request, org, pending=pending))


@writer_required
@require_http_methods(["GET", "POST"])
def hardship_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    decision = selectors.hardship_get(user, pk)
    if not selectors.can_approve(user, decision):
        raise Http404
    today = timezone.localdate()
    form = forms.HardshipReviewForm(posted(request), initial={"approved_on": today, "version": decision.version,
                                                              "decision": "approve"})
    if request.method == "POST" and form.is_valid() and decision.status == decision.PENDING:
        d = form.cleaned_data
        try:
            result = services.hardship_review(
                actor=user, decision=decision, approve=d["decision"] == "approve", approved_on=d["approved_on"],
                approval_document=d["approval_document"], note=d["approval_note"], version=d["version"],
            )
        except ServiceError as exc:  # ConflictError too: someone reviewed it meanwhile
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已{result.value.get_status_display()}。")
            _warn(request, result.warnings)
            return redirect("dues:member", decision.member_id)
    return render(request, "dues/hardship_review.html", {
        "decision": decision, "form": form, "crumbs": org_selectors.ancestors(user, decision.org) + [decision.org],
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def hardship_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    today = timezone.localdate()
    form = forms.HardshipForm(posted(request), initial={"start_month": rules.month_start(today), "branch_decided_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.hardship_decide(
                actor=user, member=member, kind=d["kind"], amount=d["amount"], start_month=d["start_month"],
                end_month=d["end_month"], reason=d["reason"], branch_decided_on=d["branch_decided_on"],
                branch_meeting=d["branch_meeting"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记党支部的研究决定，待上级党委审批。")
            return redirect("dues:member", member.pk)
    return _member_form(request, member, form, f"{member.name}：困难党员少交/免交党费（党支部研究）")


# --- a member's dues ----------------------------------------------------------------------------------------


def _member_form(request: HttpRequest, member: Member, form: Any, title: str) -> HttpResponse:
    user = _user(request)
    crumbs = [*org_selectors.ancestors(user, member.org), member.org] if member.org else []
    return render(request, "dues/form_page.html", {
        "form": form, "title": title, "crumbs": crumbs, "cancel": reverse("dues:member", args=[member.pk]),
    })  # fmt: skip


@org_role_required
@require_GET
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    today = timezone.localdate()
    year = _year(request, today)
    return render(request, "dues/member.html", {
        "member": member, "year": year, "today": today,
        "summary": selectors.member_dues_summary(user, member, year, today=today),
        "bases": selectors.member_bases(user, member), "hardships": selectors.member_hardships(user, member),
        "crumbs": [*org_selectors.ancestors(user, member.org), member.org] if member.org else [],
        "can_write": user.can_write, "years": list(range(today.year + 1, max(MIN_YEAR, today.year - 10) - 1, -1)),
    })  # fmt: skip


@writer_required
@require_http_methods(["GET", "POST"])
def member_basis(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    today = timezone.localdate()
    current = selectors.basis_in_force(user, member, today)
    initial: dict[str, Any] = {"effective_from": rules.month_start(today)}
    if current is not None and current.category in rules.DIRECT_CATEGORIES:
        initial.update(category=current.category, base=current.base or "", fixed_amount=current.fixed_amount or "")
    form = forms.BasisForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.basis_set(
                actor=user, member=member, category=d["category"], base=d["base"] or None,
                fixed_amount=d["fixed_amount"] or None, effective_from=d["effective_from"], document=d["document"],
                note=d["note"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            _warn(request, result.warnings)
            return redirect("dues:member", member.pk)
    return _member_form(request, member, form, f"{member.name}：核定党费类别和计算基数")


@writer_required
@require_http_methods(["GET", "POST"])
def member_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay one or several months for one member: a quarter at once, back-payment, advance payment."""
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    if member.org is None:
        raise Http404
    today = timezone.localdate()
    form = forms.MemberPayForm(posted(request), initial={"start": rules.month_start(today), "paid_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.payment_record(
                actor=user, org=member.org, member=member, months=form.months(), paid_on=d["paid_on"],
                method=d["method"], amount=d["amount"] or None, receipt_number=d["receipt_number"],
                payer_name=d["payer_name"], consent_note=d["consent_note"], note=d["note"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc, aliases={"months": "start"})
        else:
            messages.success(request, f"已登记{len(result.value)}个月的党费。")
            _warn(request, result.warnings)
            return redirect("dues:member", member.pk)
    return _member_form(request, member, form, f"{member.name}：登记交纳党费")


@writer_required
@require_http_methods(["GET", "POST"])
def member_voluntary(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = member_selectors.member_get(user, pk)
    if member.org is None:
        raise Http404
    form = forms.VoluntaryForm(posted(request), initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.voluntary_record(actor=user, org=member.org, member=member, amount=d["amount"],
                                               paid_on=d["paid_on"], receipt_number=d["receipt_number"], note=d["note"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, SAVED)
            _warn(request, result.warnings)
            return redirect("dues:member", member.pk)
    return _member_form(request, member, form, f"{member.name}：自愿多交党费")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的党费 on a phone: the same fragment /me/ includes."""
    user = _user(request)
    if not user.member_id:
        raise Http404
    member = member_selectors.member_get(user, user.member_id)
    today = timezone.localdate()
    year = _year(request, today)
    return render(request, "dues/mine.html", {
        "member": member, "year": year, "dues_summary": selectors.member_dues_summary(user, member, year, today=today),
    })  # fmt: skip

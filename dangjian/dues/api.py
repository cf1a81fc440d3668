"""JSON API routes of this app, mounted by dangjian.api.api under /api/dues/. Thin: the same
selectors and services as the pages. Amounts are strings with two decimals ("12.50") — Decimal
yuan, never a binary float; inputs may be strings or JSON numbers and must have at most 2 places.
Months are "YYYY-MM". The API's error handlers answer ServiceError 422, out of scope 404,
ConflictError 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from dangjian.accounts.models import User
from dangjian.api import schemas as s
from dangjian.common.errors import ServiceError
from dangjian.dues import parameters, rules, selectors, services
from dangjian.dues.forms import MONTH_FORMAT, parse_month
from dangjian.dues.models import DuesUse
from dangjian.members.selectors import member_get

router = Router()

READ_ERRORS: dict[int, type] = {401: s.ErrorOut, 404: s.ErrorOut, 422: s.ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 403: s.ErrorOut, 409: s.ConflictOut}
Money = str  # "12.50": Decimal yuan as a string


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(rules.FEN))


def _month(year: int, month: int) -> dt.date:
    if not (1 <= month <= 12 and 2008 <= year <= 9999):
        raise ServiceError(MONTH_FORMAT, "month")
    return dt.date(year, month, 1)


# --- compute ----------------------------------------------------------------------------------------
class ComputeOut(Schema):
    category: str = Field(description="党费类别代码")
    category_label: str
    base: Money | None = Field(description="计算基数（元/月）；固定标准的类别为 null")
    month: str = Field(description="月份 YYYY-MM")
    amount: Money = Field(description="每月应交党费（元），四舍五入到分")
    rate: str | None = Field(description="比例，如 0.015；固定金额为 null")
    explanation: str = Field(description="适用的档次或固定标准")
    article: str = Field(description="《关于中国共产党党费收缴、使用和管理的规定》条款")
    rules: str = Field(description="适用的规定")


@router.get("/compute", response={200: ComputeOut, **READ_ERRORS}, summary="计算党费（不保存）")
def compute(request: HttpRequest, category: str, date: dt.date, base: str | None = None,
            fixed_amount: str | None = None) -> ComputeOut:
    """按2008年规定计算某一类别、基数、日期的每月党费，不保存。category：civil_servant、institution、
    gov_worker、enterprise、annual_salary、self_employed、retired（须填 base）；farmer（fixed_amount
    不填时用本县统一标准，0.2–1 元）；student、unemployed、relief、minimum_allowance（0.2 元）；
    hardship_reduced（fixed_amount 为批准后的金额）；exempt（0）。"""
    month = rules.month_start(date)
    try:
        farmer = fixed_amount if fixed_amount not in (None, "") else parameters.farmer_amount()
        amt = rules.monthly_dues(category, base if base not in (None, "") else None, month=month,
                                 farmer_amount=farmer, reduced_amount=fixed_amount or None)
        rs = rules.rules_for(month)
        checked_base = rules.check_base(category, base if base not in (None, "") else None)
    except rules.DuesRuleError as exc:
        raise ServiceError(str(exc), exc.field) from None
    return ComputeOut(
        category=category, category_label=rules.CATEGORY_LABELS[category], base=_money(checked_base),
        month=f"{month:%Y-%m}", amount=_money(amt.amount) or "0.00",
        rate=None if amt.rate is None else str(amt.rate), explanation=amt.explanation, article=amt.article,
        rules=rs.name,
    )  # fmt: skip


# --- the branch ledger ----------------------------------------------------------------------------------
class LedgerRowOut(Schema):
    member_id: int
    name: str
    category: str
    category_label: str
    base: Money | None
    due: Money | None = Field(description="应交；null 表示未核定类别和基数")
    paid: Money
    arrears: Money
    status: str = Field(description="paid 已交 / partial 部分交纳 / unpaid 未交 / exempt 免交 / no_basis 未核定")
    status_label: str
    in_ledger: bool = Field(description="是否已生成台账行")
    paid_on: dt.date | None
    method: str
    method_label: str
    receipt_number: str


class LedgerOut(Schema):
    org_id: int
    org_name: str
    month: str
    due: Money
    paid: Money
    arrears: Money
    rows: list[LedgerRowOut]


def _ledger_out(ledger: selectors.Ledger) -> LedgerOut:
    return LedgerOut(
        org_id=ledger.org.pk, org_name=ledger.org.name, month=f"{ledger.month:%Y-%m}", due=_money(ledger.due) or "",
        paid=_money(ledger.paid) or "", arrears=_money(ledger.arrears) or "",
        rows=[
            LedgerRowOut(
                member_id=r.member.pk, name=r.member.name, category=r.category, category_label=r.category_label,
                base=_money(r.base), due=_money(r.due), paid=_money(r.paid) or "", arrears=_money(r.arrears) or "",
                status=r.status, status_label=r.status_label, in_ledger=r.entry is not None,
                paid_on=r.entry.paid_on if r.entry else None, method=r.entry.method if r.entry else "",
                method_label=r.entry.get_method_display() if r.entry else "",
                receipt_number=r.entry.receipt_number if r.entry else "",
            )
            for r in ledger.rows
        ],
    )  # fmt: skip


@router.get("/orgs/{org_id}/ledger/{year}/{month}", response={200: LedgerOut, **READ_ERRORS}, summary="党支部月度台账")
def ledger(request: HttpRequest, org_id: int, year: int, month: int) -> LedgerOut:
    """某党支部某月的党费收缴台账：每名应交党员的应交、实交、欠交。"""
    actor = _actor(request)
    org = selectors.branch_get(actor, org_id)
    return _ledger_out(selectors.branch_ledger(actor, org, _month(year, month)))


class GenerateOut(Schema):
    month: str
    created: int
    refreshed: int
    unchanged: int
    without_basis: list[str] = Field(description="未核定党费类别和基数、未生成台账的党员")
    warnings: list[str]


@router.post("/orgs/{org_id}/ledger/{year}/{month}/generate", response={200: GenerateOut, **WRITE_ERRORS},
             summary="生成月度应交台账")
def generate(request: HttpRequest, org_id: int, year: int, month: int) -> GenerateOut:
    """为当月每名应交党员生成台账行（可重复执行：已有的行保留，未交的按现行基数更新）。"""
    actor = _actor(request)
    org = selectors.branch_get(actor, org_id)
    result = services.entries_generate(actor=actor, org=org, month=_month(year, month))
    g = result.value
    return GenerateOut(month=f"{g.month:%Y-%m}", created=g.created, refreshed=g.refreshed, unchanged=g.unchanged,
                       without_basis=g.without_basis, warnings=result.warnings)


class PaymentIn(s.In):
    member_id: int
    months: list[str] | None = Field(None, description="交纳的月份 YYYY-MM；不填为路径中的月份（补交、预交、按季可填多个）")
    amount: Decimal | None = Field(None, description="实交金额（元）；只交一个月时可填，不填按应交")
    method: str = Field(rules.CASH, description="cash 现金 / transfer 转账 / by_relative 亲属代交 / by_member 其他党员代交 / quarterly 按季")
    receipt_number: str = ""
    payer_name: str = Field("", description="代交人（委托代交时必填）")
    consent_note: str = Field("", description="党支部同意的会议或日期（按季、委托代交时必填）")
    note: str = ""


class PaymentsIn(s.In):
    paid_on: dt.date = Field(description="交纳日期")
    rows: list[PaymentIn] = Field(min_length=1)


class PaymentsOut(Schema):
    recorded: int
    warnings: list[str] = Field(description="提醒（如补交超过6个月），不影响登记")
    ledger: LedgerOut


@router.post("/orgs/{org_id}/ledger/{year}/{month}/payments", response={200: PaymentsOut, **WRITE_ERRORS},
             summary="登记交纳党费")
def payments(request: HttpRequest, org_id: int, year: int, month: int, payload: PaymentsIn) -> PaymentsOut:
    """登记一名或多名党员交纳党费；全部通过才保存，任何一行有误则都不保存（422，错误按
    ``row-<党员id>-<字段>`` 列出）。"""
    actor = _actor(request)
    org = selectors.branch_get(actor, org_id)
    mo = _month(year, month)
    rows = []
    bad: dict[str, list[str]] = {}
    for r in payload.rows:
        months: list[dt.date] = []
        for text in r.months or [f"{mo:%Y-%m}"]:
            d = parse_month(text)
            if d is None:
                bad.setdefault(f"row-{r.member_id}-months", []).append(MONTH_FORMAT)
            else:
                months.append(d)
        rows.append(services.PaymentRow(
            member_id=r.member_id, months=tuple(months), method=r.method, amount=r.amount,
            receipt_number=r.receipt_number, payer_name=r.payer_name, consent_note=r.consent_note, note=r.note,
        ))  # fmt: skip
    if bad:
        raise ServiceError(bad)
    result = services.payments_record_batch(actor=actor, org=org, rows=rows, paid_on=payload.paid_on)
    return PaymentsOut(recorded=len(result.value), warnings=result.warnings,
                       ledger=_ledger_out(selectors.branch_ledger(actor, org, mo)))


# --- a member's dues ------------------------------------------------------------------------------------
class MemberMonthOut(Schema):
    month: str
    due: Money | None
    paid: Money
    paid_on: dt.date | None
    method: str
    receipt_number: str
    status: str
    status_label: str
    in_ledger: bool


class MemberDuesOut(Schema):
    member_id: int
    name: str
    year: int
    category: str | None
    category_label: str
    monthly_amount: Money | None
    due: Money
    paid: Money
    arrears: Money
    arrears_months: int
    voluntary: Money
    months: list[MemberMonthOut]


@router.get("/members/{member_id}", response={200: MemberDuesOut, **READ_ERRORS}, summary="党员的党费")
def member_dues(request: HttpRequest, member_id: int, year: int | None = None) -> MemberDuesOut:
    """一名党员某年（默认今年）的党费：各月应交、实交、交纳日期和方式，全年应交、已交、欠交。
    党员账号只能查看本人。"""
    actor = _actor(request)
    member = member_get(actor, member_id)
    today = timezone.localdate()
    summary = selectors.member_dues_summary(actor, member, year or today.year, today=today)
    return MemberDuesOut(
        member_id=member.pk, name=member.name, year=summary.year,
        category=summary.basis.category if summary.basis else None, category_label=summary.category_label,
        monthly_amount=_money(summary.monthly_amount), due=_money(summary.due) or "", paid=_money(summary.paid) or "",
        arrears=_money(summary.arrears) or "", arrears_months=summary.arrears_months,
        voluntary=_money(summary.voluntary) or "",
        months=[
            MemberMonthOut(month=f"{m.month:%Y-%m}", due=_money(m.due), paid=_money(m.paid) or "", paid_on=m.paid_on,
                           method=m.method, receipt_number=m.receipt_number, status=m.status,
                           status_label=m.status_label, in_ledger=m.in_ledger)
            for m in summary.months
        ],
    )  # fmt: skip


# --- 党费使用 (R2.15) -------------------------------------------------------------------------------------
class UseOut(Schema):
    id: int
    org_id: int
    org_name: str
    used_on: dt.date
    amount: Money
    purpose: str
    purpose_label: str
    decision: str
    note: str


class UseIn(s.In):
    used_on: dt.date = Field(description="使用日期")
    amount: Decimal = Field(description="金额（元），最多两位小数")
    purpose: str = Field(description="training 培训党员 / materials 订阅或购买党员教育材料 / commendation 表彰 / "
                                     "hardship_aid 补助生活困难党员 / relief_repair 受灾救济和教育设施修缮 / other 其他")
    decision: str = Field(description="批准的会议/文件")
    note: str = Field("", description="说明（用途为 other 时必填）")


def _use_out(u: DuesUse) -> UseOut:
    return UseOut(id=u.pk, org_id=u.org_id, org_name=u.org.name, used_on=u.used_on, amount=_money(u.amount) or "",
                  purpose=u.purpose, purpose_label=u.get_purpose_display(), decision=u.decision, note=u.note)


@router.get("/orgs/{org_id}/uses", response={200: list[UseOut], **READ_ERRORS}, summary="党费使用")
def uses(request: HttpRequest, org_id: int, year: int | None = None) -> list[UseOut]:
    """某党组织及其下属党组织某年（默认今年）的党费使用记录。"""
    actor = _actor(request)
    org = selectors.dues_org_get(actor, org_id)
    return [_use_out(u) for u in selectors.dues_uses(actor, org, year or timezone.localdate().year)]


@router.post("/orgs/{org_id}/uses", response={200: UseOut, **WRITE_ERRORS}, summary="登记党费使用")
def use_record(request: HttpRequest, org_id: int, payload: UseIn) -> UseOut:
    """登记一笔党费使用：金额大于0，日期不晚于今天，用途为规定的用途之一，须有批准的会议或文件。"""
    actor = _actor(request)
    org = selectors.dues_org_get(actor, org_id)
    use = services.dues_use_record(actor=actor, org=org, used_on=payload.used_on, amount=payload.amount,
                                   purpose=payload.purpose, decision=payload.decision, note=payload.note)
    return _use_out(use)


# --- 更正交纳登记 -------------------------------------------------------------------------------------------
class CorrectIn(s.In):
    member_id: int
    version: int = Field(description="台账行的版本号（乐观锁）；已被他人修改时返回 409")
    reason: str = Field(description="更正原因")
    void: bool = Field(False, description="撤销交纳登记，改为未交")
    paid_amount: Decimal | None = Field(None, description="更正后的实交金额；不填保持原值")
    paid_on: dt.date | None = Field(None, description="更正后的交纳日期；不填保持原值")
    method: str | None = Field(None, description="更正后的交纳方式；不填保持原值")


class CorrectOut(Schema):
    member_id: int
    month: str
    paid: Money
    paid_on: dt.date | None
    method: str
    version: int


@router.post("/orgs/{org_id}/ledger/{year}/{month}/correct", response={200: CorrectOut, **WRITE_ERRORS},
             summary="更正交纳登记")
def correct(request: HttpRequest, org_id: int, year: int, month: int, payload: CorrectIn) -> CorrectOut:
    """更正某党员某月已登记的交纳（金额、日期、方式），或撤销交纳登记；须填写原因。"""
    actor = _actor(request)
    org = selectors.branch_get(actor, org_id)
    mo = _month(year, month)
    entry = selectors.ledger_entry_get(actor, org, mo, payload.member_id)
    e = services.dues_payment_correct(actor=actor, entry=entry, version=payload.version, reason=payload.reason,
                                      void=payload.void, paid_amount=payload.paid_amount, paid_on=payload.paid_on,
                                      method=payload.method)
    return CorrectOut(member_id=e.member_id, month=f"{e.month:%Y-%m}", paid=_money(e.paid_amount) or "",
                      paid_on=e.paid_on, method=e.method, version=e.version)

"""Writes of the dues app. Each service validates everything first (raising ServiceError with Chinese
messages, nothing written), then writes in one transaction together with its audit event. Rules that
say "generally" (补交、预交不超过6个月) give warnings, returned with the result, never blocks.

Who may write: the writing roles inside their subtree (the organization's path in their scope);
anyone else gets NotPermitted, which the pages and the API answer as 404. A hardship approval is
recorded by someone whose scope holds the next-higher Party committee (第七条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.common.scope import subtree_upper_bound
from dangjian.dues import parameters, queries, rules
from dangjian.dues.models import (
    BaseReview,
    DuesBasis,
    DuesEntry,
    DuesUse,
    HandUp,
    HardshipDecision,
    VoluntaryPayment,
)
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType

T = TypeVar("T")

# --- messages (the tests import these) --------------------------------------------------------------
NOT_A_BRANCH = "“{name}”不直接管理党员，党费台账由其下属党支部（党总支、基层党委）建立。"
ORG_DISSOLVED = "“{name}”已于{date}撤销。"
MONTH_IN_FUTURE = "{month}还没有到，不能生成台账。"
MONTHS_REQUIRED = "请选择要交纳的月份。"
MONTHS_DUPLICATE = "月份重复：{month}。"
AMOUNT_ONE_MONTH = "一次登记多个月份时，按各月应交金额登记，不能另填金额。"
AMOUNT_OVER_DUE = "{name}：{month}实交{amount}元，超过应交{due}元；超出部分请登记为“自愿多交党费”。"
AMOUNT_ZERO = "{name}：{month}实交金额应大于0。"
ALREADY_PAID = "{name}：{month}的党费已于{date}登记交纳，不能重复登记。"
EXEMPT_MONTH = "{name}：{month}经批准免交党费，无需登记交纳。"
PAID_ON_FUTURE = "交纳日期不能晚于今天（{today}）。"
MEMBER_UNKNOWN = "第{row}行：没有这名党员。"
MEMBER_NOT_IN_BRANCH = queries.NOT_IN_BRANCH
MONTH_BEFORE_JOINED = queries.NOT_ON_ROSTER_YET
MONTH_AFTER_LEFT = queries.NOT_ON_ROSTER_ANY_MORE
NO_BASIS = queries.NO_BASIS
NO_ROWS = "没有要登记的党员。"
ROW_DUPLICATE = "{name}重复出现。"
FIXED_NOT_USED = "“{category}”不填写固定金额（只有农民党员可另定0.2元至1元的标准）。"
REASON_REQUIRED = "请填写困难情况。"
MEETING_REQUIRED = "请填写党支部研究的会议或决定。"
APPROVAL_DOCUMENT_REQUIRED = "请填写上级党委批准的文号或会议。"
ALREADY_REVIEWED = "该申请已经审批（{status}），不能重复审批。"
NO_COMMITTEE_ABOVE = "“{name}”之上没有可以审批的党委。"
REDUCE_AMOUNT_ZERO = "少交后的每月金额应大于0；不交的，请选择“免交”。"
HANDUP_NO_PARENT = "“{name}”是本系统最高一级党组织，向更上级上缴请在上级系统登记。"
HANDUP_OVER = "{year}年“{name}”累计上缴{handed}元，超过其范围内当年收缴的党费{collected}元，请核对。"
REVIEW_DONE = "“{name}”{year}年度的党费基数已于{date}核定。"
REVIEW_YEAR = "只能核定今年或明年的党费基数。"
REVIEW_MISSING = "{name}没有填写党费类别。"
REVIEW_NOT_IN_BRANCH = "第{row}行的党员不在“{org}”的党员名册中。"
REVIEW_HARDSHIP_KEEP = "{name}经批准{kind}党费，年度核定不能改变，请通过“困难党员少交/免交”办理。"
PAID_NOT_ADJUSTED = "{name}：{months}已按原基数交纳，不自动调整；如需补交差额，请另行登记。"
HARDSHIP_NO_RESTORE = "{name}：减免期满后（{month}起）没有可恢复的党费类别，请届时重新核定。"
TO_CENTRE_NOTE = "一次自愿多交{amount}元（1000元以上），全部上缴中央（第十一条）。"
NOTE_TOO_LONG = "“{label}”最多{n}个字。"
USE_PURPOSE_UNKNOWN = "请从规定的党费用途中选择（培训党员、购买党员教育材料、表彰、补助生活困难党员、受灾救济和教育设施修缮，或“其他”）。"
USE_DECISION_REQUIRED = "请填写批准这笔支出的会议或文件。"
USE_OTHER_NOTE_REQUIRED = "用途为“其他”的，请在说明中写明具体用途。"
USE_DATE_FUTURE = "使用日期不能晚于今天（{today}）。"
USE_DATE_BEFORE_RULES = "使用日期不能早于2008年党费规定的施行日期（2008年4月1日）。"
USE_ORG_DISSOLVED = "“{name}”已于{date}撤销，不能登记此后的党费使用。"
CORRECT_NOT_PAID = "{name}：{month}尚未登记交纳，无需更正；请在台账中登记交纳。"
CORRECT_REASON_REQUIRED = "请填写更正原因。"
CORRECT_NOTHING = "更正后的内容与原登记相同，没有需要更正的。"
CORRECT_PAID_ON_REQUIRED = "请填写更正后的交纳日期。"
CORRECT_VOID_WITH_VALUES = "撤销交纳登记时，不填写更正后的金额、日期和方式。"

# The audit actions this app writes, with their Chinese names (for the audit log page).
AUDIT_ACTION_LABELS = {
    "dues.basis_set": "核定党费类别和基数",
    "dues.hardship_decide": "党支部研究困难党员少交/免交党费",
    "dues.hardship_review": "上级党委审批少交/免交党费",
    "dues.generate": "生成月度党费台账",
    "dues.payment": "登记交纳党费",
    "dues.voluntary": "登记自愿多交党费",
    "dues.handup": "登记党费上缴",
    "dues.base_review": "年初核定党费基数",
    "dues.use": "登记党费使用",
    "dues.payment_correct": "更正党费交纳登记",
}

COMMITTEE_TYPES = frozenset({
    OrgType.COUNTY_COMMITTEE, OrgType.TOWNSHIP_COMMITTEE, OrgType.WORKING_COMMITTEE, OrgType.PRIMARY_COMMITTEE,
})  # fmt: skip


@dataclass
class Result(Generic[T]):
    """A service's result with its warnings (rules that say "generally": shown, never blocking)."""

    value: T
    warnings: list[str] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, f: str, message: str) -> None:
        self.errors.setdefault(f, []).append(message)

    def rule(self, exc: rules.DuesRuleError, prefix: str = "") -> None:
        self.add(prefix + exc.field if prefix else exc.field, str(exc))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ServiceError(self.errors)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _check_org_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _check_branch(org: Org, errors: _Errors | None = None) -> None:
    msg = None
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        msg = NOT_A_BRANCH.format(name=org.name)
    if errors is None and msg:
        raise ServiceError(msg, "org")
    if errors is not None and msg:
        errors.add("org", msg)


def _check_member_writable(actor: User, member: Member) -> Org:
    require_writer(actor)
    if member.org is None or not scope_for(actor).contains_path(member.org.path):
        raise NotPermitted
    return member.org


def _text(errors: _Errors, value: str, *, f: str, label: str, n: int, required_msg: str | None = None) -> str:
    value = (value or "").strip()
    if required_msg and not value:
        errors.add(f, required_msg)
    if len(value) > n:
        errors.add(f, NOTE_TOO_LONG.format(label=label, n=n))
    return value


def _month(value: dt.date) -> dt.date:
    return rules.month_start(value)


def approving_committee(org: Org) -> Org | None:
    """上一级党委 of a branch: the nearest ancestor that is a Party committee (a 党总支 is not)."""
    for anc in reversed(list(Org.objects.get_ancestors(org))):
        if anc.org_type in COMMITTEE_TYPES:
            return anc
    return None


# --- refreshing the ledger after a basis change --------------------------------------------------------
def _refresh_unpaid(member: Member, from_month: dt.date) -> tuple[int, list[str]]:
    """Recompute the due amount of the member's unpaid entries from ``from_month`` on (第十条: the new
    base applies from its month). Paid months stay as paid; the months that differ are named in a
    warning."""
    bases = queries.bases_by_member([member.pk]).get(member.pk, [])
    farmer = parameters.farmer_amount()
    refreshed = 0
    paid_differ = []
    for e in DuesEntry.objects.filter(member=member, month__gte=from_month).order_by("month"):
        try:
            due = queries.due_for(bases, e.month, farmer)
        except rules.DuesRuleError:
            continue  # a row no basis can price stays as it is (the ledger page shows it)
        if due is None:
            continue
        if e.paid_on is not None:
            if due.amount.amount != e.due_amount:
                paid_differ.append(rules.month_label(e.month))
            continue
        if (e.due_amount, e.category, e.base) != (due.amount.amount, due.basis.category, due.basis.base):
            e.due_amount, e.category, e.base = due.amount.amount, due.basis.category, due.basis.base
            e.version += 1
            e.save(update_fields=["due_amount", "category", "base", "version", "updated_at"])
            refreshed += 1
    warnings = [PAID_NOT_ADJUSTED.format(name=member.name, months="、".join(paid_differ))] if paid_differ else []
    return refreshed, warnings


def _validate_basis(errors: _Errors, *, category: str, base: object, fixed_amount: object, effective_from: dt.date,
                    prefix: str = "") -> tuple[Decimal | None, Decimal | None]:
    checked_base = checked_fixed = None
    if category not in rules.CATEGORY_LABELS:
        errors.add(prefix + "category", rules.CATEGORY_UNKNOWN.format(category=category))
        return None, None
    if category in rules.HARDSHIP_CATEGORIES:
        errors.add(prefix + "category", rules.HARDSHIP_NEEDS_APPROVAL)
        return None, None
    try:
        checked_base = rules.check_base(category, base)
    except rules.DuesRuleError as exc:
        errors.rule(exc, prefix)
    if fixed_amount not in (None, ""):
        if category != rules.FARMER:
            errors.add(prefix + "fixed_amount", FIXED_NOT_USED.format(category=rules.CATEGORY_LABELS[category]))
        else:
            try:
                checked_fixed = rules.check_farmer_amount(fixed_amount)
            except rules.DuesRuleError as exc:
                errors.rule(exc, prefix)
    try:
        rules.rules_for(effective_from)
    except rules.DuesRuleError as exc:
        errors.add(prefix + "effective_from", str(exc))
    return checked_base, checked_fixed


# --- 核定党费类别和基数 -----------------------------------------------------------------------------------
@transaction.atomic
def basis_set(*, actor: User, member: Member, category: str, base: object = None, fixed_amount: object = None,
              effective_from: dt.date, document: str = "", note: str = "", today: dt.date | None = None) -> Result[DuesBasis]:
    """Record a member's dues category and base from a month on (第一条至第六条, 第十条). A new record,
    never an edit; unpaid ledger rows from that month on are recomputed. The hardship categories are
    refused here: they come only from an approved decision (hardship_review)."""
    org = _check_member_writable(actor, member)
    errors = _Errors()
    effective = _month(effective_from)
    checked_base, checked_fixed = _validate_basis(
        errors, category=category, base=base, fixed_amount=fixed_amount, effective_from=effective
    )
    document = _text(errors, document, f="document", label="核定依据/文号", n=200)
    note = _text(errors, note, f="note", label="备注", n=500)
    errors.raise_if_any()
    basis = DuesBasis.objects.create(
        member=member, county=member.county, category=category, base=checked_base, fixed_amount=checked_fixed,
        effective_from=effective, document=document, note=note, recorded_by=actor,
    )
    refreshed, warnings = _refresh_unpaid(member, effective)
    audit_record(
        actor=actor, action="dues.basis_set", org=org, target=member,
        changes={
            "category": [None, rules.CATEGORY_LABELS[category]], "base": [None, checked_base],
            "fixed_amount": [None, checked_fixed], "effective_from": [None, effective], "document": [None, document],
            "refreshed_entries": refreshed,
        },
    )  # fmt: skip
    return Result(basis, warnings)


# --- 困难党员少交或免交 (第七条) -----------------------------------------------------------------------
@transaction.atomic
def hardship_decide(*, actor: User, member: Member, kind: str, amount: object = None, start_month: dt.date,
                    end_month: dt.date | None = None, reason: str, branch_decided_on: dt.date, branch_meeting: str,
                    today: dt.date | None = None) -> HardshipDecision:
    """Record the branch's decision that a member in hardship pays less or nothing; it waits for the
    next-higher committee's approval and changes nothing until approved."""
    today = _today(today)
    org = _check_member_writable(actor, member)
    errors = _Errors()
    _check_branch(org, errors)
    start = _month(start_month)
    end = _month(end_month) if end_month else None
    try:
        rules.check_hardship(kind=kind, start=start, end=end, decided_on=branch_decided_on, approved_on=None, today=today)
        rules.rules_for(start)
    except rules.DuesRuleError as exc:
        errors.rule(exc)
    checked_amount = None
    if kind == rules.REDUCE:
        if amount in (None, ""):
            errors.add("amount", rules.REDUCED_AMOUNT_REQUIRED)
        else:
            try:
                checked_amount = rules.parse_money(amount)
            except rules.DuesRuleError as exc:
                errors.add("amount", str(exc))
            else:
                if checked_amount == 0:
                    errors.add("amount", REDUCE_AMOUNT_ZERO)
                else:
                    bases = queries.bases_by_member([member.pk]).get(member.pk, [])
                    try:
                        normal = queries.due_for(bases, start, parameters.farmer_amount())
                    except rules.DuesRuleError:
                        normal = None
                    if normal is not None and checked_amount >= normal.amount.amount:
                        errors.add("amount", rules.REDUCED_NOT_LESS.format(amount=checked_amount, normal=normal.amount.amount))
    reason = _text(errors, reason, f="reason", label="困难情况", n=500, required_msg=REASON_REQUIRED)
    branch_meeting = _text(errors, branch_meeting, f="branch_meeting", label="党支部会议/决定", n=200,
                           required_msg=MEETING_REQUIRED)
    errors.raise_if_any()
    decision = HardshipDecision.objects.create(
        member=member, org=org, county=member.county, kind=kind, amount=checked_amount, start_month=start,
        end_month=end, reason=reason, branch_decided_on=branch_decided_on, branch_meeting=branch_meeting,
        approving_org=approving_committee(org), recorded_by=actor,
    )
    audit_record(
        actor=actor, action="dues.hardship_decide", org=org, target=decision,
        changes={
            "kind": [None, rules.HARDSHIP_KIND_LABELS[kind]], "amount": [None, checked_amount],
            "start_month": [None, start], "end_month": [None, end], "branch_decided_on": [None, branch_decided_on],
            "branch_meeting": [None, branch_meeting],
        },
    )  # fmt: skip
    return decision


@transaction.atomic
def hardship_review(*, actor: User, decision: HardshipDecision, approve: bool, approved_on: dt.date,
                    approval_document: str, note: str = "", version: int, today: dt.date | None = None
                    ) -> Result[HardshipDecision]:
    """The next-higher Party committee approves or refuses a branch's hardship decision (第七条).
    Approval records a dated basis (少交/免交) from the start month, and — when the decision has an
    end month — restores the member's previous basis from the month after."""
    today = _today(today)
    require_writer(actor)
    committee = approving_committee(decision.org)
    if committee is None:
        raise ServiceError(NO_COMMITTEE_ABOVE.format(name=decision.org.name))
    if not scope_for(actor).contains_path(committee.path):
        raise NotPermitted
    if decision.status != HardshipDecision.PENDING:
        raise ServiceError(ALREADY_REVIEWED.format(status=decision.get_status_display()))
    if decision.version != version:
        raise ConflictError
    errors = _Errors()
    try:
        rules.check_hardship(kind=decision.kind, start=decision.start_month, end=decision.end_month,
                             decided_on=decision.branch_decided_on, approved_on=approved_on, today=today)
    except rules.DuesRuleError as exc:
        errors.rule(exc)
    approval_document = _text(errors, approval_document, f="approval_document", label="审批文号/会议", n=200,
                              required_msg=APPROVAL_DOCUMENT_REQUIRED if approve else None)
    note = _text(errors, note, f="approval_note", label="审批意见", n=500)
    errors.raise_if_any()

    member = decision.member
    warnings: list[str] = []
    decision.status = HardshipDecision.APPROVED if approve else HardshipDecision.REJECTED
    decision.approving_org = committee
    decision.approved_on = approved_on
    decision.approval_document = approval_document
    decision.approval_note = note
    decision.approved_by = actor
    decision.version += 1
    decision.save(update_fields=["status", "approving_org", "approved_on", "approval_document", "approval_note",
                                 "approved_by", "version"])  # fmt: skip
    if approve:
        bases = queries.bases_by_member([member.pk]).get(member.pk, [])
        before = rules.basis_for_month(bases, rules.add_months(decision.start_month, -1))
        category = rules.HARDSHIP_REDUCED if decision.kind == rules.REDUCE else rules.EXEMPT
        DuesBasis.objects.create(
            member=member, county=member.county, category=category, fixed_amount=decision.amount,
            effective_from=decision.start_month, document=approval_document, hardship=decision, recorded_by=actor,
            note=f"{decision.approving_org}批准{decision.get_kind_display()}",
        )
        if decision.end_month is not None:
            after = rules.add_months(decision.end_month, 1)
            if before is not None:
                DuesBasis.objects.create(
                    member=member, county=member.county, category=before.category, base=before.base,
                    fixed_amount=before.fixed_amount, effective_from=after, hardship=decision, recorded_by=actor,
                    document=approval_document, note="减免期满，恢复原党费类别和基数",
                )
            else:
                warnings.append(HARDSHIP_NO_RESTORE.format(name=member.name, month=rules.month_label(after)))
        _, more = _refresh_unpaid(member, decision.start_month)
        warnings += more
    audit_record(
        actor=actor, action="dues.hardship_review", org=committee, target=decision,
        changes={"status": [HardshipDecision.PENDING, decision.status], "approved_on": [None, approved_on],
                 "approval_document": [None, approval_document]},
    )  # fmt: skip
    return Result(decision, warnings)


# --- 生成月度台账 ---------------------------------------------------------------------------------------
@dataclass
class Generated:
    month: dt.date
    created: int
    refreshed: int
    unchanged: int
    without_basis: list[str]  # names of members with no category/base yet


@transaction.atomic
def entries_generate(*, actor: User, org: Org, month: dt.date, today: dt.date | None = None) -> Result[Generated]:
    """Create the month's ledger rows for every member who owes ``org`` dues that month (idempotent:
    rows that exist stay; unpaid ones are brought up to date with the basis in force). Members with
    no category/base yet are named in a warning and get no row."""
    today = _today(today)
    _check_org_writable(actor, org)
    month = _month(month)
    errors = _Errors()
    _check_branch(org, errors)
    if month > _month(today):
        errors.add("month", MONTH_IN_FUTURE.format(month=rules.month_label(month)))
    try:
        rules.rules_for(month)
    except rules.DuesRuleError as exc:
        errors.add("month", str(exc))
    errors.raise_if_any()

    members = list(queries.roster_for_month(org, month, today))
    ids = [m.pk for m in members]
    bases = queries.bases_by_member(ids)
    existing = queries.entries_for(ids, [month])
    farmer = parameters.farmer_amount()
    county = queries.county_of(org)
    new: list[DuesEntry] = []
    stale: list[DuesEntry] = []
    unchanged = 0
    without: list[str] = []
    for m in members:
        try:
            due = queries.due_for(bases.get(m.pk, []), month, farmer)
        except rules.DuesRuleError as exc:
            errors.add("__all__", f"{m.name}：{exc}")
            continue
        if due is None:
            without.append(m.name)
            continue
        e = existing.get((m.pk, month))
        if e is None:
            new.append(DuesEntry(member=m, org=org, county=county, month=month, category=due.basis.category,
                                 base=due.basis.base, due_amount=due.amount.amount))
        elif e.paid_on is None and (e.org_id, e.due_amount, e.category, e.base) != (
            org.pk, due.amount.amount, due.basis.category, due.basis.base
        ):
            e.org, e.county = org, county
            e.due_amount, e.category, e.base = due.amount.amount, due.basis.category, due.basis.base
            e.version += 1
            stale.append(e)
        else:
            unchanged += 1
    errors.raise_if_any()
    for e in stale:
        e.save(update_fields=["org", "county", "due_amount", "category", "base", "version", "updated_at"])
    refreshed = len(stale)
    DuesEntry.objects.bulk_create(new)
    summary = Generated(month, len(new), refreshed, unchanged, without)
    audit_record(
        actor=actor, action="dues.generate", org=org, target=org,
        changes={"month": rules.month_label(month), "created": len(new), "refreshed": refreshed,
                 "without_basis": len(without)},
    )  # fmt: skip
    warnings = [NO_BASIS.format(name="、".join(without), month=rules.month_label(month))] if without else []
    return Result(summary, warnings)


# --- 登记交纳 -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentRow:
    """One line of a payment form: a member, the months paid and how."""

    member_id: int
    months: tuple[dt.date, ...]
    method: str = rules.CASH
    amount: object = None  # only with one month; default: the month's due amount
    receipt_number: str = ""
    payer_name: str = ""
    consent_note: str = ""
    note: str = ""


@dataclass
class _Planned:
    member: Member
    month: dt.date
    entry: DuesEntry | None
    category: str
    base: Decimal | None
    due: Decimal
    paid: Decimal
    row: PaymentRow


def _plan_payments(*, org: Org, rows: Sequence[PaymentRow], paid_on: dt.date, today: dt.date, errors: _Errors,
                   keyed: bool) -> tuple[list[_Planned], list[str]]:
    """Validate every row against the rules and the roster; the plan of what to write, and warnings."""
    ids = [r.member_id for r in rows]
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids)}
    tls = queries.timelines(members)
    bases = queries.bases_by_member(members)
    all_months = {_month(mo) for r in rows for mo in r.months}
    existing = queries.entries_for(members, all_months, lock=True)
    farmer = parameters.farmer_amount()
    plan: list[_Planned] = []
    warnings: list[str] = []
    seen: set[int] = set()
    for i, r in enumerate(rows, start=1):
        key = f"row-{r.member_id}-" if keyed else ""
        m = members.get(r.member_id)
        if m is None:
            errors.add(f"{key}member", MEMBER_UNKNOWN.format(row=i))
            continue
        if m.pk in seen:
            errors.add(f"{key}member", ROW_DUPLICATE.format(name=m.name))
            continue
        seen.add(m.pk)
        if not r.months:
            errors.add(f"{key}months", MONTHS_REQUIRED)
            continue
        months = [_month(mo) for mo in r.months]
        dup = {mo for mo in months if months.count(mo) > 1}
        if dup:
            errors.add(f"{key}months", MONTHS_DUPLICATE.format(month="、".join(rules.month_label(d) for d in sorted(dup))))
            continue
        try:
            rules.check_method(r.method, consent=r.consent_note, payer_name=r.payer_name)
        except rules.DuesRuleError as exc:
            errors.add(key + exc.field, str(exc))
        for f, label, n in (("receipt_number", "收据编号", 50), ("payer_name", "代交人", 50),
                            ("consent_note", "支部同意（会议/日期）", 200), ("note", "备注", 200)):
            _text(errors, getattr(r, f), f=key + f, label=label, n=n)
        amount = None
        if r.amount not in (None, ""):
            if len(months) > 1:
                errors.add(f"{key}amount", AMOUNT_ONE_MONTH)
            else:
                try:
                    amount = rules.parse_money(r.amount)
                except rules.DuesRuleError as exc:
                    errors.add(f"{key}amount", str(exc))
                    continue
        for mo in sorted(months):
            label = rules.month_label(mo)
            try:
                rules.rules_for(mo)
            except rules.DuesRuleError as exc:
                errors.add(f"{key}months", str(exc))
                continue
            reason = queries.owed_here(m, tls.get(m.pk), org, mo, today)
            if reason:
                errors.add(f"{key}months", reason)
                continue
            e = existing.get((m.pk, mo))
            if e is not None and e.paid_on is not None:
                errors.add(f"{key}months", ALREADY_PAID.format(name=m.name, month=label, date=e.paid_on))
                continue
            if e is not None:
                category, base, due_amount = e.category, e.base, e.due_amount
            else:
                try:
                    due = queries.due_for(bases.get(m.pk, []), mo, farmer)
                except rules.DuesRuleError as exc:
                    errors.add(f"{key}months", f"{m.name}：{exc}")
                    continue
                if due is None:
                    errors.add(f"{key}months", NO_BASIS.format(name=m.name, month=label))
                    continue
                category, base, due_amount = due.basis.category, due.basis.base, due.amount.amount
            if due_amount == 0:
                errors.add(f"{key}months", EXEMPT_MONTH.format(name=m.name, month=label))
                continue
            paid = due_amount if amount is None else amount
            if paid > due_amount:
                errors.add(f"{key}amount", AMOUNT_OVER_DUE.format(name=m.name, month=label, amount=paid, due=due_amount))
                continue
            if paid == 0:
                errors.add(f"{key}amount", AMOUNT_ZERO.format(name=m.name, month=label))
                continue
            warnings += [f"{m.name}：{w}" for w in rules.payment_warnings(mo, paid_on)]
            plan.append(_Planned(m, mo, e, category, base, due_amount, paid, r))
    return plan, warnings


def _write_payments(actor: User, org: Org, plan: list[_Planned], paid_on: dt.date) -> list[DuesEntry]:
    county = queries.county_of(org)
    written = []
    by_member: dict[int, list[_Planned]] = {}
    for p in plan:
        e = p.entry or DuesEntry(member=p.member, org=org, county=county, month=p.month, category=p.category,
                                 base=p.base, due_amount=p.due)
        e.org, e.county = org, county
        e.paid_amount, e.paid_on, e.method = p.paid, paid_on, p.row.method
        e.receipt_number, e.payer_name = p.row.receipt_number.strip(), p.row.payer_name.strip()
        e.consent_note, e.note = p.row.consent_note.strip(), p.row.note.strip()
        e.recorded_by = actor
        if e.pk is not None:
            e.version += 1
        e.save()
        written.append(e)
        by_member.setdefault(p.member.pk, []).append(p)
    for ps in by_member.values():
        audit_record(
            actor=actor, action="dues.payment", org=org, target=ps[0].member,
            changes={
                "months": "、".join(rules.month_label(p.month) for p in ps),
                "paid_amount": str(sum((p.paid for p in ps), Decimal("0.00"))),
                "paid_on": paid_on, "method": rules.METHOD_LABELS[ps[0].row.method],
                "receipt_number": ps[0].row.receipt_number,
            },
        )  # fmt: skip
    return written


def _check_paid_on(errors: _Errors, paid_on: dt.date, today: dt.date) -> None:
    if paid_on > today:
        errors.add("paid_on", PAID_ON_FUTURE.format(today=today))


@transaction.atomic
def payment_record(*, actor: User, org: Org, member: Member, months: Sequence[dt.date], paid_on: dt.date,
                   method: str = rules.CASH, amount: object = None, receipt_number: str = "", payer_name: str = "",
                   consent_note: str = "", note: str = "", today: dt.date | None = None) -> Result[list[DuesEntry]]:
    """Record one member's payment for one or more months (a month's dues, a quarter paid at once,
    back-payment or advance payment). Refused, with nothing written: months before the member joined
    or after they left, months when their relations were in another organization, months already
    paid, an amount above what is due. Back- or advance payment beyond 6 months is a warning."""
    today = _today(today)
    _check_org_writable(actor, org)
    errors = _Errors()
    _check_branch(org, errors)
    _check_paid_on(errors, paid_on, today)
    if not months:
        errors.add("months", MONTHS_REQUIRED)
    errors.raise_if_any()
    row = PaymentRow(member.pk, tuple(months), method, amount, receipt_number or "", payer_name or "",
                     consent_note or "", note or "")  # fmt: skip
    plan, warnings = _plan_payments(org=org, rows=[row], paid_on=paid_on, today=today, errors=errors, keyed=False)
    errors.raise_if_any()
    return Result(_write_payments(actor, org, plan, paid_on), warnings)


@transaction.atomic
def payments_record_batch(*, actor: User, org: Org, rows: Sequence[PaymentRow], paid_on: dt.date,
                          today: dt.date | None = None) -> Result[list[DuesEntry]]:
    """Record many members' payments at once (the ledger page's form): all or nothing. Errors are
    keyed ``row-<member id>-<field>``."""
    today = _today(today)
    _check_org_writable(actor, org)
    errors = _Errors()
    _check_branch(org, errors)
    _check_paid_on(errors, paid_on, today)
    if not rows:
        errors.add("__all__", NO_ROWS)
    errors.raise_if_any()
    plan, warnings = _plan_payments(org=org, rows=rows, paid_on=paid_on, today=today, errors=errors, keyed=True)
    errors.raise_if_any()
    return Result(_write_payments(actor, org, plan, paid_on), warnings)


# --- 自愿多交党费 (第十一条) --------------------------------------------------------------------------
@transaction.atomic
def voluntary_record(*, actor: User, org: Org, member: Member, amount: object, paid_on: dt.date,
                     receipt_number: str = "", note: str = "", today: dt.date | None = None) -> Result[VoluntaryPayment]:
    """A voluntary payment beyond the monthly dues. One payment of 1000 元 or more is recorded as
    going wholly to the Centre (第十一条)."""
    today = _today(today)
    _check_org_writable(actor, org)
    errors = _Errors()
    _check_branch(org, errors)
    _check_paid_on(errors, paid_on, today)
    checked = None
    try:
        checked = rules.parse_positive_amount(amount)
    except rules.DuesRuleError as exc:
        errors.add("amount", str(exc))
    if paid_on <= today:
        reason = queries.owed_here(member, queries.timelines([member.pk]).get(member.pk), org, _month(paid_on), today)
        if reason:
            errors.add("member", reason)
    receipt_number = _text(errors, receipt_number, f="receipt_number", label="收据编号", n=50)
    note = _text(errors, note, f="note", label="备注", n=200)
    errors.raise_if_any()
    assert checked is not None
    to_centre = rules.voluntary_goes_to_centre(checked)
    v = VoluntaryPayment.objects.create(
        member=member, org=org, county=queries.county_of(org), paid_on=paid_on, month=_month(paid_on), amount=checked,
        to_centre=to_centre, receipt_number=receipt_number, note=note, recorded_by=actor,
    )
    audit_record(actor=actor, action="dues.voluntary", org=org, target=member,
                 changes={"amount": [None, checked], "paid_on": [None, paid_on], "to_centre": [None, to_centre]})
    return Result(v, [TO_CENTRE_NOTE.format(amount=checked)] if to_centre else [])


# --- 党费上缴 -----------------------------------------------------------------------------------------
@transaction.atomic
def handup_record(*, actor: User, org: Org, month: dt.date, amount: object, handed_on: dt.date,
                  receipt_number: str = "", note: str = "", today: dt.date | None = None) -> Result[HandUp]:
    """An organization hands dues up to its parent for a month. Handing up more in a year than its
    subtree collected that year is a warning (a transfer may cover several years' balance)."""
    today = _today(today)
    _check_org_writable(actor, org)
    month = _month(month)
    errors = _Errors()
    parent = Org.objects.get_parent(org)
    if parent is None:
        errors.add("org", HANDUP_NO_PARENT.format(name=org.name))
    if org.dissolved_on and org.dissolved_on < month:
        errors.add("org", ORG_DISSOLVED.format(name=org.name, date=org.dissolved_on))
    checked = None
    try:
        checked = rules.parse_positive_amount(amount)
    except rules.DuesRuleError as exc:
        errors.add("amount", str(exc))
    if handed_on > today:
        errors.add("handed_on", rules.FUTURE_DATE.format(today=today))
    if month > _month(today):
        errors.add("month", MONTH_IN_FUTURE.format(month=rules.month_label(month)))
    try:
        rules.rules_for(month)
    except rules.DuesRuleError as exc:
        errors.add("month", str(exc))
    receipt_number = _text(errors, receipt_number, f="receipt_number", label="凭证/收据编号", n=50)
    note = _text(errors, note, f="note", label="备注", n=200)
    errors.raise_if_any()
    assert parent is not None and checked is not None
    h = HandUp.objects.create(
        org=org, to_org=parent, county=queries.county_of(org), month=month, amount=checked, handed_on=handed_on,
        receipt_number=receipt_number, note=note, recorded_by=actor,
    )
    year_start, year_end = dt.date(month.year, 1, 1), dt.date(month.year + 1, 1, 1)
    handed = rules.to_fen(
        HandUp.objects.filter(org=org, month__gte=year_start, month__lt=year_end).aggregate(s=Sum("amount"))["s"]
        or Decimal("0")
    )
    collected = rules.to_fen(DuesEntry.objects.filter(
        org__path__gte=org.path, org__path__lt=subtree_upper_bound(org.path), month__gte=year_start, month__lt=year_end
    ).aggregate(s=Sum("paid_amount"))["s"] or Decimal("0"))
    warnings = []
    if handed > collected:
        warnings.append(HANDUP_OVER.format(year=month.year, name=org.name, handed=handed, collected=collected))
    audit_record(actor=actor, action="dues.handup", org=org, target=h,
                 changes={"month": rules.month_label(month), "amount": [None, checked], "to_org": [None, parent.name]})
    return Result(h, warnings)


# --- 年初核定党费基数 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewRow:
    member_id: int
    category: str
    base: object = None
    fixed_amount: object = None


@transaction.atomic
def base_review_confirm(*, actor: User, org: Org, year: int, rows: Sequence[ReviewRow], confirmed_on: dt.date,
                        document: str = "", today: dt.date | None = None) -> Result[BaseReview]:
    """年初核定党员月交纳党费数额: the branch confirms or changes every member's category and base for
    ``year`` (from January). One row per member on the branch's roster; unchanged rows only confirm.
    Members under an approved hardship decision keep it (that changes only through the committee)."""
    today = _today(today)
    _check_org_writable(actor, org)
    errors = _Errors()
    _check_branch(org, errors)
    if year not in (today.year, today.year + 1):
        errors.add("year", REVIEW_YEAR)
    if confirmed_on > today:
        errors.add("confirmed_on", rules.FUTURE_DATE.format(today=today))
    done = BaseReview.objects.filter(org=org, year=year).first()
    if done is not None:
        errors.add("__all__", REVIEW_DONE.format(name=org.name, year=year, date=done.confirmed_on))
    document = _text(errors, document, f="document", label="核定依据", n=200)
    errors.raise_if_any()

    jan = dt.date(year, 1, 1)
    roster = {m.pk: m for m in Member.objects.filter(org=org, status__in=member_rules.ACTIVE)}
    bases = queries.bases_by_member(roster)
    by_id: dict[int, ReviewRow] = {}
    for i, r in enumerate(rows, start=1):
        m = roster.get(r.member_id)
        if m is None:
            errors.add(f"row-{r.member_id}-member", REVIEW_NOT_IN_BRANCH.format(row=i, org=org.name))
            continue
        by_id[m.pk] = r
    changes: list[tuple[Member, str, Decimal | None, Decimal | None]] = []
    for m in roster.values():
        key = f"row-{m.pk}-"
        row = by_id.get(m.pk)
        current = rules.basis_for_month(bases.get(m.pk, []), jan)
        if row is None or not row.category:
            errors.add(key + "category", REVIEW_MISSING.format(name=m.name))
            continue
        if current is not None and current.category in rules.HARDSHIP_CATEGORIES:
            if row.category != current.category:
                kind = "少交" if current.category == rules.HARDSHIP_REDUCED else "免交"
                errors.add(key + "category", REVIEW_HARDSHIP_KEEP.format(name=m.name, kind=kind))
            continue
        base, fixed = _validate_basis(errors, category=row.category, base=row.base, fixed_amount=row.fixed_amount,
                                      effective_from=jan, prefix=key)
        if current is None or (current.category, current.base, current.fixed_amount) != (row.category, base, fixed):
            changes.append((m, row.category, base, fixed))
    errors.raise_if_any()
    warnings: list[str] = []
    for m, category, base, fixed in changes:
        DuesBasis.objects.create(member=m, county=m.county, category=category, base=base, fixed_amount=fixed,
                                 effective_from=jan, document=document or f"{year}年度党费基数核定", recorded_by=actor)
        warnings += _refresh_unpaid(m, jan)[1]
    review = BaseReview.objects.create(
        org=org, county=queries.county_of(org), year=year, confirmed_on=confirmed_on, document=document,
        members_count=len(roster), changed_count=len(changes), confirmed_by=actor,
    )
    audit_record(actor=actor, action="dues.base_review", org=org, target=review,
                 changes={"year": year, "members": len(roster), "changed": len(changes)})
    return Result(review, warnings)


# --- 党费使用 (R2.15) --------------------------------------------------------------------------------
RULES_START = dt.date(2008, 4, 1)


@transaction.atomic
def dues_use_record(*, actor: User, org: Org, used_on: dt.date, amount: object, purpose: str, decision: str,
                    note: str = "", today: dt.date | None = None) -> DuesUse:
    """An organization spends dues it keeps, for one of R2.15's purposes, on a recorded decision.
    Refused, nothing written: an amount that is not positive or absurd, a date in the future (or
    before the 2008 rules, or after the organization was dissolved), a purpose not on the list, no
    decision; "其他" needs the purpose written in the note."""
    today = _today(today)
    _check_org_writable(actor, org)
    errors = _Errors()
    checked = None
    try:
        checked = rules.parse_positive_amount(amount)
    except rules.DuesRuleError as exc:
        errors.add("amount", str(exc))
    if used_on > today:
        errors.add("used_on", USE_DATE_FUTURE.format(today=today))
    elif used_on < RULES_START:
        errors.add("used_on", USE_DATE_BEFORE_RULES)
    if org.dissolved_on and used_on > org.dissolved_on:
        errors.add("used_on", USE_ORG_DISSOLVED.format(name=org.name, date=org.dissolved_on))
    if purpose not in rules.USE_PURPOSE_LABELS:
        errors.add("purpose", USE_PURPOSE_UNKNOWN)
    decision = _text(errors, decision, f="decision", label="批准的会议/文件", n=200, required_msg=USE_DECISION_REQUIRED)
    note = _text(errors, note, f="note", label="说明", n=500,
                 required_msg=USE_OTHER_NOTE_REQUIRED if purpose == rules.USE_OTHER else None)
    errors.raise_if_any()
    assert checked is not None
    use = DuesUse.objects.create(
        org=org, county=queries.county_of(org), used_on=used_on, amount=checked, purpose=purpose, decision=decision,
        note=note, recorded_by=actor,
    )
    audit_record(
        actor=actor, action="dues.use", org=org, target=use,
        changes={"used_on": [None, used_on], "amount": [None, checked],
                 "purpose": [None, rules.USE_PURPOSE_LABELS[purpose]], "decision": [None, decision]},
    )  # fmt: skip
    return use


# --- 更正交纳登记 --------------------------------------------------------------------------------------
@transaction.atomic
def dues_payment_correct(*, actor: User, entry: DuesEntry, version: int, reason: str, void: bool = False,
                         paid_amount: object = None, paid_on: dt.date | None = None, method: str | None = None,
                         today: dt.date | None = None) -> DuesEntry:
    """Correct a paid ledger row: set its paid amount, date and method to the corrected values, or
    (``void``) take the payment back so the month is unpaid again. The reason is required; a stale
    ``version`` (someone saved the row since) is a ConflictError; the audit event keeps old → new.
    Values not given keep what was recorded."""
    today = _today(today)
    _check_org_writable(actor, entry.org)
    locked = DuesEntry.objects.select_for_update().select_related("member").get(pk=entry.pk)
    if locked.version != version:
        raise ConflictError
    label = rules.month_label(locked.month)
    if locked.paid_on is None:
        raise ServiceError(CORRECT_NOT_PAID.format(name=locked.member.name, month=label))
    errors = _Errors()
    reason = _text(errors, reason, f="reason", label="更正原因", n=200, required_msg=CORRECT_REASON_REQUIRED)
    old = {"paid_amount": locked.paid_amount, "paid_on": locked.paid_on, "method": locked.method}
    if void:
        if paid_amount not in (None, "") or paid_on is not None or method:
            errors.add("__all__", CORRECT_VOID_WITH_VALUES)
        new: dict[str, object] = {"paid_amount": Decimal("0.00"), "paid_on": None, "method": ""}
    else:
        new_amount: Decimal | None = locked.paid_amount
        if paid_amount not in (None, ""):
            try:
                new_amount = rules.parse_money(paid_amount)
            except rules.DuesRuleError as exc:
                errors.add("paid_amount", str(exc))
                new_amount = None
            else:
                if new_amount == 0:
                    errors.add("paid_amount", AMOUNT_ZERO.format(name=locked.member.name, month=label))
                elif new_amount > locked.due_amount:
                    errors.add("paid_amount", AMOUNT_OVER_DUE.format(
                        name=locked.member.name, month=label, amount=new_amount, due=locked.due_amount))
        new_on = paid_on if paid_on is not None else locked.paid_on
        if new_on > today:
            errors.add("paid_on", PAID_ON_FUTURE.format(today=today))
        new_method = method or locked.method
        try:
            rules.check_method(new_method, consent=locked.consent_note, payer_name=locked.payer_name)
        except rules.DuesRuleError as exc:
            errors.add("method", str(exc))
        new = {"paid_amount": new_amount, "paid_on": new_on, "method": new_method}
    errors.raise_if_any()
    if new == old:
        raise ServiceError(CORRECT_NOTHING)
    locked.paid_amount = new["paid_amount"]  # type: ignore[assignment]
    locked.paid_on = new["paid_on"]  # type: ignore[assignment]
    locked.method = new["method"]  # type: ignore[assignment]
    update = ["paid_amount", "paid_on", "method", "version", "updated_at"]
    receipt = locked.receipt_number
    if void:
        locked.receipt_number = locked.payer_name = locked.consent_note = ""
        update += ["receipt_number", "payer_name", "consent_note"]
    locked.version += 1
    locked.save(update_fields=update)
    changes: dict[str, object] = {
        "month": label, "void": void,
        **{k: [old[k], new[k]] for k in ("paid_amount", "paid_on") if old[k] != new[k]},
    }  # fmt: skip
    if old["method"] != new["method"]:
        changes["method"] = [rules.METHOD_LABELS.get(str(old["method"]), old["method"]),
                             rules.METHOD_LABELS.get(str(new["method"]), new["method"])]
    if void and receipt:
        changes["receipt_number"] = [receipt, ""]
    audit_record(actor=actor, action="dues.payment_correct", org=locked.org, target=locked, changes=changes,
                 reason=reason)
    entry.__dict__.update({k: getattr(locked, k) for k in ("paid_amount", "paid_on", "method", "version",
                                                           "receipt_number", "payer_name", "consent_note")})
    return locked

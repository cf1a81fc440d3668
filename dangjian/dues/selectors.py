"""Reads of the dues app. Every function takes the acting user first and stays in their scope: an
organization or member id outside it answers 404 (Http404), as if it did not exist. Sums are
aggregated in SQL (conditional SUMs grouped by month or by child subtree), never by looping over
ledger rows in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.accounts.selectors import scope_for
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
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.selectors import member_get, members_visible
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import org_children, org_get, orgs_visible

if TYPE_CHECKING:
    from dangjian.web.selectors import WorkItem

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


def _d(value: Decimal | None) -> Decimal:
    """A SQL sum as Decimal yuan to the fen. SQLite sums decimals as floats and hands back e.g.
    Decimal('50') or 0.30000000000000004; rounding to the fen restores the exact value (every term has
    two places and the totals stay far inside a double's 15 exact digits)."""
    return rules.to_fen(Decimal(value) if value is not None else ZERO)


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _subtree(field: str, org: Org) -> Q:
    return Q(**{f"{field}__gte": org.path, f"{field}__lt": subtree_upper_bound(org.path)})


# --- access ---------------------------------------------------------------------------------------------
def dues_org_get(actor: User, pk: int | str) -> Org:
    """Any organization in the actor's scope (roll-ups, hand-ups); 404 otherwise."""
    return org_get(actor, pk)


def branch_get(actor: User, pk: int | str) -> Org:
    """An organization that keeps a dues ledger (one that holds members) in the actor's scope."""
    org = org_get(actor, pk)
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        raise Http404
    return org


def publication_org_get(actor: User, pk: int | str) -> Org:
    """The organization whose yearly publication the actor may read: any in scope for organization
    users; a member reads their own branch's (R2.10: collection is published to members)."""
    if actor.role == Role.MEMBER:
        if not actor.member_id:
            raise Http404
        member = member_get(actor, actor.member_id)
        if member.org is None or str(member.org_id) != str(pk):
            raise Http404
        return member.org
    return org_get(actor, pk)


def hardship_get(actor: User, pk: int | str) -> HardshipDecision:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    d = HardshipDecision.objects.filter(scope_for(actor).q("org__path"), pk=pk).select_related(
        "member", "org", "approving_org", "recorded_by", "approved_by"
    ).first()
    if d is None:
        raise Http404
    return d


# --- a member's settings ------------------------------------------------------------------------------------
def member_bases(actor: User, member: Member) -> list[DuesBasis]:
    """The member's category/base records, newest first (history, never overwritten)."""
    member_get(actor, member.pk)
    return list(DuesBasis.objects.filter(member=member).select_related("recorded_by", "hardship").order_by(
        "-effective_from", "-id"))


def basis_in_force(actor: User, member: Member, month: dt.date) -> DuesBasis | None:
    member_get(actor, member.pk)
    return (
        DuesBasis.objects.filter(member=member, effective_from__lte=rules.month_start(month))
        .order_by("-effective_from", "-id")
        .first()
    )


def member_hardships(actor: User, member: Member) -> list[HardshipDecision]:
    member_get(actor, member.pk)
    return list(HardshipDecision.objects.filter(member=member).select_related("approving_org", "org"))


def hardship_pending(actor: User, org: Org) -> QuerySet[HardshipDecision]:
    """Decisions in ``org``'s subtree awaiting the higher committee."""
    org_get(actor, org.pk)
    return (
        HardshipDecision.objects.filter(_subtree("org__path", org), status=HardshipDecision.PENDING)
        .select_related("member", "org", "approving_org")
        .order_by("branch_decided_on", "pk")
    )


def can_approve(actor: User, decision: HardshipDecision) -> bool:
    """Whether ``actor`` records for the next-higher committee of the deciding branch (第七条)."""
    from dangjian.dues.services import approving_committee

    committee = approving_committee(decision.org)
    return actor.can_write and committee is not None and scope_for(actor).contains_path(committee.path)


# --- the branch ledger ---------------------------------------------------------------------------------------
@dataclass
class LedgerRow:
    member: Member
    entry: DuesEntry | None
    category: str
    base: Decimal | None
    due: Decimal | None  # None: no category/base yet
    paid: Decimal
    arrears: Decimal
    status: str  # "paid" | "partial" | "unpaid" | "exempt" | "no_basis"

    @property
    def category_label(self) -> str:
        return rules.CATEGORY_LABELS.get(self.category, "未核定")

    @property
    def status_label(self) -> str:
        return LEDGER_STATUS_LABELS[self.status]


LEDGER_STATUS_LABELS = {
    "paid": "已交", "partial": "部分交纳", "unpaid": "未交", "exempt": "免交", "no_basis": "未核定基数",
}  # fmt: skip


@dataclass
class Ledger:
    org: Org
    month: dt.date
    rows: list[LedgerRow]
    due: Decimal
    paid: Decimal
    arrears: Decimal
    generated: int  # rows that exist in the ledger
    not_generated: int  # members who owe the month but have no row yet

    @property
    def month_label(self) -> str:
        return rules.month_label(self.month)


def branch_ledger(actor: User, org: Org, month: dt.date, *, today: dt.date | None = None) -> Ledger:
    """党费收缴台账 of ``org`` for ``month``: a row per member who owes it (or has a row), with due,
    paid and arrears. Members with no row yet show the amount their basis makes due."""
    today = today or timezone.localdate()
    branch_get(actor, org.pk)
    month = rules.month_start(month)
    entries = {
        e.member_id: e
        for e in DuesEntry.objects.filter(org=org, month=month).select_related("member")
    }
    roster = list(queries.roster_for_month(org, month, today)) if month <= rules.month_start(today) else []
    members = {m.pk: m for m in roster}
    for entry in entries.values():
        members.setdefault(entry.member_id, entry.member)
    missing = [pk for pk in members if pk not in entries]
    bases = queries.bases_by_member(missing)
    farmer = parameters.farmer_amount()
    rows = []
    for m in sorted(members.values(), key=lambda m: (m.name_pinyin, m.pk)):
        e = entries.get(m.pk)
        if e is not None:
            due, paid, category, base = e.due_amount, e.paid_amount, e.category, e.base
        else:
            try:
                d = queries.due_for(bases.get(m.pk, []), month, farmer)
            except rules.DuesRuleError:
                d = None
            due, paid = (d.amount.amount if d else None), ZERO
            category, base = (d.basis.category, d.basis.base) if d else ("", None)
        if due is None:
            status = "no_basis"
        elif due == 0:
            status = "exempt"
        elif e is not None and e.paid_on is not None and paid >= due:
            status = "paid"
        elif paid > 0:
            status = "partial"
        else:
            status = "unpaid"
        arrears = max((due or ZERO) - paid, ZERO)
        rows.append(LedgerRow(m, e, category, base, due, paid, arrears, status))
    return Ledger(
        org=org, month=month, rows=rows,
        due=sum((r.due or ZERO for r in rows), ZERO), paid=sum((r.paid for r in rows), ZERO),
        arrears=sum((r.arrears for r in rows), ZERO),
        generated=len(entries), not_generated=len(missing),
    )  # fmt: skip


def ledger_entry_get(actor: User, org: Org, month: dt.date, member_id: int) -> DuesEntry:
    """The ledger row of ``member_id`` in ``org``'s ledger for ``month``; 404 if none (or out of scope)."""
    branch_get(actor, org.pk)
    e = DuesEntry.objects.filter(org=org, month=rules.month_start(month), member_id=member_id).select_related(
        "member", "org").first()
    if e is None:
        raise Http404
    return e


def _unpaid() -> Q:
    return Q(due_amount__gt=F("paid_amount"))


def arrears_by_member(actor: User, org: Org, *, today: dt.date | None = None) -> list[dict]:
    """欠交党费: members of ``org``'s subtree with unpaid ledger months before the current month — the
    number of months, the amount and the earliest month, one SQL GROUP BY; most months first."""
    today = today or timezone.localdate()
    org_get(actor, org.pk)
    rows = list(
        DuesEntry.objects.filter(_subtree("org__path", org), _unpaid(), month__lt=rules.month_start(today))
        .values("member_id", "member__name", "member__name_pinyin", "org_id", "org__name")
        .annotate(
            months=Count("id"),
            amount=Sum(ExpressionWrapper(F("due_amount") - F("paid_amount"), output_field=MONEY)),
            earliest=Min("month"),
        )
        .order_by("-months", "earliest", "member__name_pinyin")
    )
    for r in rows:
        r["amount"] = _d(r["amount"])
    return rows


# --- roll-ups up the tree ------------------------------------------------------------------------------------
@dataclass
class MonthRoll:
    month: dt.date
    due: Decimal = ZERO
    collected: Decimal = ZERO  # monthly dues paid for this month, in the subtree
    voluntary: Decimal = ZERO  # voluntary payments in the subtree (all)
    to_centre: Decimal = ZERO  # of which wholly to the Centre (第十一条)
    handed_up: Decimal = ZERO  # handed up by this organization to its parent
    received: Decimal = ZERO  # handed up to this organization by its children
    used: Decimal = ZERO  # dues spent in the subtree (党费使用, R2.15), by date of use

    @property
    def arrears(self) -> Decimal:
        return max(self.due - self.collected, ZERO)

    @property
    def rate(self) -> Decimal | None:
        """收缴率, percent to one place (None when nothing is due)."""
        return None if not self.due else (self.collected * 100 / self.due).quantize(Decimal("0.1"))


def rollup_months(actor: User, org: Org, year: int) -> list[MonthRoll]:
    """By month of ``year`` for ``org``'s subtree: due and collected (ledger months), voluntary, to
    the Centre, handed up by ``org`` and received by it. Five SQL GROUP BY queries, no row loops."""
    org_get(actor, org.pk)
    start, end = _year_range(year)
    out = {m: MonthRoll(m) for m in rules.months_of_year(year)}
    for r in (
        DuesEntry.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end)
        .values("month").annotate(due=Sum("due_amount"), collected=Sum("paid_amount"))
    ):  # fmt: skip
        out[r["month"]].due, out[r["month"]].collected = _d(r["due"]), _d(r["collected"])
    for r in (
        VoluntaryPayment.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end)
        .values("month").annotate(total=Sum("amount"), centre=Sum("amount", filter=Q(to_centre=True)))
    ):  # fmt: skip
        out[r["month"]].voluntary, out[r["month"]].to_centre = _d(r["total"]), _d(r["centre"])
    for r in HandUp.objects.filter(org=org, month__gte=start, month__lt=end).values("month").annotate(s=Sum("amount")):
        out[r["month"]].handed_up = _d(r["s"])
    for r in HandUp.objects.filter(to_org=org, month__gte=start, month__lt=end).values("month").annotate(s=Sum("amount")):
        out[r["month"]].received = _d(r["s"])
    return [out[m] for m in rules.months_of_year(year)]


@dataclass
class YearRoll:
    year: int
    due: Decimal
    collected: Decimal
    voluntary: Decimal
    to_centre: Decimal
    handed_up: Decimal
    received: Decimal

    @property
    def arrears(self) -> Decimal:
        return max(self.due - self.collected, ZERO)

    @property
    def rate(self) -> Decimal | None:
        return None if not self.due else (self.collected * 100 / self.due).quantize(Decimal("0.1"))


def rollup_year(actor: User, org: Org, year: int) -> YearRoll:
    """Totals of ``year`` for ``org``'s subtree, in SQL."""
    org_get(actor, org.pk)
    start, end = _year_range(year)
    e = DuesEntry.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end).aggregate(
        due=Sum("due_amount"), collected=Sum("paid_amount"))
    v = VoluntaryPayment.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end).aggregate(
        total=Sum("amount"), centre=Sum("amount", filter=Q(to_centre=True)))
    up = HandUp.objects.filter(org=org, month__gte=start, month__lt=end).aggregate(s=Sum("amount"))
    down = HandUp.objects.filter(to_org=org, month__gte=start, month__lt=end).aggregate(s=Sum("amount"))
    return YearRoll(year, _d(e["due"]), _d(e["collected"]), _d(v["total"]), _d(v["centre"]), _d(up["s"]), _d(down["s"]))


@dataclass
class ChildRoll:
    org: Org
    due: Decimal
    collected: Decimal
    voluntary: Decimal
    handed_up: Decimal  # by the child to ``org``
    rank: int = 0

    @property
    def arrears(self) -> Decimal:
        return max(self.due - self.collected, ZERO)

    @property
    def rate(self) -> Decimal | None:
        return None if not self.due else (self.collected * 100 / self.due).quantize(Decimal("0.1"))


def rollup_children(actor: User, org: Org, year: int, *, month: dt.date | None = None) -> list[ChildRoll]:
    """Each child of ``org`` with its whole subtree's sums for ``year`` (or one ``month``), ranked by
    collection rate, then amount collected. One GROUP BY on the child's path prefix per table."""
    org_get(actor, org.pk)
    start, end = _year_range(year)
    if month is not None:
        start, end = rules.month_start(month), rules.add_months(rules.month_start(month), 1)
    children = list(org_children(actor, org, include_dissolved=True))
    prefix_len = len(org.path) + Org.steplen
    period = Q(month__gte=start, month__lt=end)

    entries = {
        r["child"]: r
        for r in DuesEntry.objects.filter(_subtree("org__path", org), period)
        .annotate(child=Substr("org__path", 1, prefix_len))
        .values("child")
        .annotate(due=Sum("due_amount"), collected=Sum("paid_amount"))
    }
    voluntary = dict(
        VoluntaryPayment.objects.filter(_subtree("org__path", org), period)
        .annotate(child=Substr("org__path", 1, prefix_len))
        .values("child")
        .annotate(s=Sum("amount"))
        .values_list("child", "s")
    )
    handed = dict(
        HandUp.objects.filter(period, to_org=org).values("org_id").annotate(s=Sum("amount")).values_list("org_id", "s")
    )
    rolls = []
    for c in children:
        e = entries.get(c.path, {})
        rolls.append(ChildRoll(c, _d(e.get("due")), _d(e.get("collected")), _d(voluntary.get(c.path)),
                               _d(handed.get(c.pk))))
    rolls.sort(key=lambda r: (r.rate is None, -(r.rate or 0), -r.collected, r.org.path))
    for i, r in enumerate(rolls, start=1):
        r.rank = i
    return rolls


# --- the yearly publication (公示) ------------------------------------------------------------------------------
@dataclass
class PublicationRow:
    member_id: int
    name: str
    due: Decimal
    paid: Decimal
    months_paid: int
    months_unpaid: int
    voluntary: Decimal

    @property
    def arrears(self) -> Decimal:
        return max(self.due - self.paid, ZERO)


@dataclass
class PurposeTotal:
    purpose: str
    label: str
    amount: Decimal
    count: int


@dataclass
class Publication:
    org: Org
    year: int
    totals: YearRoll
    months: list[MonthRoll]
    rows: list[PublicationRow] = field(default_factory=list)
    used: Decimal = ZERO  # 党费使用 in the subtree, the whole year
    by_purpose: list[PurposeTotal] = field(default_factory=list)  # every purpose of R2.15, in its order
    uses: list[DuesUse] = field(default_factory=list)


def _uses_in(org: Org, year: int) -> QuerySet[DuesUse]:
    start, end = _year_range(year)
    return DuesUse.objects.filter(_subtree("org__path", org), used_on__gte=start, used_on__lt=end)


def publication(actor: User, org: Org, year: int) -> Publication:
    """党费收缴、使用情况年度公示 for the members of ``org``: the year's totals and months of collection,
    each member's due, paid and voluntary payments (SQL GROUP BY member), and the dues used in the
    subtree — by purpose (R2.15), by month, and each use."""
    org = publication_org_get(actor, org.pk)
    start, end = _year_range(year)
    # The roll-ups go through org_get; a member reading their branch's publication has no org scope,
    # so the sums are made here with the same queries, limited to this organization's subtree.
    e_qs = DuesEntry.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end)
    v_qs = VoluntaryPayment.objects.filter(_subtree("org__path", org), month__gte=start, month__lt=end)
    u_qs = _uses_in(org, year)
    months = {m: MonthRoll(m) for m in rules.months_of_year(year)}
    for r in e_qs.values("month").annotate(due=Sum("due_amount"), collected=Sum("paid_amount")):
        months[r["month"]].due, months[r["month"]].collected = _d(r["due"]), _d(r["collected"])
    for r in v_qs.values("month").annotate(total=Sum("amount"), centre=Sum("amount", filter=Q(to_centre=True))):
        months[r["month"]].voluntary, months[r["month"]].to_centre = _d(r["total"]), _d(r["centre"])
    for r in HandUp.objects.filter(org=org, month__gte=start, month__lt=end).values("month").annotate(s=Sum("amount")):
        months[r["month"]].handed_up = _d(r["s"])
    for r in HandUp.objects.filter(to_org=org, month__gte=start, month__lt=end).values("month").annotate(s=Sum("amount")):
        months[r["month"]].received = _d(r["s"])
    for r in u_qs.annotate(mo=TruncMonth("used_on")).values("mo").annotate(s=Sum("amount")):
        mo = r["mo"]
        mo = rules.month_start(mo.date() if isinstance(mo, dt.datetime) else mo)
        months[mo].used = _d(r["s"])
    ms = [months[m] for m in rules.months_of_year(year)]
    totals = YearRoll(
        year, sum((m.due for m in ms), ZERO), sum((m.collected for m in ms), ZERO), sum((m.voluntary for m in ms), ZERO),
        sum((m.to_centre for m in ms), ZERO), sum((m.handed_up for m in ms), ZERO), sum((m.received for m in ms), ZERO),
    )  # fmt: skip
    voluntary = dict(v_qs.filter(org=org).values("member_id").annotate(s=Sum("amount")).values_list("member_id", "s"))
    rows = [
        PublicationRow(r["member_id"], r["member__name"], _d(r["due"]), _d(r["paid"]), r["months_paid"],
                       r["months_unpaid"], _d(voluntary.get(r["member_id"])))
        for r in e_qs.filter(org=org).values("member_id", "member__name", "member__name_pinyin").annotate(
            due=Sum("due_amount"), paid=Sum("paid_amount"),
            months_paid=Count("id", filter=Q(paid_on__isnull=False, paid_amount__gte=F("due_amount"), due_amount__gt=0)),
            months_unpaid=Count("id", filter=_unpaid()),
        ).order_by("member__name_pinyin", "member_id")
    ]  # fmt: skip
    per = {r["purpose"]: r for r in u_qs.values("purpose").annotate(s=Sum("amount"), n=Count("id"))}
    by_purpose = [
        PurposeTotal(p, label, _d(per[p]["s"]) if p in per else ZERO, per[p]["n"] if p in per else 0)
        for p, label in rules.USE_PURPOSE_LABELS.items()
    ]
    uses = list(u_qs.select_related("org").order_by("used_on", "id"))
    return Publication(org, year, totals, ms, rows, used=sum((p.amount for p in by_purpose), ZERO),
                       by_purpose=by_purpose, uses=uses)


def dues_uses(actor: User, org: Org, year: int) -> list[DuesUse]:
    """党费使用 recorded in ``org``'s subtree in ``year``, by date."""
    org_get(actor, org.pk)
    return list(_uses_in(org, year).select_related("org", "recorded_by").order_by("used_on", "id"))


# --- a member's own dues ------------------------------------------------------------------------------------
@dataclass
class MemberMonth:
    month: dt.date
    due: Decimal | None  # None: nothing owed that month (not yet a member, not here, or no basis)
    paid: Decimal
    paid_on: dt.date | None
    method: str
    receipt_number: str
    status: str  # "paid" | "partial" | "unpaid" | "exempt" | "not_due" | "not_owed" | "no_basis" | "upcoming"
    in_ledger: bool

    @property
    def status_label(self) -> str:
        return MEMBER_MONTH_LABELS[self.status]

    @property
    def method_label(self) -> str:
        return rules.METHOD_LABELS.get(self.method, "")

    @property
    def label(self) -> str:
        return f"{self.month.month}月"


MEMBER_MONTH_LABELS = {
    "paid": "已交", "partial": "部分交纳", "unpaid": "欠交", "exempt": "免交", "not_due": "本月待交",
    "not_owed": "—", "no_basis": "未核定", "upcoming": "未到期",
}  # fmt: skip


@dataclass
class MemberDuesSummary:
    """A member's dues for a year: what the phone page (dues/_me.html) shows."""

    member: Member
    year: int
    months: list[MemberMonth]
    due: Decimal  # due for the months up to the current one (and months paid in advance)
    paid: Decimal
    arrears: Decimal  # unpaid dues of months before the current month
    arrears_months: int
    voluntary: Decimal
    basis: DuesBasis | None  # in force in the current month (or December of a past year)
    monthly_amount: Decimal | None

    @property
    def category_label(self) -> str:
        return rules.CATEGORY_LABELS.get(self.basis.category, "") if self.basis else "未核定"


def member_dues_summary(actor: User, member: Member, year: int, *, today: dt.date | None = None) -> MemberDuesSummary:
    """A member's dues for ``year``: each month's due, paid, date and how, plus the year's due, paid
    and arrears (months before the current one left unpaid). Months with no ledger row yet but owed
    by the rules (the member was active then and has a basis) show what the basis makes due, so a
    branch that has not generated the month does not hide a debt. 404 if the member is out of scope."""
    today = today or timezone.localdate()
    member = member_get(actor, member.pk)
    current = rules.month_start(today)
    months = rules.months_of_year(year)
    entries = {e.month: e for e in DuesEntry.objects.filter(member=member, month__gte=months[0], month__lte=months[-1])}
    tl = queries.timelines([member.pk]).get(member.pk)
    bases = queries.bases_by_member([member.pk]).get(member.pk, [])
    farmer = parameters.farmer_amount()
    out: list[MemberMonth] = []
    for mo in months:
        e = entries.get(mo)
        if e is not None:
            due, paid = e.due_amount, e.paid_amount
            if due == 0:
                status = "exempt"
            elif e.paid_on is not None and paid >= due:
                status = "paid"
            elif mo > current:
                status = "upcoming"
            elif paid > 0:
                status = "partial"
            else:
                status = "not_due" if mo == current else "unpaid"
            out.append(MemberMonth(mo, due, paid, e.paid_on, e.method, e.receipt_number, status, True))
            continue
        if mo > current:
            out.append(MemberMonth(mo, None, ZERO, None, "", "", "upcoming", False))
            continue
        status_at, _org = tl.at(queries.state_date(mo, today)) if tl else (None, None)
        owed = (
            status_at in member_rules.ACTIVE and member.joined_on is not None
            and rules.first_dues_month(member.joined_on) <= mo
        )  # fmt: skip
        try:
            d = queries.due_for(bases, mo, farmer) if owed else None
        except rules.DuesRuleError:
            d = None
        if not owed:
            out.append(MemberMonth(mo, None, ZERO, None, "", "", "not_owed", False))
        elif d is None:
            out.append(MemberMonth(mo, None, ZERO, None, "", "", "no_basis", False))
        else:
            amt = d.amount.amount
            st = "exempt" if amt == 0 else ("not_due" if mo == current else "unpaid")
            out.append(MemberMonth(mo, amt, ZERO, None, "", "", st, False))
    counted = [m for m in out if m.due is not None and (m.month <= current or m.in_ledger and m.paid_on)]
    overdue = [m for m in out if m.due is not None and m.month < current and m.due > m.paid]
    start, end = _year_range(year)
    voluntary = VoluntaryPayment.objects.filter(member=member, month__gte=start, month__lt=end).aggregate(s=Sum("amount"))["s"]
    ref_month = min(current, months[-1]) if year <= today.year else months[0]
    basis = DuesBasis.objects.filter(member=member, effective_from__lte=ref_month).order_by("-effective_from", "-id").first()
    try:
        monthly = queries.due_for(bases, ref_month, farmer)
    except rules.DuesRuleError:
        monthly = None
    return MemberDuesSummary(
        member=member, year=year, months=out,
        due=sum((m.due or ZERO for m in counted), ZERO), paid=sum((m.paid for m in out), ZERO),
        arrears=sum((m.due - m.paid for m in overdue if m.due is not None), ZERO), arrears_months=len(overdue),
        voluntary=_d(voluntary), basis=basis, monthly_amount=monthly.amount.amount if monthly else None,
    )  # fmt: skip


# --- six-month alarm input (R2.14) -------------------------------------------------------------------------------
RESTART_KINDS = tuple(member_rules.INITIAL_KINDS | {member_rules.RESTORE})


def dues_gap_months(actor: User, members_qs: QuerySet[Member], today: dt.date) -> dict[int, int]:
    """连续未交纳党费月数, for R2.14 (连续6个月不交纳党费) — ``{member id: months}`` for every member of
    ``members_qs`` that ``actor`` may see (others are left out).

    The number of consecutive completed months (the current month is not counted: it can still be
    paid) up to the month before ``today``'s in which the member owed dues and did not pay them in
    full, counted back to the last fully paid ledger month. Not counted:

    - months before the member owed dues here: before the month of admission (R2.8, ``joined_on``),
      before the member's latest arrival on the roster (补录/接收/转入 or 恢复党籍 event), and before
      the first month of their first category/base record (the dues ledger starts there). A member
      with no category/base record yet gets 0 — the work queue lists them as 未核定党费基数 instead;
    - months covered by an approved exemption (第七条 免交): they neither count nor break the run;
    - members who are not active now (suspended, transferred out, dead...) get 0.

    Cost: one query over the members with three correlated subqueries (last fully paid month,
    first basis month, latest roster arrival — each on an indexed member column), plus one query
    for the bases of the few members who have an exemption. No query per member."""
    paid = DuesEntry.objects.filter(
        member=OuterRef("pk"), paid_on__isnull=False, paid_amount__gte=F("due_amount"), due_amount__gt=0
    ).order_by("-month")
    first_basis = DuesBasis.objects.filter(member=OuterRef("pk")).order_by("effective_from")
    arrival = MembershipEvent.objects.filter(member=OuterRef("pk"), kind__in=RESTART_KINDS).order_by("-date", "-seq", "-id")
    rows = list(
        members_qs.filter(pk__in=members_visible(actor).values("pk"))
        .annotate(
            last_paid=Subquery(paid.values("month")[:1]),
            first_basis=Subquery(first_basis.values("effective_from")[:1]),
            arrived=Subquery(arrival.values("date")[:1]),
            has_exempt=Exists(DuesBasis.objects.filter(member=OuterRef("pk"), category=rules.EXEMPT)),
        )
        .values_list("pk", "status", "joined_on", "last_paid", "first_basis", "arrived", "has_exempt")
    )
    exempt_ids = [r[0] for r in rows if r[6]]
    exempt: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    if exempt_ids:
        by_member: dict[int, list[tuple[dt.date, str]]] = {}
        for mid, eff, cat in DuesBasis.objects.filter(member_id__in=exempt_ids).order_by(
                "member_id", "effective_from", "id").values_list("member_id", "effective_from", "category"):
            lst = by_member.setdefault(mid, [])
            if lst and lst[-1][0] == eff:
                lst[-1] = (eff, cat)  # a later record of the same month replaces the earlier
            else:
                lst.append((eff, cat))
        for mid, lst in by_member.items():
            for i, (eff, cat) in enumerate(lst):
                if cat == rules.EXEMPT:
                    nxt = rules.add_months(lst[i + 1][0], -1) if i + 1 < len(lst) else None
                    exempt.setdefault(mid, []).append((eff, nxt))
    out: dict[int, int] = {}
    for pk, status, joined_on, last_paid, first_basis_on, arrived, _ in rows:
        if status not in member_rules.ACTIVE or joined_on is None or first_basis_on is None:
            out[pk] = 0
            continue
        starts = [rules.first_dues_month(joined_on), rules.month_start(first_basis_on)]
        if arrived is not None:
            starts.append(rules.month_start(arrived))
        out[pk] = rules.gap_months(owes_from=max(starts), last_paid=last_paid, today=today, exempt=exempt.get(pk, ()))
    return out


# --- the work queue (待办) ----------------------------------------------------------------------------------------
def work_items(actor: User, today: dt.date) -> list[WorkItem]:
    """The dues part of the work queue, for organization users (members and others get none):

    - ``dues_base_review`` — per branch with active members and no yearly re-check for ``today``'s
      year: 年初核定党费基数 (the base sheet); a warning in January, overdue (danger) after it;
    - ``dues_arrears`` — per member with at least ``dues.arrears_alert_months`` (default 3) unpaid
      ledger months before the current month; danger from 6 months (R2.14);
    - ``dues_unassessed`` — per branch whose yearly sheet is done: active members with no dues
      category/base at all (while the sheet is pending, its item names them instead);
    - ``dues_hardship`` — hardship decisions waiting for a committee the actor records for.

    Each query is one GROUP BY or EXISTS over the actor's scope."""
    from dangjian.web.selectors import WorkItem  # here, so web.selectors may import this module

    if actor.role not in ORG_ROLES:
        return []
    scope = scope_for(actor)
    items: list[WorkItem] = []
    year = today.year
    jan_end = dt.date(year, 1, 31)
    unassessed = (
        Member.objects.filter(scope.q("org__path"), status__in=member_rules.ACTIVE)
        .exclude(Exists(DuesBasis.objects.filter(member=OuterRef("pk"))))
        .values("org_id")
        .annotate(n=Count("id"))
    )
    counts = {r["org_id"]: r["n"] for r in unassessed}
    active_member = Member.objects.filter(org=OuterRef("pk"), status__in=member_rules.ACTIVE)
    branches = (
        orgs_visible(actor)
        .filter(org_type__in=org_rules.HOLDS_MEMBERS, dissolved_on__isnull=True)
        .filter(Exists(active_member))
        .exclude(Exists(BaseReview.objects.filter(org=OuterRef("pk"), year=year)))
        .order_by("path")
    )
    reviewing: set[int] = set()
    for org in branches:
        reviewing.add(org.pk)
        overdue = today > jan_end
        missing = f"其中{counts[org.pk]}名党员尚未核定党费类别。" if org.pk in counts else ""
        items.append(WorkItem(
            kind="dues_base_review", group="dues_base_review", group_title="年初核定党费基数",
            title=f"{org.name}：核定{year}年党员党费基数",
            detail=(f"每年年初核定党员月交纳党费数额（{'已逾期' if overdue else '1月31日前'}）：逐人确认或调整党费类别"
                    f"和计算基数。{missing}"),
            url=reverse("dues:review", args=[org.pk, year]), org=org, due=jan_end,
            severity="danger" if overdue else "warning", article="R2.1、R2.10",
        ))  # fmt: skip
    # Members still without a category once the branch's yearly sheet is done (e.g. admitted since).
    for org in Org.objects.filter(pk__in=[pk for pk in counts if pk not in reviewing]).order_by("path"):
        items.append(WorkItem(
            kind="dues_unassessed", group="dues_unassessed", group_title="未核定党费类别和基数",
            title=f"{org.name}：{counts[org.pk]}名党员未核定党费",
            detail="这些党员还没有党费类别和计算基数，无法生成党费台账，请在其党费页面核定。",
            url=reverse("dues:ledger_pick", args=[org.pk]), org=org, severity="warning", article="R2.1–R2.6",
        ))  # fmt: skip

    threshold = parameters.arrears_alert_months()
    arrears = (
        DuesEntry.objects.filter(scope.q("org__path"), _unpaid(), month__lt=rules.month_start(today))
        .values("member_id")
        .annotate(
            n=Count("id"), earliest=Min("month"), latest=Max("month"),
            amount=Sum(ExpressionWrapper(F("due_amount") - F("paid_amount"), output_field=MONEY)),
        )
        .filter(n__gte=threshold)
    )
    found = {r["member_id"]: r for r in arrears}
    for m in Member.objects.filter(pk__in=list(found)).select_related("org").order_by("org__path", "name_pinyin"):
        r = found[m.pk]
        n = r["n"]
        items.append(WorkItem(
            kind="dues_arrears", group="dues_arrears", group_title=f"欠交党费{threshold}个月以上",
            title=f"{m.name}：欠交党费{n}个月",
            detail=(f"{rules.month_label(r['earliest'])}至{rules.month_label(r['latest'])}共{n}个月未交足，"
                    f"合计{_d(r['amount'])}元。连续6个月不交纳党费的，按自行脱党处理（党章第九条）。"),
            url=reverse("dues:member", args=[m.pk]), org=m.org, member=m,
            severity="danger" if n >= 6 else "warning", article="R2.12、R2.14",
        ))  # fmt: skip

    if actor.can_write:
        for d in HardshipDecision.objects.filter(
            scope.q("approving_org__path"), status=HardshipDecision.PENDING
        ).select_related("member", "org", "approving_org").order_by("branch_decided_on", "pk"):
            items.append(WorkItem(
                kind="dues_hardship", group="dues_hardship", group_title="困难党员少交/免交党费待审批",
                title=f"{d.member.name}：申请{d.get_kind_display()}党费",
                detail=f"{d.org.name}于{d.branch_decided_on}研究同意，待{d.approving_org}审批（第七条）。",
                url=reverse("dues:hardship_review", args=[d.pk]), org=d.org, member=d.member,
                severity="warning", article="R2.7",
            ))  # fmt: skip
    return items


# --- the yearly base sheet (年初核定) --------------------------------------------------------------------------
@dataclass
class SheetRow:
    member: Member
    basis: DuesBasis | None  # in force in January of the year (else the latest before it)
    monthly: Decimal | None

    @property
    def locked(self) -> bool:
        """Under an approved hardship decision: only the committee changes it."""
        return self.basis is not None and self.basis.category in rules.HARDSHIP_CATEGORIES


@dataclass
class ReviewSheet:
    org: Org
    year: int
    rows: list[SheetRow]
    review: BaseReview | None


def review_sheet(actor: User, org: Org, year: int) -> ReviewSheet:
    """The base sheet of ``org`` for ``year``: each active member with the category and base in
    force in January (what the branch confirms or changes), and whether the year is confirmed."""
    branch_get(actor, org.pk)
    jan = dt.date(year, 1, 1)
    members = list(Member.objects.filter(org=org, status__in=member_rules.ACTIVE).order_by("name_pinyin", "pk"))
    latest: dict[int, DuesBasis] = {}
    for basis in DuesBasis.objects.filter(member__in=members, effective_from__lte=jan).order_by("effective_from", "id"):
        latest[basis.member_id] = basis
    farmer = parameters.farmer_amount()
    rows = []
    for m in members:
        b = latest.get(m.pk)
        monthly = None
        if b is not None:
            try:
                d = queries.due_for([b.as_rule_basis()], jan, farmer)
                monthly = d.amount.amount if d else None
            except rules.DuesRuleError:
                monthly = None
        rows.append(SheetRow(m, b, monthly))
    return ReviewSheet(org, year, rows, BaseReview.objects.filter(org=org, year=year).select_related("confirmed_by").first())


# --- export ------------------------------------------------------------------------------------------------------
def ledger_year_rows(actor: User, org: Org, year: int) -> list[dict]:
    """One row per member with a ledger row in ``org`` for ``year``: due_1..due_12, paid_1..paid_12
    and the totals, pivoted in SQL (conditional SUMs). Members of the current roster without any row
    are added with empty months."""
    branch_get(actor, org.pk)
    start, end = _year_range(year)
    aggs: dict = {}
    for mo in rules.months_of_year(year):
        aggs[f"due_{mo.month}"] = Sum("due_amount", filter=Q(month=mo))
        aggs[f"paid_{mo.month}"] = Sum("paid_amount", filter=Q(month=mo))
    aggs["due_total"] = Sum("due_amount")
    aggs["paid_total"] = Sum("paid_amount")
    rows = list(
        DuesEntry.objects.filter(org=org, month__gte=start, month__lt=end)
        .values("member_id", "member__name", "member__id_number_masked", "member__name_pinyin")
        .annotate(**aggs)
        .order_by("member__name_pinyin", "member_id")
    )
    seen = {r["member_id"] for r in rows}
    for m in Member.objects.filter(org=org, status__in=member_rules.ACTIVE).exclude(pk__in=seen).order_by("name_pinyin"):
        rows.append({"member_id": m.pk, "member__name": m.name, "member__id_number_masked": m.id_number_masked,
                     "member__name_pinyin": m.name_pinyin, "due_total": None, "paid_total": None})
    rows.sort(key=lambda r: (r["member__name_pinyin"], r["member_id"]))
    bases = {
        b["member_id"]: b
        for b in DuesBasis.objects.filter(member_id__in=[r["member_id"] for r in rows], effective_from__lt=end)
        .order_by("member_id", "effective_from", "id").values("member_id", "category", "base")
    }  # the last record per member (ordered ascending, later overwrite earlier)
    for r in rows:
        b = bases.get(r["member_id"])
        r["category"] = rules.CATEGORY_LABELS.get(b["category"], "") if b else "未核定"
        r["base"] = b["base"] if b else None
    return rows


"""Unscoped building blocks that services and selectors share: who is on a branch's dues roster in a
month, a member's state at a date, what a member owes in a month. Not for views: selectors and
services apply scope before calling these.

Which organization collects a month (R2.9: the branch holding the member's formal relations): the
member's organization at the end of that month — or today, for the current and future months. A
member transferred on 10 March is collected by the new branch for March; one who dies or is
transferred out of the county in a month owes nothing for it here.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from dangjian.dues import rules
from dangjian.dues.models import DuesBasis, DuesEntry
from dangjian.members import rules as member_rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org, OrgType

NOT_ON_ROSTER_YET = "{name}：{month}尚未入党或尚未转入本县（{joined}），不需要交纳党费（第八条：从支部大会通过为预备党员之日起交纳）。"
NOT_ON_ROSTER_ANY_MORE = "{name}：{month}已{status}，不再在本支部交纳党费。"
NOT_IN_BRANCH = "{name}：{month}的组织关系不在“{org}”，不能在本支部登记党费。"
NO_BASIS = "{name}：{month}没有核定党费类别和计算基数，请先在“党费设置”中核定。"


def county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def state_date(month: dt.date, today: dt.date) -> dt.date:
    """The date whose membership state decides who owes ``month``: its last day, or today if sooner."""
    return min(rules.month_end(month), today)


# --- membership state ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timeline:
    """A member's membership snapshots in date order, for "state at a date" without a query each."""

    dates: list[dt.date]
    states: list[tuple[str, int | None]]  # (status_after, org_after_id)

    def at(self, on: dt.date) -> tuple[str | None, int | None]:
        i = bisect_right(self.dates, on)
        return (None, None) if i == 0 else self.states[i - 1]


def timelines(member_ids: Iterable[int]) -> dict[int, Timeline]:
    out: dict[int, Timeline] = {}
    rows = (
        MembershipEvent.objects.filter(member_id__in=list(member_ids))
        .order_by("member_id", "date", "seq", "id")
        .values_list("member_id", "date", "status_after", "org_after_id")
    )
    for mid, date, status, org_id in rows:
        t = out.setdefault(mid, Timeline([], []))
        t.dates.append(date)
        t.states.append((status, org_id))
    return out


def owed_here(member: Member, timeline: Timeline | None, org: Org, month: dt.date, today: dt.date) -> str | None:
    """None if ``member`` owes dues for ``month`` to ``org``; otherwise the Chinese reason why not."""
    label = rules.month_label(month)
    status, org_id = timeline.at(state_date(month, today)) if timeline else (None, None)
    if member.joined_on is None or rules.first_dues_month(member.joined_on) > rules.month_start(month) or status is None:
        joined = member.joined_on.isoformat() if member.joined_on else "无入党日期"
        return NOT_ON_ROSTER_YET.format(name=member.name, month=label, joined=joined)
    if status not in member_rules.ACTIVE:
        return NOT_ON_ROSTER_ANY_MORE.format(name=member.name, month=label, status=member_rules.STATUS_LABELS.get(status, status))
    if org_id != org.pk:
        return NOT_IN_BRANCH.format(name=member.name, month=label, org=org.name)
    return None


def roster_for_month(org: Org, month: dt.date, today: dt.date) -> QuerySet[Member]:
    """Members who owe ``org`` dues for ``month``: active members of ``org`` (exactly, not its
    subtree) at the month's state date, admitted by the end of the month (第八条)."""
    on = state_date(month, today)
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), date__lte=on).order_by("-date", "-seq", "-id")
    return (
        Member.objects.annotate(
            status_at=Subquery(latest.values("status_after")[:1]),
            org_at_id=Subquery(latest.values("org_after")[:1]),
        )
        .filter(org_at_id=org.pk, status_at__in=member_rules.ACTIVE, joined_on__lte=rules.month_end(month))
        .order_by("name_pinyin", "pk")
    )


# --- bases and amounts ---------------------------------------------------------------------------------
def bases_by_member(member_ids: Iterable[int]) -> dict[int, list[rules.Basis]]:
    out: dict[int, list[rules.Basis]] = {}
    for b in DuesBasis.objects.filter(member_id__in=list(member_ids)).order_by("effective_from", "id"):
        out.setdefault(b.member_id, []).append(b.as_rule_basis())
    return out


@dataclass(frozen=True)
class Due:
    basis: rules.Basis
    amount: rules.Amount


def due_for(bases: list[rules.Basis], month: dt.date, farmer_default: Decimal) -> Due | None:
    """What the basis in force in ``month`` makes due (None: no basis yet)."""
    basis = rules.basis_for_month(bases, month)
    if basis is None:
        return None
    farmer = basis.fixed_amount if basis.fixed_amount is not None else farmer_default
    amount = rules.monthly_dues(
        basis.category, basis.base, month=month, farmer_amount=farmer, reduced_amount=basis.fixed_amount
    )
    return Due(basis, amount)


def entries_for(member_ids: Iterable[int], months: Iterable[dt.date], *, lock: bool = False
                ) -> dict[tuple[int, dt.date], DuesEntry]:
    """Existing ledger rows; ``lock`` holds them (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialize writers) so two clerks cannot both pay the same month."""
    qs = DuesEntry.objects.filter(member_id__in=list(member_ids), month__in=list(months))
    if lock:
        qs = qs.select_for_update()
    return {(e.member_id, e.month): e for e in qs}

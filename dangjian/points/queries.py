"""Computations shared by points.services and points.selectors, without scope (the callers apply it):
which scheme applies, and members' year totals — the entries are summed per member and item in one
SQL aggregate, then the pure rules apply the caps, the veto and the bands."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.points import rules
from dangjian.points.models import MemberRating, PointsEntry, PointsItem, PointsScheme

STEPLEN = Org.steplen


def ancestor_paths(path: str) -> list[str]:
    """The paths of a node and of every node above it (treebeard's fixed-width steps)."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def scheme_for(org: Org, year: int) -> PointsScheme | None:
    """适用的积分方案 of ``org``'s members for ``year``: the nearest scheme at or above it (one query)."""
    found = {s.org.path: s for s in PointsScheme.objects.filter(org__path__in=ancestor_paths(org.path), year=year)
             .select_related("org")}  # fmt: skip
    owner = rules.applicable_owner(org.path, found)
    return found[owner] if owner is not None else None


def item_rules(scheme: PointsScheme) -> dict[int, rules.ItemRule]:
    return {i.pk: rules.ItemRule(i.kind, i.yearly_cap, i.beyond_total_cap) for i in PointsItem.objects.filter(scheme=scheme)}


def bands_of(stored: list) -> tuple[Decimal, ...]:
    try:
        return rules.check_bands(stored)
    except rules.PointsRuleError:
        return rules.DEFAULT_BANDS


@dataclass(frozen=True)
class MemberTotal:
    member_id: int
    name: str
    base: Decimal
    total: rules.Total
    stars: int
    entries: int

    @property
    def unqualified(self) -> bool:
        return self.stars == 0

    def as_row(self) -> dict:
        f = rules.fmt
        return {"member_id": self.member_id, "name": self.name, "base": f(self.base),
                "adds": f(self.total.adds), "deducts": f(self.total.deducts), "total": f(self.total.total),
                "vetoed": self.total.vetoed, "stars": self.stars}  # fmt: skip


def sums_by_member(scheme: PointsScheme, member_ids: list[int], *, upto: dt.date | None = None,
                   ) -> tuple[dict[int, dict[int, Decimal]], dict[int, int]]:
    """member → item → signed sum of approved entries of the scheme (up to ``upto``), and member →
    number of approved entries: one grouped query."""
    qs = PointsEntry.objects.filter(scheme=scheme, member_id__in=member_ids, status=rules.APPROVED)
    if upto is not None:
        qs = qs.filter(date__lte=upto)
    sums: dict[int, dict[int, Decimal]] = defaultdict(dict)
    counts: dict[int, int] = defaultdict(int)
    for r in qs.values("member_id", "item_id").annotate(s=Sum("points"), n=Count("id")).order_by():
        # SQLite sums decimals as floats: back to one decimal place.
        sums[r["member_id"]][r["item_id"]] = rules.round1(Decimal(str(r["s"])))
        counts[r["member_id"]] += r["n"]
    return sums, counts


def previous_totals(member_ids: list[int], year: int) -> dict[int, Decimal]:
    """Last year's rated totals (E6.2 carry-over reads the snapshot, so no year is recomputed)."""
    return dict(MemberRating.objects.filter(member_id__in=member_ids, year=year - 1).values_list("member_id", "total"))


def totals_for(scheme: PointsScheme, members: list[tuple[int, str]], year: int, *, upto: dt.date | None = None,
               ) -> list[MemberTotal]:
    ids = [m for m, _ in members]
    sums, counts = sums_by_member(scheme, ids, upto=upto)
    items = item_rules(scheme)
    bands = bands_of(scheme.bands)
    carry = scheme.carry_over_percent or rules.ZERO
    prev = previous_totals(ids, year) if carry > 0 else {}
    out = []
    for mid, name in members:
        member_sums = sums.get(mid, {})
        vetoed = any(items[i].kind == rules.VETO for i in member_sums)
        base = rules.carry_over_base(prev.get(mid), carry, scheme.base_points)
        total = rules.year_total(base=base, sums=member_sums, items=items, total_cap=scheme.total_cap, vetoed=vetoed)
        out.append(MemberTotal(mid, name, base, total, rules.stars_for(total.total, bands), counts.get(mid, 0)))
    return out


def branch_members(org: Org) -> list[tuple[int, str]]:
    """The branch's members on the roster now (active), in name order."""
    return list(Member.objects.filter(org=org, status__in=member_rules.ACTIVE).order_by("name_pinyin", "pk")
                .values_list("pk", "name"))  # fmt: skip


def branch_totals(org: Org, year: int, *, upto: dt.date | None = None) -> tuple[PointsScheme | None, list[MemberTotal]]:
    scheme = scheme_for(org, year)
    if scheme is None:
        return None, []
    return scheme, totals_for(scheme, branch_members(org), year, upto=upto)


def member_total(member: Member, year: int, *, upto: dt.date | None = None) -> tuple[PointsScheme | None, MemberTotal | None]:
    if member.org is None:
        return None, None
    scheme = scheme_for(member.org, year)
    if scheme is None:
        return None, None
    return scheme, totals_for(scheme, [(member.pk, member.name)], year, upto=upto)[0]

"""Reads of organizations. Every function takes the acting user first and stays in their scope."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.common.scope import merge_paths, subtree_upper_bound
from dangjian.members import rules as member_rules
from dangjian.members.codes import AGE_BANDS, EDUCATION
from dangjian.orgs import rules
from dangjian.orgs.models import Division, Org, OrgEvent, OrgType


def orgs_visible(actor: User) -> QuerySet[Org]:
    return Org.objects.filter(scope_for(actor).q("path"))


def org_get(actor: User, pk: int | str) -> Org:
    """The organization ``pk`` if ``actor`` may see it; 404 otherwise, as if it did not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    org = orgs_visible(actor).filter(pk=pk).select_related("division", "approving_org").first()
    if org is None:
        raise Http404
    return org


def org_roots(actor: User) -> list[Org]:
    """The top organizations of the user's scope, for the tree on the left."""
    paths = scope_for(actor).paths
    return list(Org.objects.filter(path__in=paths).order_by("path"))


def org_children(actor: User, org: Org, *, include_dissolved: bool = False) -> QuerySet[Org]:
    qs = Org.objects.filter(
        scope_for(actor).q("path"), depth=org.depth + 1, path__gte=org.path, path__lt=subtree_upper_bound(org.path)
    )
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs.order_by("path")


def org_subtree(actor: User, org: Org) -> QuerySet[Org]:
    return orgs_visible(actor).filter(path__gte=org.path, path__lt=subtree_upper_bound(org.path))


def org_search(actor: User, q: str, *, limit: int = 30) -> list[Org]:
    q = q.strip()
    if not q:
        return []
    return list(
        orgs_visible(actor).filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code=q)).order_by("path")[:limit]
    )


def ancestors(actor: User, org: Org) -> list[Org]:
    """The breadcrumb: ancestors of ``org`` that the actor may see, top first."""
    scope = scope_for(actor)
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
    return [o for o in Org.objects.filter(path__in=paths).order_by("path") if scope.contains_path(o.path)]


@dataclass
class OrgCounts:
    total: int
    by_status: dict[str, int]
    by_sex: dict[str, int]
    by_age: list[tuple[str, int]]
    by_education: list[tuple[str, int]]
    mobile: int
    lost_contact: int


def org_counts(actor: User, org: Org, *, today: dt.date | None = None) -> OrgCounts:
    """Members of the subtree by status, sex, age band and education, in one SQL aggregate.

    Every column it reads is in the index members_member_counts_idx (members/0002), so the
    database answers from the index and never reads the members' rows: at a county of 13,000-20,000
    members the row reads were most of the page's time. The age bands are cumulative counts
    ("born after the day one turned N+1") differenced here: one comparison per row and band
    instead of two."""
    from dangjian.members.selectors import members_in_subtree

    today = today or timezone.localdate()
    qs = members_in_subtree(actor, org).filter(status__in=member_rules.ON_ROSTER)
    aggregates: dict[str, Count] = {
        "total": Count("id"),
        "mobile": Count("id", filter=Q(is_mobile=True)),
        "lost": Count("id", filter=Q(is_lost_contact=True)),
        "male": Count("id", filter=Q(sex="1")),
        "female": Count("id", filter=Q(sex="2")),
    }
    for status in member_rules.ON_ROSTER:
        aggregates[f"st_{status}"] = Count("id", filter=Q(status=status))
    for code, _ in EDUCATION:
        aggregates[f"ed_{code}"] = Count("id", filter=Q(education=code))
    # age <= upper_age  <=>  born after (today - (upper_age+1) years); the last band is the rest.
    for i, (upper_age, _) in enumerate(AGE_BANDS[:-1]):
        aggregates[f"age_le_{i}"] = Count("id", filter=Q(birth_date__gt=member_rules.add_years(today, -(upper_age + 1))))
    row = qs.aggregate(**aggregates)
    at_most = [row[f"age_le_{i}"] for i in range(len(AGE_BANDS) - 1)] + [row["total"]]
    by_age = [(label, at_most[i] - (at_most[i - 1] if i else 0)) for i, (_, label) in enumerate(AGE_BANDS)]
    return OrgCounts(
        total=row["total"],
        by_status={s: row[f"st_{s}"] for s in (member_rules.FULL, member_rules.PROBATIONARY, member_rules.SUSPENDED)},
        by_sex={"男": row["male"], "女": row["female"]},
        by_age=by_age,
        by_education=[(label, row[f"ed_{code}"]) for code, label in EDUCATION],
        mobile=row["mobile"],
        lost_contact=row["lost"],
    )


FINDINGS_EXACT_LIMIT = 500


def _members_of(in_scope: Q, orgs: list[Org]) -> Q:
    """Only the members the checks of ``orgs`` need: each organization's own, and a general branch's
    whole subtree (merged path ranges) — not the actor's whole scope, which for a county or city user
    is every member there is. For very many organizations (the work queue) the scope itself is the
    cheaper filter. The organizations' own members are picked by ``org_id``, not by the organizations'
    paths: PostgreSQL then reads them from the (org_id, status) index, where a path list made it
    scan every member of the table to find the few of a county and its townships."""
    if len(orgs) > FINDINGS_EXACT_LIMIT:
        return in_scope
    subtrees = merge_paths(o.path for o in orgs if o.org_type == OrgType.GENERAL_BRANCH)
    q = Q(org_id__in=[o.pk for o in orgs if not any(o.path.startswith(p) for p in subtrees)])
    for p in subtrees:
        q |= Q(org__path__gte=p, org__path__lt=subtree_upper_bound(p))
    return in_scope & q


def structure_findings(actor: User, orgs: list[Org]) -> dict[int, list[rules.Finding]]:
    """Structure checks for ``orgs`` (all in scope), with member counts aggregated in SQL."""
    from dangjian.members.models import Member

    if not orgs:
        return {}
    scope = scope_for(actor)
    orgs = [o for o in orgs if scope.contains_path(o.path)]
    direct = {
        r["org__path"]: r
        for r in Member.objects.filter(_members_of(scope.q("org__path"), orgs), status__in=member_rules.ACTIVE)
        .values("org__path")
        .annotate(total=Count("id"), full=Count("id", filter=Q(status=member_rules.FULL)))
    }
    unit_counts = dict(
        Org.units.through.objects.filter(org_id__in=[o.pk for o in orgs]).values_list("org_id").annotate(n=Count("id"))
    )
    sorted_paths = sorted(direct)
    out: dict[int, list[rules.Finding]] = {}
    for org in orgs:
        if org.org_type == OrgType.GENERAL_BRANCH:
            # 总支: members of the whole subtree, a slice of the sorted paths
            lo = bisect_left(sorted_paths, org.path)
            hi = bisect_left(sorted_paths, subtree_upper_bound(org.path))
            rows = [direct[p] for p in sorted_paths[lo:hi]]
        else:
            rows = [direct[org.path]] if org.path in direct else []
        facts = rules.StructureFacts(
            org_type=org.org_type,
            full_members=sum(r["full"] for r in rows),
            members=sum(r["total"] for r in rows),
            committee_size=org.committee_size,
            units=unit_counts.get(org.pk, 0),
            is_village_level=rules.is_village_level(org.category, org.org_type),
            term_started_on=org.term_started_on,
            is_active=org.is_active,
        )
        found = rules.structure_findings(facts)
        if found:
            out[org.pk] = found
    return out


def org_structure_actions(actor: User, org: Org) -> frozenset[str]:
    """The structural changes (accounts.rules) ``actor`` may make to ``org``: what the page offers."""
    from dangjian.accounts import rules as account_rules

    if not actor.can_write or not scope_for(actor).contains_path(org.path):
        return frozenset()
    paths = scope_for(actor).paths
    return frozenset(
        a for a in (account_rules.RENAME, account_rules.CHANGE_TYPE, account_rules.MOVE, account_rules.MERGE,
                    account_rules.DISSOLVE)
        if account_rules.may_change_structure(action=a, role=actor.role, assigned_paths=paths, target_path=org.path,
                                              affected_type=org.org_type)
    )


def org_matches(actor: User, q: str, *, within: Org | None = None) -> QuerySet[Org]:
    """Organizations whose name, short name or code match ``q`` (the API's paginated search;
    ``org_search`` is the capped list the pages use). ``within`` limits it to that org's subtree."""
    q = q.strip()
    qs = org_subtree(actor, within) if within is not None else orgs_visible(actor)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code=q))
    return qs.order_by("path")


def org_events(actor: User, org: Org) -> QuerySet[OrgEvent]:
    """The dated events of ``org`` (established, renamed, moved...), oldest first; 404 if out of scope.
    Scope is checked against the stored row (the path of the object passed in may be stale)."""
    if not orgs_visible(actor).filter(pk=org.pk).exists():
        raise Http404
    return OrgEvent.objects.filter(org=org).select_related("other_org", "recorded_by").order_by("date", "id")


def division_get(pk: int) -> Division | None:
    """行政区划 by id. Divisions are public reference data, not scoped."""
    return Division.objects.filter(pk=pk).first()

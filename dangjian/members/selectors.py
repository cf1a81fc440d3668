"""Reads of members. Every function takes the acting user first and applies their scope: org users
see members whose organization lies in their subtrees; a member sees only themselves."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.scope import subtree_upper_bound
from dangjian.members import rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.pinyin import search_key
from dangjian.orgs.models import Org


def members_visible(actor: User) -> QuerySet[Member]:
    scope = scope_for(actor)
    if scope.own_member_id is not None:
        return Member.objects.filter(pk=scope.own_member_id)
    return Member.objects.filter(scope.q("org__path"))


def member_get(actor: User, pk: int | str) -> Member:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    member = members_visible(actor).filter(pk=pk).select_related("org").first()
    if member is None:
        raise Http404
    return member


def members_in_subtree(actor: User, org: Org) -> QuerySet[Member]:
    return members_visible(actor).filter(org__path__gte=org.path, org__path__lt=subtree_upper_bound(org.path))


def member_search(actor: User, q: str, *, org: Org | None = None, include_former: bool = False) -> QuerySet[Member]:
    """By name (any part), pinyin or pinyin initials (prefix), or an exact ID number."""
    qs = members_in_subtree(actor, org) if org is not None else members_visible(actor)
    if not include_former:
        qs = qs.filter(status__in=rules.ON_ROSTER)
    q = (q or "").strip()
    if not q:
        return qs.order_by("org__path", "name_pinyin", "pk")
    normalized = idnumbers.normalize(q)
    if len(normalized) == 18 and normalized[:17].isdigit():
        return qs.filter(id_number_hash=crypto.keyed_hash(normalized))
    # Chinese typed is matched against names only: as pinyin, 李 (li) would also find 刘, 林, 梁...
    key = search_key(q) if q.isascii() else ""
    cond = Q(name__contains=q)
    if key:
        cond |= Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key)
    return qs.filter(cond).order_by("name_pinyin", "pk")


def roster_as_of(actor: User, org: Org, as_of: dt.date) -> QuerySet[Member]:
    """花名册 of ``org``'s subtree on ``as_of``, from each member's last event on or before that date.
    Annotates ``status_at``, ``org_at_id``, ``mobile_at`` and ``lost_at`` (the snapshot of that last
    event), ``org_at_path`` and ``org_at_name``. Callers must show only these for such rows, never the member's current
    organization, status or flags: a member who has since left the user's scope would leak where they
    went, and today's values are wrong for the chosen date anyway.

    Scope applies to the organization the member belonged to *on that date*, not today: a township's
    roster of last 31 December still lists the members who have since transferred elsewhere, or its
    year-end statistics would change whenever someone moves. A member-role user has no organization
    scope and gets an empty roster."""
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), date__lte=as_of).order_by("-date", "-seq", "-id")
    subtree_org_ids = Org.objects.filter(
        scope_for(actor).q("path"), path__gte=org.path, path__lt=subtree_upper_bound(org.path)
    ).values("pk")
    return (
        Member.objects.annotate(
            status_at=Subquery(latest.values("status_after")[:1]),
            org_at_id=Subquery(latest.values("org_after")[:1]),
            mobile_at=Subquery(latest.values("mobile_after")[:1]),
            lost_at=Subquery(latest.values("lost_after")[:1]),
            org_at_path=Subquery(latest.values("org_after__path")[:1]),
            org_at_name=Subquery(latest.values("org_after__name")[:1]),
        )
        .filter(status_at__in=rules.ON_ROSTER, org_at_id__in=subtree_org_ids)
    )


def member_timeline(actor: User, member: Member) -> list[MembershipEvent]:
    member_get(actor, member.pk)  # scope check
    return list(
        member.events.select_related("from_org", "to_org", "org_after", "recorded_by").order_by("date", "seq", "id")
    )


def lost_contact_due(actor: User, *, today: dt.date, within_days: int = 30) -> QuerySet[Member]:
    """失联党员 whose 6 months (R5.5) end within ``within_days`` or have passed."""
    cutoff = rules.latest_start_due(today + dt.timedelta(days=within_days), rules.LOST_CONTACT_SUSPEND_MONTHS)
    return members_visible(actor).filter(
        is_lost_contact=True, status__in=rules.ACTIVE, lost_contact_on__lte=cutoff
    ).select_related("org")


def suspension_due(actor: User, *, today: dt.date, within_days: int = 60) -> QuerySet[Member]:
    """停止党籍 members whose 2 years (R5.5) end within ``within_days`` or have passed."""
    cutoff = rules.latest_start_due(today + dt.timedelta(days=within_days), rules.SUSPENSION_REMOVE_MONTHS)
    return members_visible(actor).filter(status=rules.SUSPENDED, suspended_on__lte=cutoff).select_related("org")

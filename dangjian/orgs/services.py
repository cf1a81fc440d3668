"""Writes to the organization tree. Each is one transaction that also writes its OrgEvent and its
audit event; nothing is ever deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts import rules as account_rules
from dangjian.accounts.models import User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record, diff
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.common.scope import subtree_upper_bound
from dangjian.members import rules as member_rules
from dangjian.orgs import rules
from dangjian.orgs.models import Org, OrgEvent, OrgEventKind, OrgType

TYPE_LABELS = dict(OrgType.choices)
CODE_TAKEN = "党组织编码“{code}”已被“{name}”使用。"
# When the holder lies outside the actor's scope its name is not theirs to learn.
CODE_TAKEN_ELSEWHERE = "党组织编码“{code}”已被其他党组织使用。"
NAME_REQUIRED = "请填写党组织全称。"
NOT_IN_SCOPE = "不在您管理的范围内。"

# Plain attributes an edit may change; name, type, parent and dissolution go through their events.
EDITABLE_FIELDS = (
    "short_name", "stats_name", "category", "unit_situation", "division_id", "approving_org_id", "secretary_name",
    "contact_name", "contact_phone", "can_approve_probationary", "is_functional", "is_new_business",
    "committee_size", "term_started_on", "term_years",
)  # fmt: skip


def _check_date(date: dt.date, org: Org | None = None, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if date > today:
        raise ServiceError(rules.FUTURE_DATE.format(date=today), "date")
    if org is not None and date < org.established_on:
        raise ServiceError(rules.DATE_BEFORE_ESTABLISHED.format(date=date, established=org.established_on), "date")


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _check_structural(actor: User, org: Org, action: str, affected_type: str | None = None) -> None:
    """_check_writable, and the higher-organization rule (accounts.rules.may_change_structure)."""
    _check_writable(actor, org)
    allowed = account_rules.may_change_structure(
        action=action, role=actor.role, assigned_paths=scope_for(actor).paths, target_path=org.path,
        affected_type=affected_type or org.org_type,
    )
    if not allowed:
        raise NotPermitted(account_rules.STRUCTURE_NEEDS_HIGHER)


def _check_parent(parent: Org, child_type: str, date: dt.date) -> None:
    if parent.dissolved_on and parent.dissolved_on <= date:
        raise ServiceError(rules.PARENT_DISSOLVED.format(name=parent.name, date=parent.dissolved_on), "parent")
    msg = rules.check_child_allowed(parent.org_type, child_type, TYPE_LABELS)
    if msg:
        raise ServiceError(msg, "org_type")


def _lock(org: Org, version: int | None = None) -> Org:
    """The organization's row, locked for this transaction and read afresh (a stale object must not
    be written back); ``version`` is what the user loaded: if it changed since, ConflictError."""
    locked = Org.objects.select_for_update().get(pk=org.pk)
    if version is not None and locked.version != version:
        raise ConflictError
    return locked


def _save(org: Org, **fields: Any) -> None:
    """Write ``fields`` and bump the version in SQL (F expression), then reload the object."""
    Org.objects.filter(pk=org.pk).update(version=F("version") + 1, **fields)
    org.refresh_from_db()


def _event(org: Org, actor: User | None, kind: str, date: dt.date, doc_number: str, changes: dict, **kw: Any) -> OrgEvent:
    return OrgEvent.objects.create(
        org=org, kind=kind, date=date, doc_number=doc_number, changes=changes, recorded_by=actor, **kw
    )


def _county_of(parent: Org | None) -> Org | None:
    if parent is None:
        return None
    if parent.org_type == OrgType.COUNTY_COMMITTEE:
        return parent
    return parent.county


@transaction.atomic
def org_create(
    *,
    actor: User | None,
    parent: Org | None,
    name: str,
    code: str,
    org_type: str,
    established_on: dt.date,
    doc_number: str = "",
    today: dt.date | None = None,
    **fields: Any,
) -> Org:
    """成立党组织. ``actor`` None is the system (demo data, first install)."""
    name = name.strip()
    if not name:
        raise ServiceError(NAME_REQUIRED, "name")
    _check_date(established_on, today=today)
    if parent is not None:
        parent = _lock(parent)
        if actor is not None:
            _check_structural(actor, parent, account_rules.CREATE_CHILD, org_type)
        _check_parent(parent, org_type, established_on)
    elif actor is not None:
        raise NotPermitted  # a new root (a county) is created by the system only
    other = Org.objects.filter(code=code).first()
    if other:
        if actor is None or scope_for(actor).contains_path(other.path):
            raise ServiceError(CODE_TAKEN.format(code=code, name=other.name), "code")
        raise ServiceError(CODE_TAKEN_ELSEWHERE.format(code=code), "code")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    values = dict(name=name, code=code, org_type=org_type, established_on=established_on, **fields)
    values.setdefault("term_years", None)
    if parent is not None:
        org = Org.objects.add_child(parent, {**values, "county": _county_of(parent)})
    else:
        org = Org.objects.add_root(values)
    _event(org, actor, OrgEventKind.ESTABLISHED, established_on, doc_number, {"name": name, "org_type": org_type})
    audit_record(actor=actor, action="org.create", org=org, target=org, changes=diff({}, values))
    return org


@transaction.atomic
def org_update(*, actor: User, org: Org, version: int, **fields: Any) -> Org:
    """Edit an organization's plain attributes. ``version`` is what the user loaded: if someone saved
    in between, the update is refused (ConflictError) instead of silently overwriting their change."""
    org = _lock(org)
    _check_writable(actor, org)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    old = {k: getattr(org, k) for k in fields}
    changed = Org.objects.filter(pk=org.pk, version=version).update(version=F("version") + 1, **fields)
    if not changed:
        raise ConflictError
    org.refresh_from_db()
    audit_record(actor=actor, action="org.update", org=org, target=org, changes=diff(old, fields))
    return org


@transaction.atomic
def org_rename(*, actor: User, org: Org, name: str, short_name: str = "", date: dt.date, doc_number: str,
               version: int | None = None) -> Org:
    org = _lock(org, version)
    _check_structural(actor, org, account_rules.RENAME)
    _check_date(date, org)
    name = name.strip()
    if not name:
        raise ServiceError(NAME_REQUIRED, "name")
    changes = diff({"name": org.name, "short_name": org.short_name}, {"name": name, "short_name": short_name or org.short_name})
    _save(org, name=name, short_name=short_name or org.short_name)
    _event(org, actor, OrgEventKind.RENAMED, date, doc_number, changes)
    audit_record(actor=actor, action="org.rename", org=org, target=org, changes=changes)
    return org


@transaction.atomic
def org_change_type(*, actor: User, org: Org, org_type: str, date: dt.date, doc_number: str,
                    version: int | None = None) -> Org:
    """调整组织类型: a branch upgraded to a general branch or a primary committee, and back."""
    org = _lock(org, version)
    _check_structural(actor, org, account_rules.CHANGE_TYPE)
    _check_date(date, org)
    parent = Org.objects.get_parent(org)
    if parent is not None:
        _check_parent(parent, org_type, date)
    for child in Org.objects.get_children(org).filter(dissolved_on__isnull=True):
        msg = rules.check_child_allowed(org_type, child.org_type, TYPE_LABELS)
        if msg:
            raise ServiceError(msg, "org_type")
    if org.members.filter(status__in=member_rules.ON_ROSTER).exists() and org_type not in rules.HOLDS_MEMBERS:
        raise ServiceError(rules.NOT_HOLDING_MEMBERS.format(type=TYPE_LABELS[org_type]), "org_type")
    changes = diff({"org_type": org.org_type}, {"org_type": org_type})
    _save(org, org_type=org_type)
    _event(org, actor, OrgEventKind.TYPE_CHANGED, date, doc_number, changes)
    audit_record(actor=actor, action="org.change_type", org=org, target=org, changes=changes)
    return org


@transaction.atomic
def org_move(*, actor: User, org: Org, new_parent: Org, date: dt.date, doc_number: str,
             version: int | None = None) -> Org:
    """调整隶属关系: move ``org`` and its subtree under ``new_parent``."""
    org = _lock(org, version)
    new_parent = _lock(new_parent)
    _check_structural(actor, org, account_rules.MOVE)
    _check_writable(actor, new_parent)
    _check_date(date, org)
    if rules.is_inside(new_parent.path, org.path):
        raise ServiceError(rules.MOVE_UNDER_SELF, "parent")
    _check_parent(new_parent, org.org_type, date)
    old_parent = Org.objects.get_parent(org)
    changes = {"parent": [old_parent.name if old_parent else "", new_parent.name]}
    Org.objects.move(org, new_parent, pos="last-child")
    _save(org)
    new_county = _county_of(new_parent)
    if org.county_id != (new_county.pk if new_county else None):
        # Moved into another county: the subtree and its members now belong to that county (the
        # distribution column must follow, or the county's own statistics would miss them).
        from dangjian.members.models import Member

        subtree = Org.objects.filter(path__gte=org.path, path__lt=subtree_upper_bound(org.path))
        subtree.update(county=new_county)
        Member.objects.filter(org__in=subtree.values("pk")).update(county=new_county)
        org.refresh_from_db()
    _event(org, actor, OrgEventKind.MOVED, date, doc_number, changes, other_org=new_parent)
    audit_record(actor=actor, action="org.move", org=org, target=org, changes=changes)
    return org


def _members_in_org_from(org: Org, date: dt.date) -> int:
    """How many members the history places in ``org`` on ``date`` or later (a backdated dissolution
    must not leave anyone's relation in an organization that no longer existed)."""
    from django.db.models import OuterRef, Q, Subquery

    from dangjian.members.models import MembershipEvent

    ever = MembershipEvent.objects.filter(org_after=org)
    on_date = MembershipEvent.objects.filter(member=OuterRef("member_id"), date__lte=date).order_by("-date", "-seq", "-id")
    rows = (
        ever.annotate(org_then=Subquery(on_date.values("org_after")[:1]),
                      status_then=Subquery(on_date.values("status_after")[:1]))
        .filter(Q(date__gt=date, status_after__in=member_rules.ON_ROSTER)
                | Q(org_then=org.pk, status_then__in=member_rules.ON_ROSTER))
        .values("member_id").distinct()
    )
    return rows.count()


@transaction.atomic
def org_dissolve(*, actor: User, org: Org, date: dt.date, doc_number: str, note: str = "",
                 version: int | None = None) -> Org:
    """撤销: only once the organization has no members and no active suborganizations."""
    org = _lock(org, version)
    _check_structural(actor, org, account_rules.DISSOLVE)
    _check_date(date, org)
    if org.dissolved_on:
        raise ServiceError(rules.ORG_DISSOLVED.format(name=org.name, date=org.dissolved_on))
    members = org.members.filter(status__in=member_rules.ON_ROSTER).count()
    if members:
        raise ServiceError(rules.DISSOLVE_WITH_MEMBERS.format(name=org.name, count=members))
    later = _members_in_org_from(org, date)
    if later:
        raise ServiceError(rules.DISSOLVE_WITH_LATER_MEMBERS.format(date=date, name=org.name, count=later))
    children = Org.objects.get_children(org).filter(dissolved_on__isnull=True).count()
    if children:
        raise ServiceError(rules.DISSOLVE_WITH_CHILDREN.format(name=org.name, count=children))
    _save(org, dissolved_on=date)
    _event(org, actor, OrgEventKind.DISSOLVED, date, doc_number, {"dissolved_on": [None, str(date)]}, note=note)
    audit_record(actor=actor, action="org.dissolve", org=org, target=org, changes={"dissolved_on": [None, str(date)]})
    return org


@transaction.atomic
def org_merge(*, actor: User, org: Org, into: Org, date: dt.date, doc_number: str, version: int | None = None) -> Org:
    """合并: ``org``'s members transfer into ``into``, its suborganizations move under it, and ``org``
    is dissolved — all on ``date``, in one transaction."""
    from dangjian.members.services import member_transfer

    org = _lock(org, version)
    into = _lock(into)
    _check_structural(actor, org, account_rules.MERGE)
    _check_writable(actor, into)
    _check_date(date, org)
    if rules.is_inside(into.path, org.path):
        raise ServiceError(rules.MERGE_INTO_SELF, "into")
    if into.dissolved_on:
        raise ServiceError(rules.ORG_DISSOLVED.format(name=into.name, date=into.dissolved_on), "into")
    members = list(org.members.filter(status__in=member_rules.ON_ROSTER))
    for member in members:
        member_transfer(
            actor=actor, member=member, to_org=into, date=date, out_date=date,
            letter_number="", note=f"党组织合并（{doc_number}）",
        )
    children = list(Org.objects.get_children(org).filter(dissolved_on__isnull=True))
    for child in children:
        org_move(actor=actor, org=child, new_parent=into, date=date, doc_number=doc_number)
    org.refresh_from_db()
    _event(org, actor, OrgEventKind.MERGED, date, doc_number, {"into": into.name}, other_org=into)
    org = org_dissolve(actor=actor, org=org, date=date, doc_number=doc_number, note=f"并入{into.name}")
    # The merge itself is a write too: the transfers, moves and dissolution each have their own
    # audit event, and this one says they belong to one decision.
    audit_record(
        actor=actor, action="org.merge", org=org, target=org,
        changes={"into": [None, into.name], "members": [None, len(members)], "suborgs": [None, len(children)]},
        reason=doc_number,
    )
    return org


@transaction.atomic
def orgs_bulk_create(
    *,
    actor: User | None,
    rows: list[dict[str, Any]],
    doc_number: str = "",
    today: dt.date | None = None,
) -> dict[str, Org]:
    """成立党组织, many at once (a ledger import of a city's tree): the checks of ``org_create`` for
    every row, then the rows inserted in bulk with their materialized paths computed here, one
    OrgEvent and one ``org.create`` audit event each — all in this transaction.

    Each row has ``name``, ``code``, ``org_type``, ``established_on``, ``parent`` (an existing Org,
    or the code of an earlier row) and optionally EDITABLE_FIELDS. Returns the new organizations by
    code. New roots (counties) are created one at a time with ``org_create``."""
    from dangjian.common.middleware import current_ip
    from dangjian.common.models import AuditEvent

    if not rows:
        return {}
    existing_parents: dict[int, Org] = {}
    for row in rows:
        parent = row["parent"]
        if isinstance(parent, Org):
            existing_parents[parent.pk] = parent
    # The parents' rows, locked and read afresh (as org_create's _lock does for its one parent).
    locked: dict[int, Org] = {}
    pks = list(existing_parents)
    for i in range(0, len(pks), 500):
        locked.update(Org.objects.select_for_update().in_bulk(pks[i:i + 500]))
    # Codes: unique within the rows and against the database (one query per chunk).
    codes = [row["code"] for row in rows]
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ServiceError(CODE_TAKEN.format(code=code, name=next(r["name"] for r in rows if r["code"] == code)), "code")
        seen.add(code)
    scope = scope_for(actor) if actor is not None else None
    for i in range(0, len(codes), 500):
        for code, name, path in Org.objects.filter(code__in=codes[i:i + 500]).values_list("code", "name", "path")[:1]:
            if scope is None or scope.contains_path(path):
                raise ServiceError(CODE_TAKEN.format(code=code, name=name), "code")
            raise ServiceError(CODE_TAKEN_ELSEWHERE.format(code=code), "code")
    # Paths: a parent's next child step continues after its last existing child (treebeard's
    # add_child: "0001" for a leaf, else the last child's step + 1).
    next_step: dict[str, int] = {}
    for parent in locked.values():
        step = 1
        if parent.numchild:
            last = (Org.objects.filter(path__gt=parent.path, path__lt=subtree_upper_bound(parent.path), depth=parent.depth + 1)
                    .order_by("-path").values_list("path", flat=True).first())
            if last is not None:
                step = Org._str2int(last[-Org.steplen:]) + 1
        next_step[parent.path] = step
    max_path = Org._meta.get_field("path").max_length
    by_code: dict[str, Org] = {}
    values_of: dict[str, dict[str, Any]] = {}
    added: dict[str, int] = {}  # parent path -> children added
    structure_ok: dict[tuple[str, str], bool] = {}
    for row in rows:
        row = dict(row)
        parent_ref = row.pop("parent")
        parent = locked.get(parent_ref.pk) if isinstance(parent_ref, Org) else by_code.get(parent_ref)
        if parent is None:
            raise ValueError(f"parent of {row['code']} is neither an existing organization nor an earlier row")
        name = row.pop("name").strip()
        if not name:
            raise ServiceError(NAME_REQUIRED, "name")
        code, org_type, established_on = row.pop("code"), row.pop("org_type"), row.pop("established_on")
        unknown = set(row) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"unknown organization fields: {sorted(unknown)}")
        _check_date(established_on, today=today)
        if actor is not None:
            key = (parent.path, org_type)
            if key not in structure_ok:
                _check_structural(actor, parent, account_rules.CREATE_CHILD, org_type)
                structure_ok[key] = True
        _check_parent(parent, org_type, established_on)
        step = next_step.get(parent.path, 1)
        next_step[parent.path] = step + 1
        key_str = Org._int2str(step)
        if len(key_str) > Org.steplen:
            from treebeard.exceptions import PathOverflow

            raise PathOverflow(f"Path Overflow from: '{parent.path}'")
        path = f"{parent.path}{Org.alphabet[0] * (Org.steplen - len(key_str))}{key_str}"
        if len(path) > max_path:
            from treebeard.exceptions import PathOverflow

            raise PathOverflow("The new node is too deep in the tree")
        values = dict(name=name, code=code, org_type=org_type, established_on=established_on, **row)
        values.setdefault("term_years", None)
        org = Org(**values, path=path, depth=parent.depth + 1, numchild=0)
        org._dangjian_parent = parent  # type: ignore[attr-defined]
        by_code[code] = org
        values_of[code] = values
        added[parent.path] = added.get(parent.path, 0) + 1
    for org in by_code.values():
        org.numchild = added.get(org.path, 0)
    # Insert level by level, so that a county committee created here has its key before its
    # descendants point to it as their county.
    for depth in sorted({o.depth for o in by_code.values()}):
        level = [o for o in by_code.values() if o.depth == depth]
        for org in level:
            # _county_of by key: following parent.county would cost a query per row
            parent = org._dangjian_parent  # type: ignore[attr-defined]
            org.county_id = parent.pk if parent.org_type == OrgType.COUNTY_COMMITTEE else parent.county_id
        Org.objects.bulk_create(level, batch_size=500)
        if any(o.pk is None for o in level):  # a backend that does not return keys from a bulk insert
            pk_by_path = dict(Org.objects.filter(path__in=[o.path for o in level]).values_list("path", "pk"))
            for org in level:
                org.pk = pk_by_path[org.path]
    for parent in locked.values():
        n = added.get(parent.path, 0)
        if n:
            Org.objects.filter(pk=parent.pk).update(numchild=F("numchild") + n)
            parent.numchild += n
    OrgEvent.objects.bulk_create([
        OrgEvent(org=org, kind=OrgEventKind.ESTABLISHED, date=org.established_on, doc_number=doc_number,
                 changes={"name": org.name, "org_type": org.org_type}, recorded_by=actor)
        for org in by_code.values()
    ], batch_size=1000)
    # The same event audit_record writes for org_create, in bulk (this function is the transaction).
    actor_name = (actor.display_name or actor.username) if actor else "系统"
    ip = current_ip.get()
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=actor, actor_name=actor_name, ip=ip, org=org, org_path=org.path, action="org.create",
                   target_type=org._meta.label_lower, target_id=str(org.pk), target_label=str(org)[:200],
                   changes=diff({}, values_of[code]), reason="")
        for code, org in by_code.items()
    ], batch_size=1000)
    for org in by_code.values():
        del org._dangjian_parent  # type: ignore[attr-defined]
    return by_code

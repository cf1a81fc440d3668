"""Writes of supervision (督办). Every service validates everything first and raises before touching the
database — ``ServiceError`` (field → Chinese messages, constants in rules.py) for bad input,
``NotPermitted`` (views and the API answer 404) when the actor may not act here — then writes in one
transaction together with its audit event.

Who acts: the issuer's writers (users who may write at the issuing organization) issue, accept and
return; the receiver's writers (users who may write at the receiving organization) or the named
receiver acknowledge, report progress, submit and cascade (转办). A county administrator is both for
everything below the county, and may act for a village that has no account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import home_org, require_writer, scope_for
from dangjian.common.audit import audit_record
from dangjian.common.errors import FieldErrors, NotPermitted
from dangjian.common.uploads import upload_facts
from dangjian.orglife import rules as file_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.supervision import params, rules
from dangjian.supervision.models import Evidence, Item, ItemEvent, Task


def _today(today: dt.date | None) -> dt.date:
    # Dates are days in Asia/Shanghai (the server may run on UTC).
    return today or timezone.localdate()


def _county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def _inside(path: str, ancestor: str, *, strictly: bool) -> bool:
    return path.startswith(ancestor) and (not strictly or path != ancestor)


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def may_review(actor: User, item: Item) -> bool:
    """The issuer's writers accept and return — except the item's named receiver: a person named in
    a task of their own organization (or one above it) does not accept their own work."""
    if item.receiver_user_id is not None and item.receiver_user_id == actor.pk:
        return False
    return actor.can_write and scope_for(actor).contains_path(item.task.issuer.path)


def may_handle(actor: User, item: Item) -> bool:
    """The receiver's writers acknowledge, report, submit and cascade; an item addressed to a named
    person is theirs alone (their organization's other writers and the levels above do not act for
    them; the person has an account, so nobody needs to)."""
    if not actor.can_write:
        return False
    if item.receiver_user_id is not None:
        return item.receiver_user_id == actor.pk
    return scope_for(actor).contains_path(item.receiver_org.path)


def _lock(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("task__issuer", "receiver_org").get(pk=item.pk)


def _event(item: Item, *, kind: str, actor: User | None, today: dt.date, text: str = "") -> ItemEvent:
    return ItemEvent.objects.create(item=item, kind=kind, date=today, text=text, by=actor)


def _transition(errors: FieldErrors, item: Item, event: str) -> None:
    message = rules.transition_error(item.status, event)
    if message:
        errors.add("__all__", message)


# --- issuing -------------------------------------------------------------------------------------------


def _home_inside(user: User, issuer: Org) -> Org | None:
    """The organization a named receiver's item is filed under (its scope follows it): their first
    assigned organization inside the issuer's subtree — a user assigned to two townships receives
    from either — else their first one (which the caller then refuses as outside)."""
    if user.role not in ORG_ROLES:
        return None
    orgs = list(user.orgs.order_by("path"))
    return next((o for o in orgs if _inside(o.path, issuer.path, strictly=False)), home_org(user))


def check_receivers(*, issuer: Org, receiver_orgs: Sequence[Org], receiver_users: Sequence[User],
                    liaison_leader: User | None, errors: FieldErrors) -> list[tuple[Org, User | None]]:
    """(receiving organization, named user or None) for each receiver, in order and without repeats;
    adds a message for each receiver outside the issuer's subtree and for a liaison leader whose scope
    does not cover them all."""
    out: list[tuple[Org, User | None]] = []
    seen: set[tuple[int, int | None]] = set()
    for org in receiver_orgs:
        if not _inside(org.path, issuer.path, strictly=True):
            errors.add("receiver_orgs", rules.RECEIVER_OUTSIDE.format(name=org.name, issuer=issuer.name))
        elif org.dissolved_on is not None:
            errors.add("receiver_orgs", rules.RECEIVER_DISSOLVED.format(name=org.name))
        elif (org.pk, None) not in seen:
            seen.add((org.pk, None))
            out.append((org, None))
    for user in receiver_users:
        name = user.display_name or user.username
        home = _home_inside(user, issuer)
        if not user.can_write or not user.is_active:
            errors.add("receiver_users", rules.RECEIVER_USER_ROLE.format(name=name))
        elif home is None or not _inside(home.path, issuer.path, strictly=False):
            errors.add("receiver_users", rules.RECEIVER_USER_OUTSIDE.format(name=name, issuer=issuer.name))
        elif (home.pk, user.pk) not in seen:
            seen.add((home.pk, user.pk))
            out.append((home, user))
    if not out and not errors:
        errors.add("receiver_orgs", rules.NO_RECEIVERS)
    if liaison_leader is not None:
        if liaison_leader.role not in ORG_ROLES or not liaison_leader.is_active:
            errors.add("liaison_leader", rules.LIAISON_ROLE)
        else:
            scope = scope_for(liaison_leader)
            for org, _user in out:
                if not scope.contains_path(org.path):
                    errors.add("liaison_leader", rules.LIAISON_SCOPE.format(
                        name=liaison_leader.display_name or liaison_leader.username, org=org.name))
                    break
    return out


def _check_task_fields(errors: FieldErrors, *, title: str, deadline: dt.date, recurrence: str,
                       recur_until: dt.date | None, today: dt.date) -> list[tuple[str, dt.date]]:
    if not title.strip():
        errors.add("title", rules.TITLE_REQUIRED)
    if deadline < today:
        errors.add("deadline", rules.DEADLINE_PAST.format(deadline=deadline, today=today))
    if recurrence not in rules.RECURRENCE_LABELS:
        errors.add("recurrence", rules.RECURRENCE_INVALID.format(value=recurrence))
        return []
    if recurrence == rules.ONCE:
        return rules.period_deadlines(deadline, recurrence, None)
    if recur_until is None:
        errors.add("recur_until", rules.RECUR_UNTIL_REQUIRED)
        return []
    if recur_until < deadline:
        errors.add("recur_until", rules.RECUR_UNTIL_BEFORE)
        return []
    periods = rules.period_deadlines(deadline, recurrence, recur_until)
    if len(periods) > rules.MAX_PERIODS:
        errors.add("recur_until", rules.TOO_MANY_PERIODS.format(n=rules.MAX_PERIODS))
    return periods


@transaction.atomic
def task_issue(*, actor: User, issuer: Org, title: str, deadline: dt.date, basis: str = "", actions: str = "",
               evidence_required: str = "", recurrence: str = rules.ONCE, recur_until: dt.date | None = None,
               responsible_leader: str = "", liaison_leader: User | None = None,
               receiver_orgs: Sequence[Org] = (), receiver_users: Sequence[User] = (),
               today: dt.date | None = None) -> Task:
    """下达督办任务: one item per receiver per period, each with its own deadline (a recurring task
    creates every period's items now, so nothing depends on a scheduler)."""
    today = _today(today)
    _check_writable(actor, issuer)
    errors = FieldErrors()
    periods = _check_task_fields(errors, title=title, deadline=deadline, recurrence=recurrence,
                                 recur_until=recur_until, today=today)  # fmt: skip
    receivers = check_receivers(issuer=issuer, receiver_orgs=receiver_orgs, receiver_users=receiver_users,
                                liaison_leader=liaison_leader, errors=errors)  # fmt: skip
    errors.raise_if_any()
    county = _county_of(issuer)
    task = Task.objects.create(
        issuer=issuer, title=title.strip()[:200], basis=basis.strip()[:100], actions=actions.strip(),
        evidence_required=evidence_required.strip(), deadline=deadline, recurrence=recurrence,
        recur_until=recur_until if recurrence != rules.ONCE else None, responsible_leader=responsible_leader.strip()[:50],
        liaison_leader=liaison_leader, issued_on=today, county=county, created_by=actor,
    )  # fmt: skip
    Item.objects.bulk_create([
        Item(task=task, receiver_org=org, receiver_user=user, period=label, deadline=due, county=county)
        for label, due in periods for org, user in receivers
    ])  # fmt: skip
    audit_record(actor=actor, action="supervision.task.issue", org=issuer, target=task, changes={
        "title": [None, task.title], "deadline": [None, str(deadline)], "recurrence": [None, rules.RECURRENCE_LABELS[recurrence]],
        "receivers": [None, "、".join(str(u or o) for o, u in receivers)[:500]], "items": [None, len(periods) * len(receivers)],
    })  # fmt: skip
    return task


# --- the receiver's side ------------------------------------------------------------------------------------


def _check_handler(actor: User, item: Item) -> None:
    require_writer(actor)
    if not may_handle(actor, item):
        raise NotPermitted


@transaction.atomic
def item_acknowledge(*, actor: User, item: Item, today: dt.date | None = None) -> Item:
    """签收."""
    today = _today(today)
    item = _lock(item)
    _check_handler(actor, item)
    errors = FieldErrors()
    _transition(errors, item, rules.EV_ACKNOWLEDGE)
    errors.raise_if_any()
    _record(actor, item, rules.EV_ACKNOWLEDGE, today)
    return item


def _record(actor: User | None, item: Item, kind: str, today: dt.date, text: str = "",
            extra: dict[str, Any] | None = None) -> ItemEvent:
    """Write one history event, move the cached status and dates, and audit it."""
    before = item.status
    item.status = rules.status_after(kind, item.status)
    fields = ["status"]
    if item.acknowledged_on is None and item.status != rules.ASSIGNED:
        item.acknowledged_on = today
        fields.append("acknowledged_on")
    if kind == rules.EV_SUBMIT:
        item.submitted_on = today
        fields.append("submitted_on")
    elif kind == rules.EV_RETURN:
        item.returned_count += 1
        fields.append("returned_count")
    elif kind == rules.EV_ACCEPT:
        item.accepted_on = today
        fields.append("accepted_on")
    elif kind == rules.EV_CASCADE:
        item.cascaded = True
        fields.append("cascaded")
    item.save(update_fields=fields)
    event = _event(item, kind=kind, actor=actor, today=today, text=text)
    changes: dict[str, Any] = {"status": [rules.STATUS_LABELS[before], rules.STATUS_LABELS[item.status]]}
    changes.update(extra or {})
    audit_record(actor=actor, action=f"supervision.item.{kind}", org=item.receiver_org, target=item, changes=changes,
                 reason=text if kind == rules.EV_RETURN else "")  # fmt: skip
    return event


@transaction.atomic
def item_progress(*, actor: User, item: Item, text: str, today: dt.date | None = None) -> ItemEvent:
    """报告进度 (an unacknowledged item is acknowledged by it)."""
    today = _today(today)
    item = _lock(item)
    _check_handler(actor, item)
    errors = FieldErrors()
    _transition(errors, item, rules.EV_PROGRESS)
    if not text.strip():
        errors.add("text", rules.TEXT_REQUIRED.format(what="进度情况"))
    errors.raise_if_any()
    return _record(actor, item, rules.EV_PROGRESS, today, text.strip())


def _check_files(errors: FieldErrors, files: Sequence[File], max_mb: float) -> list[tuple[File, str, int, str]]:
    """Each file's (file, name, size, sniffed type); a message for each forbidden, renamed, empty or
    oversized one (orglife.rules.check_upload: images, pdf, docx, xlsx whose content is that type)."""
    out = []
    for f in files:
        name, size, head, zip_names = upload_facts(f)
        message = file_rules.check_upload(name=name, size=size, head=head, zip_names=zip_names,
                                          purpose=file_rules.ATTACHMENT, max_mb=max_mb)  # fmt: skip
        if message:
            errors.add("files", message)
        else:
            out.append((f, name, size, file_rules.sniff_type(head, zip_names) or ""))
    return out


def _children_items(item: Item) -> list[Item]:
    return list(Item.objects.filter(task__parent_item=item).select_related("receiver_org", "receiver_user"))


@transaction.atomic
def item_submit(*, actor: User, item: Item, text: str = "", files: Sequence[File] = (),
                today: dt.date | None = None) -> ItemEvent:
    """报送佐证: a note and/or files and photos; the issuer then accepts or returns it. A cascaded item
    is submitted automatically when all its children are accepted (and may be submitted by hand only
    then, e.g. again after a return)."""
    today = _today(today)
    item = _lock(item)
    _check_handler(actor, item)
    errors = FieldErrors()
    _transition(errors, item, rules.EV_SUBMIT)
    if item.cascaded and any(c.status != rules.ACCEPTED for c in _children_items(item)):
        errors.add("__all__", rules.CASCADED_SUBMIT)
    checked = _check_files(errors, files, params.evidence_max_mb())
    if not text.strip() and not files:
        errors.add("text", rules.EVIDENCE_REQUIRED)
    errors.raise_if_any()
    names = [name for _f, name, _s, _t in checked]
    event = _record(actor, item, rules.EV_SUBMIT, today, text.strip(), extra={"evidence": [None, "、".join(names)[:500]]})
    for f, name, size, file_type in checked:
        ev = Evidence(item=item, event=event, original_name=name[:200], size=size, file_type=file_type,
                      county=item.county, uploaded_by=actor)  # fmt: skip
        ev.file.save(name, f, save=False)
        ev.save()
    return event


# --- the issuer's side -------------------------------------------------------------------------------------


def _check_reviewer(actor: User, item: Item) -> None:
    require_writer(actor)
    if not may_review(actor, item):
        raise NotPermitted


@transaction.atomic
def item_return(*, actor: User, item: Item, reason: str, today: dt.date | None = None) -> ItemEvent:
    """退回 with a reason; the receiver submits again (the item's return count goes up)."""
    today = _today(today)
    item = _lock(item)
    _check_reviewer(actor, item)
    errors = FieldErrors()
    _transition(errors, item, rules.EV_RETURN)
    if not reason.strip():
        errors.add("reason", rules.RETURN_REASON)
    errors.raise_if_any()
    return _record(actor, item, rules.EV_RETURN, today, reason.strip())


@transaction.atomic
def item_accept(*, actor: User, item: Item, text: str = "", today: dt.date | None = None) -> ItemEvent:
    """验收通过. When this was the last open item passed down from a cascaded item, that item is
    submitted upward automatically with a summary of its children's evidence."""
    today = _today(today)
    item = _lock(item)
    _check_reviewer(actor, item)
    errors = FieldErrors()
    _transition(errors, item, rules.EV_ACCEPT)
    errors.raise_if_any()
    event = _record(actor, item, rules.EV_ACCEPT, today, text.strip())
    parent_id = item.task.parent_item_id
    if parent_id is not None:
        parent = _lock(Item(pk=parent_id))
        children = _children_items(parent)
        if all(c.status == rules.ACCEPTED for c in children) and parent.status in rules.ALLOWED_FROM[rules.EV_SUBMIT]:
            _record(None, parent, rules.EV_SUBMIT, today, children_summary(children),
                    extra={"auto": [None, "下级全部验收通过，自动报送"]})  # fmt: skip
    return event


def children_summary(children: Sequence[Item]) -> str:
    """The automatic submission's text: each child's receiver, acceptance date, last note and files."""
    lines = ["下级承办单位已全部验收通过（自动报送）："]
    evidence: dict[int, list[str]] = {}
    for ev in Evidence.objects.filter(item__in=children).order_by("id"):
        evidence.setdefault(ev.item_id, []).append(ev.original_name)
    notes = {}
    for e in ItemEvent.objects.filter(item__in=children, kind=rules.EV_SUBMIT).order_by("at", "id"):
        notes[e.item_id] = e.text
    for c in children:
        who = c.receiver_user or c.receiver_org
        files = "、".join(evidence.get(c.pk, [])) or "无附件"
        note = (notes.get(c.pk) or "").replace("\n", " ")[:100]
        lines.append(f"{who}：{c.accepted_on}通过；{note or '无说明'}；佐证：{files}")
    return "\n".join(lines)


# --- cascade (转办) ------------------------------------------------------------------------------------------


@transaction.atomic
def item_cascade(*, actor: User, item: Item, receiver_orgs: Sequence[Org], deadline: dt.date | None = None,
                 liaison_leader: User | None = None, responsible_leader: str = "",
                 today: dt.date | None = None) -> Task:
    """转办: the receiving organization passes its item on to organizations in its own subtree, as a
    child task issued by it; the item's light then follows the children's, and it is submitted upward
    automatically when they are all accepted. It may be cascaded again to further organizations, never
    twice to the same one (that would make two children doing one job, both counted on the board). An
    overdue item may still be passed on, with a deadline from today on (rules.cascade_deadline_error)."""
    today = _today(today)
    item = _lock(item)
    _check_handler(actor, item)
    issuer = item.receiver_org
    if not scope_for(actor).contains_path(issuer.path):
        raise NotPermitted
    errors = FieldErrors()
    if item.receiver_user_id is not None:
        errors.add("__all__", rules.CASCADE_NAMED)
    if item.status == rules.ACCEPTED:
        errors.add("__all__", rules.CASCADE_DONE)
    else:
        _transition(errors, item, rules.EV_CASCADE)
    message = rules.cascade_deadline_error(deadline=deadline, item_deadline=item.deadline, today=today)
    if message:
        errors.add("deadline", message)
    deadline = deadline or item.deadline
    for org in receiver_orgs:
        if not _inside(org.path, issuer.path, strictly=True):
            errors.add("receiver_orgs", rules.CASCADE_RECEIVER.format(name=org.name, org=issuer.name))
    picked = [o.pk for o in receiver_orgs]
    for org in {o.pk: o for o in receiver_orgs if picked.count(o.pk) > 1}.values():
        errors.add("receiver_orgs", rules.CASCADE_REPEATED.format(name=org.name))
    already = Org.objects.filter(pk__in=Item.objects.filter(task__parent_item=item, receiver_org_id__in=picked)
                                 .values("receiver_org_id")).order_by("path")  # fmt: skip
    for org in already:
        errors.add("receiver_orgs", rules.CASCADE_AGAIN.format(name=org.name))
    receivers = check_receivers(issuer=issuer, receiver_orgs=[o for o in receiver_orgs if _inside(o.path, issuer.path, strictly=True)],
                                receiver_users=(), liaison_leader=liaison_leader, errors=errors)  # fmt: skip
    errors.raise_if_any()
    parent_task = item.task
    task = Task.objects.create(
        issuer=issuer, title=parent_task.title, basis=parent_task.basis, actions=parent_task.actions,
        evidence_required=parent_task.evidence_required, deadline=deadline, recurrence=rules.ONCE,
        responsible_leader=responsible_leader.strip()[:50], liaison_leader=liaison_leader, parent_item=item,
        issued_on=today, county=item.county, created_by=actor,
    )  # fmt: skip
    Item.objects.bulk_create([Item(task=task, receiver_org=org, period=item.period, deadline=deadline, county=item.county)
                              for org, _u in receivers])  # fmt: skip
    names = "、".join(o.name for o, _u in receivers)
    _record(actor, item, rules.EV_CASCADE, today, f"转办给：{names}（完成时限{deadline}）",
            extra={"cascade_task": [None, task.pk]})  # fmt: skip
    return task

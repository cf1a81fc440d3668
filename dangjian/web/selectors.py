"""Reads the pages need that are made of the core selectors: the work queue (待办), the tree around
an organization, an organization's member list, pickers, the audit log. Every function takes the
acting user first; scope comes from the core selectors they call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import require_county_admin, scope_for
from dangjian.common import settings_registry
from dangjian.common.models import AuditEvent
from dangjian.common.scope import subtree_upper_bound
from dangjian.dues import parameters as dues_parameters
from dangjian.dues import rules as dues_rules
from dangjian.dues.selectors import dues_gap_months
from dangjian.dues.selectors import work_items as dues_work_items
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.selectors import (
    lost_contact_due,
    members_in_subtree,
    members_visible,
    roster_as_of,
    suspension_due,
)
from dangjian.orglife.selectors import orglife_gap_months
from dangjian.orglife.selectors import work_items as orglife_work_items
from dangjian.orgs import rules as org_rules
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Division, Org
from dangjian.recruitment.selectors import work_items as recruitment_work_items

# --- work queue (待办) -------------------------------------------------------------------------------

SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}
SEVERITY_LABELS = {"danger": "已到期", "warning": "提醒", "info": "提示"}


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "structure", "lost_contact", "suspension"
    group: str  # what the home page groups by: "structure:<check code>", "lost_contact", "suspension"
    group_title: str  # the check's or deadline's Chinese name
    title: str
    detail: str
    url: str
    org: Org | None = None
    member: Member | None = None
    due: dt.date | None = None
    severity: str = "warning"  # "danger" (deadline passed), "warning", "info"
    article: str = ""

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


@dataclass(frozen=True)
class WorkGroup:
    key: str
    title: str
    count: int
    severity: str


def _structure_items(actor: User) -> list[WorkItem]:
    orgs = list(
        org_selectors.orgs_visible(actor)
        .filter(dissolved_on__isnull=True)
        .only("id", "path", "depth", "name", "short_name", "org_type", "category", "committee_size",
              "term_started_on", "dissolved_on")
        .order_by("path")
    )  # fmt: skip
    by_pk = {o.pk: o for o in orgs}
    items = []
    for pk, findings in org_selectors.structure_findings(actor, orgs).items():
        org = by_pk[pk]
        for f in findings:
            items.append(WorkItem(
                kind="structure", group=f"structure:{f.code}", group_title=f.name, title=f"{org.name}：{f.name}",
                detail=f.message, url=reverse("web:org_detail", args=[org.pk]), org=org,
                severity="info" if f.level == "info" else "warning", article=f.article,
            ))  # fmt: skip
    return items


def _deadline_items(actor: User, today: dt.date) -> list[WorkItem]:
    items = []
    for m in lost_contact_due(actor, today=today).order_by("lost_contact_on", "pk"):
        assert m.lost_contact_on is not None
        due = member_rules.lost_contact_deadline(m.lost_contact_on)
        overdue = due <= today
        items.append(WorkItem(
            kind="lost_contact", group="lost_contact", group_title="失联党员将满6个月",
            title=f"{m.name}：失联{'已满' if overdue else '将满'}6个月",
            detail=f"{m.lost_contact_on}失去联系，{due}满6个月；经多方查找仍无音讯的，应予停止党籍。",
            url=reverse("web:member_detail", args=[m.pk]), org=m.org, member=m, due=due,
            severity="danger" if overdue else "warning", article="R5.5",
        ))  # fmt: skip
    for m in suspension_due(actor, today=today).order_by("suspended_on", "pk"):
        assert m.suspended_on is not None
        due = member_rules.suspension_deadline(m.suspended_on)
        overdue = due <= today
        items.append(WorkItem(
            kind="suspension", group="suspension", group_title="停止党籍将满2年",
            title=f"{m.name}：停止党籍{'已满' if overdue else '将满'}2年",
            detail=f"{m.suspended_on}停止党籍，{due}满2年；仍无音讯的，按自行脱党予以除名。",
            url=reverse("web:member_detail", args=[m.pk]), org=m.org, member=m, due=due,
            severity="danger" if overdue else "warning", article="R5.5",
        ))  # fmt: skip
    return items


LAPSE_SEVERITY = {dues_rules.LAPSE_FIRST: "info", dues_rules.LAPSE_SECOND: "warning", dues_rules.LAPSE_FLAG: "danger"}


def _lapse_items(actor: User, today: dt.date) -> list[WorkItem]:
    """自行脱党预警 (R2.14): members in scope with months in a row without dues paid or without
    organizational life, approved reasons left out by the two gap counts. Lost-contact members are
    left to their own rule (R5.5, above), so no one is counted twice."""
    members = members_visible(actor).filter(status__in=member_rules.ACTIVE, is_lost_contact=False)
    dues_gaps = dues_gap_months(actor, members, today)
    life_gaps = orglife_gap_months(actor, members, today)
    first = int(settings_registry.get(dues_parameters.LAPSE_FIRST_ALERT))
    second = int(settings_registry.get(dues_parameters.LAPSE_SECOND_ALERT))
    levels = {}
    for pk in set(dues_gaps) | set(life_gaps):
        d, life = dues_gaps.get(pk, 0), life_gaps.get(pk, 0)
        level = dues_rules.lapse_level(dues_months=d, life_months=life, first_alert=first, second_alert=second)
        if level:
            levels[pk] = (level, d, life)
    items = []
    for m in members.filter(pk__in=list(levels)).select_related("org").order_by("org__path", "name_pinyin"):
        level, d, life = levels[m.pk]
        reasons = []
        if d:
            reasons.append(f"连续{d}个月未交纳党费")
        if life:
            reasons.append(f"连续{life}个月未参加党的组织生活")
        items.append(WorkItem(
            kind="lapse", group=f"lapse:{level}", group_title=dues_rules.LAPSE_LABELS[level],
            title=f"{m.name}：{'、'.join(reasons)}",
            detail=("已满6个月，应由支部党员大会讨论，按自行脱党予以除名并报上级党组织批准。"
                    if level == dues_rules.LAPSE_FLAG else "请了解情况，督促其交纳党费、参加组织生活；有正当理由的请登记。"),
            url=reverse("web:member_detail", args=[m.pk]), org=m.org, member=m,
            severity=LAPSE_SEVERITY[level], article="党章第九条、R2.14",
        ))  # fmt: skip
    return items


def work_queue(actor: User, today: dt.date | None = None) -> list[WorkItem]:
    """The user's 待办: deadlines (lost contact nearing 6 months, suspension nearing 2 years, the
    six-month lapse alarms), the structure warnings of every organization in scope, the dues and
    organizational-life tasks, and the membership-development deadlines; most urgent first. Members
    and users without an organization scope have none."""
    if actor.role not in ORG_ROLES:
        return []
    today = today or timezone.localdate()
    items = (
        _deadline_items(actor, today) + _lapse_items(actor, today) + _structure_items(actor)
        + dues_work_items(actor, today) + orglife_work_items(actor, today) + recruitment_work_items(actor, today)
        + _oversight_work_items(actor, today)
    )

    def key(i: WorkItem) -> tuple:
        return (SEVERITY_ORDER[i.severity], i.due or dt.date.max, i.org.path if i.org else "", i.title)

    return sorted(items, key=key)


def _oversight_work_items(actor: User, today: dt.date) -> list[WorkItem]:
    """督办 tasks, assessment, member points and weak-organization rectification: each app says what
    this user must act on next. Imported here, not at the top: those apps import WorkItem from this module."""
    from dangjian.assessment.selectors import work_items as assessment_items
    from dangjian.points.selectors import work_items as points_items
    from dangjian.rectification.selectors import work_items as rectification_items
    from dangjian.supervision.selectors import work_items as supervision_items

    return (supervision_items(actor, today) + assessment_items(actor, today) + points_items(actor, today)
            + rectification_items(actor, today))


@dataclass(frozen=True)
class OrgPanel:
    """One app's card on the organization page: the template that renders it and what it shows."""

    template: str
    panel: object


def org_panels(actor: User, org: Org, today: dt.date) -> list[OrgPanel]:
    """The organization page's cards for open 督办 items, the latest assessment, star ratings and the
    rectification case — each only when the app has something to say about this organization."""
    from dangjian.assessment.selectors import org_panel as assessment_panel
    from dangjian.points.selectors import org_panel as points_panel
    from dangjian.rectification.selectors import org_panel as rectification_panel
    from dangjian.supervision.selectors import org_panel as supervision_panel

    found = [("supervision", supervision_panel(actor, org, today)), ("assessment", assessment_panel(actor, org, today)),
             ("points", points_panel(actor, org, today)), ("rectification", rectification_panel(actor, org, today))]
    return [OrgPanel(f"{app}/_org_panel.html", panel) for app, panel in found if panel is not None]


def work_groups(items: list[WorkItem]) -> list[WorkGroup]:
    groups: dict[str, WorkGroup] = {}
    for i in items:
        g = groups.get(i.group)
        sev = i.severity if g is None or SEVERITY_ORDER[i.severity] < SEVERITY_ORDER[g.severity] else g.severity
        groups[i.group] = WorkGroup(i.group, i.group_title, (g.count if g else 0) + 1, sev)
    return sorted(groups.values(), key=lambda g: (SEVERITY_ORDER[g.severity], -g.count))


# --- the tree on the left ------------------------------------------------------------------------------


@dataclass
class TreeNode:
    org: Org
    children: list[TreeNode] | None = None  # None: not loaded (expands on click)
    current: bool = False

    @property
    def expanded(self) -> bool:
        return self.children is not None


def tree_around(
    actor: User,
    current: Org | None = None,
    *,
    ancestors: list[Org] | None = None,
    current_children: list[Org] | None = None,
) -> list[TreeNode]:
    """The user's top organizations, with the branch leading to ``current`` expanded: only the
    children of ``current`` and of its ancestors are read, never the whole tree. A page that has
    already read ``current``'s breadcrumb (``org_selectors.ancestors``) or its active children
    (``org_selectors.org_children``) passes them in, and they are not read twice."""
    roots = [TreeNode(o) for o in org_selectors.org_roots(actor)]
    if current is None:
        return roots
    if ancestors is None:
        ancestors = org_selectors.ancestors(actor, current)
    chain = {o.pk for o in ancestors} | {current.pk}
    level = roots
    while True:
        node = next((n for n in level if n.org.pk in chain), None)
        if node is None:
            break
        if node.org.pk == current.pk and current_children is not None:
            node.children = [TreeNode(o) for o in current_children]
        else:
            node.children = [TreeNode(o) for o in org_selectors.org_children(actor, node.org)]
        if node.org.pk == current.pk:
            node.current = True
            break
        level = node.children
    return roots


def org_pick(actor: User, q: str, *, purpose: str = "any", limit: int = 20) -> list[Org]:
    """Organizations a picker offers for ``q``: active ones in scope; for a member's organization
    (purpose "member_org") only the types that may hold members' relations."""
    q = q.strip()
    if not q:
        return []
    qs = org_selectors.orgs_visible(actor).filter(
        Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code=q), dissolved_on__isnull=True
    )
    if purpose == "member_org":
        qs = qs.filter(org_type__in=org_rules.HOLDS_MEMBERS)
    return list(qs.order_by("path")[:limit])


def division_by_code(code: str) -> Division | None:
    """行政区划 by its statistical code. Divisions are public reference data, not scoped."""
    return Division.objects.filter(code=code.strip()).first()


# --- an organization's members -------------------------------------------------------------------------

FORMER = "former"
MEMBER_STATUS_FILTERS = [
    ("", "在册党员（正式、预备、停止党籍）"),
    (member_rules.FULL, member_rules.STATUS_LABELS[member_rules.FULL]),
    (member_rules.PROBATIONARY, member_rules.STATUS_LABELS[member_rules.PROBATIONARY]),
    (member_rules.SUSPENDED, member_rules.STATUS_LABELS[member_rules.SUSPENDED]),
    (FORMER, "已减少（转出、死亡、除名等）"),
]


def org_members(actor: User, org: Org, *, status: str = "", as_of: dt.date | None = None) -> QuerySet[Member]:
    """Members of ``org``'s subtree for the list on the organization page. With ``as_of``, the
    roster on that date (annotated by roster_as_of), ordered by the organization
    on that date; the page shows only those as-of values, never today's organization or status."""
    qs: QuerySet[Member]
    if as_of is not None:
        qs = roster_as_of(actor, org, as_of)
        if status in member_rules.ON_ROSTER:
            qs = qs.filter(**{"status_at": status})  # annotated by roster_as_of
        elif status == FORMER:
            qs = qs.none()
        return qs.order_by("org_at_path", "name_pinyin", "pk")
    qs = members_in_subtree(actor, org)
    if status == FORMER:
        qs = qs.filter(status__in=member_rules.TERMINAL)
    elif status in member_rules.STATUS_LABELS:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=member_rules.ON_ROSTER)
    return qs.select_related("org").order_by("org__path", "name_pinyin", "pk")


@dataclass(frozen=True)
class MemberFacts:
    age: int
    party_age: int | None
    correction: int


def member_facts(member: Member, today: dt.date | None = None) -> MemberFacts:
    """年龄 and 党龄 (with the record's correction value) as of ``today``."""
    today = today or timezone.localdate()
    return MemberFacts(
        age=member_rules.age_on(member.birth_date, today),
        party_age=member_rules.party_age(
            converted_on=member.converted_on, as_of=today, correction=member.party_age_correction
        ),
        correction=member.party_age_correction,
    )


# --- audit log -----------------------------------------------------------------------------------------

AUDIT_ACTION_FILTERS = [
    ("", "全部操作"),
    ("login.", "登录"),
    ("member.reveal.", "查看完整个人信息"),
    ("member.event.", "党员组织关系事项"),
    ("member.", "党员（全部）"),
    ("org.", "党组织"),
    ("user.", "用户账号"),
]


@dataclass
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""
    action: str = ""
    org: Org | None = None
    target: str = ""
    target_type: str = ""
    target_id: str = ""


def audit_events(actor: User, f: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit log for county administrators (404 for anyone else), read-only: events of
    organizations in their scope, by each organization's *current* path (the ``org_path`` snapshot
    goes stale when a subtree is moved). Events tied to no organization (a failed login for an
    unknown name, say) are shown only to administrators of a whole tree (a root organization):
    they may carry names typed by anyone."""
    require_county_admin(actor)
    scope = scope_for(actor)
    visible = scope.q("org__path")
    if scope.paths and Org.objects.filter(path__in=scope.paths, depth=1).exists():
        visible |= Q(org__isnull=True)
    qs = AuditEvent.objects.filter(visible)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if f.actor:
        qs = qs.filter(Q(actor_name__icontains=f.actor) | Q(actor__username__iexact=f.actor))
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.org is not None:
        qs = qs.filter(org__path__gte=f.org.path, org__path__lt=subtree_upper_bound(f.org.path))
    if f.target:
        qs = qs.filter(Q(target_label__icontains=f.target) | Q(target_id=f.target))
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    return qs.select_related("org").order_by("-at", "-id")


@dataclass(frozen=True)
class HolidayScheduleRow:
    year: int
    holidays: int
    makeup_workdays: int
    basis: str
    updated_by: str
    updated_at: dt.datetime


def holiday_schedules(actor: User) -> list[HolidayScheduleRow]:
    """The 放假安排 recorded for years chinese-calendar does not cover (county administrators only)."""
    from dangjian.common.models import HolidaySchedule

    require_county_admin(actor)
    return [HolidayScheduleRow(h.year, len(h.holidays), len(h.makeup_workdays), h.basis,
                               str(h.updated_by) if h.updated_by else "", h.updated_at)
            for h in HolidaySchedule.objects.select_related("updated_by")]  # fmt: skip

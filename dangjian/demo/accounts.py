"""Demo accounts: every role, for two townships (石门镇, a rural town; 凤岗街道, a sub-district), plus
the county administrator, a county-wide inspector and the organizer of the 县直机关工委. One shared,
documented password. Made with ``accounts.services.user_create`` (argon2, audited) like any account."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dangjian.accounts.models import Role, User
from dangjian.accounts.services import user_create
from dangjian.common.models import AuditEvent
from dangjian.demo import county as cty
from dangjian.demo import names
from dangjian.members.models import Member
from dangjian.orgs.models import Org

if TYPE_CHECKING:
    from dangjian.demo.people import MemberPlanner

DEMO_PASSWORD = "Dangjian@2026"
DEMO_ACTION = "demo.load"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str  # "county", a township or working committee (plan.named), or "branch:"/"member:" + township


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.COUNTY_ADMIN, "county"),
    DemoAccount("ducha", Role.INSPECTOR, "county"),
    DemoAccount("shimen_zuzhi", Role.TOWNSHIP_ORGANIZER, "石门镇"),
    DemoAccount("shimen_shuji", Role.BRANCH_SECRETARY, "branch:石门镇"),
    DemoAccount("shimen_ducha", Role.INSPECTOR, "石门镇"),
    DemoAccount("shimen_dangyuan", Role.MEMBER, "member:石门镇"),
    DemoAccount("fenggang_zuzhi", Role.TOWNSHIP_ORGANIZER, "凤岗街道"),
    DemoAccount("fenggang_shuji", Role.BRANCH_SECRETARY, "branch:凤岗街道"),
    DemoAccount("fenggang_ducha", Role.INSPECTOR, "凤岗街道"),
    DemoAccount("fenggang_dangyuan", Role.MEMBER, "member:凤岗街道"),
    DemoAccount("jiguan_zuzhi", Role.TOWNSHIP_ORGANIZER, "县直机关工委"),
)
ROLE_LABELS = dict(Role.choices)


def create_accounts(plan: cty.CountyPlan, planner: MemberPlanner, org_pks: dict[int, int],
                    account_member_pks: dict[int, int], *, seed: int) -> list[User]:
    rng = random.Random(f"{seed}:accounts")
    users = []
    for acc in DEMO_ACCOUNTS:
        kind, _, township = acc.where.partition(":")
        org_idx: int | None
        member = None
        if acc.where == "county":
            org_idx = plan.county
            display = "县委组织部管理员" if acc.role == Role.COUNTY_ADMIN else names.person_name(rng, "1", 1975)
        elif kind in ("branch", "member"):
            org_idx = plan.account_branches[township]
            display = plan.orgs[org_idx].secretary_name
            if kind == "member":
                index = planner.account_members.get(org_idx)
                if index is None or index not in account_member_pks:
                    continue  # too few members asked for to have one here
                member = Member.objects.get(pk=account_member_pks[index])
                display = member.name
                org_idx = None
        else:
            org_idx = plan.named[acc.where]
            spec = plan.orgs[org_idx]
            display = spec.contact_name if acc.role == Role.TOWNSHIP_ORGANIZER else names.person_name(rng, "2", 1980)
        orgs = [Org.objects.get(pk=org_pks[org_idx])] if org_idx is not None else None
        users.append(user_create(actor=None, username=acc.username, password=DEMO_PASSWORD, role=acc.role,
                                 display_name=display, orgs=orgs, member=member))
    return users


def summary_rows() -> list[tuple[str, str, str, str]]:
    """(用户名, 角色, 所属党组织, 初始密码) of the demo accounts that still exist, if the database holds
    the demo county; empty otherwise. (Passwords are not checked: argon2 takes half a second each.)"""
    if not AuditEvent.objects.filter(action=DEMO_ACTION).exists():
        return []
    wanted = {a.username: a for a in DEMO_ACCOUNTS}
    users = {u.username: u for u in User.objects.filter(username__in=wanted).select_related("member__org")
             .prefetch_related("orgs")}
    rows = []
    for acc in DEMO_ACCOUNTS:
        user = users.get(acc.username)
        if user is None or not user.is_active:
            continue
        if user.member is not None and user.member.org is not None:
            org = user.member.org
            where = org.stats_name or org.short_name or org.name
        else:
            where = "、".join(o.stats_name or o.short_name or o.name for o in user.orgs.all())
        rows.append((user.username, ROLE_LABELS.get(user.role, user.role), where, DEMO_PASSWORD))
    return rows


def summary_table(rows: list[tuple[str, str, str, str]]) -> str:
    """A Markdown table (readable in a terminal, pasted as is into the README)."""
    lines = ["| 用户名 | 角色 | 所属党组织 | 密码 |", "|---|---|---|---|"]
    lines += [f"| {u} | {r} | {w} | `{p}` |" for u, r, w, p in rows]
    return "\n".join(lines)

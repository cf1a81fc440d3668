"""Builders for tests (and the demo): a small county tree, users of every role, members made
through the real services so every row is as the platform itself would write it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from dangjian.accounts.models import Role, User
from dangjian.accounts.services import user_create
from dangjian.common import idnumbers
from dangjian.members.models import Member
from dangjian.members.services import member_create
from dangjian.orgs.models import Org
from dangjian.orgs.services import org_create

PASSWORD = "Dangjian-Test-2026"
# Division codes valid for every birth year the tests use (东城区、西城区 have not changed).
ALWAYS_VALID_BIRTHPLACES = ("110101", "110102")
_sequence = itertools.count(1)
_codes = itertools.count(1)


def valid_id_number(birth: dt.date, sex: str = "1", birthplace: str = "110101") -> str:
    return idnumbers.make(birthplace, birth, next(_sequence) % 500, sex)


def make_org(parent: Org | None, name: str, org_type: str, **fields: Any) -> Org:
    fields.setdefault("established_on", dt.date(2000, 1, 1))
    return org_create(actor=None, parent=parent, name=name, code=f"T{next(_codes):06d}", org_type=org_type, **fields)


def make_member(org: Org, *, actor: User | None = None, name: str = "张三", sex: str = "1",
                birth_date: dt.date = dt.date(1985, 6, 15), **kw: Any) -> Member:
    kw.setdefault("id_number", valid_id_number(birth_date, sex))
    kw.setdefault("education", "bachelor")
    kw.setdefault("personnel_category", "farmer")
    kw.setdefault("date", dt.date(2010, 7, 1))
    kw.setdefault("joined_on", kw["date"])
    kw.setdefault("converted_on", dt.date(kw["joined_on"].year + 1, kw["joined_on"].month, 1))
    return member_create(actor=actor, org=org, name=name, sex=sex, birth_date=birth_date, **kw)


@dataclass
class Tree:
    """县委 → 甲镇、乙镇 (township committees) → villages; plus users of every role."""

    county: Org
    town_a: Org
    town_b: Org
    village_a1: Org
    village_a2: Org
    village_b1: Org
    users: dict[str, User]
    member_a1: Member
    member_b1: Member


def make_tree() -> Tree:
    county = make_org(None, "中共示范县委员会", "county_committee")
    town_a = make_org(county, "中共甲镇委员会", "township_committee")
    town_b = make_org(county, "中共乙镇委员会", "township_committee")
    va1 = make_org(town_a, "中共甲镇一村支部委员会", "branch", category="rural", committee_size=3,
                   term_started_on=dt.date(2021, 1, 1), term_years=5)
    va2 = make_org(town_a, "中共甲镇二村支部委员会", "branch", category="rural")
    vb1 = make_org(town_b, "中共乙镇一村支部委员会", "branch", category="rural")
    m_a1 = make_member(va1, name="李明", phone="13800000001")
    m_b1 = make_member(vb1, name="王芳", sex="2", birth_date=dt.date(1990, 3, 8))
    users = {
        "county_admin": user_create(actor=None, username="county", password=PASSWORD, role=Role.COUNTY_ADMIN,
                                    display_name="县管理员", orgs=[county]),
        "township_organizer": user_create(actor=None, username="town_a", password=PASSWORD,
                                          role=Role.TOWNSHIP_ORGANIZER, display_name="甲镇组织委员", orgs=[town_a]),
        "branch_secretary": user_create(actor=None, username="branch_a1", password=PASSWORD,
                                        role=Role.BRANCH_SECRETARY, display_name="一村书记", orgs=[va1]),
        "inspector": user_create(actor=None, username="inspector_a", password=PASSWORD, role=Role.INSPECTOR,
                                 display_name="甲镇督查员", orgs=[town_a]),
        "member": user_create(actor=None, username="member_a1", password=PASSWORD, role=Role.MEMBER,
                              display_name="李明", member=m_a1),
    }
    return Tree(county, town_a, town_b, va1, va2, vb1, users, m_a1, m_b1)

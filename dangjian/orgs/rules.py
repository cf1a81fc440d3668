"""Rules for the organization tree, as pure functions over plain values (§3.1 of the domain
reference: R3.1 to R3.6, R3.12). Each structure check carries its Chinese name and article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

COUNTY_COMMITTEE = "county_committee"
TOWNSHIP_COMMITTEE = "township_committee"
WORKING_COMMITTEE = "working_committee"
PRIMARY_COMMITTEE = "primary_committee"
GENERAL_BRANCH = "general_branch"
BRANCH = "branch"
JOINT_BRANCH = "joint_branch"
TEMPORARY_BRANCH = "temporary_branch"
PARTY_GROUP = "party_group"

BRANCH_LIKE = frozenset({BRANCH, JOINT_BRANCH, TEMPORARY_BRANCH})
# Organizations a member's relation may belong to (R5.2: a branch, or a designated organization).
HOLDS_MEMBERS = BRANCH_LIKE | {GENERAL_BRANCH, PRIMARY_COMMITTEE}

# Which organization types may sit directly under which.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    COUNTY_COMMITTEE: frozenset({TOWNSHIP_COMMITTEE, WORKING_COMMITTEE, PRIMARY_COMMITTEE, GENERAL_BRANCH} | BRANCH_LIKE),
    TOWNSHIP_COMMITTEE: frozenset({PRIMARY_COMMITTEE, GENERAL_BRANCH} | BRANCH_LIKE),
    WORKING_COMMITTEE: frozenset({PRIMARY_COMMITTEE, GENERAL_BRANCH} | BRANCH_LIKE),
    PRIMARY_COMMITTEE: frozenset({GENERAL_BRANCH} | BRANCH_LIKE),
    GENERAL_BRANCH: BRANCH_LIKE,
    BRANCH: frozenset({PARTY_GROUP}),
    JOINT_BRANCH: frozenset({PARTY_GROUP}),
    TEMPORARY_BRANCH: frozenset({PARTY_GROUP}),
    PARTY_GROUP: frozenset(),
}

MOVE_UNDER_SELF = "不能把党组织调整到它自己或它的下级党组织之下。"
CHILD_NOT_ALLOWED = "“{parent}”之下不能设立“{child}”。"
PARENT_DISSOLVED = "上级党组织“{name}”已于{date}撤销，不能在其下设立或调入党组织。"
ORG_DISSOLVED = "党组织“{name}”已于{date}撤销。"
DISSOLVE_WITH_MEMBERS = "党组织“{name}”还有{count}名党员，请先办理组织关系转接再撤销。"
DISSOLVE_WITH_LATER_MEMBERS = (
    "按党员的党籍记录，{date}及以后党组织“{name}”仍有{count}名党员的组织关系，不能以该日期撤销。"
    "请核对撤销日期，或先办理这些党员的组织关系转接。"
)
DISSOLVE_WITH_CHILDREN = "党组织“{name}”还有{count}个未撤销的下级党组织，请先调整或撤销。"
MERGE_INTO_SELF = "不能把党组织合并到它自己或它的下级党组织。"
DATE_BEFORE_ESTABLISHED = "日期（{date}）不能早于党组织成立日期（{established}）。"
FUTURE_DATE = "日期不能晚于今天（{date}）。"
NOT_HOLDING_MEMBERS = "党员组织关系只能隶属于党支部（含联合、临时党支部）、党总支或基层党委，不能是“{type}”。"

# R3.2 / R3.3 / R3.5 / R3.1 thresholds
MIN_FULL_MEMBERS = 3
COMMITTEE_FROM_FULL_MEMBERS = 7
BRANCH_MAX_MEMBERS = 50
PRIMARY_COMMITTEE_FROM = 100
JOINT_BRANCH_MAX_UNITS = 5
COMMITTEE_MIN_SIZE = 3  # R3.5: a branch committee has 3 to 5 members,
COMMITTEE_MAX_SIZE = 7  # generally no more than 7

COMMITTEE_SIZE_MESSAGE = "支部委员会委员{size}人，支委会一般由3至5人组成，最多不超过7人。"

VILLAGE_CATEGORIES = frozenset({"rural", "community"})
NOT_VILLAGE_TYPES = frozenset({COUNTY_COMMITTEE, TOWNSHIP_COMMITTEE, WORKING_COMMITTEE, PARTY_GROUP})


def is_village_level(category: str, org_type: str) -> bool:
    """村、社区党组织 (R3.12): rural or community organizations below the township committee."""
    return category in VILLAGE_CATEGORIES and org_type not in NOT_VILLAGE_TYPES


@dataclass(frozen=True)
class StructureFacts:
    org_type: str
    full_members: int
    members: int  # full + probationary, of the organization itself (branch) or its subtree (others)
    committee_size: int
    units: int
    is_village_level: bool
    term_started_on: dt.date | None
    is_active: bool = True


@dataclass(frozen=True)
class Finding:
    code: str
    name: str  # the check's Chinese name, shown on pages and in the work queue
    message: str
    article: str
    level: str = "warning"  # "warning" or "info"


def structure_findings(f: StructureFacts) -> list[Finding]:
    """Structure checks of §3.1. They are warnings: the thresholds say "generally" (一般)."""
    out: list[Finding] = []
    if not f.is_active:
        return out
    if f.org_type in BRANCH_LIKE:
        if f.full_members < MIN_FULL_MEMBERS:
            out.append(Finding(
                "few_full_members", "正式党员不足3人",
                f"正式党员{f.full_members}人，不足3人，应与邻近单位成立联合党支部。", "R3.1 党章第30条、支部工作条例第4条",
            ))
        if f.full_members >= COMMITTEE_FROM_FULL_MEMBERS and f.committee_size == 0:
            out.append(Finding(
                "no_committee", "正式党员7人以上未设支委会",
                f"正式党员{f.full_members}人，应当成立党支部委员会（3至5人）。", "R3.5 支部工作条例",
            ))
        if f.committee_size and not COMMITTEE_MIN_SIZE <= f.committee_size <= COMMITTEE_MAX_SIZE:
            out.append(Finding(
                "committee_size", "支委会委员人数不符合规定",
                COMMITTEE_SIZE_MESSAGE.format(size=f.committee_size), "R3.5 支部工作条例",
            ))
        if f.members > BRANCH_MAX_MEMBERS:
            out.append(Finding(
                "branch_too_large", "党支部党员超过50人",
                f"党员{f.members}人，党支部党员一般不超过50人，可成立党总支或分设支部。", "R3.2 支部工作条例第4条",
            ))
    if f.org_type in BRANCH_LIKE | {GENERAL_BRANCH} and f.members >= PRIMARY_COMMITTEE_FROM:
        out.append(Finding(
            "may_become_committee", "党员100人以上可设基层党委",
            f"党员{f.members}人，经上级党组织批准可以成立基层党委。", "R3.3", level="info",
        ))
    if f.org_type == JOINT_BRANCH and f.units > JOINT_BRANCH_MAX_UNITS:
        out.append(Finding(
            "joint_too_many_units", "联合党支部覆盖单位超过5个",
            f"覆盖{f.units}个单位，联合党支部覆盖单位一般不超过5个。", "R3.1 支部工作条例第二章",
        ))
    if f.is_village_level and f.term_started_on is None:
        out.append(Finding(
            "village_term_missing", "村（社区）党组织无任期记录",
            "村（社区）党组织任期5年，请录入本届任期开始日期。", "R3.6 / R3.12",
        ))
    return out


def check_child_allowed(parent_type: str, child_type: str, labels: dict[str, str]) -> str | None:
    if child_type not in ALLOWED_CHILDREN.get(parent_type, frozenset()):
        return CHILD_NOT_ALLOWED.format(parent=labels.get(parent_type, parent_type), child=labels.get(child_type, child_type))
    return None


def is_inside(path: str, ancestor_path: str) -> bool:
    """True if ``path`` is ``ancestor_path`` or lies below it."""
    return path.startswith(ancestor_path)


def term_ends_on(term_started_on: dt.date | None, term_years: int | None) -> dt.date | None:
    if not term_started_on or not term_years:
        return None
    try:
        return term_started_on.replace(year=term_started_on.year + term_years)
    except ValueError:  # 29 February
        return term_started_on.replace(year=term_started_on.year + term_years, day=28)


def default_term_years(org_type: str, is_village_level: bool) -> int:
    """R3.6: villages and communities 5 years; township and primary committees 5; others 3."""
    if is_village_level or org_type in (TOWNSHIP_COMMITTEE, PRIMARY_COMMITTEE, COUNTY_COMMITTEE):
        return 5
    return 3

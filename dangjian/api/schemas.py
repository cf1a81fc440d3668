"""Shapes of the JSON the API reads and writes. Dates are ISO strings (YYYY-MM-DD). Coded values
are sent as their codes; every answer also carries the Chinese label (``*_label``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.common.errors import CONFLICT

OrgTypeCode = Literal[
    "county_committee", "township_committee", "working_committee", "primary_committee", "general_branch",
    "branch", "joint_branch", "temporary_branch", "party_group",
]  # fmt: skip
OrgCategoryCode = Literal[
    "state_enterprise", "private_enterprise", "rural", "agency", "school", "institution", "community",
    "social_org", "other",
]  # fmt: skip
UnitSituationCode = Literal["same_as_parent", "legal_person", "joint"]


class In(Schema):
    """A request body. Unknown fields are refused rather than silently ignored: a client that sends
    ``name`` to PATCH /orgs/{id} must learn that renaming is an event of its own."""

    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str = Field(description="错误说明（中文）")


class ValidationErrorOut(Schema):
    detail: str = Field(description="全部错误信息，以“；”连接")
    errors: dict[str, list[str]] = Field(description="按字段列出的错误信息；不属于某个字段的在 __all__ 下")


class ConflictOut(ValidationErrorOut):
    detail: str = Field(CONFLICT, description="记录已被他人修改")


# --- shared -----------------------------------------------------------------------------------------
class OrgRef(Schema):
    id: int | None = Field(description="党组织 id；不在您管理范围内的党组织只给名称，不给 id")
    name: str = Field(description="党组织全称")


class Page(Schema):
    count: int = Field(description="总条数")
    page: int = Field(description="当前页码（从 1 开始）")
    pages: int = Field(description="总页数")
    page_size: int = Field(description="每页条数")


# --- me ---------------------------------------------------------------------------------------------
class MemberBrief(Schema):
    """A member as lists show them. In a roster as of a date (``as_of``), ``org``, ``status``, the
    flags and the age are those of that date, never today's."""

    id: int
    name: str = Field(description="姓名")
    sex: str = Field(description="性别代码：1 男，2 女")
    sex_label: str
    id_number_masked: str = Field(description="公民身份号码（已遮盖：前6位和后4位）")
    # Never the birth date: the masked ID hides exactly those 8 digits. The full date comes only with
    # the audited reveal of the ID number.
    birth_year: int = Field(description="出生年份")
    age: int = Field(description="年龄（周岁）；按 as_of 日期查询花名册时为该日的年龄")
    phone_masked: str = Field(description="手机号码（已遮盖）")
    org: OrgRef | None = Field(description="所在党组织")
    status: str = Field(description="党籍状态代码（按 as_of 查询花名册时为该日的状态）")
    status_label: str = Field(description="党籍状态")
    joined_on: dt.date | None = Field(description="入党日期")
    converted_on: dt.date | None = Field(description="转正日期（按 as_of 查询花名册时，该日尚未转正的为空）")
    is_mobile: bool = Field(description="是否流动党员（按 as_of 查询花名册时为该日的情况）")
    is_lost_contact: bool = Field(description="是否失联党员（按 as_of 查询花名册时为该日的情况）")
    status_as_of: str | None = Field(None, description="按 as_of 日期查询花名册时：该日的党籍状态代码")
    org_as_of: int | None = Field(None, description="按 as_of 日期查询花名册时：该日所在党组织 id")


class OrgBrief(Schema):
    id: int
    name: str = Field(description="党组织全称")
    short_name: str = Field(description="党组织简称")
    code: str = Field(description="党组织编码")
    org_type: str = Field(description="组织类型代码")
    org_type_label: str = Field(description="组织类型")
    category: str = Field(description="组织类别代码")
    category_label: str = Field(description="组织类别")
    depth: int = Field(description="在组织树中的层级（县委为 1）")
    child_count: int = Field(description="直接下级党组织数（含已撤销的）")
    is_active: bool = Field(description="是否在用（未撤销）")
    dissolved_on: dt.date | None = Field(description="撤销日期")


class MeOut(Schema):
    id: int
    username: str = Field(description="用户名")
    display_name: str = Field(description="姓名")
    role: str = Field(description="角色代码")
    role_label: str = Field(description="角色")
    can_write: bool = Field(description="能否录入和修改（督查员、党员为只读）")
    orgs: list[OrgBrief] = Field(description="分配给该用户管理的党组织（其下全部党组织可见）")
    member: MemberBrief | None = Field(description="党员账号：本人的党员档案")


# --- organizations ----------------------------------------------------------------------------------
class OrgPage(Page):
    items: list[OrgBrief]


class FindingOut(Schema):
    code: str = Field(description="检查项代码")
    name: str = Field(description="检查项名称，如“正式党员不足3人”")
    message: str = Field(description="具体说明")
    article: str = Field(description="依据条款")
    level: str = Field(description="warning 提醒，info 提示")


class DivisionOut(Schema):
    id: int
    code: str = Field(description="区划代码")
    name: str = Field(description="名称")
    level: str = Field(description="级别")


class UnitOut(Schema):
    id: int
    name: str = Field(description="单位名称（全称）")
    credit_code: str = Field(description="统一社会信用代码")
    nature: str = Field(description="单位性质类别代码")
    nature_label: str = Field(description="单位性质类别")
    org_building: str = Field(description="法人单位建立党组织情况")
    employees: int | None = Field(description="在岗职工人数")
    division: DivisionOut | None = Field(description="单位所在行政区划")
    address: str = Field(description="注册地址")
    supervisor: str = Field(description="上级主管部门名称")


class OrgDetail(OrgBrief):
    stats_name: str = Field(description="党内统计用党组织简称")
    unit_situation: str = Field(description="党组织所在单位情况代码")
    unit_situation_label: str = Field(description="党组织所在单位情况")
    units: list[UnitOut] = Field(description="所在单位")
    division: DivisionOut | None = Field(description="党组织所在行政区划")
    approving_org: OrgRef | None = Field(description="批准成立的上级党组织")
    parent: OrgRef | None = Field(description="上级党组织")
    ancestors: list[OrgRef] = Field(description="您可见的上级党组织，自上而下（面包屑）")
    established_on: dt.date = Field(description="成立日期")
    secretary_name: str = Field(description="党组织书记")
    contact_name: str = Field(description="党组织联系人")
    contact_phone: str = Field(description="联系电话")
    can_approve_probationary: bool = Field(description='是否具有"审批预备党员权限"')
    is_functional: bool = Field(description="功能型党组织")
    is_new_business: bool = Field(description="是否为新业态")
    committee_size: int = Field(description="委员会委员人数（0 表示未设委员会）")
    term_started_on: dt.date | None = Field(description="本届任期开始日期")
    term_years: int | None = Field(description="任期（年）")
    term_ends_on: dt.date | None = Field(description="本届任期届满日期")
    version: int = Field(description="版本号：修改时原样交回，用于发现他人同时修改")
    findings: list[FindingOut] = Field(description="组织设置检查（§3.1）发现的问题")


class LabelCount(Schema):
    label: str
    count: int


class OrgCountsOut(Schema):
    total: int = Field(description="党员总数（正式、预备、停止党籍）")
    by_status: dict[str, int] = Field(description="按党籍状态代码")
    by_status_label: list[LabelCount] = Field(description="按党籍状态（中文）")
    by_sex: list[LabelCount] = Field(description="按性别")
    by_age: list[LabelCount] = Field(description="按年龄段")
    by_education: list[LabelCount] = Field(description="按学历")
    mobile: int = Field(description="流动党员")
    lost_contact: int = Field(description="失联党员")


class MemberPage(Page):
    items: list[MemberBrief]


class OrgEventOut(Schema):
    id: int
    kind: str = Field(description="事项代码")
    kind_label: str = Field(description="事项：成立、更名、调整组织类型、调整隶属关系、合并、撤销")
    date: dt.date = Field(description="日期")
    doc_number: str = Field(description="文号")
    other_org: OrgRef | None = Field(description="相关党组织（调入的上级、并入的党组织）")
    changes: dict = Field(description="变更内容")
    note: str = Field(description="备注")
    recorded_by: str = Field(description="录入人")


class OrgFieldsIn(In):
    """党组织的一般属性（名称、类型、隶属、撤销须通过各自的事项办理）。"""

    short_name: str | None = Field(None, max_length=100, description="党组织简称")
    stats_name: str | None = Field(None, max_length=100, description="党内统计用党组织简称")
    category: OrgCategoryCode | None = Field(None, description="组织类别代码")
    unit_situation: UnitSituationCode | None = Field(None, description="党组织所在单位情况代码")
    division_id: int | None = Field(None, description="党组织所在行政区划 id")
    approving_org_id: int | None = Field(None, description="批准成立的上级党组织 id")
    secretary_name: str | None = Field(None, max_length=50, description="党组织书记")
    contact_name: str | None = Field(None, max_length=50, description="党组织联系人")
    contact_phone: str | None = Field(None, max_length=30, description="联系电话")
    can_approve_probationary: bool | None = Field(None, description='是否具有"审批预备党员权限"')
    is_functional: bool | None = Field(None, description="功能型党组织")
    is_new_business: bool | None = Field(None, description="是否为新业态")
    committee_size: int | None = Field(None, ge=0, le=99, description="委员会委员人数（0 表示未设委员会）")
    term_started_on: dt.date | None = Field(None, description="本届任期开始日期")
    term_years: int | None = Field(None, ge=1, le=10, description="任期（年）")


class OrgCreateIn(OrgFieldsIn):
    parent: int = Field(description="上级党组织 id")
    name: str = Field(max_length=200, description="党组织全称")
    code: str = Field(min_length=1, max_length=32, description="党组织编码（全县唯一）")
    org_type: OrgTypeCode = Field(description="组织类型代码")
    established_on: dt.date = Field(description="成立日期")
    doc_number: str = Field("", max_length=100, description="成立批复文号")


class OrgUpdateIn(OrgFieldsIn):
    version: int = Field(description="读取时的版本号；其间有人保存过则返回 409")


class OrgEventIn(In):
    date: dt.date = Field(description="日期（不能晚于今天，不能早于成立日期）")
    doc_number: str = Field("", max_length=100, description="文号")


class OrgRenameIn(OrgEventIn):
    name: str = Field(max_length=200, description="新的党组织全称")
    short_name: str = Field("", max_length=100, description="新的简称（不填则不变）")


class OrgChangeTypeIn(OrgEventIn):
    org_type: OrgTypeCode = Field(description="新的组织类型代码")


class OrgMoveIn(OrgEventIn):
    parent: int = Field(description="新的上级党组织 id")


class OrgMergeIn(OrgEventIn):
    into: int = Field(description="并入的党组织 id")


class OrgDissolveIn(OrgEventIn):
    note: str = Field("", max_length=500, description="备注")


# --- members ----------------------------------------------------------------------------------------
class MemberDetail(MemberBrief):
    ethnicity: str = Field(description="民族代码")
    ethnicity_label: str
    education: str = Field(description="学历代码")
    education_label: str
    degree: str = Field(description="学位代码")
    degree_label: str
    personnel_category: str = Field(description="人员类别代码")
    personnel_category_label: str
    party_age: int | None = Field(description="党龄（年，自预备期满之日起算，含校正值；预备党员为空，正式党员未录入转正日期时为空即未知）")
    party_age_correction: int = Field(description="党龄校正值")
    new_social_stratum: str = Field(description="新社会阶层类型代码")
    new_social_stratum_label: str
    job: str = Field(description="工作岗位")
    professional_title: str = Field(description="从事专业技术职务")
    is_migrant_worker: bool = Field(description="是否农民工")
    registered_residence: str = Field(description="户籍所在地")
    current_residence: str = Field(description="现居住地")
    probation_ends_on: dt.date | None = Field(description="预备期满日期")
    lost_contact_on: dt.date | None = Field(description="失联日期")
    suspended_on: dt.date | None = Field(description="停止党籍日期")
    version: int = Field(description="版本号：修改时原样交回，用于发现他人同时修改")


class MembershipEventOut(Schema):
    id: int
    kind: str = Field(description="事项代码")
    kind_label: str = Field(description="事项")
    date: dt.date = Field(description="日期")
    from_org: OrgRef | None = Field(description="转出党组织")
    to_org: OrgRef | None = Field(description="转入党组织")
    letter_number: str = Field(description="介绍信编号/文号")
    out_date: dt.date | None = Field(description="转出日期")
    months: int | None = Field(description="延长月数")
    reason: str = Field(description="原因")
    note: str = Field(description="备注")
    status_after: str = Field(description="事项后的党籍状态代码")
    status_after_label: str = Field(description="事项后的党籍状态")
    org_after: OrgRef | None = Field(description="事项后所在党组织")
    recorded_by: str = Field(description="录入人")


class MemberEventCreated(Schema):
    event: MembershipEventOut
    member: MemberDetail


class PersonalFieldsIn(In):
    name: str | None = Field(None, max_length=50, description="姓名")
    sex: str | None = Field(None, description="性别代码：1 男，2 女（须与公民身份号码一致）")
    ethnicity: str | None = Field(None, description="民族代码（GB/T 3304，汉族 01）")
    birth_date: dt.date | None = Field(None, description="出生日期（须与公民身份号码一致）")
    education: str | None = Field(None, description="学历代码")
    degree: str | None = Field(None, description="学位代码（无则为空）")
    personnel_category: str | None = Field(None, description="人员类别代码")
    party_age_correction: int | None = Field(None, description="党龄校正值（-80 至 80）")
    new_social_stratum: str | None = Field(None, description="新社会阶层类型代码（无则为空）")
    job: str | None = Field(None, max_length=100, description="工作岗位")
    professional_title: str | None = Field(None, max_length=100, description="从事专业技术职务")
    is_migrant_worker: bool | None = Field(None, description="是否农民工")
    registered_residence: str | None = Field(None, max_length=200, description="户籍所在地")
    current_residence: str | None = Field(None, max_length=200, description="现居住地")
    id_number: str | None = Field(None, max_length=30, description="公民身份号码（18位，校验码、出生日期、性别均须正确）")
    phone: str | None = Field(None, max_length=30, description="手机号码（11位）")


class MemberCreateIn(PersonalFieldsIn):
    org: int = Field(description="所在党组织 id（党支部、党总支或基层党委）")
    name: str = Field(max_length=50, description="姓名")  # type: ignore[assignment]
    sex: str = Field(description="性别代码：1 男，2 女")  # type: ignore[assignment]
    birth_date: dt.date = Field(description="出生日期")  # type: ignore[assignment]
    education: str = Field(description="学历代码")  # type: ignore[assignment]
    personnel_category: str = Field(description="人员类别代码")  # type: ignore[assignment]
    id_number: str = Field(max_length=30, description="公民身份号码")  # type: ignore[assignment]
    first_event: Literal["recorded", "admitted", "transfer_in"] = Field(
        "recorded", description="第一条记录：recorded 补录党员信息，admitted 接收为预备党员，transfer_in 从外单位转入"
    )
    date: dt.date = Field(description="该事项的日期")
    status: Literal["full", "probationary"] = Field("full", description="补录或转入时的党籍状态")
    joined_on: dt.date | None = Field(None, description="入党日期（补录、转入时）")
    converted_on: dt.date | None = Field(None, description="转正日期（补录、转入正式党员时）")
    letter_number: str = Field("", max_length=100, description="介绍信编号（转入时）")
    note: str = Field("", max_length=500, description="备注")


class MemberUpdateIn(PersonalFieldsIn):
    version: int = Field(description="读取时的版本号；其间有人保存过则返回 409")


class MemberEventIn(In):
    kind: str = Field(
        description="事项代码：converted 转正，probation_extended 延长预备期，probation_cancelled 取消预备党员资格，"
        "transfer 组织关系转接，transfer_out 转出本县，went_mobile 外出流动，returned 流动返回，lost_contact 失去联系，"
        "contact_restored 恢复联系，suspend 停止党籍，restore 恢复党籍，die 死亡，expel 开除党籍，remove 除名，leave 退党"
    )
    date: dt.date = Field(description="日期（转接为转入/接收日期）")
    to_org: int | None = Field(None, description="转入党组织 id（组织关系转接）")
    from_org: int | None = Field(
        None, description="转出党组织 id（组织关系转接，可选）：您看到的该党员所在党组织；如该党员在转接日期已不在此党组织（已转走），则拒绝办理"
    )
    out_date: dt.date | None = Field(None, description="转出日期（组织关系转接）")
    letter_number: str = Field("", max_length=100, description="介绍信编号/文号")
    months: int | None = Field(None, ge=0, le=120, description="延长预备期的月数（6至12）")
    reason: str = Field("", max_length=32, description="除名原因：self_lapsed 自行脱党，unqualified 不合格党员除名，other 其他")
    note: str = Field("", max_length=500, description="备注")
    version: int | None = Field(None, description="读取时的版本号（可选）；其间有人保存过则返回 409")


class RevealIn(In):
    field: Literal["id_number", "phone"] = Field(description="要查看完整值的字段：id_number 公民身份号码，phone 手机号码")


class RevealOut(Schema):
    field: str
    value: str = Field(description="完整值（本次查看已记入审计日志）")

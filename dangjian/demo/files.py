"""The demo data as import files: the national system's columns, streamed with XlsxWriter.

``members.xlsx`` has the 党员 columns of the national Party member management information system
(``../shared/reference/peer-systems.md`` §3.2) plus 党组织编码, so a row's branch can be matched by
code as well as by full name; coded values are written as their Chinese names (``members.codes``) and
dates as YYYY-MM-DD text, as the national system exports them. ``orgs.xlsx`` has the 党组织 block.
Only the current roster (正式 and 预备党员) goes into ``members.xlsx``. Workbooks are written in
XlsxWriter's constant-memory mode: each row goes to disk as it is written, so a province's roster
takes no more memory than a county's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from dangjian.demo import county as cty
from dangjian.demo.people import MemberPlan
from dangjian.members import codes, rules
from dangjian.orgs.models import OrgCategory, OrgType, UnitSituation

MEMBERS_FILE = "members.xlsx"
ORGS_FILE = "orgs.xlsx"
SHEET_MEMBERS = "党员信息"
SHEET_ORGS = "党组织信息"
MEMBER_COLUMNS = ("姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部",
                  "党组织编码", "手机号码", "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位",
                  "从事专业技术职务", "是否农民工", "现居住地", "户籍所在地", "是否失联党员", "是否流动党员")
# The parent by code only: names repeat (第一党小组 under many branches), codes do not.
ORG_COLUMNS = ("党组织全称", "党组织编码", "上级党组织编码", "党组织简称", "党内统计用党组织简称",
               "组织类型", "组织类别", "成立日期", "撤销日期", "党组织联系人", "联系电话", '是否具有"审批预备党员权限"',
               "功能型党组织", "党组织所在单位情况", "是否为新业态")
ROSTER = frozenset({rules.FULL, rules.PROBATIONARY})

_SEX, _ETHNICITY, _EDUCATION = dict(codes.SEX), dict(codes.ETHNICITY), dict(codes.EDUCATION)
_DEGREE, _CATEGORY, _STRATUM = dict(codes.DEGREE), dict(codes.PERSONNEL_CATEGORY), dict(codes.NEW_SOCIAL_STRATUM)
_DEGREE[""] = ""
_ORG_TYPE, _ORG_CATEGORY, _UNIT_SITUATION = dict(OrgType.choices), dict(OrgCategory.choices), dict(UnitSituation.choices)


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else ""


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def party_standing_years(converted_on: dt.date | None, today: dt.date) -> int | str:
    """党龄: whole years since conversion (a probationary member has none yet)."""
    if converted_on is None:
        return ""
    years = today.year - converted_on.year - ((today.month, today.day) < (converted_on.month, converted_on.day))
    return max(years, 0)


class XlsxSink:
    def __init__(self, directory: Path, today: dt.date) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.today = today
        self.names = [MEMBERS_FILE, ORGS_FILE]
        opts = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        self.members_book = xlsxwriter.Workbook(str(directory / MEMBERS_FILE), opts)
        self.orgs_book = xlsxwriter.Workbook(str(directory / ORGS_FILE), opts)
        self.members_sheet = self.members_book.add_worksheet(SHEET_MEMBERS)
        self.orgs_sheet = self.orgs_book.add_worksheet(SHEET_ORGS)
        self.members_sheet.write_row(0, 0, MEMBER_COLUMNS)
        self.orgs_sheet.write_row(0, 0, ORG_COLUMNS)
        self.member_row = 1
        self.org_row = 1

    def orgs(self, plan: cty.CountyPlan) -> None:
        for o in plan.orgs:
            parent = plan.orgs[o.parent] if o.parent is not None else None
            self.orgs_sheet.write_row(self.org_row, 0, (
                o.name, o.code, parent.code if parent else "", o.short_name,
                o.stats_name, _ORG_TYPE.get(o.org_type, o.org_type), _ORG_CATEGORY.get(o.category, o.category),
                _date(o.established_on), _date(o.dissolved_on), o.contact_name, o.contact_phone,
                _yes(o.can_approve_probationary), "否", _UNIT_SITUATION.get(o.unit_situation, o.unit_situation),
                _yes(o.is_new_business),
            ))
            self.org_row += 1

    def members(self, plan: cty.CountyPlan, chunk: list[MemberPlan]) -> None:
        today = self.today
        sheet = self.members_sheet
        for m in chunk:
            st = m.state
            if st.status not in ROSTER or st.org_id is None:
                continue
            org = plan.orgs[st.org_id]
            sheet.write_row(self.member_row, 0, (
                m.name, _SEX[m.sex], m.id_number, _ETHNICITY.get(m.ethnicity, m.ethnicity), _date(m.birth_date),
                _EDUCATION.get(m.education, m.education), _CATEGORY.get(m.personnel_category, m.personnel_category),
                _DEGREE.get(m.degree, m.degree), org.name, org.code, m.phone, _date(st.admitted_on),
                _date(st.converted_on), party_standing_years(st.converted_on, today), "",
                _STRATUM.get(m.new_social_stratum, m.new_social_stratum), m.job, m.professional_title,
                _yes(m.is_migrant_worker), m.current_residence, m.registered_residence, _yes(st.is_lost_contact),
                _yes(st.is_mobile),
            ))
            self.member_row += 1

    def close(self) -> None:
        self.members_book.close()
        self.orgs_book.close()

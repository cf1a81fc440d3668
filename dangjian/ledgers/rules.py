"""Ledger (台账) rules as pure functions over plain values: the column sets (ours and the national
Party member management information system's), header matching, and reading the values people type
into spreadsheets — dates in every form, coded values by name or code, yes/no, numbers stored as text.

Every message is a module constant (the tests import them) and says how to fix the cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dangjian.members import codes
from dangjian.orgs.models import OrgCategory, OrgType, UnitSituation

# --- messages ------------------------------------------------------------------------------------
REQUIRED = "“{column}”不能为空，请填写。"
DATE_FORMAT = "“{value}”不是有效的日期，请写成 2021-06-30、2021/6/30、2021.6.30、2021年6月30日 或 20210630。"
DATE_RANGE = "日期“{value}”不在合理范围（1900年至今天）内，请核对。"
CODE_UNKNOWN = "“{value}”不是有效的{column}，可填写的值有：{choices}。"
BOOL_FORMAT = "“{value}”不是有效的{column}，请填写“是”或“否”。"
INT_FORMAT = "“{value}”不是整数，请填写整数（如 0、-2）。"
ID_AS_NUMBER = "公民身份号码被Excel存成了数字，后几位已经丢失。请把该列设为“文本”格式后重新填写。"
PHONE_FORMAT = "手机号码“{value}”应为11位数字、以1开头，请核对。"
TEXT_TOO_LONG = "“{column}”最多{max}个字，现在是{length}个字，请精简。"

# --- normalization -----------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")
_HEADER_DROP = re.compile(r"[\s\"'“”‘’*＊:：]")


def nfkc(value: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (（） → (), ０ → 0)."""
    return unicodedata.normalize("NFKC", value)


def normalize_header(value: Any) -> str:
    """A header as matched: full-width folded, without spaces, quotes, stars (required marks) or
    colons, lower-case. ``" 公民身份号码＊"`` and ``"公民身份号码"`` match."""
    if value is None:
        return ""
    text = nfkc(str(value))
    text = _HEADER_DROP.sub("", text)
    # "(必填)" / "(选填)" notes some templates add after the name
    text = re.sub(r"\((必填|选填|可选|必选)\)$", "", text)
    return text.lower()


def clean_text(value: Any) -> str:
    """A text cell: strings trimmed and inner runs of spaces folded; whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _SPACE.sub(" ", str(value).replace("\u3000", " ")).strip()


class CellError(ValueError):
    """A cell whose value cannot be read; ``str()`` is the Chinese message."""


# --- dates ---------------------------------------------------------------------------------------
EXCEL_EPOCH = dt.date(1899, 12, 30)
# A masked export writes the birth date as the year only (the 8 digits a masked ID hides are the date).
_DATE_MASKED = re.compile(r"^\d{4}-\*\*-\*\*$")
DATE_MASKED = ("日期是脱敏的（只有年份），这是一份脱敏导出的文件，无法导入。请导出时勾选“导出完整的公民身份号码和手机号码”，"
               "或填写完整日期。")
_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MIN_DATE = dt.date(1900, 1, 1)


def _serial(n: float) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(n))


def parse_date(value: Any, *, today: dt.date | None = None) -> dt.date | None:
    """A date as people type it, or as Excel stores it: a real date cell, a serial number, an
    8-digit number, or text in the forms of DATE_FORMAT. Empty is None."""
    today = today or timezone.localdate()
    if value is None or value == "":
        return None
    result: dt.date | None = None
    if isinstance(value, str) and _DATE_MASKED.match(value.strip()):
        raise CellError(DATE_MASKED)
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, bool):
        raise CellError(DATE_FORMAT.format(value=value))
    elif isinstance(value, int | float):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            m = _DATE_COMPACT.match(str(int(value)))
            result = _ymd(m.group(1), m.group(2), m.group(3), value) if m else None
        elif 1 <= value < 2958466:
            result = _serial(value)
    else:
        text = nfkc(str(value)).strip()
        if not text:
            return None
        m = _DATE_YMD.match(text) or _DATE_COMPACT.match(text)
        if m:
            result = _ymd(m.group(1), m.group(2), m.group(3), value)
    if result is None:
        raise CellError(DATE_FORMAT.format(value=clean_text(value)))
    if not MIN_DATE <= result <= today:
        raise CellError(DATE_RANGE.format(value=result.isoformat()))
    return result


def _ymd(y: str, m: str, d: str, raw: Any) -> dt.date:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        raise CellError(DATE_FORMAT.format(value=clean_text(raw))) from None


def format_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# --- coded values ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeList:
    """A coded column: (code, name) pairs, matched by either, plus extra spellings people use."""

    choices: tuple[tuple[str, str], ...]
    aliases: tuple[tuple[str, str], ...] = ()
    numeric_codes: bool = False  # "1" typed for "01" (Excel drops leading zeros)
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for code, name in self.choices:
            table[_code_key(name)] = code
        for spelling, code in self.aliases:
            table[_code_key(spelling)] = code
        for code, _name in self.choices:
            if code:
                table[_code_key(code)] = code
        object.__setattr__(self, "lookup", table)

    @property
    def names(self) -> list[str]:
        return [n for _c, n in self.choices]

    def name_of(self, code: str) -> str:
        return dict(self.choices).get(code, code)

    def parse(self, value: Any, column: str) -> str | None:
        """The code for ``value`` (a name or a code); None when empty; CellError if unknown."""
        text = clean_text(value)
        if not text:
            return None
        key = _code_key(text)
        code = self.lookup.get(key)
        if code is None and self.numeric_codes and key.isdigit():
            code = self.lookup.get(key.zfill(2))
        if code is None:
            shown = "、".join(n for n in self.names if n)
            raise CellError(CODE_UNKNOWN.format(value=text, column=column, choices=shown))
        return code


def _code_key(value: str) -> str:
    return _HEADER_DROP.sub("", nfkc(value)).lower()


CIRCLED = "①②③④⑤⑥⑦⑧⑨"
SEX = CodeList(tuple(codes.SEX), aliases=(("男性", "1"), ("女性", "2")))
ETHNICITY = CodeList(tuple(codes.ETHNICITY), numeric_codes=True,
                     aliases=tuple((n.removesuffix("族"), c) for c, n in codes.ETHNICITY if n.endswith("族") and len(n) >= 2))
EDUCATION = CodeList(tuple(codes.EDUCATION), aliases=(
    ("博士研究生", "doctorate"), ("博士", "doctorate"), ("硕士研究生", "master"), ("研究生", "master"), ("硕士", "master"),
    ("本科", "bachelor"), ("大学", "bachelor"), ("大专", "college"), ("专科", "college"), ("中专", "secondary_vocational"),
    ("中等专业学校", "secondary_vocational"), ("高中", "high_school"), ("中技", "high_school"), ("职高", "high_school"),
    ("初中", "junior_high"), ("小学", "junior_high"), ("初中以下", "junior_high"),
))  # fmt: skip
DEGREE = CodeList(tuple(codes.DEGREE), aliases=(("博士学位", "doctor"), ("硕士学位", "master"), ("学士学位", "bachelor")))
PERSONNEL_CATEGORY = CodeList(tuple(codes.PERSONNEL_CATEGORY), aliases=(
    ("工人", "worker"), ("农牧渔民", "farmer"), ("农民", "farmer"), ("专业技术人员", "professional"),
    ("管理人员", "manager"), ("党政机关工作人员", "official"), ("学生", "student"), ("离退休人员", "retired"),
    ("离退休", "retired"), ("其他职业人员", "other"), ("其他", "other"),
))  # fmt: skip
NEW_SOCIAL_STRATUM = CodeList(tuple(codes.NEW_SOCIAL_STRATUM), aliases=(("否", ""), ("不是", "")))
ORG_TYPE = CodeList(tuple(OrgType.choices), aliases=(
    ("县委", "county_committee"), ("区委", "county_committee"), ("乡镇党委", "township_committee"),
    ("街道党工委", "township_committee"), ("党委", "primary_committee"), ("党工委", "working_committee"),
    ("工委", "working_committee"), ("总支", "general_branch"), ("党总支部", "general_branch"),
    ("支部", "branch"), ("党支部", "branch"),
))  # fmt: skip
ORG_CATEGORY = CodeList(tuple(OrgCategory.choices), aliases=tuple(
    [(CIRCLED[i], c) for i, (c, _n) in enumerate(OrgCategory.choices)]
    + [(str(i + 1), c) for i, (c, _n) in enumerate(OrgCategory.choices)]
    + [("机关", "agency"), ("事业单位", "institution"), ("社区", "community"), ("街道", "community")]
))
UNIT_SITUATION = CodeList(tuple(UnitSituation.choices), aliases=(("与上级相同", "same_as_parent"), ("与上级党组织一致", "same_as_parent")))
MEMBER_KIND = CodeList((("full", "正式党员"), ("probationary", "预备党员")), aliases=(("正式", "full"), ("预备", "probationary")))

_TRUE = {"是", "y", "yes", "true", "1", "√", "有", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "不是", ""}


def parse_bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _code_key(clean_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(BOOL_FORMAT.format(value=clean_text(value), column=column))


def parse_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(INT_FORMAT.format(value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(INT_FORMAT.format(value=value))
    text = nfkc(str(value)).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise CellError(INT_FORMAT.format(value=text)) from None


def parse_id_number(value: Any) -> str:
    """The ID number as text. A number cell has lost its last digits (15 significant digits)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 10**15:
        raise CellError(ID_AS_NUMBER)
    text = nfkc(clean_text(value)).replace(" ", "").replace("'", "")
    return text.upper()


def parse_phone(value: Any) -> str:
    text = re.sub(r"[\s\-()]", "", nfkc(clean_text(value)).replace("+86", ""))
    if text and not (len(text) == 11 and text.isdigit() and text[0] == "1"):
        raise CellError(PHONE_FORMAT.format(value=clean_text(value)))
    return text


# --- column sets ---------------------------------------------------------------------------------
TEXT, DATE, CODE, BOOL, INT, ID, PHONE, ORG, COMPUTED = "text", "date", "code", "bool", "int", "id", "phone", "org", "computed"


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: ``key`` names what it holds (the same key in every column set),
    ``header`` its Chinese title in this set, ``aliases`` other titles that mean the same."""

    key: str
    header: str
    kind: str = TEXT
    codes: CodeList | None = None
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int = 0
    note: str = ""
    imported: bool = True  # computed columns (党龄) are exported and ignored on import


def _col(key: str, header: str, kind: str = TEXT, **kw: Any) -> Column:
    return Column(key=key, header=header, kind=kind, **kw)


@dataclass(frozen=True)
class ColumnSet:
    key: str
    label: str
    entity: str  # "members" or "orgs"
    columns: tuple[Column, ...]

    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}


_M = {
    "name": _col("name", "姓名", required=True, max_length=50),
    "sex": _col("sex", "性别", CODE, codes=SEX, required=True),
    "id_number": _col("id_number", "公民身份号码", ID, required=True, aliases=("身份证号码", "身份证号", "公民身份证号码", "身份证")),
    "ethnicity": _col("ethnicity", "民族", CODE, codes=ETHNICITY, required=True),
    "birth_date": _col("birth_date", "出生日期", DATE, required=True),
    "education": _col("education", "学历", CODE, codes=EDUCATION, required=True),
    "personnel_category": _col("personnel_category", "人员类别", CODE, codes=PERSONNEL_CATEGORY, required=True),
    "degree": _col("degree", "学位", CODE, codes=DEGREE),
    "org_name": _col("org_name", "所在党支部", ORG, aliases=("组织关系所在党支部", "所在党组织", "党组织名称", "隶属党组织")),
    "org_code": _col("org_code", "所在党组织编码", TEXT, aliases=("党组织编码", "所在党支部编码")),
    "phone": _col("phone", "手机号码", PHONE, aliases=("手机号", "联系电话", "手机")),
    "joined_on": _col("joined_on", "入党日期", DATE, required=True, aliases=("加入党组织日期",)),
    "converted_on": _col("converted_on", "转正日期", DATE, aliases=("转为正式党员日期",)),
    "member_kind": _col("member_kind", "党员类型", CODE, codes=MEMBER_KIND, aliases=("党籍状态",),
                        note="正式党员或预备党员；不填时有转正日期的是正式党员，没有的是预备党员"),
    "party_age": _col("party_age", "党龄", COMPUTED, imported=False),
    "party_age_correction": _col("party_age_correction", "党龄校正值", INT),
    "new_social_stratum": _col("new_social_stratum", "新社会阶层类型", CODE, codes=NEW_SOCIAL_STRATUM),
    "job": _col("job", "工作岗位", max_length=100),
    "professional_title": _col("professional_title", "从事专业技术职务", max_length=100),
    "is_migrant_worker": _col("is_migrant_worker", "是否农民工", BOOL),
    "current_residence": _col("current_residence", "现居住地", max_length=200),
    "registered_residence": _col("registered_residence", "户籍所在地", max_length=200),
    "is_lost_contact": _col("is_lost_contact", "是否失联党员", BOOL),
    "is_mobile": _col("is_mobile", "是否流动党员", BOOL),
}


def _ignored(key: str, header: str) -> Column:
    return _col(key, header, COMPUTED, imported=False)


MEMBERS_NATIONAL = ColumnSet("members_national", "全国党员管理信息系统（党员信息）", "members", (
    _M["name"], _M["sex"], _M["id_number"], _M["ethnicity"], _M["birth_date"], _M["education"],
    _M["personnel_category"], _M["degree"], _M["org_name"], _M["phone"], _M["joined_on"], _M["converted_on"],
    _M["party_age"], _M["party_age_correction"], _M["new_social_stratum"], _M["job"], _M["professional_title"],
    _M["is_migrant_worker"], _M["current_residence"], _M["registered_residence"], _M["is_lost_contact"],
    _M["is_mobile"], _ignored("join_type", "入党类型"), _ignored("conversion", "转正情况"),
    _ignored("joined_branch", "入党时所在支部"), _ignored("extension", "延长预备期时间"),
    _ignored("industry", "党员所属行业"), _ignored("job_extra", "工作岗位补充"),
))  # fmt: skip

MEMBERS_DANGJIAN = ColumnSet("members_dangjian", "党建工作平台党员花名册", "members", (
    _M["name"], _M["sex"], _M["id_number"], _M["ethnicity"], _M["birth_date"], _M["education"], _M["degree"],
    _M["personnel_category"], _M["org_code"], _col("org_name", "所在党组织", ORG, aliases=_M["org_name"].aliases + ("所在党支部",)),
    _M["member_kind"], _M["joined_on"], _M["converted_on"], _M["party_age"], _M["party_age_correction"], _M["phone"],
    _M["new_social_stratum"], _M["job"], _M["professional_title"], _M["is_migrant_worker"],
    _M["registered_residence"], _M["current_residence"], _M["is_mobile"], _M["is_lost_contact"],
))  # fmt: skip

ORGS = ColumnSet("orgs", "党组织信息（全国党员管理信息系统列）", "orgs", (
    _col("name", "党组织全称", required=True, max_length=200, aliases=("党组织名称", "全称")),
    _col("short_name", "党组织简称", max_length=100, aliases=("简称",)),
    _col("stats_name", "党内统计用党组织简称", max_length=100),
    _col("code", "党组织编码", required=True, max_length=32),
    _col("parent", "上级党组织", ORG, aliases=("上级党组织编码", "上级党组织全称", "上一级党组织", "批准成立的上级党组织"),
         note="填写上级党组织的编码或全称"),
    _col("category", "组织类别", CODE, codes=ORG_CATEGORY, required=True),
    _col("org_type", "组织类型", CODE, codes=ORG_TYPE, required=True),
    _col("unit_situation", "党组织所在单位情况", CODE, codes=UNIT_SITUATION),
    _col("established_on", "成立日期", DATE, required=True),
    _col("secretary_name", "党组织书记", max_length=50, aliases=("书记",)),
    _col("contact_name", "联系人", max_length=50, aliases=("党组织联系人",)),
    _col("contact_phone", "联系电话", max_length=30, aliases=("电话",)),
    _col("can_approve_probationary", "是否具有审批预备党员权限", BOOL),
    _col("is_functional", "功能型党组织", BOOL, aliases=("是否功能型党组织",)),
    _col("is_new_business", "是否为新业态", BOOL),
))  # fmt: skip

COLUMN_SETS = {s.key: s for s in (MEMBERS_NATIONAL, MEMBERS_DANGJIAN, ORGS)}
MAX_COLUMNS = 200  # a real ledger has a few dozen; a row wider than this is junk or a pasted dump


@dataclass
class HeaderMatch:
    """Which column of the sheet holds which field."""

    positions: dict[str, int]  # column key -> 0-based index in the row
    columns: dict[str, Column]
    missing: list[str]  # headers of required columns that are absent
    duplicates: list[str]
    unknown: list[str]

    @property
    def score(self) -> int:
        return len(self.positions)


def match_headers(row: Sequence[Any], column_set: ColumnSet) -> HeaderMatch:
    """Match a header row to ``column_set`` regardless of order, spaces and full-width characters.
    Members' organization may be named by 所在党组织编码 or by name; either satisfies "required"."""
    names: dict[str, Column] = {}
    for col in column_set.columns:
        for title in (col.header, *col.aliases):
            names.setdefault(normalize_header(title), col)
    # Columns of the other member set count too, so a file in either set reads in either mode.
    if column_set.entity == "members":
        for other in (MEMBERS_NATIONAL, MEMBERS_DANGJIAN):
            for col in other.columns:
                for title in (col.header, *col.aliases):
                    names.setdefault(normalize_header(title), col)
    positions: dict[str, int] = {}
    columns: dict[str, Column] = {}
    duplicates: list[str] = []
    unknown: list[str] = []
    for i, cell in enumerate(row):
        key = normalize_header(cell)
        if not key:
            continue
        found = names.get(key)
        if found is None:
            unknown.append(clean_text(cell))
            continue
        if found.key in positions:
            duplicates.append(clean_text(cell))
            continue
        positions[found.key] = i
        columns[found.key] = found
    missing = [c.header for c in column_set.columns if c.required and c.key not in positions]
    if column_set.entity == "members" and "org_name" not in positions and "org_code" not in positions:
        missing.append("所在党支部（或所在党组织编码）")
    return HeaderMatch(positions, columns, missing, duplicates, unknown)


def best_header(rows: Iterable[Sequence[Any]], column_set: ColumnSet, *, look: int = 5) -> tuple[int, HeaderMatch] | None:
    """The header row among the first ``look`` rows (national exports put a title row above it):
    the row matching most columns, if it matches at least three."""
    best: tuple[int, HeaderMatch] | None = None
    for i, row in enumerate(rows):
        if i >= look:
            break
        m = match_headers(row, column_set)
        if m.score >= 3 and (best is None or m.score > best[1].score):
            best = (i, m)
    return best


def read_cell(col: Column, value: Any, *, today: dt.date) -> Any:
    """The typed value of one cell, or CellError with the Chinese message."""
    if col.kind == DATE:
        d = parse_date(value, today=today)
        if d is None and col.required:
            raise CellError(REQUIRED.format(column=col.header))
        return d
    if col.kind == CODE:
        assert col.codes is not None
        code = col.codes.parse(value, col.header)
        if code is None and col.required:
            raise CellError(REQUIRED.format(column=col.header))
        return code
    if col.kind == BOOL:
        return parse_bool(value, col.header)
    if col.kind == INT:
        return parse_int(value)
    if col.kind == ID:
        text = parse_id_number(value)
        if not text:
            raise CellError(REQUIRED.format(column=col.header))
        return text
    if col.kind == PHONE:
        return parse_phone(value)
    text = clean_text(value)
    if col.kind in (TEXT, ORG):
        text = text.replace("\u3000", " ")
    if not text and col.required:
        raise CellError(REQUIRED.format(column=col.header))
    if col.max_length and len(text) > col.max_length:
        raise CellError(TEXT_TOO_LONG.format(column=col.header, max=col.max_length, length=len(text)))
    return text


def org_key(value: str) -> str:
    """An organization's name or code as matched: full-width folded, without spaces."""
    return _SPACE.sub("", nfkc(value))

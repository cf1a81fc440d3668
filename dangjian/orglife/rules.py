"""Rules of organizational life (组织生活) as pure functions over plain values, no ORM.

Sources (see ../shared/reference/domain-rules.md):
- §3.2 三会一课 frequencies: 支部党员大会 quarterly (《支部工作条例》第11条), 支委会 and 党小组会 monthly,
  主题党日 monthly, 组织生活会 yearly (条例第17条), 民主评议党员 yearly, 谈心谈话 yearly; 党课 frequency
  UNCONFIRMED → a setting (``orglife.party_lecture_period_months``).
- §3.10 民主评议党员等次: 优秀 / 合格 / 基本合格 / 不合格.
- §5 R5.1 学时: 32 class hours a year for members, 56 for grassroots secretaries and committee members
  (settings); the local crediting example (1 day = 8 hours, half a day = 4, study meeting 1 per hour)
  is the default crediting rule, every number a setting.
- §5 R5.4 流动党员: "一方隶属、参加多重组织生活" — a mobile member takes part where they are, and that
  attendance counts for them.
- §2 R2.14 自行脱党: six consecutive months without organizational life and without proper reason;
  ``gap_months`` counts those months.

Callers read the configurable numbers from ``dangjian.orglife.params`` and pass them in, so every
function here can be tested with plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- 会议类型 (meeting kinds) -------------------------------------------------------------------------
GENERAL_MEETING = "general_meeting"  # 支部党员大会
COMMITTEE_MEETING = "committee_meeting"  # 支委会
GROUP_MEETING = "group_meeting"  # 党小组会
PARTY_LECTURE = "party_lecture"  # 党课
THEME_DAY = "theme_day"  # 主题党日
REVIEW_MEETING = "review_meeting"  # 组织生活会
APPRAISAL = "appraisal"  # 民主评议党员
HEART_TALK = "heart_talk"  # 谈心谈话

KIND_LABELS = {
    GENERAL_MEETING: "支部党员大会",
    COMMITTEE_MEETING: "支委会",
    GROUP_MEETING: "党小组会",
    PARTY_LECTURE: "党课",
    THEME_DAY: "主题党日",
    REVIEW_MEETING: "组织生活会",
    APPRAISAL: "民主评议党员",
    HEART_TALK: "谈心谈话",
}
KINDS = tuple(KIND_LABELS)
# Where each frequency comes from (shown next to the calendar and in work items).
KIND_ARTICLES = {
    GENERAL_MEETING: "《支部工作条例》第11条；§3.2",
    COMMITTEE_MEETING: "§3.2",
    GROUP_MEETING: "§3.2",
    PARTY_LECTURE: "§3.2（频次待核实，按参数设置）",
    THEME_DAY: "§3.2",
    REVIEW_MEETING: "《支部工作条例》第17条；§3.2",
    APPRAISAL: "§3.2、§3.10",
    HEART_TALK: "§3.2",
}

# --- 三会一课频次 (§3.2): the length of one period in months ---------------------------------------------
MONTHLY = 1
QUARTERLY = 3
HALF_YEARLY = 6
YEARLY = 12
PERIOD_CHOICES = (1, 2, 3, 4, 6, 12)  # the period lengths that tile a calendar year
FIXED_PERIOD_MONTHS = {
    GENERAL_MEETING: QUARTERLY,  # 支部党员大会：一般每季度召开1次
    COMMITTEE_MEETING: MONTHLY,  # 支委会：一般每月召开1次
    GROUP_MEETING: MONTHLY,  # 党小组会：一般每月召开1次
    THEME_DAY: MONTHLY,  # 主题党日：每月相对固定1天
    REVIEW_MEETING: YEARLY,  # 组织生活会：一般每年召开1次
    APPRAISAL: YEARLY,  # 民主评议党员：一般每年开展1次
    HEART_TALK: YEARLY,  # 谈心谈话：每年至少1次
}


def normalized_period_months(months: int) -> int:
    """党课频次参数: a period must tile the year (1, 2, 3, 4, 6 or 12 months). Any other value is read
    as the largest allowed period not longer than it (5 → 4, 7–11 → 6) — a setting is never a block."""
    months = max(1, min(int(months), 12))
    return max(p for p in PERIOD_CHOICES if p <= months)


def required_period_months(kind: str, *, lecture_period_months: int) -> int:
    """三会一课频次 (§3.2): how many months one period of ``kind`` lasts; one meeting per period."""
    if kind == PARTY_LECTURE:
        return normalized_period_months(lecture_period_months)
    return FIXED_PERIOD_MONTHS[kind]


FREQUENCY_LABELS = {1: "每月", 2: "每两个月", 3: "每季度", 4: "每四个月", 6: "每半年", 12: "每年"}


def frequency_label(period_months: int) -> str:
    return FREQUENCY_LABELS.get(period_months, f"每{period_months}个月")


# --- periods ------------------------------------------------------------------------------------------
QUARTER_LABELS = ("第一季度", "第二季度", "第三季度", "第四季度")


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_label(year: int, start_month: int, period_months: int) -> str:
    if period_months == 12:
        return f"{year}年全年"
    if period_months == 6:
        return "上半年" if start_month == 1 else "下半年"
    if period_months == 3:
        return QUARTER_LABELS[(start_month - 1) // 3]
    if period_months == 1:
        return f"{start_month}月"
    return f"{start_month}–{start_month + period_months - 1}月"


def periods_of_year(year: int, period_months: int) -> list[tuple[int, dt.date, dt.date]]:
    """(first month, first day, last day) of each period of ``year``. Periods never cross a year."""
    return [
        (m, dt.date(year, m, 1), month_end(year, m + period_months - 1)) for m in range(1, 13, period_months)
    ]


def period_of(d: dt.date, period_months: int) -> tuple[dt.date, dt.date]:
    """The period of length ``period_months`` that contains ``d``."""
    first = (d.month - 1) // period_months * period_months + 1
    return dt.date(d.year, first, 1), month_end(d.year, first + period_months - 1)


# --- 完成情况 (done / due / missed) ----------------------------------------------------------------------
DONE = "done"
DUE = "due"
MISSED = "missed"
NOT_APPLICABLE = "na"
STATUS_LABELS = {DONE: "已开展", DUE: "待开展", MISSED: "未开展", NOT_APPLICABLE: "不适用"}


@dataclass(frozen=True)
class BranchFacts:
    """What the calendar needs to know about a branch. ``party_groups``: its active 党小组; a
    committee meeting is required only where a committee is set up (R3.5: 7 or more full members)."""

    established_on: dt.date
    dissolved_on: dt.date | None = None
    has_committee: bool = True
    party_groups: int = 0
    records_start: dt.date | None = None  # months before the platform's records began are not judged


def required_per_period(kind: str, facts: BranchFacts) -> int:
    """How many meetings of ``kind`` one period needs: 0 where the kind does not apply to the branch.
    党小组会: one per active party group (each group meets monthly)."""
    if kind == COMMITTEE_MEETING:
        return 1 if facts.has_committee else 0
    if kind == GROUP_MEETING:
        return facts.party_groups
    return 1


def period_status(*, held: int, required: int, start: dt.date, end: dt.date, today: dt.date,
                  facts: BranchFacts) -> str:
    """One cell of the compliance calendar.

    - not required (``required`` 0), or the branch did not exist / records had not begun during the
      whole period → 不适用;
    - held at least ``required`` → 已开展 (also in a period the branch existed for only in part);
    - a partial period (established, dissolved or records begun within it) not held → 不适用;
    - the period not over yet (today on or before its last day, including later periods) → 待开展;
    - otherwise → 未开展.
    """
    if required <= 0:
        return NOT_APPLICABLE
    begins = max(facts.established_on, facts.records_start or facts.established_on)
    if begins > end or (facts.dissolved_on is not None and facts.dissolved_on < start):
        return NOT_APPLICABLE
    if held >= required:
        return DONE
    partial = begins > start or (facts.dissolved_on is not None and facts.dissolved_on < end)
    if partial:
        return NOT_APPLICABLE
    if today <= end:
        return DUE
    return MISSED


@dataclass(frozen=True)
class Cell:
    kind: str
    start: dt.date
    end: dt.date
    label: str
    months: int
    held: int
    required: int
    status: str
    today: dt.date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_future(self) -> bool:
        return self.start > self.today

    @property
    def is_current(self) -> bool:
        return self.start <= self.today <= self.end


@dataclass(frozen=True)
class Tally:
    done: int = 0
    due: int = 0
    missed: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.done + other.done, self.due + other.due, self.missed + other.missed)

    @property
    def judged(self) -> int:
        return self.done + self.missed


def tally(cells: Iterable[Cell]) -> Tally:
    done = due = missed = 0
    for c in cells:
        done += c.status == DONE
        due += c.status == DUE
        missed += c.status == MISSED
    return Tally(done, due, missed)


def compliance_calendar(*, year: int, today: dt.date, facts: BranchFacts, counts: Mapping[tuple[str, int], int],
                        lecture_period_months: int) -> dict[str, list[Cell]]:
    """组织生活完成情况日历: for each kind, each period of ``year`` with its status.

    ``counts`` maps (kind, month) to the meetings of that kind held in that month of ``year`` (for
    党小组会: the number of distinct groups that met). A meeting on 31 March counts for the first
    quarter and one on 1 April for the second; periods never cross a year.
    """
    out: dict[str, list[Cell]] = {}
    for kind in KINDS:
        months = required_period_months(kind, lecture_period_months=lecture_period_months)
        required = required_per_period(kind, facts)
        cells = []
        for first, start, end in periods_of_year(year, months):
            held = sum(counts.get((kind, m), 0) for m in range(first, first + months))
            status = period_status(held=held, required=required, start=start, end=end, today=today, facts=facts)
            cells.append(Cell(kind, start, end, period_label(year, first, months), months, held, required, status, today))
        out[kind] = cells
    return out


# --- 合规率与红黄绿 (compliance rate and bands) ------------------------------------------------------------
GREEN = "green"
AMBER = "amber"
RED = "red"
NO_BAND = "none"
BAND_LABELS = {GREEN: "绿", AMBER: "黄", RED: "红", NO_BAND: "—"}
BAND_CSS = {GREEN: "success", AMBER: "warning", RED: "danger", NO_BAND: "secondary"}


def compliance_rate(done: int, missed: int) -> Decimal | None:
    """组织生活合规率 (%): periods done out of periods judged (done + missed), to one decimal,
    half up. Periods still due are not judged yet. None when nothing can be judged."""
    judged = done + missed
    if judged == 0:
        return None
    return (Decimal(done) * 100 / Decimal(judged)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def compliance_band(done: int, missed: int, *, green_min: float, amber_min: float) -> str:
    """红黄绿: green at or above ``green_min`` %, amber at or above ``amber_min`` %, red below;
    compared on the exact fraction, not the rounded rate."""
    judged = done + missed
    if judged == 0:
        return NO_BAND
    if Decimal(done) * 100 >= Decimal(str(green_min)) * judged:
        return GREEN
    if Decimal(done) * 100 >= Decimal(str(amber_min)) * judged:
        return AMBER
    return RED


def competition_ranks(values: list[Decimal | None]) -> list[int | None]:
    """Ranks for values sorted best first (1, 1, 3...); None stays unranked."""
    ranks: list[int | None] = []
    for i, v in enumerate(values):
        if v is None:
            ranks.append(None)
        elif i > 0 and values[i - 1] == v:
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks


# --- 出席情况 (attendance) ---------------------------------------------------------------------------
PRESENT = "present"
LEAVE = "leave"
ILLNESS = "illness"
MOBILE_AWAY = "mobile_away"
ABSENT = "absent"
ATTENDANCE_LABELS = {
    PRESENT: "出席",
    LEAVE: "请假（已批准）",
    ILLNESS: "病假",
    MOBILE_AWAY: "外出流动",
    ABSENT: "无故缺席",
}
# 参加组织生活: only being there counts as taking part.
TOOK_PART = frozenset({PRESENT})
# 有理由缺席: the reasons the record distinguishes from absence without reason.
ABSENT_WITH_REASON = frozenset({LEAVE, ILLNESS, MOBILE_AWAY})


def approved_reasons(*, mobile_away_excused: bool) -> frozenset[str]:
    """正当理由 for the six-month rule (R2.14): approved leave and illness. 外出流动 is a reason for
    missing the home branch's meeting, but a mobile member is expected to take part where they are
    (R5.4), so by default it does not excuse the month; ``orglife.mobile_away_excused`` turns it on."""
    reasons = {LEAVE, ILLNESS}
    if mobile_away_excused:
        reasons.add(MOBILE_AWAY)
    return frozenset(reasons)


# --- 民主评议党员等次 (§3.10) -------------------------------------------------------------------------
EXCELLENT = "excellent"
QUALIFIED = "qualified"
BASICALLY_QUALIFIED = "basically_qualified"
UNQUALIFIED = "unqualified"
GRADE_LABELS = {EXCELLENT: "优秀", QUALIFIED: "合格", BASICALLY_QUALIFIED: "基本合格", UNQUALIFIED: "不合格"}


def grade_code(value: str) -> str | None:
    """A grade given as its code or its Chinese name; None if it is not one of the four."""
    value = (value or "").strip()
    if value in GRADE_LABELS:
        return value
    by_label = {v: k for k, v in GRADE_LABELS.items()}
    return by_label.get(value)


# --- 学时 (R5.1) --------------------------------------------------------------------------------------
HOUR = Decimal("0.1")


def _hours(x: Decimal | float | int) -> Decimal:
    return Decimal(str(x)).quantize(HOUR, rounding=ROUND_HALF_UP)


def training_class_hours(*, days: Decimal | int = 0, half_days: Decimal | int = 0, hours: Decimal | int = 0,
                         hours_per_day: float, hours_per_half_day: float, per_study_hour: float) -> Decimal:
    """学时计算（培训）: whole days × hours per day (8), half days × hours per half day (4), and hours of
    study × class hours per hour (1) — the local crediting example of R5.1, every number a setting."""
    total = (Decimal(days) * Decimal(str(hours_per_day)) + Decimal(half_days) * Decimal(str(hours_per_half_day))
             + Decimal(hours) * Decimal(str(per_study_hour)))  # fmt: skip
    return _hours(total)


def meeting_class_hours(*, counts_as_study: bool, duration_hours: Decimal | None, recorded_hours: Decimal | None,
                        per_study_hour: float, use_recorded: bool) -> Decimal:
    """学时计算（计入学习的会议）: a meeting that counts as study credits each member present with
    the class hours recorded on it (when the county allows recorded hours), else its duration × class
    hours per hour (1). A meeting that is not study credits nothing."""
    if not counts_as_study:
        return Decimal("0.0")
    if use_recorded and recorded_hours is not None:
        return _hours(recorded_hours)
    return _hours(Decimal(duration_hours or 0) * Decimal(str(per_study_hour)))


def yearly_class_hour_target(*, is_committee: bool, member_target: float, committee_target: float) -> Decimal:
    """年度学时要求 (R5.1): 32 for every member; 56 for grassroots secretaries and committee members
    — anyone who held a committee post on any day of the year."""
    return _hours(committee_target if is_committee else member_target)


def class_hours_shortfall(total: Decimal, target: Decimal) -> Decimal:
    return max(target - total, Decimal("0.0"))


POST_SECRETARY = "secretary"
POST_DEPUTY = "deputy_secretary"
POST_ORGANIZATION = "organization"
POST_PUBLICITY = "publicity"
POST_DISCIPLINE = "discipline"
POST_MEMBER = "member"
POST_LABELS = {
    POST_SECRETARY: "书记",
    POST_DEPUTY: "副书记",
    POST_ORGANIZATION: "组织委员",
    POST_PUBLICITY: "宣传委员",
    POST_DISCIPLINE: "纪检委员",
    POST_MEMBER: "委员",
}


def post_held_in_year(started_on: dt.date, ended_on: dt.date | None, year: int) -> bool:
    """A committee post counts for a year's 56-hour target if held on any day of that year."""
    return started_on <= dt.date(year, 12, 31) and (ended_on is None or ended_on >= dt.date(year, 1, 1))


# --- 连续未参加组织生活月数 (R2.14) ---------------------------------------------------------------------


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def index_month(i: int) -> tuple[int, int]:
    return i // 12, i % 12 + 1


def gap_months(*, today: dt.date, counting_from: dt.date, last_took_part: dt.date | None,
               excused: Iterable[int] = ()) -> int:
    """连续未参加组织生活月数: whole calendar months, counted back from the month before today's,
    without taking part in organizational life.

    - A month in which the member took part ends the run; taking part this month gives 0.
    - The current month is not counted until it is over: there is still time to take part.
    - Months before ``counting_from`` (the month they joined, or the platform's records began) are
      not counted.
    - ``excused`` (month indexes, see ``month_index``): months in which the member missed meetings
      only for an approved reason. They are not counted, and they do not end the run either: the
      months without reason on both sides still add up (R2.14 counts months "without proper reason").
    """
    current = month_index(today)
    if last_took_part is not None and month_index(last_took_part) >= current:
        return 0
    first = month_index(counting_from)
    if last_took_part is not None:
        first = max(first, month_index(last_took_part) + 1)
    last = current - 1
    if first > last:
        return 0
    skipped = {i for i in excused if first <= i <= last}
    return last - first + 1 - len(skipped)


# --- 照片和附件 (uploads) ------------------------------------------------------------------------------
PHOTO = "photo"
ATTACHMENT = "attachment"
FILE_PURPOSE_LABELS = {PHOTO: "照片", ATTACHMENT: "附件"}
IMAGE_TYPES = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp"}
DOCUMENT_TYPES = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}
ALLOWED_TYPES = {PHOTO: IMAGE_TYPES, ATTACHMENT: {**IMAGE_TYPES, **DOCUMENT_TYPES}}

FILE_TYPE_NOT_ALLOWED = "“{name}”的文件类型不允许：{purpose}只能是{allowed}。"
FILE_CONTENT_MISMATCH = "“{name}”的内容与扩展名不符（不是有效的{ext}文件）。"
FILE_TOO_LARGE = "“{name}”超过{limit}MB的大小限制。"
FILE_EMPTY = "“{name}”是空文件。"


def sniff_type(head: bytes, zip_names: Iterable[str] | None = None) -> str | None:
    """The real type of a file from its first bytes (and, for Office files, the zip's members)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        names = set(zip_names or ())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_upload(*, name: str, size: int, head: bytes, zip_names: Iterable[str] | None, purpose: str,
                 max_mb: float) -> str | None:
    """照片、附件的类型和大小: photos are images (jpg/png/gif/webp), attachments images or pdf/docx/xlsx;
    the extension must be allowed and the content must really be that type; at most ``max_mb`` MB.
    Returns the Chinese message, or None when the file is acceptable."""
    allowed = ALLOWED_TYPES[purpose]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        return FILE_TYPE_NOT_ALLOWED.format(
            name=name, purpose=FILE_PURPOSE_LABELS[purpose], allowed="、".join(sorted(set(allowed)))
        )
    if size <= 0:
        return FILE_EMPTY.format(name=name)
    if size > max_mb * 1024 * 1024:
        return FILE_TOO_LARGE.format(name=name, limit=max_mb)
    if sniff_type(head, zip_names) != allowed[ext]:
        return FILE_CONTENT_MISMATCH.format(name=name, ext=ext)
    return None

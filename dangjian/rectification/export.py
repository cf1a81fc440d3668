"""The .xlsx of the counts per township (XlsxWriter, constant memory, through recruitment's Sheet)."""

from __future__ import annotations

from dangjian.recruitment.sheets import Sheet
from dangjian.rectification import rules
from dangjian.rectification.selectors import CountRow, Counts

HEADERS = ["序号", "党组织", "候选", "识别（确认）", "整顿中", "已验收", "验收未通过（继续整顿）", "已排除",
           "村：确认/总数", "村：比例（%）", "社区：确认/总数", "社区：比例（%）", "其他：确认/总数", "其他：比例（%）"]  # fmt: skip
WIDTHS = [6, 34, 8, 12, 10, 10, 20, 10, 14, 12, 14, 12, 14, 12]


def _cells(r: CountRow) -> list[object]:
    out: list[object] = [r.candidates, r.identified, r.rectifying, r.accepted, r.not_passed, r.dismissed]
    for k in rules.KIND_LABELS:
        n, total = r.identified_kind.get(k, 0), r.judged.get(k, 0)
        pct = rules.share_percent_used(n, total)
        out += [f"{n}/{total}", float(pct) if pct is not None else None]
    return out


def counts_xlsx(c: Counts) -> bytes:
    sheet = Sheet(f"{c.org.name}{c.year}年整顿软弱涣散基层党组织情况（倒排比例参考{c.share_percent:g}%）",
                  f"{c.year}年软弱涣散整顿", HEADERS, WIDTHS)  # fmt: skip
    for i, r in enumerate(c.rows, 1):
        sheet.add([i, r.org.name if r.org else "", *_cells(r)])
    sheet.add(["合计", c.org.name, *_cells(c.total)])
    sheet.add(["", c.total.sentence + "。"])
    return sheet.close()

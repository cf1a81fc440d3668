"""The .xlsx of a branch's year of points: members (base, each item's counted points, additions,
deductions, total, stars), every entry with its source, and the year-end ratings."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import xlsxwriter

from dangjian.points import rules

if TYPE_CHECKING:
    from dangjian.points.models import MemberRating, PointsEntry
    from dangjian.points.selectors import BranchTable

SOURCE_LABELS = rules.SOURCE_TYPE_LABELS


def _num(v: Decimal | None) -> float | str:
    return "" if v is None else float(v)


def branch_year(table: BranchTable, entries: Sequence[PointsEntry], ratings: Sequence[MemberRating]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                          "bg_color": "#F2DCDB"})  # fmt: skip
    cell = wb.add_format({"border": 1})
    big = wb.add_format({"bold": True, "font_size": 14})

    def sheet(name: str, title: str, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        ws = wb.add_worksheet(name[:31])
        ws.write(0, 0, title, big)
        ws.write_row(1, 0, headers, head)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.freeze_panes(2, 1)
        for r, values in enumerate(rows, start=2):
            for c, v in enumerate(values):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(r, c, v, cell)
                else:
                    ws.write_string(r, c, str(v), cell)

    org, year = table.org, table.year
    scheme_name = table.scheme.name if table.scheme else "（无适用方案）"
    headers = ["姓名", "基础分", *[i.name for i in table.items], "加分", "扣分", "年度积分", "一票否决", "星级"]
    rows = []
    for t in table.rows:
        sums = table.item_sums.get(t.member_id, {})
        rows.append([t.name, _num(t.base), *[_num(sums.get(i.pk)) for i in table.items],  # type: ignore[arg-type]
                     _num(t.total.adds), _num(t.total.deducts), _num(t.total.total), "是" if t.total.vetoed else "",
                     rules.STAR_LABELS[t.stars]])  # fmt: skip
    sheet("积分汇总", f"{org.name} {year}年党员积分（{scheme_name}）", headers, rows,
          [10, 8, *[14] * len(table.items), 8, 8, 10, 8, 8])
    sheet("积分记录", f"{org.name} {year}年积分记录", ["姓名", "日期", "项目", "类别", "次数/学时", "分值", "状态", "事由", "来源"],
          [[e.member.name, e.date.isoformat(), e.item.name, rules.KIND_LABELS[e.item.kind], float(e.quantity),
            float(e.points), rules.ENTRY_STATUS_LABELS[e.status], e.reason,
            f"{SOURCE_LABELS.get(e.source_type, e.source_type)} #{e.source_id}" if e.source_type else "支部录入"]
           for e in entries], [10, 12, 24, 8, 9, 8, 8, 30, 22])  # fmt: skip
    sheet("年终星级", f"{org.name} {year}年度党员评星定级", ["姓名", "基础分", "加分", "扣分", "年度积分", "一票否决", "星级", "评定日期"],
          [[r.member.name, float(r.base), float(r.adds), float(r.deducts), float(r.total), "是" if r.vetoed else "",
            rules.STAR_LABELS[r.stars], r.rated_on.isoformat()] for r in ratings], [10, 8, 8, 8, 10, 8, 8, 12])  # fmt: skip
    wb.close()
    return buf.getvalue()

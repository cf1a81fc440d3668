"""Exports of a scheme's results: the .xlsx (ranking and every item's score) and the .docx report
(python-docx, in the layout of recruitment.documents: A4, official margins and fonts)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from docx.enum.text import WD_ALIGN_PARAGRAPH

from dangjian.accounts.models import User
from dangjian.assessment import rules, selectors
from dangjian.assessment.models import Scheme

# The report's paragraphs, cells and signature follow the development forms' layout exactly.
from dangjian.recruitment.documents import _cell, _heading, _para, _signature, _title, new_document

RANK_HEADERS = ["名次", "党组织", "总分", "等次", "一票否决", "状态"]


def _num(d: Decimal | None) -> float | str:
    return "" if d is None else float(d)


def results_xlsx(actor: User, scheme: Scheme, today: dt.date) -> bytes:
    table = selectors.results_table(actor, scheme, today)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#F2DCDB"})
    cell = wb.add_format({"border": 1})
    note = "（预览：尚未定分）" if table.preview else ""

    ws = wb.add_worksheet("排名")
    ws.write(0, 0, f"{scheme}考核结果{note}", big)
    ws.write_row(1, 0, RANK_HEADERS, head)
    for i, w in enumerate([6, 36, 10, 8, 10, 14]):
        ws.set_column(i, i, w)
    for r, row in enumerate(table.rows, start=2):
        ws.write(r, 0, row.rank if row.rank is not None else "", cell)
        ws.write(r, 1, row.result.org.name, cell)
        ws.write_number(r, 2, float(row.total), cell)
        ws.write(r, 3, row.grade, cell)
        ws.write(r, 4, "是" if row.vetoed else "", cell)
        ws.write(r, 5, rules.RESULT_STATUS_LABELS[row.result.status], cell)

    items = wb.add_worksheet("分项得分")
    items.write(0, 0, f"{scheme}分项得分{note}", big)
    headers = ["党组织"] + [f"{n.title}（{n.max_points}）" for n in table.leaves] + ["总分"]
    items.write_row(1, 0, headers, head)
    items.set_column(0, 0, 36)
    items.set_column(1, len(headers), 12)
    for r, row in enumerate([row for row in table.rows if row.visible], start=2):
        items.write(r, 0, row.result.org.name, cell)
        for c, n in enumerate(table.leaves, start=1):
            items.write(r, c, _num(row.scores.get(n.pk)), cell)
        items.write_number(r, len(table.leaves) + 1, float(row.total), cell)
    wb.close()
    return buf.getvalue()


def report_docx(actor: User, scheme: Scheme, today: dt.date) -> bytes:
    table = selectors.results_table(actor, scheme, today)
    doc = new_document(title=f"{scheme}考核情况报告", author=scheme.owner.name)
    _title(doc, f"关于{scheme.year}年度{scheme.name}结果的报告")
    grades: dict[str, int] = {}
    for row in table.rows:
        grades[row.grade] = grades.get(row.grade, 0) + 1
    spread = "，".join(f"“{label}”{grades.get(label, 0)}个" for label, _m in scheme.bands)
    vetoed = sum(1 for row in table.rows if row.vetoed)
    _para(doc, f"按照《{scheme.name}》，对{len(table.rows)}个{rules.KIND_LABELS[scheme.kind]}进行了{scheme.year}年度考核，"
               f"考核满分{selectors.scheme_points(scheme)}分。其中{spread}；一票否决{vetoed}个。"
               + ("（本报告为预览，尚未定分。）" if table.preview else ""))  # fmt: skip
    if scheme.notice_start:
        _para(doc, f"考核结果于{scheme.notice_start:%Y年%m月%d日}至{scheme.notice_end:%Y年%m月%d日}进行了公示。")
    _heading(doc, "一、考核结果排名")
    t = doc.add_table(rows=1, cols=4)
    t.style = "Table Grid"
    for c, h in enumerate(["名次", "党组织", "总分", "等次"]):
        _cell(t.rows[0].cells[c], h, bold=True)
    for row in table.rows:
        cells = t.add_row().cells
        _cell(cells[0], "" if row.rank is None else str(row.rank))
        _cell(cells[1], row.result.org.name, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell(cells[2], f"{row.total}")
        _cell(cells[3], row.grade + ("（一票否决）" if row.vetoed else ""))
    _heading(doc, "二、考核项目")
    for v, depth in selectors.depths(selectors.scheme_tree(scheme)):
        label = f"{v.node.title}（{v.points}分"
        if v.is_leaf:
            label += f"，{rules.METHOD_LABELS[v.node.method]}，{rules.SOURCE_LABELS[v.node.source]}"
        _para(doc, "　" * depth + label + "）")
    _signature(doc, scheme.owner.name, today)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

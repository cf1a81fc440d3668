"""The branch's yearly dues ledger as .xlsx (XlsxWriter, constant_memory: rows are written in order
and flushed, so memory stays flat however many members).

Layout, as branches keep it on paper (党费收缴台账):

    row 1   title: "<支部>  <年>年度党费收缴台账"
    row 2                                                      | 1月 (merged over 2) | … | 12月 | 全年合计 (3)
    row 3   序号 | 姓名 | 公民身份号码 | 党费类别 | 计算基数（元/月） | 应交 | 实交 | …   | 应交 | 实交 | 欠交
    row 4…  one row per member (ID numbers masked)
    last    合计 (column sums)

Amounts are written as numbers with the "0.00" format. Excel stores numbers as binary doubles, so
this is the one place a Decimal becomes a float: every value has two decimal places and is far below
2^53 fen, so the cell shows exactly the Decimal's value.
"""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from dangjian.accounts.models import User
from dangjian.dues import rules
from dangjian.dues.selectors import ledger_year_rows
from dangjian.orgs.models import Org

FIXED_HEADERS = ["序号", "姓名", "公民身份号码", "党费类别", "计算基数（元/月）"]
FIRST_MONTH_COL = len(FIXED_HEADERS)
TOTAL_COL = FIRST_MONTH_COL + 24
HEADER_ROWS = 3  # title, month row, 应交/实交 row


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(rules.FEN))


def ledger_xlsx(actor: User, org: Org, year: int) -> bytes:
    """The ``year`` ledger of ``org`` (404 outside the actor's scope, through the selector)."""
    rows = ledger_year_rows(actor, org, year)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet(f"{year}年党费台账")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True,
                          "bg_color": "#F2DCDB"})
    text = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "0.00"})
    total_text = wb.add_format({"border": 1, "bold": True})
    total_money = wb.add_format({"border": 1, "bold": True, "num_format": "0.00"})
    last_col = TOTAL_COL + 2

    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 3, 22)
    ws.set_column(4, 4, 10)
    ws.set_column(FIRST_MONTH_COL, last_col, 8)
    ws.freeze_panes(HEADER_ROWS, 2)

    ws.merge_range(0, 0, 0, last_col, f"{org.name}  {year}年度党费收缴台账", title)
    # constant_memory writes row by row: a row is final once a later row is written, so there are no
    # vertical merges — the fixed headers sit on the second header row, under blank header cells.
    for c in range(len(FIXED_HEADERS)):
        ws.write_blank(1, c, None, head)
    for m in range(12):
        col = FIRST_MONTH_COL + 2 * m
        ws.merge_range(1, col, 1, col + 1, f"{m + 1}月", head)
    ws.merge_range(1, TOTAL_COL, 1, last_col, "全年合计", head)
    for c, h in enumerate(FIXED_HEADERS):
        ws.write_string(2, c, h, head)
    for m in range(12):
        col = FIRST_MONTH_COL + 2 * m
        ws.write_string(2, col, "应交", head)
        ws.write_string(2, col + 1, "实交", head)
    ws.write_string(2, TOTAL_COL, "应交", head)
    ws.write_string(2, TOTAL_COL + 1, "实交", head)
    ws.write_string(2, TOTAL_COL + 2, "欠交", head)

    sums: dict[int, Decimal] = {}

    def put(r: int, c: int, value: Decimal | None) -> None:
        if value is None:
            ws.write_blank(r, c, None, money)
            return
        sums[c] = sums.get(c, Decimal("0.00")) + value
        ws.write_number(r, c, _num(value), money)  # type: ignore[arg-type]

    r = HEADER_ROWS
    for i, row in enumerate(rows, start=1):
        ws.write_number(r, 0, i, text)
        ws.write_string(r, 1, row["member__name"], text)
        ws.write_string(r, 2, row["member__id_number_masked"] or "", text)
        ws.write_string(r, 3, row["category"], text)
        if row["base"] is None:
            ws.write_blank(r, 4, None, money)
        else:
            ws.write_number(r, 4, _num(row["base"]), money)  # type: ignore[arg-type]
        for m in range(1, 13):
            col = FIRST_MONTH_COL + 2 * (m - 1)
            put(r, col, row.get(f"due_{m}"))
            put(r, col + 1, row.get(f"paid_{m}"))
        due, paid = row["due_total"], row["paid_total"]
        put(r, TOTAL_COL, due)
        put(r, TOTAL_COL + 1, paid)
        put(r, TOTAL_COL + 2, None if due is None else max(due - (paid or Decimal("0.00")), Decimal("0.00")))
        r += 1
    ws.write_string(r, 0, "", total_text)
    ws.write_string(r, 1, "合计", total_text)
    for c in range(2, 5):
        ws.write_blank(r, c, None, total_text)
    for c in range(FIRST_MONTH_COL, last_col + 1):
        ws.write_number(r, c, _num(sums.get(c, Decimal("0.00"))), total_money)  # type: ignore[arg-type]
    wb.close()
    return buf.getvalue()


def filename(org: Org, year: int) -> str:
    return f"{org.short_name or org.name}-{year}年党费台账.xlsx"


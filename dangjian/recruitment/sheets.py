"""The .xlsx sheets of membership development's reports: plans, registers (花名册), statistics."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter


class Sheet:
    """One worksheet: a bold title row, a header row, data rows (XlsxWriter, constant memory)."""

    def __init__(self, title: str, sheet: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {"constant_memory": True, "in_memory": True})
        self.ws = self.wb.add_worksheet(sheet[:31])
        self.cell = self.wb.add_format({"border": 1})
        head = self.wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                                   "bg_color": "#F2DCDB"})  # fmt: skip
        big = self.wb.add_format({"bold": True, "font_size": 14})
        for i, w in enumerate(widths):
            self.ws.set_column(i, i, w)
        self.ws.write(0, 0, title, big)
        self.ws.write_row(1, 0, list(headers), head)
        self.ws.freeze_panes(2, 0)
        self.row = 2

    def add(self, values: Sequence[Any]) -> None:
        for col, v in enumerate(values):
            if v is None or v == "":
                self.ws.write_blank(self.row, col, None, self.cell)
            elif isinstance(v, dt.date):
                self.ws.write_string(self.row, col, v.isoformat(), self.cell)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                self.ws.write_number(self.row, col, v, self.cell)
            else:
                self.ws.write_string(self.row, col, str(v), self.cell)
        self.row += 1

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


REGISTER_HEADERS = ["序号", "姓名", "性别", "公民身份号码", "出生年份", "年龄", "民族", "学历", "人员类别（职业）", "工作（学习）单位",
                    "手机号码", "党支部", "申请入党日期", "确定为入党积极分子日期", "确定为发展对象日期", "接收为预备党员日期",
                    "批准为预备党员日期", "预备期满日期", "阶段", "状态"]  # fmt: skip
REGISTER_WIDTHS = [6, 10, 6, 21, 9, 6, 8, 14, 18, 24, 14, 30, 13, 13, 13, 13, 13, 13, 24, 12]

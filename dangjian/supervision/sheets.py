"""The .xlsx export of a task's board (督办看板): every receiver's light and dates, and the rates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from dangjian.recruitment.sheets import Sheet
from dangjian.supervision import rules
from dangjian.supervision.models import Task
from dangjian.supervision.selectors import Board

HEADERS = ["序号", "乡镇（街道）", "承办党组织", "承办人", "期次", "完成时限", "状态", "灯", "说明", "签收日期", "最近报送日期",
           "验收通过日期", "逾期天数", "退回次数", "是否按时完成"]  # fmt: skip
WIDTHS = [6, 20, 30, 10, 14, 12, 14, 6, 22, 12, 13, 13, 9, 9, 12]


def quoted_name(task: Task) -> str:
    return quote(f"督办看板-{task.title[:40]}.xlsx")


def board_xlsx(board: Board, today: dt.date) -> bytes:
    task = board.task
    title = f"{task.title}（{task.issuer}交办{'，' + task.basis if task.basis else ''}）督办看板，截至{today}"
    sheet = Sheet(title, "督办看板", HEADERS, WIDTHS)
    for n, row in enumerate(board.rows, 1):
        i = row.item
        sheet.add([
            n, row.township.name if row.township else "", i.receiver_org.name, str(i.receiver_user or ""), i.period,
            i.deadline, rules.STATUS_LABELS[i.status], row.light.label, row.light.sub_label, i.acknowledged_on,
            i.submitted_on, i.accepted_on, row.overdue_days, i.returned_count, "是" if rules.is_on_time(i.deadline, i.accepted_on) else "否",
        ])  # fmt: skip
    r = board.rates
    sheet.add([])
    sheet.add(["", "合计", f"事项{r.assigned}条", "", "", "", f"验收通过{r.accepted}", "", f"逾期未完成{r.overdue_open}", "", "",
               f"按时完成{r.on_time}", "", r.returned, ""])  # fmt: skip
    sheet.add(["", "完成率", "—" if r.completion_rate is None else f"{r.completion_rate}%", "", "按时完成率",
               "—" if r.on_time_rate is None else f"{r.on_time_rate}%"])  # fmt: skip
    return sheet.close()

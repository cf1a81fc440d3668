"""The .xlsx export of a task's board (督办看板): every receiver's light and dates, and the rates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from dangjian.recruitment.sheets import Sheet
from dangjian.supervision import rules
from dangjian.supervision.models import Item, Task
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
            i.submitted_on, i.accepted_on, row.overdue_days, i.returned_count, _on_time(i, today),
        ])  # fmt: skip
    r = board.rates
    sheet.add([])
    sheet.add(["", "合计", f"事项{r.assigned}条", "", "", "", f"验收通过{r.accepted}", "", f"逾期未完成{r.overdue_open}", "", "",
               f"按时完成{r.on_time}", "", r.returned, ""])  # fmt: skip
    sheet.add(["", "完成率", "—" if r.completion_rate is None else f"{r.completion_rate}%", "", "按时完成率",
               "—" if r.on_time_rate is None else f"{r.on_time_rate}%"])  # fmt: skip
    # The page's light counts and its per-township table (shown when the board spans townships).
    sheet.add(["", "红灯", board.light_counts.get(rules.RED, 0), "黄灯", board.light_counts.get(rules.AMBER, 0), "绿灯",
               board.light_counts.get(rules.GREEN, 0)])  # fmt: skip
    if board.by_township:
        sheet.add([])
        sheet.add(["", "乡镇（街道）", "事项", "验收通过", "按时完成", "逾期未完成", "退回", "完成率", "按时完成率"])
        for org, t in board.by_township:
            sheet.add(["", org.name, t.assigned, t.accepted, t.on_time, t.overdue_open, t.returned,
                       "—" if t.completion_rate is None else f"{t.completion_rate}%",
                       "—" if t.on_time_rate is None else f"{t.on_time_rate}%"])  # fmt: skip
    return sheet.close()


def _on_time(item: Item, today: dt.date) -> str:
    """是否按时完成: 是 / 否 once decided (accepted, or the deadline has passed); blank while open and
    not yet due — such an item is neither on time nor late yet."""
    if item.status == rules.ACCEPTED:
        return "是" if rules.is_on_time(item.deadline, item.accepted_on) else "否"
    return "否" if today > item.deadline else ""

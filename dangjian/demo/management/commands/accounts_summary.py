"""``dangjian accounts_summary``: the demo accounts, as a table (nothing when there is no demo data)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dangjian.demo.accounts import DEMO_PASSWORD, summary_rows, summary_table


class Command(BaseCommand):
    help = "列出示范账号（用户名、角色、所属党组织、密码）；没有示范数据时不输出"

    def handle(self, *args: Any, **options: Any) -> None:
        rows = summary_rows()
        if not rows:
            return
        self.stdout.write(f"示范账号（初始密码均为 {DEMO_PASSWORD}，仅供演示，正式使用前请删除或修改密码）：")
        self.stdout.write(summary_table(rows))

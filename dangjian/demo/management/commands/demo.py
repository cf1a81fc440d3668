"""``dangjian demo``: build the demo county (清溪县) into an empty database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.orgs.models import Org

# Not imported from the loader: `demo --if-empty` on a loaded database must answer without loading the
# generator (and pypinyin's dictionaries).
DEFAULT_MEMBERS = 20000
DEFAULT_SEED = 1

NOT_EMPTY = "数据库中已有党组织，示范数据只能载入空数据库。 (The database already has organizations; the demo loads only into an empty one.)"
ALREADY_LOADED = "数据库中已有党组织，跳过示范数据。 (Organizations exist: demo data not loaded.)"
TOO_FEW = "--members 至少为 100。 (--members must be at least 100.)"


class Command(BaseCommand):
    help = "载入示范县数据：约13个乡镇、175个村和社区、机关、学校、医院、企业，党员及其多年的组织关系事项，各角色示范账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help="党员人数（默认 20000）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：同一种子、同一日期生成相同的数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有党组织时什么也不做（./run 使用）")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="以该日期为“今天”生成（YYYY-MM-DD，默认今天；用于复现）")

    def handle(self, *args: Any, **options: Any) -> None:
        if Org.objects.exists():
            if options["if_empty"]:
                self.stdout.write(ALREADY_LOADED)
                return
            raise CommandError(NOT_EMPTY)
        if options["members"] < 100:
            raise CommandError(TOO_FEW)
        from dangjian.demo.loader import load_demo

        def progress(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        progress(f"载入示范数据（党员 {options['members']} 名，种子 {options['seed']}）……")
        load_demo(members=options["members"], seed=options["seed"], today=options["today"], out=progress)

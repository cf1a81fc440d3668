"""``dangjian demo``: build the demo county (清溪县) — or a city or province of counties (``--scale``) — into an empty database, and/or write it as import files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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
TOO_FEW_PER_COUNTY = "每个县至少 100 名党员。 (At least 100 members per county.)"
# Not imported from demo.scales either (see above): name → (counties, members).
SCALES = {"county": (1, DEFAULT_MEMBERS), "city": (14, 185500), "province": (243, 5000000)}


class Command(BaseCommand):
    help = "载入示范县数据：约13个乡镇、175个村和社区、机关、学校、医院、企业，党员及其多年的组织关系事项，各角色示范账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="county",
                            help="规模：county 一个县约2万名党员；city 14个县共185,500名党员、约9千个党支部；"
                                 "province 243个县共500万名党员（党组织树的根是县委，市、省生成为并列的多个县）")
        parser.add_argument("--members", type=int, default=None, help="党员总人数（默认随规模：20000 / 185500 / 5000000）")
        parser.add_argument("--counties", type=int, default=None, help="县的个数（默认随规模；测试时用来缩小规模）")
        parser.add_argument("--write-files", type=Path, default=None, metavar="DIR",
                            help="同时把数据写成全国系统列的导入文件（DIR/members.xlsx、DIR/orgs.xlsx）")
        parser.add_argument("--files-only", action="store_true", help="只写导入文件，不写数据库（须与 --write-files 同用）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：同一种子、同一日期生成相同的数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有党组织时什么也不做（./run 使用）")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="以该日期为“今天”生成（YYYY-MM-DD，默认今天；用于复现）")

    def handle(self, *args: Any, **options: Any) -> None:
        counties, members = SCALES[options["scale"]]
        counties = options["counties"] or counties
        members = options["members"] if options["members"] is not None else members
        files_only = options["files_only"]
        if members < 100:
            raise CommandError(TOO_FEW)
        if counties < 1 or members // counties < 100:
            raise CommandError(TOO_FEW_PER_COUNTY)
        if files_only and options["write_files"] is None:
            raise CommandError("--files-only 须与 --write-files 同用。 (--files-only needs --write-files.)")
        if not files_only and Org.objects.exists():
            if options["if_empty"]:
                self.stdout.write(ALREADY_LOADED)
                return
            raise CommandError(NOT_EMPTY)
        from dangjian.demo.loader import load_demo

        def progress(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        where = f"，{counties} 个县" if counties > 1 else ""
        progress(f"载入示范数据（党员 {members} 名{where}，种子 {options['seed']}）……")
        load_demo(members=members, seed=options["seed"], today=options["today"], out=progress, counties=counties,
                  files_dir=options["write_files"], load=not files_only)

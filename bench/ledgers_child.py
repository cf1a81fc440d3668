"""One ledger measurement in a process of its own, so its peak memory is its own (``bench/run.py`` runs it
with ``run_measured``, which reads the child's ``wait4`` rusage).

    python bench/ledgers_child.py export --user admin --org PK [--org PK ...] --fmt xlsx|csv --out DIR --result F
    python bench/ledgers_child.py import --files DIR --result F

``export``: ``ledgers.services.export_roster`` of each organization's subtree, national columns, ``full=True``
(the round-trip form), one file per organization. ``import``: into the database this process is pointed at,
which must be freshly migrated and empty: creates the county committees named in ``orgs.xlsx`` (the import
can only add organizations under one the user may manage) and a county administrator over them, then imports
``orgs.xlsx`` and ``members.xlsx`` with ``ledgers.services.import_file`` (validated, then committed in one
transaction). Writes the operation's own wall and CPU seconds (without Django's start-up) and the process's peak RSS
(``VmHWM``) as JSON to ``--result``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent


def vm_hwm_mb() -> float:
    """This process's own peak RSS. Not ``ru_maxrss``: Linux carries the forking parent's peak across
    ``exec`` into the child's ``ru_maxrss`` (a benchmark process that has loaded Django and run the page
    timings would set the floor), while ``VmHWM`` is the high-water mark of the new program's memory only."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and of its finished children: the import seals rows in a forked helper
    process (ledgers.importer.HELPER_PROCESS), whose work is part of the operation's cost."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - wall, _cpu() - cpu


def export(args: argparse.Namespace) -> dict[str, Any]:
    from dangjian.accounts.models import User
    from dangjian.ledgers import services
    from dangjian.orgs.models import Org

    user = User.objects.get(username=args.user)
    orgs = [Org.objects.get(pk=pk) for pk in args.org]
    today = timezone.localdate()
    args.out.mkdir(parents=True, exist_ok=True)

    def run() -> int:
        return sum(services.export_roster(actor=user, org=org, as_of=today, column_set="members_national",
                                          fmt=args.fmt, path=args.out / f"roster-{org.pk}.{args.fmt}", full=True)
                   for org in orgs)

    rows, wall, cpu = timed(run)
    size = sum(p.stat().st_size for p in args.out.glob(f"roster-*.{args.fmt}"))
    return {"seconds": wall, "cpu_seconds": cpu, "rows": rows, "size_mb": size / 1024 / 1024}


def import_(args: argparse.Namespace) -> dict[str, Any]:
    import openpyxl

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import user_create
    from dangjian.demo import files
    from dangjian.ledgers import services
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org, OrgType
    from dangjian.orgs.services import org_create

    if Org.objects.exists() or Member.objects.exists():
        raise SystemExit("import: the database is not empty")
    # The county committees: the rows of orgs.xlsx without a parent (read-only mode streams the sheet).
    book = openpyxl.load_workbook(args.files / files.ORGS_FILE, read_only=True)
    sheet = book[files.SHEET_ORGS]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    col = {h: i for i, h in enumerate(header)}
    roots = []
    for row in rows:
        if not row[col["上级党组织编码"]]:
            roots.append(org_create(actor=None, parent=None, name=row[col["党组织全称"]], code=row[col["党组织编码"]],
                                    org_type=OrgType.COUNTY_COMMITTEE,
                                    established_on=dt.date.fromisoformat(str(row[col["成立日期"]])[:10])))
    book.close()
    user = user_create(actor=None, username="bench-import", password="Bench-Import-2026", role=Role.COUNTY_ADMIN,
                       display_name="bench", orgs=roots)
    out: dict[str, Any] = {"county_roots": len(roots)}
    for label, name in (("orgs", files.ORGS_FILE), ("members", files.MEMBERS_FILE)):
        job, wall, cpu = timed(lambda name=name: services.import_file(actor=user, path=args.files / name))
        if job.status != "committed":
            issues = list(job.issues.values_list("sheet", "row", "column", "message")[:10])
            raise SystemExit(f"import {name}: {job.status}: {job.message} {job.counts} {issues}")
        out[label] = {"seconds": wall, "cpu_seconds": cpu, "counts": job.counts,
                      "size_mb": (args.files / name).stat().st_size / 1024 / 1024}
    out["members_in_db"] = Member.objects.count()
    out["orgs_in_db"] = Org.objects.count()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    e = sub.add_parser("export")
    e.add_argument("--user", default="admin")
    e.add_argument("--org", type=int, action="append", required=True)
    e.add_argument("--fmt", choices=("xlsx", "csv"), required=True)
    e.add_argument("--out", type=Path, required=True)
    i = sub.add_parser("import")
    i.add_argument("--files", type=Path, required=True)
    for p in (e, i):
        p.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    result = export(args) if args.what == "export" else import_(args)
    result["peak_rss_mb"] = vm_hwm_mb()
    args.result.write_text(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

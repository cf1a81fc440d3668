"""Dangjian benchmarks (issue 3, item 5): one command, a table at the end.

    .venv/bin/python bench/run.py --scale county|city|province --db sqlite|postgres [--requests 30]

It builds a fresh database in a throwaway directory (for PostgreSQL, a throwaway cluster on 127.0.0.1:54330,
started with initdb as the ``postgres`` user like ``.ci/run`` and stopped at the end), loads the demo at the
scale asked for, and measures:

- demo generation: wall time and the generator process's peak resident memory (``wait4`` rusage);
  with ``--files``, also writing the national-column import files (``demo --files-only --write-files``);
- the county organization page ``GET /orgs/<county>/`` rendered with its real templates through Django's test
  Client as the demo county administrator: median and 95th percentile over ``--requests`` requests (after 3
  warm-up requests), and the number of SQL queries of one request;
- member search by full name and by pinyin initials through the page (``GET /members/?q=``) and through the
  selector (``members.selectors.member_search``, first page of 20 evaluated);
- roster export (``ledgers.services.export_roster``, national columns, ``full=True``, .xlsx and .csv) of the
  first county and of every county, and the import (``ledgers.services.import_file``, validated and committed)
  of the demo's national-column ``orgs.xlsx`` then ``members.xlsx`` into a fresh, empty database: each in a
  child process (``bench/ledgers_child.py``), wall and CPU time of the operation and the child's peak RSS.

Never run by ``./test``: tests make no timed assertions. Results go to docs/benchmarks.md by hand, with the
machine, date and commit this script prints.
"""

# The benchmark runs fixed commands (this project's own CLI, PostgreSQL's tools via su, git): no untrusted input.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DANGJIAN = str(ROOT / ".venv" / "bin" / "dangjian")
PG_PORT = 54330
TARGETS = {"org_page_median": 150.0, "org_page_p95": 300.0, "search_median": 100.0}


# --- hooks for the ledgers app ---------------------------------------------------------------------------
# Each hook is called as hook(user=<county admin>, org=<county Org>, workdir=<Path>) and returns a dict with
# at least "seconds" (and optionally "rows", "peak_rss_mb", "note"). A hook that is None prints "not wired".
# Every ledger measurement runs in a child process (bench/ledgers_child.py) so that its peak memory is its
# own: "seconds"/"cpu_seconds" are the operation's own (the child's Django start-up excluded),
# "process_seconds"/"process_cpu_seconds" the whole child's (wait4 rusage), "peak_rss_mb" the child's VmHWM.
LedgerHook = Callable[..., dict[str, Any]]
CHILD = str(ROOT / "bench" / "ledgers_child.py")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BENCH: dict[str, Any] = {}  # set by main(): env, log, demo command, the PostgreSQL cluster if any


def _child(args: list[str], workdir: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = workdir / "ledgers-result.json"
    result.unlink(missing_ok=True)
    load = loadavg()
    seconds, rss, cpu = run_measured([PYTHON, CHILD, *args, "--result", str(result)], env or dict(os.environ),
                                     BENCH["log"])
    out = json.loads(result.read_text())
    # peak RSS: the child's own VmHWM; wait4's ru_maxrss would include this (forking) process's peak.
    out.update(process_seconds=seconds, process_cpu_seconds=cpu, wait4_maxrss_mb=rss, load=f"{load} → {loadavg()}")
    return out


def export_hook(fmt: str, *, whole: bool = False) -> LedgerHook:
    def hook(*, user: Any, org: Any, workdir: Path) -> dict[str, Any]:
        from dangjian.accounts.models import Role, User
        from dangjian.accounts.services import user_create
        from dangjian.orgs.models import Org

        orgs, username = [org], user.username
        if whole:
            if BENCH.get("skip_whole"):
                return {"note": "not run (--skip-whole-export)"}
            orgs = list(Org.objects.filter(depth=1).order_by("path"))
            if len(orgs) < 2:
                return {"note": "one county: same as the county row"}
            username = "bench-all-counties"
            if not User.objects.filter(username=username).exists():
                user_create(actor=None, username=username, password="Bench-All-2026", role=Role.COUNTY_ADMIN,
                            display_name="bench", orgs=orgs)
        # A fresh directory each time: the size reported is the size of this export's files.
        shutil.rmtree(workdir / "exports", ignore_errors=True)
        out = _child(["export", "--user", username, *(a for o in orgs for a in ("--org", str(o.pk))), "--fmt", fmt,
                      "--out", str(workdir / "exports")], workdir)
        return {"seconds": out["seconds"], "cpu_seconds": out["cpu_seconds"], "rows": out["rows"],
                "counties": len(orgs), "size_mb": out["size_mb"], "peak_rss_mb": out["peak_rss_mb"],
                "process_seconds": out["process_seconds"], "load": out["load"], "target": "< 30 s at city scale"}
    return hook


def import_hook(*, user: Any, org: Any, workdir: Path) -> dict[str, Any]:
    """Import the demo's national-column files into a fresh, empty database (same engine)."""
    files = BENCH.get("import_files") or workdir / "files"
    if not (files / "members.xlsx").exists():
        run_measured([*BENCH["demo"], "--files-only", "--write-files", str(files)], BENCH["env"], BENCH["log"])
    # A new directory (SQLite: a new database and keys) and, on PostgreSQL, a new database every run, so a
    # reused work directory (--reuse) measures an import into an empty database too.
    fresh = Path(tempfile.mkdtemp(dir=workdir, prefix="fresh-"))
    env = dict(BENCH["env"], DANGJIAN_DATA_DIR=str(fresh))
    pg = BENCH.get("pg")
    if pg is not None:
        for cmd in ("dropdb --if-exists", "createdb"):
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c",
                            f"{pg.bin}/{cmd} -h 127.0.0.1 -p {PG_PORT} dangjian_fresh"], check=True)
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/dangjian_fresh"
    subprocess.run([DANGJIAN, "init_keys"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([DANGJIAN, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    out = _child(["import", "--files", str(files)], workdir, env)
    m, o = out["members"], out["orgs"]
    return {"seconds": m["seconds"], "cpu_seconds": m["cpu_seconds"], "rows": m["counts"].get("members_new"),
            "size_mb": m["size_mb"], "orgs_import_seconds": o["seconds"], "orgs_import_cpu_seconds": o["cpu_seconds"],
            "orgs_new": o["counts"].get("orgs_new"), "members_in_db": out["members_in_db"],
            "orgs_in_db": out["orgs_in_db"], "peak_rss_mb": out["peak_rss_mb"],
            "process_seconds": out["process_seconds"], "process_cpu_seconds": out["process_cpu_seconds"],
            "load": out["load"], "target": "< 60 s, peak < 1 GB at city scale"}


LEDGER_HOOKS: dict[str, LedgerHook | None] = {
    "roster export, first county, national columns, full (.xlsx)": export_hook("xlsx"),
    "roster export, first county, national columns, full (.csv)": export_hook("csv"),
    "roster export, every county, national columns, full (.xlsx)": export_hook("xlsx", whole=True),
    "roster export, every county, national columns, full (.csv)": export_hook("csv", whole=True),
    "roster import into a fresh database, members.xlsx (national columns), validate + commit": import_hook,
}


# --- machinery -------------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True,
                           check=False).stdout.strip()
    return {"nproc": str(os.cpu_count()), "memory": f"{mem_kb / 1024 / 1024:.1f} GiB", "cpu": cpu,
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "commit": commit + (" (+ uncommitted changes)" if dirty else "")}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run_measured(args: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """Run a command; (wall seconds, peak RSS in MiB, CPU seconds user+system) of the process."""
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)} — see {log}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


class Postgres:
    """A throwaway cluster, as .ci/run starts one (initdb refuses root: run it as postgres)."""

    def __init__(self, workdir: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bins[-1]
        self.data = workdir / "pg"
        self.existing = (self.data / "PG_VERSION").exists()  # --reuse: a cluster an earlier run kept
        self.data.mkdir(exist_ok=True)
        shutil.chown(self.data, "postgres")
        shutil.chown(workdir, "postgres")

    def _su(self, cmd: str) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if not self.existing:
            self._su(f"{self.bin}/initdb -D {self.data} -E UTF8 --no-locale -A trust")
        self._su(f"{self.bin}/pg_ctl -D {self.data} -l {self.data}/server.log -w -o "
                 f"'-p {PG_PORT} -k {self.data} -c listen_addresses=127.0.0.1' start")
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/dangjian"

    def stop(self) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"{self.bin}/pg_ctl -D {self.data} -m fast stop"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timings(fn: Callable[[], Any], n: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    ms, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    ms.sort()
    # CPU time of this process: on a shared, loaded machine it moves much less than wall time (on SQLite
    # it includes the database's work; on PostgreSQL the server's work is not in it).
    return {"median": statistics.median(ms), "p95": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
            "min": ms[0], "max": ms[-1], "n": n, "cpu_median": statistics.median(cpu)}


# --- the measurements --------------------------------------------------------------------------------------
def measure_pages(requests: int) -> list[dict[str, Any]]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.models import User
    from dangjian.members import selectors as member_selectors
    from dangjian.members.models import Member
    from dangjian.members.pinyin import name_keys
    from dangjian.orgs.models import Org

    rows: list[dict[str, Any]] = []
    user = User.objects.get(username="admin")
    county = Org.objects.filter(depth=1).order_by("path").first()
    assert county is not None
    client = Client()
    client.force_login(user)

    def page(url: str) -> Callable[[], Any]:
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            response.content  # noqa: B018 (rendered: make sure the whole body is built)
        return get

    def queries(fn: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    # a member of the county with a name shared by few, and its pinyin initials
    sample = Member.objects.filter(county=county, status="full").order_by("pk")[len("dangjian") * 97 % 500]
    name = sample.name
    initials = name_keys(name)[1]
    total = Member.objects.count()

    url = f"/orgs/{county.pk}/"
    t = timings(page(url), requests)
    rows.append({"what": f"county org page GET {url}", "queries": queries(page(url)), **t,
                 "target": "median < 150, p95 < 300", "load": loadavg()})
    for label, q in (("name", name), ("pinyin initials", initials), ("surname", name[0])):
        u = f"/members/?q={q}"
        t = timings(page(u), requests)
        hits = member_selectors.member_search(user, q).count()
        rows.append({"what": f"member search page, {label} q={q} ({hits} hits of {total})", "queries": queries(page(u)),
                     **t, "target": "median < 100", "load": loadavg()})

        def selector(q: str = q) -> None:
            list(member_selectors.member_search(user, q).select_related("org")[:20])
        t = timings(selector, requests)
        rows.append({"what": f"member search selector, {label} q={q}", "queries": queries(selector), **t,
                     "target": "median < 100", "load": loadavg()})
    for what, hook in LEDGER_HOOKS.items():
        if BENCH.get("pages_only"):
            break
        if hook is None:
            rows.append({"what": what, "note": "not wired (ledgers app: see LEDGER_HOOKS)"})
            continue
        started = time.perf_counter()
        info = hook(user=user, org=county, workdir=Path(os.environ["DANGJIAN_DATA_DIR"]))
        if "note" not in info:
            info.setdefault("seconds", time.perf_counter() - started)
        rows.append({"what": what, **info})
    return rows


def fmt_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| measurement | median ms | p95 ms | min–max ms | CPU median ms | queries | other |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "median" in r:
            lines.append(f"| {r['what']} | {r['median']:.1f} | {r['p95']:.1f} | {r['min']:.0f}–{r['max']:.0f} | "
                         f"{r['cpu_median']:.1f} | {r.get('queries', '')} | n={r['n']}; target {r.get('target', '')}; "
                         f"load {r.get('load', '')} |")
        else:
            other = "; ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()
                              if k != "what")
            lines.append(f"| {r['what']} | | | | | | {other} |")
    return "\n".join(lines)


def main() -> None:
    global PG_PORT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("county", "city", "province"), default="county")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--members", type=int, default=None, help="override the scale's member count (smoke runs)")
    parser.add_argument("--counties", type=int, default=None, help="override the scale's county count (smoke runs)")
    parser.add_argument("--files", action="store_true", help="also time writing the import files (--files-only)")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a new directory under $TMPDIR")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (the cluster is stopped)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the data already loaded in --workdir (by an earlier --keep run) instead of "
                             "generating it; only new migrations are applied")
    parser.add_argument("--import-files", type=Path, default=None,
                        help="import these orgs.xlsx + members.xlsx instead of the scale's own (e.g. a province slice)")
    parser.add_argument("--skip-whole-export", action="store_true", help="don't export every county (province)")
    parser.add_argument("--pages-only", action="store_true", help="measure the pages only (no export, no import)")
    parser.add_argument("--pg-port", type=int, default=PG_PORT, help=f"the throwaway cluster's port (default {PG_PORT})")
    args = parser.parse_args()
    PG_PORT = args.pg_port
    if args.reuse and not (args.workdir and args.workdir.is_dir()):
        parser.error("--reuse needs --workdir, a directory kept by an earlier run")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"dangjian-bench-{args.scale}-{args.db}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "bench.log"
    env = dict(os.environ, DANGJIAN_DATA_DIR=str(workdir), DJANGO_SETTINGS_MODULE="config.settings.local",
               DANGJIAN_ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    env.pop("DATABASE_URL", None)
    pg = Postgres(workdir) if args.db == "postgres" else None
    rows: list[dict[str, Any]] = []
    info = machine()
    failed = True
    try:
        if pg is not None:
            env["DATABASE_URL"] = pg.start()
            if not args.reuse:
                subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c",
                                f"{pg.bin}/createdb -h 127.0.0.1 -p {PG_PORT} dangjian"], check=True)
        if not args.reuse:
            subprocess.run([DANGJIAN, "init_keys"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        subprocess.run([DANGJIAN, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        demo = [DANGJIAN, "demo", "--scale", args.scale, "--seed", "1"]
        if args.members:
            demo += ["--members", str(args.members)]
        if args.counties:
            demo += ["--counties", str(args.counties)]
        BENCH.update(env=env, log=log, demo=demo, pg=pg, import_files=args.import_files,
                     skip_whole=args.skip_whole_export, pages_only=args.pages_only)
        if args.reuse:
            print(f"measuring the data already in {workdir} ...", flush=True)
        else:
            print(f"generating ({' '.join(demo[1:])}) into {workdir} ...", flush=True)
            load = loadavg()
            seconds, rss, cpu = run_measured(demo, env, log)
            rows.append({"what": f"demo generation --scale {args.scale} ({args.db})", "seconds": seconds,
                         "cpu_seconds": cpu, "peak_rss_mb": rss, "load": f"{load} → {loadavg()}"})
            print(f"  {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MiB", flush=True)
        if args.files:
            load = loadavg()
            seconds, rss, cpu = run_measured([*demo, "--files-only", "--write-files", str(workdir / "files")], env,
                                             log)
            size = sum(p.stat().st_size for p in (workdir / "files").iterdir()) / 1024 / 1024
            rows.append({"what": f"demo import files --scale {args.scale} (members.xlsx + orgs.xlsx)",
                         "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": rss, "size_mb": size,
                         "load": f"{load} → {loadavg()}"})
            print(f"  files: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MiB, {size:.0f} MiB", flush=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        rows += measure_pages(args.requests)
        failed = False
    finally:
        if pg is not None:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
            pg.stop()
        if failed:
            print(f"failed: the work directory is kept for its log: {workdir}", file=sys.stderr)
        elif not (args.keep or args.reuse):
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()))
    print(f"scale {args.scale}, database {args.db}")
    print(fmt_table(rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "scale": args.scale, "db": args.db, "rows": rows},
                                        ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

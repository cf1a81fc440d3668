"""Ledger writes: import jobs (upload → validate → preview → commit) and audited exports.

The validation reads the file once and keeps its plan (what to write, already encrypted) in a file
beside the upload. The commit is one transaction: it checks that what the plan relied on is unchanged
(else PLAN_CHANGED), writes everything, and marks the job committed — or rolls all of it back. A job
whose plan file is unusable (validated on another day, or lost) is re-validated inside the commit and
written only if its digest equals the one the user previewed. A job whose worker disappeared (restart, crash) is marked failed when its page
is next opened; nothing of it was written, since the transaction never committed."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.orgs.models import Org

from . import exporter, importer, reader, rules
from .models import ImportIssue, ImportJob

log = logging.getLogger(__name__)
S = ImportJob.Status

STALE_SECONDS = 120
ALLOWED_SUFFIXES = (".xlsx", ".csv")
WRONG_SUFFIX = "只能导入 Excel 工作簿（.xlsx）或 CSV 文件。旧版 .xls 文件请先另存为 .xlsx。"
NOT_READY = "该导入任务当前不能确认导入（状态：{status}）。"
HAS_ERRORS = "文件中有 {count} 处错误，已全部撤销，没有写入任何数据。请下载带错误信息的文件修改后重新上传。"
PLAN_CHANGED = "数据在预览之后发生了变化（有人修改了党员或党组织），导入已撤销，没有写入任何数据。请重新校验后再确认导入。"
INTERNAL = "处理文件时发生内部错误，没有写入任何数据。请稍后重试；如果一再出现，请把文件交给系统管理员。"
STALE = "后台任务中断了（服务器重启或任务进程退出）。导入是一个整体事务，没有写入任何数据。请点击“重新校验”或重新上传文件。"
NO_FILE = "上传的文件已不存在，请重新上传。"


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "ledgers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: ImportJob) -> Path:
    return upload_dir() / job.stored_name


def _progress_path(job_id: int) -> Path:
    return upload_dir() / f"job-{job_id}.progress"


def plan_path(job_id: int) -> Path:
    """The validated plan of a job (importer.PlanWriter), kept until the job is committed or fails."""
    return upload_dir() / f"job-{job_id}.plan"


# --- progress and heartbeats ------------------------------------------------------------------------
def _beat(job_id: int, done: int, total: int, *, in_transaction: bool) -> None:
    """Progress of a running job. Outside a transaction it goes on the job row; inside the commit's
    transaction (invisible to other connections until it ends, and holding SQLite's write lock) it
    goes to a small side file that the page reads."""
    if in_transaction:
        _progress_path(job_id).write_text(f"{done} {total}")
        return
    ImportJob.objects.filter(pk=job_id).update(done=done, total=total, heartbeat_at=timezone.now())


def job_progress(job: ImportJob) -> tuple[int, int, dt.datetime | None]:
    """(done, total, last heartbeat) of a job, from its row or its side file, whichever is newer."""
    done, total, beat = job.done, job.total, job.heartbeat_at
    p = _progress_path(job.pk)
    try:
        stat = p.stat()
        file_time = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
        if beat is None or file_time > beat:
            d, t = p.read_text().split()
            done, total, beat = int(d), int(t), file_time
    except (OSError, ValueError):
        pass
    return done, total, beat


def job_check_alive(job: ImportJob, *, now: dt.datetime | None = None) -> ImportJob:
    """A running job without a heartbeat for STALE_SECONDS has lost its worker: mark it failed."""
    if job.status not in ImportJob.RUNNING:
        return job
    now = now or timezone.now()
    _done, _total, beat = job_progress(job)
    if beat is not None and (now - beat).total_seconds() < STALE_SECONDS:
        return job
    try:
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=S.FAILED, message=STALE, finished_at=now)
    except OperationalError:  # the database is busy (a commit holds the write lock): it is alive after all
        return job
    job.refresh_from_db()
    return job


# --- jobs ------------------------------------------------------------------------------------------
def _enqueue(job: ImportJob, kind: str) -> None:
    from . import tasks

    task = tasks.validate_import if kind == "validate" else tasks.commit_import
    result = task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def job_create(*, actor: User, name: str, chunks: Iterable[bytes], enqueue: bool = True) -> ImportJob:
    """Store an upload and queue its validation. Only writer roles may import."""
    require_writer(actor)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ServiceError(WRONG_SUFFIX, "file")
    stored = f"{uuid.uuid4().hex}{suffix}"
    path = upload_dir() / stored
    size = 0
    with path.open("wb") as f:
        for chunk in chunks:
            size += len(chunk)
            if size > reader.MAX_BYTES:
                break  # the job is rejected at validation with the size message; no need to keep the rest
            f.write(chunk)
    if size > reader.MAX_BYTES:
        path.write_bytes(b"")
    job = ImportJob.objects.create(user=actor, original_name=name[:255], stored_name=stored, size=size)
    if size > reader.MAX_BYTES:
        ImportJob.objects.filter(pk=job.pk).update(status=S.REJECTED, finished_at=timezone.now(), message=reader.TOO_BIG.format(
            size=size // (1024 * 1024), limit=reader.MAX_BYTES // (1024 * 1024)))
        job.refresh_from_db()
        return job
    if enqueue:
        _enqueue(job, "validate")
        job.refresh_from_db()
    return job


def job_validate(*, job_id: int, today: dt.date | None = None) -> ImportJob:
    """Validate the job's file (the task). Idempotent: only a queued job is validated."""
    updated = ImportJob.objects.filter(pk=job_id, status=S.QUEUED).update(
        status=S.VALIDATING, heartbeat_at=timezone.now(), done=0, total=0, message="")
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not updated:
        return job
    job.issues.all().delete()
    path = job_path(job)
    plan_path(job_id).unlink(missing_ok=True)
    try:
        if not path.exists():
            raise reader.FileRejected(NO_FILE)
        outcome = importer.run_import(
            path, job.original_name, actor=job.user, today=today, plan=plan_path(job_id),
            progress=lambda d, t: _beat(job_id, d, t, in_transaction=False),
        )
    except reader.FileRejected as exc:
        ImportJob.objects.filter(pk=job_id).update(status=S.REJECTED, message=str(exc), finished_at=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    except Exception:
        log.exception("ledger validation failed (job %s)", job_id)
        ImportJob.objects.filter(pk=job_id).update(status=S.FAILED, message=INTERNAL, finished_at=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    ImportIssue.objects.bulk_create(
        [ImportIssue(job_id=job_id, level=i.level, sheet=i.sheet[:100], row=i.row, column=i.column[:100], value=i.value,
                     message=i.message) for i in outcome.issues],
        batch_size=500,
    )
    counts = {**outcome.counts, "errors": outcome.errors, "warnings": outcome.warnings}
    ImportJob.objects.filter(pk=job_id).update(
        status=S.INVALID if outcome.errors else S.READY, counts=counts, changes={"preview": outcome.preview, "sheets": outcome.sheets},
        digest=outcome.digest, finished_at=timezone.now(), message=HAS_ERRORS.format(count=outcome.errors) if outcome.errors else "",
    )
    return ImportJob.objects.get(pk=job_id)


def job_request_commit(*, actor: User, job: ImportJob, enqueue: bool = True) -> ImportJob:
    """The user confirmed the preview: queue the commit."""
    require_writer(actor)
    if job.user_id != actor.pk:
        raise NotPermitted
    updated = ImportJob.objects.filter(pk=job.pk, status=S.READY).update(status=S.COMMIT_QUEUED, done=0, total=0)
    if not updated:
        raise ServiceError(NOT_READY.format(status=job.get_status_display()))
    if enqueue:
        _enqueue(job, "commit")
    job.refresh_from_db()
    return job


def job_retry(*, actor: User, job: ImportJob) -> ImportJob:
    """Validate a failed job's file again (after a worker restart)."""
    require_writer(actor)
    if job.user_id != actor.pk:
        raise NotPermitted
    if not ImportJob.objects.filter(pk=job.pk, status=S.FAILED).update(status=S.QUEUED, message="", done=0, total=0):
        raise ServiceError(NOT_READY.format(status=job.get_status_display()))
    _enqueue(job, "validate")
    job.refresh_from_db()
    return job


class _Rollback(Exception):
    pass


def _commit_outcome(job: ImportJob, today: dt.date | None) -> importer.Outcome:
    """Write the job inside the caller's transaction: its stored plan if usable, else the file
    validated again (the caller then compares digests)."""

    def progress(d: int, t: int) -> None:
        _beat(job.pk, d, t, in_transaction=True)

    try:
        try:
            return importer.commit_plan(plan_path(job.pk), actor=job.user, today=today, digest=job.digest, progress=progress)
        except importer.PlanUnusable:
            log.info("ledger job %s: no usable plan, validating the file again inside the commit", job.pk)
        return importer.run_import(job_path(job), job.original_name, actor=job.user, today=today, write=True,
                                   progress=progress)
    except importer.PlanChanged:
        raise _Rollback(PLAN_CHANGED) from None


def job_commit(*, job_id: int, today: dt.date | None = None) -> ImportJob:
    """Write the job's file in one transaction (the task). Any error, or any difference from the
    previewed plan, rolls everything back and marks the job failed with the reason."""
    updated = ImportJob.objects.filter(pk=job_id, status=S.COMMIT_QUEUED).update(
        status=S.COMMITTING, heartbeat_at=timezone.now(), done=0, total=0)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not updated:
        return job
    _progress_path(job_id).unlink(missing_ok=True)
    message = ""
    try:
        require_writer(job.user)
        with transaction.atomic():
            outcome = _commit_outcome(job, today)
            if outcome.errors:
                raise _Rollback(HAS_ERRORS.format(count=outcome.errors))
            if outcome.digest != job.digest:
                raise _Rollback(PLAN_CHANGED)
            counts = {**outcome.counts, "errors": 0, "warnings": outcome.warnings}
            audit_record(actor=job.user, action="ledgers.import", target=job, changes={k: [None, v] for k, v in counts.items()},
                         reason=job.original_name)
            # The job's own status changes in the same transaction as the data it describes.
            rows = sum(s["rows"] for s in outcome.sheets)
            ImportJob.objects.filter(pk=job_id).update(status=S.COMMITTED, counts=counts, finished_at=timezone.now(),
                                                       done=rows, total=rows, message="")
    except _Rollback as exc:
        message = str(exc)
    except reader.FileRejected as exc:
        message = str(exc)
    except NotPermitted:
        message = "您没有导入权限。"
    except Exception:
        log.exception("ledger commit failed (job %s)", job_id)
        message = INTERNAL
    finally:
        _progress_path(job_id).unlink(missing_ok=True)
        plan_path(job_id).unlink(missing_ok=True)  # committed, or failed: a retry validates afresh
    if message:
        ImportJob.objects.filter(pk=job_id).update(status=S.FAILED, message=message, finished_at=timezone.now())
    return ImportJob.objects.get(pk=job_id)


def import_file(*, actor: User, path: Path, name: str = "", commit: bool = True, today: dt.date | None = None) -> ImportJob:
    """Import a file as ``actor`` without the web layer or the worker (benchmarks, scripts): the
    same job, validation and one-transaction commit the page runs, synchronously."""
    name = name or path.name
    require_writer(actor)
    stored = f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    shutil.copyfile(path, upload_dir() / stored)
    job = ImportJob.objects.create(user=actor, original_name=name, stored_name=stored, size=path.stat().st_size)
    job = job_validate(job_id=job.pk, today=today)
    if commit and job.status == S.READY:
        job_request_commit(actor=actor, job=job, enqueue=False)
        job = job_commit(job_id=job.pk, today=today)
    return job


def job_error_copy(job: ImportJob, out: Path) -> tuple[Path, str]:
    """Write the uploaded file with an added errors column (the first importable sheet with errors,
    or the first sheet). Returns (path, download name)."""
    path = job_path(job)
    kind = reader.sniff(path, job.original_name)
    sheets = reader.open_ledger(path, job.original_name)
    issues = list(job.issues.filter(level=ImportIssue.ERROR).values_list("sheet", "row", "column", "message"))
    with_errors = {s for s, *_ in issues}
    sheet = next((s for s in sheets if s.name in with_errors), sheets[0])
    errors: dict[int, list[str]] = {}
    for s, row, column, message in issues:
        if s == sheet.name and row:
            errors.setdefault(row, []).append(f"{column}：{message}" if column else message)
    fmt = "csv" if kind == "csv" else "xlsx"
    target = out.with_suffix(f".{fmt}")
    exporter.write_annotated(reader.iter_all_rows(path, kind, sheet.name), errors, sheet.header_row, target, fmt, sheet.name)
    return target, f"{Path(job.original_name).stem}-错误信息.{fmt}"


# --- exports ---------------------------------------------------------------------------------------
def _check_reader(actor: User, org: Org) -> None:
    if actor.role not in ORG_ROLES or not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def export_roster(*, actor: User, org: Org, as_of: dt.date, column_set: str, fmt: str, path: Path, full: bool = False) -> int:
    """Write the roster of ``org``'s subtree on ``as_of`` to ``path``. Full ID numbers and phones
    only on request, for a user who may see the organization; each such export is an audit event
    (written in the same transaction, so an export that fails leaves no audit row behind)."""
    _check_reader(actor, org)
    cs = rules.COLUMN_SETS[column_set]
    if cs.entity != "members" or fmt not in ("xlsx", "csv"):
        raise ValueError(column_set)
    with transaction.atomic():
        n = exporter.export_roster(actor, org, as_of=as_of, column_set=cs, fmt=fmt, path=path, full=full)
        if full:
            audit_record(actor=actor, action="ledgers.export.full", org=org, target=org,
                         changes={"members": [None, n], "as_of": [None, as_of.isoformat()], "columns": [None, cs.label]},
                         reason="导出含完整公民身份号码和手机号码的花名册")
    return n


def export_orgs(*, actor: User, org: Org, fmt: str, path: Path) -> int:
    _check_reader(actor, org)
    return exporter.export_orgs(actor, org, fmt=fmt, path=path)


def job_summary(job: ImportJob) -> dict[str, Any]:
    done, total, _beat_at = job_progress(job)
    percent = min(100, int(done * 100 / total)) if total else (100 if job.status in (S.COMMITTED, S.READY, S.INVALID) else 0)
    return {"done": done, "total": total, "percent": percent}

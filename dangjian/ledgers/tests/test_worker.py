"""With the production task backend (database queue): an upload waits for the worker, the page says
so, and the worker's steps (claim, call, record) validate and commit the job."""

import pytest
from django.test import override_settings
from django.urls import reverse

from dangjian.ledgers.models import ImportJob
from dangjian.members.models import Member
from dangjian.testing import PASSWORD

from .conftest import write_xlsx
from .test_bad_files import HEADER, good_row

pytestmark = pytest.mark.django_db
S = ImportJob.Status
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def reset_backends():
    from asgiref.local import Local
    from django_tasks import task_backends

    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


def work():
    """What the worker does with each ready task (its loop also closes connections, which the test's
    transaction cannot survive, so the claim → call → result steps run here directly)."""
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.ready():
        result.claim("test-worker")
        value = result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.set_successful(value)


def test_jobs_run_on_the_database_queue(client, tree, tmp_path):
    with override_settings(TASKS=DB_TASKS):
        reset_backends()
        try:
            assert client.login(username="town_a", password=PASSWORD)
            path = write_xlsx(tmp_path / "w.xlsx", {"党员": [HEADER, good_row(71)]})
            with path.open("rb") as f:
                client.post(reverse("ledgers:upload"), {"file": f})
            job = ImportJob.objects.get()
            assert job.status == S.QUEUED and job.task_id
            assert "等待后台任务进程处理" in client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
            work()
            job.refresh_from_db()
            assert job.status == S.READY, job.message
            client.post(reverse("ledgers:job_commit", args=[job.pk]))
            job.refresh_from_db()
            assert job.status == S.COMMIT_QUEUED
            work()
            job.refresh_from_db()
            assert job.status == S.COMMITTED, job.message
            assert Member.objects.filter(name="张三").exists()
        finally:
            reset_backends()
    reset_backends()

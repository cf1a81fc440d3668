"""Background work of imports (django-tasks; the database backend's worker runs them, the tests'
ImmediateBackend runs them at once)."""

from __future__ import annotations

from django_tasks import task

from dangjian.ledgers import services


@task()
def validate_import(job_id: int) -> str:
    return str(services.job_validate(job_id=job_id).status)


@task()
def commit_import(job_id: int) -> str:
    return str(services.job_commit(job_id=job_id).status)

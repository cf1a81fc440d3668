"""Reads of import jobs: a job is its uploader's alone (404 for anyone else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.models import User
from dangjian.ledgers.models import ImportIssue, ImportJob
from dangjian.ledgers.services import job_check_alive


def jobs_for(actor: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(user=actor)


def job_get(actor: User, pk: int | str) -> ImportJob:
    """The job if it is ``actor``'s, checked for a lost worker (then marked failed)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = jobs_for(actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job_check_alive(job)


def job_issues(actor: User, job: ImportJob) -> QuerySet[ImportIssue]:
    job_get(actor, job.pk)
    return job.issues.all()

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


AUDIT_IMMUTABLE = "审计记录不可修改或删除。"


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(AUDIT_IMMUTABLE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(AUDIT_IMMUTABLE)


class AuditEvent(models.Model):
    """One write, or one full view of personal data. Append-only: the model refuses updates and
    deletes, and database triggers (migration 0002) refuse them from any other path too."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(AUDIT_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(AUDIT_IMMUTABLE)


class KeyCheck(models.Model):
    """Fingerprint of the data keys in use when the database was first written (see common.crypto)."""

    fingerprint = models.CharField(max_length=64)
    sample = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class PlatformSetting(models.Model):
    """A county's value for a configurable rule parameter (the reference's UNCONFIRMED numbers, local
    choices). Defaults and labels live in code (common.settings_registry); a row exists only once a
    county administrator has changed the value."""

    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class HolidaySchedule(models.Model):
    """The State Council's holiday arrangement (放假安排) for a year the installed chinese-calendar does
    not cover yet, recorded by a county administrator from the published notice so that working days can
    be counted on an offline intranet before the package is updated (common.workdays). The package wins
    for the years it covers."""

    year = models.PositiveSmallIntegerField(unique=True)
    holidays = models.JSONField()  # ISO dates, sorted
    makeup_workdays = models.JSONField()  # 调休上班日, ISO dates, sorted
    basis = models.CharField(max_length=200)  # the notice's number or title
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年放假安排"

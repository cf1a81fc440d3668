from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One upload of a ledger file and its way through validation, preview and commit. The job row
    is the page's state: it survives reloads and restarts; a job whose worker died is marked failed
    (and since the commit is one transaction, nothing of it was written)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队等待校验"
        VALIDATING = "validating", "正在校验"
        INVALID = "invalid", "校验未通过"
        READY = "ready", "校验通过，等待确认导入"
        COMMIT_QUEUED = "commit_queued", "排队等待导入"
        COMMITTING = "committing", "正在导入"
        COMMITTED = "committed", "导入完成"
        FAILED = "failed", "失败"
        REJECTED = "rejected", "文件无法读取"

    RUNNING = (Status.VALIDATING, Status.COMMITTING)
    WAITING = (Status.QUEUED, Status.COMMIT_QUEUED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField("说明", blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True, help_text="预览：变更明细（前若干条）")
    digest = models.CharField(max_length=64, blank=True, help_text="校验结果的摘要；确认导入时必须一致")
    task_id = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))


class ImportIssue(models.Model):
    """One error or warning of a validation: where (sheet, row, column), the value, how to fix it."""

    ERROR, WARNING = "error", "warning"
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    level = models.CharField(max_length=8, choices=[(ERROR, "错误"), (WARNING, "提示")])
    sheet = models.CharField("工作表", max_length=100, blank=True)
    row = models.PositiveIntegerField("行", null=True, blank=True)
    column = models.CharField("列", max_length=100, blank=True)
    value = models.CharField("内容", max_length=200, blank=True)
    message = models.TextField("说明")

    class Meta:
        ordering = ["id"]

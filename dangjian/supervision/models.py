"""督办 (supervision tasks): a Task issued by an organization, one Item per receiver and period, the
Item's history (ItemEvent: acknowledged, progress, submitted, returned, accepted, cascaded) and the
Evidence files of its submissions. Data only: the lights are ``rules.light``, every write is in
services.py.

Status and the dates on Item are a cache written only by the services when an event is recorded,
so lists and the board filter and aggregate in SQL; nobody types them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from dangjian.supervision import rules

RECURRENCE_CHOICES = list(rules.RECURRENCE_LABELS.items())
STATUS_CHOICES = list(rules.STATUS_LABELS.items())
EVENT_CHOICES = list(rules.EVENT_LABELS.items())


class Task(models.Model):
    """督办任务. A cascaded task (转办) has ``parent_item``: the item of the higher task it passes on."""

    issuer = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="supervision_tasks_issued",
                               verbose_name="交办党组织")
    title = models.CharField("任务名称", max_length=200)
    basis = models.CharField("依据文号", max_length=100, blank=True)
    actions = models.TextField("规定动作", blank=True, help_text="每行一项")
    evidence_required = models.TextField("佐证材料要求", blank=True)
    deadline = models.DateField("完成时限（首期）")
    recurrence = models.CharField("周期", max_length=16, choices=RECURRENCE_CHOICES, default=rules.ONCE)
    recur_until = models.DateField("周期截止日期", null=True, blank=True)
    responsible_leader = models.CharField("责任领导", max_length=50, blank=True)
    liaison_leader = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="supervision_tasks_liaison", verbose_name="包联领导")
    parent_item = models.ForeignKey("Item", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="child_tasks", verbose_name="转办自")
    issued_on = models.DateField("交办日期")
    # The county-level organization: the distribution column on the Citus path.
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督办任务"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.actions.splitlines() if line.strip()]


class Item(models.Model):
    """One receiver's part of a task for one period (每个接收对象每期一条)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="items")
    receiver_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="supervision_items",
                                     verbose_name="承办党组织")
    # A named person as receiver; receiver_org is then their home organization (scope follows it).
    receiver_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="supervision_items", verbose_name="承办人")
    period = models.CharField("期次", max_length=30, blank=True)
    deadline = models.DateField("完成时限", db_index=True)

    # --- cache written by the services with each event; never typed ---
    status = models.CharField("状态", max_length=16, choices=STATUS_CHOICES, default=rules.ASSIGNED, db_index=True)
    acknowledged_on = models.DateField("签收日期", null=True)
    submitted_on = models.DateField("最近报送日期", null=True)
    accepted_on = models.DateField("验收通过日期", null=True)
    returned_count = models.PositiveIntegerField("退回次数", default=0)
    cascaded = models.BooleanField("已转办", default=False)

    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "督办事项"
        ordering = ["deadline", "receiver_org__path", "id"]
        indexes = [models.Index(fields=["receiver_org", "deadline"])]

    def __str__(self) -> str:
        who = self.receiver_user or self.receiver_org
        return f"{self.task.title}（{who}{'，' + self.period if self.period else ''}）"


class ItemEvent(models.Model):
    """The history of an item: who did what on which day, with the text (progress, evidence note,
    the reason of a return)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=EVENT_CHOICES)
    date = models.DateField("日期")
    text = models.TextField("内容", blank=True)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


def evidence_path(instance: Evidence, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"supervision/{instance.item_id}/{uuid.uuid4().hex}.{ext}"


class Evidence(models.Model):
    """A file or photo of a submission, its type checked by content. Under MEDIA_ROOT, served only
    through a scoped view."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence")
    event = models.ForeignKey(ItemEvent, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    file_type = models.CharField("类型", max_length=10)
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.file_type in rules.IMAGE_FILE_TYPES

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("佐证材料不能删除。")

"""Organizational life: meetings of every kind with their attendance, photos and attachments;
training sessions and their attendees; committee posts (who must reach 56 class hours).

Data only: every rule is in rules.py, every write in services.py. The large tables carry ``county``
(the county-level organization), the distribution column on the Citus path; attendance rows carry
the county of the meeting they belong to.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from dangjian.orglife import rules

KIND_CHOICES = list(rules.KIND_LABELS.items())
ATTENDANCE_CHOICES = list(rules.ATTENDANCE_LABELS.items())
GRADE_CHOICES = list(rules.GRADE_LABELS.items())
POST_CHOICES = list(rules.POST_LABELS.items())
FILE_PURPOSE_CHOICES = list(rules.FILE_PURPOSE_LABELS.items())


class Meeting(models.Model):
    """One meeting: 支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员 or 谈心谈话.

    ``org`` holds it (a branch, general branch, primary committee, or a 党小组); ``branch`` is the
    organization whose roster attends and whose compliance it counts for: the org itself, or for a
    党小组 its parent branch."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="meetings", verbose_name="召开党组织")
    branch = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所属党支部")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("会议类型", max_length=32, choices=KIND_CHOICES)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.CharField("主持人", max_length=50, blank=True)
    recorder = models.CharField("记录人", max_length=50, blank=True)
    topic = models.CharField("主题", max_length=200)
    group_name = models.CharField("党小组名称", max_length=100, blank=True, help_text="党支部直接记录的党小组会")
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    decisions = models.TextField("决定事项", blank=True)
    counts_as_study = models.BooleanField("计入学习学时", default=False)
    duration_hours = models.DecimalField("时长（小时）", max_digits=4, decimal_places=1, null=True, blank=True)
    recorded_hours = models.DecimalField("记录学时", max_digits=4, decimal_places=1, null=True, blank=True)
    # The class hours each member present is credited, by the crediting rule in force when recorded.
    credited_hours = models.DecimalField("计入学时", max_digits=4, decimal_places=1, default=0)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "会议"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["branch", "date", "kind"]),
            models.Index(fields=["org", "date"]),
            models.Index(fields=["county", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.topic}"


class Attendance(models.Model):
    """One member at one meeting: present, or absent with or without reason. A mobile member who
    attends at the organization where they are is recorded on that meeting as a guest
    (``is_guest``), and it counts for them (R5.4). ``grade``: 民主评议党员 only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="orglife_attendance")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")  # the meeting's date, so a member's months are one indexed range
    status = models.CharField("出席情况", max_length=20, choices=ATTENDANCE_CHOICES)
    note = models.CharField("说明", max_length=200, blank=True)
    is_guest = models.BooleanField("流动党员参会", default=False)
    grade = models.CharField("评议等次", max_length=20, choices=GRADE_CHOICES, blank=True)
    class_hours = models.DecimalField("学时", max_digits=4, decimal_places=1, default=0)

    class Meta:
        verbose_name = "出席情况"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="orglife_attendance_once")]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_status_display()}"


def upload_path(instance: MeetingFile, filename: str) -> str:
    # A random name keeps users' file names (which may hold personal data) out of paths and URLs.
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"orglife/{instance.meeting.date:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class MeetingFile(models.Model):
    """A photo or an attachment of a meeting. Under MEDIA_ROOT, served only through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("类别", max_length=20, choices=FILE_PURPOSE_CHOICES)
    file = models.FileField("文件", upload_to=upload_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    file_type = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议照片或附件"
        ordering = ["purpose", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.file_type in rules.IMAGE_TYPES.values()


class TrainingSession(models.Model):
    """集中培训 or 学习 that credits class hours to each attendee (R5.1)."""

    KIND_CHOICES = [("training", "集中培训"), ("study", "集中学习"), ("online", "网络培训")]

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="trainings", verbose_name="举办党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES, default="training")
    title = models.CharField("名称", max_length=200)
    date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    place = models.CharField("地点", max_length=200, blank=True)
    organizer = models.CharField("承办单位", max_length=200, blank=True)
    days = models.DecimalField("整天数", max_digits=4, decimal_places=1, default=0)
    half_days = models.PositiveSmallIntegerField("半天数", default=0)
    hours = models.DecimalField("按小时计的学习时长", max_digits=5, decimal_places=1, default=0)
    credited_hours = models.DecimalField("计入学时", max_digits=5, decimal_places=1)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "date"]), models.Index(fields=["county", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendees")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="orglife_trainings")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")  # the session's first day: the year its hours count for
    class_hours = models.DecimalField("学时", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "参训党员"
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="orglife_training_once")]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.class_hours}"


class CommitteePost(models.Model):
    """A member's post on an organization's committee (书记, 副书记, 委员...) with its dates: whoever
    held one on any day of a year has the 56-hour target that year (R5.1)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="committee_posts", verbose_name="党组织")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="committee_posts")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=20, choices=POST_CHOICES)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "支委职务"
        ordering = ["org", "started_on", "id"]
        indexes = [models.Index(fields=["member", "started_on"])]

    def __str__(self) -> str:
        return f"{self.get_post_display()}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("任职记录不能删除，只能登记离任。")

"""Weak and lax organizations (软弱涣散整顿): one Case per organization and year, the Findings that put
it there (each criterion with its facts and links to the records), its Plan ("四定一包"), Milestones,
ProgressReports, Acceptances and the files behind them; and the yearly SatisfactionSurvey the township
or county enters (E6.12). Data only: rules in rules.py, every write in services.py.

Every table carries ``county`` (the county-level organization), the distribution column on the Citus
path. Cases are scoped through their organization's path.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from dangjian.rectification import rules

STATUS_CHOICES = list(rules.STATUS_LABELS.items())
CRITERION_CHOICES = list(rules.CRITERION_LABELS.items())
CATEGORY_CHOICES = list(rules.CATEGORY_LABELS.items())
RESULT_CHOICES = list(rules.RESULT_LABELS.items())


class Case(models.Model):
    """An organization's rectification case in a year: candidate → confirmed → rectifying → accepted,
    or dismissed. ``confirming_org`` is the level that confirmed it (county or township): acceptance is
    theirs to do."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="rectification_cases", verbose_name="党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=16, choices=STATUS_CHOICES, default=rules.CANDIDATE, db_index=True)
    identified_on = models.DateField("列为候选日期")
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirming_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name="确认的党组织")
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dismissed_on = models.DateField("排除日期", null=True, blank=True)
    dismiss_reason = models.CharField("排除理由", max_length=500, blank=True)
    accepted_on = models.DateField("验收通过日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "软弱涣散整顿"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="rectification_one_case_per_year")]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["county", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.org}"

    @property
    def status_css(self) -> str:
        return rules.STATUS_CSS[self.status]


class Finding(models.Model):
    """One reason the organization is a candidate: a record-based criterion with the facts as found
    (kept as they were on the day, even if the records change later) and links to those records, or a
    manual nomination with its reason."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="findings")
    criterion = models.CharField("认定依据", max_length=32, choices=CRITERION_CHOICES)
    category = models.CharField("情形类别", max_length=4, choices=CATEGORY_CHOICES, blank=True)
    facts = models.TextField("事实")
    links = models.JSONField("相关记录", default=list, blank=True)  # [[label, url], ...]
    found_on = models.DateField("日期")
    found_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "认定依据"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "criterion"], condition=~models.Q(criterion="manual"),
                                               name="rectification_finding_once")]

    def __str__(self) -> str:
        return self.get_criterion_display()


class Plan(models.Model):
    """整顿方案 with the "四定一包": 定人, 定责, 定目标, 定奖惩 and 包 (the leader who owns the
    turnaround: an account, so the case lands in their work queue, plus name and post as written)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField("方案制定日期")
    responsible_person = models.CharField("定人（整顿责任人）", max_length=100)
    responsibility = models.TextField("定责（整顿责任）")
    goal = models.TextField("定目标（整顿目标）")
    reward_penalty = models.TextField("定奖惩（奖惩措施）")
    leader = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="rectification_plans",
                               verbose_name="包联领导（账号）")
    leader_name = models.CharField("包联领导姓名", max_length=50)
    leader_post = models.CharField("包联领导职务", max_length=100)
    deadline = models.DateField("整顿期限")
    measures = models.TextField("主要措施", blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整顿方案"


class Milestone(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="milestones")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("节点任务", max_length=200)
    due = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("完成情况", max_length=500, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "整顿节点"
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["done_on", "due"])]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="progress_reports")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("报告日期")
    text = models.TextField("整顿进展")
    reported_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整顿进展"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} 整顿进展"


class Acceptance(models.Model):
    """验收: passed ends the case (accepted); not passed keeps it rectifying until a later acceptance."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="acceptances")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("验收日期")
    accepted_by = models.CharField("验收组织（人员）", max_length=200)
    result = models.CharField("验收结果", max_length=16, choices=RESULT_CHOICES)
    notes = models.TextField("验收意见", blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "验收"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_result_display()}"


def file_path(instance: RectificationFile, filename: str) -> str:
    # A random name keeps users' file names (which may hold personal data) out of paths and URLs.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"rectification/{instance.case_id}/{uuid.uuid4().hex}.{ext}"


class RectificationFile(models.Model):
    """A file of a progress report or an acceptance, its type checked by content; under MEDIA_ROOT,
    served only through a scoped view."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="files")
    progress = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    acceptance = models.ForeignKey(Acceptance, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField("文件", upload_to=file_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    file_type = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整顿材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("整顿材料不能删除。")


class SatisfactionSurvey(models.Model):
    """年度群众满意度测评 of one organization (E6.12: below 60% is a criterion), entered by the
    township or county: how many took part, how many were satisfied, how it was done, when."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="satisfaction_surveys",
                            verbose_name="党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("测评日期")
    respondents = models.PositiveIntegerField("参加测评人数")
    satisfied = models.PositiveIntegerField("满意（含基本满意）人数")
    method = models.CharField("测评方式（来源）", max_length=200)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "群众满意度测评"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="rectification_one_survey_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年群众满意度测评"

    @property
    def percent(self) -> Any:
        return rules.satisfaction_percent(self.satisfied, self.respondents)

"""考核: a Scheme (one owner, one year, one kind of organization assessed) with its tree of Nodes
(areas → items → sub-items), one Result per assessed organization with an ItemScore per leaf,
evidence files (AssessFile), Inspections (日常督查) and Evaluations (述职评议). Data only: rules are in
rules.py, every write in services.py.

A scheme is run once (its year): the "round" is the scheme's life draft → active → final → published →
closed. Final scores are frozen on the ItemScore rows with their explanation and the records they came
from (``trace``), so past years stay readable and unchanged when the records or the rules change.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from dangjian.assessment import rules

KIND_CHOICES = list(rules.KIND_LABELS.items())
STATUS_CHOICES = list(rules.SCHEME_STATUS_LABELS.items())
RESULT_STATUS_CHOICES = list(rules.RESULT_STATUS_LABELS.items())
METHOD_CHOICES = list(rules.METHOD_LABELS.items())
SOURCE_CHOICES = list(rules.SOURCE_LABELS.items())
REVIEW_CHOICES = list(rules.REVIEW_LABELS.items())


def file_path(instance: AssessFile, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"assessment/{instance.scheme_id}/{uuid.uuid4().hex}.{ext}"


class Scheme(models.Model):
    """考核方案."""

    owner = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="assessment_schemes",
                              verbose_name="制定单位")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    name = models.CharField("方案名称", max_length=200)
    kind = models.CharField("考核对象", max_length=20, choices=KIND_CHOICES)
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=rules.DRAFT, db_index=True)
    bands = models.JSONField("等次", default=list)  # [[label, minimum], ...] best first
    review_level = models.CharField("审核单位", max_length=12, choices=REVIEW_CHOICES, default=rules.REVIEW_OWNER)
    notice_days = models.PositiveSmallIntegerField("公示天数", default=5)
    self_due = models.DateField("自评截止日期", null=True, blank=True)
    review_due = models.DateField("审核截止日期", null=True, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    finalized_on = models.DateField("定分日期", null=True, blank=True)
    closed_on = models.DateField("归档日期", null=True, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "考核方案"
        ordering = ["-year", "owner__path", "pk"]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class Node(models.Model):
    """A node of the scheme's tree: level 1 考核内容 (area), 2 考核项目 (item), 3 考核细则 (sub-item).
    Leaves carry the points, the method and the data source; inner nodes add up their leaves."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField("层级", default=1)
    order = models.PositiveIntegerField("顺序", default=0)
    title = models.CharField("名称", max_length=200)
    standard = models.TextField("评分标准", blank=True)
    max_points = models.DecimalField("分值", default=0, max_digits=7, decimal_places=2)
    method = models.CharField("计分方法", max_length=16, choices=METHOD_CHOICES, default=rules.M_MANUAL)
    source = models.CharField("数据来源", max_length=16, choices=SOURCE_CHOICES, default=rules.SRC_MANUAL)
    indicator = models.CharField("平台指标", max_length=40, blank=True)
    params = models.JSONField("计分参数", default=dict, blank=True)

    class Meta:
        verbose_name = "考核项目"
        ordering = ["scheme", "level", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Result(models.Model):
    """One assessed organization in a scheme: its status through self-assessment and review, and
    (once final) its total, place and grade, frozen."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="results")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="assessment_results")
    status = models.CharField("状态", max_length=12, choices=RESULT_STATUS_CHOICES, default=rules.R_PENDING)
    submitted_on = models.DateField("自评提交日期", null=True, blank=True)
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField("总分", null=True, blank=True, max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    of_total = models.PositiveIntegerField("参评单位数", null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "考核结果"
        constraints = [models.UniqueConstraint(fields=["scheme", "org"], name="assessment_one_result_per_org")]

    def __str__(self) -> str:
        return f"{self.scheme}：{self.org}"


class ItemScore(models.Model):
    """One leaf item of one result: the self-assessed and reviewed raw values, and the frozen final."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="items")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="scores")
    self_value = models.DecimalField("自评", null=True, blank=True, max_digits=7, decimal_places=2)
    self_note = models.TextField("自评说明", blank=True)
    review_value = models.DecimalField("审核", null=True, blank=True, max_digits=7, decimal_places=2)
    review_reason = models.CharField("调整理由", max_length=500, blank=True)
    raw_value = models.DecimalField("计分数值", null=True, blank=True, max_digits=7, decimal_places=2)
    final_score = models.DecimalField("得分", null=True, blank=True, max_digits=7, decimal_places=2)
    veto = models.BooleanField(default=False)
    explanation = models.TextField("计算说明", blank=True)
    trace = models.JSONField("数据来源记录", default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "node"], name="assessment_one_score_per_item")]


class Inspection(models.Model):
    """日常督查: an inspector's scored visit to an assessed organization."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField("督查日期")
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="督查人")
    notes = models.TextField("督查情况", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "日常督查"
        ordering = ["date", "pk"]


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)


class Evaluation(models.Model):
    """述职评议 of one assessed organization for one evaluation item."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="evaluations")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("评议日期")
    notes = models.TextField("说明", blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "述职评议"


class EvaluationGroup(models.Model):
    """One voter group (e.g. 县委全会 24 points, 本单位 16 points) with its ballots counted per grade."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("评议群体", max_length=50)
    weight = models.DecimalField("分值（权重）", max_digits=7, decimal_places=2)
    good = models.PositiveIntegerField("好", default=0)
    fair = models.PositiveIntegerField("较好", default=0)
    average = models.PositiveIntegerField("一般", default=0)
    poor = models.PositiveIntegerField("差", default=0)

    def counts(self) -> dict[str, int]:
        return {"good": self.good, "fair": self.fair, "average": self.average, "poor": self.poor}


class AssessFile(models.Model):
    """Evidence of a self-assessment (or a photo of an inspection), its type checked by content. Under
    MEDIA_ROOT, served only through the scoped download view."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="files")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("文件", upload_to=file_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    file_type = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("考核佐证材料不删除。")

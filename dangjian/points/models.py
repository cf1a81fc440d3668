"""Member points (积分) and star ratings (评星定级); branch star ratings (村党组织评星定级, E6.5).

Data only: rules in points.rules, writes in points.services. Every entry of a member's year is a row
(automatic credits linked to the record they came from, so every number can be traced); the year's
result is a snapshot (MemberRating) written by the year-end rating, and a quarter's posting keeps the
scores as posted. Large tables carry ``county`` (the distribution column on the Citus path).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from dangjian.points import rules

KIND_CHOICES = list(rules.KIND_LABELS.items())
SOURCE_CHOICES = list(rules.SOURCE_LABELS.items())
ENTRY_STATUS_CHOICES = list(rules.ENTRY_STATUS_LABELS.items())
OBJECTION_STATUS_CHOICES = list(rules.OBJECTION_STATUS_LABELS.items())
CATEGORY_CHOICES = list(rules.BRANCH_CATEGORIES.items())
RATING_STATUS_CHOICES = list(rules.RATING_STATUS_LABELS.items())


def score_field(label: str, **kw: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=1, **kw)


class PointsScheme(models.Model):
    """积分方案 of one organization (a county, a township or a branch) for one year. The nearest scheme
    up the tree applies to a member (rules.applicable_owner)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="制定方案的党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("方案名称", max_length=200)
    template = models.CharField("参照模板", max_length=10, blank=True)
    base_points = score_field("基础分")
    total_cap = score_field("总分上限", null=True, blank=True)
    carry_over_percent = models.DecimalField("上年总分结转比例（%）", max_digits=5, decimal_places=1, default=0)
    bands = models.JSONField("星级分数线（一星至五星最低分）", default=list)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "党员积分方案"
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="points_scheme_one_per_org_year")]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class PointsItem(models.Model):
    """An item that adds or deducts points per occurrence (or is a 一票否决 item), with its yearly cap."""

    scheme = models.ForeignKey(PointsScheme, on_delete=models.PROTECT, related_name="items")
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("类别", max_length=10, choices=KIND_CHOICES)
    points = score_field("每次分值", default=0)
    yearly_cap = score_field("单项年度上限", null=True, blank=True)
    evidence_required = models.BooleanField("须附证明材料", default=False)
    source = models.CharField("计分方式", max_length=20, choices=SOURCE_CHOICES, default=rules.MANUAL)
    meeting_kinds = models.CharField("计分的会议类型", max_length=200, blank=True, help_text="空表示各类组织生活")
    beyond_total_cap = models.BooleanField("不受总分上限", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "积分项目"
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return self.name


class PointsEntry(models.Model):
    """One addition, deduction or veto in a member's year. Automatic credits carry the record they came
    from (``source_type``/``source_id``: an attendance, a dues month, a training attendance) and are unique
    per item and record, so crediting again adds nothing."""

    scheme = models.ForeignKey(PointsScheme, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(PointsItem, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="points_entries")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    quantity = models.DecimalField("次数/学时", max_digits=7, decimal_places=1, default=1)
    points = score_field("分值")  # signed: negative for a deduction
    reason = models.CharField("事由", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=ENTRY_STATUS_CHOICES, default=rules.PENDING, db_index=True)
    source_type = models.CharField("来源", max_length=20, blank=True)
    source_id = models.PositiveBigIntegerField("来源记录", null=True, blank=True)
    entered_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("审核日期", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "积分记录"
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member", "source_type", "source_id"], condition=~Q(source_type=""),
                                    name="points_entry_once_per_source"),
        ]
        indexes = [models.Index(fields=["member", "date"]), models.Index(fields=["org", "date"]),
                   models.Index(fields=["county", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.item}（{self.points}）"


def evidence_path(instance: PointsEvidence, filename: str) -> str:
    # A random name keeps users' file names (which may hold personal data) out of paths and URLs.
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"points/{instance.entry_id}/{uuid.uuid4().hex}.{ext}"


class PointsEvidence(models.Model):
    """证明材料 of a manual entry; content-checked on upload, served only through a scoped view."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="evidence")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    file_type = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分证明材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Posting(models.Model):
    """季度公示: a branch posts its members' scores up to a quarter's end; ``rows`` is the snapshot as
    posted (member id, name, base, adds, deducts, total, stars). Objections run until ``ends_on``."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="公示党支部")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    posted_on = models.DateField("公示日期")
    ends_on = models.DateField("异议截止日期")
    rows = models.JSONField("公示内容", default=list)
    posted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "积分季度公示"
        ordering = ["-year", "-quarter", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "quarter"], name="points_posting_once")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度积分公示"


class Objection(models.Model):
    """异议 of a member against a posting (optionally naming one entry). Upheld → the entry is corrected
    (audited); rejected → with a reason."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="objections")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="objections")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("异议理由", max_length=500)
    filed_on = models.DateField("提出日期")
    filed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("处理结果", max_length=10, choices=OBJECTION_STATUS_CHOICES, default=rules.OPEN,
                              db_index=True)
    response = models.CharField("处理意见", max_length=500, blank=True)
    corrected_points = score_field("更正后分值", null=True, blank=True)
    handled_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_on = models.DateField("处理日期", null=True, blank=True)

    class Meta:
        verbose_name = "积分公示异议"
        ordering = ["filed_on", "id"]

    def __str__(self) -> str:
        return f"{self.filed_on} 异议（{self.get_status_display()}）"


class MemberRating(models.Model):
    """年终评星定级 of one member: the year's total and stars as rated (a snapshot; rating again replaces
    it, audited). Roll-ups by stars are SQL counts over these rows."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="points_ratings")
    scheme = models.ForeignKey(PointsScheme, on_delete=models.PROTECT, related_name="ratings")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    base = score_field("基础分")
    adds = score_field("加分")
    deducts = score_field("扣分")
    total = score_field("年度积分")
    vetoed = models.BooleanField("一票否决", default=False)
    stars = models.PositiveSmallIntegerField("星级", help_text="0 表示不合格")
    rated_on = models.DateField("评定日期")
    rated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "党员年度星级"
        ordering = ["org", "-total", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="points_rating_once_a_year")]
        indexes = [models.Index(fields=["org", "year"]), models.Index(fields=["county", "year"])]

    def __str__(self) -> str:
        return f"{self.year} {rules.STAR_LABELS[self.stars]}"


class BranchRating(models.Model):
    """党组织评星定级 (E6.5, branch variant): the branch ``org`` is rated by ``rater`` (its township or the
    county) for a year; starts at 100, every line adds or deducts; finalized into stars by ``bands``."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="被评定党组织")
    rater = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="评定的上级党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    bands = models.JSONField("星级分数线", default=list)
    status = models.CharField("状态", max_length=10, choices=RATING_STATUS_CHOICES, default=rules.RATING_OPEN)
    score = score_field("得分", null=True, blank=True)
    stars = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    rated_on = models.DateField("定级日期", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "党组织评星定级"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="points_branch_rating_once")]
        indexes = [models.Index(fields=["county", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年党组织评星定级"


class BranchRatingLine(models.Model):
    """One gain or loss of a rated branch under one of E6.5's five categories, with its indicator."""

    rating = models.ForeignKey(BranchRating, on_delete=models.PROTECT, related_name="lines")
    category = models.CharField("类别", max_length=20, choices=CATEGORY_CHOICES)
    indicator = models.CharField("指标", max_length=200)
    points = score_field("加减分")
    reason = models.CharField("事由", max_length=500)
    date = models.DateField("日期")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党组织评星定级加减分"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.indicator} {self.points}"

"""党费 records. History, not overwrite: a member's category and base are dated records (the one in
force in a month is the latest effective by then); hardship decisions keep the branch's decision and
the higher committee's approval; the monthly ledger keeps one row per member per month with what was
due and what was paid. Money is Decimal yuan with 2 places. Large tables carry ``county``, the
distribution column on the Citus path. Rules live in dues.rules, writes in dues.services."""

from __future__ import annotations

from typing import Any

from django.db import models

from dangjian.dues import rules

CATEGORY_CHOICES = list(rules.CATEGORY_LABELS.items())
METHOD_CHOICES = list(rules.METHOD_LABELS.items())
HARDSHIP_KIND_CHOICES = list(rules.HARDSHIP_KIND_LABELS.items())


def money(label: str, **kw: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kw)


class HardshipDecision(models.Model):
    """困难党员少交或免交党费（第七条）: the branch studies the case (会议、日期), the next-higher Party
    committee approves (日期、文号). Only an approved decision changes what the member owes."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    STATUS_CHOICES = [(PENDING, "待上级党委审批"), (APPROVED, "已批准"), (REJECTED, "未批准")]

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_hardships")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="研究决定的党支部")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("减免方式", max_length=16, choices=HARDSHIP_KIND_CHOICES)
    amount = money("少交后每月金额（元）", null=True, blank=True)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("截止月份", null=True, blank=True, help_text="空表示直至另行核定")
    reason = models.CharField("困难情况", max_length=500)
    branch_decided_on = models.DateField("党支部研究日期")
    branch_meeting = models.CharField("党支部会议/决定", max_length=200)
    status = models.CharField("审批状态", max_length=16, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    approving_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="审批的上级党委"
    )
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    approval_document = models.CharField("审批文号/会议", max_length=200, blank=True)
    approval_note = models.CharField("审批意见", max_length=500, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "困难党员少交/免交党费"
        ordering = ["-branch_decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member}：{self.get_kind_display()}（{self.get_status_display()}）"


class DuesBasis(models.Model):
    """党费类别与计算基数的核定: applies from ``effective_from`` (the first day of a month) until the
    member's next record. Never edited: a change or correction is a new record (the later one of the
    same month wins)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_bases")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField("党费类别", max_length=32, choices=CATEGORY_CHOICES)
    base = money("计算基数（元/月）", null=True, blank=True)
    fixed_amount = money(
        "固定金额（元/月）", null=True, blank=True, help_text="农民党员的个别标准，或经批准少交后的金额；空表示按本县统一标准"
    )
    effective_from = models.DateField("起始月份")
    document = models.CharField("核定依据/文号", max_length=200, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    hardship = models.ForeignKey(HardshipDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="bases")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费类别与基数"
        ordering = ["effective_from", "id"]
        indexes = [models.Index(fields=["member", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.member} {self.effective_from:%Y-%m}起 {self.get_category_display()}"

    def as_rule_basis(self) -> rules.Basis:
        return rules.Basis(self.category, self.base, self.fixed_amount, self.effective_from, self.pk or 0)


class DuesEntry(models.Model):
    """One member's dues for one month in the branch ledger (党费收缴台账): due, paid, how, receipt.
    ``org`` is the organization that collects that month (the member's organization at the end of
    the month); ``category``/``base`` are the basis the due amount was computed from."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_entries")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="收缴党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    category = models.CharField("党费类别", max_length=32, choices=CATEGORY_CHOICES)
    base = money("计算基数（元/月）", null=True, blank=True)
    due_amount = money("应交（元）")
    paid_amount = money("实交（元）", default=0)
    paid_on = models.DateField("交纳日期", null=True, blank=True)
    method = models.CharField("交纳方式", max_length=16, choices=METHOD_CHOICES, blank=True)
    payer_name = models.CharField("代交人", max_length=50, blank=True)
    consent_note = models.CharField("支部同意（会议/日期）", max_length=200, blank=True)
    receipt_number = models.CharField("收据编号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "党费收缴台账"
        ordering = ["month", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_entry_one_per_member_month")]
        indexes = [models.Index(fields=["org", "month"]), models.Index(fields=["county", "month"])]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None and self.paid_amount >= self.due_amount

    @property
    def arrears(self) -> Any:
        return max(self.due_amount - self.paid_amount, 0)


class VoluntaryPayment(models.Model):
    """自愿多交党费（第十一条）: one payment beyond the monthly dues. 1000 元 or more in one payment goes
    wholly to the Centre (``to_centre``, decided by the rule when recorded)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_voluntary")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="收缴党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("交纳日期")
    month = models.DateField("所属月份")
    amount = money("金额（元）")
    to_centre = models.BooleanField("全部上缴中央", default=False)
    receipt_number = models.CharField("收据编号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "自愿多交党费"
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["org", "month"])]

    def __str__(self) -> str:
        return f"{self.member} {self.paid_on} {self.amount}元"


class HandUp(models.Model):
    """党费上缴: an organization hands dues up to its parent, for a month."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="上缴党组织")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="接收的上级党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("所属月份")
    amount = money("金额（元）")
    handed_on = models.DateField("上缴日期")
    receipt_number = models.CharField("凭证/收据编号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费上缴"
        ordering = ["month", "id"]
        indexes = [models.Index(fields=["org", "month"]), models.Index(fields=["to_org", "month"])]

    def __str__(self) -> str:
        return f"{self.org} → {self.to_org} {self.month:%Y-%m} {self.amount}元"


class BaseReview(models.Model):
    """年初核定党员月交纳党费数额: the branch's yearly re-check of every member's category and base,
    confirmed once per year (the January work-queue task)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    confirmed_on = models.DateField("核定日期")
    document = models.CharField("核定依据（会议/文件）", max_length=200, blank=True)
    members_count = models.PositiveIntegerField("核定人数", default=0)
    changed_count = models.PositiveIntegerField("调整人数", default=0)
    confirmed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "年度党费基数核定"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="dues_base_review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年度党费基数核定"


USE_PURPOSE_CHOICES = list(rules.USE_PURPOSE_LABELS.items())


class DuesUse(models.Model):
    """党费使用 (R2.15): an organization spends dues it keeps, for one of the listed purposes, on a
    decision (会议/文件). Published each year to members together with the collection."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="使用党组织")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    used_on = models.DateField("使用日期")
    amount = money("金额（元）")
    purpose = models.CharField("用途", max_length=32, choices=USE_PURPOSE_CHOICES)
    decision = models.CharField("批准的会议/文件", max_length=200)
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费使用"
        ordering = ["used_on", "id"]
        indexes = [models.Index(fields=["org", "used_on"]), models.Index(fields=["county", "used_on"])]

    def __str__(self) -> str:
        return f"{self.org} {self.used_on} {self.get_purpose_display()} {self.amount}元"

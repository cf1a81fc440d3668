from __future__ import annotations

from typing import Any

from django.db import models

from dangjian.members import codes, rules

STATUS_CHOICES = list(rules.STATUS_LABELS.items())
EVENT_CHOICES = list(rules.EVENT_LABELS.items())


class Member(models.Model):
    """党员. The membership columns (status, org, flags, dates) are a cache of the latest
    MembershipEvent snapshot, written only by members.services; history lives in the events."""

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False)
    sex = models.CharField("性别", max_length=1, choices=codes.SEX)
    # 公民身份号码: encrypted; the keyed hash finds and de-duplicates; the mask is what lists show.
    id_number_enc = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=18, editable=False)
    ethnicity = models.CharField("民族", max_length=2, choices=codes.ETHNICITY, default="01")
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=32, choices=codes.EDUCATION)
    degree = models.CharField("学位", max_length=16, choices=codes.DEGREE, blank=True)
    personnel_category = models.CharField("人员类别", max_length=32, choices=codes.PERSONNEL_CATEGORY)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号码", max_length=20, blank=True, editable=False)
    party_age_correction = models.SmallIntegerField("党龄校正值", default=0)
    new_social_stratum = models.CharField("新社会阶层类型", max_length=32, choices=codes.NEW_SOCIAL_STRATUM, blank=True)
    job = models.CharField("工作岗位", max_length=100, blank=True)
    professional_title = models.CharField("从事专业技术职务", max_length=100, blank=True)
    is_migrant_worker = models.BooleanField("是否农民工", default=False)
    registered_residence = models.CharField("户籍所在地", max_length=200, blank=True)
    current_residence = models.CharField("现居住地", max_length=200, blank=True)

    # --- cache of the latest membership state (see rules.MemberState) ---
    org = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="members", verbose_name="所在党支部")
    status = models.CharField("党籍状态", max_length=20, choices=STATUS_CHOICES, db_index=True)
    joined_on = models.DateField("入党日期", null=True)
    converted_on = models.DateField("转正日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    is_mobile = models.BooleanField("是否流动党员", default=False)
    is_lost_contact = models.BooleanField("是否失联党员", default=False)
    lost_contact_on = models.DateField("失联日期", null=True, blank=True)
    suspended_on = models.DateField("停止党籍日期", null=True, blank=True)
    # The county-level organization: the distribution column on the Citus path.
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党员"
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("党员档案不能删除，只能通过组织关系事项减少。")


class MembershipEvent(models.Model):
    """One dated membership event, with the state after it (a snapshot written by replaying the
    member's events through rules.replay), so the roster of any date is one indexed query."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=32, choices=EVENT_CHOICES)
    date = models.DateField("日期")
    seq = models.PositiveSmallIntegerField(default=0, help_text="同一天内的先后顺序")
    from_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="转出党组织")
    to_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="转入党组织")
    letter_number = models.CharField("介绍信编号/文号", max_length=100, blank=True)
    out_date = models.DateField("转出日期", null=True, blank=True)
    status_in = models.CharField("补录/转入时状态", max_length=20, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    converted_on = models.DateField("转正日期", null=True, blank=True)
    months = models.PositiveSmallIntegerField("延长月数", null=True, blank=True)
    reason = models.CharField("原因", max_length=32, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    # --- snapshot after this event ---
    org_after = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    status_after = models.CharField(max_length=20, choices=STATUS_CHOICES)
    mobile_after = models.BooleanField(default=False)
    lost_after = models.BooleanField(default=False)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "seq", "id"]
        indexes = [models.Index(fields=["member", "date", "seq"])]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_number"], condition=~models.Q(letter_number="") & models.Q(kind="transfer"),
                name="unique_transfer_letter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def as_rule_event(self) -> rules.Event:
        return rules.Event(
            kind=self.kind, date=self.date, org_id=self.to_org_id, from_org_id=self.from_org_id,
            status=self.status_in or None, joined_on=self.joined_on, converted_on=self.converted_on, months=self.months,
        )

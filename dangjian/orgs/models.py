from __future__ import annotations

from typing import Any

from django.db import models
from treebeard.mp_tree import MP_Node


class OrgType(models.TextChoices):
    COUNTY_COMMITTEE = "county_committee", "县（市、区）委"
    TOWNSHIP_COMMITTEE = "township_committee", "乡镇党委/街道党工委"
    WORKING_COMMITTEE = "working_committee", "工委（机关工委、两新工委等）"
    PRIMARY_COMMITTEE = "primary_committee", "基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    PARTY_GROUP = "party_group", "党小组"


class OrgCategory(models.TextChoices):
    """组织类别, in the order of the national codes ① to ⑨."""

    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公有制企业"
    RURAL = "rural", "农村"
    AGENCY = "agency", "党政机关"
    SCHOOL = "school", "学校"
    INSTITUTION = "institution", "其他事业单位"
    COMMUNITY = "community", "街道社区"
    SOCIAL_ORG = "social_org", "社会组织"
    OTHER = "other", "其他"


class UnitSituation(models.TextChoices):
    SAME_AS_PARENT = "same_as_parent", "与上级党组织相同"
    LEGAL_PERSON = "legal_person", "法人单位"
    JOINT = "joint", "联合党支部"


class Division(models.Model):
    """行政区划: county, township, village or community, by its statistical code."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=16)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """党组织所在单位: the legal-person unit block of the national organization record."""

    NATURE_CHOICES = [
        ("agency", "党政机关"),
        ("institution", "事业单位"),
        ("state_enterprise", "国有企业"),
        ("private_enterprise", "非公有制企业"),
        ("social_org", "社会组织"),
        ("village_committee", "村民委员会"),
        ("residents_committee", "居民委员会"),
        ("other", "其他"),
    ]
    name = models.CharField("单位名称（全称）", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    nature = models.CharField("单位性质类别", max_length=32, choices=NATURE_CHOICES, default="other")
    org_building = models.CharField("法人单位建立党组织情况", max_length=50, blank=True)
    employees = models.PositiveIntegerField("在岗职工人数", null=True, blank=True)
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, verbose_name="单位所在行政区划")
    address = models.CharField("注册地址", max_length=200, blank=True)
    supervisor = models.CharField("上级主管部门名称", max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Org(MP_Node):
    """党组织. Never deleted: established, renamed, retyped, moved, merged or dissolved on a date
    (see OrgEvent). ``path`` orders the tree and makes subtree filters index range scans."""

    node_order_by: list[str] = []

    name = models.CharField("党组织全称", max_length=200)
    short_name = models.CharField("党组织简称", max_length=100, blank=True)
    stats_name = models.CharField("党内统计用党组织简称", max_length=100, blank=True)
    code = models.CharField("党组织编码", max_length=32, unique=True)
    org_type = models.CharField("组织类型", max_length=32, choices=OrgType.choices)
    category = models.CharField("组织类别", max_length=32, choices=OrgCategory.choices, default=OrgCategory.OTHER)
    unit_situation = models.CharField(
        "党组织所在单位情况", max_length=32, choices=UnitSituation.choices, default=UnitSituation.SAME_AS_PARENT
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="orgs", verbose_name="所在单位")
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, verbose_name="党组织所在行政区划")
    approving_org = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="批准成立的上级党组织"
    )
    established_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    secretary_name = models.CharField("党组织书记", max_length=50, blank=True)
    contact_name = models.CharField("党组织联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    can_approve_probationary = models.BooleanField('是否具有"审批预备党员权限"', default=False)
    is_functional = models.BooleanField("功能型党组织", default=False)
    is_new_business = models.BooleanField("是否为新业态", default=False)
    committee_size = models.PositiveSmallIntegerField("委员会委员人数", default=0, help_text="0 表示未设委员会（只设书记）")
    term_started_on = models.DateField("本届任期开始日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", null=True, blank=True)
    # The county-level organization this one belongs to: the distribution column on the Citus path.
    county = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "党组织"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    @property
    def is_village_level(self) -> bool:
        """村、社区党组织: the rule is orgs.rules.is_village_level."""
        from dangjian.orgs import rules

        return rules.is_village_level(self.category, self.org_type)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("党组织不能删除，只能撤销。")


class OrgEventKind(models.TextChoices):
    ESTABLISHED = "established", "成立"
    RENAMED = "renamed", "更名"
    TYPE_CHANGED = "type_changed", "调整组织类型"
    MOVED = "moved", "调整隶属关系"
    MERGED = "merged", "合并"
    DISSOLVED = "dissolved", "撤销"


class OrgEvent(models.Model):
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=32, choices=OrgEventKind.choices)
    date = models.DateField("日期")
    doc_number = models.CharField("文号", max_length=100, blank=True)
    other_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField("变更内容", default=dict, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

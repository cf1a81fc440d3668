"""Membership development (发展党员): one DevelopmentRecord per person, its Steps (with the people
responsible, a Vote for meetings and approvals), PublicNotices, Documents, RuleOverrides, Outcomes, and
annual DevelopmentPlans. Data only: every rule is in rules.py, every write in services.py.

Stage and status are derived from the steps by ``rules.derive_status`` and cached on the record by the
services (like Member's membership cache), so lists filter in SQL; nobody types them. A vote's
``quorum_met``/``passed`` are computed by ``rules.vote_result`` and stored by the services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from dangjian.members import codes
from dangjian.recruitment import rules
from dangjian.recruitment import steps as S

STATUS_CHOICES = list(rules.STATUS_LABELS.items())
STEP_CHOICES = [(s.number, f"{s.number}. {s.label_2014}") for s in S.STEPS]


class DevelopmentRecord(models.Model):
    """发展党员记录: the person (personal data stored like Member's) and the branch responsible."""

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=codes.SEX)
    id_number_enc = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=18, editable=False)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=codes.ETHNICITY, default="01")
    education = models.CharField("学历", max_length=32, choices=codes.EDUCATION)
    occupation = models.CharField("人员类别（职业）", max_length=32, choices=codes.PERSONNEL_CATEGORY)
    unit_name = models.CharField("工作（学习）单位", max_length=200, blank=True)
    job = models.CharField("职务", max_length=100, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号码", max_length=20, blank=True, editable=False)
    leaving_unit_on = models.DateField("预计离开工作（学习）单位日期", null=True, blank=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="development_records", verbose_name="负责的党支部")
    # The county-level organization: the distribution column on the Citus path.
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    member = models.OneToOneField("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="development_record", verbose_name="接收后的党员档案")

    # --- cache derived from the steps by the services (rules.derive_status); never typed ---
    stage = models.PositiveSmallIntegerField("阶段", default=1)
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=rules.APPLICANT, db_index=True)
    last_step = models.PositiveSmallIntegerField("最近步骤", default=0)
    applied_on = models.DateField("申请入党日期", null=True)
    activist_on = models.DateField("确定为入党积极分子日期", null=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True)
    admitted_on = models.DateField("接收为预备党员日期（党员大会）", null=True)
    approved_on = models.DateField("批准为预备党员日期", null=True)
    probation_ends_on = models.DateField("预备期满日期", null=True)
    converted_on = models.DateField("转正日期（预备期满）", null=True)

    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展党员记录"
        indexes = [models.Index(fields=["org", "status"])]
        constraints = [
            # One open development per person; stopped or cancelled people may apply again.
            models.UniqueConstraint(fields=["id_number_hash"], condition=~models.Q(status__in=[rules.STOPPED, rules.CANCELLED]),
                                    name="recruitment_one_open_record"),
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("发展党员记录不能删除，可以“终止发展”。")


class Step(models.Model):
    """One of the 25 steps, done on ``date``. ``details`` holds the step's own facts (keys in
    steps.DETAIL_LABELS); ``approving_org`` the higher committee for filings, pre-review, approvals."""

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤", choices=STEP_CHOICES)
    date = models.DateField("日期")
    rules_version = models.CharField("适用细则", max_length=4, choices=list(S.VERSION_LABELS.items()))
    approving_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name="上级党委")
    outcome = models.CharField("结果", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)
    details = models.JSONField("步骤信息", default=dict, blank=True)
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展步骤"
        ordering = ["number", "date", "id"]
        indexes = [models.Index(fields=["record", "number"]), models.Index(fields=["number", "date"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    @property
    def label(self) -> str:
        return S.label(self.number, self.rules_version)


class StepPerson(models.Model):
    """A person responsible for a step: a member of the roster (``member``) or a name typed in."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="people")
    role = models.CharField("身份", max_length=20, choices=list(S.ROLE_LABELS.items()))
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=100, blank=True)
    under_party_probation = models.BooleanField("受留党察看处分、尚未恢复党员权利", default=False)
    correction_ordered = models.BooleanField("民主评议中被限期改正", default=False)

    class Meta:
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    """表决: a branch meeting (steps 15, 23; extension or cancellation) or a committee meeting that
    approves (steps 17, 24). ``quorum_met``/``passed`` are computed (rules.vote_result), never typed."""

    BRANCH_MEETING, COMMITTEE = "branch_meeting", "committee"
    KIND_CHOICES = [(BRANCH_MEETING, "党支部党员大会"), (COMMITTEE, "党委会议")]

    step = models.OneToOneField(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="vote")
    kind = models.CharField("会议", max_length=20, choices=KIND_CHOICES)
    meeting_date = models.DateField("会议日期")
    should_attend_total = models.PositiveIntegerField("应到会有表决权的党员")
    exclusions = models.JSONField("不计入应到人数的党员", default=list, blank=True,
                                  help_text='[{"name", "category", "approved_by_higher", "approved_by_meeting"}]')
    present = models.PositiveIntegerField("实到会有表决权的党员")
    written_opinions = models.PositiveIntegerField("书面意见", default=0)
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    expected = models.PositiveIntegerField("应到人数（扣除经批准不计入的）", editable=False)
    quorum_met = models.BooleanField("到会人数超过半数", editable=False)
    passed = models.BooleanField("赞成票超过应到人数半数", editable=False)

    def as_facts(self) -> rules.VoteFacts:
        return rules.VoteFacts(
            should_attend_total=self.should_attend_total, present=self.present, yes=self.yes, no=self.no,
            abstain=self.abstain, written_opinions=self.written_opinions,
            exclusions=tuple(rules.Exclusion(e.get("category", ""), bool(e.get("approved_by_higher")),
                                             bool(e.get("approved_by_meeting")), e.get("name", "")) for e in self.exclusions),
        )  # fmt: skip


class PublicNotice(models.Model):
    """公示 (R1.9, R1.26): who, where, from/to, working days (computed), objections and their handling."""

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField("公示类别", max_length=20, choices=list(rules.NOTICE_KINDS.items()))
    place = models.CharField("公示地点（范围）", max_length=200)
    start = models.DateField("公示开始日期")
    end = models.DateField("公示结束日期")
    workdays = models.PositiveSmallIntegerField("公示工作日数", editable=False)
    objections = models.TextField("反映的问题", blank=True)
    objection_count = models.PositiveSmallIntegerField("反映问题件数", default=0)
    handling = models.TextField("核查处理情况", blank=True)
    objection_result = models.CharField("公示结果", max_length=20, choices=list(rules.OBJECTION_RESULTS.items()), default="none")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["end"])]

    def as_facts(self) -> rules.NoticeFacts:
        return rules.NoticeFacts(self.kind, self.start, self.end, self.objection_result)


def document_path(instance: Document, filename: str) -> str:
    # A random name keeps users' file names (which may hold personal data) out of paths and URLs.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"recruitment/{instance.record_id}/{uuid.uuid4().hex}.{ext}"


class Document(models.Model):
    """An uploaded scan (申请书, 志愿书, 审查材料...), its type checked by content. Under MEDIA_ROOT,
    to be served only through a scoped view."""

    KIND_CHOICES = [
        ("application_letter", "入党申请书"), ("talk_record", "谈话记录"), ("filing", "备案表"),
        ("thought_report", "思想汇报"), ("assessment", "考察材料"), ("review", "政治审查材料"),
        ("training", "培训结业证书"), ("application_form", "入党志愿书"), ("notice", "公示材料"),
        ("meeting_record", "会议记录"), ("approval", "审批材料"), ("conversion_application", "转正申请书"),
        ("other", "其他"),
    ]  # fmt: skip
    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="documents")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("材料类别", max_length=32, choices=KIND_CHOICES)
    file = models.FileField("文件", upload_to=document_path, max_length=200)
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


class RuleOverride(models.Model):
    """A blocking rule result accepted with a reason by a user of the approving committee (audited)."""

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="overrides")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="overrides")
    outcome = models.ForeignKey("Outcome", null=True, blank=True, on_delete=models.PROTECT, related_name="overrides")
    rule_code = models.CharField("规则", max_length=10)
    rule_name = models.CharField("规则名称", max_length=100)
    message = models.CharField("审核意见", max_length=500)
    reason = models.CharField("特殊情况说明", max_length=500)
    approved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    approving_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class Outcome(models.Model):
    """终止发展, 延长预备期 or 取消预备党员资格. An extension or cancellation carries the branch
    meeting's vote and the committee's approval (date, organization, vote)."""

    record = models.ForeignKey(DevelopmentRecord, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField("结果", max_length=20, choices=list(rules.OUTCOME_LABELS.items()))
    date = models.DateField("日期（党员大会讨论日期）")
    approved_on = models.DateField("上级党委批准日期", null=True, blank=True)
    approving_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField("延长月数", null=True, blank=True)
    reason = models.CharField("原因", max_length=500)
    meeting_vote = models.OneToOneField(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    committee_vote = models.OneToOneField(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]


class DevelopmentPlan(models.Model):
    """年度发展党员计划: the quota of one township (or other committee) for one year (R1.25)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="development_plans", verbose_name="乡镇（街道）党委")
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveIntegerField("计划发展名额")
    note = models.CharField("备注", max_length=500, blank=True)
    county = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="recruitment_one_plan_per_year")]

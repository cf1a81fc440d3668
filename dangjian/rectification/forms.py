"""Forms of the rectification pages. They parse input; the services decide what is allowed and their
Chinese messages go back on the fields (web.forms.add_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.accounts.models import User
from dangjian.orglife.forms import ATTACHMENT_ACCEPT, MultipleFileField, MultipleFileInput
from dangjian.rectification import rules
from dangjian.web.forms import StyledForm, date_field


class NominateForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    category = forms.ChoiceField(label="情形类别（E6.11）", choices=[("", "请选择"), *rules.CATEGORY_LABELS.items()])
    reason = forms.CharField(label="提名理由（事实）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class DismissForm(StyledForm):
    reason = forms.CharField(label="排除理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanForm(StyledForm):
    responsible_person = forms.CharField(label=rules.PLAN_LABELS["responsible_person"], max_length=100, required=False)
    responsibility = forms.CharField(label=rules.PLAN_LABELS["responsibility"], required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    goal = forms.CharField(label=rules.PLAN_LABELS["goal"], required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reward_penalty = forms.CharField(label=rules.PLAN_LABELS["reward_penalty"], required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    leader = forms.ChoiceField(label="包联领导（平台账号，列入其待办）", required=False)
    leader_name = forms.CharField(label=rules.PLAN_LABELS["leader_name"], max_length=50, required=False)
    leader_post = forms.CharField(label=rules.PLAN_LABELS["leader_post"], max_length=100, required=False)
    deadline = date_field("整顿期限", required=False)
    measures = forms.CharField(label="主要措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, leaders: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leaders = {str(u.pk): u for u in leaders or []}
        self.fields["leader"].choices = [("", "请选择"), *((k, f"{u}（{u.get_role_display()}）")  # type: ignore[attr-defined]
                                                          for k, u in self.leaders.items())]

    def leader_user(self) -> User | None:
        return self.leaders.get(str(self.cleaned_data.get("leader") or ""))


class PlanEditForm(PlanForm):
    """调整整顿方案 (e.g. 延长整顿期限): the plan's fields plus the reason, kept in the audit."""

    reason = forms.CharField(label="调整理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：因换届选举推迟，整顿期限延长至……")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MilestoneForm(StyledForm):
    title = forms.CharField(label="节点任务", max_length=200, required=False)
    due = date_field("完成期限", required=False)


class MilestoneDoneForm(StyledForm):
    done_on = date_field("完成日期", required=False)
    note = forms.CharField(label="完成情况", max_length=500, required=False)


class ProgressForm(StyledForm):
    date = date_field("报告日期", required=False)
    text = forms.CharField(label="整顿进展", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    uploaded = MultipleFileField(label="材料（图片、pdf、docx、xlsx）", widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))


class FilesForm(StyledForm):
    uploaded = MultipleFileField(label="材料（图片、pdf、docx、xlsx）", widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))


class AcceptanceForm(StyledForm):
    date = date_field("验收日期", required=False)
    accepted_by = forms.CharField(label="验收组织（人员）", max_length=200, required=False)
    result = forms.ChoiceField(label="验收结果", choices=[("", "请选择"), *rules.RESULT_LABELS.items()], required=False)
    notes = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    uploaded = MultipleFileField(label="验收材料（图片、pdf、docx、xlsx）",
                              widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))


class SurveyForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    date = date_field("测评日期", required=False)
    respondents = forms.IntegerField(label="参加测评人数", min_value=0, required=False)
    satisfied = forms.IntegerField(label="满意（含基本满意）人数", min_value=0, required=False)
    method = forms.CharField(label="测评方式（来源）", max_length=200, required=False,
                             help_text="如：入户问卷、村民代表会议测评、第三方电话调查")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

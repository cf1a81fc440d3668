"""Forms of the membership-development pages. They parse and present input and build the services'
input shapes (StepIn, PersonIn, VoteIn); the services decide what is allowed and their Chinese
messages go back on the fields (``add_service_errors``). Each step's form is built from
``steps.STEPS[n]``: its people, its details, whether it records a vote or a higher committee."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import fields_for_model
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.recruitment import rules
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, Document
from dangjian.recruitment.services import RECORD_PERSONAL, ExclusionIn, PersonIn, StepIn, VoteIn
from dangjian.web.forms import OrgChoiceField, StyledForm, date_field

OVERRIDE_REQUIRED = "请填写特殊情况说明（将记入审计日志）。"
VOTE_INCOMPLETE = "请填写表决情况：应到、实到和赞成人数。"
EXCLUSION_ROWS = 2
# How many people of each role a step's form offers.
SLOTS = {S.TALKER: 1, S.MENTOR: 2, S.SPONSOR: 2}
TEXTAREA_DETAILS = frozenset({"talk_content", "review_summary", "archived_items", "assessment", "committee_opinion"})
DETAIL_CHOICES: dict[str, list[tuple[str, str]]] = {
    "review_conclusion": [("", "—"), (rules.QUALIFIED, "合格"), (rules.UNQUALIFIED, "不合格")],
    "pre_review_result": [("", "—"), ("passed", "同意"), ("failed", "不同意")],
    "approval_result": [(rules.APPROVED, "批准"), (rules.REJECTED, "不批准")],
    "decision": [("convert", "按期转正")],
    "written": [("yes", "是"), ("no", "否")],
}
DETAIL_SHORT_LABELS = {
    "unit_change": "单位（居住地）变动后的新单位",
    "review_conclusion": "政治审查结论", "pre_review_result": "预审意见", "approval_result": "审批结果",
    "written": "本人书面申请", "decision": "党员大会决议", "agreed_on": "上级党委同意日期",
}  # fmt: skip
TEXTAREA = forms.Textarea(attrs={"rows": 2})


def member_label(m: Member) -> str:
    return f"{m.name}（{member_rules.STATUS_LABELS.get(m.status, m.status)}）"


class MemberPick(forms.ModelChoiceField):
    """A member of the record's branch in the actor's scope, labelled with their membership status
    (mentors and sponsors must be full members; the rules say so when one is not)."""

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


def _override_field() -> forms.CharField:
    return forms.CharField(label="特殊情况说明（审批党委使用）", max_length=500, required=False, widget=TEXTAREA,
                           help_text="有审批权限的党委在特殊情况下继续办理时填写理由；该操作记入审计日志。")


class OverrideMixin:
    """Adds ``override_reason`` when the page offers the override (or the user sent one)."""

    fields: dict[str, forms.Field]

    def add_override(self, data: Any, offer: bool) -> None:
        if offer or (data is not None and "override_reason" in data):
            self.fields["override_reason"] = _override_field()

    @property
    def override_reason(self) -> str:
        return (getattr(self, "cleaned_data", {}).get("override_reason") or "").strip()


# --- votes ------------------------------------------------------------------------------------------------


def add_vote_fields(form: forms.Form, prefix: str, title: str) -> None:
    f = form.fields
    f[f"{prefix}should_attend_total"] = forms.IntegerField(label=f"{title}：应到会有表决权的党员", min_value=0, required=False)
    f[f"{prefix}present"] = forms.IntegerField(label=f"{title}：实到会有表决权的党员", min_value=0, required=False)
    f[f"{prefix}written_opinions"] = forms.IntegerField(label="未到会党员的书面意见", min_value=0, required=False)
    f[f"{prefix}yes"] = forms.IntegerField(label="赞成", min_value=0, required=False)
    f[f"{prefix}no"] = forms.IntegerField(label="反对", min_value=0, required=False)
    f[f"{prefix}abstain"] = forms.IntegerField(label="弃权", min_value=0, required=False)
    categories = [("", "—"), *rules.EXCLUSION_CATEGORIES.items()]
    for i in range(1, EXCLUSION_ROWS + 1):
        f[f"{prefix}ex{i}_name"] = forms.CharField(label=f"不计入应到人数的党员{i}：姓名", max_length=50, required=False)
        f[f"{prefix}ex{i}_category"] = forms.ChoiceField(label="情形", choices=categories, required=False)
        f[f"{prefix}ex{i}_higher"] = forms.BooleanField(label="经上级党组织同意", required=False)
        f[f"{prefix}ex{i}_meeting"] = forms.BooleanField(label="经党员大会同意", required=False)


def vote_field_names(form: forms.Form, prefix: str) -> list[str]:
    return [n for n in form.fields if n.startswith(prefix)]


def vote_from(form: forms.Form, prefix: str, *, required: bool) -> VoteIn | None:
    """The vote typed in, or None when left empty (the rules then say a vote is missing)."""
    d = form.cleaned_data
    total, present, yes = d.get(f"{prefix}should_attend_total"), d.get(f"{prefix}present"), d.get(f"{prefix}yes")
    if total is None and present is None and yes is None:
        if required:
            form.add_error(f"{prefix}should_attend_total", VOTE_INCOMPLETE)
        return None
    if total is None or present is None or yes is None:
        form.add_error(f"{prefix}should_attend_total", VOTE_INCOMPLETE)
        return None
    exclusions = []
    for i in range(1, EXCLUSION_ROWS + 1):
        cat = d.get(f"{prefix}ex{i}_category") or ""
        if cat:
            exclusions.append(ExclusionIn(category=cat, approved_by_higher=bool(d.get(f"{prefix}ex{i}_higher")),
                                          approved_by_meeting=bool(d.get(f"{prefix}ex{i}_meeting")),
                                          name=(d.get(f"{prefix}ex{i}_name") or "").strip()))  # fmt: skip
    return VoteIn(should_attend_total=total, present=present, yes=yes, no=d.get(f"{prefix}no") or 0,
                  abstain=d.get(f"{prefix}abstain") or 0, written_opinions=d.get(f"{prefix}written_opinions") or 0,
                  exclusions=tuple(exclusions))  # fmt: skip


def vote_preview(v: VoteIn | None) -> rules.VoteResult | None:
    """Quorum and result of the vote as typed (computed by the rules, never typed)."""
    if v is None or rules.vote_errors(v.facts()):
        return None
    return rules.vote_result(v.facts())


# --- higher committees --------------------------------------------------------------------------------------


def higher_committees(org: Org, number: int) -> list[Org]:
    """The committees above the branch that may do step ``number``: for approvals (pre-review,
    admission, conversion) only those ``rules.check_approver`` accepts; for filings any Party
    committee above it. The branch's own ancestors: the organizations it reports to."""
    branch = _org_facts(org)
    out = []
    for anc in reversed(list(Org.objects.get_ancestors(org))):  # nearest first
        if anc.dissolved_on is not None:
            continue
        if number in (S.PRE_REVIEW, S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL, 0):
            if rules.check_approver(_org_facts(anc), branch)[0].level == rules.PASS:
                out.append(anc)
        elif anc.org_type in rules.COMMITTEE_TYPES:
            out.append(anc)
    return out


def _org_facts(org: Org) -> rules.OrgFacts:
    from dangjian.recruitment.services import org_facts

    return org_facts(org)


class CommitteeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


# --- records ------------------------------------------------------------------------------------------------


class RecordCreateForm(OverrideMixin, StyledForm):
    """Step 1 (递交入党申请书) with the person's data; the ID number is checked by the service
    against the birth date and sex, as for members."""

    org = OrgChoiceField(label="负责的党支部", purpose="member_org")
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    date = date_field("递交入党申请书日期")
    received_by = forms.CharField(label=S.DETAIL_LABELS["received_by"], max_length=100, required=False)
    notes = forms.CharField(label="备注", required=False, widget=TEXTAREA)

    def __init__(self, data: Any = None, *, actor: User, orgs: QuerySet[Org], offer_override: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields.update(fields_for_model(DevelopmentRecord, fields=list(RECORD_PERSONAL)))
        self.fields["org"].set_queryset(orgs)  # type: ignore[attr-defined]
        self.add_override(data, offer_override)
        order = ["org", "name", "sex", "id_number", "birth_date", "ethnicity", "phone", "education", "occupation",
                 "unit_name", "job", "leaving_unit_on", "date", "received_by", "notes"]  # fmt: skip
        self.order_fields(order)
        self.style_fields()

    def personal(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {f: (d[f] if d[f] is not None else "") if f not in ("birth_date", "leaving_unit_on") else d[f]
                for f in RECORD_PERSONAL}  # fmt: skip

    def application(self) -> StepIn:
        d = self.cleaned_data
        details = {"received_by": d["received_by"].strip()} if d["received_by"].strip() else {}
        return StepIn(number=S.APPLICATION, date=d["date"], details=details, notes=d["notes"])


class RecordEditForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    phone = forms.CharField(label="手机号码", max_length=20, required=False, help_text="留空则不修改")

    EDITABLE = tuple(f for f in RECORD_PERSONAL if f != "birth_date")

    def __init__(self, data: Any = None, *, record: DevelopmentRecord, **kwargs: Any) -> None:
        initial = {f: getattr(record, f) for f in self.EDITABLE}
        initial["version"] = record.version
        super().__init__(data, initial=initial, **kwargs)
        self.fields.update(fields_for_model(DevelopmentRecord, fields=list(self.EDITABLE)))
        self.order_fields(["name", "sex", "ethnicity", "phone", "education", "occupation", "unit_name", "job",
                           "leaving_unit_on"])  # fmt: skip
        self.style_fields()

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kw: dict[str, Any] = {f: d[f] if d[f] is not None or f == "leaving_unit_on" else "" for f in self.EDITABLE}
        kw["version"] = d["version"]
        kw["phone"] = d["phone"] if d["phone"].strip() else None
        return kw


# --- steps --------------------------------------------------------------------------------------------------


def _detail_field(key: str) -> forms.Field:
    label = DETAIL_SHORT_LABELS.get(key, S.DETAIL_LABELS[key])
    if key in DETAIL_CHOICES:
        return forms.ChoiceField(label=label, choices=DETAIL_CHOICES[key], required=False)
    if key == "agreed_on":
        return date_field(label, required=False)
    if key in ("training_days", "training_hours"):
        return forms.IntegerField(label=label, min_value=0, max_value=10000, required=False)
    if key in TEXTAREA_DETAILS:
        return forms.CharField(label=label, required=False, widget=TEXTAREA)
    return forms.CharField(label=label, max_length=200, required=False)


class StepForm(OverrideMixin, StyledForm):
    """One step of one record, tailored to ``steps.STEPS[number]``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date = date_field("日期")

    def __init__(self, data: Any = None, *, number: int, record: DevelopmentRecord, members: QuerySet[Member],
                 offer_override: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": record.version, "approval_result": rules.APPROVED})
        super().__init__(data, **kwargs)
        self.step = S.get(number)
        self.record = record
        f = self.fields
        f["date"].label = f"{self.step.label(rules.version_on(timezone.localdate(), _params()))}日期"
        self.people_slots: list[tuple[str, int]] = []
        for role in self.step.people:
            for i in range(1, SLOTS.get(role, 1) + 1):
                self.people_slots.append((role, i))
                label = f"{S.ROLE_LABELS[role]}{i if SLOTS.get(role, 1) > 1 else ''}"
                f[f"{role}{i}_member"] = MemberPick(queryset=members, label=f"{label}（本支部党员）", required=False,
                                                    empty_label="— 选择党员 —")  # fmt: skip
                f[f"{role}{i}_name"] = forms.CharField(label=f"或填写{label}姓名（非本支部党员）", max_length=50, required=False)
                f[f"{role}{i}_position"] = forms.CharField(label=f"{label}职务", max_length=100, required=False)
                if role == S.SPONSOR:
                    f[f"{role}{i}_probation"] = forms.BooleanField(label="受留党察看处分、尚未恢复党员权利", required=False)
                    f[f"{role}{i}_correction"] = forms.BooleanField(label="民主评议中被限期改正", required=False)
        for key in self.step.details:
            if key == "unit_change":
                f["unit_change"] = _detail_field(key)
                f["unit_change_transferred"] = forms.BooleanField(label="培养材料已移交并接续培养", required=False)
            else:
                f[key] = _detail_field(key)
        if self.step.needs_approving_org:
            f["approving_org"] = CommitteeChoice(queryset=Org.objects.filter(pk__in=[o.pk for o in higher_committees(
                record.org, self.step.number)]).order_by("-path"), label="上级党委", required=False, empty_label="— 选择上级党委 —")
        if self.step.has_vote:
            title = "党委会议" if number in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL) else "党支部党员大会"
            add_vote_fields(self, "vote_", title)
        f["responsible"] = forms.CharField(label="经办人", max_length=50, required=False)
        f["outcome"] = forms.CharField(label="结果", max_length=200, required=False)
        f["notes"] = forms.CharField(label="备注", required=False, widget=TEXTAREA)
        self.add_override(data, offer_override)
        self.style_fields()

    def groups(self) -> dict[str, list[Any]]:
        """The bound fields by section, for the template."""
        people = [n for n in self.fields if any(n.startswith(f"{r}{i}_") for r, i in self.people_slots)]
        vote = [n for n in self.fields if n.startswith("vote_")]
        details = [n for n in self.fields if n in self.step.details or n in ("unit_change_transferred", "approving_org")]
        main = ["date"]
        rest = ["responsible", "outcome", "notes"]
        return {
            "main": [self[n] for n in main], "people": [self[n] for n in people], "details": [self[n] for n in details],
            "vote": [self[n] for n in vote], "rest": [self[n] for n in rest],
            "override": [self[n] for n in ("override_reason",) if n in self.fields],
        }  # fmt: skip

    def step_in(self) -> StepIn | None:
        """The StepIn, or None (with errors added) when the input cannot make one."""
        d = self.cleaned_data
        people = []
        for role, i in self.people_slots:
            member, name = d.get(f"{role}{i}_member"), (d.get(f"{role}{i}_name") or "").strip()
            if member is None and not name:
                continue
            people.append(PersonIn(role=role, member=member, name=name, position=(d.get(f"{role}{i}_position") or "").strip(),
                                   under_party_probation=bool(d.get(f"{role}{i}_probation")),
                                   correction_ordered=bool(d.get(f"{role}{i}_correction"))))  # fmt: skip
        responsible = (d.get("responsible") or "").strip()
        if responsible:
            people.append(PersonIn(role=S.RESPONSIBLE, name=responsible))
        details: dict[str, Any] = {}
        for key in self.step.details:
            value = d.get(key)
            if key == "unit_change":
                new_unit = str(value or "").strip()
                if new_unit:
                    details[key] = {"new_unit": new_unit, "records_transferred": bool(d.get("unit_change_transferred"))}
            elif key == "written":
                if value:
                    details[key] = value == "yes"
            elif value not in (None, ""):
                details[key] = value.strip() if isinstance(value, str) else value
        vote = vote_from(self, "vote_", required=False) if self.step.has_vote else None
        if self.errors:
            return None
        return StepIn(number=self.step.number, date=d["date"], people=tuple(people), approving_org=d.get("approving_org"),
                      details=details, vote=vote, outcome=(d.get("outcome") or "").strip(), notes=d.get("notes") or "")


def _params() -> rules.Params:
    from dangjian.recruitment import params

    return params.current()


class WithdrawForm(StyledForm):
    reason = forms.CharField(label="撤销原因", max_length=500, widget=TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- notices, documents ----------------------------------------------------------------------------------------


class NoticeForm(StyledForm):
    kind = forms.ChoiceField(label="公示类别", choices=list(rules.NOTICE_KINDS.items()))
    place = forms.CharField(label="公示地点（范围）", max_length=200)
    start = date_field("公示开始日期")
    end = date_field("公示结束日期", help_text="按工作日计算（含法定节假日和调休上班日）。")
    objection_count = forms.IntegerField(label="反映问题件数", min_value=0, required=False, initial=0)
    objections = forms.CharField(label="反映的问题", required=False, widget=TEXTAREA)
    handling = forms.CharField(label="核查处理情况", required=False, widget=TEXTAREA)
    objection_result = forms.ChoiceField(label="公示结果", choices=list(rules.OBJECTION_RESULTS.items()), initial="none")


class NoticeUpdateForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    objection_count = forms.IntegerField(label="反映问题件数", min_value=0, required=False)
    objections = forms.CharField(label="反映的问题", required=False, widget=TEXTAREA)
    handling = forms.CharField(label="核查处理情况", required=False, widget=TEXTAREA)
    objection_result = forms.ChoiceField(label="公示结果", choices=list(rules.OBJECTION_RESULTS.items()))


class StepChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"第{obj.number}步 {obj.label}（{obj.date}）"


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label="材料类别", choices=Document.KIND_CHOICES)
    file = forms.FileField(label="文件（扫描件、照片、PDF、Word、Excel）")

    def __init__(self, data: Any = None, files: Any = None, *, record: DevelopmentRecord, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["step"] = StepChoice(queryset=record.steps.order_by("number", "date", "id"), label="所属步骤",
                                         required=False, empty_label="— 不属于某一步骤 —")  # fmt: skip
        self.style_fields()


# --- outcomes ---------------------------------------------------------------------------------------------------


class StopForm(StyledForm):
    date = date_field("终止发展日期")
    reason = forms.CharField(label="原因", max_length=500, widget=TEXTAREA)


class ProbationOutcomeForm(OverrideMixin, StyledForm):
    """延长预备期 / 取消预备党员资格: the branch meeting's vote and the committee's approval."""

    meeting_date = date_field("党支部党员大会讨论日期")
    approved_on = date_field("上级党委批准日期")
    reason = forms.CharField(label="原因", max_length=500, widget=TEXTAREA)

    def __init__(self, data: Any = None, *, record: DevelopmentRecord, extend: bool, offer_override: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        if extend:
            self.fields["months"] = forms.IntegerField(label="延长月数（6至12个月）", min_value=1, max_value=24, required=False)
        self.fields["approving_org"] = CommitteeChoice(
            queryset=Org.objects.filter(pk__in=[o.pk for o in higher_committees(record.org, 0)]).order_by("-path"),
            label="审批的上级党委", empty_label="— 选择上级党委 —")  # fmt: skip
        add_vote_fields(self, "mv_", "党支部党员大会")
        add_vote_fields(self, "cv_", "党委会议")
        self.add_override(data, offer_override)
        self.style_fields()

    def votes(self) -> tuple[VoteIn | None, VoteIn | None]:
        return vote_from(self, "mv_", required=True), vote_from(self, "cv_", required=True)

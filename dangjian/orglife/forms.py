"""Forms of the organizational-life pages. They parse input; the services decide what is allowed and
their Chinese messages go back on the fields (web.forms.add_service_errors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.http import QueryDict

from dangjian.members.models import Member
from dangjian.orglife import rules
from dangjian.orglife.models import Meeting, TrainingSession
from dangjian.orglife.services import AttendanceIn, MeetingFields, UploadIn
from dangjian.web.forms import StyledForm, date_field

GUEST_NOT_FOUND = "未找到公民身份号码为“{number}”的流动党员（须是会议当天在册的流动党员）。"
ID_NUMBERS_NOT_FOUND = "未找到以下公民身份号码对应的党员：{numbers}。"
MEMBER_REQUIRED = "请选择党员或填写公民身份号码。"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check each one's type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


IMAGE_ACCEPT = ".jpg,.jpeg,.png,.gif,.webp"
ATTACHMENT_ACCEPT = IMAGE_ACCEPT + ",.pdf,.docx,.xlsx"


class MeetingForm(StyledForm):
    kind = forms.ChoiceField(label="会议类型", choices=list(rules.KIND_LABELS.items()))
    date = date_field("日期")
    topic = forms.CharField(label="主题", max_length=200)
    place = forms.CharField(label="地点", max_length=200, required=False)
    host = forms.CharField(label="主持人", max_length=50, required=False)
    recorder = forms.CharField(label="记录人", max_length=50, required=False)
    group_name = forms.CharField(label="党小组名称", max_length=100, required=False, help_text="党支部直接记录党小组会时填写")
    counts_as_study = forms.BooleanField(label="计入学习学时", required=False)
    duration_hours = forms.DecimalField(label="时长（小时）", required=False, min_value=0, max_value=24, decimal_places=1)
    recorded_hours = forms.DecimalField(label="学时", required=False, min_value=0, max_value=24, decimal_places=1,
                                        help_text="不填则按时长折算")
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(label="决定事项", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label="照片", help_text="jpg、png、gif、webp", widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}))
    attachments = MultipleFileField(label="附件", help_text="图片、pdf、docx、xlsx",
                                    widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, meeting: Meeting | None = None, kinds: list[str] | None = None, **kwargs: Any) -> None:
        if meeting is not None and not args:
            kwargs.setdefault("initial", {
                **{k: getattr(meeting, k) for k in MeetingFields.PLAIN}, "version": meeting.version,
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        if kinds is not None:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, rules.KIND_LABELS[k]) for k in kinds]
        self.fields["photos"].widget.attrs["class"] = "form-control"
        self.fields["attachments"].widget.attrs["class"] = "form-control"

    def meeting_fields(self) -> MeetingFields:
        d = self.cleaned_data
        return MeetingFields(
            kind=d["kind"], date=d["date"], topic=d["topic"], place=d["place"], host=d["host"], recorder=d["recorder"],
            group_name=d["group_name"], agenda=d["agenda"], minutes=d["minutes"], decisions=d["decisions"],
            counts_as_study=d["counts_as_study"], duration_hours=d["duration_hours"], recorded_hours=d["recorded_hours"],
        )  # fmt: skip

    def uploads(self) -> list[UploadIn]:
        d = self.cleaned_data
        return [UploadIn(f, rules.PHOTO) for f in d.get("photos") or []] + [
            UploadIn(f, rules.ATTACHMENT) for f in d.get("attachments") or []
        ]


def parse_attendance(post: QueryDict, people: Mapping[int, Member]) -> list[AttendanceIn]:
    """The checklist: ``att-<member id>`` (a status, or empty for "not on the list") and
    ``note-<member id>`` for each person the page offered."""
    out = []
    for pk, member in people.items():
        status = post.get(f"att-{pk}", "")
        if status:
            out.append(AttendanceIn(member=member, status=status, note=post.get(f"note-{pk}", "")[:200]))
    return out


class FilesForm(StyledForm):
    purpose = forms.ChoiceField(label="类别", choices=list(rules.FILE_PURPOSE_LABELS.items()))
    uploaded = MultipleFileField(label="文件", required=True, widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploaded"].widget.attrs["class"] = "form-control"

    def uploads(self) -> list[UploadIn]:
        return [UploadIn(f, self.cleaned_data["purpose"]) for f in self.cleaned_data["uploaded"]]


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(choices=[("", "全部类型"), *rules.KIND_LABELS.items()], required=False)
    short = forms.BooleanField(required=False)

    def year_or(self, default: int) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return default


class TrainingForm(StyledForm):
    title = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=TrainingSession.KIND_CHOICES)
    date = date_field("开始日期")
    end_date = date_field("结束日期", required=False, help_text="一天的培训可不填")
    days = forms.DecimalField(label="整天数", required=False, min_value=0, decimal_places=1)
    half_days = forms.IntegerField(label="半天数", required=False, min_value=0)
    hours = forms.DecimalField(label="按小时计的学习时长", required=False, min_value=0, decimal_places=1)
    place = forms.CharField(label="地点", max_length=200, required=False)
    organizer = forms.CharField(label="承办单位", max_length=200, required=False)
    id_numbers = forms.CharField(
        label="其他参训党员的公民身份号码", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个；可填写本范围内的党员，或在本地参训的流动党员",
    )  # fmt: skip
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def numbers(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("id_numbers") or "").splitlines() if line.strip()]


class CommitteePostForm(StyledForm):
    member = forms.TypedChoiceField(label="党员", coerce=int, required=False, empty_value=None)
    id_number = forms.CharField(label="或：公民身份号码", max_length=18, required=False)
    post = forms.ChoiceField(label="职务", choices=list(rules.POST_LABELS.items()))
    started_on = date_field("任职日期")

    def __init__(self, *args: Any, members: Iterable[Member] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "—请选择—"), *((m.pk, m.name) for m in members)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("member") and not (data.get("id_number") or "").strip():
            self.add_error("member", MEMBER_REQUIRED)
        return data


class EndPostForm(StyledForm):
    ended_on = date_field("离任日期")


def default_date(form: forms.Form, fallback: dt.date) -> dt.date:
    """The date the user typed (when it parses), else ``fallback``: whose roster the checklist shows."""
    raw = form.data.get("date") if form.is_bound else None
    if raw:
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            pass
    initial = form.initial.get("date")
    return initial if isinstance(initial, dt.date) else fallback

"""Forms of the supervision pages. Choices are limited to the acting user's scope; every rule (the
receivers inside the issuer's subtree, deadlines, file types, the item's state) is checked again by
the services, which put their Chinese messages back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from dangjian.accounts.models import WRITING_ROLES, User
from dangjian.common.scope import subtree_upper_bound
from dangjian.orgs.models import Org, OrgType
from dangjian.supervision import rules
from dangjian.supervision.selectors import liaison_choices, users_assigned_in
from dangjian.web.forms import StyledForm, date_field

# How many levels below the issuer the receiver list offers (county → townships → villages).
RECEIVER_LEVELS = 2


def _user_label(u: User) -> str:
    return u.display_name or u.username


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos and documents of one submission)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def receiver_org_choices(root: Org, *, levels: int = RECEIVER_LEVELS) -> QuerySet[Org]:
    """Active organizations strictly below ``root`` down to ``levels`` levels, party groups excepted."""
    return Org.objects.filter(
        path__gt=root.path, path__lt=subtree_upper_bound(root.path), depth__lte=root.depth + levels,
        dissolved_on__isnull=True,
    ).exclude(org_type=OrgType.PARTY_GROUP).order_by("path")  # fmt: skip


def _checkboxes(field: forms.Field) -> None:
    field.widget.attrs["class"] = "form-check-input"


class TaskForm(StyledForm):
    issuer = forms.ModelChoiceField(queryset=Org.objects.none(), label="交办党组织", empty_label=None)
    title = forms.CharField(label="任务名称", max_length=200)
    basis = forms.CharField(label="依据文号", max_length=100, required=False)
    actions = forms.CharField(label="规定动作（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    evidence_required = forms.CharField(label="佐证材料要求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field("完成时限（首期）")
    recurrence = forms.ChoiceField(label="周期", choices=list(rules.RECURRENCE_LABELS.items()), initial=rules.ONCE)
    recur_until = date_field("周期截止日期", required=False, help_text="周期性任务每期生成一批事项，直到此日期。")
    responsible_leader = forms.CharField(label="责任领导", max_length=50, required=False)
    liaison_leader = UserChoice(queryset=User.objects.none(), label="包联领导", required=False,
                                help_text="逾期未完成的事项列入包联领导的待办。")
    receiver_orgs = forms.ModelMultipleChoiceField(queryset=Org.objects.none(), label="承办党组织", required=False,
                                                   widget=forms.CheckboxSelectMultiple)
    receiver_users = UsersChoice(queryset=User.objects.none(), label="承办人（指定个人）", required=False,
                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuers = actor.orgs.filter(dissolved_on__isnull=True).order_by("path")
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]
        roots = list(issuers)
        q = Q(pk__in=[])
        for r in roots:
            q |= Q(pk__in=receiver_org_choices(r).values("pk"))
        self.fields["receiver_orgs"].queryset = Org.objects.filter(q).order_by("path")  # type: ignore[attr-defined]
        self.fields["receiver_users"].queryset = users_assigned_in([r.path for r in roots]).filter(  # type: ignore[attr-defined]
            role__in=WRITING_ROLES, is_active=True).exclude(pk=actor.pk).order_by("username")
        self.fields["liaison_leader"].queryset = liaison_choices(actor)  # type: ignore[attr-defined]
        _checkboxes(self.fields["receiver_orgs"])
        _checkboxes(self.fields["receiver_users"])


class TextForm(StyledForm):
    text = forms.CharField(label="进度情况", widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(StyledForm):
    text = forms.CharField(label="报送说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label="佐证材料（图片、PDF、Word、Excel，可多选）", required=False)


class ReturnForm(StyledForm):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(StyledForm):
    text = forms.CharField(label="验收意见", required=False, max_length=500)


class CascadeForm(StyledForm):
    receiver_orgs = forms.ModelMultipleChoiceField(queryset=Org.objects.none(), label="转办给（下级党组织）",
                                                   widget=forms.CheckboxSelectMultiple)
    deadline = date_field("下级完成时限", help_text="不能晚于本事项的完成时限。")
    responsible_leader = forms.CharField(label="责任领导", max_length=50, required=False)
    liaison_leader = UserChoice(queryset=User.objects.none(), label="包联领导", required=False)

    def __init__(self, *args: Any, actor: User, root: Org, overdue: bool = False, already: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver_orgs"].queryset = receiver_org_choices(root)  # type: ignore[attr-defined]
        self.fields["liaison_leader"].queryset = liaison_choices(actor)  # type: ignore[attr-defined]
        _checkboxes(self.fields["receiver_orgs"])
        if overdue:
            # No day is both before the passed deadline and from today on (rules.cascade_deadline_error).
            self.fields["deadline"].help_text = "本事项已逾期，下级完成时限可定今天或以后的日期；本事项仍为红灯，直到验收通过。"
        if already:
            self.fields["receiver_orgs"].help_text = "已转办给：" + "、".join(o.name for o in already) + "（不能重复转办）。"


class BoardFilter(forms.Form):
    township = forms.CharField(required=False)
    light = forms.ChoiceField(required=False, choices=[("", "全部"), *rules.LIGHT_LABELS.items()])
    period = forms.CharField(required=False)

"""Forms of the pages. They parse and present input; the services decide what is allowed and their
Chinese messages are put back on the fields (``add_service_errors``). Labels and choices come from
the models' verbose names and the coded values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import load_backend
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.forms.models import fields_for_model
from django.urls import reverse

from dangjian.accounts import rules as account_rules
from dangjian.accounts.models import User
from dangjian.common.errors import ServiceError
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.services import PERSONAL_FIELDS
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Division, Org, OrgType
from dangjian.orgs.selectors import orgs_visible
from dangjian.orgs.services import EDITABLE_FIELDS
from dangjian.web.selectors import division_by_code

DATE_FORMAT = "%Y-%m-%d"
INVALID_CHOICE = "请从列表中选择。"
ORG_NOT_FOUND = "请搜索并选择一个党组织。"
DIVISION_NOT_FOUND = "未找到区划代码“{code}”。"
TRANSFER_NEEDS = "办理组织关系转接，请填写{what}。"
MONTHS_REQUIRED = "请填写延长预备期的月数（6至12个月）。"
REASON_REQUIRED = "请选择除名原因。"


def add_service_errors(form: forms.Form, exc: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's Chinese messages on the form: on the field they name, else at the top."""
    for name, messages in exc.errors.items():
        target: str | None = (aliases or {}).get(name, name)
        if target not in form.fields:
            target = None
        for m in messages:
            form.add_error(target, m)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATE_FORMAT)


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and date pickers for every date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for name, f in self.fields.items():
            if isinstance(f, forms.DateField) and not isinstance(f.widget, DateInput):
                f.widget = DateInput()
            w = f.widget
            w.attrs.setdefault("data-testid", f"field-{name}")
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(w, forms.HiddenInput | OrgPickerWidget):
                continue
            else:
                css = "form-control"
            classes = w.attrs.get("class", "").split()
            if css not in classes:
                w.attrs["class"] = " ".join([*classes, css])


# --- choosing an organization by search (never a 9,000-option select) ---------------------------------


class OrgPickerWidget(forms.Widget):
    """A search box whose results (htmx, ``web:org_pick``) are radio buttons named like the field."""

    template_name = "web/widgets/org_picker.html"

    def __init__(self, purpose: str = "any", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.purpose = purpose
        self.queryset: QuerySet[Org] | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        selected = None
        if self.queryset is not None and value not in (None, "") and str(value).isdigit():
            selected = self.queryset.filter(pk=int(value)).first()
        ctx["widget"].update(
            selected=selected, purpose=self.purpose, pick_url=reverse("web:org_pick"),
            results_id=f"{ctx['widget']['attrs'].get('id', name)}-results",
        )  # fmt: skip
        return ctx

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class OrgChoiceField(forms.ModelChoiceField):
    """An organization among those the acting user sees (scope is the queryset)."""

    widget = OrgPickerWidget

    def __init__(self, *, label: str, purpose: str = "any", required: bool = True, **kwargs: Any) -> None:
        super().__init__(
            queryset=Org.objects.none(), label=label, required=required, widget=OrgPickerWidget(purpose),
            error_messages={"invalid_choice": ORG_NOT_FOUND, "required": ORG_NOT_FOUND}, **kwargs,
        )  # fmt: skip

    def set_queryset(self, qs: QuerySet[Org]) -> None:
        self.queryset = qs
        self.widget.queryset = qs  # type: ignore[attr-defined]


# --- login ---------------------------------------------------------------------------------------------


class LoginForm(StyledForm):
    username = forms.CharField(
        label="用户名", max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "data-testid": "login-username"}),
    )  # fmt: skip
    password = forms.CharField(
        label="密码", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "data-testid": "login-password"}),
    )  # fmt: skip

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None
        self.locked = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or password is None:
            return data
        # django.contrib.auth.authenticate() swallows the PermissionDenied the lockout backend raises,
        # so the backends are asked here directly to tell "locked" from "wrong password".
        for path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(path)
            try:
                user = backend.authenticate(self.request, username=username, password=password)
            except PermissionDenied as exc:
                self.locked = True
                msg = str(exc) or account_rules.LOCKED.format(minutes=settings.DANGJIAN_LOCKOUT_MINUTES)
                raise forms.ValidationError(msg, code="locked") from exc
            if user is not None:
                user.backend = path  # type: ignore[attr-defined]  # as django.contrib.auth.authenticate does
                self.user = user
                return data
        raise forms.ValidationError(account_rules.BAD_CREDENTIALS, code="invalid")


# --- organizations -------------------------------------------------------------------------------------

PLAIN_ORG_FIELDS = [f for f in EDITABLE_FIELDS if not f.endswith("_id")]
TYPE_CHOICES = list(OrgType.choices)


class OrgFieldsForm(StyledForm):
    """The plain attributes of an organization (orgs.services.EDITABLE_FIELDS)."""

    def __init__(self, *args: Any, actor: User, org: Org | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Org, fields=PLAIN_ORG_FIELDS))
        self.fields["division_code"] = forms.CharField(
            label="党组织所在行政区划（区划代码）", required=False, max_length=12,
            help_text=f"当前：{org.division.name}（{org.division.code}）" if org and org.division else "填写统计用区划代码",
        )  # fmt: skip
        approving = OrgChoiceField(label="批准成立的上级党组织", required=False)
        visible = orgs_visible(actor)
        if org is not None and org.approving_org_id:
            # The approving organization is often above the user's scope; keep it choosable as it is.
            visible = Org.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=org.approving_org_id))
        approving.set_queryset(visible)
        self.fields["approving_org"] = approving
        self.style_fields()

    def clean_division_code(self) -> Division | None:
        code = (self.cleaned_data.get("division_code") or "").strip()
        if not code:
            return None
        division = division_by_code(code)
        if division is None:
            raise forms.ValidationError(DIVISION_NOT_FOUND.format(code=code))
        return division

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {f: data[f] for f in PLAIN_ORG_FIELDS}
        division = data.get("division_code")
        approving = data.get("approving_org")
        out["division_id"] = division.pk if division else None
        out["approving_org_id"] = approving.pk if approving else None
        return out


class OrgCreateForm(OrgFieldsForm):
    name = forms.CharField(label="党组织全称", max_length=200)
    code = forms.CharField(label="党组织编码", max_length=32)
    org_type = forms.ChoiceField(label="组织类型", choices=TYPE_CHOICES)
    established_on = date_field("成立日期")
    doc_number = forms.CharField(label="文号", max_length=100, required=False, help_text="批准成立的文件编号")

    def __init__(self, *args: Any, actor: User, parent: Org, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        allowed = org_rules.ALLOWED_CHILDREN.get(parent.org_type, frozenset())
        self.fields["org_type"].choices = [(v, label) for v, label in TYPE_CHOICES if v in allowed]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("approving_org", parent.pk)
            self.initial.setdefault("category", parent.category)
        order = ["name", "short_name", "stats_name", "code", "org_type", "established_on", "doc_number"]
        self.order_fields(order)


class OrgEditForm(OrgFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: User, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, org=org, **kwargs)
        if not self.is_bound:
            self.initial.update({f: getattr(org, f) for f in PLAIN_ORG_FIELDS})
            self.initial.update(
                version=org.version, approving_org=org.approving_org_id,
                division_code=org.division.code if org.division else "",
            )  # fmt: skip


class OrgEventForm(StyledForm):
    """Shared by the dated organization events: each has a date and its document number."""

    title = ""
    date = date_field("日期")
    doc_number = forms.CharField(label="文号", max_length=100)
    aliases: dict[str, str] = {}

    def __init__(self, *args: Any, actor: User, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.org = actor, org
        self.order_fields([f for f in self.fields if f not in ("date", "doc_number")] + ["date", "doc_number"])


class OrgRenameForm(OrgEventForm):
    title = "更名"
    name = forms.CharField(label="新的党组织全称", max_length=200)
    short_name = forms.CharField(label="新的党组织简称", max_length=100, required=False, help_text="留空则不改简称")


class OrgChangeTypeForm(OrgEventForm):
    title = "调整组织类型"
    org_type = forms.ChoiceField(label="新的组织类型", choices=TYPE_CHOICES)

    def __init__(self, *args: Any, actor: User, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, org=org, **kwargs)
        self.fields["org_type"].choices = [(v, lb) for v, lb in TYPE_CHOICES if v != org.org_type]  # type: ignore[attr-defined]


class OrgMoveForm(OrgEventForm):
    title = "调整隶属关系"
    new_parent = OrgChoiceField(label="新的上级党组织")
    aliases = {"parent": "new_parent", "org_type": "new_parent"}

    def __init__(self, *args: Any, actor: User, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, org=org, **kwargs)
        self.fields["new_parent"].set_queryset(orgs_visible(actor))  # type: ignore[attr-defined]


class OrgMergeForm(OrgEventForm):
    title = "合并"
    into = OrgChoiceField(label="并入的党组织", help_text="本组织的党员转入该组织，下级党组织调整到该组织之下，本组织撤销。")

    def __init__(self, *args: Any, actor: User, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, org=org, **kwargs)
        self.fields["into"].set_queryset(orgs_visible(actor))  # type: ignore[attr-defined]


class OrgDissolveForm(OrgEventForm):
    title = "撤销"
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- members -------------------------------------------------------------------------------------------

INITIAL_EVENT_CHOICES = [(k, member_rules.EVENT_LABELS[k]) for k in (member_rules.RECORDED, member_rules.ADMITTED,
                                                                     member_rules.TRANSFER_IN)]  # fmt: skip
STATUS_IN_CHOICES = [(s, member_rules.STATUS_LABELS[s]) for s in (member_rules.FULL, member_rules.PROBATIONARY)]
EVENT_KIND_CHOICES = [(k, v) for k, v in member_rules.EVENT_LABELS.items() if k not in member_rules.INITIAL_KINDS]
# Offered only to members who have left the roster: 转回本县 / 重新入党 (R5.5).
RETURN_KIND_CHOICES = [(k, member_rules.EVENT_LABELS[k]) for k in (member_rules.TRANSFER_IN, member_rules.ADMITTED)]
REASON_CHOICES = [("", "—"), *member_rules.REMOVAL_REASONS.items()]


class MemberPersonalForm(StyledForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Member, fields=list(PERSONAL_FIELDS)))
        self.style_fields()

    def personal(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in PERSONAL_FIELDS}


class MemberCreateForm(MemberPersonalForm):
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    first_event = forms.ChoiceField(label="入党或转入方式", choices=INITIAL_EVENT_CHOICES)
    date = date_field("事项日期", help_text="接收为预备党员、从外单位转入或补录的日期")
    status = forms.ChoiceField(label="补录/转入时状态", choices=STATUS_IN_CHOICES, required=False)
    joined_on = date_field("入党日期", required=False, help_text="补录或转入时填写")
    converted_on = date_field("转正日期", required=False, help_text="正式党员补录或转入时填写")
    letter_number = forms.CharField(label="介绍信编号/文号", max_length=100, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = ["name", "sex", "id_number", "birth_date", "ethnicity", "phone"]
        self.order_fields(order + [f for f in PERSONAL_FIELDS if f not in order])

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return dict(
            id_number=d["id_number"], phone=d["phone"], first_event=d["first_event"], date=d["date"],
            status=d["status"] or member_rules.FULL, joined_on=d["joined_on"], converted_on=d["converted_on"],
            letter_number=d["letter_number"], note=d["note"], **self.personal(),
        )  # fmt: skip


class MemberEditForm(MemberPersonalForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    id_number = forms.CharField(
        label="更正公民身份号码", max_length=30, required=False, help_text="只在需要更正时填写完整的新号码；留空则不修改。"
    )
    phone = forms.CharField(label="新的手机号码", max_length=20, required=False, help_text="留空则不修改。")
    clear_phone = forms.BooleanField(label="清除手机号码", required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = ["name", "sex", "birth_date", "id_number", "ethnicity", "phone", "clear_phone"]
        self.order_fields(order + [f for f in PERSONAL_FIELDS if f not in order])
        if not self.is_bound:
            self.initial.update({f: getattr(member, f) for f in PERSONAL_FIELDS})
            self.initial["version"] = member.version

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kw: dict[str, Any] = dict(version=d["version"], **self.personal())
        if d["id_number"].strip():
            kw["id_number"] = d["id_number"]
        if d["clear_phone"]:
            kw["phone"] = ""
        elif d["phone"].strip():
            kw["phone"] = d["phone"]
        return kw


class MemberEventForm(StyledForm):
    kind = forms.ChoiceField(label="事项", choices=EVENT_KIND_CHOICES)
    date = date_field("日期", help_text="组织关系转接时为转入（接收）日期")
    to_org = OrgChoiceField(label="转入党组织", purpose="member_org", required=False)
    out_date = date_field("转出日期", required=False)
    letter_number = forms.CharField(label="介绍信编号/文号", max_length=100, required=False)
    months = forms.IntegerField(label="延长月数", min_value=1, max_value=24, required=False)
    reason = forms.ChoiceField(label="除名原因", choices=REASON_CHOICES, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Which fields belong to which kind: the page hides the others (dangjian.js, data-show-when).
    SHOW_WHEN = {
        "to_org": [member_rules.TRANSFER, *member_rules.RETURN_KINDS], "out_date": [member_rules.TRANSFER],
        "letter_number": [member_rules.TRANSFER], "months": [member_rules.PROBATION_EXTENDED],
        "reason": [member_rules.REMOVE],
    }  # fmt: skip

    def __init__(self, *args: Any, actor: User, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].set_queryset(orgs_visible(actor))  # type: ignore[attr-defined]
        if member.status in member_rules.TERMINAL:
            self.fields["kind"].choices = [*EVENT_KIND_CHOICES, *RETURN_KIND_CHOICES]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["version"] = member.version

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        kind = d.get("kind")
        if kind == member_rules.TRANSFER:
            for f, what in (("to_org", "转入党组织"), ("out_date", "转出日期"), ("letter_number", "介绍信编号")):
                if not d.get(f) and f not in self.errors:
                    self.add_error(f, TRANSFER_NEEDS.format(what=what))
        if kind in member_rules.RETURN_KINDS and not d.get("to_org") and "to_org" not in self.errors:
            self.add_error("to_org", TRANSFER_NEEDS.format(what="转入党组织"))
        if kind == member_rules.PROBATION_EXTENDED and not d.get("months") and "months" not in self.errors:
            self.add_error("months", MONTHS_REQUIRED)
        if kind == member_rules.REMOVE and not d.get("reason"):
            self.add_error("reason", REASON_REQUIRED)
        return d

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d["kind"]
        transfer = kind == member_rules.TRANSFER
        return dict(
            kind=kind, date=d["date"], to_org=d["to_org"] if transfer or kind in member_rules.RETURN_KINDS else None,
            out_date=d["out_date"] if transfer else None, letter_number=d["letter_number"] if transfer else "",
            months=d["months"] if kind == member_rules.PROBATION_EXTENDED else None,
            reason=d["reason"] if kind == member_rules.REMOVE else "", note=d["note"], version=d["version"],
        )  # fmt: skip


# --- filters (GET) -------------------------------------------------------------------------------------


class OrgMembersFilter(StyledForm):
    status = forms.ChoiceField(label="党籍状态", choices=[], required=False)
    as_of = date_field("截至日期", required=False, help_text="查看该日的党员名册")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class AuditFilterForm(StyledForm):
    date_from = date_field("开始日期", required=False)
    date_to = date_field("结束日期", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="操作类型", required=False, choices=[])
    org = OrgChoiceField(label="党组织（含下级）", required=False)
    target = forms.CharField(label="对象", required=False, max_length=200, help_text="姓名、名称或编号")
    target_type = forms.CharField(required=False, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: User, action_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices  # type: ignore[attr-defined]
        self.fields["org"].set_queryset(orgs_visible(actor))  # type: ignore[attr-defined]


class HolidayScheduleForm(StyledForm):
    """A year's 放假安排 as the State Council's notice gives it; common.workdays reads the days."""

    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label="放假日期", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行或用逗号分隔一个日期或一段日期，例如：2027-01-01至2027-01-03（含周末的整段放假日期）；通知涉及上一年12月的日期也照录。",
    )  # fmt: skip
    makeup_workdays = forms.CharField(
        label="调休上班日", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="需要上班的周六、周日，例如：2027-02-06、2027-02-20。没有可不填。",
    )  # fmt: skip
    basis = forms.CharField(label="依据", max_length=200, help_text="国务院办公厅通知的文号或标题。")

"""Forms of the dues pages: they parse input; the services decide what is allowed, and their Chinese
messages go back on the fields (web.forms.add_service_errors). Amounts stay strings until the
service parses them as Decimal — never float."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from dangjian.dues import rules
from dangjian.web.forms import StyledForm, date_field

MONTH_FORMAT = "请按“年-月”填写月份，如2026-03。"
MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
MONTH_RANGE_ORDER = "截止月份不能早于起始月份。"
MONTH_RANGE_TOO_LONG = "一次最多登记24个月。"


class MonthInput(forms.TextInput):
    input_type = "month"


def parse_month(value: str) -> dt.date | None:
    m = MONTH_RE.match(value or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return dt.date(year, month, 1)


class MonthField(forms.Field):
    widget = MonthInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        d = parse_month(str(value))
        if d is None:
            raise forms.ValidationError(MONTH_FORMAT)
        return d

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value


class MoneyField(forms.CharField):
    """A yuan amount kept as the typed string: the service parses it (Decimal, 2 places)."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("max_length", 20)
        super().__init__(**kw)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class BasisForm(StyledForm):
    category = forms.ChoiceField(label="党费类别", choices=[(c, rules.CATEGORY_LABELS[c]) for c in rules.DIRECT_CATEGORIES])
    base = MoneyField(label="计算基数（元/月）", required=False,
                      help_text="在职、年薪制、个体经营者和离退休党员填写；农民、学生等按固定标准的不填。")
    fixed_amount = MoneyField(label="农民党员个别标准（元/月）", required=False,
                              help_text="空表示按本县统一标准；须在0.2元至1元之间。")
    effective_from = MonthField(label="起始月份", help_text="新基数从领取新工资的当月起执行（第十条）。")
    document = forms.CharField(label="核定依据/文号", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)


class MemberPayForm(StyledForm):
    start = MonthField(label="从（月份）")
    end = MonthField(label="到（月份）", required=False, help_text="只交一个月的，不填。")
    paid_on = date_field("交纳日期")
    method = forms.ChoiceField(label="交纳方式", choices=list(rules.METHOD_LABELS.items()))
    amount = MoneyField(label="实交金额（元）", required=False, help_text="只登记一个月时可填；空表示按应交金额。")
    receipt_number = forms.CharField(label="收据编号", max_length=50, required=False)
    payer_name = forms.CharField(label="代交人", max_length=50, required=False)
    consent_note = forms.CharField(label="支部同意（会议/日期）", max_length=200, required=False,
                                   help_text="按季交纳、委托代交须经党支部同意（第十二条）。")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", MONTH_RANGE_ORDER)
            elif rules.month_ord(end) - rules.month_ord(start) >= 24:
                self.add_error("end", MONTH_RANGE_TOO_LONG)
        return data

    def months(self) -> list[dt.date]:
        start = self.cleaned_data["start"]
        end = self.cleaned_data.get("end") or start
        return [rules.month_from_ord(n) for n in range(rules.month_ord(start), rules.month_ord(end) + 1)]


class VoluntaryForm(StyledForm):
    amount = MoneyField(label="金额（元）", help_text="一次1000元以上的，全部上缴中央（第十一条）。")
    paid_on = date_field("交纳日期")
    receipt_number = forms.CharField(label="收据编号", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class HardshipForm(StyledForm):
    kind = forms.ChoiceField(label="减免方式", choices=list(rules.HARDSHIP_KIND_LABELS.items()))
    amount = MoneyField(label="少交后每月金额（元）", required=False, help_text="少交时填写。")
    start_month = MonthField(label="起始月份")
    end_month = MonthField(label="截止月份", required=False, help_text="空表示直至另行核定。")
    reason = forms.CharField(label="困难情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    branch_decided_on = date_field("党支部研究日期")
    branch_meeting = forms.CharField(label="党支部会议/决定", max_length=200, help_text="如：2026年3月5日支委会")


class HardshipReviewForm(StyledForm):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")])
    approved_on = date_field("审批日期")
    approval_document = forms.CharField(label="审批文号/会议", max_length=200, required=False)
    approval_note = forms.CharField(label="审批意见", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class HandUpForm(StyledForm):
    month = MonthField(label="所属月份")
    amount = MoneyField(label="上缴金额（元）")
    handed_on = date_field("上缴日期")
    receipt_number = forms.CharField(label="凭证/收据编号", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class MonthPickForm(forms.Form):
    month = MonthField(label="月份")


class DuesUseForm(StyledForm):
    used_on = date_field("使用日期")
    amount = MoneyField(label="金额（元）")
    purpose = forms.ChoiceField(label="用途", choices=list(rules.USE_PURPOSE_LABELS.items()),
                                help_text="党费主要用于党员教育培训、表彰、补助生活困难党员和受灾救济等。")
    decision = forms.CharField(label="批准的会议/文件", max_length=200, help_text="如：2026年3月5日支委会决定")
    note = forms.CharField(label="说明", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), help_text="用途为“其他”的，请写明具体用途。")


class CorrectForm(forms.Form):
    """The small correction form on a paid ledger row. Empty values keep what was recorded."""

    member = forms.IntegerField()
    version = forms.IntegerField()
    void = forms.BooleanField(required=False)
    paid_amount = MoneyField(required=False)
    paid_on = forms.DateField(required=False)
    method = forms.ChoiceField(choices=[("", ""), *rules.METHOD_LABELS.items()], required=False)
    reason = forms.CharField(max_length=200, required=False)

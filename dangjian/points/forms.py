"""Forms of the points pages: parsing only; every rule is checked by points.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from dangjian.orglife import rules as orglife_rules
from dangjian.orglife.forms import MultipleFileField, MultipleFileInput
from dangjian.points import rules
from dangjian.web.forms import StyledForm, date_field

ATTACHMENT_ACCEPT = ".jpg,.jpeg,.png,.gif,.webp,.pdf,.docx,.xlsx"
QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
TEMPLATE_CHOICES = [("", "不用模板（空白方案）"), *((c, f"{c} {t.name}") for c, t in rules.TEMPLATES.items())]
BANDS_HELP = "5个分数，用逗号分隔：一星至五星的最低分；低于一星为不合格。E6.1：60,70,80,90,96"


def score(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=7, decimal_places=1, min_value=0,
                              help_text=help_text)  # fmt: skip


class SchemeForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    template = forms.ChoiceField(label="参照模板", choices=TEMPLATE_CHOICES, required=False,
                                 help_text="选择模板后，基础分、上限、星级分数线和积分项目按模板预置，保存后可再调整项目。")
    name = forms.CharField(label="方案名称", max_length=200, required=False, help_text="选用模板时可不填，用模板名称。")
    base_points = score("基础分", required=False, help_text="选用模板时可不填。")
    total_cap = score("总分上限", required=False, help_text="空表示不设上限。")
    carry_over_percent = forms.DecimalField(label="上年总分结转比例（%）", required=False, min_value=0, max_value=100,
                                            decimal_places=1, help_text="E6.2：次年基础分为上年总分的20%；0表示不结转。")
    bands = forms.CharField(label="星级分数线", required=False, help_text=BANDS_HELP)

    def band_values(self) -> list[str] | None:
        raw = (self.cleaned_data.get("bands") or "").replace("，", ",")
        return [b.strip() for b in raw.split(",") if b.strip()] or None


class SchemeEditForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="方案名称", max_length=200)
    base_points = score("基础分")
    total_cap = score("总分上限", required=False, help_text="空表示不设上限。")
    carry_over_percent = forms.DecimalField(label="上年总分结转比例（%）", required=False, min_value=0, max_value=100,
                                            decimal_places=1)
    bands = forms.CharField(label="星级分数线", help_text=BANDS_HELP)

    def band_values(self) -> list[str]:
        raw = (self.cleaned_data.get("bands") or "").replace("，", ",")
        return [b.strip() for b in raw.split(",") if b.strip()]


class ItemForm(StyledForm):
    name = forms.CharField(label="项目名称", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=list(rules.KIND_LABELS.items()))
    points = score("每次分值", required=False, help_text="一票否决项目不填。")
    yearly_cap = score("单项年度上限", required=False, help_text="空表示不设上限。")
    source = forms.ChoiceField(label="计分方式", choices=list(rules.SOURCE_LABELS.items()))
    meeting_kinds = forms.MultipleChoiceField(label="计分的会议类型", required=False,
                                              choices=list(orglife_rules.KIND_LABELS.items()),
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text="仅“参加组织生活”自动计分时选择；不选表示各类组织生活。")
    evidence_required = forms.BooleanField(label="须附证明材料", required=False)
    beyond_total_cap = forms.BooleanField(label="不受总分上限（如县级以上表彰）", required=False)


class ItemEditForm(StyledForm):
    name = forms.CharField(label="项目名称", max_length=200)
    points = score("每次分值", required=False)
    yearly_cap = score("单项年度上限", required=False)
    evidence_required = forms.BooleanField(label="须附证明材料", required=False)


class YearForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class QuarterForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTERS, coerce=int)


class EntryForm(StyledForm):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    item = forms.TypedChoiceField(label="积分项目", coerce=int)
    date = date_field("日期")
    quantity = forms.DecimalField(label="次数", min_value=0, decimal_places=1, initial=1)
    reason = forms.CharField(label="事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label="证明材料", help_text="图片、pdf、docx、xlsx，每个不超过20MB",
                                 widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))

    def __init__(self, *args: Any, members: list[tuple[int, str]], items: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "请选择"), *members]
        cast(forms.ChoiceField, self.fields["item"]).choices = [("", "请选择"), *items]


class DecideForm(StyledForm):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("reject", "不通过")])
    note = forms.CharField(label="审核意见", max_length=500, required=False, help_text="不通过的须填写。")


class ObjectionForm(StyledForm):
    entry = forms.TypedChoiceField(label="对哪条记录有异议", coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label="异议理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, entries: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["entry"]).choices = [("", "总分（不指定记录）"), *entries]


class HandleForm(StyledForm):
    decision = forms.ChoiceField(label="处理结果", choices=[("upheld", "异议成立"), ("rejected", "异议不成立")])
    response = forms.CharField(label="处理意见", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="异议不成立的，须说明理由。")
    corrected_points = forms.DecimalField(label="更正后分值", required=False, decimal_places=1,
                                          help_text="异议成立且指明了记录的填写；扣分填负数。")


class BratingLineForm(StyledForm):
    category = forms.ChoiceField(label="类别", choices=list(rules.BRANCH_CATEGORIES.items()))
    indicator = forms.CharField(label="指标", max_length=200)
    points = forms.DecimalField(label="加减分", decimal_places=1, help_text="加分填正数，扣分填负数。")
    date = date_field("日期")
    reason = forms.CharField(label="事由", max_length=500)

"""Forms of the assessment pages. They parse and present input; the services decide what is allowed
and their Chinese messages go back on the fields (web.forms.add_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.assessment import indicators, rules
from dangjian.assessment.models import Node
from dangjian.assessment.templates_data import TEMPLATE_LABELS
from dangjian.orgs.models import Org
from dangjian.web.forms import StyledForm

EVAL_ROWS = 3  # voter groups on the entry form (E6.6 uses two: county plenary and the unit's own)


class SchemeForm(StyledForm):
    owner: forms.ModelChoiceField = forms.ModelChoiceField(queryset=Org.objects.none(), label="制定单位", empty_label=None)
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="方案名称", max_length=200)
    kind = forms.ChoiceField(label="考核对象", choices=list(rules.KIND_LABELS.items()))
    review_level = forms.ChoiceField(label="审核单位", choices=list(rules.REVIEW_LABELS.items()))
    notice_days = forms.IntegerField(label="公示天数", min_value=1, max_value=30)
    bands = forms.CharField(label="等次（每行：等次名称,最低分；从高到低，最后一档为0）", widget=forms.Textarea(attrs={"rows": 4}),
                            required=False)
    template = forms.ChoiceField(label="使用模板（可选，之后可修改）", required=False,
                                 choices=[("", "不使用模板（从空白开始）"), *TEMPLATE_LABELS.items()])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
            del self.fields["template"]
        else:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class NodeForm(StyledForm):
    title = forms.CharField(label="名称", max_length=200)
    max_points = forms.CharField(label="分值（只对末级项目有效；上级项目为下级之和）", required=False, initial="0")
    method = forms.ChoiceField(label="计分方法", choices=list(rules.METHOD_LABELS.items()))
    source = forms.ChoiceField(label="数据来源", choices=list(rules.SOURCE_LABELS.items()))
    indicator = forms.ChoiceField(label="平台指标（数据来源为平台监测时）", required=False,
                                  choices=[("", "—"), *indicators.INDICATOR_LABELS.items()])
    per = forms.CharField(label="每次扣分（按次扣分）", required=False)
    cap = forms.CharField(label="扣分上限（按次扣分，空为不超过分值）", required=False)
    step = forms.CharField(label="每降一名减分（按名次计分）", required=False)
    floor = forms.CharField(label="最低得分（按名次计分）", required=False)
    threshold = forms.CharField(label="达标线/否决线（数值，可空）", required=False)
    standard = forms.CharField(label="评分标准", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    PARAMS = ("per", "cap", "step", "floor", "threshold")

    @classmethod
    def initial_for(cls, node: Node) -> dict[str, Any]:
        return {"title": node.title, "max_points": node.max_points, "method": node.method, "source": node.source,
                "indicator": node.indicator, "standard": node.standard, **(node.params or {})}  # fmt: skip

    def node_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"title": d["title"], "max_points": d["max_points"], "method": d["method"], "source": d["source"],
                "indicator": d["indicator"] or "", "standard": d["standard"],
                "params": {k: d[k] for k in self.PARAMS if d.get(k)}}  # fmt: skip


class ActivateForm(StyledForm):
    self_due = forms.DateField(label="自评截止日期", required=False)
    review_due = forms.DateField(label="审核截止日期", required=False)


class CopyForm(StyledForm):
    year = forms.IntegerField(label="新方案年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="新方案名称（空则沿用）", max_length=200, required=False)


class PublishForm(StyledForm):
    start = forms.DateField(label="公示开始日期")


class ReturnForm(StyledForm):
    reason = forms.CharField(label="退回理由", max_length=500)


class EvidenceForm(StyledForm):
    node = forms.ModelChoiceField(queryset=Node.objects.none(), label="对应项目", required=False, empty_label="（整体）")
    file = forms.FileField(label="佐证材料（图片、pdf、docx、xlsx）")

    def __init__(self, *args: Any, leaves: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if leaves is not None:
            self.fields["node"].queryset = leaves  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [] if data in (None, "") else [single(data, initial)]


class InspectionForm(StyledForm):
    date = forms.DateField(label="督查日期")
    notes = forms.CharField(label="督查情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleFileField(label="照片（可多选）", required=False)

    def __init__(self, *args: Any, items: list[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in items:
            self.fields[f"item_{n.pk}"] = forms.CharField(label=f"{n.title}（满分{n.max_points}）", required=False)
        self.items = items
        self.style_fields()

    def scores(self) -> dict[int, Any]:
        return {n.pk: self.cleaned_data.get(f"item_{n.pk}") for n in self.items}


class EvaluationForm(StyledForm):
    node = forms.ModelChoiceField(queryset=Node.objects.none(), label="评议项目", empty_label=None)
    date = forms.DateField(label="评议日期")
    notes = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = items  # type: ignore[attr-defined]
        for i in range(1, EVAL_ROWS + 1):
            self.fields[f"g{i}_name"] = forms.CharField(label=f"评议群体{i}", required=False, max_length=50)
            self.fields[f"g{i}_weight"] = forms.CharField(label=f"群体{i}分值", required=False)
            for k in rules.EVAL_GRADES:
                self.fields[f"g{i}_{k}"] = forms.IntegerField(label=f"群体{i}“{rules.EVAL_GRADE_LABELS[k]}”票数",
                                                              required=False, min_value=0)
        self.style_fields()

    def groups(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = []
        for i in range(1, EVAL_ROWS + 1):
            if not (d.get(f"g{i}_name") or d.get(f"g{i}_weight")):
                continue
            out.append({"name": d.get(f"g{i}_name") or "", "weight": d.get(f"g{i}_weight") or "0",
                        **{k: d.get(f"g{i}_{k}") or 0 for k in rules.EVAL_GRADES}})  # fmt: skip
        return out

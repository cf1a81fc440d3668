"""Presentation helpers: Chinese labels for codes, field names and audit actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.forms import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString

from dangjian.dues.services import AUDIT_ACTION_LABELS as DUES_ACTION_LABELS
from dangjian.members import rules as member_rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org, OrgEventKind
from dangjian.points.services import AUDIT_ACTION_LABELS as POINTS_ACTION_LABELS
from dangjian.supervision.rules import EVENT_LABELS as SUPERVISION_EVENT_LABELS

register = template.Library()

ACTION_LABELS = {
    "login.ok": "登录成功",
    "login.failed": "登录失败",
    "user.create": "创建用户",
    "user.api_token": "签发接口令牌",
    "org.create": "成立党组织",
    "org.update": "修改党组织信息",
    "org.rename": "党组织更名",
    "org.change_type": "调整组织类型",
    "org.move": "调整隶属关系",
    "org.dissolve": "撤销党组织",
    "org.merge": "合并党组织",
    "member.create": "录入党员",
    "member.update": "修改党员信息",
    "member.reveal.id_number": "查看完整公民身份号码",
    "member.reveal.phone": "查看完整手机号码",
    "setting.update": "修改参数设置",
    "holiday_schedule.save": "录入放假安排（工作日日历）",
    "holiday_schedule.delete": "删除放假安排（工作日日历）",
    "demo.load": "载入示范数据",
    "orglife.meeting.create": "记录组织生活会议",
    "orglife.meeting.update": "修改组织生活会议记录",
    "orglife.meeting.files": "上传会议照片和附件",
    "orglife.appraisal.grades": "登记民主评议等次",
    "orglife.training.create": "记录培训（学时）",
    "orglife.committee_post.add": "任命支部委员职务",
    "orglife.committee_post.end": "免去支部委员职务",
    **DUES_ACTION_LABELS,
    "ledgers.import": "导入台账",
    "ledgers.export.full": "导出含完整个人信息的台账",
    "recruitment.record.create": "建立发展党员记录",
    "recruitment.record.update": "修改发展党员记录",
    "recruitment.step.record": "登记发展党员步骤",
    "recruitment.step.withdraw": "撤回发展党员步骤",
    "recruitment.document.add": "上传发展党员材料",
    "recruitment.notice.record": "登记公示",
    "recruitment.notice.update": "修改公示",
    "recruitment.outcome.stopped": "终止发展",
    "recruitment.outcome.extended": "延长预备期",
    "recruitment.outcome.cancelled": "取消预备党员资格",
    "recruitment.plan.set": "下达发展党员计划",
    "recruitment.rule.override": "特殊情况处理（越过规则）",
    "recruitment.export.full": "导出含完整身份证号的花名册",
    "recruitment.reveal.id_number": "查看发展对象完整身份证号",
    "supervision.task.issue": "下达督办任务",
    **{f"supervision.item.{event}": f"督办事项：{label}" for event, label in SUPERVISION_EVENT_LABELS.items()},
    "assessment.scheme.create": "制定考核方案",
    "assessment.scheme.update": "修改考核方案",
    "assessment.scheme.copy": "复制考核方案到新年度",
    "assessment.scheme.activate": "启动考核",
    "assessment.scheme.finalize": "考核定分",
    "assessment.scheme.publish": "发布考核结果（公示）",
    "assessment.scheme.close": "考核归档",
    "assessment.node.add": "增加考核指标",
    "assessment.node.update": "修改考核指标",
    "assessment.node.move": "调整考核指标顺序",
    "assessment.node.remove": "删除考核指标",
    "assessment.self.update": "考核自评",
    "assessment.self.submit": "提交考核自评",
    "assessment.self.return": "退回考核自评",
    "assessment.review": "考核审核",
    "assessment.evidence.add": "上传考核佐证材料",
    "assessment.inspection.add": "登记日常督查",
    "assessment.evaluation.add": "登记述职评议投票",
    **POINTS_ACTION_LABELS,
    "rectification.case.identify": "排查软弱涣散候选党组织",
    "rectification.case.findings": "更新软弱涣散排查结果",
    "rectification.case.nominate": "提名软弱涣散党组织",
    "rectification.case.confirm": "确定软弱涣散党组织",
    "rectification.case.dismiss": "排除软弱涣散候选",
    "rectification.plan.create": "制定整顿方案（四定一包）",
    "rectification.plan.update": "修改整顿方案",
    "rectification.milestone.add": "增加整顿节点",
    "rectification.milestone.done": "整顿节点完成",
    "rectification.progress.report": "报告整顿进展",
    "rectification.progress.files": "上传整顿材料",
    "rectification.acceptance.record": "整顿验收",
    "rectification.survey.record": "登记群众满意度测评",
    "rectification.survey.update": "修改群众满意度测评",
}
EXTRA_FIELD_LABELS = {
    "id_number": "公民身份号码",
    "phone": "手机号码",
    "event": "事项",
    "date": "日期",
    "org": "党组织",
    "orgs": "管理的党组织",
    "role": "角色",
    "parent": "上级党组织",
    "into": "并入",
    "division_id": "党组织所在行政区划",
    "approving_org_id": "批准成立的上级党组织",
}


@register.simple_tag
def vname(obj: Any, field: str) -> str:
    """The verbose name of a model field, the label the national system uses."""
    try:
        return str(getattr(obj._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


@register.filter
def get_item(mapping: dict | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def status_label(code: str | None) -> str:
    return member_rules.STATUS_LABELS.get(code or "", code or "")


@register.filter
def age(birth: dt.date | None, on: dt.date | None = None) -> int | str:
    """年龄（周岁） on ``on`` (today when not given). Lists show this instead of the birth date: the
    masked ID number hides exactly the birth date, so the two together would give the full number."""
    if birth is None:
        return ""
    return member_rules.age_on(birth, on or timezone.localdate())


@register.filter
def reason_label(code: str | None) -> str:
    return member_rules.REMOVAL_REASONS.get(code or "", code or "")


@register.filter
def event_label(code: str | None) -> str:
    return member_rules.EVENT_LABELS.get(code or "", code or "")


MODELS_BY_HINT: dict[str, tuple[type[Model], ...]] = {
    "org": (Org, Member, MembershipEvent),
    "orgs.org": (Org, Member, MembershipEvent),
    "member": (Member, MembershipEvent, Org),
    "members.member": (Member, MembershipEvent, Org),
}


def _model_field(name: str, hint: str = "") -> Any:
    for model in MODELS_BY_HINT.get(hint, (Member, Org, MembershipEvent)):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


@register.filter
def field_label(name: str, hint: str = "") -> str:
    """A field name of a change record as its Chinese label (the model that owns it first)."""
    if name in EXTRA_FIELD_LABELS:
        return EXTRA_FIELD_LABELS[name]
    f = _model_field(name, hint)
    return str(getattr(f, "verbose_name", name)) if f is not None else name


@register.filter
def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("member.event."):
        return "党员事项：" + member_rules.EVENT_LABELS.get(action.removeprefix("member.event."), action)
    return action


@register.filter
def org_event_label(code: str) -> str:
    return dict(OrgEventKind.choices).get(code, code)


def _shown(value: Any, choices: dict | None = None) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_shown(v, choices) for v in value)
    if choices and isinstance(value, str) and value in choices:
        return str(choices[value])
    return str(value)


def _birth_year_only(value: Any) -> Any:
    return f"{value[:4]}-**-**" if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit() else value


@register.filter
def changes_list(changes: dict | None, hint: str = "") -> list[tuple[str, str, str | None]]:
    """``{field: [old, new]}`` (or ``{field: value}``) as (label, old, new) rows, coded values shown
    by their Chinese names. ``hint`` names the model the record is about ("orgs.org", "members.member")."""
    rows: list[tuple[str, str, str | None]] = []
    for name, value in (changes or {}).items():
        if name == "birth_date":
            # Rows written before the log kept the year only: show the year only (with the masked
            # ID number in the same record, the full date would give the whole number away).
            value = [_birth_year_only(v) for v in value] if isinstance(value, list | tuple) else _birth_year_only(value)
        f = _model_field(name, hint)
        choices = dict(f.flatchoices) if f is not None and getattr(f, "choices", None) else None
        label = field_label(name, hint)
        if isinstance(value, list | tuple) and len(value) == 2:
            rows.append((label, _shown(value[0], choices), _shown(value[1], choices)))
        else:
            rows.append((label, _shown(value, choices), None))
    return rows


@register.filter
def invalid(bound: BoundField) -> SafeString | BoundField:
    """The widget with Bootstrap's ``is-invalid`` when the field has errors."""
    if not isinstance(bound, BoundField) or not bound.errors:
        return bound
    css = bound.field.widget.attrs.get("class", "")
    return bound.as_widget(attrs={"class": f"{css} is-invalid".strip()})


@register.filter
def severity_class(severity: str) -> str:
    return {"danger": "danger", "warning": "warning", "info": "info"}.get(severity, "secondary")

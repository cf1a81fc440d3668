"""Template context for every page: the navigation the acting user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    from dangjian.accounts.models import Role

    items = [("web:home", "工作台")]
    if user.role == Role.MEMBER:
        items += [("web:me", "我的档案"), ("points:mine", "我的积分")]
    else:
        items += [("web:org_tree", "党组织"), ("web:member_search", "党员"), ("dues:home", "党费"),
                  ("orglife:home", "组织生活")]
        items.append(("ledgers:home", "台账"))
    if user.role == Role.COUNTY_ADMIN:
        items += [("web:audit", "审计日志"), ("web:settings", "参数设置")]
    # 督办考核: one menu for supervision tasks, assessment, member points and rectification.
    oversight = [] if user.role == Role.MEMBER else [
        ("supervision", "supervision:task_list", "督办任务"), ("assessment", "assessment:home", "考核"),
        ("points", "points:home", "党员积分与评星"), ("rectification", "rectification:home", "软弱涣散整顿"),
    ]
    return {"nav": items, "oversight_nav": oversight, "role_label": user.get_role_display()}

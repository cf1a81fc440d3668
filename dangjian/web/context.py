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
        items.append(("web:me", "我的档案"))
    else:
        items += [("web:org_tree", "党组织"), ("web:member_search", "党员"), ("dues:home", "党费"),
                  ("orglife:home", "组织生活")]
        items.append(("ledgers:home", "台账"))
    if user.role == Role.COUNTY_ADMIN:
        items += [("web:audit", "审计日志"), ("web:settings", "参数设置")]
    return {"nav": items, "role_label": user.get_role_display()}

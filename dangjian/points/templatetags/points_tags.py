"""Template filters of the points pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from dangjian.points import rules

register = template.Library()


@register.filter
def pts(value: Any) -> str:
    """A score as people write it (6, 0.5, -2); empty for None."""
    if value is None or value == "":
        return ""
    return rules.fmt(value if isinstance(value, Decimal) else Decimal(str(value)))


@register.filter
def star_label(value: Any) -> str:
    try:
        return rules.STAR_LABELS[int(value)]
    except (TypeError, ValueError, KeyError):
        return ""


@register.filter
def item_of(mapping: dict | None, key: Any) -> Any:
    return (mapping or {}).get(key)

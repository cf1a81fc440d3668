"""平台监测指标: the values an assessment item of source ``platform`` is computed from, out of
Dangjian's own records. Each indicator returns its value (a percentage unless said otherwise), a
Chinese sentence and a ``trace`` — the counts and the records (ids, links) it came from — so every
number on a score sheet can be followed back to the rows behind it.

Indicators read through the other apps' selectors with the acting user (the reviewer at finalisation,
the viewer for a live preview), so they never see outside that user's scope. They are computed for
the assessed organization's whole subtree over the scheme's year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.assessment.rules import HUNDRED, q2
from dangjian.orgs.models import Org


@dataclass(frozen=True)
class IndicatorValue:
    value: Decimal | None  # None: nothing to measure (no dues due, no plan...)
    text: str
    trace: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    compute: Callable[[User, Org, int, dt.date], IndicatorValue]


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    return None if not whole else q2(Decimal(part) * HUNDRED / Decimal(whole))


def orglife_compliance(actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    """组织生活合规率: periods held over periods held or missed, pooled over every branch of the subtree
    (orglife.selectors.compliance_rows), judged on ``today``: a period still running is neither done nor
    missed yet, so at finalisation after the year's end every period of it is judged."""
    from dangjian.orglife.selectors import compliance_rows

    rows = compliance_rows(actor, org, year, today)
    done = sum(r.tally.done for r in rows)
    missed = sum(r.tally.missed for r in rows)
    rate = _pct(done, done + missed)
    trace = {
        "counts": {"branches": len(rows), "done": done, "missed": missed},
        "ids": [r.org.pk for r in rows],
        "links": [{"label": f"{r.org.name}组织生活日历（已开展{r.tally.done}、未开展{r.tally.missed}）",
                   "url": reverse("orglife:calendar", args=[r.org.pk]) + f"?year={year}"} for r in rows],
    }  # fmt: skip
    text = (f"{year}年{len(rows)}个党支部应开展的组织生活已开展{done}项、未按期开展{missed}项，"
            f"合规率{'—' if rate is None else f'{rate}%'}。")  # fmt: skip
    return IndicatorValue(rate, text, trace)


def dues_rate(actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    """党费收缴率: collected over due in the year for the subtree (dues.selectors.rollup_year)."""
    from dangjian.dues.selectors import rollup_year

    roll = rollup_year(actor, org, year)
    rate = _pct(roll.collected, roll.due)
    trace = {
        "counts": {"due": str(roll.due), "collected": str(roll.collected)},
        "links": [{"label": f"{org.name}{year}年党费收缴", "url": reverse("dues:org", args=[org.pk]) + f"?year={year}"}],
    }
    text = f"{year}年应收党费{roll.due}元、实收{roll.collected}元，收缴率{'—' if rate is None else f'{rate}%'}。"
    return IndicatorValue(rate, text, trace)


def development_plan(actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    """发展党员计划完成率: members approved as probationary in the year over the plan's quota
    (recruitment.selectors.plan_fulfilment). The organization's own plan if it has one, else the sum
    of the plans set inside its subtree."""
    from dangjian.recruitment.selectors import plan_fulfilment

    rows = plan_fulfilment(actor, year, org=org)
    own = [r for r in rows if r.org.pk == org.pk]
    used = own or rows
    quota = sum(r.quota for r in used)
    approved = sum(r.approved for r in used)
    rate = _pct(approved, quota)
    trace = {
        "counts": {"plans": len(used), "quota": quota, "approved": approved},
        "ids": [r.org.pk for r in used],
        "links": [{"label": f"{year}年发展党员计划", "url": reverse("recruitment:report_plans") + f"?year={year}"}],
    }
    text = (f"{year}年发展计划{quota}名，已批准为预备党员{approved}名，完成率{'—' if rate is None else f'{rate}%'}"
            + ("（未下达发展计划）。" if not used else "。"))  # fmt: skip
    return IndicatorValue(rate, text, trace)


def class_hours(actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    """学时达标率: members who reached their yearly class hours over all members of the subtree
    (orglife.selectors.class_hours_rollup)."""
    from dangjian.orglife.selectors import class_hours_rollup

    total = class_hours_rollup(actor, org, year).total
    ok = total.members - total.short
    rate = _pct(ok, total.members)
    trace = {
        "counts": {"members": total.members, "short": total.short, "hours": str(total.hours)},
        "links": [{"label": f"{org.name}{year}年学时", "url": reverse("orglife:class_hours", args=[org.pk]) + f"?year={year}"}],
    }
    text = (f"{year}年党员{total.members}名，学时达标{ok}名、未达标{total.short}名，"
            f"达标率{'—' if rate is None else f'{rate}%'}。")  # fmt: skip
    return IndicatorValue(rate, text, trace)


def supervision_on_time(actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    """督办任务按时完成率: items accepted on time over items assigned to the organization in the year
    (supervision.selectors.receiver_stats); overdue-open and returned counts in the trace."""
    from django.http import Http404

    from dangjian.accounts.selectors import scope_for
    from dangjian.supervision import selectors as sup

    # receiver_stats takes no actor ("the caller checks scope"), so check it here as the other
    # apps' selectors do.
    if not scope_for(actor).contains_path(org.path):
        raise Http404
    stats = sup.receiver_stats(org, dt.date(year, 1, 1), dt.date(year, 12, 31), today)
    rate = _pct(stats.accepted_on_time, stats.assigned)
    trace = {
        "counts": {"assigned": stats.assigned, "accepted": stats.accepted, "accepted_on_time": stats.accepted_on_time,
                   "overdue_open": stats.overdue_open, "returned": stats.returned},
        "ids": list(stats.item_ids),
        "links": [{"label": f"督办事项{pk}", "url": reverse("supervision:item_detail", args=[pk])}
                  for pk in stats.item_ids[:50]],
    }  # fmt: skip
    text = (f"{year}年督办任务{stats.assigned}项，已验收{stats.accepted}项（按时{stats.accepted_on_time}项），"
            f"逾期未完成{stats.overdue_open}项、被退回{stats.returned}次，按时完成率{'—' if rate is None else f'{rate}%'}。")
    return IndicatorValue(rate, text, trace)


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator("supervision_on_time", "督办任务按时完成率", "%", supervision_on_time),
        Indicator("orglife_compliance", "组织生活合规率", "%", orglife_compliance),
        Indicator("dues_rate", "党费收缴率", "%", dues_rate),
        Indicator("development_plan", "发展党员计划完成率", "%", development_plan),
        Indicator("class_hours", "党员学时达标率", "%", class_hours),
    )
}
INDICATOR_LABELS = {k: i.label for k, i in INDICATORS.items()}


def compute(key: str, actor: User, org: Org, year: int, today: dt.date) -> IndicatorValue:
    return INDICATORS[key].compute(actor, org, year, today)

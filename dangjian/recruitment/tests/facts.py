"""Plain facts for the pure rule tests: a village branch under a township committee with approval power,
and a complete development history under the 2014 rules (dates chosen so every step passes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.recruitment import rules as R
from dangjian.recruitment import steps as S

D = dt.date.fromisoformat
TODAY = D("2026-11-15")
PARAMS = R.Params()  # effective 2026-05-18, ceiling 6 months, 5 working days
BIRTH = D("1995-05-01")
TOWN = R.OrgFacts("中共甲镇委员会", "township_committee", "00010001", can_approve=True)
BRANCH = R.OrgFacts("中共甲镇一村支部委员会", "branch", "000100010001", is_village_level=True)
FULL_A = R.Person(S.SPONSOR, "李明", 1, "full")
FULL_B = R.Person(S.SPONSOR, "王芳", 2, "full")


def vote(total: int = 10, present: int = 8, yes: int = 8, **kw: Any) -> R.VoteFacts:
    return R.VoteFacts(should_attend_total=total, present=present, yes=yes, **kw)


# A history under the 2014 rules: application 2021-03-01 ... archived 2023-12-01.
HAPPY: dict[int, tuple[str, dict[str, Any]]] = {
    1: ("2021-03-01", {}),
    2: ("2021-03-15", {"people": (R.Person(S.TALKER, "赵书记", 3, "full"),)}),
    3: ("2021-06-01", {}),
    4: ("2021-06-10", {"approving_org": TOWN}),
    5: ("2021-06-10", {"people": (R.Person(S.MENTOR, "李明", 1, "full"), R.Person(S.MENTOR, "王芳", 2, "full"))}),
    7: ("2022-06-06", {}),
    8: ("2022-06-15", {"approving_org": TOWN}),
    9: ("2022-06-20", {"people": (FULL_A, FULL_B)}),
    10: ("2022-08-01", {"details": {"review_conclusion": "qualified", "review_summary": "经审查，政治历史清楚。"}}),
    11: ("2022-08-10", {"details": {"training_days": 3, "training_hours": 24}}),
    12: ("2022-09-01", {}),
    13: ("2022-09-10", {"approving_org": TOWN, "details": {"pre_review_result": "passed"}}),
    14: ("2022-09-15", {}),
    15: ("2022-10-10", {"vote": vote()}),
    16: ("2022-10-20", {"people": (R.Person(S.TALKER, "组织员甲", None, None),), "details": {"talker_position": "组织员"}}),
    17: ("2022-11-15", {"approving_org": TOWN, "vote": vote(7, 6, 6)}),
    18: ("2022-11-30", {}),
    19: ("2022-12-01", {}),
    20: ("2022-12-05", {}),
    22: ("2023-09-20", {"details": {"written": True}}),
    23: ("2023-10-10", {"vote": vote()}),
    24: ("2023-11-10", {"approving_org": TOWN, "vote": vote(7, 6, 6)}),
    25: ("2023-12-01", {}),
}
ASSESSMENTS = ("2021-12-01", "2022-05-30")


def step(n: int, date: str | dt.date | None = None, **kw: Any) -> R.StepFacts:
    d, base = HAPPY.get(n, ("2021-12-01", {}))
    merged = {**base, **kw}
    when = date if isinstance(date, dt.date) else D(date or d)
    return R.StepFacts(number=n, date=when, **merged)


def history(upto: int, *, assessments: tuple[str, ...] = ASSESSMENTS, **record: Any) -> R.RecordFacts:
    """The happy history with every step below ``upto`` recorded."""
    steps = [step(n) for n in HAPPY if n < upto]
    if upto > 6:
        steps += [R.StepFacts(6, D(a), {"assessment": "表现良好"}) for a in assessments]
    record.setdefault("birth_date", BIRTH)
    record.setdefault("branch", BRANCH)
    return R.RecordFacts(steps=tuple(steps), **record)


def check(upto: int, proposed: R.StepFacts | None = None, *, today: dt.date = TODAY, params: R.Params = PARAMS,
          **record: Any) -> list[R.RuleResult]:
    return R.check_step(history(upto, **record), proposed or step(upto), today=today, params=params)


def levels(results: list[R.RuleResult], code: str) -> list[str]:
    return [r.level for r in results if r.code == code]

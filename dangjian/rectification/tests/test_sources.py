"""The two criteria read from the other issue-6 apps, through their own services: last places (or 差,
or a veto) in a published assessment round, and branch stars below 3."""

from __future__ import annotations

import datetime as dt

from dangjian.assessment import services as assessment_services
from dangjian.assessment.tests.conftest import TODAY as ASSESSED_ON
from dangjian.assessment.tests.conftest import World
from dangjian.assessment.tests.conftest import active as active  # noqa: F401  (fixture)
from dangjian.assessment.tests.conftest import world as world  # noqa: F401  (fixture)
from dangjian.assessment.tests.test_services import run_round
from dangjian.points import services as points_services
from dangjian.rectification import rules, selectors
from dangjian.rectification.tests.conftest import TODAY


def criteria(scan, org) -> set[str]:
    return {f.criterion for c in scan.candidates if c.org.pk == org.pk for f in c.findings}


def test_last_place_and_grade_poor_in_a_published_round(active: World):
    w = active
    t = w.tree
    admin = t.users["county_admin"]
    run_round(w)  # 一村 first (一般), 二村 second of 2 (差)
    before = selectors.candidate_scan(admin, t.county, 2026, ASSESSED_ON)
    assert rules.ASSESSMENT_LAST not in criteria(before, t.village_a2)  # finalised, not yet published
    assessment_services.scheme_publish(actor=w.town, scheme=w.scheme, start=dt.date(2026, 12, 21), today=ASSESSED_ON)
    scan = selectors.candidate_scan(admin, t.county, 2026, ASSESSED_ON)
    assert scan.unavailable == []
    assert rules.ASSESSMENT_LAST not in criteria(scan, t.village_a1)
    assert rules.ASSESSMENT_LAST in criteria(scan, t.village_a2)
    f = next(f for c in scan.candidates if c.org.pk == t.village_a2.pk for f in c.findings
             if f.criterion == rules.ASSESSMENT_LAST)
    assert "等次为“差”" in f.facts and "排名第2名（共2个），在倒数1名内" in f.facts


def test_branch_stars_below_three(tree):
    organizer = tree.users["township_organizer"]
    admin = tree.users["county_admin"]
    for village, deduction in ((tree.village_a1, "-20"), (tree.village_a2, "-20.1")):
        rating = points_services.branch_rating_open(actor=organizer, org=village, rater=tree.town_a, year=2026,
                                                    today=TODAY)
        points_services.branch_rating_line_add(actor=organizer, rating=rating, category="system", indicator="三会一课",
                                               points=deduction, reason="未按时开展", date=dt.date(2026, 6, 1),
                                               today=TODAY)
        points_services.branch_rating_finalize(actor=organizer, rating=rating, today=TODAY)
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.STARS_LOW not in criteria(scan, tree.village_a1)  # 80 points: 3 stars
    assert rules.STARS_LOW in criteria(scan, tree.village_a2)  # 79.9: 2 stars
    assert rules.STARS_LOW not in criteria(scan, tree.village_b1)  # not rated

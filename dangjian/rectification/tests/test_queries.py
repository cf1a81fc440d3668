"""The reads run a fixed number of SQL queries whatever the number of organizations (aggregates in
SQL, no per-organization queries)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.rectification import selectors, services
from dangjian.rectification.tests.conftest import TODAY
from dangjian.testing import make_org


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_scan_and_counts_do_not_grow_with_the_county(tree):
    admin = tree.users["county_admin"]
    services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    small_scan = queries(lambda: selectors.candidate_scan(admin, tree.county, 2026, TODAY))
    small_counts = queries(lambda: selectors.counts(admin, tree.county, 2026))
    for i in range(12):
        make_org(tree.town_b, f"中共乙镇新{i}村支部委员会", "branch", category="rural")
    services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    big_scan = queries(lambda: selectors.candidate_scan(admin, tree.county, 2026, TODAY))
    big_counts = queries(lambda: selectors.counts(admin, tree.county, 2026))
    assert big_scan == small_scan
    assert big_counts == small_counts
    print(f"candidate_scan {small_scan} queries (3 and 15 villages); counts {small_counts} queries")

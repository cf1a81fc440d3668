"""Fixes from the review of assessment, each pinned by a test that fails without it:

- a pass/fail (or veto) item with a threshold takes the number compared with it, not a 1/0 flag;
- a platform item (a percentage) only with a method that reads a rate; a veto item has no points;
- 述职评议 entered in two sittings (E6.6: county plenary 24, the unit's own 16) counts both groups;
- an assessed village's preview is not ranked against the other villages' values it may not see,
  and a sheet's preview does not compute every other organization's items (query count);
- finalisation writes the round in bulk (query count independent of the number of organizations);
- once published (公示) the whole ranking is shown to the assessed organizations, their neighbours'
  item-by-item sheets stay private.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.assessment import rules, selectors, services
from dangjian.assessment.models import Result
from dangjian.assessment.tests.conftest import TODAY, World, row_counts, self_values
from dangjian.common.errors import ServiceError
from dangjian.testing import PASSWORD, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- scoring-method edge cases --------------------------------------------------------------------------------


def test_check_raw_takes_a_number_when_there_is_a_threshold():
    assert rules.check_raw(rules.M_PASS_FAIL, D("75"), max_points=D(5), item="x", params={"threshold": "60"}) == D("75.00")
    assert rules.check_raw(rules.M_VETO, D("55.5"), max_points=D(0), item="x", params={"threshold": "60"}) == D("55.50")
    with pytest.raises(rules.RuleError):
        rules.check_raw(rules.M_PASS_FAIL, D("-1"), max_points=D(5), item="x", params={"threshold": "60"})
    with pytest.raises(rules.RuleError):  # no threshold: still a 1/0 flag
        rules.check_raw(rules.M_PASS_FAIL, D("75"), max_points=D(5), item="x", params={})
    assert rules.value_label(rules.M_PASS_FAIL, {"threshold": "60"}) == "数值（达标线60）"
    assert rules.value_label(rules.M_PASS_FAIL, {}) == rules.METHOD_VALUE_LABELS[rules.M_PASS_FAIL]


def test_manual_pass_fail_with_threshold_can_pass(tree):
    town = tree.users["township_organizer"]
    scheme = services.scheme_create(actor=town, owner=tree.town_a, year=2026, name="达标线", kind=rules.KIND_VILLAGE)
    area = services.node_add(actor=town, scheme=scheme, parent=None, title="A")
    node = services.node_add(actor=town, scheme=scheme, parent=area, title="群众满意度", max_points="10",
                             method=rules.M_PASS_FAIL, params={"threshold": "60"})
    services.scheme_activate(actor=town, scheme=scheme)
    r1 = Result.objects.get(scheme=scheme, org=tree.village_a1)
    services.self_assess(actor=town, result=r1, values={node.pk: ("75", "测评满意率75%")})
    line = selectors.score_sheet(town, r1, TODAY).lines[-1].line
    assert line is not None and line.score == D("10.00") and "达标线60" in line.explanation
    services.self_assess(actor=town, result=r1, values={node.pk: ("59", "")})
    line = selectors.score_sheet(town, r1, TODAY).lines[-1].line
    assert line is not None and line.score == D("0.00")


def test_platform_item_needs_a_method_reading_a_rate_and_veto_has_no_points(world: World):
    town, scheme, area = world.town, world.scheme, world.n["area_b"]
    before = row_counts()
    for kwargs, field, message in (
        ({"method": rules.M_MANUAL}, "method", services.PLATFORM_METHOD),
        ({"method": rules.M_DEDUCTION, "params": {"per": "1"}}, "method", services.PLATFORM_METHOD),
        ({"method": rules.M_PASS_FAIL}, "method", services.PLATFORM_METHOD),  # 1/0 flag against a rate
    ):
        with pytest.raises(ServiceError) as exc:
            services.node_add(actor=town, scheme=scheme, parent=area, title="收缴率", max_points="10",
                              source=rules.SRC_PLATFORM, indicator="dues_rate", **kwargs)
        assert exc.value.errors[field] == [message]
    with pytest.raises(ServiceError) as exc:
        services.node_add(actor=town, scheme=scheme, parent=area, title="安全稳定", max_points="10", method=rules.M_VETO)
    assert exc.value.errors["max_points"] == [services.VETO_POINTS]
    assert row_counts() == before
    ok = services.node_add(actor=town, scheme=scheme, parent=area, title="收缴率达标", max_points="10",
                           method=rules.M_PASS_FAIL, source=rules.SRC_PLATFORM, indicator="dues_rate",
                           params={"threshold": "95"})
    assert ok.params == {"threshold": "95.00"}


def test_evaluation_in_two_sittings_counts_both_groups(active: World):
    w = active
    r1 = w.result(w.tree.village_a1)
    node = w.n["evaluation"]
    services.evaluation_record(actor=w.town, result=r1, node=node, date=dt.date(2026, 11, 1), today=TODAY,
                               groups=[{"name": "县委全会", "weight": "24", "good": 30, "fair": 10}])
    services.evaluation_record(actor=w.town, result=r1, node=node, date=dt.date(2026, 12, 1), today=TODAY,
                               groups=[{"name": "本单位", "weight": "16", "good": 8, "average": 2}])

    def line():
        return next(x.line for x in selectors.score_sheet(w.town, r1, TODAY).lines if x.view.node.pk == node.pk)

    # 24 × 95% = 22.8 plus 16 × 92% = 14.72: 37.52 of 40 (not 14.72 of 16 scaled to 36.8).
    assert line().score == D("37.52")
    assert "县委全会（权重24分）" in line().explanation and "本单位（权重16分）" in line().explanation
    assert len(line().trace["links"]) == 2
    # A group entered again replaces its earlier entry (a correction), it is not counted twice.
    services.evaluation_record(actor=w.town, result=r1, node=node, date=dt.date(2026, 12, 2), today=TODAY,
                               groups=[{"name": "本单位", "weight": "16", "good": 10}])
    assert line().score == D("38.80")


# --- scope of the preview, and query counts ---------------------------------------------------------------


def test_village_preview_is_not_ranked_against_others(active: World):
    w = active
    t = w.tree
    sec = t.users["branch_secretary"]
    r1, r2 = w.result(t.village_a1), w.result(t.village_a2)
    services.self_assess(actor=sec, result=r1, values=self_values(w, "8", "0", "1", "0", "3"))
    services.self_assess(actor=w.town, result=r2, values=self_values(w, "8", "0", "1", "0", "9"))
    rank_node = w.n["rank"].pk

    def rank_line(user, result):
        return next(x.line for x in selectors.score_sheet(user, result, TODAY).lines if x.view.node.pk == rank_node)

    own = rank_line(sec, r1)
    assert own.score == D("0") and selectors.RANK_NOT_PREVIEWED in own.explanation and "第" not in own.explanation
    # The township (the scheme's owner) sees the places among the whole round.
    town_view = rank_line(w.town, r1)
    assert town_view.score == D("3.00") and "第2名（共2个单位）" in town_view.explanation
    # The export of the village's preview agrees with its sheet.
    table = selectors.results_table(sec, w.scheme, TODAY)
    assert [row.scores[rank_node] for row in table.rows] == [D("0")]


def _county_round(tree, villages: int):
    """A county scheme over ``villages`` more villages (plus the tree's three), with a rank-based item and
    a platform indicator, every result reviewed."""
    admin = tree.users["county_admin"]
    town = make_org(tree.county, "丙镇", "township_committee")
    for i in range(villages):
        make_org(town, f"丙镇{i}村", "branch", category="rural")
    scheme = services.scheme_create(actor=admin, owner=tree.county, year=2026, name="全县村考核", kind=rules.KIND_VILLAGE)
    area = services.node_add(actor=admin, scheme=scheme, parent=None, title="A")
    manual = services.node_add(actor=admin, scheme=scheme, parent=area, title="班子", max_points="10")
    rank = services.node_add(actor=admin, scheme=scheme, parent=area, title="办实事", max_points="5", method=rules.M_RANK)
    services.node_add(actor=admin, scheme=scheme, parent=area, title="党费", max_points="20", method=rules.M_PROPORTIONAL,
                      source=rules.SRC_PLATFORM, indicator="dues_rate")
    services.node_add(actor=admin, scheme=scheme, parent=area, title="督查", max_points="10", source=rules.SRC_INSPECTION)
    services.scheme_activate(actor=admin, scheme=scheme)
    return admin, scheme, manual, rank


@pytest.fixture
def county_round(tree):
    admin, scheme, manual, rank = _county_round(tree, 15)
    results = list(Result.objects.filter(scheme=scheme).select_related("org", "scheme__owner"))
    assert len(results) == 18
    for i, r in enumerate(results):
        services.self_assess(actor=admin, result=r, values={manual.pk: (str(i % 10), ""), rank.pk: (str(i % 4), "")})
        services.result_submit(actor=admin, result=r, today=TODAY)
        services.result_review(actor=admin, result=r, decisions={}, today=TODAY)
    return admin, scheme, rank


def test_sheet_preview_does_not_compute_the_whole_round(tree, county_round):
    admin, scheme, rank = county_round
    r1 = Result.objects.get(scheme=scheme, org=tree.village_a1)
    # One organization's preview: its own platform indicator, the others' rank values only. Computing
    # every organization's indicator (as before) costs ~5 queries each: 18 × 5 on top of the page.
    with CaptureQueriesContext(connection) as ctx:
        sheet = selectors.score_sheet(admin, r1, TODAY)
    print("sheet preview queries:", len(ctx))
    assert len(ctx) <= 25, len(ctx)
    assert "共18个单位" in next(x.line for x in sheet.lines if x.view.node.pk == rank.pk).explanation


def test_finalisation_writes_in_bulk(county_round):
    admin, scheme, _rank = county_round
    # The indicators (~5 queries per organization, in the dues app) and a fixed number of bulk writes;
    # not one save per item and per result (18 × 4 items + 18 results more).
    with CaptureQueriesContext(connection) as ctx:
        services.scheme_finalize(actor=admin, scheme=scheme, today=TODAY)
    print("finalize queries:", len(ctx))
    assert len(ctx) <= 18 * 5 + 20, len(ctx)  # measured 105; one save each was 213
    finals = list(Result.objects.filter(scheme=scheme))
    assert all(r.status == rules.R_FINAL and r.total is not None for r in finals)
    assert {r.of_total for r in finals} == {18}
    # Totals still are the sum of the frozen items.
    for r in finals:
        assert r.total == sum(i.final_score for i in r.items.all())


# --- publication ------------------------------------------------------------------------------------------


def test_published_ranking_is_public_to_the_assessed_but_sheets_stay_private(active: World):
    w = active
    t = w.tree
    sec = t.users["branch_secretary"]
    for r, manual in zip(Result.objects.filter(scheme=w.scheme).order_by("org__path"), ("8", "9"), strict=True):
        services.self_assess(actor=w.town, result=r, values=self_values(w, manual, "0", "1", "0", "3"))
        services.result_submit(actor=w.town, result=r, today=TODAY)
        services.result_review(actor=w.town, result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=w.town, scheme=w.scheme, today=TODAY)
    r2 = w.result(t.village_a2)
    c = client_for(sec)
    url = reverse("assessment:ranking", args=[w.scheme.pk])
    # Final but not yet published: the village sees its own place only.
    page = c.get(url).content.decode()
    assert t.village_a1.name in page and t.village_a2.name not in page
    services.scheme_publish(actor=w.town, scheme=w.scheme, start=TODAY, today=TODAY)
    page = c.get(url).content.decode()
    assert t.village_a2.name in page and "29.00" in page
    assert reverse("assessment:result", args=[r2.pk]) not in page  # no link to a sheet it may not open
    assert c.get(reverse("assessment:result", args=[r2.pk])).status_code == 404
    assert [(r.org_id, r.rank) for r in selectors.ranking(sec, w.scheme)] == [(t.village_a2.pk, 1), (t.village_a1.pk, 2)]
    # The export matches the page: the whole ranking; item scores of its own organization only.
    wb = openpyxl.load_workbook(io.BytesIO(c.get(reverse("assessment:export_xlsx", args=[w.scheme.pk])).content))
    ranked = [(row[0], row[1], row[2]) for row in wb["排名"].iter_rows(min_row=3, values_only=True)]
    assert ranked == [(1, t.village_a2.name, 29.0), (2, t.village_a1.name, 28.0)]
    assert [row[0] for row in wb["分项得分"].iter_rows(min_row=3, values_only=True)] == [t.village_a1.name]
    # Another township still sees nothing of it (the scheme is 甲镇's).
    town_b = user_create(actor=None, username="town_b", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                         display_name="乙镇组织委员", orgs=[t.town_b])
    with pytest.raises(Http404):
        selectors.ranking(town_b, w.scheme)
    assert client_for(town_b).get(url).status_code == 404


# --- validation before writing ---------------------------------------------------------------------------------


def test_visits_and_votes_of_an_earlier_year_are_refused(active: World):
    w = active
    r1 = w.result(w.tree.village_a1)
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        services.inspection_record(actor=w.tree.users["inspector"], result=r1, date=dt.date(2025, 12, 1),
                                   scores={w.n["inspection"].pk: "8"}, today=TODAY)
    assert exc.value.errors["date"] == [services.DATE_BEFORE_YEAR.format(year=2026)]
    with pytest.raises(ServiceError) as exc:
        services.evaluation_record(actor=w.town, result=r1, node=w.n["evaluation"], date=dt.date(2025, 12, 30),
                                   groups=[{"name": "本单位", "weight": "40", "good": 3}], today=TODAY)
    assert exc.value.errors["date"] == [services.DATE_BEFORE_YEAR.format(year=2026)]
    assert row_counts() == before
    # January of the next year (the usual time of 述职评议) is fine.
    services.evaluation_record(actor=w.town, result=r1, node=w.n["evaluation"], date=dt.date(2027, 1, 8),
                               groups=[{"name": "本单位", "weight": "40", "good": 3}], today=dt.date(2027, 1, 9))


def test_publication_cannot_start_in_the_past(active: World):
    w = active
    for r in Result.objects.filter(scheme=w.scheme):
        services.self_assess(actor=w.town, result=r, values=self_values(w, "8", "0", "1", "0", "3"))
        services.result_submit(actor=w.town, result=r, today=TODAY)
        services.result_review(actor=w.town, result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=w.town, scheme=w.scheme, today=TODAY)
    before = row_counts()
    # Started 10 days ago, a 5-day notice would be over at once and the round could be archived unseen.
    with pytest.raises(ServiceError) as exc:
        services.scheme_publish(actor=w.town, scheme=w.scheme, start=TODAY - dt.timedelta(days=10), today=TODAY)
    assert exc.value.errors["start"] == [services.NOTICE_START_PAST]
    assert row_counts() == before
    w.scheme.refresh_from_db()
    assert (w.scheme.status, w.scheme.notice_start) == (rules.FINAL, None)

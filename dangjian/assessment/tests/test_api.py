"""The assessment API: schemes, results with every item's score and explanation, rankings; the
self-assessment and the review through it, bad input 422 in Chinese with nothing written, and ids
of another township 404 exactly like missing ones."""

from __future__ import annotations

import pytest

from dangjian.api.tests.conftest import session_caller, token_caller
from dangjian.assessment import services
from dangjian.assessment.api import router
from dangjian.assessment.models import Result
from dangjian.assessment.tests import scope_objects
from dangjian.assessment.tests.conftest import TODAY, row_counts

pytestmark = pytest.mark.django_db


def _mounted() -> bool:
    from dangjian.api.api import api

    return any(any(x is router for x in entry) for entry in getattr(api, "_routers", []))


# Until the lead mounts the router on the project's API, serve it from tests/api_urls.py.
API_URLCONF = None if _mounted() else "dangjian.assessment.tests.api_urls"
BASE = "/api/assessment"


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if API_URLCONF:
        settings.ROOT_URLCONF = API_URLCONF


@pytest.fixture(params=["token", "session"])
def caller(request, tree):
    def make(role):
        user = tree.users[role]
        return token_caller(user) if request.param == "token" else session_caller(user)

    return make


def test_read_and_write_through_the_api(tree, caller):
    ids = scope_objects.make(tree.users["county_admin"], tree.village_a1, tree.town_a)
    sec, town = caller("branch_secretary"), caller("township_organizer")
    r = sec.get(f"{BASE}/schemes")
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [ids["scheme"]]
    detail = sec.get(f"{BASE}/schemes/{ids['scheme']}").json()
    assert detail["total_points"] == "40.00" and [n["title"] for n in detail["nodes"]] == ["基础工作", "班子建设", "日常督查", "述职评议"]
    manual = ids["node"]
    # Above the maximum: 422 with the Chinese message, nothing written.
    before = row_counts()
    bad = sec.post(f"{BASE}/results/{ids['result']}/self", {"items": [{"node_id": manual, "value": "12"}]})
    assert bad.status_code == 422 and bad.json()["errors"][f"item_{manual}"] == ["“班子建设”的得分12.00超过满分10.00。"]
    assert row_counts() == before
    ok = sec.post(f"{BASE}/results/{ids['result']}/self", {"items": [{"node_id": manual, "value": "9", "note": "齐全"}]})
    assert ok.status_code == 200
    line = next(i for i in ok.json()["items"] if i["node_id"] == manual)
    assert (line["self_value"], line["score"], ok.json()["preview"]) == ("9.00", "9.00", True)
    assert sec.post(f"{BASE}/results/{ids['result']}/submit").status_code == 200
    # The village cannot review itself (404 as for anything not theirs); the township reviews.
    assert sec.post(f"{BASE}/results/{ids['result']}/review", {"items": []}).status_code == 404
    no_reason = town.post(f"{BASE}/results/{ids['result']}/review", {"items": [{"node_id": manual, "value": "7"}]})
    assert no_reason.status_code == 422 and "须填写调整理由" in no_reason.json()["detail"]
    done = town.post(f"{BASE}/results/{ids['result']}/review",
                     {"items": [{"node_id": manual, "value": "7", "reason": "记录不全"}]})
    assert done.status_code == 200 and done.json()["status"] == "reviewed"
    body = done.json()
    # 7 (reviewed) + 9 (one inspection) + 述职评议 5 好 + 1 较好 of 20 points: (5×100 + 80) / 6 = 96.67% → 19.33
    assert body["total"] == "35.33"
    evaluation = next(i for i in body["items"] if i["title"] == "述职评议")
    assert evaluation["score"] == "19.33" and evaluation["trace"]["ids"] == [ids["evaluation"]]
    # Not final yet: no ranking.
    ranking = town.get(f"{BASE}/schemes/{ids['scheme']}/ranking").json()
    assert ranking["status"] == "active" and ranking["results"] == []


def test_ranking_after_finalisation(tree, caller):
    ids = scope_objects.make(tree.users["county_admin"], tree.village_a1, tree.town_a)
    admin = tree.users["county_admin"]
    for r in Result.objects.filter(scheme_id=ids["scheme"]).select_related("org"):
        if r.pk != ids["result"]:
            services.self_assess(actor=admin, result=r, values={ids["node"]: ("10", "")})
        services.result_submit(actor=admin, result=r, today=TODAY)
        services.result_review(actor=admin, result=r, decisions={}, today=TODAY)
    scheme = Result.objects.get(pk=ids["result"]).scheme
    services.scheme_finalize(actor=admin, scheme=scheme, today=TODAY)
    town = caller("township_organizer")
    ranking = town.get(f"{BASE}/schemes/{ids['scheme']}/ranking").json()
    # 一村: 8 + 9 + 19.33 = 36.33; 二村: 10 + 0 + 0 = 10.
    assert [(x["org_name"], x["rank"], x["total"]) for x in ranking["results"]] == [
        ("中共甲镇一村支部委员会", 1, "36.33"), ("中共甲镇二村支部委员会", 2, "10.00")]
    sheet = caller("branch_secretary").get(f"{BASE}/results/{ids['result']}").json()
    assert sheet["preview"] is False and sheet["grade"] == "差" and sheet["rank"] == 1


def test_other_township_404(tree, caller):
    theirs = scope_objects.make(tree.users["county_admin"], tree.village_b1, tree.town_b)
    c = caller("township_organizer")
    assert c.get(f"{BASE}/schemes").json() == []
    for url in (f"/schemes/{theirs['scheme']}", f"/schemes/{theirs['scheme']}/results",
                f"/schemes/{theirs['scheme']}/ranking", f"/results/{theirs['result']}", "/results/987654321"):
        r = c.get(BASE + url)
        assert r.status_code == 404 and r.json() == {"detail": c.get(f"{BASE}/results/987654321").json()["detail"]}
    before = row_counts()
    for url in ("self", "submit", "review"):
        assert c.post(f"{BASE}/results/{theirs['result']}/{url}", {"items": []}).status_code == 404
    assert row_counts() == before
    assert caller("member").get(f"{BASE}/schemes").json() == []

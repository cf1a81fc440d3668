"""The whole assessment flow through the services, hand-counted: self-assessment with evidence →
submission → review with adjustments → inspections and evaluations → finalisation (ranks with ties,
grades, the veto) → publication → archive; copying to a new year; bad input with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.assessment import rules, selectors, services
from dangjian.assessment.models import ItemScore, Node, Result, Scheme
from dangjian.assessment.tests.conftest import PNG, TODAY, World, build_scheme, row_counts, self_values
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.orglife import rules as file_rules

pytestmark = pytest.mark.django_db


def run_round(w: World, *, a1_veto: str = "0", a2_manual: str = "9", a1_rank: str = "30") -> tuple[Result, Result]:
    t = w.tree
    sec = t.users["branch_secretary"]
    r1, r2 = w.result(t.village_a1), w.result(t.village_a2)
    services.self_assess(actor=sec, result=r1, values=self_values(w, "8", "4", "1", a1_veto, a1_rank))
    services.evidence_add(actor=sec, result=r1, node=w.n["manual"], file=SimpleUploadedFile("班子.png", PNG))
    services.result_submit(actor=sec, result=r1, today=TODAY)
    # 甲镇二村 has no secretary account: the township enters it.
    services.self_assess(actor=w.town, result=r2, values=self_values(w, a2_manual, "0", "0", "0", "20"))
    services.result_submit(actor=w.town, result=r2, today=TODAY)
    inspector = t.users["inspector"]
    services.inspection_record(actor=inspector, result=r1, date=dt.date(2026, 6, 1), scores={w.n["inspection"].pk: "8"},
                               notes="台账齐全", photos=[SimpleUploadedFile("现场.png", PNG)], today=TODAY)
    services.inspection_record(actor=inspector, result=r1, date=dt.date(2026, 9, 1), scores={w.n["inspection"].pk: "9"},
                               today=TODAY)
    services.evaluation_record(actor=w.town, result=r1, node=w.n["evaluation"], date=dt.date(2026, 12, 1), groups=[
        {"name": "县委全会", "weight": "24", "good": 30, "fair": 10},
        {"name": "本单位", "weight": "16", "ballots": ["good"] * 8 + ["average"] * 2},
    ], today=TODAY)  # fmt: skip
    services.result_review(actor=w.town, result=r1, decisions={}, today=TODAY)
    services.result_review(actor=w.town, result=r2, decisions={w.n["manual"].pk: ("7", "会议记录不全")}, today=TODAY)
    services.scheme_finalize(actor=w.town, scheme=w.scheme, today=TODAY)
    r1.refresh_from_db()
    r2.refresh_from_db()
    return r1, r2


def test_whole_flow_hand_counted(active: World):
    w = active
    r1, r2 = run_round(w)
    # 一村: 8 + (10 − min(4×2, 6)) + 5 + 0 + mean(8, 9) + 22.8 + 14.72 + 0 (no dues due) + 5 (first place) = 68.02
    assert r1.total == D("68.02") and r1.grade == "一般" and not r1.vetoed
    # 二村: 7 (adjusted from 9) + 10 + 0 + 0 + 0 + 0 + 0 + 3 (second place: 5 − 2) = 20
    assert r2.total == D("20.00") and r2.grade == "差"
    assert (r1.rank, r1.of_total, r2.rank) == (1, 2, 2)
    items = {i.node_id: i for i in ItemScore.objects.filter(result=r1)}
    assert items[w.n["deduction"].pk].final_score == D("4.00")
    assert "超过扣分上限按6分扣" in items[w.n["deduction"].pk].explanation
    assert items[w.n["inspection"].pk].final_score == D("8.50")
    assert items[w.n["evaluation"].pk].final_score == D("37.52")
    assert "县委全会（权重24分）：好30票、较好10票" in items[w.n["evaluation"].pk].explanation
    assert "收缴率—" in items[w.n["dues"].pk].explanation
    adjusted = ItemScore.objects.get(result=r2, node=w.n["manual"])
    assert (adjusted.self_value, adjusted.review_value, adjusted.review_reason) == (D("9.00"), D("7.00"), "会议记录不全")
    assert "审核调整为7.00（理由：会议记录不全）" in adjusted.explanation
    # The sheet shows the frozen numbers.
    sheet = selectors.score_sheet(w.tree.users["branch_secretary"], r1, TODAY)
    assert not sheet.preview and sheet.total == D("68.02") and len(sheet.inspections) == 2 and len(sheet.files) == 1
    # Publication and archive.
    services.scheme_publish(actor=w.town, scheme=w.scheme, start=dt.date(2026, 12, 21), today=TODAY)
    w.scheme.refresh_from_db()
    assert (w.scheme.status, w.scheme.notice_end) == (rules.PUBLISHED, dt.date(2026, 12, 25))
    ranked = selectors.published_rankings(w.tree.county, 2026)
    assert [(r.org_id, r.rank, r.of_total, r.total, r.grade) for r in ranked] == [
        (w.tree.village_a1.pk, 1, 2, D("68.02"), "一般"), (w.tree.village_a2.pk, 2, 2, D("20.00"), "差")]
    assert selectors.published_rankings(w.tree.county, 2025) == []
    with pytest.raises(ServiceError) as early:
        services.scheme_close(actor=w.town, scheme=w.scheme, today=dt.date(2026, 12, 25))
    assert early.value.messages == [services.NOTICE_NOT_ENDED.format(end=dt.date(2026, 12, 25))]
    services.scheme_close(actor=w.town, scheme=w.scheme, today=dt.date(2026, 12, 26))
    assert Scheme.objects.get(pk=w.scheme.pk).status == rules.CLOSED
    assert len(selectors.published_rankings(w.tree.county, 2026)) == 2


def test_veto_puts_the_higher_total_last_with_the_lowest_grade(active: World):
    r1, r2 = run_round(active, a1_veto="1")
    assert r1.vetoed and r1.total == D("68.02") and r1.grade == "差"
    assert (r1.rank, r2.rank) == (2, 1)
    veto = ItemScore.objects.get(result=r1, node=active.n["veto"])
    assert veto.veto and "一票否决" in veto.explanation


def test_ties_share_a_place(tree):
    scheme, n = build_scheme(tree)
    town = tree.users["township_organizer"]
    # A third village, so the ranks read 1, 1, 3.
    from dangjian.testing import make_org

    make_org(tree.town_a, "中共甲镇三村支部委员会", "branch", category="rural")
    services.scheme_activate(actor=town, scheme=scheme)
    w = World(tree, scheme, n)
    results = list(Result.objects.filter(scheme=scheme).select_related("org").order_by("org__path"))
    for r, manual, rank_value in zip(results, ("9", "9", "5"), ("10", "10", "3"), strict=True):
        services.self_assess(actor=town, result=r, values=self_values(w, manual, "0", "1", "0", rank_value))
        services.result_submit(actor=town, result=r, today=TODAY)
        services.result_review(actor=tree.users["county_admin"], result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=town, scheme=scheme, today=TODAY)
    got = [(r.rank, r.total) for r in Result.objects.filter(scheme=scheme).order_by("org__path")]
    # 9 + 10 + 5 + rank item (5, 5, then third place 5 − 2×2 = 1)
    assert got == [(1, D("29.00")), (1, D("29.00")), (3, D("21.00"))]
    third = ItemScore.objects.get(result=results[2], node=n["rank"])
    assert third.final_score == D("1.00") and "第3名（共3个单位）" in third.explanation


def test_copy_to_new_year_leaves_old_year_untouched(active: World):
    r1, _r2 = run_round(active)
    old_nodes = list(Node.objects.filter(scheme=active.scheme).values_list("title", "max_points", "method", "params"))
    old_scores = list(ItemScore.objects.filter(result__scheme=active.scheme).values_list("pk", "final_score", "explanation"))
    copy = services.scheme_copy(actor=active.town, scheme=active.scheme, year=2027)
    assert (copy.status, copy.year, copy.copied_from_id) == (rules.DRAFT, 2027, active.scheme.pk)
    assert sorted(Node.objects.filter(scheme=copy).values_list("title", "max_points", "method", "params")) == sorted(old_nodes)
    # Edit the copy: the old tree, scores and result stay as they were.
    copied_manual = Node.objects.get(scheme=copy, title="班子建设")
    services.node_update(actor=active.town, node=copied_manual, title="班子建设（2027）", max_points="15",
                         method=rules.M_MANUAL, source=rules.SRC_MANUAL)
    services.node_remove(actor=active.town, node=Node.objects.get(scheme=copy, title="述职评议"))
    assert Node.objects.get(pk=active.n["manual"].pk).max_points == D("10.00")
    assert Node.objects.filter(pk=active.n["evaluation"].pk).exists()
    assert list(ItemScore.objects.filter(result__scheme=active.scheme).values_list("pk", "final_score", "explanation")) == old_scores
    r1.refresh_from_db()
    assert r1.total == D("68.02")
    assert Scheme.objects.get(pk=active.scheme.pk).status == rules.FINAL


def test_node_move_reorders_siblings(world: World):
    a = world.n["area_a"]
    services.node_move(actor=world.town, node=world.n["deduction"], up=True)
    titles = list(Node.objects.filter(parent=a).order_by("order").values_list("title", flat=True))
    assert titles == ["违规违纪", "班子建设", "阵地建设", "重大违纪"]


# --- bad input, nothing written ---------------------------------------------------------------------------


def check_rejected(call, message: str) -> None:
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        call()
    assert message in exc.value.messages
    assert row_counts() == before


def test_score_above_max_and_negative_rejected(active: World):
    r1 = active.result(active.tree.village_a1)
    sec = active.tree.users["branch_secretary"]
    m = active.n["manual"]
    check_rejected(lambda: services.self_assess(actor=sec, result=r1, values={m.pk: ("10.5", "")}),
                   rules.SCORE_ABOVE_MAX.format(item="班子建设", value="10.50", max="10.00"))
    check_rejected(lambda: services.self_assess(actor=sec, result=r1, values={m.pk: ("-1", "")}),
                   rules.SCORE_NEGATIVE.format(item="班子建设"))
    check_rejected(lambda: services.inspection_record(actor=active.tree.users["inspector"], result=r1, date=TODAY,
                                                      scores={active.n["inspection"].pk: "11"}, today=TODAY),
                   rules.SCORE_ABOVE_MAX.format(item="日常督查", value="11.00", max="10.00"))


def test_adjustment_without_reason_rejected(active: World):
    r1 = active.result(active.tree.village_a1)
    sec = active.tree.users["branch_secretary"]
    services.self_assess(actor=sec, result=r1, values=self_values(active, "8", "0", "1", "0", "3"))
    services.result_submit(actor=sec, result=r1, today=TODAY)
    check_rejected(lambda: services.result_review(actor=active.town, result=r1,
                                                  decisions={active.n["manual"].pk: ("6", "  ")}, today=TODAY),
                   services.REASON_REQUIRED.format(item="班子建设"))
    assert Result.objects.get(pk=r1.pk).status == rules.R_SUBMITTED


def test_editing_a_started_or_published_scheme_rejected(active: World):
    w = active
    check_rejected(lambda: services.node_add(actor=w.town, scheme=w.scheme, parent=None, title="新增"), services.SCHEME_LOCKED)
    check_rejected(lambda: services.scheme_update(actor=w.town, scheme=w.scheme, version=w.scheme.version, name="改名",
                                                  year=2026, kind=rules.KIND_VILLAGE, bands_text="",
                                                  review_level=rules.REVIEW_OWNER, notice_days=5),
                   services.SCHEME_LOCKED)
    run_round(w)
    services.scheme_publish(actor=w.town, scheme=w.scheme, today=TODAY)
    check_rejected(lambda: services.node_update(actor=w.town, node=w.n["manual"], title="x", max_points="99",
                                                method=rules.M_MANUAL, source=rules.SRC_MANUAL), services.SCHEME_LOCKED)


def test_forbidden_evidence_rejected(active: World):
    r1 = active.result(active.tree.village_a1)
    sec = active.tree.users["branch_secretary"]
    exe = SimpleUploadedFile("材料.exe", b"MZ\x90\x00" + b"\x00" * 60)
    check_rejected(lambda: services.evidence_add(actor=sec, result=r1, file=exe), file_rules.FILE_TYPE_NOT_ALLOWED.format(
        name="材料.exe", purpose="附件", allowed="、".join(sorted(set(file_rules.ALLOWED_TYPES[file_rules.ATTACHMENT])))))
    renamed = SimpleUploadedFile("照片.png", b"MZ\x90\x00" + b"\x00" * 60)
    check_rejected(lambda: services.evidence_add(actor=sec, result=r1, file=renamed),
                   file_rules.FILE_CONTENT_MISMATCH.format(name="照片.png", ext="png"))


def test_submit_needs_every_manual_item(active: World):
    r1 = active.result(active.tree.village_a1)
    sec = active.tree.users["branch_secretary"]
    services.self_assess(actor=sec, result=r1, values={active.n["manual"].pk: ("8", "")})
    check_rejected(lambda: services.result_submit(actor=sec, result=r1, today=TODAY),
                   services.SELF_MISSING.format(n=4, items="违规违纪、阵地建设、重大违纪、为民办实事件数"))


def test_finalize_needs_every_result_reviewed(active: World):
    check_rejected(lambda: services.scheme_finalize(actor=active.town, scheme=active.scheme, today=TODAY),
                   services.NOT_ALL_REVIEWED.format(n=2, names="中共甲镇一村支部委员会、中共甲镇二村支部委员会"))


def test_who_may_write(active: World):
    t = active.tree
    r1, r2 = active.result(t.village_a1), active.result(t.village_a2)
    sec = t.users["branch_secretary"]
    before = row_counts()
    with pytest.raises(NotPermitted):  # a village does not assess its neighbour
        services.self_assess(actor=sec, result=r2, values={active.n["manual"].pk: ("8", "")})
    with pytest.raises(NotPermitted):  # the inspector records visits, nothing else
        services.self_assess(actor=t.users["inspector"], result=r1, values={active.n["manual"].pk: ("8", "")})
    with pytest.raises(NotPermitted):  # nor may a village review or finalise
        services.scheme_finalize(actor=sec, scheme=active.scheme, today=TODAY)
    with pytest.raises(NotPermitted):
        services.node_add(actor=sec, scheme=active.scheme, parent=None, title="x")
    with pytest.raises(NotPermitted):  # evaluations are entered by the scheme owner
        services.evaluation_record(actor=sec, result=r1, node=active.n["evaluation"], date=TODAY, groups=[], today=TODAY)
    assert row_counts() == before


def test_scheme_create_validation(tree):
    town = tree.users["township_organizer"]
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        services.scheme_create(actor=town, owner=tree.town_a, year=1999, name=" ", kind="nope", bands_text="好,90")
    assert set(exc.value.errors) == {"name", "year", "kind", "bands"}
    with pytest.raises(ServiceError) as owner:
        services.scheme_create(actor=tree.users["branch_secretary"], owner=tree.village_a1, year=2026, name="x",
                               kind=rules.KIND_VILLAGE)
    assert owner.value.messages == [services.OWNER_TYPE]
    with pytest.raises(NotPermitted):
        services.scheme_create(actor=town, owner=tree.town_b, year=2026, name="x", kind=rules.KIND_VILLAGE)
    assert row_counts() == before


def test_activate_creates_results_for_villages_of_the_owner(world: World):
    results = services.scheme_activate(actor=world.town, scheme=world.scheme)
    assert sorted(r.org.name for r in results) == ["中共甲镇一村支部委员会", "中共甲镇二村支部委员会"]


@pytest.mark.parametrize(("key", "points", "leaves"), [("e6_6_taoyuan", "100.00", 5), ("e6_7_fuding", "90.00", 9),
                                                       ("e6_10_puxian", "100.00", 3), ("platform", "100.00", 4)])
def test_templates_fill_the_tree(tree, key, points, leaves):
    admin = tree.users["county_admin"]
    scheme = services.scheme_create(actor=admin, owner=tree.county, year=2026, name="模板方案", kind=rules.KIND_TOWNSHIP,
                                    template=key)
    assert f"{selectors.scheme_points(scheme):f}" == points
    assert len(selectors.leaves(scheme)) == leaves


def test_taoyuan_template_evaluation_is_40_of_100(tree):
    admin = tree.users["county_admin"]
    scheme = services.scheme_create(actor=admin, owner=tree.county, year=2026, name="四考一综评", kind=rules.KIND_TOWNSHIP,
                                    template="e6_6_taoyuan")
    ev = Node.objects.get(scheme=scheme, source=rules.SRC_EVALUATION)
    assert ev.max_points == D("40.00") and "县委全会评议24分、本单位评议16分" in ev.standard
    results = services.scheme_activate(actor=admin, scheme=scheme)
    assert sorted(r.org.name for r in results) == ["中共乙镇委员会", "中共甲镇委员会"]
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        services.scheme_create(actor=admin, owner=tree.county, year=2026, name="x", kind=rules.KIND_TOWNSHIP, template="nope")
    assert exc.value.messages == [services.TEMPLATE_INVALID]
    assert row_counts() == before

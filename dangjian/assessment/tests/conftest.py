"""A township scheme assessing its villages, with one leaf of every method and source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from dangjian.assessment import rules, services
from dangjian.assessment.models import (
    AssessFile,
    Evaluation,
    EvaluationGroup,
    Inspection,
    InspectionScore,
    ItemScore,
    Node,
    Result,
    Scheme,
)
from dangjian.common.models import AuditEvent
from dangjian.testing import Tree

TODAY = dt.date(2026, 12, 20)
MODELS = (Scheme, Node, Result, ItemScore, Inspection, InspectionScore, Evaluation, EvaluationGroup, AssessFile)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class World:
    tree: Tree
    scheme: Scheme
    n: dict[str, Node]

    @property
    def town(self) -> Any:
        return self.tree.users["township_organizer"]

    def result(self, org: Any) -> Result:
        return Result.objects.get(scheme=self.scheme, org=org)


def row_counts() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in MODELS}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


def build_scheme(tree: Tree, *, actor: Any = None, year: int = 2026) -> tuple[Scheme, dict[str, Node]]:
    actor = actor or tree.users["township_organizer"]
    scheme = services.scheme_create(actor=actor, owner=tree.town_a, year=year, name="村党组织党建工作考核",
                                    kind=rules.KIND_VILLAGE)
    area_a = services.node_add(actor=actor, scheme=scheme, parent=None, title="组织建设")
    area_b = services.node_add(actor=actor, scheme=scheme, parent=None, title="日常工作")
    add = services.node_add
    n = {
        "manual": add(actor=actor, scheme=scheme, parent=area_a, title="班子建设", max_points="10"),
        "deduction": add(actor=actor, scheme=scheme, parent=area_a, title="违规违纪", max_points="10",
                         method=rules.M_DEDUCTION, params={"per": "2", "cap": "6"}),
        "pass_fail": add(actor=actor, scheme=scheme, parent=area_a, title="阵地建设", max_points="5",
                         method=rules.M_PASS_FAIL),
        "veto": add(actor=actor, scheme=scheme, parent=area_a, title="重大违纪", max_points="0", method=rules.M_VETO),
        "inspection": add(actor=actor, scheme=scheme, parent=area_b, title="日常督查", max_points="10",
                          source=rules.SRC_INSPECTION),
        "evaluation": add(actor=actor, scheme=scheme, parent=area_b, title="述职评议", max_points="40",
                          source=rules.SRC_EVALUATION),
        "dues": add(actor=actor, scheme=scheme, parent=area_b, title="党费收缴", max_points="20",
                    method=rules.M_PROPORTIONAL, source=rules.SRC_PLATFORM, indicator="dues_rate"),
        "rank": add(actor=actor, scheme=scheme, parent=area_b, title="为民办实事件数", max_points="5",
                    method=rules.M_RANK, params={"step": "2", "floor": "1"}),
        "area_a": area_a, "area_b": area_b,
    }  # fmt: skip
    return scheme, n


@pytest.fixture
def world(tree: Tree) -> World:
    scheme, n = build_scheme(tree)
    return World(tree, scheme, n)


@pytest.fixture
def active(world: World) -> World:
    services.scheme_activate(actor=world.town, scheme=world.scheme, self_due=dt.date(2026, 12, 25),
                             review_due=dt.date(2026, 12, 31))
    world.scheme.refresh_from_db()
    return world


def self_values(w: World, manual: str, deduction: str, pass_fail: str, veto: str, rank: str) -> dict[int, tuple[str, str]]:
    return {w.n["manual"].pk: (manual, "班子齐全"), w.n["deduction"].pk: (deduction, ""),
            w.n["pass_fail"].pk: (pass_fail, ""), w.n["veto"].pk: (veto, ""), w.n["rank"].pk: (rank, "")}  # fmt: skip

"""The audit log shows every action by its Chinese name: each action a service writes has a label."""

from __future__ import annotations

import re
from pathlib import Path

from dangjian.web.templatetags.web_tags import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]
LITERAL_ACTION = re.compile(r'action="([a-z_]+(?:\.[a-z_]+)+)"')


def written_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.glob("*/*.py"):
        found |= set(LITERAL_ACTION.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_literal_action_has_a_chinese_label():
    actions = written_actions()
    assert "supervision.task.issue" in actions and "points.entry.add" in actions, sorted(actions)
    assert sorted(a for a in actions if a not in ACTION_LABELS) == []


def test_supervision_item_events_are_labelled():
    assert action_label("supervision.item.return") == "督办事项：退回"

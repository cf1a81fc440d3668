"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from dangjian.testing import Tree, make_tree


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()

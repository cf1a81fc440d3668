"""Scope: the subtrees a user administers, as materialized-path ranges.

A subtree of the node with path ``p`` is every path ``s`` with ``p <= s < upper(p)``, where ``upper``
increments the last character of ``p`` in treebeard's alphabet. Range filters use the index on
``path`` on both SQLite and PostgreSQL; ``startswith``/``LIKE`` would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def subtree_upper_bound(path: str) -> str:
    chars = list(path)
    i = len(chars) - 1
    while i >= 0:
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1])
        i -= 1
    raise ValueError("path has no upper bound")


def merge_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """What one user may see: organization subtrees, and for a member only their own record."""

    paths: tuple[str, ...] = ()
    own_member_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.paths

    def q(self, field: str = "path") -> Q:
        """A filter that keeps rows whose ``field`` (an org path) lies in one of the subtrees."""
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for p in self.paths:
            q |= Q(**{f"{field}__gte": p, f"{field}__lt": subtree_upper_bound(p)})
        return q

    def contains_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

"""Scope as materialized-path ranges: ``p <= path < upper(p)`` is exactly ``path.startswith(p)``."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dangjian.common.scope import ALPHABET, Scope, merge_paths, subtree_upper_bound
from dangjian.orgs.models import Org

# Steps of treebeard's default steplen 4 over its alphabet; characters at the edges of the alphabet
# (0, 1, Y, Z) are drawn often, because carrying past Z is where an upper bound goes wrong.
edge_chars = st.sampled_from("01YZ") | st.sampled_from(ALPHABET)
steps = st.text(alphabet=edge_chars, min_size=4, max_size=4)
paths = st.lists(steps, min_size=1, max_size=4).map("".join)


def test_treebeard_uses_the_same_alphabet_and_step():
    assert Org.alphabet == ALPHABET
    assert Org.steplen == 4


@pytest.mark.parametrize(
    ("path", "upper"),
    [("0001", "0002"), ("0009", "000A"), ("000Z", "001"), ("0001ZZZZ", "0002"), ("00010001", "00010002"), ("Z", None)],
)
def test_upper_bound_examples(path, upper):
    if upper is None:
        with pytest.raises(ValueError):
            subtree_upper_bound(path)
    else:
        assert subtree_upper_bound(path) == upper


@given(prefix=paths, path=paths)
def test_range_is_prefix(prefix, path):
    assume(set(prefix) != {"Z"})  # an all-Z path has no upper bound; treebeard never gets there
    upper = subtree_upper_bound(prefix)
    assert (prefix <= path < upper) == path.startswith(prefix)


@given(prefix=paths, suffix=paths)
def test_every_descendant_is_inside_the_range(prefix, suffix):
    assume(set(prefix) != {"Z"})
    assert prefix <= prefix + suffix < subtree_upper_bound(prefix)


def test_merge_paths_drops_nested_subtrees():
    assert merge_paths(["00010002", "0001", "0003", "00030001", "0002"]) == ("0001", "0002", "0003")
    assert merge_paths([]) == ()


def test_empty_scope_sees_nothing_and_contains_nothing():
    s = Scope()
    assert s.is_empty
    assert not s.contains_path("0001")


def test_contains_path():
    s = Scope(paths=("00010002", "0003"))
    assert s.contains_path("00010002")
    assert s.contains_path("000100020005")
    assert s.contains_path("0003")
    assert not s.contains_path("0001")
    assert not s.contains_path("00010003")
    assert not s.contains_path("0004")


_codes = itertools.count()


def _org_at(path: str) -> Org:
    # Rows placed directly at chosen paths, to test the filter itself against the database collation.
    return Org.objects.create(
        path=path, depth=len(path) // 4, numchild=0, name=f"组织{path}", code=f"S{next(_codes)}",
        org_type="branch", established_on=dt.date(2000, 1, 1),
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.sets(paths, min_size=1, max_size=15), chosen=st.lists(paths, min_size=1, max_size=3), data=st.data())
def test_scope_q_in_the_database_keeps_exactly_the_subtrees(stored, chosen, data):
    # Make the scope prefixes of stored paths often, so that subtrees are not usually empty.
    extra = data.draw(st.lists(st.sampled_from(sorted(stored)).map(lambda p: p[: 4 * max(1, len(p) // 8)]), max_size=2))
    prefixes = tuple(p for p in [*chosen, *extra] if set(p) != {"Z"})
    assume(prefixes)
    with transaction.atomic():
        for p in stored:
            _org_at(p)
        got = set(Org.objects.filter(Scope(paths=prefixes).q("path")).values_list("path", flat=True))
        assert got == {p for p in stored if any(p.startswith(x) for x in prefixes)}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_scope_q_on_a_related_field_and_empty_scope():
    a = _org_at("0001")
    _org_at("00010001")
    _org_at("0002")
    assert set(Org.objects.filter(Scope(paths=("0001",)).q()).values_list("path", flat=True)) == {"0001", "00010001"}
    assert not Org.objects.filter(Scope().q()).exists()
    # The same filter through a relation (members are scoped through their organization's path).
    assert Org.objects.filter(Scope(paths=("0001",)).q("path"), pk=a.pk).exists()

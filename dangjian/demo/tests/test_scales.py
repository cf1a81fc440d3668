"""``dangjian demo --scale``: several county roots, scaled down (``--counties``, ``--members``) so the
tests take seconds; and ``--write-files``, the same data as national-column import files."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings
from python_calamine import CalamineWorkbook
from stdnum.cn import uscc

from dangjian.common import crypto, idnumbers
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.demo import county as cty
from dangjian.demo import files, scales
from dangjian.members import rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Division, Org, OrgType
from dangjian.recruitment.models import DevelopmentRecord

COUNTIES = 2
MEMBERS = 500
SEED = 3
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = io.StringIO()
    where = tmp_path_factory.mktemp("city-files")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        call_command("demo", scale="city", counties=COUNTIES, members=MEMBERS, seed=SEED, today=TODAY,
                     write_files=where, stdout=out)
        yield where
        transaction.set_rollback(True)


def _rows(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


# --- plain functions ----------------------------------------------------------------------------------
def test_identities_are_fixed_and_distinct() -> None:
    first = scales.identities(243)
    assert first == scales.identities(243)
    assert first[0] == scales.DEFAULT_IDENTITY
    assert len({i.name for i in first}) == len({i.code for i in first}) == len({i.letter_abbr for i in first}) == 243
    assert len({i.root_step for i in first}) == 243
    for i in first[1:]:  # every borrowed birthplace code is valid in every birth year the demo uses
        assert idnumbers.birthplace_valid(i.code, 1925) and idnumbers.birthplace_valid(i.code, 2008)


def test_members_are_shared_out_exactly() -> None:
    assert scales.members_per_county(185500, 14) == [13250] * 14
    assert sum(scales.members_per_county(1001, 3)) == 1001


def test_apply_identity_renames_codes_and_keeps_check_characters_valid() -> None:
    import random

    ident = scales.identities(2)[1]
    plan = cty.build_county(random.Random("x"), TODAY)
    scales.apply_identity(plan, ident)
    assert plan.orgs[0].name == f"中共{ident.name}委员会"
    assert all(o.path.startswith(ident.root_step) for o in plan.orgs)
    assert all(o.code.startswith(ident.code) for o in plan.orgs)
    assert all(d.code.startswith(ident.code) for d in plan.divisions)
    assert all(cty.COUNTY_SHORT not in o.name for o in plan.orgs)
    assert all(uscc.is_valid(u.credit_code) for u in plan.units)


def test_files_only_is_deterministic_and_touches_no_database(tmp_path: Path) -> None:
    for name in ("a", "b"):
        call_command("demo", scale="city", counties=2, members=200, seed=5, today=TODAY, files_only=True,
                     write_files=tmp_path / name, stdout=io.StringIO())
    a, b = _rows(tmp_path / "a" / files.MEMBERS_FILE), _rows(tmp_path / "b" / files.MEMBERS_FILE)
    assert a == b and len(a) > 150
    assert _rows(tmp_path / "a" / files.ORGS_FILE) == _rows(tmp_path / "b" / files.ORGS_FILE)


def test_files_only_needs_a_directory() -> None:
    with pytest.raises(CommandError, match="--write-files"):
        call_command("demo", files_only=True, stdout=io.StringIO())


def test_too_few_members_per_county() -> None:
    with pytest.raises(CommandError):
        call_command("demo", scale="city", members=1000, stdout=io.StringIO())


# --- the loaded city ----------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.usefixtures("city")
def test_one_county_root_per_county_each_with_its_members() -> None:
    roots = list(Org.objects.filter(depth=1).order_by("path"))
    assert [r.org_type for r in roots] == [OrgType.COUNTY_COMMITTEE] * COUNTIES
    assert [r.path for r in roots] == ["0001", "0002"]
    assert roots[0].name == f"中共{cty.COUNTY}委员会"
    # the probationary members admitted by the development demo (first county only) come on top
    assert Member.objects.count() == MEMBERS + DevelopmentRecord.objects.exclude(member=None).count()
    for root in roots:
        inside = Org.objects.filter(path__startswith=root.path)
        assert inside.exclude(pk=root.pk).exclude(county=root).count() == 0
        assert Member.objects.filter(county=root).count() == MEMBERS // COUNTIES + DevelopmentRecord.objects.filter(
            county=root).exclude(member=None).count()
        assert not Member.objects.filter(county=root).exclude(org__path__startswith=root.path).exclude(
            org=None).exists()
    assert Division.objects.filter(level=cty.DIV_COUNTY).count() == COUNTIES


@pytest.mark.django_db
@pytest.mark.usefixtures("city")
def test_id_numbers_are_valid_and_unique_across_counties() -> None:
    numbers = [crypto.decrypt(m.id_number_enc) for m in Member.objects.all()]
    assert len(set(numbers)) == len(numbers)
    for n in numbers:
        idnumbers.parse(n)


@pytest.mark.django_db
@pytest.mark.usefixtures("city")
def test_replayed_state_matches_the_cache_in_every_county() -> None:
    for m in Member.objects.filter(county__path="0002")[:100]:
        events = [e.as_rule_event() for e in MembershipEvent.objects.filter(member=m).order_by("date", "seq", "id")]
        state = rules.replay(events)[-1]
        assert state.org_id == m.org_id and (state.status or "") == m.status


@pytest.mark.django_db
def test_the_files_hold_the_roster_and_the_organizations(city: Path) -> None:
    members = _rows(city / files.MEMBERS_FILE)
    assert tuple(members[0]) == files.MEMBER_COLUMNS
    # the files hold the planned members; those admitted by the development demo are not in them
    roster = Member.objects.filter(status__in=files.ROSTER, development_record__isnull=True)
    assert len(members) - 1 == roster.count()
    by_number = {crypto.decrypt(m.id_number_enc): m for m in roster.select_related("org")}
    col = {name: i for i, name in enumerate(files.MEMBER_COLUMNS)}
    for row in members[1:]:
        m = by_number[row[col["公民身份号码"]]]
        assert row[col["姓名"]] == m.name
        assert row[col["所在党支部"]] == m.org.name and row[col["党组织编码"]] == m.org.code
        assert row[col["出生日期"]] == m.birth_date.isoformat()
        assert row[col["性别"]] in ("男", "女")
    orgs = _rows(city / files.ORGS_FILE)
    assert tuple(orgs[0]) == files.ORG_COLUMNS
    assert len(orgs) - 1 == Org.objects.count()
    assert {r[1] for r in orgs[1:]} == set(Org.objects.values_list("code", flat=True))
    by_path = {o.path: o.code for o in Org.objects.all()}
    parent_of = {o.code: by_path.get(o.path[:-4], "") for o in Org.objects.all()}
    assert {r[1]: r[2] for r in orgs[1:]} == parent_of


@pytest.mark.django_db
@pytest.mark.usefixtures("city")
def test_planner_statistics_are_gathered_after_the_load() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its statistics in pg_statistic; ANALYZE is only checked on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'members_member'")
        assert cursor.fetchone()[0] > 0

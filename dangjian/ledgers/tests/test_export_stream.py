"""The roster and organization exports through the streamed writer: the .xlsx holds exactly the cells
the .csv holds, as text, under a bold frozen header; full exports decrypt every member's own ID number
and phone; the roster is the one of the chosen date; a failed export leaves no file and no audit row."""

import csv
import datetime as dt

import openpyxl
import pytest
import python_calamine as calamine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from config.keys import generate_keys
from dangjian.common import crypto
from dangjian.common.crypto import KeyMismatchError
from dangjian.common.models import AuditEvent
from dangjian.common.xlsxstream import column_width
from dangjian.ledgers import exporter, rules, services
from dangjian.members.selectors import roster_as_of
from dangjian.members.services import member_transfer
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(tree):
    make_member(tree.village_a2, name="周强", phone="13911112222", ethnicity="03", education="master", degree="master",
                job="村委会主任 & <会计>", is_migrant_worker=True, current_residence=" 甲镇二村 ", party_age_correction=-1)
    make_member(tree.village_a1, name="吴丽", sex="2", birth_date=dt.date(1999, 1, 2), date=dt.date(2024, 7, 1),
                joined_on=dt.date(2024, 7, 1), converted_on=None, status="probationary")
    return tree


def calamine_rows(path):
    return calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def csv_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def export(tree, tmp_path, fmt, *, column_set="members_national", full=True, as_of=None, org=None, name="r"):
    path = tmp_path / f"{name}.{fmt}"
    n = services.export_roster(actor=tree.users["county_admin"], org=org or tree.county, as_of=as_of or timezone.localdate(),
                               column_set=column_set, fmt=fmt, path=path, full=full)
    return n, path


@pytest.mark.parametrize("column_set", ["members_national", "members_dangjian"])
@pytest.mark.parametrize("full", [True, False])
def test_xlsx_holds_exactly_the_csv_cells(roster, tmp_path, column_set, full):
    n_x, xlsx = export(roster, tmp_path, "xlsx", column_set=column_set, full=full)
    n_c, csv_path = export(roster, tmp_path, "csv", column_set=column_set, full=full)
    assert n_x == n_c == 4
    rows = csv_rows(csv_path)
    assert rows[0] == [c.header for c in rules.COLUMN_SETS[column_set].columns]
    assert calamine_rows(xlsx) == rows
    assert len(rows) == 5
    # The awkward characters and edge spaces of a free-text field survive unchanged.
    header = rows[0]
    zhou = next(r for r in rows if r[0] == "周强")
    assert zhou[header.index("工作岗位")] == "村委会主任 & <会计>"
    assert zhou[header.index("现居住地")] == " 甲镇二村 "


def test_full_export_has_each_members_own_id_number_and_phone(roster, tmp_path):
    _, path = export(roster, tmp_path, "xlsx")
    rows = calamine_rows(path)
    header = rows[0]
    got = {r[header.index("姓名")]: (r[header.index("公民身份号码")], r[header.index("手机号码")]) for r in rows[1:]}
    members = roster_as_of(roster.users["county_admin"], roster.county, timezone.localdate())
    assert got == {m.name: (crypto.decrypt(m.id_number_enc), crypto.decrypt(m.phone_enc)) for m in members}
    assert got["周强"][1] == "13911112222"
    assert all(len(i) == 18 for i, _ in got.values())


def test_xlsx_cells_are_text_under_a_bold_frozen_header(roster, tmp_path):
    _, path = export(roster, tmp_path, "xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["党员信息"]
    assert ws.freeze_panes == "A2"
    headers = [c.header for c in rules.MEMBERS_NATIONAL.columns]
    assert [c.value for c in ws[1]] == headers
    assert all(c.font.b and c.fill.fgColor.rgb == "FFF2DCDB" and c.border.bottom.style == "thin" for c in ws[1])
    for i, h in enumerate(headers):
        letter = ws.cell(row=1, column=i + 1).column_letter
        assert ws.column_dimensions[letter].width == column_width(max(10, len(h) * 2 + 2))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.value is None or cell.data_type == "s"
    # openpyxl's read-only mode (the tests' read_xlsx) sees every row as wide as the header.
    ro = openpyxl.load_workbook(path, read_only=True)
    assert {len(r) for r in ro.worksheets[0].iter_rows(values_only=True)} == {len(headers)}
    ro.close()


def test_the_roster_is_the_one_of_the_chosen_date(roster, tmp_path):
    # 李明 leaves 甲镇 for 乙镇 on 2025-03-01; 王芳 comes the other way. 甲镇's roster of 2024-12-31 still
    # has 李明 and not 王芳; today's has it the other way round. (The export's candidate filter looks
    # at every event that ever put a member in the subtree; the roster selector decides.)
    user = roster.users["county_admin"]
    member_transfer(actor=user, member=roster.member_a1, to_org=roster.village_b1, date=dt.date(2025, 3, 1),
                    letter_number="2025-001")
    member_transfer(actor=user, member=roster.member_b1, to_org=roster.village_a2, date=dt.date(2025, 3, 1),
                    letter_number="2025-002")
    for as_of, present, absent in ((dt.date(2024, 12, 31), "李明", "王芳"), (timezone.localdate(), "王芳", "李明")):
        for fmt in ("xlsx", "csv"):
            n, path = export(roster, tmp_path, fmt, org=roster.town_a, as_of=as_of, name=f"{as_of}-{fmt}")
            rows = calamine_rows(path) if fmt == "xlsx" else csv_rows(path)
            names = [r[0] for r in rows[1:]]
            assert present in names and absent not in names
            assert sorted(names) == sorted(m.name for m in roster_as_of(user, roster.town_a, as_of))
            assert n == len(names)
    # 吴丽 joined in 2024-07: not on any roster before that.
    n, path = export(roster, tmp_path, "csv", as_of=dt.date(2024, 6, 30), name="before")
    assert "吴丽" not in [r[0] for r in csv_rows(path)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_failed_export_leaves_no_file_and_no_audit_row(roster, tmp_path, fmt):
    path = tmp_path / f"r.{fmt}"
    before = AuditEvent.objects.filter(action="ledgers.export.full").count()
    with override_settings(DANGJIAN_DATA_KEY=generate_keys()["data_key"]), pytest.raises(KeyMismatchError):
        services.export_roster(actor=roster.users["county_admin"], org=roster.county, as_of=timezone.localdate(),
                               column_set="members_national", fmt=fmt, path=path, full=True)
    assert list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.filter(action="ledgers.export.full").count() == before


def test_many_members_span_several_chunks_in_order(tree, tmp_path, monkeypatch):
    # A small chunk size, so that the per-chunk batch decryption and ordering across chunks are exercised.
    monkeypatch.setattr(exporter, "CHUNK", 3)
    for i in range(8):
        make_member(tree.village_a1, name=f"成员{i}", phone=f"1390000{i:04d}")
    _, path = export(tree, tmp_path, "xlsx")
    rows = calamine_rows(path)
    header = rows[0]
    assert len(rows) == 1 + 10
    members = roster_as_of(tree.users["county_admin"], tree.county, timezone.localdate()).order_by("pk")
    assert [(r[header.index("姓名")], r[header.index("手机号码")]) for r in rows[1:]] == [
        (m.name, crypto.decrypt(m.phone_enc)) for m in members]


def test_org_list_xlsx_matches_csv(tree, tmp_path):
    user = tree.users["county_admin"]
    assert services.export_orgs(actor=user, org=tree.county, fmt="xlsx", path=tmp_path / "o.xlsx") == 6
    assert services.export_orgs(actor=user, org=tree.county, fmt="csv", path=tmp_path / "o.csv") == 6
    assert calamine_rows(tmp_path / "o.xlsx") == csv_rows(tmp_path / "o.csv")
    assert calamine.CalamineWorkbook.from_path(str(tmp_path / "o.xlsx")).sheet_names == ["党组织信息"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_postgresql_plans_the_roster_cursor_for_every_row(roster, tmp_path):
    # Inside the test's transaction the SET LOCAL is still in force after the export.
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "0.1"
    n, _ = export(roster, tmp_path, "csv")
    assert n == 4
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "1"

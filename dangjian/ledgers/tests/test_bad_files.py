"""Files that are not ledgers we can trust: each gets a clear Chinese message at validation, never a
server error, and nothing is written."""

import datetime as dt
import os
import zipfile

import openpyxl
import pytest

from dangjian.common import idnumbers
from dangjian.common.tests.helpers import row_counts
from dangjian.ledgers import reader, services
from dangjian.ledgers.models import ImportJob

from .conftest import write_csv, write_xlsx

pytestmark = pytest.mark.django_db
S = ImportJob.Status
HEADER = ["姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期"]


def good_row(seq=1):
    birth = dt.date(1980, 1, 1)
    return ["张三", "男", idnumbers.make("110101", birth, seq, "1"), "汉族", "1980-01-01", "大学本科", "农牧渔民",
            "中共甲镇一村支部委员会", "2005-01-01", "2006-01-01"]


def assert_rejected(tree, path, message):
    before = row_counts()
    job = services.import_file(actor=tree.users["township_organizer"], path=path)
    assert job.status == S.REJECTED, (job.status, job.message)
    assert job.message == message
    assert row_counts() == before
    return job


def test_not_a_spreadsheet(tree, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    assert_rejected(tree, path, reader.NOT_SPREADSHEET.format(name="photo.xlsx"))


def test_a_zip_that_is_not_a_workbook(tree, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert_rejected(tree, path, reader.BROKEN_XLSX)


def test_truncated_workbook(tree, tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", {"党员": [HEADER, good_row()]})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    assert_rejected(tree, path, reader.BROKEN_XLSX)


def test_password_protected(tree, tmp_path):
    # What Excel writes for a workbook with an opening password: an OLE compound file holding the
    # streams EncryptionInfo and EncryptedPackage (built here byte by byte; no encryption library needed).
    path = tmp_path / "secret.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00") + "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00") \
        + "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    path.write_bytes(header + directory + os.urandom(4096))
    assert_rejected(tree, path, reader.ENCRYPTED)


def test_legacy_xls(tree, tmp_path):
    path = tmp_path / "old.xls.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + os.urandom(1024))
    assert_rejected(tree, path, reader.LEGACY_XLS)


def test_empty_file(tree, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert_rejected(tree, path, reader.EMPTY_FILE)


def test_workbook_without_rows(tree, tmp_path):
    assert_rejected(tree, write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": []}), reader.NO_SHEET)


def test_header_only(tree, tmp_path):
    assert_rejected(tree, write_xlsx(tmp_path / "head.xlsx", {"党员": [HEADER]}), reader.NO_ROWS.format(sheet="党员"))


def test_no_matching_sheet(tree, tmp_path):
    path = write_xlsx(tmp_path / "sales.xlsx", {"销售": [["日期", "产品", "金额"], ["2026-01-01", "苹果", 3]]})
    assert_rejected(tree, path, reader.NO_SHEET)


def test_missing_required_columns(tree, tmp_path):
    path = write_xlsx(tmp_path / "few.xlsx", {"党员": [["姓名", "公民身份号码", "性别", "所在党支部"], ["张三", "1", "男", "x"]]})
    job = assert_rejected(tree, path, reader.MISSING_COLUMNS.format(sheet="党员", columns="民族、出生日期、学历、人员类别、入党日期"))
    assert "民族" in job.message


def test_formulas(tree, tmp_path):
    row = good_row()
    row[0] = '=CONCATENATE("张","三")'
    assert_rejected(tree, write_xlsx(tmp_path / "f.xlsx", {"党员": [HEADER, row]}), reader.FORMULAS.format(sheet="党员", cell="A2"))


def test_merged_header_cells(tree, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"党员": [HEADER, good_row()]})
    wb = openpyxl.load_workbook(path)
    wb["党员"].merge_cells("A1:B1")
    wb.save(path)
    assert_rejected(tree, path, reader.MERGED.format(sheet="党员", cells="A1:B1"))


def test_merged_title_above_the_header_is_fine(tree, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"党员": [["党员花名册"], HEADER, good_row()]})
    wb = openpyxl.load_workbook(path)
    wb["党员"].merge_cells("A1:J1")
    wb.save(path)
    job = services.import_file(actor=tree.users["township_organizer"], path=path, commit=False)
    assert job.status == S.READY, list(job.issues.values_list("message", flat=True))


def test_fifty_megabytes_of_junk(tree, tmp_path):
    path = tmp_path / "junk.xlsx"
    with path.open("wb") as f:
        for _ in range(50):
            f.write(os.urandom(1024 * 1024))
    assert_rejected(tree, path, reader.NOT_SPREADSHEET.format(name="junk.xlsx"))


def test_too_big(tree, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(reader.MAX_BYTES + 1)
    assert_rejected(tree, path, reader.TOO_BIG.format(size=reader.MAX_BYTES // (1024 * 1024), limit=reader.MAX_BYTES // (1024 * 1024)))


def test_upload_over_the_limit_is_not_kept(tree, monkeypatch):
    monkeypatch.setattr(reader, "MAX_BYTES", 1000)
    job = services.job_create(actor=tree.users["township_organizer"], name="a.csv", chunks=[b"x" * 600, b"y" * 600])
    assert job.status == S.REJECTED and "文件太大" in job.message
    assert services.job_path(job).stat().st_size == 0


def test_a_row_ten_thousand_columns_wide(tree, tmp_path):
    wide = HEADER + [f"列{i}" for i in range(10_000 - len(HEADER))]
    path = write_xlsx(tmp_path / "wide.xlsx", {"党员": [wide, good_row()]})
    assert_rejected(tree, path, reader.TOO_WIDE.format(sheet="党员", width=10_000, limit=200))


def test_a_csv_row_ten_thousand_columns_wide(tree, tmp_path):
    path = write_csv(tmp_path / "wide.csv", [HEADER, good_row(), ["x"] * 10_000])
    assert_rejected(tree, path, reader.TOO_WIDE.format(sheet="wide.csv", width=10_000, limit=200))


def test_binary_csv(tree, tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\x01" * 1000)
    assert_rejected(tree, path, reader.NOT_SPREADSHEET.format(name="bin.csv"))


def test_csv_in_gb18030_is_read(tree, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [HEADER, good_row()], encoding="gb18030")
    job = services.import_file(actor=tree.users["township_organizer"], path=path, commit=False)
    assert job.status == S.READY, list(job.issues.values_list("message", flat=True))
    assert job.counts["members_new"] == 1


def test_wrong_file_type_is_refused_at_upload(tree):
    with pytest.raises(services.ServiceError) as info:
        services.job_create(actor=tree.users["township_organizer"], name="roster.docx", chunks=[b"x"])
    assert info.value.messages == [services.WRONG_SUFFIX]

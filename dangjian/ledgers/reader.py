"""Opening an uploaded ledger: refuse, with a Chinese message and before anything is read into the
database, every file that is not a spreadsheet we can trust (junk, password-protected, legacy .xls,
formulas, merged cells, absurd widths), then give the sheets that hold organizations or members as
streams of rows. .xlsx is read with python-calamine; .csv is decoded as UTF-8 or GB18030."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine as calamine

from dangjian.ledgers import rules

MAX_BYTES = 60 * 1024 * 1024
MAX_UNCOMPRESSED = 1536 * 1024 * 1024

TOO_BIG = "文件太大（{size} MB），单个文件不能超过 {limit} MB。请按乡镇（街道）分成几个文件导入。"
EMPTY_FILE = "文件是空的，请选择填好的台账文件。"
NOT_SPREADSHEET = "无法识别的文件：“{name}”不是 Excel（.xlsx）或 CSV 文件，可能已损坏。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
ENCRYPTED = "文件设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存，再导入。"
LEGACY_XLS = "这是旧版 Excel（.xls）文件。请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx）再导入。"
BROKEN_XLSX = "Excel 文件已损坏或格式不正确，无法读取。请用 Excel 或 WPS 打开后重新保存为 .xlsx 再导入。"
CSV_ENCODING = "CSV 文件的文字编码无法识别。请用 Excel 另存为“CSV UTF-8（逗号分隔）”后再导入。"
NO_SHEET = (
    "文件中没有找到可以导入的工作表。党员信息的表头须包含“姓名”“公民身份号码”“入党日期”“所在党支部”等列，"
    "党组织信息的表头须包含“党组织全称”“党组织编码”“组织类型”等列。请下载导入模板，按模板的表头填写。"
)
NO_ROWS = "工作表“{sheet}”只有表头，没有数据行。"
TOO_WIDE = "工作表“{sheet}”有 {width} 列，超过了 {limit} 列的上限，可能不是台账。请删除多余的列后再导入。"
MERGED = "工作表“{sheet}”的 {cells} 是合并单元格。请取消合并（开始 → 合并后居中 → 取消单元格合并），每个单元格单独填写后再导入。"
FORMULAS = "工作表“{sheet}”含有公式（如 {cell}）。请全选后复制，再“选择性粘贴 → 数值”，保存后再导入。"
MISSING_COLUMNS = "工作表“{sheet}”缺少必填列：{columns}。请按模板补齐表头。"


class FileRejected(Exception):
    """The whole file cannot be imported; ``str()`` is the Chinese message."""


@dataclass
class SheetRows:
    """One sheet to import: which column set, where its header is, and its data rows."""

    name: str
    column_set: rules.ColumnSet
    match: rules.HeaderMatch
    header_row: int  # 1-based row number of the header in the sheet
    first_col: int  # 0-based column offset of the sheet's data (calamine trims leading empty columns)
    total: int  # number of data rows (an estimate for CSV: counted in a first pass)
    _rows: Any

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(1-based sheet row number, cell values) of every non-empty data row."""
        for number, row in self._rows():
            if any(v not in (None, "") for v in row):
                yield number, row


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_letter(index: int) -> str:
    return _col_letter(index)


def sniff(path: Path, original_name: str) -> str:
    """"xlsx" or "csv", or FileRejected with the reason."""
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(EMPTY_FILE)
    if size > MAX_BYTES:
        raise FileRejected(TOO_BIG.format(size=size // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024)))
    with path.open("rb") as f:
        head = f.read(65536)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE compound file: a legacy .xls, or an encrypted .xlsx (EncryptionInfo/EncryptedPackage).
        marker = "EncryptedPackage".encode("utf-16-le")
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                if marker in chunk:
                    raise FileRejected(ENCRYPTED)
        raise FileRejected(LEGACY_XLS)
    if b"\x00" in head:
        raise FileRejected(NOT_SPREADSHEET.format(name=original_name))
    if _encoding(head) is None:
        raise FileRejected(NOT_SPREADSHEET.format(name=original_name))
    return "csv"


def _encoding(head: bytes) -> str | None:
    for enc in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    return None


def open_ledger(path: Path, original_name: str) -> list[SheetRows]:
    """The importable sheets of the file, organizations first (members refer to them)."""
    kind = sniff(path, original_name)
    sheets = _open_xlsx(path) if kind == "xlsx" else _open_csv(path, original_name)
    if not sheets:
        raise FileRejected(NO_SHEET)
    sheets.sort(key=lambda s: 0 if s.column_set.entity == "orgs" else 1)
    return sheets


def _classify(name: str, head: list[list[Any]]) -> tuple[int, rules.ColumnSet, rules.HeaderMatch] | None:
    best: tuple[int, rules.ColumnSet, rules.HeaderMatch] | None = None
    for cs in (rules.ORGS, rules.MEMBERS_NATIONAL, rules.MEMBERS_DANGJIAN):
        found = rules.best_header(head, cs)
        if found is None:
            continue
        i, m = found
        # An organization sheet must have its own identifying columns, not only a member sheet's.
        if cs.entity == "orgs" and "code" not in m.positions and "org_type" not in m.positions:
            continue
        if cs.entity == "members" and "id_number" not in m.positions:
            continue
        if best is None or m.score > best[2].score:
            best = (i, cs, m)
    return best


def _check_missing(name: str, match: rules.HeaderMatch) -> None:
    if match.missing:
        raise FileRejected(MISSING_COLUMNS.format(sheet=name, columns="、".join(match.missing)))


# --- xlsx ------------------------------------------------------------------------------------------
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}  # fmt: skip
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]+\d+)"[^>]*>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f[ >/]', re.S)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the package."""
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 (a small part; no entities)
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        raise FileRejected(BROKEN_XLSX) from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for s in wb.findall("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        parts[s.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def _formula_cell(zf: zipfile.ZipFile, part: str) -> str | None:
    """The first cell holding a formula in a sheet part, streamed (a sheet can be hundreds of MB)."""
    try:
        f = zf.open(part)
    except KeyError:
        return None
    tail = b""
    with f:
        while chunk := f.read(1 << 20):
            data = tail + chunk
            if _FORMULA.search(data):
                m = _CELL_REF.search(data)
                return m.group(1).decode() if m else "某个单元格"
            tail = data[-4096:]
    return None


def _open_xlsx(path: Path) -> list[SheetRows]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRejected(BROKEN_XLSX) from None
    with zf:
        if sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED:
            raise FileRejected(BROKEN_XLSX)
        if "xl/workbook.xml" not in zf.namelist():
            raise FileRejected(BROKEN_XLSX)
        parts = _sheet_parts(zf)
        try:
            wb = calamine.CalamineWorkbook.from_path(str(path))
        except calamine.PasswordError:
            raise FileRejected(ENCRYPTED) from None
        except Exception:  # calamine raises several error types for broken packages
            raise FileRejected(BROKEN_XLSX) from None
        out = []
        header_only: list[str] = []
        hidden = {m.name for m in wb.sheets_metadata if m.visible != calamine.SheetVisibleEnum.Visible}
        for name in wb.sheet_names:
            if name in hidden:
                continue  # code lists behind drop-downs (our template's 代码表), not data
            try:
                sheet = wb.get_sheet_by_name(name)
            except Exception:
                raise FileRejected(BROKEN_XLSX) from None
            if sheet.height == 0:
                continue
            if sheet.width > rules.MAX_COLUMNS:
                raise FileRejected(TOO_WIDE.format(sheet=name, width=sheet.width, limit=rules.MAX_COLUMNS))
            start = sheet.start or (0, 0)
            head = []
            for i, row in enumerate(sheet.iter_rows()):
                if i >= 5:
                    break
                head.append(list(row))
            found = _classify(name, head)
            if found is None:
                continue
            header_index, column_set, match = found
            header_row = start[0] + header_index + 1
            merged = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or []) if r1 + 1 >= header_row]
            if merged:
                (r0, c0), (r1, c1) = merged[0]
                cells = f"{_col_letter(c0)}{r0 + 1}:{_col_letter(c1)}{r1 + 1}"
                raise FileRejected(MERGED.format(sheet=name, cells=cells))
            _check_missing(name, match)
            cell = _formula_cell(zf, parts.get(name, ""))
            if cell:
                raise FileRejected(FORMULAS.format(sheet=name, cell=cell))
            total = max(sheet.height - header_index - 1, 0)
            if total == 0:
                header_only.append(name)
                continue

            def rows(sheet: Any = sheet, skip: int = header_index, first: int = start[0]) -> Iterator[tuple[int, list[Any]]]:
                for i, row in enumerate(sheet.iter_rows()):
                    if i > skip:
                        yield first + i + 1, row

            out.append(SheetRows(name, column_set, match, header_row, start[1], total, rows))
        if not out and header_only:
            raise FileRejected(NO_ROWS.format(sheet=header_only[0]))
        return out


# --- csv -------------------------------------------------------------------------------------------
def _csv_reader(path: Path, encoding: str, name: str = "") -> Iterator[list[str]]:
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            for row in csv.reader(text):
                if len(row) > rules.MAX_COLUMNS:
                    raise FileRejected(TOO_WIDE.format(sheet=name or path.name, width=len(row), limit=rules.MAX_COLUMNS))
                yield row
        except UnicodeDecodeError:
            raise FileRejected(CSV_ENCODING) from None
        except csv.Error:
            raise FileRejected(BROKEN_XLSX.replace("Excel 文件", "CSV 文件")) from None


def _open_csv(path: Path, original_name: str) -> list[SheetRows]:
    with path.open("rb") as f:
        encoding = _encoding(f.read(65536))
    if encoding is None:
        raise FileRejected(CSV_ENCODING)
    csv.field_size_limit(1 << 20)
    head = []
    for i, row in enumerate(_csv_reader(path, encoding, original_name)):
        if i >= 5:
            break
        head.append(row)
    name = Path(original_name).stem or "CSV"
    found = _classify(name, head)
    if found is None:
        if not head:
            raise FileRejected(EMPTY_FILE)
        return []
    header_index, column_set, match = found
    _check_missing(name, match)
    total = -header_index - 1
    for _row in _csv_reader(path, encoding, original_name):  # validates encoding and width of the whole file first
        total += 1
    if total <= 0:
        raise FileRejected(NO_ROWS.format(sheet=name))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for i, row in enumerate(_csv_reader(path, encoding)):
            if i > header_index:
                yield i + 1, list(row)

    return [SheetRows(name, column_set, match, header_index + 1, 0, total, rows)]


def iter_all_rows(path: Path, kind: str, sheet_name: str) -> Iterator[list[Any]]:
    """Every row of one sheet as read (for the copy of the file with an errors column)."""
    if kind == "csv":
        with path.open("rb") as f:
            encoding = _encoding(f.read(65536)) or "utf-8-sig"
        yield from _csv_reader(path, encoding)
        return
    wb = calamine.CalamineWorkbook.from_path(str(path))
    sheet = wb.get_sheet_by_name(sheet_name)
    start = sheet.start or (0, 0)
    for _ in range(start[0]):
        yield []
    for row in sheet.iter_rows():
        yield [None] * start[1] + list(row)

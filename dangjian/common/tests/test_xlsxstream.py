"""The streamed .xlsx writer: what it writes reads back the same in python-calamine (the importer's
reader) and openpyxl, escapes every awkward character the way Excel does, keeps text as text, carries
the header format, widths and frozen pane, and never holds the rows in memory."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine as calamine
import xlsxwriter

from dangjian.common.xlsxstream import (
    MAX_STRING,
    SheetFullError,
    XlsxStreamWriter,
    column_letter,
    column_width,
    escape_text,
)

HEADERS = ["姓名", "公民身份号码", "备注"]


def calamine_rows(path: Path) -> list[list[object]]:
    return calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def openpyxl_rows(path: Path) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def write(path: Path, rows: list[list[str]], headers: list[str] = HEADERS, sheet: str = "党员信息") -> Path:
    with XlsxStreamWriter(path, sheet, headers, widths=[max(10, len(h) * 2 + 2) for h in headers]) as w:
        w.rows(rows)
    return path


def check_every_part_is_well_formed(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/worksheets/sheet1.xml"} <= names
        for name in names:
            ElementTree.fromstring(z.read(name))  # noqa: S314 - our own output; raises if not well-formed


def test_plain_text_reads_back_identically_in_calamine_and_openpyxl(tmp_path):
    rows = [
        ["张三", "110105194912310021", "中文、English and 数字 123"],
        ["李四", "11010519491231002X", ""],
        ["", "0012", "007"],
        ["王五", "00000000000000000001", "1e5"],
        ["赵六", "=SUM(A1:A2)", "http://example.cn"],
        ["钱七", "3.14", "TRUE"],
        ["𠀀字", "emoji 😀", "全角　空格"],
    ]
    path = check_file(write(tmp_path / "a.xlsx", rows))
    expected = [HEADERS, *rows]
    assert calamine_rows(path) == expected
    # openpyxl gives None for an empty cell where calamine gives "".
    assert openpyxl_rows(path) == [[v or None for v in r] for r in expected]


def check_file(path: Path) -> Path:
    check_every_part_is_well_formed(path)
    return path


def test_numbers_ids_and_leading_zeros_are_string_cells(tmp_path):
    path = write(tmp_path / "ids.xlsx", [["0012", "110105194912310021", "12345678901234567890"]])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for cell in ws[2]:
        assert cell.data_type == "s"
    assert [c.value for c in ws[2]] == ["0012", "110105194912310021", "12345678901234567890"]
    assert all(isinstance(v, str) for v in calamine_rows(path)[1])


AWKWARD = [
    "a & b", "<tag>", "x > y", "<r>not rich</r>", 'quote " and \' apostrophe', "&amp; already escaped",
    "line\nbreak", "tab\there", "carriage\rreturn", "\x00nul", "bell\x07", "vt\x0bff\x0c", "esc\x1b", "\x1f",
    "_x000D_", "_x005F_", "literal _x0041_ text", "_x12_ too short", "_xZZZZ_ not hex",
    " leading space", "trailing space ", "  ", "\u3000ideographic space", "\ttab lead",
    "]]> cdata end", "中文&<>混合\x01",
]


def test_awkward_characters_read_back_exactly_in_calamine(tmp_path):
    rows = [[f"r{i}", text, ""] for i, text in enumerate(AWKWARD)]
    path = check_file(write(tmp_path / "awkward.xlsx", rows))
    got = calamine_rows(path)[1:]
    assert [r[1] for r in got] == AWKWARD


def test_awkward_characters_in_openpyxl_are_excels_escapes(tmp_path):
    # openpyxl does not decode Excel's _xHHHH_ escapes: it shows what Excel stored, which is what
    # XlsxWriter stores for the same text.
    rows = [[f"r{i}", text, ""] for i, text in enumerate(AWKWARD)]
    ours = write(tmp_path / "ours.xlsx", rows)
    theirs = tmp_path / "xlsxwriter.xlsx"
    book = xlsxwriter.Workbook(str(theirs), {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet("党员信息")
    ws.write_row(0, 0, HEADERS)
    for n, r in enumerate(rows, start=1):
        for c, v in enumerate(r):
            if v:
                ws.write_string(n, c, v)
    book.close()
    ours_rows, their_rows = openpyxl_rows(ours), openpyxl_rows(theirs)
    # XlsxWriter writes a string that looks like rich text ("<r>...</r>") unescaped, which loses it;
    # every other cell must match.
    rich = 1 + AWKWARD.index("<r>not rich</r>")
    assert ours_rows[rich][1] == "<r>not rich</r>"
    assert [r for i, r in enumerate(ours_rows) if i != rich] == [r for i, r in enumerate(their_rows) if i != rich]
    assert ours_rows[1 + AWKWARD.index("carriage\rreturn")][1] == "carriage_x000D_return"
    assert ours_rows[1 + AWKWARD.index("_x000D_")][1] == "_x005F_x000D_"


def test_escape_text():
    assert escape_text("a&b<c>d") == "a&amp;b&lt;c&gt;d"
    assert escape_text("\x0b") == "_x000B_"
    assert escape_text("\r\n\t") == "_x000D_\n\t"
    assert escape_text("_x00ff_") == "_x005F_x00ff_"
    assert escape_text("\ufffe\uffff") == "_xFFFE__xFFFF_"
    assert escape_text("\ud800") == "_xD800_"


def test_non_characters_and_lone_surrogates_still_make_a_valid_file(tmp_path):
    path = check_file(write(tmp_path / "nonchar.xlsx", [["a\ufffe", "b\ud800", "c\uffff"]]))
    assert calamine_rows(path)[1][0].startswith("a")
    assert len(openpyxl_rows(path)) == 2


def test_whitespace_edges_are_preserved_in_the_xml(tmp_path):
    path = write(tmp_path / "ws.xlsx", [[" a", "b ", "c"]])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> a</t>' in sheet
    assert '<t xml:space="preserve">b </t>' in sheet
    assert "<t>c</t>" in sheet


def test_empty_and_none_cells_are_left_empty_and_short_rows_are_fine(tmp_path):
    path = write(tmp_path / "empty.xlsx", [["", "x", None], ["a"], [], ["", "", "z"]])  # type: ignore[list-item]
    assert calamine_rows(path) == [HEADERS, ["", "x", ""], ["a", "", ""], ["", "", ""], ["", "", "z"]]
    assert openpyxl_rows(path) == [HEADERS, [None, "x", None], ["a", None, None], [None, None, None],
                                   [None, None, "z"]]
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="4"' not in sheet  # a row without cells has no element, as Excel writes it
    assert 'r="A2"' not in sheet and 'r="C2"' not in sheet
    assert '<dimension ref="A1:C5"/>' in sheet


@pytest.mark.parametrize(("headers", "rows", "dimension"), [
    ([], [], "A1"),
    ([], [["", "x"]], "B1"),
    ([], [[], ["", "x", "", "y"], ["z"]], "A2:D3"),
    (["a", "b"], [["", "", "", "c"]], "A1:D2"),
    (["a", "", "", ""], [["x"], []], "A1:A2"),
])
def test_dimension_is_the_used_range(tmp_path, headers, rows, dimension):
    with XlsxStreamWriter(tmp_path / "d.xlsx", "s", headers) as w:
        w.rows(rows)
        assert w.dimension() == dimension
    with zipfile.ZipFile(tmp_path / "d.xlsx") as z:
        assert f'<dimension ref="{dimension}"/>' in z.read("xl/worksheets/sheet1.xml").decode()


def test_openpyxl_read_only_rows_all_have_the_sheets_width(tmp_path):
    # openpyxl's read-only mode pads rows to the <dimension>'s last column; without it a row ending in
    # empty cells would come back shorter than the header.
    path = write(tmp_path / "w.xlsx", [["a", "", ""], ["", "b", ""]])
    wb = openpyxl.load_workbook(path, read_only=True)
    assert (wb.worksheets[0].max_row, wb.worksheets[0].max_column) == (3, 3)
    assert openpyxl_rows(path) == [HEADERS, ["a", None, None], [None, "b", None]]


def test_more_columns_than_headers_get_letters(tmp_path):
    row = [str(i) for i in range(60)]
    path = write(tmp_path / "wide.xlsx", [row], headers=["h"])
    assert calamine_rows(path)[1] == row
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA"
    assert column_letter(701) == "ZZ" and column_letter(702) == "AAA" and column_letter(16383) == "XFD"


def test_header_is_bold_filled_bordered_and_frozen_with_widths(tmp_path):
    path = write(tmp_path / "head.xlsx", [["张三", "1", "2"]])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["党员信息"]
    assert ws.freeze_panes == "A2"
    for cell in ws[1]:
        assert cell.font.b is True
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "FFF2DCDB"
        assert {cell.border.left.style, cell.border.right.style, cell.border.top.style, cell.border.bottom.style} == {"thin"}
    for cell in ws[2]:
        assert not cell.font.b and cell.fill.fill_type is None and cell.border.left.style is None
    # The widths XlsxWriter's set_column(i, i, w) writes for the same character counts.
    assert [ws.column_dimensions[x].width for x in "ABC"] == [column_width(10), column_width(14), column_width(10)]
    assert column_width(10) == 10.7109375 and column_width(14) == 14.7109375


def test_no_header_no_freeze(tmp_path):
    with XlsxStreamWriter(tmp_path / "bare.xlsx", "Sheet") as w:
        w.row(["a"])
    ws = openpyxl.load_workbook(tmp_path / "bare.xlsx").worksheets[0]
    assert ws.freeze_panes is None
    assert calamine_rows(tmp_path / "bare.xlsx") == [["a"]]


def test_sheet_name_is_escaped_and_cut_to_excels_31_characters(tmp_path):
    name = 'A&B<C>"D' + "长" * 40
    path = write(tmp_path / "name.xlsx", [["x", "y", "z"]], sheet=name)
    assert calamine.CalamineWorkbook.from_path(str(path)).sheet_names == [name[:31]]


def test_long_text_is_cut_to_excels_cell_limit(tmp_path):
    path = write(tmp_path / "long.xlsx", [["a" * (MAX_STRING + 10), "b", "c"]])
    assert calamine_rows(path)[1][0] == "a" * MAX_STRING


def test_same_rows_give_the_same_bytes(tmp_path):
    rows = [["张三", "0012", "x"]] * 10
    assert write(tmp_path / "1.xlsx", rows).read_bytes() == write(tmp_path / "2.xlsx", rows).read_bytes()


def test_a_failure_inside_the_with_block_removes_the_file(tmp_path):
    path = tmp_path / "broken.xlsx"
    with pytest.raises(RuntimeError), XlsxStreamWriter(path, "s", HEADERS) as w:
        w.row(["a", "b", "c"])
        raise RuntimeError("export failed")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # nor any temporary file


def test_more_than_a_sheet_of_columns_is_refused(tmp_path):
    with pytest.raises(SheetFullError), XlsxStreamWriter(tmp_path / "x.xlsx", "s") as w:
        w.row(["x"] * 16_385)
    assert not (tmp_path / "x.xlsx").exists()


def peak_while_writing(path: Path, n: int) -> int:
    row = ["张三丰", "110105194912310021", "男", "汉族", "1949-12-31", "大学本科", "中共示范县甲镇一村支部委员会",
           "13800000001", "2010-07-01", "2011-07-01", "14", "0", "村委会主任", "是", "甲镇二村", "否"]
    tracemalloc.start()
    try:
        with XlsxStreamWriter(path, "s", [f"h{i}" for i in range(len(row))]) as w:
            for i in range(n):
                w.row([*row[:-1], str(i)])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_with_ten_times_the_rows(tmp_path):
    small = peak_while_writing(tmp_path / "small.xlsx", 5_000)
    large = peak_while_writing(tmp_path / "large.xlsx", 50_000)
    # A writer that kept its rows would peak at ~10x (tens of MB here); one batch of rows is the ceiling.
    assert large < small * 1.5 + 256 * 1024, (small, large)
    assert large < 8 * 1024 * 1024
    assert len(calamine_rows(tmp_path / "large.xlsx")) == 50_001

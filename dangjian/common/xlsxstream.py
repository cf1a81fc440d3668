"""A streamed .xlsx writer for one sheet of text cells: what the roster and organization exports need,
at a fraction of XlsxWriter's per-row cost.

XlsxWriter's constant-memory mode costs about 0.5 ms of CPU per 28-column row (its generic cell
machinery: a row dictionary per row, a type dispatch and several regular expressions per cell); a
city's roster of 173,000 rows spent most of its 100 s there. This writer does only what a sheet of
strings needs and writes the same cells XlsxWriter's constant-memory mode writes: inline strings
(``t="inlineStr"``) with Excel's escapes, a bold, filled and bordered header row, column widths, a
frozen header pane and the sheet's ``<dimension>``. Memory stays flat whatever the number of rows: the
rows go, a batch at a time, to an unnamed temporary file beside the output, and on ``close()`` the
sheet part is deflated into the zip from there (``ZipFile.open(name, "w")``), after the dimension that
must precede the rows and is known only at the end (openpyxl's read-only mode needs it to give every
row the same length). The extra write and read of the plain XML is a few percent of the time.

Escaping follows Excel (and XlsxWriter): ``& < >`` as entities; control characters XML 1.0 does not
allow, and ``\\r`` (which an XML parser would turn into ``\\n``), as ``_xHHHH_``; a literal ``_xHHHH_``
in the text has its underscore escaped (``_x005F_xHHHH_``) so a reader does not decode it; U+FFFE,
U+FFFF and lone surrogates (not characters) as ``_xHHHH_`` too; text with leading or trailing
whitespace gets ``xml:space="preserve"``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

MAX_ROWS = 1_048_576  # Excel's limit: rows past it would be invisible (XlsxWriter silently drops them)
MAX_COLS = 16_384
MAX_STRING = 32_767  # Excel's limit for a cell's text; XlsxWriter truncates to it as well
# Rows are joined and deflated this many at a time: one write call per batch instead of per row.
BATCH = 500
# zlib level 1 deflates the roster's XML about three times faster than the default 6 for a file about a
# quarter larger (one county's 14.5 MB sheet: 0.09 s and 1.73 MB against 0.24 s and 1.39 MB).
COMPRESSLEVEL = 1
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same rows give the same bytes

# Anything in a cell's text that needs more than copying: XML's three specials, characters XML 1.0 does
# not allow (all C0 controls but tab and line feed; carriage return, which a parser would normalize),
# non-characters and lone surrogates, and a literal _xHHHH_ that a reader would otherwise decode.
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPE_LITERAL = re.compile("(_x[0-9A-Fa-f]{4}_)")
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


class SheetFullError(ValueError):
    """More rows or columns than a worksheet holds."""


def escape_text(text: str) -> str:
    """``text`` as the content of a ``<t>`` element, with Excel's ``_xHHHH_`` escapes."""
    text = _ESCAPE_LITERAL.sub(r"_x005F\1", text)
    text = _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_width(width: float) -> float:
    """A width in characters as Excel stores it (what XlsxWriter's ``set_column`` writes): the default
    font's 7-pixel digits plus 5 pixels of padding, in 1/256ths of a character."""
    if width <= 0:
        return 0.0
    if width < 1:
        return int(width * 12 / 7 * 256) / 256
    return int((width * 7 + 5) / 7 * 256) / 256


XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{NS_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Two cell formats: 0 the default, 1 the header (bold, solid #F2DCDB fill, thin border all round), the
# format the exports have always used.
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="2">'
    '<font><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2DCDB"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
    "</styleSheet>"
)
HEADER_STYLE = 1


def _workbook(sheet: str) -> str:
    return (
        XML_HEAD + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
        f'<sheets><sheet name="{_escape_attr(sheet)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _sheet_head(dimension: str, widths: Sequence[float], freeze_rows: int) -> str:
    pane = ""
    if freeze_rows:
        pane = (f'<pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/>')
    cols = "".join(f'<col min="{i}" max="{i}" width="{column_width(w)}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    return (
        XML_HEAD + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="{dimension}"/>'
        f'<sheetViews><sheetView tabSelected="1" workbookViewId="0">{pane}</sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )


SHEET_TAIL = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
              "</worksheet>")


def _cell_text(value: str) -> tuple[str, str]:
    """(escaped text, the ``<t>`` tag's attribute): the slow path, for a cell that needs either."""
    if len(value) > MAX_STRING:
        value = value[:MAX_STRING]
    attr = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return (escape_text(value) if _SPECIAL.search(value) else value), attr


class XlsxStreamWriter:
    """One worksheet of text cells, written row by row into a zip as they come.

    ``headers`` become row 1 in the header format; ``widths`` (characters, one per column) set the
    column widths; ``freeze_header`` freezes the panes below the header. Every value is written as
    text (a string cell), so leading zeros and 18-digit ID numbers stay exactly as given; empty strings
    and ``None`` leave the cell empty. Use as a context manager or call ``close()``; a writer that
    fails is closed and leaves a removed file behind, never half a workbook."""

    def __init__(self, path: Path | str, sheet: str, headers: Sequence[str] = (), *,
                 widths: Sequence[float] | None = None, freeze_header: bool = True,
                 compresslevel: int = COMPRESSLEVEL) -> None:
        self.path = Path(path)
        self.rows_written = 0
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._closed = False
        try:
            for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                               ("xl/workbook.xml", _workbook(sheet[:31] or "Sheet1")),
                               ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), ("xl/styles.xml", STYLES)):
                self._zip.writestr(self._info(name, compresslevel), text)
            self._level = compresslevel
            self._widths = list(widths or ())
            self._freeze = 1 if freeze_header and headers else 0
            self._letters: list[str] = []
            self._ensure_letters(max(len(headers), len(self._widths)))
            # The used range (0-based, inclusive) for <dimension>: first and last row and column with a cell.
            self._bounds: list[int] | None = None
            # Closed by close() or abort(); unnamed, so nothing is left behind even if the process dies.
            self._body: IO[bytes] = tempfile.TemporaryFile(dir=self.path.parent, prefix=".xlsxstream-")  # noqa: SIM115
            self._pending: list[str] = []
            if headers:
                self._row(headers, HEADER_STYLE)
        except BaseException:
            self.abort()
            raise

    @staticmethod
    def _info(name: str, level: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, _EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        # ZipFile.open(ZipInfo, "w") takes the level from the ZipInfo, not the ZipFile (the attribute
        # is ``compress_level`` from Python 3.13 on).
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)  # noqa: B010
        info.external_attr = 0o644 << 16
        return info

    def _ensure_letters(self, n: int) -> None:
        if n > MAX_COLS:
            raise SheetFullError(f"{n} columns: a worksheet holds at most {MAX_COLS}")
        while len(self._letters) < n:
            self._letters.append(column_letter(len(self._letters)))

    def _row(self, values: Sequence[str | None], style: int = 0) -> None:
        n = self.rows_written + 1
        if n > MAX_ROWS:
            raise SheetFullError(f"more than {MAX_ROWS} rows: a worksheet holds at most {MAX_ROWS}")
        if len(values) > len(self._letters):
            self._ensure_letters(len(values))
        letters = self._letters
        s = f' s="{style}"' if style else ""
        parts = [f'<row r="{n}">']
        append = parts.append
        first = last = -1
        # One search over the row's joined text decides whether any cell needs escaping: the common
        # row (names, codes, dates, digits) needs none and takes the fast path.
        clean = not _SPECIAL.search("".join([v for v in values if v]))
        for c, v in enumerate(values):
            if not v:
                continue
            if first < 0:
                first = c
            last = c
            if clean and len(v) <= MAX_STRING and not (v[0].isspace() or v[-1].isspace()):
                append(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t>{v}</t></is></c>')
            else:
                text, attr = _cell_text(v)
                append(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t{attr}>{text}</t></is></c>')
        self.rows_written = n
        if last < 0:
            return  # no cell: no <row> element, as Excel and XlsxWriter write it
        append("</row>")
        self._pending.append("".join(parts))
        b = self._bounds
        if b is None:
            self._bounds = [n - 1, first, n - 1, last]
        else:
            b[2] = n - 1
            if first < b[1]:
                b[1] = first
            if last > b[3]:
                b[3] = last
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._body.write("".join(self._pending).encode())
            self._pending.clear()

    def row(self, values: Sequence[str | None]) -> None:
        """Append one row below the last; each value is a cell's text (``""``/``None``: empty)."""
        self._row(values)

    def rows(self, rows: Iterable[Sequence[str | None]]) -> int:
        """Append every row of ``rows``; returns how many."""
        before = self.rows_written
        for values in rows:
            self._row(values)
        return self.rows_written - before

    def close(self) -> None:
        if self._closed:
            return
        try:
            self._flush()
            with self._zip.open(self._info("xl/worksheets/sheet1.xml", self._level), "w") as sheet:
                sheet.write(_sheet_head(self.dimension(), self._widths, self._freeze).encode())
                self._body.seek(0)
                shutil.copyfileobj(self._body, sheet, 1 << 20)
                sheet.write(SHEET_TAIL.encode())
            self._zip.close()
            self._body.close()
            self._closed = True
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Close without finishing the workbook and remove the file."""
        self._closed = True
        body = getattr(self, "_body", None)
        try:
            if body is not None:
                body.close()
            self._zip.close()
        except Exception:  # noqa: S110 - the file is removed next; the original error is what matters
            pass
        self.path.unlink(missing_ok=True)

    def dimension(self) -> str:
        """The used range as Excel writes it in <dimension>: "A1" for an empty sheet."""
        if self._bounds is None:
            return "A1"
        r0, c0, r1, c1 = self._bounds
        start = f"{column_letter(c0)}{r0 + 1}"
        return start if (r0, c0) == (r1, c1) else f"{start}:{column_letter(c1)}{r1 + 1}"

    def __enter__(self) -> XlsxStreamWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

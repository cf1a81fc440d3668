"""Importing a ledger: one streaming pass per sheet that validates every row against lookups
prepared in dicts (organizations by code and name, existing members by ID-number hash — a few
chunked queries, never one per row), and records the plan: what a commit is to write, already
encrypted, keyed and in the shape of the INSERT.

The file is read and validated once. The validation writes the plan to a file beside the upload
(``run_import(..., plan=path)``); the commit (``commit_plan``) re-checks in bulk what the plan relied
on — organization references, the versions of the existing members and organizations it saw, that
the new codes and ID numbers are still free — and writes it in batches inside the caller's
transaction, or refuses (PlanChanged). ``run_import(..., write=True)`` validates and writes in one go
(a commit whose stored plan is unusable, e.g. validated on another day, does that and compares digests).

Rows are never held all at once: the plan's new members are streamed to and from the file in batches,
so a city's roster goes in within the memory of one batch plus the index of existing members.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import hashlib
import hmac
import io
import logging
import multiprocessing
import pickle
import re
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from stdnum.cn import ric

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.middleware import current_ip
from dangjian.common.models import AuditEvent
from dangjian.members import rules as mrules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.pinyin import name_keys
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType
from dangjian.orgs.services import org_update

from . import reader, rules

log = logging.getLogger(__name__)

# --- messages --------------------------------------------------------------------------------------
DUPLICATE_ID = "与本文件第{row}行的公民身份号码重复，同一党员只能出现一次。"
DUPLICATE_CODE = "与本文件第{row}行的党组织编码重复。"
ORG_NOT_FOUND = "在您管理的范围内找不到党组织“{value}”。请填写系统中党组织的全称或编码，或先在同一文件的党组织工作表中导入该党组织。"
ORG_AMBIGUOUS = "有{count}个党组织叫“{value}”，无法确定是哪一个。请改填党组织编码（可在导出的党组织列表中查到）。"
ORG_OUT_OF_SCOPE = "党组织“{value}”不在您管理的范围内，不能导入。"
ORG_NOT_HOLDING = org_rules.NOT_HOLDING_MEMBERS + "请改填具体的党支部。"
ID_MASKED = "公民身份号码是脱敏的（中间是*），无法识别党员。请导出时勾选“导出完整的公民身份号码和手机号码”，或填写完整号码。"
ORG_DISSOLVED = "党组织“{name}”已于{date}撤销，不能接收党员。"
MEMBER_OUT_OF_SCOPE = "该公民身份号码的党员在系统中属于您管理范围以外的党组织，不能通过导入修改。如需转入，请由原党组织办理组织关系转接。"
MEMBER_OFF_ROSTER = "该党员在系统中的状态是“{status}”，不能通过导入修改。请在党员档案中办理。"
PROBATIONARY_CONVERTED = "党员类型是预备党员，但填写了转正日期。请删除转正日期，或把党员类型改为正式党员。"
CONVERTED_BEFORE_JOINED = "转正日期（{converted}）早于入党日期（{joined}），请核对。"
CORRECTION_RANGE = "党龄校正值应在-80至80之间。"
BIRTH_FUTURE = "出生日期不能晚于今天。"
JOIN_AGE = "入党时（{date}）未满18周岁，请核对入党日期和出生日期。"
PROBATION_OVERDUE = "预备党员入党已超过一年仍未转正，请核对是否漏填转正日期。"
DATE_DIFFERS = "{column}（{value}）与系统记录（{current}）不一致。导入不修改党籍记录，如需更正请在党员档案中办理。"
PHONE_KEPT = "手机号码为空，保留系统中原有的手机号码。"
ORG_PARENT_REQUIRED = "新党组织须填写上级党组织（编码或全称）。"
ORG_PARENT_CYCLE = "上级党组织填写成了它自己或它的下级，请核对。"
ORG_FIELD_KEPT = "{column}（{value}）与系统记录（{current}）不一致。导入不修改{column}，请在党组织页面办理{how}。"
ORG_CODE_ELSEWHERE = "党组织编码“{code}”已被您管理范围以外的党组织使用，请核对编码。"

TRANSFER_NOTE = "台账导入：组织关系转接"
IMPORT_NOTE = "台账导入"
ORG_BATCH = 2000
MEMBER_BATCH = 2000
LOOKUP_CHUNK = 500
MAX_PREVIEW = 200


@dataclass
class Issue:
    level: str
    sheet: str
    row: int | None
    column: str
    value: str
    message: str


@dataclass
class Outcome:
    """What a pass found (and, when writing, did)."""

    issues: list[Issue] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    digest: str = ""
    sheets: list[dict[str, Any]] = field(default_factory=list)

    def add(self, level: str, sheet: str, row: int | None, column: str, value: Any, message: str, *, cap: int) -> None:
        if level == "error":
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.issues) < cap:
            self.issues.append(Issue(level, sheet, row, column, rules.clean_text(value)[:200], message))

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


Progress = Callable[[int, int], None]
_NEEDS_CLEANING = re.compile(r"\s\s|[\u3000\t\r\n]")


def _safe_read(col: rules.Column, raw: Any, today: dt.date) -> Any:
    try:
        return rules.read_cell(col, raw, today=today)
    except rules.CellError as exc:
        return exc


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> tuple[str, str]:
    return name_keys(name)


# --- fast equivalents of common.idnumbers.parse and common.crypto.keyed_hash (the tests check that
# they agree with the originals): at a city's 185,500 rows the originals' per-call set-up dominates.
@lru_cache(maxsize=100_000)
def _birthplace_ok(code: str, year: int) -> bool:
    return idnumbers.birthplace_valid(code, year)


def parse_id(value: str) -> idnumbers.IdInfo:
    """idnumbers.parse, with the birthplace look-up cached by (code, year)."""
    number = idnumbers.normalize(value or "")
    if not number:
        raise idnumbers.IdNumberError(idnumbers.ID_REQUIRED)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise idnumbers.IdNumberError(idnumbers.ID_FORMAT)
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise idnumbers.IdNumberError(idnumbers.ID_CHECK_DIGIT.format(expected=expected))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise idnumbers.IdNumberError(idnumbers.ID_BIRTH_DATE) from None
    if not _birthplace_ok(number[:6], birth.year):
        raise idnumbers.IdNumberError(idnumbers.ID_BIRTHPLACE.format(code=number[:6]))
    sex = "1" if int(number[16]) % 2 == 1 else "2"
    return idnumbers.IdInfo(number=number, birth_date=birth, sex=sex, birthplace=number[:6])


class KeyedHasher:
    """crypto.keyed_hash with the HMAC key schedule computed once."""

    def __init__(self) -> None:
        self.base = hmac.new(settings.DANGJIAN_HASH_KEY.encode(), digestmod=hashlib.sha256)

    def __call__(self, value: str) -> str:
        if not value:
            return ""
        h = self.base.copy()
        h.update(value.strip().upper().encode())
        return h.hexdigest()


# --- the organization index ----------------------------------------------------------------------
@dataclass
class OrgInfo:
    pk: int | None  # None for an organization created by this file (until it is written)
    code: str
    name: str
    org_type: str
    path: str
    established_on: dt.date
    dissolved_on: dt.date | None
    county_id: int | None
    in_scope: bool
    parent_ref: str = ""  # new organizations: the parent's code


class OrgIndex:
    """Every organization by code; those in the user's scope also by full name, short name and
    statistics name. One query."""

    def __init__(self, actor: User) -> None:
        scope = scope_for(actor)
        self.by_code: dict[str, OrgInfo] = {}
        self.by_pk: dict[int, OrgInfo] = {}
        self.by_name: dict[str, list[OrgInfo]] = {}
        self.by_alias: dict[str, list[OrgInfo]] = {}
        self.by_path: dict[str, OrgInfo] = {}
        rows = Org.objects.values_list(
            "pk", "code", "name", "short_name", "stats_name", "org_type", "path", "established_on", "dissolved_on", "county_id"
        )
        for pk, code, name, short, stats, org_type, path, est, dissolved, county in rows.iterator(chunk_size=5000):
            info = OrgInfo(pk, code, name, org_type, path, est, dissolved,
                           pk if org_type == OrgType.COUNTY_COMMITTEE else county, scope.contains_path(path))
            self.by_code[rules.org_key(code)] = info
            self.by_pk[pk] = info
            self.by_path[path] = info
            if info.in_scope:
                self.by_name.setdefault(rules.org_key(name), []).append(info)
                for alias in {short, stats} - {""}:
                    self.by_alias.setdefault(rules.org_key(alias), []).append(info)

    def add_new(self, info: OrgInfo) -> None:
        self.by_code[rules.org_key(info.code)] = info
        self.by_name.setdefault(rules.org_key(info.name), []).append(info)

    def resolve(self, value: str) -> OrgInfo:
        """By code, else full name, else short/statistics name; rules.CellError when not exactly one."""
        key = rules.org_key(value)
        info = self.by_code.get(key)
        if info is not None:
            if not info.in_scope:
                raise rules.CellError(ORG_OUT_OF_SCOPE.format(value=value))
            return info
        for table in (self.by_name, self.by_alias):
            found = table.get(key, [])
            active = [o for o in found if o.dissolved_on is None] or found
            if len(active) == 1:
                return active[0]
            if len(active) > 1:
                raise rules.CellError(ORG_AMBIGUOUS.format(count=len(active), value=value))
        raise rules.CellError(ORG_NOT_FOUND.format(value=value))


# --- existing members ------------------------------------------------------------------------------
MEMBER_COLUMNS = (
    "pk", "org_id", "status", "version", "joined_on", "converted_on", "is_mobile", "is_lost_contact", "phone_hash",
    "phone_masked", "id_number_masked", *(f for f in (
        "name", "sex", "ethnicity", "birth_date", "education", "degree", "personnel_category", "party_age_correction",
        "new_social_stratum", "job", "professional_title", "is_migrant_worker", "registered_residence",
        "current_residence",
    )),
)  # fmt: skip
_IDX = {name: i for i, name in enumerate(MEMBER_COLUMNS)}
PERSONAL = MEMBER_COLUMNS[11:]
PERSONAL_LABELS = {f: str(getattr(Member._meta.get_field(f), "verbose_name", f)) for f in PERSONAL}


def _existing_members(hashes: Iterable[str]) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    batch: list[str] = []

    def flush() -> None:
        for row in Member.objects.filter(id_number_hash__in=batch).values_list("id_number_hash", *MEMBER_COLUMNS):
            out[row[0]] = row[1:]
        batch.clear()

    for h in hashes:
        batch.append(h)
        if len(batch) >= LOOKUP_CHUNK:
            flush()
    if batch:
        flush()
    return out


# --- fast inserts (the approach of demo/bulk.py: one prepared INSERT through executemany) ----------
_MISSING = object()


class _Insert:
    """One prepared INSERT of every concrete field. ``build`` turns a row's values into the
    statement's parameters (adapted for the database, defaults filled) — at validation, so the
    commit only fills the ``late`` fields (keys, timestamps, organizations created by the commit)
    and sends the rows."""

    def __init__(self, model: type[models.Model], late: tuple[str, ...] = ()) -> None:
        ops = connection.ops
        self.model = model
        self.plan: list[tuple[str, Any, Any]] = []
        for f in model._meta.concrete_fields:
            adapt: Any = None
            if isinstance(f, models.DateTimeField):
                adapt = ops.adapt_datetimefield_value
            elif isinstance(f, models.DateField):
                adapt = ops.adapt_datefield_value
            if f.attname in late:
                default: Any = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = _MISSING
            elif f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif f.blank and f.empty_strings_allowed:
                default = ""
            else:
                default = _MISSING
            self.plan.append((f.attname, adapt, default))
        self.index = {name: i for i, (name, _a, _d) in enumerate(self.plan)}
        self.adapters = {name: adapt for name, adapt, _d in self.plan}
        qn = ops.quote_name
        cols = ", ".join(qn(f.column) for f in model._meta.concrete_fields)
        marks = ", ".join(["%s"] * len(self.plan))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608 (identifiers from model metadata)
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({cols}) FROM STDIN"
        self._adapted: dict[Any, Any] = {}  # the same few dates recur on every row

    def build(self, row: dict[str, Any]) -> list[Any]:
        out = []
        adapted = self._adapted
        for name, adapt, default in self.plan:
            v = row.get(name, default)
            if v is _MISSING:
                raise ValueError(f"{self.model.__name__}.{name} has no value")
            if adapt is not None and v is not None:
                a = adapted.get(v)
                if a is None:
                    if len(adapted) > 100_000:
                        adapted.clear()
                    a = adapted[v] = adapt(v)
                v = a
            out.append(v)
        return out

    def adapt(self, name: str, value: Any) -> Any:
        adapt = self.adapters[name]
        return adapt(value) if adapt is not None and value is not None else value

    def insert(self, values: list[list[Any]]) -> None:
        if not values:
            return
        if connection.vendor == "postgresql":
            # COPY, one stream per batch: Django's psycopg cursors bind client-side, so executemany
            # sends every row as a statement of its own that the server parses and plans afresh
            # (at county scale 9.5 s of backend CPU for 37,000 rows, against 2.8 s with COPY). psycopg adapts the
            # values itself, in text format.
            with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
                for row in values:
                    copy.write_row(row)
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """Primary keys for ``n`` new rows. PostgreSQL: from the table's sequence. SQLite: after the
    largest, which is safe because the import's transaction holds the database's write lock."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + n))


# --- the plan: what a validation decided to write, kept for the commit --------------------------------
PLAN_FORMAT = 1
MEMBER_LATE = ("id", "org_id", "county_id", "created_at", "updated_at")
EVENT_LATE = ("id", "member_id", "to_org_id", "org_after_id", "recorded_at")


class PlanUnusable(Exception):
    """The stored plan cannot be used (missing, damaged, written on another day, for another user or
    database, or for another validation): the commit validates the file again instead."""


class PlanChanged(Exception):
    """Something the plan relied on changed after the validation (a member or organization was
    edited, a code or ID number was taken): the commit is refused."""


_LEN = struct.Struct("<Q")
_MAC_SIZE = hashlib.sha256().digest_size


def _plan_key() -> bytes:
    return hashlib.sha256(b"dangjian-ledger-plan:" + settings.DANGJIAN_HASH_KEY.encode()).digest()


class _PlanUnpickler(pickle.Unpickler):
    """Only the types a plan holds (the file's HMAC is checked first; this is the second lock)."""

    ALLOWED = frozenset({("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"),
                         ("datetime", "timedelta"), (__name__, "_EventChange")})

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


class PlanWriter:
    """A validation's plan, written as the pass goes: length-prefixed pickled records (the new
    members, a batch each), then the summary (checks, organization and member changes, counts),
    the summary's offset, and an HMAC of all of it under a key derived from the server's hash key —
    the commit reads only a file this server wrote, and never holds the new members all at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("wb")
        self.mac = hmac.new(_plan_key(), digestmod=hashlib.sha256)

    def record(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        head = _LEN.pack(len(data))
        self.file.write(head)
        self.file.write(data)
        self.mac.update(head)
        self.mac.update(data)

    def finish(self, summary: dict[str, Any]) -> None:
        offset = self.file.tell()
        self.record(summary)
        tail = _LEN.pack(offset)
        self.mac.update(tail)
        self.file.write(tail)
        self.file.write(self.mac.digest())
        self.file.close()

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class PlanReader:
    def __init__(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            self.file = path.open("rb")
        except OSError:
            raise PlanUnusable from None
        try:
            if size < _LEN.size * 2 + _MAC_SIZE:
                raise PlanUnusable
            mac = hmac.new(_plan_key(), digestmod=hashlib.sha256)
            remaining = size - _MAC_SIZE
            while remaining:
                chunk = self.file.read(min(1 << 20, remaining))
                if not chunk:
                    raise PlanUnusable
                mac.update(chunk)
                remaining -= len(chunk)
            if not hmac.compare_digest(mac.digest(), self.file.read(_MAC_SIZE)):
                raise PlanUnusable
            self.file.seek(size - _MAC_SIZE - _LEN.size)
            self.end = _LEN.unpack(self.file.read(_LEN.size))[0]
            self.file.seek(self.end)
            self.summary: dict[str, Any] = self._read()
            self.file.seek(0)
        except (PlanUnusable, pickle.UnpicklingError, EOFError, struct.error, ValueError):
            self.file.close()
            raise PlanUnusable from None

    def _read(self) -> Any:
        (n,) = _LEN.unpack(self.file.read(_LEN.size))
        return _PlanUnpickler(io.BytesIO(self.file.read(n))).load()

    def records(self) -> Iterator[Any]:
        while self.file.tell() < self.end:
            yield self._read()

    def close(self) -> None:
        self.file.close()


def _ref_sig(info: OrgInfo) -> tuple:
    """What a member or organization row's reference resolved to, as far as the plan depends on it."""
    return (info.pk, info.code, info.org_type, info.established_on, info.dissolved_on, info.path, info.county_id)


SEAL_IN_HELPER_FROM = 4 * MEMBER_BATCH  # rows of a member sheet from which a helper process seals
HELPER_PROCESS = True


def _seal(items: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The costly pure part of new members' rows: (ID number, phone, name) → the two numbers
    encrypted and the name's pinyin keys."""
    return [(crypto.encrypt(number), crypto.encrypt(phone), *_name_keys(name)) for number, phone, name in items]


# --- the pass ------------------------------------------------------------------------------------
@dataclass
class _EventChange:
    member_pk: int
    sheet: str
    row: int
    label: str
    events: list[tuple[str, dt.date, int | None]]  # (kind, date, to_org pk for transfers)
    new_org_code: str = ""  # a transfer into an organization this file creates


class Importer:
    """One pass over a file: validates every row and, given a PlanWriter, records what to write
    (``run``); or writes a recorded plan after checking that what it relied on is unchanged
    (``apply``)."""

    def __init__(self, *, actor: User, today: dt.date, progress: Progress | None = None, issue_cap: int = 5000) -> None:
        self.actor = actor
        self.today = today
        self.progress = progress
        self.cap = issue_cap
        self.out = Outcome()
        self.orgs = OrgIndex(actor)
        self.digest = hashlib.sha256()
        self.done = 0
        self.total = 0
        self.created_orgs: dict[str, Org] = {}
        self.audits: list[AuditEvent] = []
        self._column_plans: dict[str, list[tuple[str, int, rules.Column, dict | None]]] = {}
        self.hash = KeyedHasher()
        # the plan being recorded (validation) or applied (commit)
        self.writer: PlanWriter | None = None
        self.refs: dict[str, tuple] = {}  # organization reference as typed -> what it resolved to
        self.orgs_seen: list[tuple[int, int]] = []  # (pk, version) of every existing organization row
        self.members_seen: list[tuple[int, int, int | None]] = []  # (pk, version, org) of every existing member row
        self.steps: list[dict[str, Any]] = []
        self._spill: list[tuple[str, list[Any], list[list[Any]], tuple[str, str, str]]] = []
        self.member_insert = _Insert(Member, late=MEMBER_LATE)
        self._sealed_columns = tuple(self.member_insert.index[f] for f in ("id_number_enc", "phone_enc", "name_pinyin",
                                                                           "name_initials"))
        self._sealing: collections.deque[tuple[list, list, Any]] = collections.deque()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.event_insert = _Insert(MembershipEvent, late=EVENT_LATE)
        self._histories: dict[int, list[MembershipEvent]] = {}

    @property
    def recording(self) -> bool:
        """Whether the pass still prepares what to write (after the first error it only explains)."""
        return self.writer is not None and self.out.errors == 0

    def _ref(self, value: str, info: OrgInfo) -> None:
        if value not in self.refs:
            self.refs[value] = _ref_sig(info)

    # -- helpers
    def _issue(self, level: str, sheet: reader.SheetRows, row: int | None, col: rules.Column | str, value: Any, msg: str) -> None:
        header = col.header if isinstance(col, rules.Column) else col
        self.out.add(level, sheet.name, row, header, value, msg, cap=self.cap)

    def _plan(self, *parts: Any) -> None:
        self.digest.update(repr(parts).encode())
        self.digest.update(b"\n")

    def _preview(self, sheet: reader.SheetRows, row: int, kind: str, label: str, detail: str = "") -> None:
        if len(self.out.preview) < MAX_PREVIEW:
            self.out.preview.append({"sheet": sheet.name, "row": row, "kind": kind, "label": label, "detail": detail})

    def _tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % 1000 == 0:
            self.progress(self.done, self.total)

    def _read_row(self, sheet: reader.SheetRows, number: int, row: list[Any]) -> dict[str, Any] | None:
        """The typed values of a row. Coded values, dates and yes/no repeat endlessly in a roster,
        so each column remembers what it has read (errors too); plain text skips the regex."""
        values: dict[str, Any] = {}
        ok = True
        width = len(row)
        for key, pos, col, cache in self._plan_for(sheet):
            raw = row[pos] if pos < width else None
            if cache is not None:
                try:
                    got = cache[raw]
                except KeyError:
                    try:
                        got = rules.read_cell(col, raw, today=self.today)
                    except rules.CellError as exc:
                        got = exc
                    if len(cache) < 200_000:
                        cache[raw] = got
                except TypeError:  # unhashable: read it plainly
                    got = rules.read_cell(col, raw, today=self.today)
            elif type(raw) is str and col.kind == rules.TEXT and not _NEEDS_CLEANING.search(raw):
                got = raw.strip()
                if (col.required and not got) or (col.max_length and len(got) > col.max_length):
                    got = _safe_read(col, raw, self.today)
            else:
                got = _safe_read(col, raw, self.today)
            if isinstance(got, rules.CellError):
                self._issue("error", sheet, number, col, raw, str(got))
                ok = False
            else:
                values[key] = got
        return values if ok else None

    def _plan_for(self, sheet: reader.SheetRows) -> list[tuple[str, int, rules.Column, dict | None]]:
        plan = self._column_plans.get(sheet.name)
        if plan is None:
            plan = []
            for key, pos in sheet.match.positions.items():
                col = sheet.match.columns[key]
                if not col.imported:
                    continue
                cached = col.kind in (rules.CODE, rules.DATE, rules.BOOL, rules.INT, rules.ORG)
                plan.append((key, pos, col, {} if cached else None))
            self._column_plans[sheet.name] = plan
        return plan

    # -- entry
    def run(self, sheets: list[reader.SheetRows], plan: Path | None = None) -> Outcome:
        """Validate the sheets; with ``plan``, also write there what a commit is to write (kept only
        if the file has no errors)."""
        self.total = sum(s.total for s in sheets)
        self.writer = PlanWriter(plan) if plan is not None else None
        try:
            self._run(sheets)
        except BaseException:
            if self.writer is not None:
                self.writer.discard()
            raise
        return self.out

    def _run(self, sheets: list[reader.SheetRows]) -> None:
        for sheet in sheets:
            before = dict(self.out.counts)
            if sheet.column_set.entity == "orgs":
                self._orgs(sheet)
            else:
                self._members(sheet)
            self.out.sheets.append({
                "name": sheet.name, "set": sheet.column_set.label, "rows": sheet.total,
                "ignored": sheet.match.unknown[:20],
                "counts": {k: v - before.get(k, 0) for k, v in self.out.counts.items() if v - before.get(k, 0)},
            })
        self.out.digest = self.digest.hexdigest()
        if self.writer is not None:
            if self.out.errors:
                self.writer.discard()
            else:
                self.writer.finish({
                    "format": PLAN_FORMAT, "digest": self.out.digest, "today": self.today, "vendor": connection.vendor,
                    "actor": self.actor.pk, "refs": self.refs, "orgs_seen": self.orgs_seen,
                    "members_seen": self.members_seen, "steps": self.steps, "rows": self.total,
                    "counts": self.out.counts, "warnings": self.out.warnings, "sheets": self.out.sheets,
                })
        if self.progress is not None:
            self.progress(self.total, self.total)

    # -- organizations
    def _orgs(self, sheet: reader.SheetRows) -> None:
        seen: dict[str, int] = {}
        new: list[tuple[int, dict[str, Any]]] = []
        changed: list[tuple[int, Any]] = []
        cols = sheet.match.columns
        editable = [k for k in ("short_name", "stats_name", "category", "unit_situation", "secretary_name", "contact_name",
                                "contact_phone", "can_approve_probationary", "is_functional", "is_new_business") if k in cols]
        existing_rows: list[tuple[int, dict[str, Any], int]] = []
        for number, row in sheet.rows():
            self._tick()
            v = self._read_row(sheet, number, row)
            if v is None:
                continue
            code_key = rules.org_key(v["code"])
            if code_key in seen:
                self._issue("error", sheet, number, cols["code"], v["code"], DUPLICATE_CODE.format(row=seen[code_key]))
                continue
            seen[code_key] = number
            info = self.orgs.by_code.get(code_key)
            if info is not None and info.pk is not None:
                if not info.in_scope:
                    self._issue("error", sheet, number, cols["code"], v["code"], ORG_CODE_ELSEWHERE.format(code=v["code"]))
                    continue
                existing_rows.append((number, v, info.pk))
            else:
                new.append((number, v))
        loaded = Org.objects.in_bulk([pk for _n, _v, pk in existing_rows])
        step: dict[str, Any] = {"kind": "orgs", "new": [], "updates": []}
        self.steps.append(step)
        for number, v, pk in existing_rows:
            self.orgs_seen.append((pk, loaded[pk].version))
            self._org_existing(sheet, number, v, loaded[pk], editable, changed)
        # New organizations: parents first (a parent may be an existing organization or another new
        # row of this sheet, in any order).
        pending = {rules.org_key(v["code"]): (n, v) for n, v in new}
        for _n, v in new:
            self.orgs.add_new(OrgInfo(None, v["code"], v["name"], v["org_type"], "", v["established_on"], None, None, True,
                                      rules.org_key(v.get("parent", ""))))
        ordered: list[tuple[int, dict[str, Any]]] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(key: str) -> bool:
            if state.get(key) == 2:
                return True
            if state.get(key) == 1:
                return False
            state[key] = 1
            n, v = pending[key]
            parent_value = v.get("parent", "")
            if parent_value:
                try:
                    parent = self.orgs.resolve(parent_value)
                except rules.CellError:
                    parent = None
                if parent is not None and parent.pk is None:
                    pkey = rules.org_key(parent.code)
                    if pkey in pending and not visit(pkey):
                        state[key] = 2
                        self._issue("error", sheet, n, cols.get("parent", "上级党组织"), parent_value, ORG_PARENT_CYCLE)
                        return True
            state[key] = 2
            ordered.append((n, v))
            return True

        for key in pending:
            visit(key)
        failed: set[str] = set()
        for n, v in ordered:
            self._org_new(sheet, n, v, failed, step["new"])
        step["updates"] = [(org.pk, org.version, values) for _n, (org, values) in changed]

    def _org_existing(self, sheet: reader.SheetRows, number: int, v: dict[str, Any], org: Org, editable: list[str],
                      changed: list[tuple[int, Any]]) -> None:
        cols = sheet.match.columns
        for key, how in (("name", "“更名”"), ("org_type", "“调整组织类型”"), ("established_on", "更正")):
            if key in v and v[key] and v[key] != getattr(org, key):
                col = cols[key]
                current = getattr(org, key)
                shown = col.codes.name_of(current) if col.codes else current
                value = col.codes.name_of(v[key]) if col.codes else v[key]
                self._issue("warning", sheet, number, col, value, ORG_FIELD_KEPT.format(column=col.header, value=value, current=shown, how=how))
        if v.get("parent"):
            try:
                parent = self.orgs.resolve(v["parent"])
            except rules.CellError:
                parent = None
            actual = self.orgs.by_path.get(org.path[: -Org.steplen])
            if parent is None or actual is None or parent.pk != actual.pk:
                col = cols["parent"]
                self._issue("warning", sheet, number, col, v["parent"], ORG_FIELD_KEPT.format(
                    column=col.header, value=v["parent"], current=actual.name if actual else "无", how="“调整隶属关系”"))
        updates = {}
        for key in editable:
            new = v.get(key)
            if new is None:
                new = "" if cols[key].kind != rules.BOOL else False
            if key == "category" and not new:
                continue
            if key == "unit_situation" and not new:
                continue
            if new != getattr(org, key):
                updates[key] = new
        if updates:
            self.out.count("orgs_changed")
            self._plan("org-change", org.code, sorted(updates.items()))
            detail = "；".join(f"{cols[k].header}：{self._show(cols[k], getattr(org, k))} → {self._show(cols[k], x)}" for k, x in updates.items())
            self._preview(sheet, number, "修改党组织", org.name, detail)
            changed.append((number, (org, updates)))
        else:
            self.out.count("orgs_unchanged")

    @staticmethod
    def _show(col: rules.Column, value: Any) -> str:
        if col.codes is not None:
            return col.codes.name_of(value) or "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value) if value not in (None, "") else "（空）"

    def _org_new(self, sheet: reader.SheetRows, number: int, v: dict[str, Any], failed: set[str],
                 new: list[dict[str, Any]]) -> None:
        cols = sheet.match.columns
        key = rules.org_key(v["code"])
        parent_value = v.get("parent", "")
        if not parent_value:
            self._issue("error", sheet, number, cols.get("parent", "上级党组织"), "", ORG_PARENT_REQUIRED)
            failed.add(key)
            return
        try:
            parent = self.orgs.resolve(parent_value)
        except rules.CellError as exc:
            self._issue("error", sheet, number, cols.get("parent", "上级党组织"), parent_value, str(exc))
            failed.add(key)
            return
        if parent.pk is None and rules.org_key(parent.code) in failed:
            failed.add(key)
            return  # the parent's row already has its error
        self._ref(parent_value, parent)
        msg = org_rules.check_child_allowed(parent.org_type, v["org_type"], dict(OrgType.choices))
        if msg is None and parent.dissolved_on is not None:
            msg = org_rules.PARENT_DISSOLVED.format(name=parent.name, date=parent.dissolved_on)
        if msg:
            self._issue("error", sheet, number, cols["org_type"], rules.ORG_TYPE.name_of(v["org_type"]), msg)
            failed.add(key)
            return
        self.out.count("orgs_new")
        fields = {k: v[k] for k in ("short_name", "stats_name", "category", "unit_situation", "secretary_name", "contact_name",
                                    "contact_phone", "can_approve_probationary", "is_functional", "is_new_business")
                  if k in v and v[k] is not None}
        self._plan("org-new", v["code"], v["name"], v["org_type"], v["established_on"], parent.code, sorted(fields.items()))
        self._preview(sheet, number, "新增党组织", v["name"], f"上级：{parent.name}")
        if self.recording:
            new.append({"code": v["code"], "name": v["name"], "org_type": v["org_type"],
                        "established_on": v["established_on"], "parent": parent.code, "fields": fields})

    # -- members
    def _members(self, sheet: reader.SheetRows) -> None:
        id_pos = sheet.match.positions["id_number"]
        hashes = []
        for _number, row in sheet.rows():
            raw = row[id_pos] if id_pos < len(row) else None
            try:
                hashes.append(self.hash(idnumbers.normalize(rules.parse_id_number(raw))))
            except rules.CellError:
                continue
        existing = _existing_members(h for h in hashes if h)
        del hashes
        seen: dict[str, int] = {}
        step: dict[str, Any] = {"kind": "members", "new": 0, "updates": [], "events": []}
        self.steps.append(step)
        event_changes: list[_EventChange] = []
        if self.recording and sheet.total >= SEAL_IN_HELPER_FROM and HELPER_PROCESS:
            # Encryption and pinyin are pure and a third of the pass: a forked helper does them for
            # each batch while this process reads on (it touches neither the database nor files).
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        try:
            for number, row in sheet.rows():
                self._tick()
                v = self._read_row(sheet, number, row)
                if v is None:
                    continue
                self._member_row(sheet, number, v, existing, seen, step, event_changes)
                if len(self._spill) >= MEMBER_BATCH:
                    self._flush_spill(step)
            self._flush_spill(step, final=True)
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        self._check_event_changes(sheet, event_changes)
        if self.recording:
            step["events"] = event_changes

    def _flush_spill(self, step: dict[str, Any], *, final: bool = False) -> None:
        """Seal the batch of new members (in the second process when there is one, while this one
        reads on) and write sealed batches to the plan, in order."""
        if self.recording and self._spill:
            batch = self._spill
            items = [b[3] for b in batch]
            future: Any = self._pool.submit(_seal, items) if self._pool is not None else None
            self._sealing.append((batch, items, future))
            step["new"] += len(batch)
        self._spill = []
        while self._sealing and (final or len(self._sealing) > 2 or self._sealing[0][2] is None
                                 or self._sealing[0][2].done()):
            batch, items, future = self._sealing.popleft()
            if not self.recording:
                continue  # the file has errors: the plan will be discarded
            try:
                sealed = future.result() if future is not None else _seal(items)
            except Exception:  # the helper process died (killed, out of memory): seal here instead
                log.warning("ledger import: sealing in the helper process failed; sealing in this one", exc_info=True)
                sealed = _seal(items)
            i_id, i_phone, i_full, i_initials = self._sealed_columns
            out = []
            for (org_key, row, events, _item), (id_enc, phone_enc, full, initials) in zip(batch, sealed, strict=True):
                row[i_id], row[i_phone], row[i_full], row[i_initials] = id_enc, phone_enc, full, initials
                out.append((org_key, row, events))
            assert self.writer is not None
            self.writer.record(out)

    def _member_row(self, sheet: reader.SheetRows, number: int, v: dict[str, Any], existing: dict[str, tuple],
                    seen: dict[str, int], step: dict[str, Any], event_changes: list) -> None:
        cols = sheet.match.columns
        errors_before = self.out.errors
        if "*" in v["id_number"]:
            self._issue("error", sheet, number, cols["id_number"], v["id_number"], ID_MASKED)
            return
        try:
            info = parse_id(v["id_number"])
        except idnumbers.IdNumberError as exc:
            self._issue("error", sheet, number, cols["id_number"], v["id_number"], str(exc))
            return
        id_hash = self.hash(info.number)
        if id_hash in seen:
            self._issue("error", sheet, number, cols["id_number"], crypto.mask_id_number(info.number), DUPLICATE_ID.format(row=seen[id_hash]))
            return
        seen[id_hash] = number
        for m in idnumbers.check_agrees(info, birth_date=v.get("birth_date"), sex=v.get("sex")):
            col = cols["birth_date"] if "出生" in m else cols["sex"]
            self._issue("error", sheet, number, col, v.get(col.key), m)
        # Organization: by code when given, else by name.
        org: OrgInfo | None = None
        ref_key = "org_code" if v.get("org_code") else "org_name"
        ref = v.get(ref_key, "")
        if not ref:
            col = cols.get("org_name") or cols["org_code"]
            self._issue("error", sheet, number, col, "", rules.REQUIRED.format(column=col.header))
        else:
            try:
                org = self.orgs.resolve(ref)
            except rules.CellError as exc:
                self._issue("error", sheet, number, cols[ref_key], ref, str(exc))
            else:
                if org.org_type not in org_rules.HOLDS_MEMBERS:
                    label = dict(OrgType.choices).get(org.org_type, org.org_type)
                    self._issue("error", sheet, number, cols[ref_key], ref, ORG_NOT_HOLDING.format(type=label))
                    org = None
                elif org.dissolved_on is not None and org.dissolved_on <= self.today:
                    self._issue("error", sheet, number, cols[ref_key], ref, ORG_DISSOLVED.format(name=org.name, date=org.dissolved_on))
                    org = None
                else:
                    self._ref(ref, org)
        correction = v.get("party_age_correction")
        if correction is not None and not -80 <= correction <= 80:
            self._issue("error", sheet, number, cols["party_age_correction"], correction, CORRECTION_RANGE)
        joined, converted = v.get("joined_on"), v.get("converted_on")
        kind = v.get("member_kind") or (mrules.FULL if converted else mrules.PROBATIONARY)
        if kind == mrules.PROBATIONARY and converted:
            self._issue("error", sheet, number, cols["converted_on"], converted, PROBATIONARY_CONVERTED)
        if joined and converted and converted < joined:
            self._issue("error", sheet, number, cols["converted_on"], converted,
                        CONVERTED_BEFORE_JOINED.format(converted=converted, joined=joined))
        for key in ("joined_on", "converted_on"):
            d = v.get(key)
            if d and v.get("birth_date") and d < v["birth_date"]:
                self._issue("error", sheet, number, cols[key], d, mrules.BEFORE_BIRTH.format(birth=v["birth_date"]))
        phone = v.get("phone", "")
        current = existing.get(id_hash)
        if self.out.errors != errors_before:
            return
        if current is None:
            self._member_new(sheet, number, v, info, id_hash, org, kind, phone)
        else:
            self._member_existing(sheet, number, v, current, org, kind, phone, step["updates"], event_changes)

    def _member_new(self, sheet: reader.SheetRows, number: int, v: dict[str, Any], info: idnumbers.IdInfo, id_hash: str,
                    org: OrgInfo | None, kind: str, phone: str) -> None:
        assert org is not None
        cols = sheet.match.columns
        joined = v["joined_on"]
        if mrules.age_on(v["birth_date"], joined) < 18:
            self._issue("warning", sheet, number, cols["joined_on"], joined, JOIN_AGE.format(date=joined))
        if kind == mrules.PROBATIONARY and mrules.add_years(joined, 1) < self.today - dt.timedelta(days=30):
            self._issue("warning", sheet, number, cols["joined_on"], joined, PROBATION_OVERDUE)
        date = max(joined, org.established_on)
        events = [mrules.Event(kind=mrules.RECORDED, date=date, org_id=org.pk or -1, status=kind, joined_on=joined,
                               converted_on=v.get("converted_on") if kind == mrules.FULL else None)]
        if v.get("is_mobile"):
            events.append(mrules.Event(kind=mrules.WENT_MOBILE, date=max(self.today, date)))
        if v.get("is_lost_contact"):
            events.append(mrules.Event(kind=mrules.LOST_CONTACT, date=max(self.today, date)))
        try:
            states = mrules.replay(events)
        except mrules.MembershipRuleError as exc:
            self._issue("error", sheet, number, cols["joined_on"], joined, str(exc))
            return
        self.out.count("members_new")
        personal = {k: v[k] for k in PERSONAL if k in v and v[k] is not None}
        self._plan("member-new", id_hash, org.code, kind, sorted(personal.items()), phone,
                   v.get("converted_on"), bool(v.get("is_mobile")), bool(v.get("is_lost_contact")))
        self._preview(sheet, number, "新增党员", v["name"], f"{org.name}，{mrules.STATUS_LABELS[kind]}")
        if not self.recording:
            return
        # The rows as the commit inserts them, keyed now and sealed (encrypted, pinyin) per batch: the commit only adds keys.
        last = states[-1]
        number_ = info.number
        row = self.member_insert.build({  # the encrypted numbers and pinyin keys are filled in by _seal
            **personal, "id_number_enc": "", "phone_enc": "", "name_pinyin": "", "name_initials": "",
            "id_number_hash": id_hash, "id_number_masked": crypto.mask_id_number(number_),
            "phone_hash": self.hash(phone), "phone_masked": crypto.mask_phone(phone),
            "status": last.status, "joined_on": last.admitted_on, "converted_on": last.converted_on,
            "probation_ends_on": last.probation_ends_on, "is_mobile": last.is_mobile, "is_lost_contact": last.is_lost_contact,
            "lost_contact_on": last.lost_contact_on, "suspended_on": last.suspended_on, "version": 1,
        })
        actor_id = self.actor.pk
        event_rows = [self.event_insert.build({
            "kind": ev.kind, "date": ev.date, "seq": seq, "from_org_id": None, "letter_number": "", "out_date": None,
            "status_in": ev.status if ev.kind == mrules.RECORDED else "", "joined_on": ev.joined_on,
            "converted_on": ev.converted_on, "months": None, "reason": "", "note": IMPORT_NOTE,
            "status_after": st.status, "mobile_after": st.is_mobile, "lost_after": st.is_lost_contact,
            "recorded_by_id": actor_id,
        }) for seq, (ev, st) in enumerate(zip(events, states, strict=True))]
        self._spill.append((rules.org_key(org.code), row, event_rows, (number_, phone, personal["name"])))

    def _member_existing(self, sheet: reader.SheetRows, number: int, v: dict[str, Any], current: tuple,
                         org: OrgInfo | None, kind: str, phone: str, updates: list, event_changes: list) -> None:
        cols = sheet.match.columns

        def cur(name: str) -> Any:
            return current[_IDX[name]]

        self.members_seen.append((cur("pk"), cur("version"), cur("org_id")))
        current_org = self.orgs.by_pk.get(cur("org_id")) if cur("org_id") else None
        if current_org is None or not current_org.in_scope:
            self._issue("error", sheet, number, cols["id_number"], cur("id_number_masked"), MEMBER_OUT_OF_SCOPE)
            return
        if cur("status") not in mrules.ON_ROSTER:
            self._issue("error", sheet, number, cols["id_number"], cur("id_number_masked"),
                        MEMBER_OFF_ROSTER.format(status=mrules.STATUS_LABELS.get(cur("status"), cur("status"))))
            return
        changes: dict[str, Any] = {}
        for key in PERSONAL:
            if key not in v or not cols[key].imported:
                continue
            new = v[key]
            if new is None:
                new = {"party_age_correction": 0, "is_migrant_worker": False}.get(key, "")
            if key in ("sex", "ethnicity", "education", "personnel_category", "birth_date") and new in ("", None):
                continue
            if new != cur(key):
                changes[key] = new
        phone_change = None
        if "phone" in v:
            if phone and self.hash(phone) != cur("phone_hash"):
                phone_change = phone
            elif not phone and cur("phone_hash"):
                self._issue("warning", sheet, number, cols["phone"], "", PHONE_KEPT)
        events: list[tuple[str, dt.date, int | None]] = []
        assert org is not None
        transfer_label = ""
        if org.code != current_org.code:
            events.append((mrules.TRANSFER, self.today, org.pk))
            transfer_label = f"{current_org.name} → {org.name}"
        joined, converted = v.get("joined_on"), v.get("converted_on")
        if cur("status") == mrules.PROBATIONARY and kind == mrules.FULL and converted:
            events.append((mrules.CONVERTED, converted, None))
        elif converted and cur("converted_on") and converted != cur("converted_on"):
            self._issue("warning", sheet, number, cols["converted_on"], converted,
                        DATE_DIFFERS.format(column="转正日期", value=converted, current=cur("converted_on")))
        if joined and cur("joined_on") and joined != cur("joined_on"):
            self._issue("warning", sheet, number, cols["joined_on"], joined,
                        DATE_DIFFERS.format(column="入党日期", value=joined, current=cur("joined_on")))
        for key, on, off in (("is_mobile", mrules.WENT_MOBILE, mrules.RETURNED),
                             ("is_lost_contact", mrules.LOST_CONTACT, mrules.CONTACT_RESTORED)):
            if key in v and bool(v[key]) != bool(cur(key)):
                events.append((on if v[key] else off, self.today, None))
        if not changes and phone_change is None and not events:
            self.out.count("members_unchanged")
            return
        pk = cur("pk")
        if changes or phone_change is not None:
            self.out.count("members_changed")
            self._plan("member-change", pk, cur("version"), sorted(changes.items()), phone_change)
            detail = "；".join(f"{PERSONAL_LABELS[k]}：{self._show(cols[k], cur(k))} → {self._show(cols[k], x)}" for k, x in changes.items())
            if phone_change is not None:
                detail += ("；" if detail else "") + f"手机号码：{cur('phone_masked') or '（空）'} → {crypto.mask_phone(phone_change)}"
            self._preview(sheet, number, "修改党员信息", v.get("name") or cur("name"), detail)
            if self.recording:
                phone_values = None
                if phone_change is not None:  # kept encrypted: the plan file holds no plain phone number
                    phone_values = (crypto.encrypt(phone_change), self.hash(phone_change), crypto.mask_phone(phone_change))
                updates.append((pk, {"current": current, "changes": changes, "phone": phone_values}))
        if events:
            if transfer_label:
                self.out.count("transfers")
                self._preview(sheet, number, "组织关系转接", v.get("name") or cur("name"), transfer_label)
            other = [e for e in events if e[0] != mrules.TRANSFER]
            if other:
                self.out.count("member_events", len(other))
                labels = "、".join(mrules.EVENT_LABELS[k] for k, _d, _o in other)
                self._preview(sheet, number, "党籍事项", v.get("name") or cur("name"), labels)
            if not changes and phone_change is None:
                self.out.count("members_changed")
            self._plan("member-events", pk, [(k, d, org.code if k == mrules.TRANSFER else None) for k, d, _o in events])
            event_changes.append(_EventChange(pk, sheet.name, number, v.get("name") or cur("name"), events,
                                              new_org_code=org.code if org.pk is None else ""))

    def _check_event_changes(self, sheet: reader.SheetRows, changes: list[_EventChange]) -> None:
        """Replay the history of every member whose membership the file changes (one query per
        chunk of members): a change the rules refuse is an error on its row."""
        self._load_histories([c.member_pk for c in changes])
        for c in changes:
            history = [e.as_rule_event() for e in self._histories.get(c.member_pk, [])]
            prior = self._histories.get(c.member_pk, [])
            from_org = prior[-1].org_after_id if prior else None
            added = [mrules.Event(kind=k, date=d, org_id=(o if o is not None else -1) if k == mrules.TRANSFER else None,
                                  from_org_id=from_org if k == mrules.TRANSFER else None) for k, d, o in c.events]
            merged = sorted([*history, *added], key=lambda e: (e.date,))
            try:
                mrules.replay(merged)
            except mrules.MembershipRuleError as exc:
                self._issue("error", sheet, c.row, "党籍", c.label, str(exc))

    def _load_histories(self, pks: list[int]) -> None:
        self._histories = {}
        for i in range(0, len(pks), LOOKUP_CHUNK):
            for ev in MembershipEvent.objects.filter(member_id__in=pks[i:i + LOOKUP_CHUNK]).order_by("date", "seq", "id"):
                self._histories.setdefault(ev.member_id, []).append(ev)

    # -- the commit: check, then write the plan
    def apply(self, summary: dict[str, Any], records: Iterator[Any]) -> None:
        """Write a recorded plan, inside the caller's transaction. PlanChanged when anything the
        validation relied on differs now (nothing written then survives: the caller rolls back)."""
        if not connection.in_atomic_block:
            raise RuntimeError("a plan is applied inside the commit's transaction")
        self._check_plan(summary)
        self.total, self.done = summary["rows"], 0
        for step in summary["steps"]:
            if step["kind"] == "orgs":
                self._apply_orgs(step)
            else:
                self._apply_members(step, records)
        self._write_audits()
        if self.progress is not None:
            self.progress(self.total, self.total)

    def _check_plan(self, summary: dict[str, Any]) -> None:
        """The validation's view of the database, re-checked in bulk: the new organizations' codes
        still free, every organization reference resolving as it did, every existing organization
        and member row at the version it was validated against, and those members still in scope.
        (New members' ID numbers are checked batch by batch as they are inserted.)"""
        for step in summary["steps"]:
            if step["kind"] != "orgs":
                continue
            for new in step["new"]:
                if rules.org_key(new["code"]) in self.orgs.by_code:
                    raise PlanChanged
                self.orgs.add_new(OrgInfo(None, new["code"], new["name"], new["org_type"], "", new["established_on"],
                                          None, None, True, rules.org_key(new["parent"])))
        for value, sig in summary["refs"].items():
            try:
                info = self.orgs.resolve(value)
            except rules.CellError:
                raise PlanChanged from None
            if _ref_sig(info) != sig:
                raise PlanChanged
        orgs_seen = summary["orgs_seen"]
        for i in range(0, len(orgs_seen), LOOKUP_CHUNK):
            chunk = dict(orgs_seen[i:i + LOOKUP_CHUNK])
            now = dict(Org.objects.filter(pk__in=list(chunk)).values_list("pk", "version"))
            if now != chunk:
                raise PlanChanged
        members_seen = summary["members_seen"]
        for i in range(0, len(members_seen), LOOKUP_CHUNK):
            chunk = {pk: (version, org) for pk, version, org in members_seen[i:i + LOOKUP_CHUNK]}
            now = {pk: (version, org) for pk, version, org in
                   Member.objects.filter(pk__in=list(chunk)).values_list("pk", "version", "org_id")}
            if now != chunk:
                raise PlanChanged
            for _version, org in chunk.values():
                holder = self.orgs.by_pk.get(org) if org else None
                if holder is None or not holder.in_scope:
                    raise PlanChanged

    def _apply_orgs(self, step: dict[str, Any]) -> None:
        from dangjian.common.errors import ConflictError
        from dangjian.orgs.services import orgs_bulk_create

        new = step["new"]
        if new:
            codes = {n["code"] for n in new}
            outside = sorted({n["parent"] for n in new} - codes)
            parents: dict[str, Org] = {}
            for i in range(0, len(outside), LOOKUP_CHUNK):
                parents.update({o.code: o for o in Org.objects.filter(code__in=outside[i:i + LOOKUP_CHUNK])})
            rows = [{"name": n["name"], "code": n["code"], "org_type": n["org_type"], "established_on": n["established_on"],
                     "parent": parents[n["parent"]] if n["parent"] in parents else n["parent"], **n["fields"]} for n in new]
            created = orgs_bulk_create(actor=self.actor, rows=rows, doc_number=IMPORT_NOTE, today=self.today)
            for code, org in created.items():
                key = rules.org_key(code)
                self.created_orgs[key] = org
                info = self.orgs.by_code[key]
                info.pk, info.path, info.county_id = org.pk, org.path, org.county_id
                self.orgs.by_pk[org.pk] = info
            self._advance(len(new))
        for pk, version, values in step["updates"]:
            try:
                org_update(actor=self.actor, org=Org.objects.get(pk=pk), version=version, **values)
            except ConflictError:
                raise PlanChanged from None

    def _advance(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def _apply_members(self, step: dict[str, Any], records: Iterator[Any]) -> None:
        left = step["new"]
        pending: list[tuple[str, list[Any], list[list[Any]]]] = []
        while left > 0:
            batch = next(records)
            left -= len(batch)
            for item in batch:
                pending.append(item)
                if len(pending) >= MEMBER_BATCH:
                    self._insert_members(pending)
                    pending = []
        self._insert_members(pending)
        self._update_members(step["updates"])
        events = step["events"]
        if events:
            self._load_histories([c.member_pk for c in events])
            self._write_event_changes(events)

    def _insert_members(self, batch: list[tuple[str, list[Any], list[list[Any]]]]) -> None:
        """New members and their events, as prepared by the validation: keys, organizations and
        timestamps filled in, then two executemany."""
        if not batch:
            return
        m, e = self.member_insert, self.event_insert
        i_hash = m.index["id_number_hash"]
        hashes = [row[i_hash] for _o, row, _e in batch]
        for i in range(0, len(hashes), LOOKUP_CHUNK):
            if Member.objects.filter(id_number_hash__in=hashes[i:i + LOOKUP_CHUNK]).exists():
                raise PlanChanged  # someone recorded one of these members after the validation
        now = timezone.now()
        m_now, e_now = m.adapt("created_at", now), e.adapt("recorded_at", now)
        i_id, i_org, i_county, i_created, i_updated = (m.index[f] for f in MEMBER_LATE)
        j_id, j_member, j_to, j_after, j_at = (e.index[f] for f in EVENT_LATE)
        j_kind = e.index["kind"]
        member_ids = _reserve_ids(Member, len(batch))
        event_ids = iter(_reserve_ids(MembershipEvent, sum(len(evs) for _o, _r, evs in batch)))
        members, events = [], []
        for pk, (org_key, row, evs) in zip(member_ids, batch, strict=True):
            info = self.orgs.by_code[org_key]
            row[i_id], row[i_org], row[i_county], row[i_created], row[i_updated] = pk, info.pk, info.county_id, m_now, m_now
            members.append(row)
            for ev in evs:
                ev[j_id], ev[j_member], ev[j_after], ev[j_at] = next(event_ids), pk, info.pk, e_now
                ev[j_to] = info.pk if ev[j_kind] == mrules.RECORDED else None
                events.append(ev)
        m.insert(members)
        e.insert(events)
        self._advance(len(batch))

    def _update_members(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        if not updates:
            return
        now = timezone.now()
        objs = []
        for pk, u in updates:
            current = u["current"]
            m = Member(pk=pk, **{f: current[_IDX[f]] for f in PERSONAL})
            for k, x in u["changes"].items():
                setattr(m, k, x)
            m.name_pinyin, m.name_initials = _name_keys(m.name)
            m.version = current[_IDX["version"]] + 1
            m.updated_at = now
            phone = u["phone"]  # (encrypted, keyed hash, masked), prepared by the validation
            if phone is not None:
                m.phone_enc, m.phone_hash, m.phone_masked = phone
            else:
                m.phone_hash, m.phone_masked = current[_IDX["phone_hash"]], current[_IDX["phone_masked"]]
            objs.append((m, phone is not None))
            changes = {k: [current[_IDX[k]], x] for k, x in u["changes"].items()}
            if phone is not None:
                changes["phone"] = [current[_IDX["phone_masked"]], m.phone_masked]
            self._audit("member.update", pk, m.name, current[_IDX["org_id"]], changes)
        fields = [*PERSONAL, "name_pinyin", "name_initials", "version", "updated_at"]
        with_phone = [m for m, p in objs if p]
        Member.objects.bulk_update([m for m, _p in objs], fields, batch_size=500)
        if with_phone:
            Member.objects.bulk_update(with_phone, ["phone_enc", "phone_hash", "phone_masked"], batch_size=500)

    def _write_event_changes(self, changes: list[_EventChange]) -> None:
        if not changes:
            return
        from dangjian.members.services import CACHE_FIELDS, SNAPSHOT_FIELDS, _apply

        members = Member.objects.in_bulk([c.member_pk for c in changes])
        for c in changes:
            member = members[c.member_pk]
            history = list(self._histories.get(c.member_pk, []))
            seq_by_date: dict[dt.date, int] = {}
            for e in history:
                seq_by_date[e.date] = max(seq_by_date.get(e.date, -1), e.seq)
            new_events: list[MembershipEvent] = []
            for kind, date, org_pk in c.events:
                to_pk = org_pk
                if kind == mrules.TRANSFER and to_pk is None:
                    to_pk = self.created_orgs[rules.org_key(c.new_org_code)].pk
                seq = seq_by_date.get(date, -1) + 1
                seq_by_date[date] = seq
                prior = [e for e in history + new_events if e.date <= date]
                from_org_id = prior[-1].org_after_id if prior and kind == mrules.TRANSFER else None
                ev = MembershipEvent(member=member, kind=kind, date=date, seq=seq, from_org_id=from_org_id,
                                     to_org_id=to_pk if kind == mrules.TRANSFER else None,
                                     out_date=date if kind == mrules.TRANSFER else None, note=IMPORT_NOTE,
                                     recorded_by=self.actor)
                new_events.append(ev)
                # the snapshot of this event is needed by the next one's from_org
                ev.org_after_id = to_pk if kind == mrules.TRANSFER else (prior[-1].org_after_id if prior else None)
            ordered = sorted([*history, *new_events], key=lambda e: (e.date, e.seq, e.pk or 10**18))
            _apply(member, ordered)
            MembershipEvent.objects.bulk_create(new_events)
            MembershipEvent.objects.bulk_update(history, SNAPSHOT_FIELDS)
            member.version += 1
            if member.org_id is not None:
                member.county_id = self.orgs.by_pk[member.org_id].county_id
            member.save(update_fields=CACHE_FIELDS)
            for ev in new_events:
                diff: dict[str, Any] = {"event": [None, mrules.EVENT_LABELS[ev.kind]], "date": [None, str(ev.date)]}
                if ev.kind == mrules.TRANSFER:
                    diff["org"] = [self.orgs.by_pk[ev.from_org_id].name if ev.from_org_id else "",
                                      self.orgs.by_pk[ev.to_org_id].name if ev.to_org_id else ""]
                self._audit(f"member.event.{ev.kind}", member.pk, member.name, member.org_id, diff)

    def _audit(self, action: str, member_pk: int, label: str, org_id: int | None, changes: dict[str, Any]) -> None:
        info = self.orgs.by_pk.get(org_id) if org_id else None
        self.audits.append(AuditEvent(
            actor=self.actor, actor_name=self.actor.display_name or self.actor.username, ip=current_ip.get(),
            org_id=info.pk if info else None, org_path=info.path if info else "", action=action,
            target_type="members.member", target_id=str(member_pk), target_label=label[:200],
            changes={k: [str(x) if isinstance(x, dt.date) else x for x in v] for k, v in changes.items()},
            reason=IMPORT_NOTE,
        ))

    def _write_audits(self) -> None:
        AuditEvent.objects.bulk_create(self.audits, batch_size=500)


def run_import(path: Path, original_name: str, *, actor: User, today: dt.date | None = None, write: bool = False,
               progress: Progress | None = None, plan: Path | None = None) -> Outcome:
    """Validate one ledger file (``write=False``; with ``plan``, also record there what the commit is
    to write), or validate and write it (``write=True``, inside the caller's transaction: the plan
    goes to a scratch file and is applied at once). Raises reader.FileRejected for a file that
    cannot be read."""
    sheets = reader.open_ledger(path, original_name)
    today = today or timezone.localdate()
    if not write:
        return Importer(actor=actor, today=today, progress=progress).run(sheets, plan)
    with tempfile.TemporaryDirectory(prefix="dangjian-plan-") as tmp:
        scratch = Path(tmp) / "plan"
        outcome = Importer(actor=actor, today=today, progress=progress).run(sheets, scratch)
        if outcome.errors == 0:
            commit_plan(scratch, actor=actor, today=today, digest=outcome.digest, progress=progress)
    return outcome


def commit_plan(path: Path, *, actor: User, today: dt.date | None = None, digest: str,
                progress: Progress | None = None) -> Outcome:
    """Write the plan a validation recorded at ``path`` (inside the caller's transaction). Raises
    PlanUnusable when the plan is not this validation's (``digest``), not today's, not this user's
    or this database's, or is damaged; PlanChanged when what it relied on changed since."""
    today = today or timezone.localdate()
    plan = PlanReader(path)
    try:
        s = plan.summary
        if (not isinstance(s, dict) or s.get("format") != PLAN_FORMAT or s.get("digest") != digest
                or s.get("today") != today or s.get("vendor") != connection.vendor or s.get("actor") != actor.pk):
            raise PlanUnusable
        Importer(actor=actor, today=today, progress=progress).apply(s, plan.records())
    finally:
        plan.close()
    return Outcome(warnings=s["warnings"], counts=s["counts"], digest=s["digest"], sheets=s["sheets"])

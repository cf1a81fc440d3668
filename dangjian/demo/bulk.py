"""Fast inserts for the two big tables (members and their events).

``QuerySet.bulk_create`` spends most of its time compiling SQL with one placeholder per value (SQLite
allows 999 per statement, so 20,000 members make ~800 statements). Here one prepared ``INSERT`` runs
through ``executemany`` with values adapted once per column type; primary keys are assigned by the
loader (the tables are empty or nearly so, and the whole load is one transaction), and PostgreSQL's
sequences are reset afterwards, as ``loaddata`` does. On PostgreSQL the rows go in by ``COPY ... FROM
STDIN`` (psycopg 3's ``cursor.copy``) instead, for the city and province scales. Every concrete field
of the model is written: a field missing from a row takes the model's default, and a field with no
default fails loudly, so a field added to the model later cannot be silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

_MISSING = object()


class FastInsert:
    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        ops = connection.ops
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.adapters: list[Callable[[Any], Any] | None] = []
        self.defaults: list[Any] = []
        now = timezone.now()
        for f in self.fields:
            if isinstance(f, models.DateTimeField):
                self.adapters.append(ops.adapt_datetimefield_value)
            elif isinstance(f, models.DateField):
                self.adapters.append(ops.adapt_datefield_value)
            else:
                self.adapters.append(None)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults.append(now)
            elif f.has_default():
                self.defaults.append(f.get_default())
            elif f.null:
                self.defaults.append(None)
            else:
                self.defaults.append(_MISSING)
        qn = ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        # Only quoted identifiers from the model's own metadata go into the text; values are parameters.
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"

    def next_id(self) -> int:
        last = self.model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        return int(last or 0) + 1

    def insert(self, rows: Iterable[dict[str, Any]]) -> int:
        values = []
        plan = list(zip(self.names, self.adapters, self.defaults, strict=True))
        for row in rows:
            out = []
            for name, adapt, default in plan:
                v = row.get(name, default)
                if v is _MISSING:
                    raise ValueError(f"{self.model.__name__}.{name} has no value and no default")
                out.append(adapt(v) if adapt is not None and v is not None else v)
            values.append(out)
        if values and connection.vendor == "postgresql":
            # COPY: one stream per batch, several times faster than executemany (psycopg 3 adapts the
            # Python values itself, in text format).
            with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
                for row_values in values:
                    copy.write_row(row_values)
        elif values:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, values)
        return len(values)

    def reset_sequence(self) -> None:
        """After explicit primary keys: PostgreSQL's sequence must continue after them (SQLite's does)."""
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

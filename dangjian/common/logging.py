"""Keeps full ID numbers out of the server's logs.

An exact ID-number search is a GET (``/members/?q=<18 digits>``, ``/api/members?q=``), and the
development server's ``django.server`` logger prints every request line, as ``django.request`` prints
the path of every 4xx/5xx. Those logs are kept, copied and read far more widely than the database, so
an 18-character ID-number-like sequence (17 digits and a digit or X) is masked as the lists mask it:
the first 6 and last 4 characters.
"""

from __future__ import annotations

import logging
import re
from typing import Any

ID_NUMBER_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    return ID_NUMBER_LIKE.sub(r"\1********\2", text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, int | float) or value is None:
        return value
    shown = str(value)
    masked = mask_id_numbers(shown)
    return masked if masked != shown else value


class MaskIdNumbersFilter(logging.Filter):
    """Masks ID numbers in a record's message and arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_id_numbers(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True

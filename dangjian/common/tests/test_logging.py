"""Full ID numbers never reach the server's logs (an ID search is a GET: the request line has it)."""

from __future__ import annotations

import logging

import pytest

from dangjian.common.logging import MaskIdNumbersFilter, mask_id_numbers

FULL = "11010119850615011X"
MASKED = "110101********011X"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_mask_id_numbers():
    assert mask_id_numbers(f"GET /members/?q={FULL} HTTP/1.1") == f"GET /members/?q={MASKED} HTTP/1.1"
    assert mask_id_numbers("q=110101198506150115&page=2") == "q=110101********0115&page=2"
    assert mask_id_numbers("id 12345 and 2024-01-01") == "id 12345 and 2024-01-01"
    assert mask_id_numbers("a 19-digit 1101011985061501151 stays") == "a 19-digit 1101011985061501151 stays"


@pytest.mark.parametrize("name", ["django.server", "django.request"])
def test_loggers_named_in_settings_mask_the_request_line(name):
    logger = logging.getLogger(name)
    assert any(isinstance(f, MaskIdNumbersFilter) for f in logger.filters), "attached in settings.LOGGING"
    capture = Capture()
    logger.addHandler(capture)
    try:
        # As runserver's WSGIRequestHandler.log_message and django.utils.log.log_response call it.
        logger.warning('"%s" %s %s', f"GET /api/members?q={FULL} HTTP/1.1", 404, 12, extra={"status_code": 404})
        logger.warning(f"Not Found: /members/?q={FULL}")
    finally:
        logger.removeHandler(capture)
    assert capture.lines == [f'"GET /api/members?q={MASKED} HTTP/1.1" 404 12', f"Not Found: /members/?q={MASKED}"]


@pytest.mark.django_db
def test_a_not_found_with_an_id_number_is_logged_masked(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/no-such-page/{FULL}/")
    assert caplog.records, "django.request logged the 404"
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert MASKED in text and FULL not in text

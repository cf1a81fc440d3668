"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (Debian's package `chromium`, which
./test installs when it runs as root). Without it these tests skip and say how to enable them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The live server runs in a thread beside the test; Playwright's sync API keeps an event loop on the
# test's thread, which makes Django's async-safety check refuse ORM calls made by the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"未找到 {CHROMIUM}：浏览器测试已跳过。安装 Debian 的 chromium 和 fonts-noto-cjk 后即可运行"
                    " (apt-get install chromium fonts-noto-cjk; ./test does it when run as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def audit_flushable(transactional_db: None) -> Iterator[None]:
    """Let Django empty the audit table after a browser test. On SQLite the append-only triggers are
    guarded by dangjian_audit_lock (see common/migrations/0002): this fixture is torn down before
    transactional_db's flush, so it lifts the guard just for that flush, and restores it on set-up."""
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as c:
            c.execute("UPDATE dangjian_audit_lock SET value = 1")
    yield
    if sqlite:
        with connection.cursor() as c:
            c.execute("UPDATE dangjian_audit_lock SET value = 0")


@pytest.fixture
def page(browser, live_server, audit_flushable, request) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server.url  # type: ignore[attr-defined]
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)

"""Browser tests: Debian's Chromium (/usr/bin/chromium), driven by Playwright, against pytest-django's
`live_server` (a real HTTP server in a thread of the test process, on a transactional test database).

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_something(live_server, new_page):
        page = new_page(width=390, height=844)          # a fresh context: own cookies, phone-sized
        page.goto(live_server.url + "/portal/")

- `chromium` (session): the browser. Skipped when /usr/bin/chromium is missing; with REQUIRE_SERVICES=1
  (CI) that is a failure instead. Playwright never downloads a browser here.
- `new_page(width=1280, height=800, locale="zh-CN", **context_options)`: a page in a new browser context;
  every context is closed after the test, once its pages' requests have ended.
- `billing_case`: a phone complaint in handling at org.agent_a's store (王女士 charged 58 元 twice).
- `sign_in(page, username, password)`: signs in through the login page, as a person does, and waits for
  the queue.
- `screenshot(page, name)`: saves a PNG into $BROWSER_SCREENSHOTS_DIR when that is set (for looking at
  the pages), else does nothing.

Mark the tests `django_db(transaction=True)`: the root conftest then restores what data migrations
loaded (notification templates, ladders …) before each of them, as the live server needs committed data.
Settings changed with pytest-django's `settings` fixture apply to the live server too (same process).
"""

import os
from pathlib import Path

import pytest

from complaintdesk.complaints.services import (
    complaint_create,
    complaint_transition,
)
from complaintdesk.testing import intake_data
from conftest import _service_missing

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls
# made from the test while it is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        _service_missing(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _service_missing("needs Playwright for Python (pip install playwright)")
    # The test database's serialized content (what data migrations loaded, restored before each
    # transactional test) hangs on the connection object; once Playwright's event loop runs, Django
    # hands this thread a new connection object without it, and later tests would start empty.
    from django.db import connections

    serialized = {
        c.alias: c._test_serialized_contents
        for c in connections.all()
        if hasattr(c, "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as error:
        playwright.stop()
        _service_missing(f"Chromium at {CHROMIUM} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(chromium, live_server):
    contexts = []

    def make(*, width: int = 1280, height: int = 800, locale: str = "zh-CN", **options):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale=locale, base_url=live_server.url, **options
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Let the requests a page still has under way (HTMX panels loading after the last step) end before the
    # context goes: the live server would otherwise still be reading in a transaction when the test's
    # database is emptied (TRUNCATE), and the two deadlock (seen on PostgreSQL under load).
    for context in contexts:
        for page in context.pages:
            try:
                page.wait_for_load_state("networkidle", timeout=5_000)
            except PlaywrightTimeout:  # a page that keeps polling: closed all the same
                pass
        context.close()


# The staff password, screen and result text the billing-case journeys share.
PASSWORD = "s3cret-pass-123"
DESKTOP = {"width": 1366, "height": 768}
CAUSE = "10 月账单出账时计费系统重复计费，多扣了 58 元"
MEASURES = "计费部已核实并冲正重复扣费，我们已为您办理 58 元退款"
OUTCOME = "58 元已原路退回您的账户，11 月账单恢复正常"


@pytest.fixture
def billing_case(org):
    complaint = complaint_create(
        data=intake_data(
            title="话费重复扣费", description="10 月账单重复扣了 58 元，客户要求退还。", demand="退还多扣费用"
        ),
        actor=org.agent_a,
    )
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
    return complaint


@pytest.fixture
def sign_in():
    def go(page, username: str, password: str) -> None:
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")

    return go


@pytest.fixture
def screenshot():
    directory = os.environ.get("BROWSER_SCREENSHOTS_DIR", "")

    def take(page, name: str) -> None:
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)

    return take

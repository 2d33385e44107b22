"""Browser fixtures: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: the tests use the system's Chromium (Debian packages `chromium` and
`fonts-wqy-microhei` for CJK text) and skip, saying what to install, when it is missing.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop in the main thread, so Django's async-safety
# check would refuse the test's own database access (fixtures, assertions). The tests are plain
# synchronous code; the check is a false alarm here. Set at import, for the whole session: the
# session-wide browser keeps its loop until the very end, after the other apps' tests have run.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM_MISSING = (
    "Chromium not found: install Debian's packages chromium and fonts-wqy-microhei "
    "(apt-get install chromium fonts-wqy-microhei)"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def pytest_collection_modifyitems(config, items):
    """Without Chromium, skip these tests before their database and live server are set up."""
    if chromium_path() is not None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=CHROMIUM_MISSING))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium per test process (each xdist worker has its own)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(CHROMIUM_MISSING)
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def problems() -> list[str]:
    """What went wrong in the browser while a test ran: HTTP errors (4xx, 5xx) and JavaScript errors."""
    return []


def _is_problem(message) -> bool:
    # Failed loads are reported by the "response" handler, which knows the URL (and forgives favicon.ico).
    return message.type in ("error", "warning") and not message.text.startswith("Failed to load resource")


@pytest.fixture
def make_page(browser, live_server, problems) -> Iterator[Callable]:
    """Open a fresh browser context (own cookies) on the live server; Chinese (zh-CN) browser by default."""
    contexts = []

    def make(viewport: dict | None = None, *, phone: bool = False, locale: str = "zh-CN"):
        options = {"base_url": live_server.url, "locale": locale, "viewport": viewport or DESKTOP}
        if phone:
            options.update(viewport=viewport or PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "response",
            lambda r: (
                problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
        page.on(
            "console", lambda m: problems.append(f"console {m.type}: {m.text}") if _is_problem(m) else None
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    """A desktop-sized page."""
    return make_page()


@pytest.fixture
def shot(request) -> Callable:
    """shot(page, "step") saves a full-page screenshot to test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page, step: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

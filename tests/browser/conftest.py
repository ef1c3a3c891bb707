"""The browser harness: the real app under uvicorn on a free port, driven by Chromium.

Chromium is Debian's package (`apt-get install chromium`; `.ci/run` installs it) or the binary
named by LAPOR_CHROMIUM; Playwright drives it through `executable_path` and never downloads a
browser of its own. Without one, every browser test is skipped with one reason, which `make test`
prints in its summary (`-rs`).

Fixtures:
- `live_server`: the base URL of the app on this test's database (tables emptied after the test,
  like every database test); journeys set their data up through the API (`world`, httpx).
- `browser_page`: a fresh page (own cookies) in Indonesian, on a phone-sized screen.
tests/browser/support.py has `assert_accessible(page)` (axe-core) and `screenshot(page, name)`.
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.config import Settings
from tests.browser.support import PHONE, chromium_path
from tests.complaints.support import live_server as serve

NO_CHROMIUM = "browser tests skipped: no Chromium (apt-get install chromium, or set LAPOR_CHROMIUM)"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip(NO_CHROMIUM)
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=path, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture
async def live_server(settings: Settings, engine: AsyncEngine) -> AsyncIterator[str]:
    """The app under uvicorn on 127.0.0.1 (a free port), on this run's test database."""
    async with serve(settings) as base_url:
        yield base_url


@pytest.fixture
async def browser_page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """A new page with its own cookies, base URL set (page.goto("/lacak") works)."""
    context = await browser.new_context(base_url=live_server, locale="id-ID", viewport=PHONE)
    page = await context.new_page()
    yield page
    await context.close()

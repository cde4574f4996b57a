"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Set OBRAIL_REQUIRE_BROWSER=1 (CI) to turn a missing Chromium or axe-core into a failure
instead of a skip. OBRAIL_SCREENSHOT_DIR=<dir> saves a full-page PNG of every checked state.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.e2e.axe import AXE_SCRIPT, LEDGER, check_accessibility
from tests.e2e.sample import SampleNetwork, build_sample_network

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("OBRAIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IS_BROWSER_REQUIRED = os.environ.get("OBRAIL_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str) -> None:
    if IS_BROWSER_REQUIRED:
        pytest.fail(f"OBRAIL_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the session (never downloaded: Debian's package)."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing at {CHROMIUM} (apt-get install -y chromium)")
    if not AXE_SCRIPT.exists():
        _unavailable(f"axe-core is missing at {AXE_SCRIPT} (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db) -> Iterator[tuple[str, SampleNetwork]]:
    """The live server's URL and the sample network it serves."""
    cache.clear()
    network = build_sample_network(extra_day_trajets=30)
    yield live_server.url, network
    cache.clear()


class BrowserErrors(list):
    """Console errors and uncaught exceptions (CSP violations show up here)."""


# Chromium logs every non-2xx response as a console error; 422 is the expected answer to
# invalid filters (page and fragment), so only that one is tolerated.
EXPECTED_ERROR = re.compile(r"status of 422 \(Unprocessable")


def _record(errors: BrowserErrors, text: str) -> None:
    if not EXPECTED_ERROR.search(text):
        errors.append(text)


def _open_context(chromium: object, **options: object) -> tuple[object, object, BrowserErrors]:
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, **options
    )
    page = context.new_page()
    errors = BrowserErrors()
    page.on("console", lambda message: message.type == "error" and _record(errors, message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:
    """A fresh page with JavaScript; fails the test on any console error."""
    context, page, errors = _open_context(chromium)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def no_js_page(chromium) -> Iterator[object]:
    """A fresh page with JavaScript disabled."""
    context, page, errors = _open_context(chromium, java_script_enabled=False)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def audit(request):
    """Run axe on the page's current state, and save a screenshot when asked to."""
    directory = os.environ.get("OBRAIL_SCREENSHOT_DIR")

    def run(page: object, state: str) -> None:
        check_accessibility(page, state)
        if directory:
            name = re.sub(r"[^a-z0-9]+", "-", state.lower()).strip("-")
            # caret="initial": hiding the caret injects a <style>, which the CSP rightly blocks.
            page.screenshot(
                path=str(Path(directory) / f"{name}.png"), full_page=True, caret="initial"
            )

    return run


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """List the page states axe checked, and the RGAA criteria of any violation found."""
    if not LEDGER.states:
        return
    terminalreporter.section("axe-core (WCAG 2.1 A/AA, reported by RGAA criterion)")
    terminalreporter.write_line(f"{len(LEDGER.states)} page states checked:")
    for state in LEDGER.states:
        terminalreporter.write_line(f"  {state}")
    for criterion in sorted(LEDGER.by_criterion):
        terminalreporter.write_line(
            f"RGAA {criterion}: " + "; ".join(sorted(LEDGER.by_criterion[criterion]))
        )

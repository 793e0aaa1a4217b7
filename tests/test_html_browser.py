"""The HTML report in a real browser: a click on a mark shows its details (``make test-browser``).

Runs only with ``SPINDETECT_BROWSER_TESTS=1`` (``make test-browser`` sets it), Playwright
for Python installed and a system Chromium (``$SPINDETECT_CHROMIUM``, else ``chromium``
on the PATH); Playwright's own browser download is never used.  Skipped otherwise, so
``make test`` never needs a browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from detector.document import make_document
from detector.render import render_html

from .conftest import EXAMPLES

if os.environ.get("SPINDETECT_BROWSER_TESTS") != "1":
    pytest.skip("browser tests run with `make test-browser`", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


def _chromium() -> str:
    for name in (os.environ.get("SPINDETECT_CHROMIUM"), "chromium", "chromium-browser"):
        found = name and shutil.which(name)
        if found:
            return found
    pytest.skip("no system chromium (apt-get install chromium, or set SPINDETECT_CHROMIUM)")


@pytest.fixture(scope="module")
def report_page(scorer, tmp_path_factory) -> Path:
    original = (EXAMPLES / "original.txt").read_text(encoding="utf-8")
    suspect = (EXAMPLES / "syndicated.txt").read_text(encoding="utf-8")
    report = scorer.score(make_document(suspect, "syndicated.txt"), make_document(original))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [1400, 420])
def test_a_click_on_a_mark_shows_its_details(browser, report_page, width):
    page = browser.new_page(viewport={"width": width, "height": 900}, has_touch=width < 800)
    page.goto(report_page.as_uri())
    swap, card = page.locator("#s6"), page.locator("#t-s6")  # fall, for autumn
    assert not card.is_visible()
    if width < 800:
        swap.tap()
    else:
        swap.click()
    assert card.is_visible()
    assert "synonym swap" in card.inner_text() and "original: autumn" in card.inner_text()
    page.locator("h1").click()  # a click elsewhere hides it again
    assert not card.is_visible()
    page.close()


def test_the_span_list_jumps_to_a_mark_and_shows_it(browser, report_page):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(report_page.as_uri())
    page.locator('#spans a[href="#s6"]').click()
    assert page.evaluate("location.hash") == "#s6"
    assert page.locator("#t-s6").is_visible()
    assert page.locator("#s6").is_visible()  # scrolled into view
    page.close()


def test_narrow_screens_stack_the_columns(browser, report_page):
    page = browser.new_page(viewport={"width": 420, "height": 900})
    page.goto(report_page.as_uri())
    suspect, original = page.locator(".row:not(.head)").nth(1).locator(".cell").all()
    s, o = suspect.bounding_box(), original.bounding_box()
    assert o["y"] >= s["y"] + s["height"] - 1  # the original under the suspect
    assert s["width"] > 360  # full width, not a narrow column
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.close()

"""The query page of ``kg serve`` in a real browser: headless Chromium (Debian's ``chromium``)
driven by Playwright. Every request not to the server is aborted and counted (the page must work
offline: no CDN). A missing browser is a failure, not a skip.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from kg.server import make_server

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def endpoint(sample_graph_path):
    server = make_server(sample_graph_path, port=0, workers=1, timeout=10.0, max_rows=1000)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()
    server.pool.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"headless Chromium not found at {CHROMIUM}: install Debian's chromium package or set KG_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_page_runs_a_preset_offline(browser, endpoint):
    outside, errors = [], []
    page = browser.new_page()

    def route(r):
        if r.request.url.startswith(endpoint + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(endpoint + "/")
    page.wait_for_selector("#preset option[value='partners-of']", state="attached")
    page.select_option("#preset", "partners-of")
    org = page.locator("input[data-param='org']")
    org.fill("小红书")
    assert "partnerOf" in page.locator("#query").input_value()
    page.click("#run")
    page.wait_for_selector("#results table")
    first = page.locator("#results td:first-child", has_text=re.compile(r"^Tmall$"))
    assert first.count() == 1 and first.is_visible()
    row = page.locator("#results tr", has=page.locator("td:first-child", has_text=re.compile(r"^Tmall$")))
    link = row.locator("a", has_text="ent:org/tmall")
    assert link.count() == 1
    assert "rows" in page.locator("#status").inner_text()
    # the link opens the facts-about view of that entity
    link.click()
    page.wait_for_function("document.querySelector('#preset').value === 'facts-about'")
    page.wait_for_selector("#results table")
    assert page.locator("input[data-param='org']").input_value().endswith("/org/tmall")
    assert outside == [], outside
    assert errors == [], errors
    page.close()

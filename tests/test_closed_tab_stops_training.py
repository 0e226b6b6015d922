"""
A training run started in a browser tab stops within 10 s of that tab closing.

The real app (`streamlit run` on 127.0.0.1) in Debian's Chromium: the Scalar-mix lab starts a
fine-tuning run far too long to finish, the browser context is closed while it trains, and the
server's log must show, within 10 s, that the run's thread has ended.
"""
from __future__ import annotations

import re
import time

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT_MS, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser

STOPPED = re.compile(r"stopped the training run (\S+) ([\d.]+) s after its browser session closed")
DEADLINE_S = 10.0  # the most a run whose tab closed may go on training


@pytest.fixture
def server(tmp_path):
    log = tmp_path / "server.log"
    with streamlit_server(log) as url:
        yield url, log


def start_long_finetune(tab, app_url: str) -> None:
    tab.goto(f"{app_url}/Scalar_mix_lab")
    tab.wait_for_selector('h1:has-text("Scalar-mix lab")')
    wait_until_idle(tab)
    tab.locator('[data-testid="stRadio"] label', has_text="finetune").first.click()
    for label, value in (("Training examples", "8000"), ("Epochs", "50")):
        field = tab.locator('[data-testid="stNumberInput"]', has_text=label).locator("input")
        field.fill(value)
        field.press("Tab")
    tab.get_by_role("button", name="Train", exact=True).click()
    # optimiser steps of epoch 1 (8,000 examples: hundreds of steps, minutes of training)
    tab.get_by_text(re.compile(r"epoch 1 of 50 · step \d+")).wait_for()


def test_closing_the_tab_stops_its_training_run_within_10_s(server):
    from playwright.sync_api import sync_playwright

    app_url, log = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            tab = context.new_page()
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            start_long_finetune(tab, app_url)
            tab.wait_for_timeout(5000)  # longer than the watcher's grace: an open tab keeps its run
            assert tab.get_by_text(re.compile(r"epoch 1 of 50 · step \d+")).is_visible()
            assert not STOPPED.search(log.read_text()), "the run was stopped while its tab was open"
            context.close()
            closed = time.monotonic()
            found = None
            while found is None and time.monotonic() - closed < DEADLINE_S:
                found = STOPPED.search(log.read_text())
                time.sleep(0.2)
        finally:
            browser.close()
    assert found is not None, f"the run did not stop within {DEADLINE_S:.0f} s:\n{log.read_text()[-3000:]}"
    assert found.group(1) == "sentiment/finetune/scalar"

"""
Links that reopen a view, in a real browser (`elmo-explorer app` and Debian's Chromium, as in
test_browser.py): a "Copy link to this view" link opened in a new browser context reproduces
the typed sentences, the word, the presentation mode and the charts; a download button gives
its file on a second click right after the first.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from test_browser import (CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT_MS, SCREENSHOTS, app_url, check_and_shoot,  # noqa: F401
                          wait_until_idle)

from elmo_explorer_ui.share import unpack_text

pytestmark = pytest.mark.browser
TYPED = "I saw a saw . It cut the wood ."


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_tab(browser, width: int = 1280, height: int = 800):
    """A tab in a new browser context: no cookies, no session, like another computer."""
    tab = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True).new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    return tab


def shared_link(tab) -> str:
    tab.get_by_role("button", name="Copy link to this view").click()
    code = tab.locator('[data-testid="stPopoverBody"] code').first
    code.wait_for()
    link = code.inner_text().strip()
    tab.keyboard.press("Escape")
    return link


def test_a_copied_link_reopens_the_view_in_another_browser(browser, app_url):  # noqa: F811
    tab = new_tab(browser)
    tab.goto(app_url)
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    wait_until_idle(tab)
    area = tab.locator('[data-testid="stTextArea"] textarea')
    area.fill(TYPED)
    area.press("Control+Enter")
    tab.wait_for_selector("text=Tokens (10 in 2 sentences)")  # one line, two sentences
    wait_until_idle(tab)
    tab.locator('[data-testid="stSidebar"] label', has_text="Presentation mode").click()
    wait_until_idle(tab)
    link = shared_link(tab)
    params = dict(parse_qsl(urlsplit(link).query))
    assert link.startswith(app_url) and params["present"] == "1" and params["word"] == "saw"
    assert unpack_text(params["text"]) == TYPED

    other = new_tab(browser, height=2400)
    other.goto(link)
    other.wait_for_selector("text=Tokens (10 in 2 sentences)")
    other.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4")
    wait_until_idle(other)
    assert other.locator('[data-testid="stTextArea"] textarea').input_value() == TYPED
    assert other.locator('[data-testid="stSidebar"] input[type="checkbox"]').first.is_checked()
    occurrence = other.locator('[data-testid="stSelectbox"] input[aria-label="Occurrence"]').input_value()
    assert occurrence.startswith("saw (sentence 1")
    sizes = other.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].slice(0, 3)"
                           ".map(p => p.getBoundingClientRect().width)")
    assert min(sizes) > 600  # presentation mode: one heatmap per row, not three small ones
    assert other.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"  # larger text
    check_and_shoot(other, "link_presentation_mode")
    other.context.close()
    tab.context.close()


def test_a_download_works_on_a_second_click(browser, app_url):  # noqa: F811
    tab = new_tab(browser)
    tab.goto(f"{app_url}/UMAP_explorer?word=bank")
    tab.wait_for_selector("text=20 points · PCA · mini (bundled)")
    wait_until_idle(tab)
    button = tab.get_by_role("button", name="Download CSV (coordinates + vectors)")
    downloads = []
    tab.on("download", lambda download: downloads.append(download))
    button.click()
    tab.wait_for_timeout(300)  # a second click soon after the first (it used to do nothing)
    button.click()
    for _ in range(60):
        if len(downloads) >= 2:
            break
        tab.wait_for_timeout(500)
    assert len(downloads) == 2 and [d.failure() for d in downloads] == [None, None]
    files = [d.path().read_text() for d in downloads]
    assert files[0] == files[1] and files[0].startswith("layer,projection,x,y")
    assert len(files[0].splitlines()) == 1 + 3 * 20  # 20 points on each of 3 layers
    tab.context.close()

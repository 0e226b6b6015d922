"""
The real app in a real browser: `elmo-explorer app` (LocalApp) in a subprocess, driven by Debian's
Chromium through Playwright. Types a sentence, visits every page, saves a screenshot of each
under test-artifacts/screenshots/ and fails on any Streamlit exception box.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from elmo_explorer_ui.local_server import AppStartError, LocalApp

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 180_000

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def streamlit_server(log: Path):
    """The app (``elmo-explorer app``, see LocalApp) on a free 127.0.0.1 port, output in ``log``; yields its URL."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing; install it with `make system-deps` (apt-get install chromium)")
    app = LocalApp(log, start_timeout_s=START_TIMEOUT_S)
    try:
        app.start()
    except AppStartError as exc:
        pytest.fail(str(exc))
    try:
        yield app.url
    finally:
        app.stop()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 2400})
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            yield tab
        finally:
            browser.close()


def wait_until_idle(tab) -> None:
    """Until Streamlit has finished running the script (its status widget is gone for 1 s)."""
    tab.wait_for_timeout(500)
    for _ in range(2):
        tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        tab.wait_for_timeout(500)


def check_and_shoot(tab, name: str) -> None:
    exceptions = tab.locator('[data-testid="stException"]')
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert exceptions.count() == 0, exceptions.first.inner_text()


def open_page(tab, label: str) -> None:
    tab.locator('[data-testid="stSidebarNav"] a', has_text=label).click()
    wait_until_idle(tab)
    tab.wait_for_selector(f'h1:has-text("{label}")')


def lasso_whole_subplot(tab, index: int) -> None:
    """Draw a lasso (the map's drag mode) along the edges of subplot ``index``."""
    area = tab.locator(".js-plotly-plot .nsewdrag").nth(index).bounding_box()
    x0, y0 = area["x"] + 3, area["y"] + 3
    x1, y1 = area["x"] + area["width"] - 3, area["y"] + area["height"] - 3
    tab.mouse.move(x0, y0)
    tab.mouse.down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0 + 2)):
        tab.mouse.move(x, y, steps=10)
    tab.mouse.up()
    wait_until_idle(tab)


def test_every_page_in_a_real_browser(page, app_url):
    tab = page
    try:
        visit_every_page(tab, app_url)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "failure.png"), full_page=True)
        raise


def visit_every_page(tab, app_url: str) -> None:
    # A link reproduces a view, even as the first request of a fresh server
    tab.goto(f"{app_url}/Word_senses?word=saw&layer=1")
    tab.wait_for_selector('h1:has-text("Word senses")')
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    wait_until_idle(tab)
    tab.wait_for_selector("text=Nearest neighbours of one occurrence")
    assert "«saw»" in tab.locator('[data-testid="stMain"]').inner_text()  # the word of the link
    assert tab.locator('[data-testid="stRadio"] input[type="radio"]').nth(1).is_checked()
    tab.locator('[data-testid="stRadio"] label', has_text="layer 2").first.click()  # the link follows
    tab.wait_for_url("**/Word_senses?word=saw&layer=2")
    wait_until_idle(tab)
    tab.wait_for_selector('[data-testid="stSidebarNav"] a:has-text("Sentence lab")')

    tab.goto(app_url)
    tab.wait_for_selector('h1:has-text("Sentence lab")')
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    wait_until_idle(tab)

    # Sentence lab: type a sentence, get one heatmap per layer for its tokens
    area = tab.locator('[data-testid="stTextArea"] textarea')
    area.fill("I saw a saw .\nThe bank of the river flooded the bank .")
    area.press("Control+Enter")
    tab.wait_for_selector("text=Tokens (14 in 2 sentences)")
    wait_until_idle(tab)
    assert tab.locator(".js-plotly-plot .heatmaplayer, .js-plotly-plot g.hm").count() >= 3 or \
        tab.locator(".js-plotly-plot").count() >= 4  # 3 heatmaps + the occurrence bars
    assert tab.locator('h3:has-text("Token similarity per layer")').count() == 1
    check_and_shoot(tab, "1_sentence_lab")

    # Word senses: accuracy chart, similarity matrix
    open_page(tab, "Word senses")
    tab.wait_for_selector("text=Which layer knows the sense?")
    tab.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2")
    check_and_shoot(tab, "2_word_senses")

    # UMAP explorer: PCA at once, then UMAP on the button
    open_page(tab, "UMAP explorer")
    tab.wait_for_selector(".js-plotly-plot")
    tab.wait_for_selector("text=20 points · PCA · mini (bundled)")
    lasso_whole_subplot(tab, 1)  # layer 1: every point lies inside the fixed axes
    tab.wait_for_selector("text=20 selected points")
    check_and_shoot(tab, "3_umap_explorer_pca_selection")
    tab.locator('[data-testid="stRadio"] label', has_text="UMAP").first.click()
    wait_until_idle(tab)
    tab.get_by_role("button", name="Compute UMAP").click()
    tab.wait_for_selector("text=20 points · UMAP · mini (bundled)", timeout=300_000)
    wait_until_idle(tab)
    check_and_shoot(tab, "4_umap_explorer_umap")

    # Models: the model card of the bundled model
    open_page(tab, "Models")
    tab.wait_for_selector("text=Model card: mini (bundled)")
    tab.wait_for_selector('[data-testid="stTable"]')
    assert "2,996,448" in tab.locator('[data-testid="stTable"]').inner_text() or \
        "Parameters" in tab.locator('[data-testid="stTable"]').inner_text()
    check_and_shoot(tab, "5_models")

    # Any further pages (the downstream pages): they open without an exception
    visited = {"Sentence lab", "Word senses", "UMAP explorer", "Models"}
    links = [text.strip().splitlines()[-1].strip()  # the icon's ligature name comes first
             for text in tab.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
    for number, label in enumerate([label for label in links if label not in visited], 6):
        tab.locator('[data-testid="stSidebarNav"] a', has_text=label).click()
        wait_until_idle(tab)
        tab.wait_for_selector("h1")
        check_and_shoot(tab, f"{number}_{label.lower().replace(' ', '_').replace('-', '_')}")

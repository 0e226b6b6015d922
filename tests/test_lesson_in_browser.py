"""
The Lesson in a real browser (the real app via LocalApp, Debian's Chromium): every step renders
its figures with no request leaving 127.0.0.1, the step follows the URL, typed text stays text,
and the downloaded handout opens with the network cut off and draws every figure.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from test_browser import PAGE_TIMEOUT_MS, SCREENSHOTS, app_url, wait_until_idle  # noqa: F401
from test_browser_share import browser  # noqa: F401 - the module's Chromium
from test_hostile_text_in_browser import FIND_LEAKS, HOSTILE_SENTENCE, assert_requests_stay_local

from elmo_explorer_ui.lesson.content import STEPS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def session(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    yield tab, requests
    context.close()


def open_step(tab, app: str, number: int) -> None:
    tab.goto(f"{app}/Lesson?step={number}")
    tab.wait_for_selector(f'h2:has-text("{STEPS[number - 1].title}")')
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    wait_until_idle(tab)


def test_every_step_renders_in_the_browser_from_the_app_alone(session, app_url):  # noqa: F811
    tab, requests = session
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number in range(1, len(STEPS) + 1):
        open_step(tab, app_url, number)
        assert tab.locator('[data-testid="stException"]').count() == 0
        assert tab.locator("text=What this model shows").count() == 1
        assert tab.locator(".js-plotly-plot .main-svg").count() >= 1
        tab.screenshot(path=str(SCREENSHOTS / f"lesson_step_{number}.png"), full_page=True)
    assert_requests_stay_local(requests, app_url)


def test_next_moves_the_step_and_the_url(session, app_url):  # noqa: F811
    tab, _ = session
    open_step(tab, app_url, 2)
    tab.get_by_role("button", name="Next →").click()
    tab.wait_for_selector(f'h2:has-text("{STEPS[2].title}")')
    tab.wait_for_url("**/Lesson?step=3")


def test_typed_text_in_a_step_stays_text(session, app_url):  # noqa: F811
    tab, requests = session
    open_step(tab, app_url, 1)
    box = tab.locator('[data-testid="stTextInput"] input').first
    box.fill(HOSTILE_SENTENCE[:290])
    box.press("Enter")
    wait_until_idle(tab)
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert not tab.evaluate(FIND_LEAKS, urlsplit(tab.url).netloc)
    assert_requests_stay_local(requests, app_url)


def test_the_handout_opens_offline_with_every_figure(browser, session, app_url, tmp_path):  # noqa: F811
    tab, _ = session
    open_step(tab, app_url, 1)
    tab.get_by_role("button", name="Prepare the handout of all seven steps").click()
    button = tab.get_by_role("button", name="Download this lesson (HTML)")
    button.wait_for(timeout=PAGE_TIMEOUT_MS)
    with tab.expect_download() as download:
        button.click()
    handout = tmp_path / "lesson.html"
    download.value.save_as(str(handout))
    text = handout.read_text(encoding="utf-8")
    expected = text.count("Plotly.newPlot")
    assert expected >= len(STEPS)

    offline = browser.new_context(offline=True)
    outside: list[str] = []
    offline.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if not route.request.url.startswith(("file:", "data:", "blob:")) else route.continue_())
    page = offline.new_page()
    page.goto(Path(handout).as_uri())
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}",
                           timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == expected
    for number in range(1, len(STEPS) + 1):
        assert page.locator(f"#step-{number} h2").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "lesson_handout_offline.png"), full_page=True)
    offline.close()
    assert not outside, outside

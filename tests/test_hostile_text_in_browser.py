"""
Text stays text, in what the browser renders: hostile words and sentences from URL parameters,
typed text and share links never become a link to an outside address (Markdown links, GitHub
autolinks of bare URLs, ``www.`` names and e-mail addresses), a Material icon or coloured text
(Streamlit's ``:material/...:`` and ``:red[...]``), on every page. And every request a page
makes (favicon, fonts, scripts) goes to the app itself on 127.0.0.1.

The real app (``elmo-explorer app`` via LocalApp) and Debian's Chromium, as in test_browser.py.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from test_browser import (CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT_MS, SCREENSHOTS, app_url,  # noqa: F401
                          wait_until_idle)

from elmo_explorer_ui.share import pack_text

pytestmark = pytest.mark.browser

LINK = "[Log_in_here](https://example.com/login)"
BARE = "https://example.com/bare www.example.org me@example.net"
ICON, COLOUR = ":material/warning:", ":red[RED]"
HOSTILE_WORD = f"{LINK} {ICON} {COLOUR}"
#: single words (the word pages take one word), each a pattern Streamlit's Markdown acts on
HOSTILE_WORDS = (LINK, *BARE.split(), ICON, COLOUR)
HOSTILE_SENTENCE = f"Log in at {BARE} {ICON} {COLOUR} {LINK} and the bank ."
WORD_JOINER = "\u2060"

# Every <a> whose address leaves the app, every Material icon and every coloured span in the page.
FIND_LEAKS = """(host) => {
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.href, location.href);
    if (url.protocol !== 'blob:' && url.host !== host) out.push('link ' + a.href);
  }
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const font = getComputedStyle(el).fontFamily || '';
    if (font.includes('Material Symbols') && el.textContent.trim() === 'warning') out.push('icon ' + el.outerHTML);
    const marked = ['stMarkdownColoredText', 'stMarkdownColoredBackground', 'stMarkdownBadge'];
    if (marked.some((c) => el.classList.contains(c)) && el.textContent.includes('RED')) out.push('colour ' + el.outerHTML);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def session(app_url):  # noqa: F811
    """(tab, requests): one browser tab and every URL it (or a tab of its context) requested."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2000})
            requests: list[str] = []
            context.on("request", lambda request: requests.append(request.url))
            tab = context.new_page()
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            yield tab, requests
        finally:
            browser.close()


def visible_text(tab) -> str:
    """The main area's text and its text boxes' values, word joiners left out, lower case."""
    main = tab.locator('[data-testid="stMain"]')
    values = main.locator("input[type=text], textarea").evaluate_all("(boxes) => boxes.map((b) => b.value)")
    return " ".join([main.text_content(), *values]).replace(WORD_JOINER, "").lower()


def assert_text_stays_text(tab, name: str, shown: str) -> None:
    """No leak on the page, and ``shown`` (a part of the hostile text) is on it, as text."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"hostile_{name}.png"), full_page=True)
    assert tab.locator('[data-testid="stException"]').count() == 0
    leaks = tab.evaluate(FIND_LEAKS, urlsplit(tab.url).netloc)
    assert not leaks, leaks
    assert shown.lower() in visible_text(tab), (shown, visible_text(tab)[:3000])


def assert_settled_text_stays_text(tab, name: str, shown: str) -> None:
    """Once the page's script run has ended: :func:`assert_text_stays_text`."""
    wait_until_idle(tab)
    assert_text_stays_text(tab, name, shown)


def assert_requests_stay_local(requests: list[str], app: str) -> None:
    outside = sorted({url for url in requests
                      if not url.startswith((app + "/", "data:", "blob:")) and url != app})
    assert not outside, outside


def open_url(tab, url: str, heading: str) -> None:
    tab.goto(url)
    tab.wait_for_selector(f'h1:has-text("{heading}")')
    wait_until_idle(tab)


def test_sentence_lab_typed_text_and_share_link(session, app_url):  # noqa: F811
    tab, requests = session
    open_url(tab, f"{app_url}/?word={quote(HOSTILE_WORD)}", "Sentence lab")
    area = tab.locator('[data-testid="stTextArea"] textarea').first
    area.fill(HOSTILE_SENTENCE + "\nThe bank lent money .")
    area.press("Control+Enter")
    tab.wait_for_selector("text=example.com")
    assert_settled_text_stays_text(tab, "sentence_lab_typed", "example.com")
    open_url(tab, f"{app_url}/?text={pack_text(HOSTILE_SENTENCE + ' The bank lent money .')}", "Sentence lab")
    tab.wait_for_selector("text=example.com")
    assert_text_stays_text(tab, "sentence_lab_link", "example.com")
    assert_requests_stay_local(requests, app_url)


@pytest.mark.parametrize("path, heading", [("Word_senses", "Word senses"), ("UMAP_explorer", "UMAP explorer")])
def test_word_from_the_link(session, app_url, path, heading):  # noqa: F811
    tab, requests = session
    for number, word in enumerate(HOSTILE_WORDS):
        open_url(tab, f"{app_url}/{path}?word={quote(word)}", heading)
        assert_text_stays_text(tab, f"{path}_{number}", word)
    assert_requests_stay_local(requests, app_url)


@pytest.mark.parametrize("path, heading, param", [("Word_senses", "Word senses", "senses_text"),
                                                   ("UMAP_explorer", "UMAP explorer", "sources=curated,yours&map_text")])
def test_own_sentences_from_a_share_link(session, app_url, path, heading, param):  # noqa: F811
    tab, requests = session
    own = (f"{LINK} | The fish swam around the tank at www.example.org .\n"
           f"{ICON} | We filled the tank , wrote to me@example.net .\n"
           f"{COLOUR} | The tank rolled into https://example.com/bare town .\n"
           f"{LINK} | A tank fired at the bridge .")
    open_url(tab, f"{app_url}/{path}?word=tank&{param}={pack_text(own)}", heading)
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    assert_settled_text_stays_text(tab, f"{path}_own", "me@example.net")
    assert_requests_stay_local(requests, app_url)


def test_sentiment_typed_text(session, app_url):  # noqa: F811
    tab, requests = session
    open_url(tab, f"{app_url}/Sentiment", "Sentiment")
    area = tab.locator('[data-testid="stTextArea"] textarea').first
    area.fill(HOSTILE_SENTENCE)
    area.press("Control+Enter")
    assert_settled_text_stays_text(tab, "sentiment", "example.com")
    assert_requests_stay_local(requests, app_url)


def choose(tab, radio_option: str) -> None:
    tab.locator('[data-testid="stRadio"] label', has_text=radio_option).first.click()
    wait_until_idle(tab)


def test_corpus_explorer_typed_folder_and_uploaded_file(session, app_url, tmp_path):  # noqa: F811
    tab, requests = session
    open_url(tab, f"{app_url}/Corpus_explorer", "Corpus explorer")
    tab.wait_for_selector(".js-plotly-plot", timeout=300_000)  # the sample corpus, embedded on first use
    choose(tab, "A folder on this server")
    box = tab.locator('[data-testid="stTextInput"] input').first
    box.fill(f"{LINK} {BARE} {ICON} {COLOUR}")
    box.press("Enter")
    assert_settled_text_stays_text(tab, "corpus_folder", "does not exist on the server")

    choose(tab, "Your text file")
    upload = tmp_path / f"{LINK.replace('/', '_')} www.example.org.txt"
    upload.write_text(f"{HOSTILE_SENTENCE}\nThe bank of the river at me@example.net .\n")
    tab.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
    tab.wait_for_selector("text=Showing all", timeout=300_000)
    assert_settled_text_stays_text(tab, "corpus_upload", "occurrences of")
    tab.locator('[data-testid="stExpander"] summary', has_text="The sampled sentences").click()
    assert_settled_text_stays_text(tab, "corpus_upload_table", "occurrences of")
    assert_requests_stay_local(requests, app_url)


def test_inside_the_bilm_sentence_from_a_share_link(session, app_url):  # noqa: F811
    tab, requests = session
    open_url(tab, f"{app_url}/Inside_the_biLM?text={pack_text(HOSTILE_SENTENCE[:290])}", "Inside the biLM")
    tab.wait_for_selector(".js-plotly-plot", state="attached")
    assert_settled_text_stays_text(tab, "inside_the_bilm_link", "example.com")
    assert_requests_stay_local(requests, app_url)


def test_models_page_typed_folder(session, app_url):  # noqa: F811
    tab, requests = session
    open_url(tab, f"{app_url}/Models", "Models")
    choose(tab, "Local folder")
    tab.locator('[data-testid="stTextInput"] input').first.fill(f"{LINK} {BARE} {ICON} {COLOUR}")
    tab.get_by_role("button", name="Load folder").click()
    assert_settled_text_stays_text(tab, "models_folder", "me@example.net")
    assert_requests_stay_local(requests, app_url)


def test_every_page_loads_only_from_the_app(session, app_url):  # noqa: F811
    tab, requests = session
    requests.clear()
    for path, heading in [("", "Sentence lab"), ("Word_senses", "Word senses"), ("UMAP_explorer", "UMAP explorer"),
                          ("Models", "Models"), ("Sentiment", "Sentiment"), ("Scalar_mix_lab", "Scalar-mix lab"),
                          ("Corpus_explorer", "Corpus explorer"), ("Lesson", "Lesson"),
                          ("Inside_the_biLM", "Inside the biLM")]:
        open_url(tab, f"{app_url}/{path}", heading)
        tab.wait_for_timeout(1000)  # the favicon and fonts load after the page
        assert tab.locator('[data-testid="stException"]').count() == 0
        icons = tab.evaluate("() => [...document.querySelectorAll('link[rel*=icon]')].map((l) => l.href)")
        assert icons and all(icon.startswith(app_url + "/") for icon in icons), icons  # the package's favicon
    assert any(url.startswith(app_url) for url in requests)
    assert_requests_stay_local(requests, app_url)

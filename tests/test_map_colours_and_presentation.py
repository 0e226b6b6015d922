"""
The UMAP explorer's "Colour by: sense" shows the senses of one word in different
colours (word colour and sense symbol only when several words are mapped), presentation mode
enlarges tables and inputs as well as prose (checked in a real browser), and counts are
written in the right number ("1 sentence", not "1 sentences").
"""
from __future__ import annotations

import pytest

from test_app_pages import UMAP_EXPLORER, figures, start

from elmo_explorer_ui.texts import plural


def legend_traces(figure: dict) -> list[dict]:
    """The first layer's traces that draw points of a legend entry (placed points aside)."""
    return [t for t in figure["data"] if t.get("showlegend", True) and t.get("legendgroup") != "placed"]


def test_one_word_coloured_by_sense_draws_each_sense_in_its_own_colour():
    at = start(UMAP_EXPLORER, word="pitch", colour="sense")
    traces = legend_traces(figures(at)[-1])
    assert [t["name"] for t in traces] == ["pitch · n.field", "pitch · n.tone"]
    colours = [t["marker"]["color"] for t in traces]
    assert len(set(colours)) == 2, colours  # not one blue for every point


def test_several_words_coloured_by_sense_keep_word_colours_and_sense_symbols():
    at = start(UMAP_EXPLORER, word="all", colour="sense")
    traces = {t["name"]: t["marker"] for t in legend_traces(figures(at)[-1])}
    assert traces["bank · n.river"]["color"] == traces["bank · n.finance"]["color"]
    assert traces["bank · n.river"]["symbol"] != traces["bank · n.finance"]["symbol"]
    assert traces["bank · n.river"]["color"] != traces["saw · v.see"]["color"]


def test_counts_are_written_in_the_right_number():
    assert plural(1, "sentence") == "1 sentence" and plural(5, "sentence") == "5 sentences"
    assert plural(1200, "point") == "1,200 points" and plural(0, "sentence") == "0 sentences"
    at = start()
    at.text_area[0].set_value("I saw a saw .").run()
    assert [e.label for e in at.expander if e.label.startswith("Tokens")] == ["Tokens (5 in 1 sentence)"]


@pytest.mark.browser
def test_presentation_mode_enlarges_tables_and_inputs_in_a_real_browser(page, app_url):
    """Chromium, the real app: the text box's font and the interactive table grow in
    presentation mode, not only the prose."""
    def measure(present: bool) -> dict:
        page.goto(f"{app_url}/Word_senses?word=pitch" + ("&present=1" if present else ""))
        page.wait_for_selector("text=Nearest neighbours of one occurrence")
        wait_until_idle(page)
        page.locator('[data-testid="stExpander"] summary', has_text="Add your own sentences").click()
        page.wait_for_selector('[data-testid="stTextArea"] textarea', state="visible")
        return page.evaluate("""() => {
            const area = document.querySelector('[data-testid="stTextArea"] textarea');
            const chosen = [...document.querySelectorAll('[data-testid="stSelectbox"] *')]
                .find(e => e.children.length === 0 && (e.textContent === 'pitch' || e.value === 'pitch'));
            const table = document.querySelector('[data-testid="stDataFrame"]');
            const box = table.getBoundingClientRect();
            return {area: parseFloat(getComputedStyle(area).fontSize),
                    select: parseFloat(getComputedStyle(chosen).fontSize),
                    table: box.height, zoom: parseFloat(getComputedStyle(table).zoom || '1'),
                    overflow: box.right - document.querySelector('[data-testid="stMainBlockContainer"]')
                        .getBoundingClientRect().right};
        }""")

    plain, projector = measure(False), measure(True)
    assert projector["area"] >= 1.3 * plain["area"], (plain, projector)
    assert projector["select"] >= 1.3 * plain["select"], (plain, projector)
    assert projector["zoom"] > 1 and projector["table"] > 1.2 * plain["table"], (plain, projector)
    assert projector["overflow"] <= 1, (plain, projector)  # the zoomed table stays inside the page


from test_browser import app_url, page, wait_until_idle  # noqa: E402,F401  (the real-browser fixtures)

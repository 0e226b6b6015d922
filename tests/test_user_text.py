"""
User text is text: hostile words, sentences, sense labels, file and model
names, typed or from the URL, never become Markdown links, images or HTML, nor HTML in Plotly
labels. Every page runs headless (AppTest); every Markdown body it shows is rendered with a
CommonMark parser (raw HTML allowed) and every Plotly figure is searched for raw tags.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from test_app_pages import start  # also asserts that no page raised (no traceback shown)

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
TIMEOUT = 180
LINK, IMAGE, BOLD, IMG, SCRIPT_URL = HOSTILE = (
    "[Log_in_here](https://example.com/login)", "![x](https://example.com/x.png)", "<b>bold</b>",
    "<img src=x onerror=alert(1)>", "javascript:alert(1)")
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
MARKUP = re.compile(r"<(a|img|b|script|iframe|svg)\b", re.IGNORECASE)


# ---------------------------------------------------------------- what the page shows
def markdown_bodies(at: AppTest) -> list[str]:
    """Every Markdown string on the page: markdown, captions, alerts, headings, expander labels
    and table cells (st.table renders Markdown), main area and sidebar (not st.html)."""
    found: list[str] = []

    def walk(block: Block) -> None:
        for node in block.children.values():
            if isinstance(node, Block):
                if node.type == "expander":
                    found.append(node.label)
                walk(node)
                continue
            body = getattr(node.proto, "body", None)
            if isinstance(body, str) and body and node.type != "html":  # st.html: checked apart
                found.append(body)
            if node.type == "table":
                found.extend(str(v) for v in node.value.to_numpy().ravel())
    walk(at.main)
    walk(at.sidebar)
    return found


def assert_shown_as_text(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    bodies = markdown_bodies(at)
    assert bodies
    for body in bodies:
        rendered = RENDER.render(body)
        assert not MARKUP.search(rendered), f"markup from {body!r}: {rendered!r}"
        # GFM autolinks (not in CommonMark) need the raw URL or scheme: escaped, they cannot form
        assert "example.com" not in body and "javascript:" not in body.lower(), body
    for chart in at.get("plotly_chart"):
        spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        assert BOLD not in spec and not re.search(r"<(img|a|script|iframe)\b", spec, re.IGNORECASE), spec[:2000]




def widget(elements, key: str):
    return next(e for e in elements if e.key == key)


def joined(elements) -> str:
    return " ".join(e.value for e in elements)


# ---------------------------------------------------------------- pure helpers
def test_md_escapes_every_kind_of_markup():
    from elmo_explorer_ui.safe_text import md

    for text in [*HOSTILE, "www.example.com", "a@example.com", ":red[x] :material/home: $x^2$",
                 "# heading", "`code`", "**bold** _it_ ~~gone~~", "a | b", "&lt;b&gt;", "\\[x](y)", "x\n# h\n<b>y</b>"]:
        escaped = md(text)
        rendered = RENDER.render(escaped)
        assert not MARKUP.search(rendered) and "<h1" not in rendered and "<code" not in rendered, rendered
        assert "<em" not in rendered and "<strong" not in rendered and "<table" not in rendered, rendered
        assert "example.com" not in escaped and "javascript:" not in escaped
        # what the reader sees is what was typed (line breaks become spaces)
        # (word joiners, invisible, break GFM autolinks and Streamlit's directives)
        assert re.sub(r"<[^>]+>", "", rendered).replace("\u2060", "").strip() == " ".join(text.split("\n")).replace(
            "&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def test_a_model_card_keeps_its_tables_but_loses_its_links_and_icons():
    from elmo_explorer_ui.safe_text import document_markdown

    card = ("## Card\n\n| a | b |\n|---|---:|\n| 1 | 2 |\n\nSee [the log](../docs/x.md), "
            "![pixel](https://example.com/p.png), <https://example.com/login>, https://example.com, "
            "www.example.com, me@example.com, :material/warning: and :red[alarm].")
    shown = document_markdown(card)
    rendered = RENDER.render(shown)
    assert "<table" in rendered and "<h2" in rendered  # still a formatted document
    assert not MARKUP.search(rendered), rendered
    assert not re.search(r"https?:/|www\.|@example|:material/|:red\[", shown)  # no autolink or directive left
    assert "See the log, pixel," in shown.replace("\u2060", "")


def test_plotly_text_and_paths():
    from elmo_explorer_ui.safe_text import plotly_text, redact_paths

    assert plotly_text(IMG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert redact_paths("/home/me/.cache/elmo-explorer/uploads/ab12/weights.hdf5 is not an HDF5 file") == \
        "weights.hdf5 is not an HDF5 file"
    assert redact_paths("cannot open 'https://example.org/a/b.json'") == "cannot open 'https://example.org/a/b.json'"


def test_charts_escape_labels_legends_hover_and_titles():
    import numpy as np
    import pandas as pd

    from elmo_explorer_ui import charts

    heatmap = charts.similarity_heatmap(np.eye(2), [BOLD, IMG], f"“{IMG}”", hover_rows=[LINK, BOLD])
    points = pd.DataFrame({"sense": [BOLD, IMG], "hover": ["a", "b"]})
    scatter, _ = charts.scatter_map(points, {0: np.zeros((2, 2))}, [0], "sense", title=IMG)
    bars = charts.occurrence_bars(pd.DataFrame({"occurrence": [BOLD], "sentence": [IMG], "layer 0": [0.5]}), [0])
    for figure in (heatmap, scatter, bars):
        spec = figure.to_json()
        assert BOLD not in spec and "<img" not in spec and "&lt;img" in spec


# ---------------------------------------------------------------- every page
def test_sentence_lab_shows_hostile_words_as_text():
    at = start(word="https://example.com/login")
    widget(at.text_area, "lab_text").input(
        "https://example.com/login is https://example.com/login .\n"
        f"{LINK} {IMAGE}\n{BOLD} {IMG} {SCRIPT_URL}").run()
    assert "https://example.com/login" in widget(at.selectbox, "lab_occurrence").format_func(
        widget(at.selectbox, "lab_occurrence").value)
    assert_shown_as_text(at)
    assert "example\\.com" in joined(at.caption)  # the caption names the word, escaped


def test_word_senses_shows_hostile_words_labels_and_sentences_as_text():
    at = start("pages/1_Word_senses.py", word=LINK)
    assert "occurs 0 times" in joined(at.warning)
    assert_shown_as_text(at)
    widget(at.text_input, "senses_other").input("tank").run()
    widget(at.text_area, "senses_own").input(
        f"{BOLD} | The fish swam around the tank .\n"
        f"{BOLD} | We filled the tank with rain water .\n"
        f"{IMG} | The tank rolled into the town .\n"
        f"{IMG} | A tank fired at the bridge {SCRIPT_URL} .\n"
        f"{IMAGE} has no target word\n{LINK} neither").run()
    assert "were skipped" in joined(at.warning)
    assert any(f["data"][0]["type"] == "heatmap" for f in map(lambda c: json.loads(c.proto.spec), at.get("plotly_chart")))
    assert_shown_as_text(at)


def test_umap_explorer_shows_hostile_words_labels_and_sentences_as_text():
    at = start("pages/2_UMAP_explorer.py", word=IMAGE)
    assert "No sentence in the chosen sources contains" in joined(at.warning)
    assert_shown_as_text(at)
    widget(at.text_input, "map_other").input("tank").run()
    widget(at.multiselect, "map_sources").set_value(["curated", "yours"]).run()
    widget(at.text_area, "map_own").input(
        f"{BOLD} | The fish swam around the tank .\n{IMG} | The tank rolled {SCRIPT_URL} into town .\n"
        f"{LINK} | A tank fired at the bridge .\n{IMAGE} no target here").run()
    widget(at.text_area, "map_place_text").input(f"The tank {IMG} {LINK} .")
    widget(at.button, "map_place").click().run()
    (scatter,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(t.get("name") == "your sentences" for t in scatter["data"])
    assert_shown_as_text(at)


def test_models_page_shows_hostile_folder_and_file_names_as_text(reference_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    at = start("pages/3_Models.py")
    widget(at.radio, "models_source").set_value("Local folder").run()
    widget(at.text_input, "models_folder").input(LINK).run()
    widget(at.button, "models_load_folder").click().run()
    assert "not a model folder" in joined(at.error)
    assert_shown_as_text(at)
    widget(at.radio, "models_source").set_value("Upload files").run()
    at.file_uploader[0].set_value(("options.json", (reference_dir / "options.json").read_bytes(), "application/json"))
    at.file_uploader[1].set_value((f"{IMG}.hdf5", (reference_dir / "lm_weights.hdf5").read_bytes(),
                                   "application/octet-stream"))
    at.run()
    widget(at.button, "models_load_upload").click().run()
    assert "Every page now uses" in joined(at.success)
    assert "&lt;img" in RENDER.render(at.subheader[-1].value)
    assert_shown_as_text(at)
    at.switch_page("pages/5_Scalar_mix_lab.py").run()  # the model's name on another page
    assert "&lt;img" in RENDER.render(joined(at.sidebar.caption))
    assert_shown_as_text(at)


@pytest.fixture
def hostile_spec(reference_dir, tmp_path, monkeypatch):
    from elmo_explorer_ui.model_info import ModelSpec

    monkeypatch.setenv("ELMO_EXPLORER_FEATURE_CACHE", str(tmp_path / "features"))
    folder = tmp_path / IMG.replace("/", "_")
    folder.mkdir()
    shutil.copy(reference_dir / "options.json", folder / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", folder / "weights.hdf5")
    return ModelSpec(kind="local", name=f"{LINK} {IMG}", path=str(folder))


def test_sentiment_page_shows_hostile_model_names_and_text_as_text(hostile_spec):
    from elmo_explorer_ui.runtime import MODEL_KEY

    at = AppTest.from_file(str(REPO / "elmo_explorer_ui" / "pages" / "4_Sentiment.py"), default_timeout=TIMEOUT)
    at.session_state[MODEL_KEY] = hostile_spec
    at.run()
    assert "no shipped head" in joined(at.info)
    assert_shown_as_text(at)

    at = AppTest.from_file(str(REPO / "elmo_explorer_ui" / "pages" / "4_Sentiment.py"), default_timeout=TIMEOUT)
    at.run()  # the bundled mini and its shipped heads
    widget(at.text_area, "sentiment_text").input(" ".join(HOSTILE)).run()
    assert_shown_as_text(at)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "<img" not in html and "<b>" not in html and "&lt;" in html  # token spans are escaped HTML

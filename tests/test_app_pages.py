"""
Every page of the Streamlit app, run headless with AppTest and the real bundled model.

Each test drives the main widgets and checks what the page shows: charts (parsed from the
Plotly spec Streamlit sends), tables, and friendly warnings instead of tracebacks.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from elmo_explorer_ui import charts

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
WORD_SENSES = "pages/1_Word_senses.py"
UMAP_EXPLORER = "pages/2_UMAP_explorer.py"
MODELS = "pages/3_Models.py"
TIMEOUT = 120


def start(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page is not None:
        at.run()
        at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def heatmaps(at: AppTest) -> list[dict]:
    return [f for f in figures(at) if f["data"] and f["data"][0]["type"] == "heatmap"]


def array(value) -> np.ndarray:
    """A Plotly data array, plain or base64-typed (``{"dtype", "bdata", "shape"}``)."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return data.reshape([int(n) for n in str(shape).split(",")]) if shape else data
    return np.asarray(value)


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def widget(elements, key: str):
    return next(e for e in elements if e.key == key)


# ---------------------------------------------------------------- Sentence lab (home)
def test_home_shows_the_model_and_three_heatmaps_for_the_default_text():
    at = start()
    assert at.title[0].value == "Sentence lab"
    assert "mini" in texts(at.warning) + texts(at.caption)
    maps = heatmaps(at)
    assert len(maps) == 3
    assert [m["layout"]["title"]["text"] for m in maps] == ["layer 0 (characters)", "layer 1 (biLSTM)", "layer 2 (biLSTM)"]


def test_typing_a_sentence_shows_three_heatmaps():
    """Type a sentence on the home page and find one heatmap per layer."""
    at = start()
    widget(at.text_area, "lab_text").input("I saw a saw .").run()
    assert_no_exception(at)
    maps = heatmaps(at)
    assert len(maps) == 3
    for figure in maps:
        assert array(figure["data"][0]["z"]).shape == (5, 5)
    # layer 0: the two "saw" (tokens 1 and 3) share one vector; layers 1 and 2 tell them apart
    assert array(maps[0]["data"][0]["z"])[1, 3] == pytest.approx(1.0, abs=1e-4)
    assert array(maps[2]["data"][0]["z"])[1, 3] < 0.9999


def test_home_compares_occurrences_of_a_word():
    at = start(word="bank")
    occurrence = widget(at.selectbox, "lab_occurrence")
    assert "bank" in occurrence.format_func(occurrence.value)
    table = at.dataframe[-1].value
    assert len(table) == 1  # the other "bank" of the default text
    assert list(table.columns) == ["occurrence", "sentence", "layer 0", "layer 1", "layer 2", "read against",
                                   "layer 0 percentile", "layer 1 percentile", "layer 2 percentile"]
    assert table["layer 0"].tolist() == pytest.approx([1.0], abs=1e-5)
    bars = figures(at)[-1]
    assert [trace["type"] for trace in bars["data"]] == ["bar"] * 3 + ["scatter"] * 2  # bars, then the two references
    assert at.query_params["word"] == "bank"


def test_home_rerun_neither_reloads_the_model_nor_recomputes_vectors(monkeypatch):
    import elmo_core

    at = start()
    calls = {"load": 0, "embed": 0}
    real_load, real_embed = elmo_core.load, elmo_core.BiLM.embed

    def counting_load(*args, **kwargs):
        calls["load"] += 1
        return real_load(*args, **kwargs)

    def counting_embed(self, *args, **kwargs):
        calls["embed"] += 1
        return real_embed(self, *args, **kwargs)

    monkeypatch.setattr(elmo_core, "load", counting_load)
    monkeypatch.setattr(elmo_core.BiLM, "embed", counting_embed)
    occurrence = widget(at.selectbox, "lab_occurrence")
    occurrence.select(occurrence.options[-1]).run()  # a new view of the same sentences
    at.run()
    assert_no_exception(at)
    assert calls == {"load": 0, "embed": 0}
    widget(at.text_area, "lab_text").input("A sentence never typed before , about a bank .").run()
    assert calls == {"load": 0, "embed": 1}


def test_home_empty_text_gives_a_friendly_warning():
    at = start()
    widget(at.text_area, "lab_text").input("   \n  ").run()
    assert_no_exception(at)
    assert "Type at least one sentence" in texts(at.warning)
    assert heatmaps(at) == []


def test_home_caps_ten_thousand_lines_with_a_message():
    at = start()
    widget(at.text_area, "lab_text").input("\n".join(f"Line {i} about a bank ." for i in range(10_000))).run()
    assert_no_exception(at)
    assert "10,000 lines" in texts(at.warning)
    assert len(heatmaps(at)) == 3


def test_home_without_repeated_words_explains_what_to_do():
    at = start()
    widget(at.text_area, "lab_text").input("Hello world .").run()
    assert_no_exception(at)
    assert "No word occurs twice" in texts(at.info)


# ---------------------------------------------------------------- Word senses
def test_word_senses_shows_the_accuracy_chart_with_the_chance_line():
    at = start(WORD_SENSES, word="bank", layer="1")
    assert widget(at.selectbox, "senses_pick").value == "bank"
    assert widget(at.radio, "senses_layer").value == 1
    accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert len(accuracy["data"][0]["y"]) == 3
    assert all(0.0 <= y <= 1.0 for y in accuracy["data"][0]["y"])
    chance = accuracy["layout"]["shapes"][0]
    assert chance["y0"] == pytest.approx(0.5)  # 10 + 10 sentences: majority rate 50 %
    assert accuracy["data"][0]["y"][0] == pytest.approx(0.5)  # layer 0 sees one spelling: chance
    assert "chance" in accuracy["layout"]["annotations"][0]["text"]
    assert len(heatmaps(at)) == 1
    neighbours = at.dataframe[-1].value
    assert len(neighbours) == 3 * 5
    assert set(neighbours["same sense"]) <= {"✓", "✗", "tie"}
    assert set(neighbours["same sense"][neighbours["layer"] == "layer 0 (characters)"]) == {"tie"}  # one spelling
    # bank with mini: 50 / 80 / 90 % of 20; layer 2 beats chance beyond noise, but not layer 1
    caption = texts(at.caption)
    assert "Layer 2 (biLSTM) separates the senses better than chance (50%)" in caption
    assert "Best" not in caption and "within noise for these 20 occurrences" in caption


def test_word_senses_says_when_no_layer_beats_chance():
    """Identical sentences with different sense labels cannot be told apart by any layer (whatever
    the model), so no layer is "best" and every neighbour is a tie."""
    at = start(WORD_SENSES)
    widget(at.selectbox, "senses_pick").select("✎ another word …").run()
    widget(at.text_input, "senses_other").input("tank").run()
    widget(at.text_area, "senses_own").input(
        "water | The tank is full .\nwater | The tank is full .\n"
        "army | The tank is full .\narmy | The tank is full .").run()
    assert_no_exception(at)
    accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert list(accuracy["data"][0]["y"]) == pytest.approx([0.5] * 3)
    caption = texts(at.caption)
    assert "Best" not in caption
    assert "No layer separates the senses beyond the noise of these 4 occurrences" in caption
    neighbours = at.dataframe[-1].value
    assert len(neighbours) == 3 * 3 and set(neighbours["same sense"]) == {"tie"}
    assert "say" in caption and "nothing about the sense" in caption


def test_word_senses_crane_caption_matches_the_chart():
    at = start(WORD_SENSES, word="crane")
    accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    scores, chance = accuracy["data"][0]["y"], accuracy["layout"]["shapes"][0]["y0"]
    caption = texts(at.caption)
    # crane with mini: 50 / 50 / 65 % of 20 against 50 % chance: within noise, no best layer
    assert max(scores) < 0.7 and chance == pytest.approx(0.5)
    assert "Best" not in caption and "No layer separates the senses beyond the noise" in caption


def test_word_senses_layer_choice_goes_into_the_link():
    at = start(WORD_SENSES)
    widget(at.selectbox, "senses_pick").select("saw").run()
    widget(at.radio, "senses_layer").set_value(0).run()
    assert_no_exception(at)
    assert at.query_params["word"] == "saw" and at.query_params["layer"] == "0"


def test_word_senses_own_word_and_labelled_sentences():
    at = start(WORD_SENSES)
    widget(at.selectbox, "senses_pick").select("✎ another word …").run()
    widget(at.text_input, "senses_other").input("tank").run()
    assert "occurs 0 times" in texts(at.warning)
    widget(at.text_area, "senses_own").input(
        "water | The fish swam around the tank .\n"
        "water | We filled the tank with rain water .\n"
        "army | The tank rolled into the town .\n"
        "army | A tank fired at the bridge .\n"
        "This line has no target word ."
    ).run()
    assert_no_exception(at)
    assert "1 of your sentences does not contain “tank” and was skipped" in texts(at.warning)
    assert any(f["data"][0]["type"] == "bar" for f in figures(at))


def test_word_senses_adds_wordnet_examples(wordnet):
    at = start(WORD_SENSES, word="bank")
    before = at.dataframe[0].value["sentences"].sum()
    widget(at.checkbox, "senses_wordnet").check().run()
    assert_no_exception(at)
    senses = at.dataframe[0].value
    assert senses["sentences"].sum() > before
    assert any(sense.split(".")[-1].isdigit() for sense in senses["sense"])  # WordNet synset offsets


def test_word_senses_single_word_only():
    at = start(WORD_SENSES)
    widget(at.selectbox, "senses_pick").select("✎ another word …").run()
    widget(at.text_input, "senses_other").input("two words").run()
    assert_no_exception(at)
    assert "single word" in texts(at.warning)


# ---------------------------------------------------------------- UMAP explorer
def count_points(figure: dict) -> dict[str, int]:
    """Points per subplot x axis (``x``, ``x2`` ...), placed points excluded."""
    counts: dict[str, int] = {}
    for trace in figure["data"]:
        if trace.get("name") != "your sentences":
            axis = trace.get("xaxis", "x")
            counts[axis] = counts.get(axis, 0) + len(array(trace["x"]))
    return counts


def test_umap_explorer_projects_every_occurrence_with_pca_at_once():
    at = start(UMAP_EXPLORER, word="bank")
    (scatter,) = figures(at)
    assert scatter["data"][0]["type"] == "scatter"  # SVG: a small map (60 points drawn)
    assert count_points(scatter) == {"x": 20, "x2": 20, "x3": 20}
    assert "20 points" in texts(at.caption)
    assert "<b>" in scatter["data"][0]["text"][0]  # the word is bold in the hover text
    # one spelling: the character layer collapses to a point, the LSTM layers do not (none listed after it)
    assert "In layer 0 (characters) all points coincide" in texts(at.caption)
    assert {b.label for b in at.get("download_button")} == {
        "Download CSV (coordinates + vectors)", "Download the figure (HTML)"}


def test_umap_explorer_one_layer_at_a_time_with_fixed_axes():
    at = start(UMAP_EXPLORER, word="saw", layer="1")
    widget(at.radio, "map_layout").set_value("one at a time").run()
    assert_no_exception(at)
    (scatter,) = figures(at)
    assert count_points(scatter) == {"x": 21}
    assert scatter["layout"]["xaxis"]["range"] == pytest.approx([-1.08, 1.08])
    assert scatter["layout"]["annotations"][0]["text"] == "layer 1 (biLSTM)"


@pytest.mark.slow
def test_umap_explorer_caps_all_tokens_at_5000_points():
    at = start(UMAP_EXPLORER, word="all")
    widget(at.radio, "map_mode").set_value("tokens").run(timeout=600)  # embeds all 741 curated sentences
    assert_no_exception(at)
    assert "first 5,000" in texts(at.info)
    (scatter,) = figures(at)
    # side by side, each layer draws the same fixed sample (SVG: a click redraws in well under a second)
    drawn = count_points(scatter)
    assert set(drawn) == {"x", "x2", "x3"} and len(set(drawn.values())) == 1
    cap = charts.SIDE_BY_SIDE_POINTS
    assert cap <= drawn["x"] < cap + 50 and {t["type"] for t in scatter["data"]} == {"scatter"}
    assert f"each layer draws the same sample of {drawn['x']:,} of them" in texts(at.caption)
    hovers: dict[str, list] = {}
    for trace in scatter["data"]:
        hovers.setdefault(trace.get("xaxis", "x"), []).extend(array(trace["text"]).tolist())
    assert sorted(hovers["x"]) == sorted(hovers["x2"]) == sorted(hovers["x3"])  # the same points in each layer
    widget(at.checkbox, "map_draw_all").check().run(timeout=600)
    assert_no_exception(at)
    (scatter,) = figures(at)
    assert count_points(scatter) == {"x": 5000, "x2": 5000, "x3": 5000}
    assert {t["type"] for t in scatter["data"]} == {"scattergl"}
    assert at.query_params.get("drawn") == ["all"] or at.query_params.get("drawn") == "all"  # the link keeps it
    widget(at.radio, "map_layout").set_value("one at a time").run(timeout=600)
    (scatter,) = figures(at)
    assert count_points(scatter) == {"x": 5000}  # one layer: every point


def test_umap_explorer_unknown_word_is_a_friendly_warning():
    at = start(UMAP_EXPLORER, word="qwertyuiop")
    assert_no_exception(at)
    assert "No sentence in the chosen sources contains “qwertyuiop”" in texts(at.warning)


@pytest.mark.slow
def test_umap_explorer_computes_umap_on_the_button_and_places_new_sentences():
    at = start(UMAP_EXPLORER, word="bank")
    widget(at.radio, "map_projection").set_value("UMAP").run()
    assert "PCA of" in figures(at)[0]["layout"]["title"]["text"]  # not before the button
    widget(at.button, "map_compute").click().run(timeout=600)
    assert_no_exception(at)
    assert "UMAP of 20" in figures(at)[0]["layout"]["title"]["text"]
    widget(at.text_area, "map_place_text").input("We walked along the bank of the canal .")
    widget(at.button, "map_place").click().run(timeout=300)
    assert_no_exception(at)
    placed = [t for t in figures(at)[0]["data"] if t.get("name") == "your sentences"]
    assert len(placed) == 3 and all(len(array(t["x"])) == 1 for t in placed)


# ---------------------------------------------------------------- Models
def test_models_page_shows_the_model_card(mini):
    at = start(MODELS)
    card = at.table[0].value["value"]
    assert card["Model"] == "mini (bundled)"
    assert card["Output layers"].startswith("3 ")
    assert card["LSTM cell size"] == str(mini.config.lstm.dim) == "1024" and card["Projection size"] == "128"
    assert card["Vector width"].startswith("256")
    assert card["Parameters"] == f"{mini.num_parameters():,}"
    assert card["Device"] == str(mini.device)
    assert card["Parameter memory"].endswith("MiB")


def test_models_official_download_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    monkeypatch.setattr("urllib.request.urlopen", _offline)
    at = start(MODELS)
    widget(at.radio, "models_source").set_value("Official ELMo (download)").run()
    widget(at.button, "models_download").click().run()
    assert_no_exception(at)
    assert "offline" in texts(at.error)
    assert at.table[0].value["value"]["Model"] == "mini (bundled)"  # the choice did not change


def _offline(*args, **kwargs):
    import urllib.error

    raise urllib.error.URLError("Name or service not known")


def test_models_local_folder_applies_to_every_page(reference_dir):
    at = start(MODELS)
    widget(at.radio, "models_source").set_value("Local folder").run()
    widget(at.text_input, "models_folder").input(str(reference_dir)).run()
    widget(at.button, "models_load_folder").click().run()
    assert_no_exception(at)
    assert "Every page now uses" in texts(at.success)
    card = at.table[0].value["value"]
    assert card["Model"] == f"{reference_dir.name} (local files)"
    assert f"{reference_dir.name} (local files)" in texts(at.sidebar.caption)  # at once, not a click later
    shared = at.sidebar.code[0].value  # the link to this view names no local model and no path
    assert "model=" not in shared and str(reference_dir) not in shared and reference_dir.name not in shared
    at.switch_page("app.py").run()
    assert_no_exception(at)
    assert f"{reference_dir.name} (local files)" in texts(at.caption)
    assert len(heatmaps(at)) == 3


def test_models_missing_folder_and_corrupt_upload_are_friendly_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    at = start(MODELS)
    widget(at.radio, "models_source").set_value("Local folder").run()
    widget(at.text_input, "models_folder").input(str(tmp_path / "nowhere")).run()
    widget(at.button, "models_load_folder").click().run()
    assert "not a model folder" in texts(at.error)

    widget(at.radio, "models_source").set_value("Upload files").run()
    options = (REPO / "elmo_core" / "models" / "mini" / "options.json").read_bytes()
    at.file_uploader[0].set_value(("options.json", options, "application/json"))
    at.file_uploader[1].set_value(("weights.hdf5", b"this is not an hdf5 file", "application/octet-stream"))
    at.run()
    widget(at.button, "models_load_upload").click().run()
    assert_no_exception(at)
    assert "not a usable ELMo model" in texts(at.error)
    at.file_uploader[0].set_value(("options.json", b"{not json", "application/json"))
    at.run()
    widget(at.button, "models_load_upload").click().run()
    assert "not a usable ELMo model" in texts(at.error)
    assert at.table[0].value["value"]["Model"] == "mini (bundled)"


# ---------------------------------------------------------------- pure UI helpers
def test_hover_text_bolds_the_word_and_wraps():
    from elmo_explorer_ui.texts import hover_sentence

    tokens = "The quick brown fox jumped over the <lazy> dog near the river bank today .".split()
    text = hover_sentence(tokens, tokens.index("bank"), width=30)
    assert "<b>bank</b>" in text and "&lt;lazy&gt;" in text
    assert all(len(line.replace("<b>", "").replace("</b>", "")) <= 36 for line in text.split("<br>"))
    assert text.count("<br>") >= 2


def test_export_table_has_coordinates_and_vectors_per_layer():
    import pandas as pd

    from elmo_explorer_ui.points import export_table

    points = pd.DataFrame({"token": ["a", "b"], "sense": ["x", "y"], "hover": ["<b>a</b>", "<b>b</b>"]})
    vectors = np.arange(3 * 2 * 4, dtype=np.float32).reshape(3, 2, 4)
    coords = {0: np.zeros((2, 2)), 2: np.ones((2, 2))}
    table = export_table(points, coords, vectors, "PCA")
    assert list(table.columns) == ["layer", "projection", "x", "y", "token", "sense", "v0", "v1", "v2", "v3"]
    assert table["layer"].tolist() == [0, 0, 2, 2]
    assert table.loc[2, ["v0", "v1", "v2", "v3"]].tolist() == vectors[2, 0].tolist()


def test_bundled_model_counts_as_trained_only_with_its_model_card(tmp_path, monkeypatch):
    from elmo_explorer_ui import model_info

    monkeypatch.setattr(model_info, "bundled_model_dir", lambda name: tmp_path)
    spec = model_info.DEFAULT_SPEC
    assert model_info.model_maturity(spec).is_provisional
    (tmp_path / "MODEL_CARD.md").write_text("# mini\n\nheld-out perplexity 123\n")
    assert not model_info.model_maturity(spec).is_provisional
    assert "perplexity 123" in model_info.model_card_markdown(spec)
    assert not model_info.model_maturity(model_info.official_spec("small")).is_provisional


def test_word_senses_draws_the_no_language_model_baseline():
    """The dotted line is the bag-of-context-words accuracy (GloVe, window 5) of the same
    occurrences, as `elmo-explorer quality` computes it."""
    from elmo_core.analysis.context_baseline import context_baseline_accuracy
    from elmo_core.datasets.glove import load_glove
    from elmo_core.datasets.sense_sentences import sentences_for

    expected = context_baseline_accuracy(sentences_for("star"), load_glove()).accuracy  # fetches GloVe if needed
    at = start(WORD_SENSES, word="star")
    accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    chance, baseline = accuracy["layout"]["shapes"][:2]
    assert chance["line"]["dash"] == "dash" and baseline["line"]["dash"] == "dot"
    assert baseline["y0"] == pytest.approx(expected)
    assert "no language model" in accuracy["layout"]["annotations"][1]["text"]
    assert f"classifies {expected:.0%} of these occurrences" in texts(at.caption)


def test_word_senses_puts_the_layer_against_the_baseline_with_its_noise():
    """The caption gives the chosen layer's margin over the context words, in points, with a
    bootstrap interval and what it allows one to say (20 sentences cannot tell a few points)."""
    import re

    at = start(WORD_SENSES, word="bank", layer="2")
    accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    layer2, baseline = accuracy["data"][0]["y"][2], accuracy["layout"]["shapes"][1]["y0"]
    caption = texts(at.caption)
    found = re.search(r"layer 2 \(biLSTM\): ([+-]\d+) points on these (\d+) occurrences "
                      r"\(95% interval ([+-]\d+) to ([+-]\d+)", caption)
    assert found, caption
    points, n, low, high = (int(g) for g in found.groups())
    assert n == 20 and points == round(100 * (layer2 - baseline))
    assert low <= points <= high and high - low >= 10  # 20 sentences: an interval of many points
    verdict = "ahead of" if low > 0 else "behind" if high < 0 else "within the noise"
    assert verdict in caption.split("occurrences (95% interval")[1]


def test_word_senses_reads_the_installed_glove_before_a_corrupt_cache(tmp_path, monkeypatch):
    """The page never downloads GloVe and reads the installed package first: unreadable GloVe
    files in the cache change nothing (the empty cache: tests/test_glove_first_visit.py)."""
    import streamlit as st

    folder = tmp_path / "vectors" / "glove-6b-50d"
    folder.mkdir(parents=True)
    (folder / "vectors.npy").write_bytes(b"not a numpy file")
    (folder / "index.parquet").write_bytes(b"not parquet either")
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    st.cache_resource.clear()  # the table a previous test may have cached
    st.cache_data.clear()
    try:
        at = start(WORD_SENSES, word="star")
        accuracy = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
        assert [shape["line"]["dash"] for shape in accuracy["layout"]["shapes"]] == ["dash", "dot"]
        assert "Dotted line: with no language model at all" in texts(at.caption)
        assert not list(tmp_path.rglob("*.whl"))  # nothing was fetched
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()

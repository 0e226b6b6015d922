"""The Corpus explorer page (pages/6_Corpus_explorer.py) on small corpora embedded by the local
engine, run headless with AppTest."""
from __future__ import annotations

from collections import Counter

import pytest
from bulk_helpers import fortune_sentences, write_lines
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, TIMEOUT, assert_no_exception, count_points, figures, texts, widget

from elmo_core.bulk import CorpusJobConfig, embed_corpus

PAGE = "pages/6_Corpus_explorer.py"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus_page")
    sentences = fortune_sentences(120)
    source = write_lines(tmp / "in.txt", sentences)
    embed_corpus(CorpusJobConfig(str(source), tmp / "all", shard_size=50, progress=False))
    embed_corpus(CorpusJobConfig(str(source), tmp / "top", shard_size=50, layers="top", progress=False))
    counts = Counter(t.lower() for s in sentences for t in s)
    first = min((w for w in counts if any(ch.isalpha() for ch in w)), key=lambda w: (-counts[w], w))
    return tmp, first, counts


def start_with_folder_box() -> AppTest:
    """The page with its "A folder on this server" source chosen (the sample corpus is not built)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.session_state["corpus_source"] = "A folder on this server"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    return at


def open_corpus(folder) -> object:
    at = start_with_folder_box()
    widget(at.text_input, "corpus_folder").input(str(folder)).run()
    assert_no_exception(at)
    return at


def test_corpus_explorer_maps_every_occurrence_of_the_first_word_per_layer(corpora):
    tmp, first, counts = corpora
    at = open_corpus(tmp / "all")
    assert "120 sentences" in texts(at.caption)
    assert widget(at.selectbox, "corpus_word").value == first  # the most frequent word with a letter
    n = counts[first]
    (scatter,) = figures(at)
    assert count_points(scatter) == {"x": n, "x2": n, "x3": n}
    assert [a["text"] for a in scatter["layout"]["annotations"]] == [
        "layer 0 (characters)", "layer 1 (biLSTM)", "layer 2 (biLSTM)"]
    assert f"<b>{first}</b>" in str(scatter["data"][0]["text"][0]).lower()
    assert f"all {n:,} occurrences" in texts(at.caption)
    assert str(tmp) not in " ".join(str(e.value) for e in [*at.caption, *at.markdown, *at.warning])


def test_corpus_explorer_says_when_the_character_layer_is_one_point(corpora):
    tmp, first, counts = corpora
    spellings = Counter(t for s in fortune_sentences(120) for t in s)
    at = open_corpus(tmp / "all")
    assert {w for w in spellings if w.lower() == first} == {"a", "A"}  # two spellings: two points
    assert "all points coincide" not in texts(at.caption)
    one_spelling = next(w for w, n in spellings.most_common() if n >= 5 and w.isalpha() and w.islower()
                        and spellings[w.capitalize()] == 0 and spellings[w.upper()] == 0)
    widget(at.selectbox, "corpus_word").set_value(one_spelling).run()
    assert_no_exception(at)
    assert "In layer 0 all points coincide" in texts(at.caption)


def test_corpus_explorer_caps_the_sample_and_takes_a_typed_word(corpora):
    tmp, _, counts = corpora
    at = open_corpus(tmp / "all")
    widget(at.selectbox, "corpus_word").set_value("the").run()
    widget(at.slider, "corpus_cap").set_value(50).run()
    assert_no_exception(at)
    assert counts["the"] > 50
    assert count_points(figures(at)[0])["x"] == 50
    assert f"a random 50 of {counts['the']:,} occurrences" in texts(at.caption)
    widget(at.selectbox, "corpus_word").set_value("✎ another word …").run()
    widget(at.text_input, "corpus_other").input("zyzzyva").run()
    assert_no_exception(at)
    assert "does not occur in this corpus" in texts(at.warning)


def test_corpus_explorer_top_layer_corpus_has_one_map(corpora):
    tmp, first, counts = corpora
    at = open_corpus(tmp / "top")
    (scatter,) = figures(at)
    assert count_points(scatter) == {"x": counts[first]}
    assert scatter["layout"]["annotations"][0]["text"] == "top layer"


def test_corpus_explorer_other_folders_get_a_warning_without_their_path(tmp_path):
    at = start_with_folder_box()
    assert "Type the folder of a corpus embedded on this server" in texts(at.info)
    for folder in (tmp_path / "missing", tmp_path):
        widget(at.text_input, "corpus_folder").input(str(folder)).run()
        assert_no_exception(at)
        assert at.warning and str(tmp_path) not in texts(at.warning)
        assert not figures(at)

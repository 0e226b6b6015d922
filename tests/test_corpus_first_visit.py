"""
The Corpus explorer works on a first visit, with nothing prepared on the server (an empty cache):
it offers the sample corpus, embeds it in the background with a progress bar (bundled mini, the
real bulk local engine) and explores it; a visitor's text file is embedded and explored the same
way; oversized files and any folder name, however long or odd, get a clear message, never an
exception. AppTest, real model, real files.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from test_app_pages import APP, TIMEOUT, assert_no_exception

PAGE = "pages/6_Corpus_explorer.py"
UPLOAD_TEXT = ("She sat on the bank of the river. The bank lent him money for a boat.\n\n"
               "He rowed the boat to the bank. The river bank was muddy after the rain.\n")


@pytest.fixture(scope="module")
def fresh_cache(tmp_path_factory):
    """An empty cache folder for the whole module (the sample corpus is built once in it)."""
    folder = tmp_path_factory.mktemp("cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("ELMO_EXPLORER_CACHE", str(folder))
    yield folder
    patch.undo()


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    return at


def widget(elements, key: str):
    return next(e for e in elements if e.key == key)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.success)
             for e in kind]
    return " ".join(str(p) for p in parts)


def test_first_visit_embeds_and_shows_the_sample_corpus(fresh_cache):
    at = open_page()
    assert widget(at.radio, "corpus_source").value == "Sample corpus"
    assert "921 sentences" in " ".join(c.value for c in at.caption)  # the embedded sample's summary
    assert at.get("plotly_chart"), "no map of the sample corpus"
    assert "bank" in widget(at.selectbox, "corpus_word").options or any(
        o.startswith("bank") for o in widget(at.selectbox, "corpus_word").options)
    assert "embed-corpus" not in page_text(at)  # no command line on the page
    sample_dirs = list((fresh_cache / "corpora").glob("sample-mini-*"))
    assert len(sample_dirs) == 1 and (sample_dirs[0] / "corpus" / "manifest.json").is_file()

    again = open_page()  # a later visit reuses the cached corpus
    assert again.get("plotly_chart") and list((fresh_cache / "corpora").glob("sample-mini-*")) == sample_dirs


@pytest.mark.parametrize("typed", ["a" * 1000, "x" * 300, "/tmp/" + "long-name" * 40, "~no_such_user_here/corpus"])
def test_any_folder_name_gets_a_clear_message(fresh_cache, typed):
    at = open_page()
    widget(at.radio, "corpus_source").set_value("A folder on this server").run()
    widget(at.text_input, "corpus_folder").input(typed).run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "too long, or odd characters" in warnings or "does not exist" in warnings, warnings
    assert not at.get("plotly_chart")


def test_an_uploaded_text_file_is_embedded_and_explored(fresh_cache):
    at = open_page()
    widget(at.radio, "corpus_source").set_value("Your text file").run()
    assert "Upload a text file" in " ".join(i.value for i in at.info)
    at.file_uploader[0].set_value(("river.txt", UPLOAD_TEXT.encode(), "text/plain")).run()
    assert_no_exception(at)
    captions = " ".join(c.value for c in at.caption)
    assert "4 sentences" in captions, captions
    assert widget(at.selectbox, "corpus_word").value == "the"
    widget(at.selectbox, "corpus_word").set_value("bank").run()
    assert "Showing all 4 occurrences" in " ".join(c.value for c in at.caption)
    assert at.get("plotly_chart")
    kept = list((fresh_cache / "corpora" / "uploads").iterdir())
    assert len(kept) == 1  # one folder for this session


@pytest.mark.parametrize("data, message", [(b"word " * 30_000, "bytes"), (b"w\n" * 3000, "lines"),
                                           (b"\xff\xfe bad \x80 bytes", "not UTF-8")])
def test_an_oversized_or_unreadable_upload_is_refused(fresh_cache, data, message):
    at = open_page()
    widget(at.radio, "corpus_source").set_value("Your text file").run()
    at.file_uploader[0].set_value(("big.txt", data, "text/plain")).run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "is not embedded" in warnings and message in warnings, warnings
    assert not at.get("plotly_chart")


def test_a_build_reports_its_progress_part_by_part(tmp_path):
    """The page's progress bar reads ``done`` of ``total`` shards from the build, which the
    embedding job reports after each shard (elmo_core.bulk.embed_corpus's ``on_shard``)."""
    import time

    from elmo_explorer_ui.corpus_build import SHARD_SENTENCES, CorpusBuild

    lines = [f"The bank number {i} lent money to the river town ." for i in range(2 * SHARD_SENTENCES + 10)]
    build = CorpusBuild(tmp_path / "job").start("\n".join(lines) + "\n")
    seen = set()
    deadline = time.monotonic() + 300
    while not build.finished and time.monotonic() < deadline:
        seen.add((build.done, build.total))
        time.sleep(0.05)
    assert build.finished and build.error is None
    assert (build.done, build.total) == (3, 3) and build.fraction == 1.0
    assert seen <= {(0, 0), (0, 3), (1, 3), (2, 3), (3, 3)}, seen
    assert build.is_complete()

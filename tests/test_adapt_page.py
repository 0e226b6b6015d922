"""
"Adapt to my text" on the Models page, with AppTest, the bundled mini and 300 real product-review
sentences (VADER's Amazon set, a domain mini has not seen): an upload trains in the background
(``ELMO_EXPLORER_ADAPT_TEST_SECONDS`` makes every budget a few seconds), the adapted model is
listed with a lower held-out perplexity and can be used; an oversized, overlong or binary upload
gets a clear message and leaves nothing on disk; a model without a softmax cannot be adapted;
a cancelled run leaves no model folder and can be started again. No server path is shown.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from elmo_core.training.adapt import AdaptConfig
from elmo_explorer_ui.adapt_run import AdaptRun, adapted_models, new_adapted_folder, prune_adapted
from elmo_explorer_ui.runtime import MODEL_KEY
from elmo_explorer_ui.model_info import ModelSpec
from elmo_explorer_ui.settings import LIMITS
from test_perplexity_command import OFFICIAL_FIXTURE, amazon_lines

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 180


@pytest.fixture(scope="module")
def reviews() -> bytes:
    return ("\n".join(amazon_lines(300)) + "\n").encode("utf-8")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "a-cache-folder"
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(folder))
    monkeypatch.setenv("ELMO_EXPLORER_ADAPT_TEST_SECONDS", "6")
    return folder


def models_page(spec: ModelSpec | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "elmo_explorer_ui" / "app.py"), default_timeout=TIMEOUT)
    if spec is not None:
        at.session_state[MODEL_KEY] = spec
    at.run()
    at.switch_page("pages/3_Models.py").run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def shown(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("error", "warning", "info", "success", "caption", "markdown")
                    for e in at.get(kind))


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="adapt_upload").set_value((name, data, "text/plain"))
    at.run()
    assert_ok(at)


def wait_for_end(at: AppTest, timeout: float = TIMEOUT) -> None:
    """Wait for this session's run to end, then rerun the page, which collects it."""
    if "adapt_run" in at.session_state:  # else it ended (and was collected) already
        assert at.session_state["adapt_run"].join(timeout), "the adaptation did not end in time"
    at.run()
    assert_ok(at)
    assert "adapt_run" not in at.session_state


def test_an_upload_adapts_mini_in_the_background_and_the_model_is_listed_and_usable(cache, reviews, monkeypatch):
    at = models_page()
    upload(at, "reviews.txt", reviews)
    assert "300 lines of text" in shown(at)
    at.radio(key="adapt_minutes").set_value(LIMITS.adapt_budgets_min[0]).run()
    at.button(key="adapt_start").click().run()
    assert_ok(at)
    run = at.session_state["adapt_run"]
    assert isinstance(run, AdaptRun) and run.budget_s == 6
    assert at.get("progress"), "a running adaptation shows its progress bar"
    wait_for_end(at)
    success = " ".join(s.value for s in at.success)
    assert "mini-reviews is ready" in success and "held-out perplexity forward" in success, shown(at)
    [model] = adapted_models()
    assert model.folder == cache / "adapted" / "mini-reviews" and model.source == "mini" and model.text == "reviews.txt"
    for direction in ("forward", "backward"):
        assert model.after[direction] < model.before[direction], (model.before, model.after)
    assert model.tokens > 0
    table = at.table[0].value
    assert list(table.index) == ["mini-reviews"]
    assert "→" in table["held-out perplexity, before → after"].iloc[0]
    # Nothing else is left: no run checkpoint, no partial folder.
    assert not (cache / "adapt").exists() or not any((cache / "adapt").iterdir())
    assert [p.name for p in (cache / "adapted").iterdir()] == ["mini-reviews"]
    summary = json.loads((model.folder / "training_summary.json").read_text())
    assert summary["adaptation"]["text"] == "reviews.txt"
    # Use it: every page now uses the adapted model, named without its server path.
    at.button(key="adapt_use").click().run()
    assert_ok(at)
    assert at.table[-1].value["value"]["Model"] == "adapted mini-reviews (local files)"
    assert at.session_state[MODEL_KEY] == model.spec()
    assert str(cache) not in shown(at)
    # A served app (no local folders) lists a session only the models it adapted itself.
    monkeypatch.setenv("ELMO_EXPLORER_ALLOW_LOCAL_FOLDER", "0")
    at.run()
    assert list(at.table[0].value.index) == ["mini-reviews"]
    other_session = models_page()
    assert "No adapted model yet." in shown(other_session) and not [t for t in other_session.table
                                                                    if "adapted model" in str(t.value.index.name)]


def test_oversized_overlong_and_binary_uploads_get_a_message_and_leave_nothing(cache):
    at = models_page()
    cases = {
        "big.txt": (b"a few words\n" * (LIMITS.adapt_text_bytes // 12 + 1), "bytes"),
        "lines.txt": (b"word\n" * (LIMITS.adapt_text_lines + 1), "lines"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        "latin1.txt": ("caf\u00e9 au lait\n".encode("latin-1"), "not valid UTF-8 at line 1"),
    }
    for name, (data, words) in cases.items():
        upload(at, name, data)
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and words in errors[0], (name, errors)
        assert at.button(key="adapt_start").disabled
        assert str(cache) not in shown(at) and "/" not in errors[0]
    texts = cache / "adapt-texts"
    assert not texts.exists() or not any(p.is_file() for p in texts.rglob("*"))


def test_a_text_too_short_to_train_on_says_so_and_leaves_nothing(cache, reviews):
    at = models_page()
    upload(at, "few.txt", b"\n".join(reviews.splitlines()[:6]) + b"\n")
    at.button(key="adapt_start").click().run()
    wait_for_end(at)
    [error] = [e.value for e in at.error]
    assert "The adaptation failed" in error and "Upload a longer text" in error and "--" not in error, error
    no_leftovers(cache)


def test_a_model_without_a_softmax_cannot_be_adapted(cache):
    at = models_page(ModelSpec(kind="local", name="official fixture", path=str(OFFICIAL_FIXTURE)))
    infos = " ".join(i.value for i in at.info)
    assert "cannot be adapted" in infos and "no trained softmax" in infos
    assert not [u for u in at.get("file_uploader") if u.key == "adapt_upload"]
    assert str(OFFICIAL_FIXTURE) not in shown(at)


def no_leftovers(cache: Path) -> None:
    """No adapted model, no partial folder, no run checkpoint in the cache."""
    for folder in (cache / "adapted", cache / "adapt"):
        assert not folder.exists() or not any(folder.iterdir()), sorted(p.name for p in folder.iterdir())


def test_a_cancelled_run_leaves_no_model_folder_and_can_start_again(cache, reviews, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_ADAPT_TEST_SECONDS", "600")  # only a Cancel ends it
    at = models_page()
    upload(at, "reviews.txt", reviews)
    for attempt in range(2):
        at.button(key="adapt_start").click().run()
        assert_ok(at)
        run = at.session_state["adapt_run"]
        if attempt == 0:  # the first Cancel once the run has its checkpoint, the second at once
            deadline = time.monotonic() + TIMEOUT
            while run.snapshot().phase == "preparing":
                assert time.monotonic() < deadline and run.running, run.snapshot()
                time.sleep(0.2)
            at.run()
        at.button(key="adapt_cancel").click().run()
        assert_ok(at)
        wait_for_end(at)
        assert run.status == "cancelled"
        assert "cancelled: nothing was kept" in " ".join(i.value for i in at.info)
        no_leftovers(cache)
        assert not at.button(key="adapt_start").disabled  # the text is still there: start again


def test_a_cancel_in_mid_training_stops_before_the_next_step_and_leaves_nothing(cache, reviews, tmp_path):
    text = tmp_path / "reviews.txt"
    text.write_bytes(reviews)
    out = cache / "adapted" / "mini-reviews"
    run = AdaptRun(AdaptConfig("mini", str(text), str(out), eval_every=1), budget_s=600).start()
    deadline = time.monotonic() + TIMEOUT
    while run.snapshot().before is None:  # training has begun
        assert time.monotonic() < deadline and run.running, run.snapshot()
        time.sleep(0.2)
    run.cancel()
    assert run.join(TIMEOUT)
    snap = run.snapshot()
    assert snap.status == "cancelled" and snap.result is None and snap.before is not None
    assert not out.exists()
    no_leftovers(cache)


def test_only_the_newest_adapted_models_are_kept(tmp_path):
    root = tmp_path / "adapted"
    for age, name in enumerate(["e", "d", "c", "b", "a"]):  # "a" the oldest
        (root / name).mkdir(parents=True)
        (root / name / "weights.hdf5").write_bytes(b"x")
        os.utime(root / name, (time.time() - 100 * age, time.time() - 100 * age))
    stale, fresh = root / ".old.partial", root / ".new.partial"
    stale.mkdir()
    fresh.mkdir()
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    removed = prune_adapted(2, root, protect=(root / "a",))
    assert sorted(p.name for p in root.iterdir()) == [".new.partial", "a", "d", "e"]  # a protected, a run's export kept
    assert sorted(p.name for p in removed) == [".old.partial", "b", "c"]
    assert new_adapted_folder("mini", "e.txt", root) == root / "mini-e"
    (root / "mini-e").mkdir()
    assert new_adapted_folder("/some/where/mini", "e.txt", root) == root / "mini-e-2"


PAGES = ("pages/1_Word_senses.py", "pages/2_UMAP_explorer.py", "pages/3_Models.py", "pages/4_Sentiment.py",
         "pages/5_Scalar_mix_lab.py", "pages/6_Corpus_explorer.py", "pages/7_Lesson.py", "pages/8_Inside_the_biLM.py")


def test_an_adapted_model_loads_on_every_page(tmp_path, reviews, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    text = tmp_path / "reviews.txt"
    text.write_bytes(reviews)
    out = tmp_path / "mini-reviews"
    run = AdaptRun(AdaptConfig("mini", str(text), str(out), device="cpu", num_threads=1, eval_every=1), budget_s=6)
    assert run.start().join(TIMEOUT), "the adaptation did not end in time"
    assert run.snapshot().status == "done" and (out / "weights.hdf5").is_file(), run.snapshot()
    spec = ModelSpec(kind="local", name="mini adapted to reviews", path=str(out))
    at = AppTest.from_file(str(REPO / "elmo_explorer_ui" / "app.py"), default_timeout=TIMEOUT)
    at.session_state[MODEL_KEY] = spec
    at.run()
    assert_ok(at)
    assert at.get("plotly_chart"), "the Sentence lab draws its heatmaps with the adapted model"
    for page in PAGES:
        at.switch_page(page).run()
        assert_ok(at)
        assert at.session_state[MODEL_KEY] == spec, page
        assert not [e.value for e in at.error], (page, [e.value for e in at.error])
    at.switch_page("pages/8_Inside_the_biLM.py").run()
    assert "prefers the real word order" in shown(at) or "does not prefer" in shown(at)  # its own softmax

"""
The Models page whatever the input: no traceback, no server path, the
"Local folder" option can be switched off, and uploads leave nothing behind when refused.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def models_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "elmo_explorer_ui" / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/3_Models.py").run()
    return at


def widget(elements, key: str):
    return next(e for e in elements if e.key == key)


def shown(at: AppTest) -> str:
    return " ".join(e.value for kind in (at.error, at.warning, at.info, at.success, at.caption, at.markdown)
                    for e in kind)


def load_folder(at: AppTest, typed: str) -> None:
    widget(at.text_input, "models_folder").input(typed).run()
    widget(at.button, "models_load_folder").click().run()


def test_any_typed_folder_gives_only_not_a_model_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    at = models_page()
    widget(at.radio, "models_source").set_value("Local folder").run()
    for typed in ["x" * 300, "/" + "a" * 300 + "/options.json", str(tmp_path / ("b" * 300)),
                  "~no_such_user_elmo/model", "nul\x00byte", str(tmp_path / "empty"), str(tmp_path / "missing"),
                  str(tmp_path / "file.txt"), "/" * 5000]:
        load_folder(at, typed)
        assert not at.exception, (typed[:40], [e.value for e in at.exception])
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and "not a model folder" in errors[0], (typed[:40], errors)
        assert str(tmp_path) not in shown(at) and "missing" not in errors[0]
    assert at.table[0].value["value"]["Model"] == "mini (bundled)"


def test_local_folder_can_be_switched_off_for_a_served_app(monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_ALLOW_LOCAL_FOLDER", "0")
    at = models_page()
    assert "Local folder" not in widget(at.radio, "models_source").options
    assert "Upload files" in widget(at.radio, "models_source").options
    monkeypatch.setenv("ELMO_EXPLORER_ALLOW_LOCAL_FOLDER", "1")
    at.run()
    assert "Local folder" in widget(at.radio, "models_source").options


def upload(at: AppTest, options: bytes, weights: bytes, name: str = "weights.hdf5") -> None:
    at.file_uploader[0].set_value(("options.json", options, "application/json"))
    at.file_uploader[1].set_value((name, weights, "application/octet-stream"))
    at.run()
    widget(at.button, "models_load_upload").click().run()


@pytest.mark.parametrize("bad", ["text", "options", "nan-clip", "huge"])
def test_refused_uploads_name_no_server_path_and_leave_nothing(reference_dir, tmp_path, monkeypatch, bad):
    cache = tmp_path / "a-cache-folder"
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(cache))
    options = (reference_dir / "options.json").read_bytes()
    weights = (reference_dir / "lm_weights.hdf5").read_bytes()
    if bad == "text":
        weights = b"this is not an hdf5 file"
    elif bad == "options":
        options = b"{not json"
    elif bad == "nan-clip":
        parsed = json.loads(options)
        parsed["lstm"]["cell_clip"] = float("nan")
        options = json.dumps(parsed).encode()  # the bare NaN of Python's JSON
    else:  # 1 KB of options for 1.2 billion parameters (the limit refuses it unread)
        parsed = json.loads(options)
        parsed["lstm"].update(dim=8192, projection_dim=4096)
        options = json.dumps(parsed).encode()
    at = models_page()
    widget(at.radio, "models_source").set_value("Upload files").run()
    upload(at, options, weights)
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "not a usable ELMo model" in error
    assert str(cache) not in error and "a-cache-folder" not in error and "uploads" not in error, error
    uploads = cache / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert at.table[0].value["value"]["Model"] == "mini (bundled)"


def test_a_usable_upload_is_kept_and_an_old_one_pruned(reference_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    monkeypatch.setenv("ELMO_EXPLORER_UPLOAD_CACHE_MB", "1")
    old = tmp_path / "uploads" / "0123456789abcdef"
    old.mkdir(parents=True)
    (old / "weights.hdf5").write_bytes(b"\0" * 700_000)
    at = models_page()
    widget(at.radio, "models_source").set_value("Upload files").run()
    upload(at, (reference_dir / "options.json").read_bytes(), (reference_dir / "lm_weights.hdf5").read_bytes(),
           name="my.hdf5")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Every page now uses upload my.hdf5" in " ".join(s.value for s in at.success).replace("\\", "")
    (kept,) = (tmp_path / "uploads").iterdir()  # the older upload made room
    assert kept != old and sorted(p.name for p in kept.iterdir()) == ["options.json", "weights.hdf5"]
    assert at.table[0].value["value"]["Model"].replace("\\", "") == "upload my.hdf5 (local files)"


def test_error_descriptions_cut_server_paths():
    from elmo_core import WeightsError
    from elmo_explorer_ui.runtime import describe_error

    text = describe_error(WeightsError("/srv/home/me/.cache/elmo-explorer/uploads/.checking-x/weights.hdf5 is bad"))
    assert "/srv" not in text and "uploads" not in text and "weights.hdf5 is bad" in text
    text = describe_error(OSError(36, "File name too long", "/a/" + "b" * 300))
    assert "/a/" not in text

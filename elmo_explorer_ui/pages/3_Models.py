"""Models: choose which ELMo model every page uses, and see its model card."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import elmo_core
from elmo_core.cache import cache_dir
from elmo_core.registry import OFFICIAL_MODELS, fetch_official
from elmo_explorer_ui.model_info import (DEFAULT_SPEC, ModelSpec, format_bytes, is_official_cached, local_spec,
                                         model_card, model_card_markdown, official_spec, split_model_card)
from elmo_explorer_ui.runtime import (current_spec, describe_error, load_model, page_setup, show_model_notice,
                                      use_model)
from elmo_explorer_ui.safe_text import document_markdown, md, redact_paths
from elmo_explorer_ui.settings import server_settings
from elmo_explorer_ui.texts import short
from elmo_explorer_ui.uploads import UploadError, discard_upload, keep_upload

BUNDLED, OFFICIAL, LOCAL, UPLOAD = "Bundled mini", "Official ELMo (download)", "Local folder", "Upload files"
NOT_A_MODEL_FOLDER = "That is not a model folder: a model folder holds options.json and weights.hdf5."


def switch_to(spec: ModelSpec) -> bool:
    """Load ``spec`` (cached) and make it the model of every page; errors become messages."""
    try:
        with st.spinner(f"Loading {md(spec.title)} …"):
            load_model(spec)
    except Exception as exc:  # noqa: BLE001 - shown to the user
        st.error(f"Could not load {md(spec.title)}: {md(describe_error(exc))}")
        return False
    use_model(spec)
    st.success(f"Every page now uses {md(spec.title)}.")
    return True


def bundled_caption() -> str:
    """One line on the bundled model, its sizes read from its options.json."""
    try:
        lstm = elmo_core.ElmoConfig.from_json(DEFAULT_SPEC.directory() / "options.json").lstm
    except (OSError, TypeError, ValueError):  # ConfigError is a ValueError
        return "A small ELMo trained for this project."
    return (f"A small ELMo ({lstm.n_layers} biLSTM layers, LSTM {lstm.dim}, projection {lstm.projection_dim}) "
            "trained for this project.")


def download_with_progress(name: str) -> bool:
    bar = st.progress(0.0, text=f"Downloading {name} …")

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading {name}: {format_bytes(done)} of {format_bytes(total)}")
        else:
            bar.progress(0.0, text=f"Downloading {name}: {format_bytes(done)}")

    try:
        fetch_official(name, progress=False, callback=report)
    except elmo_core.ModelUnavailable as exc:
        bar.empty()
        st.error("The download failed — are you offline? " + md(redact_paths(str(exc).split("\n")[0])))
        with st.expander("How to install it by hand"):
            st.code(str(exc).replace(str(cache_dir()), "$ELMO_EXPLORER_CACHE"), language=None)
        return False
    bar.progress(1.0, text=f"{name} is in the cache.")
    return True


page_setup(
    "Models",
    "The bundled **mini** model works offline. The official AllenNLP models are downloaded "
    "once into the cache. Your choice applies to every page of this session.")

# ---------------------------------------------------------------- choose a model
settings = server_settings()
sources = [BUNDLED, OFFICIAL, *([LOCAL] if settings.allow_local_folder else []), UPLOAD]
source = st.radio("Model source", sources, key="models_source", horizontal=True)
if source == BUNDLED:
    st.caption(bundled_caption())
    if st.button("Use mini", key="models_use_mini"):
        switch_to(DEFAULT_SPEC)
elif source == OFFICIAL:
    name = st.selectbox("Official model", list(OFFICIAL_MODELS), key="models_official",
                        format_func=lambda n: f"{n} — {OFFICIAL_MODELS[n].description}"
                        + (" (in cache)" if is_official_cached(n) else ""))
    cached = is_official_cached(name)
    if st.button("Use it" if cached else "Download and use", key="models_download"):
        if cached or download_with_progress(name):
            switch_to(official_spec(name))
elif source == LOCAL:
    folder = st.text_input("Folder with options.json and weights.hdf5 (or the path of either file)",
                           key="models_folder", placeholder="/path/to/my_elmo")
    if st.button("Load folder", key="models_load_folder"):
        if not folder.strip():
            st.warning("Type the path of a folder first.")
        elif (chosen := local_spec(folder)) is None:
            st.error(NOT_A_MODEL_FOLDER)
        else:
            switch_to(chosen)
else:
    st.caption("Uploads are limited by Streamlit's upload size (200 MB by default); for the large "
               "official models use the download" + (" or a local folder." if settings.allow_local_folder else "."))
    up_options = st.file_uploader("options.json", type=["json"], key="models_up_options")
    up_weights = st.file_uploader("weights.hdf5", type=["hdf5", "h5"], key="models_up_weights")
    if st.button("Load uploaded model", key="models_load_upload", disabled=not (up_options and up_weights)):
        try:
            with st.spinner("Checking the files …"):
                folder = keep_upload(up_options.getvalue(), up_weights.getvalue(),
                                     max_parameters=settings.upload_max_parameters,
                                     budget_bytes=settings.upload_cache_bytes)
        except (UploadError, elmo_core.WeightsError, elmo_core.ConfigError) as exc:
            st.error(f"These files are not a usable ELMo model: {md(redact_paths(str(exc)))}")
        except OSError as exc:
            st.error(f"These files could not be stored: {md(describe_error(exc))}")
        else:
            if not switch_to(ModelSpec(kind="local", name=f"upload {short(up_weights.name, 60)}", path=str(folder))):
                discard_upload(folder)

# ---------------------------------------------------------------- model card of the current model
st.divider()
spec = current_spec()
st.subheader(f"Model card: {md(spec.title)}")
show_model_notice()
try:
    bilm = load_model(spec)
except Exception as exc:  # noqa: BLE001
    st.error(f"The current model could not be loaded: {md(describe_error(exc))}")
    st.stop()
card = model_card(bilm, spec)
st.table(pd.DataFrame({"value": [md(v) for v in card.values()]}, index=pd.Index(list(card), name="model card")))
if spec != DEFAULT_SPEC and st.button("Back to the bundled mini", key="models_reset"):
    use_model(DEFAULT_SPEC)
    st.rerun()
report = model_card_markdown(spec)
if report:
    parts = split_model_card(report)
    if parts.summary:
        st.markdown(document_markdown(parts.summary))
    if parts.details:
        with st.expander("Full model card (MODEL_CARD.md): training, perplexity, checks, corpus"):
            st.markdown(document_markdown(parts.details))
    if parts.history:
        with st.expander("History: how this model was trained, run by run"):
            st.markdown(document_markdown(parts.history))
with st.expander("options.json"):
    st.json(bilm.config.to_dict())

"""Models: choose which ELMo model every page uses, adapt it to your own text, and see its model card."""
from __future__ import annotations

import os
import uuid

import pandas as pd
import streamlit as st

import elmo_core
from elmo_core.cache import cache_dir
from elmo_core.registry import OFFICIAL_MODELS, fetch_official
from elmo_core.training.adapt import AdaptConfig
from elmo_explorer_ui.adapt_run import (AdaptBusy, AdaptRun, AdaptSnapshot, AdaptText, AdaptTextError,
                                        TEST_SECONDS_ENV, adapt_problem, budget_seconds, check_adapt_size,
                                        keep_adapt_text, new_adapted_folder, prune_adapted)
from elmo_explorer_ui.compare import remember_adapted, visible_adapted
from elmo_explorer_ui.model_info import (DEFAULT_SPEC, ModelSpec, format_bytes, is_official_cached, local_spec,
                                         model_card, model_card_markdown, official_spec, split_model_card)
from elmo_explorer_ui.runtime import (current_spec, describe_error, load_model, page_setup, show_model_notice,
                                      use_model)
from elmo_explorer_ui.safe_text import document_markdown, md, redact_paths
from elmo_explorer_ui.session_watch import stop_when_closed
from elmo_explorer_ui.settings import LIMITS, server_settings
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


# ---------------------------------------------------------------- adapt to my text
ADAPT_RUN_KEY, ADAPT_LAST_KEY, ADAPT_TEXT_KEY, ADAPT_SESSION_KEY = ("adapt_run", "adapt_last", "adapt_checked",
                                                                    "adapt_session")


@st.cache_data(max_entries=16, show_spinner=False)
def why_not_adaptable(target: str, version: str) -> str | None:
    """:func:`adapt_problem` of a model, once per version of its files."""
    return adapt_problem(target)


def perplexity_change(before: dict | None, after: dict | None) -> str:
    """``forward 177.8 → 147.9, backward 171.2 → 145.7`` (``before`` alone while nothing newer)."""
    if not before:
        return ""
    return ", ".join(f"{direction} {before[direction]:,.1f}"
                     + (f" → {after[direction]:,.1f}" if after and after is not before else "")
                     for direction in ("forward", "backward"))


def progress_text(snap: AdaptSnapshot) -> str:
    if snap.cancel_requested:
        return "Stopping after the current training step …"
    if snap.phase in ("preparing", "measuring"):
        return "Preparing the text and measuring the held-out perplexity before training …"
    speed = f" · {snap.tokens:,} tokens, {snap.tokens_per_second:,.0f} tokens/s" if snap.tokens else ""
    where = ("training done: measuring and writing the model …" if snap.phase == "finishing"
             else f"{clock(snap.training_seconds)} of {clock(snap.budget_seconds)}")
    return f"Adapting: {where}{speed} · held-out perplexity {perplexity_change(snap.before, snap.current)}"


def checked_text(upload) -> AdaptText | None:
    """The uploaded text, checked once per upload (by size before it is read); its message otherwise."""
    if upload is None:
        return None
    checked = st.session_state.get(ADAPT_TEXT_KEY, {})
    result = checked.get(upload.file_id)
    if result is None or (isinstance(result, AdaptText) and not result.path.is_file()):
        session = st.session_state.setdefault(ADAPT_SESSION_KEY, uuid.uuid4().hex)
        try:
            check_adapt_size(upload.size)
            result = keep_adapt_text(upload.getvalue(), upload.name, session)
        except AdaptTextError as exc:
            result = str(exc)
        st.session_state[ADAPT_TEXT_KEY] = {upload.file_id: result}
    if isinstance(result, str):
        st.error(f"This file cannot be used: {md(result)}")
        return None
    st.caption(f"{md(result.name)}: {result.lines:,} lines of text; a tenth of them (chosen by a hash of the line) "
               "is held out to measure the perplexity.")
    return result


def clock(seconds: float) -> str:
    """``75.4`` -> ``"1:15"``."""
    whole = max(int(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def start_adapting(spec: ModelSpec, text: AdaptText, minutes: int) -> bool:
    """Start adapting ``spec`` to ``text`` in the background (after removing the oldest adapted
    models); False, with a message, when another run is training on this server."""
    prune_adapted(LIMITS.adapted_kept - 1, protect=(spec.directory(),) if spec.kind == "local" else ())
    out = new_adapted_folder(spec.name if spec.kind != "local" else spec.directory().name, text.name)
    config = AdaptConfig(spec.load_target, str(text.path), str(out))
    try:
        run = AdaptRun(config, budget_s=budget_seconds(minutes)).start()
    except AdaptBusy as exc:
        st.warning(md(str(exc)))
        return False
    stop_when_closed(run, f"adapt {out.name}")
    remember_adapted(out.name)  # listed for this session (on a served app, for it alone) once written
    st.session_state[ADAPT_RUN_KEY] = run
    st.session_state.pop(ADAPT_LAST_KEY, None)
    return True


def collect_adapt_run() -> None:
    """Move a finished run's outcome to ``ADAPT_LAST_KEY`` (shown until the next start)."""
    run = st.session_state.get(ADAPT_RUN_KEY)
    if run is not None and not run.running:
        snap = run.snapshot()
        st.session_state[ADAPT_LAST_KEY] = (snap, run.out.name)
        del st.session_state[ADAPT_RUN_KEY]


def adapt_progress() -> None:
    """The live progress of this session's run, with its Cancel (a fragment polled every second)."""
    run = st.session_state.get(ADAPT_RUN_KEY)
    if run is None:
        return
    snap = run.snapshot()
    st.progress(snap.fraction, text=progress_text(snap))
    if st.button("Cancel", key="adapt_cancel", disabled=snap.cancel_requested):
        run.cancel()
    if not run.running:
        st.rerun(scope="app")


def show_adapt_outcome() -> None:
    outcome = st.session_state.get(ADAPT_LAST_KEY)
    if outcome is None:
        return
    snap, name = outcome
    if snap.status == "done":
        result = snap.result
        st.success(f"Adapted model {md(name)} is ready: held-out perplexity "
                   f"{perplexity_change(result.before, result.after)} ({result.tokens:,} tokens in "
                   f"{result.seconds:,.0f} s of training). Use it below, or compare it with the original in the "
                   "Sentence lab, Word senses and Inside the biLM (“Compare with”).")
    elif snap.status == "cancelled":
        st.info("The adaptation was cancelled: nothing was kept. Start it again whenever you like.")
    else:
        st.error(f"The adaptation failed: {md(snap.error or 'unknown error')}")


def adapted_list() -> None:
    """The adapted models this session may use, with their held-out perplexity, and a Use button."""
    models = visible_adapted()
    if not models:
        st.caption("No adapted model yet.")
        return
    st.table(pd.DataFrame({
        "adapted from": [md(m.source) for m in models], "text": [md(m.text) for m in models],
        "training tokens": [f"{m.tokens:,}" for m in models],
        "held-out perplexity, before → after": [md(perplexity_change(m.before, m.after)) for m in models],
    }, index=pd.Index([md(m.name) for m in models], name="adapted model")))
    chosen = st.selectbox("Adapted model", range(len(models)), key="adapt_pick",
                          format_func=lambda i: models[i].name)
    if st.button("Use this adapted model", key="adapt_use"):
        switch_to(models[chosen].spec())


def adapt_section() -> None:
    """Adapt the model in use to an uploaded text, in the background; the adapted models."""
    st.subheader("Adapt to my text")
    spec = current_spec()
    st.write(f"Continue the language-model training of the model in use ({md(spec.title)}) on a text of yours "
             "(a .txt file, one sentence or paragraph per line), with its own vocabulary and a low learning rate, "
             "so it learns your domain without forgetting English. The weights that score best on the held-out "
             "tenth of your lines are kept as a new model beside the original.")
    collect_adapt_run()
    running = st.session_state.get(ADAPT_RUN_KEY) is not None
    problem = why_not_adaptable(spec.load_target, spec.version())
    if problem is not None:
        st.info(f"{md(spec.title)} cannot be adapted: {md(problem)}")
    else:  # shown during a run too (disabled), so the uploaded file stays for another run
        upload = st.file_uploader(f"Your text (.txt, UTF-8; at most {LIMITS.adapt_text_bytes:,} bytes and "
                                  f"{LIMITS.adapt_text_lines:,} lines)", type=["txt"], key="adapt_upload",
                                  disabled=running)
        text = checked_text(upload)
        minutes = st.radio("Time budget (minutes of training)", LIMITS.adapt_budgets_min, key="adapt_minutes",
                           horizontal=True, format_func=lambda m: f"{m} min", disabled=running)
        if os.environ.get(TEST_SECONDS_ENV):
            st.caption(f"Test setting {TEST_SECONDS_ENV}: every budget trains {budget_seconds(minutes):g} s.")
        if st.button("Start adapting", key="adapt_start", disabled=text is None or running):
            if start_adapting(spec, text, minutes):
                st.rerun()
    st.fragment(adapt_progress, run_every=1.0 if running else None)()
    show_adapt_outcome()
    adapted_list()


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

st.divider()
adapt_section()

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

"""Scalar-mix lab: train task heads on ELMo layers and watch the learned layer weights."""
from __future__ import annotations

import json
from dataclasses import replace

import streamlit as st

from elmo_core.tasks.config import MIXES, TaskConfig
from elmo_core.tasks.head_networks import POOLINGS
from elmo_core.tasks.plots import ablation_figure, learned_weights_figure, loss_figure, mix_figure
from elmo_explorer_ui.curve_view import learning_curves_section
from elmo_explorer_ui.downstream import (cancel_or_finish, collect, lab_session, loaded_model, run_progress,
                                         run_references, start_run, summary_table, weight_findings)
from elmo_explorer_ui.evidence_text import accuracy_reference_text
from elmo_explorer_ui.runtime import friendly_errors, model_page
from elmo_explorer_ui.safe_text import md, redact_paths
from elmo_explorer_ui.texts import plural
from elmo_explorer_ui.view_state import decimals, number_formats, show_chart

SESSION_KEY = "mix_lab"
TASK_TITLES = {"sentiment": "Sentiment (rt, one label per snippet)", "pos": "POS tagging (WSJ, one tag per token)"}
INPUT_TITLES = {"elmo": "ELMo only", "static+elmo": "GloVe ⊕ ELMo", "static": "GloVe only"}
MIX_TITLES = {"scalar": "scalar mix (learned)", "layer0": "layer 0 only (characters)",
              "layer1": "layer 1 only", "layer2": "layer 2 only"}

spec, bilm = model_page(
    "Scalar-mix lab",
    "ELMo gives a task a weighted sum of its layers, γ · Σ softmax(w)ₖ hₖ, and learns the "
    "weights with the task. Train a head here and watch which layers it picks; fixed single layers "
    "give the per-layer ablation. For the official models, the ELMo paper (Peters et al., 2018, §5.3) "
    "found the first biLSTM layer better for POS tagging and the top layer better for word sense "
    "disambiguation. The model loaded here may differ: the results below say only what its own runs measured.")
session = lab_session(SESSION_KEY)
model = loaded_model(spec)
collect(session, model)

# ---------------------------------------------------------------- settings
with st.form("mix_settings"):
    c1, c2, c3 = st.columns(3)
    task = c1.selectbox("Task", list(TASK_TITLES), format_func=TASK_TITLES.__getitem__, key="mix_task")
    strategy = c1.radio("Strategy", ["feature", "finetune"], key="mix_strategy", horizontal=True,
                        help="feature: frozen biLM, cached features (fast). finetune: the biLM is trained too, "
                             "with a smaller learning rate (slow on CPU; keep the subset small).")
    mix = c1.selectbox("Layers", list(MIXES), format_func=MIX_TITLES.__getitem__, key="mix_mix")
    inputs = c1.selectbox("Token inputs", list(INPUT_TITLES), format_func=INPUT_TITLES.__getitem__, key="mix_inputs",
                          help="GloVe ⊕ ELMo concatenates each token's GloVe 6B 50d vector with the ELMo mix, "
                               "as in the ELMo paper; GloVe only reads no biLM layer (no mix weights).")
    layer_norm = c2.checkbox("Layer norm before mixing", key="mix_layer_norm")
    feature_norm = c2.checkbox("Batch-normalise features", value=True, key="mix_feature_norm",
                               help="Standardises what reaches the linear layer; the layers have very "
                                    "different scales, so this trains much faster. It makes γ redundant.")
    learn_gamma = c2.checkbox("Learn γ (without batch norm)", value=True, key="mix_learn_gamma")
    mix_l2 = c2.number_input("λ (pull weights towards uniform)", 0.0, 10.0, 0.0, step=0.1, key="mix_l2")
    pooling = c2.selectbox("Pooling (sentiment)", list(POOLINGS), index=2, key="mix_pooling")
    train_size = c3.number_input("Training examples (sentences for POS)", 10, 8000, 300, step=50, key="mix_train_size")
    eval_size = c3.number_input("Dev and test examples (each)", 5, 1100, 100, step=25, key="mix_eval_size")
    epochs = c3.number_input("Epochs", 1, 50, 5, key="mix_epochs")
    lr = c3.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], value=3e-3, key="mix_lr")
    seeds = c3.number_input("Seeds (repeats of “Train”)", 1, 5, 3, key="mix_seeds",
                            help="“Train” trains the head this many times on the same examples, each time with "
                                 "another initialisation and batch order. The spread of the learned weights across "
                                 "the seeds decides whether a layer gets more than an even share (1/3 each).")
    b1, b2 = st.columns(2)
    train_clicked = b1.form_submit_button("Train", type="primary", disabled=session.running)
    ablation_clicked = b2.form_submit_button("Train all four layer choices (ablation)", disabled=session.running)

config = TaskConfig(task=task, model=spec.load_target, strategy=strategy, mix=mix, inputs=inputs, layer_norm=layer_norm,
                    learn_gamma=learn_gamma, feature_norm=feature_norm, mix_l2=float(mix_l2), pooling=pooling,
                    train_size=int(train_size), dev_size=int(eval_size), test_size=int(eval_size),
                    epochs=int(epochs), lr=float(lr), state=bilm.state_mode if bilm.state_mode != "carry" else "warm")
if train_clicked or ablation_clicked:
    queue = ([replace(config, mix=m) for m in MIXES] if ablation_clicked
             else [replace(config, seed=s) for s in range(int(seeds))])
    with friendly_errors("starting the training run"):
        start_run(session, queue[0], model)
        session.queue = queue[1:]
if session.last_error:
    st.error(f"Training failed: {md(redact_paths(session.last_error))}")


# ---------------------------------------------------------------- live progress
@st.fragment(run_every=1.0 if session.running else None)
def live() -> None:
    run = session.current
    if run is None:
        return
    snap = run.snapshot()
    queued = f" · {len(session.queue)} more queued" if session.queue else ""
    st.subheader(f"Training {run.config.label()}{queued}")
    run_progress(run, snap)
    if snap.steps:
        left, right = st.columns(2)
        with left:
            show_chart(loss_figure(snap.steps), width="stretch", key="mix_live_loss")
        with right:
            show_chart(mix_figure(snap.steps), width="stretch", key="mix_live_weights")
    if snap.epochs:
        e = snap.epochs[-1]
        places = decimals()
        st.caption(f"dev after epoch {e.epoch}: accuracy {e.dev_accuracy:.{places}f}, "
                   f"macro F1 {e.dev_macro_f1:.{places}f}")
    cancel_or_finish(session, run, "mix_cancel")


live()

# ---------------------------------------------------------------- results of this session
if session.results:
    st.header("Results in this session")
    references = [run_references(r) for r in session.results]
    st.dataframe(summary_table(session.results, references).style.format(
        {**number_formats(["test accuracy", "majority label", "bag of words", "test macro F1"]), "γ": "{:.2f}",
         "seconds": "{:.1f}"}, na_rep="–"),
        hide_index=True, width="stretch")
    st.caption("Read each test accuracy against its references, measured on the same test examples: "
               "“majority label” always predicts the most frequent label (sentiment: the larger class; POS: the "
               "most frequent tag), “bag of words” uses no language model (sentiment: logistic regression on word "
               "uni- and bigrams; POS: each word's most frequent training tag). The 95% interval (Wilson) is how "
               "far the accuracy could move with another test sample of the same size: a difference inside it is "
               "within noise.")
    last_tested = next(((r, ref) for r, ref in zip(reversed(session.results), reversed(references))
                        if ref is not None and r.test is not None and not r.cancelled), None)
    if last_tested is not None:
        run, ref = last_tested
        st.markdown(accuracy_reference_text(run.label, run.test.accuracy, run.test.count, ref))
    finished = [r for r in session.results if not r.cancelled]
    cancelled = len(session.results) - len(finished)
    if cancelled:
        st.caption(f"{plural(cancelled, 'cancelled run')}: not tested, and their weights are where training stopped, "
                   "so they are left out of the charts and findings below.")
    findings = weight_findings(session.results)
    if findings:
        st.subheader("What this session measured")
        st.markdown("\n".join(f"- {line}" for line in findings))
        st.caption("A layer is said to get the most weight only when the 95% interval of its mean weight across "
                   "the seeds lies above an even share (1/3 each); with one seed there is no interval. The seeds "
                   "share one small subset of examples, so another subset can still move the weights.")
    tasks = [t for t in TASK_TITLES
             if any(r.config["task"] == t and r.config["mix"] == "scalar" and r.final_weights for r in finished)]
    if tasks:
        st.subheader("Learned layer weights per task")
        columns = st.columns(len(tasks))
        for column, t in zip(columns, tasks):
            runs = [r for r in finished if r.config["task"] == t]
            with column:
                show_chart(learned_weights_figure(runs, f"{t}: learned softmax weights"), width="stretch",
                           key=f"mix_weights_{t}")
    if any(r.test is not None for r in finished):
        st.subheader("Per-layer ablation")
        tested = [(r, ref) for r, ref in zip(session.results, references) if r.test is not None and not r.cancelled]
        lines = []
        if len({r.config["task"] for r, _ in tested}) == 1 and tested[-1][1] is not None:
            ref = tested[-1][1]
            lines = [("majority label", ref.majority), ("bag of words", ref.bag_of_words)]
        show_chart(ablation_figure(finished, references=lines), width="stretch", key="mix_ablation")
        trained = list(dict.fromkeys(r.config["mix"] for r, _ in tested if r.config.get("inputs") != "static"))
        missing = [MIX_TITLES[m] for m in MIXES if m not in trained]
        if missing:
            st.caption(f"Trained so far: {', '.join(MIX_TITLES[m] for m in trained if m in MIX_TITLES) or 'none'}. "
                       f"Not trained yet: {', '.join(missing)}. “Train all four layer choices (ablation)” trains "
                       "every layer choice with the settings above, so the bars can be compared.")
        if lines:
            st.caption("Lines: the majority label and the bag-of-words baseline on the same test examples.")
    if not finished:
        st.info("No run has finished yet: cancelled runs have no test score and no learned weights to plot.")
    last = session.results[-1]
    if last.steps:
        stopped = " – cancelled, curves up to where it stopped" if last.cancelled else ""
        with st.expander(f"Curves of the last run ({last.label}{stopped})"):
            left, right = st.columns(2)
            with left:
                show_chart(loss_figure(last.steps), width="stretch", key="mix_last_loss")
            with right:
                show_chart(mix_figure(last.steps), width="stretch", key="mix_last_weights")
    d1, d2 = st.columns(2)
    d1.download_button("Download results (JSON)", json.dumps([r.to_dict() for r in session.results]),
                       file_name="scalar_mix_lab.json", mime="application/json", key="mix_download",
                       on_click="ignore")  # no rerun: the button keeps its file, so a second click works
    if d2.button("Clear results", key="mix_clear"):
        session.results.clear()
        st.rerun()

# ---------------------------------------------------------------- learning curves (shipped, and on a CSV)
learning_curves_section(str(spec.load_target))

"""Sentiment: a sentence classifier on ELMo layers, with token contributions and its test report."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from elmo_core.tasks.classifier import MAX_TOKENS
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.data import sentiment_sources
from elmo_core.tasks.hard_cases import hard_case_accuracy, sentiment_cues
from elmo_core.tasks.saved_heads import SIZE_BUDGET_MB, heads_root
from elmo_core.tasks.plots import confusion_figure
from elmo_core.tokenizer import text_to_tokens
from elmo_explorer_ui.downstream import (cancel_or_finish, collect, head_composition, held_out_scores, lab_session,
                                         loaded_model,
                                         report_table, run_progress, shipped_classifier, start_run, token_html)
from elmo_explorer_ui.runtime import describe_error, friendly_errors, init_widget, model_page
from elmo_explorer_ui.safe_text import md, redact_paths
from elmo_explorer_ui.settings import LIMITS
from elmo_explorer_ui.texts import contribution_sentence, cut_notice
from elmo_explorer_ui.view_state import decimals, number_formats, show_chart

SESSION_KEY = "sentiment_lab"
SHIPPED = {"Feature ensemble (frozen biLM)": "feature", "Fine-tuned biLM": "finetuned"}
EXAMPLE = "A gorgeous, witty, seductive movie, though the ending drags a little."


def memoised(kind: str, title: str, clf, text: str, compute):
    """``compute()`` once per session, classifier and text, so reruns (other widgets) reuse it."""
    memo = st.session_state.setdefault("sentiment_memo", {})
    key = (kind, title, id(clf), text)
    if key not in memo:
        if len(memo) > 64:
            memo.clear()
        memo[key] = compute()
    return memo[key]


spec, bilm = model_page(
    "Sentiment",
    "A classifier reads each token's vectors (GloVe word vectors, ELMo layers, or both, as the shipped "
    "report below says) and says whether a review sentence is positive or negative. **Feature ensemble**: "
    "the biLM stays frozen and only a learned scalar mix of its layers plus a small head are trained (the shipped "
    "one averages several such heads and may add a bag of negation-marked n-grams, as its report says). "
    "**Fine-tuned**: the biLM itself was trained further on the task. Probabilities are calibrated on dev "
    "data; between 0.4 and 0.6 the page says *uncertain*. Token colours show occlusion: how much the "
    "positive probability drops when that token is removed.")
session = lab_session(SESSION_KEY)
model = loaded_model(spec)
collect(session, model)

# ---------------------------------------------------------------- available classifiers
choices = {}
missing = []
for title, name in SHIPPED.items():
    try:
        choices[title] = shipped_classifier(spec, name)
    except FileNotFoundError:
        missing.append(title)
    except Exception as exc:  # noqa: BLE001 - a broken head file must not break the page
        st.error(f"The shipped {title.lower()} head could not be loaded: {md(describe_error(exc))}")
for label, clf in session.classifiers.items():
    choices[f"Trained in this session ({label}, {clf.result.sizes['train']} examples)"] = clf

if missing:
    size_note = (" A fine-tuned head carries its own copy of the biLM, so it is not shipped when the model and "
                 f"its heads would pass {SIZE_BUDGET_MB:g} MB (as for the bundled mini); its test scores are under "
                 "“Shipped heads against the bag-of-words baseline” below."
                 if missing == ["Fine-tuned biLM"] else "")
    st.info(f"{md(spec.title)} has no shipped head for: {', '.join(missing)}.{size_note} Train a head below; "
            "the README says how to ship heads with your own model.")

if choices:
    init_widget("sentiment_classifier", next(iter(choices)))
    if st.session_state["sentiment_classifier"] not in choices:
        st.session_state["sentiment_classifier"] = next(iter(choices))
    title = st.radio("Classifier", list(choices), key="sentiment_classifier", horizontal=True)
    clf = choices[title]
    if clf.stale:
        st.warning("This head was trained on other weights than the model now has (the model was replaced), so "
                   "its predictions are unreliable until it is trained again (the README says how).")

    init_widget("sentiment_text", EXAMPLE)
    text = st.text_area("Text", key="sentiment_text", height=90, max_chars=LIMITS.sentiment_box_chars)
    text, notice = cut_notice(text, LIMITS.sentiment_chars, LIMITS.sentiment_box_chars)
    if notice:
        st.warning(notice)
    if len(tokens := text_to_tokens(text)) > MAX_TOKENS:
        st.warning(f"The text has {len(tokens):,} tokens; the classifier reads only the first {MAX_TOKENS}.")
    if not text.strip():
        st.warning("Type a sentence to classify, e.g. “A gorgeous, witty, seductive movie.”")
    else:
        try:
            proba = memoised("proba", title, clf, text, lambda: clf.predict_proba([text])[0])
        except ValueError as exc:
            st.warning(md(str(exc)))
        else:
            best = int(proba.argmax())
            places = decimals()  # 3, or 2 on a projector: the same in every number of the page
            left, right = st.columns([1, 2])
            with left:
                verdict = clf.verdict(proba)
                st.metric("Label", verdict, f"p = {proba[best]:.{places}f}" if verdict != "uncertain"
                          else f"leans {clf.label_names[best]}, p = {proba[best]:.{places}f}",
                          delta_color="off", delta_arrow="off")
                for name, p in zip(clf.label_names, proba):
                    st.progress(float(p), text=f"{name}: {p:.{places}f}")
                cues = sentiment_cues(tokens)
                if cues.any:
                    kinds = " and ".join(kind for kind, found in (("a negation", cues.negations),
                                                                  ("a contrast", cues.contrasts)) if found)
                    said = ", ".join(f"“{md(w)}”" for w in dict.fromkeys(cues.words))
                    tested = clf.result.test if clf.result is not None else None
                    hard = hard_case_accuracy(clf.extra, tested.accuracy if tested is not None else None)
                    if hard is None:
                        st.warning(f"This text holds {kinds} ({said}). This head was not tested on sentences that "
                                   "turn on negation or contrast, where sentiment heads are often wrong: treat "
                                   "the label with care.")
                    else:
                        versus = (f", against {hard.main_accuracy:.0%} on the rt test snippets"
                                  if hard.main_accuracy is not None else "")
                        st.warning(f"This text holds {kinds} ({said}). On the project's {hard.count} test "
                                   "sentences whose sentiment turns on negation, contrast or word order, this head "
                                   f"is right on {hard.accuracy:.0%} (95% interval {hard.low:.0%}–{hard.high:.0%}; "
                                   f"always guessing one label: {hard.chance:.0%}){versus}"
                                   + (f"; by true label: {hard.per_label_text()}" if hard.per_label else "")
                                   + ". The probability above "
                                   "is calibrated on ordinary reviews, not on such sentences: treat the label "
                                   "with care.")
            with right:
                st.markdown("**Token contributions** (green → positive, red → negative; hover for the score)")
                try:
                    with st.spinner("Occluding each token …"):
                        contributions = memoised("occlusion", title, clf, text, lambda: clf.token_contributions(text))
                except ValueError as exc:
                    st.info(md(str(exc)))
                else:
                    st.html(token_html(contributions))
                    st.caption(contribution_sentence([(md(t), s) for t, s in contributions], places))
                    with st.expander("Scores"):
                        scores = pd.DataFrame({"token": [t for t, _ in contributions],
                                               "Δ p(positive)": [s for _, s in contributions]})
                        st.dataframe(scores.style.format(number_formats(["Δ p(positive)"])), hide_index=True)

    # ------------------------------------------------------------ test-set report of the chosen head
    result = clf.result
    if result is not None and result.test is not None:
        st.subheader("Test-set report")
        test = result.test
        trained_on = result.config["dataset"] or "rt"
        tested_on = sentiment_sources(trained_on)[0]  # a mixture is tested on its first source
        st.caption(f"{tested_on} test split, {test.count} examples; trained on {result.sizes.get('train', '?')} "
                   f"examples of {trained_on}, {result.config['strategy']} strategy, "
                   f"{result.config['mix']} mix (weights {' / '.join(f'{w:.2f}' for w in result.final_weights)}, "
                   f"γ {result.final_gamma:.2f}).{head_composition(clf)}")
        a, b, c = st.columns(3)
        places = decimals()
        a.metric("Accuracy", f"{test.accuracy:.{places}f}")
        b.metric("Macro F1", f"{test.macro_f1:.{places}f}")
        c.metric("Best epoch", f"{result.best_epoch} of {len(result.epochs)}")
        beyond = held_out_scores(clf.extra)
        if beyond:
            st.caption("Beyond the rt snippets: " + "; ".join(f"{name}: accuracy {acc:.{places}f} on {n} texts"
                                                           for name, acc, n in beyond) + ".")
        left, right = st.columns(2)
        with left:
            st.dataframe(report_table(test).style.format(number_formats(["precision", "recall", "F1"])),
                         hide_index=True, width="stretch")
        with right:
            show_chart(confusion_figure(test, "Confusion matrix (test)"), width="stretch", key="sentiment_confusion")
    report_file = heads_root(spec.directory()) / "REPORT.md" if spec.directory() else None
    if report_file is not None and report_file.is_file():
        with st.expander("Shipped heads against the bag-of-words baseline"):
            st.markdown(report_file.read_text(encoding="utf-8"))

# ---------------------------------------------------------------- train a head in this session
with st.expander("Train a sentiment head in this session", expanded=not choices):
    st.write("Trains a feature-ensemble head on a random subset of the `rt` training split with the "
             "current model. Features are embedded once and cached on disk.")
    cols = st.columns(3)
    train_size = cols[0].number_input("Training examples", 20, 8000, 300, step=50, key="sentiment_train_size")
    test_size = cols[1].number_input("Dev and test examples (each)", 10, 1000, 150, step=50, key="sentiment_eval_size")
    epochs = cols[2].number_input("Epochs", 1, 30, 5, key="sentiment_epochs")
    if st.button("Train", key="sentiment_train", disabled=session.running, type="primary"):
        config = TaskConfig(task="sentiment", model=spec.load_target, strategy="feature", train_size=int(train_size),
                            dev_size=int(test_size), test_size=int(test_size), epochs=int(epochs),
                            state=bilm.state_mode if bilm.state_mode != "carry" else "warm")
        with friendly_errors("starting the training run"):
            start_run(session, config, model)
    if session.last_error:
        st.error(f"Training failed: {md(redact_paths(session.last_error))}")

    @st.fragment(run_every=1.0 if session.running else None)
    def progress() -> None:
        run = session.current
        if run is None:
            return
        run_progress(run, run.snapshot())
        cancel_or_finish(session, run, "sentiment_cancel")

    progress()

"""
One source of truth for model facts: on the Models page the bundled model's caption,
its model card table and the card's summary give the same sizes, and the training report shown
is a short summary (tokens, hardware, time, perplexity, checks) with the run log collapsed.
"""
from __future__ import annotations

import re

from test_app_pages import MODELS, start

import elmo_core
from elmo_explorer_ui.model_info import DEFAULT_SPEC

HISTORY_LABEL = "History: how this model was trained, run by run"


def test_caption_card_and_summary_name_the_same_lstm_size():
    lstm = elmo_core.ElmoConfig.from_json(DEFAULT_SPEC.directory() / "options.json").lstm
    at = start(MODELS)
    caption = next(c.value for c in at.caption if c.value.startswith("A small ELMo"))
    assert f"LSTM {lstm.dim}," in caption and f"projection {lstm.projection_dim})" in caption
    card = at.table[0].value
    assert card.loc["LSTM cell size", "value"] == str(lstm.dim)
    assert card.loc["Projection size", "value"] == str(lstm.projection_dim)
    summary = top_level_markdown(at)
    assert f"{lstm.n_layers} biLSTM layers of {lstm.dim:,} cells with {lstm.projection_dim}-wide" in summary


def test_the_training_report_is_a_short_summary_with_the_run_log_collapsed():
    at = start(MODELS)
    summary = top_level_markdown(at)
    assert re.search(r"\*\*Training data\*\*: [\d,]+ tokens per direction", summary)  # tokens
    assert "**Hardware**:" in summary and re.search(r"\d+ minutes of training steps", summary)  # hardware, time
    assert re.search(r"\*\*Held-out perplexity\*\*: [\d.]+ forward", summary)  # perplexity
    assert "| POS probe accuracy |" in summary and "majority class" in summary  # checks, with references
    assert "## History" not in summary and "### " not in summary and len(summary) < 4000
    history = next(e for e in at.expander if e.label == HISTORY_LABEL)
    assert not history.proto.expanded and len(" ".join(m.value for m in history.markdown)) > len(summary)


def top_level_markdown(at) -> str:
    """The Markdown of the page's main area outside every expander."""
    inside = {id(m.proto) for e in at.expander for m in e.markdown}
    return "\n".join(m.value for m in at.main.markdown if id(m.proto) not in inside)

"""One word twice in one sentence (elmo_core/analysis/repeats.py): the sentence lists, the
separation measure and its model-card section (the check on the shipped model is in
test_acceptance_mini.py)."""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.analysis.repeats import ONE_SENSE, TWO_SENSES, parse_repeat, repeat_separation
from elmo_core.tasks.ship import update_model_card
from elmo_core.training.model_card import MARGIN_HEADING, REPEATS_HEADING, repeat_section


def test_marked_sentences_parse_into_tokens_and_two_positions():
    assert parse_repeat("I [saw] a [saw] .") == (["I", "saw", "a", "saw", "."], 1, 3)
    assert parse_repeat("[Bank] and [bank]") == (["Bank", "and", "bank"], 0, 2)  # case-insensitive
    for bad in ("I saw a [saw] .", "[a] [b] .", "[x] [x] [x]", "I saw a saw ."):
        with pytest.raises(ValueError, match="mark the same word twice"):
            parse_repeat(bad)


def test_the_two_lists_are_alike_except_in_the_senses():
    two = [parse_repeat(s) for s in TWO_SENSES]
    one = [parse_repeat(s) for s in ONE_SENSE]
    assert len(two) >= 12 and len(one) >= 12 and len(set(TWO_SENSES)) == len(TWO_SENSES)
    assert two[0][0] == ["I", "saw", "a", "saw", "."]  # "I saw a saw ." is one of them
    # The repeats are as far apart in both lists (a cosine also falls with the distance).
    assert abs(np.mean([j - i for _, i, j in two]) - np.mean([j - i for _, i, j in one])) < 0.5
    # Words of the controls also appear in two senses: the comparison is not between vocabularies.
    assert {"saw", "book", "park", "train", "bank"} <= {t[i].lower() for t, i, _ in two} & {t[i].lower() for t, i, _ in one}


def test_separation_counts_lower_two_sense_cosines():
    assert repeat_separation([0.1, 0.2], [0.5, 0.9]) == 1.0
    assert repeat_separation([0.9], [0.5, 0.1]) == 0.0
    assert repeat_separation([0.5, 0.2], [0.5]) == 0.75  # a tie counts half
    assert repeat_separation([1.0, 1.0 - 1e-7], [1.0 + 1e-7]) == 0.5  # a context-free layer, rounded


def test_card_section_after_the_margins(tmp_path):
    checks = {"repeats": {"two_senses_per_layer": [1.0, 0.794, 0.678], "one_sense_per_layer": [1.0, 0.91, 0.88],
                          "separation_per_layer": [0.5, 0.94, 0.976],
                          "two_senses": {"I saw a saw .": [1.0, 0.872, 0.804], "x": [1, 1, 1]},
                          "one_sense": {"y": [1, 1, 1]}}}
    section = repeat_section(checks)
    assert section.startswith(REPEATS_HEADING) and "| separation | 0.500 | 0.940 | 0.976 |" in section
    assert "2 where a spelling recurs in two senses" in section and "layer 2 0.804" in section
    assert repeat_section({}) == ""
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(f"# Card\n\n{MARGIN_HEADING}\n\nm\n\n## GloVe ablation\n\ng\n")
    assert update_model_card(card, section, before=("## GloVe ablation",))
    text = card.read_text()
    assert text.index(MARGIN_HEADING) < text.index(REPEATS_HEADING) < text.index("## GloVe ablation")

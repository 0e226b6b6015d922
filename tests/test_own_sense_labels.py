"""
Own sentences on the Word senses page join the curated senses they name: a label
matches a curated sense by its id (``pitch.n.field``), its id without the word (``n.field``) or
its last part (``field``), ignoring case; other labels stay new senses. The page says which
labels joined which sense, and its placeholder shows the chosen word's curated labels.
"""
from __future__ import annotations

from test_app_pages import WORD_SENSES, start

from elmo_core.datasets.sense_sentences import sense_counts, sentences_for
from elmo_explorer_ui.points import match_own_labels, own_lines_placeholder, user_sense_sentences
from elmo_explorer_ui.texts import parse_labelled_lines

PITCH_SENSES = list(sense_counts(sentences_for("pitch", "curated")))
OWN_LINES = ("field | The referee walked across the pitch before kick-off .\n"
             "tone | She sang the last note at a very high pitch .")


def test_the_curated_pitch_senses_are_a_field_and_a_tone():
    assert PITCH_SENSES == ["pitch.n.field", "pitch.n.tone"]


def test_a_label_matches_by_id_short_id_or_last_part_ignoring_case():
    labels = ["field", "N.TONE", "pitch.n.field", " Tone ", "sound", "own", "n"]
    matched = match_own_labels("pitch", labels, PITCH_SENSES)
    assert dict(matched.matched) == {"field": "pitch.n.field", "N.TONE": "pitch.n.tone",
                                     "pitch.n.field": "pitch.n.field", " Tone ": "pitch.n.tone"}
    assert matched.new == ("sound", "own", "n")  # "n" is a part of both ids: no single sense


def test_own_lines_join_the_curated_senses_they_name():
    lines, _ = parse_labelled_lines(OWN_LINES + "\nsound | The pitch of the alarm hurt my ears .", 10)
    found, missing = user_sense_sentences("pitch", lines, PITCH_SENSES)
    assert not missing
    assert [item.sense for item in found] == ["pitch.n.field", "pitch.n.tone", "pitch.sound"]


def test_placeholder_shows_the_curated_labels_of_the_word():
    assert own_lines_placeholder("pitch", PITCH_SENSES).splitlines()[0].startswith("field | ")
    assert [line.split(" | ")[0] for line in own_lines_placeholder("pitch", PITCH_SENSES).splitlines()] \
        == ["field", "tone"]
    assert "river" not in own_lines_placeholder("pitch", PITCH_SENSES)


def test_word_senses_page_counts_two_senses_for_pitch_with_own_field_and_tone_lines():
    at = start(WORD_SENSES, word="pitch")
    area = at.text_area(key="senses_own")
    assert area.placeholder.splitlines()[0].startswith("field | ") and "river" not in area.placeholder
    area.set_value(OWN_LINES).run()
    assert not at.exception, [e.value for e in at.exception]
    senses = next(frame.value for frame in at.dataframe if "gloss" in frame.value.columns)
    assert list(senses["sense"]) == ["n.field", "n.tone"]  # 2 senses, not 4
    assert list(senses["sentences"]) == [11, 11]
    said = " ".join(c.value for c in at.caption)
    assert "“field” joins n.field" in said and "“tone” joins n.tone" in said

    area.set_value(OWN_LINES + "\nsound | The pitch of the alarm hurt my ears .").run()
    senses = next(frame.value for frame in at.dataframe if "gloss" in frame.value.columns)
    assert list(senses["sense"]) == ["n.field", "n.tone", "sound"]
    assert "kept as a new sense: “sound”" in " ".join(c.value for c in at.caption)

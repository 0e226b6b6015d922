"""
The Sentence lab page: a line with two sentences counts as two (as a reader counts them), the
occurrence chosen first is the telling word, and presentation mode puts one layer per row with
projector fonts and fewer decimals. Pages run headless (AppTest) with the real bundled model.
"""
from __future__ import annotations

import json

from test_app_pages import heatmaps, start, widget

from elmo_core.analysis import focus_word
from elmo_explorer_ui import charts
from elmo_explorer_ui.texts import parse_sentences


def test_a_line_with_two_sentences_is_two_sentences():
    parsed = parse_sentences("I saw a saw . It cut wood .\nDr. Smith arrived at 5 p.m. today .", 50)
    assert parsed.sentences == (("I", "saw", "a", "saw", "."), ("It", "cut", "wood", "."),
                                ("Dr.", "Smith", "arrived", "at", "5", "p.m.", "today", "."))
    assert parse_sentences("A . B . C .", 2).truncated
    at = start()
    widget(at.text_area, "lab_text").input("I saw a saw . It cut wood .").run()
    assert "Tokens (9 in 2 sentences)" in [e.label for e in at.expander]
    assert len(heatmaps(at)[0]["layout"]["shapes"]) == 2  # one sentence boundary, both axes


def test_the_default_occurrence_is_the_telling_word_not_to():
    assert focus_word([["He", "went", "to", "the", "bank", "to", "pay"], ["The", "bank", "closed"]]) == "bank"
    assert focus_word([["to", "be", "or", "not", "to", "be"]]) == "to"  # only function words repeat
    at = start()
    widget(at.text_area, "lab_text").input("I went to the shop to buy a saw .\nI saw it there .").run()
    occurrence = widget(at.selectbox, "lab_occurrence")
    assert occurrence.format_func(occurrence.value).startswith("saw")


def test_presentation_mode_puts_one_layer_per_row_and_fewer_decimals():
    at = start(present="1")
    maps = heatmaps(at)
    assert [m["layout"]["height"] for m in maps] == [720] * 3  # full width, one per row
    assert maps[0]["layout"]["xaxis"]["tickfont"]["size"] == charts.PROJECTOR_FONT
    assert shown_decimals(at) == {2}
    at.sidebar.toggle[0].set_value(False).run()
    assert "present" not in at.query_params
    assert [m["layout"]["height"] for m in heatmaps(at)] == [340] * 3
    assert shown_decimals(at) == {3}


def shown_decimals(at) -> set[int]:
    """Decimals of the similarities the last table shows (the number format of its layer columns)."""
    columns = json.loads(at.dataframe[-1].proto.columns)
    formats = [config["type_config"]["format"] for name, config in columns.items() if name.startswith("layer ")
               and not name.endswith("percentile")]
    assert formats
    return {int(f.split(".")[1].rstrip("f")) for f in formats}

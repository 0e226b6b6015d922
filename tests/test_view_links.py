"""
Links that reopen a view: the sidebar's "Copy link to this view" packs the typed sentences, the
word, the presentation mode and each page's own choices into the query string, and opening such
a link reproduces the view; damaged, too long or unknown values are reported, never guessed.
Pages run headless (AppTest) with the real bundled model; the same links in a real browser are
in test_browser_share.py.
"""
from __future__ import annotations

import os

from test_app_pages import UMAP_EXPLORER, WORD_SENSES, heatmaps, start, texts, widget

from elmo_explorer_ui import charts
from elmo_explorer_ui.share import MAX_PACKED_CHARS, link_query, pack_text, unpack_text, view_link


def link(at) -> str:
    """The link of the sidebar's "Copy link to this view" control."""
    return at.sidebar.code[0].value


def link_params(at) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(link(at)).query))


def test_packed_text_round_trips_and_refuses_damage_and_excess():
    text = "She sat on the bank of the river .\nÜber 👨‍👩‍👧 & <b>x</b> ?"
    packed = pack_text(text)
    assert packed is not None and unpack_text(packed) == text
    assert all(c.isalnum() or c in "-_" for c in packed)  # URL-safe, nothing to escape
    assert unpack_text(packed[:-3]) is None and unpack_text("not packed") is None
    assert pack_text(os.urandom(4 * MAX_PACKED_CHARS).hex()) is None  # incompressible: too long
    only_known = link_query({"word": "bank", "folder": "/home/me/model", "text": packed})
    assert "folder" not in only_known and "home" not in only_known
    assert view_link("http://host:8501", {"present": "1"}) == "http://host:8501/?present=1"


def test_the_link_carries_the_typed_text_word_and_presentation_mode():
    at = start()
    typed = "I saw a saw . It cut wood .\nWe saw the film ."
    widget(at.text_area, "lab_text").input(typed).run()
    at.sidebar.toggle[0].set_value(True).run()
    params = link_params(at)
    assert unpack_text(params["text"]) == typed
    assert params["word"] == "saw" and params["present"] == "1"
    assert link(at).startswith("/?")  # the page's path (the browser gives the full URL)
    assert at.query_params["text"] == params["text"]  # the address bar holds the same view


def test_opening_a_link_reproduces_the_view():
    typed = "The bat flew out of the cave .\nHe swung the bat at the ball ."
    at = start(text=pack_text(typed), word="bat", present="1")
    assert widget(at.text_area, "lab_text").value == typed
    assert at.sidebar.toggle[0].value is True
    occurrence = widget(at.selectbox, "lab_occurrence")
    assert occurrence.format_func(occurrence.value).startswith("bat")
    maps = heatmaps(at)
    assert len(maps) == 3 and all(m["layout"]["font"]["size"] == charts.PROJECTOR_FONT for m in maps)


def test_a_damaged_or_too_long_text_is_reported_not_guessed():
    at = start(text="zdamaged")
    assert "could not be read" in texts(at.warning)
    assert widget(at.text_area, "lab_text").value.startswith("She sat on the bank")
    widget(at.text_area, "lab_text").input(" ".join(os.urandom(3000).hex()[i:i + 7] for i in range(0, 6000, 7))).run()
    assert "text" not in link_params(at)
    assert "too long for a link" in texts(at.sidebar.caption)


def test_word_senses_and_umap_links_carry_their_own_sentences_and_colours():
    own = "water | The fish swam around the tank .\narmy | The tank rolled into town ."
    at = start(WORD_SENSES, word="tank", senses_text=pack_text(own))
    assert widget(at.text_area, "senses_own").value == own
    assert unpack_text(link_params(at)["senses_text"]) == own
    at = start(UMAP_EXPLORER, word="all", points="tokens", colour="sense", layout="one", sources="curated,yours")
    assert widget(at.multiselect, "map_sources").value == ["curated", "yours"]
    assert widget(at.radio, "map_mode").value == "tokens"
    assert widget(at.selectbox, "map_colour_tokens").value == "sense"
    assert widget(at.radio, "map_layout").value == "one at a time"
    assert {"word": "all", "points": "tokens", "colour": "sense", "layout": "one",
            "sources": "curated,yours"}.items() <= link_params(at).items()


def test_a_link_naming_a_model_missing_here_says_so_and_uses_mini():
    at = start(model="no-such-model")
    assert "which is not on this server" in texts(at.info)
    assert "model" not in link_params(at)

"""
The view of a page in the address bar (Streamlit glue): query parameters pages read and
write, typed text packed into the URL, presentation mode, and the sidebar's "Copy link to this
view" control.

Pages write their choices into the URL as they change (:func:`set_query`, :func:`share_text`),
so a reload or a copied link reopens the same view; :func:`draw_share_link` shows that link.
"""
from __future__ import annotations

import threading

import streamlit as st

from . import charts
from .safe_text import md
from .settings import DECIMALS, PRESENTATION_DECIMALS
from .share import MAX_PACKED_CHARS, pack_text, unpack_text, view_link

PRESENT_KEY = "presentation"
PRESENT_PARAM = "present"
# Presentation mode: larger text everywhere (the app's own CSS, no user text in it): prose,
# labels, HTML tables, the text typed in inputs and the options of select boxes; interactive
# tables (st.dataframe) draw on a canvas that ignores font sizes, so they are zoomed whole.
PRESENTATION_TABLE_ZOOM = 1.3
PRESENTATION_CSS = """<style>
html { font-size: 20px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] p,
[data-testid="stTable"], [data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1.15rem; }
[data-testid="stTextArea"] textarea, [data-testid="stTextInput"] input, [data-testid="stNumberInput"] input,
[data-testid="stSelectbox"] div, [data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] div,
[data-testid="stSelectboxVirtualDropdown"] li, [data-baseweb="popover"] li, [data-testid="stRadio"] label p,
[data-testid="stCheckbox"] label p { font-size: 1.15rem !important; line-height: 1.4 !important; }
[data-testid="stDataFrame"] { zoom: %(zoom)s; max-width: calc(100%% / %(zoom)s) !important; }
[data-testid="stSidebar"] { font-size: 1rem; }
</style>""" % {"zoom": PRESENTATION_TABLE_ZOOM}
_RUN = threading.local()  # per script run (one thread per session): sidebar slot, page path, notes


# ------------------------------------------------------------------------- query parameters
def query_value(name: str, default: str = "") -> str:
    value = st.query_params.get(name, default)
    return value if isinstance(value, str) else default


def query_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(query_value(name, str(default)))
    except ValueError:
        return default
    return value if low <= value <= high else default


def init_widget(key: str, value) -> None:
    """Give widget ``key`` a first value (from the URL) without fighting later user changes."""
    if key not in st.session_state:
        st.session_state[key] = value


def set_query(**values) -> None:
    """Write the view into the URL so that a link reproduces it."""
    for name, value in values.items():
        text = "" if value is None else str(value)
        if text and st.query_params.get(name) != text:
            st.query_params[name] = text
        elif not text and name in st.query_params:
            del st.query_params[name]


def init_text_widget(key: str, param: str, default: str) -> None:
    """Give text area ``key`` its first value: the text packed in the URL's ``param`` when the
    link has one, else ``default``. A damaged packed text is reported and ignored."""
    if key in st.session_state:
        return
    packed = query_value(param)
    text = unpack_text(packed) if packed else None
    if packed and text is None:
        st.warning("The link's text could not be read (the link may have been cut); showing the default text.")
    init_widget(key, default if text is None else text)


def share_text(param: str, text: str, default: str = "") -> None:
    """Keep ``text`` (a text area's value) packed in the URL's ``param``; left out when it is
    the ``default``, and, with a note in the link control, when it is too long for a link."""
    packed = None if text.strip() == default.strip() else pack_text(text)
    if packed is None and text.strip() != default.strip():
        add_link_note(f"Your text ({len(text):,} characters) is too long for a link (more than "
                      f"{MAX_PACKED_CHARS:,} characters once compressed): the link opens this page "
                      "with its default text.")
    set_query(**{param: packed})


# ------------------------------------------------------------------------ presentation mode
def presentation() -> bool:
    """Whether presentation mode (projector: larger text, one layer per row) is on."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def presentation_toggle() -> None:
    """The sidebar's presentation-mode switch, kept in the URL (``present=1``)."""
    init_widget(PRESENT_KEY, query_value(PRESENT_PARAM) == "1")
    st.sidebar.toggle("Presentation mode", key=PRESENT_KEY,
                      help="For a projector: larger text and charts, one layer per row, fewer decimals.")
    set_query(**{PRESENT_PARAM: "1" if presentation() else None})
    if presentation():
        st.html(PRESENTATION_CSS)


def decimals() -> int:
    """Decimals of every similarity in tables: 3, or 2 in presentation mode."""
    return PRESENTATION_DECIMALS if presentation() else DECIMALS


def number_formats(columns) -> dict[str, str]:
    """``Styler.format`` formats showing ``columns`` with :func:`decimals` decimals."""
    return {column: f"{{:.{decimals()}f}}" for column in columns}


def number_columns(columns, places: int | None = None) -> dict:
    """``st.dataframe`` column settings showing ``columns`` with ``places`` (default
    :func:`decimals`) decimals: formatting by column, not per cell as a ``Styler`` does, so the
    browser redraws a table faster."""
    places = decimals() if places is None else places
    return {column: st.column_config.NumberColumn(format=f"%.{places}f") for column in columns}


def show_chart(figure, **kwargs):
    """``st.plotly_chart`` of ``figure``, with projector fonts in presentation mode."""
    if presentation():
        charts.for_projector(figure)
    return st.plotly_chart(figure, **kwargs)


# ---------------------------------------------------------------------------- link control
def start_run(page_path: str) -> None:
    """Called by the app before a page runs: the page's path, for links."""
    _RUN.page_path = page_path


def begin_page() -> None:
    """Called first by every page: no link notes and no link control yet."""
    _RUN.notes = []
    _RUN.share_slot = None


def add_link_note(note: str) -> None:
    """A line (plain text) shown under the link, e.g. what the link cannot carry."""
    if not hasattr(_RUN, "notes"):
        _RUN.notes = []
    if note not in _RUN.notes:
        _RUN.notes.append(note)


def open_share_slot() -> None:
    """Reserve the sidebar's place for the link control and draw it with the view so far (a
    page that stops early keeps this one); :func:`draw_share_link` redraws it at the end."""
    _RUN.share_slot = st.sidebar.empty()
    draw_share_link()


def page_url() -> str:
    """The page's URL in the browser, or its path when the browser has not said (tests)."""
    url = st.context.url
    return url if url else "/" + getattr(_RUN, "page_path", "")


def current_link() -> str:
    return view_link(page_url(), st.query_params.to_dict())


def draw_share_link() -> None:
    """The "Copy link to this view" control: the link to this page with everything the URL
    holds (see :mod:`.share`), in a code box with a copy button."""
    slot = getattr(_RUN, "share_slot", None)
    if slot is None:
        return
    with slot.container():
        with st.popover("Copy link to this view", icon=":material/link:", width="stretch"):
            st.code(current_link(), language=None, wrap_lines=True)
            st.caption("Copy it with the button at the right of the box. It reopens this page with the "
                       "same model, text, word, layer, colours and presentation mode.")
            for note in getattr(_RUN, "notes", []):
                st.caption(md(note))

"""
What a visitor waits for in the app (issue 13), measured in a real browser: Playwright drives
Debian's Chromium against ``elmo-explorer app`` (LocalApp) on 127.0.0.1. Run with
``.venv/bin/python benchmarks/app_latency.py [--reps 5] [--sections lab,senses,umap,...]`` (default:
every section below); it prints Markdown tables (each figure the median of ``--reps`` runs, with the
minimum and maximum, and its target: met or not) and writes the figures as JSON with ``--json PATH``.

A figure is the time from the user's action (a key press, a click) until the page has received
the script run's last message and painted it: every WebSocket message the page gets schedules
two animation frames, and the measure ends at the frame after the last message once the page
has been quiet for a moment (slow steps wait for their own text or element first). Where no
script run ends the wait (a widget inside a form, which only the browser handles; a live training
run, whose progress redraws every second), the figure runs until the element that answers the action
is on the page and the frame after it is painted. "First visit" rows open the page on a freshly
started server (the page's first run there: imports, model and head loading); "a new visitor" opens
it again in a new browser session on the warm server.

Sections:

- ``lab``: Sentence lab, default-sized text (19 tokens) typed into a warm server until the
  three heatmaps are painted; then widget changes: occurrence, presentation mode.
- ``senses``: Word senses with 1,000 own sentences (a new set each time): first run; then
  layer radio, number of neighbours and occurrence changes on the computed page.
- ``umap``: UMAP explorer, all tokens of the curated set (5,000 points), on a fresh server per
  repetition (numba's cache as earlier starts left it): the first three-layer UMAP map (from the
  click, and from the server's start), then another 5,000-point set (own sentences) once warm,
  and colour-by / layer changes on the computed map.
- ``umap_cold``: the first map with an empty numba cache (a first start after installing), once.
- ``sentiment``: Sentiment, fresh server: first visit and a new visitor until the verdict and token
  colours of the default text are painted; a new sentence typed until its verdict and colours are
  painted; one widget change (training epochs: the page runs again, the result memoised; and the
  classifier radio when the model ships more than one head).
- ``scalar_mix``: Scalar-mix lab, fresh server: first visit, a new visitor; the task changed (in
  the settings form: no server run); Train clicked until the first progress bar is painted (the run
  is cancelled at once).
- ``models``: Models, fresh server: first visit and a new visitor until the model card is painted;
  the model-source radio switched (official models listed, and back).
- ``lesson``: the Lesson, fresh server: step 1 on the first visit, a first pass through the steps with
  Next (each step's measures computed once: the curated sense set, the shipped head), then ``--reps``
  passes from step 1 on the warm server, each Next timed until the new step is painted.
- ``corpus``: Corpus explorer, fresh server with an empty cache (numba's cache kept): the first
  visit after installing, which embeds the sample corpus in the background, until the first word's
  map is painted; a new visitor; another word chosen.

Timings depend on the machine: the header prints the CPU count and load average.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from elmo_explorer_ui.lesson.content import STEPS  # noqa: E402
from elmo_explorer_ui.local_server import LocalApp  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 300_000
QUIET_MS = 700
# Every WebSocket message schedules two animation frames; __ws.paint is the last such frame.
WS_HOOK = """
(() => {
  const Original = window.WebSocket;
  const state = window.__ws = {count: 0, last: 0, paint: 0};
  function Hooked(...args) {
    const socket = new Original(...args);
    socket.addEventListener("message", () => {
      state.count += 1;
      state.last = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => { state.paint = performance.now(); }));
    });
    return socket;
  }
  Hooked.prototype = Original.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Hooked[name] = Original[name];
  window.WebSocket = Hooked;
})();
"""


# ------------------------------------------------------------------------------- the server
class Server(LocalApp):
    """The app on a free port of 127.0.0.1, started at once; ``started`` is its start time."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        log.close()
        super().__init__(Path(log.name), env)
        self.start()

    def stop(self) -> None:
        super().stop()
        self.log.unlink(missing_ok=True)


# ------------------------------------------------------------------------------ the browser
def new_tab(browser, height: int = 1000):
    context = browser.new_context(viewport={"width": 1280, "height": height})
    context.add_init_script(WS_HOOK)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    return tab


def settle(tab, before: int, wait_for=None) -> float:
    """Milliseconds (page clock) at which the page painted the last message of the run started
    after message ``before``: waits for ``wait_for`` (a text, or a Playwright locator) first when given."""
    if wait_for is not None:
        target = tab.locator(f"text={wait_for}") if isinstance(wait_for, str) else wait_for
        target.first.wait_for(state="attached", timeout=TIMEOUT_MS)
    tab.wait_for_function(
        f"() => window.__ws.count > {before} && performance.now() - window.__ws.last > {QUIET_MS}"
        " && window.__ws.paint >= window.__ws.last", timeout=TIMEOUT_MS, polling=50)
    return tab.evaluate("window.__ws.paint")


def timed(tab, action, wait_for=None) -> float:
    """Seconds from ``action()`` until the page has painted the resulting run."""
    before = tab.evaluate("window.__ws.count")
    start = tab.evaluate("performance.now()")
    action()
    return (settle(tab, before, wait_for) - start) / 1000


def open_page(tab, url: str, wait_for: str) -> None:
    tab.goto(url)
    tab.locator(f"text={wait_for}").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    settle(tab, 0)


def type_text(tab, text: str, index: int = 0) -> None:
    area = tab.locator('[data-testid="stTextArea"] textarea').nth(index)
    area.fill(text)
    area.press("Control+Enter")


def painted_now(tab) -> float:
    """The page clock (ms) at the second animation frame from now: what is on the page is painted."""
    return tab.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
                        "() => done(performance.now()))))")


def timed_until(tab, action, target) -> float:
    """Seconds from ``action()`` until ``target`` (a locator: visible; or a JavaScript predicate)
    holds and the page has painted: for actions whose answer no script run's end marks (a widget
    in a form, a live run's progress)."""
    start = tab.evaluate("performance.now()")
    action()
    if isinstance(target, str):
        tab.wait_for_function(target, timeout=TIMEOUT_MS, polling="raf")
    else:
        target.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    return (painted_now(tab) - start) / 1000


def idle(tab) -> None:
    """Until the page has had no message for a moment and has painted the last one."""
    tab.wait_for_function(f"() => performance.now() - window.__ws.last > {QUIET_MS}"
                          " && window.__ws.paint >= window.__ws.last", timeout=TIMEOUT_MS, polling=50)


def visit(browser, url: str, wait_for, height: int = 1000):
    """(seconds from navigating to ``url`` until the page has painted its first run, the tab);
    ``wait_for``: a text, or a function of the tab giving a locator, to wait for first. The page
    clock starts at the navigation."""
    tab = new_tab(browser, height)
    tab.goto(url)
    return settle(tab, 0, wait_for if isinstance(wait_for, str) else wait_for(tab)) / 1000, tab


def need(locator, section: str, what: str, timeout_ms: int = 30_000):
    """``locator``'s first match, or a clear error naming the section when the page has none."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.first.wait_for(state="attached", timeout=timeout_ms)
    except PlaywrightTimeout:
        raise SystemExit(f"app_latency section {section!r}: the page shows no {what} within "
                         f"{timeout_ms / 1000:.0f} s (has the page changed? update the selector in "
                         "benchmarks/app_latency.py)") from None
    return locator.first


def labelled(tab, testid: str, label: str):
    """The widgets ``[data-testid=testid]`` whose label is exactly ``label``."""
    return tab.locator(f'[data-testid="{testid}"]').filter(
        has=tab.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))


def open_choices(tab, label: str, option: int | str):
    """Open the selectbox labelled ``label``; its ``option``-th entry (0-based), or the first
    containing that text."""
    box = tab.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]')
    box.click()
    options = tab.locator('[role="option"]')
    try:
        options.first.wait_for(timeout=2000)
    except Exception:  # noqa: BLE001 - a focused box may need a key to open
        box.press("ArrowDown")
    entry = options.nth(option) if isinstance(option, int) else options.filter(has_text=option).first
    entry.wait_for()
    return entry


def choose(tab, label: str, option: int | str) -> float:
    """Seconds from clicking an entry of the selectbox labelled ``label`` (its ``option``-th
    entry, 0-based, or the first containing that text; the list is opened before the clock
    starts) until the page has painted the run."""
    return timed(tab, open_choices(tab, label, option).click)


# ---------------------------------------------------------------------------------- inputs
def curated_texts() -> list[str]:
    lines = (REPO / "elmo_core" / "data" / "polysemy.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines]


def own_sense_lines(rep: int, count: int = 1000) -> str:
    """``count`` lines ``sense | sentence`` that use "bank", different for every ``rep``."""
    rows = [json.loads(line) for line in (REPO / "elmo_core" / "data" / "polysemy.jsonl").read_text().splitlines()]
    out = []
    for i in range(count):
        row = rows[i % len(rows)]
        text = row["text"].replace(row["target"], "bank", 1).rstrip(".")
        out.append(f"{row['sense'].split('.')[-1]} | {text} , round {rep} take {i // len(rows)} .")
    return "\n".join(out)


def own_map_text(rep: int) -> str:
    """About 450 sentences (over 5,000 tokens), unlike the curated set and every other ``rep``."""
    return "\n".join(f"Yesterday {text.rstrip('.')} , said witness {rep} ." for text in curated_texts()[:460])


# -------------------------------------------------------------------------------- sections
def lab(browser, server: Server, reps: int) -> dict[str, list[float]]:
    tab = new_tab(browser)
    open_page(tab, server.url, "Token similarity per layer")
    results: dict[str, list[float]] = {"lab: type the default-size text, heatmaps painted": [],
                                       "lab: occurrence changed": [], "lab: presentation mode toggled": []}
    for rep in range(reps + 1):  # the first run warms the page's code paths
        text = f"She sat on the bank of the river {rep} .\nHe went to the bank to deposit his salary ."
        seconds = timed(tab, lambda: type_text(tab, text), "Tokens (20 in 2 sentences)")
        if rep:
            results["lab: type the default-size text, heatmaps painted"].append(seconds)
    for rep in range(reps):
        results["lab: occurrence changed"].append(choose(tab, "Occurrence", rep % 2))
    for rep in range(reps):
        toggle = tab.locator('[data-testid="stSidebar"] label', has_text="Presentation mode")
        results["lab: presentation mode toggled"].append(timed(tab, toggle.click))
    tab.context.close()
    return results


def senses(browser, server: Server, reps: int) -> dict[str, list[float]]:
    tab = new_tab(browser, height=1400)
    open_page(tab, f"{server.url}/Word_senses?word=bank", "Which layer knows the sense?")
    tab.locator('[data-testid="stExpander"] summary', has_text="Add your own sentences").click()
    results: dict[str, list[float]] = {"senses: 1,000 own sentences, first run": [],
                                       "senses: layer radio (1,020 occurrences)": [],
                                       "senses: neighbours number (1,020 occurrences)": [],
                                       "senses: occurrence changed (1,020 occurrences)": []}
    for rep in range(reps):
        results["senses: 1,000 own sentences, first run"].append(
            timed(tab, lambda: type_text(tab, own_sense_lines(rep)), f"round {rep} take"))
    for rep in range(reps):  # from layer 2 to 0, 1, 2, 0, ...
        option = tab.locator('[data-testid="stRadio"] label', has_text=f"layer {rep % 3} (").first
        results["senses: layer radio (1,020 occurrences)"].append(timed(tab, option.click))
    number = tab.locator('[data-testid="stNumberInput"] input')
    for rep in range(reps):
        results["senses: neighbours number (1,020 occurrences)"].append(
            timed(tab, lambda: (number.fill(str(3 + rep % 4)), number.press("Enter"))))
    for rep in range(reps):
        results["senses: occurrence changed (1,020 occurrences)"].append(choose(tab, "Occurrence", 1 + rep))
    tab.context.close()
    return results


def first_umap(browser, server: Server) -> tuple[float, float, object]:
    """(seconds from the click, seconds from the server's start) to the first 5,000-point map."""
    tab = new_tab(browser, height=1400)
    open_page(tab, f"{server.url}/UMAP_explorer?word=all&points=tokens", "5,000 points · PCA")
    timed(tab, lambda: tab.locator('[data-testid="stRadio"] label', has_text="UMAP").first.click(),
          "Compute UMAP")
    seconds = timed(tab, tab.get_by_role("button", name="Compute UMAP").click, "5,000 points · UMAP")
    return seconds, time.monotonic() - server.started, tab


def umap(browser, reps: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "umap: first map, 5,000 points x 3 layers, fresh server (from the click)": [],
        "umap: first map, fresh server (from the server's start)": [],
        "umap: another 5,000 points once warm, per layer": [],
        "umap: colour-by changed (5,000 points, 3 layers)": [],
        "umap: one layer at a time, layer slider (5,000 points)": []}
    for rep in range(reps):
        server = Server()
        try:
            click, total, tab = first_umap(browser, server)
            results["umap: first map, 5,000 points x 3 layers, fresh server (from the click)"].append(click)
            results["umap: first map, fresh server (from the server's start)"].append(total)
            choose(tab, "Colour by", "source")
            results["umap: colour-by changed (5,000 points, 3 layers)"].append(choose(tab, "Colour by", "word"))
            timed(tab, lambda: tab.locator('[data-testid="stRadio"] label', has_text="one at a time").first.click())
            slider = tab.locator('[data-testid="stSlider"] input[type="range"]').first
            slider.focus()
            results["umap: one layer at a time, layer slider (5,000 points)"].append(
                timed(tab, lambda: slider.press("ArrowLeft")))
            tab.context.close()
            tab = new_tab(browser, height=1400)
            open_page(tab, f"{server.url}/UMAP_explorer?word=all&points=tokens&sources=yours",
                      "No sentence in the chosen sources")
            tab.locator('[data-testid="stExpander"] summary', has_text="Your sentences").click()
            timed(tab, lambda: type_text(tab, own_map_text(rep)), "5,000 points · PCA")
            timed(tab, lambda: tab.locator('[data-testid="stRadio"] label', has_text="UMAP").first.click(),
                  "Compute UMAP")
            seconds = timed(tab, tab.get_by_role("button", name="Compute UMAP").click, "5,000 points · UMAP")
            results["umap: another 5,000 points once warm, per layer"].append(seconds / 3)
            tab.context.close()
        finally:
            server.stop()
    return results


def umap_cold(browser, _reps: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as empty:
        server = Server({"NUMBA_CACHE_DIR": empty})
        try:
            click, total, tab = first_umap(browser, server)
            tab.context.close()
        finally:
            server.stop()
    return {"umap: first map with an empty numba cache (from the click)": [click],
            "umap: first map with an empty numba cache (from the server's start)": [total]}


NOUNS = ("film", "play", "script", "comedy", "drama", "sequel", "thriller", "cast")


def sentiment(browser, reps: int) -> dict[str, list[float]]:
    section = "sentiment"
    results: dict[str, list[float]] = {
        "sentiment: first visit, verdict and token colours painted (fresh server)": [],
        "sentiment: open the page (a new visitor), verdict and token colours painted": [],
        "sentiment: type a new sentence, verdict and token colours painted": [],
        "sentiment: widget change, training epochs (page reruns, result memoised)": [],
        "sentiment: classifier radio switched (another shipped head)": []}
    colours = lambda tab: tab.locator('[data-testid="stHtml"] span[title]')  # noqa: E731 - the token colours
    server = Server()
    try:
        url = f"{server.url}/Sentiment"
        for rep in range(reps + 1):
            seconds, tab = visit(browser, url, colours, height=1400)
            results["sentiment: first visit, verdict and token colours painted (fresh server)" if rep == 0 else
                    "sentiment: open the page (a new visitor), verdict and token colours painted"].append(seconds)
            if rep < reps:
                tab.context.close()
        area = need(labelled(tab, "stTextArea", "Text").locator("textarea"), section, 'text area "Text"')
        for rep in range(reps):  # a new noun every time: its colour span marks the new result
            noun = NOUNS[rep % len(NOUNS)]

            def type_sentence(noun=noun, rep=rep) -> None:
                area.fill(f"Not a bad {noun} at all , take {rep} .")
                area.press("Control+Enter")

            results["sentiment: type a new sentence, verdict and token colours painted"].append(timed(
                tab, type_sentence, colours(tab).filter(has_text=re.compile(rf"^\s*{noun}\s*$"))))
        need(tab.locator('[data-testid="stExpander"] summary', has_text="Train a sentiment head"), section,
             'expander "Train a sentiment head …"').click()  # the browser alone opens it
        number = need(labelled(tab, "stNumberInput", "Epochs").locator("input"), section, 'number input "Epochs"')
        for rep in range(reps):  # 2, 3, 4, 6, 2, ...: never the value before (the default is 5)
            value = (2, 3, 4, 6)[rep % 4]
            results["sentiment: widget change, training epochs (page reruns, result memoised)"].append(
                timed(tab, lambda: (number.fill(str(value)), number.press("Enter"))))
        heads = labelled(tab, "stRadio", "Classifier").locator('[role="radiogroup"] label')
        if heads.count() > 1:  # the bundled mini ships one head: no switch to time
            for rep in range(reps):
                results["sentiment: classifier radio switched (another shipped head)"].append(
                    timed(tab, heads.nth(1 - rep % 2).click))
        tab.context.close()
    finally:
        server.stop()
    return results


def scalar_mix(browser, reps: int) -> dict[str, list[float]]:
    section = "scalar_mix"
    from playwright.sync_api import expect

    results: dict[str, list[float]] = {
        "scalar_mix: first visit, settings form painted (fresh server)": [],
        "scalar_mix: open the page (a new visitor)": [],
        "scalar_mix: task changed (in the settings form: no server run)": [],
        "scalar_mix: Train clicked, first progress bar painted": []}
    train = lambda tab: tab.get_by_role("button", name="Train", exact=True)  # noqa: E731
    server = Server()
    try:
        url = f"{server.url}/Scalar_mix_lab"
        for rep in range(reps + 1):
            seconds, tab = visit(browser, url, train, height=1400)
            results["scalar_mix: first visit, settings form painted (fresh server)" if rep == 0 else
                    "scalar_mix: open the page (a new visitor)"].append(seconds)
            if rep < reps:
                tab.context.close()
        need(tab.locator('[data-testid="stSelectbox"] input[aria-label="Task"]'), section, 'selectbox "Task"')

        def task_shown(option: str) -> str:  # the box shows the entry (as text, or as its input's value)
            return ("() => { const input = document.querySelector('[data-testid=\"stSelectbox\"] "
                    "input[aria-label=\"Task\"]'); const box = input && input.closest('[data-testid=\"stSelectbox\"]');"
                    f" return !!box && (box.textContent + ' ' + input.value).includes({json.dumps(option)}); }}")

        for rep in range(reps):  # POS, sentiment, POS, ...
            option = "Sentiment" if rep % 2 else "POS"
            results["scalar_mix: task changed (in the settings form: no server run)"].append(
                timed_until(tab, open_choices(tab, "Task", option).click, task_shown(option)))
        if reps % 2:  # back to sentiment for the training below
            timed_until(tab, open_choices(tab, "Task", "Sentiment").click, task_shown("Sentiment"))
        progress = tab.locator('[data-testid="stProgress"]')
        failed = tab.get_by_text("Training failed")
        cancel = tab.get_by_role("button", name="Cancel")
        for rep in range(reps):
            button = need(train(tab), section, 'button "Train"')
            expect(button).to_be_enabled(timeout=TIMEOUT_MS)
            seconds = timed_until(tab, button.click, progress.or_(failed))
            if failed.count():
                print(f"scalar_mix: training did not start ({failed.first.inner_text()[:200]}); "
                      "no Train figure", flush=True)
                break
            results["scalar_mix: Train clicked, first progress bar painted"].append(seconds)
            for _ in range(300):  # the live fragment redraws Cancel every second: click until it takes
                if failed.count() or (not cancel.count() and train(tab).first.is_enabled()):
                    break
                if cancel.count():
                    try:
                        cancel.first.click(timeout=3000, force=True)
                    except Exception:  # noqa: BLE001 - redrawn or gone; look again
                        pass
                tab.wait_for_timeout(1000)
            idle(tab)
        tab.context.close()
    finally:
        server.stop()
    return results


def models(browser, reps: int) -> dict[str, list[float]]:
    section = "models"
    results: dict[str, list[float]] = {
        "models: first visit, model card painted (fresh server)": [],
        "models: open the page (a new visitor), model card painted": [],
        "models: model source radio switched": []}
    card = lambda tab: tab.locator('[data-testid="stTable"]')  # noqa: E731 - the model card's table
    server = Server()
    try:
        url = f"{server.url}/Models"
        for rep in range(reps + 1):
            seconds, tab = visit(browser, url, card)
            results["models: first visit, model card painted (fresh server)" if rep == 0 else
                    "models: open the page (a new visitor), model card painted"].append(seconds)
            if rep < reps:
                tab.context.close()
        sources = labelled(tab, "stRadio", "Model source").locator('[role="radiogroup"] label')
        need(sources, section, 'radio "Model source"')
        for rep in range(reps):  # the official models (listed, nothing downloaded), then back
            option = sources.filter(has_text="Official" if rep % 2 == 0 else "Bundled").first
            need(option, section, f'"{"Official" if rep % 2 == 0 else "Bundled"} …" option of "Model source"')
            results["models: model source radio switched"].append(timed(tab, option.click))
        tab.context.close()
    finally:
        server.stop()
    return results


def corpus(browser, reps: int) -> dict[str, list[float]]:
    section = "corpus"
    from elmo_core.analysis.umap_compile import numba_cache_folder

    results: dict[str, list[float]] = {
        "corpus: first visit after installing, sample corpus embedded, first map painted (fresh server)": [],
        "corpus: open the page (a new visitor), first map painted": [],
        "corpus: another word chosen, map painted": []}
    chart = lambda tab: tab.locator('[data-testid="stPlotlyChart"]')  # noqa: E731 - the word's map
    with tempfile.TemporaryDirectory() as empty:
        server = Server({"ELMO_EXPLORER_CACHE": empty, "NUMBA_CACHE_DIR": str(numba_cache_folder())})
        try:
            url = f"{server.url}/Corpus_explorer"
            for rep in range(reps + 1):
                seconds, tab = visit(browser, url, chart, height=1400)
                results["corpus: first visit after installing, sample corpus embedded, first map painted "
                        "(fresh server)" if rep == 0 else
                        "corpus: open the page (a new visitor), first map painted"].append(seconds)
                if rep < reps:
                    tab.context.close()
            label = "Word (most frequent first)"
            need(tab.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]'), section,
                 f'selectbox "{label}"')
            for rep in range(reps):
                results["corpus: another word chosen, map painted"].append(choose(tab, label, 1 + rep))
            tab.context.close()
        finally:
            server.stop()
    return results


def lesson(browser, reps: int) -> dict[str, list[float]]:
    section = "lesson"
    results: dict[str, list[float]] = {"lesson: first visit, step 1 painted (fresh server)": []}
    results.update({f"lesson: first pass (fresh server), Next to step {n}": [] for n in range(2, len(STEPS) + 1)})
    results.update({f"lesson: Next to step {n} (warm server)": [] for n in range(2, len(STEPS) + 1)})
    heading = lambda n: f'h2:has-text("{STEPS[n - 1].title}")'  # noqa: E731
    server = Server()
    try:
        seconds, tab = visit(browser, f"{server.url}/Lesson?step=1", lambda t: t.locator(heading(1)), height=1400)
        results["lesson: first visit, step 1 painted (fresh server)"].append(seconds)
        for rep in range(reps + 1):  # the first pass computes each step's measures once
            if rep:
                tab.goto(f"{server.url}/Lesson?step=1")
                tab.locator(heading(1)).first.wait_for(state="attached", timeout=TIMEOUT_MS)
                settle(tab, 0)
            for n in range(2, len(STEPS) + 1):
                button = need(tab.get_by_role("button", name="Next →"), section, 'button "Next →"')
                seconds = timed(tab, button.click, tab.locator(heading(n)))
                results[f"lesson: first pass (fresh server), Next to step {n}" if rep == 0 else
                        f"lesson: Next to step {n} (warm server)"].append(seconds)
        tab.context.close()
    finally:
        server.stop()
    return results


# ------------------------------------------------------------------------------------ main
#: Per row: (the most seconds its median may take, or None; a note). Widget changes <= 1 s; opening
#: a page <= 3 s for a visitor on a warm server; a first visit does the page's first work (stated).
TARGETS: dict[str, tuple[float | None, str]] = {
    **{f"lesson: Next to step {n} (warm server)": (1.5, "") for n in range(2, 8)},
    "lab: type the default-size text, heatmaps painted": (1.5, ""),
    "lab: occurrence changed": (1, ""),
    "lab: presentation mode toggled": (1, ""),
    "senses: 1,000 own sentences, first run": (10, ""),
    "senses: layer radio (1,020 occurrences)": (1, ""),
    "senses: neighbours number (1,020 occurrences)": (1, ""),
    "senses: occurrence changed (1,020 occurrences)": (1, ""),
    "umap: first map, 5,000 points x 3 layers, fresh server (from the click)": (20, ""),
    "umap: another 5,000 points once warm, per layer": (5, ""),
    "umap: colour-by changed (5,000 points, 3 layers)": (1, ""),
    "umap: one layer at a time, layer slider (5,000 points)": (1, ""),
    "sentiment: first visit, verdict and token colours painted (fresh server)":
        (None, "none: the server's first run of the page loads the model and the shipped heads"),
    "sentiment: open the page (a new visitor), verdict and token colours painted": (3, ""),
    "sentiment: type a new sentence, verdict and token colours painted": (1.5, "as the lab's typing"),
    "sentiment: widget change, training epochs (page reruns, result memoised)": (1, ""),
    "sentiment: classifier radio switched (another shipped head)": (1, ""),
    "scalar_mix: first visit, settings form painted (fresh server)":
        (None, "none: the server's first run of the page loads the model"),
    "scalar_mix: open the page (a new visitor)": (3, ""),
    "scalar_mix: task changed (in the settings form: no server run)": (1, ""),
    "scalar_mix: Train clicked, first progress bar painted": (1, "loads the task's examples first"),
    "models: first visit, model card painted (fresh server)":
        (None, "none: the server's first run of the page loads the model"),
    "models: open the page (a new visitor), model card painted": (3, ""),
    "models: model source radio switched": (1, ""),
    "corpus: first visit after installing, sample corpus embedded, first map painted (fresh server)":
        (None, "none: embeds the sample corpus (the curated sense sentences) once per model version"),
    "corpus: open the page (a new visitor), first map painted": (3, ""),
    "corpus: another word chosen, map painted": (1, ""),
}


def target(name: str, values: list[float]) -> str:
    limit, note = TARGETS.get(name, (None, ""))
    if limit is None:
        return note
    met = "met" if statistics.median(values) <= limit else "**not met**"
    return f"<= {limit:g} s: {met}" + (f" ({note})" if note else "")


def table(results: dict[str, list[float]]) -> str:
    rows = ["| what | median (s) | min | max | runs | target |", "|---|---:|---:|---:|---:|---|"]
    for name, values in results.items():
        if values:
            rows.append(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} "
                        f"| {len(values)} | {target(name, values)} |")
    return "\n".join(rows)


SECTIONS = ("lab", "senses", "umap", "umap_cold", "sentiment", "scalar_mix", "models", "corpus", "lesson")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    if unknown := [name for name in sections if name not in SECTIONS]:
        parser.error(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    print(f"# App latency, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n", flush=True)
    results: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if "lab" in sections or "senses" in sections:
                server = Server()
                try:
                    if "lab" in sections:
                        results |= lab(browser, server, args.reps)
                        print(table(results), flush=True)
                    if "senses" in sections:
                        results |= senses(browser, server, args.reps)
                        print(table(results), flush=True)
                finally:
                    server.stop()
            for name, run in (("umap", umap), ("umap_cold", umap_cold), ("sentiment", sentiment),
                              ("scalar_mix", scalar_mix), ("models", models), ("corpus", corpus), ("lesson", lesson)):
                if name in sections:
                    try:
                        results |= run(browser, args.reps)
                    except PlaywrightError as exc:  # a text or element that never came: name the section
                        raise SystemExit(f"app_latency section {name!r} failed: {str(exc).splitlines()[0]}") from exc
                    print(table(results), flush=True)
        finally:
            browser.close()
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""
What a visitor waits for in the app (issue 13), measured in a real browser: Playwright drives
Debian's Chromium against ``elmo-explorer app`` (LocalApp) on 127.0.0.1. Run with
``.venv/bin/python benchmarks/app_latency.py [--reps 5] [--sections lab,senses,umap,umap_cold]``;
it prints Markdown tables (each figure the median of ``--reps`` runs, with the minimum and
maximum) and writes them as JSON with ``--json PATH``.

A figure is the time from the user's action (a key press, a click) until the page has received
the script run's last message and painted it: every WebSocket message the page gets schedules
two animation frames, and the measure ends at the frame after the last message once the page
has been quiet for a moment (slow steps wait for their own text first).

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

Timings depend on the machine: the header prints the CPU count and load average.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
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


def settle(tab, before: int, wait_for: str | None = None) -> float:
    """Milliseconds (page clock) at which the page painted the last message of the run started
    after message ``before``: waits for ``wait_for`` (a text) first when given."""
    if wait_for:
        tab.locator(f"text={wait_for}").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    tab.wait_for_function(
        f"() => window.__ws.count > {before} && performance.now() - window.__ws.last > {QUIET_MS}"
        " && window.__ws.paint >= window.__ws.last", timeout=TIMEOUT_MS, polling=50)
    return tab.evaluate("window.__ws.paint")


def timed(tab, action, wait_for: str | None = None) -> float:
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


def choose(tab, label: str, option: int | str) -> float:
    """Seconds from clicking an entry of the selectbox labelled ``label`` (its ``option``-th
    entry, 0-based, or the first containing that text; the list is opened before the clock
    starts) until the page has painted the run."""
    box = tab.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]')
    box.click()
    options = tab.locator('[role="option"]')
    try:
        options.first.wait_for(timeout=2000)
    except Exception:  # noqa: BLE001 - a focused box may need a key to open
        box.press("ArrowDown")
    entry = options.nth(option) if isinstance(option, int) else options.filter(has_text=option).first
    entry.wait_for()
    return timed(tab, entry.click)


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


# ------------------------------------------------------------------------------------ main
def table(results: dict[str, list[float]]) -> str:
    rows = ["| what | median (s) | min | max | runs |", "|---|---|---|---|---|"]
    for name, values in results.items():
        if values:
            rows.append(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} "
                        f"| {len(values)} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sections", default="lab,senses,umap,umap_cold")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"# App latency, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n", flush=True)
    results: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            sections = args.sections.split(",")
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
            for name, run in (("umap", umap), ("umap_cold", umap_cold)):
                if name in sections:
                    results |= run(browser, args.reps)
                    print(table(results), flush=True)
        finally:
            browser.close()
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

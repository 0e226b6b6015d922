"""
Server memory soak (hardening item 15): does the app's server give memory back after use?

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/soak.py [--minutes 10] [--sessions 2] [--out DIR]

Starts ``elmo-explorer app`` (LocalApp) on 127.0.0.1 (a free port, a fresh feature cache), then drives
every page (the home page and every page in the sidebar) with ``--sessions`` concurrent browser
sessions (Playwright contexts in Debian's Chromium) for ``--minutes``: each visitor types
sentences, picks words and layers, pastes ``--own-lines`` labelled sentences of its own on Word
senses, computes a UMAP, places sentences on it, classifies a review and starts and cancels a
training run, then closes its tab and comes back as a new visitor. Inputs change every round, so
the caches see new keys as with real visitors.

The server's resident memory (RSS, with its child processes) is sampled every
``--sample-seconds``. Written to ``--out`` (default ``test-artifacts/soak``): ``soak_rss.csv``
(the samples), ``soak_summary.md`` (RSS after the first full round of all sessions, peak, final
after the soak and after ``--idle-seconds`` of idling, the ratio final / first round with
pass/fail of the 1.5x criterion, and RSS per minute) and ``server.log``. Exit status 0 when the
criterion holds, 1 when not, 2 when no full round finished.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak_pages  # noqa: E402
from soak_pages import ACTIONS, any_page, exceptions, nav_labels, open_page, wait_idle  # noqa: E402

from elmo_explorer_ui.local_server import LocalApp  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LIMIT = 1.5  # final RSS may be at most this multiple of the RSS after the first full round
MIB = 2**20


# ----------------------------------------------------------------------------- memory
def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its children: psutil when installed, else /proc VmRSS."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


# ----------------------------------------------------------------------------- soak
@dataclass
class Soak:
    pid: int
    sessions: int
    out: Path
    started: float = field(default_factory=time.monotonic)
    rounds: list[int] = field(default_factory=list)
    samples: list[tuple[float, int, str]] = field(default_factory=list)  # (seconds, rss bytes, note)
    failures: list[str] = field(default_factory=list)
    first_round_rss: int | None = None

    def __post_init__(self) -> None:
        self.rounds = [0] * self.sessions

    def sample(self, note: str = "") -> int:
        rss = rss_bytes(self.pid)
        self.samples.append((time.monotonic() - self.started, rss, note))
        return rss

    def round_done(self, session: int) -> None:
        self.rounds[session] += 1
        if self.first_round_rss is None and min(self.rounds) >= 1:
            self.first_round_rss = self.sample("first full round")


async def visitor(browser, url: str, soak: Soak, session: int, deadline: float, page_timeout_ms: int) -> None:
    """One visitor after the other in a fresh context: every page, then the tab closes."""
    round_no = 0
    while time.monotonic() < deadline or round_no == 0:
        context = await browser.new_context(viewport={"width": 1400, "height": 1600})
        tab = await context.new_page()
        tab.set_default_timeout(page_timeout_ms)
        complete = False
        try:
            await tab.goto(url)
            await tab.wait_for_selector('h1:has-text("Sentence lab")')
            await wait_idle(tab)
            for label in await nav_labels(tab):
                if time.monotonic() >= deadline and round_no > 0:
                    break
                if label != "Sentence lab":
                    await open_page(tab, label)
                await ACTIONS.get(label, any_page)(tab, round_no, session)
                if await exceptions(tab):
                    text = await soak_pages.problems(tab).first.inner_text()
                    soak.failures.append(f"session {session} round {round_no} {label}: error on the page: {text[:300]}")
            else:
                complete = True
        except Exception as exc:  # noqa: BLE001 - a failed round is reported, the soak goes on
            soak.failures.append(f"session {session} round {round_no}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0][:300]}")
            traceback.print_exc()
            try:
                await tab.screenshot(path=str(soak.out / f"failure_s{session}_r{round_no}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - the page may be gone
                pass
        finally:
            await context.close()
        if complete:
            soak.round_done(session)
            print(f"[{time.monotonic() - soak.started:6.0f} s] session {session} finished round {round_no}; "
                  f"server RSS {soak.samples[-1][1] / MIB if soak.samples else 0:.0f} MiB", flush=True)
        round_no += 1


async def sampler(soak: Soak, every: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        soak.sample()
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass


async def drive(url: str, soak: Soak, minutes: float, every: float, page_timeout_ms: int) -> None:
    from playwright.async_api import async_playwright

    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler(soak, every, stop))
    deadline = soak.started + minutes * 60
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(visitor(browser, url, soak, s, deadline, page_timeout_ms)
                                   for s in range(soak.sessions)))
        finally:
            await browser.close()
    stop.set()
    await sampling


# ----------------------------------------------------------------------------- report
def per_minute(samples: list[tuple[float, int, str]]) -> list[tuple[int, int]]:
    """The last sample of every minute: (minute, rss bytes)."""
    rows: dict[int, int] = {}
    for seconds, rss, _ in samples:
        rows[int(seconds // 60)] = rss
    return sorted(rows.items())


def summary(soak: Soak, final: int, idle: int, idle_seconds: float, minutes: float) -> tuple[str, bool]:
    first = soak.first_round_rss
    peak = max(rss for _, rss, _ in soak.samples)
    ratio = final / first if first else float("nan")
    passed = bool(first) and ratio <= LIMIT
    lines = [
        f"Soak: {minutes:g} min, {soak.sessions} browser sessions, rounds finished per session: "
        f"{', '.join(map(str, soak.rounds))}; failed rounds or exception boxes: {len(soak.failures)}",
        "",
        "| RSS of the server | MiB |",
        "|---|---:|",
        f"| after the first full round | {first / MIB:.0f} |" if first else "| after the first full round | – |",
        f"| peak | {peak / MIB:.0f} |",
        f"| final (end of the soak) | {final / MIB:.0f} |",
        f"| after {idle_seconds:.0f} s idle | {idle / MIB:.0f} |",
        "",
        f"final / first round = {ratio:.2f} (limit {LIMIT}): {'PASS' if passed else 'FAIL'}",
        "",
        "| minute | RSS (MiB) |",
        "|---:|---:|",
        *(f"| {minute} | {rss / MIB:.0f} |" for minute, rss in per_minute(soak.samples)),
    ]
    if soak.failures:
        lines += ["", "Failures:", *(f"- {f}" for f in soak.failures[:20])]
    return "\n".join(lines) + "\n", passed


def write_csv(path: Path, soak: Soak) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["seconds", "rss_mib", "note"])
        for seconds, rss, note in soak.samples:
            writer.writerow([f"{seconds:.1f}", f"{rss / MIB:.1f}", note])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the sessions drive the pages")
    parser.add_argument("--sessions", type=int, default=2, help="concurrent browser sessions")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="seconds between two RSS samples")
    parser.add_argument("--idle-seconds", type=float, default=30.0,
                        help="idle time after the soak, then one more sample")
    parser.add_argument("--own-lines", type=int, default=soak_pages.OWN_LINES,
                        help="own labelled sentences pasted on Word senses every round (0: none)")
    parser.add_argument("--page-timeout", type=float, default=240.0, help="seconds one page action may take")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "soak")
    args = parser.parse_args(argv)
    soak_pages.OWN_LINES = args.own_lines
    if not Path(CHROMIUM).is_file():
        parser.error(f"{CHROMIUM} is missing (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="soak-features-") as cache:
        app = LocalApp(args.out / "server.log", {"ELMO_EXPLORER_FEATURE_CACHE": cache,
                                                  "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")})
        app.start()
        url = app.url
        try:
            soak = Soak(app.process.pid, args.sessions, args.out)
            soak.sample("server started")
            asyncio.run(drive(url, soak, args.minutes, args.sample_seconds, int(args.page_timeout * 1000)))
            time.sleep(10)  # closed tabs disconnect, cancelled runs end
            final = soak.sample("final")
            time.sleep(args.idle_seconds)
            idle = soak.sample("idle")
        finally:
            app.stop()
    write_csv(args.out / "soak_rss.csv", soak)
    text, passed = summary(soak, final, idle, args.idle_seconds, args.minutes)
    (args.out / "soak_summary.md").write_text(text)
    print(text)
    if soak.first_round_rss is None:
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

"""
"Adapt to my text" on the Models page, without Streamlit: the visitor's text file checked and
kept in the cache, an :func:`elmo_core.training.adapt.adapt` run on a background thread with its
progress and a Cancel, and the adapted models kept under ``<cache>/adapted/``.

    text = keep_adapt_text(upload_bytes, "reviews.txt", session="a1b2")  # AdaptTextError: a sentence
    out = new_adapted_folder("mini", text.name)                           # <cache>/adapted/mini-reviews
    run = AdaptRun(AdaptConfig("mini", str(text.path), str(out)), budget_s=60).start()
    run.snapshot()      # AdaptSnapshot: phase, perplexity before -> now, tokens/s, seconds of the budget
    run.cancel()        # stops before its next training step; nothing is left behind
    adapted_models()    # the finished ones, newest first, with their held-out perplexity before/after

How:

- The text is refused by its size before it is read (:func:`check_adapt_size`), then by its
  number of lines; it is written into one folder per browser session under ``<cache>/adapt-texts/``
  (:func:`elmo_explorer_ui.uploads.text_upload_folder`: emptied for each new upload, the folders
  of other sessions removed past 8 or after a day) and read by
  :func:`elmo_core.text_file.read_text_file` (empty, binary, invalid UTF-8, overlong lines), so a
  bad file gets its message on upload.
- :class:`AdaptRun` is a daemon thread (the shape of :class:`elmo_core.tasks.background.BackgroundRun`:
  ``start``, ``cancel``, ``join``, ``running``, ``snapshot``), so
  :func:`elmo_explorer_ui.session_watch.stop_when_closed` can cancel it when the tab closes. Its
  progress comes from the evaluation lines that ``adapt`` logs (every
  ``LIMITS.adapt_eval_every`` steps, on ``LIMITS.adapt_eval_tokens`` held-out tokens); a Cancel
  takes effect before the next training step (``adapt(should_stop=...)``). A cancelled or failed run
  leaves nothing: its cache folder (:func:`~elmo_core.training.adapt.adapt_run_dir`) and any
  half-exported folder are removed (``adapt`` writes its model in one rename at the end), so it
  can be started again. At most ``LIMITS.adapt_runs_at_once`` runs train on one server.
- Adapted models live in ``<cache>/adapted/<model>-<text>/`` (:func:`new_adapted_folder`); before
  each run the oldest are removed so that at most ``LIMITS.adapted_kept`` remain
  (:func:`prune_adapted`). Each is an exported model folder, loaded as
  ``ModelSpec(kind="local", ...)`` (:meth:`AdaptedModel.spec`); its ``training_summary.json``
  holds the ``adaptation`` record (model, text, perplexity before and after).
- ``ELMO_EXPLORER_ADAPT_TEST_SECONDS`` (tests only): when set to a positive number, every budget
  trains that many seconds instead of its minutes (:func:`budget_seconds`).
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional

from elmo_core.cache import cache_dir
from elmo_core.threaded_run import ThreadedRun
from elmo_core.text_file import TextFileError, read_text_file
from elmo_core.training.adapt import AdaptConfig, AdaptResult, adapt, adapt_run_dir
from elmo_core.training.heldout import model_dir_with_softmax
from elmo_core.training.trainer import TrainingStopped

from .model_info import ModelSpec
from .safe_text import redact_paths, safe_filename
from .settings import LIMITS
from .uploads import text_upload_folder

__all__ = ["AdaptBusy", "AdaptRun", "AdaptSnapshot", "AdaptText", "AdaptTextError", "AdaptedModel",
           "TEST_SECONDS_ENV", "adapt_problem", "adapt_text_root", "adapted_models", "adapted_root",
           "budget_seconds", "check_adapt_size", "keep_adapt_text", "new_adapted_folder", "page_message",
           "prune_adapted"]

LOG = logging.getLogger("elmo_explorer")
TEST_SECONDS_ENV = "ELMO_EXPLORER_ADAPT_TEST_SECONDS"
#: A hidden folder in ``adapted/`` this old is left over from a crash (``adapt`` exports into one).
STALE_SECONDS = 3600.0
#: An evaluation line of the trainer: step, total tokens, tokens/s of this run, held-out perplexity.
_EVALUATION = re.compile(r"^step (\d+): ([\d,]+) tokens, ([\d,.]+) tokens/s, held-out ppl forward (\S+) "
                         r"backward (\S+?),")


class AdaptTextError(ValueError):
    """An uploaded text that cannot be adapted to; the message says why (no server path)."""


class AdaptBusy(RuntimeError):
    """Another adaptation is training on this server."""


class AdaptCancelled(Exception):
    """Raised inside a run (from its log) when it was asked to stop."""


# ------------------------------------------------------------------------------ folders
def adapted_root() -> Path:
    """Where adapted models are kept: ``<cache>/adapted``."""
    return cache_dir() / "adapted"


def adapt_text_root() -> Path:
    """Where the uploaded texts wait for their run: ``<cache>/adapt-texts``."""
    return cache_dir() / "adapt-texts"


def budget_seconds(minutes: float, environ: Mapping[str, str] | None = None) -> float:
    """Seconds of training for a budget of ``minutes``; ``ELMO_EXPLORER_ADAPT_TEST_SECONDS``
    (a positive number) replaces every budget, for tests."""
    env = os.environ if environ is None else environ
    try:
        seconds = float(env.get(TEST_SECONDS_ENV, "") or 0)
    except ValueError:
        seconds = 0.0
    return seconds if seconds > 0 and math.isfinite(seconds) else 60.0 * minutes


# ------------------------------------------------------------------------------ the text
@dataclass(frozen=True)
class AdaptText:
    """An uploaded text, checked and written to ``path``: its file ``name`` and non-blank ``lines``."""

    path: Path
    name: str
    lines: int


def check_adapt_size(size: int) -> None:
    """Refuse a text file larger than ``LIMITS.adapt_text_bytes`` before its bytes are read."""
    if size > LIMITS.adapt_text_bytes:
        raise AdaptTextError(f"the file has {size:,} bytes; a model is adapted to text files of up to "
                             f"{LIMITS.adapt_text_bytes:,} bytes (take a sample of it)")


def keep_adapt_text(data: bytes, filename: str, session: str, root: Path | None = None) -> AdaptText:
    """Check an uploaded text (size, lines, then :func:`~elmo_core.text_file.read_text_file`) and
    write it into the session's folder under :func:`adapt_text_root`; :class:`AdaptTextError`
    otherwise, with nothing kept."""
    check_adapt_size(len(data))
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if lines > LIMITS.adapt_text_lines:
        raise AdaptTextError(f"the file has {lines:,} lines; a model is adapted to text files of up to "
                             f"{LIMITS.adapt_text_lines:,} lines (take a sample of it)")
    name = safe_filename(Path(filename).name, "text.txt")
    folder = text_upload_folder(session, adapt_text_root() if root is None else root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        path.write_bytes(data)
        kept = read_text_file(path, max_bytes=LIMITS.adapt_text_bytes)
    except (TextFileError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise AdaptTextError(redact_paths(str(exc))) from None
    return AdaptText(path, name, sum(1 for line in kept if line.strip()))


def adapt_problem(target: str) -> str | None:
    """Why the model ``target`` (a name or a folder) cannot be adapted, as a sentence with no
    server path; None when it can (a trained softmax, a vocabulary and a training summary)."""
    try:
        directory = model_dir_with_softmax(target)  # NoSoftmaxError (a ValueError) for the official models
    except (ValueError, OSError, RuntimeError) as exc:  # ModelUnavailable is a RuntimeError
        return redact_paths(str(exc))
    if not (directory / "training_summary.json").is_file():
        return ("it has a softmax but no training_summary.json: only models exported by elmo-explorer "
                "(train, export, adapt) can be adapted")
    return None


def page_message(message: str) -> str:
    """A message of ``adapt`` for the page: no server path, and where it names a command-line
    option (``--batch-size``: a text too short), the advice the page can follow instead."""
    message = redact_paths(message)
    if " --" in message:
        message = message.split("; ")[0].rstrip(".") + ". Upload a longer text (more lines)."
    return message


# ------------------------------------------------------------------------------ adapted models
@dataclass(frozen=True)
class AdaptedModel:
    """A model in ``<cache>/adapted``: what was adapted (``source``, a model name or folder name),
    to which text, the held-out perplexity before and after ({"forward", "backward"}), this run's
    training tokens and seconds, and when it was written (``created``, seconds since the epoch)."""

    folder: Path
    source: str
    text: str
    before: dict
    after: dict
    tokens: int
    seconds: float
    created: float

    @property
    def name(self) -> str:
        return self.folder.name

    def spec(self) -> ModelSpec:
        return ModelSpec(kind="local", name=f"adapted {self.folder.name}", path=str(self.folder))


def _adapted(folder: Path) -> AdaptedModel | None:
    try:
        record = json.loads((folder / "training_summary.json").read_text(encoding="utf-8"))["adaptation"]
        if not ((folder / "options.json").is_file() and (folder / "weights.hdf5").is_file()):
            return None
        return AdaptedModel(folder, Path(str(record["model"])).name or str(record["model"]), str(record["text"]),
                            {k: float(v) for k, v in record["before"].items()},
                            {k: float(v) for k, v in record["after"].items()},
                            int(record["tokens"]), float(record["seconds"]), folder.stat().st_mtime)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def adapted_models(root: Path | None = None) -> list[AdaptedModel]:
    """The finished adapted models, newest first (hidden and unreadable folders left out)."""
    root = adapted_root() if root is None else root
    found = [_adapted(entry) for entry in (root.iterdir() if root.is_dir() else ())
             if entry.is_dir() and not entry.name.startswith(".")]
    return sorted((m for m in found if m is not None), key=lambda m: m.created, reverse=True)


def new_adapted_folder(model: str, text_name: str, root: Path | None = None) -> Path:
    """A folder name not used yet in ``<cache>/adapted``: ``<model>-<text stem>`` (``-2``, ``-3``
    ... when taken); not created (``adapt`` writes it at the end)."""
    root = adapted_root() if root is None else root
    base = safe_filename(f"{Path(model).name}-{Path(text_name).stem}", "adapted")[:60]
    for number in range(1, 10_000):
        folder = root / (base if number == 1 else f"{base}-{number}")
        if not folder.exists() and not (root / f".{folder.name}.partial").exists():
            return folder
    raise AdaptTextError("too many adapted models with this name")  # pragma: no cover - 10,000 folders


def prune_adapted(keep: int, root: Path | None = None, protect: tuple[Path, ...] = ()) -> list[Path]:
    """Remove the oldest adapted models until at most ``keep`` remain (never one in ``protect``),
    and hidden folders left by a crashed export; returns the removed folders."""
    root = adapted_root() if root is None else root
    removed = []
    now = time.time()
    folders = []
    for entry in root.iterdir() if root.is_dir() else ():
        try:
            if entry.name.startswith("."):
                if now - entry.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
                continue
            if entry.is_dir():
                folders.append((entry.stat().st_mtime, entry))
        except OSError:  # removed meanwhile by another session
            continue
    protected = {p.resolve() for p in protect}
    for _, folder in sorted(folders, reverse=True)[max(keep, 0):]:
        if folder.resolve() not in protected:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# ------------------------------------------------------------------------------ the run
@dataclass
class AdaptSnapshot:
    """A consistent copy of a run's progress. ``status``: pending, running, done, cancelled or
    failed; ``phase`` (while running): preparing, measuring, training or finishing. Perplexities
    are {"forward", "backward"}: ``before`` training and at the ``current`` (last) evaluation.
    ``training_seconds`` counts from the end of the first evaluation, against ``budget_seconds``."""

    status: str
    phase: str = "preparing"
    before: Optional[dict] = None
    current: Optional[dict] = None
    tokens_per_second: float = 0.0
    tokens: int = 0
    training_seconds: float = 0.0
    budget_seconds: float = 0.0
    error: str = ""
    result: Optional[AdaptResult] = None
    cancel_requested: bool = False

    @property
    def fraction(self) -> float:
        """The share of the budget spent, in [0, 1]."""
        return min(self.training_seconds / self.budget_seconds, 1.0) if self.budget_seconds > 0 else 0.0


_ACTIVE: list["AdaptRun"] = []
_ACTIVE_LOCK = threading.Lock()


@dataclass
class _Progress:
    phase: str = "preparing"
    before: Optional[dict] = None
    current: Optional[dict] = None
    first_tokens: int = 0
    tokens: int = 0
    tokens_per_second: float = 0.0
    training_started: Optional[float] = None


class AdaptRun(ThreadedRun):
    """One ``adapt`` run on a daemon thread: ``config`` with ``budget_s`` seconds of training
    (``minutes``) and its evaluations from ``LIMITS`` (see the module docstring)."""

    def __init__(self, config: AdaptConfig, *, budget_s: float):
        self.config = replace(config, minutes=budget_s / 60.0, tokens=0, eval_tokens=LIMITS.adapt_eval_tokens,
                              eval_every=config.eval_every or LIMITS.adapt_eval_every)
        super().__init__()
        self.budget_s = budget_s
        self._lock = threading.Lock()
        self._error = ""
        self._result: AdaptResult | None = None
        self._progress = _Progress()

    @property
    def out(self) -> Path:
        return self.config.out_path

    # ---------------------------------------------------------------- control
    def start(self, max_at_once: int | None = None) -> "AdaptRun":
        """Start the thread; :class:`AdaptBusy` when ``max_at_once`` runs (default
        ``LIMITS.adapt_runs_at_once``) already train on this server."""
        if self._thread is not None:
            raise RuntimeError("this run was already started")
        limit = LIMITS.adapt_runs_at_once if max_at_once is None else max_at_once
        with _ACTIVE_LOCK:
            _ACTIVE[:] = [run for run in _ACTIVE if run.running]
            if len(_ACTIVE) >= limit:
                raise AdaptBusy("Another adaptation is training on this server; start yours when it has finished.")
            self._status = "running"
            self._thread = threading.Thread(target=self._work, name=f"adapt {self.out.name}", daemon=True)
            self._thread.start()
            _ACTIVE.append(self)
        return self

    # ---------------------------------------------------------------- the thread
    def _log(self, *parts, **_) -> None:
        """``adapt``'s log: where a Cancel takes effect, and the source of the progress."""
        if self._cancel.is_set():
            raise AdaptCancelled()
        line = " ".join(str(p) for p in parts)
        found = _EVALUATION.match(line)
        with self._lock:
            p = self._progress
            if line.startswith("adapting "):
                p.phase = "measuring"
            if found is None:
                return
            tokens = int(found.group(2).replace(",", ""))
            perplexity = {"forward": float(found.group(4)), "backward": float(found.group(5))}
            if p.before is None:
                p.before, p.first_tokens, p.phase = perplexity, tokens, "training"
                p.training_started = time.perf_counter()
            p.current, p.tokens = perplexity, tokens - p.first_tokens
            if p.tokens:
                p.tokens_per_second = float(found.group(3).replace(",", ""))

    def _discard(self, model_too: bool) -> None:
        shutil.rmtree(adapt_run_dir(self.out), ignore_errors=True)
        shutil.rmtree(self.out.parent / f".{self.out.name}.partial", ignore_errors=True)
        if model_too:
            shutil.rmtree(self.out, ignore_errors=True)

    def _work(self) -> None:
        status, error, result = "failed", "", None
        try:
            result = adapt(self.config, progress=False, log=self._log, should_stop=self._cancel.is_set)
            status = "cancelled" if self._cancel.is_set() else "done"  # a late Cancel is still a Cancel
        except (AdaptCancelled, TrainingStopped):
            status = "cancelled"
        except ValueError as exc:  # AdaptError, TextFileError, NoSoftmaxError: their message says why
            error = page_message(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the page, never raised in a thread
            LOG.exception("adapting %s failed", self.out.name)
            error = redact_paths(f"{type(exc).__name__}: {exc}")
        finally:
            if status != "done":  # nothing half-written; the model itself only when a late Cancel let it finish
                self._discard(model_too=result is not None)
        with self._lock:
            self._status, self._error = status, error
            self._result = result if status == "done" else None

    def snapshot(self) -> AdaptSnapshot:
        with self._lock:
            p = self._progress
            seconds = time.perf_counter() - p.training_started if p.training_started is not None else 0.0
            phase = "finishing" if p.phase == "training" and seconds >= self.budget_s else p.phase
            return AdaptSnapshot(self._status, phase, p.before, p.current, p.tokens_per_second, p.tokens,
                                 seconds, self.budget_s, self._error, self._result, self._cancel.is_set())

"""
Background work that a browser session started stops when that session's tab closes.

Streamlit keeps the state of a session whose websocket closed for a while (a reload can resume
it), but takes the session out of the runtime's *active* sessions at once. One watcher thread per
run polls that and cancels the run once its session has been gone for :data:`GRACE_S` seconds,
so a reload that reconnects at once keeps its run. With a run that checks its cancel flag between
steps, the run ends well within 10 s of the tab closing; the watcher then logs::

    stopped the training run <label> 4.1 s after its browser session closed
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

__all__ = ["POLL_S", "GRACE_S", "current_session_id", "stop_when_closed"]

LOG = logging.getLogger("elmo_explorer")
#: Seconds between two looks at the session.
POLL_S = 0.5
#: Seconds a session must stay disconnected before its run is cancelled.
GRACE_S = 2.0


class Cancellable(Protocol):
    """What the watcher needs of a run (:class:`elmo_core.tasks.background.BackgroundRun` fits)."""

    @property
    def running(self) -> bool: ...

    def cancel(self) -> None: ...

    def join(self, timeout: float | None = None) -> bool: ...


def current_session_id() -> str | None:
    """The id of the browser session running this script; None outside a served app."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def stop_when_closed(run: Cancellable, label: str, session_id: str | None = None, *,
                     poll_s: float = POLL_S, grace_s: float = GRACE_S) -> threading.Thread | None:
    """Cancel ``run`` once the session ``session_id`` (default: the current one) has been closed
    for ``grace_s`` seconds. Returns the watcher thread; None when there is no served session
    to watch (e.g. under ``streamlit.testing``)."""
    session_id = session_id or current_session_id()
    if session_id is None or not runtime.exists():
        return None
    thread = threading.Thread(target=_watch, args=(run, label, session_id, poll_s, grace_s),
                              name=f"watch {label}", daemon=True)
    thread.start()
    return thread


def _watch(run: Cancellable, label: str, session_id: str, poll_s: float, grace_s: float) -> None:
    is_active = runtime.get_instance().is_active_session
    gone_since: float | None = None
    while run.running:
        if is_active(session_id):
            gone_since = None
        elif gone_since is None:
            gone_since = time.monotonic()
        elif time.monotonic() - gone_since >= grace_s:
            run.cancel()
            run.join()
            LOG.warning("stopped the training run %s %.1f s after its browser session closed",
                        label, time.monotonic() - gone_since)
            return
        time.sleep(poll_s)

"""
Fault injection for the fault-tolerance tests: make one shard fail once, part-way through.

A :class:`FaultPlan` names a shard, what happens (``"raise"``: :class:`InjectedFault`, a
:class:`RetryableShardError`; ``"exit"``: the worker process dies with ``os._exit``) and a
marker file. The first worker to reach the plan's point (after the shard's first chunk is
written to its temporary file) creates the marker atomically and fails; every later attempt
finds the marker and carries on, so a retried shard succeeds. Jobs leave ``fault=None``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["FaultPlan", "InjectedFault", "RetryableShardError", "RETRY_TAG", "maybe_fail"]

ACTIONS = ("raise", "exit")


#: Starts the message of every :class:`RetryableShardError`; Ray Data matches retried errors by message.
RETRY_TAG = "retryable shard error"


class RetryableShardError(RuntimeError):
    """A shard failed for a reason worth one more attempt (the Ray engine retries these)."""

    def __init__(self, message: str):
        super().__init__(f"{RETRY_TAG}: {message}")


class InjectedFault(RetryableShardError):
    """The failure a :class:`FaultPlan` with ``action="raise"`` injects."""


@dataclass(frozen=True)
class FaultPlan:
    shard: int
    action: str
    marker: str  # a path every worker can reach; created by the failing attempt

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"fault action must be one of {ACTIONS}, got {self.action!r}")


def maybe_fail(plan: FaultPlan | None, shard: int) -> None:
    """Fail as ``plan`` says if it names ``shard`` and no attempt has failed yet."""
    if plan is None or plan.shard != shard:
        return
    try:
        os.close(os.open(plan.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    if plan.action == "exit":
        os._exit(17)  # the process dies mid-shard, as if killed
    raise InjectedFault(f"injected failure in shard {shard}")

"""Issue #34: the size budget of a model directory with its heads is one constant, read by
ship-heads, its tests and the Sentiment page."""
from __future__ import annotations

import re
from pathlib import Path

from elmo_core.tasks.saved_heads import SIZE_BUDGET_MB
from elmo_core.tasks.ship import ShipConfig

REPO = Path(__file__).resolve().parents[1]


def test_the_budget_is_one_constant_of_48_mb():
    assert SIZE_BUDGET_MB == 48.0
    assert ShipConfig().size_limit_mb == SIZE_BUDGET_MB
    for path in ("elmo_core/tasks/ship.py", "elmo_explorer_ui/pages/4_Sentiment.py", "tests/test_tasks_classifier.py",
                 "tests/test_app_downstream.py"):
        source = (REPO / path).read_text(encoding="utf-8")
        assert "SIZE_BUDGET_MB" in source, path
        assert not re.search(r"\b(?:40|48)(?:\.0)? ?MB\b", source), path  # no second copy of the figure
        assert "size_limit_mb: float = 40" not in source


def test_the_shipped_report_names_the_budget_it_was_written_under():
    report = (REPO / "elmo_core/models/mini/heads/REPORT.md").read_text(encoding="utf-8")
    assert f"over the {SIZE_BUDGET_MB:g} MB budget" in report  # the fine-tuned head (58.6 MB) is still left out

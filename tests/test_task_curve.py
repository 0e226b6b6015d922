"""``elmo-explorer task curve``: a tiny real learning curve of mini on POS (sizes 20 and 40, 3 seeds,
one epoch, feature ensemble and fine-tuning) through the command line, its JSON round trip and
figures; cancellation; the verdict logic on synthetic points; clear errors for bad input; the lab
page's shipped curves and a small curve on a CSV in the background."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from elmo_core.cli import main
from elmo_core.tasks.curve import CurveConfig, CurvePoint, CurveReport, load_curves, run_curve
from elmo_core.tasks.curve_verdicts import advice_lines, compare, curve_markdown, verdicts, write_curves
from elmo_core.tasks.plots import curve_cost_figure, curve_figure

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the page imports elmo_explorer_ui from the repository root
    sys.path.insert(0, str(REPO))

from elmo_explorer_ui.curve_view import SHIPPED, BackgroundCurve  # noqa: E402

LAB = str(REPO / "elmo_explorer_ui" / "pages" / "5_Scalar_mix_lab.py")

TINY = ["--sizes", "20", "40", "--seeds", "3", "--feature-epochs", "1", "--finetune-epochs", "1",
        "--dev-size", "20", "--test-size", "40", "--threads", "1", "--quiet"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("curve")
    assert main(["task", "curve", "pos", *TINY, "--strategies", "feature", "finetune", "--out", str(out)]) == 0
    return out, load_curves(out / "curve.json")[0]


def test_tiny_curve_has_every_point_with_seeds_intervals_and_costs(tiny):
    _, report = tiny
    assert report.sizes == [20, 40] and report.strategies == ["feature", "finetune"] and not report.cancelled
    assert report.dev_count == 20 and report.test_count == 40 and report.train_available == 814
    for p in report.points:
        assert p.seeds == [0, 1, 2] and len(p.accuracy) == len(p.seconds) == 3
        margin = p.interval()
        assert 0 < margin.low <= margin.mean <= margin.high <= 1.5
        assert all(s > 0 for s in p.seconds) and all(t > 0 for t in p.tokens_per_second)
        assert p.peak_mb > 100 and p.increase_mb >= 0
    # More data helps the frozen-biLM head, and fine-tuning the biLM costs more time than it.
    assert report.point("feature", 40).interval().mean > report.point("feature", 20).interval().mean
    for n in (20, 40):
        assert report.point("finetune", n).mean_seconds > 2 * report.point("feature", n).mean_seconds


def test_cli_writes_json_report_and_figures_that_round_trip(tiny):
    out, report = tiny
    assert CurveReport.from_dict(json.loads(json.dumps(report.to_dict()))).to_dict() == report.to_dict()
    text = (out / "REPORT.md").read_text()
    assert "| feature | 20 |" in text and "**Verdicts**" in text and "not testable here" in text
    assert (out / "curves.html").read_text().count("plotly") > 2
    fig = curve_figure(report)
    assert fig.layout.xaxis.type == "log" and len(fig.data) == 4  # a band and a line per strategy
    band, line = fig.data[0], fig.data[1]
    assert band.fill == "toself" and list(line.x) == [20, 40]
    assert curve_cost_figure(report).layout.xaxis.type == "log"


def test_a_second_task_is_merged_and_a_rerun_replaces_its_own(tiny, tmp_path):
    out, report = tiny
    other = CurveReport.from_dict({**report.to_dict(), "config": {**report.config.to_dict(), "task": "rt"}})
    write_curves(other, tmp_path)
    write_curves(report, tmp_path)
    write_curves(report, tmp_path)
    assert [c.config.task for c in load_curves(tmp_path / "curve.json")] == ["rt", "pos"]
    assert (tmp_path / "REPORT.md").read_text().count("## Learning curve") == 2


def test_cancel_stops_before_the_first_point():
    seen = []
    report = run_curve(CurveConfig("pos", (20,), ("feature",), feature_epochs=1, dev_size=10, test_size=10),
                       progress=lambda done, total, what: seen.append((done, total, what)), cancel=lambda: True)
    assert report.cancelled and report.points == []
    assert seen[0][1] == 3 and seen[-1][2] == "cancelled"


def _point(strategy, size, accs, seconds):
    return CurvePoint(strategy, size, [0, 1, 2], list(accs), list(accs), [seconds] * 3, [1] * 3, [100.0] * 3)


def _synthetic(points, adaptation=None) -> CurveReport:
    strategies = tuple(dict.fromkeys(p.strategy for p in points))
    sizes = tuple(sorted({p.size for p in points}))
    return CurveReport(CurveConfig("rt", sizes, strategies), points=points, train_available=7988,
                       adaptation=adaptation)


def test_verdicts_name_where_one_strategy_overtakes_another_and_its_cost():
    report = _synthetic([
        _point("feature", 100, (0.70, 0.71, 0.72), 10), _point("finetune", 100, (0.60, 0.70, 0.80), 40),
        _point("feature", 1000, (0.75, 0.76, 0.77), 20), _point("finetune", 1000, (0.85, 0.86, 0.87), 80),
    ])
    assert [c.state for c in compare(report, "finetune", "feature")] == [0, 1]
    lines = verdicts(report)
    assert len(lines) == 1
    assert lines[0].startswith("finetune overtakes feature at n = 1,000 beyond the intervals")
    assert "4.0× feature's training time" in lines[0] and "+10.0 points" in lines[0]
    advice = " ".join(advice_lines(report))
    assert "does not match: fine-tuning is ahead beyond the intervals at n = 1,000" in advice
    assert "4.0× the feature ensemble's training time here (matches)" in advice
    assert "not testable here; the largest size is 1,000" in advice


def test_verdicts_within_noise_and_ahead_from_the_smallest_size():
    noisy = _synthetic([_point("feature", 50, (0.5, 0.7, 0.9), 1), _point("finetune", 50, (0.6, 0.7, 0.8), 6),
                        _point("feature", 500, (0.5, 0.7, 0.9), 2), _point("finetune", 500, (0.6, 0.7, 0.8), 12)])
    assert verdicts(noisy) == ["feature and finetune: within noise at every size (n = 50, 500); at n = 500 feature "
                               "took 0.2× finetune's training time."]
    ahead = _synthetic([_point("feature", 50, (0.80, 0.81, 0.82), 1), _point("feature+finetune", 50, (0.90, 0.91, 0.92), 3),
                        _point("feature", 500, (0.85, 0.86, 0.87), 2),
                        _point("feature+finetune", 500, (0.86, 0.87, 0.88), 6)])
    lines = verdicts(ahead)
    assert lines == ["feature+finetune is ahead of feature beyond the intervals from the smallest size (at n = 50; "
                     "+10.0 points at n = 50), at 3.0× feature's training time there."]
    adapted = _synthetic([_point("feature", 50, (0.70, 0.71, 0.72), 1), _point("adapted+feature", 50, (0.60, 0.61, 0.62), 9)],
                         adaptation={"before": {"forward": 300.0, "backward": 310.0},
                                     "after": {"forward": 200.0, "backward": 205.0}, "tokens": 40000, "seconds": 8.0,
                                     "train_lines": 100, "heldout_lines": 10})
    advice = " ".join(advice_lines(adapted))
    assert "perplexity lower" in advice and "hurts beyond the intervals at n = 50" in advice
    assert "300/310 → 200/205" in advice and "forward 300.0 → 200.0" in curve_markdown(adapted)


@pytest.mark.parametrize("argv, message", [
    (["pos", "--sizes", "0", "20"], "every size must be at least 1"),
    (["pos", "--sizes", "20", "20"], "sizes must differ"),
    (["pos", "--sizes", "20", "5000"], "pos has 814 training sentences; size(s) 5000 are larger"),
    (["pos", "--sizes", "20", "--seeds", "2"], "at least 3 seeds"),
    (["csv", "--sizes", "20"], "the csv task needs a CSV file"),
    (["rt", "--sizes", "20", "--csv", "x.csv"], "--csv is for the csv task"),
])
def test_bad_input_gets_a_sentence_and_exit_code_2(argv, message, tmp_path, capsys):
    assert main(["task", "curve", *argv, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unknown_strategy_and_empty_csv_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["task", "curve", "pos", "--sizes", "20", "--strategies", "feature", "bogus", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "invalid choice: 'bogus'" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["task", "curve", "csv", "--csv", str(empty), "--sizes", "20", "--out", str(tmp_path / "o"),
                 "--quiet"]) == 2
    assert "is empty; expected a CSV file with columns text,label" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ the lab page
def test_lab_page_shows_the_shipped_curves_and_their_verdicts():
    curves = load_curves(SHIPPED)
    at = AppTest.from_file(LAB, default_timeout=180)
    at.run()
    assert not at.exception and not at.error
    assert "Learning curves" in [h.value for h in at.header]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert sum("against training examples" in t for t in titles) == len(curves)
    assert sum("against training time" in t for t in titles) == len(curves)
    shown = " ".join(m.value for m in at.markdown)
    assert "within noise" in shown or "beyond the intervals" in shown


def test_a_csv_curve_runs_in_the_background_and_cancels():
    rows = ["text,label"] + [f"{'a great fun' if i % 2 else 'a dull bad'} film number {i},{'pos' if i % 2 else 'neg'}"
                             for i in range(240)]
    csv = ("\n".join(rows) + "\n").encode()
    config = CurveConfig("csv", (10, 30), ("feature",), feature_epochs=5, lr=1e-2, dev_size=20, test_size=20,
                         csv="upload")
    run = BackgroundCurve(config, csv).start()
    while run.running:
        time.sleep(0.2)
    assert run.error == "" and run.progress == (6, 6, "done")
    assert run.report.sizes == [10, 30] and run.report.label_names == ["neg", "pos"]
    assert run.report.point("feature", 30).interval().mean > 0.8  # the labels follow the words
    cancelled = BackgroundCurve(config, csv)
    cancelled.cancel()
    cancelled.start()
    while cancelled.running:
        time.sleep(0.2)
    assert cancelled.report.cancelled and cancelled.report.points == [] and cancelled.progress[2] == "cancelled"

"""
Which labelled data should the shipped sentiment head learn from? :func:`compare_mixtures`
trains the shipped recipe (``ShipConfig.feature``: frozen biLM, GloVe ⊕ ELMo tokens, biLSTM
head) once per training mixture (``rt``, ``rt+imdb-sentences``, ``rt+imdb-sentences+vader`` …)
and scores it where the choice is made, on ``rt`` dev and the negation dev set, with a
bag-of-words logistic regression on the same mixture beside it. Test scores are recorded for the
report but never used to choose. ``elmo-explorer task mixtures`` runs it and writes the table.

One training run is one draw: on the bundled ``mini`` two runs of the same mixture that differ
only in the seed (or in the number of threads, which changes the order of float sums) can
differ by several points, so ``seeds`` trains each mixture more than once, and the table gives
every run and the mean per mixture; the mixture with the best mean dev score is marked.

Every mixture has ``rt``'s dev and test splits (the first source), so the rows are comparable.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from .baseline import bow_logistic_regression
from .data import load_task_data
from .evaluation import evaluation_data
from .features import FeatureCache, load_model
from .ship import ShipConfig, score_head, train_head
from .static_inputs import load_static, trim_vectors, uses_static

__all__ = ["MixtureRow", "compare_mixtures", "mixtures_markdown"]


@dataclass(frozen=True)
class MixtureRow:
    """Accuracies of one training mixture: the head's and bag of words' (``bow_*``)."""

    dataset: str
    seed: int
    train_examples: int
    rt_dev: float
    negation_dev: float
    rt_test: float
    negation_test: float
    imdb_test: float
    bow_rt_dev: float
    bow_negation_dev: float
    bow_rt_test: float
    bow_negation_test: float
    minutes: float

    @property
    def dev_score(self) -> float:
        """What chooses the mixture (as it chooses the shipped head): mean of the two dev sets."""
        return (self.rt_dev + self.negation_dev) / 2


def compare_mixtures(datasets: list[str], ship: ShipConfig | None = None, inputs: str = "static+elmo",
                     seeds: tuple[int, ...] = (0,)) -> list[MixtureRow]:
    """One row per training mixture in ``datasets`` and seed (see the module docstring)."""
    ship = ship or ShipConfig()
    device = None if ship.feature.device == "auto" else ship.feature.device
    loaded = load_model(ship.model, state=ship.feature.state, device=device)
    cache = FeatureCache()
    extra = {"negation-dev": evaluation_data("negation", "dev"), "negation": evaluation_data("negation", "test")}
    rows = []
    for dataset, seed in ((d, s) for d in datasets for s in seeds):
        started = time.perf_counter()
        mixture = replace(ship, dataset=dataset)
        data = load_task_data("sentiment", dataset, imdb_reviews=ship.imdb_reviews)
        static = None
        if uses_static(inputs):
            static = trim_vectors(load_static(ship.feature.static_vectors), data.split("train").sentences,
                                  top=ship.static_top)
        config = replace(ship.feature, model=ship.model, dataset=dataset, inputs=inputs, seed=seed,
                         imdb_reviews=ship.imdb_reviews, train_size=0, dev_size=0, test_size=0)
        run = score_head(train_head(config, f"{dataset} ({inputs})", mixture, loaded, data, cache, static), mixture, cache, data)
        bow = bow_logistic_regression(data, extra=extra)
        rows.append(MixtureRow(
            dataset, seed, len(data.split("train")), run.result.dev.accuracy, run.extra["negation-dev"].accuracy,
            run.result.test.accuracy, run.extra["negation"].accuracy, run.extra["imdb"].accuracy,
            bow.dev.accuracy, bow.extra["negation-dev"].accuracy, bow.test.accuracy, bow.extra["negation"].accuracy,
            (time.perf_counter() - started) / 60))
        print(mixtures_markdown(rows[-1:]).splitlines()[-1], flush=True)
    return rows


def _mean_row(runs: list[MixtureRow]) -> MixtureRow:
    fields = MixtureRow.__dataclass_fields__
    numbers = {name: sum(getattr(r, name) for r in runs) / len(runs) for name in fields
               if name not in ("dataset", "seed", "train_examples")}
    return MixtureRow(runs[0].dataset, -1, runs[0].train_examples, **numbers)


def mixtures_markdown(rows: list[MixtureRow]) -> str:
    """The comparison as a Markdown table: every run, then the mean of each mixture trained more
    than once; the mixture with the best mean dev score is marked."""
    by_dataset: dict[str, list[MixtureRow]] = {}
    for row in rows:
        by_dataset.setdefault(row.dataset, []).append(row)
    means = {name: _mean_row(runs) for name, runs in by_dataset.items()}
    best = max(means, key=lambda name: means[name].dev_score) if len(means) > 1 else None
    lines = ["| training mixture | seed | train examples | rt dev | negation dev | mean dev | bag of words rt dev / "
             "negation dev | rt test | negation test | IMDB test | bag of words rt test / negation test | minutes |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"]

    def line(r: MixtureRow, seed: str, name: str) -> str:
        return (f"| {name} | {seed} | {r.train_examples:,} | {r.rt_dev:.3f} | {r.negation_dev:.3f} | {r.dev_score:.3f} | "
                f"{r.bow_rt_dev:.3f} / {r.bow_negation_dev:.3f} | {r.rt_test:.3f} | {r.negation_test:.3f} | "
                f"{r.imdb_test:.3f} | {r.bow_rt_test:.3f} / {r.bow_negation_test:.3f} | {r.minutes:.1f} |")

    for name, runs in by_dataset.items():
        marked = f"**{name}** (best on dev)" if name == best else name
        if len(runs) > 1:
            lines += [line(r, str(r.seed), name) for r in runs]
            lines.append(line(means[name], f"mean of {len(runs)}", marked))
        else:
            lines += [line(r, str(r.seed), marked) for r in runs]
    return "\n".join(lines)

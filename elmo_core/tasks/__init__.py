"""
The downstream lab: sentiment classification and POS tagging on top of biLM layers.

Modules (one idea each):

- :mod:`.data`           the tasks as token lists with labels, train/dev/test, seeded subsets
- :mod:`.features`       on-disk cache of frozen-biLM features, keyed by model and dataset
- :mod:`.head_networks`  the heads' torch modules: layer mix (scalar or one fixed layer) -> pooling -> linear; tagger
- :mod:`.config`         :class:`TaskConfig`, the typed settings of one run
- :mod:`.layer_inputs`   the biLM layers a head reads, batch by batch: cached features or a trainable biLM
- :mod:`.padded_batches` padding a batch into tensors with a mask; length-bucketed batch indices
- :mod:`.train`          the training loop (feature ensemble or fine-tuning) -> :class:`RunResult`
- :mod:`.results`        :class:`RunResult` and its step / epoch records (JSON round trip)
- :mod:`.metrics`        accuracy, macro P/R/F1, confusion matrix (numpy, pure functions)
- :mod:`.baseline`       bag-of-words logistic regression; most-frequent-tag for POS
- :mod:`.background`     a run on a thread with progress snapshots and cancellation (for UIs)
- :mod:`.plots`          Plotly figures of runs (loss, mix weights, ablation, confusion)
- :mod:`.report`         the {task} × {strategy} × {mix} grid as markdown and HTML
- :mod:`.saved_heads`    saving and loading trained heads (a head directory)
- :mod:`.classifier`     :class:`SentimentClassifier` and ``load_classifier`` (``elmo_core.sentiment``)
- :mod:`.ship`           training the heads shipped with a model, and their REPORT.md
- :mod:`.cli`            ``elmo-explorer task train | report | ship-heads``
"""
from .config import TaskConfig
from .results import EpochRecord, PhaseRecord, RunResult, StepRecord

__all__ = ["TaskConfig", "RunResult", "StepRecord", "EpochRecord", "PhaseRecord"]

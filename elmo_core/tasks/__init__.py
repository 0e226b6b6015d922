"""
The downstream lab: sentiment classification and POS tagging on top of biLM layers.

Modules (one idea each):

- :mod:`.data`        tasks as token lists with labels, train/dev/test and seeded subsets
- :mod:`.features`    on-disk cache of frozen-biLM features, keyed by model and dataset
- :mod:`.models`      heads: layer mix (scalar or fixed) -> pooling -> linear; token tagger
- :mod:`.config`      :class:`TaskConfig`, the settings of one run
- :mod:`.train`       training on cached features or fine-tuning the biLM -> :class:`RunResult`
- :mod:`.metrics`     accuracy, macro P/R/F1, confusion matrix (numpy)
- :mod:`.baseline`    bag-of-words logistic regression and most-frequent-tag baselines
- :mod:`.report`      the {task} × {strategy} × {mix} grid as markdown and HTML
- :mod:`.heads`       save and load trained heads (the shipped sentiment heads)
- :mod:`.classifier`  :class:`SentimentClassifier` (``elmo_core.sentiment``)
- :mod:`.cli`         ``elmo-explorer task train | report | ship-heads``
"""
from .config import TaskConfig
from .results import EpochRecord, PhaseRecord, RunResult, StepRecord

__all__ = ["TaskConfig", "RunResult", "StepRecord", "EpochRecord", "PhaseRecord"]

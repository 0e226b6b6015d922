"""
elmo_core: an ELMo biLM in PyTorch that loads the official weights, plus the tools that
ELMo Explorer builds on (training, tasks, analysis, CLI).

>>> import elmo_core
>>> bilm = elmo_core.load("mini")                       # bundled, no download
>>> vectors = bilm.embed(elmo_core.tokenize("I saw a saw."))
>>> vectors[0].shape                                     # (layers, tokens, 2 * projection)
(3, 5, 256)
"""
from .bilm import BiLM, STATE_MODES
from .chars import batch_to_ids
from .config import ConfigError, ElmoConfig
from .loading import load, load_files
from .model import ElmoModel
from .registry import ModelUnavailable, model_names
from .scalar_mix import ElmoMixes, ScalarMix
from .tokenizer import tokenize
from .weights import WeightsError, save_weights

__all__ = [
    "BiLM", "STATE_MODES", "batch_to_ids", "ConfigError", "ElmoConfig", "load", "load_files",
    "ElmoModel", "ModelUnavailable", "model_names", "ElmoMixes", "ScalarMix", "tokenize",
    "WeightsError", "save_weights",
]

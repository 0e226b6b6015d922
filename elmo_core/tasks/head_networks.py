"""
Task heads on top of biLM layers: a sentence classifier and a token tagger.

Both start with a :class:`LayerMix` that turns all layers (L, B, T, D) into one (B, T, D):
either ELMo's trainable scalar mix (softmax weights, γ, optional layer norm, λ regulariser)
or one fixed layer for ablations (``layer0`` = context-free, ``layer1``/``layer2`` = LSTM).
With ``static_dim > 0`` each token's static word vector (B, T, S) is put in front of the mix,
the paper's ``[x_k; ELMo_k]``; ``use_elmo=False`` keeps the static vectors only.

    SentenceClassifier: [static;] mix -> pooling (mean | max | meanmax | dropout + bilstm [+ attention]) -> [norm]
                        -> dropout -> linear
    TokenTagger:        [static;] mix -> [norm] -> dropout -> linear per token
    HeadEnsemble:       ``HeadConfig.members`` such heads (trained with different seeds) -> mean of their logits

``bilstm`` pools the biLSTM states by their mean and max; ``attention`` pools the same states by
a learned attention (one score per token, softmax over the sentence) beside their max, so the head
can weigh a token by what the sequence around it says ("not" before "bad") rather than average it.

``[norm]`` (``HeadConfig.feature_norm``, on by default) is a batch normalisation of the features
that reach the linear layer. biLM dimensions have very different offsets and scales (a sentence
mean of an LSTM layer varies by ~0.1 around offsets of ~1), which a plain linear layer trained
with a few epochs of Adam fits poorly; standardising them is worth several accuracy points.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from ..scalar_mix import ScalarMix

__all__ = ["MixConfig", "HeadConfig", "LayerMix", "SentenceClassifier", "TokenTagger", "HeadEnsemble",
           "POOLINGS", "build_head", "ensemble_of", "parse_mix"]

POOLINGS = ("mean", "max", "meanmax", "bilstm", "attention")
_FIXED = re.compile(r"^layer(\d+)$")


def parse_mix(mix: str) -> int | None:
    """``"scalar"`` -> None; ``"layerK"`` -> K. Anything else is a ValueError."""
    if mix == "scalar":
        return None
    match = _FIXED.match(mix)
    if not match:
        raise ValueError(f"mix must be 'scalar' or 'layer0', 'layer1', ..., got {mix!r}")
    return int(match.group(1))


@dataclass(frozen=True)
class MixConfig:
    """How the layers are combined. ``mix``: ``scalar`` or ``layerK``."""

    mix: str = "scalar"
    layer_norm: bool = False
    learn_gamma: bool = True

    def __post_init__(self) -> None:
        parse_mix(self.mix)


@dataclass(frozen=True)
class HeadConfig:
    """Everything needed to rebuild a head (stored next to its weights)."""

    task: str  # "sentiment" or "pos"
    num_layers: int
    dim: int
    num_classes: int
    mix: MixConfig = MixConfig()
    pooling: str = "meanmax"
    bilstm_hidden: int = 64
    dropout: float = 0.3
    feature_norm: bool = True
    static_dim: int = 0  # width of the static word vectors put in front of the mix (0 = none)
    use_elmo: bool = True  # False: static vectors only (no biLM layers reach the head)
    members: int = 1  # > 1: an ensemble of that many heads of this config, their logits averaged

    def __post_init__(self) -> None:
        if not self.use_elmo and self.static_dim <= 0:
            raise ValueError("a head needs biLM layers, static vectors, or both")
        if self.members < 1:
            raise ValueError(f"members must be at least 1, got {self.members}")

    @property
    def input_dim(self) -> int:
        """Width of one token's input: static_dim + (dim if the biLM layers are used)."""
        return self.static_dim + (self.dim if self.use_elmo else 0)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "HeadConfig":
        data = dict(data)
        data["mix"] = MixConfig(**data.get("mix", {}))
        return cls(**data)


class NoMix(nn.Module):
    """Stands in for :class:`LayerMix` in a static-only head: no layers, no weights."""

    def weights(self) -> list[float]:
        return []

    def gamma(self) -> float:
        return 1.0

    def regulariser(self) -> torch.Tensor:
        return torch.zeros(())


class LayerMix(nn.Module):
    """layers (L, B, T, D), mask (B, T) -> (B, T, D): a scalar mix or one fixed layer."""

    def __init__(self, num_layers: int, config: MixConfig):
        super().__init__()
        self.fixed = parse_mix(config.mix)
        if self.fixed is not None and not 0 <= self.fixed < num_layers:
            raise ValueError(f"{config.mix} does not exist: the model has layers 0..{num_layers - 1}")
        self.num_layers = num_layers
        self.layer_norm = config.layer_norm
        self.mix = ScalarMix(num_layers, layer_norm=config.layer_norm) if self.fixed is None else None
        if self.mix is not None and not config.learn_gamma:
            self.mix.gamma.requires_grad_(False)

    def forward(self, layers: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.mix is not None:
            return self.mix(layers, mask)
        h = layers[self.fixed]
        if self.layer_norm:
            h = ScalarMix._normalise(h, mask)
        return h * mask.unsqueeze(-1).to(h.dtype)

    def weights(self) -> list[float]:
        """softmax(w) of the mix, or one-hot for a fixed layer: (L,) as a list."""
        if self.mix is None:
            return [1.0 if i == self.fixed else 0.0 for i in range(self.num_layers)]
        return self.mix.normalised_weights().detach().cpu().tolist()

    def gamma(self) -> float:
        return 1.0 if self.mix is None else float(self.mix.gamma.detach().cpu())

    def regulariser(self) -> torch.Tensor:
        """ELMo's λ term ``||softmax(w) - 1/L||²`` (zero for a fixed layer)."""
        if self.mix is None:
            return torch.zeros(())
        return self.mix.regulariser()


def token_inputs(mix: nn.Module, layers: torch.Tensor, mask: torch.Tensor, static: torch.Tensor | None,
                 config: HeadConfig) -> torch.Tensor:
    """(B, T, input_dim): the static vectors (B, T, S), the mixed layers (B, T, D), or both."""
    parts = []
    if config.static_dim:
        if static is None:
            raise ValueError(f"this head needs static word vectors ({config.static_dim}-d) with its layers")
        parts.append(static * mask.unsqueeze(-1).to(static.dtype))
    if config.use_elmo:
        parts.append(mix(layers, mask))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """x (B, T, D), mask (B, T) -> (B, D) mean over unmasked positions (0 for empty rows)."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(1) / m.sum(1).clamp(min=1.0)


def masked_attention(x: torch.Tensor, scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """x (B, T, D), scores (B, T), mask (B, T) -> (B, D): the softmax(scores)-weighted sum of the
    unmasked positions (0 for empty rows)."""
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
    weights = torch.nan_to_num(weights, nan=0.0)  # an empty row: all -inf
    return (weights.unsqueeze(-1) * x).sum(1)


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """x (B, T, D), mask (B, T) -> (B, D) max over unmasked positions (0 for empty rows)."""
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf"))
    pooled = filled.max(dim=1).values
    return torch.where(torch.isfinite(pooled), pooled, torch.zeros_like(pooled))


class SentenceClassifier(nn.Module):
    """layers (L, B, T, D), mask (B, T)[, static (B, T, S)] -> logits (B, num_classes)."""

    def __init__(self, config: HeadConfig):
        super().__init__()
        if config.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {config.pooling!r}")
        self.config = config
        self.mix = LayerMix(config.num_layers, config.mix) if config.use_elmo else NoMix()
        self.dropout = nn.Dropout(config.dropout)
        width = config.input_dim
        self.encoder = self.attention = None
        if config.pooling in ("bilstm", "attention"):
            self.encoder = nn.LSTM(width, config.bilstm_hidden, batch_first=True, bidirectional=True)
            width = 2 * config.bilstm_hidden
        if config.pooling == "attention":  # one score per biLSTM state: w2 . tanh(W1 h_t)
            self.attention = nn.Sequential(nn.Linear(width, config.bilstm_hidden), nn.Tanh(),
                                           nn.Linear(config.bilstm_hidden, 1))
        if config.pooling in ("meanmax", "bilstm", "attention"):
            width *= 2
        self.norm = nn.BatchNorm1d(width) if config.feature_norm else nn.Identity()
        self.output = nn.Linear(width, config.num_classes)

    def forward(self, layers: torch.Tensor, mask: torch.Tensor, static: torch.Tensor | None = None) -> torch.Tensor:
        x = token_inputs(self.mix, layers, mask, static, self.config)  # (B, T, input_dim)
        if self.encoder is not None:
            lengths = mask.sum(1).clamp(min=1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(self.dropout(x), lengths, batch_first=True,
                                                       enforce_sorted=False)
            out, _ = self.encoder(packed)
            x, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=mask.shape[1])
        pooling = self.config.pooling
        if pooling == "mean":
            pooled = masked_mean(x, mask)
        elif pooling == "max":
            pooled = masked_max(x, mask)
        elif pooling == "attention":
            pooled = torch.cat([masked_attention(x, self.attention(x).squeeze(-1), mask), masked_max(x, mask)], dim=-1)
        else:
            pooled = torch.cat([masked_mean(x, mask), masked_max(x, mask)], dim=-1)
        # Dropout after pooling and after the norm: a max over dropped-out (rescaled) vectors is
        # biased upwards in training only, and batch statistics gathered on such features no
        # longer fit at evaluation (measured: single-layer heads collapsed to one class).
        return self.output(self.dropout(self.norm(pooled)))


class TokenTagger(nn.Module):
    """layers (L, B, T, D), mask (B, T)[, static (B, T, S)] -> logits (B, T, num_classes)."""

    def __init__(self, config: HeadConfig):
        super().__init__()
        self.config = config
        self.mix = LayerMix(config.num_layers, config.mix) if config.use_elmo else NoMix()
        self.dropout = nn.Dropout(config.dropout)
        self.norm = nn.BatchNorm1d(config.input_dim) if config.feature_norm else nn.Identity()
        self.output = nn.Linear(config.input_dim, config.num_classes)

    def forward(self, layers: torch.Tensor, mask: torch.Tensor, static: torch.Tensor | None = None) -> torch.Tensor:
        x = token_inputs(self.mix, layers, mask, static, self.config)  # (B, T, input_dim)
        if isinstance(self.norm, nn.BatchNorm1d):
            normalised = torch.zeros_like(x)
            normalised[mask] = self.norm(x[mask])  # statistics over real tokens only
            x = normalised
        return self.output(self.dropout(x))  # dropout after the norm, as in the classifier


class EnsembleMix(nn.Module):
    """The scalar mixes of an ensemble's members seen as one: mean weights and γ (for display)."""

    def __init__(self, mixes: list[nn.Module]):
        super().__init__()
        self._mixes = mixes  # plain list: the members own these modules

    def weights(self) -> list[float]:
        each = [m.weights() for m in self._mixes]
        return [sum(w) / len(each) for w in zip(*each)] if each and each[0] else []

    def gamma(self) -> float:
        return sum(m.gamma() for m in self._mixes) / len(self._mixes)

    def regulariser(self) -> torch.Tensor:
        return sum(m.regulariser() for m in self._mixes) / len(self._mixes)


class HeadEnsemble(nn.Module):
    """``config.members`` heads of one config: same inputs as one head -> the mean of their logits.

    Each member is trained alone (another seed); :func:`ensemble_of` puts trained heads together.
    Averaging logits keeps one temperature for calibration and one occlusion score per token.
    """

    def __init__(self, config: HeadConfig):
        super().__init__()
        self.config = config
        single = replace(config, members=1)
        self.members = nn.ModuleList(build_head(single) for _ in range(config.members))
        self.mix = EnsembleMix([m.mix for m in self.members])

    def forward(self, layers: torch.Tensor, mask: torch.Tensor, static: torch.Tensor | None = None) -> torch.Tensor:
        return torch.stack([m(layers, mask, static) for m in self.members]).mean(0)


def ensemble_of(heads: list[nn.Module]) -> HeadEnsemble:
    """Trained single heads of one config (e.g. one per seed) as a :class:`HeadEnsemble`."""
    configs = {replace(h.config, members=1) for h in heads}
    if len(configs) != 1:
        raise ValueError("an ensemble's heads must share one config (inputs, sizes, pooling)")
    ensemble = HeadEnsemble(replace(configs.pop(), members=len(heads)))
    for member, head in zip(ensemble.members, heads):
        member.load_state_dict(head.state_dict())
    device = next(heads[0].parameters()).device
    return ensemble.to(device).eval()


def build_head(config: HeadConfig) -> SentenceClassifier | TokenTagger | HeadEnsemble:
    """The head for ``config.task`` (an ensemble of them when ``config.members > 1``)."""
    if config.members > 1:
        return HeadEnsemble(config)
    if config.task == "sentiment":
        return SentenceClassifier(config)
    if config.task == "pos":
        return TokenTagger(config)
    raise ValueError(f"unknown task {config.task!r}")

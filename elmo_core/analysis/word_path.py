"""
The path of one word through the ELMo network, with the live values of one sentence: characters
-> character CNN -> highway layers -> projection (layer 0) -> each biLSTM layer and direction ->
scalar mix. A pure function that returns small frozen dataclasses of numpy arrays; a page turns
them into figures.

    bilm = elmo_core.load("mini")
    path = word_path(bilm, ["I", "saw", "a", "saw", "."], 1)
    path.char_cnn.top[0].text          # the character n-gram where the strongest filter fired
    path.lstm[0].backward.read         # ('saw', 'a', 'saw', '.')
    path.context_cosines               # (num_layers + 1,): 1.0 for layer 0, < 1 above
    path.mix.shares                    # each layer's share of the mixed vector's squared norm

Shapes follow the paper's notation: ``P`` = ``lstm.projection_dim`` (the width of a token
vector and of each direction's hidden state), ``H`` = ``lstm.dim`` (the LSTM cell),
``F`` = ``char_cnn.n_filters`` (all convolution filters together), ``C`` =
``char_cnn.max_characters_per_token``, ``L`` = ``lstm.n_layers + 1`` output layers.

Start state (the same as :meth:`elmo_core.bilm.BiLM.embed` in that mode): a :class:`BiLM` in
``"warm"`` mode (the explorer's default, what :func:`elmo_core.load` gives) starts both
directions of every layer from :meth:`BiLM.warm_state`; ``"zero"`` from zeros. ``"carry"``
depends on what ran before, so a :class:`BiLM` in carry mode is read in ``"warm"`` mode here,
as the explorer's pages do, and its carried state is neither used nor changed. A bare
:class:`ElmoModel` starts from zeros unless ``state="warm"`` is asked for. The forward direction
reads ``<S>`` before the sentence and the backward direction ``</S>``, as in ``embed``.

The character CNN is recomputed plainly here (one convolution per filter bank over all ``C``
character positions, with the module's own weights) to find where each filter's maximum lies;
its maxima equal what :class:`~elmo_core.char_cnn.CharCNN` feeds its first highway layer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ..bilm import WARM_UP_TEXT, BiLM, validate_sentences
from ..chars import (BOS_CHAR, BOS_TOKEN, BOW_CHAR, EOS_CHAR, EOS_TOKEN, EOW_CHAR, PAD_CHAR, batch_to_ids,
                     token_to_ids)
from ..lstm import LSTMState
from ..model import ElmoModel
from ..scalar_mix import ScalarMix

#: Longest sentence (in tokens) that :func:`word_path` accepts.
MAX_TOKENS = 200
BEGIN_MARK, END_MARK, PAD_MARK = "⟨", "⟩", "·"
WORD_PATH_STATES = ("zero", "warm")


@dataclass(frozen=True, eq=False)
class Characters:
    """The word as the character CNN reads it."""

    ids: np.ndarray  # (C,) int64: shifted ids as fed to the CNN (raw id + 1; 0 would mean "no token")
    labels: tuple[str, ...]  # (C,) per position: '⟨', a character, '⟩' or '·' (padding)
    marked_word: str  # '⟨' + the word as encoded (at most C - 2 UTF-8 bytes) + '⟩'
    n_used: int  # positions that are not padding, markers included
    max_characters: int  # C


@dataclass(frozen=True, eq=False)
class FilterHit:
    """One filter's maximum over the character windows of the word."""

    filter: int  # index into the (F,) vector of maxima
    bank: int  # which filter bank (one per width in the config)
    width: int  # characters per window
    activation: float  # activation(max over windows of the convolution)
    start: int  # first character position of the best window (0 is '⟨')
    text: str  # the part of that window inside the marked word ('' when it is all padding)
    padding: int  # padding positions inside the window

    @property
    def label(self) -> str:
        """The window as shown: its text followed by one '·' per padding position."""
        return self.text + PAD_MARK * self.padding


@dataclass(frozen=True, eq=False)
class CharCNNStep:
    """Convolutions over characters, max-pooled over positions."""

    filters: tuple[tuple[int, int], ...]  # (width, number of filters) per bank, from the config
    n_filters: int  # F
    activation: str  # "relu" or "tanh"
    maxima: np.ndarray  # (F,) float32: per filter, activation of its largest window value
    argmax: np.ndarray  # (F,) int64: per filter, start of that window
    top: tuple[FilterHit, ...]  # the strongest filters, largest activation first


@dataclass(frozen=True, eq=False)
class HighwayStep:
    """``y = g * relu(x W_T + b_T) + (1 - g) * x`` with ``g = sigmoid(x W_g + b_g)`` (each (F,)).

    ``g`` is the weight of the transformed part; ``1 - g`` carries the input through unchanged.
    """

    gate: np.ndarray  # (F,) g
    mean_gate: float
    transform_share: float  # share of the F dimensions with g > 0.5 (mostly transformed, not carried)
    norm_in: float  # ||x||
    norm_out: float  # ||y||


@dataclass(frozen=True, eq=False)
class TokenStep:
    """Layer 0: the context-free token vector (after the projection F -> P when F != P).

    The biLM's layer-0 output duplicates it, ``[tok; tok]`` of shape (2P,), so that it has the
    width of the LSTM layers' ``[fw; bw]``.
    """

    vector: np.ndarray  # (P,)
    norm: float
    projected: bool  # whether a linear projection F -> P was applied


@dataclass(frozen=True, eq=False)
class DirectionState:
    """One direction of one LSTM layer at the chosen position."""

    layer: int  # 1 .. n_layers
    direction: str  # "forward" or "backward"
    hidden: np.ndarray  # (P,) the layer's own projected hidden state h_t
    output: np.ndarray  # (P,) this direction's half of the layer output: h_t, plus the layer
    #                     below's half when skip connections are on (layers above the first)
    norm: float  # ||h_t||
    read: tuple[str, ...]  # tokens this direction has read so far (after <S> or </S>)
    context_cosine: float  # cos(h_t in the sentence, h_t of the word alone in a 1-token sentence)


@dataclass(frozen=True, eq=False)
class LSTMLayerStep:
    layer: int  # 1 .. n_layers
    forward: DirectionState
    backward: DirectionState
    vector: np.ndarray  # (2P,) the layer output [fw; bw] at the position
    norm: float


@dataclass(frozen=True, eq=False)
class MixStep:
    """``mix = gamma * sum_k s_k h_k``, ``s = softmax(w)`` (Peters et al., 2018, eq. 1).

    With ``c_k = gamma * s_k * h_k``: ``||mix||^2 = sum_k <c_k, mix>``, so ``shares[k] =
    <c_k, mix> / ||mix||^2`` sum to 1 (a share is negative when its layer points away from the mix).
    """

    raw_weights: np.ndarray  # (L,) w, before the softmax
    weights: np.ndarray  # (L,) s = softmax(w)
    gamma: float
    vector: np.ndarray  # (2P,) mix
    norm: float
    contributions: np.ndarray  # (L, 2P) c_k
    contribution_norms: np.ndarray  # (L,) ||c_k||
    shares: np.ndarray  # (L,) <c_k, mix> / ||mix||^2


@dataclass(frozen=True, eq=False)
class WordPath:
    tokens: tuple[str, ...]
    position: int
    word: str
    state: str  # start state used: "zero" or "warm"
    characters: Characters
    char_cnn: CharCNNStep
    highways: tuple[HighwayStep, ...]  # one per highway layer (may be empty)
    layer0: TokenStep
    lstm: tuple[LSTMLayerStep, ...]  # one per LSTM layer
    layers: np.ndarray  # (L, 2P): [tok; tok], [fw_1; bw_1], ... exactly as BiLM.embed gives them
    alone_layers: np.ndarray  # (L, 2P): the same for the word alone in a sentence of one token
    context_cosines: np.ndarray  # (L,) cos(layers[k], alone_layers[k]); layer 0 is 1
    mix: MixStep
    shapes: dict[str, str]  # stage name -> shape, in network order, read from the config


def word_path(model: BiLM | ElmoModel, tokens: Sequence[str], position: int, *, top_filters: int = 8,
              mix_weights: Sequence[float] | None = None, gamma: float = 1.0,
              state: str | None = None) -> WordPath:
    """The path of ``tokens[position]`` through ``model`` in the sentence ``tokens``.

    ``mix_weights``: the scalar mix's raw weights ``w`` (L,), as held by
    :class:`~elmo_core.scalar_mix.ScalarMix` (softmax-normalised here); ``None`` gives the
    uniform mix 1/L each. ``state``: ``"zero"`` or ``"warm"``; ``None`` takes the BiLM's mode
    (carry read as warm) or zeros for a bare :class:`ElmoModel`. Raises ``ValueError`` for an
    empty or too long sentence, a token that is not a non-blank string, a position outside the
    sentence, or bad mix options.
    """
    bilm, net = (model, model.model) if isinstance(model, BiLM) else (None, model)
    if not isinstance(net, ElmoModel):
        raise ValueError(f"word_path needs a BiLM or an ElmoModel, got {type(model).__name__}")
    tokens = _check_tokens(tokens)
    position = _check_position(position, len(tokens))
    config = net.config
    n_layers = config.num_output_layers
    if isinstance(top_filters, bool) or not isinstance(top_filters, int) or top_filters < 1:
        raise ValueError(f"top_filters must be a positive integer, got {top_filters!r}")
    raw_weights = _check_mix(mix_weights, gamma, n_layers)
    state_name = _state_name(bilm, state)
    word = tokens[position]

    with torch.inference_mode():
        characters = _characters(word, config.char_cnn.max_characters_per_token)
        char_cnn, highways, layer0 = _token_path(net, characters, top_filters)
        start = _start_state(bilm, net, state_name)
        layers, alone, hidden, alone_hidden = _run_lstm(bilm, net, tokens, position, start)
        mix = _mix(layers, raw_weights, float(gamma))

    lstm_steps = []
    for index in range(config.lstm.n_layers):
        halves = []
        for direction, read in ((0, tokens[: position + 1]), (1, tokens[position:])):
            h = hidden[index, direction]
            halves.append(DirectionState(
                layer=index + 1, direction=("forward", "backward")[direction], hidden=_frozen(h),
                output=_frozen(layers[index + 1, direction * config.lstm.projection_dim:
                                      (direction + 1) * config.lstm.projection_dim]),
                norm=_norm(h), read=tuple(read), context_cosine=_cosine(h, alone_hidden[index, direction])))
        lstm_steps.append(LSTMLayerStep(index + 1, halves[0], halves[1], _frozen(layers[index + 1]),
                                        _norm(layers[index + 1])))
    cosines = np.array([_cosine(a, b) for a, b in zip(layers, alone)])
    return WordPath(tokens=tuple(tokens), position=position, word=word, state=state_name, characters=characters,
                    char_cnn=char_cnn, highways=highways, layer0=layer0, lstm=tuple(lstm_steps),
                    layers=_frozen(layers), alone_layers=_frozen(alone), context_cosines=_frozen(cosines),
                    mix=mix, shapes=stage_shapes(net))


def stage_shapes(model: BiLM | ElmoModel) -> dict[str, str]:
    """Stage name -> shape string, in network order, read from the model's config."""
    config = model.config
    c, lstm = config.char_cnn, config.lstm
    p = lstm.projection_dim
    shapes = {"characters": f"({c.max_characters_per_token},)",
              "char embeddings": f"({c.max_characters_per_token} × {c.embedding_dim})",
              "char CNN": f"({c.n_filters},)"}
    if c.n_highway:
        shapes["highway"] = f"({c.n_filters},)"
    if c.n_filters != p:
        shapes["projection"] = f"({p},)"
    shapes["layer 0"] = f"(2 × {p},)"
    for layer in range(1, lstm.n_layers + 1):
        shapes[f"layer {layer} LSTM cell"] = f"(2 × {lstm.dim},)"
        shapes[f"layer {layer}"] = f"(2 × {p},)"
    shapes["scalar mix"] = f"({2 * p},)"
    return shapes


# ---------------------------------------------------------------------- checks
def _check_tokens(tokens: object) -> list[str]:
    if isinstance(tokens, str) or not isinstance(tokens, Sequence):
        raise ValueError("tokens must be a list of strings, e.g. ['I', 'saw', 'a', 'saw', '.']")
    if not tokens:
        raise ValueError("tokens is empty; give a sentence of at least one token")
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"the sentence has {len(tokens)} tokens; word_path takes at most {MAX_TOKENS}")
    return validate_sentences([tokens])[0]


def _check_position(position: object, n_tokens: int) -> int:
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
        raise ValueError(f"position must be an integer, got {type(position).__name__}")
    if not 0 <= position < n_tokens:
        raise ValueError(f"position {position} is outside the sentence; it has {n_tokens} tokens "
                         f"(positions 0 to {n_tokens - 1})")
    return int(position)


def _check_mix(mix_weights: Sequence[float] | None, gamma: float, n_layers: int) -> np.ndarray:
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating, np.integer)) \
            or not np.isfinite(gamma):
        raise ValueError(f"gamma must be a finite number, got {gamma!r}")
    if mix_weights is None:
        return np.zeros(n_layers)
    try:
        weights = np.asarray(mix_weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"mix_weights must be {n_layers} numbers, got {mix_weights!r}") from None
    if weights.shape != (n_layers,) or not np.isfinite(weights).all():
        raise ValueError(f"mix_weights must be {n_layers} finite numbers (one per layer), got {list(mix_weights)!r}")
    return weights


def _state_name(bilm: BiLM | None, state: str | None) -> str:
    if state is None:
        return "zero" if bilm is None else ("zero" if bilm.state_mode == "zero" else "warm")
    if state not in WORD_PATH_STATES:
        raise ValueError(f"state must be one of {WORD_PATH_STATES} (carry depends on earlier batches), got {state!r}")
    return state


# ---------------------------------------------------------------------- characters and CNN
def _character_spans(raw: np.ndarray) -> list[tuple[int, int, str]]:
    """(start, stop, label) of every character of raw ids (C,): the markers, and each UTF-8
    character spanning its bytes (a lead byte and its continuation bytes 0b10xxxxxx)."""
    marks = {BOW_CHAR: BEGIN_MARK, EOW_CHAR: END_MARK, BOS_CHAR: BOS_TOKEN, EOS_CHAR: EOS_TOKEN}
    spans, i = [], 0
    while i < raw.size and int(raw[i]) != PAD_CHAR:
        value, j = int(raw[i]), i + 1
        if value in marks:
            spans.append((i, j, marks[value]))
        else:
            while j < raw.size and 0x80 <= int(raw[j]) < 0xC0:
                j += 1
            spans.append((i, j, bytes(int(b) for b in raw[i:j]).decode("utf-8", "replace")))
        i = j
    return spans


def _characters(word: str, max_chars: int) -> Characters:
    ids = token_to_ids(word, max_chars)
    spans = _character_spans(ids - 1)
    labels = [PAD_MARK] * max_chars
    for start, stop, label in spans:
        labels[start:stop] = [label] * (stop - start)
    ids.setflags(write=False)
    return Characters(ids=ids, labels=tuple(labels), marked_word="".join(label for _, _, label in spans),
                      n_used=spans[-1][1], max_characters=max_chars)


def _window_text(characters: Characters, start: int, width: int) -> tuple[str, int]:
    """The marked-word part of the window [start, start + width) (every character it touches)
    and its count of padding positions."""
    stop = start + width
    text = "".join(label for first, last, label in _character_spans(characters.ids - 1)
                   if first < stop and last > start)
    return text, max(0, stop - max(start, characters.n_used))


def _token_path(net: ElmoModel, characters: Characters, top_filters: int
                ) -> tuple[CharCNNStep, tuple[HighwayStep, ...], TokenStep]:
    """Characters -> filter maxima -> highways -> projection, plainly, with the module's weights."""
    cnn = net.char_cnn
    config = cnn.config
    activation = torch.relu if config.activation == "relu" else torch.tanh
    ids = torch.from_numpy(np.array(characters.ids)).to(cnn.char_embedding.device)
    embedded = cnn.char_embedding[ids].t().unsqueeze(0)  # (1, E, C)
    maxima, argmax, banks, widths = [], [], [], []
    for bank, conv in enumerate(cnn.convolutions):
        scores = conv(embedded)[0]  # (num, C - width + 1), bias included
        best, where = scores.max(dim=1)
        maxima.append(activation(best))
        argmax.append(where)
        width = conv.kernel_size[0]
        banks.append(torch.full_like(where, bank))
        widths.append(torch.full_like(where, width))
    x = torch.cat(maxima)  # (F,)
    maxima_np = x.float().cpu().numpy()
    argmax_np = torch.cat(argmax).cpu().numpy().astype(np.int64)
    bank_np, width_np = torch.cat(banks).cpu().numpy(), torch.cat(widths).cpu().numpy()
    order = np.argsort(-maxima_np, kind="stable")[: min(top_filters, maxima_np.size)]
    top = []
    for f in order:
        text, padding = _window_text(characters, int(argmax_np[f]), int(width_np[f]))
        top.append(FilterHit(filter=int(f), bank=int(bank_np[f]), width=int(width_np[f]),
                             activation=float(maxima_np[f]), start=int(argmax_np[f]), text=text, padding=padding))
    cnn_step = CharCNNStep(filters=tuple(config.filters), n_filters=config.n_filters, activation=config.activation,
                           maxima=_frozen(maxima_np), argmax=_frozen(argmax_np), top=tuple(top))
    highways = []
    x = x.unsqueeze(0)
    for highway in cnn.highways:
        gate = torch.sigmoid(torch.addmm(highway.b_carry, x, highway.w_carry))[0].float().cpu().numpy()
        y = highway(x)
        highways.append(HighwayStep(gate=_frozen(gate), mean_gate=float(gate.mean()),
                                    transform_share=float((gate > 0.5).mean()),
                                    norm_in=_norm(x[0].cpu().numpy()), norm_out=_norm(y[0].cpu().numpy())))
        x = y
    if cnn.projection is not None:
        x = cnn.projection(x)
    token = x[0].float().cpu().numpy()
    return cnn_step, tuple(highways), TokenStep(_frozen(token), _norm(token), cnn.projection is not None)


# ---------------------------------------------------------------------- LSTM
def _start_state(bilm: BiLM | None, net: ElmoModel, state: str) -> LSTMState:
    """(layers, 2, 1, ...) start state of the mode."""
    if state == "zero":
        return net.lstm.zero_state(1, device=net.device)
    if bilm is not None:
        return bilm.warm_state()
    warm = None
    for sentence in WARM_UP_TEXT:
        warm = net(batch_to_ids([sentence], net.config.char_cnn.max_characters_per_token).to(net.device), warm).state
    return warm


def _run_lstm(bilm: BiLM | None, net: ElmoModel, tokens: list[str], position: int, start: LSTMState
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One batch of two rows: the sentence and the word alone, both framed by <S> ... </S>.
    Token vectors come from the BiLM's token cache when there is one (as in ``embed``).

    Returns the layer vectors (L, 2P) at the position in the sentence and alone, and the raw
    hidden states h_t (n_layers, 2, P) in the sentence and alone (skip input taken back out).
    """
    word = tokens[position]
    lengths = torch.tensor([len(tokens) + 2, 3], device=net.device)
    mask = torch.arange(len(tokens) + 2, device=net.device).unsqueeze(0) < lengths.unsqueeze(1)
    if bilm is None:
        max_chars = net.config.char_cnn.max_characters_per_token
        ids = batch_to_ids([tokens, [word]], max_chars, add_boundaries=True).to(net.device)  # (2, n + 2, C)
        vectors = net.char_cnn(ids) * mask.unsqueeze(-1)  # (2, n + 2, P)
    else:
        sentence = bilm.token_vectors([BOS_TOKEN, *tokens, EOS_TOKEN]).to(net.device)  # (n + 2, P)
        vectors = sentence.new_zeros(2, len(tokens) + 2, sentence.shape[1])
        vectors[0] = sentence
        vectors[1, :3] = sentence[[0, position + 1, -1]]
    state = LSTMState(*(s.expand(-1, -1, 2, -1).contiguous() for s in start))
    outputs, _ = net.lstm(vectors, mask, state)
    stacked = torch.stack([torch.cat([vectors, vectors], dim=-1), *outputs]).float().cpu().numpy()  # (L, 2, T, 2P)
    in_sentence, alone = stacked[:, 0, position + 1], stacked[:, 1, 1]
    return in_sentence, alone, _raw_hidden(net, in_sentence), _raw_hidden(net, alone)


def _raw_hidden(net: ElmoModel, layers: np.ndarray) -> np.ndarray:
    """(L, 2P) layer outputs -> (n_layers, 2, P) hidden states h_t, without the skip input."""
    p = net.config.lstm.projection_dim
    own = layers[1:].copy()
    if net.config.lstm.use_skip_connections:
        own[1:] -= layers[1:-1]
    return own.reshape(own.shape[0], 2, p)


# ---------------------------------------------------------------------- scalar mix
def _mix(layers: np.ndarray, raw_weights: np.ndarray, gamma: float) -> MixStep:
    mix = ScalarMix(layers.shape[0], initial_weights=raw_weights.tolist(), trainable=False)
    mix.gamma.fill_(gamma)
    weights = mix.normalised_weights().double().numpy()
    vector = mix(torch.from_numpy(layers).view(layers.shape[0], 1, 1, -1))[0, 0].numpy()
    contributions = gamma * weights[:, None] * layers.astype(np.float64)
    total = contributions.sum(axis=0)
    squared = float(total @ total)
    shares = contributions @ total / squared if squared > 0 else np.zeros(layers.shape[0])
    return MixStep(raw_weights=_frozen(raw_weights), weights=_frozen(weights), gamma=gamma,
                   vector=_frozen(vector), norm=_norm(vector), contributions=_frozen(contributions),
                   contribution_norms=_frozen(np.linalg.norm(contributions, axis=1)), shares=_frozen(shares))


# ---------------------------------------------------------------------- helpers
def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.setflags(write=False)
    return array


def _norm(vector: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(vector, dtype=np.float64)))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) * np.linalg.norm(b)
    if denominator == 0:
        return 1.0 if not a.any() and not b.any() else 0.0
    return float(np.clip(a @ b / denominator, -1.0, 1.0))

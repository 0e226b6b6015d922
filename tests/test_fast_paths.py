"""Every fast inference path gives the plain path's vectors (1e-5, float32) and the reference fixtures'.

The plain path is :mod:`elmo_core.reference_lstm` (full-width CNN, one Python loop per layer,
direction and step, no caches), itself checked against the fixtures here.
"""
from __future__ import annotations

import json
import random

import h5py
import numpy as np
import pytest
import torch

import elmo_core
from elmo_core import lstm as lstm_module
from elmo_core.embedding_batches import plan_batches
from elmo_core.bilm import BiLM
from elmo_core.chars import batch_to_ids, token_to_ids
from elmo_core.config import CharCNNConfig, ElmoConfig, LSTMConfig
from elmo_core.cuda_graphs import masked_forward
from elmo_core.lstm import LSTMState
from elmo_core.model import ElmoModel
from elmo_core.reference_lstm import ReferenceBiLM, reference_forward, reference_token_vectors
from elmo_core.token_cache import TokenCache
from sample_sentences import ENGLISH

TOLERANCE = 1e-5

SENTENCES = ENGLISH + [
    ["naïve", "café", "日本語", "🦆", "x" * 48, "é" * 30, "a"],
    "a b c d e f g h i j k l m n o p q r s t u v w x y z".split(),
]


def _fixture_bilm(reference_dir, state="carry", **kwargs) -> BiLM:
    loaded = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5",
                                  state=state, device="cpu")
    return BiLM(loaded.model, state=state, device="cpu", name=loaded.name, **kwargs) if kwargs else loaded


def _random_model(seed: int = 0, n_highway: int = 1, activation: str = "relu", skip: bool = True) -> ElmoModel:
    torch.manual_seed(seed)
    config = ElmoConfig(
        CharCNNConfig(embedding_dim=8, filters=((1, 8), (2, 8), (3, 16), (5, 16), (7, 32)), n_highway=n_highway,
                      activation=activation),
        LSTMConfig(dim=48, projection_dim=24, n_layers=2, cell_clip=3.0, proj_clip=3.0, use_skip_connections=skip),
    )
    model = ElmoModel(config)
    with torch.no_grad():  # larger weights than the default init, so the clips are exercised
        for layer in model.lstm.layers:
            layer.w_recurrent.mul_(3.0)
            layer.bias.normal_(0.0, 0.5)
    return model.eval()


def _random_sentences(count: int, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    vocabulary = ["the", "a", "bank", "river", "saw", ",", ".", "money", "é", "naïve", "x" * 48,
                  "日本", "🦆", "supercalifragilistic", "I", "of", "tree", "ran", "quickly", "'s"]
    return [[rng.choice(vocabulary) for _ in range(rng.randint(1, 14))] for _ in range(count)]


def _max_diff(a: list, b: list) -> float:
    assert len(a) == len(b)
    worst = 0.0
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape
        if x.size:
            worst = max(worst, float(np.abs(x - y).max()))
    return worst


def _fixture_protocol(embed_batch, reference_dir) -> float:
    """The top-layer reference protocol (10 batches, carried state from zero): worst error."""
    sentences = json.loads((reference_dir / "sentences.json").read_text())
    top = 0.0
    for i in range(10):
        vectors = embed_batch([sentences[k][i].split() for k in range(3)])
        for k in range(3):
            with h5py.File(reference_dir / f"lm_embeddings_{k}.hdf5", "r") as f:
                expected = f[str(i)][...]
            got = np.stack([vectors[k][2][:, :16], vectors[k][2][:, 16:]])
            top = max(top, float(np.abs(got - expected).max()))
    return top


def _all_layers_protocol(embed_batch, fixtures_dir) -> float:
    folder = fixtures_dir / "elmo-allennlp-all-layers"
    sentences = [line.split() for line in (folder / "sentences.txt").read_text().splitlines()]
    worst = 0.0
    with h5py.File(folder / "expected_embeddings.hdf5", "r") as expected:
        for b in range(3):
            for j, got in enumerate(embed_batch(sentences[b * 10 : (b + 1) * 10])):
                worst = max(worst, float(np.abs(got - expected[str(b * 10 + j)][...]).max()))
    return worst


# ---------------------------------------------------------------------- fixtures, every path
def _recording(embed_batch, calls: list):
    def run(batch):
        calls.append(embed_batch(batch))
        return calls[-1]
    return run


@pytest.fixture(scope="module")
def plain_outputs(reference_dir, fixtures_dir) -> list:
    """The plain path's outputs for both fixture protocols (computed once), checked against the fixtures."""
    plain = ReferenceBiLM(_fixture_bilm(reference_dir).model, state="carry")
    calls: list = []
    assert _fixture_protocol(_recording(plain.embed_batch, calls), reference_dir) <= TOLERANCE
    plain.reset_state()
    assert _all_layers_protocol(_recording(plain.embed_batch, calls), fixtures_dir) <= TOLERANCE
    return calls


def test_plain_reference_path_matches_fixtures(plain_outputs):
    assert len(plain_outputs) == 13  # 10 top-layer batches + 3 all-layer batches, all within 1e-5


@pytest.mark.parametrize("variant", ["default", "no_cache", "pinned_vocab", "tiny_cache", "script_loop",
                                     "eager_loop", "tiny_chunks"])
def test_fast_path_variants_match_fixtures_and_plain(variant, reference_dir, fixtures_dir, plain_outputs,
                                                     monkeypatch):
    kwargs = {}
    if variant == "no_cache":
        kwargs["token_cache"] = False
    if variant == "tiny_cache":
        kwargs["cache_size"] = 3
    bilm = _fixture_bilm(reference_dir, **kwargs)
    if variant == "pinned_vocab":
        assert bilm.precompute_vocabulary(reference_dir / "vocab_test.txt") > 400
    if variant in ("script_loop", "eager_loop"):
        monkeypatch.setattr(lstm_module, "_TIME_LOOP_MODE", lstm_module._TIME_LOOP_MODE)
        lstm_module.set_time_loop(variant.split("_")[0])
    if variant == "tiny_chunks":  # many pre-gate chunks and many CNN chunks: memory-bounded paths
        monkeypatch.setattr(lstm_module, "PRE_GATE_CHUNK_BYTES", 1)
        monkeypatch.setattr(elmo_core.char_cnn.CharCNN.encode, "__defaults__", (1,))
    calls: list = []
    assert _fixture_protocol(_recording(bilm.embed_batch, calls), reference_dir) <= TOLERANCE
    bilm.reset_state()
    assert _all_layers_protocol(_recording(bilm.embed_batch, calls), fixtures_dir) <= TOLERANCE
    assert len(calls) == len(plain_outputs)
    for got, want in zip(calls, plain_outputs):
        assert _max_diff(got, want) <= TOLERANCE


def test_token_vectors_match_fixture_through_cache(reference_dir):
    words = [w for w in (reference_dir / "vocab_test.txt").read_text().split("\n") if w]
    with h5py.File(reference_dir / "elmo_token_embeddings.hdf5", "r") as f:
        expected = f["embedding"][...]
    bilm = _fixture_bilm(reference_dir)
    first = bilm.token_vectors(words).numpy()  # all misses: computed in one length-sorted batch
    second = bilm.token_vectors(words[::-1]).numpy()[::-1]  # all hits
    assert np.abs(first - expected).max() <= TOLERANCE
    np.testing.assert_array_equal(first, second)
    stats = bilm.token_cache.stats()
    assert stats["hits"] == len(set(words)) and stats["misses"] == len(set(words))


# ---------------------------------------------------------------------- fast vs plain, random weights
@pytest.mark.parametrize("seed, n_highway, activation, skip", [(0, 1, "relu", True), (1, 2, "tanh", True),
                                                                (2, 0, "relu", False)])
def test_embed_zero_mode_matches_plain_for_any_batching(seed, n_highway, activation, skip):
    model = _random_model(seed, n_highway, activation, skip)
    sentences = _random_sentences(23, seed) + SENTENCES
    want, _ = reference_forward(model, sentences)
    want = [w.numpy() for w in want]
    bilm = BiLM(model, state="zero", device="cpu")
    for batch_size, budget in [(64, None), (5, None), (64, 40), (1, 4096), (7, 1)]:
        got = bilm.embed(sentences, batch_size=batch_size, max_tokens_per_batch=budget)
        assert _max_diff(got, want) <= TOLERANCE, (batch_size, budget)
    uncached = BiLM(model, state="zero", device="cpu", token_cache=False)
    assert _max_diff(uncached.embed(sentences, batch_size=4), want) <= TOLERANCE


def test_warm_mode_matches_plain_with_the_same_start_state():
    model = _random_model(3)
    bilm = BiLM(model, state="warm", device="cpu")
    sentences = _random_sentences(12, 3)
    warm = bilm.warm_state()
    start = LSTMState(*(s.expand(-1, -1, len(sentences), -1).contiguous() for s in warm))
    want, _ = reference_forward(model, sentences, start)
    got = bilm.embed(sentences, batch_size=5, max_tokens_per_batch=50)
    assert _max_diff(got, [w.numpy() for w in want]) <= TOLERANCE


def test_carry_mode_keeps_input_order_and_rows_like_plain():
    model = _random_model(4)
    sentences = _random_sentences(17, 4)
    fast = BiLM(model, state="carry", device="cpu")
    plain = ReferenceBiLM(model, state="carry")
    # Unsorted lengths inside each batch and a short last batch: rows must continue in place.
    got = fast.embed(sentences, batch_size=5, max_tokens_per_batch=1)  # budget ignored in carry mode
    want = plain.embed(sentences, batch_size=5)
    assert _max_diff(got, want) <= TOLERANCE
    # Reordering the input changes carry-mode results (state flows in input order).
    fast.reset_state()
    shuffled = fast.embed(sentences[::-1], batch_size=5)[::-1]
    assert _max_diff(shuffled, want) > 1e-4


def test_plan_batches_bounds_and_order():
    rng = random.Random(0)
    lengths = [rng.randint(0, 60) for _ in range(300)]
    for batch_size, budget in [(64, 4096), (8, 100), (300, None), (3, 1)]:
        batches = plan_batches(lengths, batch_size, budget)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        for b in batches:
            assert len(b) <= batch_size
            padded = len(b) * (max(lengths[i] for i in b) + 2)
            assert budget is None or padded <= budget or len(b) == 1
            assert [lengths[i] for i in b] == sorted((lengths[i] for i in b), reverse=True)
    carry = plan_batches(lengths, 7, 1, keep_order=True)
    assert [i for b in carry for i in b] == list(range(len(lengths)))
    assert all(len(b) == 7 for b in carry[:-1])
    with pytest.raises(ValueError):
        plan_batches(lengths, 0)
    with pytest.raises(ValueError):
        plan_batches(lengths, 4, 0)


# ---------------------------------------------------------------------- token cache
def test_cache_runs_cnn_only_on_unseen_words(monkeypatch):
    model = _random_model(5)
    bilm = BiLM(model, state="zero", device="cpu")
    encoded_rows = []
    original = type(model.char_cnn).encode

    def counting(self, ids, *args, **kwargs):
        encoded_rows.append(ids.shape[0])
        return original(self, ids, *args, **kwargs)

    monkeypatch.setattr(type(model.char_cnn), "encode", counting)
    first = bilm.embed([["a", "b", "a"], ["b", "c"]])
    assert sum(encoded_rows) == 5  # <S>, </S>, a, b, c: each distinct word once
    second = bilm.embed([["c", "a"], ["b"]])
    assert sum(encoded_rows) == 5  # nothing new
    bilm.embed([["c", "new"]])
    assert sum(encoded_rows) == 6
    np.testing.assert_array_equal(first[0][0, 0], second[0][0, 1])  # 'a' from the cache


def test_lru_eviction_and_pinning_keep_vectors_exact():
    model = _random_model(6)
    words = [f"w{i}" for i in range(40)] + ["x" * 48, "é" * 30]
    exact = TokenCache(model.char_cnn, capacity=0).lookup(words)  # capacity 0: always computed
    cache = TokenCache(model.char_cnn, capacity=5)
    for start in range(0, len(words), 3):
        chunk = words[start : start + 3] + words[:2]
        got = cache.lookup(chunk)
        want = exact[[words.index(w) for w in chunk]]
        assert float((got - want).abs().max()) <= 1e-6
    assert len(cache) <= 5
    cache.precompute(words[:10])
    assert cache.stats()["pinned"] == 10
    got = cache.lookup(words + words[:10])
    assert float((got[: len(words)] - exact).abs().max()) <= 1e-6
    duplicated = cache.lookup(["w1", "w1", "w2"])
    np.testing.assert_array_equal(duplicated[0].numpy(), duplicated[1].numpy())


def test_cache_notices_changed_weights():
    model = _random_model(7)
    bilm = BiLM(model, state="zero", device="cpu")
    bilm.precompute_vocabulary(["river", "bank"])
    before = bilm.embed([["river", "bank", "tree"]])[0]
    with torch.no_grad():
        model.char_cnn.char_embedding.mul_(1.5)  # in-place change, as an optimiser step does
        model.lstm.layers[0].w_recurrent.mul_(0.5)
    after = bilm.embed([["river", "bank", "tree"]])[0]
    fresh = BiLM(model, state="zero", device="cpu", token_cache=False).embed([["river", "bank", "tree"]])[0]
    assert np.abs(after - before).max() > 1e-3
    assert np.abs(after - fresh).max() <= TOLERANCE


def test_bilm_with_cache_can_be_deep_copied(reference_dir):
    import copy

    bilm = _fixture_bilm(reference_dir, state="zero")
    want = bilm.embed(SENTENCES[:3])
    other = copy.deepcopy(bilm)
    assert other.token_cache.char_cnn is other.model.char_cnn
    assert _max_diff(other.embed(SENTENCES[:3]), want) <= TOLERANCE
    with torch.no_grad():
        next(other.model.parameters()).add_(1.0)
    assert _max_diff(other.embed(SENTENCES[:3]), want) > 1e-3
    assert _max_diff(bilm.embed(SENTENCES[:3]), want) == 0.0


def test_precompute_vocabulary_needs_a_source(reference_dir):
    bilm = _fixture_bilm(reference_dir)
    with pytest.raises(ValueError, match="vocab"):
        bilm.precompute_vocabulary()
    with pytest.raises(ValueError, match="token_cache=False"):
        _fixture_bilm(reference_dir, token_cache=False).precompute_vocabulary(["a"])


# ---------------------------------------------------------------------- character windows
def _window_test_words() -> list[str]:
    words = ["a" * n for n in range(1, 61)]
    words += ["é" * n for n in (1, 5, 23, 24, 25, 30)]  # 2-byte characters across the 48-byte cut
    words += ["日本語" * n for n in (1, 5, 6, 16, 17)]  # 3-byte characters, cut inside one
    words += ["🦆" * n for n in (1, 11, 12, 13)]  # 4-byte characters
    words += ["x" * 47, "x" * 48, "x" * 49, "x" * 300, "<S>", "</S>", "\u0000", "a\tb", "\ud800z"]
    return words


@pytest.mark.parametrize("widest", [3, 7])
def test_trimmed_convolution_equals_full_convolution(widest):
    torch.manual_seed(widest)
    filters = tuple((w, 4 + w) for w in range(1, widest + 1))
    config = ElmoConfig(CharCNNConfig(embedding_dim=6, filters=filters, n_highway=1),
                        LSTMConfig(dim=8, projection_dim=4))
    model = ElmoModel(config).eval()
    words = _window_test_words()
    ids = torch.from_numpy(np.stack([token_to_ids(w) for w in words]))
    with torch.no_grad():
        full = reference_token_vectors(model, ids.unsqueeze(0))[0]  # all 50 positions
        encoded = model.char_cnn.encode(ids)  # sorted, chunked, trimmed per chunk
        encoded_small_chunks = model.char_cnn.encode(ids, chunk_elements=1)  # one token per chunk
    with torch.enable_grad():
        trimmed = model.char_cnn(ids.unsqueeze(0))[0]  # autograd path: trimmed to the longest token
    for got in (encoded, encoded_small_chunks, trimmed.detach()):
        assert float((got - full).abs().max()) <= 1e-6
    # Every length alone, so that each is trimmed to itself.
    with torch.no_grad():
        for word in words[:60:7]:
            one = torch.from_numpy(token_to_ids(word)).view(1, 1, -1)
            assert float((model.char_cnn(one)[0, 0] - full[words.index(word)]).abs().max()) <= 1e-6


def test_char_cnn_forward_stays_differentiable():
    model = _random_model(8)
    model.train()
    ids = batch_to_ids([["some", "words"], ["more"]])
    out = model.char_cnn(ids)
    out.sum().backward()
    assert model.char_cnn.char_embedding.grad is not None
    assert all(conv.weight.grad is not None for conv in model.char_cnn.convolutions)


# ---------------------------------------------------------------------- LSTM paths
def _lstm_inputs(model: ElmoModel, lengths: list[int], seed: int = 0):
    torch.manual_seed(seed)
    batch, time = len(lengths), max(lengths)
    p = model.config.lstm.projection_dim
    mask = torch.arange(time).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    inputs = torch.randn(2, batch, time, p) * mask.unsqueeze(-1)
    state = LSTMState(torch.randn(2, 2, batch, model.config.lstm.dim),
                      torch.randn(2, 2, batch, p).clamp(-3, 3))
    return inputs, mask, state


def test_inference_time_loop_matches_autograd_path():
    model = _random_model(9)
    inputs, mask, state = _lstm_inputs(model, [5, 9, 1, 9, 3, 0, 7])
    with torch.enable_grad():
        want, want_state = model.lstm.forward_directions(inputs, mask, state)
    with torch.no_grad():
        got, got_state = model.lstm.forward_directions(inputs, mask, state)
    for g, w in zip(got, want):
        assert float((g - w.detach()).abs().max()) <= TOLERANCE
    for g, w in zip(got_state, want_state):
        assert float((g - w.detach()).abs().max()) <= TOLERANCE


@pytest.mark.parametrize("chunk_bytes", [None, 1])
def test_forward_table_equals_forward(chunk_bytes, monkeypatch):
    """First-layer input products per distinct word (gathered per step chunk) == per position."""
    if chunk_bytes is not None:
        monkeypatch.setattr(lstm_module, "PRE_GATE_CHUNK_BYTES", chunk_bytes)
    model = _random_model(15)
    torch.manual_seed(1)
    table = torch.randn(6, model.config.lstm.projection_dim)
    table[0] = 0.0
    lengths = [9, 4, 9, 1, 6, 0]
    mask = torch.arange(9).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    index = torch.randint(1, 6, (6, 9)) * mask
    _, _, state = _lstm_inputs(model, lengths)
    calls = []
    original = model.lstm._table_products
    monkeypatch.setattr(model.lstm, "_table_products", lambda *a: calls.append(1) or original(*a))
    with torch.no_grad():
        want, want_state = model.lstm(table[index] * mask.unsqueeze(-1), mask, state)
        got, got_state = model.lstm.forward_table(table, index, mask, state)
    assert calls, "the table path was not taken"
    for g, w in zip([*got, *got_state], [*want, *want_state]):
        assert float((g - w).abs().max()) <= TOLERANCE
    with torch.enable_grad():  # autograd on: plain forward
        again, _ = model.lstm.forward_table(table, index, mask, state)
    assert float((again[1].detach() - want[1]).abs().max()) <= TOLERANCE


def test_eager_and_scripted_time_loops_are_identical(monkeypatch):
    model = _random_model(10)
    inputs, mask, state = _lstm_inputs(model, [6, 2, 6, 4])
    monkeypatch.setattr(lstm_module, "_TIME_LOOP_MODE", "eager")
    with torch.no_grad():
        eager, _ = model.lstm.forward_directions(inputs, mask, state)
        for wanted in ("script", "auto"):
            mode = lstm_module.set_time_loop(wanted)
            assert mode in (wanted, "eager")  # eager if TorchScript is unavailable
            other, _ = model.lstm.forward_directions(inputs, mask, state)
            for a, b in zip(eager, other):
                np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError):
        lstm_module.set_time_loop("fast")


def test_non_prefix_mask_falls_back_to_the_general_path():
    model = _random_model(11)
    inputs, mask, state = _lstm_inputs(model, [4, 4, 4])
    mask = mask.clone()
    mask[1, 1] = False  # a hole: not a prefix mask
    with torch.enable_grad():
        want, _ = model.lstm.forward_directions(inputs, mask, state)
    with torch.no_grad():
        got, _ = model.lstm.forward_directions(inputs, mask, state)
    for g, w in zip(got, want):
        assert float((g - w.detach()).abs().max()) <= TOLERANCE


def test_trainer_call_stays_differentiable():
    model = _random_model(12)
    model.train()
    inputs, mask, state = _lstm_inputs(model, [5, 5, 5])
    inputs.requires_grad_(True)
    outputs, final = model.lstm.forward_directions(inputs, mask, state, dropout=0.1)
    (outputs[-1].sum() + final.hidden.sum()).backward()
    assert inputs.grad is not None and float(inputs.grad.abs().sum()) > 0
    assert all(p.grad is not None for p in model.lstm.parameters())


def test_packed_weights_follow_parameter_changes():
    model = _random_model(13)
    inputs, mask, state = _lstm_inputs(model, [3, 2])
    with torch.no_grad():
        before, _ = model.lstm.forward_directions(inputs, mask, state)
        model.lstm.layers[1].bias.add_(0.3)
        after, _ = model.lstm.forward_directions(inputs, mask, state)
    with torch.enable_grad():
        want, _ = model.lstm.forward_directions(inputs, mask, state)
    assert float((after[1] - before[1]).abs().max()) > 1e-3
    assert float((after[1] - want[1].detach()).abs().max()) <= TOLERANCE


def test_cuda_graph_math_matches_fast_path_on_cpu():
    """The shape-static function recorded by the CUDA graphs, run eagerly on CPU with bucket padding.

    (Capture and replay themselves need a GPU, which this environment does not have.)
    """
    model = _random_model(14)
    lengths = [7, 3, 9, 1]
    torch.manual_seed(0)
    tokens = torch.randn(4, 9, model.config.lstm.projection_dim)
    mask = torch.arange(9).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    tokens = tokens * mask.unsqueeze(-1)
    state = model.lstm.zero_state(4)
    with torch.no_grad():
        want, want_state = model.lstm(tokens, mask, state)
        padded = torch.zeros(8, 16, tokens.shape[2])  # bucket: batch 8, time 16
        padded[:4, :9] = tokens
        lengths_padded = torch.tensor(lengths + [0] * 4)
        cell = torch.zeros(2, 2, 8, model.config.lstm.dim)
        hidden = torch.zeros(2, 2, 8, model.config.lstm.projection_dim)
        got, got_cell, got_hidden = masked_forward(model.lstm, padded, lengths_padded, cell, hidden)
    for g, w in zip(got, want):
        assert float((g[:4, :9] - w).abs().max()) <= TOLERANCE
        assert float(g[4:].abs().max()) == 0.0
    assert float((got_cell[:, :, :4] - want_state.cell).abs().max()) <= TOLERANCE
    assert float((got_hidden[:, :, :4] - want_state.hidden).abs().max()) <= TOLERANCE


def test_cuda_graphs_flag_is_ignored_without_cuda(reference_dir):
    bilm = _fixture_bilm(reference_dir, state="zero", cuda_graphs=True)
    if not torch.cuda.is_available():
        assert bilm._graphed is None
    assert len(bilm.embed(SENTENCES)) == len(SENTENCES)


# ---------------------------------------------------------------------- precision
def test_reduced_precision_is_close_and_float32_is_default(reference_dir, fixtures_dir):
    """bf16/fp16 are meant for GPUs; on CPU they run too, which checks the code path and the size
    of the deviation (benchmarks/bench.py reports it in full)."""
    exact = _fixture_bilm(reference_dir)
    assert exact.precision == "float32"
    folder = fixtures_dir / "elmo-allennlp-all-layers"
    sentences = [line.split() for line in (folder / "sentences.txt").read_text().splitlines()][:10]
    with h5py.File(folder / "expected_embeddings.hdf5", "r") as f:
        expected = [f[str(i)][...] for i in range(10)]
    for precision, bound in (("bfloat16", 0.1), ("float16", 0.02)):
        bilm = _fixture_bilm(reference_dir, precision=precision)
        worst = _max_diff(bilm.embed_batch(sentences), expected)
        assert 1e-5 < worst <= bound, (precision, worst)
        assert all(v.dtype == np.float32 for v in bilm.embed(SENTENCES[:2]))
    with pytest.raises(ValueError, match="precision"):
        _fixture_bilm(reference_dir, precision="int8")


# ---------------------------------------------------------------------- boundary state, scratch buffers, options
def test_zero_and_warm_modes_skip_the_marker_steps(monkeypatch):
    model = _random_model(8)
    sentences = _random_sentences(9, 8)
    times = []
    original = lstm_module.StepSchedule

    class Recording(original):
        def __init__(self, lengths, time, device):
            times.append(time)
            super().__init__(lengths, time, device)

    monkeypatch.setattr(lstm_module, "StepSchedule", Recording)
    for state in ("zero", "warm"):
        times.clear()
        bilm = BiLM(model, state=state, device="cpu")
        bilm.boundary_state()  # its own one-step run is not part of the count
        times.clear()
        bilm.embed(sentences, batch_size=64, max_tokens_per_batch=None)
        assert times == [max(len(s) for s in sentences)], state  # no <S> / </S> steps
    times.clear()
    BiLM(model, state="carry", device="cpu").embed(sentences, batch_size=64)
    assert times == [max(len(s) for s in sentences) + 2]
    with pytest.raises(ValueError, match="carry"):
        BiLM(model, state="carry", device="cpu").boundary_state()


def test_warm_and_boundary_states_follow_weight_changes():
    model = _random_model(9)
    bilm = BiLM(model, state="warm", device="cpu")
    sentence = [["river", "bank", "tree", "."]]
    before = bilm.embed(sentence)[0]
    with torch.no_grad():
        model.lstm.layers[1].w_recurrent.mul_(0.7)  # in place, as fine-tuning does
    after = bilm.embed(sentence)[0]
    fresh = BiLM(model, state="warm", device="cpu").embed(sentence)[0]
    assert np.abs(after - before).max() > 1e-4
    assert np.abs(after - fresh).max() <= TOLERANCE


def test_scratch_buffers_are_reused_per_slot_and_grow():
    from elmo_core.workspace import release_scratch, scratch

    release_scratch()
    a = scratch("x", (4, 8), torch.float32, torch.device("cpu"))
    b = scratch("x", (2, 8), torch.float32, torch.device("cpu"))
    other = scratch("y", (4, 8), torch.float32, torch.device("cpu"))
    assert a.data_ptr() == b.data_ptr() and other.data_ptr() != a.data_ptr()
    bigger = scratch("x", (100, 8), torch.float32, torch.device("cpu"))
    assert bigger.shape == (100, 8) and bigger.is_contiguous()
    with torch.inference_mode():
        made_in_inference = scratch("z", (3,), torch.float32, torch.device("cpu"))
    made_in_inference.fill_(1.0)  # still writable outside inference mode
    release_scratch()


def test_load_files_passes_bilm_options(reference_dir):
    bilm = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5",
                                state="zero", device="cpu", token_cache=False, max_tokens_per_batch=123)
    assert bilm.token_cache is None and bilm.max_tokens_per_batch == 123
    with pytest.raises(TypeError, match="no_such_option"):
        elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", no_such_option=1)

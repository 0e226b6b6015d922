"""
Write ``MODEL_CARD.md`` for a trained model: corpus and tokens seen, hardware, wall time,
held-out perplexity of each direction against a unigram baseline on the same split, and the
quality checks of :mod:`elmo_core.quality` with their numbers.

    elmo-explorer card RUN_DIR MODEL_DIR     (RUN_DIR holds checkpoint.pt)
"""
from __future__ import annotations

import json
import os
import platform
from datetime import date
from pathlib import Path

import torch

from .. import quality
from ..loading import load
from .config import TrainConfig
from .data import Vocabulary, encode_corpus
from .lm import BiLanguageModel
from .trainer import CHECKPOINT, evaluate, unigram_perplexity


def heldout_perplexities(run_dir: Path) -> dict:
    """Full held-out perplexity (both directions) of the checkpoint, and the unigram baseline."""
    payload = torch.load(run_dir / CHECKPOINT, map_location="cpu", weights_only=False)
    config = TrainConfig(**payload["config"])
    vocab_file = Path(config.vocab_file).expanduser() if config.vocab_file else config.corpus_path / "vocab.txt"
    vocab = Vocabulary.from_file(vocab_file, config.vocab_size)
    heldout = encode_corpus(config.corpus_path / "heldout.txt", vocab)
    from ..model import ElmoModel

    lm = BiLanguageModel(ElmoModel(config.elmo_config()), len(vocab.words), config.softmax_cutoffs, 0.0)
    lm.load_state_dict({k: v for k, v in payload["model"].items() if not k.startswith("mimick.")})
    result = evaluate(lm, heldout, 32, config.unroll_steps, len(heldout.stream), torch.device("cpu"))
    result["unigram_ppl"] = unigram_perplexity(vocab, heldout)
    result.update(step=payload["step"], tokens_seen=payload["tokens"], train_minutes=payload["elapsed"] / 60,
                  corpus_dir=config.corpus_dir, history=payload["history"], config=payload["config"])
    return result


def _row(name: str, values: list[float], chance: float | None = None) -> str:
    cells = " | ".join(f"{v:.3f}" for v in values)
    return f"| {name} | {cells} |" + (f" {chance:.3f} |" if chance is not None else "")


def render(model_name: str, perplexity: dict, checks: dict, corpus_card: str | None, hardware: str) -> str:
    cfg = perplexity["config"]
    model = cfg["model"]
    pol, pos, sen = checks["polysemy"], checks["pos"], checks["senses"]
    lines = [
        f"# Model card: `{model_name}`",
        "",
        "An ELMo biLM trained by ELMo Explorer on English text that installs offline (see the corpus",
        "below), so that the app works on a fresh machine without a download. It is small and was",
        "trained briefly: it shows ELMo's layer behaviour, it is not a replacement for the official models.",
        "",
        "## Architecture",
        f"- Character CNN: embedding {model['char_cnn']['embedding']['dim']}, filters {model['char_cnn']['filters']}, "
        f"{model['char_cnn']['n_highway']} highway layer(s), projection to {model['lstm']['projection_dim']}.",
        f"- biLSTM: {model['lstm']['n_layers']} layers, {model['lstm']['dim']} cells, projection "
        f"{model['lstm']['projection_dim']}, cell/projection clip {model['lstm'].get('cell_clip')}/"
        f"{model['lstm'].get('proj_clip')}, residual connection between layers.",
        f"- Output: 3 layers of width {2 * model['lstm']['projection_dim']}. Official hdf5 layout; the adaptive "
        "softmax is kept under `softmax/` in weights.hdf5.",
        "",
        "## Training",
        f"- Corpus: `{perplexity['corpus_dir']}` (card below). Tokens seen: {perplexity['tokens_seen']:,} per direction "
        f"({perplexity['step']:,} steps of {cfg['batch_size']} streams x {cfg['unroll_steps']} tokens).",
        f"- Objective: forward + backward LM, shared adaptive softmax over {cfg['vocab_size']:,} words "
        f"(cutoffs {cfg['softmax_cutoffs']}), {cfg['optimizer']} lr {cfg['learning_rate']}, clip {cfg['clip_norm']}, "
        f"dropout {cfg['dropout']}, truncated backprop with state carried across windows.",
        f"- Hardware: {hardware}. Training wall time: {perplexity['train_minutes']:.0f} minutes of training steps.",
        "",
        "## Held-out perplexity",
        f"On the corpus's fixed 1% held-out split ({perplexity['tokens']:,} tokens), targets outside the "
        "vocabulary counted as `<UNK>` for both models:",
        "",
        "| model | forward | backward |",
        "|---|---:|---:|",
        f"| {model_name} | {perplexity['forward_ppl']:.1f} | {perplexity['backward_ppl']:.1f} |",
        f"| unigram (add-one, training counts) | {perplexity['unigram_ppl']:.1f} | {perplexity['unigram_ppl']:.1f} |",
        "",
        "## Quality checks (each is a test on this model in CI: `tests/test_mini_quality.py`)",
        "",
        f"1. Layer 0 is context-free: the two \"saw\" of \"I saw a saw .\" differ by "
        f"{pol['layer0_max_difference']:.1g} at layer 0. Their cosine similarity per layer: "
        + ", ".join(f"layer {k} {c:.3f}" for k, c in enumerate(pol["cosine_per_layer"])) + ".",
        f"2. Linear POS probe ({pos['description']}; {pos['train_size']:,} train / {pos['test_size']:,} test tokens):",
        "",
        "   | | layer 0 | layer 1 | layer 2 | majority class |",
        "   |---|---:|---:|---:|---:|",
        "   " + _row("accuracy", pos["accuracy_per_layer"], pos["chance"]),
        "",
        f"3. Sense classification, {sen['description']}, mean over words:",
        "",
        "   | | layer 0 | layer 1 | layer 2 | majority sense |",
        "   |---|---:|---:|---:|---:|",
        "   " + _row("accuracy", sen["accuracy_per_layer"], sen["chance"]),
        "",
        "## Perplexity during training",
        "",
        "| step | tokens | forward | backward |",
        "|---:|---:|---:|---:|",
        *[f"| {h['step']} | {h['tokens']:,} | {h['forward_ppl']:.1f} | {h['backward_ppl']:.1f} |"
          for h in perplexity["history"]],
        "",
    ]
    if corpus_card:
        lines += ["## Corpus", "", corpus_card.replace("# Corpus card", "").strip(), ""]
    lines += [f"_Written {date.today().isoformat()} by `elmo-explorer card`._", ""]
    return "\n".join(lines)


def hardware_description() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def write_model_card(run_dir: str | Path, model_dir: str | Path, hardware: str | None = None) -> Path:
    run_dir, model_dir = Path(run_dir).expanduser(), Path(model_dir)
    perplexity = heldout_perplexities(run_dir)
    checks = quality.run_all(load(model_dir))
    corpus_card_path = Path(perplexity["corpus_dir"]).expanduser() / "CORPUS_CARD.md"
    corpus_card = corpus_card_path.read_text(encoding="utf-8") if corpus_card_path.is_file() else None
    text = render(model_dir.name, perplexity, checks, corpus_card, hardware or hardware_description())
    (model_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")
    (run_dir / "card_numbers.json").write_text(json.dumps({"perplexity": {k: v for k, v in perplexity.items()
                                                                         if k != "config"}, "checks": checks},
                                                          indent=2))
    return model_dir / "MODEL_CARD.md"

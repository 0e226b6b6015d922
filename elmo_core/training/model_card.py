"""
Write ``MODEL_CARD.md`` for a trained model: a summary first (what the model is, its size, what it
was trained on, the measured figures next to their reference values), then corpus and tokens
seen, hardware, wall time, held-out perplexity of each direction against a unigram baseline on
the same split, and the quality checks of :mod:`elmo_core.quality` with their numbers.

A card may end with a hand-written ``## History`` section (how the model came to be, run by
run); writing the card again keeps it, at the end.

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
from ..analysis.margins import margin_verdict
from ..loading import load
from .config import TrainConfig
from .data import Vocabulary, encode_corpus
from .lm import BiLanguageModel
from .trainer import CHECKPOINT, TRAINING_ONLY, evaluate, unigram_perplexity


def heldout_perplexities(run_dir: Path) -> dict:
    """Full held-out perplexity (both directions) of the checkpoint, and the unigram baseline."""
    payload = torch.load(run_dir / CHECKPOINT, map_location="cpu", weights_only=False)
    config = TrainConfig(**payload["config"])
    vocab = Vocabulary.from_file(config.vocab_path, config.vocab_size)
    heldout = encode_corpus(config.corpus_path / "heldout.txt", vocab)
    from ..model import ElmoModel

    lm = BiLanguageModel(ElmoModel(config.elmo_config()), len(vocab.words), config.softmax_cutoffs, 0.0)
    lm.load_state_dict({k: v for k, v in payload["model"].items() if not k.startswith(TRAINING_ONLY)})
    result = evaluate(lm, heldout, 32, config.unroll_steps, len(heldout.stream), torch.device("cpu"))
    result["unigram_ppl"] = unigram_perplexity(vocab, heldout)
    result.update(step=payload["step"], tokens_seen=payload["tokens"], train_minutes=payload["elapsed"] / 60,
                  corpus_dir=config.corpus_dir, history=payload["history"], config=payload["config"],
                  phases=payload.get("phases", []))
    return result


def _row(name: str, values: list[float], chance: float | None = None) -> str:
    cells = " | ".join(f"{v:.3f}" for v in values)
    return f"| {name} | {cells} |" + (f" {chance:.3f} |" if chance is not None else "")


def _scrub(text: str, corpus_dir: str) -> str:
    """The card names no machine path: the corpus folder becomes ``CORPUS_DIR``."""
    full = str(Path(corpus_dir).expanduser())
    return text.replace(full, "CORPUS_DIR").replace(corpus_dir, "CORPUS_DIR")


def _per_source_table(per_source: dict, compare_name: str | None) -> list[str]:
    head = "| source | forward | backward | targets out of vocabulary |"
    rule = "|---|---:|---:|---:|"
    if compare_name:
        head += f" `{compare_name}` forward | `{compare_name}` backward | `{compare_name}` out of vocabulary |"
        rule += "---:|---:|---:|"
    lines = [head, rule]
    for source, row in sorted(per_source.items()):
        new, old = row["model"], row.get("compare")
        line = f"| {source} | {new['forward_ppl']:.1f} | {new['backward_ppl']:.1f} | {new['oov_rate']:.1%} |"
        if compare_name:
            line += (f" {old['forward_ppl']:.1f} | {old['backward_ppl']:.1f} | {old['oov_rate']:.1%} |" if old
                     else " | | |")
        lines.append(line)
    return lines


def _ablation_table(ablation: dict) -> list[str]:
    lines = ["| run | tokens | held-out ppl forward / backward | POS layer 0 / 1 / 2 | "
             "senses (curated) layer 0 / 1 / 2 | senses (unseen) layer 0 / 1 / 2 |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, row in ablation.items():
        last = row["history"][-1]
        fmt = lambda xs: " / ".join(f"{x:.3f}" for x in xs)  # noqa: E731
        lines.append(f"| {label} | {last['tokens']:,} | {last['forward_ppl']:.1f} / {last['backward_ppl']:.1f} | "
                     f"{fmt(row['pos'])} | {fmt(row['senses'])} | {fmt(row['unseen'])} |")
    return lines


AUXILIARY = (("glove_weight", "GloVe mimick"), ("context_weight", "context bags"),
             ("teacher_weight", "sentence-encoder teacher"))


def _phase_lines(phases: list[dict], unroll: int) -> list[str]:
    """One line per training phase, when a run was resumed with other settings."""
    lines = []
    for number, phase in enumerate(phases, 1):
        st = phase["settings"]
        where = "GPU" if st["device"] == "cuda" else "CPU"
        streams = st["batch_size"] * st.get("processes", 1)  # tokens are counted per process
        tokens = (phase["tokens"][1] - phase["tokens"][0]) * st.get("processes", 1)
        lines.append(f"  {number}. Steps {phase['steps'][0]:,}-{phase['steps'][1]:,} on the {where}: "
                     f"{tokens:,} tokens in batches of {streams} streams x "
                     f"{unroll} tokens, peak lr {st['learning_rate']}, dropout {st['dropout']}, "
                     f"{phase['minutes'][1] - phase['minutes'][0]:.1f} minutes of training steps"
                     + "".join(f", {label} weight {st[key]}" for key, label in AUXILIARY if st.get(key))
                     + ".")
    return lines


SUMMARY_HEADING = "## Summary"
HISTORY_HEADING = "## History"


def history_section(card_text: str) -> str:
    """The ``## History`` section of a card's text, from its heading to the end ("" without one)."""
    lines = card_text.splitlines()
    if HISTORY_HEADING not in lines:
        return ""
    return "\n".join(lines[lines.index(HISTORY_HEADING):]).rstrip("\n") + "\n"


def summary_section(perplexity: dict, checks: dict, n_parameters: int | None = None, corpus: bool = True,
                    hardware: str | None = None) -> str:
    """The card's first section: the model, its size, its training data and time, the hardware it
    was trained on, and the measured figures (``checks``: :func:`elmo_core.quality.run_all`'s
    numbers) next to their reference values."""
    model = perplexity["config"]["model"]
    lstm, cnn = model["lstm"], model["char_cnn"]
    phases = perplexity.get("phases") or []
    fmt = lambda xs: " | ".join(f"{x:.3f}" for x in xs)  # noqa: E731
    what = (f"- **Model**: an ELMo biLM: a character CNN ({sum(n for _, n in cnn['filters']):,} filters in "
            f"{len(cnn['filters'])} widths, {cnn['n_highway']} highway layer{'s' if cnn['n_highway'] != 1 else ''}) "
            f"and {lstm['n_layers']} biLSTM layers "
            f"of {lstm['dim']:,} cells with {lstm['projection_dim']}-wide projections; 3 output layers of "
            f"{2 * lstm['projection_dim']} (layer 0 from the characters alone)"
            + (f"; {n_parameters:,} parameters" if n_parameters else "") + ".")
    data = (f"- **Training data**: {perplexity['tokens_seen']:,} tokens per direction of "
            + ("the corpus under \"Corpus\" below" if corpus else "its training corpus")
            + f", {perplexity['train_minutes']:.0f} minutes of training steps"
            + (f" in {len(phases)} phases (see \"Training\")" if len(phases) > 1 else "") + ".")
    lines = [SUMMARY_HEADING, "", what, data, *([f"- **Hardware**: {hardware}."] if hardware else []),
             f"- **Held-out perplexity**: {perplexity['forward_ppl']:.1f} forward / {perplexity['backward_ppl']:.1f} "
             f"backward on the held-out split (a unigram model: {perplexity['unigram_ppl']:,.1f}).", "",
             "Measured by `elmo-explorer quality` (details in the sections below):", "",
             "| measure | layer 0 | layer 1 | layer 2 | reference |", "|---|---:|---:|---:|---|"]
    pos, pol = checks.get("pos"), checks.get("polysemy")
    if pos:
        lines.append(f"| POS probe accuracy | {fmt(pos['accuracy_per_layer'])} | majority class {pos['chance']:.3f} |")
    for key, label in (("senses_curated", "curated"), ("senses_unseen", "unseen")):
        report = checks.get(key) or (checks.get("senses") if key == "senses_curated" else None)
        if report:
            base = report.get("context_words_baseline", (checks.get("senses_baseline") or {}).get("accuracy"))
            lines.append(f"| sense accuracy, {label} set ({report.get('n_sentences', report.get('test_size', 0)):,} "
                         f"sentences) | {fmt(report['accuracy_per_layer'])} | majority sense {report['chance']:.3f}"
                         + (f"; bag of context words {base:.3f}" if base is not None else "") + " |")
    wordnet = checks.get("senses_wordnet")
    if wordnet and wordnet.get("auc_per_layer"):
        lines.append(f"| sense pair ranking, WordNet noun supersenses ({wordnet['n_sentences']:,} sentences) | "
                     f"{fmt(wordnet['auc_per_layer'])} | blind 0.500; bag of context words "
                     f"{wordnet['context_words_auc']:.3f} |")
    if checks.get("repeats"):
        lines.append(f"| one word twice in one sentence: separation of two senses from one | "
                     f"{fmt(checks['repeats']['separation_per_layer'])} | blind 0.500 |")
    if pol:
        lines.append(f"| cosine of the two \"saw\" in \"I saw a saw .\" | {fmt(pol['cosine_per_layer'])} | "
                     "1.000 at layer 0 (characters only) |")
    return "\n".join(lines) + "\n"


MARGIN_HEADING = "## Senses against the bag of context words"
_MARGIN_ROWS = (("senses_curated", "curated set, leave-one-out accuracy"),
                ("senses_unseen", "unseen set, leave-one-out accuracy"),
                ("pairs_curated", "curated set, pair ranking"),
                ("pairs_unseen", "unseen set, pair ranking"),
                ("senses_wordnet", "WordNet noun supersenses, pair ranking"))


def sense_margin_section(checks: dict) -> str:
    """The card section of each contextual layer's margin over the bag of context words, with
    its bootstrap interval (``checks``: :func:`elmo_core.quality.run_all`'s numbers); "" without."""
    rows = [(label, checks[key]) for key, label in _MARGIN_ROWS if checks.get(key, {}).get("margin_per_layer")]
    if not rows:
        return ""
    n_layers = len(rows[0][1]["margin_per_layer"])
    level = rows[0][1]["margin_per_layer"][0]["level"]

    def cell(m: dict) -> str:
        return f"{m['mean']:+.3f} ({m['low']:+.3f} to {m['high']:+.3f}), {margin_verdict(m['low'], m['high'])}"

    lines = [MARGIN_HEADING, "",
             "Each contextual layer minus the bag of context words (GloVe 6B 50d, window 5) on the same "
             f"sentences, with a {level:.0%} paired bootstrap interval (`elmo_core/analysis/margins.py`: "
             "leave-one-out accuracy resamples each word's sentences, pair ranking resamples the words). "
             "\"Ahead\" or \"behind\" only where the interval leaves out 0.", "",
             "| set, measure (sentences) | " + " | ".join(f"layer {k}" for k in range(1, n_layers)) + " |",
             "|---|" + "---:|" * (n_layers - 1)]
    for label, report in rows:
        lines.append(f"| {label} ({report['n_sentences']:,}) | "
                     + " | ".join(cell(m) for m in report["margin_per_layer"][1:]) + " |")
    return "\n".join(lines) + "\n"


REPEATS_HEADING = "## One word twice in one sentence"


def repeat_section(checks: dict) -> str:
    """The card section of :func:`elmo_core.quality.repeat_check` ("I saw a saw ." and its
    controls); "" when ``checks`` has no such numbers."""
    rep = checks.get("repeats")
    if not rep:
        return ""
    layers = range(len(rep["separation_per_layer"]))
    saw = rep["two_senses"].get("I saw a saw .")
    lines = [REPEATS_HEADING, "",
             f"The \"saw\" check on more sentences (`elmo_core/analysis/repeats.py`): {len(rep['two_senses'])} where "
             "a spelling recurs in two senses (\"I will park the car near the park .\") and "
             f"{len(rep['one_sense'])} controls where it recurs in one (\"The dog chased the other dog .\"), the "
             "repeats as far apart on average. Mean cosine of the two repeats; separation is the share of "
             "(two-sense, one-sense) pairs where the two-sense cosine is lower (0.5: not told apart).", "",
             "| | " + " | ".join(f"layer {k}" for k in layers) + " |", "|---|" + "---:|" * len(layers),
             "| two senses, mean cosine | " + " | ".join(f"{v:.3f}" for v in rep["two_senses_per_layer"]) + " |",
             "| one sense, mean cosine | " + " | ".join(f"{v:.3f}" for v in rep["one_sense_per_layer"]) + " |",
             "| separation | " + " | ".join(f"{v:.3f}" for v in rep["separation_per_layer"]) + " |"]
    if saw:
        lines += ["", "\"I saw a saw .\" alone: " + ", ".join(f"layer {k} {c:.3f}" for k, c in enumerate(saw))
                  + " (one pair: in the runs of `docs/experiments/` it moved by several points between neighbouring checkpoints)."]
    return "\n".join(lines) + "\n"


def render(model_name: str, perplexity: dict, checks: dict, corpus_card: str | None, hardware: str,
           per_source: dict | None = None, compare_name: str | None = None, ablation: dict | None = None,
           notes: str | None = None, n_parameters: int | None = None, history: str | None = None) -> str:
    cfg = perplexity["config"]
    model = cfg["model"]
    pol, pos, sen = checks["polysemy"], checks["pos"], checks["senses"]
    base, unseen = checks.get("senses_baseline"), checks.get("senses_unseen")
    phases = perplexity.get("phases") or []
    glove = ""
    if cfg.get("glove_weight") or cfg.get("glove_pretrain_steps"):
        glove = (f"- Token layer taught by GloVe 6B 50d (\"mimick\"): {cfg['glove_pretrain_steps']} steps of "
                 f"{cfg['glove_pretrain_batch']} corpus words on the mimick loss alone ({cfg['glove_loss']}), then "
                 f"weight {cfg['glove_weight']} beside the LM loss. A linear map from layer 0 predicts each word's "
                 "GloVe vector; the map is training-only and not in the exported weights, so layer 0 stays "
                 "character-only and context-free.")
    elif any(phase["settings"].get("glove_weight") for phase in phases):
        glove = ("- Token layer taught by GloVe 6B 50d (\"mimick\", in the phases that list it): a linear map from "
                 "layer 0 predicts each word's GloVe vector; the map is training-only and not in the exported "
                 "weights, so layer 0 stays character-only and context-free.")
    context = ""
    if any(phase["settings"].get("context_weight") for phase in phases) or cfg.get("context_weight"):
        context = ("- Context bags (in the phases that list them): a linear map per direction from the top layer "
                   "predicts the mean GloVe vector of the content words among the "
                   f"{cfg.get('context_window', 5)} tokens that direction has read in the sentence (stop words, "
                   "punctuation and the word itself left out; 1 - cosine). Training-only, like the mimick map.")
    teacher = ""
    if any(phase["settings"].get("teacher_weight") for phase in phases) or cfg.get("teacher_weight"):
        teacher = ("- Sentence-encoder teacher (in the phases that list it; `elmo_core/training/teacher.py`): "
                   f"{cfg.get('teacher_batch')} whole corpus sentences a step, target \"{cfg.get('teacher_target')}\""
                   + (f" (groups of {cfg.get('teacher_group')} occurrences of one content word, whose cosines "
                      "in the top layer follow all-MiniLM-L6-v2's"
                      + (f"; words drawn from the {cfg['teacher_word_share']:.0%} whose encoder cosines vary most"
                         if cfg.get("teacher_word_share", 1.0) < 1 else "") + ")"
                      if cfg.get("teacher_target") == "occurrences" else " (all-MiniLM-L6-v2's word vectors)")
                   + ". Training-only: nothing of it is in the exported weights.")
    seen = f"- Corpus: see the corpus card below. Tokens seen: {perplexity['tokens_seen']:,} per direction "
    if len(phases) > 1:
        seen = [seen + f"in {perplexity['step']:,} steps, in {len(phases)} phases (the run was resumed with "
                       "other settings):", *_phase_lines(phases, cfg["unroll_steps"])]
        rate = "peak lr per phase"
    else:
        processes = perplexity.get("processes", 1)
        seen = [seen + f"({perplexity['step']:,} steps of {cfg['batch_size'] * processes} streams x "
                       f"{cfg['unroll_steps']} tokens"
                + (f"; {processes} data-parallel processes of {cfg['batch_size']} streams each)."
                   if processes > 1 else ").")]
        rate = f"lr {cfg['learning_rate']}"
    lines = [
        f"# Model card: `{model_name}`",
        "",
        "An ELMo biLM trained by ELMo Explorer on English text that installs offline (see the corpus",
        "below), so that the app works on a fresh machine without a download. It is small and was",
        "trained briefly (hardware below): it shows ELMo's layer behaviour, it is not a replacement for the official models.",
        "",
        summary_section(perplexity, checks, n_parameters, corpus=bool(corpus_card), hardware=hardware),
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
        *seen,
        f"- Objective: forward + backward LM, shared adaptive softmax over {cfg['vocab_size']:,} words "
        f"(cutoffs {cfg['softmax_cutoffs']}), {cfg['optimizer']} {rate}, clip {cfg['clip_norm']}, "
        f"dropout {cfg['dropout']}, truncated backprop with state carried across windows.",
        *([glove] if glove else []),
        *([context] if context else []),
        *([teacher] if teacher else []),
        f"- Hardware: {hardware}. Training wall time: {perplexity['train_minutes']:.0f} minutes of training steps.",
        "",
        *([notes.strip(), ""] if notes else []),
        "## Held-out perplexity",
        f"On the corpus's fixed 1% held-out split ({perplexity['tokens']:,} tokens), targets outside the "
        "vocabulary counted as `<UNK>` for both models:",
        "",
        "| model | forward | backward |",
        "|---|---:|---:|",
        f"| {model_name} | {perplexity['forward_ppl']:.1f} | {perplexity['backward_ppl']:.1f} |",
        f"| unigram (add-one, training counts) | {perplexity['unigram_ppl']:.1f} | {perplexity['unigram_ppl']:.1f} |",
        "",
    ]
    if per_source:
        lines += ["Per source (each source's held-out sentences, up to 200,000 tokens each; a model with another "
                  "vocabulary is comparable only together with its out-of-vocabulary rate):", "",
                  *_per_source_table(per_source, compare_name), ""]
    lines += [
        "## Quality checks (each is a test on this model in CI: `tests/test_acceptance_mini.py`)",
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
    ]
    if base:
        lines.append(f"   | bag of context words (GloVe 6B 50d, window 5, stop words out; no language model) | "
                     f"{base['accuracy']:.3f} | | | |")
    if unseen:
        lines += ["", f"4. The same on the unseen polysemy set ({unseen['n_words']} words, {unseen['n_sentences']} "
                      "sentences written apart from the curated set and never used to choose the corpus or "
                      "the training settings):", "",
                  "   | | layer 0 | layer 1 | layer 2 | majority sense |",
                  "   |---|---:|---:|---:|---:|",
                  "   " + _row("accuracy", unseen["accuracy_per_layer"], unseen["chance"]),
                  f"   | bag of context words (GloVe, window 5) | {unseen['context_words_baseline']:.3f} | | | |"]
    lines.append("")
    for section in (sense_margin_section(checks), repeat_section(checks)):
        if section:
            lines += [section]
    if ablation:
        lines += ["## GloVe ablation", "",
                  "Runs of the same configuration on the same corpus, with and without the GloVe mimick "
                  "objective, compared at equal token budgets (each on one CPU thread, two side by side):", "",
                  *_ablation_table(ablation), ""]
    lines += [
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
    if history:  # hand-written, kept as it is and last
        lines += [history.rstrip("\n"), ""]
    return _scrub("\n".join(lines), perplexity["corpus_dir"])


def hardware_description() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def ablation_numbers(run_dir: Path) -> dict:
    """Held-out history and the probes of the model exported into ``run_dir/model``."""
    summary = json.loads((run_dir / "model" / "training_summary.json").read_text())
    bilm = load(run_dir / "model")
    senses, _ = quality.sense_probe(bilm)
    return {"history": summary["history"], "pos": quality.pos_probe(bilm).accuracy_per_layer,
            "senses": senses.accuracy_per_layer,
            "unseen": quality.unseen_sense_report(bilm).accuracy_per_layer}


def write_model_card(run_dir: str | Path, model_dir: str | Path, hardware: str | None = None,
                     compare_model: str | Path | None = None, ablation: dict[str, Path] | None = None,
                     notes_file: str | Path | None = None) -> Path:
    """Write ``model_dir/MODEL_CARD.md``. ``compare_model``: an exported model measured on the same
    per-source held-out sentences; ``ablation``: label -> run directory of the GloVe ablation;
    ``notes_file``: Markdown put after the training section (e.g. why this size). The ``## History``
    section of a card already there is kept, at the end."""
    from .heldout import lm_from_model_dir, per_source_perplexity

    run_dir, model_dir = Path(run_dir).expanduser(), Path(model_dir)
    perplexity = heldout_perplexities(run_dir)
    summary_file = model_dir / "training_summary.json"
    world = json.loads(summary_file.read_text()).get("world_size", 1) if summary_file.is_file() else 1
    if world > 1:  # the checkpoint counts one process's tokens; every process read as many
        perplexity["tokens_seen"] *= world
        perplexity["history"] = [{**h, "tokens": h["tokens"] * world} for h in perplexity["history"]]
        perplexity["processes"] = world
    bilm = load(model_dir)
    checks = quality.run_all(bilm)
    n_parameters = sum(p.numel() for p in bilm.model.parameters())
    corpus = Path(perplexity["corpus_dir"]).expanduser()
    corpus_card_path = corpus / "CORPUS_CARD.md"
    corpus_card = corpus_card_path.read_text(encoding="utf-8") if corpus_card_path.is_file() else None
    per_source = {}
    if (corpus / "heldout").is_dir():
        ours = per_source_perplexity(*lm_from_model_dir(model_dir), corpus)
        theirs = per_source_perplexity(*lm_from_model_dir(Path(compare_model)), corpus) if compare_model else {}
        per_source = {name: {"model": row, "compare": theirs.get(name)} for name, row in ours.items()}
    ablation_rows = {label: ablation_numbers(Path(path).expanduser()) for label, path in (ablation or {}).items()}
    notes = Path(notes_file).read_text(encoding="utf-8") if notes_file else None
    compare_name = f"{Path(compare_model).name} (before)" if compare_model else None
    card_path = model_dir / "MODEL_CARD.md"
    history = history_section(card_path.read_text(encoding="utf-8")) if card_path.is_file() else ""
    text = render(model_dir.name, perplexity, checks, corpus_card, hardware or hardware_description(),
                  per_source, compare_name, ablation_rows, notes, n_parameters, history)
    card_path.write_text(text, encoding="utf-8")
    (run_dir / "card_numbers.json").write_text(json.dumps(
        {"perplexity": {k: v for k, v in perplexity.items() if k != "config"}, "checks": checks,
         "per_source": per_source, "ablation": ablation_rows}, indent=2))
    return model_dir / "MODEL_CARD.md"

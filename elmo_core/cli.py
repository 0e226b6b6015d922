"""
The ``elmo-explorer`` command line.

    elmo-explorer app [--server.port 8502 ...]           start the web app (Streamlit options pass through)
    elmo-explorer embed INPUT.txt OUTPUT.hdf5 --all|--top|--average [--model NAME|DIR] [--encoding NAME]
    elmo-explorer embed-corpus INPUT OUTPUT_DIR [--engine local|ray] [--address auto] ...  (elmo_core/bulk)
    elmo-explorer info MODEL
    elmo-explorer corpus build OUT_DIR
    elmo-explorer teacher build CORPUS OUT_DIR [--sentences N]      (training only; the distill extra)
    elmo-explorer teacher compact SET OUT_DIR [--group 6 --per-word 24]   (what "occurrences" reads)
    elmo-explorer train CONFIG.json [--resume | --start-from MODEL_DIR]
    elmo-explorer adapt MODEL TEXT OUT [--minutes N | --tokens N] [--resume]   continue a model on a text file
    elmo-explorer perplexity MODEL TEXT [--json]          per-direction perplexity of a text file
    elmo-explorer export CHECKPOINT OUT_DIR
    elmo-explorer card RUN_DIR MODEL_DIR
    elmo-explorer quality [MODEL]
    elmo-explorer lm TEXT [--model NAME|DIR] [--top K] [--json]   next/previous-word predictions, surprisal

``embed`` writes the layout of ``allennlp elmo``: one dataset per sentence index (the line
number, as a string) plus ``sentence_to_index``, a JSON string dataset mapping each input line
to its key. Lines end at "\\n" only; INPUT must be UTF-8 unless ``--encoding`` names another.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .text_file import read_lines  # raises text_file.InputEncodingError (a ValueError) naming the line


def _add_model_arguments(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    """MODEL (positional or --model), --state and --device."""
    if positional:
        parser.add_argument("model", nargs="?", default="mini", help="model name or directory (default: mini)")
    else:
        parser.add_argument("--model", default="mini", help="model name or directory (default: mini)")
    parser.add_argument("--state", default="warm", choices=["warm", "zero", "carry"])
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


def embed_file(args: argparse.Namespace) -> int:
    import h5py
    import numpy as np
    from tqdm.auto import tqdm

    from .loading import load

    source = Path(args.input)
    if not source.is_file():
        print(f"error: input file not found: {source}", file=sys.stderr)
        return 2
    lines = read_lines(source, args.encoding)  # InputEncodingError: exit 2 with the line number
    sentences = [line.split() for line in lines]
    if not any(sentences):
        print(f"error: {source} has no non-empty line to embed", file=sys.stderr)
        return 2
    bilm = load(args.model, state=args.state, device=args.device)
    output = Path(args.output)
    tmp = output.with_name(output.name + ".tmp")
    with h5py.File(tmp, "w") as out:
        index = {line: str(i) for i, line in enumerate(lines)}
        out.create_dataset("sentence_to_index", data=json.dumps(index))
        # Embed in slices so memory holds one slice of vectors, not the whole file.
        step = max(args.batch_size * 8, 1)
        with tqdm(total=len(sentences), unit="sent", desc="embedding", disable=args.quiet) as bar:
            for start in range(0, len(sentences), step):
                chunk = sentences[start : start + step]
                for offset, vectors in enumerate(bilm.embed(chunk, batch_size=args.batch_size)):
                    if args.top:
                        vectors = vectors[-1]
                    elif args.average:
                        vectors = vectors.mean(axis=0)
                    out.create_dataset(str(start + offset), data=vectors.astype(np.float32))
                bar.update(len(chunk))
    tmp.replace(output)
    if not args.quiet:
        print(f"wrote {len(sentences)} sentences to {output}")
    return 0


def model_info(args: argparse.Namespace) -> int:
    from .loading import load

    bilm = load(args.model, state=args.state, device=args.device)
    info = {"name": bilm.name, "device": str(bilm.device), "parameters": bilm.num_parameters(),
            "output_layers": bilm.num_layers, "output_dim": bilm.output_dim, "state": bilm.state_mode,
            "options": bilm.config.to_dict()}
    print(json.dumps(info, indent=2))
    return 0


def run_train(args: argparse.Namespace) -> int:
    from .training.config import TrainConfig
    from .training.trainer import train

    config = TrainConfig.from_json(args.config)
    if args.start_from:
        from .training.export import seed_checkpoint
        from .training.trainer import CHECKPOINT

        seed_checkpoint(args.start_from, config.out_path / CHECKPOINT, config)
        print(f"starting from {args.start_from}: {config.out_path / CHECKPOINT}")
    train(config, resume=args.resume or bool(args.start_from), new_run=bool(args.start_from),
          export_dir=Path(args.export_dir) if args.export_dir else None)
    return 0


def run_teacher_compact(args: argparse.Namespace) -> int:
    from .training.teacher import TeacherSet, compact_occurrence_set

    teacher = TeacherSet.load(args.teacher_dir)
    info = compact_occurrence_set(teacher, Path(args.out_dir).expanduser(), args.group, args.per_word, args.seed)
    print(json.dumps(info, indent=2))
    return 0


def run_teacher_build(args: argparse.Namespace) -> int:
    from .training.teacher import build_teacher_set

    corpus = Path(args.corpus).expanduser()
    source = corpus / "train.txt" if corpus.is_dir() else corpus
    if not source.is_file():
        raise FileNotFoundError(f"no corpus text at {source}")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    info = build_teacher_set(source, Path(args.out_dir).expanduser(), args.sentences, layer=args.layer,
                             seed=args.seed)
    print(json.dumps(info, indent=2))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from .training.export import export_checkpoint

    print(export_checkpoint(args.checkpoint, args.out_dir))
    return 0


def run_card(args: argparse.Namespace) -> int:
    from .training.model_card import write_model_card

    ablation = {}
    for item in args.ablation or []:
        label, sep, path = item.partition("=")
        if not sep or not label or not path:
            raise ValueError(f"--ablation takes LABEL=RUN_DIR, got {item!r}")
        ablation[label] = Path(path)
    print(write_model_card(args.run_dir, args.model_dir, hardware=args.hardware, compare_model=args.compare,
                           ablation=ablation, notes_file=args.notes))
    return 0


def run_quality(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from . import quality
    from .loading import load

    card = None
    if args.update_card:  # checked first: the measures take a while
        from .registry import resolve_model_dir

        card = Path(resolve_model_dir(args.model, progress=False)[0]) / "MODEL_CARD.md"
        if not card.is_file():
            print(f"error: model {args.model} has no MODEL_CARD.md to update", file=sys.stderr)
            return 1
    bilm = load(args.model, state=args.state, device=args.device)
    results = quality.run_all(bilm)
    if args.against:
        other = load(args.against, state=args.state, device=args.device)
        results["against"] = {"model": str(args.against), **{
            name: asdict(comparison) for name, comparison in quality.compare_on_sense_sets(bilm, other).items()}}
    if args.corpus:
        results["heldout_perplexity"] = quality.heldout_perplexity(args.model, args.corpus)
    print(json.dumps(results, indent=2))
    if card is not None:
        from .tasks.ship import update_model_card
        from .training.model_card import MARGIN_HEADING, REPEATS_HEADING, repeat_section, sense_margin_section

        before = ("## GloVe ablation", "## Sentiment heads", "## Perplexity during training")
        update_model_card(card, sense_margin_section(results), before=before)
        update_model_card(card, repeat_section(results), before=before)  # after the margins
        print(f"updated \"{MARGIN_HEADING[3:]}\" and \"{REPEATS_HEADING[3:]}\" in {card.name}", file=sys.stderr)
    return 0


def _printable(text: str) -> str:
    """``text`` with what stdout cannot encode (e.g. lone surrogates from odd input) escaped."""
    encoding = sys.stdout.encoding or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding)


def _word_list(top: list[tuple[str, float]]) -> str:
    """``[("movie", 0.113), ...]`` -> ``"movie 0.113  ..."``, printable."""
    return _printable("  ".join(f"{word} {p:.3f}" for word, p in top))


def run_lm(args: argparse.Namespace) -> int:
    """What the biLM's forward and backward language models predict around each token of TEXT."""
    from .training.predictions import predict_text

    result = predict_text(args.model, args.text, top_k=args.top)  # ValueError (NoSoftmaxError too): exit 2
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    rows = [(_printable(token) + ("*" if oov else ""), f"{fw:.2f}", _word_list(fw_top), f"{bw:.2f}", _word_list(bw_top))
            for token, oov, fw, fw_top, bw, bw_top in zip(
                result.tokens, result.oov, result.forward.surprisal_bits, result.forward.top,
                result.backward.surprisal_bits, result.backward.top)]
    header = ("token", "fw bits", "next word (forward LM)", "bw bits", "previous word (backward LM)")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]),
                 row[3].rjust(widths[3]), row[4]]
        print("  ".join(cells).rstrip())
    if any(result.oov):
        print("* not in the output vocabulary: scored as <UNK>")
    print(f"perplexity: forward {result.forward.perplexity:.1f}, backward {result.backward.perplexity:.1f} "
          f"({len(result.tokens)} tokens; bits = -log2 p(token | context), closing </S>/<S> left out)")
    return 0


def run_adapt(args: argparse.Namespace) -> int:
    """Continue MODEL's language-model training on TEXT and write the best held-out weights to OUT."""
    from tqdm.auto import tqdm

    from .training.adapt import AdaptConfig, adapt

    config = AdaptConfig(args.model, args.text, args.out, minutes=args.minutes or 0.0, tokens=args.tokens or 0,
                         heldout_share=args.heldout_share, batch_size=args.batch_size,
                         learning_rate=args.learning_rate, eval_every=args.eval_every,
                         checkpoint_every=args.checkpoint_every, device=args.device, num_threads=args.threads)
    log = (lambda *a, **k: None) if args.quiet else (lambda message: tqdm.write(str(message), file=sys.stderr))
    try:
        result = adapt(config, resume=args.resume, progress=not args.quiet, log=log)
    except KeyboardInterrupt:
        print("\ninterrupted: continue with the same command and --resume", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    before, after = result.before, result.after
    print(f"held-out perplexity ({result.heldout_tokens:,} tokens of {result.heldout_lines} held-out lines): "
          f"forward {before['forward']:.1f} -> {after['forward']:.1f}, "
          f"backward {before['backward']:.1f} -> {after['backward']:.1f}")
    print(f"trained {result.tokens:,} tokens in {result.seconds:.0f} s ({result.tokens_per_second:,.0f} tokens/s), "
          f"{result.steps} steps; the best held-out weights are from step {result.best_step}")
    print(f"wrote {result.out_dir}")
    return 0


def run_perplexity(args: argparse.Namespace) -> int:
    """Per-direction perplexity of a text file under a model with a trained softmax."""
    from .training.heldout import perplexity_of_text

    result = perplexity_of_text(args.model, args.text)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"perplexity: forward {result['forward']:.1f}, backward {result['backward']:.1f} "
          f"({result['tokens']:,} tokens, {100 * result['oov_rate']:.1f}% outside the vocabulary, scored as <UNK>)")
    return 0


def run_app(args: argparse.Namespace) -> int:
    """``streamlit run`` of the app shipped in ``elmo_explorer_ui``, with the app's safe settings
    (localhost, no usage statistics, no file watcher) as flags; Streamlit flags given here win."""
    import os
    import subprocess

    try:
        from elmo_explorer_ui.launch import APP, app_command
    except ImportError:
        print("error: the elmo_explorer_ui package (the app) is not installed", file=sys.stderr)
        return 2
    if not APP.is_file():
        print(f"error: the app is missing from the installed package ({APP.name})", file=sys.stderr)
        return 2
    command = app_command(args.streamlit_args)
    if os.name == "posix":  # Streamlit takes over this process, so Ctrl+C and kill reach the server itself
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(command[0], command)
    return subprocess.call(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="elmo-explorer", description="ELMo Explorer: see how ELMo represents words")
    commands = parser.add_subparsers(dest="command", required=True)

    embed = commands.add_parser("embed", help="embed a file of sentences (one per line, tokens split by spaces)")
    embed.add_argument("input")
    embed.add_argument("output")
    which = embed.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="all layers: (layers, tokens, dim) per sentence")
    which.add_argument("--top", action="store_true", help="top layer only: (tokens, dim)")
    which.add_argument("--average", action="store_true", help="average of the layers: (tokens, dim)")
    embed.add_argument("--encoding", default=None,
                       help="text encoding of INPUT (default: UTF-8, and invalid bytes are an error)")
    embed.add_argument("--batch-size", type=int, default=64)
    embed.add_argument("--quiet", action="store_true")
    _add_model_arguments(embed)
    embed.set_defaults(func=embed_file)

    info = commands.add_parser("info", help="configuration, parameter count and device of a model")
    _add_model_arguments(info, positional=True)
    info.set_defaults(func=model_info)

    train = commands.add_parser("train", help="pretrain a biLM from a JSON config")
    train.add_argument("config")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in out_dir")
    train.add_argument("--start-from", default=None, metavar="MODEL_DIR",
                       help="continue an exported model (weights, tokens seen, history) in a new run")
    train.add_argument("--export-dir", default=None, help="where to write the final model (default out_dir/model)")
    train.set_defaults(func=run_train)

    export = commands.add_parser("export", help="write a model directory from a training checkpoint")
    export.add_argument("checkpoint")
    export.add_argument("out_dir")
    export.set_defaults(func=run_export)

    teacher = commands.add_parser("teacher", help="sentence-encoder word vectors for the teacher objective")
    teacher_commands = teacher.add_subparsers(dest="teacher_command", required=True)
    build = teacher_commands.add_parser("build", help="sample corpus sentences and store all-MiniLM-L6-v2's "
                                        "word vectors (needs the distill extra)")
    build.add_argument("corpus", help="a corpus folder (its train.txt) or a file of tokenized sentences")
    build.add_argument("out_dir")
    build.add_argument("--sentences", type=int, default=60000)
    build.add_argument("--layer", type=int, default=6, help="encoder hidden layer (0 = embeddings)")
    build.add_argument("--seed", type=int, default=7)
    build.add_argument("--threads", type=int, default=0)
    build.set_defaults(func=run_teacher_build)
    compact = teacher_commands.add_parser("compact", help="keep only what the \"occurrences\" target reads "
                                          "(a few MB instead of hundreds: fits a lent GPU's carry)")
    compact.add_argument("teacher_dir", help="a set written by `teacher build`")
    compact.add_argument("out_dir")
    compact.add_argument("--group", type=int, default=6, help="the run's teacher_group: words in fewer sentences are left out")
    compact.add_argument("--per-word", type=int, default=24, help="occurrences kept per word (a seeded draw)")
    compact.add_argument("--seed", type=int, default=7)
    compact.set_defaults(func=run_teacher_compact)

    card = commands.add_parser("card", help="write MODEL_CARD.md for a trained model (perplexity, checks)")
    card.add_argument("run_dir", help="training run directory (holds checkpoint.pt)")
    card.add_argument("model_dir", help="exported model directory")
    card.add_argument("--hardware", default=None, help="hardware description for the card")
    card.add_argument("--compare", default=None, help="an earlier exported model, measured on the same held-out sentences")
    card.add_argument("--ablation", action="append", help="LABEL=RUN_DIR of an ablation run (repeatable)")
    card.add_argument("--notes", default=None, help="a Markdown file put after the training section")
    card.set_defaults(func=run_card)

    quality = commands.add_parser("quality", help="polysemy, POS-probe and sense checks of a model")
    _add_model_arguments(quality, positional=True)
    quality.add_argument("--corpus", default=None,
                         help="a corpus folder (elmo-explorer corpus build): add held-out perplexity per source")
    quality.add_argument("--against", default=None, metavar="OTHER_MODEL",
                         help="also compare the sense measures with another model's, paired over the same sentences")
    quality.add_argument("--update-card", action="store_true",
                         help="also write the senses-against-the-baseline and one-word-twice sections into the model's MODEL_CARD.md")
    quality.set_defaults(func=run_quality)

    lm = commands.add_parser("lm", help="next/previous-word predictions and surprisal of a sentence "
                             "(models with a trained softmax, such as mini)")
    lm.add_argument("text", help="the sentence (tokenized like the app does)")
    lm.add_argument("--model", default="mini", help="model name or exported model directory (default: mini)")
    lm.add_argument("--top", type=int, default=5, metavar="K", help="predictions listed per token (default: 5)")
    lm.add_argument("--json", action="store_true", help="print the predictions as one JSON object")
    lm.set_defaults(func=run_lm)

    adapt = commands.add_parser("adapt", help="continue a model's language-model training on a text file "
                                "(its own vocabulary; the best held-out weights are written to OUT)")
    adapt.add_argument("model", help="model name or exported model directory with a trained softmax (e.g. mini)")
    adapt.add_argument("text", help="plain-text file, UTF-8, one sentence or paragraph per line")
    adapt.add_argument("out", help="folder for the adapted model (new or empty)")
    budget = adapt.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, default=None, help="train this many minutes (this run)")
    budget.add_argument("--tokens", type=int, default=None,
                        help="train on this many tokens (this run; default: one pass over the training lines)")
    adapt.add_argument("--resume", action="store_true", help="continue the unfinished run for the same OUT")
    adapt.add_argument("--heldout-share", type=float, default=0.1, help="share of the lines held out (default 0.1)")
    adapt.add_argument("--batch-size", type=int, default=16, help="parallel text streams (default 16)")
    adapt.add_argument("--learning-rate", type=float, default=2e-4, help="Adam learning rate (default 2e-4)")
    adapt.add_argument("--eval-every", type=int, default=0, help="steps between held-out evaluations (0: automatic)")
    adapt.add_argument("--checkpoint-every", type=int, default=0, help="steps between checkpoints (0: --eval-every)")
    adapt.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    adapt.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    adapt.add_argument("--json", action="store_true", help="print the result as one JSON object")
    adapt.add_argument("--quiet", action="store_true", help="no progress bar, no evaluation lines")
    adapt.set_defaults(func=run_adapt)

    perplexity = commands.add_parser("perplexity", help="per-direction perplexity of a text file "
                                     "(models with a trained softmax, such as mini)")
    perplexity.add_argument("model", help="model name or exported model directory (e.g. mini)")
    perplexity.add_argument("text", help="plain-text file, UTF-8, one sentence or paragraph per line")
    perplexity.add_argument("--json", action="store_true",
                            help='print {"forward": x, "backward": y, "tokens": n, "oov_rate": r}')
    perplexity.set_defaults(func=run_perplexity)

    app = commands.add_parser("app", help="start the Streamlit app (Streamlit options pass through)",
                              usage="elmo-explorer app [-h] [STREAMLIT OPTION ...]",
                              description="Serve the app on localhost. Options of `streamlit run` pass "
                                          "through and override the app's settings, e.g. --server.port 8502 "
                                          "or --server.address 0.0.0.0 (serves the network).")
    app.set_defaults(func=run_app, streamlit_args=[], passes_unknown_args=True)

    from .bulk.cli import register as register_embed_corpus
    from .corpus.cli import register as register_corpus
    from .tasks.cli import register as register_tasks

    register_embed_corpus(commands)
    register_corpus(commands)
    register_tasks(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if not getattr(args, "passes_unknown_args", False):  # only `app` hands options on (to Streamlit)
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.streamlit_args = [*args.streamlit_args, *unknown]
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

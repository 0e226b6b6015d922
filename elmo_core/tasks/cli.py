"""
``elmo-explorer task ...``: the downstream lab from the command line.

    elmo-explorer task train [--task sentiment|pos] [--strategy feature|finetune] [--mix scalar|layer0|...]
                             [--train-size N] [--epochs N] [--config run.json] [--out result.json]
    elmo-explorer task report OUT_DIR [--tasks ...] [--strategies ...] [--mixes ...]
                              [--sentiment-sizes TRAIN DEV TEST] [--pos-sizes TRAIN DEV TEST]
    elmo-explorer task ship-heads [--model mini] [--finetune-train-size N] [--no-finetune]
                                  [--ensemble-seeds 0 1 2 3] [--ngram-weights 0 0.5 1]
                                  [--pooling bilstm|attention] [--compare-inputs static+elmo]
    elmo-explorer task mixtures rt rt+imdb-sentences rt+imdb-sentences+vader [--out table.md]
    elmo-explorer task curve pos|rt|amazon|topic|csv --sizes 50 200 814 [--strategies feature finetune
                             adapted+feature feature+finetune] [--seeds 3] [--csv FILE] --out DIR
"""
from __future__ import annotations

import argparse
from dataclasses import replace

__all__ = ["register"]

# TaskConfig fields exposed as --options of `task train` (the rest via --config).
_TRAIN_OPTIONS = ("task", "dataset", "model", "strategy", "mix", "inputs", "imdb_reviews", "pooling", "train_size", "dev_size",
                  "test_size", "epochs", "batch_size", "lr", "bilm_lr_ratio", "weight_decay", "dropout",
                  "grad_clip", "patience", "mix_l2", "seed", "device", "num_threads")


def _task_config_from_args(args: argparse.Namespace):
    from .config import TaskConfig

    base = TaskConfig.from_json(args.config) if args.config else TaskConfig()
    given = {name: getattr(args, name) for name in _TRAIN_OPTIONS if getattr(args, name) is not None}
    if args.layer_norm is not None:
        given["layer_norm"] = args.layer_norm
    return replace(base, **given)


def run_train(args: argparse.Namespace) -> int:
    from .progress import TqdmProgress
    from .train import train_task

    config = _task_config_from_args(args)
    progress = TqdmProgress(config.label(), disable=args.quiet)
    result = train_task(config, callback=progress).result
    progress.close()
    test = result.test
    print(f"{config.label()}: test accuracy {test.accuracy:.4f}, macro F1 {test.macro_f1:.4f}, "
          f"mix {[round(w, 3) for w in result.final_weights]}, gamma {result.final_gamma:.3f}, "
          f"{result.wall_seconds:.0f}s on {result.device}")
    if args.out:
        result.to_json(args.out)
        print(f"wrote {args.out}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from .config import TaskConfig
    from .report import GridConfig, run_grid, write_report

    grid = GridConfig(tasks=tuple(args.tasks), strategies=tuple(args.strategies), mixes=tuple(args.mixes),
                      inputs=tuple(args.inputs),
                      model=args.model, sentiment_sizes=tuple(args.sentiment_sizes), pos_sizes=tuple(args.pos_sizes),
                      feature_epochs=args.feature_epochs, finetune_epochs=args.finetune_epochs, seed=args.seed,
                      base=TaskConfig(device=args.device, num_threads=args.threads))
    out = write_report(run_grid(grid), args.out_dir)
    print(f"wrote {out / 'REPORT.md'}, {out / 'report.html'} and {out / 'results.json'}")
    return 0


def run_ship(args: argparse.Namespace) -> int:
    from .ship import ShipConfig, ship_heads

    ship = ShipConfig(model=args.model, dataset=args.dataset, imdb_reviews=args.imdb_reviews,
                      finetune_train_size=args.finetune_train_size, eval_imdb_reviews=args.eval_imdb_reviews,
                      with_finetune=not args.no_finetune, progress=not args.quiet,
                      ensemble_seeds=tuple(args.ensemble_seeds), ngram_weights=tuple(args.ngram_weights))
    ship.feature = replace(ship.feature, epochs=args.feature_epochs, device=args.device, num_threads=args.threads,
                           pooling=args.pooling or ship.feature.pooling)
    ship.finetune = replace(ship.finetune, epochs=args.finetune_epochs, device=args.device, num_threads=args.threads)
    if args.compare_inputs:
        ship.compare_inputs = tuple(args.compare_inputs)
    report = ship_heads(ship)
    print(f"wrote {report.heads_dir} ({report.total_mb:.1f} MB with the model) in {report.seconds / 60:.1f} min; "
          f"see {report.heads_dir / 'REPORT.md'}")
    return 0


def run_mixtures(args: argparse.Namespace) -> int:
    from .mixtures import compare_mixtures, mixtures_markdown
    from .ship import ShipConfig

    ship = ShipConfig(model=args.model, imdb_reviews=args.imdb_reviews, eval_imdb_reviews=args.eval_imdb_reviews,
                      progress=not args.quiet)
    ship.feature = replace(ship.feature, device=args.device, num_threads=args.threads)
    table = mixtures_markdown(compare_mixtures(args.datasets, ship, inputs=args.inputs, seeds=tuple(args.seeds)))
    print(table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(table + "\n")
        print(f"wrote {args.out}")
    return 0


def run_curve_command(args: argparse.Namespace) -> int:
    from .curve import CurveConfig, run_curve
    from .curve_verdicts import verdicts, write_curves

    if args.csv and args.task_name != "csv":
        raise ValueError("--csv is for the csv task: elmo-explorer task curve csv --csv FILE ...")
    config = CurveConfig(task=args.task_name, sizes=tuple(args.sizes), strategies=tuple(args.strategies),
                         seeds=args.seeds, feature_epochs=args.feature_epochs, finetune_epochs=args.finetune_epochs,
                         second_stage_epochs=args.second_stage_epochs, patience=args.patience, dev_size=args.dev_size,
                         test_size=args.test_size, adapt_tokens=args.adapt_tokens, model=args.model, csv=args.csv or "",
                         threads=args.threads, device=args.device)

    def progress(done: int, total: int, what: str) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {what}", flush=True)

    report = run_curve(config, progress=progress, log=(lambda line: None) if args.quiet else print)
    write_curves(report, args.out)
    for line in verdicts(report):
        print(f"- {line}")
    print(f"wrote {args.out}/curve.json, REPORT.md and curves.html ({report.seconds / 60:.1f} min)")
    return 0


def register(subparsers) -> None:
    """Add ``task train | report | ship-heads | mixtures | curve`` to the ``elmo-explorer`` parser."""
    from .config import MIXES, STRATEGIES
    from .data import TASKS
    from .head_networks import POOLINGS
    from .ship import ShipConfig
    from .static_inputs import INPUTS

    task = subparsers.add_parser("task", help="downstream lab: sentiment and POS heads on biLM layers")
    commands = task.add_subparsers(dest="task_command", required=True)

    train = commands.add_parser("train", help="train one head and print its test scores")
    train.add_argument("--config", default=None, help="JSON file with TaskConfig fields (options override it)")
    train.add_argument("--task", choices=TASKS, default=None)
    train.add_argument("--dataset", default=None,
                       help="rt (sentiment) or wsj/oanc (pos); sentiment sources may be joined with +, "
                            "e.g. rt+imdb-sentences+vader")
    train.add_argument("--inputs", choices=INPUTS, default=None,
                       help="token inputs: elmo (default), static (GloVe only) or static+elmo")
    train.add_argument("--imdb-reviews", dest="imdb_reviews", type=int, default=None,
                       help="IMDB reviews per split for imdb sources (0 = all)")
    train.add_argument("--model", default=None, help="model name or directory (default mini)")
    train.add_argument("--strategy", choices=STRATEGIES, default=None)
    train.add_argument("--mix", choices=MIXES, default=None)
    train.add_argument("--pooling", choices=POOLINGS, default=None)
    train.add_argument("--layer-norm", dest="layer_norm", action=argparse.BooleanOptionalAction, default=None)
    for name, kind in (("train_size", int), ("dev_size", int), ("test_size", int), ("epochs", int),
                       ("batch_size", int), ("lr", float), ("bilm_lr_ratio", float), ("weight_decay", float),
                       ("dropout", float), ("grad_clip", float), ("patience", int), ("mix_l2", float),
                       ("seed", int)):
        train.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=None)
    train.add_argument("--device", default=None, help="auto, cpu or cuda")
    train.add_argument("--threads", dest="num_threads", type=int, default=None,
                       help="torch CPU threads (default: torch's choice; 1 is faster on a busy machine)")
    train.add_argument("--out", default=None, help="write the RunResult as JSON here")
    train.add_argument("--quiet", action="store_true")
    train.set_defaults(func=run_train)

    report = commands.add_parser("report", help="run the task × strategy × mix grid and write a report")
    report.add_argument("out_dir")
    report.add_argument("--model", default="mini")
    report.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    report.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES))
    report.add_argument("--mixes", nargs="+", choices=MIXES, default=list(MIXES))
    report.add_argument("--inputs", nargs="+", choices=INPUTS, default=["elmo"],
                        help="token inputs to compare: elmo, static (GloVe only), static+elmo (default elmo)")
    report.add_argument("--sentiment-sizes", nargs=3, type=int, default=[600, 200, 300],
                        metavar=("TRAIN", "DEV", "TEST"), help="examples per split, 0 = all (default 600 200 300)")
    report.add_argument("--pos-sizes", nargs=3, type=int, default=[200, 60, 0],
                        metavar=("TRAIN", "DEV", "TEST"), help="sentences per split, 0 = all (default 200 60 0)")
    report.add_argument("--feature-epochs", type=int, default=20)
    report.add_argument("--finetune-epochs", type=int, default=2)
    report.add_argument("--seed", type=int, default=0)
    report.add_argument("--device", default="auto")
    report.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1, fastest on a busy 2-core machine; 0 = torch's choice)")
    report.set_defaults(func=run_report)

    ship = commands.add_parser("ship-heads", help="train and write the sentiment heads shipped with a model")
    ship.add_argument("--model", default="mini", help="bundled model name or model directory (default mini)")
    ship.add_argument("--dataset", default=ShipConfig.dataset,
                      help=f"training mixture, sources joined with + (default {ShipConfig.dataset}); "
                           "dev and test are the first source's")
    ship.add_argument("--imdb-reviews", type=int, default=ShipConfig.imdb_reviews,
                      help="IMDB reviews per split in the mixture (0 = all)")
    ship.add_argument("--eval-imdb-reviews", type=int, default=ShipConfig.eval_imdb_reviews,
                      help="IMDB test reviews scored (0 = all)")
    ship.add_argument("--feature-epochs", type=int, default=8)
    ship.add_argument("--finetune-epochs", type=int, default=1)
    ship.add_argument("--finetune-train-size", type=int, default=ShipConfig.finetune_train_size,
                      help="training examples for fine-tuning, 0 = the whole training mixture")
    ship.add_argument("--no-finetune", action="store_true", help="ship only the feature head")
    ship.add_argument("--pooling", choices=POOLINGS, default=None,
                      help="how the frozen-biLM heads pool their biLSTM states (default: the shipped recipe's)")
    ship.add_argument("--compare-inputs", nargs="+", choices=INPUTS, default=None,
                      help="input choices compared before the default is chosen (default: all three)")
    ship.add_argument("--ensemble-seeds", type=int, nargs="+", default=list(ShipConfig.ensemble_seeds),
                      help="the default head averages one head per seed (default %(default)s; one seed = one head)")
    ship.add_argument("--ngram-weights", type=float, nargs="+", default=list(ShipConfig.ngram_weights),
                      help="weights of the negation-marked n-gram member tried on dev (0 = none; default %(default)s)")
    ship.add_argument("--device", default="auto")
    ship.add_argument("--threads", type=int, default=1,
                      help="torch CPU threads (default 1: on a busy 2-core machine two threads can be ~10x "
                           "slower than one; 0 = torch's choice)")
    ship.add_argument("--quiet", action="store_true")
    ship.set_defaults(func=run_ship)

    mixtures = commands.add_parser("mixtures", help="train the shipped sentiment recipe on several training "
                                   "mixtures and compare them on rt dev and negation dev")
    mixtures.add_argument("datasets", nargs="+", help="training mixtures, e.g. rt rt+imdb-sentences rt+vader")
    mixtures.add_argument("--model", default="mini", help="bundled model name or model directory (default mini)")
    mixtures.add_argument("--inputs", choices=INPUTS, default="static+elmo")
    mixtures.add_argument("--imdb-reviews", type=int, default=ShipConfig.imdb_reviews,
                          help="IMDB reviews per split in a mixture (0 = all)")
    mixtures.add_argument("--eval-imdb-reviews", type=int, default=ShipConfig.eval_imdb_reviews)
    mixtures.add_argument("--seeds", type=int, nargs="+", default=[0],
                          help="train each mixture once per seed (the table gives the mean too)")
    mixtures.add_argument("--device", default="auto")
    mixtures.add_argument("--threads", type=int, default=1)
    mixtures.add_argument("--out", default=None, help="also write the Markdown table to this file")
    mixtures.add_argument("--quiet", action="store_true")
    mixtures.set_defaults(func=run_mixtures)

    from .curve import CURVE_STRATEGIES, MIN_SEEDS
    from .curve_data import CURVE_TASKS

    curve = commands.add_parser("curve", help="learning curves: one task at several training-set sizes, per strategy, "
                                "with intervals over seeds, time and peak memory")
    curve.add_argument("task_name", metavar="TASK", choices=CURVE_TASKS,
                       help=f"one of {', '.join(CURVE_TASKS)} (csv needs --csv FILE)")
    curve.add_argument("--sizes", nargs="+", type=int, required=True, help="training examples (sentences for pos)")
    curve.add_argument("--strategies", nargs="+", choices=CURVE_STRATEGIES, default=["feature", "finetune"])
    curve.add_argument("--seeds", type=int, default=MIN_SEEDS, help=f"repeats per point (at least {MIN_SEEDS})")
    curve.add_argument("--csv", default=None, help="the csv task's file: columns text,label[,split]")
    curve.add_argument("--out", required=True, help="folder for curve.json, REPORT.md and curves.html (curves of "
                       "other tasks already there are kept)")
    curve.add_argument("--feature-epochs", type=int, default=10)
    curve.add_argument("--finetune-epochs", type=int, default=2)
    curve.add_argument("--second-stage-epochs", type=int, default=1, help="fine-tuning epochs of feature+finetune")
    curve.add_argument("--patience", type=int, default=3)
    curve.add_argument("--dev-size", type=int, default=0, help="dev examples (0 = all)")
    curve.add_argument("--test-size", type=int, default=0, help="test examples (0 = all)")
    curve.add_argument("--adapt-tokens", type=int, default=30_000, help="language-model tokens of adapted+feature")
    curve.add_argument("--model", default="mini")
    curve.add_argument("--device", default="cpu")
    curve.add_argument("--threads", type=int, default=1)
    curve.add_argument("--quiet", action="store_true")
    curve.set_defaults(func=run_curve_command)

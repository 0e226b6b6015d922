"""
The ``corpus build OUT_DIR [--sources a,b] [--strict]`` command.

:func:`register` adds it to the main ``elmo-explorer`` argument parser::

    elmo-explorer corpus build ~/.cache/elmo-explorer/corpus --sources wordnet,gcide
"""
from __future__ import annotations

import argparse
from pathlib import Path

from elmo_core.corpus.sources import SOURCES

__all__ = ["register", "run_build"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``corpus`` command (with its ``build`` subcommand) to ``subparsers``."""
    corpus = subparsers.add_parser("corpus", help="build pretraining corpora")
    actions = corpus.add_subparsers(dest="corpus_command", required=True)
    build = actions.add_parser("build", help="build train/heldout/vocab files from text sources")
    build.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    build.add_argument("--sources", default=None,
                       help=f"comma-separated source names (default: all of {','.join(SOURCES)})")
    build.add_argument("--strict", action="store_true", help="fail if any source fails")
    build.add_argument("--heldout-fraction", type=float, default=0.01)
    build.add_argument("--no-progress", action="store_true", help="no progress bars")
    build.set_defaults(func=run_build)
    return corpus


def run_build(args: argparse.Namespace) -> int:
    """Run ``corpus build`` for parsed ``args``; print the statistics; return an exit code."""
    from elmo_core.corpus.build import build_corpus

    sources = [s.strip() for s in args.sources.split(",") if s.strip()] if args.sources else None
    unknown = [s for s in sources or [] if s not in SOURCES]
    if unknown:
        print(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}")
        return 2
    stats = build_corpus(args.out_dir, sources, heldout_fraction=args.heldout_fraction,
                         strict=args.strict, progress=not args.no_progress)
    print(stats.summary())
    return 1 if stats.failed and args.strict else 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m elmo_core.corpus.cli build OUT_DIR``."""
    parser = argparse.ArgumentParser(prog="elmo-explorer")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv if argv is not None else None)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main(["corpus", *__import__("sys").argv[1:]]))

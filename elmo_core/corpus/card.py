"""
Render ``CORPUS_CARD.md``: where each part of a built corpus came from and how it was filtered.
"""
from __future__ import annotations

from elmo_core.corpus.stats import CorpusStats

__all__ = ["render_card"]


def render_card(stats: CorpusStats, *, min_tokens: int, max_tokens: int) -> str:
    """Markdown text of the corpus card for ``stats``."""
    out = [
        "# Corpus card",
        "",
        f"Built {stats.date} into `{stats.out_dir}`.",
        "",
        "Rebuild with:",
        "",
        "```",
        f"elmo-explorer corpus build {stats.out_dir}"
        + (f" --sources {','.join(s.name for s in stats.sources)}" if stats.sources else ""),
        "```",
        "",
        "## Sources",
        "",
        "| source | documents | sentences | words | held out | duplicates | excluded | licence | package |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in stats.sources:
        out.append(
            f"| {s.name} | {s.documents:,} | {s.sentences:,} | {s.words:,} | {s.heldout_sentences:,} "
            f"| {s.duplicates:,} | {s.excluded:,} | {s.licence} | `{s.rebuild_hint}` |"
        )
    out += [
        f"| **total** | | **{stats.sentences:,}** | **{stats.words:,}** | {stats.heldout_sentences:,} "
        f"| {stats.duplicates:,} | {stats.excluded:,} | | |",
        "",
    ]
    if stats.failed:
        out += ["## Sources that failed (skipped)", ""]
        out += [f"- **{name}**: {' '.join(reason.split())}" for name, reason in stats.failed.items()]
        out.append("")
    too_short = sum(s.too_short for s in stats.sources)
    too_long = sum(s.too_long for s in stats.sources)
    out += [
        "## Files",
        "",
        f"- `train.txt`: {stats.train_sentences:,} sentences, {stats.train_words:,} words, "
        f"one sentence per line, tokens separated by one space, shuffled with seed {stats.seed}.",
        f"- `heldout.txt`: {stats.heldout_sentences:,} sentences, {stats.heldout_words:,} words "
        f"(a fixed {stats.heldout_fraction:.2%} chosen by a SHA-256 hash of each sentence, so the "
        "same sentence is always held out).",
        f"- `vocab.txt`: {stats.vocab_size:,} tokens with their count in `train.txt` "
        "(`token<TAB>count`, by count then token; `<S>`, `</S>`, `<UNK>` first with count 0).",
        "",
        "## Processing",
        "",
        "- Sentences and tokens come from `elmo_core.tokenizer.tokenize`, the tokenizer used at "
        "inference time.",
        f"- Sentences with fewer than {min_tokens} or more than {max_tokens} tokens are dropped "
        f"({too_short:,} too short, {too_long:,} too long).",
        f"- Exact duplicates (same token sequence) are dropped: {stats.duplicates:,}.",
    ]
    if stats.exclusion_available:
        out.append(
            f"- Sentiment evaluation sentences are kept out: {stats.excluded:,} sentences matched "
            f"the exclusion set ({stats.exclusion_set_size:,} normalised texts and their sentences; "
            "compared lower-cased after tokenization)."
        )
    else:
        out.append(f"- Sentiment exclusion set unavailable: {stats.exclusion_note}")
    out.append("")
    return "\n".join(out)

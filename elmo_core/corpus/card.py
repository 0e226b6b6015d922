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
        + (f" --sources {','.join(s.name for s in stats.sources)}" if stats.sources else "")
        + (f" --mix {','.join(f'{k}={v:g}' for k, v in stats.mixture.items())}"
           if stats.mixture else ""),
        "```",
        "",
        "## Sources",
        "",
        "Sentences and words passed the filters; *kept* is the mixture fraction of the training "
        "sentences, *train words* what the source puts in `train.txt` after it, *subsampled* the "
        "training sentences the mixture left out; *excluded* are sentiment evaluation sentences.",
        "",
        "| source | documents | sentences | words | kept | train words | held out | duplicates "
        "| excluded | subsampled | licence | package |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in stats.sources:
        out.append(
            f"| {s.name} | {s.documents:,} | {s.sentences:,} | {s.words:,} | {s.fraction:g} "
            f"| {s.train_words:,} | {s.heldout_sentences:,} | {s.duplicates:,} | {s.excluded:,} "
            f"| {s.subsampled:,} | {s.licence} | `{s.rebuild_hint}` |"
        )
    out += [
        f"| **total** | {sum(s.documents for s in stats.sources):,} "
        f"| **{sum(s.sentences for s in stats.sources):,}** "
        f"| **{sum(s.words for s in stats.sources):,}** | | **{stats.train_words:,}** "
        f"| {stats.heldout_sentences:,} | {stats.duplicates:,} | {stats.excluded:,} "
        f"| {stats.subsampled:,} | | |",
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
        "same sentence is always held out, whatever the mixture).",
        "- `heldout/SOURCE.txt`: the held-out sentences of each source, for per-source "
        "perplexity.",
        f"- `vocab.txt`: {stats.vocab_size:,} tokens with their count in `train.txt` "
        "(`token<TAB>count`, by count then token; `<S>`, `</S>`, `<UNK>` first with count 0).",
        "",
        "## Processing",
        "",
        "- Sentences and tokens come from `elmo_core.tokenizer.tokenize`, the tokenizer used at "
        "inference time.",
        f"- Sentences with fewer than {min_tokens} or more than {max_tokens} tokens are dropped "
        f"({too_short:,} too short, {too_long:,} too long).",
        f"- Exact duplicates (same token sequence) are dropped: {stats.duplicates:,}; a sentence "
        "counts for the first source that has it.",
    ]
    if stats.mixture:
        out.append(
            "- Mixture: "
            + ", ".join(f"{name} keeps {fraction:g}" for name, fraction in stats.mixture.items())
            + f" of its training sentences ({stats.subsampled:,} left out), chosen by a salted "
            "SHA-256 hash of each sentence. Held-out sentences are chosen first and never "
            "subsampled, so the held-out sets do not depend on the mixture."
        )
    if stats.exclusion_available:
        out.append(
            f"- Sentiment evaluation sentences are kept out: {stats.excluded:,} sentences matched "
            f"the exclusion set ({stats.exclusion_set_size:,} texts, the VADER Rotten Tomatoes "
            "snippets and the dev/test IMDB reviews, whole and sentence by sentence; compared "
            "lower-cased after tokenization)."
        )
        if stats.exclusion_note:
            out.append(f"- Warning: {stats.exclusion_note}")
    else:
        out.append(f"- Sentiment exclusion set unavailable: {stats.exclusion_note}")
    out.append("")
    return "\n".join(out)

"""
Templated review sentences that show what a negation does to a polar word, for training only:
"The plot is not clumsy ." (positive), "I did not find it charming ." (negative), beside the
same frames without the negation ("The plot is clumsy .", negative) and frames where a negation
word does not flip the polarity ("It could not be more charming .", positive).

The polar words are adjectives of VADER's human-rated lexicon (mean valence at least
:data:`MIN_VALENCE` in size, among GloVe's :data:`MAX_RANK` most frequent words, used mostly as
adjectives in WordNet 3.0 (:func:`~elmo_core.datasets.wordnet.lemma_sense_counts`); no
participles or comparatives) and a short list of verbs of liking written here. The frames were
written for ELMo Explorer. No sentence of the project's negation set (dev or test) is ever
produced: an exact match after tokenizing and :func:`~elmo_core.datasets.normalize.normalize_text`
is dropped (counted in :func:`negation_frames_info`).

A head trained on snippets and review sentences sees few negated negative words ("not bad",
"never boring"), and the shipped head of session 6 called 30% of the positive negation-test
sentences positive; these sentences are the measured fix (see ``reports/sentiment-mixtures.md``).

Scope frames (issue #34, :data:`SCOPE_FRAMES`): the praise of a positive sentence is often a
negated negative in a longer frame ("There is not a single wasted scene .", "I could not stop
laughing .", "You will not regret watching it ."), which the first frames never show. Each scope
frame is filled with words of both polarities in equal numbers (:data:`SCOPE_PER_LABEL` of each),
so a negator never predicts a label by itself: "Nothing in it feels forced ." is positive and
"Nothing in it feels genuine ." negative. Negators: not, never, no, nothing, none, not a single /
not one, hardly, without, cannot / could not stop, will not regret; the negated word is an
adjective, a noun (:data:`NOUNS`), a verb (:data:`VERBS`), an activity (:data:`GERUNDS`) or a
phrase (:data:`PHRASES`); negation inside a contrast ("not dull but gripping", labelled by the
word after "but") and across a clause ("I do not think the plot is clumsy ."). Frames where the
negator does not flip ("could not stop" + an activity, "No other film was so ...") are among them.

Participle and reaction frames (issue #34, second round): the negated word may be a participle
adjective (:data:`PARTICIPLES`, "Nothing in it feels forced .", "Not one minute of it is
inspired ."), rated in VADER's lexicon like the adjectives (its sign gives the polarity) but left
out of :func:`polar_adjectives`; and in "No other film this year made me laugh so much ." or "I
have never cringed so much at a film ." the negator does not flip: the reaction
(:data:`REACTIONS`) decides.

Deterministic for a given ``count`` and ``seed``; every sentence is in the ``train`` split.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..tokenizer import text_to_tokens
from .glove import load_glove
from .negation import load_negation
from .normalize import normalize_text
from .types import BINARY_LABELS, LabeledText, SentimentDataset
from .vader_lexicon import rated_words
from .wordnet import lemma_sense_counts

__all__ = ["load_negation_frames", "negation_frames_info", "polar_adjectives", "polar_participles", "scope_sentences",
           "held_out_texts", "FRAMES_COUNT", "SCOPE_PER_LABEL", "SCOPE_FRAMES", "NOUNS", "GERUNDS", "PHRASES",
           "PARTICIPLES", "REACTIONS", "MIN_VALENCE", "MAX_RANK"]

FRAMES_COUNT = 4000  # sentences made by the first frames: half of each label, half with a flipping negation
SCOPE_PER_LABEL = 50  # sentences of each label made by each scope frame (fewer where a frame has fewer)
MIN_VALENCE = 1.5
MAX_RANK = 30_000

SUBJECTS = ("The film", "This movie", "The plot", "The acting", "The script", "The ending", "The story",
            "The dialogue", "The music", "It", "The whole thing", "The direction", "The lead performance",
            "This sequel", "The first half", "The cast")

# (frame, flips): "{s}" subject, "{a}" polar adjective; flips = the sentence has the opposite polarity
ADJECTIVE_FRAMES = (
    ("{s} is {a} .", False), ("{s} was {a} .", False), ("I found it {a} .", False), ("What a {a} film .", False),
    ("{s} is really {a} .", False), ("{s} could not be more {a} .", False), ("{s} is {a} , no doubt .", False),
    ("{s} is not {a} .", True), ("{s} isn't {a} at all .", True), ("{s} was never {a} .", True),
    ("{s} is anything but {a} .", True), ("I did not find it {a} .", True), ("There is nothing {a} about it .", True),
    ("Nobody would call it {a} .", True), ("{s} is far from {a} .", True), ("{s} wasn't {a} in the least .", True),
    ("It is hardly {a} .", True), ("Not once was it {a} .", True),
)
# liking verbs (base form) -> polarity, and their frames
VERBS = {"love": 1, "enjoy": 1, "adore": 1, "like": 1, "recommend": 1, "admire": 1, "appreciate": 1,
         "hate": 0, "regret": 0, "dislike": 0, "loathe": 0, "despise": 0, "resent": 0, "mind": 0}
VERB_FRAMES = (
    ("I {v} it .", False), ("You will {v} it .", False), ("I really {v} this film .", False),
    ("I did not {v} it .", True), ("I didn't {v} a single minute of it .", True), ("You won't {v} it .", True),
    ("Nobody will {v} this movie .", True), ("I could never {v} it .", True),
)

# Evaluative nouns with their article, gerund activities and phrases (polarity 1 = positive), written here.
NOUNS = {"a mess": 0, "a disaster": 0, "a failure": 0, "a bore": 0, "a letdown": 0, "a disappointment": 0,
         "a chore": 0, "a fiasco": 0, "a flop": 0, "a dud": 0, "a mistake": 0, "a slog": 0, "a wreck": 0,
         "an embarrassment": 0, "a misfire": 0, "a travesty": 0,
         "a triumph": 1, "a delight": 1, "a joy": 1, "a treat": 1, "a gem": 1, "a masterpiece": 1, "a pleasure": 1,
         "a success": 1, "a winner": 1, "a marvel": 1, "a thrill": 1, "a knockout": 1, "a revelation": 1,
         "a wonder": 1, "a classic": 1, "a must": 1}
GERUNDS = {"laughing": 1, "smiling": 1, "grinning": 1, "cheering": 1, "giggling": 1, "clapping": 1,
           "talking about it": 1, "thinking about it": 1, "humming the tunes": 1, "quoting it": 1,
           "recommending it": 1, "rewatching it": 1,
           "yawning": 0, "cringing": 0, "wincing": 0, "groaning": 0, "sighing": 0, "fidgeting": 0,
           "checking the time": 0, "looking at the exit": 0, "rolling my eyes": 0, "complaining": 0,
           "dozing off": 0, "regretting the ticket": 0}
PHRASES = {"a waste of time": 0, "a waste of money": 0, "a chore to sit through": 0, "hard to sit through": 0,
           "a total mess": 0, "a step backwards": 0, "painful to watch": 0, "a cheap imitation": 0,
           "worth the price": 1, "worth every minute": 1, "a joy to watch": 1, "a pleasure to sit through": 1,
           "a real treat": 1, "a breath of fresh air": 1, "time well spent": 1, "worth the wait": 1}
# Participle adjectives that describe a film or a scene, all rated in VADER's lexicon (the sign of
# their mean valence is their polarity: polar_participles); 12 of each polarity, chosen here.
PARTICIPLES = ("wasted", "forced", "flawed", "strained", "distorted", "ruined", "tired", "failed", "troubled",
               "doomed", "neglected", "confused",
               "inspired", "accomplished", "sophisticated", "celebrated", "dignified", "spirited", "perfected",
               "beloved", "loved", "cherished", "admired", "talented")
# parts of a film a participle describes ("not a single {d} {x}")
PARTS = ("scene", "moment", "minute", "line", "shot", "performance", "joke", "sequence")
# reactions to a film: base form -> (past tense, polarity), written here
REACTIONS = {"laugh": ("laughed", 1), "smile": ("smiled", 1), "cheer": ("cheered", 1), "grin": ("grinned", 1),
             "giggle": ("giggled", 1), "clap": ("clapped", 1),
             "cringe": ("cringed", 0), "yawn": ("yawned", 0), "groan": ("groaned", 0), "wince": ("winced", 0),
             "sigh": ("sighed", 0), "fidget": ("fidgeted", 0)}
# what "No other ..." compares, always with a qualifier ("No other film made me laugh so much ." is never made)
OTHERS = ("film this year", "comedy in years", "movie this summer", "film of the decade", "picture I saw lately",
          "film in the festival", "sequel so far", "film in this genre")
# objects of "You will (not) {v} ..." (any verb of VERBS)
VERB_OBJECTS = ("watching it", "seeing it", "a minute of it", "buying a ticket", "giving it a chance",
                "the two hours", "this film")
# who "could not stop ..." (a gerund with "my" only after "I")
WHO = ("I", "We", "My kids", "The audience", "Everyone in the room", "My friends")

# (frame, slot, flips): slot "a" adjective, "n" noun, "v" verb of liking, "g" gerund, "p" phrase,
# "n0" a noun without its article, "ab" an adjective pair of opposite polarity ("{a}" negated, "{b}" decides), "nb" the same with nouns;
# "d" a participle (with "{x}" a part of the film), "y" a reaction ("{y}" its base form, "{yd}" its past tense,
# with "{f}" what "No other" compares);
# "{s}" a subject, "{l}" the same subject lower-cased; flips = the sentence has the opposite polarity.
SCOPE_FRAMES = (
    # not a single / not one
    ("There is not a single {a} scene in it .", "a", True), ("Not one {a} moment in the whole film .", "a", True),
    ("There is not one {a} performance in the cast .", "a", True), ("Not a single scene felt {a} .", "a", True),
    ("I did not find a single {a} moment .", "a", True), ("Not one minute of it is {a} .", "a", True),
    # never, "not even for a moment"
    ("{s} is never {a} , not even for a moment .", "a", True), ("{s} never feels {a} .", "a", True),
    ("{s} never once gets {a} .", "a", True), ("I never found it {a} , not once .", "a", True),
    # no
    ("There is no {a} moment in it .", "a", True), ("It has no {a} scenes at all .", "a", True),
    ("No scene in it is {a} .", "a", True), ("It is no {n0} .", "n0", True), ("There was no {a} line .", "a", True),
    # nothing
    ("Nothing in it feels {a} .", "a", True), ("Nothing about {l} is {a} .", "a", True),
    ("There is nothing {a} in the whole film .", "a", True), ("Nothing here is {n} .", "n", True),
    # none
    ("None of it is {a} .", "a", True), ("None of the actors are {a} .", "a", True),
    ("None of the scenes feel {a} .", "a", True),
    # hardly
    ("{s} is hardly ever {a} .", "a", True), ("There is hardly a {a} moment in it .", "a", True),
    ("It hardly ever feels {a} .", "a", True),
    # without
    ("It runs long without ever being {a} .", "a", True), ("A film without a single {a} scene .", "a", True),
    ("Two hours without one {a} minute .", "a", True), ("It gets through its story without being {a} .", "a", True),
    # not + noun / phrase / verb
    ("It is not {n} .", "n", True), ("{s} is not {n} at all .", "n", True), ("{s} is far from {n} .", "n", True),
    ("It is {n} .", "n", False), ("{s} is {n} .", "n", False), ("What {n} this is .", "n", False),
    ("It is not {p} .", "p", True), ("{s} was never {p} .", "p", True), ("Nobody would call it {p} .", "p", True),
    ("It is {p} .", "p", False), ("{s} is truly {p} .", "p", False),
    # will not regret / will not + any verb of liking
    ("You will not {v} {o} .", "v", True), ("You won't {v} {o} .", "v", True), ("Nobody will {v} {o} .", "v", True),
    ("You will {v} {o} .", "v", False), ("I do not {v} {o} .", "v", True),
    # cannot stop / could not stop: the activity decides, the negator does not flip it
    ("{w} could not stop {g} .", "g", False), ("{w} cannot stop {g} .", "g", False),
    ("{w} couldn't stop {g} .", "g", False), ("{w} kept {g} the whole time .", "g", False),
    ("Not once did I catch myself {g} .", "g", True), ("I never felt like {g} , not even for a moment .", "g", True),
    # a negator that does not flip: the praise or blame is the word's own
    ("No other film this year was so {a} .", "a", False), ("Nothing could be more {a} .", "a", False),
    ("I have never seen anything so {a} .", "a", False), ("I cannot remember a more {a} film .", "a", False),
    ("{s} is so {a} .", "a", False), ("Every scene is {a} .", "a", False),
    # not X but Y, Y , not X: the word after the contrast decides
    ("{s} is not {a} but {b} .", "ab", False), ("Not {a} , but {b} .", "ab", False),
    ("{s} is {b} , not {a} .", "ab", False), ("It is not {a} , it is {b} .", "ab", False),
    ("It is not {n} but {m} .", "nb", False),
    # across a clause
    ("I do not think {l} is {a} .", "a", True), ("Nobody I know found it {a} .", "a", True),
    ("It is not true that {l} is {a} .", "a", True), ("I would not say that {l} is {a} .", "a", True),
    ("I never thought {l} was {a} .", "a", True),
    # participles: not a single / not one / nothing / no / none / never / without, and not negated
    ("There is not a single {d} {x} in it .", "d", True), ("Not one {x} of it feels {d} .", "d", True),
    ("I did not see a single {d} {x} .", "d", True), ("Not a single {x} is {d} .", "d", True),
    ("Nothing in it feels {d} .", "d", True), ("Nothing about {l} seems {d} .", "d", True),
    ("There is no {d} {x} in the whole film .", "d", True), ("None of it feels {d} .", "d", True),
    ("{s} never feels {d} .", "d", True), ("{s} is not {d} at all .", "d", True),
    ("Two hours without a single {d} {x} .", "d", True),
    ("{s} feels {d} .", "d", False), ("There is a {d} {x} in every reel .", "d", False),
    ("Every {x} feels {d} .", "d", False), ("{s} is {d} from start to finish .", "d", False),
    # "no other" / "never ... so much": the reaction decides, the negator does not flip it
    ("No other {f} made me {y} so much .", "y", False), ("No other {f} has made me {y} this much .", "y", False),
    ("Nothing else I saw this year made me {y} so much .", "y", False),
    ("I have never {yd} so much at a film .", "y", False), ("Never have I {yd} this much in a cinema .", "y", False),
    ("It made me {y} more than any other {f} .", "y", False),
)


@lru_cache(maxsize=1)
def polar_adjectives() -> tuple[tuple[str, int], ...]:
    """(word, polarity) for every lexicon word used mainly as an adjective (see the module docstring)."""
    rank = load_glove().index
    adj, noun, verb = (lemma_sense_counts(pos) for pos in ("adj", "noun", "verb"))
    words = []
    for word, valence in rated_words():
        if not word.isalpha() or len(word) < 3 or abs(valence) < MIN_VALENCE or rank.get(word, MAX_RANK) >= MAX_RANK:
            continue
        comparative = any(word.endswith(end) and word[:-len(end)] in adj for end in ("er", "r", "est", "st"))
        if word.endswith("ed") or comparative:
            continue  # participles ("admired") and comparatives ("greater") rarely describe a film
        senses = adj.get(word, 0)
        if senses and senses >= noun.get(word, 0) and senses >= verb.get(word, 0) and word not in VERBS:
            words.append((word, int(valence > 0)))
    return tuple(sorted(words))


@lru_cache(maxsize=1)
def polar_participles() -> tuple[tuple[str, int], ...]:
    """(word, polarity) for every word of :data:`PARTICIPLES`: the sign of its VADER mean valence."""
    valence = dict(rated_words())
    missing = [w for w in PARTICIPLES if w not in valence]
    if missing:
        raise ValueError(f"participles not rated in the VADER lexicon: {', '.join(missing)}")
    return tuple(sorted((word, int(valence[word] > 0)) for word in PARTICIPLES))


def _all_sentences() -> list[tuple[str, int, bool]]:
    """Every (sentence, label, flipped) the frames make."""
    out = []
    for word, polarity in polar_adjectives():
        for frame, flips in ADJECTIVE_FRAMES:
            for subject in SUBJECTS if "{s}" in frame else ("",):
                out.append((frame.format(s=subject, a=word), polarity ^ flips, flips))
    for verb, polarity in VERBS.items():
        for frame, flips in VERB_FRAMES:
            out.append((frame.format(v=verb), polarity ^ flips, flips))
    return out


def held_out_texts() -> frozenset[str]:
    """Every sentence of the negation set (dev and test), as :func:`_key` compares them."""
    return frozenset(_key(ex.text) for ex in load_negation().examples)


def _key(text: str) -> str:
    """The form in which a made sentence is compared with the held-out ones: tokenized, joined by
    spaces and normalised (lower case, single spaces)."""
    return normalize_text(" ".join(text_to_tokens(text)))


_ARTICLE = re.compile(r"\ba (?=[aeio])")


@lru_cache(maxsize=1)
def _pools() -> dict[str, dict[int, list[str]]]:
    """The words of each slot kind by polarity, sorted: ``{"a": {0: [...], 1: [...]}, ...}``."""
    tables = {"a": dict(polar_adjectives()), "n": NOUNS, "v": VERBS, "g": GERUNDS, "p": PHRASES,
              "d": dict(polar_participles()), "y": {verb: polarity for verb, (_, polarity) in REACTIONS.items()}}
    return {slot: {polarity: sorted(w for w, p in table.items() if p == polarity) for polarity in (0, 1)}
            for slot, table in tables.items()}


def _fill(frame: str, slot: str, label: int, flips: bool, rng: np.random.Generator) -> str:
    """One sentence of ``frame`` whose label is ``label``: the deciding word has polarity
    ``label ^ flips`` (for a contrast, the word after it has ``label``, the negated one the other)."""
    pools = _pools()
    want = label ^ flips

    def pick(kind: str, polarity: int) -> str:
        options = pools[kind][polarity]
        return options[rng.integers(len(options))]

    subject = SUBJECTS[rng.integers(len(SUBJECTS))]
    lower = subject[:1].lower() + subject[1:]
    values = {"s": subject, "l": lower, "w": WHO[rng.integers(len(WHO))], "o": VERB_OBJECTS[rng.integers(len(VERB_OBJECTS))]}
    if slot == "a":
        values["a"] = pick("a", want)
    elif slot in ("n", "n0"):
        noun = pick("n", want)
        values["n"], values["n0"] = noun, noun.split(" ", 1)[1]
    elif slot == "v":
        values["v"] = pick("v", want)
    elif slot == "g":
        values["g"] = pick("g", want)
        if " my " in f" {values['g']} ":
            values["w"] = "I"
    elif slot == "p":
        values["p"] = pick("p", want)
    elif slot == "d":
        values["d"], values["x"] = pick("d", want), PARTS[rng.integers(len(PARTS))]
    elif slot == "y":
        values["y"] = pick("y", want)
        values["yd"], values["f"] = REACTIONS[values["y"]][0], OTHERS[rng.integers(len(OTHERS))]
    elif slot == "ab":
        values["a"], values["b"] = pick("a", 1 - label), pick("a", label)
    elif slot == "nb":
        values["n"], values["m"] = pick("n", 1 - label), pick("n", label)
    else:
        raise ValueError(f"unknown slot {slot!r}")
    return _ARTICLE.sub("an ", frame.format(**values))


@lru_cache(maxsize=4)
def scope_sentences(per_label: int = SCOPE_PER_LABEL, seed: int = 0) -> tuple[tuple[str, int], ...]:
    """``per_label`` sentences of each label from every frame of :data:`SCOPE_FRAMES` (fewer where
    a frame cannot make that many different ones), none of them a negation-set sentence."""
    held_out = held_out_texts()
    rng = np.random.default_rng(seed)
    made, seen = [], set()
    for frame, slot, flips in SCOPE_FRAMES:
        for label in (0, 1):
            kept = 0
            for _ in range(per_label * 4):
                text = _fill(frame, slot, label, flips, rng)
                key = _key(text)
                if key in seen or key in held_out:
                    continue
                seen.add(key)
                made.append((text, label))
                kept += 1
                if kept == per_label:
                    break
    order = rng.permutation(len(made))
    return tuple(made[i] for i in order)


@lru_cache(maxsize=4)
def _made(count: int, seed: int) -> tuple[tuple[tuple[str, int], ...], int]:
    held_out = held_out_texts()
    candidates = _all_sentences()
    kept = [c for c in candidates if _key(c[0]) not in held_out]
    dropped = len(candidates) - len(kept)
    groups = {(label, flips): [c for c in kept if c[1] == label and c[2] == flips]
              for label in (0, 1) for flips in (False, True)}
    rng = np.random.default_rng(seed)
    chosen = []
    for key in sorted(groups):
        group = groups[key]
        if not group:
            raise ValueError(f"no templated sentence with label {key[0]} and flip {key[1]}")
        take = rng.choice(len(group), size=min(count // 4, len(group)), replace=False)
        chosen += [(group[i][0], group[i][1]) for i in sorted(take)]
    order = rng.permutation(len(chosen))
    return tuple(chosen[i] for i in order), dropped


def negation_frames_info(count: int = FRAMES_COUNT, seed: int = 0) -> dict[str, int]:
    """How many adjectives and candidate sentences the first frames have, how many were dropped
    because they are negation-set sentences, how many were made, and how many scope sentences."""
    made, dropped = _made(count, seed)
    return {"adjectives": len(polar_adjectives()), "candidates": len(_all_sentences()),
            "dropped_negation_set": dropped, "made": len(made), "scope": len(scope_sentences(seed=seed))}


def load_negation_frames(count: int = FRAMES_COUNT, seed: int = 0, scope_per_label: int = SCOPE_PER_LABEL) -> SentimentDataset:
    """``count`` sentences of the first frames and ``scope_per_label`` of each label per scope
    frame (0: none) as a :class:`SentimentDataset` whose examples are all in its ``train`` split
    (see the module docstring)."""
    made, _ = _made(count, seed)
    scope = scope_sentences(scope_per_label, seed) if scope_per_label else ()
    return SentimentDataset("negation-frames", [LabeledText(text, label, "train") for text, label in made + scope],
                            BINARY_LABELS)

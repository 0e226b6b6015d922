"""
The fixed text of the Lesson's steps: the paper's claim with its number, the default input the
live widget starts from (chosen so that the step works on the bundled model), and presenter
notes. What the loaded model shows is measured by :mod:`.views`, never written here.

The paper is Peters et al. (2018), "Deep contextualized word representations", NAACL.
"""
from __future__ import annotations

from dataclasses import dataclass

#: What a step's second widget chooses besides its text.
PICK_TOKEN, PICK_WEIGHTS, PICK_NONE = "token", "weights", "none"


@dataclass(frozen=True)
class LessonStep:
    """One step. ``pick``: :data:`PICK_TOKEN` (a token of the text), :data:`PICK_WEIGHTS` (three
    layer weights) or :data:`PICK_NONE`; ``default_token``: the token chosen first."""

    key: str
    title: str
    claim: str
    paper_number: str
    notes: str
    default_text: str
    text_label: str
    pick: str = PICK_NONE
    default_token: int = 0


STEPS: tuple[LessonStep, ...] = (
    LessonStep(
        key="language-model",
        title="The biLM is a language model",
        claim="ELMo's vectors are the hidden states of two language models trained on raw text: a forward "
              "one that predicts the next word and a backward one that predicts the previous word.",
        paper_number="Forward and backward perplexity averaged 39.7 on the 1B Word Benchmark (section 3.4).",
        notes="Ask the class first: after “I saw a …”, what comes next? Then show the bars. Surprisal in bits: "
              "1 bit = a coin flip, 10 bits = one guess in 1,000. Perplexity is 2 to the mean surprisal. The "
              "paper's 39.7 is on another corpus with a far larger model: compare this model's sentence with "
              "its own held-out perplexity and with the shuffled sentence, not with the paper.",
        default_text="I saw a saw .",
        text_label="A sentence for the language model",
        pick=PICK_TOKEN, default_token=2),
    LessonStep(
        key="characters",
        title="Layer 0 reads characters, not context",
        claim="The first layer is a context-free token vector built from the word's characters: a character "
              "CNN, highway layers and a projection. Only the biLSTM layers above it see the sentence.",
        paper_number="2,048 character n-gram filters, 2 highway layers and a projection to 512 in the paper's "
                     "model (section 3.4).",
        notes="Open one stage at a time. The characters stage shows the word as the network receives it; the "
              "CNN stage which filters fire and on which letters; the LSTM stages what each direction has read "
              "so far. The key number is the cosine of the word in this sentence against the word on its own: "
              "1 at layer 0 by construction, lower above it.",
        default_text="I saw a saw .",
        text_label="A sentence",
        pick=PICK_TOKEN, default_token=1),
    LessonStep(
        key="one-sentence",
        title="Contextual layers tell senses apart",
        claim="The same word gets different vectors in different contexts, and the contextual layers place "
              "occurrences of one sense closer together than occurrences of different senses.",
        paper_number="Word sense disambiguation by nearest sense centroid: 69.0 F1 with the top layer, 67.4 "
                     "with the first (table 5).",
        notes="A raw cosine means little on its own: any two tokens of a layer score well above 0. Read the bar "
              "against the marks: repeats of one word in one sentence with one sense, and with two. Try “He "
              "saw the saw .” and “I saw him and saw her .”.",
        default_text="I saw a saw .",
        text_label="A sentence that uses one word twice"),
    LessonStep(
        key="syntax-semantics",
        title="Layer 1 syntax, layer 2 semantics?",
        claim="Lower biLSTM layers carry more syntax and higher layers more meaning: part-of-speech tagging "
              "works best from the first layer, word senses from the second.",
        paper_number="POS tagging 97.3 % from layer 1 vs 96.8 % from layer 2 (table 6); word senses 67.4 vs "
                     "69.0 F1 (table 5).",
        notes="The curated sense set splits into words whose senses differ in part of speech (saw: a verb "
              "and a noun) and words whose senses differ only in topic (bank: two nouns). A small model "
              "learns the first kind long before the second. Read the intervals before saying “better”.",
        default_text="",
        text_label=""),
    LessonStep(
        key="scalar-mix",
        title="A task learns its own mix of layers",
        claim="A downstream task does not take the top layer only: it learns softmax-normalised weights s_k "
              "and a scale γ, ELMo = γ Σ s_k h_k, and using all layers beats the top layer alone.",
        paper_number="SQuAD dev F1 84.7 with the top layer alone, 85.2 with all layers (table 2).",
        notes="Move the sliders: all weight on layer 0 makes the two “saw” identical; weight on the "
              "contextual layers pulls them apart. Then show the weights a real task learned (the shipped "
              "sentiment head) and say whether they differ from an even mix beyond noise.",
        default_text="I saw a saw .",
        text_label="A sentence that uses one word twice",
        pick=PICK_WEIGHTS),
    LessonStep(
        key="fine-tuning",
        title="Feature ensemble or fine-tuning",
        claim="ELMo is used either frozen, as features with a learned mix, or fine-tuned; fine-tuning the biLM "
              "on the task's own text first lowers its perplexity on that domain and can help the task.",
        paper_number="Perplexity on SNLI fell from 72.1 to 16.8 after one epoch of fine-tuning (appendix A.1).",
        notes="Type a text from another domain (a recipe, a tweet, code comments) and compare its perplexity "
              "with the model's held-out perplexity. Then the shipped sentiment heads: frozen features and a "
              "fine-tuned biLM, with their intervals.",
        default_text="The battery lasts two days and the screen is bright enough to read in the sun .",
        text_label="A text from your domain"),
    LessonStep(
        key="negation",
        title="Negation in sentiment",
        claim="Sentiment turns on negation and contrast, which a bag of words cannot read; contextual vectors "
              "are meant to carry the whole negated meaning of “not good”.",
        paper_number="Five-class SST: 54.7 % with ELMo vs 51.4 % for the same model without it (table 1).",
        notes="Type a negated negative (“Not a bad film at all .”), then the same without “not”. The token "
              "colours show what the head leans on. The measured line under the verdict is the head's score "
              "on the project's negation test set: say it aloud before the class trusts one example.",
        default_text="Not a bad film at all .",
        text_label="A review sentence"),
)


def step_number(key: str) -> int:
    """1-based number of the step called ``key``."""
    for number, step in enumerate(STEPS, 1):
        if step.key == key:
            return number
    raise KeyError(key)

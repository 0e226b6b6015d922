"""
The biLM training objective: a forward and a backward language model that share the character
CNN and one output softmax (as in bilm-tf), loss = mean of the two directions.

Softmax choice: an *adaptive* softmax (Grave et al., 2017; ``torch.nn.AdaptiveLogSoftmaxWithLoss``).
For a vocabulary of tens of thousands of words on a CPU, a full softmax spends most of the
step in the output layer. A sampled softmax is as cheap but its training loss is not a
normalised likelihood, so held-out perplexity needs a separate full pass. The adaptive softmax
gives a normalised distribution at every step (true perplexity for free) while the frequent
head words, which carry most tokens, cost a small matrix product and the rare tail words a
low-rank one.

GloVe mimick (optional, ``mimick_dim > 0``): a training-only linear map from the token vector
(layer 0) predicts each word's static GloVe vector; the loss is ``1 - cosine`` (or MSE). It teaches the
character CNN lexical knowledge from 6B tokens of text that a CPU-sized corpus cannot hold, and is
not exported: at inference layer 0 stays character-only and context-free.

Context bags (optional, ``context_dim > 0``): a training-only linear map per direction from the
top layer predicts the mean GloVe vector of the content words among the ``window`` tokens that
direction has already read in the same sentence (the target itself left out): the forward LM
summarises the words to the left, the backward LM the words to the right. It asks the top layer
to carry "which topical words are nearby", the bag-of-context-words feature that
:mod:`elmo_core.analysis.context_baseline` scores senses with, on top of what the LM learns.

Teacher (optional, ``teacher_dim > 0``): a training-only linear map from the top layer as the
explorer reads it (``[fw; bw]`` of whole sentences) predicts each word's vector in a sentence
encoder (:mod:`elmo_core.training.teacher`); loss ``1 - cosine``. Not exported either. Or, with
no map at all, the top layer's own pairwise cosines are asked to follow the encoder's
(:func:`similarity_loss`): what the sense measures read is the layer's raw geometry, which a
map can satisfy through directions that hardly move a cosine. Or, for groups of occurrences of
one word, the cosines between occurrences of the same word follow the encoder's
(:func:`occurrence_loss`).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..lstm import LSTMState
from ..model import ElmoModel


def mimick_loss(predicted: torch.Tensor, target: torch.Tensor, kind: str = "cosine") -> torch.Tensor:
    """Mean distance of predicted (n, D) to target (n, D) static vectors: 1 - cosine, or MSE."""
    if predicted.shape[0] == 0:
        return predicted.sum() * 0.0
    if kind == "mse":
        return nn.functional.mse_loss(predicted, target)
    return (1.0 - nn.functional.cosine_similarity(predicted, target, dim=-1)).mean()


def context_bags(ids: torch.Tensor, vectors: torch.Tensor, content: torch.Tensor, boundary: torch.Tensor,
                 window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean static vector of the content words among the ``window`` tokens before each position.

    ids (..., T): indices into the per-type tables, in reading order; vectors (n_types, D);
    content (n_types,) bool: the type counts as a context word; boundary (n_types,) bool: the type
    starts or ends a sentence (a bag never reaches past one).
    Returns bags (..., T, D) and has_bag (..., T) bool (False where no content word was in reach).
    """
    weight = content[ids].to(vectors.dtype)  # (..., T)
    words = vectors[ids] * weight.unsqueeze(-1)  # (..., T, D)
    sentence = torch.cumsum(boundary[ids].long(), dim=-1)  # (..., T)
    bags, counts = torch.zeros_like(words), torch.zeros_like(weight)
    for back in range(1, min(window, ids.shape[-1] - 1) + 1):
        same = (sentence[..., :-back] == sentence[..., back:]).to(vectors.dtype)  # (..., T - back)
        bags[..., back:, :] += words[..., :-back, :] * same.unsqueeze(-1)
        counts[..., back:] += weight[..., :-back] * same
    has_bag = counts > 0
    return bags / counts.clamp(min=1).unsqueeze(-1), has_bag


def similarity_loss(student: torch.Tensor, teacher: torch.Tensor, max_words: int = 512) -> torch.Tensor:
    """1 - Pearson correlation between the pairwise cosines of student (n, P) and teacher (n, D)
    word vectors, over all pairs of distinct words (at most ``max_words`` words, drawn at random).
    Blind to a shift or scale of the cosines, so the two models' overall levels need not match."""
    if student.shape[0] > max_words:
        pick = torch.randperm(student.shape[0], device=student.device)[:max_words]
        student, teacher = student[pick], teacher[pick]
    n = student.shape[0]
    if n < 3:
        return student.sum() * 0.0
    s = nn.functional.normalize(student, dim=-1)
    t = nn.functional.normalize(teacher, dim=-1)
    pairs = ~torch.eye(n, dtype=torch.bool, device=student.device)
    a, b = (s @ s.T)[pairs], (t @ t.T)[pairs]
    a, b = a - a.mean(), b - b.mean()
    return 1.0 - (a * b).sum() / (a.norm() * b.norm()).clamp(min=1e-8)


def occurrence_loss(student: torch.Tensor, teacher: torch.Tensor, group: int) -> torch.Tensor:
    """1 - Pearson correlation between the two models' cosines of occurrences of the same word.

    student (G * group, P) / teacher (G * group, D): G words, ``group`` consecutive occurrences each.
    Each word's pair cosines are centred on that word's mean first, so only the ranking within a
    word counts (which occurrences are alike), not how alike one word's occurrences are overall.
    """
    if student.shape[0] < group or group < 3:
        return student.sum() * 0.0
    s = nn.functional.normalize(student, dim=-1).view(-1, group, student.shape[-1])
    t = nn.functional.normalize(teacher, dim=-1).view(-1, group, teacher.shape[-1])
    upper = torch.triu_indices(group, group, offset=1, device=student.device)
    a = (s @ s.transpose(1, 2))[:, upper[0], upper[1]]  # (G, pairs)
    b = (t @ t.transpose(1, 2))[:, upper[0], upper[1]]
    a, b = a - a.mean(dim=1, keepdim=True), b - b.mean(dim=1, keepdim=True)
    return 1.0 - (a * b).sum() / (a.norm() * b.norm()).clamp(min=1e-8)


class LMOutput(NamedTuple):
    """One window's losses: mean NLL per token of each direction, the final LSTM state, and the
    auxiliary GloVe mimick, context-bag and teacher losses (0 when off)."""

    forward_nll: torch.Tensor
    backward_nll: torch.Tensor
    state: LSTMState
    mimick: torch.Tensor
    context: torch.Tensor
    teacher: torch.Tensor


class BiLanguageModel(nn.Module):
    def __init__(self, bilm: ElmoModel, vocab_size: int, cutoffs: tuple[int, ...], dropout: float,
                 mimick_dim: int = 0, mimick_kind: str = "cosine", context_dim: int = 0, teacher_dim: int = 0,
                 teacher_target: str = "vectors", teacher_group: int = 0):
        super().__init__()
        self.bilm = bilm
        self.dropout = dropout
        p = bilm.config.lstm.projection_dim
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(p, vocab_size, list(cutoffs), div_value=4.0)
        self.mimick = nn.Linear(p, mimick_dim) if mimick_dim else None  # training only, never exported
        self.mimick_kind = mimick_kind
        # Training only, never exported: one map per direction from the top layer to a context bag.
        self.context_maps = nn.ModuleList([nn.Linear(p, context_dim) for _ in range(2)]) if context_dim else None
        # Training only, never exported: the top layer [fw; bw] to a sentence encoder's word vector.
        self.teacher_target, self.teacher_group = teacher_target, teacher_group
        self.teacher_unmapped = teacher_target in ("similarities", "occurrences")  # the loss needs no map
        self.teacher_map = nn.Linear(2 * p, teacher_dim) if teacher_dim and not self.teacher_unmapped else None

    def token_mimick_loss(self, token_vectors: torch.Tensor, static: torch.Tensor,
                          has_static: torch.Tensor) -> torch.Tensor:
        """token_vectors (n, P), static (n, D), has_static (n,) bool -> scalar mimick loss."""
        return mimick_loss(self.mimick(token_vectors[has_static]), static[has_static], self.mimick_kind)

    def forward(self, type_chars: torch.Tensor, forward_ids: torch.Tensor, backward_ids: torch.Tensor,
                forward_targets: torch.Tensor, backward_targets: torch.Tensor,
                state: LSTMState, static: torch.Tensor | None = None, has_static: torch.Tensor | None = None,
                bags: torch.Tensor | None = None, has_bag: torch.Tensor | None = None,
                teacher_chars: torch.Tensor | None = None, teacher_vectors: torch.Tensor | None = None,
                has_teacher: torch.Tensor | None = None) -> LMOutput:
        """One window of both directions.

        type_chars (n_types, max_chars): char ids of the distinct types in this window.
        forward_ids / backward_ids (batch, time): indices into type_chars (reading order).
        *_targets (batch, time): output-vocabulary ids of the next token in each direction.
        static (n_types, D) / has_static (n_types,): GloVe vectors of the types, for the mimick loss.
        bags (2, batch, time, D) / has_bag (2, batch, time): context bags of both directions
        (:func:`context_bags`), for the context-bag loss.
        teacher_chars (sentences, words, max_chars) / teacher_vectors (n_words, D) / has_teacher
        (n_words,) bool: whole sentences and their words' encoder targets (in row-major order of the
        unpadded words), for the teacher loss; they start from the first rows of ``state``
        (mid-text, like warm inference).
        """
        token_vectors = self.bilm.char_cnn(type_chars.unsqueeze(0))[0]  # (n_types, P): each type once
        aux = token_vectors.new_zeros(())
        if self.mimick is not None and static is not None:
            aux = self.token_mimick_loss(token_vectors, static, has_static)
        inputs = torch.stack([token_vectors[forward_ids], token_vectors[backward_ids]])  # (2, B, T, P)
        mask = torch.ones(forward_ids.shape, dtype=torch.bool, device=forward_ids.device)
        outputs, final = self.bilm.lstm.forward_directions(inputs, mask, state, dropout=self.dropout)
        top = nn.functional.dropout(outputs[-1], self.dropout, self.training)  # (2, B, T, P)
        # Both directions in one softmax call (one set of cluster gathers instead of two).
        hidden = top.reshape(-1, top.shape[-1]).float()  # (2 * B * T, P)
        targets = torch.stack([forward_targets, backward_targets]).reshape(-1)
        nll = -self.softmax(hidden, targets).output.view(2, -1).mean(dim=1)  # (2,)
        context = top.new_zeros(())
        if self.context_maps is not None and bags is not None:
            predicted = torch.stack([m(outputs[-1][d]) for d, m in enumerate(self.context_maps)])  # (2, B, T, D)
            context = mimick_loss(predicted[has_bag], bags[has_bag], "cosine")
        teacher = top.new_zeros(())
        if (self.teacher_map is not None or self.teacher_unmapped) and teacher_chars is not None:
            rows = teacher_chars.shape[0]
            start = LSTMState(state.cell[:, :, :rows].detach(), state.hidden[:, :, :rows].detach())
            sentences = self.bilm(teacher_chars, start)
            top_words = sentences.layers[-1][sentences.mask][has_teacher]  # (n_taught, 2P)
            if self.teacher_target == "occurrences":
                teacher = occurrence_loss(top_words, teacher_vectors[has_teacher], self.teacher_group)
            elif self.teacher_target == "similarities":
                teacher = similarity_loss(top_words, teacher_vectors[has_teacher])
            else:
                teacher = mimick_loss(self.teacher_map(top_words), teacher_vectors[has_teacher], "cosine")
        return LMOutput(nll[0], nll[1], final, aux, context, teacher)

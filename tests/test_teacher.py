"""The teacher objective: all-MiniLM-L6-v2's word vectors (the real encoder, offline) as a
training-only target for the biLM's top layer, which never reaches the exported model."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from elmo_core.chars import batch_to_ids
from elmo_core.config import ConfigError
from elmo_core.training.teacher import (OccurrenceBatcher, TeacherBatcher, TeacherSet, build_teacher_set,
                                        compact_occurrence_set, content_word_rows, occurrence_cosine_spread,
                                        sample_sentences)
from elmo_core.training.trainer import Trainer

from test_glove_mimick import exported_dataset_names
from test_training import _config, corpus  # noqa: F401  (the tiny corpus fixture)

SENTENCES = ["I sat on the river bank and watched the water .",
             "She paid the cheque into her account at the bank .",
             "He cut the plank with a saw .", "I saw a saw .",
             "The bank raised its interest rates .", "Fish swam near the muddy bank of the stream .",
             "a b", "this sentence has far too many words to be sampled " * 6]


@pytest.fixture(scope="module")
def teacher_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teacher")
    source = folder / "sentences.in"
    source.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    info = build_teacher_set(source, folder / "set", count=100, progress=False)
    return folder / "set", info


def _cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_sampling_keeps_sentences_of_five_to_forty_words(tmp_path):
    source = tmp_path / "text"
    source.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    sampled = sample_sentences(source, count=100, seed=1)
    assert len(sampled) == 6 and all(5 <= len(s) <= 40 for s in sampled)
    assert len(sample_sentences(source, count=3, seed=1)) == 3


def test_teacher_set_has_one_encoder_vector_per_word(teacher_dir):
    folder, info = teacher_dir
    teacher = TeacherSet.load(folder)
    assert info["sentences"] == len(teacher) == 6 and info["dim"] == teacher.dim == 384
    assert teacher.vectors.shape[0] == sum(len(s) for s in teacher.sentences) == info["words"]
    assert json.loads((folder / "teacher.json").read_text())["layer"] == 6
    by_text = {" ".join(s): i for i, s in enumerate(teacher.sentences)}

    def word(sentence: str, target: str, nth: int = 0) -> np.ndarray:
        words = sentence.split()
        position = [k for k, w in enumerate(words) if w == target][nth]
        return teacher.vectors[teacher.offsets[by_text[sentence]] + position].astype(np.float32)

    river, money = word(SENTENCES[0], "bank"), word(SENTENCES[1], "bank")
    stream, rates = word(SENTENCES[5], "bank"), word(SENTENCES[4], "bank")
    # The real encoder tells the senses apart: each "bank" is nearer its own sense.
    assert _cosine(river, stream) > _cosine(river, rates)
    assert _cosine(money, rates) > _cosine(money, stream)
    sentences, vectors, has_target = teacher.batch([by_text[SENTENCES[3]]])
    assert sentences == [SENTENCES[3].split()] and vectors.shape == (5, 384) and vectors.dtype == torch.float32
    assert has_target.all()
    assert _cosine(vectors[1], vectors[3]) < 0.9  # the two "saw" of "I saw a saw ." differ


def test_residual_targets_are_what_the_context_adds(teacher_dir):
    plain = TeacherSet.load(teacher_dir[0])
    residual = plain.with_residuals()
    everything = list(range(len(plain)))
    sentences, vectors, _ = plain.batch(everything)
    _, residuals, has_target = residual.batch(everything)
    words = [w.lower() for s in sentences for w in s]
    banks = [k for k, w in enumerate(words) if w == "bank"]
    assert len(banks) == 4 and has_target[banks].all()
    # A word's residuals over its occurrences sum to zero, and each is its vector minus their mean.
    torch.testing.assert_close(residuals[banks].sum(0), torch.zeros(384), atol=1e-3, rtol=0)
    torch.testing.assert_close(residuals[banks[0]], vectors[banks[0]] - vectors[banks].mean(0), atol=1e-4, rtol=0)
    once = words.index("plank")
    assert not has_target[once]  # a word seen once has no context-only target
    the = [k for k, w in enumerate(words) if w == "the"]  # "The" and "the" are one word for the encoder
    assert has_target[the].all() and any(sentences[k][0] == "The" for k in range(len(sentences)))


def test_teacher_batches_cycle_through_every_sentence(teacher_dir):
    batcher = TeacherBatcher(TeacherSet.load(teacher_dir[0]), batch_size=4, seed=3)
    first = [tuple(map(tuple, batcher.next_batch()[0])) for _ in range(2)]
    assert batcher.position == 2  # the second batch ran on over the end into the start
    assert len(set(first[0]) | set(first[1])) == 6


def test_occurrence_batches_are_groups_of_one_word_in_distinct_sentences(teacher_dir):
    teacher = TeacherSet.load(teacher_dir[0])
    batcher = OccurrenceBatcher(teacher, batch_size=3, group=3, seed=5)
    assert batcher.words == ["bank"]  # the only content word in 3 sentences or more ("the" is a stop word)
    by_text = {" ".join(s): i for i, s in enumerate(teacher.sentences)}
    batches = []
    for _ in range(4):
        sentences, targets, has_target = batcher.next_batch()
        batches.append(sentences)
        assert len(sentences) == 3 and len({" ".join(s) for s in sentences}) == 3
        assert targets.shape == (sum(map(len, sentences)), 384) and int(has_target.sum()) == 3
        words = [w for s in sentences for w in s]
        taught = np.nonzero(has_target.numpy())[0]
        assert [words[k].lower() for k in taught] == ["bank"] * 3
        assert not targets[~has_target].any()
        starts = np.cumsum([0] + [len(s) for s in sentences])
        for row, k in zip(range(3), taught):  # each target is the set's vector of that very word
            expected = teacher.vectors[teacher.offsets[by_text[" ".join(sentences[row])]] + k - starts[row]]
            torch.testing.assert_close(targets[k], torch.from_numpy(expected.astype(np.float32)))
    assert batcher.position == 4 and len({tuple(map(tuple, b)) for b in batches}) > 1  # draws differ
    batcher.position = 2  # as after a resume: the same batches again
    assert batcher.next_batch()[0] == batches[2]
    with pytest.raises(ValueError, match="multiple of the group"):
        OccurrenceBatcher(teacher, batch_size=4, group=3, seed=5)
    with pytest.raises(ValueError, match="0 content words of the teacher set are in 5 sentences"):
        OccurrenceBatcher(teacher, batch_size=5, group=5, seed=5)
    with pytest.raises(ValueError, match="a batch needs 2"):  # only "bank" is in 3 sentences
        OccurrenceBatcher(teacher, batch_size=6, group=3, seed=5)


def test_occurrence_word_share_keeps_the_words_whose_encoder_cosines_vary_most(teacher_dir):
    teacher = TeacherSet.load(teacher_dir[0])
    rows = content_word_rows(teacher)
    # "bank" in its river and money senses, over its four sentences, and over two of them.
    spread = occurrence_cosine_spread(teacher, [rows["bank"], rows["bank"][:2]])
    cosines = _bank_cosines(teacher, [teacher.sentences[i] for i in range(len(teacher))
                                      if "bank" in [w.lower() for w in teacher.sentences[i]]])
    assert spread[0] == pytest.approx(cosines[np.triu_indices(4, 1)].std(), abs=1e-6) and spread[0] > 0.01
    assert spread[1] == 0.0  # one pair of occurrences: nothing varies
    # Three more sentences whose "plank" has one and the same encoder vector: a word whose
    # occurrences all look alike, which half the words leaves out.
    plank = teacher.vectors_at(rows["plank"])[0]
    alike = [["A", "plank", "."]] * 3
    grown = TeacherSet(teacher.sentences + alike,
                       np.concatenate([teacher.offsets, teacher.offsets[-1] + 3 * np.arange(1, 4)]),
                       np.concatenate([teacher.vectors, np.tile(plank, (9, 1))]), teacher.info)
    assert OccurrenceBatcher(grown, batch_size=3, group=3, seed=5).words == ["bank", "plank"]
    assert OccurrenceBatcher(grown, batch_size=3, group=3, seed=5, word_share=0.5).words == ["bank"]
    with pytest.raises(ValueError, match="word_share must be in"):
        OccurrenceBatcher(teacher, batch_size=3, group=3, seed=5, word_share=0.0)


def test_occurrence_word_share_is_checked_in_the_config(tmp_path):
    with pytest.raises(ConfigError, match="teacher_word_share must be in"):
        _config(tmp_path, tmp_path / "run", teacher_word_share=1.5)


def _bank_cosines(teacher: TeacherSet, sentences: list[list[str]]) -> np.ndarray:
    """Cosines between the "bank" vectors of these sentences of the set, (n, n)."""
    by_text = {" ".join(s): i for i, s in enumerate(teacher.sentences)}
    rows = [teacher.offsets[by_text[" ".join(s)]] + [w.lower() for w in s].index("bank") for s in sentences]
    unit = teacher.vectors_at(np.array(rows)).astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    return unit @ unit.T


def test_compact_occurrence_set_keeps_each_words_cosines(teacher_dir, tmp_path):
    full = TeacherSet.load(teacher_dir[0])
    info = compact_occurrence_set(full, tmp_path / "all", group=3, per_word=4)
    compact = TeacherSet.load(tmp_path / "all")
    # Only the 4 sentences with "bank" (the one content word in 3 or more), one 4-wide vector each.
    assert info["compact"]["content_words"] == 1 and info["compact"]["occurrences"] == 4
    assert len(compact) == 4 and compact.dim == 4 and compact.vectors.shape == (4, 4)
    assert all("bank" in [w.lower() for w in s] for s in compact.sentences)
    np.testing.assert_allclose(_bank_cosines(compact, compact.sentences),
                               _bank_cosines(full, compact.sentences), atol=2e-3)
    batcher = OccurrenceBatcher(compact, batch_size=3, group=3, seed=5)
    assert batcher.words == ["bank"]
    sentences, targets, has_target = batcher.next_batch()
    assert targets.shape == (sum(map(len, sentences)), 4) and int(has_target.sum()) == 3
    taught = targets[has_target].double()
    taught /= taught.norm(dim=1, keepdim=True)
    np.testing.assert_allclose((taught @ taught.T).numpy(), _bank_cosines(full, sentences), atol=2e-3)
    capped = compact_occurrence_set(full, tmp_path / "capped", group=3, per_word=3, seed=1)
    assert capped["compact"]["occurrences"] == len(TeacherSet.load(tmp_path / "capped")) == 3
    with pytest.raises(ValueError, match="no vector for some"):
        compact.vectors_at(np.array([compact.taught[0] + 1]))
    with pytest.raises(ValueError, match="compact set"):
        compact.batch([0])
    with pytest.raises(ValueError, match="compact set"):
        compact.with_residuals()
    with pytest.raises(ValueError, match=r"group \(3\) <= per_word \(2\)"):
        compact_occurrence_set(full, tmp_path / "bad", group=3, per_word=2)
    (tmp_path / "all" / "taught.npy").unlink()
    with pytest.raises(ValueError, match="inconsistent"):  # a compact set without its rows
        TeacherSet.load(tmp_path / "all")


def test_trainer_reads_a_compact_set_for_occurrences_only(corpus, teacher_dir, tmp_path):  # noqa: F811
    from elmo_core.cli import main

    assert main(["teacher", "compact", str(teacher_dir[0]), str(tmp_path / "set"), "--group", "3"]) == 0
    config = _config(corpus, tmp_path / "run", teacher_weight=1.0, teacher_dir=str(tmp_path / "set"),
                     teacher_batch=3, teacher_group=3, teacher_target="occurrences")
    trainer = Trainer(config, log=lambda *a: None)
    for _ in range(3):
        trainer.train_step()
        assert 0 < trainer.last_teacher <= 2
    for target in ("vectors", "residuals", "similarities"):
        with pytest.raises(ValueError, match="compact set"):
            Trainer(_config(corpus, tmp_path / target, teacher_weight=1.0, teacher_dir=str(tmp_path / "set"),
                            teacher_batch=2, teacher_target=target), log=lambda *a: None)


def test_broken_or_missing_teacher_sets_are_clear_errors(teacher_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match="teacher build"):
        TeacherSet.load(tmp_path / "nothing")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("teacher.json", "sentences.txt", "vectors.npy"):
        (broken / name).write_bytes((teacher_dir[0] / name).read_bytes())
    np.save(broken / "offsets.npy", np.array([0, 3], dtype=np.int64))
    with pytest.raises(ValueError, match="inconsistent"):
        TeacherSet.load(broken)


def test_teacher_config_is_checked(corpus, tmp_path):  # noqa: F811
    with pytest.raises(ConfigError, match="teacher_dir"):
        _config(corpus, tmp_path, teacher_weight=1.0)
    with pytest.raises(ConfigError, match="teacher_batch"):
        _config(corpus, tmp_path, teacher_weight=1.0, teacher_dir="x", teacher_batch=5)
    with pytest.raises(ConfigError, match="teacher_group"):
        _config(corpus, tmp_path, teacher_weight=1.0, teacher_dir="x", teacher_batch=4,
                teacher_target="occurrences", teacher_group=3)


def _window(trainer: Trainer):
    from elmo_core.training.trainer import _step_tensors

    forward, backward, _ = trainer.batcher.next_window()
    return _step_tensors(forward, backward, trainer.train_text, trainer.device)[0]


@pytest.mark.parametrize("target", ["vectors", "residuals", "similarities", "occurrences"])
def test_teacher_objective_learns_resumes_and_stays_out_of_the_export(corpus, teacher_dir, tmp_path,  # noqa: F811
                                                                     target):
    config = _config(corpus, tmp_path / "run", teacher_weight=1.0, teacher_dir=str(teacher_dir[0]),
                     teacher_batch=3 if target == "occurrences" else 2, teacher_group=3,
                     max_tokens=4 * 8 * 60, teacher_target=target)
    trainer = Trainer(config, log=lambda *a: None)
    assert (trainer.lm.teacher_map is None) == (target in ("similarities", "occurrences"))
    losses = []
    while trainer.step < 60:
        trainer.train_step()
        losses.append(trainer.last_teacher)
    assert 0 < np.mean(losses[-10:]) < 0.8 * np.mean(losses[:10])
    # The loss reaches the biLM itself (both LSTM layers and the character CNN), not just the map.
    sentences, vectors, has_target = trainer.teacher.next_batch()
    trainer.lm.zero_grad()
    state = trainer.lm.bilm.lstm.zero_state(config.batch_size)
    out = trainer.lm(*_window(trainer), state, teacher_chars=batch_to_ids(sentences), teacher_vectors=vectors,
                     has_teacher=has_target)
    out.teacher.backward()
    for name, param in trainer.lm.bilm.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    trainer.save_checkpoint()
    again = Trainer(config, log=lambda *a: None)
    assert again.resume() and again.teacher.position == trainer.teacher.position
    for mine, theirs in zip(again.lm.parameters(), trainer.lm.parameters()):
        torch.testing.assert_close(mine, theirs)
    names = exported_dataset_names(trainer, tmp_path / "model")
    assert names and not any("teacher" in name for name in names)


def test_similarity_loss_compares_geometry_not_coordinates():
    from elmo_core.training.lm import similarity_loss

    torch.manual_seed(0)
    words = torch.randn(40, 16)
    rotation, _ = torch.linalg.qr(torch.randn(16, 16))
    # Same pairwise cosines in other coordinates (rotated, scaled, wider): no loss.
    wider = torch.cat([3.0 * words @ rotation, torch.zeros(40, 8)], dim=1)
    assert similarity_loss(words, wider).item() == pytest.approx(0.0, abs=1e-5)
    unrelated = similarity_loss(words, torch.randn(40, 16)).item()
    assert 0.5 < unrelated < 1.5  # about 1 for unrelated geometry
    assert similarity_loss(words[:2], words[:2]).item() == 0.0  # too few words for a correlation
    student = words.clone().requires_grad_(True)
    similarity_loss(student, wider + 0.5 * torch.randn(40, 24)).backward()
    assert student.grad.abs().sum() > 0


def test_occurrence_loss_ranks_within_each_word():
    from elmo_core.training.lm import occurrence_loss

    torch.manual_seed(0)
    words = torch.randn(5 * 6, 16)  # 5 words, 6 occurrences each
    rotation, _ = torch.linalg.qr(torch.randn(16, 16))
    assert occurrence_loss(words, 2.0 * words @ rotation, group=6).item() == pytest.approx(0.0, abs=1e-5)
    assert 0.5 < occurrence_loss(words, torch.randn(30, 16), group=6).item() < 1.5
    # Only pairs of the same word count: shuffling whole words leaves the loss; mixing them does not.
    order = torch.arange(30).view(5, 6)[torch.tensor([3, 0, 4, 1, 2])].reshape(-1)
    teacher = words + 0.7 * torch.randn(30, 16)
    assert occurrence_loss(words[order], teacher[order], 6).item() == pytest.approx(
        occurrence_loss(words, teacher, 6).item(), abs=1e-5)
    mixed = torch.randperm(30)
    assert occurrence_loss(words[mixed], teacher, 6).item() > occurrence_loss(words, teacher, 6).item() + 0.3
    assert occurrence_loss(words[:6], words[:6], group=2).item() == 0.0  # one pair a word: nothing to rank
    student = words.clone().requires_grad_(True)
    occurrence_loss(student, teacher, 6).backward()
    assert student.grad.abs().sum() > 0


def test_teacher_build_command_writes_a_set_and_refuses_a_missing_corpus(tmp_path, capsys):
    from elmo_core.cli import main

    assert main(["teacher", "build", str(tmp_path / "nowhere"), str(tmp_path / "out")]) == 2
    assert "no corpus text" in capsys.readouterr().err
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "train.txt").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    assert main(["teacher", "build", str(corpus), str(tmp_path / "out"), "--sentences", "3", "--layer", "4"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["sentences"] == len(TeacherSet.load(tmp_path / "out")) == 3 and info["layer"] == 4

"""embed-corpus with the local engine: plans, bad lines, shards, resume, inputs, reader, CLI.

Real sentences (Debian's fortunes) through the real bundled ``mini``; every vector is checked
against ``BiLM.embed`` of the same sentence.
"""
from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bulk_helpers import fortune_sentences, read_corpus, sentences_by_id, write_lines

from elmo_core.bulk import CorpusError, CorpusJobConfig, CorpusReader, embed_corpus
from elmo_core.bulk.faults import FaultPlan, InjectedFault
from elmo_core.bulk.inputs import RecordCounts, clean_record, read_records, resolve_input
from elmo_core.bulk.manifest import FORMAT, ManifestMismatch, read_manifest
from elmo_core.bulk.plan import plan_shards
from elmo_core.bulk.shards import shard_complete, shard_paths
from elmo_core.cli import main, read_lines
from elmo_core.tokenizer import tokenize

TOL = 1e-5


def job(tmp_path, source, name="out", **options) -> CorpusJobConfig:
    options.setdefault("shard_size", 40)
    return CorpusJobConfig(str(source), tmp_path / name, progress=False, **options)


@pytest.fixture(scope="module")
def sentences():
    return fortune_sentences(150)


@pytest.fixture(scope="module")
def reference(mini, sentences):
    """Each sentence embedded alone by the bundled model: (layers, n, dim) float32."""
    return mini.embed(sentences)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sentences):
    """150 sentences embedded by the local engine (40 per shard: 4 shards)."""
    tmp = tmp_path_factory.mktemp("bulk")
    source = write_lines(tmp / "in.txt", sentences)
    result = embed_corpus(job(tmp, source))
    return tmp, source, result


# ------------------------------------------------------------------------ plan and records
def test_plan_cuts_ids_into_fixed_ranges_across_files_and_reads_every_line_once(tmp_path, sentences):
    a = write_lines(tmp_path / "a.txt", sentences[:53], newline="\r\n")
    b = tmp_path / "b.txt"
    b.write_bytes(b"\xef\xbb\xbf" + "\n".join(" ".join(s) for s in sentences[53:97]).encode())  # BOM, no final newline
    c = write_lines(tmp_path / "c.txt", sentences[97:])
    plan = plan_shards(resolve_input(str(tmp_path / "*.txt")), shard_size=25)
    assert plan.records == len(sentences)
    assert [(s.first_id, s.count) for s in plan.shards] == [(k * 25, min(25, 150 - k * 25)) for k in range(6)]
    assert len(plan.shards[2].segments) == 2  # ids 50..74 span a.txt and b.txt
    expected = read_lines(a) + read_lines(b) + read_lines(c)
    got = [(i, raw.decode("utf-8")) for spec in plan.shards for i, raw in read_records(spec)]
    assert got == list(enumerate(expected))


def test_plan_fingerprint_changes_with_the_input(tmp_path, sentences):
    source = write_lines(tmp_path / "in.txt", sentences[:30])
    before = plan_shards(resolve_input(source), 10).fingerprint
    write_lines(source, sentences[:29] + [["A", "changed", "line", "."]])
    assert plan_shards(resolve_input(source), 10).fingerprint != before


def test_bad_records_are_skipped_or_cut_and_counted():
    counts = RecordCounts()
    long_line = " ".join(f"w{i}" for i in range(5000)).encode()
    outcomes = [clean_record(raw, "lines", 400, counts) for raw in (
        b"", b"   \t ", long_line, b"\x00\x01\x02\x03garbage\x04\x05", b"caf\xe9 au lait", b"\xff\xfe\xfa" * 20,
        "x" * 2_000_000, None, b"A good line .", b"Tabs\tare\tfine .")]
    assert outcomes[0] is outcomes[1] is None
    assert len(outcomes[2]) == 400 and outcomes[2][:2] == ["w0", "w1"]
    assert outcomes[3] is outcomes[4] is outcomes[5] is outcomes[6] is outcomes[7] is None
    assert outcomes[8] == ["A", "good", "line", "."] and outcomes[9] == ["Tabs", "are", "fine", "."]
    assert counts.skipped == {"empty": 3, "too_long": 1, "invalid_utf8": 2, "binary": 1}
    assert (counts.records, counts.sentences, counts.cut, counts.cut_tokens) == (10, 3, 1, 4600)
    assert counts.tokens == 400 + 4 + 4


# ------------------------------------------------------------------------ the local engine
def test_local_engine_writes_every_sentence_once_with_the_models_vectors(corpus, sentences, reference):
    tmp, _, result = corpus
    assert (result.shards, result.written, result.skipped) == (4, 4, 0)
    assert result.sentences == 150 and result.tokens == sum(map(len, sentences))
    stored = read_corpus(tmp / "out")
    by_id = sentences_by_id(stored)
    assert sorted(by_id) == list(range(150))
    assert all(by_id[i] == sentences[i] for i in range(150))
    expected = np.concatenate([v.transpose(1, 0, 2) for v in reference])  # (tokens, layers, dim)
    assert stored["vector"].shape == expected.shape == (result.tokens, 3, 256)
    assert np.abs(stored["vector"] - expected).max() <= TOL


def test_manifest_records_model_options_counts_and_speed(corpus, mini):
    tmp, _, result = corpus
    manifest = read_manifest(tmp / "out")
    assert manifest["status"] == "complete"
    assert manifest["model"]["name"] == "mini" and len(manifest["model"]["weights_sha256"]) == 64
    assert manifest["vectors"] == {"layout": "one row per token", "layers": ["layer 0", "layer 1", "layer 2"],
                                   "shape": [3, 256], "dtype": "float32"}
    assert manifest["counts"]["sentences"] == 150 and manifest["counts"]["tokens"] == result.tokens
    assert manifest["input"]["shards"] == 4 and manifest["tokens_per_s"] > 0
    assert "tokens/s" in result.summary_line() and "150 sentences" in result.summary_line()


def test_top_layer_in_float16_and_the_average(tmp_path, sentences, reference):
    source = write_lines(tmp_path / "in.txt", sentences[:30])
    embed_corpus(job(tmp_path, source, "top", layers="top", dtype="float16"))
    embed_corpus(job(tmp_path, source, "avg", layers="average"))
    top, average = read_corpus(tmp_path / "top"), read_corpus(tmp_path / "avg")
    expected = np.concatenate([v.transpose(1, 0, 2) for v in reference[:30]])
    assert pq.read_schema(shard_paths(tmp_path / "top", 0)["vectors"]).field("vector").type.value_type == pa.float16()
    assert top["vector"].shape == (len(expected), 1, 256)
    assert np.abs(top["vector"][:, 0] - expected[:, -1]).max() <= 2e-3 * max(1.0, np.abs(expected).max())
    assert np.abs(average["vector"][:, 0] - expected.mean(axis=1)).max() <= TOL


# ------------------------------------------------------------------------ resume
def test_rerun_skips_complete_shards_and_redoes_broken_ones(tmp_path, sentences):
    source = write_lines(tmp_path / "in.txt", sentences)
    embed_corpus(job(tmp_path, source))
    before = read_corpus(tmp_path / "out")
    out = tmp_path / "out"
    shard_paths(out, 1)["sidecar"].unlink()                       # killed before its sidecar
    vectors = shard_paths(out, 2)["vectors"]
    vectors.write_bytes(vectors.read_bytes()[:-100])              # a truncated file
    (out / "shards" / ".shard-000003.parquet.123-abc.tmp").write_bytes(b"half")  # a dead writer's leftover
    result = embed_corpus(job(tmp_path, source))
    assert (result.written, result.skipped) == (2, 2)
    after = read_corpus(out)
    assert np.array_equal(after["sentence_id"], before["sentence_id"])
    assert np.abs(after["vector"] - before["vector"]).max() <= TOL
    assert embed_corpus(job(tmp_path, source)).written == 0


def test_an_interrupted_run_leaves_no_shard_that_looks_complete(tmp_path, sentences):
    source = write_lines(tmp_path / "in.txt", sentences)
    marker = tmp_path / "fault"
    config = job(tmp_path, source, shard_size=40, chunk_tokens=200, fault=FaultPlan(1, "raise", str(marker)))
    with pytest.raises(InjectedFault):
        embed_corpus(config)
    out = tmp_path / "out"
    plan = plan_shards(resolve_input(source), 40)
    assert read_manifest(out)["status"] == "running"
    assert shard_complete(out, plan.shards[0]) is not None
    assert shard_complete(out, plan.shards[1]) is None and not shard_paths(out, 1)["vectors"].exists()
    with pytest.raises(CorpusError, match="not complete"):
        CorpusReader(out)
    result = embed_corpus(config)  # the marker exists now: the shard goes through
    assert (result.written, result.skipped) == (3, 1)
    assert sorted(sentences_by_id(read_corpus(out))) == list(range(150))


def test_rerun_with_other_settings_is_refused(corpus):
    tmp, source, _ = corpus
    with pytest.raises(ManifestMismatch, match="layers"):
        embed_corpus(job(tmp, source, layers="top"))
    with pytest.raises(ManifestMismatch, match="shard_size"):
        embed_corpus(job(tmp, source, shard_size=50))


# ------------------------------------------------------------------------ other inputs
def test_bad_lines_in_a_file_are_counted_in_the_manifest(tmp_path, sentences):
    good = [" ".join(s).encode() for s in sentences[:6]]
    lines = [good[0], b"", good[1], " ".join(["word"] * 5000).encode(), good[2], b"\x00\x13\x02\xff\x00binary",
             b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", good[3], b"na\xefve caf\xe9", good[4], b"   ", good[5]]
    source = tmp_path / "bad.txt"
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = embed_corpus(job(tmp_path, source, shard_size=5))
    counts = read_manifest(tmp_path / "out")["counts"]
    # the PNG header holds two "\n": three lines (invalid UTF-8, a control character, NULs)
    assert counts["skipped"] == {"empty": 2, "too_long": 0, "invalid_utf8": 3, "binary": 2}
    assert (counts["cut"], counts["cut_tokens"], counts["sentences"], counts["records"]) == (1, 4600, 7, 14)
    by_id = sentences_by_id(read_corpus(tmp_path / "out"))
    assert sorted(by_id) == [0, 2, 3, 4, 9, 11, 13]
    assert by_id[0] == sentences[0] and by_id[3] == ["word"] * 400 and by_id[13] == sentences[5]
    assert result.sentences == 7


def test_raw_text_is_split_by_the_project_tokenizer(tmp_path, mini):
    text = ("Don't panic! I saw a saw. The bank of the river was steep.\n\n"
            "She went to the bank.\nIt was closed on Sunday.\n\n\n"
            "Mr. Smith arrived at 3.30 p.m. and left.\n")
    source = tmp_path / "raw.txt"
    source.write_bytes(text.encode() + b"\xff\xfe not UTF-8\n")
    embed_corpus(job(tmp_path, source, split="text", shard_size=2))
    assert read_manifest(tmp_path / "out")["counts"]["skipped"]["invalid_utf8"] == 1
    stored = read_corpus(tmp_path / "out")
    by_id = sentences_by_id(stored)
    assert [by_id[i] for i in sorted(by_id)] == tokenize(text)
    reference = np.concatenate([v.transpose(1, 0, 2) for v in mini.embed(tokenize(text))])
    assert np.abs(stored["vector"] - reference).max() <= TOL


def test_parquet_input_with_a_text_column_and_a_folder_of_them(tmp_path, sentences):
    rows = [" ".join(s) for s in sentences[:25]]
    rows[4] = None
    folder = tmp_path / "parquet"
    folder.mkdir()
    for part, (lo, hi) in enumerate([(0, 12), (12, 25)]):
        pq.write_table(pa.table({"doc": list(range(lo, hi)), "body": rows[lo:hi]}), folder / f"part-{part}.parquet",
                       row_group_size=5)
    with pytest.raises(ValueError, match="no column 'text'"):
        embed_corpus(job(tmp_path, folder, shard_size=10))
    embed_corpus(job(tmp_path, folder, "out2", shard_size=10, text_column="body"))
    by_id = sentences_by_id(read_corpus(tmp_path / "out2"))
    assert sorted(by_id) == [i for i in range(25) if i != 4]
    assert all(by_id[i] == sentences[i] for i in by_id)
    assert read_manifest(tmp_path / "out2")["counts"]["skipped"]["empty"] == 1


def test_missing_or_empty_input_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="input not found"):
        embed_corpus(job(tmp_path, tmp_path / "nope.txt"))
    with pytest.raises(ValueError, match="no file matches"):
        embed_corpus(job(tmp_path, tmp_path / "*.txt"))
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="no text"):
        embed_corpus(job(tmp_path, tmp_path / "empty.txt"))
    with pytest.raises(ValueError, match="layers must be one of"):
        job(tmp_path, tmp_path / "empty.txt", layers="middle")


# ------------------------------------------------------------------------ reading it back
def test_reader_samples_a_word_from_the_index_with_the_right_vectors(corpus, sentences, reference):
    tmp, _, _ = corpus
    reader = CorpusReader(tmp / "out")
    truth = [(i, p) for i, s in enumerate(sentences) for p, t in enumerate(s) if t.lower() == "the"]
    assert reader.count("The") == len(truth) > 30
    assert dict(reader.vocabulary())["the"] == len(truth)
    everything = reader.sample("the", max_points=10_000)
    assert everything.total == len(truth)
    assert list(zip(everything.sentence_ids.tolist(), everything.positions.tolist())) == truth
    sample = reader.sample("the", max_points=12, seed=3)
    assert len(sample) == 12 and sample.vectors.shape == (12, 3, 256) and sample.total == len(truth)
    assert set(zip(sample.sentence_ids.tolist(), sample.positions.tolist())) <= set(truth)
    for k, (sid, pos) in enumerate(zip(sample.sentence_ids, sample.positions)):
        assert list(sample.sentences[k]) == sentences[sid]
        assert np.abs(sample.vectors[k] - reference[sid][:, pos]).max() <= TOL
    assert reader.sample("the", max_points=12, seed=3).sentence_ids.tolist() == sample.sentence_ids.tolist()
    assert reader.sample("zyzzyva", 10).total == 0


def test_reader_refuses_folders_that_are_not_complete_corpora_without_naming_them(tmp_path):
    for folder, message in ((tmp_path / "missing", "does not exist"), (tmp_path, "no manifest.json")):
        with pytest.raises(CorpusError, match=message) as error:
            CorpusReader(folder)
        assert str(tmp_path) not in str(error.value)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CorpusError, match="cannot be read") as error:
        CorpusReader(tmp_path)
    assert str(tmp_path) not in str(error.value)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT, "status": "complete", "input": {}}))
    with pytest.raises(CorpusError, match="lacks fields"):
        CorpusReader(tmp_path)


# ------------------------------------------------------------------------ command line
def test_cli_embed_corpus_prints_the_final_line(tmp_path, sentences, capsys):
    source = write_lines(tmp_path / "in.txt", sentences[:20])
    assert main(["embed-corpus", str(source), str(tmp_path / "out"), "--shard-size", "8", "--layers", "top",
                 "--dtype", "float16", "--quiet"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("embedded 20 sentences, ") and "tokens/s" in line
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["vectors"]["dtype"] == "float16" and manifest["input"]["shards"] == 3


def test_cli_errors_are_clear(tmp_path, sentences, capsys, monkeypatch):
    source = write_lines(tmp_path / "in.txt", sentences[:5])
    assert main(["embed-corpus", str(source), str(tmp_path / "out"), "--address", "auto"]) == 2
    assert "--address only apply to --engine ray" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    assert main(["embed-corpus", str(source), str(tmp_path / "out"), "--engine", "ray"]) == 2
    assert "pip install 'elmo-explorer[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

"""embed-corpus on a real local Ray cluster (2 CPUs): same vectors as the local engine, and
faults (an embedder that raises, an embedder process that dies, bad lines) never lose or
duplicate a sentence. Ray is a test dependency (`make test` installs the ``ray`` extra)."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from bulk_helpers import fortune_sentences, read_corpus, sentences_by_id, write_lines
from dependencies import missing_dependency

from elmo_core.bulk import CorpusJobConfig, RayOptions, embed_corpus
from elmo_core.bulk.faults import FaultPlan
from elmo_core.bulk.manifest import read_manifest


@pytest.fixture(scope="module")
def ray_cluster():
    if importlib.util.find_spec("ray") is None:
        missing_dependency("Ray Data (PyPI ray[data])", 'pip install -e ".[ray]" torch==2.13.0')
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def config(tmp_path, source, name, **options) -> CorpusJobConfig:
    return CorpusJobConfig(str(source), tmp_path / name, progress=False, **options)


def test_local_and_ray_engines_give_the_same_vectors_for_2000_sentences(ray_cluster, tmp_path):
    sentences = fortune_sentences(2000)
    source = write_lines(tmp_path / "in.txt", sentences)
    local = embed_corpus(config(tmp_path, source, "local", shard_size=250))
    distributed = embed_corpus(config(tmp_path, source, "ray", shard_size=250), engine="ray",
                               ray=RayOptions(workers=2))
    assert (local.written, distributed.written) == (8, 8)
    a, b = read_corpus(tmp_path / "local"), read_corpus(tmp_path / "ray")
    assert np.array_equal(a["sentence_id"], b["sentence_id"]) and np.array_equal(a["position"], b["position"])
    by_id = sentences_by_id(b)
    assert sorted(by_id) == list(range(2000)) and all(by_id[i] == sentences[i] for i in range(2000))
    assert np.abs(a["vector"] - b["vector"]).max() <= 1e-5
    manifest = read_manifest(tmp_path / "ray")
    assert manifest["engine"]["name"] == "ray" and manifest["counts"]["sentences"] == 2000
    assert manifest["model"] == read_manifest(tmp_path / "local")["model"]


def test_ray_job_with_bad_lines_and_an_embedder_that_raises_once(ray_cluster, tmp_path, mini):
    """One shard raises part-way (after writing its first chunk); Ray Data retries it."""
    sentences = fortune_sentences(300)
    lines = [" ".join(s).encode() for s in sentences]
    lines[10] = b""
    lines[50] = " ".join(["long"] * 5000).encode()
    lines[120] = b"\x00\x01\x02\x03\x04binary\x05\x06"
    lines[130] = b"\xff\xfe invalid \xc3\x28"
    source = tmp_path / "in.txt"
    source.write_bytes(b"\n".join(lines) + b"\n")
    marker = tmp_path / "raised"
    job = config(tmp_path, source, "out", shard_size=100, chunk_tokens=300,
                 fault=FaultPlan(shard=1, action="raise", marker=str(marker)))
    result = embed_corpus(job, engine="ray", ray=RayOptions(workers=2))
    assert marker.exists()  # the fault fired
    stored = read_corpus(tmp_path / "out")
    keys = list(zip(stored["sentence_id"].tolist(), stored["position"].tolist()))
    assert len(keys) == len(set(keys))  # no token twice
    by_id = sentences_by_id(stored)
    assert sorted(by_id) == [i for i in range(300) if i not in (10, 120, 130)]
    assert by_id[50] == ["long"] * 400 and by_id[200] == sentences[200]
    counts = read_manifest(tmp_path / "out")["counts"]
    assert counts["skipped"] == {"empty": 1, "too_long": 0, "invalid_utf8": 1, "binary": 1}
    assert (counts["cut"], counts["sentences"], result.sentences) == (1, 297, 297)
    for i in (0, 150, 299):  # retried shard included
        rows = stored["sentence_id"] == i
        assert np.abs(stored["vector"][rows] - mini.embed([sentences[i]])[0].transpose(1, 0, 2)).max() <= 1e-5


def test_ray_job_survives_an_embedder_process_that_dies(ray_cluster, tmp_path):
    """The actor working on shard 1 exits mid-shard; Ray restarts it and resubmits the shard."""
    sentences = fortune_sentences(240)
    source = write_lines(tmp_path / "in.txt", sentences)
    marker = tmp_path / "killed"
    job = config(tmp_path, source, "out", shard_size=80, chunk_tokens=300,
                 fault=FaultPlan(shard=1, action="exit", marker=str(marker)))
    result = embed_corpus(job, engine="ray", ray=RayOptions(workers=2))
    assert marker.exists()
    stored = read_corpus(tmp_path / "out")
    keys = list(zip(stored["sentence_id"].tolist(), stored["position"].tolist()))
    assert len(keys) == len(set(keys))
    by_id = sentences_by_id(stored)
    assert sorted(by_id) == list(range(240)) and all(by_id[i] == sentences[i] for i in range(240))
    assert result.written == 3 and read_manifest(tmp_path / "out")["status"] == "complete"

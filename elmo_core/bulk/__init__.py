"""
Embed whole corpora into Parquet shards, on one machine or a Ray cluster, and read them back.

>>> from elmo_core.bulk import CorpusJobConfig, embed_corpus, CorpusReader   # doctest: +SKIP
>>> result = embed_corpus(CorpusJobConfig("corpus.txt", "out/"), engine="local")  # doctest: +SKIP
>>> sample = CorpusReader("out/").sample("bank", max_points=500)                  # doctest: +SKIP
>>> sample.vectors.shape   # (points, stored layers, dim)                          # doctest: +SKIP

Modules: :mod:`~.config` (job settings), :mod:`~.inputs` (input files, records, bad-line rules),
:mod:`~.raw_text` (``--split text``), :mod:`~.plan` (shards by id range), :mod:`~.embedder`
(one shard), :mod:`~.shards` (atomic shard files), :mod:`~.index` (word index, vocabulary),
:mod:`~.manifest`, :mod:`~.local` and :mod:`~.ray_engine` (the engines), :mod:`~.job` (a whole
run), :mod:`~.reader` (the app side), :mod:`~.faults` (fault injection for tests). Ray is
imported only by the Ray engine.
"""
from .config import CorpusJobConfig, RayOptions
from .job import JobResult, embed_corpus
from .reader import CorpusError, CorpusReader, WordSample

__all__ = ["CorpusJobConfig", "RayOptions", "JobResult", "embed_corpus", "CorpusError", "CorpusReader",
           "WordSample"]

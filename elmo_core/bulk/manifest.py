"""
``OUTPUT_DIR/manifest.json``: what an embedded corpus holds and how it was made.

Written when a job starts (``status: "running"``, with the plan) and rewritten when every shard
is complete (``status: "complete"``, with counts and timing). Fields:

- ``format``: :data:`FORMAT`; ``status``; ``created`` / ``finished`` (UTC, ISO 8601);
- ``model``: ``name``, ``weights_sha256``, ``num_layers``, ``output_dim``, ``options`` (its
  options.json);
- ``settings``: the job's settings (:meth:`CorpusJobConfig.describe`); ``identity``: the ones
  that decide the output (compared on resume);
- ``input``: ``kind``, ``files``, ``records``, ``fingerprint`` (SHA-256 over the input's bytes,
  or footers for Parquet), ``shard_size``, ``shards``;
- ``vectors``: ``layers`` (names of the stored layers), ``shape`` (per token), ``dtype``,
  ``layout`` (one row per token);
- when complete: ``counts`` (records, sentences, tokens, ``skipped`` by reason, ``cut``,
  ``cut_tokens``; with ``--split text`` also ``prep``, the counts of the sentence-splitting pass,
  whose skipped lines are included in ``skipped``), ``vocabulary`` size, ``engine``,
  ``seconds``, ``tokens_per_s`` (of the run that completed it).

A rerun into a folder whose manifest disagrees on model, identity or input refuses to mix them.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path

__all__ = ["MANIFEST", "FORMAT", "ManifestMismatch", "model_fingerprint", "read_manifest", "write_manifest",
           "check_compatible", "stored_layer_names"]

MANIFEST = "manifest.json"
FORMAT = "elmo-explorer-corpus/1"


class ManifestMismatch(ValueError):
    """OUTPUT_DIR holds a corpus made with another model, other settings or another input."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_fingerprint(model: str) -> dict:
    """Name, weights hash and shape of a model name or directory, without building it."""
    from ..config import ElmoConfig
    from ..loading import find_model_files
    from ..registry import resolve_model_dir

    directory, name = resolve_model_dir(model, progress=False)
    options_file, weight_file = find_model_files(directory)
    config = ElmoConfig.from_json(options_file)
    return {"name": name, "weights_sha256": file_sha256(weight_file), "num_layers": config.num_output_layers,
            "output_dim": config.output_dim, "options": json.loads(Path(options_file).read_text())}


def stored_layer_names(layers: str, num_layers: int) -> list[str]:
    if layers == "all":
        return [f"layer {i}" for i in range(num_layers)]
    return ["top layer" if layers == "top" else "average of the layers"]


def read_manifest(output_dir: Path) -> dict | None:
    """The manifest, ``None`` when there is none; ``ValueError`` when it is not readable JSON."""
    path = Path(output_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{MANIFEST} is not readable JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{MANIFEST} is not an embedded-corpus manifest of format {FORMAT}")
    return data


def write_manifest(output_dir: Path, data: dict) -> None:
    path = Path(output_dir) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def check_compatible(existing: dict, new: dict) -> None:
    """Raise :class:`ManifestMismatch` naming what differs between two manifests."""
    differences = []
    if existing.get("model", {}).get("weights_sha256") != new["model"]["weights_sha256"]:
        differences.append(f"model ({existing.get('model', {}).get('name')} vs {new['model']['name']}, "
                           "or different weights)")
    old_identity = existing.get("identity", {})
    for key, value in new["identity"].items():
        if old_identity.get(key) != value:
            differences.append(f"{key} ({old_identity.get(key)} vs {value})")
    for key in ("kind", "records", "fingerprint"):
        if existing.get("input", {}).get(key) != new["input"][key]:
            differences.append(f"input {key}")
    if differences:
        raise ManifestMismatch("the output folder holds a corpus embedded differently: "
                               + "; ".join(differences) + ". Use a new output folder.")

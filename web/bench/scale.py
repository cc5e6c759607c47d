"""Part 5: the retrieval step alone at 10k, 100k and 1M chunks, per vector index type.

Encoding a million paragraphs here would take hours, so the larger corpora
are synthesized from the real ones (the evaluation corpora's chunks):

* vectors: each is a real chunk vector, pulled towards another real chunk
  vector and given a little isotropic noise, then normalized, so the cloud
  keeps the shape (anisotropy, clusters) of real embeddings;
* texts: each is a real chunk text with a fifth of its words replaced by
  words drawn from the corpus vocabulary, so postings lists grow as in a real
  corpus and no two chunks are equal;
* questions: the evaluation questions, encoded with the real model.

Per size one index version is written by the real store (SQLite chunks,
BM25, neighbour scores) with each vector index type beside it, and a
fresh process (scale_probe) opens it and times the retrieval step: dense
search, lexical search and the whole Retriever.search minus encoding. Its
peak resident memory is reported, so every figure is of one process that
serves one index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index import vectors as vector_indexes
from index.lexical import LexicalIndex
from index.settings import PROJECT_ROOT
from index.store import MANIFEST, write_version
from index.types import Chunk, StoredDocument

from . import DEFAULT_EVAL_DIR, bench_settings

SIZES = (10_000, 100_000, 1_000_000)
# The largest size each type is measured at: HNSW builds a million-node graph
# in tens of minutes on two cores, so it is measured up to 100k.
KINDS = {"flat": None, "ivf": None, "hnsw": 100_000}
CHUNKS_PER_DOCUMENT = 100
REPLACED_WORDS = 0.2
PULL = 0.5
NOISE = 0.15
RECALL_K = 10
SEED = 7


def run(quick: bool, say: Callable[[str], None], *, sizes=SIZES, eval_dir: Path = DEFAULT_EVAL_DIR,
        kinds: dict | None = None, real: tuple[np.ndarray, list[str], dict] | None = None,
        questions: list[str] | None = None) -> list[dict]:
    """One entry per (index type, size). `real` (vectors, texts, model) and `questions` default to the
    evaluation corpora's chunks and the evaluation questions."""
    if quick:
        say("  overgeslagen met --quick")
        return []
    kinds = kinds or KINDS
    base_vectors, base_texts, model = real or _real_chunks(eval_dir, say)
    questions = questions or _questions(eval_dir)
    query_vectors = _encode(questions)
    work = Path(tempfile.mkdtemp(prefix="vraagbaak-scale-", dir=_scratch()))
    results = []
    try:
        queries = work / "queries.npz"
        np.savez(queries, vectors=query_vectors, texts=np.asarray(questions, dtype=object))
        for size in sizes:
            say(f"  {size:,} passages synthetiseren ...".replace(",", "."))
            started = time.perf_counter()
            vectors, texts = synthesize(base_vectors, base_texts, size)
            base = work / f"{size}-flat"
            _write(base, vectors, texts, model, "flat")
            say(f"  geschreven in {time.perf_counter() - started:.0f} s")
            exact_ids = None
            for kind in [k for k, largest in kinds.items() if largest is None or size <= largest]:
                folder = base if kind == "flat" else _variant(base, work / f"{size}-{kind}", vectors, kind)
                say(f"  {kind} bij {size:,} passages meten ...".replace(",", "."))
                entry = _probe(folder, queries)
                ids = np.asarray(entry.pop("top_ids"))
                if kind == "flat":
                    exact_ids = ids
                    entry["recall_at_10"] = 1.0
                else:
                    entry["recall_at_10"] = _recall(ids, exact_ids)
                entry.update({"kind": kind, "chunks": size, "synthesized": size > len(base_texts)})
                results.append(entry)
                say(f"    retrieval p50/p95 {entry['retrieval_p50_ms']:.1f}/{entry['retrieval_p95_ms']:.1f} ms, "
                    f"vector p95 {entry['dense_p95_ms']:.1f} ms, lexicaal p95 {entry['lexical_p95_ms']:.1f} ms, "
                    f"geheugen {entry['rss_mb']:.0f} MB, recall@10 {entry['recall_at_10']:.3f}")
            shutil.rmtree(work / f"{size}-flat", ignore_errors=True)
            for kind in kinds:
                shutil.rmtree(work / f"{size}-{kind}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def synthesize(base_vectors: np.ndarray, base_texts: list[str], size: int) -> tuple[np.ndarray, list[str]]:
    """`size` chunk vectors and texts in the image of the real ones (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    real = len(base_vectors)
    if size <= real:
        return np.ascontiguousarray(base_vectors[:size]), list(base_texts[:size])
    dim = base_vectors.shape[1]
    mean = base_vectors.mean(axis=0)
    vectors = np.empty((size, dim), dtype=np.float32)
    vectors[:real] = base_vectors
    for start in range(real, size, 65_536):
        end = min(size, start + 65_536)
        own = base_vectors[rng.integers(0, real, end - start)]
        other = base_vectors[rng.integers(0, real, end - start)] - mean
        noise = rng.standard_normal((end - start, dim)).astype(np.float32) / np.sqrt(dim)
        batch = own + PULL * rng.random((end - start, 1), dtype=np.float32) * other + NOISE * noise
        vectors[start:end] = batch / np.linalg.norm(batch, axis=1, keepdims=True)
    words = [text.split() for text in base_texts]
    vocabulary = np.asarray(sorted({w for ws in words for w in ws}), dtype=object)
    texts = list(base_texts)
    for i in range(real, size):
        chosen = list(words[i % real])
        replace = rng.random(len(chosen)) < REPLACED_WORDS
        if replace.any():
            fresh = vocabulary[rng.integers(0, len(vocabulary), int(replace.sum()))]
            for position, word in zip(np.flatnonzero(replace), fresh):
                chosen[position] = word
        texts.append(" ".join(chosen))
    return vectors, texts


def _write(folder: Path, vectors: np.ndarray, texts: list[str], model: dict, kind: str) -> None:
    chunks, documents = [], []
    for start in range(0, len(texts), CHUNKS_PER_DOCUMENT):
        doc_id = f"synthetisch/{start // CHUNKS_PER_DOCUMENT:06d}.txt"
        title = f"Synthetisch document {start // CHUNKS_PER_DOCUMENT + 1}"
        documents.append(StoredDocument(doc_id, title, "txt", "-", ""))
        for offset, text in enumerate(texts[start:start + CHUNKS_PER_DOCUMENT]):
            chunks.append(Chunk(doc_id, title, None, offset + 1, text, 0, len(text), offset + 1, offset + 1))
    manifest = {**model, "chunker_version": "synthetisch", "corpus": "synthetisch", "files": {}}
    started = time.perf_counter()
    lexical = LexicalIndex.build(texts)
    lexical_s = time.perf_counter() - started
    write_version(folder, manifest, documents, chunks, vectors, lexical, vector_index=kind)
    started = time.perf_counter()
    vector_indexes.create(vectors, kind)  # timed alone, like the other types in _variant
    _note_build(folder, time.perf_counter() - started, lexical_s)


def _variant(base: Path, folder: Path, vectors: np.ndarray, kind: str) -> Path:
    """The same version with another vector index: other files are hard links of the base's."""
    folder.mkdir()
    for path in base.iterdir():
        if path.name not in vector_indexes.FILES and path.name != MANIFEST:
            os.link(path, folder / path.name)
    started = time.perf_counter()
    index = vector_indexes.create(vectors, kind)
    described = {"kind": kind, **index.save(folder)}
    build_s = time.perf_counter() - started
    manifest = json.loads((base / MANIFEST).read_text("utf-8"))
    manifest["vectors"] = described
    manifest["bench_build_s"] = build_s
    (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    return folder


def _note_build(folder: Path, seconds: float, lexical_s: float) -> None:
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    manifest["bench_build_s"] = seconds
    manifest["bench_lexical_build_s"] = lexical_s
    (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def _probe(folder: Path, queries: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "web.bench.scale_probe", str(folder), str(queries)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800)
    if completed.returncode != 0:
        raise RuntimeError(f"meting van {folder.name} mislukt:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    hits = [len(set(a[:RECALL_K].tolist()) & set(b[:RECALL_K].tolist())) / RECALL_K for a, b in zip(found, exact)]
    return float(np.mean(hits))


def _real_chunks(eval_dir: Path, say) -> tuple[np.ndarray, list[str], dict]:
    """Vectors and texts of the evaluation corpora's chunks (their cached evaluation indexes)."""
    from index.backends import configured_source
    from index.embedder import embedder_for
    from qa.eval_index import evaluation_index

    settings = bench_settings()
    embedder = embedder_for(settings)
    folder = settings.eval_index_root
    source = configured_source(settings, folder)
    vectors, texts = [], []
    for corpus in (PROJECT_ROOT / "seeds", eval_dir / "vac" / "corpus"):
        if not corpus.is_dir():
            continue
        say(f"  echte passages uit {corpus.name}")
        snapshot = evaluation_index(corpus, embedder, source, folder)
        vectors.append(snapshot.all_vectors())
        texts.extend(c.text for c in snapshot.chunks(list(range(snapshot.size))))
        snapshot.close()
    model = {"model": embedder.model_id, "dimension": embedder.dimension}
    return np.concatenate(vectors).astype(np.float32), texts, model


def _encode(questions: list[str]) -> np.ndarray:
    from index.embedder import load_embedder

    return load_embedder().encode_queries(questions)


def _questions(eval_dir: Path) -> list[str]:
    questions = []
    for name in ("seeds_qa_dev.jsonl", "vac/vac_dev.jsonl"):
        path = eval_dir / name
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    questions.append(json.loads(line)["question"])
    if not questions:
        raise RuntimeError(f"geen evaluatievragen gevonden in {eval_dir}")
    return questions


def _scratch() -> Path:
    folder = bench_settings().data / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder

"""Index build rate against the model's own passage rate, the one-file update, and the generated corpus.

The model rate encodes exactly the passages the build encoded (passage_text
of every chunk, through encode_passages with its default batch size, as the
build calls it), so the ratio says how much of a build is not the model.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from index.build import HEADING_ALLOWANCE, build_index, passage_text
from index.chunker import MIN_WORDS
from index.readers import iter_corpus
from index.backends.local import LocalSource, open_index

from . import BenchError

# A generated corpus of GENERATED_FILES x GENERATED_PARAGRAPHS paragraphs,
# each paragraph one chunk: ~10,000 chunks, the size of the update target.
GENERATED_FILES = 200
GENERATED_PARAGRAPHS = 50
SECTION_EVERY = 10
GENERATED_SEED = 10_000

CHANGED_PARAGRAPH = ("Deze alinea is door de benchmark toegevoegd, zodat precies één bestand van het corpus "
                     "gewijzigd is en opnieuw moet worden ingelezen.")


def chunks(root: Path) -> list:
    """Every chunk of the current version under `root`, in index order."""
    snapshot = open_index(root)
    try:
        return [c for doc in snapshot.documents() for c in snapshot.document_chunks(doc.doc_id)]
    finally:
        snapshot.close()


def stage_printer(say):
    """A build_index progress callback: each stage once, and the embedding in steps of a tenth."""
    seen = {"stage": None, "tenth": -1}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != seen["stage"]:
            seen["stage"], seen["tenth"] = stage, -1
            say(f"    {stage} ...")
        if stage == "embedden" and total:
            tenth = 10 * done // total
            if tenth > seen["tenth"] and 0 < tenth < 10:
                seen["tenth"] = tenth
                say(f"    embedden {done}/{total}")
    return progress


def measure_build(corpus: Path, target: LocalSource, embedder, *, label: str, generated: bool, say=None,
                  model_sample: int | None = None) -> dict:
    """A full build into `target`, then the model alone on the same passages (or a random sample of
    them: the rate of a uniform sample is the rate of the whole, and it halves a long run)."""
    report = build_index(corpus, target.root, embedder, full=True, progress=stage_printer(say) if say else None,
                         source=target)
    texts = [passage_text(c) for c in chunks(target.root)]
    if model_sample and len(texts) > model_sample:
        texts = random.Random(GENERATED_SEED).sample(texts, model_sample)
    if say:
        say(f"    het model alleen op {'een steekproef van ' if len(texts) < report.chunks else ''}"
            f"{len(texts)} van dezelfde passages ...")
    started = time.perf_counter()
    embedder.encode_passages(texts)
    model_seconds = time.perf_counter() - started
    return {
        "corpus": label,
        "generated": generated,
        "documents": report.documents,
        "chunks": report.chunks,
        "build_s": report.seconds,
        "build_rate": report.chunks / report.seconds,
        "model_s": model_seconds,
        "model_passages": len(texts),
        "model_passage_rate": len(texts) / model_seconds,
    }


def measure_update(corpus: Path, target: LocalSource, embedder, *, label: str) -> dict:
    """Change the first file of `corpus` and update the index built from it in `target`."""
    corpus = corpus.resolve()
    changed = next(iter(iter_corpus(corpus, on_error=lambda error: None)))
    doc_id = changed.relative_to(corpus).as_posix()
    with open(changed, "a", encoding="utf-8") as handle:
        handle.write(f"\n\n{CHANGED_PARAGRAPH}\n")
    report = build_index(corpus, target.root, embedder, source=target)
    snapshot = target.open()
    try:
        file_chunks = snapshot.manifest["files"][doc_id]["chunks"]
    finally:
        snapshot.close()
    return {
        "corpus": label,
        "changed_file": doc_id,
        "update_s": report.seconds,
        "embedded_files": report.embedded_files,
        "embedded_chunks": report.embedded_chunks,
        "file_chunks": file_chunks,
        "chunks": report.chunks,
        "only_changed_file": report.embedded_files == [doc_id] and report.embedded_chunks == file_chunks,
    }


def generate_corpus(paragraphs: list[str], target: Path, embedder, *, files: int = GENERATED_FILES,
                    per_file: int = GENERATED_PARAGRAPHS) -> int:
    """Write `files` Markdown documents of `per_file` seed paragraphs each; returns the paragraph count.

    Only paragraphs that the chunker keeps as one chunk are used: long enough
    not to be joined to a neighbour, short enough not to be split, one line,
    ending a sentence (so they are not read as headings).
    """
    limit = embedder.max_passage_tokens - HEADING_ALLOWANCE
    pool = sorted({p for p in paragraphs
                   if "\n" not in p and len(p.split()) > MIN_WORDS + 2 and p.rstrip()[-1:] in ".?!"
                   and embedder.count_tokens(p) < limit})
    if len(pool) < per_file:
        raise BenchError(f"Te weinig bruikbare alinea's in de seeds ({len(pool)}) om een corpus te maken")
    rng = random.Random(GENERATED_SEED)
    target.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        chosen = rng.sample(pool, per_file)
        lines = [f"# Gegenereerd document {number:03d}", ""]
        for position, text in enumerate(chosen):
            if position % SECTION_EVERY == 0:
                lines += [f"## Document {number:03d}, deel {position // SECTION_EVERY + 1}", ""]
            lines += [text, ""]
        (target / f"gegenereerd_{number:03d}.md").write_text("\n".join(lines), "utf-8")
    return files * per_file

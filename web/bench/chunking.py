"""Chunking a generated 10 MB text: how long the chunker takes on one very long document.

Two texts are made from the corpus's own sentences: everything on one line
(no paragraph breaks at all) and ordinary paragraphs separated by blank
lines, each CHARS characters. Each is chunked as the build chunks a document
(the model's tokenizer counts, the same passage size), timed alone; the
target is a time on this machine, not a ratio, because it is about a
document a user waits for. (Twice the text a document may have by default,
VRAAGBAAK_MAX_TEXT_CHARS: the reader would refuse it; the chunker is timed
beyond what it will be given.)

Part of the full run only: the two texts take about a minute.
"""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

from index.build import HEADING_ALLOWANCE
from index.chunker import chunk_document
from index.types import Document

from . import BenchError, number

CHARS = 10 * 1024 * 1024
MAX_SECONDS = 30.0
_INLINE_NOTE = re.compile(r"\[\d{1,3}:[^\]]*\]")  # would cut the rest of a line out of the text
_BLANK_LINES = re.compile(r"\n\s*\n")
LABELS = {"regel": "één regel", "alineas": "alinea's"}


def generated_texts(corpus: Path, chars: int = CHARS) -> dict[str, str]:
    """The corpus's text files as one line, and as blank-line-separated paragraphs, each `chars` long."""
    source = "\n\n".join(path.read_text("utf-8", "replace") for path in sorted(corpus.rglob("*"))
                         if path.suffix.lower() in (".txt", ".md") and path.is_file())
    source = _INLINE_NOTE.sub("", source)
    paragraphs = [" ".join(block.split()) for block in _BLANK_LINES.split(source) if block.strip()]
    if sum(map(len, paragraphs)) < 1000:
        raise BenchError(f"Te weinig tekst in {corpus} om een lange tekst van te maken")
    line = " ".join(paragraphs) + " "
    blocks = "\n\n".join(paragraphs) + "\n\n"
    return {"regel": _repeat(line, chars), "alineas": _repeat(blocks, chars)}


def _repeat(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(corpus: Path, embedder, *, chars: int = CHARS, say=None) -> list[dict]:
    """Chunk each generated text once, as the build would; seconds, passages, and the process peak it raised."""
    results = []
    for key, text in generated_texts(corpus, chars).items():
        if say:
            say(f"  {LABELS[key]}: {number(len(text.encode('utf-8')) / 2**20)} MB in passages ...")
        document = Document(doc_id=f"gegenereerd-{key}.txt", title="", text=text, kind="txt")
        peak = _peak_mb()
        started = time.perf_counter()
        chunks = chunk_document(document, max_tokens=embedder.max_passage_tokens - HEADING_ALLOWANCE,
                                count_tokens=embedder.count_tokens)
        seconds = time.perf_counter() - started
        megabytes = len(text.encode("utf-8")) / 2**20
        results.append({
            "text": key, "chars": len(text), "mb": megabytes, "chunk_s": seconds, "mb_per_s": megabytes / seconds,
            "passages": len(chunks),
            # Over the highest the process had been before (the model, the builds): 0 when it stayed below.
            "peak_rise_mb": max(0.0, _peak_mb() - peak),
        })
        if say:
            say(f"    {number(seconds)} s, {len(chunks)} passages")
    return results


def targets(entries: list[dict]) -> list[dict]:
    return [{"name": f"chunking_{e['text']}", "value": e["chunk_s"], "max": MAX_SECONDS,
             "met": e["chunk_s"] <= MAX_SECONDS} for e in entries]


def rows(entries: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """Rows for the benchmark's Markdown table."""
    return [(f"passages maken van {number(e['mb'])} MB tekst ({LABELS[e['text']]}, {e['passages']} passages)",
             f"{number(e['chunk_s'])} s ({number(e['mb_per_s'], 2)} MB/s)", f"≤ {number(MAX_SECONDS, 0)} s", "–",
             "ja" if e["chunk_s"] <= MAX_SECONDS else "**nee**")
            for e in entries]

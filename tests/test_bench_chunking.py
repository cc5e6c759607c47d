"""The benchmark's chunking part, on short generated texts: what it measures and how it reports it."""

from __future__ import annotations

from pathlib import Path

from web.bench import chunking

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_the_generated_texts_are_one_line_and_paragraphs_of_the_asked_length():
    texts = chunking.generated_texts(SEEDS, 50_000)
    assert {key: len(text) for key, text in texts.items()} == {"regel": 50_000, "alineas": 50_000}
    assert "\n" not in texts["regel"] and texts["alineas"].count("\n\n") > 20
    assert "[1:" not in texts["regel"]  # an inline note would cut the rest of the line away


def test_chunking_is_measured_as_the_build_chunks(embedder):
    entries = chunking.measure(SEEDS, embedder, chars=100_000)
    assert [e["text"] for e in entries] == ["regel", "alineas"]
    for entry in entries:
        assert entry["chars"] == 100_000 and entry["passages"] > 10
        assert entry["chunk_s"] > 0 and entry["mb_per_s"] > 0 and entry["peak_rise_mb"] >= 0
    targets = chunking.targets(entries)
    assert [t["name"] for t in targets] == ["chunking_regel", "chunking_alineas"]
    assert all(t["max"] == chunking.MAX_SECONDS for t in targets)
    rows = chunking.rows(entries)
    assert rows[0][0].startswith("passages maken van 0,1 MB tekst (één regel, ")
    assert rows[0][2] == "≤ 30 s"

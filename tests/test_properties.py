"""Property-based tests (hypothesis) for paragraph reconstruction and the chunker.

Whatever text comes in -- random Unicode, PDF-like wrapped Dutch with
hyphenation, bullets and page numbers, Windows line ends -- nothing crashes and
every chunk points back at its own words in the source: span in bounds, words
found in the (dehyphenated) span, paragraph numbers 1..n without gaps, lines
that match the span. Run with --hypothesis-show-statistics to see the counts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunker import chunk_document
from index.paragraphs import reconstruct
from index.types import Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUP = str.maketrans(SUPERSCRIPTS, "0123456789")
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """Real Dutch sentences from the seed documents."""
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = " ".join(path.read_text("utf-8").split())
        found += [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text) if 30 <= len(s) <= 300]
    return tuple(found[:400])


def dehyphenated_words(text: str, *, markers: bool = True) -> str:
    """The source span as chunk text sees it: emphasis asterisks dropped (as the reconstruction
    drops them), hyphenation at line ends undone, whitespace collapsed. Superscript digits
    become digits (a footnote's number), or with markers=False are dropped (a reference
    marker in the body, which the reconstruction removes, as it removes bare page numbers)."""
    text = text.translate(SUP) if markers else re.sub(f"[{SUPERSCRIPTS}]", "", text)
    if not markers:  # page numbers on a line of their own are furniture, dropped as well
        text = re.sub(r"(?m)^[ \t]*\d{1,3}[ \t]*(?:\r?\n|$)", "", text)
    text = re.sub(r"-[ \t]*\r?\n\s*", "", text.replace("*", ""))
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.translate(SUP))


def _wrap(paragraph: str, width: int, hyphenate: bool) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            if hyphenate and len(word) > 7 and word.isalpha():
                cut = len(word) // 2
                lines.append(f"{line} {word[:cut]}-")
                line = word[cut:]
                continue
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


@st.composite
def pdf_like_text(draw) -> str:
    """Paragraphs of seed sentences wrapped at a random width, as PDF text extraction gives them."""
    sentences = seed_sentences()
    width = draw(st.integers(25, 100))
    out: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["paragraph", "paragraph", "bullets", "heading", "page-number"]))
        if kind == "heading":
            out.append(draw(st.sampled_from(["Inleiding", "1. Achtergrond", "Conclusie en vervolg", "BIJLAGE"])))
        elif kind == "page-number":
            out.append(str(draw(st.integers(1, 40))))
        elif kind == "bullets":
            marker = draw(st.sampled_from(["• ", "- ", "– ", "* ", "1. ", "a) "]))
            for sentence in draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=4)):
                wrapped = _wrap(sentence, width, draw(st.booleans()))
                out.append(marker + wrapped[0])
                out += ["  " + line for line in wrapped[1:]]
        else:
            text = " ".join(draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=5)))
            out += _wrap(text, width, draw(st.booleans()))
        out += [""] * draw(st.integers(0, 2))
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n"]))


def check(text: str, max_tokens: int = 60) -> None:
    d = Document("p.txt", "p", text, "txt")
    for paragraph in reconstruct(text):
        assert 0 <= paragraph.start <= paragraph.end <= len(text)
        raw = text[paragraph.start:paragraph.end]
        spans = (dehyphenated_words(raw), dehyphenated_words(raw, markers=False))
        for word in words(paragraph.text):
            assert any(word in span for span in spans), (word, paragraph)
    chunks = chunk_document(d, max_tokens=max_tokens)
    if text.strip() and any(ch.isalnum() for ch in text):
        assert chunks or not any(p.kind != "heading" for p in reconstruct(text))
    numbers = [c.paragraph for c in chunks]
    if numbers:
        assert numbers[0] == 1 and all(b - a in (0, 1) for a, b in zip(numbers, numbers[1:])), numbers
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text)
        assert c.text and c.text == " ".join(c.text.split())
        raw = text[c.start:c.end]
        spans = (dehyphenated_words(raw), dehyphenated_words(raw, markers=False))
        for word in words(c.text):
            assert any(word in span for span in spans), (word, c.text[:80], spans[0][:200])
        assert c.line_start == d.line_at(c.start) and c.line_end == d.line_at(c.end - 1)
        assert 1 <= c.line_start <= c.line_end <= text.count("\n") + 1


@EXAMPLES
@given(st.text(max_size=600))
def test_random_unicode(text):
    check(text)


@EXAMPLES
@given(st.lists(st.sampled_from(list("abcXYZ019 .,:;-•–\n\r\t()*'’¹é€")
                                + ["\r\n", "\n\n", "-\n", "verbe-\nteren", "1. ", "Wet ", "de "]),
                max_size=200).map("".join))
def test_structure_characters(text):
    check(text, max_tokens=25)


@EXAMPLES
@given(pdf_like_text())
def test_pdf_like_wrapped_dutch(text):
    check(text)


@EXAMPLES
@given(pdf_like_text())
def test_pdf_like_with_windows_line_ends(text):
    check(text.replace("\n", "\r\n"))

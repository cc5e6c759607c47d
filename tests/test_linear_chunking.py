"""The helpers that keep chunking linear answer exactly what the straightforward searches they replace answer.

Each helper is held against the old search on generated texts made of the
pieces that matter (links, addresses, footnote markers, hyphenated words);
and a few shapes that used to take quadratic time are chunked whole. No test
here measures time: the benchmark does (`vraagbaak bench`, chunking part).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from index.chunker import chunk_document
from index.footnote_markers import MarkerIndex, marker_pattern
from index.links import LINK, is_reference_only, link_spans
from index.paragraphs.vocabulary import Vocabulary
from index.types import Document

LINK_PIECES = ["https://", "http://", "www.", "WWW.", "open.overheid.nl", "/documenten/1ebcf3ba/file", "info@gemeente.nl",
               "mailto:", "naam", ".nl", ".com", ".be", ".beheer", "-", ".", "(", ")", ",", ":", "@", "@@", "/", "Zie",
               "zie", "gemeente", "x", "1", "2026", "regeling", ".org", ".int", ".eu", "e.g.", "?", "’", "_", "é",
               "sub-domein.nl", "t.a.v.", "Dit", "is", "een", "vng.nl/artikel", "E-mail", "info@", ".nl/pagina", ".-"]


def _texts(pieces: list[str], count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [rnd.choice([" ", "  ", "\n"]).join("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 5)))
                                              for _ in range(rnd.randint(1, 8)))
            for _ in range(count)]


def _old_reference_only(text: str) -> bool:
    pointers = frozenset("zie ook bron bronnen via link links hier url website pagina p blz".split())
    if not LINK.search(text) and not re.match(r"\s*(?:\d{1,3}\s+)?zie\b", text, re.I):
        return False
    rest = LINK.sub(" ", re.sub(r"^\s*(\d{1,3})\s+(?=\S)", "", text))
    return len([w for w in re.findall(r"[^\W\d_]{2,}", rest) if w.lower() not in pointers]) < 3


def test_links_are_found_word_by_word_where_the_expression_finds_them():
    for text in _texts(LINK_PIECES, 20_000, seed=15):
        assert list(link_spans(text)) == [m.span() for m in LINK.finditer(text)], text
        assert is_reference_only(text) == _old_reference_only(text), text


def test_a_long_word_full_of_at_signs_and_dots_is_no_work():
    # The expression alone takes cubic time on such a word; word by word it is a pass.
    assert not is_reference_only("@." * 100_000)
    assert list(link_spans("a@" * 100_000)) == []


MARKER_PIECES = ["woord", "1", "2", "12", "¹", "²", "¹²", "[footnoteRef:1]", "[footnoteRef:12]", ".", ",", ")", "’",
                 " ", "\n", "3", "a", "ß"]


def test_footnote_markers_before_an_offset_are_those_the_search_finds():
    rnd = random.Random(16)
    for text in _texts(MARKER_PIECES, 3000, seed=16):
        index = MarkerIndex(text)
        for number in ("1", "2", "12", "3"):
            end = rnd.randint(0, len(text))
            expected = [m.start() for m in marker_pattern(number).finditer(text, 0, end)]
            assert index.before(number, end) == expected, (text, number, end)


def test_the_vocabulary_learns_in_one_pass_what_substring_searches_say():
    words = ["werk", "nemer", "be", "leid", "niet", "(kinder)", "armoede", "oud", "-", ")", " ", "e"]
    rnd = random.Random(17)
    for text in _texts(words, 300, seed=17):
        text = text.lower()
        queries = {"".join(rnd.choice(words) for _ in range(3)) for _ in range(30)}
        for _ in range(30):  # pieces of the text itself, around a hyphen or bracket, and a character more
            at = rnd.randrange(len(text))
            queries.add(text[max(0, at - rnd.randint(0, 6)):at + rnd.randint(1, 6)] + rnd.choice(["", "e", "-"]))
        queries = {q for q in queries if "-" in q or ")" in q}
        learned = Vocabulary(text)
        learned.learn(queries)
        assert {q for q in queries if q in learned} == {q for q in queries if q in text}, text


SHAPES = {
    "tiny paragraphs": "x\n\n" * 50_000,
    "questions before one paragraph": "Waarom dit?\n\n" * 20_000 + "Dit is een gewone zin met genoeg woorden. " * 3,
    "superscript notes": "Tekst met een noot¹.\n\n" + "¹ a\n" * 30_000,
    "hyphenated wrapped lines": "de gemeente heeft het be-\nleid van de stad onderzocht en de uit-\nkomst is nu be-\nkend\n"
                                * 5_000,
    "one long word": "a" * 300_000,
    "one long sentence": "woord " * 100_000,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shapes_that_took_quadratic_time_are_chunked(shape):
    text = SHAPES[shape]
    chunks = chunk_document(Document(doc_id="x.txt", title="", text=text, kind="txt"))
    assert chunks and all(text[c.start:c.end] for c in chunks)
    assert all(len(c.heading or "") < 5000 for c in chunks)


def test_sentences_found_a_window_at_a_time_are_those_of_one_pass(monkeypatch):
    import index.sentences as sentences

    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    texts = [path.read_text("utf-8") for path in seeds]
    rnd = random.Random(18)
    documents = ["\n".join(texts), " ".join(" ".join(t.split()) for t in texts)]
    for joiner in (" ", "\u00a0", ") ", ""):
        pieces = [t[a:a + rnd.randint(1, 300)] for t in texts * 200 for a in [rnd.randrange(len(t))]]
        documents.append(joiner.join(pieces))
    for document in documents:
        monkeypatch.setattr(sentences, "WINDOW", 10**9)
        whole = sentences.sentence_spans(document)
        monkeypatch.setattr(sentences, "WINDOW", 5000)
        assert sentences.sentence_spans(document) == whole
        monkeypatch.undo()

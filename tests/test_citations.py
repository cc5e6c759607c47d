"""Every quoted part of an answer cites a listed passage (qa.citations).

Passages are built here with known text; the service-level behaviour on a real
index is in tests/test_answering.py (a lead) and tests/test_issue_examples_served.py
(a footnote with its body sentence).
"""

from qa.citations import cite_quoted_sources, nearest_holding
from qa.extract import AnswerSentence
from qa.retrieval import Hit
from index.types import Chunk

REASON = "De wachtlijst groeit al drie jaar."
BEFORE = f"De gemeente heeft te weinig plekken. {REASON}"
OPENS = "Daarom opent er in mei een tweede locatie."


def _chunk(paragraph: int, text: str, *, kind: str = "paragraph", doc: str = "opvang.txt") -> Chunk:
    start = paragraph * 1000
    return Chunk(doc, "Opvang", None, paragraph, text, start, start + len(text), paragraph, paragraph, kind=kind)


def _hits(*chunks: Chunk) -> list[Hit]:
    return [Hit(chunk, 1.0 / rank, rank, 0.9) for rank, chunk in enumerate(chunks, 1)]


def _lead_sentence(passage: int = 1) -> AnswerSentence:
    return AnswerSentence(passage, 0, len(OPENS), OPENS, lead=REASON)


def _source(chunks):
    return lambda hit, text: nearest_holding(chunks, hit, text)


def test_the_passage_of_a_lead_is_listed_after_the_passage_it_is_quoted_with():
    before, opens = _chunk(4, BEFORE), _chunk(5, OPENS)
    other, last = _chunk(9, "Elders in de stad wordt ook gebouwd."), _chunk(12, "De raad vergadert in juni.")
    hits, sentences = cite_quoted_sources(_hits(opens, other, last), [_lead_sentence()],
                                          _source([before, opens, other, last]), top_k=3)
    assert [h.chunk for h in hits] == [opens, before, other]  # the last one gives way
    assert [h.rank for h in hits] == [1, 2, 3]
    assert sentences[0].lead_at == (2, BEFORE.index(REASON), len(BEFORE))
    assert hits[1].chunk.text[slice(*sentences[0].lead_at[1:])] == REASON


def test_a_lead_whose_passage_is_listed_keeps_that_rank():
    before, opens = _chunk(4, BEFORE), _chunk(5, OPENS)
    listed = _hits(opens, _chunk(9, "Elders wordt ook gebouwd."), before)
    hits, sentences = cite_quoted_sources(listed, [_lead_sentence()], _source([before, opens]), top_k=3)
    assert hits == listed and sentences[0].lead_at[0] == 3


def test_a_later_quoted_passage_moves_down_with_the_insertion_and_is_never_dropped():
    before, opens = _chunk(4, BEFORE), _chunk(5, OPENS)
    second = _chunk(9, "De tweede locatie krijgt veertig bedden.")
    sentences = [_lead_sentence(), AnswerSentence(2, 0, len(second.text), second.text)]
    hits, moved = cite_quoted_sources(_hits(opens, second), sentences, _source([before, opens, second]), top_k=3)
    assert [h.chunk for h in hits] == [opens, before, second] and moved[1].passage == 3
    # With no room left the quoted passages stay and the lead is quoted without a source of its own.
    hits, kept = cite_quoted_sources(_hits(opens, second), sentences, _source([before, opens, second]), top_k=2)
    assert [h.chunk for h in hits] == [opens, second] and kept == sentences


def test_footnotes_and_reference_lists_are_never_the_source_of_a_quote():
    opens = _chunk(5, OPENS)
    note = _chunk(30, f"1 {REASON}", kind="footnote")
    links = _chunk(31, f"Zie {REASON} https://example.org", kind="reference")
    assert nearest_holding([note, links, opens], _hits(opens)[0], REASON) is None
    far, near = _chunk(1, BEFORE), _chunk(4, BEFORE)
    assert nearest_holding([far, near, opens], _hits(opens)[0], REASON) is near


def test_a_footnote_context_cites_the_body_passage_that_carries_the_marker():
    body = _chunk(3, f"{REASON}1 De gemeente zoekt nog een gebouw.")
    note = _chunk(30, "1 Cijfers van de GGD, 2025.", kind="footnote")
    quote = AnswerSentence(1, 2, len(note.text), note.text[2:], context=REASON)
    hits, sentences = cite_quoted_sources(_hits(note), [quote], _source([body, note]), top_k=5)
    assert [h.chunk for h in hits] == [note, body] and sentences[0].lead_at == (2, 0, len(REASON))


def test_two_leads_each_cite_their_own_passage_when_the_first_insertion_moves_the_second():
    before, opens = _chunk(4, BEFORE), _chunk(5, OPENS)
    reason2 = "Het gebouw staat al twee jaar leeg."
    before2, opens2 = _chunk(20, f"Het oude raadhuis is vrij. {reason2}"), _chunk(21, "Daardoor kan het snel open.")
    sentences = [_lead_sentence(), AnswerSentence(2, 0, len(opens2.text), opens2.text, lead=reason2)]
    hits, cited = cite_quoted_sources(_hits(opens, opens2), sentences, _source([before, opens, before2, opens2]),
                                      top_k=5)
    assert [h.chunk for h in hits] == [opens, before, opens2, before2]
    assert [(s.passage, s.lead_at[0]) for s in cited] == [(1, 2), (3, 4)]
    for sentence in cited:
        rank, start, end = sentence.lead_at
        assert hits[rank - 1].chunk.text[start:end] == sentence.lead

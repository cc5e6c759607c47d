"""Answering on the real seeds index: fusion, follow-ups, extraction and abstention.

The questions are written for these tests from the seed documents; none comes
from the evaluation sets.
"""

import re

import pytest

from index.types import Chunk
from qa.options import AnswerOptions
from qa.retrieval import diversify, is_follow_up
from qa.service import NOTHING_FOUND, Answerer

ROTTERDAM = "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?"


@pytest.fixture(scope="module")
def answerer(seeds_snapshot, embedder):
    return Answerer(seeds_snapshot, embedder, AnswerOptions())


def test_answer_is_quoted_word_for_word_with_offsets(answerer):
    answer = answerer.ask(ROTTERDAM)
    assert not answer.abstained
    sentence = answer.sentences[0]
    passage = answer.hits[sentence.passage - 1].chunk.text
    assert passage[sentence.start:sentence.end] == sentence.text
    assert answer.text == f"{sentence.text} [{sentence.passage}]"
    assert "Rotterdam" in answer.text


def test_quantity_question_gets_the_sentence_with_the_number(answerer):
    answer = answerer.ask("Hoeveel Limburgse huishoudens met een bijstandsuitkering kregen een brief over de gratis kaart?")
    assert "28.000" in answer.text
    assert answer.hits[0].chunk.doc_id == "004_4a6563aa008f8ac9.txt"


def test_follow_up_is_answered_in_the_context_of_the_conversation(answerer):
    alone = answerer.ask("En wie is daar wethouder?")
    follow_up = answerer.ask("En wie is daar wethouder?", history=[ROTTERDAM])
    assert "Rotterdam" in follow_up.hits[0].chunk.heading
    assert "Versnel" in follow_up.text
    # Without the conversation the same words point elsewhere: the history did the work.
    assert "Rotterdam" not in (alone.hits[0].chunk.heading or "")


def test_a_new_subject_is_not_dragged_back_to_the_old_one(answerer):
    answer = answerer.ask("Wat vraagt Valente over medische zorg voor arbeidsmigranten?", history=[ROTTERDAM])
    assert answer.hits[0].chunk.doc_id == "001_ab8a111fa1afc862.txt"
    assert all("Rotterdam" not in (hit.chunk.heading or "") for hit in answer.hits[:3])


def test_follow_up_detection():
    terms = lambda text: re.findall(r"\w{4,}", text.lower())  # noqa: E731 - a stand-in analyzer
    assert is_follow_up("En hoeveel kost dat?", ["Wat is de kostendelersnorm?"], terms)
    assert is_follow_up("Vanaf wanneer gaat de inspectie daarop letten?", ["Wat regelt de wet?"], terms)
    assert not is_follow_up("En hoeveel kost dat?", [], terms)
    assert not is_follow_up("Welke maatregelen neemt het kabinet tegen malafide uitzendbureaus in Nederland?",
                            ["Wat is de kostendelersnorm?"], terms)


@pytest.mark.parametrize("question", [
    "Hoe lang moet een appeltaart met kaneel in de oven?",
    "Hoeveel kost een treinkaartje naar Parijs?",
])
def test_out_of_corpus_questions_abstain(answerer, question):
    answer = answerer.ask(question)
    assert answer.abstained and answer.text == NOTHING_FOUND
    assert answer.citations == [] and answer.sentences == []


def test_compound_in_the_question_finds_its_parts_in_the_text(answerer):
    answer = answerer.ask("Wat vindt Valente van de kostendelersnorm?", top_k=3)
    assert any("kostendelersnorm" in hit.chunk.text for hit in answer.hits)
    assert answer.hits[0].chunk.doc_id == "000_d31a0db93372aa9b.txt"


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_retrieval_mode_finds_the_rotterdam_article(seeds_snapshot, embedder, mode):
    answer = Answerer(seeds_snapshot, embedder, AnswerOptions(retrieval=mode)).ask(ROTTERDAM, top_k=5)
    assert any("Rotterdam" in (hit.chunk.heading or "") for hit in answer.hits[:3])
    assert [hit.rank for hit in answer.hits] == list(range(1, len(answer.hits) + 1))


def test_no_document_fills_the_whole_list(answerer):
    answer = answerer.ask("Wat staat er in de knipselkrant over de bijstand?", top_k=10)
    documents = [hit.chunk.doc_id for hit in answer.hits]
    assert len(set(documents)) >= 3


def test_later_passages_of_one_document_must_be_clearly_stronger_to_go_first():
    def chunk(doc, n):
        return Chunk(doc_id=doc, title=doc, heading=None, paragraph=n, text=f"{doc} {n}", start=0, end=1,
                     line_start=n, line_end=n)

    chunks = {1: chunk("a", 1), 2: chunk("a", 2), 3: chunk("a", 3), 4: chunk("b", 1), 5: chunk("b", 2)}
    scores = {1: 1.0, 2: 0.9, 3: 0.8, 4: 0.55, 5: 0.3}
    ranked = sorted(scores, key=lambda i: -scores[i])
    # a's second passage (0.9, decayed to 0.6) still beats b's best (0.55); its third (0.8 → 0.4) does not.
    assert diversify(ranked, scores, chunks, 5) == [1, 2, 4, 3, 5]
    assert diversify(ranked, scores, chunks, 2) == [1, 2]

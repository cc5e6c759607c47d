"""When Vraagbaak says it found nothing, instead of quoting something merely close.

Two stages. Before an answer is picked, the retrieval must be close at all:
the best passage's cosine and the share of the question's specific words
found anywhere in the corpus (`retrieval_is_weak`). After the answer
sentences are picked, each must answer *this* question (`supported_sentences`,
`answer_is_unsupported`); the answer abstains when none does:
a question that asks for one specific value -- a number, an amount, a date,
a person or body ("wie") -- whose answer sentence and passage hold few of
its words, is a near miss: the documents speak of the subject, but not of
what was asked ("in 2025", "met één huisgenoot", "voor een alleenstaande",
"van de Belastingdienst"). So is one whose answer passage holds no number at
all where a number or an amount is asked for, one asking for the holder of a
role ("Wie is de burgemeester van ...?") whose passage never names the role,
one naming a place, person or body ("in Maastricht") that the answer's section
never names, one asking "in welk jaar" of a passage that names no year, one asking "wanneer" of an
event (not of a condition: "Wanneer heb ik recht op ...?") whose passage names no time at all, and an
answer whose passage lacks a figure the question names (a year, "10.000 euro",
"65 jaar"). A follow-up ("En in 2023?", "En in Friesland?") is held only to
the figures and names of its own words: its words are few by nature, and the
conversation carries its subject.
Thresholds are chosen on the tuning half of the dev sets (docs/quality.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.analysis import fold

from .answer_types import DATE, question_names, role_body, type_evidence
from .extract import AnswerSentence, Question, sentence_terms, term_overlap
from .options import AnswerOptions
from .retrieval import Hit, Retrieval

# Answer types whose answer is one specific value: a near miss quotes a wrong one.
# "wie" asks for one person or body as "hoeveel" asks for one number. "Welke X"
# is not in it: "Welke punten legt ... voor?" is answered in other words than
# it asks, and places and reasons neither (docs/quality.md).
SPECIFIC_TYPES = ("quantity", "amount", "date", "name")
# Of those, the ones whose answer is always written as a number. "Wanneer"
# often asks for a condition ("Wanneer heb ik recht op ...?"), which no date
# in the passage has to answer.
COUNTED_TYPES = ("quantity", "amount")
# "In welk jaar ...?" is answered by a year, in figures or relative to now; "wanneer"
# may ask for a condition ("Wanneer heb ik recht op ...?") and is not checked this way.
YEAR_ASKED = re.compile(r"\bwelk jaar\b")
# "Wanneer ...?" asks for a moment ("Wanneer brengt de SER zijn advies uit?"), unless it asks for a
# condition of the asker or of people in general ("Wanneer heb ik recht op ...?", "Wanneer krijg je ...?").
WHEN_ASKED = re.compile(r"^(?:en\s+)?wanneer\b")
WHEN_CONDITION = re.compile(r"\bwanneer\s+(?:\w+\s+){0,2}(?:ik|je|jij|u|we|wij|men|iemand|mensen)\b")
YEAR_SAID = re.compile(r"\b(?:19|20)\d\d\b|\b(?:dit|volgend|komend|vorig|afgelopen|het nieuwe) jaar\b")
# The setting of every corpus Vraagbaak serves (Dutch public life): "in Nederland",
# "Nederlandse" constrain nothing, and a passage seldom says them.
SETTING = "nederland"


def retrieval_is_weak(retrieval: Retrieval, options: AnswerOptions) -> bool:
    """No close passage, or the question's specific words are not in the corpus."""
    if not retrieval.hits:
        return True
    if retrieval.best_dense < options.min_dense_score:
        return True
    if retrieval.follow_up:
        # A follow-up's own words are few by nature; the conversation carries its subject.
        return False
    return (retrieval.coverage < options.min_coverage
            and retrieval.best_dense < options.coverage_waived_above)


def _passage(hit: Hit) -> str:
    return " ".join(part for part in (hit.chunk.title, hit.chunk.heading, hit.chunk.text) if part)


def misses_constraint(question: Question, hit: Hit, follow_up: bool,
                      section: Callable[[Hit], str] | None = None) -> bool:
    """The passage speaks of another figure, place, person, body or role than the question names.

    `section(hit)` gives the text around the passage that its names may come
    from (the passages under its heading); without it, only the passage counts.
    """
    passage = _passage(hit)
    own = question.own or question.text
    if figures(own) - figures(passage):
        return True  # "... in 2026?", "... 10.000 euro ...?", a follow-up "En in 2023?", over another figure
    if question.wanted.kind not in SPECIFIC_TYPES:
        return False
    if follow_up:
        # Its own words are few by nature; only a place, person or body it names itself must be there.
        return bool(names_not_in_section(own, passage, hit, section))
    if question.wanted.role and question.wanted.role not in fold(passage):
        return True  # "Wie is de burgemeester van ...?" over a passage that names no burgemeester
    if body_not_in_section(question.text, passage, hit, section):
        return True  # "Wie is de voorzitter van de VNG?" over a passage on the CNV's chairman
    return bool(names_not_in_section(question.text, passage, hit, section))  # "... in Maastricht?" over Sittard


def answer_is_unsupported(question: Question, sentence: AnswerSentence, hit: Hit, follow_up: bool,
                          options: AnswerOptions, section: Callable[[Hit], str] | None = None) -> bool:
    """The picked sentence speaks of the subject but not of what was asked: its passage misses a
    constraint of the question (`misses_constraint`), or it says too little (`says_too_little`)."""
    return (misses_constraint(question, hit, follow_up, section)
            or says_too_little(question, sentence, hit, follow_up, options))


def says_too_little(question: Question, sentence: AnswerSentence, hit: Hit, follow_up: bool,
                    options: AnswerOptions) -> bool:
    """The passage holds no fact of the kind asked for, or the sentence and its passage share too
    few of the question's words."""
    if question.wanted.kind not in SPECIFIC_TYPES or follow_up:
        return False
    passage = _passage(hit)
    if YEAR_ASKED.search(fold(question.text)) and not YEAR_SAID.search(fold(passage)):
        return True  # "In welk jaar ...?" over a passage that names no year
    if asks_a_moment(question.text) and not DATE.search(fold(passage)):
        return True  # "Wanneer brengt de SER zijn advies uit?" over a passage that names no time at all
    if question.wanted.kind in COUNTED_TYPES and type_evidence(question.wanted, passage, question.text) < 1.0:
        return True  # "hoeveel euro" over a passage that names no amount at all
    quoted = f"{sentence.context or sentence.lead or ''} {sentence.text}"
    return (term_overlap(question.terms, sentence_terms(quoted)) < options.min_sentence_support
            and term_overlap(question.terms, sentence_terms(passage)) < options.min_passage_support)


def asks_a_moment(question: str) -> bool:
    """ "Wanneer ...?" about an event, not about a condition ("Wanneer heb ik recht op ...?")."""
    folded = fold(question).strip()
    return bool(WHEN_ASKED.search(folded)) and not WHEN_CONDITION.search(folded)


# A figure written in digits: "2026", "10.000", "1,5", "65"; not a part of a word ("CCD2", "B1").
FIGURE = re.compile(r"(?<![\w.,])\d(?:[\d.,]*\d)?(?![\w])")


def figures(text: str) -> set[str]:
    """The figures a text names. One a question names (a year, an amount, an age) is a constraint:
    a passage that does not name it answers a neighbouring question."""
    return set(FIGURE.findall(text))


def supported_sentences(question: Question, sentences: list[AnswerSentence], hits: list[Hit], follow_up: bool,
                        options: AnswerOptions, section: Callable[[Hit], str] | None = None) -> list[AnswerSentence]:
    """The answer sentences that answer *this* question; none left is a near miss.

    When the best sentence's passage misses a constraint of the question (another
    year, figure, place, person, body or role: `misses_constraint`), the documents'
    closest answer is about something else, and nothing is quoted. Otherwise each
    sentence is held to the question on its own (`answer_is_unsupported`, with
    its own passage and section): a best sentence that says too little of the
    question gives way to a second one that says enough, and a second sentence
    that speaks only of the subject is not quoted beside a best one that answers.
    Before session 21 only the best sentence was checked, and any failure of it
    silenced the whole answer (docs/quality.md).
    """
    if not sentences or misses_constraint(question, hits[sentences[0].passage - 1], follow_up, section):
        return []
    best, *others = sentences
    kept = [] if says_too_little(question, best, hits[best.passage - 1], follow_up, options) else [best]
    return kept + [s for s in others
                   if not answer_is_unsupported(question, s, hits[s.passage - 1], follow_up, options, section)]


def body_not_in_section(question: str, passage: str, hit: Hit, section: Callable[[Hit], str] | None) -> bool:
    """"Wie is de X van Y?" where neither the passage nor its section names Y, even by an acronym.

    The general name check leaves acronyms out ("volgens de VNG" names a
    source a passage need not repeat); the body whose role is asked is the
    constraint itself, and a passage about another body's chairman is a near miss.
    """
    parts = role_body(question)
    if not parts or any(part in fold(passage) for part in parts):
        return False
    return section is None or not any(part in fold(section(hit)) for part in parts)


def names_not_in_section(question: str, passage: str, hit: Hit, section: Callable[[Hit], str] | None) -> list[str]:
    """The question's names (`question_names`) of which neither the passage nor its section holds a part.

    A name in a question that asks for one value is a constraint: "hoeveel
    appartementen in Maastricht" is not answered by the number of apartments
    in Sittard-Geleen. The section (the passages under the same heading: one
    article of a clippings file, or a whole letter) counts, since a passage
    leaves the place or body its article is about to the article's opening.
    """
    names = [parts for parts in ([p for p in name if not p.startswith(SETTING)] for name in question_names(question))
             if parts]
    folded = fold(passage)
    missing = [name for name in names if not any(part in folded for part in name)]
    if missing and section is not None:
        around = fold(section(hit))
        missing = [name for name in missing if not any(part in around for part in name)]
    return [" ".join(name) for name in missing]

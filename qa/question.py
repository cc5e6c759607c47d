"""Checks a question before any work is spent on it."""

from __future__ import annotations

import re
import unicodedata

from .errors import QuestionError

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 10
_JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner
# What may stand before a question's first word: symbols (an emoji, a bullet, a dash, an opening
# quote) and a list number or letter ("1.", "b)"). Not an apostrophe: "'s-Hertogenbosch", "'t Zandt".
_BEFORE_FIRST_WORD = re.compile(r"^(?:[^\w'’]|_)+|^(?:\d{1,2}|[a-z])[.)]\s+(?=\S)", re.IGNORECASE)


def clean_question(question: object, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    if not isinstance(question, str):
        raise QuestionError("invalid_question", "De vraag moet tekst zijn.")
    # Control characters carry no meaning and confuse tokenizers and logs: a space. Invisible
    # format characters (a soft hyphen, a zero-width space, direction marks) are dropped, so
    # "be\u00adleid" stays one word; the joiners that hold an emoji or a script together stay.
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in _JOINERS
                   else "" if unicodedata.category(ch) == "Cf" else " " for ch in question)
    text = " ".join(text.split())
    if not text.strip(_JOINERS + " "):
        raise QuestionError("empty_question", "De vraag is leeg. Stel een vraag in gewone woorden.")
    text = from_first_word(text)
    if len(text) > max_chars:
        raise QuestionError(
            "question_too_long",
            f"De vraag is te lang ({len(text)} tekens); het maximum is {max_chars} tekens.",
        )
    return text


def from_first_word(text: str) -> str:
    """The question from its first word on: "🏠 Hoeveel ...?", "- Hoeveel ...?" and "1. Hoeveel ...?" ask "Hoeveel ...?".

    A question is read from its start: the question word that opens it says
    what is asked, and a capitalised word after it is a name (qa.answer_types).
    A symbol or list number before it would hide the one and make a name of
    the other. A question of symbols alone stays as it is.
    """
    rest = text
    for _ in range(3):  # "- 1. „Hoeveel"
        rest = _BEFORE_FIRST_WORD.sub("", rest, count=1)
    return rest if rest.strip(_JOINERS + " ") else text


def clean_history(history: object, *, max_chars: int = MAX_QUESTION_CHARS) -> list[str]:
    """Earlier questions of the conversation, oldest first; only the last few count."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise QuestionError("invalid_history", "De geschiedenis moet een lijst met eerdere vragen zijn.")
    cleaned = []
    for item in history[-MAX_HISTORY_TURNS:]:
        try:
            cleaned.append(clean_question(item, max_chars=max_chars))
        except QuestionError as exc:
            raise QuestionError("invalid_history", f"Een eerdere vraag is ongeldig: {exc.message}") from exc
    return cleaned

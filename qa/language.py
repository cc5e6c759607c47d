"""Which language a question is in, said with care for short questions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from langdetect import DetectorFactory, LangDetectException, detect_langs

from index.analysis import stopwords, words

DetectorFactory.seed = 0  # langdetect is random by default; answers must repeat

NOT_DUTCH_NOTICE = (
    "Let op: je vraag lijkt niet in het Nederlands gesteld. De documenten zijn Nederlandstalig; "
    "stel je vraag in het Nederlands voor de beste antwoorden."
)

# langdetect guesses wildly on a handful of words; below this it is not trusted.
MIN_WORDS_FOR_CONFIDENCE = 4
MIN_PROBABILITY = 0.90


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 as langdetect gives it, "nl" when unsure
    confident: bool
    notice: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "confident": self.confident, "notice": self.notice}


@lru_cache(maxsize=4096)
def detect_language(question: str) -> Language:
    tokens = words(question)
    try:
        guesses = detect_langs(question)
    except LangDetectException:
        return Language("nl", False)
    best = guesses[0]
    dutch_share = sum(t in stopwords() for t in tokens) / max(1, len(tokens))
    if best.lang == "nl":
        return Language("nl", best.prob >= MIN_PROBABILITY and len(tokens) >= MIN_WORDS_FOR_CONFIDENCE)
    # Short questions and questions full of Dutch function words are taken as
    # Dutch: a wrong "not Dutch" notice is worse than a missing one.
    if len(tokens) < MIN_WORDS_FOR_CONFIDENCE or best.prob < MIN_PROBABILITY or dutch_share >= 0.3:
        return Language("nl", False)
    return Language(best.lang, True, NOT_DUTCH_NOTICE)

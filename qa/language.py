"""Which language a question is in, said with care for short questions."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import PROFILES_DIRECTORY

from index.analysis import stopwords, words

# The languages a question to Dutch documents is realistically written in,
# plus the one langdetect confuses with Dutch most (Afrikaans): its guess is
# taken as Dutch, never as a reason for the "not Dutch" notice.
# Scoring 18 profiles instead of all 55 halves the time of a detection, which
# is a visible share of an ask next to the model (docs/performance.md).
CONFUSED_WITH_DUTCH = "af"
LANGUAGES = ("nl", CONFUSED_WITH_DUTCH, "en", "de", "fr", "es", "it", "pt", "pl", "ro", "tr", "ar", "ru", "id", "so",
             "da", "sv", "no")

NOT_DUTCH_NOTICE = (
    "Let op: je vraag lijkt niet in het Nederlands gesteld. De documenten zijn Nederlandstalig; "
    "stel je vraag in het Nederlands voor de beste antwoorden."
)

# langdetect averages its guess over random samples of the text's n-grams, 7 by default. A
# question is short: 3 give the same language on every question of the evaluation sets and on
# 21 questions in 14 other languages (only the `confident` flag of some Dutch ones changes), in
# half the time, which is a visible share of an ask next to the model (docs/performance.md).
TRIALS = 3

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


@lru_cache(maxsize=2)
def _factory(codes: tuple[str, ...] | None = LANGUAGES) -> DetectorFactory:
    """A detector factory over the profiles of `codes` (None: every language langdetect has)."""
    factory = DetectorFactory()
    factory.seed = 0  # langdetect is random by default; answers must repeat
    if codes is None:
        factory.load_profile(PROFILES_DIRECTORY)
    else:
        factory.load_json_profile([(Path(PROFILES_DIRECTORY) / code).read_text("utf-8") for code in codes])
    return factory


def load_profiles() -> None:
    """Read the language profiles now (1-3 s the first time), so that the first question does not wait for them."""
    _factory()
    _factory(None)


# The scripts the languages in LANGUAGES are written in. A question whose letters are mostly in
# another script (Hebrew, Greek, Chinese, ...) is not Dutch whatever its length, and only the
# profiles of every language can say which one it is: among these 18, langdetect picks one at random.
PROFILED_SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC")


def in_profiled_script(text: str) -> bool:
    """Whether most letters of `text` are in a script of LANGUAGES (True without letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    profiled = sum(unicodedata.name(ch, "").startswith(PROFILED_SCRIPTS) for ch in letters)
    return profiled * 2 >= len(letters)


def _guesses(text: str, factory: DetectorFactory):
    detector = factory.create()
    detector.n_trial = TRIALS
    detector.append(text)
    return detector.get_probabilities()


# A question with at least this share of Dutch function words is taken as Dutch (no notice)...
DUTCH_SHARE = 0.3
# ... and with at least this share, in a profiled script, without asking langdetect at all:
# no English or German question of the tests comes near it (at most 0.38), 61% of the
# evaluation sets' questions reach it.
CLEARLY_DUTCH_SHARE = 0.5


@lru_cache(maxsize=4096)
def detect_language(question: str) -> Language:
    """The question's language, and the notice it gets when that is not Dutch.

    A question of which half the words are Dutch function words is Dutch:
    langdetect is not asked, because its answer could not change that (a
    wrong "not Dutch" notice is worse than a missing one), and asking it costs
    nearly a millisecond, more than the whole search (docs/performance.md).
    It is then `confident` when it has enough words to judge by.
    """
    tokens = words(question)
    profiled = in_profiled_script(question)
    dutch_share = sum(t in stopwords() for t in tokens) / max(1, len(tokens))
    if profiled and dutch_share >= CLEARLY_DUTCH_SHARE:
        return Language("nl", len(tokens) >= MIN_WORDS_FOR_CONFIDENCE)
    try:
        guesses = _guesses(question, _factory() if profiled else _factory(None))
    except LangDetectException:
        return Language("nl", False)
    best = guesses[0]
    if not profiled:
        return Language(best.lang, True, NOT_DUTCH_NOTICE)
    if best.lang == "nl":
        return Language("nl", best.prob >= MIN_PROBABILITY and len(tokens) >= MIN_WORDS_FOR_CONFIDENCE)
    if best.lang == CONFUSED_WITH_DUTCH:
        # "Hoe lang duurt een werkloosheidsuitkering straks hoogstens?" is Afrikaans to langdetect: a
        # question of long compounds has few function words. To a Dutch service it is Dutch.
        return Language("nl", False)
    # Short questions and questions full of Dutch function words are taken as
    # Dutch: a wrong "not Dutch" notice is worse than a missing one.
    if len(tokens) < MIN_WORDS_FOR_CONFIDENCE or best.prob < MIN_PROBABILITY or dutch_share >= DUTCH_SHARE:
        return Language("nl", False)
    return Language(best.lang, True, NOT_DUTCH_NOTICE)

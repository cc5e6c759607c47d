"""Text normalization and Dutch word analysis shared by answering and evaluation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize_for_match(text: str) -> str:
    """NFKC, one space for any whitespace run, case-folded (the eval sets' rule)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def fold(text: str) -> str:
    """Lower case without accents, so 'één' and 'een', 'voorkómen' and 'voorkomen' meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = resources.files(__package__).joinpath("stopwords_nl.txt").read_text("utf-8")
    return frozenset(fold(w) for w in words.split() if not w.startswith("#"))


_stemmer = SnowballStemmer("dutch")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stem(word)


def words(text: str) -> list[str]:
    return [fold(m) for m in _WORD.findall(text)]


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry meaning: no stopwords, no one-letter words."""
    return [stem(w) for w in words(text) if w not in stopwords() and (len(w) > 1 or w.isdigit())]

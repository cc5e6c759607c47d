"""Dutch text analysis for lexical retrieval, the same at index time and at query time.

Pipeline for a text:

1. `fold`: case-folded, accents removed (NFKD, combining marks dropped), so
   'één' meets 'een' and 'voorkómen' meets 'voorkomen'.
2. Tokenization (`words`) into word tokens:
   * a run of letters and digits is one token ("wtta", "2026", "va26");
   * a number with separators is one token, normalized: dots between groups
     of exactly three digits are thousands separators and are dropped
     ("4.500" -> "4500", "1.234,5" -> "1234,5"); a decimal comma stays
     ("30,6" -> "30,6"), as does any other dotted number ("2.1" -> "2.1").
     Numbers are matched exactly, never stemmed;
   * "auto's" -> "auto" (a plural or genitive "'s" is dropped); any other
     apostrophe separates ("zo'n" -> "zo", "n");
   * hyphenated words give their pieces ("ov-kaart" -> "ov", "kaart") and, at
     index and query time, also the joined form ("ovkaart") as an extra term.
3. Stopwords (`stopwords_nl.txt`, Snowball's Dutch list plus question words)
   and one-letter words are dropped; digits always stay.
4. Snowball "dutch" stemming (NLTK), cached per word.
5. Compound splitting (`index.compounds.CompoundSplitter`): a long word also yields the stems
   of its parts, so "kostendelersnorm" matches "norm voor kostendelers" and
   the reverse. Parts are extra terms with a lower weight (`part_weight`).

How compounds are split: `index.compounds`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import compress
from operator import not_
from pathlib import Path

from nltk.stem.snowball import SnowballStemmer

from .compounds import CompoundSplitter
from .errors import IndexCorrupt

# Bump on any change in behaviour: a lexical index stores it and is rebuilt on change.
ANALYZER_VERSION = "2026.1-nl-1"

DEFAULT_PART_WEIGHT = 0.5
DEFAULT_MIN_COUNT = 1  # occurrences in the corpus for a word to enter the lexicon
_LEXICON_HEADER = "# vraagbaak compound lexicon v1"

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_PIECE = r"(?:\d+(?:[.,]\d+)+|[^\W_]+)(?:['\u2019]s\b)?"
_GROUP = re.compile(rf"{_PIECE}(?:[-\u2010\u2011]{_PIECE})*")
_HYPHENS = re.compile(r"[-\u2010\u2011]")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_LEXICON_WORD = re.compile(r"[^\W\d_]{4,}")
# Marks a hyphenated word joined ("eu-landen" -> "\0eulanden") among the units of
# term_units; no token contains it, as "\0" is not a word character.
_JOINED = "\0"


def fold(text: str) -> str:
    """Case-folded and without accents: 'Één' -> 'een', 'voorkómen' -> 'voorkomen'."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _normalize_piece(piece: str) -> str:
    if piece[-2:] in ("'s", "\u2019s"):
        piece = piece[:-2]
    if piece[0].isdigit() and ("." in piece or "," in piece):
        if _THOUSANDS.fullmatch(piece):
            piece = piece.replace(".", "")
    return piece


def _split_apostrophes(piece: str) -> list[str]:
    if "'" in piece or "\u2019" in piece:
        return [p for p in re.split(r"['\u2019]", piece) if p]
    return [piece]


def _token_words(token: str) -> list[str]:
    """The words of one `_GROUP` match of folded text (its pieces, normalized)."""
    if token.isalpha():
        # Most tokens are plain words: no hyphen, apostrophe or digit, so the
        # normalization below would return them unchanged.
        return [token]
    return [p for piece in _HYPHENS.split(token) for p in _split_apostrophes(_normalize_piece(piece))]


@lru_cache(maxsize=100_000)
def _token_units(token: str) -> tuple[str, ...]:
    """The units (see term_units) of one `_GROUP` match that is not a plain word.

    A pure function of the token, so caching it is safe; numbers, codes and
    hyphenated words repeat throughout a corpus.
    """
    group = _token_words(token)
    return (*group, _JOINED + "".join(group)) if len(group) > 1 else tuple(group)


def word_groups(text: str) -> list[list[str]]:
    """Folded tokens, grouped per hyphenated word: "EU-landen" -> [["eu", "landen"]]."""
    groups = []
    for token in _GROUP.findall(fold(text)):  # _GROUP has no capturing group: findall gives whole matches
        group = _token_words(token)
        if group:
            groups.append(group)
    return groups


def term_units(text: str) -> list[str]:
    """The text as a sequence of units, whose terms DutchAnalyzer.unit_terms gives: by definition

        analyzer.weighted_terms(text)
            == [pair for unit in term_units(text) for pair in analyzer.unit_terms(unit)]

    A unit is a folded word (the words of `word_groups`, in order), or, after
    the words of a hyphenated word, that word joined, marked with a leading
    "\\0" that no word contains. The units do not depend on any lexicon and a
    unit's terms do not depend on the text, so an index build analyses each
    distinct unit only once (LexicalIndex.build) and still gets exactly the
    terms of weighted_terms.
    """
    tokens = _GROUP.findall(fold(text))
    # A plain word (all letters) is its own single unit; only the other
    # tokens need _token_units. Finding them with map/compress keeps the loop
    # over every word in C, which matters for a whole corpus.
    others = list(compress(range(len(tokens)), map(not_, map(str.isalpha, tokens))))
    if not others:
        return tokens
    units: list[str] = []
    start = 0
    for i in others:
        units += tokens[start:i]
        units += _token_units(tokens[i])
        start = i + 1
    units += tokens[start:]
    return units


def is_word_unit(unit: str) -> bool:
    """False for the joined form of a hyphenated word among the units of `term_units`."""
    return unit[:1] != _JOINED


def words(text: str) -> list[str]:
    """All folded word tokens of `text`, stopwords included, in order."""
    return [w for group in word_groups(text) for w in group]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Dutch stopwords of `stopwords_nl.txt`, folded."""
    raw = (Path(__file__).parent / "stopwords_nl.txt").read_text("utf-8")
    out = set()
    for line in raw.splitlines():
        if not line.strip().startswith("#"):
            out.update(words(line))
    return frozenset(out)


_stemmer = SnowballStemmer("dutch")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Dutch stem of a folded word; numbers and codes with digits stay as they are."""
    if any(c.isdigit() for c in word):
        return word
    return _stemmer.stem(word)


class DutchAnalyzer:
    """Dutch analyzer: folding, tokenization, stopwords, Snowball stems, compound parts.

    * `terms(text)`: index-time terms, with repetitions (whole-word stems and
      compound-part stems); `weighted_terms` gives each its weight (1.0 for a
      word, `part_weight` for a compound part or a joined hyphenated word).
    * `query_terms(text)`: the distinct query terms; `weighted_query_terms`
      gives term -> weight (1.0 for a word, `query_part_weight` -- by default
      `part_weight` -- for a term that is only a compound part in the query).
      Measured on the seed and VAC dev sets, 0.5 on both sides was best
      (1.0 for parts, or 1.0 for query parts only, was slightly worse).
    * `content_terms(text)`: stems of the non-stopword words, no compound
      parts, with repetitions (for sentence scoring).

    Build one for a corpus with `DutchAnalyzer.learn(texts)`; keep its lexicon
    with `save_lexicon(path)` and `DutchAnalyzer.load(path)`.
    """

    def __init__(
        self,
        lexicon: Iterable[str] = (),
        *,
        part_weight: float = DEFAULT_PART_WEIGHT,
        query_part_weight: float | None = None,
        compounds: bool = True,
        stemming: bool = True,
        builtin_parts: bool = True,
    ):
        self.part_weight = float(part_weight)
        self.query_part_weight = self.part_weight if query_part_weight is None else float(query_part_weight)
        self.compounds = bool(compounds)
        self.stemming = bool(stemming)
        self.builtin_parts = bool(builtin_parts)
        self._lexicon = frozenset(lexicon)
        self.splitter = (CompoundSplitter(self._lexicon, builtin=builtin_parts, stop=stopwords())
                         if compounds else None)
        self._stop = stopwords()
        self._cache: dict[str, tuple[tuple[str, float], ...]] = {}

    # -- construction and persistence -----------------------------------------------------

    @classmethod
    def learn(cls, texts: Iterable[str], *, min_count: int = DEFAULT_MIN_COUNT, **options) -> DutchAnalyzer:
        """An analyzer whose compound lexicon is the vocabulary of `texts`.

        The lexicon holds the folded words of at least four letters (no digits,
        no stopwords) that occur at least `min_count` times.
        """
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(_LEXICON_WORD.findall(fold(text)))
        return cls._from_counts(counts, min_count, options)

    @classmethod
    def learn_units(
        cls, units: Iterable[tuple[str, int]], *, min_count: int = DEFAULT_MIN_COUNT, **options
    ) -> DutchAnalyzer:
        """The analyzer `learn(texts)` gives, from the distinct units of `term_units` over
        those texts and how often each occurs: (unit, occurrences) pairs.

        It counts the same words. A lexicon word is a maximal run of
        [^\\W\\d_] characters in the folded text; every such character lies in
        a `_GROUP` match (they are all [^\\W_]), and a run never crosses the
        end of a match (a match ends after a digit, or before a character that
        is not [^\\W_]). Inside a match, turning it into words only removes characters
        outside the runs (hyphens, apostrophes, the dots of a number) and the
        "s" of a possessive "'s" (a run of one letter, too short for the
        lexicon). So the runs of the word units, each counted as often as the
        unit occurs, are exactly the runs of the texts; joined units repeat
        their words and are left out.
        """
        counts: Counter[str] = Counter()
        for unit, occurrences in units:
            if is_word_unit(unit):
                for word in _LEXICON_WORD.findall(unit):
                    counts[word] += occurrences
        return cls._from_counts(counts, min_count, options)

    @classmethod
    def _from_counts(cls, counts: Counter[str], min_count: int, options: dict) -> DutchAnalyzer:
        stop = stopwords()
        lexicon = (w for w, c in counts.items() if c >= min_count and w not in stop)
        return cls(lexicon, **options)

    @property
    def lexicon(self) -> frozenset[str]:
        return self._lexicon

    def config(self) -> dict:
        """The settings that, with the lexicon, reproduce this analyzer."""
        return {
            "version": ANALYZER_VERSION,
            "part_weight": self.part_weight,
            "query_part_weight": self.query_part_weight,
            "compounds": self.compounds,
            "stemming": self.stemming,
            "builtin_parts": self.builtin_parts,
        }

    def save_lexicon(self, path: Path) -> None:
        """Write the lexicon as UTF-8 text, one word a line, after a header line."""
        body = "\n".join(sorted(self._lexicon))
        Path(path).write_text(f"{_LEXICON_HEADER}\n{body}\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, **options) -> DutchAnalyzer:
        """An analyzer with the lexicon saved at `path`; IndexCorrupt if it is missing or damaged."""
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise IndexCorrupt(f"woordenlijst voor samenstellingen ontbreekt: {Path(path).name}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorrupt(f"woordenlijst voor samenstellingen is onleesbaar: {Path(path).name}") from exc
        lines = raw.split("\n")
        if not lines or lines[0] != _LEXICON_HEADER or raw[-1:] != "\n":
            raise IndexCorrupt(f"woordenlijst voor samenstellingen is beschadigd: {Path(path).name}")
        return cls((w for w in lines[1:] if w), **options)

    # -- analysis ----------------------------------------------------------------------------

    def _stem(self, word: str) -> str:
        return stem(word) if self.stemming else word

    def _word_terms(self, word: str) -> tuple[tuple[str, float], ...]:
        """(term, weight) pairs for one folded word: its stem and its compound parts' stems."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        out: list[tuple[str, float]] = []
        if word not in self._stop and (len(word) > 1 or word.isdigit()):
            whole = self._stem(word)
            out.append((whole, 1.0))
            parts = self.splitter.split(word) if self.splitter is not None else None
            if parts:
                seen = {whole}
                for part in parts:
                    if part in self._stop:
                        continue
                    t = self._stem(part)
                    if t not in seen:
                        seen.add(t)
                        out.append((t, self.part_weight))
        result = tuple(out)
        if len(self._cache) > 500_000:
            self._cache.clear()
        self._cache[word] = result
        return result

    def unit_terms(self, unit: str) -> tuple[tuple[str, float], ...]:
        """(term, weight) pairs of one unit of `term_units`."""
        if not is_word_unit(unit):
            joined = unit[1:]
            return () if joined in self._stop else ((self._stem(joined), self.part_weight),)
        return self._word_terms(unit)

    def weighted_terms(self, text: str) -> list[tuple[str, float]]:
        """Index-time (term, weight) pairs, in text order, with repetitions."""
        out: list[tuple[str, float]] = []
        for unit in term_units(text):
            out.extend(self.unit_terms(unit))
        return out

    def terms(self, text: str) -> list[str]:
        """Index-time terms: whole-word stems and compound-part stems, with repetitions."""
        return [t for t, _ in self.weighted_terms(text)]

    def weighted_query_terms(self, text: str) -> dict[str, float]:
        """Distinct query terms -> weight (1.0 for a word, `part_weight` for a part only)."""
        out: dict[str, float] = {}
        for t, w in self.weighted_terms(text):
            if w < 1.0:
                w = self.query_part_weight
            if w > out.get(t, 0.0):
                out[t] = w
        return out

    def query_terms(self, text: str) -> list[str]:
        """The distinct terms of a query, in order of first appearance."""
        return list(self.weighted_query_terms(text))

    def content_terms(self, text: str) -> list[str]:
        """Stems of the non-stopword words (no one-letter words, no compound parts)."""
        stop = self._stop
        return [self._stem(w) for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]

    def whole_terms(self, text: str) -> list[tuple[str, list[str]]]:
        """Per content word: its stem and its compound parts' stems (for coverage)."""
        out = []
        for w in words(text):
            terms = self._word_terms(w)
            if terms:
                out.append((terms[0][0], [t for t, _ in terms[1:]]))
        return out

"""Dutch compound splitting: a long word also yields its parts, for lexical retrieval.

"kostendelersnorm" then matches "norm voor kostendelers", and the reverse.
Compound splitting uses a lexicon of known words: the corpus vocabulary,
learned at build time (`DutchAnalyzer.learn`) and saved with the index,
plus a small built-in list of very common Dutch word parts. A word of at
least `MIN_COMPOUND` (and at most `MAX_COMPOUND`) letters is split into the fewest parts that are
lexicon words (each at least `MIN_PART` letters, never a stopword or a
suffix-like word), with the linking morphemes "s", "en" or "e" allowed
after a non-final part and an inflection ("s", "en", "e") after the last.
Ties go to the split with the longest parts. One exception lets a part be
unknown: the FIRST part of a two-part split, when it is long
(`MIN_UNKNOWN_PART` letters), ends in the linking "s" after a suffix that
takes it (-ing, -heid, -teit, -schap, -er, ...), and the head is a known word
not starting with "t" ("...s|telling" is mostly "...|stelling") -- Dutch
modifiers often occur only inside compounds ("kostendelers|norm"). Splitting adds terms and never replaces the whole
word, so a rare false split costs some noise, not a lost match.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_COMPOUND = 8  # letters: shorter words are never split
# Letters: longer "words" are no Dutch compound (the longest in use have some 50 letters) but a run
# of letters without spaces -- an encoded image, a hash -- and the search for a split grows with the
# cube of the length (2,000 letters took 0.9 s, 20,000 would take a quarter of an hour).
MAX_COMPOUND = 64
MIN_PART = 4  # letters of a lexicon part
MIN_UNKNOWN_PART = 7  # letters of an unknown first part, linking "s" included

_LINKS = ("", "s", "en", "e")  # after a non-final part
_INFLECTIONS = ("", "s", "en", "e")  # after the last part

# Very common Dutch word parts, so that small corpora split their compounds too.
_BUILTIN_PARTS = frozenset(
    """
    aanvraag aanvragen arbeid asiel bedrag bedrijf beleid belasting besluit bijdrage
    bijstand burger datum dienst gemeente geld gezin grens huur huis hulp inkomen
    jeugd keten kind kinderen kosten leeftijd loon markt minimum norm onderwijs
    opvang ouder ouders overheid pensioen plan plicht premie prijs provincie recht
    regeling regels schuld school stelsel status subsidie systeem termijn toeslag
    uitkering verlof vergoeding vergunning verzekering verzoek werk werkgever
    werknemer wijziging woning zorg ziekte zoeker zoekers houder houders
    """.split()
)
# Endings of modifiers that take the linking "s" (toelating-s-, gezondheid-s-, kostendeler-s-).
_S_LINKED = ("ing", "heid", "teit", "schap", "dom", "er", "aar", "ier", "eur", "ang")
# Real words that are mostly suffixes inside longer words: never a part.
_NOT_PARTS = frozenset(
    """
    lijk lijke lijks baar bare heid heden isch ische achtig achtige loos loze
    zaam zame schap ling lingen ment menten atie aties iteit eren erij ster
    sters aars ende ende ring ringen eling elingen igen ingen eerd eren tief
    tieve ische ieke isme ist isten
    """.split()
)


class CompoundSplitter:
    """Splits Dutch compounds into parts found in a lexicon (see the module docstring)."""

    def __init__(self, lexicon: Iterable[str] = (), *, builtin: bool = True, unknown_first: bool = True,
                 stop: frozenset[str] = frozenset()):
        """`stop`: words that are never a part (the analyzer's stopwords)."""
        words_ = set(lexicon)
        if builtin:
            words_ |= _BUILTIN_PARTS
        self.lexicon = frozenset(
            w for w in words_ if len(w) >= MIN_PART and w not in stop and w not in _NOT_PARTS and w.isalpha()
        )
        self.unknown_first = unknown_first

    def split(self, word: str) -> list[str] | None:
        """The parts of a folded word (surface forms, linking morphemes removed), or None."""
        if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
            return None
        best = self._known_splits(word)
        result = best[0]
        if self.unknown_first:
            result = self._with_unknown_modifier(word, best, result)
        if result is None or len(result[1]) < 2:
            return None
        return list(result[1])

    def _known_splits(self, word: str) -> list[tuple | None]:
        """best[i]: the cheapest split of word[i:] into lexicon parts, as (cost, parts), or None.

        Cost = (number of parts, unknown parts, -sum of squared part lengths):
        fewest parts first, then the longest parts. Worked out from the back
        of the word, each suffix once (dynamic programming).
        """
        n = len(word)
        lex = self.lexicon
        best: list[tuple | None] = [None] * (n + 1)
        for i in range(n - MIN_PART, -1, -1):
            cands = []
            # word[i:] as the last part, perhaps inflected
            for infl in _INFLECTIONS:
                end = n - len(infl)
                if end - i >= MIN_PART and word.endswith(infl) and word[i:end] in lex and i > 0:
                    cands.append(((1, 0, -((n - i) ** 2)), (word[i:],)))
            for j in range(i + MIN_PART, n - MIN_PART + 1):
                part = word[i:j]
                if part not in lex:
                    continue
                for link in _LINKS:
                    k = j + len(link)
                    if link and not word.startswith(link, j):
                        continue
                    rest = best[k] if k <= n else None
                    if rest is None:
                        continue
                    (c_parts, c_unknown, c_sq), parts = rest
                    cands.append(((c_parts + 1, c_unknown, c_sq - len(part) ** 2), (part,) + parts))
            if cands:
                best[i] = min(cands)
        return best

    def _with_unknown_modifier(self, word: str, best: list[tuple | None], result: tuple | None) -> tuple | None:
        """The known split, or a cheaper one: an unknown modifier ending in the linking "s", then one known head."""
        n = len(word)
        for j in range(MIN_UNKNOWN_PART, n - MIN_PART + 1):
            if word[j - 1] != "s" or best[j] is None or best[j][0][0] != 1:
                continue
            modifier = word[: j - 1]
            if modifier in self.lexicon or not modifier.endswith(_S_LINKED) or word[j] == "t":
                continue  # known modifiers are the DP's; "s"+"t..." is mostly a head "st..."
            cand = ((2, 1, best[j][0][2] - len(modifier) ** 2), (modifier,) + best[j][1])
            if result is None or cand < result:
                result = cand
        return result

"""Joining two lines of one paragraph, and undoing hyphenation at the break.

A line that ends in a hyphen after a lower-case letter, followed by a line
that starts lower-case, was hyphenated by the typesetter ("ge-" + "meenten"
gives "gemeenten") -- unless the hyphen is a real one:

* the hyphenated form occurs elsewhere in the document ("niet-westerse");
* the first part is a prefix that keeps its hyphen ("niet-", "ex-", "oud-");
* a capital or digit precedes the hyphen ("WIA-", "A4-");
* it joins two words each of which can stand alone, the first an adjective
  ending that Dutch couples with a hyphen ("sociaal-economisch",
  "politiek-bestuurlijk"), unless the joined form occurs in the document;
* the joined word would make two vowels meet that Dutch keeps apart with a
  hyphen ("zee-egel", "auto-ongeluk").

A soft hyphen (U+00AD) at the end of a line is always a break, never text.
"""

from __future__ import annotations

import re

_KEEP_PREFIXES = frozenset("niet ex oud anti pro non semi co vice pseudo".split())
_ADJECTIVE_ENDS = ("aal", "isch", "ief", "eel", "air", "iek", "ueel", "ijk", "ig")
_VOWELS = "aeiouy"
_CONJ = frozenset("en of tot noch".split())


def _clashes(left: str, right: str) -> bool:
    if not left or not right:
        return False
    a, b = left[-1].lower(), right[0].lower()
    if a not in _VOWELS or b not in _VOWELS:
        return False
    return (a + b) in ("aa", "ee", "oo", "uu", "ei", "eu", "ie", "oe", "ou", "ui", "au", "ae", "oi")


def _adjective(word: str) -> bool:
    """Ends as a Dutch adjective does, inflected or not ("sociaal", "economische", "financiële")."""
    word = word.replace("ë", "e")
    if word.endswith(_ADJECTIVE_ENDS):
        return True
    # inflected: sociale, culturele, administratieve, economische, digitale
    return word.endswith("e") and word[:-1].endswith(_ADJECTIVE_ENDS + ("al", "el", "iev"))


def hyphen_mode(left_text: str, right_text: str, vocab: str) -> str | None:
    """'' to drop the hyphen, '-' to keep it glued, None when not hyphenated."""
    if left_text.endswith("\xad"):
        return ""
    if len(left_text) < 2 or left_text[-1] != "-" or not right_text[:1].islower():
        return None
    before = left_text[-2]
    if not before.isalpha():
        return "-" if before.isdigit() else None
    if before.isupper():
        return "-"
    left = re.split(r"[\s/(\"'‘“]", left_text[:-1])[-1]
    m = re.match(r"\w+", right_text)
    right = m.group(0) if m else ""
    if right.lower() in _CONJ:
        return None  # "werk- en inkomen": a space, not a join
    low_left, low_right = left.lower(), right.lower()
    if low_left in _KEEP_PREFIXES:
        return "-"
    if low_right and re.search(r"\b" + re.escape(f"{low_left}-{low_right}"), vocab):
        return "-"
    if low_right and re.search(r"\b" + re.escape(low_left + low_right) + r"\b", vocab):
        return ""
    if len(low_left) >= 5 and len(low_right) >= 5 and _adjective(low_left) and _adjective(low_right):
        return "-"  # two adjectives: "sociaal-economische", not the noun "totaalbedrag"
    if _clashes(low_left, low_right):
        return "-"
    return ""


def join_text(left: str, right: str, vocab: str) -> tuple[str, str]:
    """(left as it stays, separator) for joining two lines of one unit."""
    mode = hyphen_mode(left, right, vocab)
    if mode is None:
        return left, " "
    if mode == "":
        return left[:-1], ""
    return left, ""

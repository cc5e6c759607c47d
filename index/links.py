"""Links and e-mail addresses in a passage, and whether a passage holds nothing else.

What counts as a link is one regular expression (`LINK`): a web address
("https://...", "www...."), an e-mail address ("naam@gemeente.nl") or a bare
domain with a Dutch or common top-level domain ("rijksoverheid.nl/onderwerpen").
Run as it is, that expression backtracks over every start in a long word:
quadratic in the word's length, cubic in a word full of "@" and ".". So it is
evaluated word by word (no link contains whitespace), only on words that hold
what a link needs, with each of its three alternatives found in one pass over
the word, in the order the expression would find them (leftmost first; at
one start, web address before e-mail before domain). `link_spans(text)` gives the same spans as
`LINK.finditer(text)`; tests/test_chunker.py holds both to the same answers.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

LINK = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w.-]+\.(?:nl|com|org|net|eu|be|int)(?:/\S*)?\b", re.I)

_WEB = re.compile(r"(?:https?://|www\.)\S+", re.I)
# The domain alternative, tried only where a run of [\w.-] starts (a match
# never starts later in a run than where the run's first word character is).
_DOMAIN = re.compile(r"(?<![\w.-])[.-]*+(\b[\w.-]+\.(?:nl|com|org|net|eu|be|int)(?:/\S*)?\b)", re.I)
_DOT_WORD = re.compile(r"\.(?=\w)")
_WORD_RUN = re.compile(r"\w*")
# The words that can hold a link: each alternative of LINK needs an "@", a
# "www.", an "http(s)://" or a "." before a top-level domain. Found in one pass
# (a word is read from its start once); the other words are never looked at.
_LINK_WORD = re.compile(r"(?<!\S)\S*?(?:@|www\.|https?://|\.(?:nl|com|org|net|eu|be|int))\S*", re.I)

# A footnote chunk opens with its number: "3 30,6 duizend dakloze mensen ...".
NOTE_NUMBER = re.compile(r"^\s*(\d{1,3})\s+(?=\S)")
# Words that only point elsewhere ("Zie ook", "Bron:", "via").
_POINTER_WORDS = frozenset("zie ook bron bronnen via link links hier url website pagina p blz".split())
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_SEE = re.compile(r"\s*(?:\d{1,3}\s+)?zie\b", re.I)


def link_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of every link in `text`, as LINK.finditer(text) gives them."""
    for token in _LINK_WORD.finditer(text):
        for start, end in _token_links(token.group()):
            yield token.start() + start, token.start() + end


def _token_links(token: str) -> Iterator[tuple[int, int]]:
    # The e-mail alternative "\S+@\S+\.\w+" matches at a start p exactly when
    # an "@" stands in [p+1, R-2], R being the word's last "." before a word
    # character; the match then ends where the word characters after R end.
    dots = [m.start() for m in _DOT_WORD.finditer(token)]
    last_dot = dots[-1] if dots else -1
    mail_end = _WORD_RUN.match(token, last_dot + 1).end() if dots else -1
    ats = [i for i, ch in enumerate(token) if ch == "@"] if dots and "@" in token else []
    web = domain = None  # the next match of each from `pos` on; searched again once passed
    pos = 0
    while pos < len(token):
        if web is None or (web and web.start() < pos):
            web = _WEB.search(token, pos) or False
        at = bisect_left(ats, pos + 1)
        if at < len(ats) and ats[at] <= last_dot - 2:
            span = web.span() if web and web.start() == pos else (pos, mail_end)
        else:
            if domain is None or (domain and domain.start(1) < pos):
                domain = _DOMAIN.search(token, pos) or False
            if not web and not domain:
                return
            if web and (not domain or web.start() <= domain.start(1)):
                span = web.span()
            else:
                span = domain.span(1)
        yield span
        pos = span[1]


def is_reference_only(text: str) -> bool:
    """Whether a passage is only references: fewer than three words remain without links and pointers."""
    if next(link_spans(text), None) is None and not _SEE.match(text):
        return False
    number = NOTE_NUMBER.match(text)
    rest = text[number.end():] if number else text
    pieces, at = [], 0
    for start, end in link_spans(rest):
        pieces.append(rest[at:start])
        at = end
    pieces.append(rest[at:])
    words = [w for piece in pieces for w in _LETTERS.findall(piece) if w.lower() not in _POINTER_WORDS]
    return len(words) < 3

"""Text within a token budget: whether a span fits, and spans cut between words.

Counting tokens is the expensive step of chunking (a tokenizer call per
question), so both functions keep the number and the size of the calls down:

* `fits` never hands a tokenizer a text longer than `MAX_CHARS_PER_TOKEN`
  characters per allowed token: no tokenizer makes tokens that long, so such
  a text is over the budget without counting (and a paragraph of megabytes is
  never tokenized whole).
* `word_pieces` cuts a sentence that is too long between words. Each piece
  is as many words as fit; the end of a piece is found by galloping from the
  length of the piece before and bisecting, a handful of counts per piece
  instead of one per word.
* `pack` joins sentences into pieces the same way, starting from where the
  characters say the piece ends, and counts a sentence alone only where a
  piece ends at it (to know whether it has to be cut between words).

Token counts only grow when text is added, so galloping and bisecting find
the same ends as adding one word or sentence at a time and counting each time.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable

# No tokenizer's token covers more characters than this (subword vocabularies
# stay far below it); a text longer than this per token of the budget is over.
MAX_CHARS_PER_TOKEN = 32

_WORD = re.compile(r"\S+")

Count = Callable[[str], int]


def fits(text: str, max_tokens: int, count: Count) -> bool:
    """Whether `text` is at most `max_tokens` tokens."""
    return len(text) <= max_tokens * MAX_CHARS_PER_TOKEN and count(text) <= max_tokens


def pack(text: str, sentences: list[tuple[int, int]], max_tokens: int, count: Count) -> list[list[int]]:
    """Sentences joined into pieces [start, end] of text within max_tokens; a sentence over it is cut between words.

    The pieces are those of cutting every sentence over the limit into word
    pieces first and then adding spans one at a time while text[piece
    start:span end] fits. With fewer counts: where a piece ends is predicted
    from its characters (at the tokens per character of the piece before) and
    confirmed by galloping and bisection; a sentence inside a piece that fits
    fits itself, so a sentence is counted alone only where a piece ends at it.
    """
    items = list(sentences)
    settled = [False] * len(items)  # known to be within the limit alone (or a word piece): never cut
    rate = {"tokens_per_char": 0.25}
    pieces: list[list[int]] = []
    a = 0
    while a < len(items):
        start = items[a][0]

        def fits_to(k: int) -> bool:  # `fits`, learning the tokens per character on the way
            piece = text[start:items[k][1]]
            if len(piece) > max_tokens * MAX_CHARS_PER_TOKEN:
                return False
            tokens = count(piece)
            if tokens > max_tokens:
                return False
            rate["tokens_per_char"] = tokens / len(piece) if piece else rate["tokens_per_char"]
            return True

        guess = 1
        while a + guess < len(items) and (items[a + guess][1] - start) * rate["tokens_per_char"] <= max_tokens:
            guess += 1
        b = _first_over(a, len(items), fits_to, guess)
        if _cut_first(text, items, settled, (a, b) if b == a + 1 else (b,), max_tokens, count):
            continue  # a sentence became word pieces: this piece is worked out again
        pieces.append([start, items[b - 1][1]])
        a = b
    return pieces


def _cut_first(text: str, items: list[tuple[int, int]], settled: list[bool], candidates: tuple[int, ...],
               max_tokens: int, count: Count) -> bool:
    """Cut the first of `candidates` that is a sentence over the limit into word pieces; whether one was."""
    for k in candidates:
        if k < len(items) and not settled[k]:
            settled[k] = True
            if not fits(text[items[k][0]:items[k][1]], max_tokens, count):
                cut = word_pieces(text, *items[k], max_tokens, count)
                items[k:k + 1], settled[k:k + 1] = cut, [True] * len(cut)
                return True
    return False


def word_pieces(text: str, s: int, e: int, max_tokens: int, count: Count) -> list[tuple[int, int]]:
    """Split text[s:e] between words into pieces within max_tokens (a single word over it is a piece)."""
    starts, ends = array("q"), array("q")
    for m in _WORD.finditer(text, s, e):
        starts.append(m.start())
        ends.append(m.end())
    out: list[tuple[int, int]] = []
    a, guess = 0, 1
    while a < len(starts):
        b = _first_over(a, len(starts), lambda k: fits(text[starts[a]:ends[k]], max_tokens, count), guess)
        out.append((starts[a], ends[b - 1]))
        guess = b - a
        a = b
    return out


def _first_over(a: int, n: int, fits_to: Callable[[int], bool], guess: int) -> int:
    """The first k in (a, n) for which words a..k do not fit, or n; `fits_to` must turn false only once.

    Probes a + guess first, gallops from there in the direction the answer
    points, then bisects what is left.
    """
    lo, hi = a, n  # words a..lo fit (lo == a: a piece holds at least one word); a..hi do not, or hi == n
    if lo + 1 >= hi:
        return hi
    probe = min(a + max(guess, 1), n - 1)
    step = 1
    if fits_to(probe):
        lo = probe
        while lo + 1 < hi:
            probe = min(lo + step, hi - 1)
            if not fits_to(probe):
                hi = probe
                break
            lo, step = probe, step * 2
    else:
        hi = probe
        while lo + 1 < hi:
            probe = max(hi - step, lo + 1)
            if fits_to(probe):
                lo = probe
                break
            hi, step = probe, step * 2
    while lo + 1 < hi:
        middle = (lo + hi) // 2
        if fits_to(middle):
            lo = middle
        else:
            hi = middle
    return hi

"""How much one document may cost to read: the limits, and the Dutch reasons for skipping.

Every limit is a setting (index.settings) and every reason names it by its
variable, so whoever reads the skipped list knows what to raise:

* `max_bytes`          -- the file on disk (VRAAGBAAK_MAX_BYTES)
* `max_unpacked_bytes` -- what an archive unpacks to, judged from the sizes it
                          declares before anything is unpacked
                          (VRAAGBAAK_MAX_UNPACKED_BYTES)
* `max_elements`       -- the markup elements a reader would build a tree of:
                          counted in the raw XML or HTML before parsing; an
                          HTML element counts HTML_ELEMENT_WEIGHT times, as
                          BeautifulSoup keeps that much more per element than
                          lxml does for python-docx (VRAAGBAAK_MAX_ELEMENTS)
* `max_text_chars`     -- the text a reader produces (VRAAGBAAK_MAX_TEXT_CHARS)
* `max_passages`       -- the passages the chunker makes of it
                          (VRAAGBAAK_MAX_PASSAGES)

Readers check as early as they can (before parsing, while extracting), so a
hostile file costs little before it is refused. `TextBudget` is the running
check for readers that produce text piece by piece.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index.errors import ReadError
from index.settings import (
    DEFAULT_MAX_BYTES, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_PASSAGES, DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_UNPACKED_BYTES,
    env_name,
)

_MB = 1024 * 1024
# Measured: python-docx holds about 250 bytes per XML element, BeautifulSoup
# about 1.5 KB per HTML element.
HTML_ELEMENT_WEIGHT = 8


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_elements: int = DEFAULT_MAX_ELEMENTS
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_passages: int = DEFAULT_MAX_PASSAGES

    @classmethod
    def from_settings(cls, settings) -> ReadLimits:
        return cls(max_bytes=settings.max_bytes, max_unpacked_bytes=settings.max_unpacked_bytes,
                   max_elements=settings.max_elements, max_text_chars=settings.max_text_chars,
                   max_passages=settings.max_passages)


DEFAULT_LIMITS = ReadLimits()


def mb(n: int) -> str:
    """Megabytes the Dutch way: "50", "12,3", and enough digits for tiny limits."""
    value = n / _MB
    text = f"{value:.1f}" if value >= 0.1 else (f"{value:.6f}".rstrip("0") or "0")
    return text.removesuffix(".0").rstrip(".").replace(".", ",")


def count(n: int) -> str:
    """A whole number the Dutch way: 5.000.000."""
    return f"{n:,}".replace(",", ".")


def too_large(size: int, limit: int) -> str:
    return f"bestand is te groot ({mb(size)} MB, maximaal {mb(limit)} MB; {env_name('max_bytes')})"


def check_unpacked(doc_id: str, declared: int, limits: ReadLimits) -> None:
    if declared > limits.max_unpacked_bytes:
        raise ReadError(doc_id, f"pakt uit tot {mb(declared)} MB, meer dan {mb(limits.max_unpacked_bytes)} MB "
                                f"({env_name('max_unpacked_bytes')})")


def count_elements(blocks: Iterable[bytes], stop_above: int | None = None) -> int:
    """Start tags in raw XML or HTML, block by block: each "<" that does not open a closing tag "</".

    Declarations, comments and a stray "<" count too: the count is never
    lower than the elements a parser makes. Stops once it is above `stop_above`.
    """
    total, last = 0, b""
    for block in blocks:
        total += block.count(b"<") - block.count(b"</") - (last == b"<" and block[:1] == b"/")
        last = block[-1:]
        if stop_above is not None and total > stop_above:
            break
    return total


def check_elements(doc_id: str, elements: int, limits: ReadLimits, *, weight: int = 1) -> None:
    """`elements` counted in the raw markup, each worth `weight` of the limit."""
    if elements * weight > limits.max_elements:
        allowed = limits.max_elements // weight  # the count may have stopped early: not shown
        raise ReadError(doc_id, f"te veel opmaakelementen: meer dan {count(allowed)} "
                                f"({env_name('max_elements')}{'' if weight == 1 else f' / {weight} voor HTML'})")


def text_reason(limits: ReadLimits, chars: int | None = None) -> str:
    found = f"{count(chars)} tekens, " if chars is not None else ""
    return (f"te veel tekst: {found}meer dan {count(limits.max_text_chars)} tekens "
            f"({env_name('max_text_chars')})")


def check_text(doc_id: str, text: str, limits: ReadLimits) -> None:
    if len(text) > limits.max_text_chars:
        raise ReadError(doc_id, text_reason(limits, len(text)))


def check_passages(doc_id: str, passages: int, limits: ReadLimits) -> None:
    if passages > limits.max_passages:
        raise ReadError(doc_id, f"te veel passages: {count(passages)}, meer dan {count(limits.max_passages)} "
                                f"({env_name('max_passages')})")


class TextBudget:
    """Counts the characters a reader produced so far; ReadError as soon as they exceed the limit.

    The reason does not give a total: reading stops before the end. A reader
    whose pieces are not yet the final text (PDF words, of which furniture is
    still left out) gives an `allowance` above 1, so that only a document
    clearly over the limit stops early; the final text is checked exactly.
    """

    def __init__(self, doc_id: str, limits: ReadLimits, allowance: float = 1.0):
        self.doc_id = doc_id
        self.limit = int(limits.max_text_chars * allowance)
        self.limits = limits
        self.used = 0

    def add(self, chars: int) -> None:
        self.used += chars
        if self.used > self.limit:
            raise ReadError(self.doc_id, text_reason(self.limits))

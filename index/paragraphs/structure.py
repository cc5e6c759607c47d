"""Stage 5, structure: headings, lists and bylines, and each paragraph's heading path.

* Headings: Markdown levels, article titles and letter-spaced titles come
  from the lines; short units (<= 15 words, <= 5 lines) without final
  punctuation -- or short questions -- followed by content are detected
  headings (`mark_headings`). Photo credits, bylines, addresses and lines
  with commas are not. A short line with a year under a letter-spaced title
  is its subtitle.
* Lists: bullet markers are stripped from item text (numbers are kept). A
  short list after a lead-in ending in ":" is merged into the lead-in,
  markers kept; items of longer lists get the lead-in as heading context.
* A clipping byline right under an article title joins the next paragraph.
* `assign_headings`: explicit levels first, then the detected headings
  (consecutive ones kept together), joined with " › ".
"""

from __future__ import annotations

import re

from ..sentences import sentence_spans
from ..types import HEADING_SEPARATOR, Paragraph
from .common import ADDRESS, CAPTION, DATE, SUBJECT, TABLE_CAPTION, is_upper_start, strip_closers, word_list
from .joining import Stats
from .pieces import Piece, Unit

def is_caption(t: str) -> bool:
    return bool(CAPTION.search(t) or TABLE_CAPTION.match(t))


# An address line below an addressee: "Postbus 20018", "2500 EA DEN HAAG" (a paragraph that
# mentions an address, "Uw brief kunt u sturen naar ..., Postbus 20002, ...", is longer).
MAX_ADDRESS_WORDS = 6


def heading_candidate(u: Unit, st: Stats, nxt: "Unit | None" = None) -> bool:
    t = u.text
    if u.kind not in ("paragraph", "bullet") or not t:
        return False
    if u.kind == "bullet" and u.marker and not u.marker[0].isalnum() and u.marker[0] != "(":
        return False  # • bullets are list items, not headings
    words = word_list(t)
    if len(words) > 15 or len(t) > 150 or len(u.lines) > 5:
        return False
    if any(c in t for c in "\t@;") or "http" in t or "](" in t:
        return False
    if "," in t and not (
        nxt is not None and not st.wrapped and nxt.lines[0].gap == 0 and len(words) <= 10
    ):
        return False
    if not is_upper_start(t):
        return False
    if DATE.search(t) or is_caption(t):
        return False
    core = strip_closers(t)
    if not core:
        return False
    if core[-1] == "?":
        return len(words) <= 10
    if core[-1] in ".!:;,":
        return False
    if core.isdigit():
        return False
    return True



def mark_headings(units: list[Unit], st: Stats) -> None:
    """Detected headings: short unpunctuated units followed by content."""
    content = [u for u in units if u.kind != "footnote"]
    n = len(content)
    cand = [
        heading_candidate(u, st, content[i + 1] if i + 1 < n else None)
        for i, u in enumerate(content)
    ]
    # Where the walk from each unit over the following candidates stops (the
    # chain must end in real content), worked out from the back: one pass.
    # Kinds change only at and before the unit being looked at, so the walks
    # see the kinds as they were before the loop.
    stop_after = [n] * n
    stop = n
    for j in range(n - 1, -1, -1):
        stop_after[j] = stop
        u = content[j]
        # An explicit heading ends the chain: a detected heading ranks below every explicit
        # one, so content after one is not its own ("Postbus 8140" right before
        # "## Bezoekadres" is an address line, not a heading).
        if not cand[j] or u.kind == "heading":
            stop = j
    for i, u in enumerate(content):
        after = content[i + 1].text if i + 1 < n else ""
        addressed = ADDRESS.search(after) and len(word_list(after)) <= MAX_ADDRESS_WORDS  # an address line
        if not cand[i] or ADDRESS.search(u.text) or SUBJECT.match(u.text) or addressed:
            # An address ("Postbus 20018", "2500 EA DEN HAAG"), the addressee above it ("De
            # Voorzitter van de Tweede Kamer") or a letter's subject line ("Betreft ...") is short
            # and unpunctuated as a heading is, and runs in a chain of such lines, but heads nothing.
            continue
        j = stop_after[i]
        if j >= n or content[j].kind == "heading":
            continue
        nxt = content[j]
        if nxt.kind in ("paragraph", "bullet") and (
            len(word_list(nxt.text)) >= 6 or nxt.kind == "bullet" or nxt.text.endswith(":")
        ):
            u.kind = "heading"
            u.level = 9


MIN_LEAD_IN_WORDS = 5


def last_sentence(text: str) -> str:
    """The sentence a paragraph ends with: the lead-in of the list after it ("Ik neem daarom de
    volgende maatregelen:"), not the paragraph's first words; with the one before it when it is
    too short to say what the list is of ("Bijvoorbeeld:")."""
    starts = [start for start, _ in sentence_spans(text)] or [0]
    k = len(starts) - 1
    while k > 0 and len(word_list(text[starts[k]:])) < MIN_LEAD_IN_WORDS:
        k -= 1
    return text[starts[k]:]


def merge_lists(units: list[Unit]) -> list[Unit]:
    out: list[Unit] = []
    i = 0
    n = len(units)
    while i < n:
        u = units[i]
        if u.kind == "paragraph" and strip_closers(u.text).endswith(":"):
            j = i + 1
            items = []
            while j < n and units[j].kind == "bullet":
                items.append(units[j])
                j += 1
            if items:
                wc = [len(word_list(b.text)) for b in items]
                if max(wc) <= 20 and sum(wc) <= 60 and len(items) <= 12:
                    for b in items:
                        b_piece = b.piece
                        if b.marker and not b.marker[0].isalnum() and b.marker[0] != "(":
                            # put the marker back: it separates the items
                            first = b.lines[0].start
                            mk = Piece()
                            for off in range(first, first + len(b.marker)):
                                mk.add(text_char(b, off), off)
                            mk.add(" ", b.start)
                            mk.extend(b_piece)
                            b_piece = mk
                        u.piece.add(" ", b_piece.offs[0])
                        u.piece.extend(b_piece)
                        u.lines += b.lines
                    out.append(u)
                    i = j
                    continue
                lead = last_sentence(u.text)
                for b in items:
                    b.lead_in = lead
        out.append(u)
        i += 1
    return out


def text_char(u: Unit, off: int) -> str:
    ln = u.lines[0]
    return ln.text[off - ln.start]


def merge_bylines(units: list[Unit]) -> list[Unit]:
    """A clipping byline right under an article title joins the next paragraph."""
    out: list[Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        if (
            u.kind == "paragraph"
            and out
            and out[-1].kind == "heading"
            and out[-1].level == 1
            and DATE.search(u.text)
            and len(word_list(u.text)) <= 20
            and i + 1 < len(units)
            and units[i + 1].kind == "paragraph"
        ):
            nxt = units[i + 1]
            u.piece.add(" ", nxt.start)
            u.piece.extend(nxt.piece)
            u.lines += nxt.lines
            out.append(u)
            i += 2
            continue
        out.append(u)
        i += 1
    return out


MAX_LEAD_IN = 100


def shorten(s: str, limit: int = MAX_LEAD_IN) -> str:
    if len(s) <= limit:
        return s
    cut = s[:limit].rsplit(" ", 1)[0]
    return cut


# A heading path holds at most this many consecutive detected headings (a
# longer run is a list of short lines, not structure), and a Markdown heading
# at most this many characters of its text: what a paragraph's heading can
# cost stays bounded however the document is made.
MAX_DETECTED = 8
MAX_HEADING_PART = 300


class _Paths:
    """Heading paths joined with " › "; a path the same as the one before is the same string."""

    def __init__(self):
        self.key: tuple[str, ...] | None = None
        self.text: str | None = None

    def __call__(self, path: list[str]) -> str | None:
        key = tuple(path)
        if key != self.key:
            self.key, self.text = key, HEADING_SEPARATOR.join(path) or None
        return self.text


def assign_headings(units: list[Unit]) -> list[tuple[Paragraph, list[int], str]]:
    explicit: dict[int, str] = {}  # level -> heading text (levels 1..6)
    detected: list[str] = []
    last_was_heading = False
    joined = _Paths()
    out = []
    for u in units:
        if u.kind == "heading":
            if u.level <= 6:
                if u.level >= 1:
                    for lv in [lv for lv in explicit if lv >= u.level]:
                        del explicit[lv]
                    explicit[u.level] = shorten(u.text, MAX_HEADING_PART)
                detected = []
            else:
                if last_was_heading and detected:
                    detected = (detected + [u.text])[-MAX_DETECTED:]
                else:
                    detected = [u.text]
            path = [explicit[lv] for lv in sorted(explicit) if lv < (u.level if u.level <= 6 else 7)]
            if u.level > 6:
                path += detected[:-1]
            heading = joined(path)
            last_was_heading = True
            out.append((Paragraph(u.text, u.start, u.end, heading, "heading"), u.piece.offs, u.kind))
            continue
        last_was_heading = False
        path = [explicit[lv] for lv in sorted(explicit)] + detected
        if u.kind == "bullet" and u.lead_in:
            path = path + [shorten(u.lead_in)]
        heading = joined(path)
        kind = u.kind if u.kind in ("bullet", "footnote") else "paragraph"
        out.append((Paragraph(u.text, u.start, u.end, heading, kind), u.piece.offs, u.kind))
    return out



def strip_bullet_markers(units: list[Unit]) -> None:
    """Drop a glyph marker ("•", "-") from the front of a bullet item's text."""
    for u in units:
        if u.kind == "bullet" and u.marker and not u.marker[0].isalnum() and u.marker[0] != "(":
            t = u.piece.text
            m = re.match(re.escape(u.marker) + r"\s*", t)
            if m and m.end() < len(t):
                u.piece = Piece(u.piece.chars[m.end() :], u.piece.offs[m.end() :])


def mark_year_subtitles(units: list[Unit]) -> None:
    """A short line with a year right under a letter-spaced title is its subtitle."""
    for a, b in zip(units, units[1:]):
        if (
            a.kind == "heading"
            and a.level == 0
            and b.kind == "paragraph"
            and len(word_list(b.text)) <= 4
            and re.search(r"\b(19|20)\d\d\b", b.text)
        ):
            b.kind, b.level = "heading", 0

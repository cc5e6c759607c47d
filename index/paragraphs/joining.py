"""Stage 4, joining: which lines make one paragraph, and how they join.

Document statistics decide the mode (`measure_text`): *wrapped* text has
(almost) no line longer than ~120 characters; if nearly every line is
followed by a blank line, blank lines are noise -- unless the lines are
short paragraphs that mostly end a sentence (what the HTML, DOCX and PDF
readers write); a tell-tale trailing whitespace on continuing lines marks
paragraph ends. `join_mode` then decides, line by line, whether the next
line opens a new unit, joins with a space, or joins without one (a
hyphenated word: "verbe-" + "teren"; or a kept hyphen: "niet-" + "gebruik").
`join_lines` runs it over the document and builds the units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .common import (
    BULLET, CONJ_AFTER_HYPHEN, FUNCTION_WORDS, KEEP_HYPHEN_PREFIXES, MD_HEADING, NUMBERED, PHOTO_CREDIT,
    ends_sentence, is_lower_start, strip_closers, word_list,
)
from .footnotes import cut_inline_notes
from .lines import Line
from .pieces import Piece, Unit, clean_segment
from .tables import row_piece

QUOTE_MARK = re.compile(r"^(?:>[ \t]?)+(?=\S)")
from .vocabulary import Vocabulary

@dataclass
class Stats:
    wrapped: bool
    width: float
    blank_noise: bool
    cont_trail: int | None  # trailing-space class of continuing lines, if telling


def measure_text(lines: list[Line], blank_after: dict[int, int]) -> Stats:
    lens = sorted(len(ln.text) for ln in lines if ln.kind in ("text", "bullet", "numbered"))
    if not lens:
        return Stats(False, 80.0, False, None)
    long_share = sum(1 for n in lens if n > 120) / len(lens)
    followed = sum(1 for ln in lines if blank_after.get(ln.no, 0) >= 1)
    # Short paragraphs one per line, each followed by a blank line, most ending
    # a sentence (what the HTML, DOCX and PDF readers write) are not wrapped
    # text whose line breaks were doubled: their blank lines are real breaks.
    body = [ln for ln in lines if ln.kind in ("text", "bullet", "numbered")]
    ending = sum(1 for ln in body if ends_sentence(ln.text) or ln.text.rstrip().endswith(":"))
    one_per_line = followed >= 0.9 * (len(lines) - 1) and ending >= 0.6 * len(body)
    wrapped = len(lens) >= 8 and long_share < 0.04 and not one_per_line
    width = float(lens[int(0.9 * (len(lens) - 1))])
    blank_noise = wrapped and followed / len(lines) >= 0.5
    cont_trail = None
    if wrapped:
        counts = [0, 0, 0]
        for a, b in zip(lines, lines[1:]):
            if is_lower_start(b.text) and a.text[-1:].isalpha():
                counts[a.trail] += 1
        total = sum(counts)
        if total >= 5:
            best = max(range(3), key=lambda i: counts[i])
            if counts[best] / total >= 0.8 and any(
                ln.trail != best for ln in lines if ln.kind in ("text", "bullet", "numbered")
            ):
                cont_trail = best
    return Stats(wrapped, width, blank_noise, cont_trail)



def first_word(s: str) -> str:
    return s.split(" ", 1)[0]


def _glue(a: Line, at: str, bt: str, st: Stats, vocab: Vocabulary) -> str | None:
    """A join decided by the characters at the break: a hyphen, a slash or a
    bracket ('' glues, '-' keeps the hyphen, ' ' a space); None otherwise."""
    # hyphenated line break
    if len(at) >= 2 and at[-1] == "-" and at[-2].isalpha() and is_lower_start(bt):
        left = re.split(r"[\s/(]", at[:-1])[-1]
        right = re.match(r"[\w]+", bt)
        right = right.group(0) if right else ""
        if right.lower() in CONJ_AFTER_HYPHEN:
            return " "  # "werk- en inkomenszekerheid"
        if st.cont_trail is not None and a.trail >= 1:
            return " "  # the extractor kept the space after the hyphen
        if at[-2].isupper() or at[-2].isdigit():
            return "-"
        low_left = left.lower()
        if low_left in KEEP_HYPHEN_PREFIXES:
            return "-"
        if right and low_left + "-" + right.lower() in vocab:
            return "-"
        return ""
    if len(at) >= 2 and at[-1] == "-" and (at[-2].isupper() or at[-2].isdigit()) and is_lower_start(bt):
        return "-"
    if len(at) >= 2 and at[-1] == "-" and at[-2].isalpha() and bt[:1].isupper():
        return "-"  # "Noord-" + "Brabant", "Oost-" + "Europa": a name's compound keeps its hyphen, no space
    if at.endswith("/") and not at.endswith("//") and bt[:1].isalnum():
        return ""
    if at.endswith(")") and is_lower_start(bt):
        tok = at.rsplit(" ", 1)[-1]
        if st.cont_trail is not None and a.trail == 0 and st.cont_trail != 0:
            return ""
        if (tok + first_word(bt)).lower() in vocab:
            return ""
    return None


def dash_within_sentence(a: Line, b: Line, st: Stats) -> bool:
    """In hard-wrapped text, a line opening with a dash that continues the sentence of the line before.

    A Dutch sentence uses a spaced dash as a parenthesis ("weggewerkt - Groningen,
    Assen en Emmen - en zij ..."), and a wrapping tool may put it first on a line.
    It is no list item where the line before is full (the dash would not have
    fit on it) and ends no sentence or lead-in.
    """
    if not st.wrapped or b.gap != 0 or a.kind != "text" or not b.text.startswith(("- ", "– ")):
        return False
    at = a.clean or a.text
    if not at or ends_sentence(at) or at.rstrip().endswith(":"):
        return False
    return len(at) + 2 > st.width * 0.97


def join_mode(a: Line, b: Line, st: Stats, vocab: Vocabulary, first_of_unit: bool = False) -> str | None:
    """How line b continues line a: None (new unit), ' ', '' or '-' (keep)."""
    if b.kind == "bullet" and dash_within_sentence(a, b, st):
        return " "
    if b.kind in ("bullet", "numbered", "md", "article", "spaced", "url", "tab", "supfn", "piperow"):
        if a.kind == b.kind and a.kind in ("tab", "url"):
            return " "
        return None
    if a.kind in ("md", "article", "spaced", "url", "tab", "piperow"):
        return None
    at, bt = a.clean or a.text, b.clean or b.text
    if not at or not bt:
        return " "
    if PHOTO_CREDIT.search(at) and not is_lower_start(bt):
        return None  # a caption ends at its photo's credit
    marked = st.cont_trail is not None and a.trail != st.cont_trail
    gap = 0 if st.blank_noise else b.gap

    glue = _glue(a, at, bt, st, vocab)
    if glue is not None:
        return glue
    if is_lower_start(bt):
        return " "
    ends = ends_sentence(at)
    colon = strip_closers(at).endswith(":") or at.endswith(":")
    if not st.wrapped:
        if ends or colon:
            return None
        last = re.sub(r"\W+$", "", at.rsplit(" ", 1)[-1])
        if b.gap == 0 and a.kind not in ("bullet", "numbered", "supfn") and last in FUNCTION_WORDS:
            return " "
        if len(at) >= 100 and a.kind not in ("supfn",):
            return " "
        return None
    # wrapped text
    fits = len(at) + 1 + len(first_word(bt)) <= st.width * 0.97
    if not ends and not colon:
        last = re.sub(r"\W+$", "", at.rsplit(" ", 1)[-1])
        if last in FUNCTION_WORDS and not marked:
            return " "
        if first_of_unit and (st.cont_trail is None or st.blank_noise) and len(word_list(at)) <= 15 and (
            len(at) + 1 + len(first_word(bt)) <= st.width or len(at) < 0.75 * st.width
        ):
            return None  # a one-line title or bullet: the next word would have fit
        if st.cont_trail is not None:
            return None if marked else " "
        if gap:
            return None
        return None if fits else " "
    # a ends a sentence (or a lead-in colon), b starts upper-case
    if gap:
        return None
    if st.cont_trail is not None:
        return None if marked else " "
    return None if fits else " "



def open_unit(ln: Line, piece: Piece) -> Unit:
    """A new unit starting at line `ln`: a bullet or heading keeps its marker or level."""
    u = Unit([ln], piece)
    if ln.kind in ("bullet", "numbered"):
        u.kind = "bullet"
        m = BULLET.match(ln.text) if ln.kind == "bullet" else NUMBERED.match(ln.text)
        u.marker = m.group(1) if m else ""
    elif ln.kind in ("md", "article", "spaced"):
        u.kind = "heading"
        u.level = {"md": ln.level, "article": 1, "spaced": 0}[ln.kind]
    return u


def _heading_text(ln: Line, piece: Piece) -> Piece:
    """A Markdown heading's piece without its "#" marks."""
    m = MD_HEADING.match(ln.text)
    cut = ln.start + m.start(2)
    endc = ln.start + m.end(2)
    return Piece(
        [c for c, o in zip(piece.chars, piece.offs) if cut <= o < endc],
        [o for o in piece.offs if cut <= o < endc],
    )


def _extend(cur: Unit, prev_line: Line, ln: Line, piece: Piece, join: str) -> None:
    """Add line `ln` to unit `cur` the way `join_mode` said."""
    cur.lines.append(ln)
    if join == "":
        # drop the hyphen or glue: remove trailing "-" when dehyphenating
        if cur.piece.chars and cur.piece.chars[-1] == "-" and prev_line.text.endswith("-"):
            cur.piece.chars.pop()
            cur.piece.offs.pop()
        cur.piece.extend(piece)
    elif join == "-":
        cur.piece.extend(piece)
    else:
        cur.piece.add(" ", ln.start)
        cur.piece.extend(piece)


def _spellings_asked(a: Line, b: Line) -> Iterable[str]:
    """The forms `_glue` may look up in the vocabulary when line b follows line a (a few more, never fewer)."""
    at, bt = a.clean or a.text, b.clean or b.text
    if not at or not bt or not is_lower_start(bt):
        return
    if len(at) >= 2 and at[-1] == "-" and at[-2].isalpha():
        right = re.match(r"[\w]+", bt)
        if right:
            yield re.split(r"[\s/(]", at[:-1])[-1].lower() + "-" + right.group(0).lower()
    if at.endswith(")"):
        yield (at.rsplit(" ", 1)[-1] + first_word(bt)).lower()


def _prepared_lines(text: str, lines: list[Line], blank_before: dict[int, int], fn_used: set[int],
                    fn_numbers: frozenset[str], inline_notes: list[Unit]) -> list[tuple[Line, Piece]]:
    """The lines that take part in paragraphs, each with its cleaned piece (and `clean`, `gap`, `pagebreak` set).

    Lines of footnote blocks (`fn_used`) are left out; the line after one is marked as after a page break.
    """
    prepared: list[tuple[Line, Piece]] = []
    pending_page_break = False
    table_head: Line | None = None
    for ln in lines:
        if ln.no in fn_used:
            pending_page_break = True
            continue
        if ln.kind in ("pipehead", "pipedelim"):
            table_head = ln if ln.kind == "pipehead" else table_head
            continue  # a pipe table's header names its rows' cells; the delimiter says nothing
        ln.gap = blank_before.get(ln.no, 0)
        ln.pagebreak = pending_page_break or ln.lead
        pending_page_break = False
        if ln.kind == "piperow":
            piece = row_piece(text, table_head, ln, fn_numbers)
        else:
            seg_end = cut_inline_notes(text, ln, fn_numbers, inline_notes)
            quote = QUOTE_MARK.match(ln.text)  # "> " opens a quoted line (Markdown, e-mail): markup
            piece = clean_segment(text, ln.start + (quote.end() if quote else 0), seg_end, fn_numbers)
        if not piece.text.strip():
            continue
        ln.clean = " ".join(piece.text.split())
        if ln.kind == "md":
            piece = _heading_text(ln, piece)
        prepared.append((ln, piece))
    return prepared


def join_lines(
    text: str,
    lines: list[Line],
    blank_before: dict[int, int],
    fn_used: set[int],
    fn_numbers: frozenset[str],
    st: Stats,
    vocab: Vocabulary,
) -> tuple[list[Unit], list[Unit]]:
    """The body units in order, and the inline footnote definitions cut out of them.

    Lines of footnote blocks (`fn_used`) are skipped: a paragraph interrupted
    by a footnote block is continued after it. The spellings the joins may
    ask the vocabulary about are learned first, in one pass.
    """
    inline_notes: list[Unit] = []
    prepared = _prepared_lines(text, lines, blank_before, fn_used, fn_numbers, inline_notes)
    vocab.learn(q for (a, _), (b, _) in zip(prepared, prepared[1:]) for q in _spellings_asked(a, b))
    units: list[Unit] = []
    cur: Unit | None = None
    prev_line: Line | None = None
    for ln, piece in prepared:
        join = None
        if cur is not None and prev_line is not None:
            join = join_mode(prev_line, ln, st, vocab, len(cur.lines) == 1)
        if join is None:
            cur = open_unit(ln, piece)
            units.append(cur)
        else:
            _extend(cur, prev_line, ln, piece, join)
        prev_line = ln
    return units, inline_notes

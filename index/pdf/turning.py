"""Pages whose text runs sideways: read turned a quarter, so that the text is upright.

A landscape table in a portrait report, a page whose /Rotate turns text
that was written upright, a page drawn turned: the text layer is there, but
its characters run along the page's height. The word stage leaves out
vertical text (a stamp or file code along a margin is never running text),
so such a page lost all its text without a word. When most of a page's
characters are sideways, the page is laid out again as if it were turned a
quarter one way, then the other (pdfminer turns a page by its /Rotate), and
the turn under which the characters stand upright and read left to right is
the one read. Where neither does (text at an angle), the page is read as it
is and the sideways text is reported as left out.
"""

from __future__ import annotations

# Share of a page's characters that must run sideways for the page to be turned:
# a stamp along the margin of an upright page is a few characters.
SIDEWAYS_SHARE = 0.5
# Pages with fewer characters than this are not judged (a page number, a mark).
MIN_CHARS = 20


def _reading(chars) -> tuple[int, int]:
    """(characters that are not blank, of those: upright and reading left to right)."""
    text = [c for c in chars if str(c.get("text", "")).strip()]
    upright = sum(1 for c in text if c.get("upright") and (c.get("matrix") or (1,))[0] > 0)
    return len(text), upright


def is_sideways(page) -> bool:
    """Whether most of a pdfplumber page's characters do not stand upright."""
    total, upright = _reading(page.chars)
    return total >= MIN_CHARS and total - upright > SIDEWAYS_SHARE * total


def turned(page, lay_out=None):
    """The pdfplumber page laid out turned a quarter so that most of its text stands upright, or None.

    `lay_out(page)` lays a page out within the document's budget (index.pdf.interpret);
    without it pdfplumber lays the page out itself.
    """
    from pdfplumber.page import Page

    original = page.page_obj
    for quarter in (90, 270):
        rotation = (page.rotation + quarter) % 360
        obj = _with_rotation(original, rotation)
        candidate = Page(page.pdf, obj, page.page_number, page.initial_doctop)
        if lay_out is not None:
            lay_out(candidate)
        total, upright = _reading(candidate.chars)
        if total and upright > SIDEWAYS_SHARE * total:
            return candidate
    return None


def _with_rotation(page_obj, rotation: int):
    """A copy of a pdfminer page whose /Rotate is `rotation`: pdfplumber reads the attribute, pdfminer `rotate`."""
    import copy

    turned_obj = copy.copy(page_obj)
    turned_obj.attrs = {**page_obj.attrs, "Rotate": rotation}
    turned_obj.rotate = rotation
    return turned_obj

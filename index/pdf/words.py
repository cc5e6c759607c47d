"""Positioned words of a PDF page, with font size and weight.

pdfplumber (on pdfminer.six) gives every word its box, font name and size.
Words are split where the font changes, so a superscript footnote marker or a
bold word inside a line stays a word of its own; the line stage decides what
to do with it. Vertical text (a stamp or file code along the margin) is left
out: it is never part of the running text. Ligatures ("ﬁ") are spelled out.

A font that says nothing of the characters it draws (a composite font with
Identity encoding and no ToUnicode map) gives pdfminer glyph numbers only:
it makes them "(cid:18)", or letters of the wrong code points. Words in such
a font, and "(cid:N)" glyphs anywhere, are dropped; a page where more than a
quarter of the words are so is `garbled`: its text layer is noise, and the
page is read by OCR like a scan (index.pdf.layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
# Typographic ligatures are one glyph for several letters: "ﬁnanciën" must read
# as "financiën" to be found. A soft hyphen inside a word is invisible.
_CID = re.compile(r"\(cid:\d+\)")
# Share of a page's words with an unmapped glyph above which its text layer is noise.
# A few per page are a bullet or a symbol of an otherwise readable font.
GARBLED_SHARE = 0.25
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


def clean_word(text: str) -> str:
    """A word's text with ligatures spelled out and inner soft hyphens dropped."""
    text = _CID.sub("", text.replace("\x00", "")).translate(_LIGATURES)
    if "\xad" in text[:-1]:
        text = text[:-1].replace("\xad", "") + text[-1]
    return text


@dataclass
class Word:
    """One word on a page; coordinates in PDF points, origin top-left."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class PageWords:
    """The words of one page and the page's size; `ocr` when read by OCR, `garbled` when its text is noise."""

    number: int  # 1-based
    width: float
    height: float
    words: list[Word]
    ocr: bool = False
    garbled: bool = False
    unmapped: int = 0  # words left out: in a font without characters, or only "(cid:N)" glyphs


def _unmapped_fonts(page) -> set[str]:
    """The names of the page's fonts whose glyphs have no characters: Type0, Identity-H/V, no ToUnicode."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    def name(value) -> str:
        value = resolve1(value)
        return value.name if isinstance(value, PSLiteral) else str(value or "")

    found = set()
    try:
        fonts = resolve1(resolve1(page.page_obj.resources).get("Font")) or {}
        for spec in fonts.values():
            spec = resolve1(spec)
            if (isinstance(spec, dict) and name(spec.get("Subtype")) == "Type0" and "ToUnicode" not in spec
                    and name(spec.get("Encoding")).startswith("Identity")):
                found.add(name(spec.get("BaseFont")))
    except Exception:  # noqa: BLE001 - broken resources: judged by the "(cid:" words alone
        return set()
    return found


def page_words(page, number: int) -> PageWords:
    """The words of a pdfplumber page (empty when it has no text layer)."""
    raw = page.extract_words(
        extra_attrs=["size", "fontname"],
        keep_blank_chars=False,
        use_text_flow=False,
        x_tolerance=1.5,
    )
    words = []
    unmapped_fonts = _unmapped_fonts(page)
    unmapped = 0
    for w in raw:
        if "(cid:" in w["text"] or w.get("fontname") in unmapped_fonts:
            unmapped += 1
            if w.get("fontname") in unmapped_fonts:
                continue
        text = clean_word(w["text"])
        # vertical text runs along a margin (a stamp, a file code), never in the body
        if not text.strip() or not w.get("upright", True):
            continue
        words.append(
            Word(
                text=text,
                x0=float(w["x0"]),
                x1=float(w["x1"]),
                top=float(w["top"]),
                bottom=float(w["bottom"]),
                size=round(float(w["size"]), 1),
                bold=bool(_BOLD.search(w.get("fontname") or "")),
            )
        )
    garbled = bool(raw) and unmapped > GARBLED_SHARE * len(raw)
    return PageWords(number, float(page.width), float(page.height), words, garbled=garbled, unmapped=unmapped)

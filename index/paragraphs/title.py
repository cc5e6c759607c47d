"""A document's title, guessed from its text."""

from __future__ import annotations

import re

from .common import SPACED, SUBJECT, SUBJECT_IN_LINE, strip_closers
from .pipeline import reconstruct
from .structure import shorten

def letter_subject(content: list[str]) -> str | None:
    """The subject of a letter among its first lines, when it states one (`SUBJECT`).

    The value stands on the label's line ("Betreft<tab>Voortgang ...", a row of
    a letter's table) or, after a label alone, on the next line; in a row of
    labels only ("Onderwerp<tab>Ons kenmerk"), in the next row's cell below
    the label. It opens with a capital or a digit, so that a sentence
    ("Betreft het een aanvraag, dan ...") is no subject.
    """
    for k, ln in enumerate(content[:40]):
        m = SUBJECT.match(ln) or SUBJECT_IN_LINE.search(ln)
        if not m:
            continue
        cells = [cell.strip() for cell in ln.split("\t")]
        below = content[k + 1].split("\t") if k + 1 < len(content) else []
        if len(cells) > 1 and _labels(cells) and len(below) == len(cells):
            column = next(i for i, cell in enumerate(cells) if SUBJECT.match(cell))
            value = below[column].strip()
        else:
            value = m.group(1).split("\t")[0].strip() or (below[0].strip() if below else "")
        if value[:1].isupper() or value[:1].isdigit():
            return shorten(value, 120)
    return None


def _labels(cells: list[str]) -> bool:
    """A row of a letter's labels ("Onderwerp", "Ons kenmerk", "Datum"): short, without figures."""
    return all(len(cell.split()) <= 3 and not any(ch.isdigit() for ch in cell) for cell in cells)


def guess_title(text: str) -> str:
    """The document's title: a letter-spaced title, a letter's subject, its
    first heading, or else its first meaningful line (at most ~120 chars)."""
    lines = [ln.strip() for ln in text.splitlines()]
    content = [ln for ln in lines if ln]
    for k, ln in enumerate(content[:10]):
        if SPACED.match(ln):
            title = ln.replace(" ", "").capitalize()
            if k + 1 < len(content) and re.search(r"\b(19|20)\d\d\b", content[k + 1]) and len(content[k + 1].split()) <= 4:
                title += " " + content[k + 1]
            return title
    subject = letter_subject(content)
    if subject:
        return subject
    try:
        paras = reconstruct(text)
    except Exception:  # pragma: no cover - title guessing must never fail
        paras = []
    if paras:
        first = paras[0].text
        if paras[0].kind == "heading" or (
            len(first.split()) <= 15 and not strip_closers(first).endswith((".", ",", ":", ";"))
        ):
            return shorten(first, 120)
    for p in paras[:8]:
        if p.kind == "heading" and len(p.text) >= 3:
            return shorten(p.text, 120)
    for p in paras:
        if len(p.text.split()) >= 2:
            first = p.text
            return shorten(first, 120)
    return shorten(content[0], 120) if content else ""

"""A document's title, guessed from its text."""

from __future__ import annotations

import re

from .common import SPACED, strip_closers
from .pipeline import reconstruct
from .structure import shorten

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
    for k, ln in enumerate(content[:40]):
        cells = ln.split("\t")
        if len(cells) > 1 and cells[0].strip().lower() == "onderwerp" and k + 1 < len(content):
            value = content[k + 1].split("\t")[0].strip()
            if value:
                return shorten(value, 120)
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

"""Text normalization for matching answers, as the evaluation sets define it."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """NFKC, one space for any whitespace run, case-folded (the eval sets' rule)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()

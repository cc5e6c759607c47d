"""What every area of the JSON API shares: the error body, the text patterns and the collection-name shapes.

The patterns are regexes as JSON Schema and pydantic read them; a collection name is defined here once
(COLLECTION_NAME_PATTERN) and used by the ask, token and admin models alike.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from index.settings import COLLECTION_NAME

from ..refusals import Refusal
from ..tokens import MAX_COLLECTIONS

# A collection's name, the whole string.
COLLECTION_NAME_PATTERN = f"^{COLLECTION_NAME.pattern}$"


def _whitespace_class() -> str:
    """Python's whitespace (what str.strip() and str.split() remove) as a regex class body."""
    spaces = [cp for cp in range(0x3001) if chr(cp).isspace()]
    ranges, start = [], spaces[0]
    for prev, cp in zip(spaces, spaces[1:] + [-1]):
        if cp != prev + 1:
            ranges.append(f"\\u{start:04x}" + (f"-\\u{prev:04x}" if prev != start else ""))
            start = cp
    return "".join(ranges)


# A text that is not only whitespace: the pattern matches exactly when str.strip() leaves something.
VISIBLE_TEXT = f"[^{_whitespace_class()}]"
# ... and, for questions, not only whitespace and control characters (those become spaces). Other
# invisible characters (format, private use, unassigned) also make a question empty; JSON Schema cannot say that.
QUESTION_TEXT = f"[^{_whitespace_class()}\\u0000-\\u001f\\u007f-\\u009f]"

# A list of collection names, and its refusal: what POST /api/v1/ask and POST /api/v1/tokens both accept.
COLLECTION_NAMES = list[Annotated[str, StringConstraints(pattern=COLLECTION_NAME_PATTERN)]]
COLLECTIONS_REFUSAL = Refusal("invalid_collections", "Het veld 'collections' moet een lijst van 1 tot en met "
                                                     f"{MAX_COLLECTIONS} collectienamen zijn (kleine letters, "
                                                     "cijfers en streepjes, hoogstens 40 tekens).")


class ErrorDetail(BaseModel):
    code: str = Field(description="Vaste foutcode, bijvoorbeeld missing_question.")
    message: str = Field(description="Uitleg in het Nederlands.")


class ErrorBody(BaseModel):
    """Elke fout van de API."""

    error: ErrorDetail

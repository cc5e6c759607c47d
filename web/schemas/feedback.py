"""/api/v1/feedback: a thumbs up or down on a shown answer, and the export of what was saved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qa.question import MAX_QUESTION_CHARS

from ..refusals import BodyRefusals, Refusal
from .common import COLLECTION_NAME_PATTERN, VISIBLE_TEXT

MAX_ANSWER_CHARS = 20_000
MAX_PASSAGES = 20
MAX_PASSAGE_ID_CHARS = 1_000
MAX_HISTORY_ITEMS = 50
MAX_COMMENT_CHARS = 2_000
# A shown passage: "document#paragraph".
PASSAGE_ID = r"^[\s\S]+#[1-9][0-9]*$"


def _text_refusal(name: str, limit: int) -> Refusal:
    return Refusal(f"invalid_{name}", f"Het veld '{name}' moet een niet-lege tekst zijn.",
                   {"string_too_long": f"Het veld '{name}' is te lang (hoogstens {limit} tekens)."})


def _list_refusal(name: str, limit: int, **precise: str) -> Refusal:
    return Refusal(f"invalid_{name}", f"Het veld '{name}' moet een lijst van hoogstens {limit} teksten zijn.", precise)


def _visible_text(limit: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=limit, pattern=VISIBLE_TEXT)


class FeedbackRequest(BaseModel):
    """Een duim omhoog of omlaag op een getoond antwoord."""

    model_config = ConfigDict(strict=True, json_schema_extra={"examples": [{
        "question": "Wat vraagt de brief over de kostendelersnorm?", "answer": "Neemt u het initiatief ... [1]",
        "rating": "up", "passages": ["000_d31a0db93372aa9b.txt#9"], "collections": ["standaard"]}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de feedback als JSON (Content-Type: application/json).",
        unreadable="Verwacht een JSON-object met question, answer en rating.",
        not_object="Verwacht een JSON-object met question, answer en rating.",
    )

    # Declared in the order they are checked: the first wrong one is reported.
    rating: Annotated[Literal["up", "down"],
                      Refusal("invalid_rating", "Het veld 'rating' moet \"up\" of \"down\" zijn.")]
    passages: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSAGE_ID_CHARS, pattern=PASSAGE_ID)]]
        | None,
        Field(max_length=MAX_PASSAGES, description="Getoonde passages als \"document#alinea\"."),
        _list_refusal("passages", MAX_PASSAGES,
                      string_pattern_mismatch="Elke passage in 'passages' heeft de vorm \"document#alineanummer\"."),
    ] = None
    # At most one per shown passage: the collections the passages came from.
    collections: Annotated[
        list[Annotated[str, StringConstraints(pattern=COLLECTION_NAME_PATTERN)]] | None,
        Field(max_length=MAX_PASSAGES, description="De collecties van de getoonde passages (source.collection)."),
        _list_refusal("collections", MAX_PASSAGES,
                      string_pattern_mismatch="Elke naam in 'collections' bestaat uit 1 tot 40 kleine letters, "
                                              "cijfers of streepjes."),
    ] = None
    comment: Annotated[str | None, Field(max_length=MAX_COMMENT_CHARS), _text_refusal("comment", MAX_COMMENT_CHARS)
                       ] = None
    question: Annotated[str, _visible_text(MAX_QUESTION_CHARS), _text_refusal("question", MAX_QUESTION_CHARS)]
    answer: Annotated[str, _visible_text(MAX_ANSWER_CHARS), Field(description="De antwoordtekst zoals getoond."),
                      _text_refusal("answer", MAX_ANSWER_CHARS)]
    history: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS)]] | None,
        Field(max_length=MAX_HISTORY_ITEMS, description="Eerdere vragen van het gesprek, oudste eerst."),
        _list_refusal("history", MAX_HISTORY_ITEMS),
    ] = None


class FeedbackSaved(BaseModel):
    id: int
    status: str = Field(description="\"opgeslagen\"")


class ExportQuery(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    # A misspelt parameter (?fromat=csv) must not silently give the default.
    unknown_field: ClassVar[Refusal] = Refusal("unknown_parameter",
                                               "Onbekende parameter: {name}. Alleen 'format' bestaat.")

    format: Annotated[Literal["json", "csv"], Refusal("invalid_format", "Het formaat moet json of csv zijn.")] = "json"


class FeedbackRow(BaseModel):
    id: int
    created_at: datetime
    index_version: str | None = Field(description="De indexversie toen de feedback binnenkwam; bij meer collecties "
                                                  "\"collectie:versie\" per collectie, met + ertussen.")
    collections: list[str] = Field(description="De collecties van het antwoord; [] als de client ze niet meestuurde.")
    rating: Literal["up", "down"]
    question: str
    answer: str
    passages: list[str]
    history: list[str]
    comment: str | None

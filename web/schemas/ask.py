"""POST /api/v1/ask: the question a client sends and the answer it gets.

The question text and the earlier questions are checked by qa.question.clean_question when the question
is answered -- the one check every way in shares -- so AskRequest only requires the question and describes
what clean_question accepts. AskResponse describes qa.service.Answer.as_dict() plus the links web adds
(url, page_url).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from qa.question import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from qa.service import DEFAULT_TOP_K, MAX_TOP_K

from ..refusals import BodyRefusals, Refusal
from ..tokens import MAX_COLLECTIONS
from .common import COLLECTION_NAME_PATTERN, COLLECTION_NAMES, COLLECTIONS_REFUSAL, QUESTION_TEXT


def _whole_number(value: object) -> object:
    # JSON (and the OpenAPI "integer") does not tell 5 from 5.0; True is no number.
    return int(value) if isinstance(value, float) and value.is_integer() else value


_QUESTION_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": QUESTION_TEXT,
                    "description": "Minstens één zichtbaar teken; stuurtekens en onzichtbare tekens tellen niet."}
_HISTORY_SCHEMA = {"type": ["array", "null"],
                   "items": {"type": "string", "maxLength": MAX_QUESTION_CHARS, "pattern": QUESTION_TEXT},
                   "description": "Eerdere vragen van het gesprek, oudste eerst; "
                                  f"de laatste {MAX_HISTORY_TURNS} tellen."}


class AskRequest(BaseModel):
    """Een vraag, eventueel met de eerdere vragen van hetzelfde gesprek."""

    model_config = ConfigDict(strict=True, json_schema_extra={
        "examples": [{"question": "Hoeveel dakloze mensen telde het CBS?"}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de vraag als JSON (Content-Type: application/json).",
        unreadable="De inhoud van het verzoek is geen geldige JSON.",
        not_object="Verwacht een JSON-object, bijvoorbeeld {\"question\": \"...\"}.",
    )

    # Declared in the order they are checked; question and history are checked by qa (see above).
    question: Annotated[Any, WithJsonSchema(_QUESTION_SCHEMA),
                        Refusal("missing_question", "Het veld 'question' ontbreekt.")]
    top_k: Annotated[int, Field(ge=1, le=MAX_TOP_K, description="Aantal passages in het antwoord."),
                     BeforeValidator(_whole_number),
                     Refusal("invalid_top_k", f"top_k moet een geheel getal van 1 tot en met {MAX_TOP_K} zijn.")
                     ] = DEFAULT_TOP_K
    history: Annotated[Any, WithJsonSchema(_HISTORY_SCHEMA)] = None
    collections: Annotated[
        COLLECTION_NAMES | None,
        Field(min_length=1, max_length=MAX_COLLECTIONS,
              description="De collecties om in te zoeken. Zonder dit veld: elke collectie die de vrager mag lezen "
                          "(zonder token de openbare). Een collectie die de vrager niet mag lezen of die niet "
                          "bestaat: 403, zonder haar naam te noemen (de beheerder krijgt 404 voor een collectie "
                          "die niet bestaat)."),
        COLLECTIONS_REFUSAL,
    ] = None


class Language(BaseModel):
    code: str = Field(description="Taalcode van de vraag, bijvoorbeeld nl.")
    confident: bool = Field(description="Of de taal vaststaat: een vraag van minstens vier woorden, voor de helft "
                                        "Nederlandse functiewoorden of met minstens 90 % zekerheid herkend.")
    notice: str | None = Field(description="Melding als de vraag niet in het Nederlands lijkt.")


class Highlight(BaseModel):
    passage: int = Field(description="Nummer van de passage (1-based).")
    start: int = Field(description="Begin van de geciteerde zin in de tekst van de passage.")
    end: int


class AnswerText(BaseModel):
    text: str = Field(description="Letterlijk geciteerd antwoord met [n]-verwijzingen. Een zin die terugwijst "
                                  "('Daarom ...') staat na de zin waar hij naar verwijst, ook als dat de laatste "
                                  "zin van de alinea ervoor is; een voetnoot staat na de zin waar hij bij hoort. Elk "
                                  "geciteerd deel verwijst naar de passage waar het staat.")
    citations: list[int]
    highlights: list[Highlight]


class Source(BaseModel):
    collection: str = Field(description="De collectie waarin het document staat.", pattern=COLLECTION_NAME_PATTERN)
    document: str = Field(description="Bestandsnaam van het document (document-id).")
    title: str
    heading: str | None = Field(description="Kop waaronder de passage staat.")
    paragraph: int = Field(ge=1)
    lines: list[int] = Field(min_length=2, max_length=2,
                             description="Eerste en laatste regel (1-based) in het bronbestand.")
    page: int | None = Field(description="Paginanummer bij PDF (de eerste pagina van de passage).")
    page_end: int | None = Field(description="Laatste pagina bij PDF: een alinea kan over een paginagrens lopen.")
    kind: Literal["paragraph", "bullet", "footnote"] = Field(
        description="Soort passage: alinea, opsommingsteken of voetnoot.")
    ocr: bool = Field(description="Gelezen met tekstherkenning (OCR) van een gescande pagina.")
    span: list[int] = Field(min_length=2, max_length=2,
                            description="Tekenpositie [begin, eind) in de tekst van het document.")
    url: str = Field(description="Link naar de alinea in de documentweergave (/documents/<document>#p<alinea> in "
                                 "`standaard`, /c/<collectie>/documents/<document>#p<alinea> in een andere "
                                 "collectie); absoluut als VRAAGBAAK_PUBLIC_BASE_URL is ingesteld. Een document "
                                 "van een collectie die niet openbaar is, opent alleen met een token die haar mag "
                                 "lezen; een browser zonder token krijgt 404.")
    page_url: str | None = Field(None, description="Alleen bij PDF: link naar het originele bestand op de pagina "
                                                   "van de passage (<url zonder #p…>/file#page=<pagina>), die "
                                                   "de PDF-viewer van de browser op die pagina opent.")


class Passage(BaseModel):
    rank: int = Field(ge=1)
    score: float
    text: str
    source: Source


class IndexRef(BaseModel):
    version: str
    model: str


class AskResponse(BaseModel):
    """Antwoord op een vraag, met de passages waaruit het komt."""

    question: str = Field(description="De vraag zoals beantwoord (witruimte en stuurtekens opgeschoond).")
    language: Language
    answer: AnswerText
    abstained: bool = Field(description="Waar als de documenten geen antwoord bevatten.")
    passages: list[Passage]
    timings_ms: dict[str, float]
    index: IndexRef

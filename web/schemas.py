"""The JSON API's bodies as pydantic models: what a request must be, what an answer is, what an error is.

They check the requests (through web.openapi) and are what /api/v1/openapi.json says. Two fields are
only documented here: the question text and the earlier questions of POST /api/v1/ask are checked by
qa.question.clean_question when the question is answered -- the one check every way in shares -- so
AskRequest only requires the question and describes what clean_question accepts.

Each request field carries its Refusal (web.refusals): the error code and Dutch message for a wrong
value. Docstrings and descriptions of models and fields are published in the document, so they are Dutch.
AskResponse describes qa.service.Answer.as_dict() plus the links web adds (url, page_url).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from index.collections import NAME_RULE
from index.settings import COLLECTION_NAME
from qa.question import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from qa.service import DEFAULT_TOP_K, MAX_TOP_K

from .refusals import BodyRefusals, Refusal
from .tokens import MAX_COLLECTIONS
from .tokens import NAME_RULE as TOKEN_NAME_RULE
from .tokens import NAME_PATTERN as TOKEN_NAME_PATTERN

MAX_ANSWER_CHARS = 20_000
MAX_PASSAGES = 20
MAX_PASSAGE_ID_CHARS = 1_000
MAX_HISTORY_ITEMS = 50
MAX_COMMENT_CHARS = 2_000
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
# A shown passage: "document#paragraph".
PASSAGE_ID = r"^[\s\S]+#[1-9][0-9]*$"
# A collection's name, the whole string.
COLLECTION = f"^{COLLECTION_NAME.pattern}$"


class ErrorDetail(BaseModel):
    code: str = Field(description="Vaste foutcode, bijvoorbeeld missing_question.")
    message: str = Field(description="Uitleg in het Nederlands.")


class ErrorBody(BaseModel):
    """Elke fout van de API."""

    error: ErrorDetail


# ---------- POST /api/v1/ask ----------


_COLLECTION_NAMES = list[Annotated[str, StringConstraints(pattern=COLLECTION_NAME_PATTERN)]]
_COLLECTIONS_REFUSAL = Refusal("invalid_collections", "Het veld 'collections' moet een lijst van 1 tot en met "
                                                      f"{MAX_COLLECTIONS} collectienamen zijn (kleine letters, "
                                                      "cijfers en streepjes, hoogstens 40 tekens).")


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
        _COLLECTION_NAMES | None,
        Field(min_length=1, max_length=MAX_COLLECTIONS,
              description="De collecties om in te zoeken. Zonder dit veld: elke collectie die de vrager mag lezen "
                          "(zonder token de openbare). Een collectie die de vrager niet mag lezen of die niet "
                          "bestaat: 403, zonder haar naam te noemen (de beheerder krijgt 404 voor een collectie "
                          "die niet bestaat)."),
        _COLLECTIONS_REFUSAL,
    ] = None


class Language(BaseModel):
    code: str = Field(description="Taalcode van de vraag, bijvoorbeeld nl.")
    confident: bool
    notice: str | None = Field(description="Melding als de vraag niet in het Nederlands lijkt.")


class Highlight(BaseModel):
    passage: int = Field(description="Nummer van de passage (1-based).")
    start: int = Field(description="Begin van de geciteerde zin in de tekst van de passage.")
    end: int


class AnswerText(BaseModel):
    text: str = Field(description="Letterlijk geciteerd antwoord met [n]-verwijzingen.")
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


# ---------- /api/v1/feedback ----------


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
        list[Annotated[str, StringConstraints(pattern=COLLECTION)]] | None,
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


# ---------- /api/v1/tokens ----------


class TokenRequest(BaseModel):
    """Een nieuwe API-token die de genoemde collecties mag lezen (en de openbare)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"name": "intranet-zoeker", "collections": ["standaard"]}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de token als JSON (Content-Type: application/json).",
        unreadable="Verwacht een JSON-object met collections en eventueel name.",
        not_object="Verwacht een JSON-object, bijvoorbeeld {\"name\": \"intranet\", \"collections\": [\"intern\"]}.",
    )
    unknown_field: ClassVar[Refusal] = Refusal("unknown_field", "Onbekend veld: {name}. Alleen 'name' en "
                                                                "'collections' bestaan.")

    collections: Annotated[
        _COLLECTION_NAMES,
        Field(min_length=1, max_length=MAX_COLLECTIONS, description="De collecties die de token mag lezen; "
                                                                     "elk moet bestaan."),
        _COLLECTIONS_REFUSAL,
    ]
    name: Annotated[
        Annotated[str, StringConstraints(pattern=TOKEN_NAME_PATTERN)] | None,
        Field(description="Naam om de token later aan te herkennen en in te trekken (standaard: token-<8 "
                          "tekens>)."),
        Refusal("invalid_name", TOKEN_NAME_RULE),
    ] = None


class TokenInfo(BaseModel):
    """Een API-token zoals de lijst hem toont: nooit zijn waarde."""

    name: str = Field(pattern=TOKEN_NAME_PATTERN)
    collections: list[str] = Field(description="De collecties die de token mag lezen (naast de openbare).")
    created: datetime
    revoked: datetime | None = Field(description="Wanneer de token is ingetrokken; null zolang hij geldt.")


class TokenCreated(TokenInfo):
    """De nieuwe token. Zijn waarde staat alleen in dit antwoord: Vraagbaak bewaart er alleen een hash van."""

    token: str = Field(pattern=r"^vb_[A-Za-z0-9_-]+$", description="Gebruik als Authorization: Bearer <token>.")


# ---------- collections, documents and jobs (admin; web.collections_api) ----------

_COLLECTION = Field(pattern=f"^{COLLECTION_NAME.pattern}$", description="Naam van de collectie.")


class CollectionRequest(BaseModel):
    """Een nieuwe collectie."""

    model_config = ConfigDict(strict=True, json_schema_extra={"examples": [{"name": "intern"}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de collectie als JSON (Content-Type: application/json).",
        unreadable="De inhoud van het verzoek is geen geldige JSON.",
        not_object="Verwacht een JSON-object, bijvoorbeeld {\"name\": \"intern\"}.",
    )

    name: Annotated[str, Field(pattern=f"^{COLLECTION_NAME.pattern}$",
                               description="1 tot 40 kleine letters, cijfers of streepjes."),
                    Refusal("invalid_name", NAME_RULE)]


class CollectionInfo(BaseModel):
    name: Annotated[str, _COLLECTION]
    public: bool = Field(description="Zonder token leesbaar (VRAAGBAAK_PUBLIC_COLLECTIONS).")
    documents: int = Field(ge=0, description="Documenten in de huidige indexversie.")
    passages: int = Field(ge=0, description="Passages in de huidige indexversie.")
    version: str | None = Field(description="De huidige indexversie; null zolang de collectie geen index heeft.")


class CollectionList(BaseModel):
    """Alle collecties, `standaard` eerst."""

    collections: list[CollectionInfo]


class CollectionDeleted(BaseModel):
    name: Annotated[str, _COLLECTION]
    status: Literal["verwijderd"]


class UploadForm(BaseModel):
    """Een of meer bestanden (.txt, .md, .pdf, .docx, .html), elk als deel `files` van multipart/form-data."""

    files: list[bytes] = Field(min_length=1, description="De bestanden, met hun bestandsnaam.")


class JobAccepted(BaseModel):
    """De taak is aangenomen; volg haar met GET /api/v1/jobs/<job>."""

    job: str = Field(description="Het id van de taak.")


class JobFile(BaseModel):
    name: str = Field(description="Bestandsnaam (bij verwijderen: het document).")
    status: Literal["pending", "indexed", "unchanged", "skipped", "removed"] = Field(
        description="pending: nog niet klaar; indexed: nieuw of gewijzigd en geïndexeerd; unchanged: al geïndexeerd "
                    "met dezelfde inhoud; skipped: niet geïndexeerd (zie reason); removed: verwijderd.")
    reason: str | None = Field(description="Waarom het bestand is overgeslagen (Nederlands).")


class JobStatus(BaseModel):
    """Een upload- of verwijdertaak en wat er met elk bestand gebeurde."""

    id: str
    collection: Annotated[str, _COLLECTION]
    kind: Literal["upload", "delete"]
    state: Literal["queued", "running", "done", "failed"]
    stage: str | None = Field(description="Waar een lopende taak is: lezen, embedden, opslaan, ...")
    done: int = Field(ge=0, description="Bestanden die gelezen (of al overgeslagen) zijn.")
    total: int = Field(ge=0, description="Bestanden in de taak.")
    files: list[JobFile]
    error: str | None = Field(description="Waarom de taak mislukte (Nederlands).")
    created: datetime
    started: datetime | None
    finished: datetime | None


class DocumentInfo(BaseModel):
    document: str = Field(description="Bestandsnaam in de collectie (document-id).")
    title: str
    kind: str = Field(description="txt, md, pdf, docx of html.")
    pages: int | None = Field(description="Aantal pagina's (PDF); anders null.")
    passages: int = Field(ge=0)
    sha256: str = Field(description="SHA-256 van de inhoud van het bestand.")
    indexed: datetime | None = Field(description="Wanneer deze inhoud geïndexeerd werd.")


class DocumentList(BaseModel):
    """De documenten in de huidige indexversie van een collectie."""

    collection: Annotated[str, _COLLECTION]
    version: str | None
    documents: list[DocumentInfo]

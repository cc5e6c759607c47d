"""The admin API: API tokens (/api/v1/tokens), collections, their documents, and the upload and delete jobs.

The views are web.tokens_api and web.collections_api; every operation here needs the admin token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from index.collections import NAME_RULE

from ..refusals import BodyRefusals, Refusal
from ..tokens import EXPIRES_RULE, MAX_COLLECTIONS, MAX_EXPIRES_DAYS, MIN_EXPIRES_DAYS
from ..tokens import NAME_RULE as TOKEN_NAME_RULE
from ..tokens import NAME_PATTERN as TOKEN_NAME_PATTERN
from .ask import _whole_number  # 30.0 is the whole number 30 to JSON, as for top_k
from .common import COLLECTION_NAME_PATTERN, COLLECTION_NAMES, COLLECTIONS_REFUSAL

# ---------- /api/v1/tokens ----------


class TokenRequest(BaseModel):
    """Een nieuwe API-token die de genoemde collecties mag lezen (en de openbare)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"name": "intranet-zoeker", "collections": ["standaard"], "expires_in_days": 90}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de token als JSON (Content-Type: application/json).",
        unreadable="Verwacht een JSON-object met collections en eventueel name en expires_in_days.",
        not_object="Verwacht een JSON-object, bijvoorbeeld {\"name\": \"intranet\", \"collections\": [\"intern\"]}.",
    )
    unknown_field: ClassVar[Refusal] = Refusal("unknown_field", "Onbekend veld: {name}. Alleen 'name', "
                                                                "'collections' en 'expires_in_days' bestaan.")

    collections: Annotated[
        COLLECTION_NAMES,
        Field(min_length=1, max_length=MAX_COLLECTIONS, description="De collecties die de token mag lezen; "
                                                                     "elk moet bestaan."),
        COLLECTIONS_REFUSAL,
    ]
    name: Annotated[
        Annotated[str, StringConstraints(pattern=TOKEN_NAME_PATTERN)] | None,
        Field(description="Naam om de token later aan te herkennen en in te trekken (standaard: token-<8 "
                          "tekens>)."),
        Refusal("invalid_name", TOKEN_NAME_RULE),
    ] = None
    expires_in_days: Annotated[
        int | None,
        Field(ge=MIN_EXPIRES_DAYS, le=MAX_EXPIRES_DAYS,
              description="Na zoveel dagen verloopt de token (een geheel getal van "
                          f"{MIN_EXPIRES_DAYS} tot en met {MAX_EXPIRES_DAYS}). Zonder dit veld, of met null, "
                          "verloopt hij niet."),
        BeforeValidator(_whole_number),
        Refusal("invalid_expires", EXPIRES_RULE),
    ] = None


class TokenInfo(BaseModel):
    """Een API-token zoals de lijst hem toont: nooit zijn waarde."""

    name: str = Field(pattern=TOKEN_NAME_PATTERN)
    collections: list[str] = Field(description="De collecties die de token mag lezen (naast de openbare).")
    created: datetime
    revoked: datetime | None = Field(description="Wanneer de token is ingetrokken; null zolang hij geldt.")
    expires: datetime | None = Field(description="Wanneer de token verloopt (UTC); null: hij verloopt niet.")
    expired: bool = Field(description="Of de token nu verlopen is: dan wordt hij geweigerd (401), net als een "
                                      "onbekende.")


class TokenCreated(TokenInfo):
    """De nieuwe token. Zijn waarde staat alleen in dit antwoord: Vraagbaak bewaart er alleen een hash van."""

    token: str = Field(pattern=r"^vb_[A-Za-z0-9_-]+$", description="Gebruik als Authorization: Bearer <token>.")


# ---------- collections, documents and jobs (web.collections_api) ----------

_COLLECTION = Field(pattern=COLLECTION_NAME_PATTERN, description="Naam van de collectie.")


class CollectionRequest(BaseModel):
    """Een nieuwe collectie."""

    model_config = ConfigDict(strict=True, json_schema_extra={"examples": [{"name": "intern"}]})
    body_refusals: ClassVar[BodyRefusals] = BodyRefusals(
        not_json="Stuur de collectie als JSON (Content-Type: application/json).",
        unreadable="De inhoud van het verzoek is geen geldige JSON.",
        not_object="Verwacht een JSON-object, bijvoorbeeld {\"name\": \"intern\"}.",
    )

    name: Annotated[str, Field(pattern=COLLECTION_NAME_PATTERN,
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
    reason: str | None = Field(description="Waarom het bestand is overgeslagen (Nederlands), bijvoorbeeld omdat de "
                                           "taak mislukte of geannuleerd werd.")


class JobStatus(BaseModel):
    """Een upload- of verwijdertaak en wat er met elk bestand gebeurde."""

    id: str
    collection: Annotated[str, _COLLECTION]
    kind: Literal["upload", "delete"]
    state: Literal["queued", "running", "done", "failed", "cancelled"] = Field(
        description="queued: in de wachtrij; running: bezig; done: klaar; failed: mislukt (zie error); cancelled: "
                    "geannuleerd door de beheerder, er is niets van in de index gekomen.")
    stage: str | None = Field(description="Waar een lopende taak is: lezen, embedden, buren, opslaan, ...")
    done: int = Field(ge=0, description="Bestanden die gelezen (of al overgeslagen) zijn.")
    total: int = Field(ge=0, description="Bestanden in de taak.")
    stage_done: int = Field(ge=0, description="Hoe ver de lopende fase is, bijvoorbeeld passages ge-embed.")
    stage_total: int = Field(ge=0, description="Hoeveel de lopende fase in totaal doet (0: onbekend).")
    files: list[JobFile]
    error: str | None = Field(description="Waarom de taak mislukte (Nederlands).")
    cancel_requested: bool = Field(description="Of de beheerder de taak heeft geannuleerd. Een lopende upload stopt "
                                               "dan bij het volgende bestand en wordt cancelled; was de nieuwe "
                                               "indexversie al bijna klaar, dan wordt ze toch done.")
    created: datetime
    started: datetime | None
    finished: datetime | None


class JobList(BaseModel):
    """De taken van een collectie die nog niet klaar zijn (in de wachtrij of bezig), oudste eerst."""

    collection: Annotated[str, _COLLECTION]
    jobs: list[JobStatus]


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

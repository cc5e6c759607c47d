"""The bodies of the operations endpoints (/healthz, /readyz, /admin/reload) as pydantic models, for the document.

Published in /api/v1/openapi.json, so docstrings and descriptions are Dutch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .schemas import ErrorDetail

ProblemCode = Literal["index_missing", "index_corrupt", "model_mismatch", "model_unavailable", "index_unavailable",
                      "backend_unavailable"]


class Health(BaseModel):
    status: str


class IndexInfo(BaseModel):
    version: str
    documents: int = Field(ge=0)
    chunks: int = Field(ge=0)
    model: str


class Problem(BaseModel):
    code: ProblemCode
    message: str
    version: str | None = Field(None, description="De versie die niet geopend kon worden.")


class Ready(BaseModel):
    """Model en index zijn geladen; degraded: een nieuwere versie bleek onbruikbaar, de vorige wordt gebruikt."""

    status: Literal["ready", "degraded"]
    index: IndexInfo
    problem: Problem | None = None


class NotReady(BaseModel):
    """Geen bruikbare index, een beschadigde index, een index van een ander model of een onbereikbare zoekdienst."""

    status: Literal["unavailable"]
    error: ErrorDetail


class Reload(BaseModel):
    """De versie die nu geserveerd wordt."""

    status: Literal["ready", "degraded", "unavailable"]
    version: str | None
    previous_version: str | None
    switched: bool
    index: IndexInfo | None = None
    problem: Problem | None = None

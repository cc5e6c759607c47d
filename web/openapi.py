"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from qa.question import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from qa.service import MAX_TOP_K

from .feedback import MAX_ANSWER_CHARS, MAX_COMMENT_CHARS, MAX_HISTORY_ITEMS, MAX_PASSAGES

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

_SOURCE = {
    "type": "object",
    "required": ["document", "title", "heading", "paragraph", "lines", "page", "span", "url"],
    "properties": {
        "document": {"type": "string", "description": "Bestandsnaam van het document (document-id)."},
        "title": {"type": "string"},
        "heading": {"type": ["string", "null"], "description": "Kop waaronder de passage staat."},
        "paragraph": {"type": "integer", "minimum": 1},
        "lines": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                  "description": "Eerste en laatste regel (1-based) in het bronbestand."},
        "page": {"type": ["integer", "null"], "description": "Paginanummer bij PDF."},
        "span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                 "description": "Tekenpositie [begin, eind) in de tekst van het document."},
        "url": {"type": "string",
                "description": "Link naar de alinea in de documentweergave (/documents/<document>#p<alinea>); "
                               "absoluut als VRAAGBAAK_PUBLIC_BASE_URL is ingesteld."},
    },
}

_ANSWER = {
    "type": "object",
    "required": ["question", "language", "answer", "abstained", "passages", "timings_ms", "index"],
    "properties": {
        "question": {"type": "string"},
        "language": {
            "type": "object",
            "required": ["code", "confident", "notice"],
            "properties": {
                "code": {"type": "string"},
                "confident": {"type": "boolean"},
                "notice": {"type": ["string", "null"]},
            },
        },
        "answer": {
            "type": "object",
            "required": ["text", "citations", "highlights"],
            "properties": {
                "text": {"type": "string", "description": "Letterlijk geciteerd antwoord met [n]-verwijzingen."},
                "citations": {"type": "array", "items": {"type": "integer"}},
                "highlights": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["passage", "start", "end"],
                        "properties": {
                            "passage": {"type": "integer"},
                            "start": {"type": "integer"},
                            "end": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "abstained": {"type": "boolean", "description": "Waar als de documenten geen antwoord bevatten."},
        "passages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rank", "score", "text", "source"],
                "properties": {
                    "rank": {"type": "integer", "minimum": 1},
                    "score": {"type": "number"},
                    "text": {"type": "string"},
                    "source": _SOURCE,
                },
            },
        },
        "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}},
        "index": {
            "type": "object",
            "properties": {"version": {"type": "string"}, "model": {"type": "string"}},
        },
    },
}


_FEEDBACK_REQUEST = {
    "type": "object",
    "required": ["question", "answer", "rating"],
    "properties": {
        "question": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS},
        "answer": {"type": "string", "minLength": 1, "maxLength": MAX_ANSWER_CHARS,
                   "description": "De antwoordtekst zoals getoond."},
        "rating": {"type": "string", "enum": ["up", "down"]},
        "passages": {"type": "array", "maxItems": MAX_PASSAGES,
                     "items": {"type": "string", "pattern": "^.+#[1-9][0-9]*$"},
                     "description": "Getoonde passages als \"document#alinea\"."},
        "history": {"type": "array", "maxItems": MAX_HISTORY_ITEMS,
                    "items": {"type": "string", "maxLength": MAX_QUESTION_CHARS},
                    "description": "Eerdere vragen van het gesprek, oudste eerst."},
        "comment": {"type": "string", "maxLength": MAX_COMMENT_CHARS},
    },
}

_FEEDBACK_ROW = {
    "type": "object",
    "required": ["id", "created_at", "index_version", "rating", "question", "answer", "passages", "history",
                 "comment"],
    "properties": {
        "id": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "index_version": {"type": ["string", "null"]},
        "rating": {"type": "string", "enum": ["up", "down"]},
        "question": {"type": "string"},
        "answer": {"type": "string"},
        "passages": {"type": "array", "items": {"type": "string"}},
        "history": {"type": "array", "items": {"type": "string"}},
        "comment": {"type": ["string", "null"]},
    },
}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vraagbaak API",
            "version": "1",
            "description": "Vragen over Nederlandse documenten, beantwoord met letterlijke citaten en bronnen.",
        },
        "paths": {
            "/api/v1/ask": {
                "post": {
                    "summary": "Stel een vraag",
                    "operationId": "ask",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["question"],
                                    "properties": {
                                        "question": {"type": "string", "minLength": 1,
                                                     "maxLength": MAX_QUESTION_CHARS},
                                        "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K,
                                                  "default": 5},
                                        "history": {
                                            "type": "array",
                                            "items": {"type": "string", "maxLength": MAX_QUESTION_CHARS},
                                            "description": f"Eerdere vragen van het gesprek, oudste eerst; de laatste {MAX_HISTORY_TURNS} tellen.",
                                        },
                                    },
                                },
                                "example": {"question": "Hoeveel dakloze mensen telde het CBS?"},
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "Antwoord met passages",
                                "content": {"application/json": {"schema": _ANSWER}}},
                        "400": _error_response("Ongeldige vraag of ongeldig verzoek"),
                        "413": _error_response("Verzoek te groot"),
                        "415": _error_response("Geen JSON"),
                        "503": _error_response("Nog geen (bruikbare) index"),
                    },
                }
            },
            "/api/v1/feedback": {
                "post": {
                    "summary": "Geef een duim omhoog of omlaag op een antwoord",
                    "operationId": "addFeedback",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": _FEEDBACK_REQUEST,
                            "example": {"question": "Wat vraagt de brief over de kostendelersnorm?",
                                        "answer": "Neemt u het initiatief ... [1]", "rating": "up",
                                        "passages": ["000_d31a0db93372aa9b.txt#9"]},
                        }},
                    },
                    "responses": {
                        "201": {"description": "Opgeslagen", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"id": {"type": "integer"},
                                                             "status": {"type": "string"}}}}}},
                        "400": _error_response("Ongeldige feedback"),
                        "413": _error_response("Verzoek te groot"),
                        "415": _error_response("Geen JSON"),
                    },
                },
                "get": {
                    "summary": "Exporteer alle feedback (beheer)",
                    "description": "Alleen beschikbaar als VRAAGBAAK_ADMIN_TOKEN is ingesteld; vraagt "
                                   "Authorization: Bearer <token>.",
                    "operationId": "exportFeedback",
                    "security": [{"adminToken": []}],
                    "parameters": [{"name": "format", "in": "query", "required": False,
                                    "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
                    "responses": {
                        "200": {"description": "Alle feedback, oudste eerst", "content": {
                            "application/json": {"schema": {"type": "array", "items": _FEEDBACK_ROW}},
                            "text/csv": {"schema": {"type": "string"}},
                        }},
                        "400": _error_response("Onbekend formaat"),
                        "401": _error_response("Geen of een verkeerde token"),
                        "404": _error_response("Export niet ingeschakeld"),
                    },
                },
            },
            "/healthz": {
                "get": {
                    "summary": "Leeft het proces?",
                    "operationId": "healthz",
                    "responses": {"200": {"description": "OK", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}},
                }
            },
        },
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                               "description": "De waarde van VRAAGBAAK_ADMIN_TOKEN."}},
        },
    }

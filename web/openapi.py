"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from qa.question import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from qa.service import MAX_TOP_K

from .feedback import MAX_ANSWER_CHARS, MAX_COMMENT_CHARS, MAX_HISTORY_ITEMS, MAX_PASSAGE_ID_CHARS, MAX_PASSAGES

def _whitespace_class() -> str:
    """Python's whitespace (what str.strip() and str.split() remove) as a regex class body."""
    spaces = [cp for cp in range(0x3001) if chr(cp).isspace()]
    ranges, start = [], spaces[0]
    for prev, cp in zip(spaces, spaces[1:] + [-1]):
        if cp != prev + 1:
            ranges.append(f"\\u{start:04x}" + (f"-\\u{prev:04x}" if prev != start else ""))
            start = cp
    return "".join(ranges)


# A text that is not only whitespace (feedback fields)...
VISIBLE_TEXT = f"[^{_whitespace_class()}]"
# ... and, for questions, not only whitespace and control characters (those become spaces).
# Other invisible characters (format, private use, unassigned) also count as empty; JSON Schema cannot say that.
QUESTION_TEXT = f"[^{_whitespace_class()}\\u0000-\\u001f\\u007f-\\u009f]"

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
    "required": ["document", "title", "heading", "paragraph", "lines", "page", "page_end", "kind", "ocr", "span",
                 "url"],
    "properties": {
        "document": {"type": "string", "description": "Bestandsnaam van het document (document-id)."},
        "title": {"type": "string"},
        "heading": {"type": ["string", "null"], "description": "Kop waaronder de passage staat."},
        "paragraph": {"type": "integer", "minimum": 1},
        "lines": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                  "description": "Eerste en laatste regel (1-based) in het bronbestand."},
        "page": {"type": ["integer", "null"], "description": "Paginanummer bij PDF (de eerste pagina van de passage)."},
        "page_end": {"type": ["integer", "null"],
                     "description": "Laatste pagina bij PDF: een alinea kan over een paginagrens lopen."},
        "kind": {"type": "string", "enum": ["paragraph", "bullet", "footnote"],
                 "description": "Soort passage: alinea, opsommingsteken of voetnoot."},
        "ocr": {"type": "boolean", "description": "Gelezen met tekstherkenning (OCR) van een gescande pagina."},
        "span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                 "description": "Tekenpositie [begin, eind) in de tekst van het document."},
        "url": {"type": "string",
                "description": "Link naar de alinea in de documentweergave (/documents/<document>#p<alinea>); "
                               "absoluut als VRAAGBAAK_PUBLIC_BASE_URL is ingesteld."},
        "page_url": {"type": "string",
                     "description": "Alleen bij PDF: link naar het originele bestand op de pagina van de passage "
                                    "(/documents/<document>/file#page=<pagina>), die de PDF-viewer van de "
                                    "browser op die pagina opent."},
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
        "question": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": VISIBLE_TEXT},
        "answer": {"type": "string", "minLength": 1, "maxLength": MAX_ANSWER_CHARS, "pattern": VISIBLE_TEXT,
                   "description": "De antwoordtekst zoals getoond."},
        "rating": {"type": "string", "enum": ["up", "down"]},
        "passages": {"type": ["array", "null"], "maxItems": MAX_PASSAGES,
                     "items": {"type": "string", "pattern": "^[\\s\\S]+#[1-9][0-9]*$", "maxLength": MAX_PASSAGE_ID_CHARS},
                     "description": "Getoonde passages als \"document#alinea\"."},
        "history": {"type": ["array", "null"], "maxItems": MAX_HISTORY_ITEMS,
                    "items": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS},
                    "description": "Eerdere vragen van het gesprek, oudste eerst."},
        "comment": {"type": ["string", "null"], "maxLength": MAX_COMMENT_CHARS},
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


_INDEX_INFO = {
    "type": "object",
    "required": ["version", "documents", "chunks", "model"],
    "properties": {
        "version": {"type": "string"},
        "documents": {"type": "integer", "minimum": 0},
        "chunks": {"type": "integer", "minimum": 0},
        "model": {"type": "string"},
    },
}

_PROBLEM = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "enum": ["index_missing", "index_corrupt", "model_mismatch",
                                            "model_unavailable", "index_unavailable"]},
        "message": {"type": "string"},
        "version": {"type": ["string", "null"], "description": "De versie die niet geopend kon worden."},
    },
}

_READY = {
    "type": "object",
    "required": ["status", "index"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "degraded"]},
        "index": _INDEX_INFO,
        "problem": _PROBLEM,
    },
}

_NOT_READY = {
    "type": "object",
    "required": ["status", "error"],
    "properties": {
        "status": {"type": "string", "enum": ["unavailable"]},
        "error": _ERROR["properties"]["error"],
    },
}

_RELOAD = {
    "type": "object",
    "required": ["status", "version", "previous_version", "switched"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "degraded", "unavailable"]},
        "version": {"type": ["string", "null"]},
        "previous_version": {"type": ["string", "null"]},
        "switched": {"type": "boolean"},
        "index": {"anyOf": [_INDEX_INFO, {"type": "null"}]},
        "problem": _PROBLEM,
    },
}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_RETRY_AFTER = {"Retry-After": {"description": "Seconden tot een nieuwe poging zin heeft.",
                                 "schema": {"type": "integer", "minimum": 1}}}
# Only when VRAAGBAAK_API_TOKEN is set; not declared as `security`, since without it the API is open.
_API_TOKEN_RESPONSE = {**_error_response("Geen of een verkeerde API-token (alleen als VRAAGBAAK_API_TOKEN is "
                                         "ingesteld; met WWW-Authenticate)")}
_TOO_MANY_RESPONSE = {**_error_response("Te veel verzoeken van deze client (VRAAGBAAK_RATE_LIMIT)"),
                      "headers": _RETRY_AFTER}


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
                                                     "maxLength": MAX_QUESTION_CHARS, "pattern": QUESTION_TEXT,
                                                     "description": "Minstens één zichtbaar teken; "
                                                                    "stuurtekens en onzichtbare tekens tellen niet."},
                                        "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K,
                                                  "default": 5},
                                        "history": {
                                            "type": ["array", "null"],
                                            "items": {"type": "string", "maxLength": MAX_QUESTION_CHARS,
                                                      "pattern": QUESTION_TEXT},
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
                        "401": _API_TOKEN_RESPONSE,
                        "429": _TOO_MANY_RESPONSE,
                        "503": _error_response("Nog geen (bruikbare) index, of de dienst is te druk (met Retry-After)"),
                        "504": _error_response("Het antwoord duurde langer dan VRAAGBAAK_QUESTION_TIMEOUT"),
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
                        "401": _API_TOKEN_RESPONSE,
                        "429": _TOO_MANY_RESPONSE,
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
                        "400": _error_response("Onbekend formaat of onbekende parameter"),
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
            "/readyz": {
                "get": {
                    "summary": "Zijn model en index geladen en bruikbaar?",
                    "description": "200 als model en index geladen zijn en bij elkaar horen (status ready), of als "
                                   "een nieuwere versie onbruikbaar bleek en de vorige nog gebruikt wordt (status "
                                   "degraded, met problem). 503 met een foutmelding als er geen bruikbare index is.",
                    "operationId": "readyz",
                    "responses": {
                        "200": {"description": "Gereed", "content": {"application/json": {"schema": _READY}}},
                        "503": {"description": "Niet gereed: geen index, beschadigde index of ander model",
                                "content": {"application/json": {"schema": _NOT_READY}}},
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus-metrieken",
                    "operationId": "metrics",
                    "responses": {"200": {"description": "Metrieken in het tekstformaat van Prometheus",
                                          "content": {"text/plain": {"schema": {"type": "string"}}}}},
                }
            },
            "/admin/reload": {
                "post": {
                    "summary": "Controleer nu op een nieuwe indexversie (beheer)",
                    "description": "Alleen beschikbaar als VRAAGBAAK_ADMIN_TOKEN is ingesteld; vraagt "
                                   "Authorization: Bearer <token>. Probeert ook een eerder onbruikbare versie opnieuw.",
                    "operationId": "reloadIndex",
                    "security": [{"adminToken": []}],
                    "responses": {
                        "200": {"description": "De versie die nu geserveerd wordt",
                                "content": {"application/json": {"schema": _RELOAD}}},
                        "401": _error_response("Geen of een verkeerde token"),
                        "404": _error_response("Herladen niet ingeschakeld"),
                        "503": {"description": "Geen bruikbare index",
                                "content": {"application/json": {"schema": _RELOAD}}},
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                               "description": "De waarde van VRAAGBAAK_ADMIN_TOKEN."},
                                "apiToken": {"type": "http", "scheme": "bearer",
                                             "description": "De waarde van VRAAGBAAK_API_TOKEN; alleen nodig voor "
                                                            "POST /api/v1/ask en POST /api/v1/feedback als die "
                                                            "instelling gezet is."}},
        },
    }

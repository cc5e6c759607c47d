"""Every error leaves the API as JSON {"error": {"code", "message"}} in Dutch."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .pages import error_page
from .sqlite_file import StoreUnreadable


log = logging.getLogger(__name__)

_MESSAGES = {
    400: ("bad_request", "Het verzoek is ongeldig."),
    404: ("not_found", "Deze pagina of dit adres bestaat niet."),
    405: ("method_not_allowed", "Deze methode is hier niet toegestaan."),
    413: ("payload_too_large", "Het verzoek is te groot."),
    415: ("unsupported_media_type", "Stuur de vraag als JSON (Content-Type: application/json)."),
    416: ("range_not_satisfiable", "Het gevraagde deel van het bestand (Range) bestaat niet."),
    429: ("too_many_requests", "Te veel verzoeken; probeer het zo weer."),
    500: ("internal_error", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
    503: ("unavailable", "De dienst is nog niet beschikbaar."),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, retry_after: int | None = None,
                   headers: dict[str, str] | None = None):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    response.headers.update(headers or {})
    return response


def _unlisted(exc: HTTPException) -> tuple[str, str]:
    """A status without a message of its own: its name as the code, a Dutch sentence (werkzeug's is English)."""
    code = "_".join((exc.name or "error").lower().split())
    return code, f"Dit verzoek kan niet worden uitgevoerd (HTTP {exc.code})."


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.retry_after, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code, message = _MESSAGES.get(exc.code) or _unlisted(exc)
        if not request.path.startswith("/api/") and exc.code == 404:
            return error_page(404, "Niet gevonden", "Deze pagina bestaat niet. Controleer het adres.")
        # A 405 says which methods the address does allow (RFC 9110).
        allowed = getattr(exc, "valid_methods", None) if exc.code == 405 else None
        return error_response(exc.code or 500, code, message,
                              headers={"Allow": ", ".join(sorted(allowed))} if allowed else None)

    @app.errorhandler(StoreUnreadable)
    def _store_unreadable(exc: StoreUnreadable):
        # The operator's to fix (the log names the file); the client hears only that it is not its fault.
        log.error("%s", exc, extra={"reason": "store_unreadable"})
        return error_response(503, "store_unavailable", "Een opslagbestand van de dienst (tokens of feedback) is "
                                                        "onleesbaar. De beheerder moet het herstellen.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The traceback goes to the log, never to the client.
        log.exception("Onverwachte fout bij %s %s", request.method, request.path)
        code, message = _MESSAGES[500]
        return error_response(500, code, message)

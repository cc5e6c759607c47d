"""The admin API of tokens: POST /api/v1/tokens, GET /api/v1/tokens, DELETE /api/v1/tokens/<name>.

Only with the admin token (VRAAGBAAK_ADMIN_TOKEN; without one these addresses
do not exist). The token itself is in the answer of POST, and nowhere else:
the list names tokens, never shows one, and says when each expires and
whether it has. `vraagbaak token` (web.cli_tokens) does the same on the server.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import openapi
from .config import app_settings
from .errors import ApiError
from .library import library
from .tokens import TokenError, TokenStore, issue

bp = Blueprint("tokens", __name__, url_prefix="/api/v1")


def _store() -> TokenStore:
    return TokenStore(app_settings().tokens_path)


def _refused(exc: TokenError) -> ApiError:
    """The API's answer to a token request that cannot be done: the status, code and words web.tokens gives it."""
    return ApiError(exc.status, exc.code, exc.message)


@bp.post("/tokens")
@openapi.create_token
def create_token():
    """Maak een API-token"""
    asked = request.context.json  # a web.schemas.TokenRequest; the admin token is checked first
    try:
        token, info = issue(_store(), asked.name, asked.collections, library().collections.exists,
                            asked.expires_in_days)
    except TokenError as exc:
        raise _refused(exc) from None
    return jsonify({**info.as_dict(), "token": token}), 201


@bp.get("/tokens")
@openapi.list_tokens
def list_tokens():
    """Toon de API-tokens"""
    return jsonify([info.as_dict() for info in _store().list()])


@bp.delete("/tokens/<name>")
@openapi.revoke_token
def revoke_token(name: str):
    """Trek een API-token in"""
    try:
        return jsonify(_store().revoke(name).as_dict())
    except TokenError as exc:
        raise _refused(exc) from None

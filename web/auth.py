"""Bearer-token checks shared by the API token, the issued tokens, feedback export and the admin endpoints."""

from __future__ import annotations

import hmac

from flask import Response, request

from .config import app_settings
from .errors import ApiError, error_response

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="vraagbaak"'}
NOT_FOUND = "Deze pagina of dit adres bestaat niet."
ADMIN_NEEDED = "Hiervoor is de beheerderstoken nodig (Authorization: Bearer <token>)."


def bearer() -> str | None:
    """The token of `Authorization: Bearer <token>`, or None when the request has no bearer token.

    Another scheme (Basic, from a proxy that signs people in) is not ours, and counts as none.
    """
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else None


def bearer_matches(token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>`, compared in constant time."""
    return header_carries(request.headers.get("Authorization", ""), token)


def header_carries(authorization: str, token: str) -> bool:
    """Whether an Authorization header's value is `Bearer <token>`, compared in constant time.

    Also read where no request object exists yet (the server's event loop, web.upload_limits).
    """
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8", "surrogatepass"),
                                                              token.encode())


def unauthorized(message: str) -> Response:
    return error_response(401, "unauthorized", message, headers=CHALLENGE)


def admin_token() -> str:
    return app_settings().admin_token or ""


def require_admin(message: str) -> Response | None:
    """None when the admin token matches; a 401 response when not; 404 when no token is set.

    Without a configured token the admin endpoints do not exist at all.
    """
    token = admin_token()
    if not token:
        raise ApiError(404, "not_found", NOT_FOUND)
    return None if bearer_matches(token) else unauthorized(message)


def check_admin(message: str = ADMIN_NEEDED) -> None:
    """require_admin, raising: an ApiError (404 without an admin token, else 401) unless the token matches."""
    refused = require_admin(message)
    if refused is not None:
        raise ApiError(401, "unauthorized", message, headers=CHALLENGE)

"""Bearer-token checks shared by the API token, feedback export and admin reload."""

from __future__ import annotations

import hmac

from flask import Response, request

from .config import app_settings
from .errors import ApiError, error_response


def bearer_matches(token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>`, compared in constant time."""
    return header_carries(request.headers.get("Authorization", ""), token)


def header_carries(authorization: str, token: str) -> bool:
    """Whether an Authorization header's value is `Bearer <token>`, compared in constant time.

    Also read where no request object exists yet (the server's event loop, web.upload_limits).
    """
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def unauthorized(message: str) -> Response:
    response = error_response(401, "unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="vraagbaak"'
    return response


def admin_token() -> str:
    return app_settings().admin_token or ""


def require_admin(message: str) -> Response | None:
    """None when the admin token matches; a 401 response when not; 404 when no token is set.

    Without a configured token the admin endpoints do not exist at all.
    """
    token = admin_token()
    if not token:
        raise ApiError(404, "not_found", "Deze pagina of dit adres bestaat niet.")
    return None if bearer_matches(token) else unauthorized(message)

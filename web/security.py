"""Defences against hostile and careless clients; `init_app(app)` switches them on.

Its settings come from the app's settings (web.config; docs/security.md):

* VRAAGBAAK_MAX_BODY_BYTES (64 KB): larger request bodies get 413.
* VRAAGBAAK_RATE_LIMIT ("60/minute"; "off" switches it off): per client, on
  POST /api/v1/ask and POST /api/v1/feedback, each with its own counter (flask-limiter).
  VRAAGBAAK_RATE_LIMIT_STORAGE: where the counters live, "memory://" (per
  process) by default, or a Redis URL shared by all workers (needs the `redis` package).
  A client is its remote address; X-Forwarded-For counts only when
  VRAAGBAAK_TRUSTED_PROXIES says how many proxies in front of us may set it (werkzeug ProxyFix).
* VRAAGBAAK_QUESTION_TIMEOUT (10 s; 0 switches it off): the time limit of every
  question, whichever way it comes in (web.answering): past it the client gets
  504, and 503 when every question slot stays busy that long.
* VRAAGBAAK_API_TOKEN: when set, POST /api/v1/ask and POST /api/v1/feedback need
  `Authorization: Bearer <token>` (compared in constant time), else 401. It is
  meant for programmatic access: the chat page does not know the token, so it
  only works behind a proxy that authenticates people and adds the header.
* VRAAGBAAK_CORS_ORIGINS: comma-separated origins that may call /api/ from a
  browser (with preflight); none by default, so CORS is off.
* Security headers on every response, and a strict Content-Security-Policy
  (no inline script) on HTML pages.
"""

from __future__ import annotations

import time

from flask import Flask, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from index.settings import ConfigError

from .auth import bearer_matches, unauthorized
from .config import app_settings
from .errors import error_response

# POST endpoints that cost work or storage: rate limited and, with a token, protected.
LIMITED_ENDPOINTS = frozenset({"api.ask", "feedback.add_feedback"})

HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type"
CORS_MAX_AGE = "600"


class SecurityConfigError(ConfigError):
    """A security setting whose value the settings cannot check by type (a rate limit, its storage)."""

    def __init__(self, message: str):
        super().__init__([message])


def init_app(app: Flask) -> None:
    """Switch every protection on for `app`; call after the blueprints are registered."""
    settings = app_settings(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes

    proxies = settings.trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)

    _init_rate_limit(app)
    token = settings.api_token or ""
    origins = frozenset(o.strip().rstrip("/") for o in (settings.cors_origins or "").split(",") if o.strip())

    @app.before_request
    def _preflight_and_token():
        if request.method == "OPTIONS" and request.path.startswith("/api/") \
                and "Access-Control-Request-Method" in request.headers:
            return make_response("", 204)  # CORS headers (or none) are added below
        if token and request.method == "POST" and request.endpoint in LIMITED_ENDPOINTS:
            if not bearer_matches(token):
                return unauthorized("Voor deze API is een geldige token nodig (Authorization: Bearer <token>).")
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Content-Security-Policy", HTML_CSP if response.mimetype == "text/html" else OTHER_CSP)
        if request.path.startswith("/api/"):
            headers.add("Vary", "Origin")
            origin = request.headers.get("Origin", "").rstrip("/")
            if origin and origin in origins:
                headers["Access-Control-Allow-Origin"] = origin
                if request.method == "OPTIONS":
                    headers["Access-Control-Allow-Methods"] = CORS_METHODS
                    headers["Access-Control-Allow-Headers"] = CORS_HEADERS
                    headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        return response


def _init_rate_limit(app: Flask) -> None:
    rate = app_settings(app).rate_limit
    if rate.lower() in ("off", "uit", "0", "none"):
        return
    from flask_limiter import Limiter, RateLimitExceeded
    from flask_limiter.util import get_remote_address
    from limits import parse_many

    try:
        parse_many(rate)
    except ValueError:
        raise SecurityConfigError(
            f"VRAAGBAAK_RATE_LIMIT {rate!r} is geen geldige limiet; bijvoorbeeld \"60/minute\" of \"off\".") from None
    storage = app_settings(app).rate_limit_storage
    try:
        limiter = Limiter(
            get_remote_address,
            app=app,
            default_limits=[rate],
            storage_uri=storage,
            headers_enabled=False,  # Retry-After only where it means something: on the 429 below
            swallow_errors=True,  # an unreachable Redis must not take the API down ...
            in_memory_fallback_enabled=True,  # ... the limits then hold per process
        )
    except Exception as exc:  # noqa: BLE001 - limits raises its own ConfigurationError
        raise SecurityConfigError(f"VRAAGBAAK_RATE_LIMIT_STORAGE is onbruikbaar: {exc}") from exc

    @limiter.request_filter
    def _not_limited() -> bool:
        return request.method != "POST" or request.endpoint not in LIMITED_ENDPOINTS

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        current = limiter.current_limit
        retry = max(1, int(current.reset_at - time.time())) if current is not None else 60
        response = error_response(429, "too_many_requests",
                                  f"Te veel verzoeken. Probeer het over {retry} seconden opnieuw.")
        response.headers["Retry-After"] = str(retry)
        return response

"""Defences against hostile and careless clients; `init_app(app)` switches them on.

Its settings come from the app's settings (web.config; docs/security.md):

* VRAAGBAAK_MAX_BODY_BYTES (64 KB): larger request bodies get 413; only an admin's upload of
  documents may be larger, up to VRAAGBAAK_MAX_UPLOAD_BYTES (web.upload_limits).
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
  a token (`Authorization: Bearer <token>`, compared in constant time): this
  one, which reads the public collections, the admin token, or an issued token
  (web.access); else 401. It is meant for programmatic access: the chat page
  does not know a token, so it only works behind a proxy that authenticates
  people and adds the header. Without it those endpoints are open, and read
  the public collections. A wrong or revoked token is 401 either way.
* VRAAGBAAK_CORS_ORIGINS: comma-separated origins that may call /api/ from a
  browser (with preflight); none by default, so CORS is off.
* Security headers on every response, and a strict Content-Security-Policy
  (no inline script) on HTML pages.
* Hostile JSON (JsonProvider): nesting deeper than MAX_JSON_DEPTH (Python's own
  limit raised RecursionError) and strings that are no valid Unicode (a lone
  surrogate, "\\ud800", which SQLite cannot store) are no valid JSON: 400 invalid_json.
* A body without Content-Length (Transfer-Encoding: chunked) is read up to the
  limit and one byte more (BodyLimit); it was cut at the limit and read as
  broken JSON. Any body over the limit gets 413, on every address.
* Redirects never carry the Host header: no merging of "//" into a redirect
  (it sent `Location: http://<Host>/...`), and any absolute Location the app
  makes becomes relative, or is put on VRAAGBAAK_PUBLIC_BASE_URL.
* `Cache-Control: no-store` on everything under /api/ (questions, answers,
  feedback) and on the Slack and Mattermost answers, unless a view set its own.

What the server itself does about slow clients (bodies trickled in) is in web.worker.
"""

from __future__ import annotations

import io
import json
import time
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, make_response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from index.settings import ConfigError

from . import access
from .auth import unauthorized
from .config import app_settings
from .errors import error_response
from .upload_limits import UploadLimit

# POST endpoints that cost work or storage: rate limited and, with a token, protected.
LIMITED_ENDPOINTS = frozenset({"api.ask", "feedback.add_feedback"})

HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

# Request bodies of this API are an object with lists of strings: depth 2. Far below Python's recursion limit.
MAX_JSON_DEPTH = 32
# Responses that carry questions or answers; caches (browser, proxy) must not keep them.
NO_STORE_PREFIXES = ("/api/", "/slack/", "/mattermost/")
NO_STORE_EXCEPT = frozenset({"/api/v1/openapi.json"})
BODY_TOO_LARGE = "vraagbaak.body_too_large"  # environ key set by BodyLimit

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type"
CORS_MAX_AGE = "600"


class SecurityConfigError(ConfigError):
    """A security setting whose value the settings cannot check by type (a rate limit, its storage)."""

    def __init__(self, message: str):
        super().__init__([message])


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, but nesting past MAX_JSON_DEPTH and invalid Unicode are a ValueError like any bad JSON.

    Request.get_json(silent=True) then gives None, and the API answers 400 invalid_json (web.refusals).
    """

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON is te diep genest") from None
        check_json_value(value)
        return value


def check_json_value(value) -> None:
    """ValueError when `value` nests deeper than MAX_JSON_DEPTH or holds a string that is not valid Unicode."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _valid_unicode(item)
        elif isinstance(item, (list, dict)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON is dieper genest dan {MAX_JSON_DEPTH} lagen")
            if isinstance(item, dict):
                for key in item:
                    _valid_unicode(key)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def _valid_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # json.loads lets "\\ud800" (and the bytes ED A0 80) through as a lone surrogate.
        raise ValueError("tekst is geen geldige Unicode (losse surrogaat)") from None


class BodyLimit:
    """WSGI middleware: marks a body over `limit` (BODY_TOO_LARGE), and reads a chunked one into memory.

    werkzeug reads a body without Content-Length only up to the limit and stops there, without telling
    that more was sent: a chunked body of 1 MB became 64 KB of broken JSON (400 instead of 413). Here
    such a body is read to one byte past the limit; when it fits it becomes a plain body with a
    Content-Length, otherwise the request is marked and answered 413 (init_app).
    """

    def __init__(self, app, limit: int, upload: UploadLimit | None = None):
        self.app, self.limit, self.upload = app, limit, upload

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH", "")
        if length:
            if length.isdigit() and int(length) > self._limit(environ):
                environ[BODY_TOO_LARGE] = True
        elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                environ[BODY_TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.app(environ, start_response)


    def _limit(self, environ) -> int:
        """The limit of a body with a Content-Length: larger for an admin's upload."""
        if self.upload is None:
            return self.limit
        return self.upload.body_limit(self.limit, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""),
                                      environ.get("HTTP_AUTHORIZATION", ""))


def _read_at_most(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        block = stream.read(min(left, 65536))
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)


def safe_location(location: str, base_url: str) -> str:
    """A Location without the request's Host: the path (and query, fragment), on the public base URL if set."""
    parts = urlsplit(location)
    if not (parts.scheme or parts.netloc):
        if location.startswith("//") or location.startswith("/\\"):
            return "/" + location.lstrip("/\\")  # protocol-relative would name a host
        return location
    path = "/" + parts.path.lstrip("/")
    return base_url + urlunsplit(("", "", path, parts.query, parts.fragment))


def init_app(app: Flask) -> None:
    """Switch every protection on for `app`; call after the blueprints are registered."""
    settings = app_settings(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    # "/documents//etc/passwd" was redirected to http://<Host>/documents/etc/passwd; now it is simply no route.
    app.url_map.merge_slashes = False
    app.wsgi_app = BodyLimit(app.wsgi_app, settings.max_body_bytes, UploadLimit.from_settings(settings))

    proxies = settings.trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)

    @app.before_request
    def _body_too_large():
        if request.environ.get(BODY_TOO_LARGE):
            raise RequestEntityTooLarge()

    _init_rate_limit(app)
    base_url = str(settings.public_base_url or "").rstrip("/")
    token = settings.api_token or ""
    origins = frozenset(o.strip().rstrip("/") for o in (settings.cors_origins or "").split(",") if o.strip())

    @app.before_request
    def _preflight_and_token():
        if request.method == "OPTIONS" and request.path.startswith("/api/") \
                and "Access-Control-Request-Method" in request.headers:
            return make_response("", 204)  # CORS headers (or none) are added below
        if request.method == "POST" and request.endpoint in LIMITED_ENDPOINTS:
            # Who asks is decided here, before the body is read: a wrong or revoked token is 401 (web.access).
            who = access.reader()
            if token and not who.authenticated:
                return unauthorized("Voor deze API is een geldige token nodig (Authorization: Bearer <token>).")
        return None

    @app.after_request
    def _headers(response):
        _security_headers(response)
        _safe_redirect(response, base_url)
        if request.path.startswith("/api/"):
            _cors_headers(response, origins)
        return response


def _security_headers(response) -> None:
    """No sniffing, no framing, no referrer, a content security policy; no caching of what is private."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Content-Security-Policy", HTML_CSP if response.mimetype == "text/html" else OTHER_CSP)
    if request.path.startswith(NO_STORE_PREFIXES) and request.path not in NO_STORE_EXCEPT:
        headers.setdefault("Cache-Control", "no-store")


def _safe_redirect(response, base_url: str) -> None:
    """A Location that stays on this site (safe_location), and a redirect without a body naming the Host."""
    location = response.headers.get("Location")
    if not location:
        return
    safe = safe_location(location, base_url)
    if safe != location:
        response.headers["Location"] = safe
    if 300 <= response.status_code < 400:
        # Werkzeug's redirect page spells the target out with the request's Host,
        # even where the Location itself is relative (a routing redirect).
        response.set_data(b"")


def _cors_headers(response, origins: frozenset[str]) -> None:
    """An API answer may be read by the configured origins only (and a preflight says what they may send)."""
    headers = response.headers
    headers.add("Vary", "Origin")
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in origins:
        headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = CORS_METHODS
            headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            headers["Access-Control-Max-Age"] = CORS_MAX_AGE


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

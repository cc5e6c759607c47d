"""Defences against hostile and careless clients; `init_app(app)` switches them on.

Its settings come from the app's settings (web.config; docs/security.md):

* VRAAGBAAK_MAX_BODY_BYTES (64 KB): larger request bodies get 413.
* VRAAGBAAK_RATE_LIMIT ("60/minute"; "off" switches it off): per client, on
  POST /api/v1/ask and POST /api/v1/feedback, each with its own counter (flask-limiter).
  VRAAGBAAK_RATE_LIMIT_STORAGE: where the counters live, "memory://" (per
  process) by default, or a Redis URL shared by all workers (needs the `redis` package).
  A client is its remote address; X-Forwarded-For counts only when
  VRAAGBAAK_TRUSTED_PROXIES says how many proxies in front of us may set it (werkzeug ProxyFix).
* VRAAGBAAK_QUESTION_TIMEOUT (10 s; 0 switches it off): a question runs in a small
  bounded thread pool; past the limit the client gets 504 (and 503 when every
  slot stays busy that long). The work itself is not interrupted -- Python
  cannot stop a thread -- but it keeps its slot until it ends, so runaway work
  cannot pile up.
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

import contextvars
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import Flask, current_app, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from index.settings import ConfigError

from .auth import bearer_matches, unauthorized
from .config import app_settings
from .errors import ApiError, error_response

T = TypeVar("T")

QUESTION_WORKERS = 4  # questions computed at once per process; more wait for a slot

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


class LimitExceeded(ApiError):
    """An ApiError that tells the client when to try again."""

    def __init__(self, status: int, code: str, message: str, retry_after: int):
        super().__init__(status, code, message)
        self.retry_after = retry_after


class QuestionRunner:
    """Runs a question with a time limit in a bounded pool, created lazily per process (safe with fork)."""

    def __init__(self, timeout: float, workers: int = QUESTION_WORKERS):
        self.timeout = timeout
        self.workers = workers
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._slots: threading.BoundedSemaphore | None = None
        self._lock = threading.Lock()

    def _ensure_pool(self) -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vraagbaak-vraag")
                    self._slots = threading.BoundedSemaphore(self.workers)
                    self._pid = pid
        return self._pool, self._slots

    def run(self, work: Callable[[], T]) -> T:
        work = _guarded(work)
        if not self.timeout:
            return work()
        pool, slots = self._ensure_pool()
        deadline = time.monotonic() + self.timeout
        if not slots.acquire(timeout=self.timeout):
            raise LimitExceeded(503, "busy", "Vraagbaak is nu te druk. Probeer het over enkele seconden opnieuw.",
                                retry_after=max(1, round(self.timeout)))
        try:
            # The copied context carries Flask's app and request context (and any log context) along.
            future = pool.submit(contextvars.copy_context().run, work)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(lambda _: slots.release())
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            if future.done():
                return future.result()  # the work itself raised TimeoutError
            seconds = f"{self.timeout:g}".replace(".", ",")
            raise ApiError(504, "question_timeout",
                           f"Het beantwoorden duurde langer dan {seconds} seconden. "
                           "Probeer het later opnieuw of stel een kortere vraag.") from None


def _guarded(work: Callable[[], T]) -> Callable[[], T]:
    """`work`, with a native library's panic (a BaseException) turned into an ordinary error: a JSON 500."""

    def guarded() -> T:
        try:
            return work()
        except (Exception, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # e.g. pyo3's PanicException from the tokenizer
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from exc

    return guarded


def run_question(work: Callable[[], T]) -> T:
    """Run `work` (answering one question) under the app's time limit."""
    runner: QuestionRunner | None = current_app.extensions.get("vraagbaak_questions")
    return runner.run(work) if runner is not None else work()


def init_app(app: Flask) -> None:
    """Switch every protection on for `app`; call after the blueprints are registered."""
    settings = app_settings(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes

    proxies = settings.trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)

    _init_rate_limit(app)
    app.extensions["vraagbaak_questions"] = QuestionRunner(settings.question_timeout)

    token = settings.api_token or ""
    origins = frozenset(o.strip().rstrip("/") for o in (settings.cors_origins or "").split(",") if o.strip())

    @app.errorhandler(LimitExceeded)
    def _limit_exceeded(exc: LimitExceeded):
        response = error_response(exc.status, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

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

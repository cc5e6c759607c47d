"""JSON-lines logging and a request id on every request.

Every log record becomes one JSON object on one line: time, level, logger,
message, and -- inside a request -- request_id, method and path. Each request
ends with one "request" line that adds status and duration_ms; that line
replaces gunicorn's access log. The request id comes from a sane incoming
X-Request-ID header (so a proxy's id carries through) or is generated, and is
returned in the X-Request-ID response header.

Every question, whichever way it came in (API, chat page, Slack, Mattermost),
also gets one line of its own from web.answering: channel, the collections
searched, duration_ms, and index_version and abstained, or the failure's code
as reason; the request line of POST /api/v1/ask names the collections too.

Questions can be personal: they are logged only with VRAAGBAAK_LOG_QUESTIONS=1.
Headers, tokens and secrets are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

from .config import app_settings

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Fields a log call may add with extra={...}; anything else stays out of the line.
_EXTRA_FIELDS = ("request_id", "method", "path", "endpoint", "status", "duration_ms", "question",
                 "index_version", "abstained", "remote_addr", "event", "version", "reason", "channel",
                 "collections")

log = logging.getLogger("vraagbaak.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the request's id, method and path are added inside a request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            entry["method"] = request.method
            entry["path"] = request.path
        for name in _EXTRA_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        entry["pid"] = record.process
        return json.dumps({k: v for k, v in entry.items() if v is not None}, ensure_ascii=False, default=str)


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._vraagbaak_json = True  # noqa: SLF001 -- marks our own handler
    return handler


def configure_logging(level: str = "INFO") -> None:
    """Root logger: JSON lines on stderr, replacing any plain handler set up before."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(json_handler())
    root.setLevel(level)
    # gunicorn's own messages (start, workers, signals) go through the root handler too.
    for name in ("gunicorn.error", "gunicorn.access"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)  # which CPU build it picked: noise


def log_questions() -> bool:
    return app_settings().log_questions


def request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = getattr(g, "request_id", None) or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = rid
        started = getattr(g, "request_started", None)
        duration = round((time.perf_counter() - started) * 1000, 2) if started else None
        extra = {"status": response.status_code, "duration_ms": duration,
                 "endpoint": request.url_rule.rule if request.url_rule else None}
        # What a question's request searched, and from which index version it answered (web.answering).
        extra.update(getattr(g, "vraagbaak_asked", None) or {})
        if request.path.startswith("/api/v1/ask") and response.is_json:
            if log_questions():
                asked = request.get_json(silent=True)
                if isinstance(asked, dict) and isinstance(asked.get("question"), str):
                    extra["question"] = asked["question"][:1000]
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        if request.path in ("/healthz", "/readyz", "/metrics") and response.status_code < 400:
            level = logging.DEBUG  # probes every few seconds would drown the log
        log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=extra)
        return response

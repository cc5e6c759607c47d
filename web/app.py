"""The Flask application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, jsonify

from index.settings import data_dir

from . import api, feedback, files, pages
from . import mattermost, slack
from . import security
from . import logs, metrics, openapi, ops
from .engine import Engine
from .errors import register_error_handlers

# Questions are short; history adds at most a few kilobytes. Anything bigger is not a question.
MAX_BODY_BYTES = 64 * 1024


def default_index_dir() -> Path:
    return Path(os.environ.get("VRAAGBAAK_INDEX_DIR", data_dir() / "index"))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
        VRAAGBAAK_INDEX_DIR=str(default_index_dir()),
        VRAAGBAAK_MODEL=None,
        VRAAGBAAK_ANSWER_OPTIONS=None,  # qa.options.AnswerOptions; None: from the environment
        VRAAGBAAK_PRELOAD=False,
    )
    app.config.from_prefixed_env("VRAAGBAAK_FLASK")
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    engine = Engine(
        Path(app.config["VRAAGBAAK_INDEX_DIR"]),
        model=app.config["VRAAGBAAK_MODEL"],
        options=app.config["VRAAGBAAK_ANSWER_OPTIONS"],
    )
    app.extensions["vraagbaak"] = engine
    logs.init_app(app)  # request id, one JSON log line per request
    metrics.init_app(app)  # GET /metrics
    app.register_blueprint(ops.bp)  # GET /readyz, POST /admin/reload
    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(files.bp)  # GET /documents/<doc_id>/file, the original
    app.register_blueprint(pages.bp)
    slack.init_app(app)  # POST /slack/events, when configured
    mattermost.init_app(app)  # POST /mattermost/command, when configured
    security.init_app(app)  # body size, rate and time limits, API token, CORS, security headers

    @app.get("/healthz")
    @openapi.healthz
    def healthz():
        """Leeft het proces?"""
        return jsonify({"status": "ok"})

    if app.config["VRAAGBAAK_PRELOAD"]:
        _preload(engine)
    return app


def _preload(engine: Engine) -> None:
    """Load model and index now, so the first question is not slow; a missing index is not fatal."""
    from index.errors import VraagbaakError

    engine.embedder
    try:
        engine.answerer()
    except VraagbaakError as exc:
        logging.getLogger(__name__).warning("%s", exc)

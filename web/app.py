"""The Flask application factory."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from flask import Flask, jsonify

from index.settings import Settings

from . import (
    admin_page, answering, api, collections_api, documents, feedback, files, jobs, library, logs, mattermost, metrics,
    openapi, ops, pages, security, slack, tokens_api,
)
from .config import EXTENSION, settings_for_app
from .errors import register_error_handlers


def create_app(config: Mapping | None = None, *, settings: Settings | None = None) -> Flask:
    """The app over the configured index.

    `settings` are the process's settings (default: read now from the
    environment and the settings file); keys of `config` that name a setting
    ("VRAAGBAAK_INDEX_DIR") override them, the rest is Flask config
    (VRAAGBAAK_PRELOAD, VRAAGBAAK_ANSWER_OPTIONS, VRAAGBAAK_RESUME_JOBS: go on with unfinished jobs
    now; `vraagbaak serve` does that in each worker instead, web.jobs). Bad settings raise
    ConfigError, with every problem in Dutch.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        JSON_SORT_KEYS=False,
        VRAAGBAAK_ANSWER_OPTIONS=None,  # qa.options.AnswerOptions; None: from the settings
        VRAAGBAAK_PRELOAD=False,
        VRAAGBAAK_RESUME_JOBS=True,
    )
    if config:
        app.config.update(config)
    settings = settings_for_app(config, settings)
    app.extensions[EXTENSION] = settings
    app.json = security.JsonProvider(app)  # deep nesting and invalid Unicode are bad JSON (400), not a 500
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    collections = library.init_app(app, settings, app.config["VRAAGBAAK_ANSWER_OPTIONS"])  # one engine each
    engine = collections.standard
    app.extensions["vraagbaak"] = engine  # the default collection's engine (readiness, metrics)
    # The one way to answer, for every way in; a question slot for each request thread.
    answering.init_app(app, collections, settings.question_timeout, settings.threads)
    jobs.init_app(app, collections, settings, resume=app.config["VRAAGBAAK_RESUME_JOBS"])  # uploads, removals
    logs.init_app(app)  # request id, one JSON log line per request
    metrics.init_app(app, collections)  # GET /metrics
    app.register_blueprint(ops.bp)  # GET /readyz, POST /admin/reload
    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(tokens_api.bp)  # /api/v1/tokens: who may read which collections (admin)
    app.register_blueprint(documents.bp)  # GET /documents/<doc_id>, GET /c/<collection>/documents/<doc_id>
    app.register_blueprint(files.bp)  # GET /documents/<doc_id>/file, the original
    app.register_blueprint(collections_api.bp)  # /api/v1/collections, documents and jobs (admin)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin_page.bp)  # GET /beheer
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


def _preload(engine) -> None:
    """Load model, index, language profiles and sentence splitter now, and split the index's sentences
    (qa.service.Answerer.prepare), so the first questions are not slow; a missing index is not fatal.
    Under gunicorn this runs before the workers fork: they share it all."""
    from index.errors import VraagbaakError
    from index.sentences import load_punkt
    from qa.language import load_profiles

    log = logging.getLogger(__name__)
    load_profiles()
    load_punkt()
    engine.embedder
    try:
        answerer = engine.answerer()
        started = time.perf_counter()
        prepared = answerer.prepare()
    except VraagbaakError as exc:
        log.warning("%s", exc)
        return
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    log.info("Zinnen van %d passages voorbereid in %s s", prepared, seconds, extra={"passages": prepared})

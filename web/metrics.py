"""Prometheus metrics at GET /metrics (prometheus-client).

One process: the metrics live in the default registry. Several gunicorn
workers: set PROMETHEUS_MULTIPROC_DIR to an empty, writable folder before
starting (`vraagbaak serve` empties it); every worker then writes its values
there and /metrics adds them up over all workers (prometheus_client's
multiprocess mode), whichever worker answers the scrape.

Requests are labelled by Flask's url rule (`/documents/<path:doc_id>`), never
by the raw path, so the number of series stays bounded.

Collections: a question is counted once per channel (vraagbaak_questions_total)
and once for each collection it searched (vraagbaak_collection_questions_total).
The index gauges carry a `collection` label and are set by every collection's
engine once it is loaded (web.library adds the listener to each); a removed
collection's gauges drop to 0. Readiness (vraagbaak_ready) stays that of
`standaard`, as /readyz reports it.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from index.collections import STANDARD
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from . import openapi
from .config import app_settings

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

REQUESTS = Counter("vraagbaak_http_requests_total", "HTTP-verzoeken per adres (url-regel), methode en status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("vraagbaak_http_request_duration_seconds", "Duur van HTTP-verzoeken per adres en methode.",
                    ["endpoint", "method"], buckets=_LATENCY_BUCKETS)
EMBED = Histogram("vraagbaak_embedding_seconds", "Tijd om de vraag te embedden (embed_ms).",
                  buckets=_STAGE_BUCKETS)
SEARCH = Histogram("vraagbaak_retrieval_seconds", "Tijd om passages te zoeken (search_ms).", buckets=_STAGE_BUCKETS)
ANSWER = Histogram("vraagbaak_answer_seconds", "Tijd om de antwoordzinnen te kiezen (answer_ms).",
                   buckets=_STAGE_BUCKETS)
QUESTIONS = Counter("vraagbaak_questions_total", "Beantwoorde vragen per kanaal (api, chat, slack, mattermost).",
                    ["channel"])
ABSTENTIONS = Counter("vraagbaak_abstentions_total",
                      "Vragen waarop Vraagbaak zich onthield (niets gevonden), per kanaal.", ["channel"])
COLLECTION_QUESTIONS = Counter("vraagbaak_collection_questions_total",
                               "Beantwoorde vragen per doorzochte collectie (een vraag over meer collecties telt bij "
                               "elk ervan).", ["collection"])
QUESTION_FAILURES = Counter("vraagbaak_question_failures_total",
                            "Vragen die niet beantwoord konden worden, per kanaal en foutcode.", ["channel", "code"])
INDEX_CHUNKS = Gauge("vraagbaak_index_chunks", "Passages in de geserveerde index, per collectie.", ["collection"],
                     multiprocess_mode="livemostrecent")
INDEX_DOCUMENTS = Gauge("vraagbaak_index_documents", "Documenten in de geserveerde index, per collectie.",
                        ["collection"], multiprocess_mode="livemostrecent")
# With several workers the most recent write wins: a worker that switched versions sets the old one to
# 0 and the new one to 1, and the preloading master's start-up values (never updated) lose to any worker's.
INDEX_INFO = Gauge("vraagbaak_index_info", "1 voor de geserveerde indexversie van een collectie en het model ervan.",
                   ["collection", "version", "model"], multiprocess_mode="livemostrecent")
# Set by the worker that answers GET /metrics, just before it renders: what that worker's /readyz says.
READY = Gauge("vraagbaak_ready", "1 als model en index geladen en bruikbaar zijn, anders 0.",
              multiprocess_mode="livemostrecent")
RELOAD_FAILURES = Counter("vraagbaak_index_switch_failures_total",
                          "Nieuwe indexversies die niet geopend konden worden (de oude bleef in gebruik).")

_shown_versions: dict[str, set[tuple[str, str]]] = {}  # collection -> (version, model) this process showed


# The folder gunicorn's workers share their metrics in (PROMETHEUS_MULTIPROC_DIR), from the
# settings of the app; the gunicorn master, which created the app, reads it when a worker dies.
_multiprocess_dir: list = [None]


def multiprocess_dir() -> str | None:
    return _multiprocess_dir[0]


def collection_of(snapshot) -> str:
    """The collection an engine's snapshot serves (web.engine wraps each in a one-part CombinedBackend)."""
    names = getattr(snapshot, "names", None)
    return names[0] if names else STANDARD


def index_switched(snapshot) -> None:
    """An engine calls this when it serves a new index version of its collection."""
    collection = collection_of(snapshot)
    version, model = snapshot.version, str(snapshot.manifest.get("model", ""))
    shown = _shown_versions.setdefault(collection, set())
    for old in list(shown):
        if old != (version, model):
            INDEX_INFO.labels(collection, *old).set(0)
    INDEX_INFO.labels(collection, version, model).set(1)
    shown.add((version, model))
    INDEX_CHUNKS.labels(collection).set(snapshot.size)
    INDEX_DOCUMENTS.labels(collection).set(len(snapshot.manifest.get("files", {})))


def collection_removed(collection: str) -> None:
    """A removed collection serves nothing any more: its gauges drop to 0."""
    for old in _shown_versions.pop(collection, set()):
        INDEX_INFO.labels(collection, *old).set(0)
    INDEX_CHUNKS.labels(collection).set(0)
    INDEX_DOCUMENTS.labels(collection).set(0)


def switch_failed() -> None:
    RELOAD_FAILURES.inc()


def question_answered(channel: str, answer, collections=(STANDARD,)) -> None:
    """web.answering calls this for every answered question, whichever way it came in, with the
    collections it searched."""
    for key, histogram in (("embed_ms", EMBED), ("search_ms", SEARCH), ("answer_ms", ANSWER)):
        value = answer.timings.get(key)
        if isinstance(value, (int, float)):
            histogram.observe(value / 1000)
    QUESTIONS.labels(channel).inc()
    for collection in dict.fromkeys(collections):
        COLLECTION_QUESTIONS.labels(collection).inc()
    if answer.abstained:
        ABSTENTIONS.labels(channel).inc()


def question_failed(channel: str, code: str) -> None:
    QUESTION_FAILURES.labels(channel, code).inc()


def render() -> Response:
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    # content_type, not mimetype: the type names its charset already, and werkzeug would add another.
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


# A client may send any word as its method; each would become series of its
# own, without bound. Methods outside HTTP's own are counted as one.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})


def metric_method(method: str) -> str:
    """The method as a metric label: one of HTTP's own, or "ANDERS"."""
    return method if method in KNOWN_METHODS else "ANDERS"


def init_app(app: Flask, library) -> None:
    """`library`: web.library.Library, whose engines (one per collection) report their index versions."""
    folder = app_settings(app).prometheus_multiproc_dir
    _multiprocess_dir[0] = str(folder) if folder else None
    engine = library.standard  # readiness is standaard's
    listener = _EngineListener()
    engine.listeners.append(listener)
    library.listeners.append(listener)  # every other collection's engine, and removals

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.url_rule.rule if request.url_rule is not None else "<onbekend>"
        method = metric_method(request.method)
        started = getattr(g, "metrics_started", None)
        REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    @openapi.metrics
    def metrics():
        """Prometheus-metrieken"""
        READY.set(1 if engine.state().get("ready") else 0)
        return render()


class _EngineListener:
    def switched(self, snapshot) -> None:
        index_switched(snapshot)

    def failed(self, version, exc) -> None:
        switch_failed()

    def removed(self, collection: str) -> None:
        collection_removed(collection)


def child_exit(server, worker) -> None:
    """gunicorn hook: forget a dead worker's live gauges."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)

"""One way to answer a question, for every way in: the API (and the chat page on it), Slack, Mattermost, the CLI.

`Questions.ask` takes a question from any channel through the same steps:
the current answerer (web.engine), the time limit and the bounded pool of
question slots (QuestionRunner), the metrics labelled by channel, and one
table (FAILURES) that turns whatever went wrong into an HTTP status, a code
and a Dutch message. Each channel only decides how to show an Answer or a
Refusal: JSON, a Slack message, a Mattermost reply, terminal text.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, g, has_request_context

from index.collections import STANDARD, CollectionMissing
from index.errors import BackendUnavailable, IndexCorrupt, IndexMissing, ModelError, ModelMismatch, VraagbaakError
from qa.errors import QuestionError
from qa.service import DEFAULT_TOP_K, Answer

from . import metrics
from .errors import error_response

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNELS = ("api", "chat", "slack", "mattermost", "cli")


class QuestionTimeout(Exception):
    """The question took longer than the time limit (its work goes on in its slot until it ends)."""


class NothingToSearch(Exception):
    """A question with no collection to search: a channel mapped only to collections that do not exist."""


class Busy(Exception):
    """Every question slot stayed taken for as long as the time limit."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Failure:
    """What a channel shows when a question could not be answered."""

    status: int
    code: str
    message: str  # Dutch, for the person who asked
    retry_after: int | None = None
    detail: str = ""  # the exception's own text, for operators (the log, the CLI)


NO_INDEX = "Vraagbaak heeft nog geen documenten om in te zoeken. Probeer het later opnieuw."
INTERNAL = "Er ging iets mis aan onze kant. Probeer het later opnieuw."
# Names no collection: the asker may not know which ones this channel was meant to search.
NOTHING_TO_SEARCH = ("Hier zijn geen documenten om in te zoeken: dit kanaal is aan geen bestaande collectie "
                     "gekoppeld. Vraag de beheerder van Vraagbaak om dat in te stellen.")


@dataclass(frozen=True)
class Row:
    """One row of the error table: an exception type and how every way in reports it."""

    kind: type[BaseException]
    status: int
    code: str | None  # None: the exception's own code (QuestionError)
    message: str | None = None  # None: the exception's own Dutch text
    retry_after: int | None = None  # None: the exception's own, if it has one
    problem: str | None = None  # the finer code GET /readyz names (default: `code`)


# The first row whose type matches wins. Every way in -- API, chat page, Slack,
# Mattermost, CLI -- and /readyz report failures through this table alone.
FAILURES: tuple[Row, ...] = (
    Row(QuestionError, 400, None),
    Row(QuestionTimeout, 504, "question_timeout"),
    Row(Busy, 503, "busy"),
    Row(NothingToSearch, 404, "no_collections", NOTHING_TO_SEARCH),
    Row(CollectionMissing, 404, "collection_not_found"),  # removed between the access check and the question
    Row(BackendUnavailable, 503, "backend_unavailable", retry_after=10),
    Row(IndexMissing, 503, "index_unavailable", NO_INDEX, problem="index_missing"),
    Row(IndexCorrupt, 503, "index_unavailable", NO_INDEX, problem="index_corrupt"),
    Row(ModelMismatch, 503, "index_unavailable", NO_INDEX, problem="model_mismatch"),
    Row(ModelError, 503, "index_unavailable", NO_INDEX, problem="model_unavailable"),
    Row(VraagbaakError, 503, "index_unavailable", NO_INDEX),
    Row(Exception, 500, "internal_error", INTERNAL),
)


def _row(exc: BaseException) -> Row:
    return next(row for row in FAILURES if isinstance(exc, row.kind))  # Exception is the last row


def failure_for(exc: BaseException) -> Failure:
    """How to tell the asker about an exception (its row of FAILURES)."""
    row = _row(exc)
    return Failure(row.status, row.code or getattr(exc, "code", "error"),
                   row.message or getattr(exc, "message", None) or str(exc),
                   row.retry_after or getattr(exc, "retry_after", None), str(exc))


def problem_code(exc: BaseException) -> str:
    """The code GET /readyz gives a problem of the engine (a missing index, an unreachable backend)."""
    row = _row(exc)
    return row.problem or row.code or "error"


class Refused(Exception):
    """A question that was not answered; `failure` says how to tell the asker."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


class QuestionRunner:
    """Runs a question with a time limit in a bounded pool, created lazily per process (safe with fork).

    Past the limit the asker gets an answer at once (QuestionTimeout); the work
    itself is not interrupted -- Python cannot stop a thread -- but it keeps its
    slot until it ends, so runaway work cannot pile up. A timeout of 0 runs the
    question in the caller's thread, without a limit.
    """

    def __init__(self, timeout: float, workers: int):
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
            raise Busy("Vraagbaak is nu te druk. Probeer het over enkele seconden opnieuw.",
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
            raise QuestionTimeout(f"Het beantwoorden duurde langer dan {seconds} seconden. "
                                  "Probeer het later opnieuw of stel een kortere vraag.") from None


def _guarded(work: Callable[[], T]) -> Callable[[], T]:
    """`work`, with a native library's panic (a BaseException) turned into an ordinary error."""

    def guarded() -> T:
        try:
            return work()
        except (Exception, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # e.g. pyo3's PanicException from the tokenizer
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from exc

    return guarded


class Questions:
    """The one way to answer: engine, time limit, concurrency guard, error table and metrics together."""

    def __init__(self, library, timeout: float, slots: int):
        """`slots`: questions computed at once (VRAAGBAAK_THREADS: one per request thread); more wait
        for a slot. Questions that wait for the model together go through it as one batch
        (index.embedder), so more slots answer more per second."""
        self.library = library  # web.library.Library: the collections and their engines
        self.runner = QuestionRunner(timeout, slots)

    def ask(self, question: object, *, history: object = None, top_k: int = DEFAULT_TOP_K,
            channel: str, collections: Sequence[str] = (STANDARD,)) -> Answer:
        """The answer from `collections`, or Refused with the failure to show; every channel calls this.

        Which collections the asker may read is the caller's to decide (web.access); none at all
        (a channel mapped only to collections that do not exist) is refused with NOTHING_TO_SEARCH.
        Every question gets one log line and is counted per channel and per collection searched.
        """
        names = list(dict.fromkeys(collections))
        in_request = has_request_context()
        if in_request:
            g.vraagbaak_asked = {"collections": names}  # for the request's own log line (web.logs)
        started = time.perf_counter()
        try:
            if not names:
                raise NothingToSearch("geen bestaande collectie om in te zoeken")
            answerer = self.library.answerer(names)
            answer = self.runner.run(lambda: answerer.ask(question, history=history, top_k=top_k))
        except Exception as exc:
            failure = failure_for(exc)
            self._log(channel, names, started, question, failure=failure, exc=exc)
            metrics.question_failed(channel, failure.code)
            raise Refused(failure) from exc
        self._log(channel, names, started, question, answer=answer)
        metrics.question_answered(channel, answer, names)
        if in_request:
            g.vraagbaak_asked.update(index_version=answer.index_version, abstained=answer.abstained)
        return answer

    def _log(self, channel: str, names: list[str], started: float, question: object, *,
             answer: Answer | None = None, failure: Failure | None = None, exc: Exception | None = None) -> None:
        """The question's one log line: channel, collections searched, and how it ended."""
        extra = {"channel": channel, "collections": names,
                 "duration_ms": round((time.perf_counter() - started) * 1000, 2)}
        if self.library.settings.log_questions and isinstance(question, str):
            extra["question"] = question[:1000]  # personal: only when configured (web.logs)
        if answer is not None:
            extra.update(index_version=answer.index_version, abstained=answer.abstained)
            log.info("Vraag via %s beantwoord", channel, extra=extra)
        elif failure.code == "internal_error":
            log.error("Vraag via %s niet beantwoord", channel, exc_info=exc, extra={**extra, "reason": failure.code})
        else:
            level = logging.WARNING if failure.status >= 500 else logging.INFO
            log.log(level, "Vraag via %s niet beantwoord: %s", channel, exc, extra={**extra, "reason": failure.code})


EXTENSION = "vraagbaak.questions"


def init_app(app, library, timeout: float, slots: int) -> None:
    """Give `app` its one way to answer, and report refusals (and a backend lost mid-request) by FAILURES.

    `slots`: questions computed at once (one per request thread of the server)."""
    app.extensions[EXTENSION] = Questions(library, timeout, slots)

    @app.errorhandler(Refused)
    def _refused(exc: Refused):
        failure = exc.failure
        return error_response(failure.status, failure.code, failure.message, failure.retry_after)

    @app.errorhandler(BackendUnavailable)
    def _backend_unavailable(exc: BackendUnavailable):
        # The search backend went away while a page was read: retryable, and no traceback.
        log.warning("%s", exc, extra={"reason": "backend_unavailable"})
        failure = failure_for(exc)
        return error_response(failure.status, failure.code, failure.message, failure.retry_after)


def questions(app=None) -> Questions:
    """The app's one way to answer (made by the app factory)."""
    return (app or current_app).extensions[EXTENSION]

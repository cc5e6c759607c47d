"""Runs the app under gunicorn, with the model loaded once before workers fork.

* preload_app: the master loads the model and opens the index, then forks;
  the workers share those pages copy-on-write (the FAISS vectors are
  memory-mapped where FAISS allows).
* Requests are read by each worker's event loop, and a thread only gets a
  complete one (web.worker), so slow clients cannot hold the threads;
  `read_timeout` bounds how long a request may take to arrive, `max_body` how
  large its body may be.
* `workers` x `threads`, as with gthread. The Embedder serializes model calls
  within a process; each worker's torch gets `cores // workers` threads (at
  least 1) after the fork, so workers do not fight over the cores (OpenMP
  oversubscription turned one 15 ms encode into ~1 s under load).
* SIGTERM: gunicorn stops accepting, lets requests in flight finish (at most
  `graceful_timeout` seconds) and exits 0; a request on a kept-alive connection
  meanwhile is answered with `Connection: close`.
* Uploads of documents (web.upload_limits) may be larger than `max_body`:
  `upload` says how large, and their bodies are spooled to disk.
* Background jobs (web.jobs) run in the workers, never in the master:
  `after_fork` (the app's job runner) is started in each worker after the fork.
* Logging: gunicorn's access log is off; the app logs one JSON line per
  request (web.logs), and gunicorn's own messages use the same JSON format.
"""

from __future__ import annotations

import logging
import os

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

log = logging.getLogger(__name__)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# With VRAAGBAAK_WORKERS=0 (the default is 1) serve starts one worker per core, at most this many:
# each worker answers with its own interpreter, so questions are not queued behind one
# process's lock, while the model's pages stay shared (preload). Past a few workers a new
# index version is loaded once per worker, so bigger machines choose their number.
AUTO_WORKERS_MAX = 4


def workers_for(configured: int = 0) -> int:
    """The number of workers serve starts: the configured one, or one per core (at most AUTO_WORKERS_MAX)."""
    return configured if configured > 0 else max(1, min(AUTO_WORKERS_MAX, available_cores()))


def torch_threads_per_worker(workers: int, configured: int = 0) -> int:
    return configured if configured > 0 else max(1, available_cores() // max(1, workers))


class JsonGunicornLogger(Logger):
    """gunicorn's messages through the root logger's JSON handler; no access log of its own."""

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True

    def access(self, resp, req, environ, request_time):
        return  # the app logs every request itself (web.logs)


class VraagbaakServer(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def _post_fork_hook(torch_threads: int, after_fork=None):
    def post_fork(server, worker):
        try:
            import torch

            torch.set_num_threads(torch_threads)
        except Exception:  # noqa: BLE001 -- no torch tuning is no reason not to serve
            log.warning("torch-threads konden niet worden ingesteld", exc_info=True)
        if after_fork is not None:
            after_fork()
    return post_fork


def _worker_exit(server, worker):
    """A worker stops (SIGTERM): its upload job, if any, is queued again rather than failed (web.job_runner)."""
    from .jobs import EXTENSION  # here: the master imports this module without the app's job machinery

    app = getattr(worker, "wsgi", None)
    runner = getattr(app, "extensions", {}).get(EXTENSION)
    if runner is not None:
        runner.stop(timeout=0)


def _child_exit(server, worker):
    from .metrics import child_exit

    child_exit(server, worker)


KEEPALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long


def gunicorn_options(*, host: str, port: int, workers: int, threads: int, timeout: int = 60,
                     graceful_timeout: int = 30, torch_threads: int = 0, log_level: str = "info",
                     max_body: int = 64 * 1024, read_timeout: float = 10.0, upload=None, after_fork=None) -> dict:
    from .worker import worker_class

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": worker_class(max_body=max_body, read_timeout=read_timeout, upload=upload),
        "keepalive": KEEPALIVE_SECONDS,
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": log_level.lower(),
        "logger_class": JsonGunicornLogger,
        "post_fork": _post_fork_hook(torch_threads_per_worker(workers, torch_threads), after_fork),
        "child_exit": _child_exit,
        "worker_exit": _worker_exit,
        "proc_name": "vraagbaak",
        # gunicorn's runtime control socket (in the home folder) is not used; two
        # instances on one machine would fight over its path.
        "control_socket_disable": True,
    }


def serve(app, *, host: str, port: int, workers: int, threads: int, timeout: int = 60,
          graceful_timeout: int = 30, torch_threads: int = 0, log_level: str = "info",
          max_body: int = 64 * 1024, read_timeout: float = 10.0, upload=None, after_fork=None) -> None:
    VraagbaakServer(app, gunicorn_options(
        host=host, port=port, workers=workers, threads=threads, timeout=timeout,
        graceful_timeout=graceful_timeout, torch_threads=torch_threads, log_level=log_level,
        max_body=max_body, read_timeout=read_timeout, upload=upload, after_fork=after_fork,
    )).run()

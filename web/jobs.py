"""Background jobs of the app: uploads and removals of documents (web.job_store, web.job_runner).

`init_app` gives the app its runner. Where it may start: a process made by the app factory resumes
unfinished jobs at once, unless the app is served by gunicorn (`vraagbaak serve`), whose master loads
the app before it forks the workers: there each worker resumes after the fork (web.server's
`after_fork`), and the master, which serves no request, never runs a job.
"""

from __future__ import annotations

from flask import current_app

from .job_runner import Runner
from .job_store import JobStore

EXTENSION = "vraagbaak.jobs"


def init_app(app, library, settings, *, resume: bool) -> Runner:
    runner = Runner(JobStore(settings.jobs_path), library, settings)
    app.extensions[EXTENSION] = runner
    if resume:
        runner.resume()
    return runner


def jobs(app=None) -> Runner:
    return (app or current_app).extensions[EXTENSION]

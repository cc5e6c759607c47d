"""How far a job is: the stage and, within it, how many passages are embedded (the admin page's bar)."""

from __future__ import annotations

import sqlite3

from index.build import build_index
from index.settings import load_settings
from web.job_runner import Runner
from web.job_store import UPLOAD, JobStore


def test_a_job_reports_how_far_its_embedding_is(tmp_path, small_corpus, embedder):
    store = JobStore(tmp_path / "jobs.sqlite")
    job_id = store.add("standaard", UPLOAD, [("a.txt", "pending", None)])
    runner = Runner(store, None, load_settings({}, overrides={"data_dir": tmp_path}))
    runner.owner = "test"
    job = store.claim("test")
    assert job.id == job_id
    written = []
    original = store.progress

    def progress(*args, **kwargs):
        written.append(kwargs)
        original(*args, **kwargs)

    store.progress = progress
    build_index(small_corpus, tmp_path / "index", embedder, progress=runner._progress(job))
    embedding = [w for w in written if w.get("stage") == "embedden"]
    assert embedding and embedding[-1]["stage_done"] == embedding[-1]["stage_total"] > 1
    shown = store.get(job_id)
    assert shown["stage"] == "opslaan" and shown["stage_done"] == shown["stage_total"] == 1


def test_an_old_jobs_file_gains_the_stage_columns_in_place(tmp_path):
    path = tmp_path / "jobs.sqlite"
    with sqlite3.connect(path) as db:  # the schema before stage progress, with one finished job
        db.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, collection TEXT NOT NULL, kind TEXT NOT NULL, "
                   "state TEXT NOT NULL, stage TEXT, done INTEGER NOT NULL DEFAULT 0, staging TEXT, error TEXT, "
                   "owner TEXT, heartbeat REAL, attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, "
                   "started REAL, finished REAL)")
        db.execute("INSERT INTO jobs (id, collection, kind, state, done, created) VALUES "
                   "('oud', 'standaard', 'upload', 'done', 1, 0)")
    shown = JobStore(path).get("oud")
    assert shown["state"] == "done" and shown["stage_done"] == 0 and shown["stage_total"] == 0

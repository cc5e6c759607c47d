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


def test_an_old_jobs_file_gains_the_new_columns_in_place(tmp_path):
    path = tmp_path / "jobs.sqlite"
    with sqlite3.connect(path) as db:  # the schema before stage progress, with one finished job
        db.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, collection TEXT NOT NULL, kind TEXT NOT NULL, "
                   "state TEXT NOT NULL, stage TEXT, done INTEGER NOT NULL DEFAULT 0, staging TEXT, error TEXT, "
                   "owner TEXT, heartbeat REAL, attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, "
                   "started REAL, finished REAL)")
        db.execute("INSERT INTO jobs (id, collection, kind, state, done, created) VALUES "
                   "('oud', 'standaard', 'upload', 'done', 1, 0)")
    store = JobStore(path)
    shown = store.get("oud")
    assert shown["state"] == "done" and shown["stage_done"] == 0 and shown["stage_total"] == 0
    assert shown["cancel_requested"] is False and store.cancel("oud").state == "done"


def test_the_open_jobs_of_a_collection_are_listed_for_a_page_that_was_reloaded(seeds_index_dir, embedder, tmp_path):
    import json
    import time

    from tests.client import request
    from tests.conftest import app_server
    from web.job_store import RUNNING

    jobs_db = tmp_path / "jobs.sqlite"
    store = JobStore(jobs_db)  # before the server and its job runner start
    done = store.add("standaard", UPLOAD, [("klaar.txt", "skipped", "leeg bestand")])
    running = store.add("standaard", UPLOAD, [("nota.pdf", "pending", None), ("brief.docx", "pending", None)])
    with sqlite3.connect(jobs_db) as db:  # running in another worker, alive: the runner leaves it alone
        db.execute("UPDATE jobs SET state = ?, owner = 'elders', heartbeat = ?, stage = 'embedden', "
                   "stage_done = 64, stage_total = 300 WHERE id = ?", (RUNNING, time.time() + 3600, running))
        db.execute("UPDATE jobs SET state = 'done' WHERE id = ?", (done,))
    server = app_server(seeds_index_dir, embedder, VRAAGBAAK_ADMIN_TOKEN="beheer", VRAAGBAAK_JOBS_DB=str(jobs_db),
                        VRAAGBAAK_COLLECTIONS_DIR=str(tmp_path / "collecties"))
    try:
        url = f"{server.url}/api/v1/collections/standaard/jobs"
        assert request(url)[0] == 401
        status, _, body = request(url, headers={"Authorization": "Bearer beheer"})
        listed = json.loads(body)
        assert status == 200 and [job["id"] for job in listed["jobs"]] == [running]
        job = listed["jobs"][0]
        assert (job["stage"], job["stage_done"], job["stage_total"], job["total"]) == ("embedden", 64, 300, 2)
        status, _, _ = request(f"{server.url}/api/v1/collections/bestaat-niet/jobs",
                               headers={"Authorization": "Bearer beheer"})
        assert status == 404
    finally:
        server.stop()

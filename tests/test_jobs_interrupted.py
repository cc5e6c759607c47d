"""An upload job whose build fails, or is broken off because the worker stops, loses nothing.

When a worker stopped (SIGTERM) during a job, the model refused new work, the build failed, and the
job was marked failed, while its files were already in the documents folder: the next job indexed
them, and a document the upload replaced was left only in the staging folder.
"""

from __future__ import annotations

import json
import time

import index.collection_changes as changes
from tests.client import request, upload, wait_for_job
from tests.test_documents_api import ADMIN, BIKES, BRIDGE, _create, service  # noqa: F401 -- the fixture
from web.jobs import jobs

NEW_BIKES = (b"Fietsenstalling Merelhoven\n\nDe bewaakte fietsenstalling bij het station van Merelhoven "
             b"krijgt plaats voor negenhonderd fietsen en opent pas in oktober.\n")


def _job(service, files) -> str:  # noqa: F811 -- `service` is the fixture
    status, body = upload(service.url, "onderbroken", files, ADMIN)
    assert status == 202, body
    return body["job"]


def _state(service, job_id: str) -> dict:  # noqa: F811
    status, _, data = request(f"{service.url}/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {ADMIN}"})
    assert status == 200
    return json.loads(data)


def test_a_failed_build_puts_everything_back_and_a_stopped_one_runs_again(service, monkeypatch):  # noqa: F811
    _create(service, "onderbroken")
    assert wait_for_job(service.url, _job(service, [("fietsen.txt", BIKES)]), ADMIN)["state"] == "done"
    runner = jobs(service.app)
    collection = service.app.extensions["vraagbaak.library"].collections.get("onderbroken")
    real_build = changes._build_skipping

    def failing(collection, builder):
        raise RuntimeError("cannot schedule new futures after shutdown")

    # A build that fails: the job fails, and the documents folder is as it was.
    monkeypatch.setattr(changes, "_build_skipping", failing)
    failed = wait_for_job(service.url, _job(service, [("fietsen.txt", NEW_BIKES), ("brug.txt", BRIDGE)]), ADMIN)
    assert failed["state"] == "failed"
    assert (collection.documents / "fietsen.txt").read_bytes() == BIKES
    assert not (collection.documents / "brug.txt").exists()

    # The same while the worker stops: the job is queued again, its files staged, nothing lost.
    def stopping(collection, builder):
        runner._stop.set()  # what web.server's worker_exit does when SIGTERM arrives
        return failing(collection, builder)

    monkeypatch.setattr(changes, "_build_skipping", stopping)
    job_id = _job(service, [("fietsen.txt", NEW_BIKES), ("brug.txt", BRIDGE)])
    deadline = time.monotonic() + 60
    while _state(service, job_id)["state"] != "queued" or runner._thread is not None and runner._thread.is_alive():
        assert time.monotonic() < deadline, _state(service, job_id)
        time.sleep(0.1)
    assert (collection.documents / "fietsen.txt").read_bytes() == BIKES
    assert not (collection.documents / "brug.txt").exists()

    # The next process (here: the runner started again) runs it to the end.
    monkeypatch.setattr(changes, "_build_skipping", real_build)
    runner._stop.clear()
    runner.wake()
    done = wait_for_job(service.url, job_id, ADMIN)
    assert done["state"] == "done", done
    assert {f["name"]: f["status"] for f in done["files"]} == {"fietsen.txt": "indexed", "brug.txt": "indexed"}
    assert (collection.documents / "fietsen.txt").read_bytes() == NEW_BIKES
    assert (collection.documents / "brug.txt").read_bytes() == BRIDGE

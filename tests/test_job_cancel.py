"""Cancelling a job (POST /api/v1/jobs/<id>/cancel), against the real app, job store, runner and files.

A job is kept running, or queued behind a running one, the way it happens in service: a `vraagbaak
index` run of the same collection holds its build lock, and the job waits for it. A queued job that is
cancelled never runs; a running upload stops at its next file, before it writes a new version, and
nothing of it is published. Either way its staged files are gone.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import pytest

from index.build_lock import BuildLock
from index.collection_changes import staging_folder
from tests.client import QuestionStream, request, upload, wait_for_job
from tests import test_documents_api
from tests.test_documents_api import (
    ADMIN, AUTH, BIKES, BIKES_QUESTION, BRIDGE, BRIDGE_QUESTION, STANDARD_QUESTION, _app, _ask, _create, _documents,
    _uploaded,
)

NEW_BRIDGE = (b"Vlinderbrug Zwaluwmeer\n\nDe houten vlinderbrug over de Kievitsvaart in Zwaluwmeer gaat pas in de "
              b"zomer open, omdat het hout later geleverd wordt.\n")
CANCELLED_REASON = "de taak is geannuleerd"
service = test_documents_api.service  # the fixture: the app over `standaard`, on loopback, for this module


def _collection(service, name: str):
    return service.app.extensions["vraagbaak.library"].collections.get(name)


@contextmanager
def _building(service, name: str):
    """What a `vraagbaak index` run of the collection holds while it builds: its build lock."""
    collection = _collection(service, name)
    collection.index_root.mkdir(parents=True, exist_ok=True)
    with BuildLock(collection.index_root):
        yield collection


def _job(service, job_id: str, headers=AUTH) -> dict:
    status, _, data = request(f"{service.url}/api/v1/jobs/{job_id}", headers=headers)
    assert status == 200, data
    return json.loads(data)


def _cancel(service, job_id: str, headers=AUTH) -> tuple[int, dict, dict]:
    status, response_headers, data = request(f"{service.url}/api/v1/jobs/{job_id}/cancel", method="POST",
                                             headers=headers)
    return status, response_headers, json.loads(data)


def _queued_upload(service, name: str, files) -> str:
    status, body = upload(service.url, name, files, ADMIN)
    assert status == 202, body
    return body["job"]


def _until(service, job_id: str, state: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (job := _job(service, job_id))["state"] != state:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def _version(service, name: str) -> str | None:
    status, _, data = request(f"{service.url}/api/v1/collections", headers=AUTH)
    assert status == 200
    return next(c["version"] for c in json.loads(data)["collections"] if c["name"] == name)


def test_a_queued_job_that_is_cancelled_never_runs_and_its_files_are_gone(service):
    _create(service, "wachtrij")
    with _building(service, "wachtrij") as collection:
        first = _queued_upload(service, "wachtrij", [("brug.txt", BRIDGE)])
        _until(service, first, "running")  # waits for the lock
        second = _queued_upload(service, "wachtrij", [("fietsen.txt", BIKES)])
        assert _job(service, second)["state"] == "queued"  # one job per collection at a time
        assert (staging_folder(collection, second) / "files" / "fietsen.txt").is_file()

        status, _, cancelled = _cancel(service, second)
        assert status == 200, cancelled
        assert cancelled["state"] == "cancelled" and cancelled["cancel_requested"] is True
        assert cancelled["started"] is None and cancelled["finished"] is not None and cancelled["error"] is None
        assert cancelled["files"] == [{"name": "fietsen.txt", "status": "skipped", "reason": CANCELLED_REASON}]
        assert not staging_folder(collection, second).exists(), "the staged files are removed at once"
        assert _job(service, second) == cancelled

    assert wait_for_job(service.url, first, ADMIN)["state"] == "done"
    time.sleep(1.0)  # the runner has looked for more work meanwhile
    assert _job(service, second) == cancelled, "a cancelled job never runs"
    assert set(_documents(service, "wachtrij")) == {"brug.txt"}
    assert not (collection.documents / "fietsen.txt").exists()
    assert all(p["source"]["document"] != "fietsen.txt"
               for p in _ask(service, BIKES_QUESTION, "wachtrij").as_dict()["passages"])

    status, _, refused = _cancel(service, second)
    assert status == 409 and refused["error"] == {
        "code": "job_finished", "message": "Deze taak is al geannuleerd en kan niet meer worden geannuleerd."}


def test_a_running_upload_stops_at_its_next_file_and_nothing_of_it_is_published(service):
    _create(service, "lopend")
    assert _uploaded(service, "lopend", [("brug.txt", BRIDGE)])["state"] == "done"
    version = _version(service, "lopend")
    files = [("brug.txt", NEW_BRIDGE), ("fietsen.txt", BIKES)] + [
        (f"melding-{i}.txt", f"Melding {i}\n\nDe storing {i} in wijk {i} is verholpen.\n".encode()) for i in range(5)]
    with _building(service, "lopend") as collection:
        job_id = _queued_upload(service, "lopend", files)
        _until(service, job_id, "running")
        # Applied as far as a job gets before its build: its files are in the documents folder, the
        # document it replaces is put aside.
        deadline = time.monotonic() + 30
        while (collection.documents / "brug.txt").read_bytes() != NEW_BRIDGE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert (collection.documents / "fietsen.txt").is_file()

        status, headers, running = _cancel(service, job_id)
        assert status == 202, running
        assert headers["Location"] == f"/api/v1/jobs/{job_id}"
        assert running["state"] == "running" and running["cancel_requested"] is True
        assert _cancel(service, job_id)[0] == 202  # asking twice is no error
    job = wait_for_job(service.url, job_id, ADMIN)

    assert job["state"] == "cancelled" and job["error"] is None, job
    assert {f["status"] for f in job["files"]} == {"skipped"}
    assert {f["reason"] for f in job["files"]} == {CANCELLED_REASON}
    assert _version(service, "lopend") == version, "no new index version"
    assert sorted(p.name for p in collection.documents.iterdir()) == ["brug.txt"]
    assert (collection.documents / "brug.txt").read_bytes() == BRIDGE, "the replaced document is back"
    assert not staging_folder(collection, job_id).exists()
    answer = _ask(service, BRIDGE_QUESTION, "lopend")
    assert "leerlingen" in answer.text and "zomer" not in answer.text
    assert _cancel(service, job_id)[0] == 409


def test_a_busy_upload_of_many_files_is_cancelled_while_it_reads_or_embeds(service):
    _create(service, "veel")
    assert _uploaded(service, "veel", [("brug.txt", BRIDGE)])["state"] == "done"
    version = _version(service, "veel")
    files = [(f"melding-{i:03d}.txt", f"Melding {i}\n\nDe storing met nummer {i} in wijk {i % 17} is op dag "
                                      f"{i % 28 + 1} verholpen door ploeg {i % 9}.\n".encode()) for i in range(200)]
    with QuestionStream(service.url, STANDARD_QUESTION, clients=1) as stream:
        job_id = _queued_upload(service, "veel", files)
        deadline = time.monotonic() + 60
        while not ((job := _job(service, job_id))["state"] == "running" and job["done"] > 0):
            assert job["state"] in ("queued", "running") and time.monotonic() < deadline, job
            time.sleep(0.02)
        status, _, running = _cancel(service, job_id)
        assert status == 202, running
        job = wait_for_job(service.url, job_id, ADMIN)
    assert job["state"] == "cancelled", job
    assert _version(service, "veel") == version
    assert set(_documents(service, "veel")) == {"brug.txt"}
    assert sorted(p.name for p in _collection(service, "veel").documents.iterdir()) == ["brug.txt"]
    assert not staging_folder(_collection(service, "veel"), job_id).exists()
    assert stream.results and all(status == 200 for status, _ in stream.results)


def test_a_finished_job_or_a_running_removal_cannot_be_cancelled(service):
    _create(service, "klaar")
    done = _uploaded(service, "klaar", [("brug.txt", BRIDGE), ("fietsen.txt", BIKES)])
    status, _, refused = _cancel(service, done["id"])
    assert status == 409 and refused["error"] == {
        "code": "job_finished", "message": "Deze taak is al klaar en kan niet meer worden geannuleerd."}
    assert _job(service, done["id"]) == done

    with _building(service, "klaar"):
        status, _, data = request(f"{service.url}/api/v1/collections/klaar/documents/fietsen.txt", method="DELETE",
                                  headers=AUTH)
        assert status == 202
        removal = json.loads(data)["job"]
        _until(service, removal, "running")
        status, _, refused = _cancel(service, removal)
        assert status == 409 and refused["error"] == {
            "code": "job_running", "message": "Deze verwijdering is al bezig en kan niet meer worden geannuleerd."}
    assert wait_for_job(service.url, removal, ADMIN)["state"] == "done"
    assert set(_documents(service, "klaar")) == {"brug.txt"}


def test_a_queued_removal_is_cancelled_and_the_document_stays(service):
    _create(service, "blijft")
    assert _uploaded(service, "blijft", [("brug.txt", BRIDGE), ("fietsen.txt", BIKES)])["state"] == "done"
    with _building(service, "blijft"):
        first = _queued_upload(service, "blijft", [("extra.txt", NEW_BRIDGE)])
        _until(service, first, "running")
        status, _, data = request(f"{service.url}/api/v1/collections/blijft/documents/fietsen.txt", method="DELETE",
                                  headers=AUTH)
        removal = json.loads(data)["job"]
        status, _, cancelled = _cancel(service, removal)
        assert status == 200 and cancelled["state"] == "cancelled"
        assert cancelled["files"] == [{"name": "fietsen.txt", "status": "skipped", "reason": CANCELLED_REASON}]
    assert wait_for_job(service.url, first, ADMIN)["state"] == "done"
    assert set(_documents(service, "blijft")) == {"brug.txt", "fietsen.txt", "extra.txt"}


def test_only_an_admin_cancels_and_an_unknown_job_is_404(service, tmp_path, embedder):
    _create(service, "alleen-beheer")
    with _building(service, "alleen-beheer"):
        job_id = _queued_upload(service, "alleen-beheer", [("brug.txt", BRIDGE)])
        _until(service, job_id, "running")
        for headers in ({}, {"Authorization": "Bearer fout"}, {"Authorization": f"Basic {ADMIN}"}):
            status, response_headers, refused = _cancel(service, job_id, headers=headers)
            assert status == 401 and refused["error"]["code"] == "unauthorized", headers
            assert response_headers.get("WWW-Authenticate", "").startswith("Bearer")
        assert _job(service, job_id)["cancel_requested"] is False
    assert wait_for_job(service.url, job_id, ADMIN)["state"] == "done"

    for unknown in ("0" * 32, "niet-hex"):
        status, _, refused = _cancel(service, unknown)
        assert status == 404 and refused["error"] == {"code": "job_not_found", "message": "Deze taak bestaat niet."}
    status, _, _ = request(f"{service.url}/api/v1/jobs/{job_id}/cancel", headers=AUTH)
    assert status == 405  # a GET does not cancel

    # Without an admin token configured, the address does not exist.
    client = _app(tmp_path, embedder, VRAAGBAAK_ADMIN_TOKEN="").test_client()
    response = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=AUTH)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("state", ["done", "failed"])
def test_the_store_cancels_only_what_has_not_ended(tmp_path, state):
    from web.job_store import UPLOAD, JobStore

    store = JobStore(tmp_path / "jobs.sqlite")
    job_id = store.add("standaard", UPLOAD, [("a.txt", "pending", None)])
    assert store.claim("runner").id == job_id
    if state == "done":
        store.finish(job_id, "runner", [])
    else:
        store.fail(job_id, "kapot", owner="runner")
    assert store.cancel(job_id).state == state
    assert store.get(job_id)["state"] == state and store.get(job_id)["cancel_requested"] is False
    assert store.cancel("0" * 32) is None


def test_a_job_cut_off_by_a_stopped_process_is_finished_not_cancelled(tmp_path):
    """Its first run may have moved files into the documents folder: cancelling it then would lose them
    and the documents they replaced, so it is resumed and finished, and a cancel is refused."""
    from web.job_store import QUEUED, RUNNING, UPLOAD, JobStore

    store = JobStore(tmp_path / "jobs.sqlite")
    job_id = store.add("standaard", UPLOAD, [("a.txt", "pending", None)])
    store.claim("runner-1")
    store.cancel(job_id)  # asked while it ran: marked for its runner
    assert store.cancel_requested(job_id)
    assert store.requeue(job_id, "runner-1")  # the process stopped before the runner saw the mark
    assert not store.cancel_requested(job_id)
    found = store.cancel(job_id)
    assert found.state == QUEUED and found.interrupted and store.get(job_id)["state"] == QUEUED
    store.claim("runner-2")
    found = store.cancel(job_id)
    assert found.state == RUNNING and found.interrupted and not store.cancel_requested(job_id)

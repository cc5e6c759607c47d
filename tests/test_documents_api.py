"""Documents over HTTP: collections, uploads and removals as background jobs, against the real app.

One app per module over small real indexes in a temporary folder (two seed letters as `standaard`),
served on loopback; files go up as real multipart requests, jobs run in the app's own background
thread with the session's model, and questions are answered by the real engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from index.build import build_index
from index.collection_changes import staging_folder
from index.collections import STANDARD
from tests.client import QuestionStream, request, upload, wait_for_job
from tests.conftest import LiveServer
from web.answering import Refused, questions
from web.app import create_app
from web.job_runner import process_start
from web.job_store import PENDING, UPLOAD, JobStore
from web.jobs import jobs

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
STANDARD_FILES = ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt")
STANDARD_QUESTION = "Wat vraagt de brief over de kostendelersnorm?"
ADMIN = "beheer-token-documenten"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
BRIDGE = (b"Vlinderbrug Zwaluwmeer\n\nDe gemeente Zwaluwmeer opent in het voorjaar een houten vlinderbrug over de "
          b"Kievitsvaart, ontworpen door leerlingen van de plaatselijke basisschool.\n")
BRIDGE_QUESTION = "Wie hebben de vlinderbrug over de Kievitsvaart in Zwaluwmeer ontworpen?"
BIKES = (b"Fietsenstalling Merelhoven\n\nBij het station van Merelhoven komt een bewaakte fietsenstalling voor "
         b"achthonderd fietsen, die vanaf september dag en nacht open is.\n")
BIKES_QUESTION = "Hoeveel fietsen passen er in de nieuwe stalling bij het station van Merelhoven?"
SMALL_SEED = "002_0af740f7ea07aefe.txt"


def _settings_for(base: Path) -> dict:
    return {"VRAAGBAAK_INDEX_DIR": str(base / "index"), "VRAAGBAAK_COLLECTIONS_DIR": str(base / "collections"),
            "VRAAGBAAK_JOBS_DB": str(base / "jobs.sqlite"), "VRAAGBAAK_FEEDBACK_DB": str(base / "feedback.sqlite"),
            "VRAAGBAAK_ADMIN_TOKEN": ADMIN, "VRAAGBAAK_RATE_LIMIT": "off"}


def _app(base: Path, embedder, **extra):
    app = create_app({**_settings_for(base), "VRAAGBAAK_RESUME_JOBS": False, **extra})
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    jobs(app).resume()
    return app


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    """The app over `standaard` (two seed letters, built from their own folder), served on loopback."""
    base = tmp_path_factory.mktemp("documents-api")
    corpus = base / "corpus"
    corpus.mkdir()
    for name in STANDARD_FILES:
        shutil.copy(SEEDS / name, corpus / name)
    build_index(corpus, base / "index", embedder)
    app = _app(base, embedder)
    server = LiveServer(app)
    server.app, server.base, server.corpus = app, base, corpus
    yield server
    jobs(app).stop()
    server.stop()


def _json(url: str, method: str = "GET", payload=None, headers=AUTH) -> tuple[int, dict]:
    status, _, data = request(url, method=method, json_body=payload, headers=headers)
    return status, json.loads(data) if data else {}


def _create(service, name: str) -> None:
    status, body = _json(f"{service.url}/api/v1/collections", "POST", {"name": name})
    assert status == 201, body
    assert body == {"name": name, "public": False, "documents": 0, "passages": 0, "version": None}


def _ask(service, question: str, collection: str):
    with service.app.app_context():
        return questions().ask(question, channel="api", collections=[collection])


def _uploaded(service, collection: str, files: list[tuple[str, bytes]]) -> dict:
    status, body = upload(service.url, collection, files, ADMIN)
    assert status == 202 and set(body) == {"job"}, body
    return wait_for_job(service.url, body["job"], ADMIN)


def _documents(service, collection: str) -> dict:
    status, body = _json(f"{service.url}/api/v1/collections/{collection}/documents")
    assert status == 200, body
    return {d["document"]: d for d in body["documents"]}


def test_upload_then_ask_cites_it_then_delete_it_and_it_is_gone(service):
    _create(service, "intern")
    job = _uploaded(service, "intern", [("vlinderbrug.txt", BRIDGE), ("fietsen.txt", BIKES)])
    assert job["state"] == "done" and job["done"] == job["total"] == 2, job
    assert job["files"] == [{"name": "vlinderbrug.txt", "status": "indexed", "reason": None},
                            {"name": "fietsen.txt", "status": "indexed", "reason": None}]

    answer = _ask(service, BRIDGE_QUESTION, "intern")
    top = answer.as_dict()["passages"][0]["source"]
    assert (top["collection"], top["document"]) == ("intern", "vlinderbrug.txt")
    assert "leerlingen" in answer.text

    listed = _documents(service, "intern")
    assert set(listed) == {"vlinderbrug.txt", "fietsen.txt"}
    bridge = listed["vlinderbrug.txt"]
    assert bridge["sha256"] == hashlib.sha256(BRIDGE).hexdigest() and bridge["title"] == "Vlinderbrug Zwaluwmeer"
    assert bridge["passages"] >= 1 and bridge["kind"] == "txt" and bridge["pages"] is None and bridge["indexed"]
    status, body = _json(f"{service.url}/api/v1/collections")
    intern = next(c for c in body["collections"] if c["name"] == "intern")
    assert status == 200 and body["collections"][0]["name"] == STANDARD
    assert intern["documents"] == 2 and intern["passages"] >= 2 and intern["version"]

    status, body = _json(f"{service.url}/api/v1/collections/intern/documents/vlinderbrug.txt", "DELETE")
    assert status == 202, body
    job = wait_for_job(service.url, body["job"], ADMIN)
    assert job["state"] == "done" and job["files"] == [{"name": "vlinderbrug.txt", "status": "removed",
                                                         "reason": None}]
    answer = _ask(service, BRIDGE_QUESTION, "intern")
    assert all(p["source"]["document"] != "vlinderbrug.txt" for p in answer.as_dict()["passages"])
    assert "leerlingen" not in answer.text + json.dumps(answer.as_dict()["passages"], ensure_ascii=False)
    assert set(_documents(service, "intern")) == {"fietsen.txt"}
    assert _ask(service, BIKES_QUESTION, "intern").as_dict()["passages"][0]["source"]["document"] == "fietsen.txt"

    # The last document: the collection has no index any more, and says so.
    status, body = _json(f"{service.url}/api/v1/collections/intern/documents/fietsen.txt", "DELETE")
    assert wait_for_job(service.url, body["job"], ADMIN)["state"] == "done"
    with pytest.raises(Refused) as refused:
        _ask(service, BIKES_QUESTION, "intern")
    assert refused.value.failure.status == 503
    assert _documents(service, "intern") == {}


def test_an_upload_to_standaard_keeps_the_documents_it_was_built_from(service):
    """standaard was built from its own folder (like scripts/start from seeds): the first upload copies
    that folder's files into its documents folder first, so none of them leaves the index."""
    job = _uploaded(service, STANDARD, [("brug.txt", BRIDGE)])
    assert job["files"] == [{"name": "brug.txt", "status": "indexed", "reason": None}]
    documents = service.base / "collections" / STANDARD / "documents"
    assert sorted(p.name for p in documents.iterdir()) == sorted([*STANDARD_FILES, "brug.txt"])
    assert set(_documents(service, STANDARD)) == {*STANDARD_FILES, "brug.txt"}
    seed_answer = _ask(service, STANDARD_QUESTION, STANDARD)
    assert seed_answer.as_dict()["passages"][0]["source"]["document"] in STANDARD_FILES
    # And a question through the API itself (standaard is what it asks) cites the upload.
    status, _, data = request(f"{service.url}/api/v1/ask", method="POST", json_body={"question": BRIDGE_QUESTION})
    assert status == 200 and json.loads(data)["passages"][0]["source"]["document"] == "brug.txt"


def test_vraagbaak_index_again_adds_its_folder_and_keeps_uploads(service, monkeypatch):
    """scripts/start runs `vraagbaak index seeds` at every start: once the documents folder is in use,
    that adds the folder's files to it instead of replacing the set."""
    from click.testing import CliRunner

    from web.cli import main

    if "brug.txt" not in _documents(service, STANDARD):
        _uploaded(service, STANDARD, [("brug.txt", BRIDGE)])
    shutil.copy(SEEDS / SMALL_SEED, service.corpus / SMALL_SEED)
    for key, value in _settings_for(service.base).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VRAAGBAAK_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["index", str(service.corpus)])
    assert result.exit_code == 0, result.output
    assert set(_documents(service, STANDARD)) == {*STANDARD_FILES, SMALL_SEED, "brug.txt"}
    manifest = json.loads((service.base / "index" / "current" / "manifest.json").read_text("utf-8"))
    assert Path(manifest["corpus"]) == (service.base / "collections" / STANDARD / "documents").resolve()


def test_vraagbaak_index_into_another_collection_fills_its_documents_folder(service, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from web.cli import main

    _create(service, "cli")
    folder = tmp_path / "aanvoer"
    folder.mkdir()
    (folder / "fietsen.txt").write_bytes(BIKES)
    for key, value in _settings_for(service.base).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VRAAGBAAK_CONFIG", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["index", "--collection", "cli", str(folder)])
    assert result.exit_code == 0, result.output
    assert (service.base / "collections" / "cli" / "documents" / "fietsen.txt").read_bytes() == BIKES
    assert set(_documents(service, "cli")) == {"fietsen.txt"}
    result = runner.invoke(main, ["index", "--collection", "cli"])
    assert result.exit_code == 0 and "al actueel" in result.output, result.output
    result = runner.invoke(main, ["index", "--collection", "bestaat-niet", str(folder)])
    assert result.exit_code == 1 and "De collectie 'bestaat-niet' bestaat niet." in result.output
    result = runner.invoke(main, ["index", "--collection", "cli", "--index-dir", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--index-dir geldt alleen voor de collectie standaard" in result.output

    # A new index of standaard elsewhere is built from its folder, as before: the documents folder is left alone.
    result = runner.invoke(main, ["index", str(folder), "--index-dir", str(tmp_path / "elders")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "elders" / "current" / "manifest.json").read_text("utf-8"))
    assert Path(manifest["corpus"]) == folder.resolve() and set(manifest["files"]) == {"fietsen.txt"}
    assert not (service.base / "collections" / STANDARD / "documents" / "fietsen.txt").exists()


@pytest.mark.parametrize("name", ["../buiten.txt", "..\\buiten.txt", "map/../../buiten.txt", "/etc/passwd.txt",
                                  ".verborgen.txt", "~$slot.docx", "", "  ", "tab\tin naam.txt", "punt.txt."])
def test_unsafe_file_names_are_refused_and_nothing_is_staged(service, name):
    before = {p for p in (service.base / "collections").rglob("*") if p.name != ".staging"}
    status, body = upload(service.url, STANDARD, [("goed.txt", BRIDGE), (name, BRIDGE)], ADMIN)
    assert status == 400 and body["error"]["code"] == "invalid_file_name", body
    assert "geweigerd" in body["error"]["message"]
    if name in ("..\\buiten.txt", "tab\tin naam.txt"):  # the name as typed, a control character made visible
        assert {"..\\buiten.txt": "'..\\buiten.txt'", "tab\tin naam.txt": "'tab\\tin naam.txt'"}[name] in \
            body["error"]["message"]
    after = {p for p in (service.base / "collections").rglob("*") if p.name != ".staging"}
    assert after - before == set(), "an upload that is refused leaves nothing behind"
    assert not (service.base / "buiten.txt").exists() and not (service.base / "collections" / "buiten.txt").exists()


def test_broken_unsupported_and_empty_files_are_skipped_with_their_reason(service):
    _create(service, "gemengd")
    job = _uploaded(service, "gemengd", [("goed.txt", BRIDGE), ("kapot.pdf", b"%PDF-1.4\nkapot, geen pdf\n"),
                                         ("tabel.xlsx", b"PK\x03\x04"), ("leeg.txt", b"")])
    assert job["state"] == "done" and job["done"] == job["total"] == 4, job
    files = {f["name"]: f for f in job["files"]}
    assert files["goed.txt"]["status"] == "indexed"
    assert files["tabel.xlsx"] == {"name": "tabel.xlsx", "status": "skipped",
                                   "reason": "bestandstype .xlsx wordt niet ondersteund"}
    assert files["leeg.txt"] == {"name": "leeg.txt", "status": "skipped", "reason": "bestand is leeg"}
    assert files["kapot.pdf"]["status"] == "skipped" and files["kapot.pdf"]["reason"]
    documents = service.base / "collections" / "gemengd" / "documents"
    assert sorted(p.name for p in documents.iterdir()) == ["goed.txt"], "skipped files do not stay"
    assert _ask(service, BRIDGE_QUESTION, "gemengd").as_dict()["passages"][0]["source"]["document"] == "goed.txt"

    # A broken file under the name of a good document never costs the index that document.
    job = _uploaded(service, "gemengd", [("goed.txt", b"")])
    assert job["files"] == [{"name": "goed.txt", "status": "skipped", "reason": "bestand is leeg"}]
    assert (documents / "goed.txt").read_bytes() == BRIDGE
    assert _ask(service, BRIDGE_QUESTION, "gemengd").as_dict()["passages"][0]["source"]["document"] == "goed.txt"
    assert not any((service.base / "collections" / "gemengd" / ".staging").iterdir()), "staging is cleaned up"


def test_two_hundred_files_are_indexed_with_progress_while_questions_all_succeed(service):
    _create(service, "bulk")
    files = [(f"melding-{i:03d}.txt", f"Melding {i}\n\nDe storing met nummer {i} in wijk {i % 17} is op dag "
                                      f"{i % 28 + 1} verholpen door ploeg {i % 9}.\n".encode()) for i in range(200)]
    seen: list[dict] = []
    started = time.perf_counter()
    with QuestionStream(service.url, STANDARD_QUESTION, clients=2) as stream:
        status, body = upload(service.url, "bulk", files, ADMIN)
        assert status == 202, body
        job = wait_for_job(service.url, body["job"], ADMIN, timeout=300, seen=seen)
        time.sleep(0.5)  # a few questions after the switch too
    seconds = time.perf_counter() - started
    assert job["state"] == "done" and job["done"] == job["total"] == 200, job
    assert {f["status"] for f in job["files"]} == {"indexed"}
    progress = [s["done"] for s in seen]
    assert progress == sorted(progress), "progress never goes back"
    assert any(0 < done < 200 for done in progress), f"no progress seen between 0 and 200: {progress[:20]}"
    assert stream.results and all(status == 200 for status, _ in stream.results), \
        [r for r in stream.results if r[0] != 200][:5]
    assert len(_documents(service, "bulk")) == 200
    print(f"\n200 files: {seconds:.1f} s, {len(stream.results)} questions meanwhile, all answered")


def test_two_uploads_at_once_to_one_collection_both_end_up_indexed(service):
    _create(service, "samen")
    results: dict[str, tuple[int, dict]] = {}

    def send(name: str, content: bytes):
        results[name] = upload(service.url, "samen", [(name, content)], ADMIN)

    threads = [threading.Thread(target=send, args=("brug.txt", BRIDGE)),
               threading.Thread(target=send, args=("fietsen.txt", BIKES))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for name, (status, body) in results.items():
        assert status == 202, body
        job = wait_for_job(service.url, body["job"], ADMIN)
        assert job["files"] == [{"name": name, "status": "indexed", "reason": None}], job
    assert set(_documents(service, "samen")) == {"brug.txt", "fietsen.txt"}


def test_every_address_needs_the_admin_token_and_refuses_clearly(service):
    url = f"{service.url}/api/v1"
    for method, path in [("GET", "/collections"), ("POST", "/collections"), ("DELETE", "/collections/intern"),
                         ("GET", f"/collections/{STANDARD}/documents"), ("POST", f"/collections/{STANDARD}/documents"),
                         ("DELETE", f"/collections/{STANDARD}/documents/{STANDARD_FILES[0]}"),
                         ("GET", f"/jobs/{'0' * 32}")]:
        for headers in ({}, {"Authorization": "Bearer fout"}):
            status, response_headers, data = request(url + path, method=method, headers=headers)
            assert status == 401 and json.loads(data)["error"]["code"] == "unauthorized", (method, path)
            assert response_headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert _json(f"{url}/collections", "POST", {"name": "Niet Goed"})[0] == 400
    assert _json(f"{url}/collections", "POST", {"name": STANDARD})[0] == 409
    status, body = _json(f"{url}/collections/{STANDARD}", "DELETE")
    assert status == 409 and body["error"]["message"] == "De collectie 'standaard' kan niet worden verwijderd."
    status, body = _json(f"{url}/collections/bestaat-niet/documents")
    assert status == 404 and body["error"]["code"] == "collection_not_found" and "bestaat niet" in body["error"]["message"]
    status, body = _json(f"{url}/collections/{STANDARD}/documents/bestaat-niet.txt", "DELETE")
    assert status == 404 and body["error"]["code"] == "document_not_found"
    status, body = _json(f"{url}/collections/{STANDARD}/documents/../../jobs.sqlite", "DELETE")
    assert status == 404
    _create(service, "lange-namen")  # a collection of its own is read from its documents folder
    status, body = _json(f"{url}/collections/lange-namen/documents/{'x' * 3000}.txt", "DELETE")  # over NAME_MAX
    assert status == 404 and body["error"]["code"] == "document_not_found"
    assert _json(f"{url}/jobs/{'0' * 32}")[0] == 404 and _json(f"{url}/jobs/niet-hex")[0] == 404
    status, _, data = request(f"{url}/collections/{STANDARD}/documents", method="POST", body=b"{}",
                              headers={**AUTH, "Content-Type": "application/json"})
    assert status == 415 and "multipart/form-data" in json.loads(data)["error"]["message"]

    _create(service, "weg")
    assert _json(f"{url}/collections/weg", "DELETE") == (200, {"name": "weg", "status": "verwijderd"})
    assert not (service.base / "collections" / "weg").exists()
    assert _json(f"{url}/collections/weg", "DELETE")[0] == 404


def test_too_many_files_and_too_large_uploads_are_refused(tmp_path, embedder):
    app = _app(tmp_path, embedder, VRAAGBAAK_MAX_UPLOAD_FILES=3, VRAAGBAAK_MAX_UPLOAD_BYTES=200_000)
    client = app.test_client()
    from tests.client import multipart

    body, content_type = multipart([(f"f{i}.txt", b"tekst") for i in range(4)])
    response = client.post(f"/api/v1/collections/{STANDARD}/documents", data=body, content_type=content_type,
                           headers=AUTH)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "too_many_files"
    assert "hoogstens 3" in response.get_json()["error"]["message"]
    body, content_type = multipart([("groot.txt", b"x" * 300_000)])
    response = client.post(f"/api/v1/collections/{STANDARD}/documents", data=body, content_type=content_type,
                           headers=AUTH)
    assert response.status_code == 413
    # Without the admin token the larger limit does not apply: an ordinary request's limit (64 KB) holds.
    body, content_type = multipart([("middel.txt", b"x" * 100_000)])
    response = client.post(f"/api/v1/collections/{STANDARD}/documents", data=body, content_type=content_type)
    assert response.status_code == 413
    assert not JobStore(tmp_path / "jobs.sqlite").exists() or not JobStore(tmp_path / "jobs.sqlite").unfinished()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_jobs_left_running_by_a_dead_process_are_run_again_or_failed_after_a_restart(tmp_path, embedder):
    """What a process that died mid-job leaves: jobs `running` under its pid. A new app over the same data
    runs them again from their staged files, or fails them with a reason; none stays running."""
    from index.collections import open_collections
    from index.settings import load_settings

    settings = load_settings({}, overrides={k[len("VRAAGBAAK_"):].lower(): v
                                            for k, v in _settings_for(tmp_path).items()}, check_paths=False)
    collections = open_collections(settings)
    herstel = collections.create("herstel")
    store = JobStore(settings.jobs_path)
    dead = f"{socket.gethostname()}:{_dead_pid()}:1:dood"

    host, pid = socket.gethostname(), os.getpid()

    def left_running(collection, name: str, content: bytes, attempts: int = 1, owner: str = dead) -> str:
        job_id = uuid.uuid4().hex
        staging = staging_folder(collection, job_id)
        (staging / "files").mkdir(parents=True)
        (staging / "files" / name).write_bytes(content)
        store.add(collection.name, UPLOAD, [(name, PENDING, None)], staging=staging, job_id=job_id)
        for attempt in range(attempts):
            assert store.claim(owner).id == job_id
            if attempt + 1 < attempts:
                store.requeue(job_id, owner)
        return job_id

    resumed = left_running(herstel, "brug.txt", BRIDGE)
    given_up = left_running(collections.create("opgegeven"), "fietsen.txt", BIKES, attempts=3)
    weg = collections.create("weg")
    orphaned = left_running(weg, "brug.txt", BRIDGE)
    collections.delete("weg")
    # This very process, but started at another moment: its pid was given to a new process (a restarted container).
    reused = left_running(collections.create("hergebruikt"), "fietsen.txt", BIKES, owner=f"{host}:{pid}:1:oud")
    # A job another live runner (here: in this process) is running: left alone.
    alive = left_running(collections.create("levend"), "brug.txt", BRIDGE,
                         owner=f"{host}:{pid}:{process_start(pid)}:ander")
    assert {job.id for job in store.running()} == {resumed, given_up, orphaned, reused, alive}

    app = _app(tmp_path, embedder)  # the restart
    try:
        server = LiveServer(app)
        try:
            job = wait_for_job(server.url, resumed, ADMIN)
            assert job["state"] == "done" and job["files"] == [{"name": "brug.txt", "status": "indexed",
                                                                 "reason": None}]
            failed = wait_for_job(server.url, given_up, ADMIN)
            assert failed["state"] == "failed" and "3 keer afgebroken" in failed["error"]
            assert failed["files"][0]["status"] == "skipped" and failed["files"][0]["reason"] == failed["error"]
            gone = wait_for_job(server.url, orphaned, ADMIN)
            assert gone["state"] == "failed" and gone["error"] == "De collectie bestaat niet meer."
            assert wait_for_job(server.url, reused, ADMIN)["state"] == "done"
            assert [job.id for job in store.running()] == [alive]
            store.fail(alive, "einde van de test")  # its runner is make-believe: let the thread go idle
        finally:
            server.stop()
        with app.app_context():
            answer = questions().ask(BRIDGE_QUESTION, channel="api", collections=["herstel"])
        assert answer.as_dict()["passages"][0]["source"]["document"] == "brug.txt"
        assert store.unfinished() == 0
        assert not (staging_folder(herstel, resumed)).exists()
    finally:
        jobs(app).stop()


@pytest.mark.slow
def test_uploads_through_vraagbaak_serve(seeds_index_dir, tmp_path):
    """The real server (gunicorn, two workers): an admin's upload larger than an ordinary request's limit is
    spooled and indexed, and cited through the API; without the token (401), or over its own limit (413), it is
    refused."""
    from tests.test_operations import copy_index
    from tests.test_serving import Gunicorn
    from tests.client import multipart

    root = copy_index(seeds_index_dir, tmp_path / "index")
    server = Gunicorn(root, tmp_path, workers=2, threads=2, VRAAGBAAK_ADMIN_TOKEN=ADMIN,
                      VRAAGBAAK_COLLECTIONS_DIR=str(tmp_path / "collections"),
                      VRAAGBAAK_JOBS_DB=str(tmp_path / "jobs.sqlite"), VRAAGBAAK_MAX_UPLOAD_BYTES=str(2_000_000))
    try:
        url = f"{server.url}/api/v1/collections/{STANDARD}/documents"
        files = [("brug.txt", BRIDGE), ("bijlage.xlsx", bytes(range(256)) * 1200)]  # 300 KB: over 64 KB
        body, content_type = multipart(files)
        assert 200_000 < len(body) < 2_000_000
        status, headers, data = request(url, method="POST", body=body, headers={"Content-Type": content_type})
        # Without the token: refused for the token (the size is not what is wrong), before a byte is read.
        assert status == 401 and json.loads(data)["error"]["code"] == "unauthorized", data
        assert headers.get("WWW-Authenticate", "").startswith("Bearer")
        small, small_type = multipart([("brug.txt", BRIDGE)])
        status, _, data = request(url, method="POST", body=small, headers={"Content-Type": small_type})
        assert status == 401, data
        too_large, large_type = multipart([("groot.txt", b"x" * 2_000_001)])
        status, _, data = request(url, method="POST", body=too_large, headers={"Content-Type": large_type, **AUTH})
        assert status == 413, data
        # The loop refuses it before the app reads a byte, and says the limit and its setting.
        assert json.loads(data)["error"]["message"] == (
            "De upload is te groot: hoogstens 1,9 MB in één keer (VRAAGBAAK_MAX_UPLOAD_BYTES).")

        status, body_json = upload(server.url, STANDARD, files, ADMIN)
        assert status == 202, body_json
        job = wait_for_job(server.url, body_json["job"], ADMIN, timeout=180)
        assert job["state"] == "done", job
        assert job["files"] == [{"name": "brug.txt", "status": "indexed", "reason": None},
                                {"name": "bijlage.xlsx", "status": "skipped",
                                 "reason": "bestandstype .xlsx wordt niet ondersteund"}]
        status, _, data = request(f"{server.url}/api/v1/ask", method="POST", json_body={"question": BRIDGE_QUESTION})
        assert status == 200 and json.loads(data)["passages"][0]["source"]["document"] == "brug.txt"
        assert len(_served_documents(server.url)) == len(list(SEEDS.iterdir())) + 1  # the seeds are all still there
        assert not any((tmp_path / "collections" / ".spool").iterdir()), "spooled bodies are gone"
    finally:
        server.stop()
    log = server.log_path.read_text("utf-8")
    assert "Traceback" not in log, log[-3000:]


def _served_documents(base_url: str) -> list:
    status, _, data = request(f"{base_url}/api/v1/collections/{STANDARD}/documents", headers=AUTH)
    assert status == 200, data
    return json.loads(data)["documents"]

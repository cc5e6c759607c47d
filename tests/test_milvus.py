"""The Milvus backend against a real Milvus: Milvus Lite in a temporary folder, and its gRPC server.

Nothing is mocked. Builds embed with the real model, so the corpora are small:
two seed documents for the comparison with the local backend, a few short
documents of our own for updates and switches.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import time
from pathlib import Path

# Imported here on purpose: pymilvus and milvus-lite are in the test extra, so a
# missing one must fail this file, not skip it.
import milvus_lite  # noqa: F401
import numpy as np
import pymilvus  # noqa: F401
import pytest
from click.testing import CliRunner

import index.backends.milvus as milvus_backend
import index.backends.milvus.backend  # noqa: F401 -- for the monkeypatches below
import index.backends.milvus.writer  # noqa: F401
from index.backends import create_source
from index.backends.milvus.writer import stored_versions
from index.build import build_index
from index.errors import IndexCorrupt
from index.neighbours import neighbour_scores
from index.backends.local import open_index
from qa.eval_index import evaluation_index, evaluation_name
from qa.service import Answerer
from tests.client import QuestionStream, request
from tests.conftest import SEEDS, LiveServer
from tests.test_serving import _ask
from web.app import create_app
from web.cli import main
from index.settings import ConfigError, load_settings

pytestmark = pytest.mark.slow

# Questions written for this test, about the two seed documents below.
QUESTIONS = [
    ("Wie is de contactpersoon voor de brief over arbeidsmigratie?", []),
    ("Hoeveel arbeidsmigranten worden er in 2030 verwacht?", []),
    ("Welke voorziening voor volledig arbeidsongeschikten wordt afgeschaft?", []),
    ("Wat wordt er verhoogd via de vrijheidsbijdrage?", []),
    ("En wat gebeurt er met de duur van de WW?",
     ["Welke voorziening voor volledig arbeidsongeschikten wordt afgeschaft?"]),
    ("Hoe hoog is de Eiffeltoren in Parijs?", []),
]
SEED_FILES = ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt")

OWN_DOCUMENTS = {
    "fietsenstalling.txt": (
        "Fietsenstalling Molenplein\n\n"
        "De bewaakte fietsenstalling aan het Molenplein is open van zeven uur 's ochtends tot middernacht. "
        "De eerste vierentwintig uur stalt u gratis.\n\n"
        "Wie een fiets langer dan veertien dagen laat staan, betaalt daarna twee euro per dag.\n"),
    "bibliotheek.txt": (
        "Bibliotheek De Boekenlegger\n\n"
        "De bibliotheek in Oosterveld is vanaf maart op donderdag open tot negen uur 's avonds. "
        "Een jeugdabonnement blijft gratis tot de achttiende verjaardag.\n"),
}
POOL = ("Zwembad De Golfslag\n\n"
        "Het buitenbad De Golfslag in Oosterveld gaat dit jaar op 1 mei open. "
        "Een seizoenskaart voor volwassenen kost vijfenzestig euro.\n")
POOL_QUESTION = "Wanneer gaat het buitenbad De Golfslag open?"
BIKE_QUESTION = "Hoe lang kan ik mijn fiets gratis stallen bij het Molenplein?"


def _milvus(uri: str, collection: str):
    return create_source("milvus", index_root=Path("."), options={"uri": uri, "collection": collection})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lite_uri(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("milvus") / "vraagbaak.db")


@pytest.fixture(scope="module")
def seeds_pair(tmp_path_factory, lite_uri, embedder):
    """Two seed documents, indexed locally and into Milvus Lite."""
    tmp = tmp_path_factory.mktemp("pair")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in SEED_FILES:
        shutil.copy(SEEDS / name, corpus / name)
    build_index(corpus, tmp / "local", embedder)
    source = _milvus(lite_uri, "seeds")
    report = build_index(corpus, tmp / "milvus-lock", embedder, source=source)
    assert report.changed and report.embedded_files == sorted(SEED_FILES)
    # Nothing of the index is kept on this side: only the build lock.
    assert [p.name for p in (tmp / "milvus-lock").iterdir()] == [".build.lock"]
    return open_index(tmp / "local"), source


@pytest.fixture
def own_corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in OWN_DOCUMENTS.items():
        (corpus / name).write_text(text, "utf-8")
    return corpus


def _files(backend) -> dict:
    """The manifest's files, without when each was indexed (two builds, two moments)."""
    return {name: {k: v for k, v in entry.items() if k != "indexed"} for name, entry in backend.manifest["files"].items()}


def test_milvus_answers_exactly_like_the_local_backend(seeds_pair, embedder):
    local, source = seeds_pair
    milvus = source.open()
    assert milvus.size == local.size and _files(milvus) == _files(local)
    assert [d.doc_id for d in milvus.documents()] == [d.doc_id for d in local.documents()]
    for question, history in QUESTIONS:
        texts = [question, f"{history[-1]} {question}"] if history else [question]
        vectors = embedder.encode_queries(texts)
        ours, theirs = (backend.search(texts, vectors, 50) for backend in (local, milvus))
        _assert_same_candidates(theirs, ours)
        dense_only = milvus.search(texts, vectors, 50, lexical=False)
        assert dense_only.lexical == []
        assert [r.tolist() for r in dense_only.dense] == [r.tolist() for r in ours.dense]

        expected = Answerer(local, embedder).ask(question, history=history)
        answer = Answerer(milvus, embedder).ask(question, history=history)
        assert [h.chunk for h in answer.hits] == [h.chunk for h in expected.hits], question
        assert [h.chunk.id for h in answer.hits] == [h.chunk.id for h in expected.hits]
        assert answer.text == expected.text and answer.abstained == expected.abstained
    doc = local.documents()[0].doc_id
    assert milvus.document_chunks(doc) == local.document_chunks(doc)
    assert milvus.document(doc).title == local.document(doc).title and milvus.document("nergens.txt") is None


def _assert_same_candidates(theirs, ours):
    assert [r.tolist() for r in theirs.dense + theirs.lexical] == [r.tolist() for r in ours.dense + ours.lexical]
    assert theirs.ids == ours.ids and len(ours.ids) > 10
    assert np.array_equal(theirs.vectors, ours.vectors)
    assert theirs.chunks == ours.chunks and [c.id for c in theirs.chunks.values()] == ours.ids
    assert theirs.coverage == pytest.approx(ours.coverage, abs=1e-12)
    assert set(theirs.hubness) == set(ours.ids)
    assert theirs.hubness == pytest.approx(ours.hubness, abs=1e-5)


def test_one_question_is_one_round_trip_and_no_answer_depends_on_the_one_before(seeds_pair, embedder):
    """search() asks Milvus once (its searches in parallel); answers depend on nothing asked before.

    A chunk's hubness is stored with it at build time (index.neighbours) and comes back with its hit.
    """
    local, source = seeds_pair
    milvus = source.open()
    calls = []
    real_call = milvus.conn.call

    def counted(method, *args, **kwargs):
        calls.append(method)
        return real_call(method, *args, **kwargs)

    questions = [q for q, _ in QUESTIONS]
    vectors = embedder.encode_queries(questions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(milvus.conn, "call", counted)
        for order in (questions, questions[::-1]):
            for question in order:
                vector = vectors[questions.index(question)][None, :]
                calls.clear()
                found = milvus.search([question], vector, 50)
                assert calls == ["search", "search"], calls  # dense and lexical, sent together
                _assert_same_candidates(found, local.search([question], vector, 50))


def test_updates_reembed_only_changed_files_drop_deleted_ones_and_roll_back(own_corpus, lite_uri, embedder,
                                                                               tmp_path, monkeypatch):
    source = _milvus(lite_uri, "bijwerken")
    lock = tmp_path / "lock"
    first = build_index(own_corpus, lock, embedder, source=source)
    assert first.embedded_files == sorted(OWN_DOCUMENTS)
    before = source.open()
    bike = [c.id for c in before.document_chunks("fietsenstalling.txt")]
    bike_vectors = before.all_vectors()[bike]

    assert not build_index(own_corpus, lock, embedder, source=source).changed
    (own_corpus / "bibliotheek.txt").write_text(OWN_DOCUMENTS["bibliotheek.txt"].replace("negen", "tien"), "utf-8")
    (own_corpus / "zwembad.txt").write_text(POOL, "utf-8")
    second = build_index(own_corpus, lock, embedder, source=source)
    assert second.embedded_files == ["bibliotheek.txt", "zwembad.txt"]
    assert second.reused_files == ["fietsenstalling.txt"]
    after = source.open()
    assert after.version == second.version != before.version
    assert "tien uur" in " ".join(c.text for c in after.document_chunks("bibliotheek.txt"))
    moved = [c.id for c in after.document_chunks("fietsenstalling.txt")]
    assert np.array_equal(after.all_vectors()[moved], bike_vectors)  # copied, not embedded again

    (own_corpus / "zwembad.txt").unlink()
    third = build_index(own_corpus, lock, embedder, source=source)
    assert third.removed_files == ["zwembad.txt"] and third.embedded_chunks == 0
    latest = source.open()
    assert latest.document("zwembad.txt") is None and latest.document_chunks("zwembad.txt") == []
    assert all(c.doc_id != "zwembad.txt" for c in latest.chunks(list(range(latest.size))))
    assert Answerer(latest, embedder).ask(POOL_QUESTION).abstained
    # The neighbours were corrected through both updates as computing them anew would give.
    assert np.allclose(latest.neighbour_scores(), neighbour_scores(latest.all_vectors()), atol=1e-5)
    # The current version and the one before it stay, for rollback; older ones are dropped.
    assert stored_versions(source.conn, "bijwerken") == [second.version, third.version]

    monkeypatch.setenv("VRAAGBAAK_BACKEND", "milvus")
    monkeypatch.setenv("VRAAGBAAK_MILVUS_URI", lite_uri)
    monkeypatch.setenv("VRAAGBAAK_MILVUS_COLLECTION", "bijwerken")
    result = CliRunner().invoke(main, ["index", "--rollback", "--index-dir", str(lock)])
    assert result.exit_code == 0, result.output
    assert "teruggezet" in result.output and second.version in result.output
    time.sleep(1.1)  # the source caches the alias for a second
    assert source.latest() == second.version
    assert not Answerer(source.open(), embedder).ask(POOL_QUESTION).abstained


def test_an_update_whose_neighbour_scores_are_lost_computes_them_all_again(own_corpus, lite_uri, embedder,
                                                                           tmp_path, caplog):
    """Without the previous version's neighbour scores (their blob gone), an update still reuses its
    vectors and computes every chunk's scores anew, saying so; it neither fails nor keeps wrong rows."""
    source = _milvus(lite_uri, "burenkwijt")
    build_index(own_corpus, tmp_path / "lock", embedder, source=source)
    first = source.open()
    source.conn.call("delete", first.meta_collection, filter='name == "neighbours"')
    with pytest.raises(IndexCorrupt, match="burenscores"):
        first.neighbour_scores()
    (own_corpus / "zwembad.txt").write_text(POOL, "utf-8")
    with caplog.at_level("WARNING", logger="index.build"):
        update = build_index(own_corpus, tmp_path / "lock", embedder, source=source)
    assert update.embedded_files == ["zwembad.txt"] and sorted(update.reused_files) == sorted(OWN_DOCUMENTS)
    assert "helemaal opnieuw" in caplog.text
    time.sleep(1.1)  # the source caches the alias for a second
    latest = source.open()
    assert np.allclose(latest.neighbour_scores(), neighbour_scores(latest.all_vectors()), atol=1e-5)


def test_after_an_upgrade_an_update_copies_chunks_and_vectors_of_the_older_format(own_corpus, lite_uri, embedder,
                                                                                  tmp_path, monkeypatch):
    """The version a build starts from may be of the format before (milvus REUSABLE_FORMATS): refused for
    questions, but its passages and vectors are copied into a version of the new format."""
    source = _milvus(lite_uri, "opwaarderen")
    first = build_index(own_corpus, tmp_path / "lock", embedder, source=source)
    old = source.open()
    vectors = old.all_vectors()
    newer = milvus_backend.backend.FORMAT_VERSION + 1
    for module in (milvus_backend.backend, milvus_backend.writer):
        monkeypatch.setattr(module, "FORMAT_VERSION", newer)
    monkeypatch.setattr(milvus_backend.backend, "REUSABLE_FORMATS", (newer - 1,))
    time.sleep(1.1)  # the source caches the alias for a second
    with pytest.raises(IndexCorrupt, match="formaat"):
        source.open()
    second = build_index(own_corpus, tmp_path / "lock", embedder, source=source)
    assert second.changed and second.embedded_chunks == 0 and second.reused_files == first.embedded_files
    time.sleep(1.1)
    new = source.open()
    assert new.manifest["milvus_format"] == newer and np.array_equal(new.all_vectors(), vectors)


def test_an_evaluation_index_is_an_index_of_its_own_in_the_same_milvus(own_corpus, lite_uri, embedder, tmp_path):
    source = _milvus(lite_uri, "dienst")
    backend = evaluation_index(own_corpus, embedder, source, tmp_path / "eval")
    name = evaluation_name(own_corpus)
    assert backend.name == "milvus" and backend.base == f"dienst_{name}"
    assert source.latest() is None  # the served index is not touched
    assert [p.name for p in (tmp_path / "eval" / name).iterdir()] == [".build.lock"]
    assert not Answerer(backend, embedder).ask(BIKE_QUESTION).abstained
    assert evaluation_index(own_corpus, embedder, source, tmp_path / "eval").version == backend.version


def test_feedback_records_the_milvus_index_version(own_corpus, lite_uri, embedder, tmp_path, monkeypatch):
    source = _milvus(lite_uri, "terugkoppeling")
    report = build_index(own_corpus, tmp_path / "lock", embedder, source=source)
    monkeypatch.setenv("VRAAGBAAK_BACKEND", "milvus")
    monkeypatch.setenv("VRAAGBAAK_MILVUS_URI", lite_uri)
    monkeypatch.setenv("VRAAGBAAK_MILVUS_COLLECTION", "terugkoppeling")
    monkeypatch.setenv("VRAAGBAAK_RATE_LIMIT", "off")
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index"),
                      "VRAAGBAAK_FEEDBACK_DB": str(tmp_path / "feedback.sqlite")})
    client = app.test_client()
    for preloaded in (False, True):  # before the first question, and with the version loaded
        if preloaded:
            assert client.post("/api/v1/ask", json={"question": BIKE_QUESTION}).status_code == 200
        response = client.post("/api/v1/feedback", json={"question": BIKE_QUESTION, "answer": "Veertien dagen.",
                                                          "rating": "up"})
        assert response.status_code == 201, response.get_json()
    with sqlite3.connect(tmp_path / "feedback.sqlite") as conn:
        versions = [row[0] for row in conn.execute("SELECT index_version FROM feedback ORDER BY id")]
    assert versions == [report.version, report.version]


def test_alias_switch_under_a_stream_of_questions_fails_no_request(own_corpus, lite_uri, embedder, tmp_path,
                                                                     monkeypatch):
    source = _milvus(lite_uri, "stroom")
    lock = tmp_path / "lock"
    first = build_index(own_corpus, lock, embedder, source=source)
    monkeypatch.setenv("VRAAGBAAK_BACKEND", "milvus")
    monkeypatch.setenv("VRAAGBAAK_MILVUS_URI", lite_uri)
    monkeypatch.setenv("VRAAGBAAK_MILVUS_COLLECTION", "stroom")
    monkeypatch.setenv("VRAAGBAAK_RATE_LIMIT", "off")
    # An index folder that does not exist: everything must come from Milvus.
    server = LiveServer(create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index"), "VRAAGBAAK_PRELOAD": True}))
    with QuestionStream(server.url, BIKE_QUESTION) as stream:
        time.sleep(0.5)
        (own_corpus / "zwembad.txt").write_text(POOL, "utf-8")
        second = build_index(own_corpus, lock, embedder, source=source)
        (own_corpus / "bibliotheek.txt").unlink()
        third = build_index(own_corpus, lock, embedder, source=source)  # drops the first version
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not stream.recent(third.version, 4):
            time.sleep(0.1)
    results = stream.results
    try:
        failures = [r for r in results if r[0] != 200]
        assert not failures, failures[:5]
        versions = {v for _, v in results}
        assert {first.version, third.version} <= versions, (first.version, second.version, versions)

        status, body = _ask(server.url, POOL_QUESTION)
        assert status == 200 and not body["abstained"] and body["index"]["version"] == third.version
        assert body["passages"][0]["source"]["document"] == "zwembad.txt"
        assert "1 mei" in body["answer"]["text"]
        status, _, page = request(f"{server.url}/documents/zwembad.txt")
        assert status == 200 and "Golfslag" in page.decode("utf-8")
        status, _, data = request(f"{server.url}/readyz")
        ready = json.loads(data)
        assert status == 200 and ready["backend"] == "milvus" and ready["index"]["version"] == third.version
        assert ready["milvus"]["state"] == "connected" and ready["milvus"]["collection"] == "stroom"
    finally:
        server.stop()
    print(f"\nstroom tijdens twee aliaswissels: {len(results)} verzoeken, {len(failures)} mislukt")


def test_an_unreachable_milvus_gives_503_json_and_readyz_not_ready(tmp_path, monkeypatch, embedder, own_corpus):
    from milvus_lite.adapter.grpc.server import start_server_in_thread

    # A real Milvus server (Milvus Lite's gRPC server) over http://, which then goes away.
    grpc_server, db, port = start_server_in_thread(data_dir=str(tmp_path / "server-data"), host="127.0.0.1",
                                                   port=_free_port())
    uri = f"http://127.0.0.1:{port}"
    try:
        build_index(own_corpus, tmp_path / "lock", embedder, source=_milvus(uri, "weg"))
        monkeypatch.setenv("VRAAGBAAK_BACKEND", "milvus")
        monkeypatch.setenv("VRAAGBAAK_MILVUS_URI", uri)
        monkeypatch.setenv("VRAAGBAAK_MILVUS_COLLECTION", "weg")
        monkeypatch.setenv("VRAAGBAAK_MILVUS_TIMEOUT", "3")
        client = create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index")}).test_client()
        asked = client.post("/api/v1/ask", json={"question": BIKE_QUESTION})
        assert asked.status_code == 200 and not asked.json["abstained"]
        assert client.get("/readyz").json["milvus"]["uri"] == uri
        # Milvus goes away in the middle of a question (the alias, cached, still names the version).
        monkeypatch.setattr(milvus_backend, "LATEST_TTL", 600.0)
    finally:
        grpc_server.stop(grace=0)
        db.close()
    asked = client.post("/api/v1/ask", json={"question": BIKE_QUESTION})
    assert asked.status_code == 503 and asked.json["error"]["code"] == "backend_unavailable"
    assert "Milvus" in asked.json["error"]["message"] and "niet bereikbaar" in asked.json["error"]["message"]
    assert "Traceback" not in asked.get_data(as_text=True)
    # Gone before the question starts: the index cannot be opened.
    monkeypatch.setattr(milvus_backend, "LATEST_TTL", 0.0)
    asked = client.post("/api/v1/ask", json={"question": BIKE_QUESTION})
    assert asked.status_code == 503 and "niet bereikbaar" in asked.json["error"]["message"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"
    assert ready.json["error"]["code"] == "backend_unavailable" and ready.json["milvus"]["state"] == "unreachable"
    assert client.get("/healthz").status_code == 200

    # Never reachable at all: the same clean answers from the first request on.
    monkeypatch.setenv("VRAAGBAAK_MILVUS_URI", f"http://127.0.0.1:{_free_port()}")
    client = create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index"), "VRAAGBAAK_PRELOAD": True}).test_client()
    for response in (client.get("/readyz"), client.post("/api/v1/ask", json={"question": BIKE_QUESTION})):
        assert response.status_code == 503 and "niet bereikbaar" in response.json["error"]["message"]
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/readyz").json["error"]["code"] == "backend_unavailable"


def backend_settings(env: dict) -> tuple[str, dict]:
    settings = load_settings(env)
    return settings.backend, settings.backend_options()


def test_backend_settings_are_checked_in_dutch(tmp_path):
    assert backend_settings({}) == ("local", {"vector_index": "auto", "ann_threshold": 100_000, "nprobe": 0,
                                             "ef_search": 0})
    assert backend_settings({"VRAAGBAAK_VECTOR_INDEX": "hnsw"})[1]["vector_index"] == "hnsw"
    with pytest.raises(ConfigError, match="VRAAGBAAK_MILVUS_URI nodig"):
        backend_settings({"VRAAGBAAK_BACKEND": "milvus"})
    with pytest.raises(ConfigError, match="moet eindigen op .db"):
        backend_settings({"VRAAGBAAK_BACKEND": "milvus", "VRAAGBAAK_MILVUS_URI": str(tmp_path / "milvus")})
    with pytest.raises(ConfigError, match="bestaat niet"):
        backend_settings({"VRAAGBAAK_BACKEND": "milvus", "VRAAGBAAK_MILVUS_URI": str(tmp_path / "x" / "m.db")})
    with pytest.raises(ConfigError, match="geen geldige collectienaam"):
        backend_settings({"VRAAGBAAK_BACKEND": "milvus", "VRAAGBAAK_MILVUS_URI": "http://milvus:19530",
                          "VRAAGBAAK_MILVUS_COLLECTION": "mijn-index"})
    with pytest.raises(ConfigError, match="VRAAGBAAK_MILVUS_SHARDS"):
        backend_settings({"VRAAGBAAK_BACKEND": "milvus", "VRAAGBAAK_MILVUS_URI": "http://milvus:19530",
                          "VRAAGBAAK_MILVUS_SHARDS": "0"})
    name, options = backend_settings({"VRAAGBAAK_BACKEND": "milvus", "VRAAGBAAK_MILVUS_URI": "https://m:443",
                                      "VRAAGBAAK_MILVUS_TOKEN": "gebruiker:geheim",
                                      "VRAAGBAAK_MILVUS_REPLICAS": "2"})
    assert name == "milvus" and options["replicas"] == 2 and options["token"] == "gebruiker:geheim"
    shown = create_source(name, index_root=tmp_path, options=options).describe()
    assert "geheim" not in str(shown) and shown["milvus"]["uri"] == "https://m:443"


def test_each_collection_is_an_index_of_its_own_that_switches_and_drops_alone(own_corpus, lite_uri, embedder,
                                                                             tmp_path):
    """On Milvus a collection is its own alias and version collections: one collection's build, switch and
    removal leave the others' alone, and a question over two reads both."""
    from index.collections import STANDARD, Collections
    from web.library import Library

    base = _milvus(lite_uri, "teams")
    collections = Collections(tmp_path / "collections", tmp_path / "lock", base)
    build_index(own_corpus, tmp_path / "lock", embedder, source=base)
    pool = collections.create("zwembad")
    (pool.documents / "zwembad.txt").write_text(POOL, "utf-8")
    build_index(pool.documents, pool.index_root, embedder, source=pool.source)
    assert pool.source.options.collection == "teams_c_zwembad"
    standard_version = base.latest()
    assert standard_version is not None and pool.source.latest() not in (None, standard_version)

    settings = load_settings({}, overrides={"data_dir": tmp_path, "backend": "milvus", "milvus_uri": lite_uri,
                                            "milvus_collection": "teams"})
    library = Library(settings, collections=collections)
    library.standard._embedder = embedder
    answer = library.answerer([STANDARD, "zwembad"]).ask(POOL_QUESTION)
    assert answer.hits[0].chunk.collection == "zwembad" and "1 mei" in answer.text
    assert library.answerer([STANDARD]).ask(BIKE_QUESTION).hits[0].chunk.collection == STANDARD

    collections.delete("zwembad")
    assert pool.source.latest() is None
    assert not [name for name in base.conn.call("list_collections") if name.startswith("teams_c_zwembad")]
    assert base.latest() == standard_version

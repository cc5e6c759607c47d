"""Who may read what: API tokens, the access check on every route, and no side door.

Three real collections built from seed files -- `standaard` (public), `team-a`
and `team-b` -- a real app on loopback, and real HTTP requests with a token
for team-a, one for team-b, the admin token, no token and wrong tokens. What
team-b holds (its document ids, titles, passage texts and its very name) is
taken from what the admin really gets, and must appear in no response to a
caller who may not read team-b.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.exceptions import NotFound

from index.build import build_index
from index.settings import load_settings
from tests.client import request
from tests.conftest import REPO, SEEDS, LiveServer
from web.app import create_app
from web.cli import main
from web.library import Library
from web.tokens import token_hash

STANDARD_DOCS = ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt")
A_DOC = "004_4a6563aa008f8ac9.txt"  # the Rotterdam rekentool clippings
B_DOCS = ("002_0af740f7ea07aefe.txt", "003_b0a5a191aaa9f90d.txt")
A_QUESTION = "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"
B_QUESTION = "Wat doet het kabinet tegen misstanden bij arbeidsmigranten?"
ADMIN = "beheer-geheim"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class World:
    """The server, its data folder and the tokens, shared by the module."""

    def __init__(self, base: Path, settings, server: LiveServer):
        self.base, self.settings, self.server, self.url = base, settings, server, server.url
        self.tokens: dict[str, str] = {}
        self.secrets: set[str] = set()  # what of team-b no other caller may see

    def ask(self, payload: dict, token: str | None = None) -> tuple[int, dict, str]:
        status, _, data = request(f"{self.url}/api/v1/ask", method="POST", json_body=payload,
                                  headers=_bearer(token) if token else {})
        return status, json.loads(data), data.decode()

    def get(self, path: str, token: str | None = None) -> tuple[int, dict, str]:
        status, headers, data = request(f"{self.url}{path}", headers=_bearer(token) if token else {})
        return status, headers, data.decode("utf-8", "replace")

    def admin(self, method: str, path: str, payload=None) -> tuple[int, object]:
        status, _, data = request(f"{self.url}{path}", method=method, json_body=payload, headers=_bearer(ADMIN))
        return status, json.loads(data)

    def leaks(self, text: str) -> list[str]:
        return sorted(secret for secret in self.secrets if secret in text)


def _app(settings, embedder, **config):
    app = create_app({"VRAAGBAAK_RATE_LIMIT": "off", **config}, settings=settings)
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    return app


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("access")
    settings = load_settings({}, overrides={"data_dir": base, "index_dir": base / "index", "admin_token": ADMIN})
    library = Library(settings)
    corpus = base / "standaard-docs"
    corpus.mkdir()
    for name in STANDARD_DOCS:
        shutil.copy(SEEDS / name, corpus / name)
    build_index(corpus, base / "index", embedder)
    for name, files in (("team-a", (A_DOC,)), ("team-b", B_DOCS)):
        collection = library.collections.create(name)
        for file in files:
            shutil.copy(SEEDS / file, collection.documents / file)
        build_index(collection.documents, collection.index_root, embedder, source=collection.source)
    server = LiveServer(_app(settings, embedder))
    found = World(base, settings, server)
    for team in ("team-a", "team-b"):
        status, body = found.admin("POST", "/api/v1/tokens", {"name": team, "collections": [team]})
        assert status == 201, body
        found.tokens[team] = body["token"]
    # What team-b holds, as the admin really gets it.
    status, body, _ = found.ask({"question": B_QUESTION, "collections": ["team-b"], "top_k": 10}, ADMIN)
    assert status == 200 and body["passages"], body
    found.secrets = {"team-b", *B_DOCS, *(p["text"] for p in body["passages"]),
                     *(p["source"]["title"] for p in body["passages"])}
    assert len(found.secrets) > 4
    yield found
    server.stop()


# ---------- questions ----------


def test_no_token_reads_the_public_collections_only(world):
    status, body, text = world.ask({"question": B_QUESTION, "top_k": 10})
    assert status == 200 and body["passages"]
    assert {p["source"]["collection"] for p in body["passages"]} == {"standaard"}
    assert all(p["source"]["url"].startswith("/documents/") for p in body["passages"])
    assert not world.leaks(text)


def test_a_token_reads_its_collections_and_the_public_ones(world):
    status, body, text = world.ask({"question": A_QUESTION}, world.tokens["team-a"])
    assert status == 200
    top = body["passages"][0]["source"]
    assert (top["collection"], top["document"]) == ("team-a", A_DOC)
    assert top["url"] == f"/c/team-a/documents/{A_DOC}#p{top['paragraph']}"
    assert "Rotterdam" in body["answer"]["text"]
    assert {p["source"]["collection"] for p in body["passages"]} <= {"standaard", "team-a"}
    assert not world.leaks(text)

    # Team-b's own question, with team-a's token: answered from what team-a may read, nothing of team-b.
    status, body, text = world.ask({"question": B_QUESTION, "top_k": 20}, world.tokens["team-a"])
    assert status == 200 and body["passages"]
    assert {p["source"]["collection"] for p in body["passages"]} <= {"standaard", "team-a"}
    assert not world.leaks(text), world.leaks(text)


def test_an_unreadable_collection_is_403_and_looks_exactly_like_a_missing_one(world):
    for token in (None, world.tokens["team-a"]):
        refusals = {}
        for names in (["team-b"], ["bestaat-niet"], ["team-a", "team-b"], ["standaard", "team-b"]):
            status, body, text = world.ask({"question": B_QUESTION, "collections": names}, token)
            assert status == 403, (token, names, body)
            assert body["error"]["code"] == "forbidden"
            assert not world.leaks(text) and "bestaat-niet" not in text
            refusals[tuple(names)] = text
        assert len(set(refusals.values())) == 1, refusals  # existing or not, readable in part or not: one answer


def test_the_admin_reads_every_collection_and_hears_which_do_not_exist(world):
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["team-a", "team-b"], "top_k": 10}, ADMIN)
    assert status == 200
    assert body["passages"][0]["source"]["collection"] == "team-b"
    assert body["passages"][0]["source"]["document"] in B_DOCS
    assert world.ask({"question": B_QUESTION}, ADMIN)[0] == 200  # without "collections": all three
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["bestaat-niet"]}, ADMIN)
    assert status == 404 and body["error"] == {"code": "collection_not_found",
                                               "message": "De collectie 'bestaat-niet' bestaat niet."}


def test_team_b_reads_team_b(world):
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["team-b"]}, world.tokens["team-b"])
    assert status == 200 and body["passages"][0]["source"]["document"] in B_DOCS
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["team-a"]}, world.tokens["team-b"])
    assert status == 403


@pytest.mark.parametrize("collections", [[], ["Team-B"], ["../team-b"], "team-b", [3], ["x" * 41]])
def test_invalid_collection_names_are_400(world, collections):
    status, body, text = world.ask({"question": B_QUESTION, "collections": collections}, world.tokens["team-a"])
    assert status == 400 and body["error"]["code"] == "invalid_collections", body
    assert "collectienamen" in body["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer fout", "Bearer vb_nietuitgegeven", "Bearer ", "bearer  " + "x" * 60])
def test_a_wrong_token_is_401_never_silently_public(world, header):
    for path, payload in (("/api/v1/ask", {"question": A_QUESTION}),
                          ("/api/v1/feedback", {"question": "q", "answer": "a", "rating": "up"})):
        status, headers, data = request(f"{world.url}{path}", method="POST", json_body=payload,
                                        headers={"Authorization": header})
        assert status == 401, (path, data)
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert json.loads(data)["error"]["code"] == "unauthorized"
    # Even a public document: a token that is wrong is said to be wrong.
    status, _, data = request(f"{world.url}/documents/{STANDARD_DOCS[0]}", headers={"Authorization": header})
    assert status == 401 and json.loads(data)["error"]["code"] == "unauthorized"


def test_a_revoked_token_stops_at_the_next_request(world):
    status, created = world.admin("POST", "/api/v1/tokens", {"name": "tijdelijk", "collections": ["team-a"]})
    assert status == 201
    token = created["token"]
    assert world.ask({"question": A_QUESTION, "collections": ["team-a"]}, token)[0] == 200
    assert world.get(f"/c/team-a/documents/{A_DOC}", token)[0] == 200
    status, revoked = world.admin("DELETE", "/api/v1/tokens/tijdelijk")
    assert status == 200 and revoked["revoked"] and revoked["name"] == "tijdelijk"
    status, body, _ = world.ask({"question": A_QUESTION}, token)
    assert status == 401 and body["error"]["message"].startswith("Deze token is onbekend of ingetrokken")
    assert world.get(f"/c/team-a/documents/{A_DOC}", token)[0] == 401
    assert world.admin("DELETE", "/api/v1/tokens/tijdelijk")[0] == 200  # again: no change
    assert world.admin("DELETE", "/api/v1/tokens/nooit-gemaakt")[0] == 404


# ---------- documents and files ----------


def _document_paths(doc_id: str) -> list[str]:
    return [f"/c/team-b/documents/{doc_id}", f"/c/team-b/documents/{doc_id}/file",
            f"/documents/{doc_id}", f"/documents/{doc_id}/file",
            f"/c/team-a/documents/{doc_id}", f"/c/team-a/documents/{doc_id}/file"]


def test_team_b_documents_are_the_404_of_a_missing_document_for_everyone_else(world):
    missing_page = world.get("/c/team-a/documents/bestaat-niet.txt")
    assert missing_page[0] == 404 and "Document niet gevonden" in missing_page[2]
    for token in (None, world.tokens["team-a"]):
        for doc_id in B_DOCS:
            for path in _document_paths(doc_id):
                status, _, text = world.get(path, token)
                assert status == 404, (token, path)
                assert text == missing_page[2], path  # the very same page: nothing tells it exists
                assert not world.leaks(text), (path, world.leaks(text))
        # A collection that does not exist looks the same as one that may not be read.
        assert world.get("/c/bestaat-niet/documents/x.txt", token)[2] == missing_page[2]
        assert world.get("/c/Ongeldig/documents/x.txt/file", token)[2] == missing_page[2]


def test_documents_open_for_whoever_may_read_them(world):
    for token in (world.tokens["team-b"], ADMIN):
        for doc_id in B_DOCS:
            status, headers, text = world.get(f"/c/team-b/documents/{doc_id}", token)
            assert status == 200 and doc_id in text, (token, doc_id)
            assert headers["Cache-Control"] == "private, no-store" and "Authorization" in headers["Vary"]
            assert f'href="/c/team-b/documents/{doc_id}/file"' in text  # its file link keeps the collection
            status, headers, body = world.get(f"/c/team-b/documents/{doc_id}/file", token)
            assert status == 200 and headers["Content-Type"].startswith("text/plain")
            assert body == (SEEDS / doc_id).read_bytes().decode("utf-8", "replace")
    # Team-a's link from an answer opens with team-a's token; a browser (no token) gets the 404.
    status, body, _ = world.ask({"question": A_QUESTION}, world.tokens["team-a"])
    link = body["passages"][0]["source"]["url"].partition("#")[0]
    assert world.get(link, world.tokens["team-a"])[0] == 200
    assert world.get(link)[0] == 404
    assert world.get(link, world.tokens["team-b"])[0] == 404
    # The public collection opens without a token, at the address it always had.
    status, headers, text = world.get(f"/documents/{STANDARD_DOCS[0]}")
    assert status == 200 and "private" not in headers.get("Cache-Control", "")
    assert f'href="/documents/{STANDARD_DOCS[0]}/file"' in text
    assert world.get(f"/documents/{STANDARD_DOCS[0]}/file")[0] == 200


# ---------- the admin-only routes ----------


def test_feedback_export_is_the_admins_alone(world):
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["team-b"]}, world.tokens["team-b"])
    passage = body["passages"][0]
    feedback = {"question": B_QUESTION, "answer": passage["text"], "rating": "up",
                "passages": [f"{passage['source']['document']}#{passage['source']['paragraph']}"]}
    status, _, _ = request(f"{world.url}/api/v1/feedback", method="POST", json_body=feedback,
                           headers=_bearer(world.tokens["team-b"]))
    assert status == 201
    for token in (None, world.tokens["team-a"], world.tokens["team-b"]):
        for query in ("", "?format=csv"):
            status, _, text = world.get(f"/api/v1/feedback{query}", token)
            assert status == 401 and not world.leaks(text), (token, query)
    status, _, text = world.get("/api/v1/feedback", ADMIN)
    assert status == 200 and passage["text"] in json.loads(text)[-1]["answer"]


def test_feedback_names_only_collections_its_giver_may_read(world):
    """Feedback is stored with the answer's collections: nobody files it under another team's collection."""
    feedback = {"question": B_QUESTION, "answer": "Een antwoord.", "rating": "down", "collections": ["team-b"]}
    for token, expected in ((None, 403), (world.tokens["team-a"], 403), (world.tokens["team-b"], 201), (ADMIN, 201)):
        status, _, data = request(f"{world.url}/api/v1/feedback", method="POST", json_body=feedback,
                                  headers=_bearer(token) if token else {})
        assert status == expected, (token, data)
        if status == 403:
            assert not world.leaks(data.decode()) and json.loads(data)["error"]["code"] == "forbidden"
    # A collection removed since the answer may still be named by whoever could read it.
    gone = {**feedback, "collections": ["team-a", "verwijderd"]}
    status, _, _ = request(f"{world.url}/api/v1/feedback", method="POST", json_body=gone, headers=_bearer(ADMIN))
    assert status == 201
    status, _, _ = request(f"{world.url}/api/v1/feedback", method="POST",
                           json_body={**feedback, "collections": ["standaard"]})
    assert status == 201


# Routes of the collections and jobs endpoints (web/collections_api.py, web/jobs.py); each is admin only.
ADMIN_ONLY = ["/api/v1/jobs/0123456789abcdef", "/api/v1/collections", "/api/v1/collections/team-b/documents",
              "/api/v1/collections/team-b/jobs", "/api/v1/tokens"]


@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_admin_only_routes_show_nothing_to_a_token(world, path):
    adapter = world.server.server.app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except NotFound:
        pytest.skip(f"GET {path} does not exist in this tree yet (it comes with the collections and jobs "
                    "endpoints); when it does, this test checks it")
    for token in (None, world.tokens["team-a"], world.tokens["team-b"]):
        status, _, text = world.get(path, token)
        assert status == 401, (path, token, text)
        assert not world.leaks(text) and "team-a" not in text


# ---------- tokens ----------


def test_the_token_list_and_the_store_never_hold_a_token(world):
    status, listed = world.admin("GET", "/api/v1/tokens")
    assert status == 200
    names = {row["name"]: row for row in listed}
    assert {"team-a", "team-b"} <= set(names)
    assert names["team-a"]["collections"] == ["team-a"] and names["team-a"]["revoked"] is None
    assert set(names["team-a"]) == {"name", "collections", "created", "revoked", "expires", "expired"}
    assert (names["team-a"]["expires"], names["team-a"]["expired"]) == (None, False)  # made without an expiry
    text = json.dumps(listed)
    stored = world.settings.tokens_path.read_bytes()
    for token in world.tokens.values():
        assert token.startswith("vb_") and len(token) >= 40
        assert token not in text and token_hash(token) not in text
        assert token.encode() not in stored
    with sqlite3.connect(world.settings.tokens_path) as db:
        hashes = {row[0] for row in db.execute("SELECT hash FROM tokens")}
    assert {token_hash(t) for t in world.tokens.values()} <= hashes


def test_tokens_are_made_only_for_collections_that_exist(world):
    assert world.admin("POST", "/api/v1/tokens", {"collections": ["bestaat-niet"]}) == (
        404, {"error": {"code": "collection_not_found", "message": "De collectie 'bestaat-niet' bestaat niet."}})
    status, body = world.admin("POST", "/api/v1/tokens", {"name": "team-a", "collections": ["team-a"]})
    assert status == 409 and body["error"]["code"] == "token_exists"
    status, body = world.admin("POST", "/api/v1/tokens", {"name": "../x", "collections": ["team-a"]})
    assert status == 400 and body["error"]["code"] == "invalid_name"
    status, body = world.admin("POST", "/api/v1/tokens", {"collections": ["team-a", "team-a"]})
    assert status == 201 and body["collections"] == ["team-a"] and body["name"].startswith("token-")
    # Without the admin token, nothing: not even whether a collection exists.
    status, _, data = request(f"{world.url}/api/v1/tokens", method="POST", json_body={"collections": ["team-b"]},
                              headers=_bearer(world.tokens["team-b"]))
    assert status == 401 and b"team-b" not in data


def _env(world) -> dict:
    return {"VRAAGBAAK_DATA_DIR": str(world.base), "VRAAGBAAK_INDEX_DIR": str(world.base / "index"),
            "VRAAGBAAK_CONFIG": None}


def _cli(world, *args: str) -> subprocess.CompletedProcess:
    """`vraagbaak token …` as a script runs it: its own process, standard output and error apart."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **_env(world)}
    del env["VRAAGBAAK_CONFIG"]
    return subprocess.run([sys.executable, "-m", "web.cli", "token", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_command_prints_the_token_alone_and_it_works_at_once(world):
    made = _cli(world, "create", "--collections", "team-a,team-b", "--name", "script")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("vb_")  # alone: a script can capture it
    assert "script" in made.stderr and token not in made.stderr
    status, body, _ = world.ask({"question": B_QUESTION, "collections": ["team-a", "team-b"]}, token)
    assert status == 200 and body["passages"][0]["source"]["collection"] == "team-b"

    runner = CliRunner()
    listed = runner.invoke(main, ["token", "list"], env=_env(world))
    assert listed.exit_code == 0 and "script\tteam-a,team-b\t" in listed.stdout and token not in listed.stdout
    revoked = runner.invoke(main, ["token", "revoke", "script"], env=_env(world))
    assert revoked.exit_code == 0 and "ingetrokken" in revoked.stderr
    assert world.ask({"question": A_QUESTION}, token)[0] == 401
    [line] = [x for x in runner.invoke(main, ["token", "list"], env=_env(world)).stdout.splitlines()
              if x.startswith("script\t")]
    assert "\tingetrokken " in line


@pytest.mark.parametrize("args, message", [
    (("create", "--collections", "bestaat-niet"), "De collectie 'bestaat-niet' bestaat niet."),
    (("create", "--collections", "Team-A"), "Een collectienaam bestaat uit"),
    (("create", "--collections", ","), "Noem minstens één collectie"),
    (("create", "--collections", "team-a", "--name", "team-a"), "Er bestaat al een token met de naam 'team-a'."),
    (("create", "--collections", "team-a", "--name", "met spatie"), "Een tokennaam bestaat uit"),
    (("revoke", "bestaat-niet"), "Er is geen token met de naam 'bestaat-niet'."),
])
def test_the_command_refuses_in_dutch(world, args, message):
    result = CliRunner().invoke(main, ["token", *args], env=_env(world))
    assert result.exit_code == 1 and result.stdout == ""
    assert message in result.stderr, result.stderr


# ---------- VRAAGBAAK_API_TOKEN and which collections are public ----------


@pytest.fixture(scope="module")
def guarded(world, embedder):
    """The same data, served with VRAAGBAAK_API_TOKEN set and team-a (not standaard) public."""
    server = LiveServer(_app(world.settings, embedder, VRAAGBAAK_API_TOKEN="gedeeld",
                             VRAAGBAAK_PUBLIC_COLLECTIONS="team-a"))
    other = World(world.base, world.settings, server)
    other.secrets = world.secrets
    yield other
    server.stop()


def test_the_api_token_reads_the_public_collections(world, guarded):
    assert guarded.ask({"question": A_QUESTION})[0] == 401  # without a token: none, as before
    status, body, text = guarded.ask({"question": B_QUESTION, "top_k": 20}, "gedeeld")
    assert status == 200 and {p["source"]["collection"] for p in body["passages"]} == {"team-a"}
    assert not guarded.leaks(text)
    for names in (["standaard"], ["team-b"]):
        assert guarded.ask({"question": A_QUESTION, "collections": names}, "gedeeld")[0] == 403
    # An issued token passes the API token's gate, and reads its own collections and the public ones.
    status, body, _ = guarded.ask({"question": B_QUESTION, "top_k": 20}, world.tokens["team-b"])
    assert status == 200 and {p["source"]["collection"] for p in body["passages"]} <= {"team-a", "team-b"}
    assert guarded.ask({"question": A_QUESTION, "collections": ["standaard"]}, ADMIN)[0] == 200


def test_a_collection_that_is_not_public_has_no_document_view_without_a_token(world, guarded):
    missing = guarded.get("/documents/bestaat-niet.txt")
    assert missing[0] == 404
    status, _, text = guarded.get(f"/documents/{STANDARD_DOCS[0]}")
    assert status == 404 and text == missing[2]
    assert guarded.get(f"/documents/{STANDARD_DOCS[0]}", ADMIN)[0] == 200
    assert guarded.get(f"/c/team-a/documents/{A_DOC}")[0] == 200  # public now


def test_deleting_a_collection_ends_every_grant_to_it(world):
    """Grants are names: a collection made again under a deleted one's name belongs to whoever makes it now."""
    assert world.admin("POST", "/api/v1/collections", {"name": "project-x"})[0] == 201
    status, body = world.admin("POST", "/api/v1/tokens", {"name": "oud-team-x", "collections": ["project-x", "team-a"]})
    assert status == 201
    old_token = body["token"]
    assert world.ask({"question": A_QUESTION, "collections": ["project-x"]}, old_token)[0] != 403
    assert world.admin("DELETE", "/api/v1/collections/project-x")[0] == 200
    assert world.admin("POST", "/api/v1/collections", {"name": "project-x"})[0] == 201

    status, body, _ = world.ask({"question": A_QUESTION, "collections": ["project-x"]}, old_token)
    assert status == 403, body
    listed = {t["name"]: t for t in world.admin("GET", "/api/v1/tokens")[1]}
    assert listed["oud-team-x"]["collections"] == ["team-a"]  # the other grant stays
    assert world.admin("DELETE", "/api/v1/collections/project-x")[0] == 200

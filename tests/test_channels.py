"""Slack and Mattermost per channel: each channel searches only its own collections.

Two real collections: `standaard` (public, two seed letters) and `intern`
(the Rotterdam articles of the seed newspaper clippings), with
VRAAGBAAK_CHANNEL_COLLECTIONS="C_INTERN=intern,*=standaard". Real signed Slack
requests and real Mattermost slash commands go to the app on loopback; Slack's
replies are caught by the fake Slack API of tests/test_slack.py.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from index.build import build_index
from index.settings import load_settings
from tests.client import request
from tests.conftest import LiveServer
from tests.test_slack import (BOT_TOKEN, FOLLOW_UP, MM_TOKEN, PUBLIC, ROTTERDAM, SECRET, FakeSlack, all_text,
                              event_body, mention, send)
from web.library import Library
from web.logs import JsonFormatter

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PUBLIC_DOCS = ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt")
CLIPPINGS = "004_4a6563aa008f8ac9.txt"  # the newspaper clippings; its first two articles are `intern`'s
INTERN_DOC = "knipsels-intern.txt"
MAPPING = "C_INTERN=intern,*=standaard"


@pytest.fixture(scope="module")
def fake_slack():
    server = FakeSlack()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder) -> Path:
    """A data folder with `standaard` (two public letters) and `intern` (the Rotterdam articles), real indexes."""
    base = tmp_path_factory.mktemp("channels")
    public = base / "openbaar"
    public.mkdir()
    for name in PUBLIC_DOCS:
        shutil.copy(SEEDS / name, public / name)
    build_index(public, base / "index", embedder)
    settings = load_settings({}, overrides={"data_dir": base, "index_dir": base / "index"})
    intern = Library(settings).collections.create("intern")
    articles = (SEEDS / CLIPPINGS).read_text("utf-8").split("\n03. ")[0]  # articles 01 and 02
    (intern.documents / INTERN_DOC).write_text(articles, "utf-8")
    build_index(intern.documents, intern.index_root, embedder, source=intern.source)
    return base


@pytest.fixture(scope="module")
def intern_sentences(base) -> list[str]:
    """Every sentence of the internal document long enough to be unmistakable, as an answer would quote it."""
    text = " ".join((base / "collections" / "intern" / "documents" / INTERN_DOC).read_text("utf-8").split())
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) >= 40]


def make_app(base: Path, embedder, fake_slack, mapping: str = MAPPING, **extra):
    from web.app import create_app

    app = create_app({
        "VRAAGBAAK_DATA_DIR": str(base), "VRAAGBAAK_INDEX_DIR": str(base / "index"),
        "VRAAGBAAK_CHANNEL_COLLECTIONS": mapping, "VRAAGBAAK_SLACK_SIGNING_SECRET": SECRET,
        "VRAAGBAAK_SLACK_BOT_TOKEN": BOT_TOKEN, "VRAAGBAAK_SLACK_API_URL": fake_slack.url + "/api/",
        "VRAAGBAAK_PUBLIC_BASE_URL": PUBLIC, "VRAAGBAAK_MATTERMOST_TOKEN": MM_TOKEN,
        "VRAAGBAAK_RATE_LIMIT": "off", "VRAAGBAAK_FEEDBACK_DB": str(base / "feedback.sqlite"), **extra})
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    return app


@pytest.fixture(scope="module")
def server(base, embedder, fake_slack):
    server = LiveServer(make_app(base, embedder, fake_slack))
    yield server
    server.stop()


@pytest.fixture
def question_log():
    """The per-question log lines of web.answering, as the JSON objects the log writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("web.answering")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def slash(server, fake_slack, text: str, channel: str, channel_name: str = "algemeen") -> dict:
    """A signed /vraag in `channel`; returns what Vraagbaak posted to its response_url."""
    response_url = f"{fake_slack.url}/response/{uuid.uuid4().hex}"
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "test", "channel_id": channel,
        "channel_name": channel_name, "user_id": "U1", "user_name": "anna", "command": "/vraag", "text": text,
        "api_app_id": "A1", "response_url": response_url, "trigger_id": "1.2.3",
    }).encode()
    assert send(server, body, "application/x-www-form-urlencoded")[0] == 200
    [post] = fake_slack.wait_for(urllib.parse.urlparse(response_url).path)
    return post


def mattermost(server, text: str, channel_id: str, channel_name: str = "town-square") -> tuple[int, dict]:
    form = urllib.parse.urlencode({
        "token": MM_TOKEN, "team_id": "t1", "channel_id": channel_id, "channel_name": channel_name,
        "user_name": "anna", "command": "/vraag", "text": text, "response_url": "http://127.0.0.1:9/unused",
    }).encode()
    status, _, data = request(server.url + "/mattermost/command", method="POST", body=form,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status, json.loads(data)


def shown(post: dict) -> str:
    """Everything a Slack message shows: blocks and the fallback text."""
    return all_text(post) + "\n" + post.get("text", "")


def assert_nothing_internal(text: str, intern_sentences: list[str]) -> None:
    assert "Rotterdam" not in text and "rekentool" not in text and "Versnel" not in text, text
    assert "collection=intern" not in text and INTERN_DOC not in text, text
    leaked = [s for s in intern_sentences if s[:40] in text]
    assert not leaked, leaked


# ---------- Slack ----------


def test_slash_command_searches_only_its_channels_collections(server, fake_slack, intern_sentences):
    public = slash(server, fake_slack, ROTTERDAM, "CALGEMEEN")
    assert_nothing_internal(shown(public), intern_sentences)

    internal = slash(server, fake_slack, ROTTERDAM, "C_INTERN", "intern-team")
    assert internal["response_type"] == "in_channel"
    text = all_text(internal)
    assert "Rotterdam heeft een rekentool" in text
    # The source links carry the passage's collection.
    assert f"<{PUBLIC}/c/intern/documents/{INTERN_DOC}#p" in text


def test_mentions_and_thread_follow_ups_keep_the_channels_collections(server, fake_slack, intern_sentences):
    root = mention("C_INTERN", ROTTERDAM)
    send(server, event_body(root), "application/json")
    fake_slack.wait_for("/api/chat.postMessage", channel="C_INTERN", thread_ts=root["ts"])
    follow_up = mention("C_INTERN", FOLLOW_UP, thread_ts=root["ts"])
    send(server, event_body(follow_up), "application/json")
    posts = fake_slack.wait_for("/api/chat.postMessage", count=2, channel="C_INTERN", thread_ts=root["ts"])
    assert "Rotterdam heeft een rekentool" in all_text(posts[0])
    assert "Versnel" in all_text(posts[1]) and "/c/intern/documents/" in all_text(posts[1])

    # The same thread in a public channel: the question and its follow-up never reach `intern`.
    root = mention("CPUBLIEK", ROTTERDAM)
    send(server, event_body(root), "application/json")
    fake_slack.wait_for("/api/chat.postMessage", channel="CPUBLIEK", thread_ts=root["ts"])
    send(server, event_body(mention("CPUBLIEK", FOLLOW_UP, thread_ts=root["ts"])), "application/json")
    posts = fake_slack.wait_for("/api/chat.postMessage", count=2, channel="CPUBLIEK", thread_ts=root["ts"])
    for post in posts:
        assert_nothing_internal(shown(post), intern_sentences)


def test_direct_messages_use_the_default_mapping(server, fake_slack, intern_sentences):
    question = {"type": "message", "channel": "DDIRECT1", "channel_type": "im", "user": "U1", "text": ROTTERDAM,
                "ts": f"{time.time():.6f}"}
    send(server, event_body(question), "application/json")
    [post] = fake_slack.wait_for("/api/chat.postMessage", channel="DDIRECT1")
    assert_nothing_internal(shown(post), intern_sentences)

    in_dm = slash(server, fake_slack, ROTTERDAM, "DDIRECT2", "directmessage")
    assert_nothing_internal(shown(in_dm), intern_sentences)


# ---------- Mattermost ----------


def test_mattermost_searches_only_its_channels_collections(server, intern_sentences):
    status, reply = mattermost(server, ROTTERDAM, "C_INTERN", "intern-team")
    assert status == 200 and reply["response_type"] == "in_channel"
    assert "Rotterdam heeft een rekentool" in reply["text"]
    assert f"({PUBLIC}/c/intern/documents/{INTERN_DOC}#p" in reply["text"]

    for channel_id, channel_name in (("kx8r3town", "town-square"), ("q1w2e3dm", "u1abc__u2def")):
        status, reply = mattermost(server, ROTTERDAM, channel_id, channel_name)
        assert status == 200
        assert_nothing_internal(reply["text"], intern_sentences)


# ---------- a mapping that names collections that do not exist ----------


def test_collections_that_do_not_exist_are_left_out_and_warned_about_once(base, embedder, fake_slack, caplog):
    mapping = "C_WEG=geheim-archief,C_HALF=geheim-archief+intern,*=standaard"
    with caplog.at_level(logging.WARNING, logger="web.channels"):
        server = LiveServer(make_app(base, embedder, fake_slack, mapping=mapping))
        try:
            status, reply = mattermost(server, ROTTERDAM, "C_WEG")
            assert status == 200 and reply["response_type"] == "ephemeral"
            assert "geen documenten om in te zoeken" in reply["text"]
            assert "geheim-archief" not in reply["text"] and "intern" not in reply["text"]

            post = slash(server, fake_slack, ROTTERDAM, "C_WEG")
            assert post["response_type"] == "ephemeral" and "geen documenten om in te zoeken" in post["text"]
            assert "geheim-archief" not in json.dumps(post) and "Traceback" not in json.dumps(post)

            # What remains of a mapping is still searched.
            status, reply = mattermost(server, ROTTERDAM, "C_HALF")
            assert status == 200 and "Rotterdam heeft een rekentool" in reply["text"]
        finally:
            server.stop()
    warnings = [r for r in caplog.records if r.name == "web.channels"]
    assert len(warnings) == 1 and "geheim-archief" in warnings[0].getMessage()


# ---------- logs and metrics ----------


def metric(text: str, name: str, **labels) -> float:
    """The value of the one sample of `name` with these labels in the Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_logs_and_metrics_name_the_collections_searched(base, embedder, fake_slack, question_log):
    mapping = "C_INTERN=intern,C_BEIDE=intern+standaard,*=standaard"
    server = LiveServer(make_app(base, embedder, fake_slack, mapping=mapping))
    try:
        before = request(server.url + "/metrics")[2].decode()
        assert mattermost(server, ROTTERDAM, "C_INTERN")[0] == 200
        assert mattermost(server, ROTTERDAM, "C_BEIDE")[0] == 200
        assert mattermost(server, ROTTERDAM, "kx8r3town")[0] == 200
        after = request(server.url + "/metrics")[2].decode()
    finally:
        server.stop()

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    # Each question counts once per channel, and once for every collection it searched.
    assert grew("vraagbaak_questions_total", channel="mattermost") == 3
    assert grew("vraagbaak_collection_questions_total", collection="intern") == 2
    assert grew("vraagbaak_collection_questions_total", collection="standaard") == 2
    # Every collection whose engine is loaded has its own index gauges.
    intern_version = (base / "collections" / "intern" / "index" / "current").resolve().name
    standard_version = (base / "index" / "current").resolve().name
    assert metric(after, "vraagbaak_index_info", collection="intern", version=intern_version) == 1
    assert metric(after, "vraagbaak_index_info", collection="standaard", version=standard_version) == 1
    assert metric(after, "vraagbaak_index_documents", collection="intern") == 1
    assert metric(after, "vraagbaak_index_documents", collection="standaard") == len(PUBLIC_DOCS)
    assert metric(after, "vraagbaak_index_chunks", collection="intern") > 0

    lines = [line for line in question_log() if line.get("channel") == "mattermost"]
    assert [line["collections"] for line in lines] == [["intern"], ["intern", "standaard"], ["standaard"]]
    assert lines[0]["index_version"] == intern_version and lines[0]["abstained"] is False
    assert lines[1]["index_version"] == f"intern:{intern_version}+standaard:{standard_version}"
    assert all(line["message"] == "Vraag via mattermost beantwoord" and "question" not in line for line in lines)


def test_a_refused_question_is_logged_with_its_collections_and_code(base, embedder, fake_slack, question_log):
    server = LiveServer(make_app(base, embedder, fake_slack, mapping="C_WEG=bestaat-niet,*=standaard"))
    try:
        assert mattermost(server, ROTTERDAM, "C_WEG")[0] == 200
        metrics = request(server.url + "/metrics")[2].decode()
    finally:
        server.stop()
    [line] = [line for line in question_log() if line.get("channel") == "mattermost"]
    assert line["collections"] == [] and line["reason"] == "no_collections" and line["level"] == "INFO"
    assert metric(metrics, "vraagbaak_question_failures_total", channel="mattermost", code="no_collections") >= 1


def test_a_removed_collection_drops_its_gauges(base, embedder, fake_slack):
    from web.library import library

    app = make_app(base, embedder, fake_slack)
    client = app.test_client()
    form = {"token": MM_TOKEN, "channel_id": "C_INTERN", "channel_name": "intern-team", "text": ROTTERDAM}
    assert client.post("/mattermost/command", data=form).status_code == 200
    version = (base / "collections" / "intern" / "index" / "current").resolve().name
    assert metric(client.get("/metrics").get_data(as_text=True), "vraagbaak_index_info", collection="intern",
                  version=version) == 1
    library(app).forget("intern")  # what removing the collection does to the app (the folder stays: other tests)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert metric(metrics, "vraagbaak_index_info", collection="intern", version=version) == 0
    assert metric(metrics, "vraagbaak_index_chunks", collection="intern") == 0


# ---------- feedback ----------


def test_feedback_records_the_collections_of_its_answer(base, embedder, fake_slack):
    app = make_app(base, embedder, fake_slack, VRAAGBAAK_ADMIN_TOKEN="beheer",
                   VRAAGBAAK_FEEDBACK_DB=str(base / "feedback-collecties.sqlite"))
    client = app.test_client()
    intern_version = (base / "collections" / "intern" / "index" / "current").resolve().name
    standard_version = (base / "index" / "current").resolve().name
    good = {"question": ROTTERDAM, "answer": "Rotterdam heeft een rekentool gelanceerd [1]", "rating": "up",
            "passages": [f"{INTERN_DOC}#3"]}
    admin = {"Authorization": "Bearer beheer"}  # reads every collection (a public reader may not name "intern")
    for collections in (["intern"], ["intern", "standaard", "intern"], None, ["geheim-archief"]):
        body = good if collections is None else {**good, "collections": collections}
        assert client.post("/api/v1/feedback", json=body, headers=admin).status_code == 201

    for bad in (["Intern"], ["../intern"], "intern", [""], ["x" * 41], [3]):
        response = client.post("/api/v1/feedback", json={**good, "collections": bad})
        assert response.status_code == 400, bad
        assert response.json["error"]["code"] == "invalid_collections" and response.json["error"]["message"]

    rows = client.get("/api/v1/feedback", headers={"Authorization": "Bearer beheer"}).json
    assert [(row["collections"], row["index_version"]) for row in rows] == [
        (["intern"], intern_version),
        (["intern", "standaard"], f"intern:{intern_version}+standaard:{standard_version}"),
        ([], standard_version),  # a client that names none: as before collections
        (["geheim-archief"], None),  # a collection that does not (or no longer) exist has no version
    ]
    table = client.get("/api/v1/feedback?format=csv", headers={"Authorization": "Bearer beheer"})
    assert [row["collections"] for row in csv.DictReader(io.StringIO(table.get_data(as_text=True)))] == [
        "intern", "intern | standaard", "", "geheim-archief"]


# In a child process with PROMETHEUS_MULTIPROC_DIR set (prometheus_client picks its mode at import):
# two questions, the metrics, then `intern` removed from the app, the metrics again.
_MULTIPROCESS_CHILD = """
import json, sys
from web.app import create_app
from web.library import library
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
for channel in ("C_INTERN", "kx8r3town"):
    form = {"token": "%s", "channel_id": channel, "channel_name": "kanaal", "text": "%s"}
    assert client.post("/mattermost/command", data=form).status_code == 200
before = client.get("/metrics").get_data(as_text=True)
library(app).forget("intern")
print(json.dumps([before, client.get("/metrics").get_data(as_text=True)]))
""" % (MM_TOKEN, ROTTERDAM)


@pytest.mark.slow  # a second process loads the model
def test_collection_metrics_in_multiprocess_mode(base, tmp_path):
    import os
    import subprocess
    import sys

    folder = tmp_path / "prom"
    folder.mkdir()
    config = {"VRAAGBAAK_DATA_DIR": str(base), "VRAAGBAAK_INDEX_DIR": str(base / "index"),
              "VRAAGBAAK_CHANNEL_COLLECTIONS": MAPPING, "VRAAGBAAK_MATTERMOST_TOKEN": MM_TOKEN,
              "VRAAGBAAK_RATE_LIMIT": "off", "VRAAGBAAK_FEEDBACK_DB": str(tmp_path / "feedback.sqlite")}
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder),
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("VRAAGBAAK_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", _MULTIPROCESS_CHILD, json.dumps(config)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert any(path.name.startswith("gauge_livemostrecent") for path in folder.iterdir())  # really multiprocess

    intern_version = (base / "collections" / "intern" / "index" / "current").resolve().name
    standard_version = (base / "index" / "current").resolve().name
    assert metric(before, "vraagbaak_collection_questions_total", collection="intern") == 1
    assert metric(before, "vraagbaak_collection_questions_total", collection="standaard") == 1
    assert metric(before, "vraagbaak_index_info", collection="intern", version=intern_version) == 1
    assert metric(before, "vraagbaak_index_info", collection="standaard", version=standard_version) == 1
    assert metric(before, "vraagbaak_index_documents", collection="standaard") == len(PUBLIC_DOCS)
    assert metric(before, "vraagbaak_index_chunks", collection="intern") > 0
    # Removed: the most recent value of the live process is 0, and standaard is untouched.
    assert metric(after, "vraagbaak_index_info", collection="intern", version=intern_version) == 0
    assert metric(after, "vraagbaak_index_chunks", collection="intern") == 0
    assert metric(after, "vraagbaak_index_info", collection="standaard", version=standard_version) == 1

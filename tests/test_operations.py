"""Readiness, metrics, logs, settings and index switching, in process (Flask test client)."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.store import MANIFEST, VECTORS, current_version, switch_current
from web.app import create_app
from web.cli import main
from index.settings import ConfigError, load_settings
from web.logs import JsonFormatter

QUESTION = "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"


def copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    return target


def add_version(root: Path, name: str, *, corrupt: str | None = None, model: str | None = None) -> Path:
    """A copy of the current version under a newer name, optionally broken."""
    folder = root / "versions" / name
    shutil.copytree(current_version(root), folder)
    if corrupt == "vectors":
        (folder / VECTORS).write_bytes(b"dit is geen faiss-bestand")
    if model:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        manifest["model"] = model
        (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    return folder


@pytest.fixture
def index_copy(seeds_index_dir, tmp_path) -> Path:
    return copy_index(seeds_index_dir, tmp_path / "index")


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vraagbaak.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_readyz_metrics_request_id_and_json_logs(index_copy, json_log, monkeypatch):
    monkeypatch.delenv("VRAAGBAAK_LOG_QUESTIONS", raising=False)
    # The token is a real one (a wrong token is 401): what is checked is that it never reaches the log.
    client = create_app({"VRAAGBAAK_INDEX_DIR": str(index_copy), "VRAAGBAAK_API_TOKEN": "zeer-geheim"}).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "ready"
    assert set(ready.json["index"]) == {"version", "documents", "chunks", "model"}
    assert ready.json["index"]["documents"] == 5 and ready.json["index"]["chunks"] > 100

    asked = client.post("/api/v1/ask", json={"question": QUESTION},
                        headers={"X-Request-ID": "proxy-42", "Authorization": "Bearer zeer-geheim"})
    assert asked.status_code == 200 and asked.headers["X-Request-ID"] == "proxy-42"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert odd.headers["X-Request-ID"] != "<script>alert(1)</script>" and len(odd.headers["X-Request-ID"]) == 32
    client.get("/documents/004_4a6563aa008f8ac9.txt")
    for made_up in ("FOOBAR", "XQZW1", "PROPFIND"):  # any word is a method to a client
        refused = client.open("/healthz", method=made_up)
        assert refused.status_code == 405 and "GET" in refused.headers["Allow"]

    lines = json_log()
    ask_line = next(line for line in lines if line.get("path") == "/api/v1/ask")
    assert ask_line["request_id"] == "proxy-42" and ask_line["status"] == 200
    assert {"time", "level", "logger", "message", "method", "duration_ms"} <= set(ask_line)
    # The request's line says what the question searched and which index version answered it.
    assert ask_line["index_version"] == ready.json["index"]["version"]
    assert ask_line["abstained"] == asked.json["abstained"] and ask_line["collections"] == ["standaard"]
    assert "question" not in ask_line  # questions may be personal: off unless configured
    assert "zeer-geheim" not in json.dumps(lines)

    scraped = client.get("/metrics")
    assert scraped.headers["Content-Type"].count("charset") == 1
    metrics = scraped.get_data(as_text=True)
    assert 'vraagbaak_http_requests_total{endpoint="/api/v1/ask",method="POST",status="200"}' in metrics
    assert 'endpoint="/documents/<path:doc_id>"' in metrics  # the url rule, not the raw path
    assert "004_4a6563aa008f8ac9" not in metrics
    # Made-up methods are counted as one label: a series per word would grow without bound.
    assert 'endpoint="<onbekend>",method="ANDERS",status="405"} 3.0' in metrics
    assert "FOOBAR" not in metrics and "XQZW1" not in metrics
    for name in ("vraagbaak_embedding_seconds_count", "vraagbaak_retrieval_seconds_count",
                 "vraagbaak_answer_seconds_count", "vraagbaak_abstentions_total", "vraagbaak_index_chunks",
                 "vraagbaak_index_documents", "vraagbaak_index_info{"):
        assert name in metrics

    monkeypatch.setenv("VRAAGBAAK_LOG_QUESTIONS", "ja")  # read when an app is made, like every setting
    logging_questions = create_app({"VRAAGBAAK_INDEX_DIR": str(index_copy)}).test_client()
    logging_questions.post("/api/v1/ask", json={"question": QUESTION})
    assert any(line.get("question") == QUESTION for line in json_log())


def test_readyz_names_the_problem_without_a_traceback(index_copy, tmp_path):
    cases = {"index_missing": tmp_path / "leeg"}
    corrupt = copy_index(index_copy, tmp_path / "corrupt")
    switch_current(corrupt, add_version(corrupt, "29990101T000000000000Z", corrupt="vectors"))
    cases["index_corrupt"] = corrupt
    other = copy_index(index_copy, tmp_path / "other")
    switch_current(other, add_version(other, "29990101T000000000000Z", model="een-ander-model"))
    cases["model_mismatch"] = other
    for code, root in cases.items():
        client = create_app({"VRAAGBAAK_INDEX_DIR": str(root), "VRAAGBAAK_PRELOAD": True}).test_client()
        response = client.get("/readyz")
        assert response.status_code == 503, code
        assert response.json["status"] == "unavailable"
        assert response.json["error"]["code"] == code
        assert "Traceback" not in response.get_data(as_text=True)
        if code == "index_missing":  # said once, not "Er is nog geen index: Er is nog geen index in ..."
            assert response.json["error"]["message"].count("nog geen index") == 1
        assert client.get("/healthz").status_code == 200
        assert client.post("/api/v1/ask", json={"question": QUESTION}).status_code == 503
    assert "een-ander-model" in response.json["error"]["message"]


def test_a_corrupt_new_version_is_refused_and_the_old_one_keeps_serving(index_copy):
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(index_copy), "VRAAGBAAK_ADMIN_TOKEN": "beheer"})
    client = app.test_client()
    good = current_version(index_copy)
    assert client.post("/api/v1/ask", json={"question": QUESTION}).json["index"]["version"] == good.name

    switch_current(index_copy, add_version(index_copy, "29990101T000000000000Z", corrupt="vectors"))
    for _ in range(3):
        response = client.post("/api/v1/ask", json={"question": QUESTION})
        assert response.status_code == 200 and response.json["index"]["version"] == good.name
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    assert ready.json["problem"]["code"] == "index_corrupt"
    assert ready.json["problem"]["version"] == "29990101T000000000000Z"
    scraped = client.get("/metrics")
    assert scraped.headers["Content-Type"].count("charset") == 1
    metrics = scraped.get_data(as_text=True)
    failures = next(line for line in metrics.splitlines() if line.startswith("vraagbaak_index_switch_failures_total"))
    assert float(failures.split()[-1]) >= 1  # counters are per process; other tests may add to it

    assert client.post("/admin/reload").status_code == 401
    assert client.post("/admin/reload", headers={"Authorization": "Bearer fout"}).status_code == 401
    reloaded = client.post("/admin/reload", headers={"Authorization": "Bearer beheer"})
    assert reloaded.status_code == 200 and reloaded.json["status"] == "degraded"
    assert reloaded.json["version"] == good.name and reloaded.json["switched"] is False

    switch_current(index_copy, good)  # the operator's rollback
    reloaded = client.post("/admin/reload", headers={"Authorization": "Bearer beheer"})
    assert reloaded.json["status"] == "ready" and "problem" not in reloaded.json
    assert client.get("/readyz").json["status"] == "ready"


def test_admin_reload_does_not_exist_without_a_token(index_copy, monkeypatch):
    monkeypatch.delenv("VRAAGBAAK_ADMIN_TOKEN", raising=False)
    client = create_app({"VRAAGBAAK_INDEX_DIR": str(index_copy)}).test_client()
    assert client.post("/admin/reload", headers={"Authorization": "Bearer x"}).status_code == 404


def test_rollback_points_current_at_the_previous_version(index_copy):
    good = current_version(index_copy)
    switch_current(index_copy, add_version(index_copy, "29990101T000000000000Z"))
    result = CliRunner().invoke(main, ["index", "--rollback", "--index-dir", str(index_copy)])
    assert result.exit_code == 0, result.output
    assert current_version(index_copy) == good and "teruggezet" in result.output
    result = CliRunner().invoke(main, ["index", "--rollback", "--index-dir", str(index_copy)])
    assert result.exit_code == 1 and "geen oudere" in result.output


def test_settings_from_file_and_environment_are_validated_in_dutch(tmp_path):
    config = tmp_path / "vraagbaak.toml"
    config.write_text('workers = 3\nthreads = "veel"\nretrieval = "dense"\nabstain_treshold = 0.8\n'
                      'port = 70000\nlog_questions = true\n', "utf-8")
    env = {"VRAAGBAAK_CONFIG": str(config), "VRAAGBAAK_WORKERS": "2"}
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    problems = "\n".join(caught.value.problems)
    assert "Onbekende instelling 'abstain_treshold'" in problems and "abstain_threshold" in problems
    assert "'threads'" in problems and "geheel getal" in problems
    assert "'port'" in problems and "65535" in problems

    config.write_text('workers = 3\nretrieval = "dense"\nlog_questions = true\n', "utf-8")
    settings = load_settings(env)
    assert settings.workers == 2 and settings._sources["workers"] == "omgeving"  # env wins
    assert settings.retrieval == "dense" and settings.log_questions is True

    with pytest.raises(ConfigError, match="VRAAGBAAK_ABSTAIN_THRESHOLD"):
        load_settings({"VRAAGBAAK_ABSTAIN_THRESHOLD": "hoog"})
    with pytest.raises(ConfigError, match="bestaat niet"):
        load_settings({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "nergens" / "index")})
    with pytest.raises(ConfigError, match="modelmap|bestaat niet"):
        load_settings({"VRAAGBAAK_MODEL": str(tmp_path / "geen-model")})


def test_serve_check_validates_without_serving(index_copy, tmp_path, embedder, monkeypatch):
    monkeypatch.delenv("VRAAGBAAK_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["serve", "--check", "--index-dir", str(index_copy)])
    assert result.exit_code == 0, result.output
    assert "Model: in orde" in result.output and "Index: in orde" in result.output

    result = CliRunner().invoke(main, ["serve", "--check", "--index-dir", str(tmp_path / "leeg")])
    assert result.exit_code == 1 and "Index: FOUT" in result.output and "Traceback" not in result.output

    monkeypatch.setenv("VRAAGBAAK_WORKERS", "nul")
    result = CliRunner().invoke(main, ["serve", "--check", "--index-dir", str(index_copy)])
    assert result.exit_code == 1 and "VRAAGBAAK_WORKERS" in result.output


def test_a_version_that_was_never_served_is_never_kept_nor_rolled_back_to(index_copy, tmp_path, embedder):
    from index.build import build_index
    from index.store import VERSIONS

    served = current_version(index_copy)
    # A build killed after writing its manifest but before switching: complete, newer, never served.
    leftover = add_version(index_copy, served.name[:-1] + "Z9")
    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", corpus)
    (corpus / "nieuw.txt").write_text("De gemeente Zwaluwmeer opent in mei een nieuwe bibliotheek.\n", "utf-8")

    report = build_index(corpus, index_copy, embedder)

    assert report.changed and current_version(index_copy).name == report.version
    left = {p.name for p in (index_copy / VERSIONS).iterdir()}
    assert left == {served.name, report.version}  # the served one before is kept, the leftover is gone
    result = CliRunner().invoke(main, ["index", "--rollback", "--index-dir", str(index_copy)])
    assert result.exit_code == 0, result.output
    assert current_version(index_copy) == served and leftover.name not in result.output

"""The HTTP API, served for real on loopback over the real seeds index."""

import json
from pathlib import Path

from tests.client import post_json, request
from web.app import create_app
from tests.conftest import LiveServer

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_ask_returns_cited_passages_that_point_into_the_file(live_server):
    status, body = post_json(f"{live_server.url}/api/v1/ask",
                             {"question": "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"})
    assert status == 200
    assert body["language"]["code"] == "nl"
    assert not body["abstained"]
    top = body["passages"][0]
    source = top["source"]
    assert source["document"] == "004_4a6563aa008f8ac9.txt"
    assert "Rotterdam" in top["text"]
    assert "Rotterdam" in source["heading"]
    # The line range and span point at the passage's own words in the file.
    lines = (SEEDS / source["document"]).read_text("utf-8").split("\n")
    cited = " ".join(lines[source["lines"][0] - 1: source["lines"][1]])
    assert top["text"].split()[0] in cited and top["text"].split()[-1] in cited
    text = (SEEDS / source["document"]).read_text("utf-8")
    start, end = source["span"]
    assert " ".join(text[start:end].split())[:40] == top["text"][:40]
    # The answer quotes a passage word for word and cites it.
    assert body["answer"]["citations"]
    highlight = body["answer"]["highlights"][0]
    quoted = body["passages"][highlight["passage"] - 1]["text"][highlight["start"]:highlight["end"]]
    assert quoted in body["answer"]["text"]
    assert f"[{highlight['passage']}]" in body["answer"]["text"]
    assert set(body["timings_ms"]) >= {"embed_ms", "search_ms", "total_ms"}


def test_top_k_controls_the_number_of_passages(live_server):
    status, body = post_json(f"{live_server.url}/api/v1/ask", {"question": "Wat doet Valente?", "top_k": 2})
    assert status == 200 and len(body["passages"]) == 2
    assert [p["rank"] for p in body["passages"]] == [1, 2]


def test_out_of_corpus_question_abstains_in_dutch(live_server):
    status, body = post_json(f"{live_server.url}/api/v1/ask",
                             {"question": "Hoe lang moet een appeltaart met kaneel in de oven?"})
    assert status == 200
    assert body["abstained"] is True
    assert body["answer"]["text"] == "Ik heb hierover niets gevonden in de documenten."
    assert body["answer"]["citations"] == []


def test_foreign_question_is_answered_with_a_dutch_notice(live_server):
    status, body = post_json(f"{live_server.url}/api/v1/ask",
                             {"question": "Which city launched a calculator showing that work pays for people on welfare?"})
    assert status == 200
    assert body["language"]["code"] == "en" and body["language"]["notice"]
    assert body["language"]["notice"] in body["answer"]["text"]


def _error(status_and_body, status, code=None):
    got_status, body = status_and_body
    assert got_status == status, body
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_bad_requests_get_json_errors_with_the_right_status(live_server):
    url = f"{live_server.url}/api/v1/ask"
    _error(post_json(url, {"question": ""}), 400, "empty_question")
    _error(post_json(url, {"question": "   "}), 400, "empty_question")
    _error(post_json(url, {"question": "w" * 5000}), 400, "question_too_long")
    _error(post_json(url, {}), 400, "missing_question")
    _error(post_json(url, ["een", "lijst"]), 400, "invalid_json")
    _error(post_json(url, {"question": "Wat?", "top_k": 0}), 400, "invalid_top_k")
    _error(post_json(url, {"question": "Wat?", "top_k": "5"}), 400, "invalid_top_k")
    _error(post_json(url, {"question": "Wat?", "history": "geen lijst"}), 400, "invalid_history")

    status, _, data = request(url, method="POST", body=b"{not json", headers={"Content-Type": "application/json"})
    _error((status, json.loads(data)), 400, "invalid_json")
    unreadable = json.loads(data)["error"]["message"]
    # "null" is JSON, only not an object: said so, not that the JSON is broken.
    status, _, data = request(url, method="POST", body=b"null", headers={"Content-Type": "application/json"})
    _error((status, json.loads(data)), 400, "invalid_json")
    assert json.loads(data)["error"]["message"] == post_json(url, ["een", "lijst"])[1]["error"]["message"] != unreadable
    # A range outside a file: the same JSON error shape, in Dutch.
    status, _, data = request(f"{live_server.url}/static/style.css", headers={"Range": "bytes=999999-"})
    _error((status, json.loads(data)), 416, "range_not_satisfiable")
    status, _, data = request(url, method="POST", body=b"question=hallo",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    _error((status, json.loads(data)), 415)
    huge = json.dumps({"question": "a" * 100_000}).encode()
    status, _, data = request(url, method="POST", body=huge, headers={"Content-Type": "application/json"})
    _error((status, json.loads(data)), 413)
    status, _, data = request(url)  # GET on a POST endpoint
    _error((status, json.loads(data)), 405)


def test_health_and_openapi(live_server):
    status, _, data = request(f"{live_server.url}/healthz")
    assert status == 200 and json.loads(data) == {"status": "ok"}
    status, _, data = request(f"{live_server.url}/api/v1/openapi.json")
    spec = json.loads(data)
    assert status == 200 and spec["openapi"].startswith("3.")
    assert "/api/v1/ask" in spec["paths"]
    responses = spec["paths"]["/api/v1/ask"]["post"]["responses"]
    assert {"200", "400", "413", "415", "503"} <= set(responses)


def test_no_index_yet_gives_503_and_a_later_build_is_picked_up(tmp_path, embedder, small_corpus):
    from index.build import build_index

    root = tmp_path / "idx"
    server = LiveServer(create_app({"VRAAGBAAK_INDEX_DIR": str(root)}))
    try:
        _error(post_json(f"{server.url}/api/v1/ask", {"question": "Wat vraagt Valente?"}), 503, "index_unavailable")
        build_index(small_corpus, root, embedder)
        status, body = post_json(f"{server.url}/api/v1/ask", {"question": "Wat vraagt Valente?"})
        assert status == 200 and body["passages"]
    finally:
        server.stop()

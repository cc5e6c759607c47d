"""The API's one definition: the pydantic models in web.schemas check the requests, describe the answers and
make /api/v1/openapi.json. Real app, real seeds index; the refusals must be the codes and Dutch messages
clients already know, never pydantic's 422 or a 500."""

from __future__ import annotations

import logging
import re

import pytest

from web.app import create_app
from web.schemas import AskResponse

FEEDBACK = {"question": "Wat doet Valente?", "answer": "Een antwoord [1]", "rating": "up", "passages": ["a.txt#3"]}
ADMIN = {"Authorization": "Bearer beheer"}


@pytest.fixture(scope="module")
def client(seeds_index_dir, embedder, tmp_path_factory):
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(seeds_index_dir), "VRAAGBAAK_RATE_LIMIT": "off",
                      "VRAAGBAAK_ADMIN_TOKEN": "beheer",
                      "VRAAGBAAK_FEEDBACK_DB": str(tmp_path_factory.mktemp("feedback") / "feedback.sqlite")})
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    return app.test_client()


def _refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return body["error"]["message"]


@pytest.mark.parametrize("request_body", [
    {"question": "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"},
    {"question": "En wie is daar wethouder?", "history": ["Welke gemeente heeft een rekentool gelanceerd?"]},
    {"question": "Hoe lang moet een appeltaart met kaneel in de oven?"},  # abstains
    {"question": "Which city launched a calculator for people on welfare?", "top_k": 20},  # with a notice
])
def test_real_answers_are_exactly_what_the_response_model_describes(client, request_body):
    response = client.post("/api/v1/ask", json=request_body)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    answer = AskResponse.model_validate(body)
    # Nothing the model leaves out, nothing it adds: the served answer and the document cannot drift apart.
    assert answer.model_dump(mode="json", exclude_unset=True) == body
    assert answer.passages and all(p.source.url.startswith("/documents/") for p in answer.passages)


def test_a_drifted_answer_is_a_logged_500_not_a_wrong_document(client, monkeypatch, caplog):
    from qa.service import Answer

    as_dict = Answer.as_dict

    def without_abstained(self):
        result = as_dict(self)
        del result["abstained"]
        return result

    monkeypatch.setattr(Answer, "as_dict", without_abstained)
    with caplog.at_level(logging.ERROR, logger="web.errors"):
        response = client.post("/api/v1/ask", json={"question": "Wat doet Valente?"})
    assert _refused(response, 500, "internal_error").startswith("Er ging iets mis")
    assert "abstained" in caplog.text and "does not match its model" in caplog.text


def test_the_document_lists_every_operation_and_each_is_a_real_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0" and document["info"]["title"] == "Vraagbaak API"
    operations = {(path, method): op for path, ops in document["paths"].items() for method, op in ops.items()}
    assert set(operations) == {("/api/v1/ask", "post"), ("/api/v1/feedback", "post"), ("/api/v1/feedback", "get"),
                               ("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get"),
                               ("/admin/reload", "post"), ("/api/v1/tokens", "post"), ("/api/v1/tokens", "get"),
                               ("/api/v1/tokens/{name}", "delete"),
                               ("/api/v1/collections", "post"), ("/api/v1/collections", "get"),
                               ("/api/v1/collections/{name}", "delete"),
                               ("/api/v1/collections/{name}/documents", "post"),
                               ("/api/v1/collections/{name}/documents", "get"),
                               ("/api/v1/collections/{name}/documents/{document}", "delete"),
                               ("/api/v1/collections/{name}/jobs", "get"),
                               ("/api/v1/jobs/{job_id}", "get"), ("/api/v1/jobs/{job_id}/cancel", "post")}
    # Flask's "<name>" (or "<path:name>") is OpenAPI's "{name}".
    routes = {(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
              for rule in client.application.url_map.iter_rules() for method in rule.methods}
    assert set(operations) <= routes
    assert set(document["components"]["securitySchemes"]) == {"adminToken", "apiToken"}
    for (path, method), op in operations.items():
        assert op["summary"] and op["operationId"], (path, method)
        assert "422" not in op["responses"], (path, method)  # refusals are 400, as documented
        if path.startswith("/api/v1/") and method == "post":
            assert {"401", "413"} <= set(op["responses"]), (path, method)
            if "requestBody" in op:  # a body can be refused (400) or be no JSON or form at all (415)
                assert {"400", "415"} <= set(op["responses"]), (path, method)
        if op["operationId"] in ("ask", "addFeedback"):  # the rate-limited ones (web.security.LIMITED_ENDPOINTS)
            assert "Retry-After" in op["responses"]["429"]["headers"]
        if path.startswith(("/api/v1/collections", "/api/v1/jobs")):  # administration only
            assert op["security"] == [{"adminToken": []}] and "401" in op["responses"], (path, method)
    assert operations[("/api/v1/feedback", "get")]["security"] == [{"adminToken": []}]
    assert set(operations[("/api/v1/feedback", "get")]["responses"]["200"]["content"]) == {"application/json",
                                                                                             "text/csv"}
    refs = []

    def collect(node):
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs and all(ref.rsplit("/", 1)[-1] in document["components"]["schemas"] for ref in refs)


def test_the_documented_examples_are_accepted(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    [ask] = schemas["AskRequest"]["examples"]
    assert client.post("/api/v1/ask", json=ask).status_code == 200
    [feedback] = schemas["FeedbackRequest"]["examples"]
    assert client.post("/api/v1/feedback", json=feedback).status_code == 201


def test_top_k_is_a_whole_number(client):
    response = client.post("/api/v1/ask", json={"question": "Wat doet Valente?", "top_k": 3.0})
    assert response.status_code == 200 and len(response.get_json()["passages"]) == 3
    message = "top_k moet een geheel getal van 1 tot en met 20 zijn."
    for top_k in (True, 2.5, "3", None, 21, 0):
        assert _refused(client.post("/api/v1/ask", json={"question": "Wat?", "top_k": top_k}), 400,
                        "invalid_top_k") == message
    # A missing question is reported before a bad top_k; the question text is qa's to judge, after top_k.
    assert _refused(client.post("/api/v1/ask", json={"top_k": 0}), 400, "missing_question")
    assert _refused(client.post("/api/v1/ask", json={"question": 5, "top_k": 0}), 400, "invalid_top_k")
    assert _refused(client.post("/api/v1/ask", json={"question": 5}), 400,
                    "invalid_question") == "De vraag moet tekst zijn."
    # Only the last ten earlier questions count, so only they are checked (qa.question.clean_history).
    history = [5] + ["Wat doet Valente?"] * 10
    assert client.post("/api/v1/ask", json={"question": "En verder?", "history": history}).status_code == 200
    assert _refused(client.post("/api/v1/ask", json={"question": "En verder?", "history": history[:10]}), 400,
                    "invalid_history")


def test_feedback_reports_the_first_wrong_field_with_its_message(client):
    def refused(body, code):
        return _refused(client.post("/api/v1/feedback", json=body), 400, code)

    assert refused({**FEEDBACK, "rating": "meh", "question": ""}, "invalid_rating") == \
        "Het veld 'rating' moet \"up\" of \"down\" zijn."
    assert refused({**FEEDBACK, "question": "   ", "answer": 5}, "invalid_question") == \
        "Het veld 'question' moet een niet-lege tekst zijn."
    assert refused({**FEEDBACK, "question": "x" * 1001}, "invalid_question") == \
        "Het veld 'question' is te lang (hoogstens 1000 tekens)."
    assert refused({**FEEDBACK, "comment": "x" * 2001, "question": ""}, "invalid_comment") == \
        "Het veld 'comment' is te lang (hoogstens 2000 tekens)."
    form = "Elke passage in 'passages' heeft de vorm \"document#alineanummer\"."
    listing = "Het veld 'passages' moet een lijst van hoogstens 20 teksten zijn."
    assert refused({**FEEDBACK, "passages": ["a.txt", "b.txt#0"]}, "invalid_passages") == form
    assert refused({**FEEDBACK, "passages": ["a.txt", 3]}, "invalid_passages") == listing  # the list is wrong first
    assert refused({**FEEDBACK, "passages": ["a.txt#1"] * 21}, "invalid_passages") == listing
    assert refused({**FEEDBACK, "history": [""]}, "invalid_history") == \
        "Het veld 'history' moet een lijst van hoogstens 50 teksten zijn."
    assert client.post("/api/v1/feedback", json={**FEEDBACK, "comment": " ", "passages": None,
                                                 "history": None, "onbekend": 1}).status_code == 201
    assert _refused(client.post("/api/v1/feedback", data="[1]", content_type="application/json"), 400,
                    "invalid_json") == "Verwacht een JSON-object met question, answer en rating."


def test_feedback_export_checks_the_token_before_the_query(client):
    assert _refused(client.get("/api/v1/feedback?format=xml"), 401, "unauthorized")
    assert _refused(client.get("/api/v1/feedback?zz=1&fromat=csv&format=xml", headers=ADMIN), 400,
                    "unknown_parameter") == "Onbekende parameter: fromat. Alleen 'format' bestaat."
    assert _refused(client.get("/api/v1/feedback?format=xml", headers=ADMIN), 400,
                    "invalid_format") == "Het formaat moet json of csv zijn."
    response = client.get("/api/v1/feedback?format=csv", headers=ADMIN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_feedback_text_is_empty_exactly_when_python_strips_it_to_nothing():
    # The model's pattern (also in the document) replaced `not value.strip()`; they must agree on every character.
    from pydantic import ValidationError

    from web.schemas import FeedbackRequest

    disagree = []
    for cp in range(0x3001):  # Python's whitespace ends at U+3000
        text = f"{chr(cp)} \u3000"
        try:
            FeedbackRequest.model_validate({**FEEDBACK, "answer": text})
            accepted = True
        except ValidationError:
            accepted = False
        if accepted != bool(text.strip()):
            disagree.append(hex(cp))
    assert not disagree

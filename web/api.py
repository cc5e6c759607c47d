"""The JSON API: POST /api/v1/ask and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from qa.service import MAX_TOP_K

from .answering import questions
from .errors import ApiError
from .openapi import openapi_document
from .pages import document_url, file_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
CLIENT_HEADER = "X-Vraagbaak-Client"


def _json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "Stuur de vraag als JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "invalid_json", "De inhoud van het verzoek is geen geldige JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Verwacht een JSON-object, bijvoorbeeld {\"question\": \"...\"}.")
    return body


def _top_k(body: dict) -> int:
    value = body.get("top_k", 5)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON (and the OpenAPI "integer") does not tell 5 from 5.0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TOP_K:
        raise ApiError(400, "invalid_top_k", f"top_k moet een geheel getal van 1 tot en met {MAX_TOP_K} zijn.")
    return value


@bp.post("/ask")
def ask():
    body = _json_body()
    if "question" not in body:
        raise ApiError(400, "missing_question", "Het veld 'question' ontbreekt.")
    top_k = _top_k(body)
    # The chat page says it is the chat page, so the metrics can tell its questions from other clients'.
    channel = "chat" if request.headers.get(CLIENT_HEADER) == "chat" else "api"
    answer = questions().ask(body["question"], history=body.get("history"), top_k=top_k, channel=channel)
    result = answer.as_dict()
    for passage in result["passages"]:
        source = passage["source"]
        source["url"] = document_url(source["document"], source["paragraph"])
        if source.get("page") is not None:
            source["page_url"] = file_url(source["document"], source["page"])
    return jsonify(result)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())

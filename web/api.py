"""The JSON API: POST /api/v1/ask and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import openapi
from .answering import questions
from .pages import document_url, file_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
CLIENT_HEADER = "X-Vraagbaak-Client"


@bp.post("/ask")
@openapi.ask
def ask():
    """Stel een vraag"""
    asked = request.context.json  # a web.schemas.AskRequest
    # The chat page says it is the chat page, so the metrics can tell its questions from other clients'.
    channel = "chat" if request.headers.get(CLIENT_HEADER) == "chat" else "api"
    answer = questions().ask(asked.question, history=asked.history, top_k=asked.top_k, channel=channel)
    result = answer.as_dict()
    for passage in result["passages"]:
        source = passage["source"]
        source["url"] = document_url(source["document"], source["paragraph"])
        if source.get("page") is not None:
            source["page_url"] = file_url(source["document"], source["page"])
    return jsonify(result)


@bp.get("/openapi.json", endpoint="openapi")
def openapi_json():
    return jsonify(openapi.openapi_document())

"""The JSON API: POST /api/v1/ask and its OpenAPI document.

A question searches the collections the caller names in "collections", each of which it must be allowed to
read, or else every collection it may read (web.access).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import access, openapi
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
    collections = access.question_collections(asked.collections)
    answer = questions().ask(asked.question, history=asked.history, top_k=asked.top_k, channel=channel,
                             collections=collections)
    result = answer.as_dict()
    for passage in result["passages"]:
        source = passage["source"]
        source["url"] = document_url(source["document"], source["paragraph"], source["collection"])
        if source.get("page") is not None:
            source["page_url"] = file_url(source["document"], source["page"], source["collection"])
    return jsonify(result)


@bp.get("/openapi.json", endpoint="openapi")
def openapi_json():
    return jsonify(openapi.openapi_document())

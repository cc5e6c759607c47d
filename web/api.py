"""The JSON API: POST /api/v1/ask and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from index.errors import BackendUnavailable, VraagbaakError
from qa.errors import QuestionError

from . import openapi
from .errors import ApiError
from .pages import document_url, file_url
from .security import run_question

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/ask")
@openapi.ask
def ask():
    """Stel een vraag"""
    asked = request.context.json  # a web.schemas.AskRequest
    engine = current_app.extensions["vraagbaak"]
    try:
        answerer = engine.answerer()
    except BackendUnavailable as exc:
        raise ApiError(503, "backend_unavailable", str(exc)) from exc
    except VraagbaakError as exc:
        raise ApiError(503, "index_unavailable", str(exc)) from exc
    try:
        answer = run_question(lambda: answerer.ask(asked.question, history=asked.history, top_k=asked.top_k))
    except QuestionError as exc:
        raise ApiError(400, exc.code, exc.message) from exc
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

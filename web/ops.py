"""Operations endpoints: GET /readyz and POST /admin/reload (GET /healthz lives in app.py).

/readyz answers 200 {"status": "ready", "index": {...}} when the model and an
index are loaded and belong together, 503 with a Dutch error naming the
problem when not (no index, corrupt index, index of another model, model not
loadable). When a newer version turned out to be broken while an older one is
still being served, it answers 200 with status "degraded" and the problem:
the instance still answers correctly, so a load balancer should keep it, but
monitoring should raise the alarm. Both answers name the backend ("local" or
"milvus"); for Milvus also its address (no credentials) and whether it
answers. An unreachable Milvus makes the instance not ready, whatever it has
loaded: no question can be answered without it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from index.errors import VraagbaakError

from . import openapi
from .auth import require_admin

bp = Blueprint("ops", __name__)

_MESSAGES = {
    "index_missing": "Er is nog geen index",
    "index_corrupt": "De index is beschadigd",
    "model_mismatch": "De index hoort bij een ander model",
    "model_unavailable": "Het model kan niet worden geladen",
    "index_unavailable": "De index is niet bruikbaar",
    "backend_unavailable": "De zoekdienst van de index is niet bereikbaar",
}


def _engine():
    return current_app.extensions["vraagbaak"]


@bp.get("/readyz")
@openapi.readyz
def readyz():
    """Zijn model en index geladen en bruikbaar?

    200 als model en index geladen zijn en bij elkaar horen (status ready), of als een nieuwere versie
    onbruikbaar bleek en de vorige nog gebruikt wordt (status degraded, met problem). 503 met een
    foutmelding als er geen bruikbare index is.
    """
    engine = _engine()
    try:
        engine.answerer()  # also notices (and checks) a new version
    except VraagbaakError:
        pass
    state = engine.state()
    backend = {key: value for key, value in state.items() if key == "backend" or key == state.get("backend")}
    if state["ready"]:
        body = {"status": state["status"], "index": state["index"], **backend}
        if "problem" in state:
            body["problem"] = state["problem"]
        return jsonify(body)
    problem = state.get("problem") or {"code": "index_unavailable", "message": "De index is nog niet geladen."}
    label = _MESSAGES.get(problem["code"], "Niet gereed")
    # "Er is nog geen index in ...": the problem may say what the label says already.
    message = problem["message"] if problem["message"].startswith(label) else f"{label}: {problem['message']}"
    response = jsonify({
        "status": "unavailable",
        "error": {"code": problem["code"], "message": message},
        **backend,
    })
    response.status_code = 503
    response.headers["Retry-After"] = "10"
    return response


@bp.post("/admin/reload")
@openapi.reload_index
def reload_index():
    """Controleer nu op een nieuwe indexversie (beheer)

    Alleen beschikbaar als VRAAGBAAK_ADMIN_TOKEN is ingesteld; vraagt Authorization: Bearer <token>.
    Probeert ook een eerder onbruikbare versie opnieuw.
    """
    denied = require_admin("Voor herladen is een geldige beheerderstoken nodig.")
    if denied is not None:
        return denied
    engine = _engine()
    before = engine.state().get("index", {}).get("version")
    state = engine.reload()
    body = {"status": state["status"], "previous_version": before,
            "version": state.get("index", {}).get("version"), "index": state.get("index")}
    body["switched"] = body["version"] != before
    if "problem" in state:
        body["problem"] = state["problem"]
    response = jsonify(body)
    response.status_code = 200 if state["ready"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""The JSON API's operations, checked against and documented from the pydantic models (web.schemas, web.ops_schemas).

Library: spectree. It decorates the views of a plain Flask app and plain blueprints, so the app factory
and the blueprints stay as they are; it validates with pydantic v2; a `before` hook gets the
ValidationError, so a bad request is refused with this API's own error body (web.refusals); it has no
required dependencies and is maintained (3.0.0, 2026). flask-openapi3 needs its own app and blueprint
classes (OpenAPI, APIBlueprint) and reads a JSON string body as JSON once more; APIFlask replaces the
app class and the error handling, and brings marshmallow, webargs and apispec along.

Each view is decorated with its operation from here. A JSON body is checked before the view runs: first
that it is a JSON object at all (415, invalid_json), then the model; the refusal is an ApiError, never
spectree's 422. A JSON response with a model is checked after the view: one that does not match is
logged and answered with the usual 500, so the document cannot silently drift from what is served.
Operations that check their input in the view (the feedback export checks the admin token first) or
serve no JSON use skip_validation: spectree only documents them. What spectree cannot say -- response
headers and content that is not JSON -- is added in openapi_document(). Summaries come from the views'
docstrings, which are published and so Dutch.
"""

from __future__ import annotations

import copy

from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from .ops_schemas import Health, NotReady, Ready, Reload
from .refusals import json_object, refusal
from .auth import check_admin
from .schemas import (
    AskRequest, AskResponse, CollectionDeleted, CollectionInfo, CollectionList, CollectionRequest, DocumentList,
    ErrorBody, ExportQuery, FeedbackRequest, FeedbackRow, FeedbackSaved, JobAccepted, JobList, JobStatus, TokenCreated,
    TokenInfo, TokenRequest, UploadForm,
)

contract = SpecTree(
    "flask",
    mode="strict",  # only the operations decorated below, not the pages
    annotations=False,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=ErrorBody,
    title="Vraagbaak API",
    version="1",
    description="Vragen over Nederlandse documenten, beantwoord met letterlijke citaten en bronnen.",
    security_schemes=[
        SecurityScheme(name="adminToken", data=SecuritySchemeData(
            type="http", scheme="bearer", description="De waarde van VRAAGBAAK_ADMIN_TOKEN.")),
        SecurityScheme(name="apiToken", data=SecuritySchemeData(
            type="http", scheme="bearer",
            description="Een token voor POST /api/v1/ask en POST /api/v1/feedback: een uitgegeven API-token "
                        "(vraagbaak token create, POST /api/v1/tokens), die zijn collecties en de openbare mag "
                        "lezen tot hij is ingetrokken of verlopen; de waarde van VRAAGBAAK_API_TOKEN, die de openbare collecties leest; of de "
                        "beheerderstoken, die alles leest. Zonder token: de openbare collecties, tenzij "
                        "VRAAGBAAK_API_TOKEN gezet is (dan 401).")),
    ],
)


class ResponseMismatch(RuntimeError):
    """A view's JSON response does not match its documented model."""


def _refuse_bad_input(model):
    """spectree's `before` hook for a JSON body of `model`: refuse it with the API's own error."""

    def before(req, resp, error, instance, adapter):
        json_object(model.body_refusals)  # a body that is no JSON object at all comes first
        if error is not None:
            raise refusal(model, error) from None

    return before


def _admin_first(model=None):
    """spectree's `before` hook of an admin operation: the admin token first, then (with a body) its refusals."""

    def before(req, resp, error, instance, adapter):
        check_admin()
        if model is not None:
            _refuse_bad_input(model)(req, resp, error, instance, adapter)

    return before


def _must_match(req, resp, error, instance, adapter):
    """spectree's `after` hook: a response that does not match its model is a bug, logged as a 500."""
    if error is not None:
        raise ResponseMismatch(f"{req.method} {req.path}: response does not match its model: {error}") from error


# Without a token the API is open (the public collections), unless VRAAGBAAK_API_TOKEN is set: not declared as
# `security`, since a request without one is valid.
_API_TOKEN = (ErrorBody, "Een onbekende, ingetrokken of verlopen token (met een eigen melding voor verlopen), of "
                         "geen token terwijl VRAAGBAAK_API_TOKEN is ingesteld (met WWW-Authenticate)")
_TOO_MANY = (ErrorBody, "Te veel verzoeken van deze client (VRAAGBAAK_RATE_LIMIT)")
_TOO_LARGE = (ErrorBody, "Verzoek te groot")
_NOT_JSON = (ErrorBody, "Geen JSON")
_ADMIN = {"adminToken": []}

ask = contract.validate(
    json=AskRequest, operation_id="ask", before=_refuse_bad_input(AskRequest), after=_must_match,
    resp=Response(
        HTTP_200=(AskResponse, "Antwoord met passages"),
        HTTP_400=(ErrorBody, "Ongeldige vraag of ongeldig verzoek"),
        HTTP_401=_API_TOKEN,
        HTTP_403=(ErrorBody, "Een gevraagde collectie die de vrager niet mag lezen of die niet bestaat (de naam "
                             "wordt niet genoemd), of een token die geen bestaande collectie mag lezen"),
        HTTP_404=(ErrorBody, "Alleen voor de beheerder: een gevraagde collectie bestaat niet"),
        HTTP_413=_TOO_LARGE, HTTP_415=_NOT_JSON, HTTP_429=_TOO_MANY,
        HTTP_503=(ErrorBody, "Nog geen (bruikbare) index, of de dienst is te druk (met Retry-After)"),
        HTTP_504=(ErrorBody, "Het antwoord duurde langer dan VRAAGBAAK_QUESTION_TIMEOUT"),
    ),
)

add_feedback = contract.validate(
    json=FeedbackRequest, operation_id="addFeedback", before=_refuse_bad_input(FeedbackRequest), after=_must_match,
    resp=Response(
        HTTP_201=(FeedbackSaved, "Opgeslagen"),
        HTTP_400=(ErrorBody, "Ongeldige feedback"),
        HTTP_401=_API_TOKEN,
        HTTP_403=(ErrorBody, "Feedback op een collectie die de vrager niet mag lezen (de naam wordt niet genoemd)"),
        HTTP_503=(ErrorBody, "Het feedbackbestand is onleesbaar (store_unavailable); de beheerder moet het herstellen"),
        HTTP_413=_TOO_LARGE, HTTP_415=_NOT_JSON, HTTP_429=_TOO_MANY,
    ),
)

# The view checks the admin token before the query (web.refusals.validated), so spectree only documents it.
export_feedback = contract.validate(
    query=ExportQuery, operation_id="exportFeedback", security=_ADMIN, skip_validation=True,
    resp=Response(
        HTTP_200=(list[FeedbackRow], "Alle feedback, oudste eerst"),
        HTTP_400=(ErrorBody, "Onbekend formaat of onbekende parameter"),
        HTTP_401=(ErrorBody, "Geen of een verkeerde token"),
        HTTP_404=(ErrorBody, "Export niet ingeschakeld"),
    ),
)

_ADMIN_REFUSED = {
    "HTTP_401": (ErrorBody, "Geen of een verkeerde beheerderstoken (met WWW-Authenticate)"),
    "HTTP_404": (ErrorBody, "Niet ingeschakeld (geen VRAAGBAAK_ADMIN_TOKEN), of de token of collectie bestaat niet"),
}

create_token = contract.validate(
    json=TokenRequest, operation_id="createToken", security=_ADMIN, before=_admin_first(TokenRequest),
    after=_must_match,
    resp=Response(
        HTTP_201=(TokenCreated, "De nieuwe token; zijn waarde wordt nergens anders getoond"),
        HTTP_400=(ErrorBody, "Ongeldige naam, collectienaam of verloopduur (expires_in_days)"),
        HTTP_409=(ErrorBody, "Er bestaat al een token met deze naam"),
        HTTP_413=_TOO_LARGE, HTTP_415=_NOT_JSON, **_ADMIN_REFUSED,
    ),
)

list_tokens = contract.validate(
    operation_id="listTokens", security=_ADMIN, before=_admin_first(), after=_must_match,
    resp=Response(HTTP_200=(list[TokenInfo], "Alle tokens, ook ingetrokken en verlopen, oudste eerst; nooit hun "
                                             "waarde"),
                  **_ADMIN_REFUSED),
)

revoke_token = contract.validate(
    operation_id="revokeToken", security=_ADMIN, before=_admin_first(), after=_must_match,
    resp=Response(HTTP_200=(TokenInfo, "Ingetrokken (of al ingetrokken): geldt vanaf het volgende verzoek"),
                  **_ADMIN_REFUSED),
)

healthz = contract.validate(operation_id="healthz", skip_validation=True,
                            resp=Response(HTTP_200=(Health, "OK")))

readyz = contract.validate(
    operation_id="readyz", skip_validation=True,
    resp=Response(HTTP_200=(Ready, "Gereed"),
                  HTTP_503=(NotReady, "Niet gereed: geen index, beschadigde index of ander model")),
)

metrics = contract.validate(
    operation_id="metrics", skip_validation=True,
    resp=Response(HTTP_200=(None, "Metrieken in het tekstformaat van Prometheus")),
)

reload_index = contract.validate(
    operation_id="reloadIndex", security=_ADMIN, skip_validation=True,
    resp=Response(
        HTTP_200=(Reload, "De versie die nu geserveerd wordt"),
        HTTP_401=(ErrorBody, "Geen of een verkeerde token"),
        HTTP_404=(ErrorBody, "Herladen niet ingeschakeld"),
        HTTP_503=(Reload, "Geen bruikbare index"),
    ),
)

# ---------- collections, documents and jobs: admin only; the views check the token first ----------

_ADMIN_DENIED = (ErrorBody, "Geen of een verkeerde beheerderstoken (met WWW-Authenticate)")
_NOT_FOUND = (ErrorBody, "Beheer niet ingeschakeld (geen VRAAGBAAK_ADMIN_TOKEN), of de collectie bestaat niet")
_BUSY = (ErrorBody, "Er loopt nog een taak of indexbouw voor deze collectie")


_NO_JOB = (ErrorBody, "Beheer niet ingeschakeld (geen VRAAGBAAK_ADMIN_TOKEN), of de taak bestaat niet")


def _admin_operation(operation_id: str, **responses):
    responses = {"HTTP_401": _ADMIN_DENIED, "HTTP_404": _NOT_FOUND, **responses}
    return contract.validate(operation_id=operation_id, security=_ADMIN, skip_validation=True,
                             resp=Response(**responses))


create_collection = contract.validate(
    json=CollectionRequest, operation_id="createCollection", security=_ADMIN, skip_validation=True,
    resp=Response(HTTP_201=(CollectionInfo, "Aangemaakt"), HTTP_400=(ErrorBody, "Ongeldige naam of ongeldig verzoek"),
                  HTTP_401=_ADMIN_DENIED, HTTP_404=(ErrorBody, "Beheer niet ingeschakeld"),
                  HTTP_409=(ErrorBody, "De collectie bestaat al"), HTTP_413=_TOO_LARGE, HTTP_415=_NOT_JSON),
)
list_collections = _admin_operation("listCollections", HTTP_200=(CollectionList, "De collecties"))
delete_collection = _admin_operation(
    "deleteCollection", HTTP_200=(CollectionDeleted, "Verwijderd, met haar documenten en index"),
    HTTP_409=(ErrorBody, "standaard kan niet worden verwijderd, of er loopt nog een taak voor de collectie"))
upload_documents = contract.validate(
    form=UploadForm, operation_id="uploadDocuments", security=_ADMIN, skip_validation=True,
    resp=Response(HTTP_202=(JobAccepted, "Aangenomen: de bestanden worden op de achtergrond geïndexeerd"),
                  HTTP_400=(ErrorBody, "Geen bestanden, te veel bestanden, of een onveilige bestandsnaam"),
                  HTTP_401=_ADMIN_DENIED, HTTP_404=_NOT_FOUND,
                  HTTP_413=(ErrorBody, "Upload te groot (VRAAGBAAK_MAX_UPLOAD_BYTES)"),
                  HTTP_415=(ErrorBody, "Geen multipart/form-data")),
)
list_documents = _admin_operation("listDocuments", HTTP_200=(DocumentList, "De documenten van de collectie"))
delete_document = _admin_operation(
    "deleteDocument", HTTP_202=(JobAccepted, "Aangenomen: het document wordt op de achtergrond verwijderd"))
job_status = _admin_operation("getJob", HTTP_200=(JobStatus, "De taak"), HTTP_404=_NO_JOB)
cancel_job = _admin_operation(
    "cancelJob", HTTP_404=_NO_JOB, HTTP_413=_TOO_LARGE,
    HTTP_200=(JobStatus, "Geannuleerd: de taak stond in de wachtrij en loopt nooit; haar bestanden zijn weggegooid"),
    HTTP_202=(JobStatus, "De upload loopt: ze stopt bij het volgende bestand (cancel_requested), zonder iets in de "
                         "index te zetten; volg haar met GET /api/v1/jobs/<job>"),
    HTTP_409=(ErrorBody, "De taak is al klaar, mislukt of geannuleerd, of is een verwijdering die al loopt"))
unfinished_jobs = _admin_operation("listJobs", HTTP_200=(JobList, "De taken van de collectie die nog lopen"))

_RETRY_AFTER = {"Retry-After": {"description": "Seconden tot een nieuwe poging zin heeft.",
                                "schema": {"type": "integer", "minimum": 1}}}
_JOB_LOCATION = {"Location": {"description": "Waar de taak te volgen is: /api/v1/jobs/<job>.",
                               "schema": {"type": "string"}}}
# What spectree's Response cannot say: response headers, and content that is not JSON.
_ADDITIONS = {
    ("/api/v1/ask", "post", "429"): {"headers": _RETRY_AFTER},
    ("/api/v1/feedback", "post", "429"): {"headers": _RETRY_AFTER},
    ("/api/v1/feedback", "get", "200"): {"content": {"text/csv": {"schema": {"type": "string"}}}},
    ("/metrics", "get", "200"): {"content": {"text/plain": {"schema": {"type": "string"}}}},
    ("/api/v1/collections/{name}/documents", "post", "202"): {"headers": _JOB_LOCATION},
    ("/api/v1/collections/{name}/documents/{document}", "delete", "202"): {"headers": _JOB_LOCATION},
    ("/api/v1/jobs/{job_id}/cancel", "post", "202"): {"headers": _JOB_LOCATION},
}


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the current app's operations; needs an app context."""
    document = copy.deepcopy(contract.spec)
    for operations in document["paths"].values():
        for operation in operations.values():
            # spectree documents its own 422 for a validation error everywhere; this API refuses with 400.
            operation["responses"].pop("422", None)
    for (path, method, status), addition in _ADDITIONS.items():
        response = document["paths"][path][method]["responses"][status]
        for key, value in addition.items():
            response[key] = {**response.get(key, {}), **value}
    return document

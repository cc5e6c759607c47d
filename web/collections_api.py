"""Collections and their documents over HTTP, for admins: create, list, remove; upload, list, remove documents.

Every address needs the admin token (`Authorization: Bearer <VRAAGBAAK_ADMIN_TOKEN>`, web.auth), checked
before anything else; without a configured token none of them exists (404). Uploads and removals are
jobs (web.jobs): the request is answered 202 with the job's id as soon as the files are staged,
GET /api/v1/jobs/<id> follows it and POST /api/v1/jobs/<id>/cancel cancels it (web.job_runner says how
far). Names of collections may be named in errors here: only admins read them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from flask import Blueprint, jsonify

from index.build_lock import BuildBusy
from index.collection_changes import staging_folder
from index.collections import STANDARD, CollectionError, CollectionExists, CollectionMissing
from index.document_folder import document_path, in_use
from index.errors import VraagbaakError

from . import openapi
from .auth import require_admin
from .config import app_settings
from .errors import ApiError
from .job_store import CANCELLED, DONE, FAILED, PENDING, REMOVAL, RUNNING, UPLOAD, new_id
from .jobs import jobs
from .library import library
from .refusals import json_object, validated
from .schemas import (
    CollectionDeleted, CollectionInfo, CollectionList, CollectionRequest, DocumentInfo, DocumentList, JobAccepted,
    JobList, JobStatus,
)
from .tokens import TokenStore
from .uploads import receive

bp = Blueprint("collections_api", __name__, url_prefix="/api/v1")
DENIED = "Voor het beheer van collecties en documenten is een geldige beheerderstoken nodig."
JOB_ID = re.compile(r"[0-9a-f]{32}")
NO_JOB = "Deze taak bestaat niet."
ENDED = {DONE: "klaar", FAILED: "mislukt", CANCELLED: "geannuleerd"}  # a job in these states cannot be cancelled


def _shaped(model, http_status: int = 200, /, **values):
    """The response, made through its documented model: what is served is what the document says."""
    response = jsonify(model(**values).model_dump(mode="json"))
    response.status_code = http_status
    return response


def _collection(name: str):
    try:
        return library().collections.get(name)
    except CollectionMissing as exc:
        raise ApiError(404, "collection_not_found", str(exc)) from None


def _info(name: str) -> dict:
    collection = _collection(name)
    try:
        manifest = collection.source.current_manifest()
        version = collection.source.latest() if manifest is not None else None
    except VraagbaakError:  # a broken or unreachable index: listed, without counts
        manifest, version = None, None
    manifest = manifest or {}
    return {"name": name, "public": name in app_settings().public_collections,
            "documents": len(manifest.get("files", {})), "passages": int(manifest.get("chunks", 0)),
            "version": version}


@bp.post("/collections")
@openapi.create_collection
def create_collection():
    """Maak een collectie (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    body = validated(CollectionRequest, json_object(CollectionRequest.body_refusals))
    try:
        library().collections.create(body.name, by="beheer-API")
    except CollectionExists as exc:
        raise ApiError(409, "collection_exists", str(exc)) from None
    except CollectionError as exc:
        raise ApiError(400, "invalid_name", str(exc)) from None
    return _shaped(CollectionInfo, 201, **_info(body.name))


@bp.get("/collections")
@openapi.list_collections
def list_collections():
    """De collecties, met aantallen documenten en passages en hun indexversie (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    return _shaped(CollectionList, collections=[_info(name) for name in library().collections.names()])


@bp.delete("/collections/<name>")
@openapi.delete_collection
def delete_collection(name: str):
    """Verwijder een collectie met haar documenten en index (beheer; niet standaard)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    if name == STANDARD:
        raise ApiError(409, "protected_collection", f"De collectie '{STANDARD}' kan niet worden verwijderd.")
    _collection(name)
    busy = ApiError(409, "collection_busy",
                    f"Er loopt nog een taak voor de collectie '{name}'. Probeer het opnieuw als die klaar is.")
    if jobs().store.unfinished(name):
        raise busy
    try:
        library().collections.delete(name)
    except BuildBusy:
        raise busy from None
    except CollectionMissing as exc:
        raise ApiError(404, "collection_not_found", str(exc)) from None
    library().forget(name)
    TokenStore(app_settings().tokens_path).withdraw(name)  # a new collection of that name is someone else's
    return _shaped(CollectionDeleted, name=name, status="verwijderd")


@bp.post("/collections/<name>/documents")
@openapi.upload_documents
def upload_documents(name: str):
    """Upload documenten naar een collectie; ze worden op de achtergrond geïndexeerd (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    collection = _collection(name)
    job_id = new_id()
    files = receive(collection, app_settings(), job_id)
    jobs().store.add(name, UPLOAD, files, staging=staging_folder(collection, job_id), job_id=job_id)
    jobs().wake()
    return _accepted(job_id)


@bp.get("/collections/<name>/documents")
@openapi.list_documents
def list_documents(name: str):
    """De documenten van een collectie: titel, pagina's, passages, inhoudshash, wanneer geïndexeerd (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    collection = _collection(name)
    manifest = collection.source.current_manifest() or {}
    documents = [
        {"document": doc_id, "title": entry.get("title") or doc_id, "kind": entry.get("kind", ""),
         "pages": entry.get("pages"), "passages": entry.get("chunks", 0), "sha256": entry.get("sha256", ""),
         "indexed": entry.get("indexed") or manifest.get("created")}
        for doc_id, entry in sorted(manifest.get("files", {}).items())
    ]
    version = collection.source.latest() if manifest else None
    return _shaped(DocumentList, collection=name, version=version,
                   documents=[DocumentInfo(**d) for d in documents])


@bp.delete("/collections/<name>/documents/<path:document>")
@openapi.delete_document
def delete_document(name: str, document: str):
    """Verwijder een document uit een collectie, op de achtergrond (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    collection = _collection(name)
    # Names are stored as uploads arrive, in NFC (web.uploads); macOS and some clients send NFD.
    document = unicodedata.normalize("NFC", document)
    manifest = collection.source.current_manifest()
    try:
        on_disk = in_use(collection, manifest) and document_path(collection, document).is_file()
    except (VraagbaakError, OSError):  # no such name, or one no file system holds ("File name too long")
        on_disk = False
    if not on_disk and document not in (manifest or {}).get("files", {}):
        raise ApiError(404, "document_not_found", f"Het document '{document}' staat niet in de collectie '{name}'.")
    job_id = jobs().store.add(name, REMOVAL, [(document, PENDING, None)])
    jobs().wake()
    return _accepted(job_id)


@bp.get("/jobs/<job_id>")
@openapi.job_status
def job_status(job_id: str):
    """De voortgang van een upload- of verwijdertaak (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    job = jobs().store.get(job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise ApiError(404, "job_not_found", NO_JOB)
    return _shaped(JobStatus, **_dated(job))


@bp.post("/jobs/<job_id>/cancel")
@openapi.cancel_job
def cancel_job(job_id: str):
    """Annuleer een taak: in de wachtrij meteen, een lopende upload bij het volgende bestand (beheer)"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    found = jobs().cancel(job_id) if JOB_ID.fullmatch(job_id) else None
    if found is None:
        raise ApiError(404, "job_not_found", NO_JOB)
    if found.state in ENDED:
        raise ApiError(409, "job_finished",
                       f"Deze taak is al {ENDED[found.state]} en kan niet meer worden geannuleerd.")
    if found.interrupted:
        raise ApiError(409, "job_interrupted", "Deze taak werd onderbroken doordat de dienst stopte en wordt nu "
                       "afgemaakt; annuleren kan dan niet meer. Verwijder de documenten daarna zo nodig.")
    if found.state == RUNNING and found.kind == REMOVAL:
        raise ApiError(409, "job_running", "Deze verwijdering is al bezig en kan niet meer worden geannuleerd.")
    job = _dated(jobs().store.get(job_id))
    if job["state"] == CANCELLED:
        return _shaped(JobStatus, **job)
    response = _shaped(JobStatus, 202, **job)  # running: it stops at its next file
    response.headers["Location"] = f"/api/v1/jobs/{job_id}"
    return response


@bp.get("/collections/<name>/jobs")
@openapi.unfinished_jobs
def unfinished_jobs(name: str):
    """De taken van een collectie die nog lopen (beheer): een herladen pagina volgt ze verder"""
    if (denied := require_admin(DENIED)) is not None:
        return denied
    _collection(name)
    return _shaped(JobList, collection=name, jobs=[_dated(job) for job in jobs().store.open_jobs(name)])


def _dated(job: dict) -> dict:
    for key in ("created", "started", "finished"):
        if job[key] is not None:
            job[key] = datetime.fromtimestamp(job[key], timezone.utc)
    return job


def _accepted(job_id: str):
    response = _shaped(JobAccepted, 202, job=job_id)
    response.headers["Location"] = f"/api/v1/jobs/{job_id}"
    return response

"""The document view: /documents/<document> (collection `standaard`) and /c/<collection>/documents/<document>.

A document is shown only when the caller may read its collection (web.access).
A browser that follows a link sends no bearer token, so it reads the public
collections only: a document of any other collection then answers exactly the
404 of a document that does not exist, and no page or error names a document,
title or collection the caller may not read. A client that sends a token that
lists the collection (or the admin token) gets the page.

Document text is untrusted: the template autoescapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, make_response, render_template

from index.collections import STANDARD, CollectionMissing
from index.errors import VraagbaakError
from index.types import Chunk

from . import access
from .config import app_settings
from .library import library
from .links import file_link
from .pages import error_page

bp = Blueprint("documents", __name__)

NOT_FOUND = ("Document niet gevonden",
             "Dit document staat niet (meer) in de index. Misschien is het verwijderd of hernoemd.")


@dataclass
class ShownParagraph:
    number: int
    text: str
    line_start: int
    line_end: int
    page: int | None
    heading: str | None
    new_heading: bool = False
    pieces: list[str] = field(default_factory=list)


def group_paragraphs(chunks: list[Chunk]) -> list[ShownParagraph]:
    """Chunks in document order as whole paragraphs: pieces of a split paragraph are joined."""
    shown: list[ShownParagraph] = []
    by_number: dict[int, ShownParagraph] = {}
    for chunk in chunks:
        paragraph = by_number.get(chunk.paragraph)
        if paragraph is None:
            paragraph = ShownParagraph(chunk.paragraph, "", chunk.line_start, chunk.line_end, chunk.page,
                                       chunk.heading)
            by_number[chunk.paragraph] = paragraph
            shown.append(paragraph)
        paragraph.pieces.append(chunk.text)
        paragraph.line_start = min(paragraph.line_start, chunk.line_start)
        paragraph.line_end = max(paragraph.line_end, chunk.line_end)
    previous = None
    for paragraph in shown:
        paragraph.text = " ".join(paragraph.pieces)
        paragraph.new_heading = bool(paragraph.heading) and paragraph.heading != previous
        previous = paragraph.heading
    return shown


def not_found():
    return error_page(404, *NOT_FOUND)


def indexed_document(doc_id: str, collection: str = STANDARD):
    """(snapshot, stored document, None), or (…, None, the Dutch error page).

    404 for an unknown document, and for any document of a collection the caller may not read or
    that does not exist; 503 when the caller's collection has no index yet.
    """
    if not access.may_read(collection):
        return None, None, not_found()
    try:
        snapshot = library().engine(collection).answerer().snapshot
    except CollectionMissing:  # removed since the check
        return None, None, not_found()
    except VraagbaakError:
        return None, None, error_page(503, "Nog geen documenten",
                                      "Er is nog geen index met documenten. Probeer het later opnieuw.")
    stored = snapshot.document(doc_id)
    if stored is None:
        return snapshot, None, not_found()
    return snapshot, stored, None


def private(response, collection: str):
    """What a document page or file is depends on the token; no shared cache keeps one that not everybody may read."""
    response.headers.add("Vary", "Authorization")
    if collection not in app_settings().public_collections:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<path:doc_id>", defaults={"collection": STANDARD})
@bp.get("/c/<collection>/documents/<path:doc_id>")
def document(doc_id: str, collection: str):
    snapshot, stored, error = indexed_document(doc_id, collection)
    if error:
        return error
    paragraphs = group_paragraphs(snapshot.document_chunks(doc_id))
    page = render_template("document.html", document=stored, paragraphs=paragraphs,
                           file_href=file_link(doc_id, collection=collection))
    return private(make_response(page), collection)

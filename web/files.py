"""GET /documents/<doc_id>/file (and /c/<collection>/documents/<doc_id>/file): the original file of an indexed document.

Only a document of a collection the caller may read (web.access; else the
404 of a missing document, web.documents) that is in its current index is served, from the corpus
folder the index was built from (the manifest's "corpus"); its resolved path
must lie inside that folder, so no path ("../", a symlink out) reaches
anything else. The content type follows the file type. PDFs and text files
are shown inline -- a PDF link with "#page=N" opens the browser's own viewer
at that page; HTML and DOCX are offered as a download, because a document's
HTML must never run on Vraagbaak's own origin. `X-Content-Type-Options:
nosniff` (set on every response) keeps the browser to that type.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_file

from index.collections import STANDARD

from .documents import indexed_document, private
from .pages import error_page

bp = Blueprint("files", __name__)

_TYPES = {
    ".pdf": ("application/pdf", True),
    ".txt": ("text/plain", True),
    ".md": ("text/markdown", True),
    ".html": ("text/html", False),
    ".htm": ("text/html", False),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
}
# The PDF viewer is the browser's own; the file itself may load nothing, nor be framed.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'none'; base-uri 'none'"
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _charset(path: Path) -> str:
    """utf-8 when the file decodes as such, else windows-1252 (as the text reader does)."""
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "windows-1252"


def source_path(corpus: str | None, doc_id: str) -> Path | None:
    """The file of `doc_id` inside `corpus`, or None when it is not (or no longer) there."""
    if not corpus or not doc_id or "\x00" in doc_id:
        return None
    root = Path(corpus).resolve()
    try:
        path = (root / doc_id).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@bp.get("/documents/<path:doc_id>/file", defaults={"collection": STANDARD})
@bp.get("/c/<collection>/documents/<path:doc_id>/file")
def original_file(doc_id: str, collection: str):
    snapshot, _, error = indexed_document(doc_id, collection)
    if error:
        return error
    path = source_path((getattr(snapshot, "manifest", None) or {}).get("corpus"), doc_id)
    kind = _TYPES.get(Path(doc_id).suffix.lower())
    if path is None or kind is None:
        return error_page(404, "Bestand niet beschikbaar",
                      "Het originele bestand van dit document is niet (meer) beschikbaar op de server.")
    mimetype, inline = kind
    response = send_file(path, mimetype=mimetype, as_attachment=not inline,
                         download_name=path.name, conditional=True, max_age=0)
    if mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{mimetype}; charset={_charset(path)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    if kind[0] == "application/pdf":
        response.headers["Content-Security-Policy"] = PDF_CSP
    elif not inline:
        response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return private(response, collection)

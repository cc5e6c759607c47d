"""The HTML pages: the chat page at / and the document view at /documents/<doc_id>.

Everything a user reads here is Dutch. Document text is untrusted: templates
autoescape it and the browser script only ever sets it with textContent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, current_app, render_template

from index.errors import VraagbaakError
from index.types import Chunk

from .config import app_settings
from .links import document_link, file_link

bp = Blueprint("pages", __name__)

# Questions the empty chat page offers; each is answered by the seed documents.
EXAMPLE_QUESTIONS = (
    "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?",
    "Wat doet het kabinet tegen misstanden bij arbeidsmigranten?",
    "Hoeveel Limburgse huishoudens kregen een brief over de gratis ov-kaart?",
)


def public_base_url() -> str:
    """The configured absolute base of links (no trailing slash), or "" for relative links."""
    value = app_settings().public_base_url or ""
    return str(value).rstrip("/")


def document_url(doc_id: str, paragraph: int | None = None) -> str:
    """The link to a document's view, pointing at one paragraph when given."""
    return document_link(doc_id, paragraph, public_base_url())


def file_url(doc_id: str, page: int | None = None) -> str:
    """The link to a document's original file, opened at one page when given (PDF)."""
    return file_link(doc_id, page, public_base_url())


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


def error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message, status=status), status


def indexed_document(doc_id: str):
    """(snapshot, stored document, None), or (…, None, the Dutch error page): 503 without an index, 404 unknown."""
    engine = current_app.extensions["vraagbaak"]
    try:
        snapshot = engine.answerer().snapshot
    except VraagbaakError:
        return None, None, error_page(503, "Nog geen documenten",
                                      "Er is nog geen index met documenten. Probeer het later opnieuw.")
    stored = snapshot.document(doc_id)
    if stored is None:
        return snapshot, None, error_page(
            404, "Document niet gevonden",
            "Dit document staat niet (meer) in de index. Misschien is het verwijderd of hernoemd.")
    return snapshot, stored, None


@bp.get("/")
def chat():
    return render_template("chat.html", examples=EXAMPLE_QUESTIONS)


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    snapshot, stored, error = indexed_document(doc_id)
    if error:
        return error
    paragraphs = group_paragraphs(snapshot.document_chunks(doc_id))
    return render_template("document.html", document=stored, paragraphs=paragraphs)

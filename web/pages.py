"""The HTML pages: the chat page at / and the error page; the links every page and answer uses.

Everything a user reads here is Dutch. Document text is untrusted: templates
autoescape it and the browser script only ever sets it with textContent.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from qa.question import MAX_HISTORY_TURNS

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


def document_url(doc_id: str, paragraph: int | None = None, collection: str | None = None) -> str:
    """The link to a document's view, pointing at one paragraph when given."""
    return document_link(doc_id, paragraph, public_base_url(), collection=collection)


def file_url(doc_id: str, page: int | None = None, collection: str | None = None) -> str:
    """The link to a document's original file, opened at one page when given (PDF)."""
    return file_link(doc_id, page, public_base_url(), collection=collection)


def error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message, status=status), status


@bp.get("/")
def chat():
    # The page sends no more earlier questions than an answer reads (qa.question).
    return render_template("chat.html", examples=EXAMPLE_QUESTIONS, max_history=MAX_HISTORY_TURNS)


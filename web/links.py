"""Links to the document view and the original file, the same for the API, the chat page, Slack and Mattermost.

A document of `standaard` lives at /documents/<document> (the links from before
there were collections keep working); a document of any other collection at
/c/<collection>/documents/<document>. Who may open which is web.access's rule
(web.documents, web.files).
"""

from __future__ import annotations

from urllib.parse import quote

from index.collections import STANDARD


def _document_path(doc_id: str, collection: str | None, base_url: str) -> str:
    prefix = f"/c/{quote(collection, safe='')}" if collection and collection != STANDARD else ""
    return f"{base_url.rstrip('/')}{prefix}/documents/{quote(doc_id, safe='/')}"


def document_link(doc_id: str, paragraph: int | None = None, base_url: str = "", *,
                  collection: str | None = None) -> str:
    """`{base}[/c/{collection}]/documents/{doc_id}#p{paragraph}`; relative when there is no public base URL."""
    url = _document_path(doc_id, collection, base_url)
    return f"{url}#p{int(paragraph)}" if paragraph is not None else url


def file_link(doc_id: str, page: int | None = None, base_url: str = "", *, collection: str | None = None) -> str:
    """`{base}[/c/{collection}]/documents/{doc_id}/file#page={page}`: the original file, which a
    browser's own PDF viewer opens at that page; relative without a base URL."""
    url = f"{_document_path(doc_id, collection, base_url)}/file"
    return f"{url}#page={int(page)}" if page is not None else url

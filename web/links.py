"""Links to the document view and the original file, the same for the API, the chat page, Slack and Mattermost."""

from __future__ import annotations

from urllib.parse import quote

from index.collections import STANDARD


def _collection_query(collection: str | None) -> str:
    """`?collection=<name>` for a document outside `standaard`; nothing for `standaard` (links stay as they were)."""
    return f"?collection={quote(collection, safe='')}" if collection and collection != STANDARD else ""


def document_link(doc_id: str, paragraph: int | None = None, base_url: str = "", *,
                  collection: str | None = None) -> str:
    """`{base}/documents/{doc_id}[?collection={name}]#p{paragraph}`; relative when there is no public base URL."""
    url = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}{_collection_query(collection)}"
    return f"{url}#p{int(paragraph)}" if paragraph is not None else url


def file_link(doc_id: str, page: int | None = None, base_url: str = "", *, collection: str | None = None) -> str:
    """`{base}/documents/{doc_id}/file[?collection={name}]#page={page}`: the original file, which a
    browser's own PDF viewer opens at that page; relative without a base URL."""
    url = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}/file{_collection_query(collection)}"
    return f"{url}#page={int(page)}" if page is not None else url

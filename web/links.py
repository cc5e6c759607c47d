"""Links to the document view and the original file, the same for the API, the chat page, Slack and Mattermost."""

from __future__ import annotations

from urllib.parse import quote


def document_link(doc_id: str, paragraph: int | None = None, base_url: str = "") -> str:
    """`{base}/documents/{doc_id}#p{paragraph}`; relative when there is no public base URL."""
    url = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}"
    return f"{url}#p{int(paragraph)}" if paragraph is not None else url


def file_link(doc_id: str, page: int | None = None, base_url: str = "") -> str:
    """`{base}/documents/{doc_id}/file#page={page}`: the original file, which a
    browser's own PDF viewer opens at that page; relative without a base URL."""
    url = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}/file"
    return f"{url}#page={int(page)}" if page is not None else url

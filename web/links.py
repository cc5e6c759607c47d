"""Links to the document view, the same for the API, the chat page, Slack and Mattermost."""

from __future__ import annotations

from urllib.parse import quote


def document_link(doc_id: str, paragraph: int | None = None, base_url: str = "") -> str:
    """`{base}/documents/{doc_id}#p{paragraph}`; relative when there is no public base URL."""
    url = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}"
    return f"{url}#p{int(paragraph)}" if paragraph is not None else url

"""Which requests may be larger than VRAAGBAAK_MAX_BODY_BYTES: an admin's upload of documents.

`POST /api/v1/collections/<name>/documents` with the admin token (`Authorization: Bearer ...`) and a
Content-Length may send up to VRAAGBAAK_MAX_UPLOAD_BYTES; every other request, and an upload without
the token or without a Content-Length (chunked), keeps VRAAGBAAK_MAX_BODY_BYTES. That is decided from
the request line and headers alone, before any of the body is read, in two places that ask this one
rule: the server's event loop (web.worker, web.framing), which then writes the body to a temporary
file in `spool_dir` instead of memory, and the app itself (web.security.BodyLimit), so that the limit
holds behind any server. Without an admin token there are no uploads, so no larger bodies at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.readers.limits import mb
from index.settings import COLLECTION_NAME, env_name

from .auth import header_carries

UPLOAD_PATH = re.compile(rf"/api/v1/collections/{COLLECTION_NAME.pattern}/documents")


@dataclass(frozen=True)
class UploadLimit:
    max_bytes: int  # VRAAGBAAK_MAX_UPLOAD_BYTES: one upload's whole body
    admin_token: str  # VRAAGBAAK_ADMIN_TOKEN; empty: no uploads
    spool_dir: Path | None = None  # where the server writes an upload's body while it arrives

    @classmethod
    def from_settings(cls, settings) -> UploadLimit:
        return cls(settings.max_upload_bytes, settings.admin_token or "", settings.collections_root / ".spool")

    def is_upload(self, method: str, target: str) -> bool:
        """Whether this request line posts an upload (whoever sends it)."""
        return bool(self.admin_token) and method == "POST" and bool(UPLOAD_PATH.fullmatch(target.split("?", 1)[0]))

    def allows(self, method: str, target: str, authorization: str) -> bool:
        """Whether this request (line and Authorization header) is an upload that may be larger."""
        return self.is_upload(method, target) and header_carries(authorization, self.admin_token)

    def body_limit(self, default: int, method: str, target: str, authorization: str) -> int:
        """The body limit of this request: the upload limit for an upload, else `default`."""
        return max(default, self.max_bytes) if self.allows(method, target, authorization) else default


def upload_too_large(limit: int) -> str:
    """What an upload over the limit is told, by the server's loop or by the app (web.uploads)."""
    return f"De upload is te groot: hoogstens {mb(limit)} MB in één keer ({env_name('max_upload_bytes')})."

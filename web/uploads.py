"""Receiving an upload: multipart files (field `files`) written straight to the job's staging folder.

Nothing of an upload is held in memory: the server spools its body to a temporary file (web.framing),
and each file part is written here into the staging folder of its job (index.collection_changes), on
the same file system as the documents folder, under a hidden temporary name until the whole request
has arrived. Then every file is judged:

* a name that could reach outside the folder or hide itself is refused, and so is the whole upload
  (400, naming the file): a path ("../x", "a/b"), a hidden name (".x", "~$x"), no name, control
  characters or `<>:"|?*`, a name ending in a space or a dot, more than 255 bytes, the same name twice;
* a file the index cannot take is accepted but skipped from the start, with its Dutch reason in the
  job: a type the readers do not know (index.readers.SUPPORTED_SUFFIXES), a file over VRAAGBAAK_MAX_BYTES.

The request as a whole: at most VRAAGBAAK_MAX_UPLOAD_BYTES (413) and VRAAGBAAK_MAX_UPLOAD_FILES
files (400). Whatever goes wrong, the staging folder is removed again: no job, no leftovers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from index.collection_changes import staged_files, staging_folder
from index.collections import Collection
from index.readers import SUPPORTED_SUFFIXES
from index.readers.limits import too_large
from index.settings import env_name

from .errors import ApiError
from .job_store import PENDING
from .upload_limits import upload_too_large

FIELD = "files"
EXTRA_PARTS = 16  # form parts allowed beside the files (werkzeug counts every part)
# What the multipart parser may hold in memory at once: a field that is no file, or the data it has not
# yet written to a file (up to one read of 64 KB and a boundary). werkzeug's own default.
FORM_MEMORY = 500 * 1024
FORBIDDEN_CHARACTERS = set('<>:"/\\|?*')
MAX_NAME_BYTES = 255


def receive(collection: Collection, settings, job_id: str) -> list[tuple[str, str, str | None]]:
    """Stage the request's files for job `job_id`; each (name, status, reason): pending or skipped."""
    staging = staging_folder(collection, job_id)
    staged_files(staging).mkdir(parents=True)
    try:
        uploads = _parse(staging, settings)
        return _stage(staging, uploads, settings)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _parse(staging: Path, settings) -> list:
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type",
                       f"Stuur de bestanden als multipart/form-data, in het veld '{FIELD}'.")
    limit = max(settings.max_body_bytes, settings.max_upload_bytes)
    request.max_content_length = limit

    def to_staging(total_content_length, content_type, filename, content_length=None):
        return tempfile.NamedTemporaryFile("wb+", dir=staging, prefix=".part-", delete=False)

    parser = FormDataParser(stream_factory=to_staging, max_form_memory_size=FORM_MEMORY,
                            max_form_parts=settings.max_upload_files + EXTRA_PARTS, cls=MultiDict)
    try:
        _, _, files = parser.parse(request.stream, request.mimetype, request.content_length,
                                   request.mimetype_params)
    except RequestEntityTooLarge:
        if (request.content_length or 0) > limit:
            raise _too_large(limit) from None
        raise _too_many(settings) from None
    except ClientDisconnected:
        raise ApiError(400, "bad_request", "De upload kwam niet helemaal binnen. Probeer het opnieuw.") from None
    uploads = files.getlist(FIELD)
    for storage in files.values():
        storage.stream.close()
    if not uploads:
        raise ApiError(400, "no_files", f"Stuur een of meer bestanden in het veld '{FIELD}'.")
    if len(uploads) > settings.max_upload_files:
        raise _too_many(settings)
    return uploads


def _stage(staging: Path, uploads: list, settings) -> list[tuple[str, str, str | None]]:
    names = [check_name(storage.filename) for storage in uploads]
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:
        raise ApiError(400, "duplicate_file_name", f"Het bestand '{twice}' zit twee keer in deze upload.")
    files = []
    for name, storage in zip(names, uploads):
        part = Path(storage.stream.name)
        size = part.stat().st_size
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            reason = f"bestandstype {suffix or '(geen)'} wordt niet ondersteund"
        elif size > settings.max_bytes:
            reason = too_large(size, settings.max_bytes)
        else:
            os.replace(part, staged_files(staging) / name)
            files.append((name, PENDING, None))
            continue
        part.unlink()
        files.append((name, "skipped", reason))
    return files


def check_name(raw: object) -> str:
    """The file name to store an upload under; ApiError 400 (naming it) when it is not safe as it is."""
    name = unicodedata.normalize("NFC", raw if isinstance(raw, str) else "")
    # As typed, but a control character made visible ("tab\\tx.txt"); a backslash stays one ("C:\\x.txt").
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name) or "(geen naam)"
    why = None
    if not name.strip():
        why = "een bestand zonder naam"
    elif "/" in name or "\\" in name or name in (".", ".."):
        why = "een naam met een pad (map of ..) wordt niet aangenomen"
    elif name.startswith((".", "~$")):
        why = "verborgen bestanden (naam begint met een punt of ~$) worden niet aangenomen"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name) or FORBIDDEN_CHARACTERS & set(name):
        why = 'de naam bevat stuurtekens of een van <>:"|?*'
    elif name != name.rstrip(" ."):
        why = "de naam eindigt op een spatie of een punt"
    elif len(name.encode("utf-8")) > MAX_NAME_BYTES:
        why = f"de naam is langer dan {MAX_NAME_BYTES} bytes"
    if why is not None:
        raise ApiError(400, "invalid_file_name", f"Bestand '{shown}' geweigerd: {why}.")
    return name


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", upload_too_large(limit))


def _too_many(settings) -> ApiError:
    return ApiError(400, "too_many_files", f"Te veel bestanden in één upload: hoogstens {settings.max_upload_files} "
                                           f"({env_name('max_upload_files')}).")

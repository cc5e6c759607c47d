"""Where an HTTP/1.1 request ends, read from bytes as they arrive: the event loop of web.worker asks this.

`Framing.feed` takes the bytes received so far and says whether the request
is complete (head, and a body by Content-Length or chunked, with trailers),
still incomplete, or to be refused: too large, a head too large, or framing
that cannot be read safely (two Content-Lengths, both Content-Length and
Transfer-Encoding, a bad chunk size, a bare LF). It decides framing only;
gunicorn's own parser reads the complete request afterwards.

An admin's upload of documents (web.upload_limits) may be larger: with a
Content-Length up to its own limit, its body is written to a temporary file
as it arrives instead of into memory, and `chunks()` reads it back from there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

from gunicorn.http.body import CHUNK_EXT_RE

HEAD_LIMIT = 64 * 1024  # request line and headers
CHUNK_LINE_LIMIT = 8190  # one chunk-size line, as gunicorn's limit_request_field_size
TRAILER_LIMIT = 64 * 1024
FRAMING_OVERHEAD = 64 * 1024  # chunk framing on top of the body itself (a few bytes per chunk)
SPOOL_BLOCK = 256 * 1024  # an upload's body is read back from its file in blocks of this size


class Framing:
    """Where a request ends in a growing buffer, found without parsing more than the framing.

    `feed(data)` returns None while the request is incomplete, else one of COMPLETE, TOO_LARGE,
    UPLOAD_TOO_LARGE, UPLOAD_UNAUTHORIZED, UPLOAD_CHUNKED, HEAD_TOO_LARGE, MALFORMED, UNSUPPORTED_CODING. The rules are gunicorn's (gunicorn.http.message,
    .body): a head ends with CRLF CRLF (one CRLF before the request line is allowed); the body is
    Content-Length bytes, or chunked (the last transfer coding, and the only one: gunicorn does not
    decode others; HTTP/1.1 only; never together with Content-Length), or nothing at all.
    """

    COMPLETE = "complete"
    TOO_LARGE = "too_large"
    UPLOAD_TOO_LARGE = "upload_too_large"  # an admin's upload over VRAAGBAAK_MAX_UPLOAD_BYTES
    UPLOAD_UNAUTHORIZED = "upload_unauthorized"  # an upload over the body limit without the admin token
    UPLOAD_CHUNKED = "upload_chunked"  # an admin's upload over the body limit sent chunked (no length to check)
    HEAD_TOO_LARGE = "head_too_large"
    MALFORMED = "malformed"
    UNSUPPORTED_CODING = "unsupported_coding"  # a transfer coding besides chunked

    def __init__(self, max_body: int, upload=None):
        """`upload`: a web.upload_limits.UploadLimit, or None when no request may be larger than `max_body`."""
        self.max_body = max_body
        self.upload = upload
        self.data = bytearray()
        self.outcome: str | None = None
        self.end: int | None = None  # where the request ends, when COMPLETE
        self.expect_continue = False
        self._head_end: int | None = None
        self._length: int | None = None  # Content-Length
        self._chunked = False
        self._pos = 0  # chunked: the next chunk-size line (or the trailers)
        self._decoded = 0  # chunked: body bytes in complete chunks
        self._trailers_searched = 0  # chunked: how far the trailers were searched for their end
        self._upload_line = False  # the request line posts an upload
        self._upload_allowed = False  # ... with the admin token
        self._upload = False  # the head asks for an upload that may be larger (Content-Length only)
        self._spool = None  # an upload's body: a temporary file, not memory
        self._spooled = 0
        self._after = bytearray()  # an upload's file complete: what arrived after it (pipelined)

    def feed(self, data: bytes) -> str | None:
        if self._spool is not None:
            self._spool_body(data)
            return self.outcome
        if self.outcome is not None:
            self.data += data
            return self.outcome
        searched = len(self.data)
        self.data += data
        if self._head_end is None:
            self._scan_head(searched)
        if self._head_end is not None and self.outcome is None:
            if self._upload:
                self._start_spool()
            else:
                self._scan_body()
        return self.outcome

    @property
    def spooled(self) -> bool:
        """The body goes to a temporary file (an upload)."""
        return self._spool is not None

    @property
    def body_length(self) -> int:
        return self._length or 0

    def chunks(self) -> Iterator[bytes]:
        """The complete request as blocks of bytes: the head, then the body (from its file, for an upload)."""
        yield self.request()
        if self._spool is not None:
            self._spool.seek(0)
            while block := self._spool.read(SPOOL_BLOCK):
                yield block

    def close(self) -> None:
        """Remove an upload's temporary file (the request has been served or refused)."""
        if self._spool is not None:
            self._spool.close()

    def _start_spool(self) -> None:
        body = bytes(self.data[self._head_end:])
        del self.data[self._head_end:]
        if self.upload.spool_dir is not None:
            os.makedirs(self.upload.spool_dir, exist_ok=True)
        self._spool = tempfile.TemporaryFile(prefix="vraagbaak-upload-", dir=self.upload.spool_dir)
        self._spool_body(body)

    def _spool_body(self, data: bytes) -> None:
        if self.outcome is not None:
            self._after += data
            return
        wanted = self._length - self._spooled
        self._spool.write(data[:wanted])
        self._spooled += min(wanted, len(data))
        if self._spooled == self._length:
            self._after += data[wanted:]
            self._complete(self._head_end)

    @property
    def head_complete(self) -> bool:
        return self._head_end is not None

    def request(self) -> bytes:
        """The complete request in memory (for an upload: its head; the body is in `chunks()`)."""
        return bytes(self.data[:self.end])

    def rest(self) -> bytes:
        if self._spool is not None:
            return bytes(self._after)
        return bytes(self.data[self.end:])

    # -- head --

    def _scan_head(self, searched: int) -> None:
        start = 2 if self.data[:2] == b"\r\n" else 0
        end = self.data.find(b"\r\n\r\n", max(start, searched - 3))
        if end < 0:
            if len(self.data) > HEAD_LIMIT:
                self.outcome = self.HEAD_TOO_LARGE
            elif self._bare_lf(searched):
                self.outcome = self.MALFORMED  # the head would never end the way gunicorn reads it
            return
        if end + 4 > HEAD_LIMIT:
            self.outcome = self.HEAD_TOO_LARGE
            return
        lines = bytes(self.data[start:end]).split(b"\r\n")
        if any(b"\n" in line or b"\r" in line for line in lines):
            self.outcome = self.MALFORMED
            return
        self._head_end = end + 4
        self._read_headers(lines)

    def _bare_lf(self, searched: int) -> bool:
        """A LF without CR before it among the bytes from `searched` on (each byte is looked at once)."""
        at = self.data.find(b"\n", searched)
        while at >= 0:
            if at == 0 or self.data[at - 1] != 0x0D:
                return True
            at = self.data.find(b"\n", at + 1)
        return False

    def _read_headers(self, lines: list[bytes]) -> None:
        version = lines[0].rsplit(b" ", 1)[-1]
        lengths, codings, authorization = [], [], b""
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                continue  # gunicorn refuses the head itself (400), without reading on
            name, value = name.upper(), value.strip(b" \t")
            if name == b"CONTENT-LENGTH":
                lengths.append(value)
            elif name == b"TRANSFER-ENCODING":
                codings += [c.strip(b" \t").lower() for c in value.split(b",")]
            elif name == b"EXPECT" and value.lower() == b"100-continue" and version == b"HTTP/1.1":
                self.expect_continue = True
            elif name == b"AUTHORIZATION":
                authorization = value
        if self.upload is not None:
            method, _, rest = lines[0].partition(b" ")
            target = rest.rpartition(b" ")[0].decode("latin-1")
            self._upload_line = self.upload.is_upload(method.decode("latin-1"), target)
            self._upload_allowed = self._upload_line and self._asks_upload(lines[0], authorization)
        if codings:
            if lengths or codings[-1] != b"chunked" or codings.count(b"chunked") != 1 or version != b"HTTP/1.1":
                self.outcome = self.MALFORMED
                return
            if len(codings) > 1:
                # gunicorn knows gzip, deflate and compress before chunked, but never decodes them:
                # the application would read the compressed bytes as the body.
                self.outcome = self.UNSUPPORTED_CODING
                return
            self._chunked = True
            self._pos = self._head_end
        elif lengths:
            if len(lengths) > 1 or not lengths[0].isdigit():
                self.outcome = self.MALFORMED
                return
            self._length = int(lengths[0])
            if self._upload_allowed:
                self._upload = self._length > 0
                self.max_body = max(self.max_body, self.upload.max_bytes)
            if self._length > self.max_body:
                self.outcome = self.UPLOAD_TOO_LARGE if self._upload_allowed else self._too_large()
        else:
            self._length = 0

    def _too_large(self) -> str:
        """A body over the limit: an upload without the admin token is refused for the token (401, not
        413: the size is not what is wrong); an admin's chunked upload for its framing."""
        if self._upload_line:
            return self.UPLOAD_CHUNKED if self._upload_allowed else self.UPLOAD_UNAUTHORIZED
        return self.TOO_LARGE

    def _asks_upload(self, request_line: bytes, authorization: bytes) -> bool:
        method, _, rest = request_line.partition(b" ")
        target = rest.rpartition(b" ")[0]
        return self.upload.allows(method.decode("latin-1"), target.decode("latin-1"),
                                  authorization.decode("latin-1"))

    # -- body --

    def _scan_body(self) -> None:
        if not self._chunked:
            if len(self.data) >= self._head_end + self._length:
                self._complete(self._head_end + self._length)
            return
        while self.outcome is None:
            line_end = self.data.find(b"\r\n", self._pos)
            if line_end < 0:
                if len(self.data) - self._pos > CHUNK_LINE_LIMIT:
                    self.outcome = self.MALFORMED
                return
            size, *extension = bytes(self.data[self._pos:line_end]).split(b";", 1)
            if extension:
                size = size.rstrip(b" \t")
                if b"\r" in extension[0] or not CHUNK_EXT_RE.fullmatch(b";" + extension[0]):
                    self.outcome = self.MALFORMED
                    return
            if not size or any(c not in b"0123456789abcdefABCDEF" for c in size):
                self.outcome = self.MALFORMED
                return
            size = int(size, 16)
            if size == 0:
                self._scan_trailers(line_end + 2)
                return
            if self._decoded + size > self.max_body:
                self.outcome = self._too_large()
                return
            data_end = line_end + 2 + size
            if len(self.data) < data_end + 2:
                if len(self.data) - self._head_end > self.max_body + FRAMING_OVERHEAD:
                    self.outcome = self._too_large()
                return
            if self.data[data_end:data_end + 2] != b"\r\n":
                self.outcome = self.MALFORMED
                return
            self._decoded += size
            self._pos = data_end + 2
            if self._pos - self._head_end > self.max_body + FRAMING_OVERHEAD:
                self.outcome = self._too_large()  # thousands of tiny chunks

    def _scan_trailers(self, start: int) -> None:
        if self.data[start:start + 2] == b"\r\n":
            self._complete(start + 2)
            return
        end = self.data.find(b"\r\n\r\n", max(start, self._trailers_searched - 3))
        self._trailers_searched = len(self.data)
        if end >= 0:
            self._complete(end + 4)
        elif len(self.data) - start > TRAILER_LIMIT:
            self.outcome = self.MALFORMED

    def _complete(self, end: int) -> None:
        self.end = end
        self.outcome = self.COMPLETE

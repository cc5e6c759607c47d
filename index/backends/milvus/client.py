"""The connection to Milvus, the names of a version's collections, and what Milvus errors mean.

A URI ending in `.db` is Milvus Lite: pymilvus starts it inside this process
(a folder, locked by one process at a time). An http(s):// or tcp:// URI is a
Milvus server or cluster; any number of processes may share it.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ...errors import BackendUnavailable, IndexMissing, VraagbaakError

log = logging.getLogger(__name__)

SERVER_SCHEMES = ("http://", "https://", "tcp://")
LITE_SUFFIX = ".db"
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}")
VERSION_PATTERN = r"\d{8}T\d{12}Z"
# Milvus' default cap on limit (topK) and on rows per query.
MAX_ROWS = 16384
# VARCHAR holds at most 65535 bytes; base64 pieces stay well below it.
PIECE_CHARS = 60_000
_COLLECTION_NOT_FOUND = 100


@dataclass(frozen=True)
class MilvusOptions:
    uri: str
    token: str | None = None
    collection: str = "vraagbaak"
    shards: int = 1
    replicas: int = 1
    timeout: float = 30.0
    vector_index: str = "auto"
    ann_threshold: int = 100_000
    nprobe: int = 0
    ef_search: int = 0

    @property
    def lite(self) -> bool:
        return not self.uri.startswith(SERVER_SCHEMES)

    @property
    def shown_uri(self) -> str:
        """The URI without credentials, for logs and /readyz."""
        if self.lite:
            return self.uri
        parts = urlsplit(self.uri)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_options(options: MilvusOptions) -> list[str]:
    """Dutch problems with these options; empty when they can be used."""
    problems = []
    uri = (options.uri or "").strip()
    if not uri:
        problems.append("Voor backend milvus is VRAAGBAAK_MILVUS_URI nodig: een pad dat eindigt op .db "
                        "(Milvus Lite) of een http(s)://-adres van een Milvus-server.")
    elif "://" in uri and not uri.startswith(SERVER_SCHEMES):
        problems.append(f"VRAAGBAAK_MILVUS_URI {uri!r} wordt niet herkend: gebruik http://, https:// "
                        "of een pad naar een Milvus Lite-bestand dat eindigt op .db.")
    elif not uri.startswith(SERVER_SCHEMES):
        if not uri.endswith(LITE_SUFFIX):
            problems.append(f"VRAAGBAAK_MILVUS_URI {uri!r} is geen http(s)://-adres, en een pad naar "
                            "Milvus Lite moet eindigen op .db.")
        elif not os.path.isdir(os.path.dirname(os.path.abspath(os.path.expanduser(uri)))):
            problems.append(f"De map van VRAAGBAAK_MILVUS_URI ({os.path.dirname(os.path.abspath(uri))}) "
                            "bestaat niet.")
    if not NAME_PATTERN.fullmatch(options.collection or ""):
        problems.append(f"VRAAGBAAK_MILVUS_COLLECTION {options.collection!r} is geen geldige collectienaam: "
                        "begin met een letter of _, daarna alleen letters, cijfers en _ (hoogstens 200 tekens).")
    return problems


def version_collection(name: str, version: str) -> str:
    return f"{name}_{version}"


def documents_collection(name: str, version: str) -> str:
    return f"{name}_{version}_docs"


def meta_collection(name: str, version: str) -> str:
    return f"{name}_{version}_meta"


def quote(text: str) -> str:
    """A string literal for a Milvus filter expression."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Connection:
    """One MilvusClient per process (gRPC channels do not survive a fork), errors made Dutch."""

    def __init__(self, options: MilvusOptions):
        self.options = options
        self._lock = threading.Lock()
        self._client = None
        self._pool: ThreadPoolExecutor | None = None
        self._pid = None

    def client(self):
        if self._client is not None and self._pid == os.getpid():
            return self._client
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                try:
                    from pymilvus import MilvusClient
                except ImportError as exc:
                    raise BackendUnavailable(
                        "Voor backend milvus zijn pymilvus en milvus-lite nodig: "
                        "pip install 'vraagbaak[milvus]'.") from exc
                uri = os.path.abspath(os.path.expanduser(self.options.uri)) if self.options.lite \
                    else self.options.uri
                try:
                    # dedicated: a channel inherited from the parent process must not be shared.
                    self._client = MilvusClient(uri=uri, token=self.options.token or "",
                                                timeout=self.options.timeout, dedicated=True)
                except Exception as exc:  # noqa: BLE001 -- every way of failing means the same to us
                    raise self.unavailable(exc) from exc
                if self.options.lite:
                    _quiet_lite_server()
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="milvus")
                self._pid = os.getpid()
        return self._client

    def call(self, method: str, *args, **kwargs):
        client = self.client()
        try:
            return getattr(client, method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise self.translate(exc) from exc

    def parallel(self, calls: list[tuple[str, tuple, dict]]) -> list:
        """Several independent requests at once: one round trip's wait instead of one per request."""
        if len(calls) <= 1:
            return [self.call(method, *args, **kwargs) for method, args, kwargs in calls]
        self.client()
        futures = [self._pool.submit(self.call, method, *args, **kwargs) for method, args, kwargs in calls]
        return [future.result() for future in futures]

    def translate(self, exc: Exception) -> VraagbaakError:
        if isinstance(exc, VraagbaakError):
            return exc
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if getattr(exc, "code", None) == _COLLECTION_NOT_FOUND:
            return IndexMissing(f"Een collectie van de index ontbreekt in Milvus ({self.options.shown_uri}): "
                                f"{reason}. Bouw de index opnieuw met: vraagbaak index")
        return BackendUnavailable(f"Milvus op {self.options.shown_uri} is niet bereikbaar of weigert het "
                                  f"verzoek ({reason}).")

    def unavailable(self, exc: Exception) -> BackendUnavailable:
        """No connection could be made at all."""
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        where = self.options.shown_uri
        if self.options.lite:
            return BackendUnavailable(
                f"Milvus Lite in {where} kan niet worden geopend ({reason}). Milvus Lite kan door één proces "
                "tegelijk worden gebruikt; laat meerdere processen een Milvus-server delen "
                "(bijvoorbeeld milvus-lite server --data-dir ... met een http://-adres).")
        return BackendUnavailable(f"Milvus op {where} is niet bereikbaar ({reason}).")

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.shutdown(wait=False)
            if self._client is not None and self._pid == os.getpid():
                try:
                    self._client.close()
                except Exception:  # noqa: BLE001 -- closing is best effort
                    pass
            self._client = self._pool = self._pid = None


class _NotImplementedFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], NotImplementedError))


def _quiet_lite_server() -> None:
    """Milvus Lite lacks AllocTimestamp, which pymilvus asks after create_index and then does without;
    its gRPC server would log a traceback for every index built."""
    logger = logging.getLogger("grpc._server")
    if not any(isinstance(f, _NotImplementedFilter) for f in logger.filters):
        logger.addFilter(_NotImplementedFilter())


def encode_pieces(data: bytes) -> list[str]:
    text = base64.b64encode(data).decode("ascii")
    return [text[i:i + PIECE_CHARS] for i in range(0, len(text), PIECE_CHARS)] or [""]


def decode_pieces(pieces: list[str]) -> bytes:
    return base64.b64decode("".join(pieces))

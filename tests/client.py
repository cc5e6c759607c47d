"""A tiny HTTP client for tests, on the standard library."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid


def request(url: str, *, method: str = "GET", body: bytes | None = None, json_body=None,
            headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, bytes]:
    headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def post_json(url: str, payload, **kwargs) -> tuple[int, dict]:
    status, _, data = request(url, method="POST", json_body=payload, **kwargs)
    return status, json.loads(data)


class QuestionStream:
    """Clients asking one question over and over until the block ends (index switches under load).

    `results` holds (status, the version that answered or the error) per request;
    status 0 means the connection itself failed.
    """

    def __init__(self, base_url: str, question: str, *, clients: int = 2):
        self.url = f"{base_url}/api/v1/ask"
        self.question = question
        self.results: list[tuple[int, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._ask_until_stopped) for _ in range(clients)]

    def _ask_until_stopped(self) -> None:
        while not self._stop.is_set():
            try:
                status, _, data = request(self.url, method="POST", json_body={"question": self.question}, timeout=30)
            except OSError as exc:
                self.results.append((0, repr(exc)))
                continue
            try:
                body = json.loads(data)
            except ValueError:
                body = {}
            self.results.append((status, body.get("index", {}).get("version", "") or str(body.get("error", ""))))

    def recent(self, version: str, count: int) -> bool:
        """Whether the last `count` answers all came from `version`."""
        return sum(1 for _, v in self.results[-count:] if v == version) == count

    def __enter__(self) -> QuestionStream:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def multipart(files: list[tuple[str, bytes]], field: str = "files") -> tuple[bytes, str]:
    """A multipart/form-data body with these (file name, content) parts, names sent exactly as given."""
    boundary = f"vraagbaak-{uuid.uuid4().hex}"
    parts = []
    for name, content in files:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(base_url: str, collection: str, files: list[tuple[str, bytes]], token: str,
           timeout: float = 120) -> tuple[int, dict]:
    """POST the files to a collection's documents; (status, JSON body)."""
    body, content_type = multipart(files)
    status, _, data = request(f"{base_url}/api/v1/collections/{collection}/documents", method="POST", body=body,
                              headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
                              timeout=timeout)
    return status, json.loads(data)


def wait_for_job(base_url: str, job: str, token: str, timeout: float = 120, seen: list | None = None) -> dict:
    """Poll GET /api/v1/jobs/<job> until it is done, failed or cancelled; every state seen is added to `seen`."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, data = request(f"{base_url}/api/v1/jobs/{job}", headers={"Authorization": f"Bearer {token}"})
        assert status == 200, data
        body = json.loads(data)
        if seen is not None:
            seen.append(body)
        if body["state"] in ("done", "failed", "cancelled"):
            return body
        assert time.monotonic() < deadline, f"job {job} not finished: {body}"
        time.sleep(0.1)

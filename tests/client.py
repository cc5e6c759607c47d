"""A tiny HTTP client for tests, on the standard library."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


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

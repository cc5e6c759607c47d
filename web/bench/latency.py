"""Ask latency: POST /api/v1/ask, one client at a time, over one keep-alive connection.

The time is what a client sees (request sent to body read). The answer's own
`timings_ms` show how much of that is the model, the search and the answer
extraction, and so what the HTTP stack and the app add on top.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Sequence

import numpy as np

ASK_PATH = "/api/v1/ask"
WARMUP = 5
BREAKDOWN_KEYS = ("embed_ms", "search_ms", "answer_ms", "total_ms")

# What a closed keep-alive connection looks like to http.client.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def payload(item: dict) -> bytes:
    body = {"question": item["question"]}
    if item.get("history"):
        body["history"] = item["history"]
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closed it in between."""

    def __init__(self, host: str, port: int, *, headers: dict | None = None, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, path: str = ASK_PATH) -> tuple[int, bytes]:
        """(status, body); status 0 when the connection failed."""
        reused = self.conn is not None
        try:
            return self._send(body, path)
        except _STALE:
            self.close()
            if not reused:
                return 0, b""
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, b""
        # An idle keep-alive connection the server has just closed is no server
        # error: every HTTP client retries such a request once on a fresh one.
        try:
            return self._send(body, path)
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, b""

    def _send(self, body: bytes, path: str) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.request("POST", path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.will_close:
            self.close()
        return response.status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def measure(host: str, port: int, questions: Sequence[dict], *, rounds: int,
            headers: dict | None = None) -> dict:
    bodies = [payload(item) for item in questions]
    client = Client(host, port, headers=headers)
    try:
        for body in bodies[:WARMUP]:
            client.post(body)
        latencies: list[float] = []
        parts: dict[str, list[float]] = {key: [] for key in BREAKDOWN_KEYS}
        errors = 0
        for _ in range(rounds):
            for body in bodies:
                started = time.perf_counter()
                status, data = client.post(body)
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    errors += 1
                    continue
                latencies.append(elapsed)
                timings = json.loads(data).get("timings_ms", {})
                for key in BREAKDOWN_KEYS:
                    if key in timings:
                        parts[key].append(float(timings[key]))
    finally:
        client.close()
    if not latencies:
        raise RuntimeError("geen enkele vraag werd beantwoord")
    p50 = percentile(latencies, 50)
    breakdown = {key: statistics.median(values) for key, values in parts.items() if values}
    if "total_ms" in breakdown:
        breakdown["http_and_app_ms"] = p50 - breakdown["total_ms"]
    return {
        "ask_p50_ms": p50,
        "ask_p95_ms": percentile(latencies, 95),
        "ask_p99_ms": percentile(latencies, 99),
        "ask_mean_ms": statistics.fmean(latencies),
        "samples": len(latencies),
        "rounds": rounds,
        "errors": errors,
        "breakdown_ms": breakdown,
    }

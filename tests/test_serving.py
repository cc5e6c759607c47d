"""The real server: gunicorn started by `vraagbaak serve`, index rebuilds under load, killed builds.

These tests start subprocesses (a gunicorn master with two workers, an index
build) over copies of the seeds index, so they take a few tens of seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.build import build_index
from index.backends.local import open_index
from index.store import current_version
from tests.client import QuestionStream, request
from tests.hostile import many_descriptors, read_one_response, read_until_closed
from tests.test_operations import copy_index
from web.pages import EXAMPLE_QUESTIONS

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
VRAAGBAAK = [sys.executable, "-m", "web.cli"]
NEW_DOCUMENT = (
    "Vlinderbrug Zwaluwmeer\n\n"
    "De gemeente Zwaluwmeer opent in het voorjaar een houten vlinderbrug over de Kievitsvaart, "
    "ontworpen door leerlingen van de plaatselijke basisschool.\n"
)
NEW_QUESTION = "Wie hebben de vlinderbrug over de Kievitsvaart in Zwaluwmeer ontworpen?"
OLD_QUESTION = "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"
# Long questions, each its own, sent at once before a SIGTERM: six copies of one question were all
# answered within 0.15 s once the model ran on one thread per worker (docs/performance.md, session 16).
SLOW_REQUESTS = 16

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ask(url: str, question: str, timeout: float = 30, **extra) -> tuple[int, dict]:
    status, _, data = request(f"{url}/api/v1/ask", method="POST", json_body={"question": question, **extra},
                              timeout=timeout)
    try:
        return status, json.loads(data)
    except ValueError:
        return status, {}


class Gunicorn:
    def __init__(self, index_dir: Path, tmp: Path, *, workers: int = 2, threads: int = 2,
                 metrics_dir: bool = True, **settings: str):
        """`workers` 0 leaves the number to serve; without `metrics_dir`, serve picks the metrics folder."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "serve.log"
        env = {**os.environ, "VRAAGBAAK_INDEX_DIR": str(index_dir), "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prom"),
               "VRAAGBAAK_WORKERS": str(workers), "VRAAGBAAK_THREADS": str(threads),
               "VRAAGBAAK_RATE_LIMIT": "off", "VRAAGBAAK_GRACEFUL_TIMEOUT": "20",
               "VRAAGBAAK_FEEDBACK_DB": str(tmp / "feedback.sqlite"), **settings}
        if not metrics_dir:
            env.pop("PROMETHEUS_MULTIPROC_DIR")
        env.pop("VRAAGBAAK_CONFIG", None)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([*VRAAGBAAK, "serve", "--port", str(self.port)], cwd=REPO, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text("utf-8", "replace")[-3000:]
            try:
                if request(f"{self.url}/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("server did not become ready")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def served(seeds_index_dir, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    root = copy_index(seeds_index_dir, tmp_path / "index")
    server = Gunicorn(root, tmp_path)
    yield server, corpus, root
    server.stop()


def test_gunicorn_keeps_answering_through_a_rebuild_and_stops_gracefully(served, embedder):
    server, corpus, root = served
    old_version = current_version(root).name
    with QuestionStream(server.url, OLD_QUESTION) as stream:
        time.sleep(1)
        (corpus / "zwaluwmeer.txt").write_text(NEW_DOCUMENT, "utf-8")
        report = build_index(corpus, root, embedder)
        assert report.changed and report.embedded_files == ["zwaluwmeer.txt"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not stream.recent(report.version, 6):
            time.sleep(0.2)  # both workers switch on their next request
    results = stream.results

    failures = [r for r in results if r[0] != 200]
    assert not failures, failures[:5]
    versions = [v for _, v in results]
    assert old_version in versions and report.version in versions
    status, body = _ask(server.url, NEW_QUESTION)
    assert status == 200 and not body["abstained"]
    assert body["passages"][0]["source"]["document"] == "zwaluwmeer.txt"
    assert "leerlingen" in body["answer"]["text"]
    print(f"\nstroom tijdens herbouw: {len(results)} verzoeken, {len(failures)} mislukt")

    # Metrics add up over both workers; the JSON log has one line per request and no access log.
    _, _, data = request(f"{server.url}/metrics")
    metrics = data.decode()
    asked = next(line for line in metrics.splitlines()
                 if line.startswith('vraagbaak_http_requests_total{endpoint="/api/v1/ask"') and 'status="200"' in line)
    assert float(asked.split()[-1]) >= len(results)
    answered = sum(float(line.split()[-1]) for line in metrics.splitlines()
                   if line.startswith("vraagbaak_questions_total{"))
    assert answered >= len(results)
    # Readiness and the served version as /readyz says them, whichever worker answers, however many
    # workers (and the preloading master) ever wrote a value: the version served before is no longer 1.
    for _ in range(4):
        _, _, data = request(f"{server.url}/metrics")
        lines = data.decode().splitlines()
        assert "vraagbaak_ready 1.0" in lines
        info = {line.split('version="')[1].split('"')[0]: float(line.split()[-1])
                for line in lines if line.startswith("vraagbaak_index_info{")}
        assert info.get(report.version) == 1.0 and info.get(old_version, 0.0) == 0.0, info

    # SIGTERM while slow requests are in flight: they complete, the master exits 0. Enough of them that
    # some are still being computed 0.15 s on, however fast the machine answers one (SLOW_REQUESTS).
    long_question = " ".join([OLD_QUESTION] * 8)[:990]
    finished: list[tuple[int, float]] = []

    def slow(n):  # each its own question: a repeated one would come from the query cache
        status, _ = _ask(server.url, f"{long_question[:980]} ({n})", timeout=60, top_k=20,
                         history=[OLD_QUESTION, NEW_QUESTION, long_question])
        finished.append((status, time.monotonic()))

    with ThreadPoolExecutor(SLOW_REQUESTS) as pool:
        futures = [pool.submit(slow, i) for i in range(SLOW_REQUESTS)]
        time.sleep(0.15)
        term_sent = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        for future in futures:
            future.result()
    assert server.proc.wait(60) == 0
    assert [s for s, _ in finished] == [200] * SLOW_REQUESTS
    in_flight = sum(1 for _, t in finished if t > term_sent)
    assert in_flight >= 1, "no request was still in flight at SIGTERM"
    print(f"SIGTERM met {in_flight} verzoeken onderweg: alle {SLOW_REQUESTS} beantwoord met 200, exitcode 0")

    server.log.flush()
    lines = [line for line in server.log_path.read_text("utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == len(lines), [line for line in lines if not line.startswith("{")][:3]
    request_lines = [r for r in records if r["logger"] == "vraagbaak.request" and r["path"] == "/api/v1/ask"]
    assert request_lines and all(r.get("request_id") and r.get("status") for r in request_lines)
    assert len(request_lines) >= len(results) + 6  # every request logged once: no second access log
    assert not any("question" in r for r in records)


def test_a_build_killed_with_sigkill_leaves_the_served_index_intact(seeds_index_dir, tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    root = copy_index(seeds_index_dir, tmp_path / "index")
    before = current_version(root)
    build = subprocess.Popen([*VRAAGBAAK, "index", str(corpus), "--index-dir", str(root), "--full"],
                             cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + 120
    while b"embedden" not in seen and time.monotonic() < deadline and build.poll() is None:
        seen += os.read(build.stderr.fileno(), 4096)
    assert b"embedden" in seen, seen.decode("utf-8", "replace")
    time.sleep(1.0)  # well inside the embedding of ~400 passages
    assert build.poll() is None, "the build finished before it could be killed"
    build.kill()
    assert build.wait(10) == -signal.SIGKILL

    assert current_version(root) == before
    snapshot = open_index(root)
    assert snapshot.version == before.name and snapshot.size > 100
    snapshot.close()

    (corpus / "zwaluwmeer.txt").write_text(NEW_DOCUMENT, "utf-8")
    report = build_index(corpus, root, embedder)
    assert report.changed and report.embedded_files == ["zwaluwmeer.txt"]
    assert current_version(root).name == report.version != before.name
    assert not list(root.glob(".current.*.tmp"))


# ---------- slow and hostile clients against the real server (issue 15) ----------

READ_TIMEOUT = 8  # VRAAGBAAK_READ_TIMEOUT of the edge server


@pytest.fixture(scope="module")
def edge_server(seeds_index_dir, tmp_path_factory):
    """`vraagbaak serve` as shipped (1 worker, 4 threads), with a short read timeout."""
    tmp = tmp_path_factory.mktemp("edge")
    root = copy_index(seeds_index_dir, tmp / "index")
    server = Gunicorn(root, tmp, workers=1, threads=4, VRAAGBAAK_READ_TIMEOUT=str(READ_TIMEOUT))
    yield server
    server.stop()


class Tricklers:
    """Connections that announce a body (or send a head) and then trickle one byte every half second."""

    def __init__(self, port: int, bodies: int, heads: int):
        self.socks = []
        for i in range(bodies):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            path = "/api/v1/ask" if i % 2 else "/api/v1/feedback"
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: vraagbaak\r\nContent-Type: application/json\r\n"
                         "Content-Length: 1000\r\n\r\n{\"question\": \"".encode())
            self.socks.append(sock)
        for _ in range(heads):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: vraagbaak\r\n")
            self.socks.append(sock)
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stop.wait(0.5):
            for sock in self.socks:
                try:
                    sock.send(b"x")
                    self.sent += 1
                except OSError:
                    pass

    def answers(self) -> list[bytes]:
        """What each connection got back (read after stopping)."""
        self.stop.set()
        self.thread.join(5)
        got = []
        for sock in self.socks:
            sock.settimeout(5)
            data = read_until_closed(sock)
            sock.close()
            got.append(data)
        return got


def _timed(call) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def test_slow_clients_cannot_starve_the_server(edge_server):
    """Four connections trickling a body used to block /healthz, /readyz and questions for as long as they lasted."""
    server = edge_server
    assert _ask(server.url, NEW_QUESTION)[0] == 200  # warm
    quiet = _timed(lambda: _ask(server.url, OLD_QUESTION))  # a new question without slow connections
    started = time.monotonic()
    tricklers = Tricklers(server.port, bodies=50, heads=10)
    time.sleep(1.5)
    durations = {"healthz": [], "readyz": [], "ask": []}
    statuses = []
    for question in EXAMPLE_QUESTIONS:  # not asked before: no answer from the query cache
        durations["healthz"].append(_timed(lambda: statuses.append(request(f"{server.url}/healthz", timeout=10)[0])))
        durations["readyz"].append(_timed(lambda: statuses.append(request(f"{server.url}/readyz", timeout=10)[0])))
        durations["ask"].append(_timed(lambda: statuses.append(_ask(server.url, question, timeout=10)[0])))
        time.sleep(0.5)
    assert time.monotonic() - started < READ_TIMEOUT - 1, "the measurements took past the read timeout"
    assert statuses == [200] * 9
    worst = {name: round(max(values), 3) for name, values in durations.items()}
    print(f"\n60 trage verbindingen (50 met een body, 10 met een kop): slechtste tijd {worst}; "
          f"vragen {[round(d, 3) for d in durations['ask']]} s, zonder trage verbindingen {quiet:.3f} s")
    assert max(worst.values()) < 2.0, worst

    # Past the read timeout each slow connection got a 408 in JSON and was closed.
    time.sleep(max(0.0, READ_TIMEOUT + 2 - (time.monotonic() - started)))
    answers = tricklers.answers()
    assert tricklers.sent > 60
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), [a[:80] for a in answers if not
                                                                   a.startswith(b"HTTP/1.1 408 ")][:3]
    body = json.loads(answers[0].partition(b"\r\n\r\n")[2])
    assert body["error"]["code"] == "request_timeout" and body["error"]["message"]
    # and the service still answers
    assert request(f"{server.url}/healthz", timeout=5)[0] == 200


def test_a_thousand_idle_connections_do_not_keep_others_out(edge_server):
    """gunicorn stops accepting at `worker_connections` (1000); idle connections then make room."""
    idle = []
    with many_descriptors(1100):
        try:
            for _ in range(1100):  # never a byte: connected, and then nothing
                idle.append(socket.create_connection(("127.0.0.1", edge_server.port), timeout=5))
            time.sleep(0.5)
            seconds = _timed(lambda: request(f"{edge_server.url}/healthz", timeout=READ_TIMEOUT + 2))
            assert seconds < 3, f"/healthz waited {seconds:.1f} s behind idle connections"
        finally:
            for sock in idle:
                sock.close()
    assert request(f"{edge_server.url}/healthz", timeout=5)[0] == 200


def test_hostile_bodies_on_the_real_server(edge_server):
    """The documented hostile cases, 1 MB and 3 MB included, with Content-Length and chunked."""
    from tests.hostile import CASES, check_hostile_cases

    failures = check_hostile_cases("127.0.0.1", edge_server.port, CASES)
    assert not failures, "\n".join(failures)
    edge_server.log.flush()
    assert "Traceback" not in edge_server.log_path.read_text("utf-8")


def _exchange(port: int, payload: bytes, *, pause_after_head: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if pause_after_head:
            head, _, body = payload.partition(b"\r\n\r\n")
            sock.sendall(head + b"\r\n\r\n")
            interim = sock.recv(1024)
            sock.sendall(body)
            data = interim
        else:
            sock.sendall(payload)
            data = b""
        return read_until_closed(sock, data)


def test_protocol_edges_on_the_real_server(edge_server):
    port = edge_server.port
    question = json.dumps({"question": OLD_QUESTION}).encode()
    ask = (b"POST /api/v1/ask HTTP/1.1\r\nHost: vraagbaak\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n" % len(question))

    # Expect: 100-continue: the 100 comes first, then the answer; too large: 413 at once, without a 100.
    data = _exchange(port, ask + b"Expect: 100-continue\r\nConnection: close\r\n\r\n" + question, pause_after_head=True)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 "), data[:100]
    data = _exchange(port, b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n", pause_after_head=True)
    assert data.startswith(b"HTTP/1.1 413 ") and b"payload_too_large" in data, data[:100]

    # Two requests pipelined on one connection: two answers, in order.
    data = _exchange(port, ask + b"\r\n" + question + b"GET /healthz HTTP/1.1\r\nHost: v\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 ") and data.count(b"HTTP/1.1 200 ") == 2, data[:200]

    # A POST without Content-Length or chunked has an empty body (it is not read until the client closes).
    started = time.monotonic()
    data = _exchange(port, b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\n"
                           b"Connection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 400 ") and b"invalid_json" in data and time.monotonic() - started < 3

    # Broken framing and oversized heads are refused at once, in JSON.
    broken = {
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n": b"400",
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n": b"400",
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n": b"400",
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Length: -1\r\n\r\n": b"400",
        b"GET /healthz HTTP/1.1\nHost: v\n\n": b"400",
        b"GET /healthz HTTP/1.1\r\nHost: v\r\nX-Groot: " + b"a" * 70_000 + b"\r\n\r\n": b"431",
        # Framed whole, then refused by gunicorn's parser: the same JSON errors, not its HTML page.
        b"GET /healthz HTTP/1.1\r\nHost: v\r\nX-Groot: " + b"a" * 9_000 + b"\r\n\r\n": b"431",
        b"GET /" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: v\r\n\r\n": b"414",
        b"get /healthz HTTP/1.1\r\nHost: v\r\n\r\n": b"400",
        b"GET /healthz HTTP/9.9\r\nHost: v\r\n\r\n": b"400",
        b"GET /healthz HTTP/1.1\r\nHost: v\r\nGeen dubbele punt\r\n\r\n": b"400",
        b"GET /healthz HTTP/1.1\r\nHost: v\r\nExpect: 999-iets\r\n\r\n": b"417",
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: iets, chunked\r\n\r\n0\r\n\r\n": b"501",
        b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n": b"501",
    }
    for payload, status in broken.items():
        data = _exchange(port, payload)
        assert data.startswith(b"HTTP/1.1 " + status + b" "), (payload[:60], data[:120])
        head, _, body = data.partition(b"\r\n\r\n")
        assert json.loads(body)["error"]["code"] and b"X-Content-Type-Options: nosniff" in head, data[:300]
    assert request(f"{edge_server.url}/healthz", timeout=5)[0] == 200


def test_after_sigterm_kept_alive_connections_get_a_clean_connection_close(seeds_index_dir, tmp_path):
    """A request on a kept-alive connection after SIGTERM got a connection reset (gthread closed idle
    connections 2 s after SIGTERM, while other requests were still being served)."""
    root = copy_index(seeds_index_dir, tmp_path / "index")
    server = Gunicorn(root, tmp_path, workers=1, threads=4, VRAAGBAAK_READ_TIMEOUT="8")
    try:
        kept = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(4)]
        for sock in kept:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: vraagbaak\r\n\r\n")
            status, headers, _ = read_one_response(sock)
            assert status == 200 and headers.get("connection", "keep-alive").lower() != "close"
        # A request still in flight at SIGTERM: a client sending its body slowly.
        body = json.dumps({"question": OLD_QUESTION}).encode()
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        slow.sendall(b"POST /api/v1/ask HTTP/1.1\r\nHost: vraagbaak\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(3.0)  # past the 2 s gthread gave idle connections
        after_term = []
        for sock in kept:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: vraagbaak\r\n\r\n")
            status, headers, _ = read_one_response(sock)
            after_term.append((status, headers.get("connection"), sock.recv(1024)))  # then a clean close: b""
        slow.sendall(body[10:])
        status, headers, answer = read_one_response(slow)
        assert status == 200 and json.loads(answer)["passages"], answer[:200]
        assert headers.get("connection") == "close"
        assert server.proc.wait(30) == 0
        assert after_term == [(200, "close", b"")] * 4, after_term
        for sock in (*kept, slow):
            sock.close()
        print("\nna SIGTERM: 4 kept-alive verbindingen 200 met Connection: close; het trage verzoek 200; exitcode 0")
    finally:
        server.stop()

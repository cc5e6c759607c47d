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
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.build import build_index
from index.backends.local import open_index
from index.store import current_version
from tests.client import QuestionStream, request
from tests.test_operations import copy_index

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
    def __init__(self, index_dir: Path, tmp: Path, *, workers: int = 2, threads: int = 2):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "serve.log"
        env = {**os.environ, "VRAAGBAAK_INDEX_DIR": str(index_dir), "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prom"),
               "VRAAGBAAK_WORKERS": str(workers), "VRAAGBAAK_THREADS": str(threads),
               "VRAAGBAAK_RATE_LIMIT": "off", "VRAAGBAAK_GRACEFUL_TIMEOUT": "20"}
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

    # SIGTERM while slow requests are in flight: they complete, the master exits 0.
    long_question = " ".join([OLD_QUESTION] * 8)[:990]
    finished: list[tuple[int, float]] = []

    def slow(_):
        status, _ = _ask(server.url, long_question, timeout=60, top_k=20,
                         history=[OLD_QUESTION, NEW_QUESTION, long_question])
        finished.append((status, time.monotonic()))

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(slow, i) for i in range(6)]
        time.sleep(0.15)
        term_sent = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        for future in futures:
            future.result()
    assert server.proc.wait(60) == 0
    assert [s for s, _ in finished] == [200] * 6
    in_flight = sum(1 for _, t in finished if t > term_sent)
    assert in_flight >= 1, "no request was still in flight at SIGTERM"
    print(f"SIGTERM met {in_flight} verzoeken onderweg: alle 6 beantwoord met 200, exitcode 0")

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

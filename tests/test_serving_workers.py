"""How `vraagbaak serve` starts: its workers and question slots, their shared metrics, what it preloads.

A real gunicorn on loopback over the seeds index, as in tests/test_serving.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.client import request
from tests.test_serving import Gunicorn, _ask
from web.answering import EXTENSION
from web.app import create_app
from web.server import AUTO_WORKERS_MAX, available_cores, workers_for

REPO = Path(__file__).resolve().parent.parent


def test_workers_default_to_one_per_core_at_most_a_few():
    assert workers_for(3) == 3  # a configured number is kept
    assert workers_for(0) == max(1, min(AUTO_WORKERS_MAX, available_cores()))


def test_each_request_thread_has_a_question_slot(seeds_index_dir):
    for threads in (3, 8):
        app = create_app({"VRAAGBAAK_INDEX_DIR": str(seeds_index_dir), "VRAAGBAAK_THREADS": threads})
        assert app.extensions[EXTENSION].runner.workers == threads


def test_workers_0_starts_one_per_core_whose_metrics_add_up_without_any_setting(seeds_index_dir, tmp_path):
    data = tmp_path / "data"
    server = Gunicorn(seeds_index_dir, tmp_path, workers=0, metrics_dir=False, VRAAGBAAK_DATA_DIR=str(data))
    try:
        for _ in range(12):
            status, body = _ask(server.url, "Wat is de kostendelersnorm?")
            assert status == 200 and body["passages"]
        booted = [json.loads(line)["message"] for line in server.log_path.read_text("utf-8").splitlines()
                  if line.startswith("{") and "Booting worker" in line]
        assert len(booted) == workers_for(0)
        # Whichever worker answers the scrape, it counts the questions every worker answered.
        for _ in range(4):
            _, _, page = request(f"{server.url}/metrics")
            counted = sum(float(line.split()[-1]) for line in page.decode().splitlines()
                          if line.startswith('vraagbaak_questions_total{channel="api"}'))
            assert counted == 12
        if workers_for(0) > 1:
            assert any((data / "metrics" / str(server.port)).glob("counter_*.db"))
    finally:
        server.stop()


def test_a_preloaded_app_has_read_what_the_first_question_needs(seeds_index_dir):
    # A fresh interpreter: in this one, earlier tests have long loaded all of it.
    script = (
        "import json, sys\n"
        "from web.app import create_app\n"
        "from qa import language\n"
        "from index import sentences\n"
        f"create_app({{'VRAAGBAAK_INDEX_DIR': {str(seeds_index_dir)!r}, 'VRAAGBAAK_PRELOAD': True}})\n"
        "print(json.dumps([language._factory.cache_info().currsize, sentences._tokenizer.cache_info().currsize]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [2, 1]  # both profile sets, and Punkt

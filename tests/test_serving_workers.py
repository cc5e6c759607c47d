"""How many workers and question slots `vraagbaak serve` runs, and that the workers' metrics add up.

A real gunicorn on loopback over the seeds index, as in tests/test_serving.py.
"""

from __future__ import annotations

import json

from tests.client import request
from tests.test_serving import Gunicorn, _ask
from web.answering import EXTENSION
from web.app import create_app
from web.server import AUTO_WORKERS_MAX, available_cores, workers_for


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

"""The benchmark, run for real but short: a real gunicorn, real builds, real encodes.

The questions are the test's own (the evaluation sets are read only by the
benchmark itself, at run time); the corpus is the start of two seed documents,
so that the builds take seconds.
"""

from __future__ import annotations

import json
import math
import os
import socket

import numpy as np
import pytest
import click

from web.bench import runner
from web.bench.report import markdown, to_json
from web.cli import main

pytestmark = pytest.mark.slow

QUESTIONS = [
    {"question": "Welke vijf punten legt Valente aan de leden van de Tweede Kamer voor?"},
    {"question": "Wie is de contactpersoon van de brief over arbeidsmigratie?"},
    {"question": "Hoe groot is de dakloosheid onder arbeidsmigranten uit de EU?"},
    {"question": "En wat wil Valente daaraan doen?",
     "history": ["Waarom stijgt het aantal dakloze arbeidsmigranten?"]},
]

HEADLINE = ("floor_ms", "floor_rps", "ask_p50_ms", "ask_p95_ms", "ask_p99_ms", "throughput_rps",
            "build_rate", "model_passage_rate", "update_s")


@pytest.fixture
def short_corpus(small_corpus):
    for path in small_corpus.iterdir():
        text = path.read_text("utf-8")
        path.write_text(text[:text.index("\n\n", 2000)] + "\n", "utf-8")
    return small_corpus


@pytest.fixture
def eval_dir(tmp_path):
    folder = tmp_path / "eval"
    folder.mkdir()
    lines = [json.dumps({"id": f"t{n}", "answers": [], "source": None, **q}, ensure_ascii=False)
             for n, q in enumerate(QUESTIONS)]
    (folder / "seeds_qa_dev.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_bench_measures_every_part_and_stops_its_server(short_corpus, eval_dir, embedder):
    result = runner.run(quick=True, eval_dir=eval_dir, corpus=short_corpus, throughput_seconds=3,
                        latency_rounds=2, include_scale=False)
    data = json.loads(to_json(result))

    for key in HEADLINE:
        assert isinstance(data[key], (int, float)) and math.isfinite(data[key]) and data[key] > 0, key
    assert data["errors"] == 0
    # Real encodes, not query-cache hits: the questions repeat every round.
    assert data["floor_ms"] > 1 and data["ask"]["breakdown_ms"]["embed_ms"] > 1
    assert len(data["floor"]["passes"]) == 2
    assert data["floor_ms"] == min(p["floor_ms"] for p in data["floor"]["passes"])
    assert data["ask"]["samples"] == 2 * len(QUESTIONS)
    assert data["throughput"]["answered"] > 0 and data["throughput"]["clients"] == 8
    assert data["scale"] == []
    for name in ("ask_p50_over_floor", "ask_p95_over_floor", "throughput_over_floor_rps", "build_over_model_rate"):
        assert math.isfinite(data["ratios"][name]) and data["ratios"][name] > 0
    assert {t["name"] for t in data["targets"]} >= {"ask_p50_over_floor", "update_s"}
    assert data["machine"]["cores"] >= 1 and data["machine"]["workers"] >= 1

    build = data["builds"][0]
    assert build["documents"] == 2 and build["chunks"] > 0 and not build["generated"]
    update = data["update"]
    assert update["embedded_files"] == [update["changed_file"]]
    assert update["embedded_chunks"] == update["file_chunks"] > 0
    assert update["only_changed_file"]
    # The copy was changed, never the corpus the benchmark was given.
    assert "benchmark" not in (short_corpus / update["changed_file"]).read_text("utf-8")

    server = data["server"]
    assert server["exit_code"] == 0  # a graceful SIGTERM stop
    assert _gone(server["pid"]) and _port_closed(server["port"])

    table = markdown(result)
    assert "| meting | gemeten | doel | verhouding | gehaald |" in table
    assert "vraag p95" in table


def test_the_command_line_has_no_options_for_tests_only():
    """Shorter benchmark runs are parameters of runner.run, not hidden options of `vraagbaak bench`."""
    def commands(group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    hidden = [f"{c.name} {p.name}" for c in commands(main) for p in c.params if getattr(p, "hidden", False)]
    assert hidden == []
    assert {p.name for p in main.commands["bench"].params} == {"quick", "json_out", "markdown_out", "eval_dir"}


def test_the_server_is_stopped_when_a_part_is_interrupted(short_corpus, eval_dir, embedder, monkeypatch):
    servers = []
    real_server = runner.ServerProcess

    def recording_server(*args, **kwargs):
        servers.append(real_server(*args, **kwargs))
        return servers[-1]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "ServerProcess", recording_server)
    monkeypatch.setattr(runner.floor_bench, "measure", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.run(quick=True, eval_dir=eval_dir, corpus=short_corpus, include_scale=False)
    [server] = servers
    assert server.proc.returncode == 0
    assert _gone(server.proc.pid) and _port_closed(server.port)


def test_scale_part_measures_every_index_type_on_a_synthesized_corpus(seeds_snapshot, embedder):
    """Part 5 on a small size: real index versions, probed in fresh processes, cleaned up after."""
    from index.settings import Settings
    from web.bench import scale

    vectors = seeds_snapshot.all_vectors()
    texts = [c.text for c in seeds_snapshot.chunks(list(range(seeds_snapshot.size)))]
    model = {"model": embedder.model_id, "dimension": embedder.dimension}
    questions = ["Hoeveel mensen wachten op een woning?", "Wat verandert er voor gemeenten?",
                 "Welke regels gelden voor opvang?", "Wie betaalt de kosten van het plan?"]
    bench_dir = Settings().data / "bench"
    before = set(bench_dir.glob("*")) if bench_dir.exists() else set()
    size = 3 * len(texts)
    entries = scale.run(False, lambda message: None, sizes=(size,), real=(vectors, texts, model),
                        questions=questions)

    assert [e["kind"] for e in entries] == ["flat", "ivf", "hnsw"]
    for entry in entries:
        assert entry["chunks"] == size and entry["synthesized"] and entry["queries"] == len(questions)
        assert entry["vector_index"] == entry["kind"]
        assert 0 < entry["retrieval_p50_ms"] <= entry["retrieval_p95_ms"]
        assert entry["dense_p95_ms"] > 0 and entry["lexical_p95_ms"] > 0 and entry["disk_mb"] > 0
    assert entries[0]["recall_at_10"] == 1.0
    assert all(e["recall_at_10"] >= 0.9 for e in entries[1:])
    assert set(bench_dir.glob("*")) == before  # its index versions are removed


def test_synthesized_chunks_keep_real_ones_and_differ_from_each_other(seeds_snapshot):
    from web.bench.scale import synthesize

    vectors = seeds_snapshot.all_vectors()
    texts = [c.text for c in seeds_snapshot.chunks(list(range(seeds_snapshot.size)))]
    more, more_texts = synthesize(vectors, texts, 5 * len(texts))
    assert more.shape == (5 * len(texts), vectors.shape[1])
    np.testing.assert_array_equal(more[: len(texts)], vectors)
    np.testing.assert_allclose(np.linalg.norm(more, axis=1), 1.0, atol=1e-5)
    assert more_texts[: len(texts)] == texts
    assert len(set(more_texts)) > 0.95 * len(more_texts)
    # Synthesized vectors stay near the real cloud: each is closest to some real chunk by a wide margin.
    nearest = (more[len(texts):] @ vectors.T).max(axis=1)
    assert np.median(nearest) > 0.85

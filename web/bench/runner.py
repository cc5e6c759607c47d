"""Runs the benchmark parts in one process, in an order that keeps them from disturbing each other.

Everything lives in one temporary folder (corpus copies, indexes, the
server's log and metrics) that is removed at the end; data/index is never
touched. The server is a real `vraagbaak serve` (gunicorn) subprocess on a
free loopback port (server_process.py). It is started first, so that it
loads its model while this process loads its own (nothing is measured then);
it sits idle during the in-process measurements and always gets SIGTERM at
the end, also on an error, Ctrl-C or SIGTERM of the benchmark itself.

Order: floor, full build of the corpus (the server's index), ask latency,
throughput, server stopped, floor again (a second pass shows whether the
machine stayed quiet), one-file update; in a full run then the generated
corpus, chunking a generated 10 MB text, and the scale part.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from index.backends.local import LocalSource
from index.settings import PROJECT_ROOT

from . import DEFAULT_EVAL_DIR, SEEDS_QUESTIONS, BenchError, bench_settings
from . import number as _n
from . import build as build_bench
from . import chunking as chunking_bench
from . import floor as floor_bench
from . import latency as latency_bench
from . import load as load_bench
from .report import evaluate_targets
from .server_process import HOST, ServerProcess

SEEDS = PROJECT_ROOT / "seeds"
CLIENTS = 8
# The model-alone rate of the generated corpus is measured on this many of its passages.
MODEL_SAMPLE = 2000

# (quick, full): floor rounds over the questions (per pass), latency rounds, throughput seconds.
FLOOR_ROUNDS = (2, 5)
LATENCY_ROUNDS = (2, 5)
THROUGHPUT_SECONDS = (30.0, 60.0)

Say = Callable[[str], None]


def run(*, quick: bool, eval_dir: Path | None = None, corpus: Path = SEEDS, progress: Say | None = None,
        throughput_seconds: float | None = None, latency_rounds: int | None = None, include_scale: bool = True,
        generated_files: int = build_bench.GENERATED_FILES) -> dict:
    """All parts; returns the result document (see report.py for its keys).

    `vraagbaak bench` runs it on the seeds with the standard durations; the
    other parameters make a shorter run (the test suite)."""
    say = progress or (lambda message: None)
    mode = 0 if quick else 1
    began = time.perf_counter()
    questions = _questions(eval_dir or DEFAULT_EVAL_DIR)
    workers, threads, torch_threads = _serving_settings()
    build_options = _build_options()
    headers = _auth_headers()
    result: dict = {"mode": "snel" if quick else "volledig", "machine": _machine(workers, threads, torch_threads)}

    with _sigterm_as_interrupt(), tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        work = Path(tmp)
        corpus_copy, index_dir = _workspace(corpus, work)
        index_source = LocalSource(index_dir, **build_options)
        server = ServerProcess(index_dir, work / "server", workers=workers, threads=threads)
        say(f"Server starten op {HOST}:{server.port} ({workers} worker(s) × {threads} threads) ...")
        try:
            embedder = _load_model(say, server)
            floors = [_floor(say, embedder, questions, torch_threads, mode, "eerste")]
            builds = [_build_corpus(say, corpus, corpus_copy, index_source, embedder)]
            paragraphs = [c.text for c in build_bench.chunks(index_dir)] if not quick else []
            _serving_part(say, server, questions, result, rounds=latency_rounds or LATENCY_ROUNDS[mode],
                          seconds=throughput_seconds or THROUGHPUT_SECONDS[mode], headers=headers)
        finally:
            say("Server stoppen (SIGTERM) ...")
            result["server"] = server.stop()

        floors.append(_floor(say, embedder, questions, torch_threads, mode, "tweede"))
        result["floor"] = _combine_floors(say, floors)
        updates = [_update_corpus(say, corpus, corpus_copy, index_source, embedder)]
        if not quick:
            updates.append(_generated_part(say, paragraphs, work, embedder, builds, generated_files, build_options))
            say("Deel 4 — passages maken van een gegenereerde tekst van 10 MB (twee vormen) ...")
            result["chunking"] = chunking_bench.measure(corpus, embedder, say=say)
        result["builds"], result["updates"] = builds, updates
        # The target is about the largest corpus: the generated one in a full run.
        result["update"] = updates[-1]

    # A quick run is parts 1-4 only: its two minutes leave no room for the scale part.
    _conclude(say, result, scale=include_scale and not quick, began=began)
    return result


def _workspace(corpus: Path, work: Path) -> tuple[Path, Path]:
    """The run's own copy of the corpus (the update part changes a file in it) and an empty index folder."""
    corpus_copy = work / "corpus"
    shutil.copytree(corpus, corpus_copy)
    index_dir = work / "index"
    index_dir.mkdir()
    return corpus_copy, index_dir


def _load_model(say: Say, server: ServerProcess):
    """This process's model, loaded while the server loads its own; then waits until the server is alive."""
    from index.embedder import load_embedder

    say("Model laden ...")
    embedder = load_embedder(progress=say)
    server.wait_for("/healthz")
    return embedder


def _build_corpus(say: Say, corpus: Path, corpus_copy: Path, index_source: LocalSource, embedder) -> dict:
    """The full build of the corpus copy into the server's index, against the model alone on its passages."""
    say(f"Deel 4 — index bouwen van {corpus.name} (volledig) en het model alleen op dezelfde passages ...")
    build = build_bench.measure_build(corpus_copy, index_source, embedder, label=corpus.name,
                                      generated=False, say=say)
    _say_build(say, build)
    return build


def _serving_part(say: Say, server: ServerProcess, questions: list[dict], result: dict, *, rounds: int,
                  seconds: float, headers: dict) -> None:
    """Once the server has loaded the index: the ask latency of one client, then the throughput of
    CLIENTS at once; puts them in the result as "ask" and "throughput"."""
    say("Wachten tot de server de index geladen heeft (/readyz) ...")
    server.wait_for("/readyz")
    say(f"Deel 2 — vraaglatentie: {len(questions)} vragen × {rounds} rondes, één client ...")
    ask = latency_bench.measure(HOST, server.port, questions, rounds=rounds, headers=headers)
    say(f"  p50 {_n(ask['ask_p50_ms'])} ms, p95 {_n(ask['ask_p95_ms'])} ms, "
        f"p99 {_n(ask['ask_p99_ms'])} ms ({ask['errors']} fouten)")
    result["ask"] = ask

    say(f"Deel 3 — doorvoer: {CLIENTS} clients tegelijk, {_n(seconds)} s ...")
    load = load_bench.measure(HOST, server.port, questions, clients=CLIENTS, seconds=seconds,
                              cores=result["machine"]["cores"], headers=headers)
    say(f"  {_n(load['throughput_rps'])} vragen/s, {load['errors']} fouten")
    result["throughput"] = load


def _combine_floors(say: Say, floors: list[dict]) -> dict:
    """The floor of the run from its passes; says so when they lie too far apart for a quiet machine."""
    floor = floor_bench.combine(floors)
    if not floor["stable"]:
        say(f"  Let op: de vloermetingen liggen {_n(floor['spread'])} keer uit elkaar; "
            "de machine was niet rustig.")
    return floor


def _update_corpus(say: Say, corpus: Path, corpus_copy: Path, index_source: LocalSource, embedder) -> dict:
    """The update of the corpus copy's index after one changed file."""
    say(f"Deel 4 — bijwerken van {corpus.name} na één gewijzigd bestand ...")
    update = build_bench.measure_update(corpus_copy, index_source, embedder, label=corpus.name)
    _say_update(say, update)
    return update


def _conclude(say: Say, result: dict, *, scale: bool, began: float) -> None:
    """After parts 1-4: the scale part when asked for, then the headline numbers, the targets, the
    duration and the machine's load at the end."""
    result["scale"] = _scale(say, result) if scale else []
    _flatten(result)
    result["ratios"], result["targets"] = evaluate_targets(result)
    result["wall_s"] = time.perf_counter() - began
    result["machine"]["load_average_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _floor(say: Say, embedder, questions: list[dict], torch_threads: int, mode: int, which: str) -> dict:
    # Measured twice, before and after the server's parts, to see whether the machine stayed quiet.
    say(f"Deel 1 — vloer ({which} meting): {len(questions)} vragen met het model alleen "
        f"({torch_threads} torch-threads) ...")
    floor = floor_bench.measure(embedder, [q["question"] for q in questions], torch_threads=torch_threads,
                                rounds=FLOOR_ROUNDS[mode])
    say(f"  {_n(floor['floor_ms'])} ms per vraag, {_n(floor['floor_rps'])} vragen/s na elkaar")
    return floor


def _generated_part(say: Say, paragraphs: list[str], work: Path, embedder, builds: list[dict],
                    files: int, build_options: dict) -> dict:
    """A full run's generated corpus (paragraphs of the seeds): its full build, appended to builds, and its
    update after one changed file, which it returns."""
    generated = work / "generated"
    count = build_bench.generate_corpus(paragraphs, generated, embedder, files=files)
    say(f"Deel 4 — gegenereerd corpus: {files} bestanden, {count} alinea's uit de seeds; volledig bouwen ...")
    target = LocalSource(work / "generated-index", **build_options)
    builds.append(build_bench.measure_build(generated, target, embedder, label="gegenereerd corpus",
                                            generated=True, say=say, model_sample=MODEL_SAMPLE))
    _say_build(say, builds[-1])
    say("Deel 4 — bijwerken van het gegenereerde corpus na één gewijzigd bestand ...")
    update = build_bench.measure_update(generated, target, embedder, label="gegenereerd corpus")
    _say_update(say, update)
    return update


def _say_build(say: Say, build: dict) -> None:
    say(f"  {build['chunks']} passages in {_n(build['build_s'])} s ({_n(build['build_rate'])}/s); "
        f"model alleen {_n(build['model_passage_rate'])}/s")


def _say_update(say: Say, update: dict) -> None:
    say(f"  {_n(update['update_s'], 2)} s; ge-embed: {', '.join(update['embedded_files']) or 'niets'} "
        f"({update['embedded_chunks']} passages)")


def _scale(say: Say, result: dict) -> list[dict]:
    say("Deel 5 — schaal ...")
    try:
        from .scale import run as run_scale

        return list(run_scale(False, say))
    except (ImportError, NotImplementedError):
        return []
    except Exception as exc:  # noqa: BLE001 -- parts 1-4 took many minutes; keep them, say what failed
        say(f"  Schaalmeting mislukt: {exc}")
        result["scale_error"] = f"{type(exc).__name__}: {exc}"
        return []


def _flatten(result: dict) -> None:
    """The headline numbers at the top level of the JSON, where tools look for them."""
    floor, ask, load = result["floor"], result["ask"], result["throughput"]
    build = result["builds"][-1]  # the largest corpus of this run
    result.update({
        "floor_ms": floor["floor_ms"],
        "floor_rps": floor["floor_rps"],
        "ask_p50_ms": ask["ask_p50_ms"],
        "ask_p95_ms": ask["ask_p95_ms"],
        "ask_p99_ms": ask["ask_p99_ms"],
        "throughput_rps": load["throughput_rps"],
        # Any failed answer counts, in the latency run as much as under load.
        "errors": ask["errors"] + load["errors"],
        "build_rate": build["build_rate"],
        "model_passage_rate": build["model_passage_rate"],
        "update_s": result["update"]["update_s"],
    })


def _questions(eval_dir: Path) -> list[dict]:
    from qa.evaluate import load_questions

    path = eval_dir / SEEDS_QUESTIONS
    if not path.is_file():
        raise BenchError(f"Het vragenbestand {path} bestaat niet; geef met --eval-dir de map met {SEEDS_QUESTIONS}.")
    try:
        questions = load_questions(path)
    except ValueError as exc:
        raise BenchError(str(exc)) from exc
    if not questions:
        raise BenchError(f"Het vragenbestand {path} bevat geen vragen.")
    return questions


def _serving_settings() -> tuple[int, int, int]:
    """Workers, threads and torch threads per worker exactly as `vraagbaak serve` would use them."""
    from web.server import torch_threads_per_worker, workers_for

    settings = bench_settings()
    workers, threads = workers_for(settings.workers), settings.threads
    return workers, threads, torch_threads_per_worker(workers, settings.torch_threads)


def _build_options() -> dict:
    """The vector index `vraagbaak index` would build; the benchmark's indexes are local files, always."""
    settings = bench_settings()
    return {"vector_index": settings.vector_index, "ann_threshold": settings.ann_threshold}


def _auth_headers() -> dict:
    """The server requires the API token when one is configured; the benchmark uses it like any client."""
    token = bench_settings().api_token
    return {"Authorization": f"Bearer {token}"} if token else {}


def _machine(workers: int, threads: int, torch_threads: int) -> dict:
    import torch

    from web.server import available_cores

    return {
        "cores": available_cores(),
        "cpu": _cpu_name(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads_per_worker": torch_threads,
        "torch_threads_build": torch.get_num_threads(),
        "workers": workers,
        "threads_per_worker": threads,
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _cpu_name() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8", "replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM to the benchmark unwinds like Ctrl-C, so the server is still stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

"""The floor: what the model alone needs for a question, with the server's torch threads.

No service can answer faster than it can embed the question, so the ask
latency and the throughput are judged as multiples of these two numbers.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

WARMUP = 5
BACK_TO_BACK_MAX_S = 15.0
# Two passes further apart than this factor mean the machine was busy with
# something else; the ratios of such a run say little.
STABLE_SPREAD = 1.5


def measure(embedder, questions: Sequence[str], *, torch_threads: int, rounds: int) -> dict:
    """Median ms for one question (encode_queries on one question) and questions/s back to back."""
    import torch

    if not questions:
        raise ValueError("geen vragen om te meten")
    previous = torch.get_num_threads()
    torch.set_num_threads(torch_threads)
    # The floor is the model's work: the query cache (index.embedder.QueryCache)
    # would turn every repeated question into a dictionary lookup, so it is off
    # (size 0) for the measurement, then restored.
    cache = getattr(embedder, "query_cache", None)
    cache_size = getattr(cache, "size", None)
    if cache_size is not None:
        cache.size = 0
    try:
        # As in the server: torch threads set by the process's main thread, the
        # question asked from a pool thread (web.answering's question pool); the
        # model itself runs on the process's model thread (index.embedder).
        with ThreadPoolExecutor(1, thread_name_prefix="bench-floor") as pool:
            single_ms, count, elapsed = pool.submit(_encode_all, embedder, list(questions), rounds).result()
    finally:
        torch.set_num_threads(previous)
        if cache_size is not None:
            cache.size = cache_size
    return {
        "floor_ms": statistics.median(single_ms),
        "floor_rps": count / elapsed,
        "questions": len(questions),
        "encodes_back_to_back": count,
        "torch_threads": torch_threads,
    }


def _encode_all(embedder, questions: list[str], rounds: int) -> tuple[list[float], int, float]:
    for text in questions[:WARMUP]:
        embedder.encode_queries([text])
    single_ms = []
    for text in questions:
        started = time.perf_counter()
        embedder.encode_queries([text])
        single_ms.append((time.perf_counter() - started) * 1000)
    # One call per question, as a request does it: a batch would be faster than
    # anything a stream of separate requests can reach. On a machine so busy
    # that this takes long, the rate is known well enough after BACK_TO_BACK_MAX_S.
    count = 0
    started = time.perf_counter()
    deadline = started + BACK_TO_BACK_MAX_S
    for _ in range(rounds):
        for text in questions:
            embedder.encode_queries([text])
            count += 1
            if time.perf_counter() > deadline:
                break
        else:
            continue
        break
    return single_ms, count, time.perf_counter() - started


def combine(passes: list[dict]) -> dict:
    """The floor of several passes: the least disturbed one, and how far they lay apart.

    Other work on the machine only ever slows the model down (with two torch
    threads on two busy cores one encode can take 40 times as long), so the
    fastest pass is the best estimate of what the model itself needs.
    """
    spread = max(p["floor_ms"] for p in passes) / min(p["floor_ms"] for p in passes)
    return {
        "floor_ms": min(p["floor_ms"] for p in passes),
        "floor_rps": max(p["floor_rps"] for p in passes),
        "torch_threads": passes[0]["torch_threads"],
        "spread": spread,
        "stable": spread <= STABLE_SPREAD,
        "passes": passes,
    }

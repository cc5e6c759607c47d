"""Throughput: questions per second with N concurrent clients for a fixed time.

The load generator is this process: N threads, each with its own keep-alive
http.client connection, sending the questions back to back (each thread
starts at another place in the list). It runs on the same cores as the
server, so its own CPU time is measured and reported: when it is a small
share of the machine, the number is the server's.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Sequence

from .latency import Client, payload, percentile

GENERATOR = "Python http.client, één thread en keep-alive-verbinding per client"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(host: str, port: int, questions: Sequence[dict], *, clients: int, seconds: float,
            cores: int, headers: dict | None = None) -> dict:
    bodies = [payload(item) for item in questions]
    results = [{"ok": 0, "errors": 0, "latencies": []} for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    finished = [0.0] * clients
    deadline = [0.0]

    def client_loop(number: int) -> None:
        client = Client(host, port, headers=headers)
        mine = results[number]
        position = number * len(bodies) // clients
        try:
            start.wait()
            while time.perf_counter() < deadline[0]:
                began = time.perf_counter()
                status, _ = client.post(bodies[position % len(bodies)])
                position += 1
                if status == 200:
                    mine["ok"] += 1
                    mine["latencies"].append((time.perf_counter() - began) * 1000)
                else:
                    mine["errors"] += 1
        finally:
            finished[number] = time.perf_counter()
            client.close()

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True, name=f"bench-client-{n}")
               for n in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = _cpu_seconds()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    # Requests in flight at the deadline are finished and counted, so the
    # window ends with the last of them, not at the deadline.
    elapsed = max(finished) - began
    cpu = _cpu_seconds() - cpu_before
    ok = sum(r["ok"] for r in results)
    latencies = [ms for r in results for ms in r["latencies"]]
    return {
        "throughput_rps": ok / elapsed,
        "errors": sum(r["errors"] for r in results),
        "answered": ok,
        "clients": clients,
        "seconds": elapsed,
        "p50_ms_under_load": percentile(latencies, 50),
        "p95_ms_under_load": percentile(latencies, 95),
        "generator": GENERATOR,
        "generator_cpu_s": cpu,
        # Share of all the machine's cores the load generator itself used.
        "generator_cpu_share": cpu / (elapsed * cores),
    }

"""Clients that do not read their answers, against the real server (`vraagbaak serve`, web.outbox).

A thread used to write each answer with a blocking write: a client that sent many requests at once
and never read the answers held a thread for gunicorn's timeout (60 s) per connection, so a few such
connections froze a worker, /healthz included.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.client import request
from tests.hostile import many_descriptors, parse_response, read_until_closed
from tests.test_serving import READ_TIMEOUT, edge_server  # noqa: F401 -- the fixture: 1 worker, 4 threads

pytestmark = pytest.mark.slow

OPENAPI = b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: vraagbaak\r\n\r\n"


def _not_reading(port: int, payload: bytes) -> socket.socket:
    """A connection with a small receive buffer that sends `payload` and then reads nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(payload)
    return sock


def _responses(data: bytes) -> list[tuple[int, bytes]]:
    """(status, body) of each response in a stream of Content-Length framed responses."""
    found = []
    while data:
        status, headers, rest = parse_response(data)
        if not status:
            break
        length = int(headers.get("content-length", "0"))
        found.append((status, rest[:length]))
        data = rest[length:]
    return found


def test_clients_that_do_not_read_their_answers_hold_no_thread(edge_server):  # noqa: F811
    whole = json.loads(request(f"{edge_server.url}/api/v1/openapi.json")[2])
    assert len(json.dumps(whole)) > 8 * 4096  # more than the client's buffers take at once
    held = [_not_reading(edge_server.port, OPENAPI * 300) for _ in range(8)]  # twice the server's threads
    try:
        time.sleep(6.0)  # time enough to fill every buffer between the server and these clients
        started = time.monotonic()
        status = request(f"{edge_server.url}/healthz", timeout=30)[0]
        seconds = time.monotonic() - started
        assert status == 200 and seconds < 3, f"/healthz waited {seconds:.1f} s behind clients that do not read"
    finally:
        for sock in held:
            sock.close()


def test_an_answer_read_late_arrives_whole_and_in_order(edge_server):  # noqa: F811
    whole = request(f"{edge_server.url}/api/v1/openapi.json")[2]
    last = b"GET /healthz HTTP/1.1\r\nHost: vraagbaak\r\nConnection: close\r\n\r\n"
    sock = _not_reading(edge_server.port, OPENAPI * 3 + last)
    try:
        time.sleep(2.0)  # the answers wait for the client meanwhile
        sock.settimeout(10)
        responses = _responses(read_until_closed(sock))
    finally:
        sock.close()
    assert [status for status, _ in responses] == [200, 200, 200, 200]
    assert [body for body, in ((b,) for _, b in responses[:3])] == [whole] * 3
    assert json.loads(responses[3][1])["status"]


def test_at_the_connection_limit_a_new_client_waits_its_turn(edge_server):  # noqa: F811
    """With every connection of the worker busy sending a request, the newest one was taken for an idle
    one before its bytes were read, and closed to make room: every new client got a reset."""
    stalled = []
    with many_descriptors(1000):
        try:
            for _ in range(1000):  # gunicorn's worker_connections: each sends half a request, then nothing
                sock = socket.create_connection(("127.0.0.1", edge_server.port), timeout=5)
                sock.sendall(b"POST /api/v1/ask HTTP/1.1\r\nHost: v\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100\r\n\r\n{")
                stalled.append(sock)
            time.sleep(1.0)
            # It waits in the queue until the stalled requests time out (408), and is then answered.
            status = request(f"{edge_server.url}/healthz", timeout=READ_TIMEOUT + 10)[0]
            assert status == 200
        finally:
            for sock in stalled:
                sock.close()

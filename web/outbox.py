"""The thread's side of writing an answer: what the client does not take at once waits for the event loop.

A thread of web.worker writes an answer to the client's socket. A client that does not read (or
reads slowly) fills the socket's buffers, and a blocking write then held the thread until
gunicorn's timeout (60 s): eight connections that each sent a few hundred requests at once and
never read the answers froze a worker of eight threads for a minute, /healthz included. An
answer larger than what the buffers take (an answer of 20 passages, the OpenAPI document) did the
same with one request each.

`Outbox` stands in for the socket while a thread writes: it sends what the socket takes without
waiting, and keeps the rest in memory; the loop sends that when the client reads, and the thread
is free at once. What is kept is bounded: per answer (`OUTBOX_MAX`) and for the whole worker
(`OutboxBudget`). An answer over those bounds, such as an original file being downloaded, is
written as before, with the thread waiting for the client (docs/operations.md, "Grenzen").
"""

from __future__ import annotations

import socket
import threading

# What one answer may leave waiting in memory for a client that does not read yet.
OUTBOX_MAX = 1024 * 1024
# What all answers of one worker may leave waiting together: at the limit, threads wait as before.
OUTBOX_BUDGET = 32 * 1024 * 1024


class OutboxBudget:
    """The bytes all of a worker's outboxes may hold together (shared by its threads and its loop)."""

    def __init__(self, total: int = OUTBOX_BUDGET):
        self.left = total
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if size > self.left:
                return False
            self.left -= size
            return True

    def give_back(self, size: int) -> None:
        with self._lock:
            self.left += size


class Outbox:
    """A socket for gunicorn's response writer that never makes a thread wait for a client that has room.

    Everything that is not `sendall` or `sendfile` goes to the real socket.
    """

    def __init__(self, sock: socket.socket, budget: OutboxBudget, limit: int = OUTBOX_MAX):
        self._sock = sock
        self._budget = budget
        self._limit = limit
        self.pending = bytearray()

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, data) -> None:
        data = memoryview(data).cast("B")
        if not self.pending:
            data = data[self._send_now(data):]
            if not len(data):
                return
        if len(self.pending) + len(data) <= self._limit and self._budget.take(len(data)):
            self.pending += data
            return
        # Too much to keep: the rest is written as before, the thread waiting for the client.
        self.flush()
        self._sock.sendall(data)

    def sendfile(self, file, offset: int = 0, count: int | None = None):
        """A file goes out from the thread, as before (only what came before it may wait here)."""
        self.flush()
        return self._sock.sendfile(file, offset, count)

    def flush(self) -> None:
        """Send what waits, the thread waiting for the client (within the socket's timeout)."""
        if self.pending:
            waiting, self.pending = bytes(self.pending), bytearray()
            self._budget.give_back(len(waiting))
            self._sock.sendall(waiting)

    def send_some(self) -> bool:
        """From the loop, on a non-blocking socket: send what the client takes now; True when all is sent."""
        if self.pending:
            sent = self._send_now(memoryview(self.pending))
            del self.pending[:sent]
            self._budget.give_back(sent)
        return not self.pending

    def discard(self) -> None:
        """The client is gone: what waited for it is given back."""
        self._budget.give_back(len(self.pending))
        self.pending = bytearray()

    def _send_now(self, data: memoryview) -> int:
        """As much of `data` as the socket takes without waiting.

        A socket with a timeout first waits until it can send (CPython polls before each send),
        so the socket is made non-blocking for the one call, and its timeout restored after.
        """
        timeout = self._sock.gettimeout()
        self._sock.setblocking(False)
        try:
            return self._sock.send(data)
        except (BlockingIOError, InterruptedError):
            return 0
        finally:
            self._sock.settimeout(timeout)

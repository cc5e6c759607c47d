"""The gunicorn worker of `vraagbaak serve`: gthread, but no thread ever waits for a client.

gunicorn's gthread worker (27.0) gives a connection to a thread as soon as it is accepted: the thread
waits up to 5 s for the first byte, reads the head, and the app reads the body from the blocking
socket, for as long as the client takes. Four clients that announce `Content-Length: 1000` and send a
few bytes held all four threads of a worker, and /healthz, /readyz and every question waited as long.

BufferedThreadWorker keeps what gthread does -- the threads, preload, the graceful stop -- but every
request, head and body, is read by the worker's event loop (the selector that accepts connections),
into memory, and a thread gets it only when it is complete. A slow client then costs a socket and a
buffer, not a thread. Requests that cannot be complete are answered by the loop itself, in the API's
JSON error format, and the connection is closed:

* the whole request must arrive within `read_timeout` seconds of its first byte: else 408;
* a body over `max_body` bytes (Content-Length, or the chunks received so far): 413 at once, without
  reading it and without a "100 Continue";
* an admin's upload of documents (web.upload_limits) may be up to its own limit, and is written to a
  temporary file as it arrives, not into memory; it gets `read_timeout` plus one second per
  UPLOAD_MIN_RATE bytes of its Content-Length to arrive;
* a head over HEAD_LIMIT bytes: 431; framing that cannot be read safely (two Content-Lengths, both
  Content-Length and Transfer-Encoding, a bad chunk size, a bare LF, ...): 400.

The thread parses the request from memory (gunicorn's own parser, fed from the buffer) and never
reads the socket, so a mistake in the loop's framing can cost a 400, never a stuck thread. It
writes the answer without waiting for the client: what the socket does not take at once is sent by
the loop as the client reads (web.outbox), within `cfg.timeout`, before the next request on that
connection is read; only an answer too large to keep (an original file) is written by the thread
with a socket timeout of `cfg.timeout`. What the parser refuses (a bad
request line, method, version or header; a URI or header line over gunicorn's limits; an unknown
Expect or Transfer-Encoding) gets the same JSON errors, not gunicorn's English page: 400, 414, 431,
417 or 501 (PARSER_REFUSALS).

At gunicorn's connection limit (`worker_connections`), or when the process runs out of file
descriptors, the oldest connections that have not sent a byte of a request for MIN_IDLE seconds are
closed to make room (`_make_room`): idle connections cannot keep every other client out, and a
connection just accepted is not taken for an idle one.

A connection that is closed after an answer is half-closed and drained by the loop for a few
seconds (lingering close): a client still sending a body it was refused then reads the 413 instead
of a connection reset. gthread did that on its main thread, blocking it up to 2 s per connection.

SIGTERM: the worker stops accepting; requests being read or in flight finish (`graceful_timeout`).
Idle kept-alive connections stay open meanwhile, at least STOP_LINGER seconds: a request that
arrives on one is answered with `Connection: close`, and then the connection is closed cleanly.

HTTP/2 and TLS are not served by this worker; `vraagbaak serve` uses neither (put TLS in the proxy).
"""

from __future__ import annotations

import errno
import logging
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

from .connection import Connection, remote_addr
from .framing import Framing
from .loop_answers import CONTINUE, REFUSALS, upload_refusal
from .outbox import OutboxBudget
from .worker_answers import Answering

log = logging.getLogger("vraagbaak.server")

RECV_SIZE = 64 * 1024
LINGER_IDLE = 2.0  # lingering close: seconds without data from the client ...
LINGER_MAX = 5.0  # ... and at most this long in all
STOP_LINGER = 2.0  # after SIGTERM, idle kept-alive connections stay open at least this long
UPLOAD_MIN_RATE = 100 * 1024  # bytes per second an upload's body must at least arrive with
ROOM_SHARE = 20  # at the connection limit, up to 1/ROOM_SHARE of it in idle connections is closed at once
ROOM_LOG_EVERY = 10.0  # seconds between two warnings that the limit was reached
ACCEPT_PAUSE = 0.1  # seconds without accepting after the process ran out of file descriptors
# At the connection limit, a connection counts as idle (and may be closed to make room) only after
# this many seconds without a byte: one just accepted has not been read yet, and is no idle one.
MIN_IDLE = 1.0


class BufferedThreadWorker(Answering, ThreadWorker):
    """gthread with requests read by the event loop; see the module docstring. Set the class attributes.

    The thread's part -- serving the complete request, and the loop sending what the client has not
    taken of its answer -- is web.worker_answers (Answering)."""

    max_body = 64 * 1024
    read_timeout = 10.0
    upload = None  # web.upload_limits.UploadLimit: the larger limit of an admin's upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading: set[Connection] = set()
        self.lingering: set[Connection] = set()
        self.writing: set[Connection] = set()  # answers the loop sends to clients that read slowly
        self.outbox_budget = OutboxBudget()
        self.busy = 0  # connections whose request a thread has
        self._room_logged = float("-inf")
        self._accept_paused_until = float("-inf")  # out of file descriptors: try accepting again after it

    # -- the loop --

    def run(self):
        self.poller.register(self.method_queue.fileno(), selectors.EVENT_READ, self.method_queue.run_callbacks)
        self.set_accept_enabled(True)
        while self.alive:
            self.notify()
            if self.nr_conns >= self.worker_connections:
                self._make_room()
            can_accept = self.nr_conns < self.worker_connections and time.monotonic() >= self._accept_paused_until
            if can_accept != self._accepting:
                self.set_accept_enabled(can_accept)
            self.wait_for_and_dispatch_events(timeout=self._wait())
            if not self.is_parent_alive():
                break
            self._expire()
        self._stop()

    def _stop(self):
        """Graceful stop: no new connections; requests being read or in flight finish."""
        self.set_accept_enabled(False)
        now = time.monotonic()
        stopping_since, give_up = now, now + self.cfg.graceful_timeout
        while now < give_up:
            in_flight = self.busy or self.writing or any(c.reading_request for c in self.reading)
            if not in_flight and now >= stopping_since + STOP_LINGER:
                break
            self.notify()
            self.wait_for_and_dispatch_events(timeout=min(0.2, self._wait()))
            self._expire()
            now = time.monotonic()
        for conn in list(self.reading) + list(self.lingering) + list(self.writing):
            self._close(conn)
        self.tpool.shutdown(wait=False)
        self.poller.close()
        self.method_queue.close()
        for listener in self.sockets:
            listener.close()

    def _wait(self) -> float:
        deadlines = ([c.deadline for c in self.reading] + [c.linger_until for c in self.lingering]
                     + [c.deadline for c in self.writing])
        if not deadlines:
            return 1.0
        return max(0.0, min(1.0, min(deadlines) - time.monotonic()))

    def wait_for_and_dispatch_events(self, timeout):
        try:
            events = self.poller.select(timeout)
        except OSError as exc:
            if exc.errno != errno.EINTR:
                raise
            return
        for key, _ in events:
            conn = key.data.args[0] if isinstance(key.data, partial) else None
            if conn is None:  # accepting, or the thread pool's callbacks
                key.data(key.fileobj)
                continue
            try:
                key.data(key.fileobj)
            except Exception:  # noqa: BLE001 -- one connection's trouble must not end the worker
                log.exception("Fout bij het afhandelen van een verbinding")
                self._close(conn)

    def _expire(self):
        now = time.monotonic()
        for conn in [c for c in self.reading if c.deadline <= now]:
            if conn.reading_request:
                self._refuse(conn, "timeout")
            else:
                self._close(conn)  # idle: nothing asked, nothing to answer
        for conn in [c for c in self.lingering if c.linger_until <= now]:
            self._close(conn)
        for conn in [c for c in self.writing if c.deadline <= now]:
            log.info("Antwoord niet afgeleverd: de client nam het niet op tijd aan",
                     extra={"remote_addr": remote_addr(conn.client)})
            self._close(conn)

    def _make_room(self):
        """At the connection limit, close the oldest connections that have asked nothing yet.

        A connection that sends nothing is otherwise kept `read_timeout` seconds (or the keep-alive
        time): a thousand of them, reopened as they are closed, kept every other client waiting for
        as long. A connection that is sending a request, lingering after its answer or being
        answered is never closed here; an idle one may be (RFC 9112 allows closing an idle
        connection at any time, and clients retry on a new one).
        """
        now = time.monotonic()
        idle = sorted((c for c in self.reading if not c.reading_request and now - c.idle_since >= MIN_IDLE),
                      key=lambda c: c.deadline)
        for conn in idle[: max(1, self.worker_connections // ROOM_SHARE)]:
            self._close(conn)
        if idle and now - self._room_logged >= ROOM_LOG_EVERY:
            self._room_logged = now
            log.warning("Verbindingslimiet (%d) bereikt: verbindingen zonder verzoek gesloten om plaats te maken",
                        self.worker_connections)

    # -- reading requests --

    def accept(self, listener):
        try:
            sock, client = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                # Out of file descriptors before the connection limit: make room as at the limit, and
                # pause accepting briefly rather than spin on a listener that stays readable.
                self._make_room()
                self._accept_paused_until = time.monotonic() + ACCEPT_PAUSE
                self.set_accept_enabled(False)
                return
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock.setblocking(False)
        conn = Connection(sock, client, listener.getsockname(), self.max_body, self.upload)
        self._read(conn, idle=self.read_timeout)

    def _read(self, conn: Connection, idle: float):
        """Wait for (the rest of) a request on `conn`; `idle` seconds for its first byte."""
        now = time.monotonic()
        conn.deadline = now + (self.read_timeout if conn.reading_request else idle)
        conn.idle_since = now
        if conn.framing.outcome is not None:  # a pipelined request that is already complete
            self._request_read(conn)
            return
        self.reading.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        self._continue(conn)

    def _continue(self, conn: Connection):
        """Invite the body of a request that expects "100 Continue" (gunicorn would do it in the thread)."""
        if conn.framing.expect_continue and conn.framing.head_complete and not conn.continued:
            conn.continued = True
            self._send(conn, CONTINUE)

    def _readable(self, conn: Connection, _sock):
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if not data:
            self._close(conn)  # the client went away (an unfinished request has no one to answer)
            return
        if not conn.reading_request:
            conn.deadline = time.monotonic() + self.read_timeout
        outcome = conn.framing.feed(data)
        if conn.framing.spooled and not conn.extended:
            conn.extended = True
            conn.deadline += conn.framing.body_length / UPLOAD_MIN_RATE
        if outcome is None:
            self._continue(conn)
            return
        self.poller.unregister(conn.sock)
        self.reading.discard(conn)
        self._request_read(conn)

    def _request_read(self, conn: Connection):
        outcome = conn.framing.outcome
        if outcome == Framing.COMPLETE:
            self.busy += 1
            self.enqueue_req(conn)
        else:
            self._refuse(conn, outcome)

    def _refuse(self, conn: Connection, outcome: str):
        """Answer a request the loop cannot hand on (REFUSALS), and close the connection."""
        answer = (upload_refusal(self.upload.max_bytes) if outcome == Framing.UPLOAD_TOO_LARGE
                  else REFUSALS[outcome])
        status = int(answer[9:12])
        log.info("Verzoek geweigerd voordat het de app bereikte: %s", status,
                 extra={"status": status, "reason": outcome, "remote_addr": remote_addr(conn.client)})
        if conn in self.reading:
            self.poller.unregister(conn.sock)
            self.reading.discard(conn)
        self._send(conn, answer)
        self._linger(conn)

    @staticmethod
    def _send(conn: Connection, data: bytes) -> None:
        """A short answer on a non-blocking socket; what does not fit in the socket buffer is dropped."""
        try:
            conn.sock.send(data)
        except OSError:
            pass

    # -- closing --

    def _linger(self, conn: Connection):
        """Half-close and drain, so the client reads the answer and not a reset; see the module docstring."""
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        now = time.monotonic()
        conn.deadline = now + LINGER_MAX  # the end, whatever the client does
        conn.linger_until = now + LINGER_IDLE
        self.lingering.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._drain, conn))

    def _drain(self, conn: Connection, _sock):
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        now = time.monotonic()
        if not data or now >= conn.deadline:
            self._close(conn)
        else:
            conn.linger_until = min(conn.deadline, now + LINGER_IDLE)

    def _close(self, conn: Connection):
        if conn.closed:
            return
        conn.closed = True
        conn.framing.close()
        if conn in self.reading or conn in self.lingering or conn in self.writing:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
            self.reading.discard(conn)
            self.lingering.discard(conn)
            self.writing.discard(conn)
        if conn.outbox is not None:
            conn.outbox.discard()
            conn.outbox = None
        try:
            conn.sock.close()
        except OSError:
            pass
        self.nr_conns -= 1


def worker_class(*, max_body: int, read_timeout: float, upload=None) -> type[BufferedThreadWorker]:
    """The worker class for gunicorn, with the app's limits (the master makes it before the workers fork)."""
    return type("VraagbaakWorker", (BufferedThreadWorker,),
                {"max_body": max_body, "read_timeout": float(read_timeout), "upload": upload,
                 "__module__": __name__})

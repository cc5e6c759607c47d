"""The thread's part of web.worker: serve one complete request from memory, then hand the answer back to the loop.

A thread of BufferedThreadWorker gets a request only when the event loop has read all of it. The
thread parses it from the buffer (gunicorn's own parser, fed from memory), never reads the socket,
and writes the answer without waiting for the client: what the socket does not take at once is kept
in an Outbox (web.outbox) that the loop sends as the client reads, within `cfg.timeout`, before the
next request on the connection is read. What gunicorn's parser refuses gets the API's Dutch JSON
error (web.loop_answers.PARSER_REFUSALS) instead of gunicorn's English page.

Answering is a mixin of web.worker.BufferedThreadWorker, before gunicorn's ThreadWorker: it uses the
worker's poller, its `writing` set and `busy` count, and its `_read`, `_linger` and `_close`.
"""

from __future__ import annotations

import errno
import logging
import selectors
import time
from functools import partial

from gunicorn import http
from gunicorn.http.errors import NoMoreData

from .connection import Connection, remote_addr
from .loop_answers import NOT_THE_CLIENTS, PARSER_REFUSALS
from .outbox import Outbox

log = logging.getLogger("vraagbaak.server")


class Answering:
    """Serving a complete request in a thread, and the loop's part in delivering its answer."""

    def handle(self, conn: Connection):
        """Serve the complete request in memory (runs in a thread); True to keep the connection."""
        req = None
        sock = conn.sock
        conn.outbox = conn.sock = Outbox(sock, self.outbox_budget)  # for the answer only: see web.outbox
        try:
            sock.setblocking(True)
            sock.settimeout(self.cfg.timeout)  # writing the answer; the thread never reads
            conn.parser = http.get_parser(self.cfg, conn.framing.chunks(), conn.client)
            req = next(conn.parser)
            req._expected_100_continue = False  # the loop sent it while the body was read
            keep = self.handle_request(req, conn)
            # The next request starts where the loop found this one's end, not where the app stopped
            # reading: no body is left to drain. A body gunicorn could not read ends the connection.
            return bool(keep) and not getattr(req.body, "failed", False)
        except (NoMoreData, StopIteration):
            return False
        except TimeoutError:
            log.info("Antwoord niet afgeleverd: de client nam het niet op tijd aan",
                     extra={"remote_addr": remote_addr(conn.client)})
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                log.exception("Socketfout bij een verzoek")
            return False
        except Exception as exc:  # noqa: BLE001 -- gunicorn answers a bad request (400) itself
            self.handle_error(req, conn.sock, conn.client, exc)
            return False
        finally:
            conn.sock = sock

    def handle_error(self, req, client, addr, exc):
        """A request gunicorn's parser refuses gets the API's Dutch JSON error (PARSER_REFUSALS)."""
        answer = next((refusal for kind, refusal in PARSER_REFUSALS if isinstance(exc, kind)), None)
        if answer is None or isinstance(exc, NOT_THE_CLIENTS):
            return super().handle_error(req, client, addr, exc)
        status = int(answer[9:12])
        log.info("Verzoek geweigerd voordat het de app bereikte: %s", status,
                 extra={"status": status, "reason": type(exc).__name__, "remote_addr": remote_addr(addr)})
        try:
            client.sendall(answer)
        except OSError:
            pass  # the client is gone; nothing more to tell it
        return None

    def finish_request(self, conn: Connection, fs):
        """Back on the loop after the thread: read the next request, or close."""
        self.busy -= 1
        try:
            keep = (not fs.cancelled()) and fs.result()
        except Exception:  # noqa: BLE001
            keep = False
        try:
            conn.sock.setblocking(False)
        except OSError:
            self._close(conn)
            return
        conn.keep = keep
        if conn.outbox is not None and conn.outbox.pending:
            # The client has not taken the whole answer: the loop sends the rest as it reads,
            # within the time a thread would have waited, before anything else on the connection.
            conn.deadline = time.monotonic() + self.cfg.timeout
            self.writing.add(conn)
            self.poller.register(conn.sock, selectors.EVENT_WRITE, partial(self._writable, conn))
            return
        self._answered(conn)

    def _writable(self, conn: Connection, _sock):
        try:
            done = conn.outbox.send_some()
        except OSError:
            self._close(conn)
            return
        if done:
            self.poller.unregister(conn.sock)
            self.writing.discard(conn)
            self._answered(conn)

    def _answered(self, conn: Connection):
        """The whole answer is with the client: the next request on the connection, or close."""
        conn.outbox = None
        if not conn.keep:
            self._linger(conn)
            return
        conn.next_request(conn.framing.rest())
        self._read(conn, idle=self._keepalive_seconds())

    def _keepalive_seconds(self) -> float:
        return float(self.cfg.keepalive or 0) or 0.1

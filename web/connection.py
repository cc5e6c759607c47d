"""One client connection of the server's event loop (web.worker), and the request being read on it."""

from __future__ import annotations

import socket
import time

from .framing import Framing
from .outbox import Outbox


class Connection:
    """A client connection and the request being read on it."""

    def __init__(self, sock: socket.socket, client, server, max_body: int, upload=None):
        self.sock = sock
        self.client = client
        self.server = server
        self.max_body = max_body
        self.upload = upload
        self.parser = None
        self.framing = Framing(max_body, upload)
        self.deadline = 0.0
        self.linger_until = 0.0
        self.continued = False  # a 100 Continue was sent for the request being read
        self.extended = False  # an upload's deadline was extended for its size
        self.closed = False
        self.idle_since = time.monotonic()  # when it last became a connection waiting for a request
        self.outbox: Outbox | None = None  # what the answer left for the loop to send (web.outbox)
        self.keep = False  # the connection stays open once its answer is sent

    @property
    def reading_request(self) -> bool:
        """Part of a request has arrived (it is in flight, for a graceful stop)."""
        return bool(self.framing.data)

    def next_request(self, rest: bytes) -> None:
        self.framing.close()
        self.framing = Framing(self.max_body, self.upload)
        self.continued = False
        self.extended = False
        if rest:
            self.framing.feed(rest)


def remote_addr(client) -> str | None:
    """The client's IP address as the log shows it (`client` as accept() gives it), or None."""
    return client[0] if isinstance(client, tuple) and client else None

"""The server under measurement: a real `vraagbaak serve` (gunicorn) subprocess on a free loopback port.

It runs in its own session and logs to a file in the run's temporary folder;
the settings that would distort the measurement (SERVER_OVERRIDES) are
switched off in its environment, and its metrics and feedback go to that
folder too, never the operator's own. `wait_for` polls a health path until
it answers 200; `stop` ends it with SIGTERM, and with SIGKILL to its whole
session when it does not stop in time or a second Ctrl-C comes.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from index.settings import PROJECT_ROOT

from . import BenchError

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0

SERVER_OVERRIDES = {
    # The limiter would turn a benchmark into a stream of 429s; it is not what is measured.
    "VRAAGBAAK_RATE_LIMIT": "off",
    # The questions repeat every round: with the query cache on, all but the
    # first round would measure a dictionary lookup instead of the model.
    "VRAAGBAAK_QUERY_CACHE": "0",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`vraagbaak serve` in its own session, logging to a file (a pipe nobody reads would fill up)."""

    def __init__(self, index_dir: Path, folder: Path, *, workers: int, threads: int):
        folder.mkdir(parents=True)
        self.port = _free_port()
        self.log_path = folder / "serve.log"
        env = {
            **os.environ,
            **SERVER_OVERRIDES,
            # `serve` empties this folder at start: never the operator's own.
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
            "VRAAGBAAK_FEEDBACK_DB": str(folder / "feedback.sqlite"),
        }
        command = [sys.executable, "-m", "web.cli", "serve", "--host", HOST, "--port", str(self.port),
                   "--workers", str(workers), "--threads", str(threads), "--index-dir", str(index_dir)]
        with open(self.log_path, "wb") as log:
            # Its own session: a Ctrl-C in the terminal reaches only the benchmark,
            # which then stops the server gracefully itself.
            self.proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, path: str, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"De server stopte onverwacht (code {self.proc.returncode}):\n{self.log_tail()}")
            status, last = self._get(path)
            if status == 200:
                return
            time.sleep(0.2)
        raise BenchError(f"De server gaf na {timeout:.0f} s nog geen 200 op {path}"
                         + (f"; laatste antwoord: {last}" if last else "") + f"\n{self.log_tail()}")

    def _get(self, path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read(500).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            return 0, ""
        finally:
            conn.close()

    def stop(self) -> dict:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
                # The whole session, while its leader still lives: workers would outlive a killed master.
                # A second Ctrl-C while waiting means: do not wait, but never leave it running.
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                if isinstance(exc, KeyboardInterrupt):
                    raise
        return {"pid": self.proc.pid, "port": self.port, "exit_code": self.proc.returncode,
                "settings": SERVER_OVERRIDES}

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

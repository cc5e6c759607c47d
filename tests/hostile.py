"""Hostile request bodies for POST /api/v1/ask and POST /api/v1/feedback, with the status each must get.

One list, used three ways: against the app on the werkzeug server (tests/test_security.py), against a
real `vraagbaak serve` (tests/test_serving.py), and as the table in docs/security.md, which a test keeps
equal to this list. Every body is sent twice, once with Content-Length and once chunked
(Transfer-Encoding: chunked); both must get the same status, and never a 5xx.
"""

from __future__ import annotations

import contextlib

import json
import socket
from dataclasses import dataclass

ASK = "/api/v1/ask"
FEEDBACK = "/api/v1/feedback"
QUESTION = "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?"
ANSWER = "De gemeente Amsterdam lanceerde een rekentool. [1]"


def _ask(**fields) -> bytes:
    return json.dumps({"question": QUESTION, **fields}).encode()


def _feedback(**fields) -> bytes:
    return json.dumps({"question": QUESTION, "answer": ANSWER, "rating": "up", **fields}).encode()


def _raw(template: str, value: str) -> bytes:
    """A JSON text with `value` put in literally for "@@" (`value` may be no valid JSON by itself)."""
    return template.replace('"@@"', value).encode()


def _ask_raw(value: str) -> bytes:
    return _raw('{"question": "@@"}', value)


def _feedback_raw(field: str, value: str) -> bytes:
    return _raw(json.dumps({"question": QUESTION, "answer": ANSWER, "rating": "up", field: "@@"}), value)


DEEP_ARRAYS = "[" * 18_000 + "]" * 18_000  # 36 KB, as the probe sent
DEEP_OBJECTS = '{"a": ' * 5_000 + "1" + "}" * 5_000
NESTED_40 = "[" * 40 + '"x"' + "]" * 40  # past MAX_JSON_DEPTH (32), far from Python's recursion limit


@dataclass(frozen=True)
class Case:
    name: str  # Dutch: the row in docs/security.md
    ask: bytes
    ask_status: int
    feedback: bytes
    feedback_status: int
    content_type: str = "application/json"


CASES = (
    Case("geldige vraag en geldige feedback", _ask(), 200, _feedback(), 201),
    Case("diep geneste arrays (36 KB `[[[…]]]`)", _ask_raw(DEEP_ARRAYS), 400,
         _feedback_raw("answer", DEEP_ARRAYS), 400),
    Case("diep geneste objecten (5000 lagen)", _ask_raw(DEEP_OBJECTS), 400,
         _feedback_raw("comment", DEEP_OBJECTS), 400),
    Case("40 lagen genest in een onbekend veld (de grens is 32)", _ask(extra=json.loads(NESTED_40)), 400,
         _feedback(extra=json.loads(NESTED_40)), 400),
    Case("losse surrogaat `\\ud800` in een tekst", _ask_raw('"Wat is \\ud800?"'), 400,
         _feedback_raw("comment", '"\\ud800"'), 400),
    Case("omgekeerd surrogaatpaar `\\udc00\\ud800`", _ask_raw('"\\udc00\\ud800"'), 400,
         _feedback_raw("answer", '"Antwoord \\udc00\\ud800"'), 400),
    Case("surrogaat als UTF-8-bytes (`ED A0 80`)", b'{"question": "Wat \xed\xa0\x80?"}', 400,
         _feedback_raw("comment", '"x"').replace(b'"x"', b'"\xed\xa0\x80"'), 400),
    Case("ongeldige UTF-8 (`FF`)", b'{"question": "Wat is \xff?"}', 400,
         _feedback_raw("comment", '"x"').replace(b'"x"', b'"\xff"'), 400),
    Case("geldig surrogaatpaar (emoji `\\ud83d\\ude00`)", _ask_raw(f'"{QUESTION} \\ud83d\\ude00"'), 200,
         _feedback_raw("comment", '"Top \\ud83d\\ude00"'), 201),
    Case("NUL (`\\u0000`) midden in een tekst", _ask_raw('"Welke gemeente\\u0000heeft een rekentool?"'), 200,
         _feedback_raw("comment", '"a\\u0000b"'), 201),
    Case("alleen NUL-tekens als vraag of antwoord", _ask_raw('"\\u0000\\u0000"'), 400,
         _feedback_raw("answer", '"\\u0000"'), 201),
    Case("rauwe NUL-byte in een JSON-tekst", b'{"question": "Wat\x00?"}', 400,
         _feedback_raw("comment", '"x"').replace(b'"x"', b'"\x00"'), 400),
    Case("enorm getal (`1e400`)", _ask_raw(f'"{QUESTION}", "top_k": 1e400'), 400,
         _feedback_raw("rating", "1e400"), 400),
    Case("geheel getal van 5000 cijfers", _raw('{"question": "q", "top_k": "@@"}', "9" * 5000), 400,
         _feedback_raw("rating", "9" * 5000), 400),
    Case("`NaN` en `-Infinity`", _raw('{"question": "q", "top_k": "@@"}', "NaN"), 400,
         _feedback_raw("rating", "-Infinity"), 400),
    Case("`top_k` als tekst, `rating` als getal", _ask(top_k="5"), 400, _feedback(rating=1), 400),
    Case("vraag is een getal, lijst of `null`", _ask_raw("[1, 2]"), 400, _feedback_raw("question", "null"), 400),
    Case("geschiedenis is geen lijst", _ask(history="eerder"), 400, _feedback(history="eerder"), 400),
    Case("JSON is geen object", b"[]", 400, b'"feedback"', 400),
    Case("lege inhoud", b"", 400, b"", 400),
    Case("geen JSON", b"question=hallo", 400, b"{'rating': 'up'}", 400),
    Case("ander Content-Type (`text/plain`)", _ask(), 415, _feedback(), 415, content_type="text/plain"),
    Case("70 KB (boven de 64 KB)", _ask(history=["x" * 1000] * 70), 413,
         _feedback(comment="x" * 70_000), 413),
    Case("1 MB", _ask(history=["x" * 1000] * 1000), 413, _feedback(answer="x" * 1_000_000), 413),
    Case("3 MB", _ask(history=["x" * 1000] * 3000), 413, _feedback(answer="x" * 3_000_000), 413),
)

SMALL_CASES = tuple(case for case in CASES if max(len(case.ask), len(case.feedback)) < 100_000)


def requests_of(case: Case):
    """(path, body, expected status) of a case, for both endpoints."""
    yield ASK, case.ask, case.ask_status
    yield FEEDBACK, case.feedback, case.feedback_status


def chunked(body: bytes, size: int = 16_384) -> bytes:
    """`body` in the chunked transfer coding."""
    pieces = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(pieces) + b"0\r\n\r\n"


def send(host: str, port: int, path: str, body: bytes, *, content_type: str = "application/json",
         transfer: str = "length", timeout: float = 30, extra_headers: str = "") -> tuple[int, dict, bytes]:
    """One POST on its own connection, the whole body sent before the answer is read, as most clients do.

    Returns (status, headers with lower-case names, body); status 0 when the connection broke before an answer.
    """
    framing = f"Content-Length: {len(body)}\r\n" if transfer == "length" else "Transfer-Encoding: chunked\r\n"
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n{framing}"
            f"Connection: close\r\n{extra_headers}\r\n").encode("latin-1")
    payload = head + (body if transfer == "length" else chunked(body))
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
        except OSError:
            pass  # refused early; the answer may still be there to read
        data = read_until_closed(sock)
    return parse_response(data)


def read_until_closed(sock: socket.socket, data: bytes = b"") -> bytes:
    """Everything the server sends until it closes the connection (or the socket times out), after `data`."""
    try:
        while True:
            block = sock.recv(65536)
            if not block:
                break
            data += block
    except OSError:
        pass
    return data


def parse_response(data: bytes) -> tuple[int, dict, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    while head.startswith(b"HTTP/1.1 100"):  # an interim 100 Continue
        head, _, body = body.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return 0, {}, data
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def check_hostile_cases(host: str, port: int, cases) -> list[str]:
    """Every case on both endpoints, with Content-Length and chunked: the failures, as text."""
    failures = []
    for case in cases:
        for path, body, expected in requests_of(case):
            for transfer in ("length", "chunked"):
                status, headers, data = send(host, port, path, body, content_type=case.content_type,
                                             transfer=transfer)
                where = f"{case.name} / {path} / {transfer}"
                if status != expected:
                    failures.append(f"{where}: {status} (verwacht {expected}) {data[:200]!r}")
                elif status >= 400:
                    error = json.loads(data)["error"]
                    if not (error["code"] and error["message"]):
                        failures.append(f"{where}: fout zonder code of melding: {data[:200]!r}")
    return failures


def docs_rows(markdown: str) -> dict[str, tuple[str, str]]:
    """The table of hostile cases in docs/security.md: name -> (status ask, status feedback)."""
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit():
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def read_one_response(sock: socket.socket) -> tuple[int, dict, bytes]:
    """One response from a connection that stays open (Content-Length framed); (0, {}, b"") if it closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        block = sock.recv(65536)
        if not block:
            return 0, {}, data
        data += block
        while data.startswith(b"HTTP/1.1 100") and b"\r\n\r\n" in data:
            data = data.partition(b"\r\n\r\n")[2]
    status, headers, body = parse_response(data)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        block = sock.recv(65536)
        if not block:
            break
        body += block
    return status, headers, body[:length]


@contextlib.contextmanager
def many_descriptors(count: int):
    """Room for `count` open sockets in this process (the soft limit raised), or a named skip."""
    import resource

    import pytest

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < count + 900:
        pytest.skip(f"te weinig bestandsdescriptors voor {count} verbindingen (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, count + 900), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

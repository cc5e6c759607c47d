"""The answers the server's own loop gives, before (or instead of) the app: raw HTTP bytes, in the API's JSON.

web.worker answers a request it cannot hand on -- too slow, too large,
framed so it cannot be read safely, or refused by gunicorn's parser -- itself,
with `Connection: close`. Each answer is made once, here, with the headers
web.security gives every other answer; the messages are the API's own
(web.errors) where it has one.
"""

from __future__ import annotations

import json

from gunicorn.http.errors import (ConfigurationProblem, ExpectationFailed, InvalidResponseHeader,
                                  InvalidResponseHeaderName, LimitRequestHeaders, LimitRequestLine,
                                  ParseException, UnsupportedTransferCoding)

from .auth import ADMIN_NEEDED, CHALLENGE
from .errors import _MESSAGES
from .framing import Framing
from .upload_limits import upload_too_large


def _refusal(status: int, reason: str, code: str, message: str, extra: str = "") -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\n{extra}"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "X-Frame-Options: DENY\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; base-uri 'none'\r\n"
            "\r\n")
    return head.encode("latin-1") + body


# What the loop answers itself: outcome -> (status, reason, code, message, log reason).
REFUSALS = {
    "timeout": _refusal(408, "Request Timeout", "request_timeout",
                        "Het verzoek kwam niet op tijd helemaal binnen. Probeer het opnieuw."),
    Framing.TOO_LARGE: _refusal(413, "Content Too Large", *_MESSAGES[413]),
    Framing.HEAD_TOO_LARGE: _refusal(431, "Request Header Fields Too Large", "headers_too_large",
                                     "De kopregels van het verzoek zijn te groot."),
    Framing.MALFORMED: _refusal(400, "Bad Request", *_MESSAGES[400]),
    Framing.UNSUPPORTED_CODING: _refusal(501, "Not Implemented", "unsupported_transfer_coding",
                                         "Vraagbaak kent alleen 'Transfer-Encoding: chunked'."),
    # An upload without the admin token: what the app says of it (web.auth), not that it is too large.
    Framing.UPLOAD_UNAUTHORIZED: _refusal(401, "Unauthorized", "unauthorized", ADMIN_NEEDED,
                                          "".join(f"{name}: {value}\r\n" for name, value in CHALLENGE.items())),
    Framing.UPLOAD_CHUNKED: _refusal(411, "Length Required", "length_required",
                                     "Stuur een upload met Content-Length, niet chunked: dan kan Vraagbaak de "
                                     "grootte vooraf toetsen."),
}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def upload_refusal(limit: int) -> bytes:
    """An admin's upload over its limit: 413 with the limit and its setting, as the app would say it."""
    return _refusal(413, "Content Too Large", _MESSAGES[413][0], upload_too_large(limit))
# What gunicorn's parser refuses in a request the loop could frame: a bad request line, method,
# version or header, a URI or header line over gunicorn's limits, an Expect or Transfer-Encoding it
# does not know. gunicorn would answer with an English HTML page; these are the API's JSON errors.
# The first class that matches answers (subclasses first).
PARSER_REFUSALS = (
    (LimitRequestLine, _refusal(414, "URI Too Long", "uri_too_long", "Het adres van het verzoek is te lang.")),
    (LimitRequestHeaders, REFUSALS[Framing.HEAD_TOO_LARGE]),
    (ExpectationFailed, _refusal(417, "Expectation Failed", "expectation_failed",
                                 "Vraagbaak kent alleen de verwachting 'Expect: 100-continue'.")),
    (UnsupportedTransferCoding, REFUSALS[Framing.UNSUPPORTED_CODING]),
    (ParseException, REFUSALS[Framing.MALFORMED]),
)
# Parser errors that are the server's own fault, not the request's: gunicorn's 500 stays.
NOT_THE_CLIENTS = (ConfigurationProblem, InvalidResponseHeader, InvalidResponseHeaderName)

"""Mattermost outgoing webhooks on POST /mattermost/command: JSON or form, the trigger word left out of the question.

The real app on loopback, sent what Mattermost sends (its documented payload fields). Before, a JSON body
was read as an empty form (401), and the trigger word stayed in the question.
"""

from __future__ import annotations

import json
import logging
import urllib.parse

import pytest

from tests.client import request
from tests.conftest import app_server
from tests.test_slack import MM_TOKEN, PUBLIC, ROTTERDAM
from web.mattermost import strip_trigger_word
from web.slack_blocks import USAGE

CLIPPINGS_LINK = f"({PUBLIC}/documents/004_4a6563aa008f8ac9.txt#p"


@pytest.fixture(scope="module")
def server(seeds_index_dir, embedder):
    server = app_server(seeds_index_dir, embedder, VRAAGBAAK_MATTERMOST_TOKEN=MM_TOKEN,
                        VRAAGBAAK_PUBLIC_BASE_URL=PUBLIC, VRAAGBAAK_RATE_LIMIT="off", VRAAGBAAK_LOG_QUESTIONS=True)
    yield server
    server.stop()


@pytest.fixture
def asked():
    """The questions web.answering logs (VRAAGBAAK_LOG_QUESTIONS is on for this module's app)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("web.answering")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [record.question for record in records if hasattr(record, "question")]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def webhook_payload(text: str, trigger_word: str = "#vraag", **extra) -> dict:
    """An outgoing webhook's fields, as Mattermost posts them."""
    return {"token": MM_TOKEN, "team_id": "kwoknj9nwpypzgzy78wkw516qe", "team_domain": "ministerie",
            "channel_id": "hawos4dqtby53pd64o4a4cmeoo", "channel_name": "town-square",
            "timestamp": 1767225600, "user_id": "rnina9994bde8mua79zqcg5hmo", "user_name": "anna",
            "post_id": "axdygg1957njfe5pu38saikdho", "text": text, "trigger_word": trigger_word, "file_ids": "",
            **extra}


def post_json(server, body: bytes | dict) -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, reply = request(server.url + "/mattermost/command", method="POST", body=data,
                               headers={"Content-Type": "application/json"})
    return status, reply


def post_form(server, fields: dict) -> tuple[int, bytes]:
    status, _, reply = request(server.url + "/mattermost/command", method="POST",
                               body=urllib.parse.urlencode(fields).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status, reply


def test_a_json_outgoing_webhook_is_answered_as_a_reply_without_its_trigger_word(server, asked):
    status, data = post_json(server, webhook_payload(f"#vraag {ROTTERDAM}"))
    assert status == 200
    reply = json.loads(data)
    assert reply["response_type"] == "comment"  # a reply in the thread of the message that asked
    assert "Rotterdam heeft een rekentool" in reply["text"] and CLIPPINGS_LINK in reply["text"]
    assert asked() == [ROTTERDAM]


def test_a_form_outgoing_webhook_is_answered_too(server, asked):
    status, data = post_form(server, webhook_payload(f"Vraagbaak: {ROTTERDAM}", trigger_word="vraagbaak"))
    assert status == 200
    reply = json.loads(data)
    assert reply["response_type"] == "comment" and "Rotterdam heeft een rekentool" in reply["text"]
    assert asked() == [ROTTERDAM]


def test_a_trigger_word_alone_gets_the_usage(server, asked):
    for send in (post_json, post_form):
        status, data = send(server, webhook_payload("#vraag  "))
        assert status == 200 and json.loads(data) == {"response_type": "comment", "text": USAGE}
    assert asked() == []


def test_a_slash_command_keeps_its_shape(server):
    fields = {"token": MM_TOKEN, "channel_id": "c1", "channel_name": "town-square", "command": "/vraag",
              "text": ROTTERDAM, "response_url": "http://127.0.0.1:9/unused"}
    status, data = post_form(server, fields)
    assert status == 200 and json.loads(data)["response_type"] == "in_channel"
    status, data = post_form(server, {**fields, "text": " "})
    assert status == 200 and json.loads(data) == {"response_type": "ephemeral", "text": USAGE}


def _error(data: bytes) -> dict:
    error = json.loads(data)["error"]
    assert "Traceback" not in error["message"]
    return error


def test_bad_json_gets_a_dutch_400(server, asked):
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    for body, message in [
        (b"{niet json", "Dit verzoek van Mattermost is geen geldige JSON."),
        (b"token=x&text=y", "Dit verzoek van Mattermost is geen geldige JSON."),
        (deep, "Dit verzoek van Mattermost is geen geldige JSON."),
        (b"", "Dit verzoek van Mattermost is geen geldige JSON."),
        (b"[1, 2]", "Dit verzoek van Mattermost is geen JSON-object met velden."),
        (b"null", "Dit verzoek van Mattermost is geen JSON-object met velden."),
        (b'"#vraag hoi"', "Dit verzoek van Mattermost is geen JSON-object met velden."),
    ]:
        status, data = post_json(server, body)
        assert status == 400, (body[:30], status, data[:200])
        assert _error(data) == {"code": "invalid_json", "message": message}
    for field, value in (("text", 5), ("trigger_word", ["#vraag"]), ("channel_id", None)):
        status, data = post_json(server, {**webhook_payload(ROTTERDAM), field: value})
        assert status == 400
        assert _error(data) == {"code": "invalid_request",
                                "message": f"Het veld '{field}' in dit verzoek van Mattermost is geen tekst."}
    assert asked() == []


def test_a_wrong_token_gets_a_dutch_401_before_any_field_is_read(server, asked):
    for token in ("verkeerd", "", 12345, None, {"token": MM_TOKEN}):
        status, data = post_json(server, {**webhook_payload(ROTTERDAM), "token": token, "text": 5})
        assert status == 401
        assert _error(data) == {"code": "invalid_token", "message": "Ongeldig token voor de Mattermost-koppeling."}
    payload = webhook_payload(ROTTERDAM)
    del payload["token"]
    assert post_json(server, payload)[0] == 401
    assert post_form(server, webhook_payload(ROTTERDAM, token="verkeerd"))[0] == 401
    assert asked() == []


def test_a_body_too_big_gets_a_dutch_413(server, asked):
    status, data = post_json(server, webhook_payload("#vraag " + "waarom " * 20_000))
    assert status == 413
    assert _error(data) == {"code": "payload_too_large", "message": "Het verzoek is te groot."}
    assert asked() == []


@pytest.mark.parametrize("text, trigger_word, question", [
    ("#vraag Wie leidt het team?", "#vraag", "Wie leidt het team?"),
    ("  vraagbaak: Wie leidt het team?", "vraagbaak", "Wie leidt het team?"),
    ("Vraagbaak, wie leidt het team?", "vraagbaak", "wie leidt het team?"),
    ("Wie leidt het team? #vraag", "#vraag", "Wie leidt het team? #vraag"),  # only a leading one
    ("Wie leidt het team?", "", "Wie leidt het team?"),  # triggered by its channel, without a word
    ("#VRAAG: ", "#vraag", ""),
])
def test_strip_trigger_word(text, trigger_word, question):
    assert strip_trigger_word(text, trigger_word) == question

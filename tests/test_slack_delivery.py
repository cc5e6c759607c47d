"""Slack under load and failure, and what chat messages may carry: real signed requests to a real app.

Slack waits 3 seconds for the acknowledgement of a slash command; Bolt made it on the pool that also
answers, so a busy pool made Slack show an error (and the answer came anyway). A retried event was
dropped even when its first delivery had failed. Signed payloads of the wrong shape failed inside
Bolt with a 500. Mattermost showed document text as Markdown, mentions included.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from tests.conftest import LiveServer
from tests.test_security import _SlowAnswerer
from tests.test_serving import _free_port
from tests.test_slack import (FakeSlack, ROTTERDAM, _config, command_body, event_body, fake_slack,  # noqa: F401
                              mention, send)
from web.slack_blocks import BUSY, SEARCHING


@pytest.fixture()
def busy_server(seeds_index_dir, fake_slack, monkeypatch):  # noqa: F811
    from web.app import create_app

    app = create_app(_config(seeds_index_dir, fake_slack, VRAAGBAAK_QUESTION_TIMEOUT="30",
                             VRAAGBAAK_RATE_LIMIT="off"))
    monkeypatch.setattr(app.extensions["vraagbaak"], "answerer", lambda: _SlowAnswerer(2.0))
    server = LiveServer(app)
    server.app = app
    yield server
    server.stop()


def test_a_slash_command_is_acknowledged_at_once_while_every_answering_thread_is_busy(busy_server, fake_slack):  # noqa: F811
    for _ in range(8):  # twice the answering threads, each busy for 2 s
        assert send(busy_server, event_body(mention("CBUSY", ROTTERDAM)), "application/json")[0] == 200
    body, _ = command_body(fake_slack, ROTTERDAM)
    status, data, seconds = send(busy_server, body, "application/x-www-form-urlencoded")
    assert status == 200 and seconds < 1.0, (status, seconds)
    assert json.loads(data)["text"] == SEARCHING


def test_a_full_queue_is_said_to_the_user_and_nothing_piles_up(busy_server, fake_slack):  # noqa: F811
    work = busy_server.app.extensions["vraagbaak.slack"].work
    work.max_pending = 3
    for _ in range(10):  # signed events, all acknowledged; only three are taken
        assert send(busy_server, event_body(mention("CVOL", ROTTERDAM)), "application/json")[0] == 200
    body, path = command_body(fake_slack, ROTTERDAM)
    status, data, _ = send(busy_server, body, "application/x-www-form-urlencoded")
    assert status == 200 and json.loads(data)["text"] == BUSY
    assert work.full() and work._pending == 3
    time.sleep(0.5)
    assert fake_slack.posts(path) == []  # busy was said; no answer follows


def test_a_retry_of_a_delivery_that_failed_is_answered(seeds_index_dir, fake_slack):  # noqa: F811
    from web.app import create_app

    port = _free_port()
    down = SimpleNamespace(url=f"http://127.0.0.1:{port}")  # nothing listens there yet
    app = create_app(_config(seeds_index_dir, down))
    server = LiveServer(app)
    body = event_body(mention("CLOST", ROTTERDAM), event_id="EvLOST1")
    try:
        assert send(server, body, "application/json")[0] >= 500  # Bolt cannot reach Slack (auth.test)
        slack = FakeSlack(port)  # the Web API comes up only now
        try:
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
            assert send(server, body, "application/json", headers=retry)[0] == 200
            [post] = slack.wait_for("/api/chat.postMessage", channel="CLOST", timeout=30)
            assert "Rotterdam" in json.dumps(post)
            assert send(server, body, "application/json", headers={"X-Slack-Retry-Num": "2"})[0] == 200
            time.sleep(1)
            assert len(slack.posts("/api/chat.postMessage", channel="CLOST")) == 1  # answered once
        finally:
            slack.stop()
    finally:
        server.stop()


def test_signed_events_of_the_wrong_shape_get_a_dutch_400(seeds_index_dir, fake_slack):  # noqa: F811
    from web.app import create_app

    server = LiveServer(create_app(_config(seeds_index_dir, fake_slack)))
    try:
        shapes = [
            {"type": "event_callback", "event": "x"},
            {"type": "event_callback", "authorizations": "x", "event": {"type": "app_mention"}},
            {"type": "event_callback", "event": {"type": "app_mention", "text": "hoi", "channel": 5, "ts": "1"}},
            {"type": "event_callback", "event": {"type": "app_mention", "text": ["hoi"], "channel": "C1"}},
        ]
        for shape in shapes:
            status, data, _ = send(server, json.dumps(shape).encode(), "application/json")
            assert status == 400 and json.loads(data)["error"]["message"] == "Dit verzoek van Slack is onleesbaar."
        form = b"payload=" + json.dumps({"type": "view_submission", "view": "x"}).encode()
        assert send(server, form, "application/x-www-form-urlencoded")[0] == 400
    finally:
        server.stop()


def _answer(text: str):
    from qa.service import Answer

    chunk = SimpleNamespace(doc_id="nota.txt", title="Nota", paragraph=1, collection="standaard")
    return Answer(question="?", language=None, text=text, citations=[1], abstained=False,
                  hits=[SimpleNamespace(rank=1, chunk=chunk)], sentences=[])


def test_mattermost_shows_document_text_as_written_and_mentions_no_one():
    from web.slack_blocks import mattermost_text

    text = mattermost_text(_answer("Mail @channel of @all: *kosten* [daling](http://x) > 0 [1]"), None)
    quoted = text.split("\n\n")[0]
    assert "@channel" not in quoted and "@all" not in quoted
    assert quoted.replace("\u2060", "").replace("\\", "") == "Mail @channel of @all: *kosten* [daling](http://x) > 0 [1]"
    assert "\\*kosten\\*" in quoted and "\\[daling\\]\\(http://x\\)" in quoted and quoted.endswith(" [1]")


def test_a_long_slack_answer_is_cut_between_entities():
    from web.slack_blocks import SECTION_LIMIT, slack_message

    section = slack_message(_answer("a" * (SECTION_LIMIT - 3) + "&&&"), None)["blocks"][0]["text"]["text"]
    assert len(section) <= SECTION_LIMIT and section.endswith("a…")

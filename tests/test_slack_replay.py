"""Slack replays: a signed request sent again unchanged is acknowledged, and not answered a second time.

Real signed requests (the signature computed with the signing secret, as Slack does) go to the real app
on loopback; Slack's replies are caught by the fake Slack API of tests/test_slack.py. Before, a slash
command sent twice with the same timestamp and signature within Slack's 5 minutes was answered twice.
Slack's own retries of an event (X-Slack-Retry-Num) behave as before: answered when the first delivery
failed, not again when it arrived.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from tests.conftest import app_server
from tests.test_serving import _free_port
from tests.test_slack import (FakeSlack, ROTTERDAM, _config, command_body, event_body, fake_slack,  # noqa: F401 - a fixture
                              mention, send)
from web.slack_blocks import SEARCHING, USAGE

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def server(seeds_index_dir, embedder, fake_slack):
    server = app_server(seeds_index_dir, embedder, **_config(seeds_index_dir, fake_slack, VRAAGBAAK_RATE_LIMIT="off"))
    yield server
    server.stop()


def integration(server):
    return server.server.app.extensions["vraagbaak.slack"]


def test_a_replayed_slash_command_is_acknowledged_and_answered_once(server, fake_slack):
    body, path = command_body(fake_slack, ROTTERDAM)
    signed_at = int(time.time())
    status, data, _ = send(server, body, FORM, timestamp=signed_at)
    assert status == 200 and json.loads(data)["text"] == SEARCHING
    [post] = fake_slack.wait_for(path)
    assert "Rotterdam heeft een rekentool" in json.dumps(post, ensure_ascii=False)

    for _ in range(3):  # the same body, timestamp and signature: within Slack's window, still valid
        status, data, _ = send(server, body, FORM, timestamp=signed_at)
        assert (status, data) == (200, b"")
    time.sleep(1)
    assert len(fake_slack.posts(path)) == 1


def test_the_same_command_signed_anew_is_answered_again(server, fake_slack):
    """What makes a replay is the signature: the same text sent again by Slack (a new timestamp) is a new question."""
    body, path = command_body(fake_slack, ROTTERDAM)
    signed_at = int(time.time()) - 60
    assert send(server, body, FORM, timestamp=signed_at)[0] == 200
    fake_slack.wait_for(path)
    assert send(server, body, FORM, timestamp=signed_at + 1)[0] == 200
    fake_slack.wait_for(path, count=2)


def test_a_replayed_mention_with_a_made_up_retry_header_is_not_answered_again(server, fake_slack):
    body = event_body(mention("CREPLAYED", ROTTERDAM))
    signed_at = int(time.time())
    assert send(server, body, "application/json", timestamp=signed_at)[0] == 200
    fake_slack.wait_for("/api/chat.postMessage", channel="CREPLAYED")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    status, data, _ = send(server, body, "application/json", headers=retry, timestamp=signed_at)
    assert (status, data) == (200, b"")
    time.sleep(1)
    assert len(fake_slack.posts("/api/chat.postMessage", channel="CREPLAYED")) == 1


def test_an_event_retry_after_a_successful_delivery_is_still_not_answered(server, fake_slack):
    body = event_body(mention("CRETRIED", ROTTERDAM), event_id="EvRETRIED1")
    signed_at = int(time.time()) - 30
    assert send(server, body, "application/json", timestamp=signed_at)[0] == 200
    fake_slack.wait_for("/api/chat.postMessage", channel="CRETRIED")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert send(server, body, "application/json", headers=retry, timestamp=signed_at + 5)[0] == 200
    time.sleep(1)
    assert len(fake_slack.posts("/api/chat.postMessage", channel="CRETRIED")) == 1


def test_a_retry_of_a_failed_delivery_is_answered_even_with_the_same_signature(seeds_index_dir, embedder):
    """A delivery that failed (5xx) answered nothing: its signature is forgotten, so Slack's retry is answered."""
    port = _free_port()
    down = SimpleNamespace(url=f"http://127.0.0.1:{port}")  # nothing listens there yet
    server = app_server(seeds_index_dir, embedder, **_config(seeds_index_dir, down))
    body = event_body(mention("CFAILED", ROTTERDAM), event_id="EvFAILED1")
    signed_at = int(time.time())
    try:
        assert send(server, body, "application/json", timestamp=signed_at)[0] >= 500  # Slack unreachable
        slack = FakeSlack(port)  # the Web API comes up only now
        try:
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
            assert send(server, body, "application/json", headers=retry, timestamp=signed_at)[0] == 200
            [post] = slack.wait_for("/api/chat.postMessage", channel="CFAILED", timeout=30)
            assert "Rotterdam" in json.dumps(post)
            retry["X-Slack-Retry-Num"] = "2"
            assert send(server, body, "application/json", headers=retry, timestamp=signed_at)[0] == 200
            time.sleep(1)
            assert len(slack.posts("/api/chat.postMessage", channel="CFAILED")) == 1
        finally:
            slack.stop()
    finally:
        server.stop()


def test_the_signatures_kept_are_bounded(seeds_index_dir, embedder, fake_slack):
    server = app_server(seeds_index_dir, embedder, **_config(seeds_index_dir, fake_slack))
    try:
        kept = integration(server).recent_signatures
        kept.size = 3
        signed_at = int(time.time())
        first, _ = command_body(fake_slack, "")  # an empty command: acknowledged with the usage, nothing to answer
        body = first
        for n in range(6):
            body = first if n == 0 else command_body(fake_slack, "")[0]
            assert send(server, body, FORM, timestamp=signed_at)[0] == 200
            assert len(kept._seen) <= 3
        assert send(server, body, FORM, timestamp=signed_at)[1] == b""  # the newest is kept: a replay
        # The oldest was let go to keep the bound: sent again, it is handled again (its usage message).
        status, data, _ = send(server, first, FORM, timestamp=signed_at)
        assert status == 200 and json.loads(data)["text"] == USAGE
    finally:
        server.stop()


def test_a_replay_needs_a_valid_signature_first(server, fake_slack):
    """A replay check never lets a forged or expired request through: those are refused before it."""
    body, path = command_body(fake_slack, ROTTERDAM)
    old = int(time.time()) - 600
    assert send(server, body, FORM, timestamp=old)[0] == 401
    assert send(server, body, FORM, timestamp=old)[0] == 401
    assert send(server, body, FORM, secret="niet-het-geheim")[0] == 401
    time.sleep(0.3)
    assert fake_slack.posts(path) == []

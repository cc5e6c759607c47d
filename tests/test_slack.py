"""Slack and Mattermost over real HTTP: the app on loopback, and a fake Slack API beside it."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.parse
import uuid

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from qa.service import NOTHING_FOUND
from tests.client import request
from tests.conftest import LiveServer

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
MM_TOKEN = "mattermost-test-token"
PUBLIC = "https://vraagbaak.example.nl"

# Written for these tests from the seed documents, not taken from the evaluation sets.
ROTTERDAM = "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?"
FOLLOW_UP = "En wie is daar wethouder?"


class FakeSlack:
    """Slack's Web API (auth.test, chat.postMessage) and response_url endpoints, recording what arrives."""

    def __init__(self, port: int = 0):
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", port, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @Request.application
    def wsgi(self, req: Request) -> Response:
        if req.mimetype == "application/json":
            body = json.loads(req.get_data() or b"{}")
        else:
            body = {k: v for k, v in req.form.items()}
        body["_auth"] = req.headers.get("Authorization", "")
        with self.lock:
            self.calls.append((req.path, body))
        if req.path == "/api/auth.test":
            reply = {"ok": True, "user_id": "UBOT", "bot_id": "B1", "team_id": "T1", "user": "vraagbaak"}
        elif req.path == "/api/chat.postMessage":
            reply = {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                     "message": {"text": body.get("text")}}
        elif req.path.startswith("/response/"):
            return Response("ok", content_type="text/plain")
        else:
            reply = {"ok": False, "error": "unknown_method"}
        return Response(json.dumps(reply), content_type="application/json")

    def posts(self, path: str, **match) -> list[dict]:
        with self.lock:
            return [body for p, body in self.calls
                    if p == path and all(body.get(k) == v for k, v in match.items())]

    def wait_for(self, path: str, count: int = 1, timeout: float = 60, **match) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.posts(path, **match)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"no {count} post(s) to {path} matching {match}; got {self.calls}")

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="module")
def fake_slack():
    server = FakeSlack()
    yield server
    server.stop()


def _config(index_dir, fake_slack, **extra):
    return {"VRAAGBAAK_INDEX_DIR": str(index_dir), "VRAAGBAAK_SLACK_SIGNING_SECRET": SECRET,
            "VRAAGBAAK_SLACK_BOT_TOKEN": BOT_TOKEN, "VRAAGBAAK_SLACK_API_URL": fake_slack.url + "/api/",
            "VRAAGBAAK_PUBLIC_BASE_URL": PUBLIC, "VRAAGBAAK_MATTERMOST_TOKEN": MM_TOKEN, **extra}


@pytest.fixture(scope="module")
def slack_server(seeds_index_dir, fake_slack):
    from web.app import create_app

    app = create_app(_config(seeds_index_dir, fake_slack, VRAAGBAAK_PRELOAD=True))
    server = LiveServer(app)
    server.app = app
    yield server
    server.stop()


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict:
    """Headers as Slack sends them: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def send(server, body: bytes, content_type: str, headers: dict | None = None, **sign_args):
    all_headers = {"Content-Type": content_type, **sign(body, **sign_args), **(headers or {})}
    started = time.monotonic()
    status, _, data = request(server.url + "/slack/events", method="POST", body=body, headers=all_headers)
    return status, data, time.monotonic() - started


def command_body(fake_slack, text: str) -> tuple[bytes, str]:
    response_url = f"{fake_slack.url}/response/{uuid.uuid4().hex}"
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "test", "channel_id": "C1", "channel_name": "algemeen",
        "user_id": "U1", "user_name": "anna", "command": "/vraag", "text": text, "api_app_id": "A1",
        "response_url": response_url, "trigger_id": "1.2.3",
    }).encode()
    return body, urllib.parse.urlparse(response_url).path


def event_body(event: dict, event_id: str | None = None) -> bytes:
    return json.dumps({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"event_ts": event.get("ts"), **event},
    }).encode()


def _ts() -> str:
    return f"{time.time():.6f}"


def mention(channel: str, text: str, *, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": _ts(), "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def all_text(post: dict) -> str:
    blocks = post.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return "\n".join(b["text"]["text"] for b in blocks if "text" in b)


def test_slash_command_acks_fast_then_answers_with_block_kit(slack_server, fake_slack):
    body, path = command_body(fake_slack, ROTTERDAM)
    status, data, seconds = send(slack_server, body, "application/x-www-form-urlencoded")
    assert status == 200 and seconds < 3
    assert "Even zoeken" in data.decode()

    [post] = fake_slack.wait_for(path)
    assert post["response_type"] == "in_channel"
    text = all_text(post)
    assert "Rotterdam heeft een rekentool" in text and "[1]" in text
    assert f"<{PUBLIC}/documents/004_4a6563aa008f8ac9.txt#p" in text
    assert "|[1] Knipselkrant Maart 2026 — alinea " in text
    assert "Rotterdam" in post["text"]  # the plain fallback


def test_slash_command_out_of_corpus_says_nothing_found(slack_server, fake_slack):
    body, path = command_body(fake_slack, "Hoe bak ik een appeltaart met kaneel?")
    assert send(slack_server, body, "application/x-www-form-urlencoded")[0] == 200
    [post] = fake_slack.wait_for(path)
    assert all_text(post) == NOTHING_FOUND
    assert "Bronnen" not in all_text(post) and len(post["blocks"]) == 1


def test_empty_slash_command_gets_usage_and_no_answer(slack_server, fake_slack):
    body, path = command_body(fake_slack, "   ")
    status, data, _ = send(slack_server, body, "application/x-www-form-urlencoded")
    assert status == 200
    reply = json.loads(data)
    assert reply["response_type"] == "ephemeral" and "Stel een vraag" in reply["text"]
    time.sleep(0.3)
    assert fake_slack.posts(path) == []


def test_app_mention_is_answered_in_its_thread(slack_server, fake_slack):
    event = mention("CMENTION", "Wie leidde het Aanjaagteam bescherming arbeidsmigranten?")
    status, _, seconds = send(slack_server, event_body(event), "application/json")
    assert status == 200 and seconds < 3
    [post] = fake_slack.wait_for("/api/chat.postMessage", channel="CMENTION")
    assert post["thread_ts"] == event["ts"]
    assert "Emile Roemer" in all_text(post)
    assert post["_auth"] == f"Bearer {BOT_TOKEN}"


def test_reply_in_thread_carries_earlier_questions(slack_server, fake_slack):
    # Alone, "En wie is daar wethouder?" points at another article ...
    alone = mention("CALONE", FOLLOW_UP)
    send(slack_server, event_body(alone), "application/json")
    [post] = fake_slack.wait_for("/api/chat.postMessage", channel="CALONE")
    assert "Versnel" not in all_text(post)

    # ... but in a thread about the Rotterdam calculator it is a follow-up.
    root = mention("CTHREAD", ROTTERDAM)
    send(slack_server, event_body(root), "application/json")
    fake_slack.wait_for("/api/chat.postMessage", channel="CTHREAD")
    follow_up = mention("CTHREAD", FOLLOW_UP, thread_ts=root["ts"])
    send(slack_server, event_body(follow_up), "application/json")
    posts = fake_slack.wait_for("/api/chat.postMessage", count=2, channel="CTHREAD")
    assert all(p["thread_ts"] == root["ts"] for p in posts)
    assert "Versnel" in all_text(posts[1])

    threads = slack_server.app.extensions["vraagbaak.slack"].threads
    assert threads.questions("CTHREAD", root["ts"]) == [ROTTERDAM, FOLLOW_UP]


def test_direct_messages_answered_and_bot_messages_ignored(slack_server, fake_slack):
    base = {"type": "message", "channel": "DDIRECT", "channel_type": "im"}
    ignored = [
        {**base, "user": "UBOT", "text": "Wie leidde het Aanjaagteam?", "ts": _ts()},  # the bot itself
        {**base, "bot_id": "B9", "user": "U9", "text": "Wie leidde het Aanjaagteam?", "ts": _ts()},
        {**base, "subtype": "message_changed", "ts": _ts(),
         "message": {"user": "U1", "text": "Wie leidde het Aanjaagteam?"}},
        {**base, "channel": "CPUBLIC", "channel_type": "channel", "user": "U1", "text": "Hallo", "ts": _ts()},
    ]
    for event in ignored:
        assert send(slack_server, event_body(event), "application/json")[0] == 200
    question = {**base, "user": "U1", "text": "Wie leidde het Aanjaagteam bescherming arbeidsmigranten?",
                "ts": _ts()}
    send(slack_server, event_body(question), "application/json")
    [post] = fake_slack.wait_for("/api/chat.postMessage", channel="DDIRECT")
    assert post["thread_ts"] == question["ts"] and "Emile Roemer" in all_text(post)
    time.sleep(0.5)
    assert len(fake_slack.posts("/api/chat.postMessage", channel="DDIRECT")) == 1
    assert fake_slack.posts("/api/chat.postMessage", channel="CPUBLIC") == []


def test_retries_and_duplicates_are_answered_once(slack_server, fake_slack):
    event = mention("CRETRY", "Wie leidde het Aanjaagteam bescherming arbeidsmigranten?")
    body = event_body(event, event_id="EvRETRY1")
    assert send(slack_server, body, "application/json")[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert send(slack_server, body, "application/json", headers=retry)[0] == 200
    assert send(slack_server, body, "application/json")[0] == 200  # same event id, no retry header
    fake_slack.wait_for("/api/chat.postMessage", channel="CRETRY")
    time.sleep(1)
    assert len(fake_slack.posts("/api/chat.postMessage", channel="CRETRY")) == 1


def test_forged_signature_is_refused(slack_server, fake_slack):
    event = mention("CFORGED", "Wie leidde het Aanjaagteam bescherming arbeidsmigranten?")
    status, _, _ = send(slack_server, event_body(event), "application/json", secret="not-the-secret")
    assert status == 401
    body, path = command_body(fake_slack, ROTTERDAM)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": "soon",
               "X-Slack-Signature": "v0=00"}
    assert request(slack_server.url + "/slack/events", method="POST", body=body, headers=headers)[0] == 401
    time.sleep(0.5)
    assert fake_slack.posts("/api/chat.postMessage", channel="CFORGED") == []
    assert fake_slack.posts(path) == []


def test_replayed_old_request_is_refused(slack_server, fake_slack):
    event = mention("CREPLAY", "Wie leidde het Aanjaagteam bescherming arbeidsmigranten?")
    old = int(time.time()) - 600
    assert send(slack_server, event_body(event), "application/json", timestamp=old)[0] == 401
    body, path = command_body(fake_slack, ROTTERDAM)
    assert send(slack_server, body, "application/x-www-form-urlencoded", timestamp=old)[0] == 401
    time.sleep(0.5)
    assert fake_slack.posts("/api/chat.postMessage", channel="CREPLAY") == []
    assert fake_slack.posts(path) == []


def test_signed_but_unreadable_requests_get_a_dutch_error_not_a_500(slack_server, fake_slack):
    """Only a holder of the signing secret can send these; each still gets a Dutch answer, never a 500."""
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    unreadable = [
        (b"{niet json", "application/json"), (b"[1, 2]", "application/json"), (b"null", "application/json"),
        (deep, "application/json"), (b'{"type": "event_callback", "event_id": [1]}', "application/json"),
        (b"payload=%7Bniet", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
        (b"payload=" + urllib.parse.quote(json.dumps({"type": "block_actions", "actions": []})).encode(),
         "application/x-www-form-urlencoded"),
    ]
    for body, content_type in unreadable:
        status, data, _ = send(slack_server, body, content_type)
        assert status == 400, (body[:40], status, data[:200])
        assert json.loads(data)["error"]["message"] == "Dit verzoek van Slack is onleesbaar."
    # Slack signs UTF-8 text: other bytes cannot carry a valid signature.
    assert send(slack_server, b"\xff\xfe", "application/x-www-form-urlencoded")[0] == 401
    for body in (b"", b"onbekend=formulier"):  # readable, but nothing Vraagbaak listens for
        status, data, _ = send(slack_server, body, "application/x-www-form-urlencoded")
        assert status == 404 and json.loads(data)["error"]["code"] == "not_handled", data


def test_url_verification_challenge(slack_server):
    body = json.dumps({"token": "legacy", "challenge": "uitdaging-123", "type": "url_verification"}).encode()
    status, data, _ = send(slack_server, body, "application/json")
    assert status == 200 and "uitdaging-123" in data.decode()


def test_without_index_the_user_gets_a_polite_message(tmp_path, fake_slack):
    from web.app import create_app

    server = LiveServer(create_app(_config(tmp_path / "geen-index", fake_slack)))
    try:
        body, path = command_body(fake_slack, ROTTERDAM)
        assert send(server, body, "application/x-www-form-urlencoded")[0] == 200
        [post] = fake_slack.wait_for(path)
        assert post["response_type"] == "ephemeral" and "nog geen documenten" in post["text"]
        assert "Traceback" not in json.dumps(post)
    finally:
        server.stop()


def test_integrations_are_off_without_secrets(seeds_index_dir, fake_slack, caplog):
    from web.app import create_app

    with caplog.at_level(logging.WARNING, logger="web"):
        app = create_app(_config(seeds_index_dir, fake_slack, VRAAGBAAK_SLACK_SIGNING_SECRET="",
                                 VRAAGBAAK_MATTERMOST_TOKEN=""))
    assert "Slack-koppeling staat uit: VRAAGBAAK_SLACK_SIGNING_SECRET" in caplog.text
    assert "Mattermost-koppeling staat uit: VRAAGBAAK_MATTERMOST_TOKEN" in caplog.text
    server = LiveServer(app)
    try:
        body = json.dumps({"challenge": "x", "type": "url_verification"}).encode()
        assert send(server, body, "application/json")[0] == 404
        form = urllib.parse.urlencode({"token": "", "text": "Wie leidde het Aanjaagteam?"}).encode()
        status, _, _ = request(server.url + "/mattermost/command", method="POST", body=form,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 404
    finally:
        server.stop()


def _mattermost(server, token: str, text: str):
    form = urllib.parse.urlencode({
        "token": token, "team_id": "t1", "channel_id": "c1", "user_name": "anna", "command": "/vraag",
        "text": text, "response_url": "http://127.0.0.1:9/unused",
    }).encode()
    return request(server.url + "/mattermost/command", method="POST", body=form,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_mattermost_command_answers_with_the_right_token(slack_server):
    status, _, data = _mattermost(slack_server, MM_TOKEN, ROTTERDAM)
    assert status == 200
    reply = json.loads(data)
    assert reply["response_type"] == "in_channel"
    assert "Rotterdam heeft een rekentool" in reply["text"] and "[1]" in reply["text"]
    assert f"({PUBLIC}/documents/004_4a6563aa008f8ac9.txt#p" in reply["text"]

    status, _, data = _mattermost(slack_server, MM_TOKEN, "")
    assert status == 200 and json.loads(data)["response_type"] == "ephemeral"


def test_mattermost_command_refuses_a_wrong_token(slack_server):
    status, _, data = _mattermost(slack_server, "wrong-token", ROTTERDAM)
    assert status == 401
    assert "miljoen" not in data.decode()


def test_document_text_is_escaped_for_mrkdwn():
    from types import SimpleNamespace

    from qa.service import Answer
    from web.slack_blocks import clean_slack_text, slack_message

    chunk = SimpleNamespace(doc_id="a&b.txt", title="Kosten <2026> & baten | raming", paragraph=3, collection="standaard")
    answer = Answer(question="?", language=None, text="Winst <b>&</b> verlies > 0 [1]", citations=[1],
                    abstained=False, hits=[SimpleNamespace(rank=1, chunk=chunk)], sentences=[])
    message = slack_message(answer, PUBLIC)
    assert message["blocks"][0]["text"]["text"] == "Winst &lt;b&gt;&amp;&lt;/b&gt; verlies &gt; 0 [1]"
    assert message["blocks"][1]["text"]["text"] == (
        f"*Bronnen*\n<{PUBLIC}/documents/a%26b.txt#p3|[1] Kosten &lt;2026&gt; &amp; baten ¦ raming — alinea 3>")
    assert "<b>" not in message["text"]
    assert slack_message(answer, None)["blocks"][1]["text"]["text"].endswith("baten ¦ raming — alinea 3")

    assert clean_slack_text("<@UBOT> Wat kost <https://x.nl|dit> &amp; <#C1|algemeen>? <!here>") == \
        "Wat kost dit & #algemeen?"


class _SlowAnswerer:
    """An answerer that takes far longer than the time limit (and would fail if it ever got there)."""

    def ask(self, question, **_):
        time.sleep(1.5)
        raise AssertionError("not reached within the time limit")


def test_slack_mattermost_and_api_share_one_time_limit(seeds_index_dir, fake_slack, monkeypatch):
    from web.app import create_app

    app = create_app(_config(seeds_index_dir, fake_slack, VRAAGBAAK_QUESTION_TIMEOUT="0,2",
                             VRAAGBAAK_RATE_LIMIT="off"))
    monkeypatch.setattr(app.extensions["vraagbaak"], "answerer", lambda: _SlowAnswerer())
    server = LiveServer(app)
    try:
        limit = "duurde langer dan 0,2 seconden"
        status, _, data = _mattermost(server, MM_TOKEN, ROTTERDAM)
        reply = json.loads(data)
        assert status == 200 and reply["response_type"] == "ephemeral" and limit in reply["text"]

        body, path = command_body(fake_slack, ROTTERDAM)
        assert send(server, body, "application/x-www-form-urlencoded")[0] == 200
        [post] = fake_slack.wait_for(path, timeout=10)
        assert post["response_type"] == "ephemeral" and limit in post["text"]

        status, _, data = request(server.url + "/api/v1/ask", method="POST",
                                  body=json.dumps({"question": ROTTERDAM}).encode(),
                                  headers={"Content-Type": "application/json"})
        assert status == 504 and limit in json.loads(data)["error"]["message"]

        _, _, metrics = request(server.url + "/metrics")
        for channel in ("api", "slack", "mattermost"):
            assert (f'vraagbaak_question_failures_total{{channel="{channel}",code="question_timeout"}}'
                    in metrics.decode())
    finally:
        server.stop()

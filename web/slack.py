"""Slack: slash commands, @-mentions and direct messages, answered with quotes and sources.

One URL, `POST /slack/events`, takes everything Slack sends: the Events API
(`app_mention`, `message` in direct messages), slash commands and interactivity.
Slack's Bolt for Python does the protocol, mounted in the Flask app through its
Flask adapter.

- Every request's signature and timestamp are checked against the signing
  secret (older than 5 minutes, or forged: 401, no answer).
- The HTTP response is the acknowledgement: it is made in the request's own
  thread and leaves at once, however busy answering is (Slack waits 3 s); the
  answer is computed afterwards on a pool of 4 threads (Bolt's lazy listeners,
  `process_before_response=True`), whose queue is bounded (`SlackWork`): when
  it is full, a slash command hears that Vraagbaak is busy and a mention is
  not answered (logged). A slash command is acknowledged with an
  ephemeral "Even zoeken…" and answered in the channel (`in_channel`) through its
  `response_url`; mentions and direct messages are answered with
  `chat.postMessage` in the message's thread.
- A signed request that arrives again unchanged (the same signature, so the
  same timestamp and body) while its timestamp is still accepted is a replay: it is
  acknowledged (200, empty) and not answered again, whatever its kind (slash
  command, event, interaction). An event id handled in the last ten minutes is
  not answered twice either, retries (`X-Slack-Retry-Num`) included. A delivery
  that failed (5xx) is forgotten, signature and event id, so Slack's retry of
  it is answered. Both are kept per process (RecentIds, bounded): a replay or
  retry that reaches another worker could be answered twice.
- A message in a thread is a follow-up: the thread's earlier questions go along
  as history (see ThreadMemory).
- A question searches only its channel's collections (web.channels,
  VRAAGBAAK_CHANNEL_COLLECTIONS); a direct message, and any channel not in
  the mapping, those of `*`. A follow-up in a thread is in the thread's
  channel, so it searches what the thread's first question searched. The
  source links name each passage's collection.

Settings (web.config): VRAAGBAAK_SLACK_SIGNING_SECRET
and VRAAGBAAK_SLACK_BOT_TOKEN (both needed: without them the integration is off
and its route answers 404), VRAAGBAAK_SLACK_API_URL (another Web API address, for
tests or a proxy) and VRAAGBAAK_PUBLIC_BASE_URL (where the document links point).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Blueprint, Flask, request

from index.settings import env_name
from qa.errors import QuestionError
from qa.question import MAX_HISTORY_TURNS, clean_question

from .answering import Refused, questions
from .channels import ChannelCollections, channel_collections
from .config import app_settings
from .errors import error_response
from .slack_blocks import BUSY, SEARCHING, USAGE, clean_slack_text, slack_message
from .slack_payload import readable_payload

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# slack_sdk's SignatureVerifier takes a timestamp up to 5 minutes either side of the clock, so a signature is
# valid for at most 10 minutes after it first arrives: remembered that long, a replay of it is never answered.
SIGNATURE_TTL = 2 * 5 * 60
# The signatures of those 10 minutes, per process (about 17 requests a second), in a few MB at most.
SIGNATURES_KEPT = 10_000


class RecentIds:
    """Ids seen in the last `ttl` seconds, at most `size` of them; thread-safe."""

    def __init__(self, size: int = 2000, ttl: float = 600):
        self.size, self.ttl = size, ttl
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def forget(self, key: str) -> None:
        """`key` was not handled after all (its delivery failed): offered again, it is new."""
        with self._lock:
            self._seen.pop(key, None)

    def first_time(self, key: str) -> bool:
        """True the first time `key` is offered (within the time to live), False after."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (len(self._seen) >= self.size or next(iter(self._seen.values())) < now - self.ttl):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class ThreadMemory:
    """The questions asked so far in each Slack thread, keyed by (channel, thread_ts).

    In memory, bounded (the most recently used `size` threads, the last
    MAX_HISTORY_TURNS questions each) and per process: after a restart, or under
    several gunicorn workers, a follow-up may arrive where its thread is unknown
    and is then answered as a new question. Fetching the thread with
    conversations.replies would avoid that, at the price of an extra Web API call
    per message and the channels:history scope.
    """

    def __init__(self, size: int = 1000):
        self.size = size
        self._threads: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, channel: str, thread_ts: str, question: str) -> list[str]:
        """Records `question` in its thread and returns the questions asked before it, oldest first."""
        key = (channel, thread_ts)
        with self._lock:
            earlier = self._threads.pop(key, [])
            self._threads[key] = (earlier + [question])[-MAX_HISTORY_TURNS:]
            while len(self._threads) > self.size:
                self._threads.popitem(last=False)
            return list(earlier)

    def questions(self, channel: str, thread_ts: str) -> list[str]:
        with self._lock:
            return list(self._threads.get((channel, thread_ts), []))


class SlackWork(ThreadPoolExecutor):
    """Bolt's pool for answering, with a bounded queue: a flood of questions cannot pile up in memory.

    Work offered while `max_pending` answers wait or run is not taken (logged); `full()` lets a
    slash command say so before it promises an answer.
    """

    def __init__(self, workers: int = 4, max_pending: int = 64):
        super().__init__(max_workers=workers, thread_name_prefix="vraagbaak-slack")
        self.max_pending = max_pending
        self._pending = 0
        self._count_lock = threading.Lock()

    def full(self) -> bool:
        with self._count_lock:
            return self._pending >= self.max_pending

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._count_lock:
            if self._pending >= self.max_pending:
                log.warning("Slack: %d vragen wachten al; deze wordt niet beantwoord", self._pending)
                dropped: Future = Future()
                dropped.set_result(None)
                return dropped
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self._count_lock:
            self._pending -= 1


class SlackIntegration:
    def __init__(self, questions, channels: ChannelCollections, *, signing_secret: str, bot_token: str,
                 api_url: str = "", public_base_url: str = ""):
        from slack_bolt import App
        from slack_bolt.adapter.flask import SlackRequestHandler
        from slack_sdk import WebClient
        from slack_sdk.signature import SignatureVerifier

        self.questions = questions  # web.answering.Questions: the one way to answer
        self.channels = channels  # which collections each channel searches
        self.public_base_url = public_base_url or None
        self.verifier = SignatureVerifier(signing_secret)
        self.recent_events = RecentIds()
        self.recent_signatures = RecentIds(SIGNATURES_KEPT, SIGNATURE_TTL)
        self.threads = ThreadMemory()
        self.work = SlackWork()
        client = WebClient(token=bot_token, base_url=api_url or WebClient.BASE_URL)
        # The bot's identity (auth.test) is asked on the first request, not at start-up,
        # so the app starts without reaching Slack; Bolt then ignores the bot's own messages.
        self.bolt = App(
            signing_secret=signing_secret,
            client=client,
            token_verification_enabled=False,
            process_before_response=True,  # the ack in the request's thread; answers on `work` (lazy)
            listener_executor=self.work,
            logger=logging.getLogger("web.slack.bolt"),
        )
        self.handler = SlackRequestHandler(self.bolt)
        self._register_listeners()

    # -- answering --------------------------------------------------------

    def answer(self, question: str, history: list[str], collections: tuple[str, ...]) -> dict:
        """Keyword arguments for a Slack message: the answer from `collections`, or a polite Dutch message."""
        try:
            answer = self.questions.ask(question, history=history, channel="slack", collections=collections)
        except Refused as refused:
            return {"text": refused.failure.message}
        return slack_message(answer, self.public_base_url)

    def collections(self, channel: str, *, direct: bool) -> tuple[str, ...]:
        """What a question in `channel` searches; a direct message (its ids start with "D") always `*`'s."""
        return self.channels.for_channel(channel, direct=direct or channel.startswith("D"))

    def _register_listeners(self) -> None:
        """Each listener: an acknowledgement in the request's thread, the answer lazily on `work`."""
        bolt = self.bolt

        def slash_question(command: dict) -> tuple[str, str | None]:
            """The question of a slash command, and why it is none (a Dutch message) or None."""
            question = clean_slack_text(command.get("text", ""))
            try:
                return clean_question(question), None
            except QuestionError as exc:
                return question, exc.message if question else USAGE

        def slash_ack(ack, command):
            question, refusal = slash_question(command)
            ack(response_type="ephemeral", text=refusal or (BUSY if self.work.full() else SEARCHING))

        def slash_answer(command, respond):
            question, refusal = slash_question(command)
            if refusal:
                return  # the acknowledgement said why
            collections = self.collections(str(command.get("channel_id", "")),
                                           direct=command.get("channel_name") == "directmessage")
            message = self.answer(question, [], collections)
            respond(response_type="in_channel" if "blocks" in message else "ephemeral",
                    replace_original=False, **message)

        def acknowledge(ack):
            ack()

        def app_mention(event, client):
            if event.get("bot_id") or event.get("subtype"):
                return
            if str(event.get("channel", "")).startswith("D"):
                return  # a mention in a direct message also arrives as message.im, answered there
            self._answer_in_thread(event, client)

        def message(event, client):
            # Only what a person writes to the bot directly; edits, joins and bots are no questions.
            if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
                return
            self._answer_in_thread(event, client)

        bolt.command(re.compile(r".+"))(ack=slash_ack, lazy=[slash_answer])
        bolt.event("app_mention")(ack=acknowledge, lazy=[app_mention])
        bolt.event("message")(ack=acknowledge, lazy=[message])

        @bolt.error
        def on_error(error, body):
            log.error("Slack-verzoek mislukt (%s): %s", body.get("type") if isinstance(body, dict) else "?", error)

    def _answer_in_thread(self, event: dict, client) -> None:
        channel = event.get("channel")
        thread_ts = event.get("thread_ts") or event.get("ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str):
            return  # no place to answer in (readable_payload lets no such event through)
        question = clean_slack_text(event.get("text", ""))
        try:
            question = clean_question(question)
        except QuestionError as exc:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                    text=exc.message if question else USAGE)
            return
        history = self.threads.add(channel, thread_ts, question)
        message = self.answer(question, history, self.collections(channel, direct=event.get("channel_type") == "im"))
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False,
                                unfurl_media=False, **message)

    # -- HTTP ---------------------------------------------------------------

    def handle(self):
        """POST /slack/events: a signed request to Bolt, unless it was handled already (a replay, a duplicate event)."""
        body = request.get_data()
        signature = request.headers.get("X-Slack-Signature")
        try:
            valid = self.verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp"), signature)
        except (ValueError, TypeError):  # a timestamp that is no number
            valid = False
        if not valid:
            return error_response(401, "invalid_signature",
                                  "Ongeldige of verlopen handtekening van Slack.")
        payload = readable_payload(body, request.headers.get("Content-Type"))
        if payload is None:
            return error_response(400, "invalid_request", "Dit verzoek van Slack is onleesbaar.")
        if not self.recent_signatures.first_time(signature):
            log.info("Slack-verzoek met een handtekening die al binnenkwam: bevestigd, niet opnieuw beantwoord.",
                     extra={"reason": "slack_replay"})
            return "", 200  # the same timestamp and body again: a replay (or a retry that is not needed)
        event_id = payload.get("event_id")
        if event_id and not self.recent_events.first_time(event_id):
            return "", 200  # handled already: a retry of a delivery that did arrive
        response = self.handler.handle(request)
        if response.status_code >= 500:  # nothing was answered: Slack retries it, and then it is answered
            self.recent_signatures.forget(signature)
            if event_id:
                self.recent_events.forget(event_id)
        if response.status_code == 404:  # Bolt has no listener for it: say so in the API's own shape
            return error_response(404, "not_handled", "Dit soort verzoek van Slack beantwoordt Vraagbaak niet.")
        return response


def init_app(app: Flask) -> SlackIntegration | None:
    """Mounts POST /slack/events when the signing secret and bot token are configured."""
    settings = app_settings(app)
    secret, token = settings.slack_signing_secret, settings.slack_bot_token
    missing = [env_name(key) for key, value in (("slack_signing_secret", secret), ("slack_bot_token", token))
               if not value]
    if missing:
        log.warning("Slack-koppeling staat uit: %s niet ingesteld; %s antwoordt 404.",
                    " en ".join(missing), EVENTS_PATH)
        return None
    integration = SlackIntegration(questions(app), channel_collections(app), signing_secret=secret,
                                   bot_token=token,
                                   api_url=settings.slack_api_url or "",
                                   public_base_url=settings.public_base_url or "")
    bp = Blueprint("slack", __name__)
    bp.add_url_rule(EVENTS_PATH, "events", integration.handle, methods=["POST"])
    app.register_blueprint(bp)
    app.extensions["vraagbaak.slack"] = integration
    log.info("Slack-koppeling staat aan op %s.", EVENTS_PATH)
    return integration

"""Mattermost: slash commands and outgoing webhooks, both on POST /mattermost/command.

A slash command posts a form (token, command, text, channel_id, response_url, …).
An outgoing webhook posts a form or JSON, as its Content-Type setting says
(token, trigger_word, text, channel_id, post_id, …); a request without
`command` but with `trigger_word` or `post_id` is an outgoing webhook, and its
leading trigger word (with a ":" or "," after it) is no part of the question.

The `token` must equal VRAAGBAAK_MATTERMOST_TOKEN (compared in constant time;
otherwise 401); without that setting the route is not mounted (404). A body
that is not JSON, or JSON that is no object, or a field that is no text, gets
a Dutch 400; a body over VRAAGBAAK_MAX_BODY_BYTES a 413 (web.security).

The answer is the HTTP response itself, `{"response_type", "text": markdown}`:
answering takes well under a second, and Mattermost waits for up to its
OutgoingIntegrationRequestsTimeout (30 s by default). A slash command's answer
is posted in the channel (`in_channel`); a problem (no question, no index yet)
is an ephemeral Dutch message that only the asker sees. An outgoing webhook
has no ephemeral messages: answer and problem alike are a reply in the thread
of the message that asked (`comment`).

A question searches only the collections of its channel (`channel_id`, through
web.channels and VRAAGBAAK_CHANNEL_COLLECTIONS); a direct message (its channel
name is `<user id>__<user id>`) and any channel not in the mapping, those of `*`.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, jsonify, request

from .answering import Refused, questions
from .channels import channel_collections
from .config import app_settings
from .errors import ApiError, error_response
from .refusals import BodyRefusals, json_object
from .slack_blocks import USAGE, mattermost_text

log = logging.getLogger(__name__)

COMMAND_PATH = "/mattermost/command"
TOKEN = "VRAAGBAAK_MATTERMOST_TOKEN"

# The fields Vraagbaak reads; in a JSON body each must be text when it is there (other fields are not read).
FIELDS = ("token", "command", "text", "trigger_word", "post_id", "channel_id", "channel_name")
_JSON_REFUSALS = BodyRefusals(
    not_json="Stuur het verzoek van Mattermost als formulier of als JSON.",  # json_object is asked for JSON only
    unreadable="Dit verzoek van Mattermost is geen geldige JSON.",
    not_object="Dit verzoek van Mattermost is geen JSON-object met velden.",
)


@dataclass(frozen=True)
class Kind:
    """A kind of Mattermost request, and the `response_type` of its answer and of a problem message."""

    name: str
    answer_type: str
    problem_type: str


SLASH_COMMAND = Kind("slash_command", answer_type="in_channel", problem_type="ephemeral")
# Mattermost posts an outgoing webhook's reply in the channel; "comment" makes it a reply to the question.
OUTGOING_WEBHOOK = Kind("outgoing_webhook", answer_type="comment", problem_type="comment")


def request_fields() -> dict:
    """The request's fields as sent: the form, or the JSON object an outgoing webhook may post (else ApiError 400)."""
    if not request.is_json:
        return request.form.to_dict()
    return json_object(_JSON_REFUSALS)


def text_fields(sent: dict) -> dict[str, str]:
    """The fields Vraagbaak reads, each text ("" when absent); ApiError 400 for one that is not text."""
    fields = {}
    for name in FIELDS:
        value = sent.get(name, "")
        if not isinstance(value, str):
            raise ApiError(400, "invalid_request", f"Het veld '{name}' in dit verzoek van Mattermost is geen tekst.")
        fields[name] = value
    return fields


def request_kind(fields: dict[str, str]) -> Kind:
    """An outgoing webhook sends `trigger_word` and `post_id`, a slash command `command`."""
    if not fields["command"] and (fields["trigger_word"] or fields["post_id"]):
        return OUTGOING_WEBHOOK
    return SLASH_COMMAND


def strip_trigger_word(text: str, trigger_word: str) -> str:
    """The message without the trigger word that starts it (and a ":" or "," right after it)."""
    text = text.strip()
    if trigger_word and text[:len(trigger_word)].casefold() == trigger_word.casefold():
        text = text[len(trigger_word):].lstrip(":,").strip()
    return text


def question_of(fields: dict[str, str], kind: Kind) -> str:
    """What the user asks, on one line."""
    text = fields["text"]
    if kind is OUTGOING_WEBHOOK:
        text = strip_trigger_word(text, fields["trigger_word"])
    return " ".join(text.split())


def _authorized(token: object) -> bool:
    """Whether `token` is the configured one (in constant time); a token that is no text is wrong."""
    expected = current_app.extensions["vraagbaak.mattermost_token"]
    return isinstance(token, str) and hmac.compare_digest(token.encode(), expected.encode())


def _reply(kind: Kind, text: str, *, problem: bool = False):
    """The response Mattermost posts: an answer, or a problem message, in the shape of its kind."""
    return jsonify({"response_type": kind.problem_type if problem else kind.answer_type, "text": text})


def command():
    """POST /mattermost/command: a slash command or an outgoing webhook, answered in the response."""
    sent = request_fields()
    if not _authorized(sent.get("token", "")):
        return error_response(401, "invalid_token", "Ongeldig token voor de Mattermost-koppeling.")
    fields = text_fields(sent)
    kind = request_kind(fields)
    question = question_of(fields, kind)
    if not question:
        return _reply(kind, USAGE, problem=True)
    direct = "__" in fields["channel_name"]  # a direct message's channel: "<user>__<user>"
    collections = channel_collections(current_app).for_channel(fields["channel_id"], direct=direct)
    try:
        answer = questions().ask(question, channel="mattermost", collections=collections)
    except Refused as refused:
        return _reply(kind, refused.failure.message, problem=True)
    return _reply(kind, mattermost_text(answer, app_settings().public_base_url))


def init_app(app: Flask) -> bool:
    """Mounts POST /mattermost/command when VRAAGBAAK_MATTERMOST_TOKEN is configured."""
    token = app_settings(app).mattermost_token
    if not token:
        log.warning("Mattermost-koppeling staat uit: %s niet ingesteld; %s antwoordt 404.", TOKEN, COMMAND_PATH)
        return False
    app.extensions["vraagbaak.mattermost_token"] = token
    channel_collections(app)  # made now, with the app
    bp = Blueprint("mattermost", __name__)
    bp.add_url_rule(COMMAND_PATH, "command", command, methods=["POST"])
    app.register_blueprint(bp)
    log.info("Mattermost-koppeling staat aan op %s.", COMMAND_PATH)
    return True

"""Mattermost's Slack-compatible slash commands: POST /mattermost/command.

Mattermost posts the command as a form (token, text, user_name, response_url, …).
The `token` must equal VRAAGBAAK_MATTERMOST_TOKEN (compared in constant time;
otherwise 401); without that setting the route is not mounted (404). The answer
is the HTTP response itself, `{"response_type": "in_channel", "text": markdown}`:
answering takes well under a second, and Mattermost waits for up to its
OutgoingIntegrationRequestsTimeout (30 s by default). Problems (no question, no
index yet) get an ephemeral Dutch message that only the asker sees.

A question searches only the collections of its channel (`channel_id`, through
web.channels and VRAAGBAAK_CHANNEL_COLLECTIONS); a direct message (its channel
name is `<user id>__<user id>`) and any channel not in the mapping, those of `*`.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Flask, current_app, jsonify, request

from .answering import Refused, questions
from .channels import channel_collections
from .config import app_settings
from .errors import error_response
from .slack_blocks import USAGE, mattermost_text

log = logging.getLogger(__name__)

COMMAND_PATH = "/mattermost/command"
TOKEN = "VRAAGBAAK_MATTERMOST_TOKEN"


def _ephemeral(text: str):
    return jsonify({"response_type": "ephemeral", "text": text})


def command():
    expected = current_app.extensions["vraagbaak.mattermost_token"]
    token = request.form.get("token", "")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return error_response(401, "invalid_token", "Ongeldig token voor de Mattermost-opdracht.")
    question = " ".join(request.form.get("text", "").split())
    if not question:
        return _ephemeral(USAGE)
    channel = request.form.get("channel_id", "")
    direct = "__" in request.form.get("channel_name", "")  # a direct message's channel: "<user>__<user>"
    collections = channel_collections(current_app).for_channel(channel, direct=direct)
    try:
        answer = questions().ask(question, channel="mattermost", collections=collections)
    except Refused as refused:
        return _ephemeral(refused.failure.message)
    return jsonify({"response_type": "in_channel",
                    "text": mattermost_text(answer, app_settings().public_base_url)})


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

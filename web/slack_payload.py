"""The payload of a signed Slack request, checked for the shape Bolt reads (web.slack answers 400 otherwise).

Only a holder of the signing secret can send a body of another shape; inside Bolt it failed with a 500.
"""

from __future__ import annotations

import json
import urllib.parse


def readable_payload(body: bytes, content_type: str | None) -> dict | None:
    """The request's JSON payload ({} for a form), or None where Bolt could not read the body.

    Read as Bolt reads it (slack_bolt.request.internals.parse_body): events
    are a JSON object; slash commands a form; interactivity a form whose
    `payload` field is a JSON object with, for actions, a list of them. A body
    that is signed but not of that shape (only a holder of the signing secret
    can send one) gets None here, and a 400 from web.slack, instead of failing inside Bolt.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if content_type == "application/json" or text.startswith("{"):
        payload = _json_object(text)
        if payload is None or not _event_shaped(payload):
            return None
        return payload
    if "payload" not in text:
        return {}  # a slash command, or nothing: Bolt reads the fields or has no listener
    field = dict(urllib.parse.parse_qsl(text, keep_blank_values=True)).get("payload")
    if field is None:
        return {}
    payload = _json_object(field)
    actions = payload.get("actions") if payload is not None else None
    if payload is None or (actions is not None and not (
            isinstance(actions, list) and actions and all(isinstance(action, dict) for action in actions))):
        return None
    if any(payload.get(key) is not None and not isinstance(payload[key], dict) for key in _INTERACTIVE_OBJECTS):
        return None
    return {}  # interactivity has no event id


# What Bolt reads as objects, and would fail on as anything else.
_INTERACTIVE_OBJECTS = ("view", "user", "team", "channel", "container", "message", "enterprise")
_EVENT_OBJECTS_OR_IDS = ("channel", "user", "team")
_EVENT_TEXTS = ("type", "subtype", "channel_type", "text", "ts", "thread_ts", "bot_id")


def _event_shaped(payload: dict) -> bool:
    """Whether a JSON payload has the shape Bolt reads without failing (an event as an object, ...)."""
    if payload.get("event_id") is not None and not isinstance(payload["event_id"], str):
        return False
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
            isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)):
        return False
    if "event" not in payload:
        return True
    event = payload["event"]
    return (isinstance(event, dict)
            and all(event.get(key) is None or isinstance(event[key], (str, dict)) for key in _EVENT_OBJECTS_OR_IDS)
            and all(event.get(key) is None or isinstance(event[key], str) for key in _EVENT_TEXTS))


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    return value if isinstance(value, dict) else None

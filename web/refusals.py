"""Bad input becomes the API's error body: one mapping from a pydantic ValidationError to a code and a Dutch message.

Every field of a request model (web.schemas) carries its Refusal as Annotated metadata: the error code
and message a client gets when that field is wrong, right beside the rule. When several fields are
wrong, one error is reported: an unknown field first (by name), else the first wrong field in the
order the model declares its fields. A model that forbids unknown fields names their Refusal in its
`unknown_field` ({name} in the message is the field). A model of a JSON body names, in `body_refusals`,
what a client gets for a body that is not a JSON object at all (415, invalid_json): checked first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from .errors import _MESSAGES, ApiError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, eq=False)
class Refusal:
    """How a request field is refused (400): its error code, its Dutch message, and more precise messages for
    some pydantic error types, used only when every error in the field is of that type."""

    code: str
    message: str
    precise: Mapping[str, str] = field(default_factory=dict)

    def message_for(self, error_types: Iterable[str]) -> str:
        kinds = set(error_types)
        if len(kinds) == 1:
            return self.precise.get(kinds.pop(), self.message)
        return self.message


@dataclass(frozen=True)
class BodyRefusals:
    """The Dutch messages for a body that is not a JSON object: checked before any field."""

    not_json: str  # 415: another Content-Type
    unreadable: str  # 400 invalid_json: not JSON at all
    not_object: str  # 400 invalid_json: JSON, but not an object


def json_object(refusals: BodyRefusals) -> dict:
    """The request's JSON object, or the ApiError for a body that is none."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", refusals.not_json)
    try:
        body = request.get_json()
    except BadRequest:  # the body does not parse as JSON ("null" does, and is no object)
        raise ApiError(400, "invalid_json", refusals.unreadable) from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", refusals.not_object)
    return body


def refusal(model: type[BaseModel], error: ValidationError) -> ApiError:
    """The one ApiError (400) that reports `error`, a failed validation of `model`."""
    errors = error.errors(include_url=False, include_context=False, include_input=False)
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden" and e["loc"])
    unknown_field: Refusal | None = getattr(model, "unknown_field", None)
    if unknown and unknown_field is not None:
        return ApiError(400, unknown_field.code, unknown_field.message.format(name=unknown[0]))
    by_field: dict[str, list[str]] = {}
    for e in errors:
        if e["loc"]:
            by_field.setdefault(str(e["loc"][0]), []).append(e["type"])
    for name, info in model.model_fields.items():
        if name in by_field:
            rule = next((m for m in info.metadata if isinstance(m, Refusal)), None)
            if rule is not None:
                return ApiError(400, rule.code, rule.message_for(by_field[name]))
    return ApiError(400, *_MESSAGES[400])  # a field without its own Refusal: the generic 400


def validated(model: type[M], data: object) -> M:
    """`data` as a `model`, or the ApiError that refuses it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refusal(model, exc) from None

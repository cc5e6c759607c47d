"""Who is asking, and which collections they may read: decided once per request.

The caller is the bearer token of the request (`Authorization: Bearer …`):

* the admin token (VRAAGBAAK_ADMIN_TOKEN) reads every collection;
* the API token (VRAAGBAAK_API_TOKEN), the shared key of the API, reads the
  public collections, like a caller without a token;
* a token issued by `vraagbaak token create` or POST /api/v1/tokens
  (web.tokens), not revoked and not expired, reads the collections it lists
  that still exist, and the public ones (a token never reads less than no
  token);
* no token (or another scheme than Bearer): the public collections
  (VRAAGBAAK_PUBLIC_COLLECTIONS, default `standaard`) that exist.

A bearer token that is none of these -- wrong, revoked or expired -- is
refused with 401, never silently read as no token; web.tokens says which
(TokenRefused, TokenExpired) and in what words. Which collections exist changes while
the service runs; it is read from the collections folder on every check.

A caller who may not read a collection does not learn whether it exists:
asking for it is the same 403 as asking for one that does not exist, and a
document of it is the same 404 as a missing document (web.documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import g

from index.collections import is_name

from .auth import CHALLENGE, admin_token, bearer, bearer_matches
from .config import app_settings
from .errors import ApiError
from .library import library
from .tokens import TokenRefused, TokenStore

ADMIN, TOKEN, API, PUBLIC = "admin", "token", "api", "public"

FORBIDDEN = "Je mag niet zoeken in (een van) de gevraagde collecties, of die bestaan niet."
NOTHING_READABLE = "Deze token geeft toegang tot geen enkele bestaande collectie."
TOKEN_NEEDED = "Zonder token zijn er geen collecties om in te zoeken (Authorization: Bearer <token>)."


@dataclass(frozen=True)
class Reader:
    """The caller of one request and what it may read."""

    kind: str  # ADMIN, TOKEN (an issued token), API (VRAAGBAAK_API_TOKEN) or PUBLIC (no token)
    name: str | None = None  # an issued token's name (never its value)
    granted: frozenset[str] | None = None  # the collections it may read if they exist; None: every one

    @property
    def is_admin(self) -> bool:
        return self.kind == ADMIN

    @property
    def authenticated(self) -> bool:
        return self.kind != PUBLIC

    def may_read(self, name: str) -> bool:
        """Whether it may read collection `name` (which must also exist to be read)."""
        return self.granted is None or name in self.granted

    def readable(self) -> list[str]:
        """The existing collections it may read, `standaard` first, then by name."""
        return [name for name in library().names() if self.may_read(name)]


def reader() -> Reader:
    """The caller of this request, decided on first use and kept for the request; 401 for a wrong token."""
    found = g.get("vraagbaak_reader")
    if found is None:
        found = g.vraagbaak_reader = _identify()
    return found


def _identify() -> Reader:
    settings = app_settings()
    public = frozenset(settings.public_collections)
    given = bearer()
    if given is None:
        return Reader(PUBLIC, granted=public)
    if admin_token() and bearer_matches(admin_token()):
        return Reader(ADMIN)
    if settings.api_token and bearer_matches(settings.api_token):
        return Reader(API, granted=public)
    try:
        issued = TokenStore(settings.tokens_path).check(given)
    except TokenRefused as refused:  # unknown, revoked or expired: web.tokens has the status, code and words
        raise ApiError(refused.status, refused.code, refused.message, headers=CHALLENGE) from None
    return Reader(TOKEN, issued.name, frozenset(issued.collections) | public)


def may_read(name: str) -> bool:
    """Whether this request's caller may read the existing collection `name`."""
    return is_name(name) and reader().may_read(name) and library().collections.exists(name)


def question_collections(requested: Sequence[str] | None) -> list[str]:
    """The collections a question of this request searches.

    None: every collection the caller may read. Named ones: those, each of
    which the caller must be allowed to read; otherwise 403, with the same
    message whether it exists or not. Only the admin, who may know every
    name, hears that a collection does not exist (404).
    """
    who = reader()
    if requested is None:
        names = who.readable()
        if not names:
            if who.authenticated:
                raise ApiError(403, "forbidden", NOTHING_READABLE)
            raise ApiError(401, "unauthorized", TOKEN_NEEDED, headers=CHALLENGE)
        return names
    names = list(dict.fromkeys(requested))
    collections = library().collections
    for name in names:
        if not who.may_read(name) or not collections.exists(name):
            if who.is_admin:
                raise ApiError(404, "collection_not_found", f"De collectie '{name}' bestaat niet.")
            raise ApiError(403, "forbidden", FORBIDDEN)
    return names

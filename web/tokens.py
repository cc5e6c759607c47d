"""API tokens: who may read which collections, stored as a hash only.

A token is `vb_` and 32 random bytes (URL-safe base64). It is shown once,
when it is made (`vraagbaak token create`, `POST /api/v1/tokens`); the store
keeps only its SHA-256, which is enough for a random token of that length
(no salt or slow hash is needed: nobody can guess 256 random bits, so
there is no dictionary to protect against). Each row has a unique name, the
collections the token may read, when it was made and, once revoked, when.
A revoked token is kept (its name stays taken), so the list shows it.

The file is SQLite at `settings.tokens_path`; a connection per call, so any
thread (or any process: the CLI while the service runs) may use it, and a
revocation counts from the next request on.

Which collections exist is the caller's to check (`issue`): this module
knows only names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from index.collections import CollectionError, check_name

from .sqlite_file import open_sqlite

PREFIX = "vb_"
TOKEN_BYTES = 32
# A token's name: what lists and logs show instead of its value.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_PATTERN = f"^{NAME.pattern}$"
NAME_RULE = ("Een tokennaam bestaat uit 1 tot 64 letters, cijfers, punten, streepjes of liggende streepjes, "
             "en begint met een letter of cijfer.")
MAX_COLLECTIONS = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    collections TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
)
"""


class TokenError(Exception):
    """A token request that cannot be done; `message` is Dutch, `status` and `code` say it to the API."""

    status, code = 400, "invalid_token_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenExists(TokenError):
    status, code = 409, "token_exists"


class TokenMissing(TokenError):
    status, code = 404, "token_not_found"


class UnknownCollection(TokenError):
    status, code = 404, "collection_not_found"


@dataclass(frozen=True)
class TokenInfo:
    """A stored token as lists show it: never its value or hash."""

    name: str
    collections: tuple[str, ...]
    created: str
    revoked: str | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "collections": list(self.collections), "created": self.created,
                "revoked": self.revoked}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_token_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise TokenError(NAME_RULE)
    return name


class TokenStore:
    """The tokens table in one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        return open_sqlite(self.path, lambda db: db.execute(_SCHEMA))

    def create(self, name: str, collections: Iterable[str]) -> tuple[str, TokenInfo]:
        """A new token: (its value, shown this once; what is stored). TokenExists when the name is taken."""
        info = TokenInfo(check_token_name(name), tuple(collections), _now())
        token = new_token()
        db = self._connect()
        try:
            with db:
                db.execute("INSERT INTO tokens (name, hash, collections, created) VALUES (?, ?, ?, ?)",
                           (info.name, token_hash(token), json.dumps(list(info.collections)), info.created))
        except sqlite3.IntegrityError:
            raise TokenExists(f"Er bestaat al een token met de naam '{name}'.") from None
        finally:
            db.close()
        return token, info

    def find(self, token: str) -> TokenInfo | None:
        """The unrevoked token with this value, or None.

        The row is found by its hash (an index lookup) and the hash then compared in constant
        time: the lookup's timing can only tell about hashes, which say nothing about tokens.
        """
        if not token or not self.path.exists():
            return None
        wanted = token_hash(token)
        db = self._connect()
        try:
            row = db.execute("SELECT name, hash, collections, created, revoked FROM tokens WHERE hash = ?",
                             (wanted,)).fetchone()
        finally:
            db.close()
        if row is None or not hmac.compare_digest(row[1], wanted) or row[4] is not None:
            return None
        return TokenInfo(row[0], tuple(json.loads(row[2])), row[3], row[4])

    def list(self) -> list[TokenInfo]:
        """Every token, revoked ones too, oldest first."""
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            rows = db.execute("SELECT name, collections, created, revoked FROM tokens "
                              "ORDER BY created, name").fetchall()
        finally:
            db.close()
        return [TokenInfo(name, tuple(json.loads(names)), created, revoked) for name, names, created, revoked in rows]

    def revoke(self, name: str) -> TokenInfo:
        """Revoke the token `name` (again: no change); TokenMissing when there is none."""
        db = self._connect()
        try:
            with db:
                db.execute("UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL", (_now(), name))
                row = db.execute("SELECT name, collections, created, revoked FROM tokens WHERE name = ?",
                                 (name,)).fetchone()
        finally:
            db.close()
        if row is None:
            raise TokenMissing(f"Er is geen token met de naam '{name}'.")
        return TokenInfo(row[0], tuple(json.loads(row[1])), row[2], row[3])


    def withdraw(self, collection: str) -> list[str]:
        """Take `collection` out of every token's grants (it was deleted); the names of the tokens changed.

        Grants are names: without this, a collection made again under the same name, by
        another team, would be readable with the tokens of the one deleted.
        """
        if not self.path.exists():
            return []
        changed = []
        db = self._connect()
        try:
            with db:
                for name, names in db.execute("SELECT name, collections FROM tokens").fetchall():
                    granted = json.loads(names)
                    if collection in granted:
                        kept = [c for c in granted if c != collection]
                        db.execute("UPDATE tokens SET collections = ? WHERE name = ?", (json.dumps(kept), name))
                        changed.append(name)
        finally:
            db.close()
        return changed


def collection_names(names: Iterable[object], exists: Callable[[str], bool]) -> tuple[str, ...]:
    """The collections of a new token, each checked: a valid name, and a collection that exists."""
    result: list[str] = []
    for name in names:
        try:
            check_name(name)
        except CollectionError as exc:
            raise TokenError(str(exc)) from None
        if not exists(name):
            raise UnknownCollection(f"De collectie '{name}' bestaat niet.")
        if name not in result:
            result.append(name)
    if not result:
        raise TokenError("Noem minstens één collectie die de token mag lezen.")
    if len(result) > MAX_COLLECTIONS:
        raise TokenError(f"Een token kan hoogstens {MAX_COLLECTIONS} collecties lezen.")
    return tuple(result)


def issue(store: TokenStore, name: str | None, names: Iterable[object],
          exists: Callable[[str], bool]) -> tuple[str, TokenInfo]:
    """Make a token for these collections, the one way the CLI and the API do it.

    Without a name the token is called `token-<8 hex digits>`.
    """
    collections = collection_names(names, exists)
    return store.create(name if name is not None else f"token-{secrets.token_hex(4)}", collections)

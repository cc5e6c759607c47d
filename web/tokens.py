"""API tokens: who may read which collections, stored as a hash only.

A token is `vb_` and 32 random bytes (URL-safe base64). It is shown once,
when it is made (`vraagbaak token create`, `POST /api/v1/tokens`); the store
keeps only its SHA-256, which is enough for a random token of that length
(no salt or slow hash is needed: nobody can guess 256 random bits, so
there is no dictionary to protect against). Each row has a unique name, the
collections the token may read, when it was made, when it expires (NULL: it
never does) and, once revoked, when. A revoked or expired token is kept (its
name stays taken), so the list shows it.

Times are UTC ISO timestamps (`2026-01-31T12:00:00+00:00`). An expired token
is refused like an unknown one (TokenRefused, 401), with a message of its own
(TokenExpired) so that its holder knows to ask for a new one. The methods that
compare with the clock take a `now`, so a test can set the time.

The file is SQLite at `settings.tokens_path`; a connection per call, so any
thread (or any process: the CLI while the service runs) may use it, and a
revocation counts from the next request on. A file made before tokens could
expire gets the `expires` column when it is opened (its tokens never expire).

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
from datetime import datetime, timedelta, timezone
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
# How long a token may be made to last, in whole days (`--expires`, `expires_in_days`); without it: for ever.
MIN_EXPIRES_DAYS, MAX_EXPIRES_DAYS = 1, 3650
EXPIRES_RULE = (f"De verloopduur van een token is een geheel aantal dagen van {MIN_EXPIRES_DAYS} tot en met "
                f"{MAX_EXPIRES_DAYS}; laat hem weg voor een token die niet verloopt.")
UNKNOWN_TOKEN = "Deze token is onbekend of ingetrokken (Authorization: Bearer <token>)."
EXPIRED_TOKEN = ("Deze token is verlopen (op {expires}). Vraag de beheerder om een nieuwe token "
                 "(vraagbaak token create).")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    collections TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT,
    expires TEXT
)
"""
_COLUMNS = "name, collections, created, revoked, expires"


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


class TokenRefused(TokenError):
    """A bearer token that reads nothing: unknown or revoked. Answered 401, like any wrong token."""

    status, code = 401, "unauthorized"


class TokenExpired(TokenRefused):
    """A bearer token past its expiry: refused like an unknown one, with a message that says it expired."""


@dataclass(frozen=True)
class TokenInfo:
    """A stored token as lists show it: never its value or hash."""

    name: str
    collections: tuple[str, ...]
    created: str
    revoked: str | None = None
    expires: str | None = None  # a UTC ISO timestamp; None: it never expires

    def expiry(self) -> datetime | None:
        """When the token expires, in UTC; None when it never does, or when the stored expiry is no timestamp."""
        try:
            return _utc(datetime.fromisoformat(self.expires)) if self.expires is not None else None
        except ValueError:
            return None

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the token is past its expiry at `now` (default: the clock); one that never expires never is.

        A stored expiry that is no timestamp counts as past: a token is never valid by a mistake.
        """
        if self.expires is None:
            return False
        expiry = self.expiry()
        return expiry is None or _utc(now or datetime.now(timezone.utc)) >= expiry

    def as_dict(self, now: datetime | None = None) -> dict:
        """What the API shows of the token: never its value or hash (an expiry that is no timestamp as none)."""
        expiry = self.expiry()
        return {"name": self.name, "collections": list(self.collections), "created": self.created,
                "revoked": self.revoked, "expires": self.expires if expiry is not None else None,
                "expired": self.expired(now)}

    @classmethod
    def from_row(cls, row: tuple) -> TokenInfo:
        """A TokenInfo from a row of the store's columns, in the order of _COLUMNS."""
        name, collections, created, revoked, expires = row
        return cls(name, tuple(json.loads(collections)), created, revoked, expires)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _timestamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) as the store writes times: UTC, ISO, to the second."""
    return _utc(moment or datetime.now(timezone.utc)).isoformat(timespec="seconds")


def check_token_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise TokenError(NAME_RULE)
    return name


def check_expires_days(days: object) -> int | None:
    """A token's lifetime in days: None (it never expires) or a whole number within the limits; else TokenError."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_EXPIRES_DAYS <= days <= MAX_EXPIRES_DAYS:
        raise TokenError(EXPIRES_RULE)
    return days


def _prepare(db: sqlite3.Connection) -> None:
    """The tokens table, made when missing; a table from before tokens could expire gets its `expires` column."""
    db.execute(_SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
    if "expires" not in columns:
        try:
            db.execute("ALTER TABLE tokens ADD COLUMN expires TEXT")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):  # another process added it a moment ago: done
                raise


class TokenStore:
    """The tokens table in one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        return open_sqlite(self.path, _prepare)

    def create(self, name: str, collections: Iterable[str], expires_in_days: int | None = None,
               now: datetime | None = None) -> tuple[str, TokenInfo]:
        """A new token: (its value, shown this once; what is stored). TokenExists when the name is taken.

        With `expires_in_days` it expires that many days after `now` (default: the clock); without, never.
        """
        days = check_expires_days(expires_in_days)
        made = _utc(now or datetime.now(timezone.utc))
        expires = _timestamp(made + timedelta(days=days)) if days is not None else None
        info = TokenInfo(check_token_name(name), tuple(collections), _timestamp(made), expires=expires)
        token = new_token()
        db = self._connect()
        try:
            with db:
                db.execute("INSERT INTO tokens (name, hash, collections, created, expires) VALUES (?, ?, ?, ?, ?)",
                           (info.name, token_hash(token), json.dumps(list(info.collections)), info.created,
                            info.expires))
        except sqlite3.IntegrityError:
            raise TokenExists(f"Er bestaat al een token met de naam '{name}'.") from None
        finally:
            db.close()
        return token, info

    def _lookup(self, token: str) -> TokenInfo | None:
        """The stored token with this value, revoked or expired, or None.

        The row is found by its hash (an index lookup) and the hash then compared in constant
        time: the lookup's timing can only tell about hashes, which say nothing about tokens.
        """
        if not token or not self.path.exists():
            return None
        wanted = token_hash(token)
        db = self._connect()
        try:
            row = db.execute(f"SELECT hash, {_COLUMNS} FROM tokens WHERE hash = ?", (wanted,)).fetchone()
        finally:
            db.close()
        if row is None or not hmac.compare_digest(row[0], wanted):
            return None
        return TokenInfo.from_row(row[1:])

    def check(self, token: str, now: datetime | None = None) -> TokenInfo:
        """The token with this value, if it may read at `now` (default: the clock).

        TokenRefused when it is unknown or revoked, TokenExpired (a TokenRefused) when it is past its expiry.
        """
        found = self._lookup(token)
        if found is None or found.revoked is not None:
            raise TokenRefused(UNKNOWN_TOKEN)
        if found.expired(now):
            raise TokenExpired(EXPIRED_TOKEN.format(expires=found.expires))
        return found

    def find(self, token: str, now: datetime | None = None) -> TokenInfo | None:
        """The token with this value if it may read at `now` (not revoked, not expired), or None."""
        try:
            return self.check(token, now)
        except TokenRefused:
            return None

    def list(self) -> list[TokenInfo]:
        """Every token, revoked and expired ones too, oldest first."""
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            rows = db.execute(f"SELECT {_COLUMNS} FROM tokens ORDER BY created, name").fetchall()
        finally:
            db.close()
        return [TokenInfo.from_row(row) for row in rows]

    def revoke(self, name: str) -> TokenInfo:
        """Revoke the token `name` (again: no change); TokenMissing when there is none."""
        db = self._connect()
        try:
            with db:
                db.execute("UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL",
                           (_timestamp(), name))
                row = db.execute(f"SELECT {_COLUMNS} FROM tokens WHERE name = ?", (name,)).fetchone()
        finally:
            db.close()
        if row is None:
            raise TokenMissing(f"Er is geen token met de naam '{name}'.")
        return TokenInfo.from_row(row)

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
          exists: Callable[[str], bool], expires_in_days: int | None = None) -> tuple[str, TokenInfo]:
    """Make a token for these collections, the one way the CLI and the API do it.

    Without a name the token is called `token-<8 hex digits>`; without `expires_in_days` it never expires.
    """
    days = check_expires_days(expires_in_days)
    collections = collection_names(names, exists)
    return store.create(name if name is not None else f"token-{secrets.token_hex(4)}", collections, days)

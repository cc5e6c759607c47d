"""Thumbs up / down on answers: POST /api/v1/feedback, stored in SQLite, exported for admins.

Rows are kept in `feedback.sqlite` in the data folder (config or environment
`VRAAGBAAK_FEEDBACK_DB` overrides the path), each with a UTC timestamp, the
collections of the answer (the chat page sends its passages' collections) and
the index version those collections served when it came in. A file from before
collections is migrated in place when first opened: it gains the column, and
its rows get `["standaard"]`, the only index there was. The export (GET, JSON or
CSV) exists only when `VRAAGBAAK_ADMIN_TOKEN` is set and answers only to
`Authorization: Bearer <token>`; `vraagbaak feedback export` reads the same file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from index.collections import STANDARD, CollectionMissing

from . import access, openapi
from .auth import require_admin
from .config import app_settings
from .errors import ApiError
from .library import library
from .refusals import validated
from .schemas import ExportQuery, FeedbackRequest
from .sqlite_file import open_sqlite

bp = Blueprint("feedback", __name__, url_prefix="/api/v1")

COLUMNS = ("id", "created_at", "index_version", "collections", "rating", "question", "answer", "passages", "history",
           "comment")
LISTS = ("collections", "passages", "history")  # stored as JSON, exported as lists (CSV: joined by " | ")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    index_version TEXT,
    collections TEXT NOT NULL DEFAULT '[]',
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    passages TEXT NOT NULL,
    history TEXT NOT NULL,
    comment TEXT
)
"""


class FeedbackStore:
    """The feedback table in one SQLite file; a connection per call, so any thread may use it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        return open_sqlite(self.path, _prepare)

    def add(self, *, question: str, answer: str, rating: str, passages: list[str], history: list[str],
            comment: str | None, index_version: str | None, collections: list[str]) -> int:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        db = self._connect()
        try:
            with db:
                cursor = db.execute(
                    "INSERT INTO feedback (created_at, index_version, collections, rating, question, answer, passages,"
                    " history, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (created, index_version, json.dumps(collections), rating, question, answer,
                     json.dumps(passages, ensure_ascii=False), json.dumps(history, ensure_ascii=False), comment),
                )
            return int(cursor.lastrowid)
        finally:
            db.close()

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            result = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        finally:
            db.close()
        rows = []
        for values in result:
            row = dict(zip(COLUMNS, values))
            for column in LISTS:
                row[column] = json.loads(row[column])
            rows.append(row)
        return rows


def _prepare(db: sqlite3.Connection) -> None:
    db.execute(_SCHEMA)
    _add_collections_column(db)


def _add_collections_column(db: sqlite3.Connection) -> None:
    """A feedback file from before collections gets the column, in place; its rows all came from `standaard`.

    In one write transaction, checked again inside it: two processes opening an old file at once migrate it once.
    """
    if _has_collections(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if not _has_collections(db):
            db.execute("ALTER TABLE feedback ADD COLUMN collections TEXT NOT NULL DEFAULT '[]'")
            db.execute("UPDATE feedback SET collections = ?", (json.dumps([STANDARD]),))
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _has_collections(db: sqlite3.Connection) -> bool:
    return any(row[1] == "collections" for row in db.execute("PRAGMA table_info(feedback)"))


# CSV injection (OWASP): a cell that a spreadsheet program reads as a formula gets this prefix, which
# makes it text. Feedback text is untrusted.
FORMULA_PREFIX = "'"
# = + - @ and their full-width forms, which some spreadsheet programs also take for a formula sign.
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# What may come before the sign and still be skipped by a spreadsheet: OWASP names tab and carriage
# return; line feed, NUL, spaces (also non-breaking) and other invisible characters are treated alike.
_SKIPPED_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Cf")


def spreadsheet_safe(value: str) -> str:
    """`value` with FORMULA_PREFIX when a spreadsheet could read it as a formula.

    That is: it starts with a formula sign, or with a tab, CR, LF or NUL (OWASP, ASVS 1.2.10), or a formula
    sign follows only whitespace and invisible characters (" =1+1", "\\n=1+1").
    """
    if not value:
        return value
    if value[0] in "\t\r\n\x00":
        return FORMULA_PREFIX + value
    for char in value:
        if char in FORMULA_SIGNS:
            return FORMULA_PREFIX + value
        if unicodedata.category(char) not in _SKIPPED_CATEGORIES:
            return value
    return value


def rows_to_csv(rows: list[dict]) -> str:
    """The rows as CSV: every cell quoted (RFC 4180, quotes doubled), every text cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column in LISTS:
                value = " | ".join(value)
            cells.append("" if value is None else spreadsheet_safe(str(value)))
        writer.writerow(cells)
    return out.getvalue()


def rows_to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _store() -> FeedbackStore:
    return FeedbackStore(app_settings().feedback_path)


def _row(feedback: FeedbackRequest) -> dict:
    return {
        "question": feedback.question,
        "answer": feedback.answer,
        "rating": feedback.rating,
        "passages": feedback.passages or [],
        "collections": list(dict.fromkeys(feedback.collections or [])),
        "history": feedback.history or [],
        "comment": feedback.comment if feedback.comment and feedback.comment.strip() else None,
    }


def _index_version(collections: list[str]) -> str | None:
    """What the answer's collections serve now, written as an answer's index.version is: one collection's
    own version, several as "name:version" joined by "+"; `standaard`'s when the client named none."""
    if not collections:
        return library().standard.index_version()
    versions = []
    for name in collections:
        try:
            version = library().engine(name).index_version()
        except CollectionMissing:  # removed since the answer
            continue
        if version:
            versions.append((name, version))
    if len(versions) == 1:
        return versions[0][1]
    return "+".join(f"{name}:{version}" for name, version in versions) or None


@bp.post("/feedback")
@openapi.add_feedback
def add_feedback():
    """Geef een duim omhoog of omlaag op een antwoord"""
    fields = _row(request.context.json)
    # Feedback lands in the answer's collections' rows: only on collections the caller may read
    # (one removed since the answer still counts), refused as a question would be (web.access).
    if not all(access.reader().may_read(name) for name in fields["collections"]):
        raise ApiError(403, "forbidden", access.FORBIDDEN)
    row_id = _store().add(**fields, index_version=_index_version(fields["collections"]))
    return jsonify({"id": row_id, "status": "opgeslagen"}), 201


@bp.get("/feedback")
@openapi.export_feedback
def export_feedback():
    """Exporteer alle feedback (beheer)

    Alleen beschikbaar als VRAAGBAAK_ADMIN_TOKEN is ingesteld; vraagt Authorization: Bearer <token>.
    """
    denied = require_admin("Voor de export van feedback is een geldige beheerderstoken nodig.")
    if denied is not None:
        return denied
    query = validated(ExportQuery, request.args.to_dict())
    rows = _store().rows()
    if query.format == "csv":
        return Response(rows_to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="feedback.csv"',
                                 "Cache-Control": "no-store"})
    response = jsonify(rows)
    response.headers["Cache-Control"] = "no-store"
    return response

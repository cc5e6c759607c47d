"""Thumbs up / down on answers: POST /api/v1/feedback, stored in SQLite, exported for admins.

Rows are kept in `feedback.sqlite` in the data folder (config or environment
`VRAAGBAAK_FEEDBACK_DB` overrides the path), each with a UTC timestamp and the
index version that was current when it came in. The export (GET, JSON or
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

from flask import Blueprint, Response, current_app, jsonify, request


from . import openapi
from .auth import require_admin
from .config import app_settings
from .refusals import validated
from .schemas import ExportQuery, FeedbackRequest

bp = Blueprint("feedback", __name__, url_prefix="/api/v1")

COLUMNS = ("id", "created_at", "index_version", "rating", "question", "answer", "passages", "history", "comment")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    index_version TEXT,
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(_SCHEMA)
        return db

    def add(self, *, question: str, answer: str, rating: str, passages: list[str], history: list[str],
            comment: str | None, index_version: str | None) -> int:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        db = self._connect()
        try:
            with db:
                cursor = db.execute(
                    "INSERT INTO feedback (created_at, index_version, rating, question, answer, passages, history,"
                    " comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (created, index_version, rating, question, answer, json.dumps(passages, ensure_ascii=False),
                     json.dumps(history, ensure_ascii=False), comment),
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
            row["passages"] = json.loads(row["passages"])
            row["history"] = json.loads(row["history"])
            rows.append(row)
        return rows


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
            if column in ("passages", "history"):
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
        "history": feedback.history or [],
        "comment": feedback.comment if feedback.comment and feedback.comment.strip() else None,
    }


@bp.post("/feedback")
@openapi.add_feedback
def add_feedback():
    """Geef een duim omhoog of omlaag op een antwoord"""
    fields = _row(request.context.json)
    row_id = _store().add(**fields, index_version=current_app.extensions["vraagbaak"].index_version())
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

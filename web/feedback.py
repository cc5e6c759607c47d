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
import os
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from index.settings import data_dir
from qa.question import MAX_QUESTION_CHARS

from .auth import require_admin
from .errors import ApiError

bp = Blueprint("feedback", __name__, url_prefix="/api/v1")

RATINGS = ("up", "down")
MAX_ANSWER_CHARS = 20_000
MAX_PASSAGES = 20
MAX_PASSAGE_ID_CHARS = 1_000
MAX_HISTORY_ITEMS = 50
MAX_COMMENT_CHARS = 2_000
PASSAGE_ID = re.compile(r"^.+#[1-9][0-9]*$", re.DOTALL)
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


def default_db_path() -> Path:
    return Path(os.environ.get("VRAAGBAAK_FEEDBACK_DB") or data_dir() / "feedback.sqlite")


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


def _spreadsheet_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs; feedback text is untrusted.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows_to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column in ("passages", "history"):
                value = " | ".join(value)
            cells.append("" if value is None else _spreadsheet_safe(str(value)))
        writer.writerow(cells)
    return out.getvalue()


def rows_to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _store() -> FeedbackStore:
    configured = current_app.config.get("VRAAGBAAK_FEEDBACK_DB")
    return FeedbackStore(Path(configured) if configured else default_db_path())


def _text(body: dict, name: str, limit: int, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(400, f"invalid_{name}", f"Het veld '{name}' moet een niet-lege tekst zijn.")
    if len(value) > limit:
        raise ApiError(400, f"invalid_{name}", f"Het veld '{name}' is te lang (hoogstens {limit} tekens).")
    return value


def _string_list(body: dict, name: str, limit: int, item_limit: int) -> list[str]:
    value = body.get(name, [])
    if value is None:
        return []
    if (not isinstance(value, list) or len(value) > limit
            or not all(isinstance(v, str) and 0 < len(v) <= item_limit for v in value)):
        raise ApiError(400, f"invalid_{name}",
                       f"Het veld '{name}' moet een lijst van hoogstens {limit} teksten zijn.")
    return value


def _validated(body: dict) -> dict:
    rating = body.get("rating")
    if rating not in RATINGS:
        raise ApiError(400, "invalid_rating", "Het veld 'rating' moet \"up\" of \"down\" zijn.")
    passages = _string_list(body, "passages", MAX_PASSAGES, MAX_PASSAGE_ID_CHARS)
    if not all(PASSAGE_ID.fullmatch(p) for p in passages):
        raise ApiError(400, "invalid_passages",
                       "Elke passage in 'passages' heeft de vorm \"document#alineanummer\".")
    comment = _text(body, "comment", MAX_COMMENT_CHARS, required=False)
    return {
        "question": _text(body, "question", MAX_QUESTION_CHARS),
        "answer": _text(body, "answer", MAX_ANSWER_CHARS),
        "rating": rating,
        "passages": passages,
        "history": _string_list(body, "history", MAX_HISTORY_ITEMS, MAX_QUESTION_CHARS),
        "comment": comment if comment and comment.strip() else None,
    }


@bp.post("/feedback")
def add_feedback():
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "Stuur de feedback als JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Verwacht een JSON-object met question, answer en rating.")
    fields = _validated(body)
    version = current_app.extensions["vraagbaak"].index_version()
    row_id = _store().add(**fields, index_version=version)
    return jsonify({"id": row_id, "status": "opgeslagen"}), 201


@bp.get("/feedback")
def export_feedback():
    denied = require_admin("Voor de export van feedback is een geldige beheerderstoken nodig.")
    if denied is not None:
        return denied
    unknown = sorted(set(request.args) - {"format"})
    if unknown:
        # A misspelt parameter (?fromat=csv) must not silently give the default.
        raise ApiError(400, "unknown_parameter", f"Onbekende parameter: {unknown[0]}. Alleen 'format' bestaat.")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ApiError(400, "invalid_format", "Het formaat moet json of csv zijn.")
    rows = _store().rows()
    if fmt == "csv":
        return Response(rows_to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="feedback.csv"',
                                 "Cache-Control": "no-store"})
    response = jsonify(rows)
    response.headers["Cache-Control"] = "no-store"
    return response

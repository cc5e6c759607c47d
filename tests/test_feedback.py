"""Feedback records the collections of its answer; files from before collections are migrated in place."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

from click.testing import CliRunner

from web.feedback import FeedbackStore

# The feedback table as it was before collections (commit 3b00461 and earlier).
OLD_SCHEMA = """
CREATE TABLE feedback (
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
OLD_ROWS = [
    ("2026-11-20T10:15:00+00:00", "20261120T101500Z", "up", "Wie leidde het Aanjaagteam?", "Emile Roemer [1]",
     '["000_d31a0db93372aa9b.txt#4"]', "[]", None),
    ("2026-11-21T09:00:00+00:00", "20261120T101500Z", "down", "Wat kost de rekentool?", "Ik heb hierover niets [1]",
     '["004_4a6563aa008f8ac9.txt#9", "004_4a6563aa008f8ac9.txt#10"]', '["Welke gemeente?"]', "=1+1 klopt niet"),
]


def old_file(path):
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        db.executemany("INSERT INTO feedback (created_at, index_version, rating, question, answer, passages, history,"
                       " comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", OLD_ROWS)
    db.close()
    return path


def test_an_old_feedback_file_is_migrated_in_place_without_losing_a_row(tmp_path):
    path = old_file(tmp_path / "feedback.sqlite")
    store = FeedbackStore(path)
    rows = store.rows()
    # Every row kept, every value unchanged; before collections there was only `standaard`.
    assert [(r["created_at"], r["index_version"], r["rating"], r["question"], r["answer"], json.dumps(r["passages"]),
             json.dumps(r["history"], ensure_ascii=False), r["comment"]) for r in rows] == OLD_ROWS
    assert [r["collections"] for r in rows] == [["standaard"], ["standaard"]]
    assert [r["id"] for r in rows] == [1, 2]

    new_id = store.add(question="Wat kost de rekentool?", answer="Rotterdam [1]", rating="up",
                       passages=["knipsels.txt#3"], history=[], comment=None, index_version="20261122T080000Z",
                       collections=["intern", "standaard"])
    assert new_id == 3
    rows = FeedbackStore(path).rows()  # opening a migrated file again changes nothing
    assert [r["collections"] for r in rows] == [["standaard"], ["standaard"], ["intern", "standaard"]]
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)")]
    db.close()
    assert columns.count("collections") == 1


def test_two_processes_opening_an_old_file_at_once_migrate_it_once(tmp_path):
    path = old_file(tmp_path / "feedback.sqlite")
    start, results, errors = threading.Barrier(4), [], []

    def open_it():
        start.wait()
        try:
            results.append(len(FeedbackStore(path).rows()))
        except Exception as exc:  # noqa: BLE001 -- the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and results == [2, 2, 2, 2]


def test_the_export_has_the_collections_column(tmp_path):
    from web.cli import main

    path = old_file(tmp_path / "feedback.sqlite")
    FeedbackStore(path).add(question="Vraag?", answer="Antwoord [1]", rating="up", passages=["a.txt#1"], history=[],
                            comment=None, index_version="intern:v1+standaard:v2", collections=["intern", "standaard"])
    result = CliRunner().invoke(main, ["feedback", "export", "--db", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["collections"] for row in table] == ["standaard", "standaard", "intern | standaard"]
    assert table[1]["comment"] == "'=1+1 klopt niet"  # still spreadsheet-safe
    result = CliRunner().invoke(main, ["feedback", "export", "--db", str(path)])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    assert [row["collections"] for row in exported] == [["standaard"], ["standaard"], ["intern", "standaard"]]
    assert exported[2]["index_version"] == "intern:v1+standaard:v2"


def test_a_feedback_file_that_is_no_database_is_a_503_the_operator_can_read(seeds_index_dir, embedder, tmp_path,
                                                                              caplog):
    from tests.client import request
    from tests.conftest import app_server

    garbage = tmp_path / "feedback.sqlite"
    garbage.write_text("geen database", encoding="utf-8")
    server = app_server(seeds_index_dir, embedder, VRAAGBAAK_FEEDBACK_DB=str(garbage))
    try:
        status, _, body = request(f"{server.url}/api/v1/feedback", method="POST",
                                  json_body={"question": "Vraag?", "answer": "Antwoord.", "rating": "up"})
    finally:
        server.stop()
    error = json.loads(body)["error"]
    assert status == 503 and error["code"] == "store_unavailable" and str(garbage) not in error["message"]
    assert any(str(garbage) in record.getMessage() for record in caplog.records)  # the log names the file
    assert garbage.read_text(encoding="utf-8") == "geen database"  # nothing was overwritten

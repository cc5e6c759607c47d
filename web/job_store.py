"""The jobs of document uploads and removals, in SQLite (VRAAGBAAK_JOBS_DB), shared by every process.

One row per job and one per file of it. Several gunicorn workers (and their restarts) use the same
file: it is in WAL mode, every operation opens its own short connection (nothing is shared across a
fork), and taking a job is one UPDATE ... RETURNING, so two processes never run the same job and no
collection ever has two jobs running. A running job names its process (`owner`: host, pid and
runner) and beats (`heartbeat`) while it runs; `orphans` finds the running jobs whose process is gone.

States: queued -> running -> done | failed, and cancelled: an admin's `cancel` ends a queued job at
once (it never runs) and marks a running upload (`cancel_requested`), which its runner then ends at
its next file (web.job_runner). A file's status: pending until its job is done, then indexed,
unchanged, skipped (with the Dutch reason) or removed; a file refused when it arrived (its type, its
size) is skipped from the start, and the pending files of a failed or cancelled job are skipped with
its reason.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    stage_done INTEGER NOT NULL DEFAULT 0,
    stage_total INTEGER NOT NULL DEFAULT 0,
    staging TEXT,
    error TEXT,
    owner TEXT,
    heartbeat REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    cancel_requested REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created);
CREATE TABLE IF NOT EXISTS job_files (
    job TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (job, position)
);
"""

UPLOAD, REMOVAL = "upload", "delete"
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
PENDING = "pending"
CANCELLED_REASON = "de taak is geannuleerd"
# Columns added after the first release: a jobs file from before gets them in place (_add_columns).
ADDED_COLUMNS = {"stage_done": "INTEGER NOT NULL DEFAULT 0", "stage_total": "INTEGER NOT NULL DEFAULT 0",
                 "cancel_requested": "REAL"}


@dataclass(frozen=True)
class Job:
    id: str
    collection: str
    kind: str
    staging: Path | None
    names: list[str]  # the files to apply, in order (those refused on arrival are left out)


@dataclass(frozen=True)
class Cancelling:
    """What `cancel` found: the job's state before (a queued job is now cancelled), its kind and staging folder."""

    state: str
    kind: str
    staging: Path | None
    interrupted: bool = False  # it ran before and its process stopped: it is finished, not cancelled


@dataclass(frozen=True)
class Running:
    id: str
    owner: str
    heartbeat: float
    attempts: int
    collection: str


class JobStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            if not self._ready:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                _add_columns(db)
                self._ready = True
            db.execute("PRAGMA synchronous=NORMAL")
            yield db
        finally:
            db.close()

    def exists(self) -> bool:
        return self.path.is_file()

    # -- making jobs --

    def add(self, collection: str, kind: str, files: Iterable[tuple[str, str, str | None]], *,
            staging: Path | None = None, job_id: str | None = None) -> str:
        """A queued job with its files (name, status, reason): pending, or skipped on arrival."""
        job_id = job_id or new_id()
        files = list(files)
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO jobs (id, collection, kind, state, done, staging, created) VALUES (?,?,?,?,?,?,?)",
                       (job_id, collection, kind, QUEUED, sum(1 for f in files if f[1] != PENDING),
                        str(staging) if staging else None, time.time()))
            db.executemany("INSERT INTO job_files (job, position, name, status, reason) VALUES (?,?,?,?,?)",
                           [(job_id, i, name, status, reason) for i, (name, status, reason) in enumerate(files)])
            db.execute("COMMIT")
        return job_id

    # -- running them --

    def claim(self, owner: str) -> Job | None:
        """Take the oldest queued job of a collection that has none running; None when there is none."""
        now = time.time()
        with self._db() as db:
            row = db.execute(
                "UPDATE jobs SET state = ?, owner = ?, heartbeat = ?, started = ?, attempts = attempts + 1, "
                "stage = NULL, done = (SELECT count(*) FROM job_files f WHERE f.job = jobs.id AND f.status != ?) "
                "WHERE id = (SELECT j.id FROM jobs j WHERE j.state = ? AND NOT EXISTS "
                "  (SELECT 1 FROM jobs r WHERE r.state = ? AND r.collection = j.collection) "
                "  ORDER BY j.created, j.rowid LIMIT 1) "
                "RETURNING id, collection, kind, staging",
                (RUNNING, owner, now, now, PENDING, QUEUED, RUNNING)).fetchone()
            if row is None:
                return None
            names = [n for (n,) in db.execute(
                "SELECT name FROM job_files WHERE job = ? AND status = ? ORDER BY position", (row[0], PENDING))]
        return Job(row[0], row[1], row[2], Path(row[3]) if row[3] else None, names)

    def progress(self, job_id: str, owner: str, *, file_done: bool = False, stage: str | None = None,
                 stage_done: int = 0, stage_total: int = 0) -> None:
        """One more file read, or where the stage is (a new stage starts at its `stage_done`); also the
        job's heartbeat."""
        with self._db() as db:
            db.execute("UPDATE jobs SET done = done + ?, stage = coalesce(?, stage), "
                       "stage_done = CASE WHEN ? IS NULL THEN stage_done ELSE ? END, "
                       "stage_total = CASE WHEN ? IS NULL THEN stage_total ELSE ? END, heartbeat = ? "
                       "WHERE id = ? AND owner = ? AND state = ?",
                       (1 if file_done else 0, stage, stage, stage_done, stage, stage_total, time.time(),
                        job_id, owner, RUNNING))

    def beat(self, job_ids: Iterable[str], owner: str) -> None:
        ids = list(job_ids)
        if not ids:
            return
        with self._db() as db:
            db.execute(f"UPDATE jobs SET heartbeat = ? WHERE owner = ? AND state = ? "
                       f"AND id IN ({','.join('?' * len(ids))})", (time.time(), owner, RUNNING, *ids))

    def finish(self, job_id: str, owner: str, results: Iterable) -> None:
        """Done: each file's status and reason (index.collection_changes.FileResult)."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            positions = {name: pos for pos, name in db.execute(
                "SELECT position, name FROM job_files WHERE job = ? AND status = ?", (job_id, PENDING))}
            for result in results:
                if result.name in positions:
                    db.execute("UPDATE job_files SET status = ?, reason = ? WHERE job = ? AND position = ?",
                               (result.status, result.reason, job_id, positions[result.name]))
            db.execute("UPDATE jobs SET state = ?, stage = NULL, finished = ?, "
                       "done = (SELECT count(*) FROM job_files WHERE job = ?) WHERE id = ? AND owner = ?",
                       (DONE, time.time(), job_id, job_id, owner))
            db.execute("COMMIT")

    def fail(self, job_id: str, reason: str, *, owner: str | None = None) -> None:
        """Failed, with a Dutch reason; its files that were still pending are skipped with that reason."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            if owner is not None and db.execute("SELECT owner FROM jobs WHERE id = ?", (job_id,)).fetchone() != (owner,):
                db.execute("ROLLBACK")
                return
            db.execute("UPDATE job_files SET status = 'skipped', reason = ? WHERE job = ? AND status = ?",
                       (reason, job_id, PENDING))
            db.execute("UPDATE jobs SET state = ?, stage = NULL, error = ?, finished = ? WHERE id = ?",
                       (FAILED, reason, time.time(), job_id))
            db.execute("COMMIT")

    # -- cancelling --

    def cancel(self, job_id: str) -> Cancelling | None:
        """An admin cancels: a queued job is cancelled at once (no runner can take it any more), a running
        upload is marked for its runner to end; a running removal, or a job that ended, is left as it is.
        None when there is no such job."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT state, kind, staging, attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                db.execute("ROLLBACK")
                return None
            state, kind, staging, attempts = row
            # A job whose earlier run was cut off (its process stopped) may have moved files into the
            # documents folder already; the build that resumes it finishes it, so that nothing is lost.
            interrupted = attempts >= (1 if state == QUEUED else 2) and state in (QUEUED, RUNNING)
            if state == QUEUED and not interrupted:
                _mark_cancelled(db, job_id)
            elif state == RUNNING and kind == UPLOAD and not interrupted:
                db.execute("UPDATE jobs SET cancel_requested = coalesce(cancel_requested, ?) WHERE id = ?",
                           (time.time(), job_id))
            db.execute("COMMIT")
        return Cancelling(state, kind, Path(staging) if staging else None, interrupted)

    def cancel_requested(self, job_id: str) -> bool:
        """Whether an admin asked to cancel this job."""
        with self._db() as db:
            row = db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return row is not None and row[0] is not None

    def cancelled(self, job_id: str, owner: str) -> None:
        """The runner `owner` stopped the running job at an admin's request: cancelled."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT owner, state FROM jobs WHERE id = ?", (job_id,)).fetchone() == (owner, RUNNING):
                _mark_cancelled(db, job_id)
            db.execute("COMMIT")

    # -- after a restart --

    def running(self) -> list[Running]:
        with self._db() as db:
            rows = db.execute("SELECT id, owner, heartbeat, attempts, collection FROM jobs WHERE state = ?",
                              (RUNNING,)).fetchall()
        return [Running(*row) for row in rows]

    def requeue(self, job_id: str, owner: str) -> bool:
        """Put a job back in the queue that `owner` left running; False when it moved on meanwhile.

        A cancel asked of it is dropped: its cut-off run may have moved files into the documents folder
        already, and only finishing the job keeps them and the documents they replaced (`cancel`)."""
        with self._db() as db:
            changed = db.execute("UPDATE jobs SET state = ?, owner = NULL, stage = NULL, cancel_requested = NULL "
                                 "WHERE id = ? AND state = ? AND owner = ?", (QUEUED, job_id, RUNNING, owner)).rowcount
        return bool(changed)

    def unfinished(self, collection: str | None = None) -> int:
        """Jobs queued or running (of one collection, or of all)."""
        query = "SELECT count(*) FROM jobs WHERE state IN (?, ?)"
        args: tuple = (QUEUED, RUNNING)
        if collection is not None:
            query += " AND collection = ?"
            args += (collection,)
        with self._db() as db:
            return db.execute(query, args).fetchone()[0]

    def known(self, job_ids: Iterable[str]) -> set[str]:
        ids = list(job_ids)
        if not ids:
            return set()
        with self._db() as db:
            return {i for (i,) in db.execute(f"SELECT id FROM jobs WHERE id IN ({','.join('?' * len(ids))})", ids)}

    def unfinished_ids(self, job_ids: Iterable[str]) -> set[str]:
        """Of these ids, the jobs that are queued or running."""
        ids = list(job_ids)
        if not ids:
            return set()
        with self._db() as db:
            return {i for (i,) in db.execute(
                f"SELECT id FROM jobs WHERE id IN ({','.join('?' * len(ids))}) AND state IN (?, ?)",
                [*ids, QUEUED, RUNNING])}

    # -- reading --

    def get(self, job_id: str) -> dict | None:
        """The job as GET /api/v1/jobs/<id> shows it; None when there is none."""
        with self._db() as db:
            row = db.execute("SELECT id, collection, kind, state, stage, done, stage_done, stage_total, error, "
                             "created, started, finished, cancel_requested IS NOT NULL FROM jobs WHERE id = ?",
                             (job_id,)).fetchone()
            if row is None:
                return None
            files = db.execute("SELECT name, status, reason FROM job_files WHERE job = ? ORDER BY position",
                               (job_id,)).fetchall()
        keys = ("id", "collection", "kind", "state", "stage", "done", "stage_done", "stage_total", "error",
                "created", "started", "finished", "cancel_requested")
        job = dict(zip(keys, row))
        job["cancel_requested"] = bool(job["cancel_requested"])
        job["total"] = len(files)
        job["files"] = [{"name": n, "status": s, "reason": r} for n, s, r in files]
        return job

    def open_jobs(self, collection: str, limit: int = 50) -> list[dict]:
        """The collection's queued and running jobs, oldest first, as `get` shows each."""
        with self._db() as db:
            ids = [job_id for (job_id,) in db.execute(
                "SELECT id FROM jobs WHERE collection = ? AND state IN (?, ?) ORDER BY created, rowid LIMIT ?",
                (collection, QUEUED, RUNNING, limit))]
        return [job for job in map(self.get, ids) if job is not None]


def _mark_cancelled(db: sqlite3.Connection, job_id: str) -> None:
    """Cancelled, in the caller's transaction: its files that were still pending are skipped with the reason."""
    db.execute("UPDATE job_files SET status = 'skipped', reason = ? WHERE job = ? AND status = ?",
               (CANCELLED_REASON, job_id, PENDING))
    now = time.time()
    db.execute("UPDATE jobs SET state = ?, stage = NULL, finished = ?, "
               "cancel_requested = coalesce(cancel_requested, ?) WHERE id = ?", (CANCELLED, now, now, job_id))


def _add_columns(db: sqlite3.Connection) -> None:
    """A jobs file from before a column of ADDED_COLUMNS gets it, in place (another process may be at it too)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    for column, definition in ADDED_COLUMNS.items():
        if column not in columns:
            try:
                db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {definition}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):
                    raise


def new_id() -> str:
    return uuid.uuid4().hex

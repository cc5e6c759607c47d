"""Runs the jobs of web.job_store in the serving process: one background thread per process.

The thread lives while there is work: it is started when this process queues a job (`wake`), and
when a process starts (`resume`: the app factory, or each gunicorn worker after the fork -- never the
gunicorn master) while unfinished jobs are left. It takes one job at a time (JobStore.claim: never one
of a collection that already has a job running, in any process), applies it to its collection
(index.collection_changes: files into the documents folder, then one build, so one new index version
switched in when all files are done), and records each file's result. The collection's engine
(web.library) notices the new version at the next question. While another build holds the
collection's lock (a `vraagbaak index` run), the job waits for it.

Restarts: a job whose process is gone -- on this host a pid that no longer runs or now belongs to a
process started at another moment (a container restarted with the same pids), anywhere a heartbeat
older than STALE_SECONDS -- is put back in the queue; its staged files are still on disk and every
step can be run again. After MAX_ATTEMPTS such tries, or when its collection is gone, it is marked
failed with a Dutch reason instead. No job stays `running` without a process that runs it.

Cancelling (`cancel`, an admin's POST /api/v1/jobs/<id>/cancel): a queued job is cancelled at once and
its staging folder removed; it never runs. A running upload is marked in the store, and its runner
looks at the mark at every file the build reads and as the embedding goes on (at most every
CANCEL_CHECK_SECONDS): then the build stops before it writes a new version, index.collection_changes
puts every file of the job back in staging and the documents they replaced back in place, and the
job ends `cancelled` with its staging folder removed. So nothing of a cancelled upload is published;
a mark that comes after the embedding (neighbours, saving the version) is too late: the job ends done.
A job waiting for another build's lock sees the mark once it has the lock, at its first file.
A removal is one step (its file is gone before the build): it can be cancelled only while queued.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

from index.build_lock import BuildBusy
from index.collection_changes import Builder, apply_removal, apply_upload, staging_root
from index.collections import CollectionMissing
from index.errors import VraagbaakError
from index.readers.limits import ReadLimits

from .job_store import QUEUED, REMOVAL, UPLOAD, Cancelling, Job, JobStore, Running

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how often an idle thread looks for work while jobs are unfinished anywhere
HEARTBEAT_SECONDS = 5.0
PROGRESS_SECONDS = 1.0  # how often a stage's progress is written, at most
STALE_SECONDS = 120.0  # a running job not heard of this long has lost its process
MAX_ATTEMPTS = 3
CANCEL_CHECK_SECONDS = 1.0  # how often a running upload asks the store whether it was cancelled, at most
EMBEDDING = "embedden"  # index.build's stage that embeds passages: a running upload can be cancelled in it
STALE_STAGING_SECONDS = 3600  # a staging folder without a job (an upload cut off) is removed after this
GONE = "De collectie bestaat niet meer."
GAVE_UP = ("De taak is {n} keer afgebroken doordat de dienst stopte tijdens het indexeren. "
           "Upload de bestanden opnieuw; blijft het misgaan, kijk dan in het log van de dienst.")
UNEXPECTED = "Onverwachte fout bij het indexeren; zie het log van de dienst."


class JobCancelled(Exception):
    """An admin cancelled the running job: raised from the build's callbacks to stop it."""


class Runner:
    def __init__(self, store: JobStore, library, settings):
        self.store = store
        self.library = library  # web.library.Library: the collections, and the model every build shares
        self.limits = ReadLimits.from_settings(settings)
        self.stale_seconds = STALE_SECONDS
        self.owner = ""
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._current: str | None = None

    # -- the thread --

    def wake(self) -> None:
        """A job was queued: run it (start the thread if it is not running)."""
        self._wake.set()
        self._ensure_thread()

    def resume(self) -> None:
        """At the start of a serving process: go on with unfinished jobs, if any were left."""
        if self.store.exists() and self.store.unfinished():
            self._ensure_thread()

    def stop(self, timeout: float = 30) -> None:
        """Stop after the job in progress; a job the stop breaks off is queued again, not failed.

        A stopping worker calls it with timeout 0 (web.server, worker_exit): its job then either
        ends as a requeue or, if the process is gone first, is requeued by the next one (recover).
        """
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def cancel(self, job_id: str) -> Cancelling | None:
        """An admin cancels a job (see the module docstring); what the store found, None for no such job."""
        found = self.store.cancel(job_id)
        if found is not None and found.state == QUEUED and not found.interrupted and found.staging is not None:
            shutil.rmtree(found.staging, ignore_errors=True)  # cancelled: no runner takes it any more
        return found

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._stop.is_set() or (self._thread is not None and self._thread.is_alive()):
                return
            # After a fork (a gunicorn worker) this is a new process: a new owner.
            pid = os.getpid()
            self.owner = f"{socket.gethostname()}:{pid}:{process_start(pid) or ''}:{uuid.uuid4().hex[:8]}"
            self._thread = threading.Thread(target=self._loop, name="vraagbaak-jobs", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        self._clean_staging()
        while not self._stop.is_set():
            try:
                self.recover()
                job = self.store.claim(self.owner)
            except Exception:  # noqa: BLE001 -- a locked or broken jobs file must not end the thread
                log.exception("Takenbestand niet bruikbaar")
                job = None
            if job is not None:
                self._run(job)
                continue
            with self._lock:
                if not self._wake.is_set() and not self._unfinished():
                    self._thread = None
                    return
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _unfinished(self) -> int:
        try:
            return self.store.unfinished()
        except Exception:  # noqa: BLE001
            return 1  # look again later

    # -- one job --

    def _run(self, job: Job) -> None:
        self._current = job.id
        beating = self._beat(job.id)
        started = time.perf_counter()
        try:
            results = self._apply(job)
        except JobCancelled:
            self.store.cancelled(job.id, self.owner)
            log.info("Taak %s geannuleerd; er is niets van gepubliceerd", job.id, extra={"collection": job.collection})
        except BuildBusy:
            if not self._stop.is_set():
                raise
            self.store.requeue(job.id, self.owner)  # stopped while waiting for the lock: not a failure
            return  # its staged files stay for the next run
        except CollectionMissing:
            self.store.fail(job.id, GONE, owner=self.owner)
            log.warning("Taak %s mislukt: %s", job.id, GONE, extra={"collection": job.collection})
        except VraagbaakError as exc:
            self.store.fail(job.id, str(exc), owner=self.owner)
            log.warning("Taak %s mislukt: %s", job.id, exc, extra={"collection": job.collection})
        except Exception:  # noqa: BLE001 -- the job fails, the runner goes on
            if self._stop.is_set():
                # The process is stopping (SIGTERM): the model refuses new work, the build fails.
                # Not the job's fault: back in the queue, its files staged again (apply_upload).
                self.store.requeue(job.id, self.owner)
                log.warning("Taak %s onderbroken doordat de dienst stopt; ze staat weer in de wachtrij", job.id,
                            extra={"collection": job.collection})
                return
            log.exception("Taak %s mislukt", job.id, extra={"collection": job.collection})
            self.store.fail(job.id, UNEXPECTED, owner=self.owner)
        else:
            self.store.finish(job.id, self.owner, results)
            log.info("Taak %s klaar: %d bestanden in %.1f s", job.id, len(results), time.perf_counter() - started,
                     extra={"collection": job.collection})
        finally:
            beating.set()
            self._current = None
        if job.staging is not None:
            shutil.rmtree(job.staging, ignore_errors=True)

    def _apply(self, job: Job) -> list:
        collection = self.library.collections.get(job.collection)
        if not job.names:
            return []  # every file was refused on arrival: nothing to build
        builder = self._builder(job)
        if job.kind == REMOVAL:
            return apply_removal(collection, job.names[0], builder)
        return apply_upload(collection, job.staging, job.names, builder)

    def _builder(self, job: Job) -> Builder:
        """How the job builds: its progress and files recorded; an upload stops (JobCancelled) at the next
        file read or embedding step once an admin cancelled it, and nothing is published then
        (index.collection_changes puts its files back)."""
        check = self._cancel_check(job)
        progress, file_done = self._progress(job), self._file_done(job)

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage == EMBEDDING:
                check()
            progress(stage, done, total)

        def on_file(doc_id: str) -> None:
            file_done(doc_id)
            check()

        return Builder(self.library.standard.embedder, self.limits, progress=on_progress, on_file=on_file,
                       wait=lambda: not self._stop.is_set())

    def _cancel_check(self, job: Job):
        """A check that raises JobCancelled when the job was cancelled; asks the store at most every
        CANCEL_CHECK_SECONDS."""
        asked = [float("-inf")]

        def check() -> None:
            now = time.monotonic()
            if job.kind != UPLOAD or now - asked[0] < CANCEL_CHECK_SECONDS:
                return  # a removal is one step: only cancelled while queued
            asked[0] = now
            if self.store.cancel_requested(job.id):
                raise JobCancelled(job.id)
        return check

    def _progress(self, job: Job):
        """Where the build is: each new stage, and within a stage (passages embedded) at most every
        PROGRESS_SECONDS, so that a long embedding shows it moves."""
        stage_now, written = [None], [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if stage != stage_now[0] or done >= total or now - written[0] >= PROGRESS_SECONDS:
                stage_now[0], written[0] = stage, now
                self.store.progress(job.id, self.owner, stage=stage, stage_done=done, stage_total=total)
        return progress

    def _file_done(self, job: Job):
        names = set(job.names)

        def file_done(doc_id: str) -> None:
            if doc_id in names:
                names.discard(doc_id)  # a second build (a replaced document put back) counts nothing twice
                self.store.progress(job.id, self.owner, file_done=True)
        return file_done

    def _beat(self, job_id: str) -> threading.Event:
        done = threading.Event()

        def beat():
            while not done.wait(HEARTBEAT_SECONDS):
                try:
                    self.store.beat([job_id], self.owner)
                except Exception:  # noqa: BLE001
                    log.warning("Hartslag van taak %s niet opgeslagen", job_id, exc_info=True)

        threading.Thread(target=beat, name="vraagbaak-jobs-beat", daemon=True).start()
        return done

    # -- restarts --

    def recover(self) -> None:
        """Jobs left running by a process that is gone: back in the queue, or failed with the reason."""
        for job in self.store.running():
            if job.owner == self.owner or not self._gone(job):
                continue
            if job.attempts >= MAX_ATTEMPTS:
                reason = GAVE_UP.format(n=job.attempts)
                self.store.fail(job.id, reason, owner=job.owner)
                log.error("Taak %s opgegeven: %s", job.id, reason, extra={"collection": job.collection})
            elif not self.library.collections.exists(job.collection):
                self.store.fail(job.id, GONE, owner=job.owner)
            elif self.store.requeue(job.id, job.owner):
                log.warning("Taak %s was onderbroken (proces %s is weg) en staat weer in de wachtrij",
                            job.id, job.owner, extra={"collection": job.collection})

    def _gone(self, job: Running) -> bool:
        if time.time() - (job.heartbeat or 0) > self.stale_seconds:
            return True
        host, pid, started, _ = ((job.owner or "").split(":") + ["", "", "", ""])[:4]
        if host != socket.gethostname() or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            pass  # it exists (another user's process)
        now_started = process_start(int(pid))
        return bool(started and now_started and started != now_started)  # the pid was given to another process

    def _clean_staging(self) -> None:
        """Staging folders of uploads that never became a job (the request was cut off), once they are old,
        and of jobs that ended (finished or failed) without removing theirs."""
        try:
            for name in self.library.collections.names():
                root = staging_root(self.library.collections.get(name))
                if not root.is_dir():
                    continue
                folders = {p.name: p for p in root.iterdir() if p.is_dir()}
                known = self.store.known(folders)
                unfinished = self.store.unfinished_ids(folders)
                for job_id, folder in folders.items():
                    ended = job_id in known and job_id not in unfinished  # its process died before cleaning up
                    if ended or (job_id not in known and time.time() - folder.stat().st_mtime > STALE_STAGING_SECONDS):
                        shutil.rmtree(folder, ignore_errors=True)
        except (OSError, VraagbaakError):
            log.warning("Oude uploadmappen niet opgeruimd", exc_info=True)


def process_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc on Linux); None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the name in (...) may hold spaces
    return fields[19] if len(fields) > 19 else None

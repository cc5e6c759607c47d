"""`vraagbaak index`: build or update a collection's index, keep it up to date (--watch), roll it back."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path

import click

from index.errors import IndexCorrupt, VraagbaakError

from .cli_common import (DEFAULT_CORPUS, StageProgress, command_embedder, command_settings, counted, fail,
                         read_limits)


@click.command("index")
@click.argument("corpus", required=False, metavar="[MAP]", type=click.Path(file_okay=False, path_type=Path))
@click.option("--index-dir", help="Waar de index komt (standaard: data/index).")
@click.option("--full", is_flag=True, help="Alles opnieuw embedden in plaats van alleen gewijzigde bestanden.")
@click.option("--watch", type=click.IntRange(1, 86400), metavar="SECONDEN",
              help="Blijf draaien en werk de index elke SECONDEN seconden bij (stoppen: Ctrl-C of SIGTERM).")
@click.option("--rollback", is_flag=True, help="Zet de index terug naar de vorige complete versie en stop.")
@click.option("--collection", metavar="NAAM", help="Welke collectie (standaard: standaard). Haar documentmap is de "
              "bron: de bestanden van MAP worden eraan toegevoegd (docs/operations.md).")
def index_cmd(corpus: Path | None, index_dir: str | None, full: bool, watch: int | None, rollback: bool,
              collection: str | None) -> None:
    """Bouw of werk de index bij van een map met documenten (standaard: seeds/)."""
    target = _collection(collection, index_dir)
    if rollback:
        _rollback(target)
        return
    if watch:
        _watch(corpus, target, watch, full)
        return
    from index.build import build_index

    progress = StageProgress()
    try:
        with _stopped_by_sigterm():
            embedder = command_embedder()
            report = build_index(_corpus(target, corpus), target.index_root, embedder, full=full,
                                 progress=progress, source=target.source, limits=read_limits())
    except _Terminated:
        progress.close()
        click.echo("Gestopt (SIGTERM). De index die gebruikt werd, blijft gebruikt; de volgende bouw ruimt op "
                   "wat half af was.", err=True)
        sys.exit(128 + signal.SIGTERM)
    except VraagbaakError as exc:
        progress.close()
        fail(exc)
    progress.close()
    _print_report(report)


class _Terminated(BaseException):
    """SIGTERM during a build: unwinds it as Ctrl-C does (locks released, nothing half published)."""


@contextlib.contextmanager
def _stopped_by_sigterm():
    """A service manager's stop ends the build with a word, as Ctrl-C does, instead of silently."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _stop(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _collection(name: str | None, index_dir: str | None):
    """The collection `vraagbaak index` works on; `--index-dir` moves standaard's index."""
    from index.collections import STANDARD, open_collections
    from index.settings import with_values

    settings = with_values(command_settings(), index_dir=Path(index_dir)) if index_dir else command_settings()
    if index_dir and name not in (None, STANDARD):
        raise click.UsageError("--index-dir geldt alleen voor de collectie standaard.")
    try:
        return open_collections(settings).get(name or STANDARD)
    except VraagbaakError as exc:
        fail(exc)


def _corpus(collection, folder: Path | None) -> Path:
    """What to build from: the documents folder once it is in use (MAP's files added to it), else MAP."""
    from index.collections import STANDARD
    from index.document_folder import build_corpus

    if folder is None and collection.name == STANDARD:
        folder = DEFAULT_CORPUS
    try:
        manifest = collection.source.current_manifest()
    except IndexCorrupt as exc:  # the build replaces an unreadable version; what it was built from is lost
        click.echo(f"Let op: {exc} Er wordt een nieuwe versie gebouwd.", err=True)
        manifest = None
    corpus, added = build_corpus(collection, folder, manifest)
    if added:
        click.echo(f"{len(added)} bestanden toegevoegd aan of bijgewerkt in de documentmap {corpus}.", err=True)
    return corpus


def _print_report(report) -> None:
    for name, reason in report.skipped:
        click.echo(f"Overgeslagen: {name} — {reason}", err=True)
    size = f"{counted(report.documents, 'document', 'documenten')}, {counted(report.chunks, 'passage', 'passages')}"
    if not report.changed:
        click.echo(f"Index is al actueel ({size}).")
        return
    click.echo(
        f"Index {report.version}: {size} "
        f"({counted(len(report.embedded_files), 'bestand', 'bestanden')} ge-embed, {len(report.reused_files)} hergebruikt, "
        f"{len(report.removed_files)} verwijderd, {len(report.skipped)} overgeslagen) in {report.seconds:.1f} s."
    )


def _watch(folder: Path | None, collection, seconds: int, full: bool) -> None:
    """Rerun the incremental build every `seconds`; SIGINT/SIGTERM stop it after the build in progress."""
    from datetime import datetime

    from index.build import build_index

    stop = threading.Event()
    limits = read_limits()

    def _stop(signum, frame):
        stop.set()
        click.echo("Stoppen na de lopende controle ...", err=True)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        embedder = command_embedder()
    except VraagbaakError as exc:
        fail(exc)
    click.echo(f"Bewaakt {folder or collection.documents}: elke {seconds} s bijwerken naar {collection.name}.",
               err=True)
    first = True
    while not stop.is_set():
        stamp = datetime.now().strftime("%H:%M:%S")
        try:
            report = build_index(_corpus(collection, folder), collection.index_root, embedder, full=full and first,
                                 source=collection.source, limits=limits)
        except VraagbaakError as exc:
            click.echo(f"[{stamp}] Bijwerken mislukt: {exc}", err=True)
        else:
            if report.changed or first:
                click.echo(f"[{stamp}] ", nl=False)
                _print_report(report)
        first = False
        stop.wait(seconds)
    click.echo("Gestopt.", err=True)


def _rollback(collection) -> None:
    """Make the newest complete version older than the current one current."""
    try:
        old, new, size = collection.source.rollback()
    except VraagbaakError as exc:
        fail(exc)
    click.echo(f"Index teruggezet van {old} naar {new} ({size} passages). "
               "Draaiende diensten schakelen vanzelf om.")

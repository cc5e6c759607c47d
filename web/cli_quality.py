"""`vraagbaak evaluate`, `quality` and `bench`: measuring answer quality and speed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import VraagbaakError

from .cli_common import DEFAULT_CORPUS, StageProgress, command_embedder, command_settings, fail, source_at


def _evaluation_index(corpus: Path, embedder, progress):
    """The evaluation index of `corpus` (qa.eval_index) in the backend the settings name."""
    from qa.eval_index import evaluation_index

    folder = command_settings().eval_index_root
    return evaluation_index(corpus, embedder, source_at(folder), folder, progress=progress)


def _measuring_embedder():
    """The embedder for quality runs: no query cache, so latency is that of a question not seen before.

    The quality report asks every question once per configuration; with the
    cache on, all runs after the first would time a dictionary lookup.
    """
    embedder = command_embedder()
    embedder.query_cache.size = 0
    return embedder


def _answer_options(retrieval: str | None, extraction: str | None):
    from dataclasses import replace

    from qa.options import AnswerOptions

    options = AnswerOptions.from_settings(command_settings())
    if retrieval:
        options = replace(options, retrieval=retrieval)
    if extraction:
        options = replace(options, extraction=extraction)
    return options


@click.command()
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
        progress = StageProgress()
        snapshot = _evaluation_index(corpus, embedder, progress)
        report = run_evaluation(Answerer(snapshot, embedder, options), items,
                                progress=lambda d, t: progress("vragen", d, t))
        progress.close()
    except (VraagbaakError, ValueError) as exc:
        fail(exc)
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


@click.command()
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
        configs = configurations(AnswerOptions.from_settings(command_settings()))
        table = markdown_table(run_report(discover_sets(eval_dir, DEFAULT_CORPUS), evaluate_set, configs))
    except (VraagbaakError, ValueError) as exc:
        fail(exc)
    click.echo(table)
    if out:
        out.write_text(table + "\n", "utf-8")


@click.command()
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
        fail(exc)
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

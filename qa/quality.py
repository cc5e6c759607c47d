"""The quality report: every evaluation set under several answering configurations.

Each question file is paired with its corpus: a `corpus/` folder next to the
file if there is one, otherwise the default corpus (the seed documents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .evaluate import HALVES, METRIC_KEYS
from .options import AnswerOptions

CONFIGURATIONS: dict[str, AnswerOptions] = {
    "dense": AnswerOptions(retrieval="dense", extraction="lead"),
    "lexical": AnswerOptions(retrieval="lexical", extraction="lead"),
    "hybrid": AnswerOptions(retrieval="hybrid", extraction="lead"),
    "hybrid + extraction": AnswerOptions(retrieval="hybrid", extraction="sentences"),
}

COLUMNS = (*METRIC_KEYS, "latency_p50_ms", "latency_p95_ms")


def configurations(settings: AnswerOptions) -> dict[str, AnswerOptions]:
    """The fixed configurations, plus the configured cross-encoder's where one is set."""
    found = dict(CONFIGURATIONS)
    if settings.reranker:
        found["hybrid + cross-encoder + extraction"] = AnswerOptions(
            retrieval="hybrid", extraction="sentences", reranker=settings.reranker,
            rerank_depth=settings.rerank_depth)
    return found


@dataclass(frozen=True)
class EvalSet:
    name: str
    questions: Path
    corpus: Path


def discover_sets(eval_dir: Path, default_corpus: Path) -> list[EvalSet]:
    sets = []
    for path in sorted(eval_dir.rglob("*.jsonl")):
        corpus = path.parent / "corpus"
        sets.append(EvalSet(path.relative_to(eval_dir).as_posix(), path,
                            corpus if corpus.is_dir() else default_corpus))
    return sets


def markdown_table(results: list[tuple[EvalSet, str, dict]]) -> str:
    """One row per set, configuration and part: the whole set, then its tuning and its report half."""
    header = "| set | configuration | half | questions | " + " | ".join(COLUMNS) + " |"
    rule = "|" + " --- |" * (4 + len(COLUMNS))
    rows = [header, rule]
    for eval_set, config, metrics in results:
        parts = [("all", metrics)] + [(half, metrics["by_half"][half]) for half in HALVES if "by_half" in metrics]
        for half, part in parts:
            cells = [_cell(c, part.get(c)) for c in COLUMNS]
            rows.append(f"| `{eval_set.name}` | {config} | {half} | {part['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _cell(column: str, value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if column in METRIC_KEYS else f"{value:.0f}"


def run_report(
    sets: list[EvalSet],
    evaluate_set: Callable[[EvalSet, AnswerOptions], dict],
    configs: dict[str, AnswerOptions] | None = None,
) -> list[tuple[EvalSet, str, dict]]:
    """Evaluates every set under every configuration; `evaluate_set` owns indexes and models."""
    configs = CONFIGURATIONS if configs is None else configs
    return [(s, name, evaluate_set(s, options)) for s in sets for name, options in configs.items()]

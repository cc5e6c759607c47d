"""Runs a question file against an answerer and computes the metrics of the eval sets.

The metric definitions are those of the evaluation README: matching text is
NFKC-normalized, whitespace-collapsed and case-folded on both sides; a metric
that does not apply to any question of a file is None.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .answer_types import is_question
from .service import Answerer
from .textnorm import normalize_for_match

EVAL_TOP_K = 10
METRIC_KEYS = (
    "source_hit@1", "source_hit@5", "mrr@10", "answer_hit@1", "answer_hit@5",
    "answer_in_answer_text", "answer_is_question", "abstention", "false_abstention",
)
# Every question file is cut in two fixed halves: settings are tuned on
# "tune" and only reported on "report" (docs/quality.md). Within each kind,
# questions sorted by id alternate tune, report, tune, ... so both halves
# hold every kind in the same proportion, and the split never depends on
# outcomes.
HALVES = ("tune", "report")
_CITATION = re.compile(r"\s*\[\d+\]")


def split_halves(questions: list[dict]) -> dict[str, str]:
    """The fixed half ("tune" or "report") of each question id."""
    halves: dict[str, str] = {}
    for kind in sorted({q["kind"] for q in questions}):
        ids = sorted(q["id"] for q in questions if q["kind"] == kind)
        halves.update({qid: HALVES[n % 2] for n, qid in enumerate(ids)})
    return halves


def is_question_text(answer_text: str) -> bool:
    """Whether a quoted answer is itself a question: one of its quoted sentences ends in "?"."""
    return any(is_question(part) for part in _CITATION.split(answer_text) if part.strip())


def load_questions(path: Path) -> list[dict]:
    questions = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: geen geldige JSON ({exc})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise ValueError(f"{path}:{number}: elke regel heeft een 'question' nodig")
        item.setdefault("id", f"{path.stem}:{number}")
        item.setdefault("answers", [])
        item.setdefault("source", None)
        item.setdefault("kind", "unanswerable" if not item["answers"] and not item["source"] else "factoid")
        questions.append(item)
    return questions


def score_one(item: dict, result: dict) -> dict:
    """Per-question outcomes; a key is absent where the metric does not apply."""
    passages = result["passages"]
    outcome: dict = {"id": item["id"], "kind": item["kind"], "abstained": result["abstained"]}
    answerable = item["kind"] != "unanswerable"
    if item["source"] and answerable:
        docs = [p["source"]["document"] for p in passages]
        distinct = list(dict.fromkeys(docs))
        outcome["source_hit@1"] = float(item["source"] in distinct[:1])
        outcome["source_hit@5"] = float(item["source"] in distinct[:5])
        rank = next((r for r, d in enumerate(docs[:10], 1) if d == item["source"]), None)
        outcome["mrr@10"] = 1.0 / rank if rank else 0.0
    answers = [normalize_for_match(a) for a in item["answers"]]
    if answers:
        texts = [normalize_for_match(p["text"]) for p in passages]
        first = next((r for r, t in enumerate(texts, 1) if any(a in t for a in answers)), None)
        outcome["answer_hit@1"] = float(first is not None and first <= 1)
        outcome["answer_hit@5"] = float(first is not None and first <= 5)
        answer_text = normalize_for_match(result["answer"]["text"])
        outcome["answer_in_answer_text"] = float(any(a in answer_text for a in answers))
    if not result["abstained"]:
        outcome["answer_is_question"] = float(is_question_text(result["answer"]["text"]))
    if answerable:
        outcome["false_abstention"] = float(result["abstained"])
    else:
        outcome["abstention"] = float(result["abstained"])
    return outcome


def aggregate(outcomes: list[dict]) -> dict:
    metrics = {}
    for key in METRIC_KEYS:
        values = [o[key] for o in outcomes if key in o]
        metrics[key] = round(statistics.fmean(values), 4) if values else None
    return metrics


def evaluate(
    answerer: Answerer,
    questions: list[dict],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    outcomes, latencies = [], []
    halves = split_halves(questions)
    for done, item in enumerate(questions, 1):
        answer = answerer.ask(item["question"], history=item.get("history"), top_k=EVAL_TOP_K)
        latencies.append(answer.timings["total_ms"])
        outcome = score_one(item, answer.as_dict())
        outcome["latency_ms"] = answer.timings["total_ms"]
        outcome["half"] = halves[item["id"]]
        outcomes.append(outcome)
        if progress:
            progress(done, len(questions))
    report = aggregate(outcomes)
    report["latency_p50_ms"] = round(float(np.percentile(latencies, 50)), 2) if latencies else 0.0
    report["latency_p95_ms"] = round(float(np.percentile(latencies, 95)), 2) if latencies else 0.0
    report["questions"] = len(questions)
    report["by_kind"] = {
        kind: {**aggregate([o for o in outcomes if o["kind"] == kind]),
               "questions": sum(o["kind"] == kind for o in outcomes)}
        for kind in sorted({o["kind"] for o in outcomes})
    }
    report["by_half"] = {
        half: {**aggregate([o for o in outcomes if o["half"] == half]),
               "questions": sum(o["half"] == half for o in outcomes)}
        for half in HALVES
    }
    report["details"] = outcomes
    return report

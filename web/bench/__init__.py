"""`vraagbaak bench`: the service's speed, measured against the model's own speed on the same machine.

Every target is a ratio to a floor measured in the same run (the model alone),
so results from a fast and a slow machine can be compared. The parts:

* floor    -- the model alone: one question, and questions back to back
* latency  -- POST /api/v1/ask one client at a time against a real gunicorn
* load     -- 8 concurrent keep-alive clients for a fixed time
* build    -- full index build and one-file update, against encode_passages alone
* chunking -- chunking a generated 10 MB text (one line; paragraphs), in seconds
* scale    -- index types and sizes (web/bench/scale.py)
* report   -- targets, the Markdown table and the JSON document
* runner   -- the order of the parts and the temporary folders
* server_process -- the `vraagbaak serve` subprocess the parts measure, started and stopped by runner
"""

from index.settings import PROJECT_ROOT, ConfigError, Settings, load_settings

# Where `vraagbaak evaluate` and `quality` are pointed at in the README: the
# evaluation sets live beside the repository, not in it.
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
SEEDS_QUESTIONS = "seeds_qa_dev.jsonl"


def number(value: float | None, digits: int = 1) -> str:
    """Dutch notation (decimal comma), as in the README's tables."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


class BenchError(Exception):
    """A benchmark that cannot run; the message is Dutch and says why."""


def bench_settings() -> Settings:
    """The settings `vraagbaak serve` and `vraagbaak index` would use, so the benchmark measures those."""
    try:
        return load_settings(check_paths=False)
    except ConfigError as exc:
        raise BenchError(str(exc)) from exc

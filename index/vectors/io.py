"""Reading FAISS files: memory-mapped where the index type allows it."""

from __future__ import annotations

from pathlib import Path

import faiss

from ..errors import IndexCorrupt


def read_faiss(path: Path) -> faiss.Index:
    if not path.exists():
        raise IndexCorrupt(f"Het vectorbestand {path.name} ontbreekt in {path.parent}.")
    try:
        # Memory-mapping keeps large indexes out of each worker's private memory.
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        pass
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexCorrupt(f"Het vectorbestand {path.name} in {path.parent} is onleesbaar.") from exc

"""The exact vectors beside an approximate index, read a few rows at a time.

Re-scoring needs ~100 scattered rows per question out of up to millions.
Memory-mapping the file let the kernel map whole neighbourhoods of every
touched row (read-ahead, fault-around): after a few hundred questions a
million-row file was resident (1.5 GB). `pread` of exactly the wanted rows
costs a syscall per row (microseconds) and keeps the process's memory at
what it reads: the page cache still holds hot rows, but shared and
reclaimable, not in the process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ..errors import IndexCorrupt


class FileRows:
    def __init__(self, path: Path):
        self.path = path
        try:
            with open(path, "rb") as handle:
                version = np.lib.format.read_magic(handle)
                reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                          else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = reader(handle)
                self._offset = handle.tell()
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"De exacte vectoren ({path.name}) in {path.parent} zijn onleesbaar.") from exc
        if len(shape) != 2 or fortran or dtype != np.dtype("<f4"):
            raise IndexCorrupt(f"De exacte vectoren ({path.name}) in {path.parent} hebben een onverwacht formaat.")
        self.shape = (int(shape[0]), int(shape[1]))
        self._row_bytes = self.shape[1] * 4
        if path.stat().st_size != self._offset + self.shape[0] * self._row_bytes:
            raise IndexCorrupt(f"De exacte vectoren ({path.name}) in {path.parent} zijn afgekapt. "
                               "Bouw de index opnieuw.")
        self._fd = os.open(path, os.O_RDONLY)
        self._closed = threading.Event()

    def rows(self, ids: np.ndarray) -> np.ndarray:
        out = np.empty((len(ids), self.shape[1]), dtype=np.float32)
        for position, row in enumerate(ids.tolist()):
            if not 0 <= row < self.shape[0]:
                raise IndexError(f"rij {row} bestaat niet")
            data = os.pread(self._fd, self._row_bytes, self._offset + row * self._row_bytes)
            out[position] = np.frombuffer(data, dtype="<f4")
        return out

    def all(self) -> np.ndarray:
        return np.load(self.path)

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            os.close(self._fd)

    def __del__(self):
        try:
            self.close()
        except (OSError, AttributeError):
            pass


class MemoryRows:
    """The same interface over vectors in memory (an index just built)."""

    def __init__(self, vectors: np.ndarray):
        self._vectors = vectors
        self.shape = vectors.shape

    def rows(self, ids: np.ndarray) -> np.ndarray:
        return self._vectors[ids]

    def all(self) -> np.ndarray:
        return self._vectors

    def close(self) -> None:
        pass

"""The evaluation index of a corpus: built apart from the served index, reused between runs.

`vraagbaak evaluate` and `quality` measure on an index of the evaluation
corpus, never on the index that is served. It is kept in the same backend
as the served one (the source the caller passes in), under a name derived
from the corpus folder's path, so a second run only updates what changed.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from index.backends import Backend, Source
from index.build import Progress, build_index
from index.embedder import Embedder


def evaluation_name(corpus: Path) -> str:
    """The evaluation index's name for a corpus folder: its name and a hash of its absolute path."""
    corpus = corpus.resolve()
    key = hashlib.sha256(str(corpus).encode()).hexdigest()[:12]
    readable = re.sub(r"[^A-Za-z0-9]+", "_", corpus.name).strip("_")[:40]
    return f"eval_{readable}_{key}" if readable else f"eval_{key}"


def evaluation_index(corpus: Path, embedder: Embedder, source: Source, folder: Path, *,
                     progress: Progress | None = None) -> Backend:
    """Build or update the evaluation index of `corpus`, and open it.

    `source` is the backend evaluation indexes are kept in (Source.for_index
    gives each corpus its own index there) and `folder` the local folder for
    their files or, in a backend on a server, their build locks.
    """
    name = evaluation_name(corpus)
    own = source.for_index(name)
    build_index(corpus, folder / name, embedder, progress=progress, source=own)
    return own.open()

"""Retrieval backends behind one boundary (base.Backend), picked by name.

`local` (the default) keeps vectors, chunks and the lexical index in files
under the index folder. Other backends register here; each lives in its own
module and is imported only when chosen, so its client library is needed
only by those who use it. `milvus` keeps everything in Milvus (index.backends.milvus).
"""

from __future__ import annotations

from pathlib import Path

from .base import Backend, Candidates, Source, StoredDocument

BACKENDS = ("local", "milvus")


def create_source(name: str, *, index_root: Path, options: dict | None = None) -> Source:
    """The source of the named backend; `options` are that backend's settings (local: vector_index,
    ann_threshold; milvus: index.backends.milvus.MilvusOptions)."""
    if name == "local":
        from .local import LocalSource

        return LocalSource(index_root, **(options or {}))
    if name == "milvus":
        from .milvus import MilvusOptions, MilvusSource

        return MilvusSource(MilvusOptions(**(options or {})))
    raise ValueError(f"Onbekende backend {name!r}; kies uit {', '.join(BACKENDS)}.")


__all__ = ["BACKENDS", "Backend", "Candidates", "Source", "StoredDocument", "configured_source", "create_source"]


def configured_source(config, index_root: Path | None = None) -> Source:
    """The source the settings name (index.settings.Settings); ConfigError when its backend is unusable."""
    from ..settings import ConfigError, backend_problems

    problems = backend_problems(config)
    if problems:
        raise ConfigError(problems)
    return create_source(config.backend, index_root=index_root or config.index_root,
                         options=config.backend_options())

"""The documents folder of a collection, and the rule that makes it the source of the collection's index.

Every collection has a documents folder (index.collections: `Collection.documents`); uploads put their
files there (web.jobs) and `vraagbaak index --collection NAAM MAP` copies a folder's files into it. The rule:

* A collection's index is built from its documents folder once that folder is *in use*: its current
  version was built from it (the manifest's "corpus"). For every collection but `standaard` it always
  is (without a version too): their documents folder is all they are built from.
* `standaard` starts out built from another folder (`vraagbaak index seeds` in scripts/start; an index
  folder of its own, `--index-dir`, too). Before the first change through its documents folder (an
  upload, a removal) the files that version was built from are copied into the documents folder
  (`adopt`), so nothing it holds is lost; from then on the documents folder is its source.
* `vraagbaak index MAP` into a collection whose documents folder is in use adds and updates MAP's files
  in the documents folder (`add_folder`) and builds from there: it never drops uploaded documents.
  A file removed from MAP stays; remove it with DELETE .../documents/<document>.

Files are put in place atomically (a hidden temporary name, then a rename), so a build that runs at the
same time reads either the old file or the new one, never half of one.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

from .collections import STANDARD, Collection
from .errors import VraagbaakError
from .readers import iter_corpus


class DocumentsMissing(VraagbaakError):
    """Files the current version was built from cannot be found to copy into the documents folder."""


def in_use(collection: Collection, manifest: dict | None) -> bool:
    """Whether the collection's index is (or will be) built from its documents folder."""
    if manifest is None:
        return collection.name != STANDARD  # standaard: `vraagbaak index MAP` builds it from MAP, as it did
    return _same_folder(manifest.get("corpus"), collection.documents)


def adopt(collection: Collection, manifest: dict | None) -> list[str]:
    """Make the documents folder the source: copy in the files the current version was built from.

    Files already in the documents folder are kept as they are. Returns the names copied; raises
    DocumentsMissing (Dutch) when some of the indexed files are gone from their folder, so that no
    document silently leaves the index.
    """
    if manifest is None or in_use(collection, manifest):
        collection.documents.mkdir(parents=True, exist_ok=True)
        return []
    corpus = Path(manifest.get("corpus") or "")
    names = sorted(manifest.get("files", {}))
    missing = [name for name in names if not (corpus / name).is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (f" en nog {len(missing) - 5}" if len(missing) > 5 else "")
        raise DocumentsMissing(
            f"De index van '{collection.name}' is gebouwd uit {corpus}, maar daar ontbreken nu: {shown}. "
            f"Bouw de index eerst opnieuw met: vraagbaak index --collection {collection.name} <map>")
    copied = []
    for name in names:
        target = document_path(collection, name)
        if not target.exists():
            put_file(corpus / name, target)
            copied.append(name)
    return copied


def add_folder(collection: Collection, folder: Path) -> list[str]:
    """Copy `folder`'s documents into the documents folder, where new or changed; returns the names copied."""
    folder = Path(folder)
    if not folder.is_dir():
        raise VraagbaakError(f"De map {folder} bestaat niet of is geen map.")
    if _same_folder(str(folder), collection.documents):
        return []
    copied = []
    # Every supported file, whatever its size: the build itself skips (and lists) the ones over a limit.
    for path in iter_corpus(folder, max_bytes=1 << 62):
        name = path.relative_to(folder).as_posix()
        target = document_path(collection, name)
        if target.is_file() and filecmp.cmp(path, target, shallow=False):
            continue
        put_file(path, target)
        copied.append(name)
    return copied


def document_path(collection: Collection, name: str) -> Path:
    """Where the document `name` (a doc_id) lives in the documents folder; never outside it."""
    parts = Path(name).parts
    if not name or Path(name).is_absolute() or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise VraagbaakError(f"Ongeldige documentnaam: {name!r}.")
    return collection.documents / name


def put_file(source: Path, target: Path, *, move: bool = False) -> None:
    """Put `source` at `target` in one step (a hidden temporary name beside it, then a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if move:
        os.replace(source, target)  # staging is in the same file system: already one step
        return
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _same_folder(path: str | None, folder: Path) -> bool:
    if not path:
        return False
    try:
        return Path(path).resolve() == folder.resolve()
    except OSError:
        return False


def build_corpus(collection: Collection, folder: Path | None, manifest: dict | None) -> tuple[Path, list[str]]:
    """The folder to build the collection's index from when an operator names `folder` (or none).

    The documents folder in use: `folder`'s files are added to it, and it is built. Otherwise (standaard
    before any upload) `folder` itself, as before collections existed. Returns it, and the names added.
    """
    if not in_use(collection, manifest) and folder is not None:
        return Path(folder), []
    added = add_folder(collection, folder) if folder is not None else []
    collection.documents.mkdir(parents=True, exist_ok=True)
    return collection.documents, added

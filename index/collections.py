"""Collections: named sets of documents, each with its own index.

A collection is a name (`[a-z0-9][a-z0-9-]{0,39}`), a folder of documents and an
index that builds, updates and switches on its own, exactly as the single
index did before collections existed (index.build, index.backends).

* `standaard` is the index the settings name (`VRAAGBAAK_INDEX_DIR`, or the
  Milvus collection `VRAAGBAAK_MILVUS_COLLECTION`): every installation has it,
  `vraagbaak index <map>` builds it, and it cannot be removed.
* Every other collection lives under the collections folder
  (`VRAAGBAAK_COLLECTIONS_DIR`)::

      <collections>/<name>/collection.json   created, by whom
      <collections>/<name>/documents/        its documents (what uploads add to)
      <collections>/<name>/index/            its index versions (local backend; the build lock for any)

  On Milvus its index is the alias `<collection>_c_<name>` with its own
  collections per version (Source.for_collection): a partition key would
  put every collection's versions in one Milvus collection, so one
  collection's switch or rollback would move the others'.

The folder of a collection is only created and removed here; what is in
its documents folder is the uploads' business (web.jobs), what is in its
index the build's.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .backends.base import Source
from .errors import VraagbaakError
from .settings import COLLECTION_NAME, STANDARD_COLLECTION, is_collection_name

STANDARD = STANDARD_COLLECTION
NAME_PATTERN = COLLECTION_NAME.pattern
MARKER = "collection.json"


class CollectionError(VraagbaakError):
    """A collection name or operation that cannot be done; the message is Dutch."""


class CollectionMissing(CollectionError):
    pass


class CollectionExists(CollectionError):
    pass


NAME_RULE = ("Een collectienaam bestaat uit 1 tot 40 kleine letters, cijfers of streepjes en begint met een letter "
             "of cijfer (bv. 'openbaar').")


def check_name(name: object) -> str:
    """The name if it is a valid collection name; CollectionError in Dutch if not."""
    if not is_name(name):
        raise CollectionError(NAME_RULE)
    return name


is_name = is_collection_name


@dataclass(frozen=True)
class Collection:
    name: str
    folder: Path  # lock, documents and (local) index versions; for standaard the index root
    documents: Path  # the documents folder uploads write to
    source: Source  # where its index versions live

    @property
    def index_root(self) -> Path:
        """The folder the build lock lives in (and the local versions)."""
        return self.folder if self.name == STANDARD else self.folder / "index"


class Collections:
    """The collections of one installation: `standaard` and those in the collections folder.

    Thread-safe; several processes may share the folder (creating one is an
    atomic mkdir, so two creators cannot both succeed).
    """

    def __init__(self, root: Path, standard_root: Path, source: Source):
        """`root`: the collections folder; `standard_root`: standaard's index root; `source`: its source."""
        self.root = Path(root)
        self.standard_root = Path(standard_root)
        self.source = source
        self._lock = threading.Lock()
        self._cache: dict[str, Collection] = {}

    def names(self) -> list[str]:
        """Every collection, `standaard` first, then by name."""
        found = []
        if self.root.is_dir():
            found = sorted(p.name for p in self.root.iterdir()
                           if p.name != STANDARD and is_name(p.name) and (p / MARKER).is_file())
        return [STANDARD, *found]

    def exists(self, name: str) -> bool:
        if name == STANDARD:
            return True
        return is_name(name) and (self.root / name / MARKER).is_file()

    def get(self, name: str) -> Collection:
        """The collection `name`; CollectionMissing when there is none."""
        if not self.exists(name):
            raise CollectionMissing(f"De collectie '{name}' bestaat niet.")
        with self._lock:
            found = self._cache.get(name)
            if found is None:
                found = self._cache[name] = self._collection(name)
            return found

    def _collection(self, name: str) -> Collection:
        if name == STANDARD:
            return Collection(name, self.standard_root, self.root / STANDARD / "documents", self.source)
        folder = self.root / name
        return Collection(name, folder, folder / "documents", self.source.for_collection(name, folder / "index"))

    def create(self, name: str, *, by: str = "") -> Collection:
        """A new, empty collection; CollectionExists when the name is taken."""
        check_name(name)
        if name == STANDARD:
            raise CollectionExists(f"De collectie '{name}' bestaat al.")
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / name
        try:
            folder.mkdir()
        except FileExistsError:
            if (folder / MARKER).is_file():
                raise CollectionExists(f"De collectie '{name}' bestaat al.") from None
            # a removal that died half-way left the folder: take it over
        (folder / "documents").mkdir(exist_ok=True)
        (folder / "index").mkdir(exist_ok=True)
        record = {"name": name, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": by}
        tmp = folder / f".{MARKER}.tmp"
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / MARKER)  # the marker last: a collection exists once it is complete
        return self.get(name)

    def delete(self, name: str) -> None:
        """Remove a collection with its documents and index; never `standaard`."""
        if name == STANDARD:
            raise CollectionError(f"De collectie '{STANDARD}' kan niet worden verwijderd.")
        collection = self.get(name)
        (collection.folder / MARKER).unlink(missing_ok=True)  # gone for every reader first
        with self._lock:
            self._cache.pop(name, None)
        collection.source.drop()
        shutil.rmtree(collection.folder, ignore_errors=True)


def open_collections(settings, source: Source | None = None) -> Collections:
    """The collections the settings name (index.settings.Settings)."""
    from .backends import configured_source

    return Collections(settings.collections_root, settings.index_root, source or configured_source(settings))

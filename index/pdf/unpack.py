"""What a PDF unpacks to, measured before its pages are read: the page count and the streams.

A PDF does not declare what it unpacks to, as a zip archive does, and
pdfminer inflates a stream in one piece, however large it turns out to be.
So before the layout stages open a file, each of its streams is decoded here
once, block by block, the output counted and thrown away, stopping as soon
as the count is over the limit: refusing a stream that inflates to gigabytes
costs a block of memory. The page tree is counted the same way, stopping
above the limit, before pdfplumber makes an object of every page.

Images are counted apart. No reader decodes them (pdfium renders only a page
read by OCR, and scales its images as it decodes them), and a scanned PDF
holds many large ones: each image may unpack to the limit, the other streams
(page content, forms, fonts, object streams) together.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence

log = logging.getLogger(__name__)

FLATE = frozenset({"FlateDecode", "Fl"})
# Filters that leave image data as it is stored: no reader here decodes them.
IMAGE_CODECS = frozenset({"DCTDecode", "DCT", "JPXDecode", "JBIG2Decode", "CCITTFaxDecode", "CCF"})
BLOCK = 1 << 16
MAX_TREE_DEPTH = 100  # pypdf refuses deeper page trees too


def _inflate(data: bytes, stop_above: int, keep: bool) -> tuple[int, bytes]:
    """zlib's output for `data`, counted block by block and kept only when `keep`; stops once it is above
    `stop_above`. A damaged stream counts up to where it breaks (pdfminer gets no more)."""
    inflater = zlib.decompressobj()
    size, kept = 0, []
    pending = data
    try:
        while True:
            out = inflater.decompress(pending, BLOCK)
            size += len(out)
            if keep:
                kept.append(out)
            if size > stop_above or inflater.eof:
                break
            pending = inflater.unconsumed_tail
            if not pending and len(out) < BLOCK:
                break
    except zlib.error:
        pass
    return size, b"".join(kept)


def _decoder(name: str):
    """pypdf's decoder for a filter that is not Flate (pypdf bounds what each makes), or None."""
    from pypdf import filters

    return {"ASCIIHexDecode": filters.ASCIIHexDecode, "AHx": filters.ASCIIHexDecode,
            "ASCII85Decode": filters.ASCII85Decode, "A85": filters.ASCII85Decode,
            "RunLengthDecode": filters.RunLengthDecode, "RL": filters.RunLengthDecode,
            "LZWDecode": filters.LZWDecode, "LZW": filters.LZWDecode}.get(name)


def decoded_size(data: bytes, filters: Sequence[str], stop_above: int) -> int:
    """The bytes a stream decodes to through `filters` (names without "/"), counted no further than just
    above `stop_above`. An image codec ends the count (the data stays as it is), as does a filter no
    reader knows or data a filter cannot decode."""
    from pypdf.errors import LimitReachedError

    for k, name in enumerate(filters):
        if name in IMAGE_CODECS:
            break
        if name in FLATE:
            last = k + 1 == len(filters) or filters[k + 1] in IMAGE_CODECS
            size, data = _inflate(data, stop_above, keep=not last)
            if last or size > stop_above:
                return size
            continue
        decoder = _decoder(name)
        if decoder is None:
            break
        try:
            data = decoder.decode(data)
        except LimitReachedError:
            return stop_above + 1
        except Exception:  # noqa: BLE001 - undecodable: pdfminer fails on it as well
            break
        if len(data) > stop_above:
            return len(data)
    return len(data)


def filter_names(value) -> list[str]:
    """A stream's /Filter (a name or an array of names, pypdf or pdfminer objects) as names without "/"."""
    value = _resolved(value)
    if value is None:
        return []
    names = []
    for item in value if isinstance(value, (list, tuple)) else [value]:
        item = _resolved(item)
        name = item if isinstance(item, str) else getattr(item, "name", item)  # pypdf NameObject, pdfminer PSLiteral
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        names.append(str(name).lstrip("/"))
    return names


def _resolved(value):
    """A pypdf indirect reference as the object it points to; anything else as it is."""
    return value.get_object() if hasattr(value, "get_object") else value


def count_pages(reader, stop_above: int) -> int:
    """The pages in a pypdf reader's page tree, counting no further than `stop_above` + 1.

    A page listed twice counts twice (pypdf's fallback reads it twice). The
    walk is bounded as well: visiting more than twice as many nodes as pages
    allowed counts as too many pages (a tree of empty nodes costs as much to
    walk). A kid that is its own ancestor is skipped; a broken tree is
    counted as far as it goes.
    """
    from pypdf.generic import IndirectObject

    visits = [0]
    found = [0]
    most_visits = 2 * stop_above + 2

    def walk(node, ancestors: tuple, depth: int) -> None:
        ref = node.idnum if isinstance(node, IndirectObject) else None
        node = node.get_object() if isinstance(node, IndirectObject) else node
        visits[0] += 1
        if visits[0] > most_visits:
            found[0] = stop_above + 1
            return
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if kids is None:
            found[0] += 1
            return
        if depth >= MAX_TREE_DEPTH:
            return
        kids = kids.get_object()
        inner = ancestors + ((ref,) if ref is not None else ())
        for kid in kids:
            if found[0] > stop_above:
                return
            if isinstance(kid, IndirectObject) and kid.idnum in inner:
                continue
            walk(kid, inner, depth + 1)

    try:
        walk(reader.trailer["/Root"]["/Pages"], (), 0)
    except Exception as exc:  # noqa: BLE001 - pdfminer and pypdf read what they can of a broken tree
        log.debug("page tree not fully countable: %s", exc)
    return min(found[0], stop_above + 1)


def stream_sizes(reader, stop_above: int) -> tuple[int, int]:
    """What the streams of a pypdf reader's file decode to: (all but images together, the largest image).

    Each count stops just above `stop_above`. Objects are parsed one at a
    time and not kept in the reader's cache, so a file of a million small
    objects is measured in little memory; a stream pypdf itself refuses
    (over its own limits) counts as over the limit.
    """
    from pypdf.errors import LimitReachedError
    from pypdf.generic import IndirectObject, StreamObject

    total = largest = 0
    for generation, objects in list(reader.xref.items()):
        for idnum in list(objects):
            key = (generation, idnum)
            cached = key in reader.resolved_objects
            try:
                obj = reader.get_object(IndirectObject(idnum, generation, reader))
            except LimitReachedError as exc:
                if "loop" in str(exc).lower():  # "Detected loop with self reference": damage, not size
                    continue
                return stop_above + 1, largest
            except Exception:  # noqa: BLE001 - a broken object: the readers skip it as well
                continue
            finally:
                if not cached:
                    reader.resolved_objects.pop(key, None)
            if not isinstance(obj, StreamObject):
                continue
            data = getattr(obj, "_data", b"") or b""
            names = filter_names(obj.get("/Filter"))
            if _resolved(obj.get("/Subtype")) == "/Image":
                largest = max(largest, decoded_size(data, names, stop_above))
                if largest > stop_above:
                    return total, largest
            else:
                total += decoded_size(data, names, stop_above - total)
                if total > stop_above:
                    return total, largest
    return total, largest

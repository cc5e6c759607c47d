"""Hostile PDFs, written object by object: small files that unpack, draw or render to far more.

Each maker writes a valid PDF (header, objects, cross-reference table,
trailer, end marker) with Helvetica as its only font, so every reader opens
it; what is hostile is what the file asks for once opened. Used by
tests/test_hostile_files.py.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

MB = 1024 * 1024
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
A4 = b"[0 0 595 842]"
TEXT = b"BT /F1 11 Tf 72 760 Td (Dit is een gewone zin op een gewone pagina.) Tj ET"
WORDS = ("gemeente", "beleid", "huisvesting", "regio", "onderzoek", "raad", "besluit", "wethouder", "college",
         "begroting", "inwoners", "subsidie", "woning", "vergunning", "zorg", "jeugd", "onderwijs")


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """Objects 1..n (object 1 the catalog) as a complete PDF file."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def deflated(blocks, extra: bytes = b"") -> bytes:
    """A FlateDecode stream object of the concatenated `blocks` (bytes, or an iterable of them)."""
    if isinstance(blocks, bytes):
        blocks = [blocks]
    deflater = zlib.compressobj(9)
    raw = b"".join(deflater.compress(block) for block in blocks) + deflater.flush()
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (len(raw), extra, raw)


def zeros(size: int):
    """`size` bytes of spaces, a megabyte at a time (they deflate a thousandfold)."""
    block = b" " * MB
    for _ in range(size // MB):
        yield block
    yield b" " * (size % MB)


def one_page(path: Path, content: bytes, *, mediabox: bytes = A4, xobjects: bytes = b"",
             extra: list[bytes] = ()) -> Path:
    """A one-page PDF: catalog 1, pages 2, page 3, font 4, content stream 5, then `extra` from 6."""
    return write_pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources << /Font << /F1 4 0 R >> %s >> "
        b"/Contents 5 0 R >>" % (mediabox, xobjects),
        FONT,
        content,
        *extra,
    ])


def ordinary(path: Path) -> Path:
    """A readable one-page PDF with one sentence."""
    return one_page(path, deflated(TEXT))


def content_bomb(path: Path, unpacked: int) -> Path:
    """One page whose content stream inflates to `unpacked` bytes (spaces after a line of text)."""
    return one_page(path, deflated([TEXT + b"\n", *zeros(unpacked)]))


def image_bomb(path: Path, unpacked: int) -> Path:
    """A page with text and a 100 by 100 image whose data inflates to `unpacked` bytes."""
    image = deflated(zeros(unpacked), b"/Type /XObject /Subtype /Image /Width 100 /Height 100 "
                                      b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    return one_page(path, deflated(TEXT + b" q 100 0 0 100 72 72 cm /Im1 Do Q"),
                    xobjects=b"/XObject << /Im1 6 0 R >>", extra=[image])


def many_pages(path: Path, pages: int, *, distinct: bool = False) -> Path:
    """`pages` pages that share one small content stream (about 120 bytes a page), or with `distinct` each
    its own sentence (a running header repeated on every page would be set apart as furniture)."""
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", FONT]
    if not distinct:
        objects.append(deflated(TEXT))
    kids = []
    for k in range(pages):
        if distinct:
            words = random.Random(k).choices(WORDS, k=8)
            objects.append(deflated(b"BT /F1 11 Tf 72 760 Td (%s.) Tj ET" % " ".join(words).capitalize().encode()))
        objects.append(page % (len(objects) if distinct else 4))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    return write_pdf(path, objects)


def giant_scan(path: Path, side: int = 200_000) -> Path:
    """A scanned page (an image, no text) with a MediaBox of `side` by `side` points."""
    image = (b"<< /Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Length 100 >>\nstream\n" + b"\x80" * 100 + b"\nendstream")
    return one_page(path, deflated(b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (side, side)),
                    mediabox=b"[0 0 %d %d]" % (side, side), xobjects=b"/XObject << /Im1 6 0 R >>", extra=[image])


def dense_glyphs(path: Path, glyphs: int) -> Path:
    """One page that shows `glyphs` glyphs in a single string: one byte of content each."""
    return one_page(path, deflated(b"BT /F1 1 Tf 10 10 Td (" + b"x" * glyphs + b") Tj ET"))


def nested_forms(path: Path, depth: int = 8, fanout: int = 10) -> Path:
    """A page that draws a form `fanout` times, which draws the next form `fanout` times, `depth` deep:
    fanout ** depth glyphs from a few hundred bytes."""
    draws = b" ".join(b"/Fx Do" for _ in range(fanout))
    forms = []
    for level in range(depth):
        number = 6 + level
        body = (b"BT /F1 1 Tf 0 0 Td (x) Tj ET" if level == depth - 1 else draws)
        resources = (b"<< /Font << /F1 4 0 R >> >>" if level == depth - 1
                     else b"<< /XObject << /Fx %d 0 R >> >>" % (number + 1))
        forms.append(deflated(body, b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources %s" % resources))
    return one_page(path, deflated(TEXT + b" " + draws), xobjects=b"/XObject << /Fx 6 0 R >>", extra=forms)

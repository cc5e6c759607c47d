"""OCR for pages without a text layer: Tesseract with its Dutch data.

Only a page that has no words but does hold an image is read this way (a
blank page is not worth seconds of OCR). The page is rendered by pypdfium2 at
``DPI`` and read by Tesseract (through pytesseract) in Dutch; its words come
back with their boxes, converted to PDF points, so the OCR'd page goes
through the same columns, lines, furniture and block stages as a page with
a text layer. Tesseract gives no font sizes: a line's size is estimated from
its height, and heights within 10% of each other get one size, so body lines
share one size as they do in a text PDF.

A page is rendered only when its bitmap fits the unpacked-bytes limit
(`render_size`, judged by ``index.readers.limits.PdfBudget``); a larger page is
skipped with a reason that names the limit.

Tesseract gets ``PAGE_SECONDS`` per page (a dense A4 page takes about 13 s
on two cores); a page that takes longer is skipped as `TooSlow`.

Where Tesseract or its Dutch data is missing, `unavailable()` says which
Debian package to install, and the page is skipped with that warning.
"""

from __future__ import annotations

import logging
import math
import shutil
import statistics

from index.pdf.words import PageWords, Word, clean_word

log = logging.getLogger(__name__)

DPI = 300
LANGUAGE = "nld"
MIN_CONFIDENCE = 20.0
PAGE_SECONDS = 60
MISSING_BINARY = "Tesseract ontbreekt (installeer de pakketten tesseract-ocr en tesseract-ocr-nld)"
MISSING_DUTCH = "Nederlandse taaldata voor Tesseract ontbreekt (installeer het pakket tesseract-ocr-nld)"
MISSING_BINDING = "Python-pakket pytesseract ontbreekt"


class TooSlow(Exception):
    """Tesseract did not finish a page within PAGE_SECONDS; the message is the Dutch reason."""


def unavailable() -> str | None:
    """Why OCR cannot run here (a Dutch reason), or None when it can."""
    try:
        import pytesseract
    except ImportError:
        return MISSING_BINDING
    if shutil.which("tesseract") is None:
        return MISSING_BINARY
    try:
        languages = pytesseract.get_languages(config="")
    except Exception:  # noqa: BLE001 - a broken install counts as missing
        return MISSING_BINARY
    if LANGUAGE not in languages:
        return MISSING_DUTCH
    return None


def _snap_sizes(words: list[tuple[Word, tuple]]) -> None:
    """Give each line one size, and lines of similar height the same size."""
    lines: dict[tuple, list[Word]] = {}
    for w, key in words:
        lines.setdefault(key, []).append(w)
    heights = sorted((max(w.bottom for w in ws) - min(w.top for w in ws), key) for key, ws in lines.items())
    groups: list[list[tuple[float, tuple]]] = []
    for h, key in heights:
        if groups and h <= groups[-1][0][0] * 1.10:
            groups[-1].append((h, key))
        else:
            groups.append([(h, key)])
    for group in groups:
        size = round(statistics.median(h for h, _ in group) / 0.95, 1)
        for _, key in group:
            for w in lines[key]:
                w.size = size


def render_size(pdf, index: int) -> tuple[int, int]:
    """The pixels (width, height) page `index` of a pypdfium2 document is rendered to for OCR.

    As pypdfium2 computes them, so a page can be judged before a bitmap is
    allocated: a page of 200,000 by 200,000 points would take gigabytes.
    """
    width, height = pdf[index].get_size()
    scale = DPI / 72
    return math.ceil(width * scale), math.ceil(height * scale)


def ocr_page(pdf, index: int, number: int, width: float, height: float) -> PageWords:
    """The words of page `index` of a pypdfium2 document, read by Tesseract."""
    import pytesseract

    page = pdf[index]
    scale = DPI / 72
    image = page.render(scale=scale).to_pil()
    try:
        data = pytesseract.image_to_data(
            image, lang=LANGUAGE, config="--psm 3", output_type=pytesseract.Output.DICT, timeout=PAGE_SECONDS
        )
    except RuntimeError as exc:
        if "timeout" not in str(exc).lower():
            raise
        raise TooSlow(f"tekstherkenning duurde langer dan {PAGE_SECONDS} s") from None
    found: list[tuple[Word, tuple]] = []
    for k, text in enumerate(data["text"]):
        text = clean_word((text or "").strip())
        if not text or float(data["conf"][k]) < MIN_CONFIDENCE:
            continue
        x, y = data["left"][k] / scale, data["top"][k] / scale
        w, h = data["width"][k] / scale, data["height"][k] / scale
        key = (data["block_num"][k], data["par_num"][k], data["line_num"][k])
        found.append((Word(text, x, x + w, y, y + h, 10.0), key))
    _snap_sizes(found)
    words = [w for w, _ in found]
    # all words of one OCR line share the line's top and bottom
    by_line: dict[tuple, list[Word]] = {}
    for w, key in found:
        by_line.setdefault(key, []).append(w)
    for ws in by_line.values():
        top, bottom = min(w.top for w in ws), max(w.bottom for w in ws)
        for w in ws:
            w.top, w.bottom = top, bottom
    return PageWords(number, width, height, words, ocr=True)

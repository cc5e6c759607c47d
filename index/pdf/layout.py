"""Run the layout stages over a whole PDF (see the package docstring)."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, field

from index.errors import ReadError
from index.pdf import ocr
from index.pdf.blocks import Block, build_blocks, measure
from index.pdf.charts import drop_chart_labels
from index.pdf.columns import read_order
from index.pdf.footnotes import Footnote, split_footnotes
from index.pdf.furniture import find_furniture
from index.pdf.interpret import lay_out
from index.pdf.lines import Line, mark_bullets
from index.pdf.references import guard_reference_rings
from index.pdf.tables import TableSearch, take_tables
from index.pdf.turning import is_sideways, turned
from index.pdf.words import PageWords, page_words
from index.readers.common import short_reason

log = logging.getLogger(__name__)


@dataclass
class Layout:
    """What the stages found: blocks, and per page its furniture."""

    page_count: int
    blocks: list[Block]
    furniture: dict[int, list[str]] = field(default_factory=dict)  # page -> lines
    ocr_pages: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # page -> Dutch reason


def _insert_tables(lines: list[Line], tables: list[Line]) -> list[Line]:
    """Put each table in the reading order before the first line below it."""
    out = list(lines)
    for table in sorted(tables, key=lambda t: t.top):
        at = len(out)
        for i, line in enumerate(out):
            if line.table_rows is None and line.top >= table.top:
                at = i
                break
        out.insert(at, table)
    return out


def _bullet_shapes(page) -> list[tuple[float, float, float, float]]:
    """Small, roughly square shapes on the page: candidates for drawn bullets."""
    shapes = []
    for obj in list(page.curves) + list(page.rects):
        w, h = float(obj["x1"]) - float(obj["x0"]), float(obj["bottom"]) - float(obj["top"])
        if 1.0 <= w <= 8.0 and 1.0 <= h <= 8.0 and 0.5 <= w / h <= 2.0:
            shapes.append((float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"])))
    return shapes


def _page_lines(page_words_: PageWords, page=None, tables_search: TableSearch | None = None) -> list[Line]:
    """One page's lines in reading order, tables in place, chart labels out, drawn bullets marked."""
    words, tables = (page_words_.words, [])
    if page is not None:
        words, tables = take_tables(page, words, page_words_.number, tables_search)
        words = drop_chart_labels(page, words, tables)
    lines = read_order(words, page_words_.number, page_words_.width, page_words_.height)
    if page is not None:
        mark_bullets(lines, _bullet_shapes(page))
    for line in lines:
        line.ocr = page_words_.ocr
    return _insert_tables(lines, tables)


SCAN_AREA = 0.5  # share of the page an image must cover to make it a scan
SCAN_MAX_WORDS = 10  # a stamp or page number on a scan is no text layer


def _scanned(pw: PageWords, page) -> bool:
    """A page without a text layer: no words (or a stamp's few) over an image.

    A blank page has no image and is not worth seconds of OCR; a page with a
    real text layer keeps it, even over a background image.
    """
    if len(pw.words) >= SCAN_MAX_WORDS or not page.images:
        return False
    if not pw.words:
        return True
    area = pw.width * pw.height or 1.0
    covered = max(
        (float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"])) for im in page.images
    )
    return covered / area >= SCAN_AREA


SLOW_PAGES_STOP = 3  # pages over ocr.PAGE_SECONDS after which a document's OCR stops


def _ocr_pages(data: bytes, todo: list[tuple[int, float, float]], doc_id: str, layout: Layout,
               cost=None) -> dict[int, PageWords]:
    """Read the pages in `todo` (index, width, height) by OCR, with progress, within a budget of time.

    A page whose rendering would be larger than `cost` (PdfBudget) allows is
    skipped with its reason before anything is rendered; so are the scanned
    pages past `max_ocr_pages`, every page after SLOW_PAGES_STOP pages that
    each took Tesseract longer than ocr.PAGE_SECONDS, and every page once the
    document's OCR has taken its time (`PdfBudget.ocr_time_reason`: 50
    minutes by default), whatever its pages hold.
    """
    if not todo:
        return {}
    reason = ocr.unavailable()
    if reason is not None:
        _skip_pages(layout, doc_id, todo, reason)
        return {}
    import pypdfium2

    out: dict[int, PageWords] = {}
    slow = 0
    started = time.monotonic()
    pdf = pypdfium2.PdfDocument(data)
    try:
        for k, (index, width, height) in enumerate(todo, start=1):
            over = cost.ocr_reason(k) if cost is not None else None
            if over is None and slow >= SLOW_PAGES_STOP:
                over = f"tekstherkenning gestopt na {slow} pagina's die elk langer dan {ocr.PAGE_SECONDS} s duurden"
            if over is None and cost is not None:
                over = cost.ocr_time_reason(time.monotonic() - started)
            if over is not None:
                _skip_pages(layout, doc_id, todo[k - 1:], over)
                break
            log.info("%s: tekstherkenning (OCR) pagina %d (%d van %d)", doc_id, index + 1, k, len(todo))
            too_large = cost.render_reason(*ocr.render_size(pdf, index)) if cost is not None else None
            if too_large is not None:
                _skip_pages(layout, doc_id, [todo[k - 1]], too_large)
                continue
            try:
                out[index] = ocr.ocr_page(pdf, index, index + 1, width, height)
                layout.ocr_pages.append(index + 1)
            except ocr.TooSlow as exc:
                slow += 1
                _skip_pages(layout, doc_id, [todo[k - 1]], str(exc))
            except Exception as exc:  # noqa: BLE001 - keep the other pages
                _skip_pages(layout, doc_id, [todo[k - 1]], f"tekstherkenning mislukt: {short_reason(exc)}")
    finally:
        pdf.close()
    return out


def _skip_pages(layout: Layout, doc_id: str, pages: list[tuple[int, float, float]], reason: str) -> None:
    """Pages (from the OCR to-do list) left unread for `reason`: recorded per page, logged once."""
    numbers = [index + 1 for index, _, _ in pages]
    for number in numbers:
        layout.skipped[number] = reason
    which = f"pagina {numbers[0]}" if len(numbers) == 1 else f"{len(numbers)} pagina's vanaf pagina {numbers[0]}"
    log.warning("%s: %s zonder leesbare tekst overgeslagen: %s", doc_id, which, reason)


def read_layout(data: bytes, doc_id: str, budget=None, cost=None) -> Layout:
    """Every page through the stages; returns the document's blocks.

    `budget` (index.readers.limits.TextBudget) counts the words' characters
    page by page and stops a document with too much text early. `cost`
    (index.readers.limits.PdfBudget) counts what each page unpacks and draws
    while pdfminer lays it out, and what a page rendered for OCR would take.
    """
    layout, pages, heights = _page_lines_of(data, doc_id, budget, cost)
    layout.blocks = _blocks(pages, heights, layout, doc_id)
    return layout


def _page_lines_of(data: bytes, doc_id: str, budget, cost) -> tuple[Layout, list[list[Line]], list[float]]:
    """Each page's lines, from its text layer or, where it has none that can be read, by OCR.

    A page that fails to lay out is skipped with its reason (Layout.skipped)
    and the others are kept; a budget that runs out (ReadError) stops the document.
    """
    import pdfplumber

    guard_reference_rings()
    pages: list[list[Line]] = []
    heights: list[float] = []
    todo: list[tuple[int, float, float]] = []
    tables = TableSearch()
    with pdfplumber.open(io.BytesIO(data), password="") as pdf:
        layout = Layout(len(pdf.pages), [])
        for index, page in enumerate(pdf.pages):
            heights.append(float(page.height))
            try:
                if cost is not None:
                    lay_out(page, cost)
                page = _upright(page, index + 1, doc_id, cost)
                heights[-1] = float(page.height)
                pw = page_words(page, index + 1)
                if budget is not None:
                    budget.add(sum(len(word.text) + 1 for word in pw.words))
                if pw.garbled:
                    log.info("%s: pagina %d heeft een onleesbare tekstlaag (lettertype zonder tekencodering); "
                             "tekstherkenning leest haar", doc_id, index + 1)
                elif pw.unmapped:
                    log.warning("%s: pagina %d: %d woorden in een lettertype zonder tekencodering weggelaten",
                                doc_id, index + 1, pw.unmapped)
                if pw.garbled or _scanned(pw, page):
                    todo.append((index, pw.width, pw.height))
                    pages.append([])
                else:
                    pages.append(_page_lines(pw, page, tables) if pw.words else [])
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep the other pages
                log.warning("%s: pagina %d niet leesbaar: %s", doc_id, index + 1, exc)
                layout.skipped[index + 1] = "pagina niet leesbaar"
                pages.append([])
            page.flush_cache() if hasattr(page, "flush_cache") else None
    for index, pw in _ocr_pages(data, todo, doc_id, layout, cost).items():
        pages[index] = _page_lines(pw)
    return layout, pages, heights


def _upright(page, number: int, doc_id: str, cost):
    """The page turned so that its text stands upright, when it runs sideways (index.pdf.turning)."""
    if not is_sideways(page):
        return page
    upright = turned(page, None if cost is None else (lambda candidate: lay_out(candidate, cost)))
    if upright is None:
        log.warning("%s: pagina %d: tekst die niet rechtop staat (schuin of verticaal) weggelaten", doc_id, number)
        return page
    log.info("%s: pagina %d staat gedraaid; gelezen met de tekst rechtop", doc_id, number)
    if hasattr(page, "flush_cache"):
        page.flush_cache()  # the page as it lay: its layout is not read again, and would stay until the end
    return upright


def _blocks(pages: list[list[Line]], heights: list[float], layout: Layout, doc_id: str) -> list[Block]:
    """The body's blocks, once each page's furniture (recorded in `layout`) and footnotes are set apart.

    The body size decides what stands apart as furniture, and furniture can
    outweigh a short body (a one-paragraph page with a header and a footer):
    measure, set the furniture aside, measure the rest again.
    """
    metrics = measure(pages)
    furniture = find_furniture(pages, heights, metrics.body_size)
    metrics = measure([[ln for i, ln in enumerate(lines) if i not in drop] for lines, drop in zip(pages, furniture)])
    furniture = find_furniture(pages, heights, metrics.body_size)
    notes: list[Footnote] = []
    body: list[list[Line]] = []
    for number, (lines, drop) in enumerate(zip(pages, furniture), start=1):
        if drop:
            layout.furniture[number] = [lines[i].text for i in sorted(drop)]
            log.debug("%s: pagina %d, kop/voet/paginanummer weggelaten: %s", doc_id, number,
                      " | ".join(layout.furniture[number]))
        kept = [line for i, line in enumerate(lines) if i not in drop]
        kept, page_notes = split_footnotes(kept, metrics.body_size, heights[number - 1])
        body.append(kept)
        notes.extend(page_notes)
    return build_blocks(body, notes, measure(body) if any(body) else metrics)

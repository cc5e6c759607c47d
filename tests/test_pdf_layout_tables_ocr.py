"""Layout-aware PDF reading: tables and scanned pages (OCR), against PDFs built here.

A table is read one line per row (fpdf2's ruled table, a Chromium-printed
table with and without lines); a page ruled as a huge grid is not searched
for tables at all. A scanned page is read by OCR, only the page without
text is, and without tesseract the reader says so in Dutch. The PDFs and
checks: tests/layout_pdfs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.readers import read_document
from tests.layout_pdfs import (
    PARAGRAPHS,
    _assert_no_furniture,
    _assert_whole,
    _chunks,
    _font,
    _norm,
    _paragraph,
    _pdf,
    _print_html,
    _save,
)


# --- a table -----------------------------------------------------------------


def test_small_table_becomes_one_line_per_row(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    _paragraph(pdf, "De uitgaven aan bijstand per jaar staan in de tabel hieronder.")
    rows = [
        ("Jaar", "Uitkeringen", "Bedrag"),
        ("2024", "12.400", "148 miljoen"),
        ("2025", "11.900", "143 miljoen"),
    ]
    with pdf.table(col_widths=(30, 40, 40), width=110, align="LEFT") as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(6)
    _paragraph(pdf, PARAGRAPHS[4])
    path = _save(pdf, tmp_path / "tabel.pdf")
    doc, chunks = _chunks(path)
    text = doc.text
    assert "Jaar: 2024; Uitkeringen: 12.400; Bedrag: 148 miljoen" in text
    assert "Jaar: 2025; Uitkeringen: 11.900; Bedrag: 143 miljoen" in text
    _assert_whole(chunks, PARAGRAPHS[4:5])
    assert doc.text.index("Jaar: 2024") < doc.text.index("Overvecht")


# --- a table printed by Chromium ---------------------------------------------

TABLE_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Tarieven paspoort | Rijksoverheid.nl</title></head><body>
<h1>Wat kost een paspoort?</h1>
<p>De tarieven voor een paspoort en een identiteitskaart staan hieronder. Het gaat om maximumtarieven.</p>
<table{border}><tr><th>Document</th><th>Leeftijd</th><th>Tarief</th></tr>
<tr><td>Paspoort</td><td>18 jaar en ouder</td><td>84,70 euro</td></tr>
<tr><td>Identiteitskaart</td><td>jonger dan 18 jaar</td><td>43,30 euro</td></tr></table>
<p>Uw gemeente bepaalt het precieze bedrag. Het kan zijn dat u minder betaalt voor uw reisdocument.</p>
</body></html>"""


@pytest.mark.parametrize("border", [True, False], ids=["met-lijnen", "zonder-lijnen"])
def test_chromium_printed_table_reads_row_by_row(tmp_path, border):
    html = TABLE_PAGE.replace("{border}", ' border="1" style="border-collapse:collapse"' if border else "")
    path = _print_html(html, tmp_path)
    doc, chunks = _chunks(path)
    if border:
        assert "Document: Paspoort; Leeftijd: 18 jaar en ouder; Tarief: 84,70 euro" in doc.text
        assert "Document: Identiteitskaart; Leeftijd: jonger dan 18 jaar; Tarief: 43,30 euro" in doc.text
    else:  # no ruling: no table found, but each row is read as one line, not as columns
        text = _norm(doc.text)
        assert "Paspoort 18 jaar en ouder 84,70 euro" in text
        assert "Identiteitskaart jonger dan 18 jaar 43,30 euro" in text
    _assert_whole(chunks, ["Uw gemeente bepaalt het precieze bedrag. Het kan zijn dat u minder betaalt "
                           "voor uw reisdocument."])
    _assert_no_furniture(chunks, "Rijksoverheid.nl", "file:", "1/1")


# --- bounded work: a large ruled grid ----------------------------------------


def test_a_page_ruled_as_a_large_grid_is_not_searched_for_tables(tmp_path):
    """pdfplumber's cell search takes over a minute on a 200 by 200 grid (a 3 KB file)."""
    import pdfplumber

    from index.pdf.tables import TableSearch
    from tests import hostile_pdfs

    lines = []
    for k in range(200):
        at = 10 + 70 * k
        lines.append(b"10 %d m 14300 %d l S %d 10 m %d 14300 l S" % (at, at, at, at))
    grid = hostile_pdfs.one_page(tmp_path / "raster.pdf", hostile_pdfs.deflated(b"\n".join(lines)),
                                 mediabox=b"[0 0 14400 14400]")
    # A ruled table of 60 rows and 10 columns: 61 lines across, 11 down.
    table = [b"50 %d m 550 %d l S" % (50 + 12 * k, 50 + 12 * k) for k in range(61)]
    table += [b"%d 50 m %d 770 l S" % (50 + 50 * k, 50 + 50 * k) for k in range(11)]
    ruled = hostile_pdfs.one_page(tmp_path / "tabel.pdf", hostile_pdfs.deflated(b"\n".join(table)))
    with pdfplumber.open(grid) as pdf, pdfplumber.open(ruled) as small:
        search = TableSearch()
        assert not search.allows(pdf.pages[0])
        assert search.allows(small.pages[0]) and search.left == 100_000 - 61 * 11


# --- OCR ---------------------------------------------------------------------


def _ocr_ready() -> str | None:
    from index.pdf import ocr

    return ocr.unavailable()


def _share_read(expected: str, chunks) -> float:
    """The share of `expected`'s words that the chunks give back in order (OCR misreads a few)."""
    import difflib

    want, got = _norm(expected).split(), _norm(" ".join(c.text for c in chunks)).split()
    matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(want)


def test_scanned_page_is_read_by_ocr(tmp_path):
    reason = _ocr_ready()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    path = _scanned_pages(tmp_path, 1, PARAGRAPHS[:3])
    doc, chunks = _chunks(path)
    assert _share_read(" ".join(PARAGRAPHS[:3]), chunks) >= 0.95
    assert all(c.page == 1 for c in chunks)


def test_scanned_page_without_tesseract_is_skipped_with_a_dutch_reason(tmp_path, monkeypatch):
    from fpdf import FPDF
    from PIL import Image

    from index.errors import ReadError
    from index.pdf import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    image_path = tmp_path / "grijs.png"
    Image.new("L", (200, 280), 200).save(image_path)
    scan = FPDF(format="A4")
    scan.add_page()
    scan.image(str(image_path), x=0, y=0, w=210, h=297)
    path = _save(scan, tmp_path / "scan.pdf")
    with pytest.raises(ReadError) as info:
        read_document(path, tmp_path)
    assert "tesseract-ocr" in str(info.value)


def test_ocr_only_on_the_page_without_text(tmp_path, caplog):
    reason = _ocr_ready()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    import logging

    import pypdfium2
    from fpdf import FPDF

    source = _pdf(header=None, page_numbers=None)
    source.add_page()
    _paragraph(source, PARAGRAPHS[4], size=12)
    image = pypdfium2.PdfDocument(bytes(source.output()))[0].render(scale=200 / 72).to_pil()
    image_path = tmp_path / "pagina2.png"
    image.convert("L").save(image_path)
    mixed = FPDF(format="A4")
    mixed.add_page()
    mixed.set_font("Helvetica", size=12)
    mixed.multi_cell(0, 6, PARAGRAPHS[0])
    mixed.add_page()
    mixed.image(str(image_path), x=0, y=0, w=210, h=297)
    path = _save(mixed, tmp_path / "gemengd.pdf")
    with caplog.at_level(logging.INFO, logger="index.pdf.layout"):
        doc, chunks = _chunks(path)
    progress = [r.getMessage() for r in caplog.records if "OCR" in r.getMessage()]
    assert len(progress) == 1 and "pagina 2" in progress[0]
    first = next(c for c in chunks if "vierhonderd inwoners" in c.text)
    assert _norm(PARAGRAPHS[0]) in _norm(first.text) and first.page == 1
    scanned = next(c for c in chunks if "Kanaleneiland" in c.text)
    assert scanned.page == 2
    assert doc.ocr_pages == (2,)


def _scanned_pages(tmp_path, pages: int, paragraphs: list[str] | None = None) -> Path:
    """A PDF of `pages` scanned pages: each one image, no text layer (the image shows `paragraphs` if given)."""
    import pypdfium2
    from fpdf import FPDF
    from PIL import Image

    image_path = tmp_path / "scan.png"
    if paragraphs is None:
        Image.new("L", (200, 280), 200).save(image_path)
    else:
        source = _pdf(header=None, page_numbers=None)
        source.add_page()
        for text in paragraphs:
            _paragraph(source, text, size=12)
        pypdfium2.PdfDocument(bytes(source.output()))[0].render(scale=200 / 72).to_pil().convert("L").save(image_path)
    scan = FPDF(format="A4")
    for _ in range(pages):
        scan.add_page()
        scan.image(str(image_path), x=0, y=0, w=210, h=297)
    return _save(scan, tmp_path / "scans.pdf")


def test_ocr_reads_no_more_scanned_pages_than_the_setting_allows(tmp_path, monkeypatch, caplog):
    import logging
    from dataclasses import replace

    from index.errors import ReadError
    from index.pdf import ocr
    from index.pdf.words import PageWords
    from index.readers.limits import DEFAULT_LIMITS

    read = []
    monkeypatch.setattr(ocr, "unavailable", lambda: None)  # the budget is judged before Tesseract is asked
    monkeypatch.setattr(ocr, "ocr_page", lambda pdf, index, number, width, height: (
        read.append(number), PageWords(number, width, height, [], ocr=True))[1])  # a page Tesseract found empty
    path = _scanned_pages(tmp_path, 5)
    with caplog.at_level(logging.WARNING, logger="index.pdf.layout"), pytest.raises(ReadError) as info:
        read_document(path, tmp_path, limits=replace(DEFAULT_LIMITS, max_ocr_pages=2))
    assert read == [1, 2]
    assert "meer dan 2 gescande pagina's" in info.value.reason and "VRAAGBAAK_MAX_OCR_PAGES" in info.value.reason
    skipped = [r.getMessage() for r in caplog.records if "overgeslagen" in r.getMessage()]
    assert len(skipped) == 1 and "3 pagina's vanaf pagina 3" in skipped[0], skipped
    read.clear()
    with pytest.raises(ReadError) as info:
        read_document(path, tmp_path, limits=replace(DEFAULT_LIMITS, max_ocr_pages=0))
    assert read == [] and "tekstherkenning staat uit (VRAAGBAAK_MAX_OCR_PAGES=0)" in info.value.reason


def test_ocr_stops_once_the_document_has_taken_its_time(tmp_path, monkeypatch):
    import time
    from dataclasses import replace

    from index.errors import ReadError
    from index.pdf import ocr
    from index.pdf.words import PageWords
    from index.readers import limits

    read = []

    def slow_page(pdf, index, number, width, height):
        read.append(number)
        time.sleep(0.3)
        return PageWords(number, width, height, [], ocr=True)

    monkeypatch.setattr(ocr, "unavailable", lambda: None)
    monkeypatch.setattr(ocr, "ocr_page", slow_page)
    monkeypatch.setattr(limits, "OCR_SECONDS_PER_PAGE", 0.02)  # 4 pages allowed: 0.08 s in all
    with pytest.raises(ReadError) as info:
        read_document(_scanned_pages(tmp_path, 4), tmp_path, limits=replace(limits.DEFAULT_LIMITS, max_ocr_pages=4))
    assert read == [1]
    assert "tekstherkenning gestopt na 0 minuten voor dit document" in info.value.reason


def test_a_page_tesseract_takes_too_long_on_is_skipped_and_ocr_stops_after_a_few(tmp_path, monkeypatch):
    reason = _ocr_ready()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    from index.errors import ReadError
    from index.pdf import layout, ocr

    calls = []
    real = ocr.ocr_page
    monkeypatch.setattr(ocr, "ocr_page", lambda *args: (calls.append(args[2]), real(*args))[1])
    monkeypatch.setattr(ocr, "PAGE_SECONDS", 0.05)  # real Tesseract, on a page it needs seconds for
    path = _scanned_pages(tmp_path, layout.SLOW_PAGES_STOP + 2, PARAGRAPHS[:1])
    with pytest.raises(ReadError) as info:
        read_document(path, tmp_path)
    assert calls == list(range(1, layout.SLOW_PAGES_STOP + 1))
    assert "tekstherkenning duurde langer dan 0.05 s" in info.value.reason
    assert f"tekstherkenning gestopt na {layout.SLOW_PAGES_STOP} pagina's" in info.value.reason


def _with_embedded_font():
    """An fpdf2 document with a page and DejaVu Sans embedded as "Body" (a composite font), or a named skip."""
    font = _font()
    if font is None:
        pytest.skip("geen TrueType-lettertype (DejaVu Sans) om in te bedden")
    pdf = _pdf(header=None, page_numbers=None)
    pdf.add_font("Body", "", font)
    pdf.add_page()
    return pdf


def _saved_without_character_maps(pdf, path: Path) -> Path:
    """`pdf` written to `path` with every font's ToUnicode map taken out: drawn right, read as noise."""
    import io

    import pypdf
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(bytes(pdf.output())))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            ref.get_object().pop(NameObject("/ToUnicode"), None)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _without_character_map(tmp_path, text: str) -> Path:
    """A page of `text` in an embedded font without its character map."""
    pdf = _with_embedded_font()
    pdf.set_font("Body", size=12)
    pdf.multi_cell(0, 7, text)
    return _saved_without_character_maps(pdf, tmp_path / "zonder-tekencodering.pdf")


def test_a_page_whose_font_does_not_say_its_characters_is_read_by_ocr(tmp_path):
    import pdfplumber

    reason = _ocr_ready()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    path = _without_character_map(tmp_path, PARAGRAPHS[0])
    with pdfplumber.open(path) as pdf:  # what the text layer says: glyph numbers and noise
        assert "(cid:" in pdf.pages[0].extract_text()
    doc, chunks = _chunks(path)
    assert doc.ocr_pages == (1,)
    assert "(cid:" not in doc.text
    assert _share_read(PARAGRAPHS[0], chunks) >= 0.95, doc.text


def test_without_tesseract_such_a_page_is_no_text_not_glyph_numbers(tmp_path, monkeypatch):
    from index.errors import ReadError
    from index.pdf import ocr

    path = _without_character_map(tmp_path, PARAGRAPHS[0])  # before `which` finds nothing, fc-match included
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(ReadError) as info:
        read_document(path, tmp_path)
    assert "tesseract-ocr" in info.value.reason


def test_a_line_in_a_font_without_characters_is_left_out_not_quoted_as_noise(tmp_path, caplog):
    import logging

    pdf = _with_embedded_font()
    for k, text in enumerate(PARAGRAPHS[:4]):
        _paragraph(pdf, text, size=12)
        if k == 1:
            pdf.set_font("Body", size=12)
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(0, 7, "Belangrijk: de aanvraag moet voor 1 maart binnen zijn.")
            pdf.ln(4)
    path = _saved_without_character_maps(pdf, tmp_path / "gemengd.pdf")
    with caplog.at_level(logging.WARNING, logger="index.pdf.layout"):
        doc, chunks = _chunks(path)
    assert doc.ocr_pages == ()  # a line of a page is not worth reading the page by OCR
    assert _norm(" ".join(PARAGRAPHS[:4])).split() == _norm(" ".join(c.text for c in chunks)).split()
    assert "woorden in een lettertype zonder tekencodering weggelaten" in caplog.text


def test_a_stray_unmapped_glyph_is_dropped_from_its_word():
    from index.pdf.words import clean_word

    assert clean_word("(cid:127)Werkgevers") == "Werkgevers" and clean_word("(cid:3)") == ""


def test_an_ocr_failure_is_named_in_dutch_on_one_short_line(tmp_path, monkeypatch):
    from index.errors import ReadError
    from index.pdf import ocr

    def failing(*args):
        raise RuntimeError("Tesseract failed\n" + "details " * 200)

    monkeypatch.setattr(ocr, "unavailable", lambda: None)
    monkeypatch.setattr(ocr, "ocr_page", failing)
    with pytest.raises(ReadError) as info:
        read_document(_scanned_pages(tmp_path, 1), tmp_path)
    reason = info.value.reason
    assert "tekstherkenning mislukt: onverwachte fout (RuntimeError: Tesseract failed details" in reason, reason
    assert "\n" not in reason and len(reason) < 300, reason

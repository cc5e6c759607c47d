"""Hostile files, made here: every reader stays within the reading limits, a file over one is skipped
with a Dutch reason that names the setting, and the rest of the build goes on.

Memory is measured in a subprocess (its own peak, so nothing else this test
session did counts); no test here asserts a time.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from index.build import build_index
from index.errors import ReadError
from index.readers import read_document
from index.readers.limits import DEFAULT_LIMITS
from index.settings import DEFAULT_MAX_PAGES, DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_UNPACKED_BYTES
from index.backends.local import open_index
from tests import hostile_pdfs

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
GOOD = "000_d31a0db93372aa9b.txt"
MB = 1024 * 1024

_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_PARAGRAPH = b"<w:p><w:r><w:t>Dit is een zin.</w:t></w:r></w:p>"
_TAIL = b"</w:body></w:document>"
SENTENCE = "De gemeente onderzoekt het beleid voor arbeidsmigranten en de huisvesting in de regio. "


def zip_bomb_docx(path: Path, unpacked: int, paragraph: bytes = _PARAGRAPH) -> Path:
    """A real .docx whose word/document.xml inflates to about `unpacked` bytes; the file stays small."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    block = paragraph * (MB // len(paragraph))
    with zipfile.ZipFile(template) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, source.read(item.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(_HEAD)
            for _ in range(unpacked // len(block) + 1):
                member.write(block)
            member.write(_TAIL)
    return path


def single_line_text(path: Path, chars: int) -> Path:
    """One line of ordinary Dutch sentences, `chars` characters long."""
    text = (SENTENCE * (chars // len(SENTENCE) + 1))[:chars]
    path.write_text(text, "utf-8")
    return path


def _reason(path: Path, limits=DEFAULT_LIMITS) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path, path.parent, limits=limits)
    return info.value.reason


# --- what the readers refuse, and why ----------------------------------------------


def test_a_zip_bomb_docx_is_refused_from_its_declared_sizes(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "bom.docx", 2 * MB)
    assert bomb.stat().st_size < 100_000
    reason = _reason(bomb, replace(DEFAULT_LIMITS, max_unpacked_bytes=MB))
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in reason and "meer dan 1 MB" in reason, reason
    # Under a higher limit the same file is an ordinary Word document.
    assert "Dit is een zin." in read_document(bomb, tmp_path).text


def test_the_probe_s_bomb_is_refused_under_the_default_limit(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "bom.docx", 200 * MB)
    assert 200 * MB > DEFAULT_MAX_UNPACKED_BYTES
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in _reason(bomb)


def test_a_dense_word_document_is_refused_before_it_is_parsed(tmp_path):
    # 16 MB of empty paragraphs: within the size limits, but python-docx would hold 2.8 million elements.
    dense = zip_bomb_docx(tmp_path / "dicht.docx", 16 * MB, b"<w:p/>")
    reason = _reason(dense)
    assert reason == "te veel opmaakelementen: meer dan 2.500.000 (VRAAGBAAK_MAX_ELEMENTS)", reason
    reason = _reason(zip_bomb_docx(tmp_path / "klein.docx", 100_000), replace(DEFAULT_LIMITS, max_elements=1000))
    assert "meer dan 1.000 (VRAAGBAAK_MAX_ELEMENTS)" in reason


def test_html_elements_count_eight_times(tmp_path):
    page = tmp_path / "pagina.html"
    page.write_text("<html><body>" + "<p>x</p>" * 2000 + "</body></html>", "utf-8")
    reason = _reason(page, replace(DEFAULT_LIMITS, max_elements=8 * 1000))
    assert reason == "te veel opmaakelementen: meer dan 1.000 (VRAAGBAAK_MAX_ELEMENTS / 8 voor HTML)"
    assert read_document(page, tmp_path, limits=replace(DEFAULT_LIMITS, max_elements=8 * 2100)).text


def test_deeply_nested_html_is_skipped_at_once_and_hidden_parts_still_go(tmp_path):
    """20,000 nested <b> (60 KB) took 155 s and then ended in an English RecursionError."""
    import time

    deep = tmp_path / "diep.html"
    deep.write_text("<html><body><p>" + "<b>" * 20_000 + "Vet.</p></body></html>", "utf-8")
    started = time.perf_counter()
    with pytest.raises(ReadError) as caught:
        read_document(deep, tmp_path)
    assert time.perf_counter() - started < 5 and "te diep genest" in caught.value.reason
    page = tmp_path / "pagina.html"
    page.write_text('<html><head><title>Titel</title><script>weg()</script></head><body><nav>Menu</nav>'
                    '<div hidden><p>Verborgen</p></div><p style="display: none">Ook verborgen</p>'
                    '<div><div><p>Blijft staan.</p></div></div></body></html>', "utf-8")
    assert read_document(page, tmp_path).text == "Blijft staan."


def test_only_a_real_old_word_file_is_called_one(tmp_path):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    def directory(*names: str) -> bytes:
        return b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64) for name in names)

    old_word = tmp_path / "oud.docx"
    old_word.write_bytes(header + directory("Root Entry", "1Table", "WordDocument"))
    assert "oud Word-formaat (.doc)" in _reason(old_word)

    workbook = tmp_path / "rekenblad.docx"
    workbook.write_bytes(header + directory("Root Entry", "Workbook"))
    reason = _reason(workbook)
    assert "oud Word-formaat" not in reason and "geen Word-document" in reason, reason


def test_a_text_over_the_limit_is_refused_before_it_is_read_further(tmp_path):
    path = single_line_text(tmp_path / "regel.txt", 50_000)
    reason = _reason(path, replace(DEFAULT_LIMITS, max_text_chars=10_000))
    assert reason == "te veel tekst: 50.000 tekens, meer dan 10.000 tekens (VRAAGBAAK_MAX_TEXT_CHARS)"


def test_a_word_document_stops_as_soon_as_its_text_is_over_the_limit(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "lang.docx", 2 * MB)
    reason = _reason(bomb, replace(DEFAULT_LIMITS, max_text_chars=1000))
    assert "te veel tekst" in reason and "VRAAGBAAK_MAX_TEXT_CHARS" in reason, reason


def test_html_and_pdf_text_count_against_the_limit(tmp_path):
    from fpdf import FPDF

    html = tmp_path / "pagina.html"
    html.write_text("<html><body>" + f"<p>{SENTENCE}</p>" * 200 + "</body></html>", "utf-8")
    assert "VRAAGBAAK_MAX_TEXT_CHARS" in _reason(html, replace(DEFAULT_LIMITS, max_text_chars=5000))

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for _ in range(3):
        pdf.add_page()
        pdf.multi_cell(0, 5, SENTENCE * 30)
    path = tmp_path / "rapport.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert "VRAAGBAAK_MAX_TEXT_CHARS" in _reason(path, replace(DEFAULT_LIMITS, max_text_chars=2000))
    assert read_document(path, tmp_path).text


# --- PDF: judged whole before a page is read, each page counted as it is laid out ---------


def test_a_pdf_whose_content_inflates_to_hundreds_of_mb_is_refused_unread(tmp_path):
    bomb = hostile_pdfs.content_bomb(tmp_path / "inhoud.pdf", 300 * MB)
    assert bomb.stat().st_size < 400_000
    assert _reason(bomb) == "pakt uit tot meer dan 64 MB (VRAAGBAAK_MAX_UNPACKED_BYTES)"
    small = hostile_pdfs.content_bomb(tmp_path / "klein.pdf", MB)
    assert "meer dan 0,5 MB (VRAAGBAAK_MAX_UNPACKED_BYTES)" in _reason(
        small, replace(DEFAULT_LIMITS, max_unpacked_bytes=MB // 2))


def test_a_page_may_unpack_a_thirty_second_of_the_limit(tmp_path):
    # 3 MB of content is within the file's 64 MB, but more than one page may draw.
    page = hostile_pdfs.content_bomb(tmp_path / "pagina.pdf", 3 * MB)
    assert _reason(page) == ("pagina 1 tekent meer dan 2 MB aan uitgepakte inhoud "
                             "(VRAAGBAAK_MAX_UNPACKED_BYTES / 32 per pagina)")
    # The same content drawn on every page counts each time: the pages together are over the limit.
    pages = hostile_pdfs.many_pages(tmp_path / "herhaald.pdf", 60)
    limits = replace(DEFAULT_LIMITS, max_unpacked_bytes=32 * 100)
    assert _reason(pages, limits) == ("de pagina's tekenen samen meer dan 0,003052 MB aan uitgepakte inhoud "
                                      "(VRAAGBAAK_MAX_UNPACKED_BYTES)")
    # Sixty pages of their own each are within the default limits.
    distinct = hostile_pdfs.many_pages(tmp_path / "verschillend.pdf", 60, distinct=True)
    assert len(read_document(distinct, tmp_path).page_starts) == 60


def test_an_image_that_inflates_enormously_is_refused_unread(tmp_path):
    bomb = hostile_pdfs.image_bomb(tmp_path / "beeld.pdf", 300 * MB)
    assert _reason(bomb) == "een afbeelding pakt uit tot meer dan 64 MB (VRAAGBAAK_MAX_UNPACKED_BYTES)"
    # Images count apart from the rest: a scan may hold many, each up to the limit.
    image = hostile_pdfs.image_bomb(tmp_path / "foto.pdf", 2 * MB)
    limits = replace(DEFAULT_LIMITS, max_unpacked_bytes=3 * MB)
    assert "gewone zin" in read_document(image, tmp_path, limits=limits).text


def test_a_pdf_whose_references_form_a_ring_is_skipped_not_read_forever(tmp_path):
    """Objects "5 -> 6 -> 7 -> 6" (631 bytes) kept pdfminer, and the whole build, resolving forever."""
    import time

    rings = {
        "kring.pdf": hostile_pdfs.one_page(tmp_path / "kring.pdf", b"6 0 R", extra=[b"7 0 R", b"6 0 R"]),
        "zelf.pdf": hostile_pdfs.one_page(tmp_path / "zelf.pdf", b"5 0 R"),
    }
    for name, path in rings.items():
        started = time.perf_counter()
        with pytest.raises(ReadError) as caught:
            read_document(path, tmp_path)
        assert time.perf_counter() - started < 10, name
        assert "geen tekst" in caught.value.reason, (name, caught.value.reason)
    # The guard leaves ordinary references alone.
    ordinary = read_document(hostile_pdfs.ordinary(tmp_path / "gewoon.pdf"), tmp_path)
    assert ordinary.text == "Dit is een gewone zin op een gewone pagina."


def test_a_page_tree_that_refers_to_itself_is_damage_not_size(tmp_path):
    """A broken "<<" before /Type /Pages: pypdf then reports a "loop with self reference", which is no
    stream too large to unpack; the page is read as pdfminer can."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Gewone tekst over de bijstand.")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert b"<<\n/Type /Pages" in data
    path = tmp_path / "kring.pdf"
    path.write_bytes(data.replace(b"<<\n/Type /Pages", b"<\x8e\n/Type /Pages", 1))  # same length: xref holds
    try:
        assert "Gewone tekst" in read_document(path, tmp_path).text
    except ReadError as exc:
        assert "VRAAGBAAK_MAX_UNPACKED_BYTES" not in exc.reason, exc.reason


def test_a_pdf_with_too_many_pages_is_refused_before_its_pages_are_read(tmp_path):
    path = hostile_pdfs.many_pages(tmp_path / "paginas.pdf", DEFAULT_MAX_PAGES + 1)
    assert _reason(path) == "te veel pagina's: meer dan 5.000 (VRAAGBAAK_MAX_PAGES)"
    path = hostile_pdfs.many_pages(tmp_path / "elf.pdf", 11, distinct=True)
    assert _reason(path, replace(DEFAULT_LIMITS, max_pages=10)) == "te veel pagina's: meer dan 10 (VRAAGBAAK_MAX_PAGES)"
    assert read_document(path, tmp_path, limits=replace(DEFAULT_LIMITS, max_pages=11)).page_starts[10] > 0


def test_a_page_that_draws_too_much_is_refused_as_it_is_laid_out(tmp_path):
    glyphs = hostile_pdfs.dense_glyphs(tmp_path / "tekens.pdf", 100_000)
    assert glyphs.stat().st_size < 2000
    assert _reason(glyphs) == ("te veel opmaakelementen op pagina 1: meer dan 78.125 "
                               "(VRAAGBAAK_MAX_ELEMENTS / 32 per PDF-pagina)")
    # Forms that draw forms: 10 ** 8 glyphs from a few hundred bytes; stopped at the page's share.
    forms = hostile_pdfs.nested_forms(tmp_path / "formulieren.pdf")
    limits = replace(DEFAULT_LIMITS, max_elements=32 * 1000)
    assert _reason(forms, limits) == ("te veel opmaakelementen op pagina 1: meer dan 1.000 "
                                      "(VRAAGBAAK_MAX_ELEMENTS / 32 per PDF-pagina)")


def test_the_elements_of_all_pages_count_together(tmp_path):
    pages = hostile_pdfs.many_pages(tmp_path / "paginas.pdf", 200, distinct=True)  # 53 to 81 glyphs a page
    limits = replace(DEFAULT_LIMITS, max_elements=32 * 90)
    assert _reason(pages, limits) == ("te veel opmaakelementen: meer dan 11.520 "
                                      "(VRAAGBAAK_MAX_ELEMENTS × 4 voor een PDF)")
    assert read_document(pages, tmp_path, limits=replace(limits, max_elements=32 * 180)).text


def test_a_scanned_page_too_large_to_render_is_skipped_by_name(tmp_path, monkeypatch):
    from index.pdf import ocr

    rendered = []
    monkeypatch.setattr(ocr, "unavailable", lambda: None)  # judged before Tesseract would be asked
    monkeypatch.setattr(ocr, "ocr_page", lambda *args: rendered.append(args))
    giant = hostile_pdfs.giant_scan(tmp_path / "reus.pdf")
    reason = _reason(giant)
    assert reason == ("PDF bevat geen tekst (gescand?): pagina is te groot voor tekstherkenning: "
                      "833.334 × 833.334 beeldpunten (1986824,7 MB, meer dan 64 MB; VRAAGBAAK_MAX_UNPACKED_BYTES)")
    # An A4 scan renders to 2480 × 3508 pixels: 26 MB, within the default limit, over a limit of 16 MB.
    a4 = hostile_pdfs.giant_scan(tmp_path / "a4.pdf", 595)
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in _reason(a4, replace(DEFAULT_LIMITS, max_unpacked_bytes=16 * MB))
    assert not rendered
    _reason(a4)  # no words come from the stand-in OCR: no text, but the page was rendered
    assert len(rendered) == 1


# --- the build: skipped by name, the rest goes on ------------------------------------


def test_the_build_skips_files_over_a_limit_and_indexes_the_rest(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GOOD).write_bytes((SEEDS / GOOD).read_bytes())
    zip_bomb_docx(corpus / "bom.docx", 200 * MB)
    single_line_text(corpus / "een-regel.txt", DEFAULT_MAX_TEXT_CHARS + 1)
    hostile_pdfs.content_bomb(corpus / "inhoud.pdf", 300 * MB)
    hostile_pdfs.many_pages(corpus / "paginas.pdf", DEFAULT_MAX_PAGES + 1)
    hostile_pdfs.dense_glyphs(corpus / "tekens.pdf", 100_000)
    hostile_pdfs.ordinary(corpus / "gewoon.pdf")

    report = build_index(corpus, tmp_path / "idx", embedder)
    skipped = dict(report.skipped)
    assert set(skipped) == {"bom.docx", "een-regel.txt", "inhoud.pdf", "paginas.pdf", "tekens.pdf"}
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in skipped["bom.docx"]
    assert "VRAAGBAAK_MAX_TEXT_CHARS" in skipped["een-regel.txt"]
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in skipped["inhoud.pdf"]
    assert "VRAAGBAAK_MAX_PAGES" in skipped["paginas.pdf"]
    assert "VRAAGBAAK_MAX_ELEMENTS" in skipped["tekens.pdf"]
    assert report.documents == 2 and report.embedded_files == [GOOD, "gewoon.pdf"]


def test_a_document_with_too_many_passages_is_skipped(small_corpus, tmp_path, embedder):
    first = build_index(small_corpus, tmp_path / "idx", embedder)
    passages = {name: open_index(tmp_path / "idx").manifest["files"][name]["chunks"]
                for name in first.embedded_files}
    fewest, most = sorted(passages, key=passages.get)
    assert passages[fewest] < passages[most]

    report = build_index(small_corpus, tmp_path / "idx2", embedder,
                         limits=replace(DEFAULT_LIMITS, max_passages=passages[fewest]))
    assert report.skipped == [(most, f"te veel passages: {passages[most]}, meer dan {passages[fewest]} "
                                     f"(VRAAGBAAK_MAX_PASSAGES)")]
    assert report.embedded_files == [fewest]


# --- memory, measured in a subprocess ----------------------------------------------

_MEASURE = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from index.chunker import chunk_document
    from index.errors import ReadError
    from index.readers import read_document
    from index.pdf import ocr

    path = Path(sys.argv[1])
    if "--ocr" in sys.argv:  # as if Tesseract were installed: the page is judged before it is rendered
        ocr.unavailable = lambda: None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        document = read_document(path, path.parent)
        outcome = f"{len(chunk_document(document))} passages"
    except ReadError as exc:
        outcome = exc.reason
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "grew_mb": (after - before) / 1024}))
""")


def _measured(path: Path, *options: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path), *options], cwd=REPO, capture_output=True,
                          text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_reading_the_bomb_costs_next_to_no_memory(tmp_path):
    result = _measured(zip_bomb_docx(tmp_path / "bom.docx", 200 * MB))
    assert "VRAAGBAAK_MAX_UNPACKED_BYTES" in result["outcome"]
    assert result["grew_mb"] < 50, result  # the probe saw 5.4 GB


def test_refusing_a_dense_document_costs_next_to_no_memory(tmp_path):
    result = _measured(zip_bomb_docx(tmp_path / "dicht.docx", 16 * MB, b"<w:p/>"))
    assert "VRAAGBAAK_MAX_ELEMENTS" in result["outcome"]
    assert result["grew_mb"] < 50, result  # parsed, it takes about 580 MB


def test_a_long_single_line_within_the_limit_is_read_and_chunked_in_bounded_memory(tmp_path):
    chars = DEFAULT_MAX_TEXT_CHARS
    result = _measured(single_line_text(tmp_path / "een-regel.txt", chars))
    assert result["outcome"].endswith(" passages"), result
    assert result["grew_mb"] < 1024, result  # the probe saw 2.5 GB for twice as much text


def test_millions_of_one_letter_lines_are_refused_before_the_paragraph_stages(tmp_path):
    path = tmp_path / "regels.txt"
    path.write_text("x\n" * (DEFAULT_MAX_TEXT_CHARS // 2 - 1), encoding="utf-8")  # within the character limit
    result = _measured(path)
    assert result["outcome"].startswith("te veel regels: 2.499.999, meer dan 500.000 (VRAAGBAAK_MAX_TEXT_CHARS"), result
    assert result["grew_mb"] < 200, result  # the paragraph stages took 1.6 GB for them


def test_blank_lines_do_not_count_against_the_line_limit(tmp_path):
    path = tmp_path / "ruim.txt"
    path.write_text("Regel.\n\n\n" * 200_000, encoding="utf-8")  # 600,000 line ends, 200,000 lines of text
    assert read_document(path, tmp_path).text.startswith("Regel.")


@pytest.mark.parametrize("name, make, limit", [
    ("inhoud.pdf", lambda path: hostile_pdfs.content_bomb(path, 500 * MB), "VRAAGBAAK_MAX_UNPACKED_BYTES"),
    ("beeld.pdf", lambda path: hostile_pdfs.image_bomb(path, 500 * MB), "VRAAGBAAK_MAX_UNPACKED_BYTES"),
    ("paginas.pdf", lambda path: hostile_pdfs.many_pages(path, 50_000), "VRAAGBAAK_MAX_PAGES"),
])
def test_refusing_a_pdf_bomb_costs_next_to_no_memory(tmp_path, name, make, limit):
    result = _measured(make(tmp_path / name))
    assert limit in result["outcome"], result
    assert result["grew_mb"] < 100, result  # read, the content bomb alone would take 500 MB in one piece


def test_a_page_that_draws_a_million_glyphs_is_stopped_in_bounded_memory(tmp_path):
    result = _measured(hostile_pdfs.dense_glyphs(tmp_path / "tekens.pdf", 1_000_000))
    assert "VRAAGBAAK_MAX_ELEMENTS" in result["outcome"], result
    assert result["grew_mb"] < 300, result  # laid out, a million glyphs take some 2.4 GB


def test_a_giant_page_is_not_rendered_for_ocr(tmp_path):
    result = _measured(hostile_pdfs.giant_scan(tmp_path / "reus.pdf"), "--ocr")
    assert "te groot voor tekstherkenning" in result["outcome"], result
    assert result["grew_mb"] < 200, result  # rendered at 300 dpi, the page would take 2 TB

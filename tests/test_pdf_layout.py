"""Layout-aware PDF reading against PDFs built here, with known text.

Every PDF is written by fpdf2 (or printed by Chromium, or rendered to an
image and wrapped again for OCR), so what each paragraph says, and what the
page furniture says, is known. The checks: the known paragraphs come out
whole, and no chunk holds header, footer or page-number text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from index.chunker import chunk_document
from index.paragraphs import reconstruct
from index.readers import read_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

HEADER = "Gemeente Utrecht - Jaarverslag sociaal domein"
PARAGRAPHS = [
    "De gemeente Utrecht heeft in 2025 ruim vierhonderd inwoners geholpen bij het vinden van "
    "betaald werk. Dat is meer dan in enig eerder jaar sinds de invoering van de Participatiewet.",
    "Werkgevers in de regio melden dat de samenwerking met het werkgeversservicepunt goed verloopt. "
    "Zij vragen wel om snellere afspraken over loonkostensubsidie en begeleiding op de werkvloer.",
    "Het aantal huishoudens met problematische schulden daalde licht. De schuldhulpverlening "
    "bereikt nu ook zzp'ers en jongeren, twee groepen die eerder buiten beeld bleven.",
    "Voor 2026 zet de gemeente in op preventie: vroegsignalering van betalingsachterstanden bij "
    "woningcorporaties, energieleveranciers en zorgverzekeraars wordt in de hele stad ingevoerd.",
    "In de wijken Overvecht en Kanaleneiland opent de gemeente twee nieuwe buurtteams, zodat "
    "inwoners dichter bij huis terechtkunnen met vragen over werk, inkomen en zorg.",
]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _font(style: str = "") -> str | None:
    """A TrueType file for fpdf2 (DejaVu Sans), found by fontconfig."""
    if shutil.which("fc-match") is None:
        return None
    pattern = "DejaVuSans" + (":bold" if style == "B" else "")
    out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if path.endswith(".ttf") and Path(path).is_file() else None


def _chunks(path: Path):
    doc = read_document(path, path.parent)
    return doc, chunk_document(doc)


def _assert_whole(chunks, paragraphs):
    texts = [_norm(c.text) for c in chunks]
    for paragraph in paragraphs:
        assert any(_norm(paragraph) in t for t in texts), f"niet heel gevonden: {paragraph[:60]}"


def _assert_no_furniture(chunks, *needles):
    for chunk in chunks:
        for needle in needles:
            assert needle.lower() not in chunk.text.lower(), f"{needle!r} in chunk: {chunk.text[:120]}"


def _pdf(header: str | None = HEADER, page_numbers: str | None = "Pagina {n} van {nb}"):
    from fpdf import FPDF

    class Paged(FPDF):
        def header(self):
            if header:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 6, header, align="C")
                self.ln(14)

        def footer(self):
            if page_numbers:
                self.set_y(-15)
                self.set_font("Helvetica", "", 8)
                text = page_numbers.replace("{n}", str(self.page_no())).replace("{nb}", "{nb}")
                self.cell(0, 6, text, align="C")

    pdf = Paged(format="A4")
    pdf.set_auto_page_break(True, margin=25)
    pdf.alias_nb_pages()
    pdf.set_font("Helvetica", size=11)
    return pdf


def _paragraph(pdf, text: str, size: float = 11) -> None:
    pdf.set_font("Helvetica", size=size)
    pdf.multi_cell(0, 5.5, text)
    pdf.ln(4)


def _body_with_markers(pdf, *parts: str) -> None:
    """Body text at 11 pt; every second part is a superscript footnote marker ("tekst", "1", "tekst", ...)."""
    pdf.set_font("Helvetica", size=11)
    for n, part in enumerate(parts):
        pdf.char_vpos = "SUP" if n % 2 else "LINE"
        pdf.write(5.5, part)
    pdf.char_vpos = "LINE"


def _save(pdf, path: Path) -> Path:
    path.write_bytes(bytes(pdf.output()))
    return path


# --- running header, page numbers, a paragraph over a page break -------------


def test_running_header_and_page_numbers_are_removed(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    for _ in range(6):
        for text in PARAGRAPHS:
            _paragraph(pdf, text)
    path = _save(pdf, tmp_path / "jaarverslag.pdf")
    doc, chunks = _chunks(path)
    assert len(doc.page_starts) >= 2
    _assert_whole(chunks, PARAGRAPHS)
    _assert_no_furniture(chunks, "Jaarverslag sociaal domein", "Pagina")
    assert not re.search(r"\b\d+ van \d+\b", doc.text)
    furniture = dict(doc.furniture)  # kept as page metadata
    assert set(furniture) == set(range(1, len(doc.page_starts) + 1))
    assert HEADER in furniture[2] and "Pagina 2 van " + str(len(doc.page_starts)) in furniture[2]


def test_paragraph_over_a_page_break_is_one_chunk_citing_both_pages(tmp_path):
    pdf = _pdf()
    pdf.add_page()
    filler = PARAGRAPHS * 2
    for text in filler:
        _paragraph(pdf, text)
    # fill the page until only a few lines are left, then the long paragraph
    while pdf.get_y() < 225:
        _paragraph(pdf, PARAGRAPHS[0])
    long = " ".join(
        f"Zin {k} van de lange alinea beschrijft hoe de gemeente de regeling voor bijzondere "
        "bijstand eenvoudiger maakt voor wie al een uitkering ontvangt." for k in range(1, 9)
    )
    _paragraph(pdf, long)
    _paragraph(pdf, PARAGRAPHS[1])
    path = _save(pdf, tmp_path / "overloop.pdf")
    doc, chunks = _chunks(path)
    holder = [c for c in chunks if "Zin 1 van de lange alinea" in c.text]
    assert len(holder) == 1
    chunk = holder[0]
    assert _norm(long) in _norm(chunk.text)
    assert chunk.page != doc.page_at(chunk.end - 1), "de alinea loopt over twee pagina's"
    if hasattr(chunk, "page_end"):
        assert chunk.page_end == chunk.page + 1
    _assert_no_furniture(chunks, "Jaarverslag sociaal domein", "Pagina")


# --- a letter with a side column ---------------------------------------------


def test_letter_side_column_is_read_apart_and_its_repeated_block_removed(tmp_path):
    from fpdf import FPDF

    body = [
        "Geachte voorzitter, hierbij stuur ik u de voortgangsrapportage over de aanpak van "
        "dakloosheid, zoals toegezegd tijdens het commissiedebat van oktober. Ik ga daarbij in op de "
        "afspraken per regio, op de rol van de provincies en op wat er nog nodig is.",
    ] + [
        f"Regio {k}: in het afgelopen halfjaar zijn er afspraken gemaakt over extra woonplekken "
        "voor dak- en thuisloze mensen. Gemeenten en corporaties werken daarbij samen, en de "
        "provincie ondersteunt met geld en kennis."
        for k in range(1, 13)
    ]
    side = ["Datum", "12 maart 2026", "Kenmerk", "2026-0012345", "Onze referentie", "VWS-88231"]

    class Letter(FPDF):
        def header(self):
            self.set_font("Helvetica", "B", 9)
            self.set_xy(150, 15)
            self.cell(40, 4, "Ministerie van VWS")
            self.set_font("Helvetica", size=7.5)
            y = 40
            for line in side + [f"Pagina {self.page_no()} van {{nb}}"]:
                self.set_xy(150, y)
                self.cell(45, 4, line)
                y += 4.5
            self.set_xy(20, 40)

    pdf = Letter(format="A4")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=35)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for text in body:
        pdf.set_x(20)
        pdf.multi_cell(115, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    path = _save(pdf, tmp_path / "kamerbrief.pdf")
    doc, chunks = _chunks(path)
    assert len(doc.page_starts) == 2
    _assert_whole(chunks, body)
    _assert_no_furniture(chunks, "Ministerie van VWS", "Kenmerk", "2026-0012345", "Onze referentie",
                         "VWS-88231", "Pagina")
    assert any(c.page == 1 and doc.page_at(c.end - 1) == 2 for c in chunks), "een alinea loopt door"


# --- headings ----------------------------------------------------------------


def test_heading_hierarchy_becomes_heading_context(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, "Jaarverslag werk en inkomen")
    pdf.ln(3)
    sections = [
        ("1 Inleiding", None, PARAGRAPHS[0]),
        ("2 Resultaten", "2.1 Werk", PARAGRAPHS[1]),
        (None, "2.2 Schulden", PARAGRAPHS[2]),
    ]
    for chapter, section, text in sections:
        if chapter:
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(0, 7, chapter)
            pdf.ln(2)
        if section:
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, section)
            pdf.ln(1)
        _paragraph(pdf, text)
    path = _save(pdf, tmp_path / "koppen.pdf")
    doc, chunks = _chunks(path)
    _assert_whole(chunks, PARAGRAPHS[:3])
    by_text = {c.text.split(".")[0]: c for c in chunks}
    werk = next(c for c in chunks if "werkgeversservicepunt" in c.text)
    schulden = next(c for c in chunks if "problematische schulden" in c.text)
    inleiding = next(c for c in chunks if "vierhonderd inwoners" in c.text)
    assert inleiding.heading.endswith("1 Inleiding")
    assert "2 Resultaten" in werk.heading and werk.heading.endswith("2.1 Werk")
    assert "2 Resultaten" in schulden.heading and schulden.heading.endswith("2.2 Schulden")
    assert "2.1 Werk" not in schulden.heading
    for chunk in by_text.values():
        assert "Resultaten" not in chunk.text and "Inleiding" not in chunk.text
    assert doc.title == "Jaarverslag werk en inkomen"


# --- footnotes ---------------------------------------------------------------


def test_footnotes_are_their_own_units_never_inside_body_text(tmp_path):
    pdf = _pdf(header=None, page_numbers="{n}")
    pdf.add_page()
    _body_with_markers(pdf, "Het aantal dakloze mensen in Nederland is volgens het CBS gedaald", "1",
                       ", maar de verschillen tussen gemeenten zijn groot. Vooral in de grote steden "
                       "blijft de druk op de maatschappelijke opvang hoog, meldt de Vereniging Valente", "2",
                       ".")
    pdf.ln(10)
    _paragraph(pdf, PARAGRAPHS[3])
    notes = [
        "1 Centraal Bureau voor de Statistiek, Dakloosheid in Nederland 2024, tabel 3 en bijlage B.",
        "2 Vereniging Valente, Monitor maatschappelijke opvang, januari 2026, pagina 14.",
    ]
    pdf.set_y(240)
    pdf.set_font("Helvetica", size=7.5)
    for note in notes:
        pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
    path = _save(pdf, tmp_path / "voetnoten.pdf")
    doc, chunks = _chunks(path)
    body = next(c for c in chunks if "dakloze mensen" in c.text)
    assert "Centraal Bureau" not in body.text and "Monitor" not in body.text
    assert "gedaald, maar de verschillen" in body.text
    assert "Valente." in body.text
    for note in notes:
        holder = [c for c in chunks if _norm(note[2:]) in _norm(c.text)]
        assert holder, f"voetnoot niet gevonden: {note}"
        assert "dakloze mensen" not in holder[0].text
        if hasattr(holder[0], "kind"):
            assert holder[0].kind in ("footnote", "reference")
    _assert_whole(chunks, PARAGRAPHS[3:4])


# --- hyphenation -------------------------------------------------------------


def test_hyphenated_line_end_joined_real_hyphen_kept(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    lines = [
        "In de regio werken veertien ge-",
        "meenten samen aan de sociaal-",
        "economische agenda voor de komende vier jaar, met steun van de provincie.",
    ]
    for line in lines:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    path = _save(pdf, tmp_path / "afbreking.pdf")
    doc, chunks = _chunks(path)
    text = _norm(" ".join(c.text for c in chunks))
    assert "veertien gemeenten samen aan de sociaal-economische agenda" in text


# --- two columns -------------------------------------------------------------


def test_two_column_page_is_read_column_by_column(tmp_path):
    from fpdf import FPDF

    left = PARAGRAPHS[:3]
    right = PARAGRAPHS[3:] + [
        "Tot slot bedankt het college alle vrijwilligers die zich het afgelopen jaar hebben "
        "ingezet voor hun buurtgenoten, van taalcoach tot maatje."
    ]
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "Nieuwsbrief sociaal domein, voorjaar 2026")
    pdf.ln(4)
    top = pdf.get_y()
    for x, texts, space in ((15, left, 5), (112, right, 9)):
        pdf.set_xy(x, top)
        for text in texts:
            pdf.set_font("Helvetica", size=10)
            pdf.set_x(x)
            pdf.multi_cell(83, 5, text)
            pdf.ln(space)
    path = _save(pdf, tmp_path / "kolommen.pdf")
    doc, chunks = _chunks(path)
    _assert_whole(chunks, left + right)
    order = [doc.text.index(_norm(t)[:40]) for t in left + right]
    assert order == sorted(order)


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


# --- printed by Chromium -----------------------------------------------------

QA_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Werken bij het Rijk | Rijksoverheid.nl</title></head><body>
<h1>Waar vind ik vacatures?</h1>
<p>Zoek je een stage? Kijk dan op de website van Werken voor Nederland. Daar staan alle
vacatures van de ministeries en van de uitvoeringsorganisaties van de overheid.</p>
<h2>Traineeships</h2>
<p>Er zijn verschillende traineeships voor hoogopgeleide starters. Een traineeship duurt
meestal twee jaar en combineert werk op verschillende plekken met een eigen opleiding.</p>
{more}
</body></html>"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _print_html(html: str, tmp_path: Path) -> Path:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium ontbreekt: installeer het Debian-pakket chromium")
    page = tmp_path / "pagina.html"
    page.write_text(html, encoding="utf-8")
    out = tmp_path / "pagina.pdf"
    subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profiel'}",
            f"--print-to-pdf={out}", page.as_uri(),
        ],
        capture_output=True, timeout=120, check=False,
    )
    if not out.is_file():
        pytest.skip("Chromium kon de pagina niet als PDF afdrukken")
    return out


def test_chromium_print_header_and_footer_are_removed(tmp_path):
    more = [
        f"Alinea {k}: de arbeidsvoorwaarden van het Rijk staan in de cao Rijk en gelden voor alle "
        f"medewerkers van de ministeries en hun diensten, ook voor wie in deeltijd werkt."
        for k in range(1, 31)
    ]
    html = QA_PAGE.replace("{more}", "\n".join(f"<p>{p}</p>" for p in more))
    path = _print_html(html, tmp_path)
    doc, chunks = _chunks(path)
    assert len(doc.page_starts) >= 2
    expected = [
        "Zoek je een stage? Kijk dan op de website van Werken voor Nederland. Daar staan alle "
        "vacatures van de ministeries en van de uitvoeringsorganisaties van de overheid.",
    ] + more
    _assert_whole(chunks, expected)
    _assert_no_furniture(chunks, "Rijksoverheid.nl", "file:", "pagina.html")
    for chunk in chunks:
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d+/\d+$|\d:\d\d\s*[AP]M", chunk.text)
    traineeships = next(c for c in chunks if "hoogopgeleide starters" in c.text)
    assert traineeships.heading.endswith("Traineeships")


# --- OCR ---------------------------------------------------------------------


def _ocr_ready() -> str | None:
    from index.pdf import ocr

    return ocr.unavailable()


def test_scanned_page_is_read_by_ocr(tmp_path):
    reason = _ocr_ready()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    import pypdfium2
    from fpdf import FPDF

    pdf = _pdf(header=None, page_numbers=None)
    pdf.add_page()
    for text in PARAGRAPHS[:3]:
        _paragraph(pdf, text, size=12)
    text_pdf = _save(pdf, tmp_path / "origineel.pdf")
    image = pypdfium2.PdfDocument(str(text_pdf))[0].render(scale=200 / 72).to_pil()
    image_path = tmp_path / "scan.png"
    image.convert("L").save(image_path)
    scan = FPDF(format="A4")
    scan.add_page()
    scan.image(str(image_path), x=0, y=0, w=210, h=297)
    path = _save(scan, tmp_path / "scan.pdf")
    doc, chunks = _chunks(path)
    expected = _norm(" ".join(PARAGRAPHS[:3])).split()
    got = _norm(" ".join(c.text for c in chunks)).split()
    import difflib

    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    right = sum(block.size for block in matcher.get_matching_blocks())
    assert right / len(expected) >= 0.95, f"{right} van {len(expected)} woorden goed"
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


# --- the seeds, laid out as PDF ----------------------------------------------


def _seed_pdf(paragraphs, path: Path, regular: str, bold: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("Body", "", regular)
    pdf.add_font("Body", "B", bold)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for p in paragraphs:
        if p.kind == "heading":
            pdf.set_font("Body", "B", 13)
            pdf.multi_cell(0, 6.5, p.text)
            pdf.ln(2)
        elif p.kind == "bullet":
            pdf.set_font("Body", "", 10)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5, "• " + p.text)
            pdf.ln(1.5)
        else:
            pdf.set_font("Body", "", 10)
            pdf.multi_cell(0, 5, p.text)
            pdf.ln(3.5)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_seeds_as_pdf_give_the_same_paragraphs(tmp_path):
    regular, bold = _font(), _font("B")
    if not regular or not bold:
        pytest.skip("geen TrueType-letter (DejaVu Sans) gevonden via fc-match")
    total = same = 0
    for seed in sorted(SEEDS.glob("*.txt")):
        txt = read_document(seed, SEEDS)
        paragraphs = [p for p in reconstruct(txt.text) if p.text.strip()]
        path = _seed_pdf(paragraphs, tmp_path / (seed.stem + ".pdf"), regular, bold)
        pdf_doc = read_document(path, tmp_path)
        got = {_norm(p.text) for p in reconstruct(pdf_doc.text)}
        for p in paragraphs:
            if p.kind == "heading":
                continue
            total += 1
            same += _norm(p.text) in got
    assert total > 50
    assert same / total >= 0.90, f"{same} van {total} alinea's gelijk"


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


def test_layout_failure_falls_back_to_plain_text(tmp_path, monkeypatch, caplog):
    import index.pdf.layout as layout

    def broken(data, doc_id):
        raise ValueError("kapotte opmaak")

    monkeypatch.setattr(layout, "read_layout", broken)
    pdf = _pdf(header=None, page_numbers=None)
    pdf.add_page()
    _paragraph(pdf, PARAGRAPHS[1])
    path = _save(pdf, tmp_path / "terugval.pdf")
    doc, chunks = _chunks(path)
    assert _norm(PARAGRAPHS[1]) in _norm(doc.text)
    assert "platte tekst" in caplog.text


@pytest.mark.parametrize("seed", range(12))
def test_random_layouts_never_crash(tmp_path, seed):
    """Random mixes of sizes, bold, columns, bullets, tables and page breaks:
    reading gives a Document (every chunk with a page) or a Dutch ReadError."""
    import random

    from fpdf import FPDF

    rnd = random.Random(seed)
    pdf = _pdf(header=rnd.choice([None, HEADER]), page_numbers=rnd.choice([None, "{n}", "Pagina {n} van {nb}"]))
    pdf.add_page()
    for _ in range(rnd.randint(3, 25)):
        kind = rnd.choice(["p", "p", "h", "b", "col", "table", "small", "break"])
        text = rnd.choice(PARAGRAPHS)
        if kind == "h":
            pdf.set_font("Helvetica", "B", rnd.choice([11, 13, 16]))
            pdf.multi_cell(0, 7, text.split(",")[0][:50], new_x="LMARGIN", new_y="NEXT")
        elif kind == "b":
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, "- " + text[:90], new_x="LMARGIN", new_y="NEXT")
        elif kind == "col" and pdf.get_y() < 200:
            top = pdf.get_y()
            pdf.set_font("Helvetica", size=9)
            for x in (15, 110):
                pdf.set_xy(x, top)
                pdf.multi_cell(85, 4.5, rnd.choice(PARAGRAPHS), new_x="LMARGIN", new_y="NEXT")
        elif kind == "table" and pdf.get_y() < 220:
            with pdf.table(col_widths=(30, 30), width=60, align="LEFT") as table:
                for row in (("Jaar", "Aantal"), ("2024", str(rnd.randint(1, 999))), ("2025", "12")):
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
        elif kind == "small":
            pdf.set_font("Helvetica", size=7)
            pdf.multi_cell(0, 3.5, f"{rnd.randint(1, 9)} {text}", new_x="LMARGIN", new_y="NEXT")
        elif kind == "break":
            pdf.add_page()
        else:
            _paragraph(pdf, text, size=rnd.choice([9, 10, 11]))
        pdf.ln(rnd.choice([0, 2, 5]))
    path = _save(pdf, tmp_path / f"willekeurig{seed}.pdf")
    from index.errors import ReadError

    try:
        doc, chunks = _chunks(path)
    except ReadError as error:
        assert error.reason
        return
    assert all(c.page is not None and 1 <= c.page <= len(doc.page_starts) for c in chunks)
    _assert_no_furniture(chunks, "Jaarverslag sociaal domein", "Pagina")


def test_a_lone_footnote_at_the_page_foot_is_no_furniture(tmp_path):
    pdf = _pdf(header=None, page_numbers=None)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _body_with_markers(pdf, "De gemeente heeft de regeling voor bijzondere bijstand vereenvoudigd", "1",
                       ", zodat inwoners met een laag inkomen sneller geholpen worden.")
    pdf.ln(10)
    _paragraph(pdf, PARAGRAPHS[2])
    note = "1 Besluit van het college van 4 februari 2026 over de bijzondere bijstand."
    pdf.set_y(276)
    pdf.set_font("Helvetica", size=7.5)
    pdf.cell(0, 4, note)
    path = _save(pdf, tmp_path / "voetnoot-onderaan.pdf")
    doc, chunks = _chunks(path)
    holder = [c for c in chunks if "Besluit van het college" in c.text]
    assert holder and "bijzondere bijstand vereenvoudigd" not in holder[0].text
    body = next(c for c in chunks if "vereenvoudigd" in c.text)
    assert "Besluit" not in body.text


def test_ligatures_and_soft_hyphens_read_as_letters(tmp_path):
    regular = _font()
    if not regular:
        pytest.skip("geen TrueType-letter (DejaVu Sans) gevonden via fc-match")
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("Body", "", regular)
    pdf.add_page()
    pdf.set_font("Body", size=11)
    pdf.multi_cell(0, 6, "De ﬁnanciële positie van de ge\u00admeenten is in 2025 verbeterd, "
                         "zo blijkt uit de ﬂitspeiling van de provincie.", new_x="LMARGIN", new_y="NEXT")
    path = _save(pdf, tmp_path / "ligaturen.pdf")
    doc, chunks = _chunks(path)
    text = _norm(" ".join(c.text for c in chunks))
    assert "De financiële positie van de gemeenten" in text and "flitspeiling" in text


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


# --- bounded work: the same results as before, in time that no longer grows with the square ---------


def _old_cover(rows, lo, size):
    cover = [0] * size
    for row in rows:
        seen = set()
        for w in row:
            seen.update(range(int(w.x0 - lo), int(w.x1 - lo) + 1))
        for x in seen:
            cover[x] += 1
    return cover


def _old_group_lines(words, page, column=0):
    from index.pdf.lines import Line, _take_markers

    rows, bounds = [], []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for row, (top, bottom) in zip(rows, bounds):
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.3 * min(w.height, bottom - top):
                row.append(w)
                break
        else:
            rows.append([w])
            bounds.append([w.top, w.bottom])
    rows.sort(key=lambda r: min(w.top for w in r))
    return [_take_markers(Line(sorted(r, key=lambda w: w.x0), page, column)) for r in rows]


@pytest.mark.parametrize("seed", range(20))
def test_columns_and_lines_are_found_as_before(seed):
    """The column cover (now by interval ends) and line grouping (now only over rows still open)
    give what the first, quadratic versions gave, on random words of random sizes."""
    import random

    from index.pdf.columns import _cover, _rows
    from index.pdf.lines import group_lines
    from index.pdf.words import Word

    rnd = random.Random(seed)
    words = []
    for k in range(rnd.randint(1, 300)):
        x0, top = rnd.uniform(0, 500), rnd.uniform(0, 800)
        size = rnd.choice([6, 9, 10, 10, 11, 14, 24])
        width = rnd.uniform(3, 80)
        words.append(Word(f"w{k}", x0, x0 + width, top, top + size * rnd.uniform(0.8, 1.2), size))
    rows = _rows(words)
    lo = min(w.x0 for w in words)
    size = int(max(w.x1 for w in words) - lo) + 2
    assert _cover(rows, lo, size) == _old_cover(rows, lo, size)
    new, old = group_lines(words, 1), _old_group_lines(words, 1)
    assert [[id(w) for w in line.words] for line in new] == [[id(w) for w in line.words] for line in old]


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

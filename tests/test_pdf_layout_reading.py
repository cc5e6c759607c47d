"""Layout-aware PDF reading: reading order and the text itself, against PDFs built here.

Headings become heading context, hyphenated line ends are joined, two
columns are read one after the other, ligatures and soft hyphens read as
letters, the seeds laid out as PDF give their own paragraphs back; column
and line finding give what the first versions gave, random layouts never
crash, and a failing layout reader falls back to plain text. The PDFs and
checks: tests/layout_pdfs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.paragraphs import reconstruct
from index.readers import read_document
from tests.layout_pdfs import (
    HEADER,
    PARAGRAPHS,
    _assert_no_furniture,
    _assert_whole,
    _chunks,
    _font,
    _norm,
    _paragraph,
    _pdf,
    _save,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


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


# --- hyphenation -------------------------------------------------------------


def test_hyphenated_line_end_joined_real_hyphen_kept(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    lines = [
        "In de regio werken veertien ge-",
        "meenten samen aan de sociaal-",
        "economische agenda voor de komende vier jaar, met steun van de provincie. Het totaal-",
        "bedrag van de agenda is vastgesteld op acht miljoen euro voor de financieel-",
        "administratieve ondersteuning.",
    ]
    for line in lines:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    path = _save(pdf, tmp_path / "afbreking.pdf")
    doc, chunks = _chunks(path)
    text = _norm(" ".join(c.text for c in chunks))
    assert "veertien gemeenten samen aan de sociaal-economische agenda" in text
    # two adjectives keep their hyphen; an adjective's form before a noun makes one word
    assert "Het totaalbedrag van de agenda" in text and "de financieel-administratieve ondersteuning" in text


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


def test_two_short_columns_under_a_title_across_the_gutter(tmp_path):
    """A title over both columns crosses the gutter, so the gutter is a strip a few rows may
    cross; on a page of few rows that strip reached into the left column's ragged line ends,
    those lines counted as running across the page, and the columns were read line by line."""
    from fpdf import FPDF

    left = ["De dijkversterking bij Kampen kost in totaal", "zevenenveertig miljoen euro. Het waterschap",
            "betaalt daarvan een derde deel. De ver-", "hoging van de dijk bedraagt anderhalve meter",
            "en wordt in het voorjaar van 2026 afgerond."]
    right = [f"Bij kunstwerk {n} is het onder-" if n % 2 == 0 else "houd uitgesteld tot het volgende seizoen."
             for n in range(8)]
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.text(56, 90, "Voortgang dijkversterking IJsseldelta")  # below the band of running headers
    pdf.set_font("Helvetica", size=9)
    for row, line in enumerate(left):
        pdf.text(56, 130 + 12 * row, line)
    for row, line in enumerate(right):
        pdf.text(300, 130 + 12 * row, line)
    doc, chunks = _chunks(_save(pdf, tmp_path / "kolommen-onder-titel.pdf"))
    text = _norm(" ".join(c.text for c in chunks))
    assert ("De dijkversterking bij Kampen kost in totaal zevenenveertig miljoen euro. Het waterschap betaalt "
            "daarvan een derde deel. De verhoging van de dijk bedraagt anderhalve meter en wordt in het "
            "voorjaar van 2026 afgerond.") in text
    assert "Bij kunstwerk 6 is het onderhoud uitgesteld tot het volgende seizoen." in text
    assert text.index("afgerond") < text.index("Bij kunstwerk 0")


# --- pages turned a quarter ----------------------------------------------------


def test_a_page_whose_text_runs_sideways_is_read_turned(tmp_path, caplog):
    """A page turned by its /Rotate and a page whose text is drawn turned: both are read with
    their text upright, where before their words were left out as vertical text."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    turned_by_rotate = ("De begroting voor 2025 bedraagt tweeënveertig miljoen euro, "
                        "zo staat in de liggende bijlage van de brief.")
    drawn_turned = "Het veer bij Pannerden vaart sinds 1912 en zet elke dag fietsers over de Rijn."
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "De eerste pagina staat rechtop en verwijst naar de bijlagen.")
    pdf.add_page()
    pdf.multi_cell(0, 6, turned_by_rotate)
    pdf.add_page()
    with pdf.rotation(90, x=105, y=148):
        pdf.text(40, 150, drawn_turned)
    plain = _save(pdf, tmp_path / "rechtop.pdf")
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.pages[1].rotate(90)
    path = tmp_path / "gedraaid.pdf"
    writer.write(path)

    with caplog.at_level("INFO", logger="index.pdf.layout"):
        doc, chunks = _chunks(path)
    by_page = {c.page: _norm(c.text) for c in chunks}
    assert by_page[2] == _norm(turned_by_rotate)
    assert by_page[3] == _norm(drawn_turned)
    assert "pagina 2 staat gedraaid" in caplog.text and "pagina 3 staat gedraaid" in caplog.text


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


# --- any layout: a Document or a Dutch ReadError, never a crash --------------


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


def test_a_numbered_list_with_hanging_numbers_keeps_each_number_with_its_item(tmp_path):
    # The numbers stand in a narrow column of their own: over more than a few rows that looks like a
    # gutter, and the numbers were read as a column apart ("5. 6. 7. ...") from the items.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, "Op basis van de bevindingen doen wij de volgende aanbevelingen aan Gedeputeerde Staten:",
                   new_x="LMARGIN", new_y="NEXT")
    for k in range(1, 11):
        y = pdf.get_y()
        pdf.set_xy(10, y)
        pdf.cell(8, 5.5, f"{k}.")
        pdf.set_xy(20, y)
        pdf.multi_cell(170, 5.5, f"Aanbeveling {k}: breng de formatie van het team structureel op orde en "
                                 "rapporteer elk kwartaal aan de staten over de voortgang.", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    doc, chunks = _chunks(_save(pdf, tmp_path / "aanbevelingen.pdf"))
    text = _norm(" ".join(c.text for c in chunks))
    for k in range(1, 11):
        assert f"{k}. Aanbeveling {k}:" in text

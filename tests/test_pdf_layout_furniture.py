"""Layout-aware PDF reading: page furniture and footnotes, against PDFs built here.

Running headers, page numbers, a letter's side column and a browser's print
header and footer are furniture: no chunk may hold their text, and a
paragraph over a page break stays whole. Footnotes are their own units,
never inside the body text. The PDFs and checks: tests/layout_pdfs.py.
"""

from __future__ import annotations

import re

from tests.layout_pdfs import (
    HEADER,
    PARAGRAPHS,
    _assert_no_furniture,
    _assert_whole,
    _chunks,
    _norm,
    _paragraph,
    _pdf,
    _print_html,
    _save,
)


def _body_with_markers(pdf, *parts: str) -> None:
    """Body text at 11 pt; every second part is a superscript footnote marker ("tekst", "1", "tekst", ...)."""
    pdf.set_font("Helvetica", size=11)
    for n, part in enumerate(parts):
        pdf.char_vpos = "SUP" if n % 2 else "LINE"
        pdf.write(5.5, part)
    pdf.char_vpos = "LINE"


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


def test_a_one_page_letters_side_column_is_a_passage_of_its_own_and_its_subject_the_title(tmp_path):
    from fpdf import FPDF

    body = [
        "Het Rijksvastgoedbedrijf beheert ruim 2.100 gebouwen. Bij 240 daarvan is verduurzaming "
        "of renovatie nodig voor 2040, omdat ze aan het eind van hun technische levensduur zijn.",
        "In 2025 zijn negen projecten afgerond, waaronder de renovatie van het douanekantoor in Venlo. "
        "Voor de komende vijf jaar staan er nog eenendertig projecten op de planning.",
    ]
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 40, 60)
    pdf.add_page()
    pdf.set_font("Helvetica", size=7)
    pdf.set_xy(152, 50)
    pdf.multi_cell(45, 3.5, "Rijksvastgoedbedrijf\nKorte Voorhout 7\n2511 CW  Den Haag\n\nKenmerk\nRVB/2026-00412"
                            "\n\nBijlage(n)\n1")
    pdf.set_xy(25, 50)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(100, 5, "De Voorzitter van de Tweede Kamer\nder Staten-Generaal\nPostbus 20018\n2500 EA  DEN HAAG",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(20, 5, "Betreft")
    pdf.cell(100, 5, "Voortgang verduurzaming rijksgebouwen", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    for text in body:
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    doc, chunks = _chunks(_save(pdf, tmp_path / "brief.pdf"))
    assert doc.title == "Voortgang verduurzaming rijksgebouwen"
    _assert_whole(chunks, body)
    for text in body:
        [holder] = [c for c in chunks if _norm(text[:40]) in _norm(c.text)]
        assert "Kenmerk" not in holder.text and "Voorhout" not in holder.text and holder.heading is None
    [side] = [c for c in chunks if "Kenmerk" in c.text]
    assert "RVB/2026-00412" in side.text and "Bijlage(n) 1" in side.text


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


def test_a_paragraph_runs_on_past_a_footnote_whose_number_is_a_superscript_character(tmp_path):
    # Word and LibreOffice export a footnote's number as the character "¹"; the note sits at the foot of
    # page 1, between the two halves of a paragraph that runs on to page 2.
    from fpdf import FPDF

    note = "¹ Centraal Bureau voor de Statistiek, Dakloosheid in Nederland 2024, tabel 3."

    class Noted(FPDF):
        def footer(self):
            if self.page_no() == 1:
                self.set_y(-28)
                self.set_font("Helvetica", size=7.5)
                self.multi_cell(0, 4, note)
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 4, str(self.page_no()), align="C")

    pdf = Noted(format="A4")
    pdf.set_auto_page_break(True, margin=35)
    pdf.add_page()
    while pdf.get_y() < 215:
        _paragraph(pdf, PARAGRAPHS[0])
    sentences = [f"Zin {k} van de lange alinea beschrijft hoe de gemeente de regeling voor bijzondere "
                 "bijstand eenvoudiger maakt voor wie al een uitkering ontvangt" for k in range(1, 9)]
    _body_with_markers(pdf, sentences[0] + ", zoals het CBS meldde", "1", ". " + ". ".join(sentences[1:]) + ".")
    pdf.ln(8)
    _paragraph(pdf, PARAGRAPHS[1])
    doc, chunks = _chunks(_save(pdf, tmp_path / "voetnoot-tussen-paginas.pdf"))
    [body] = [c for c in chunks if "Zin 1 van" in c.text]
    assert "Zin 8 van" in body.text and "Centraal Bureau" not in body.text
    assert (body.page, body.page_end) == (1, 2)
    [footnote] = [c for c in chunks if "Centraal Bureau" in c.text]
    assert footnote.kind == "footnote" and footnote.text.startswith("1 Centraal Bureau")
    assert footnote.context.endswith("zoals het CBS meldde.")
    # placed after the paragraph, which ends on page 2, the note is still cited on its own page
    assert (footnote.page, footnote.page_end) == (1, 1)


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

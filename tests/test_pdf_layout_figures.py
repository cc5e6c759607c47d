"""Charts drawn in a PDF: their loose labels leave the text, their caption and the text around stay.

Each PDF is drawn with fpdf2, so every word and every shape is known: bars
are filled rectangles with their value above and their year below, as a
report's chart is printed.
"""

from __future__ import annotations

from tests.layout_pdfs import _chunks, _norm, _save

ABOVE = ("Het aantal aanvragen voor de energietoeslag nam de afgelopen jaren gestaag toe, vooral onder "
         "huishoudens met een inkomen net boven het sociaal minimum.")
CAPTION = "Figuur 3 Aantal aanvragen energietoeslag per jaar (bron: afdeling Inkomen)"
BELOW = ("De gemeente verwacht dat het aantal aanvragen in 2026 verder stijgt, omdat de regeling dan ook "
         "openstaat voor studenten en zelfstandigen met een laag inkomen.")
BOXES = (("Zo vraagt u de toeslag aan:", ("met DigiD", "op papier")),
         ("Hier kunt u terecht met vragen:", ("bij het Stadsloket", "bij de Formulierenbrigade")))


def _bar_chart_page(tmp_path, *, box: bool = False):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(56, 70)
    pdf.multi_cell(480, 13, ABOVE)
    pdf.set_fill_color(60, 110, 170)
    baseline = 330
    for n, (year, value) in enumerate(((2022, 412), (2023, 587), (2024, 731))):
        x, height = 110 + 130 * n, value / 5
        pdf.rect(x, baseline - height, 60, height, style="F")
        pdf.set_font("Helvetica", size=8)
        pdf.text(x + 22, baseline - height - 4, str(value))
        pdf.text(x + 20, baseline + 12, str(year))
    pdf.set_font("Helvetica", size=9)
    pdf.set_xy(56, baseline + 30)
    pdf.multi_cell(480, 12, CAPTION)
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(56, baseline + 60)
    pdf.multi_cell(480, 13, BELOW)
    if box:  # two shaded boxes, one above the other, each a lead-in and short list items
        pdf.set_fill_color(230, 236, 245)
        for top, (lead, items) in zip((470, 560), BOXES):
            pdf.rect(56, top, 480, 80, style="F")
            pdf.text(62, top + 16, lead)
            for n, item in enumerate(items, 1):
                pdf.text(62, top + 16 + 14 * n, f"- {item}")
    return _save(pdf, tmp_path / "grafiek.pdf")


def test_a_bar_charts_labels_leave_the_text_and_its_caption_stays(tmp_path):
    doc, chunks = _chunks(_bar_chart_page(tmp_path))
    texts = [_norm(c.text) for c in chunks]
    assert ABOVE in texts  # the paragraph above ends where it ends, no "587 731 2022" after it
    assert BELOW in texts
    assert _norm(CAPTION) in texts
    for label in ("412", "587", "731", "2022", "2023", "2024"):
        assert not any(label in t.split() for t in texts), (label, texts)


def test_shaded_boxes_of_text_are_no_chart(tmp_path):
    """Filled rectangles that hold text (coloured boxes of short list items) are no bars: the items stay."""
    doc, chunks = _chunks(_bar_chart_page(tmp_path, box=True))
    text = _norm(" ".join(c.text for c in chunks))
    for lead, items in BOXES:
        assert lead in text
        for item in items:
            assert item in text


def test_a_short_two_column_section_between_full_width_text_is_read_by_column(tmp_path):
    """Half of the page's rows run across the gutter: it is still a gutter."""
    from fpdf import FPDF

    full = ["De provincie publiceert haar stukken sinds 2023 op het landelijke platform voor open",
            "overheidsinformatie, en daar stonden eind 2024 ruim drieduizend documenten van de provincie,",
            "van vergaderstukken tot adviezen en convenanten, die iedereen kan doorzoeken en downloaden."]
    left = ["De provincie Utrecht handelde in", "2024 twee derde van de verzoeken", "binnen de termijn af. Zij werkt",
            "met een vast team en een centraal", "systeem voor de registratie van", "alle verzoeken om informatie."]
    right = ["In Drenthe belt een medewerker", "binnen drie werkdagen na de", "ontvangst met de verzoeker, zodat",
             "het verzoek vaak kleiner wordt", "en sneller kan worden afgehandeld", "dan in andere provincies."]
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    y = 90
    for line in full:
        pdf.text(56, y, line)
        y += 13
    y += 13
    for row, (a, b) in enumerate(zip(left, right)):
        pdf.text(56, y + 13 * row, a)
        pdf.text(306, y + 13 * row, b)
    y += 13 * len(left) + 13
    for line in full:
        pdf.text(56, y, line)
        y += 13
    doc, chunks = _chunks(_save(pdf, tmp_path / "kort-tweekoloms.pdf"))
    text = _norm(" ".join(c.text for c in chunks))
    assert _norm(" ".join(left)) in text
    assert _norm(" ".join(right)) in text

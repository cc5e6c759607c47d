"""Readers against real files written in tmp_path, good and broken."""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import pytest

from index.errors import ReadError
from index.readers import SUPPORTED_SUFFIXES, iter_corpus, read_document
from index.readers.text import looks_binary

PAGE_TEXTS = [
    "Hoofdstuk één: de gemeente onderzoekt het beleid voor arbeidsmigranten.",
    "Hoofdstuk twee: de wethouder geeft een reactie op het café-rapport.",
    "Hoofdstuk drie: conclusies en aanbevelingen voor de Tweede Kamer.",
]


def write_pdf(path: Path, pages=PAGE_TEXTS, title: str | None = None, **encrypt) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    if title:
        pdf.set_title(title)
    if encrypt:
        pdf.set_encryption(**encrypt)
    path.write_bytes(bytes(pdf.output()))
    return path


def write_docx(path: Path, title: str = "") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading("Inleiding", 1)
    document.add_paragraph("De gemeente Utrecht publiceert het jaarverslag.")
    document.add_heading("Maatregelen", 2)
    document.add_paragraph("huisvesting verbeteren", style="List Bullet")
    document.add_paragraph("taalles aanbieden", style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Jaar"
    table.cell(0, 1).text = "Bedrag"
    table.cell(1, 0).merge(table.cell(1, 1))
    table.cell(1, 0).text = "samengevoegde cel"
    document.add_paragraph("Slotwoord na de tabel.")
    document.save(path)
    return path


def read(path: Path, root: Path | None = None, **kwargs):
    return read_document(path, root or path.parent, **kwargs)


def assert_read_error(path: Path, fragment: str, root: Path | None = None, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        read(path, root, **kwargs)
    error = info.value
    assert path.name in str(error), str(error)
    assert fragment in error.reason, error.reason
    return error


# --- plain text and Markdown -------------------------------------------------


def test_utf8_text_is_the_file_exactly(tmp_path):
    content = " Geachte leden,\n\nDe behandeling is voorzien in week 14.\n• Schrap bezuinigingen\n"
    path = tmp_path / "000_d31a0db93372aa9b.txt"
    path.write_text(content, encoding="utf-8")
    doc = read(path)
    assert doc.doc_id == "000_d31a0db93372aa9b.txt"
    assert doc.kind == "txt"
    assert doc.text == content
    assert doc.title == "Geachte leden,"
    start = doc.text.index("week 14")
    assert doc.line_at(start) == 3
    assert doc.page_at(start) is None


def test_title_comes_from_the_paragraph_reconstruction_not_the_first_line(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_text("Gemeente Zwolle\n\nOnderwerp\tDatum\nNieuw inloophuis aan de Kerkstraat\t1 maart 2024\n\n"
                    "Geachte heer Jansen,\n\nHierbij ontvangt u het besluit.\n", encoding="utf-8")
    assert read(path).title == "Nieuw inloophuis aan de Kerkstraat"


def test_crlf_kept_and_lines_count_newlines(tmp_path):
    content = "Titel\r\n\r\nEerste regel\r\nTweede regel\r\n"
    path = tmp_path / "windows.txt"
    path.write_bytes(content.encode("utf-8"))
    doc = read(path)
    assert doc.text == content  # no newline conversion
    assert doc.title == "Titel"
    assert doc.line_at(doc.text.index("Tweede")) == 4
    assert doc.line_at(doc.text.index("Eerste")) == 3


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfBeleidsnota\nTekst met \xc3\xa9\xc3\xa9n accent.\n")
    doc = read(path)
    assert doc.text == "Beleidsnota\nTekst met één accent.\n"
    assert doc.title == "Beleidsnota"


def test_cp1252_text_is_indexed_with_a_warning(tmp_path, caplog):
    content = "Overleg café\r\nHet budget is € 12 miljoen, geïnterviewd: één wethouder.\r\n"
    path = tmp_path / "oud.txt"
    path.write_bytes(content.encode("cp1252"))
    with caplog.at_level(logging.WARNING):
        doc = read(path)
    assert doc.text == content
    assert "oud.txt" in caplog.text


def test_markdown_title_is_first_heading(tmp_path):
    content = "```\n# geen kop in code\n```\nInleidende zin.\n\n## Arbeidsmigratie in 2026 ##\r\n\nTekst.\n"
    path = tmp_path / "notitie.md"
    path.write_bytes(content.encode("utf-8"))
    doc = read(path)
    assert doc.kind == "md"
    assert doc.text == content
    assert doc.title == "Arbeidsmigratie in 2026"


def test_markdown_front_matter_gives_the_title_and_is_no_passage(tmp_path):
    path = tmp_path / "nota.md"
    path.write_text("---\ntitle: \"Beleidsnota armoede 2026\"\nauteur: Gemeente Utrecht\n---\n\n"
                    "De gemeente wil armoede halveren.\n", encoding="utf-8")
    doc = read(path)
    assert doc.title == "Beleidsnota armoede 2026"
    assert "auteur" not in doc.text and len(doc.text) == len(path.read_text("utf-8"))
    assert doc.text.index("De gemeente") == path.read_text("utf-8").index("De gemeente")
    assert doc.line_at(doc.text.index("De gemeente")) == 6
    only = tmp_path / "leeg.md"
    only.write_text("---\ntitle: Niets\n---\n", encoding="utf-8")
    assert_read_error(only, "alleen metadata")


@pytest.mark.parametrize("content", [
    "---\nDe gemeente wil armoede halveren.\n---\n\nMeer tekst.\n",  # rules around a line, no "key:"
    "---\ntitle: Geheim\n" + "a" * 19_980 + "\n---xyz\nTekst.\n",  # no line that is only "---"
    "---\ntitle: Geheim\n" + "a" * 20_000 + "\n---\nTekst.\n",  # closed too late to be front matter
])
def test_a_markdown_text_without_front_matter_keeps_its_opening(tmp_path, content):
    path = tmp_path / "regel.md"
    path.write_text(content, encoding="utf-8")
    assert read(path).text == content


def test_binary_data_named_txt(tmp_path):
    path = tmp_path / "plaatje.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert_read_error(path, "binaire inhoud")


def test_binary_without_nul_bytes(tmp_path):
    path = tmp_path / "ruis.txt"
    path.write_bytes(bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13)) * 20)
    assert_read_error(path, "binaire inhoud")


def test_utf16_with_bom_is_text(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Notulen\r\nVergadering over één punt.\r\n".encode("utf-16"))
    doc = read(path)
    assert doc.text == "Notulen\r\nVergadering over één punt.\r\n"


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t "])
def test_empty_file(tmp_path, content):
    path = tmp_path / "leeg.txt"
    path.write_bytes(content)
    assert_read_error(path, "bestand is leeg")


# --- PDF ---------------------------------------------------------------------


def test_pdf_pages_and_metadata_title(tmp_path):
    path = write_pdf(tmp_path / "nota.pdf", title="Beleidsnota arbeidsmigratie")
    doc = read(path)
    assert doc.kind == "pdf"
    assert doc.title == "Beleidsnota arbeidsmigratie"
    assert len(doc.page_starts) == 3
    for number, page_text in enumerate(PAGE_TEXTS, start=1):
        offset = doc.text.index(page_text)
        assert doc.page_at(offset) == number
        assert doc.page_at(offset + len(page_text) - 1) == number
    assert doc.text == "\n\n".join(PAGE_TEXTS)


def test_pdf_title_guessed_when_metadata_is_junk(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", title="Microsoft Word - nota_v3.docx")
    doc = read(path)
    assert doc.title.startswith("Hoofdstuk één")


def test_truncated_pdf(tmp_path):
    data = write_pdf(tmp_path / "heel.pdf").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert_read_error(path, "PDF is beschadigd of onvolledig")


def test_garbage_named_pdf(tmp_path):
    path = tmp_path / "nep.pdf"
    path.write_bytes(b"dit is geen pdf\n" * 10)
    assert_read_error(path, "PDF is beschadigd of onvolledig")


def test_pdf_without_text(tmp_path):
    path = write_pdf(tmp_path / "gescand.pdf", pages=["", ""])
    assert_read_error(path, "PDF bevat geen tekst (gescand?)")


def test_pdf_without_pages(tmp_path):
    from tests.hostile_pdfs import write_pdf as write_objects

    path = write_objects(tmp_path / "leeg.pdf", [b"<< /Type /Catalog /Pages 2 0 R >>",
                                                 b"<< /Type /Pages /Kids [] /Count 0 >>"])
    assert_read_error(path, "PDF heeft geen pagina's")


def test_encrypted_pdf(tmp_path):
    path = write_pdf(tmp_path / "geheim.pdf", owner_password="eigenaar", user_password="geheim")
    assert_read_error(path, "PDF is versleuteld")


def test_pdf_with_only_owner_password_is_readable(tmp_path):
    path = write_pdf(tmp_path / "beperkt.pdf", owner_password="eigenaar")
    assert "Hoofdstuk twee" in read(path).text


# --- DOCX --------------------------------------------------------------------


def test_docx_headings_lists_and_tables(tmp_path):
    doc = read(write_docx(tmp_path / "verslag.docx"))
    assert doc.kind == "docx"
    assert doc.text == "\n\n".join(
        [
            "# Inleiding",
            "De gemeente Utrecht publiceert het jaarverslag.",
            "## Maatregelen",
            "- huisvesting verbeteren",
            "- taalles aanbieden",
            "Jaar",
            "Bedrag",
            "samengevoegde cel",  # merged cell once, not twice
            "Slotwoord na de tabel.",
        ]
    )
    assert doc.title == "Inleiding"


def test_docx_title_from_core_properties(tmp_path):
    doc = read(write_docx(tmp_path / "verslag.docx", title="Jaarverslag 2025"))
    assert doc.title == "Jaarverslag 2025"


def test_docx_zip_of_junk(tmp_path):
    path = tmp_path / "kapot.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("rommel.bin", os.urandom(200))
    assert_read_error(path, "geen geldig Word-bestand")


def test_docx_not_a_zip(tmp_path):
    path = tmp_path / "tekst.docx"
    path.write_text("gewone tekst", encoding="utf-8")
    assert_read_error(path, "geen geldig Word-bestand")


def test_old_doc_named_docx(tmp_path):
    path = tmp_path / "oud.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(52))
    assert_read_error(path, "oud Word-formaat (.doc)")


# --- HTML --------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Nieuws  over
 de bijstand</title><style>p { color: red }</style>
<script>var geheim = "niet indexeren";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/contact">Contact</a></nav>
<header><p>Kopregel van de site</p></header>
<h1>Reken<b>tool</b> voor<br>  bijstand</h1>
<p>De gemeente <b>Rotterdam</b> lanceert een rekentool.<br>Tweede regel.</p>
<!-- commentaar hoort er niet bij -->
<ul><li>Eerste punt</li><li><p>Tweede punt</p></li></ul>
<div>Losse tekst in een div <span>met span</span></div>
<p>Escaped: &lt;script&gt;alert(1)&lt;/script&gt; &amp; meer</p>
<table><tr><td>Cel A</td><td>Cel B</td></tr></table>
<pre>regel 1
    regel 2</pre>
<p hidden>verborgen</p>
<noscript>zet javascript aan</noscript>
<footer>Copyright gemeente</footer>
</body></html>
"""


def test_html_visible_text_as_markdown(tmp_path):
    path = tmp_path / "nieuws.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read(path)
    assert doc.kind == "html"
    assert doc.title == "Nieuws over de bijstand"
    assert doc.text == "\n\n".join(
        [
            "# Rekentool voor bijstand",
            "De gemeente Rotterdam lanceert een rekentool.\nTweede regel.",
            "- Eerste punt",
            "- Tweede punt",
            "Losse tekst in een div met span",
            "Escaped: <script>alert(1)</script> & meer",
            "Cel A",
            "Cel B",
            "regel 1\n    regel 2",
        ]
    )
    for absent in ("geheim", "color", "Home", "Kopregel", "commentaar", "verborgen",
                   "javascript", "Copyright"):
        assert absent not in doc.text


def test_html_title_falls_back_to_h1_and_meta_charset(tmp_path):
    path = tmp_path / "oud.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body>'
        "<h1>Overleg café</h1><p>Één wethouder.</p></body></html>".encode("cp1252")
    )
    doc = read(path)
    assert doc.title == "Overleg café"
    assert "Één wethouder." in doc.text


@pytest.mark.parametrize("declared, encoding", [
    ("utf-8", "cp1252"),  # a Windows tool's page that says utf-8 but is not
    ("iso-8859-1", "cp1252"),  # read as windows-1252, as browsers do: the € stays
    ("utf-8", "utf-8"),
    ("iso-8859-15", "iso-8859-15"),
    ("utf-16", "utf-8"),  # no byte-order mark: not UTF-16, whatever it says
])
def test_html_is_decoded_as_declared_where_its_bytes_fit(tmp_path, caplog, declared, encoding):
    path = tmp_path / "pagina.html"
    body = "<h1>Overleg café</h1><p>Het budget is € 12 miljoen, geïnterviewd: één wethouder.</p>"
    path.write_bytes(f'<html><head><meta charset="{declared}"></head><body>{body}</body></html>'.encode(encoding))
    with caplog.at_level(logging.WARNING):
        doc = read(path)
    assert doc.title == "Overleg café"
    assert "Het budget is € 12 miljoen, geïnterviewd: één wethouder." in doc.text
    assert ("geen geldige UTF-8" in caplog.text) == (declared == "utf-8" and encoding == "cp1252")


@pytest.mark.parametrize("declared, data, text", [
    ("undefined", b"<p>tekst</p>", "tekst"),  # a codec that refuses everything: the declaration is ignored
    ("iso-8859-15", b"<p>Hij zei \x93hallo\x94 \x96 en ging.</p>", "Hij zei \u201challo\u201d \u2013 en ging."),
    ("iso-8859-2", "<p>Één café, één reünie</p>".encode(), "Één café, één reünie"),  # UTF-8 bytes are UTF-8
    ("utf-7", b"<p>Zichtbaar</p>+ADw-p+AD4-Prijs", "Zichtbaar\n\n+ADw-p+AD4-Prijs"),  # no browser reads UTF-7
    ("windows-1252", b"<p>voor\x00na caf\xe9</p>", "voorna café"),  # a NUL is dropped, as a browser does
])
def test_html_declarations_that_do_not_fit_the_bytes_are_not_followed(tmp_path, declared, data, text):
    path = tmp_path / "pagina.html"
    path.write_bytes(f'<meta charset="{declared}">'.encode() + b"x" * 9000 + data)
    doc = read(path)
    assert doc.text.startswith("x" * 9000) and doc.text.endswith(text)
    assert not looks_binary(doc.text)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_html_and_text_with_a_wide_byte_order_mark(tmp_path, encoding):
    page, text = tmp_path / "breed.html", tmp_path / "breed.txt"
    page.write_bytes("<p>Vergadering over één punt.</p>".encode(encoding))  # Python writes the BOM
    text.write_bytes("Notulen\nVergadering over één punt.\n".encode(encoding))
    assert read(page).text == "Vergadering over één punt."
    assert read(text).text == "Notulen\nVergadering over één punt.\n"


def test_binary_data_named_html(tmp_path):
    path = tmp_path / "nep.html"
    path.write_bytes(bytes(range(1, 256)) * 4)  # no NUL bytes at all
    assert_read_error(path, "binaire inhoud")


def test_html_without_text(tmp_path):
    path = tmp_path / "leeg.html"
    path.write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    assert_read_error(path, "bevat geen tekst")


# --- corpus walking and the size limit ---------------------------------------


def test_iter_corpus_and_doc_ids(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub" / "diep").mkdir(parents=True)
    (root / ".verborgen").mkdir()
    (root / "b.txt").write_text("Bee", encoding="utf-8")
    (root / "A.MD").write_text("# Aa", encoding="utf-8")
    (root / "sub" / "c.html").write_text("<p>Cee</p>", encoding="utf-8")
    (root / "sub" / "diep" / "d.txt").write_text("Dee", encoding="utf-8")
    (root / "sub" / "plaatje.png").write_bytes(b"\x89PNG")
    (root / ".geheim.txt").write_text("verborgen", encoding="utf-8")
    (root / ".verborgen" / "e.txt").write_text("verborgen", encoding="utf-8")
    (root / "~$lock.docx").write_bytes(b"lock")
    outside = tmp_path / "buiten.txt"
    outside.write_text("buiten", encoding="utf-8")
    (root / "link-buiten.txt").symlink_to(outside)
    (root / "link-binnen.txt").symlink_to(root / "b.txt")
    (root / "sub-link").symlink_to(root / "sub", target_is_directory=True)

    (root / "kapot.txt").symlink_to(root / "bestaat-niet.txt")

    errors: list[ReadError] = []
    paths = list(iter_corpus(root, on_error=errors.append))
    ids = [read_document(p, root).doc_id for p in paths]
    assert ids == ["A.MD", "b.txt", "link-binnen.txt", "sub/c.html", "sub/diep/d.txt"]
    assert read_document(root / "sub" / "diep" / "d.txt", root).text == "Dee"
    # Each symlink left out is named with its reason, for the build's list of skipped files.
    assert {e.path: e.reason for e in errors} == {
        "link-buiten.txt": "symlink naar een bestand buiten de documentmap",
        "kapot.txt": "symlink naar een bestand dat niet bestaat",
    }


def test_a_folder_or_file_the_system_refuses_is_named_with_a_dutch_reason(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    (root / "slot").mkdir(parents=True)
    (root / "slot" / "geheim.txt").write_text("Geheime tekst over de begroting.", encoding="utf-8")
    (root / "open.txt").write_text("Open tekst over de begroting.", encoding="utf-8")
    # This suite runs as root, who may read any folder: the refusal is made where os.walk lists one.
    real_scandir = os.scandir

    def refusing(path="."):
        if Path(path).name == "slot":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    errors: list[ReadError] = []
    assert list(iter_corpus(root, on_error=errors.append)) == [root / "open.txt"]
    assert [(e.path, e.reason) for e in errors] == [
        ("slot/", "map niet leesbaar (geen leesrechten): de bestanden erin zijn overgeslagen")]
    monkeypatch.undo()

    real_open = Path.open

    def no_access(self, *args, **kwargs):
        if self.name == "open.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_access)
    assert_read_error(root / "open.txt", "geen leesrechten voor dit bestand", root)


def test_too_large_file(tmp_path):
    root = tmp_path
    big = root / "groot.txt"
    big.write_text("woord " * 1000, encoding="utf-8")
    (root / "klein.txt").write_text("klein", encoding="utf-8")

    errors: list[ReadError] = []
    assert list(iter_corpus(root, max_bytes=1000, on_error=errors.append)) == [root / "klein.txt"]
    assert len(errors) == 1
    assert "groot.txt" in str(errors[0])
    assert errors[0].reason.startswith("bestand is te groot (")

    error = assert_read_error(big, "bestand is te groot", root, max_bytes=1000)
    assert "MB, maximaal" in error.reason


def test_unsupported_suffix_and_missing_file(tmp_path):
    other = tmp_path / "tabel.xlsx"
    other.write_bytes(b"PK")
    assert_read_error(other, "wordt niet ondersteund")
    assert_read_error(tmp_path / "weg.txt", "niet gevonden")


def test_supported_suffixes():
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}


def test_html_soft_hyphens_and_zero_width_spaces_are_not_text(tmp_path):
    path = tmp_path / "huur.html"
    path.write_text("<html><body><h2>Huur&shy;toeslag</h2><p>De huur&shy;prijs stijgt in 2026 met 4&#8203;procent."
                    "</p></body></html>", encoding="utf-8")
    doc = read(path)
    assert "Huurtoeslag" in doc.text and "De huurprijs stijgt" in doc.text
    assert "\u00ad" not in doc.text and "\u200b" not in doc.text


def test_an_html_table_of_data_is_read_row_by_row_as_pdf_and_word_tables_are(tmp_path):
    path = tmp_path / "cijfers.html"
    path.write_text(
        "<html><body><h1>Energiearmoede</h1><table><caption>Cijfers per wijk</caption>"
        "<tr><th>Wijk</th><th>Huishoudens</th><th>Aandeel</th></tr>"
        "<tr><td>Overvecht</td><td>3.450</td><td>21%</td></tr>"
        "<tr><td>Binnenstad</td><td>410</td><td>4%</td></tr></table>"
        f"<table><tr><td>Menu</td><td><p>{'Een lange kolom tekst. ' * 20}</p></td></tr>"
        "<tr><td>Links</td><td>Rechts</td></tr></table></body></html>", encoding="utf-8")
    parts = read(path).text.split("\n\n")
    assert parts[1:4] == ["Cijfers per wijk", "Wijk: Overvecht; Huishoudens: 3.450; Aandeel: 21%",
                          "Wijk: Binnenstad; Huishoudens: 410; Aandeel: 4%"]
    assert "Menu" in parts and "Links" in parts  # a layout table (a long cell) keeps its cells as paragraphs


def test_html_cookie_banners_skip_links_and_landmark_chrome_are_not_text(tmp_path):
    path = tmp_path / "pagina.html"
    about = "Een cookie is een klein tekstbestand dat een website op uw computer zet. " * 12
    path.write_text(
        '<html><body><div class="cookie-banner" id="cookiebanner"><p>Deze site gebruikt cookies. Accepteert u '
        'analytische cookies?</p><button>Ja</button></div><a href="#main" class="skiplink">Ga direct naar inhoud</a>'
        '<div role="navigation"><a href="/">Home</a> › <a href="/toeslagen">Toeslagen</a></div>'
        '<main id="main"><h1>Huurtoeslag</h1><p>De huurgrens stijgt in 2026 naar 900 euro per maand.</p>'
        f'<section class="cookie-uitleg"><h2>Wat zijn cookies?</h2><p>{about}</p></section></main>'
        '<div role="contentinfo">Rijksoverheid, Den Haag</div></body></html>', encoding="utf-8")
    text = read(path).text
    for chrome in ("Accepteert u", "Ga direct naar inhoud", "Home", "Rijksoverheid, Den Haag"):
        assert chrome not in text
    assert "De huurgrens stijgt in 2026" in text
    assert "Wat zijn cookies?" in text and "klein tekstbestand" in text  # a page's own text about cookies stays


def test_a_news_pages_breadcrumbs_share_buttons_tags_and_lists_of_other_articles_are_not_text(tmp_path):
    path = tmp_path / "nieuws.html"
    path.write_text(
        '<html><body><div class="breadcrumbs"><a href="/">Home</a> › <a href="/nieuws">Nieuws</a></div>'
        '<article><h1>Afvalstoffenheffing stijgt</h1><div class="share"><a href="#">Deel op Facebook</a> '
        '<a href="#">WhatsApp</a></div><p>Huishoudens betalen in 2027 gemiddeld 412 euro voor hun afval.</p>'
        '<div class="post-tags">Tags: <a href="#">afval</a></div></article>'
        '<section class="related"><h2>Meer over dit onderwerp</h2><ul><li>FC Emmen ontslaat trainer</li>'
        '</ul></section><aside class="most-read"><h2>Meest gelezen</h2><ol><li>Brand in Assen</li></ol></aside>'
        '<section class="related-content"><h1>Gerelateerd beleid</h1><p>Een lange eigen tekst.</p></section>'
        '</body></html>', encoding="utf-8")
    text = read(path).text
    for chrome in ("Home", "Deel op Facebook", "Tags:", "FC Emmen", "Meest gelezen", "Brand in Assen"):
        assert chrome not in text
    assert "Huishoudens betalen in 2027" in text
    assert "Gerelateerd beleid" in text  # a section with the page's own <h1> is content, whatever its class

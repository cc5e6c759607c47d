"""Word files as organisations write them: tracked changes, footnotes, tables of data.

Each file is a real .docx: python-docx writes it, and where python-docx
cannot (tracked changes, footnotes), the body and the notes part are written
as Word writes them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from index.chunker import chunk_document
from index.readers import read_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def note_reference(number: int) -> str:
    return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{number}"/></w:r>'


def write_docx_xml(path: Path, paragraphs: list[str], notes: dict[int, str] | None = None) -> Path:
    """A .docx whose body holds these paragraphs (inner XML of each w:p), with these footnotes."""
    import docx

    template = path.with_suffix(".template.docx")
    docx.Document().save(template)
    body = "".join(f"<w:p>{inner}</w:p>" for inner in paragraphs)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
                data = data.encode()
            elif notes and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/word/footnotes.xml" '
                                    f'ContentType="{FOOTNOTES_TYPE}"/></Types>'.encode())
            elif notes and info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdNotes" Type="{FOOTNOTES_REL}" '
                                    f'Target="footnotes.xml"/></Relationships>'.encode())
            target.writestr(info, data)
        if notes:
            entries = "".join(f'<w:footnote w:id="{number}"><w:p><w:r><w:footnoteRef/></w:r>{run(" " + text)}'
                              f"</w:p></w:footnote>" for number, text in notes.items())
            target.writestr("word/footnotes.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}>'
                            f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
                            f"</w:footnote>{entries}</w:footnotes>")
    template.unlink()
    return path


def read(path: Path):
    return read_document(path, path.parent)


def test_tracked_changes_read_as_accepted(tmp_path):
    path = write_docx_xml(tmp_path / "wijziging.docx", [
        run("De subsidie bedraagt ")
        + '<w:del w:id="1" w:author="Jan"><w:r><w:delText>vijfhonderd</w:delText></w:r></w:del>'
        + f'<w:ins w:id="2" w:author="Jan">{run("achthonderd")}</w:ins>'
        + run(" euro per woning."),
    ])
    assert read(path).text == "De subsidie bedraagt achthonderd euro per woning."


def test_a_footnote_is_a_passage_of_its_own_linked_to_its_sentence(tmp_path):
    path = write_docx_xml(tmp_path / "regeling.docx", [
        run("De regeling geldt voor iedereen. De subsidie bedraagt achthonderd euro per woning")
        + note_reference(7) + run(". Aanvragen kan tot eind 2027."),
        run("Een tweede alinea zonder voetnoot, over iets anders dan de regeling."),
    ], notes={7: "Alleen voor woningen gebouwd voor 1992."})
    chunks = chunk_document(read(path))
    (note,) = [c for c in chunks if c.kind == "footnote"]
    # Word numbers notes in order of reference, whatever their ids.
    assert note.text == "1 Alleen voor woningen gebouwd voor 1992."
    assert note.context == "De subsidie bedraagt achthonderd euro per woning."
    body = " ".join(c.text for c in chunks if c.kind != "footnote")
    assert "footnoteRef" not in body and "1992" not in body
    assert "De subsidie bedraagt achthonderd euro per woning. Aanvragen kan tot eind 2027." in body


def test_a_table_of_data_is_read_row_by_row_with_its_header(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("De posten van de veiligheidsregio in 2024.")
    table = document.add_table(rows=4, cols=3)
    table.cell(1, 0).merge(table.cell(1, 2))
    for r, row in enumerate([["Post", "Voertuigen", "Vrijwilligers"], ["Twente-Noord", None, None],
                             ["Hengelo", "4", "38"], ["Almelo", "3", ""]]):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = value
    table.cell(3, 2).paragraphs[0].text = "41"
    table.cell(3, 2).add_paragraph("(waarvan 6 in opleiding)")  # a cell of two paragraphs
    document.add_paragraph("Na de tabel volgt de conclusie van de regio.")
    document.save(tmp_path / "posten.docx")
    assert read(tmp_path / "posten.docx").text.split("\n\n") == [
        "De posten van de veiligheidsregio in 2024.",
        "Twente-Noord",  # one cell across the table: a group's name, no column's value
        "Post: Hengelo; Voertuigen: 4; Vrijwilligers: 38",
        "Post: Almelo; Voertuigen: 3; Vrijwilligers: 41 (waarvan 6 in opleiding)",
        "Na de tabel volgt de conclusie van de regio.",
    ]


def test_a_table_used_for_layout_keeps_its_paragraphs(tmp_path):
    import docx

    long_text = "Deze kolom bevat doorlopende tekst over het beleid van de gemeente. " * 6
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Links"
    table.cell(0, 1).text = "Rechts"
    table.cell(1, 0).text = long_text.strip()
    table.cell(1, 1).text = "Korte tekst."
    document.save(tmp_path / "opmaak.docx")
    assert read(tmp_path / "opmaak.docx").text.split("\n\n") == ["Links", "Rechts", long_text.strip(), "Korte tekst."]


def test_a_manual_line_break_keeps_the_paragraph_whole(tmp_path):
    path = write_docx_xml(tmp_path / "contact.docx", [
        run("Contact: Mantelzorglijn, telefoon 030-760 60 55.") + "<w:r><w:br/></w:r>"
        + run("Bereikbaar op werkdagen van 9.00 tot 17.00 uur."),
        run("De staatssecretaris van Volksgezondheid, Welzijn en Sport."),
    ])
    doc = read(path)
    assert doc.text.split("\n\n")[0] == ("Contact: Mantelzorglijn, telefoon 030-760 60 55. "
                                         "Bereikbaar op werkdagen van 9.00 tot 17.00 uur.")
    assert any("Mantelzorglijn" in c.text and "werkdagen" in c.text for c in chunk_document(doc))


def test_a_letters_subject_is_its_title_and_its_addressee_heads_nothing(tmp_path):
    import docx

    document = docx.Document()
    for line in ("De Voorzitter van de Tweede Kamer der Staten-Generaal", "Postbus 20018", "2500 EA  DEN HAAG",
                 "Datum\t3 juni 2026", "Betreft\tVoortgang sanering asbestdaken op scholen", "Ons kenmerk\tOCW/2026-5521",
                 "Geachte voorzitter,"):
        document.add_paragraph(line)
    document.add_paragraph("Met deze brief informeer ik uw Kamer over de voortgang van de sanering van asbestdaken "
                           "op scholen, zoals toegezegd in het commissiedebat.")
    document.add_heading("Resultaten van de inventarisatie", level=1)
    document.add_paragraph("In 2025 is 86.000 m² aan daken op 214 scholen onderzocht; op 37 scholen moet het dak "
                           "worden gesaneerd.")
    document.save(tmp_path / "brief.docx")
    doc = read(tmp_path / "brief.docx")
    assert doc.title == "Voortgang sanering asbestdaken op scholen"  # not its first heading
    found = chunk_document(doc)
    assert not any((c.heading or "").startswith("De Voorzitter") for c in found)
    assert any("86.000 m² aan daken" in c.text for c in found)  # a unit's power is no footnote marker

"""Paragraph reconstruction and chunking on the real seed documents."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunker import CHUNKER_VERSION, approx_tokens, chunk_document, is_reference_only
from index.paragraphs import guess_title, reconstruct
from index.types import Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NAMES = {
    "000": "000_d31a0db93372aa9b.txt",
    "001": "001_ab8a111fa1afc862.txt",
    "002": "002_0af740f7ea07aefe.txt",
    "003": "003_b0a5a191aaa9f90d.txt",
    "004": "004_4a6563aa008f8ac9.txt",
}
SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@lru_cache(maxsize=None)
def doc(key: str) -> Document:
    name = NAMES[key]
    text = (SEEDS / name).read_text(encoding="utf-8")
    return Document(doc_id=name, title=guess_title(text), text=text, kind="txt")


@lru_cache(maxsize=None)
def chunks(key: str):
    return chunk_document(doc(key))


def find(key: str, needle: str):
    hits = [c for c in chunks(key) if needle in c.text]
    assert hits, f"no chunk of {key} contains {needle!r}"
    return hits


def line_of(key: str, needle: str) -> int:
    for no, line in enumerate(doc(key).text.splitlines(), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


def span_words(text: str) -> str:
    """Source span normalised like chunk text: hyphenation undone, footnote references and Markdown
    escapes ("\\_") removed, spaces.

    The references go after the hyphenation: "verbe-" + "[footnoteRef:3]teren" is one word in a chunk.
    """
    t = text.translate(SUP)
    t = re.sub(r"-[ \t]*\n\s*", "", t)
    t = re.sub(r"\[footnoteRef:\d+\]|\\(?=[()\[\]*_#])", "", t)
    return " ".join(t.split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.translate(SUP))


def assert_maps_back(d: Document, c) -> None:
    assert 0 <= c.start < c.end <= len(d.text)
    span = span_words(d.text[c.start : c.end])
    for w in words(c.text):
        assert w in span, (w, c.text[:80])
    # the chunk starts and ends on its own first and last characters
    assert d.text[c.start].translate(SUP) == c.text[0]
    assert c.line_start == d.line_at(c.start) and c.line_end == d.line_at(c.end - 1)


def test_version_is_a_string():
    assert isinstance(CHUNKER_VERSION, str) and CHUNKER_VERSION


@pytest.mark.parametrize("key", sorted(NAMES))
def test_every_chunk_maps_back_and_paragraphs_count_up(key):
    d = doc(key)
    cs = chunks(key)
    assert cs
    nums = [c.paragraph for c in cs]
    assert nums[0] == 1
    assert all(b - a in (0, 1) for a, b in zip(nums, nums[1:]))
    for c in cs:
        assert c.doc_id == d.doc_id and c.title == d.title
        assert c.text == " ".join(c.text.split())
        assert_maps_back(d, c)
    # chunks come in document order
    assert [c.start for c in cs] == sorted(c.start for c in cs) or key == "000"


def test_000_paragraph_is_one_chunk_with_heading():
    (c,) = find("000", "Door de aangekondigde bezuinigingen op de sociale zekerheid")
    assert c.text.startswith("Door de aangekondigde bezuinigingen op de sociale zekerheid in het coalitieakkoord")
    assert "dakloosheid te bestrijden die veroorzaakt worden door bezuinigingen op de sociale zekerheid." in c.text
    assert "De WW-duur wordt fors verkort" in c.text  # real hyphen kept
    assert "door inkomensverlies, groeiende armoede" in c.text  # footnote marker removed
    assert c.heading == "Voorkom bestaansonzekerheid en schrap aangekondigde bezuinigingen sociale zekerheid"
    assert c.line_start == 15 and c.line_end == 38


def test_000_paragraph_continues_across_footnote_block():
    (c,) = find("000", "Het aantal dakloze mensen is de afgelopen jaren alarmerend gestegen")
    assert "jongeren en vrouwen met kinderen. Steeds meer dakloze mensen" in c.text
    assert c.text.endswith("pleit voor afschaffing.")
    assert "Zo duwt" not in c.text


def test_000_footnote_is_its_own_chunk_on_its_line():
    (c,) = find("000", "Dakloosheid in Nederland: tellen en handelen!")
    assert c.text == "4 Dakloosheid in Nederland: tellen en handelen! - Vereniging Valente"
    n = line_of("000", "Dakloosheid in Nederland: tellen en handelen!")
    assert c.line_start <= n <= c.line_end


def test_footnote_chunk_knows_the_body_sentence_that_carries_its_marker():
    (note,) = find("000", "Dakloosheid in Nederland: tellen en handelen!")
    assert note.kind == "footnote"
    (body,) = find("000", "Het aantal dakloze mensen is de afgelopen jaren alarmerend gestegen")
    assert body.kind == "paragraph"
    # marker "tellingen4" sits in the second sentence of that paragraph
    assert note.context is not None and note.context.startswith("ETHOS-tellingen leggen daarnaast")
    assert note.context in body.text


def test_an_inline_note_gets_the_sentence_of_its_footnote_ref():
    d = Document(doc_id="brief.txt", title="Brief", kind="txt", text=(
        "De regeling loopt af in 2027.[footnoteRef:1] Daarna volgt een evaluatie door het ministerie. "
        "[1:  Kamerstuk 36 123, nr. 4, over de afbouw van de regeling en de evaluatie daarna. ]\n"))
    (note,) = [c for c in chunk_document(d) if c.kind == "footnote"]
    assert note.context == "De regeling loopt af in 2027."


def test_a_short_footnote_never_joins_a_body_paragraph():
    d = Document(doc_id="brief.txt", title="Brief", kind="txt", text=(
        "Het aantal meldingen is vorig jaar sterk gestegen³, vooral in de grote steden van het land.\n"
        "³ Bron: CBS 2025\n"))
    cs = chunk_document(d)
    assert [c.kind for c in cs] == ["paragraph", "footnote"]
    assert "CBS" not in cs[0].text


def test_a_passage_of_only_links_is_a_reference_and_other_text_is_not():
    assert is_reference_only("6 https://open.overheid.nl/documenten/1ebcf3ba/file")
    assert is_reference_only("Zie https://www.rijksoverheid.nl/onderwerpen en mailto:info@example.nl")
    assert is_reference_only("info@gemeente.nl www.gemeente.nl")
    assert not is_reference_only("Meer informatie over de regeling staat op www.regeling.nl voor alle gemeenten.")
    assert not is_reference_only("4 Dakloosheid in Nederland: tellen en handelen! - Vereniging Valente")
    assert not is_reference_only("Het kabinet verhoogt de huurtoeslag met 20 euro per maand.")
    (links,) = [c for c in chunks("000") if "mailto:" in c.text]
    assert links.kind == "reference"


def test_000_short_bullet_list_stays_with_its_lead_in():
    (c,) = find("000", "Onze oproep:")
    assert "Voorkom bestaansonzekerheid en schrap aangekondigde bezuinigingen sociale zekerheid" in c.text
    assert "Voer maatregelen voorkoming misstanden bij arbeidsmigratie uit met hoge prioriteit" in c.text


def test_001_letter_paragraphs_and_footnotes():
    (c,) = find("001", "Arbeidsmigranten hebben recht op medisch noodzakelijke zorg")
    assert c.heading == "Waarborg medische noodzakelijke zorg voor arbeidsmigranten"
    assert "komt daardoor laat tot stand. Dat leidt" in c.text  # superscript marker dropped
    (fn,) = find("001", "Lees bijv. dit interview met een straatdokter")
    assert fn.text == "4 Lees bijv. dit interview met een straatdokter."
    assert doc("001").title == "Commissiedebat Arbeidsmigratie"


def test_002_footnote_refs_removed_and_inline_notes_split_off():
    (c,) = find("002", "Daarom voert dit kabinet de aanbevelingen")
    assert "footnoteRef" not in c.text and "[1:" not in c.text
    assert c.text.endswith("medeoverheden en andere stakeholders.")
    (fn,) = find("002", "Kamerstukken 29 861, nr. 167")
    assert fn.text.startswith("4 Kamerstukken 29 861, nr. 167")
    (h,) = find("002", "Het wetsvoorstel ‘Versterking regie volkshuisvesting’")
    assert h.heading == "Huisvesting en aanpak dakloze arbeidsmigranten"


def test_003_wrapped_paragraphs_hyphens_and_blank_lines():
    (c,) = find("003", "Dankzij alle hardwerkende en ondernemende Nederlanders")
    assert "onvoldoende werk- en inkomenszekerheid en werken loont onvoldoende" in c.text
    assert c.text.endswith("(langdurig) bijstandsgerechtigden.")
    assert c.heading == "Wat is het overkoepelende maatschappelijke probleem?"
    # a blank line inside a sentence does not split the paragraph
    (c,) = find("003", "Ook weten mensen vaak pas achteraf of ze geld mogen houden.")
    assert c.text.startswith("Ook komen te veel mensen in de problemen door armoede en schulden.")
    # hyphenated line breaks are joined; real hyphens kept
    find("003", "via gemeenschappelijke loketten en gegevensdeling")
    find("003", "terugvorderingen en niet-gebruik af")
    find("003", "de bestendige en vereenvoudigde huurtoeslag")
    find("003", "motie Bikker/Eerdmans gevraagd")
    find("003", "het beleid om (kinder)armoede aan te pakken verbetert")
    # a page break in mid-sentence does not split the paragraph
    find("003", "het doorgeschoten beroep op flexibele contractvormen terugdringen")


def test_003_bullets_come_out_as_units():
    (c,) = find("003", "De menselijke maat staat voorop.")
    assert c.kind == "bullet"
    assert c.text.startswith("De menselijke maat staat voorop.") and c.text.endswith("bij wijze van sluitstuk.")
    assert c.heading.endswith("Bij de hervorming vinden we het volgende belangrijk:")
    (c,) = find("003", "We richten ons op:")
    assert "• Werkzekerheid • Inkomenszekerheid" in c.text


def test_003_headings():
    (c,) = find("003", "Werk is de basis van bestaanszekerheid.")
    assert c.heading == "Werkzekerheid"
    (c,) = find("003", "Het kabinet wil dat mensen meer te besteden krijgen.")
    assert c.heading == "Inkomenszekerheid › Versteviging koopkracht en brede aanpak van armoede en schulden"


def test_004_paragraphs_carry_the_article_title():
    (c,) = find("004", "De rekentool is niet zomaar online beschikbaar.")
    assert c.heading == "01. Rotterdamse rekentool toont het voordeel van werken › Via de werkcoach"
    (c,) = find("004", "Met de plannen van de nieuwe coalitie dreigt een toename van armoede")
    assert c.heading == "02. Branchevereniging voorziet toename schulden door coalitieplannen"
    for c in chunks("004"):
        assert c.heading and re.match(r"\d\d\. ", c.heading), c.text[:60]
    # a paragraph broken by a blank line mid-sentence is whole again
    find("004", "De gemeente verwijst daarbij onder andere naar onderzoek van de Erasmus Universiteit waaruit blijkt")
    assert doc("004").title.lower().startswith("knipselkrant")


def test_long_paragraph_is_split_at_sentences_within_max_tokens():
    d = doc("003")
    small = chunk_document(d, max_tokens=60)
    pieces = [c for c in small if "Dankzij alle hardwerkende" in c.text]
    assert len(pieces) == 1
    para = pieces[0].paragraph
    same = [c for c in small if c.paragraph == para]
    assert len(same) > 2
    for c in small:
        assert approx_tokens(c.text) <= 60
        assert_maps_back(d, c)
    # pieces end on sentence ends
    for c in same[:-1]:
        assert c.text[-1] in ".?!"
    nums = sorted({c.paragraph for c in small})
    assert nums == list(range(1, len(nums) + 1))


def test_custom_token_counter():
    d = doc("002")
    cs = chunk_document(d, max_tokens=25, count_tokens=lambda t: len(t.split()))
    assert all(len(c.text.split()) <= 25 for c in cs)


def test_markdown_headings_and_bullets():
    text = "# Titel\n\nEen inleidende alinea met genoeg woorden om op zichzelf te staan.\n\n## Sectie twee\n\n- Eerste punt met een flink aantal woorden erin voor de test\n- Tweede punt met ook een flink aantal woorden erin voor de test\n"
    paras = reconstruct(text)
    assert [p.kind for p in paras] == ["heading", "paragraph", "heading", "bullet", "bullet"]
    assert paras[3].heading == "Titel › Sectie twee" and paras[3].text.startswith("Eerste punt")
    d = Document("x.md", guess_title(text), text, "md")
    assert d.title == "Titel"
    cs = chunk_document(d)
    assert [c.paragraph for c in cs] == [1, 2, 3]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                list("abcdeXYZ019 .,:;-•–\n\t[]()#*/'’¹²")
                + ["[footnoteRef:1]", "[1: x y]", "\n\n", "verbe-\nteren", "01. ", "1 ", "Wet ", "de ", "(#)"]
            ),
            max_size=150,
        ).map("".join),
    )
)
def test_property_any_text(text):
    d = Document("p.txt", "p", text, "txt")
    for c in chunk_document(d, max_tokens=40):
        assert 0 <= c.start < c.end <= len(text)
        span = span_words(text[c.start : c.end])
        for w in words(c.text):
            assert w in span
        assert 1 <= c.line_start <= c.line_end


def test_chunks_of_a_scanned_page_say_they_were_read_by_ocr():
    from index.readers.pdf import PdfDocument

    page1 = "Het college besluit de subsidie voor het buurthuis met een jaar te verlengen.\n\n"
    page2 = "De gemeenteraad wordt in maart geïnformeerd over de kosten van de verlenging."
    d = PdfDocument(doc_id="brief.pdf", title="Brief", text=page1 + page2, kind="pdf",
                    page_starts=(0, len(page1)), ocr_pages=(2,))
    cs = chunk_document(d)
    assert [(c.page, c.page_end, c.ocr) for c in cs] == [(1, 1, False), (2, 2, True)]


def test_short_lines_right_before_an_explicit_heading_are_content_not_headings():
    # An address of <br> lines in an HTML page: short, unpunctuated, as headings are; but the next
    # thing is a heading of the page itself, so they head nothing and must be passages.
    text = ("# Contact\n\nHeeft u een vraag over uw toeslag? Schrijf ons dan een brief.\n\n## Postadres\n\n"
            "Dienst Toeslagen\nPostbus 8140\n6710 AC Ede\n\n## Bezoekadres\n\nKantoor Utrecht\n\n"
            "Laan van Puntenburg 2a\n3511 ER Utrecht\n\n## Openingstijden\n\nMaandag t/m vrijdag\n9.00 - 17.00 uur")
    found = chunk_document(Document(doc_id="contact.html", title="Contact", text=text, kind="html"))
    passages = " ".join(c.text for c in found)
    for line in ("Dienst Toeslagen", "Postbus 8140", "6710 AC Ede", "Kantoor Utrecht", "3511 ER Utrecht"):
        assert line in passages
    address = next(c for c in found if "Postbus 8140" in c.text)
    assert address.heading == "Contact › Postadres"


def test_a_markdown_code_block_is_text_and_heads_nothing():
    text = ("# Notitie\n\n## Bijlage\n\nDe cijfers zijn berekend met het volgende script:\n\n"
            "```python\n# Let op: dit is code\n- geen lijst\nprint(1)\n```\n\n"
            "Wethouder Van der Berg presenteert de notitie op 12 maart aan de gemeenteraad.")
    found = chunk_document(Document(doc_id="notitie.md", title="Notitie", text=text, kind="md"))
    assert all(c.heading == "Notitie › Bijlage" for c in found)
    assert any("# Let op: dit is code" in c.text for c in found)


def test_a_footnote_belongs_to_the_sentence_its_superscript_follows_not_to_a_section_number():
    text = ("Volgens de minister gaat de regeling in na de evaluatie van art. 3.1 van de wet. "
            "De huisvesting blijft een knelpunt.¹\n\n"
            "Het kabinet neemt maatregelen om de huisvesting van arbeidsmigranten te verbeteren.\n\n"
            "¹ Zie het advies van het Aanjaagteam Bescherming Arbeidsmigranten van 30 oktober 2020.")
    found = chunk_document(Document(doc_id="brief.pdf", title="Brief", text=text, kind="pdf"))
    [note] = [c for c in found if c.kind == "footnote"]
    assert note.context == "De huisvesting blijft een knelpunt."


def test_a_name_hyphenated_at_a_line_end_keeps_its_hyphen_without_a_space():
    text = ("Sinds 1 januari 2026 werken de provincies Zeeland, Limburg en Noord-\n"
            "Brabant samen aan een plan voor 4.500 extra banen in de zorg, met hulp uit Oost-\n"
            "Europa en met steun van de sociaal-\neconomische raad.\n")
    [chunk] = chunk_document(Document(doc_id="zorg.txt", title="Zorg", text=text, kind="txt"))
    assert "Noord-Brabant samen" in chunk.text and "Oost-Europa" in chunk.text
    assert "sociaal-economische" in chunk.text or "sociaaleconomische" in chunk.text


def test_a_dash_that_wrapping_put_first_on_a_line_is_no_list_item():
    import textwrap

    body = ("Verslag van de vergadering van de adviesraad, gehouden op woensdag 21 januari 2026 in het stadhuis "
            "van Groningen. Aanwezig waren negen leden van de raad en twee ambtenaren van de gemeente.\n\n"
            "Drie gemeenten in de regio hebben hun wachtlijsten inmiddels weggewerkt - Groningen, Assen en "
            "Emmen - en zij delen hun aanpak met de andere gemeenten in de regio, zodat ook daar de wachttijd "
            "voor een gesprek over ondersteuning korter wordt dan de wettelijke norm van zes weken.\n\n"
            "De adviesraad vraagt het college om per kwartaal te rapporteren over de wachttijden in de Wmo, "
            "zodat de raad tijdig kan bijsturen als de wachttijden weer oplopen boven de norm.\n\n"
            "Het kabinet neemt de volgende maatregelen:\n- Meer consulenten in de regio.\n- Een landelijke monitor.")
    text = "\n\n".join(textwrap.fill(part, 72) if not part.startswith("Het kabinet") else part
                       for part in body.split("\n\n"))
    assert "\n- Groningen" in text  # the wrapping put the dash first on a line
    found = chunk_document(Document(doc_id="verslag.txt", title="Verslag", text=text, kind="txt"))
    whole = next(c for c in found if "Groningen, Assen" in c.text)
    assert "weggewerkt - Groningen, Assen en Emmen - en zij delen" in whole.text
    assert whole.heading is None and all(c.heading != "Drie gemeenten in de regio" for c in found)
    assert any(c.text.startswith("Meer consulenten") or "Meer consulenten" in c.text for c in found)


def test_a_markdown_link_whose_address_holds_brackets_leaves_only_its_text():
    text = "Zie [de wiki over Gouda](https://nl.wikipedia.org/wiki/Gouda_(kaas)) voor meer over de kaas van de stad."
    [chunk] = chunk_document(Document(doc_id="kaas.md", title="Kaas", text=text, kind="md"))
    assert chunk.text == "Zie de wiki over Gouda voor meer over de kaas van de stad."


def test_a_markdown_table_is_read_row_by_row_with_its_header_naming_each_cell():
    text = ("# Meldingen\n\nDe gemeente telde in 2024 meer meldingen van overlast dan in enig jaar daarvoor.\n"
            "| Jaar | Meldingen | *Opgelost* |\n|------|----------:|:---:|\n| 2023 | 1.204 | 1.100 |\n"
            "| 2024 | 1.530 | 1.415 |\n\nWijk | Aantal meldingen | Aantal opgelost\n--- | --- | ---\nNoord | 412 | 398\n\n"
            "Voorbeeld van de invoer in het registratiesysteem van de afdeling:\n\n"
            "```\n| code | blijft | code |\n|------|--------|------|\n```\n")
    d = Document(doc_id="meldingen.md", title="Meldingen", text=text, kind="md")
    found = chunk_document(d)
    texts = [c.text for c in found]
    assert texts[:4] == [
        "De gemeente telde in 2024 meer meldingen van overlast dan in enig jaar daarvoor.",
        "Jaar: 2023; Meldingen: 1.204; Opgelost: 1.100",
        "Jaar: 2024; Meldingen: 1.530; Opgelost: 1.415",
        "Wijk: Noord; Aantal meldingen: 412; Aantal opgelost: 398",  # a table without outer pipes
    ]
    assert (found[2].line_start, found[2].line_end) == (4, 7)  # from its header to its own line
    assert "| code | blijft | code |" in texts[-1]  # in a code block, a table is code
    for c in found:
        assert_maps_back(d, c)


def test_markdown_markup_never_reaches_a_passage():
    text = ("# Notitie fietsparkeren\n\n**Gemeente Deventer** · Team Verkeer · 12 mei 2026\n\n---\n\n"
            "## Doelen\n\n* In 2028 staan er **2.300 overdekte stallingplekken** in de binnenstad.\n"
            "* Na een melding wordt een weesfiets binnen ***vier weken*** verwijderd.\n\n"
            "Op 1 maart 2026 stonden er 6.140 fietsen in de stallingen.[^1]\n\n"
            "> Let op: een fiets buiten de vakken parkeren kost € 35 per keer.\n\n"
            "=====\n\n— 2 —\n\n"
            "[^1]: Bron: telling van team Verkeer op 1 maart 2026, in alle bewaakte stallingen.\n")
    found = chunk_document(Document(doc_id="notitie.md", title="Notitie fietsparkeren", text=text, kind="md"))
    by_kind = {(c.kind, c.text) for c in found}
    assert ("paragraph", "Gemeente Deventer · Team Verkeer · 12 mei 2026") in by_kind
    assert ("bullet", "In 2028 staan er 2.300 overdekte stallingplekken in de binnenstad.") in by_kind
    assert ("bullet", "Na een melding wordt een weesfiets binnen vier weken verwijderd.") in by_kind
    assert ("paragraph", "Let op: een fiets buiten de vakken parkeren kost € 35 per keer.") in by_kind
    [note] = [c for c in found if c.kind == "footnote"]
    assert note.text == "1 Bron: telling van team Verkeer op 1 maart 2026, in alle bewaakte stallingen."
    assert note.context == "Op 1 maart 2026 stonden er 6.140 fietsen in de stallingen."
    for c in found:
        assert not any(mark in c.text for mark in ("*", "---", "[^", "=====", "— 2 —", "> "))


@pytest.mark.parametrize("text, title", [
    ("Retouradres Postbus 20011\n\nBetreft\nVoortgang verduurzaming rijksgebouwen\n\nGeachte voorzitter,", "Voortgang verduurzaming rijksgebouwen"),
    ("Datum 9 april 2026 Betreft Voortgang verduurzaming rijksgebouwen\n\nGeachte voorzitter,", "Voortgang verduurzaming rijksgebouwen"),
    ("Onderwerp: Subsidie buurthuis 2026\n\nGeachte heer Jansen,", "Subsidie buurthuis 2026"),
    ("Onderwerp\tOns kenmerk\nSubsidie buurthuis\t2026-118\n\nGeachte heer Jansen,", "Subsidie buurthuis"),
])
def test_a_letters_subject_line_is_its_title(text, title):
    assert guess_title(text) == title


def test_a_sentence_opening_with_betreft_is_no_subject():
    assert guess_title("Aanvraag bijzondere bijstand\n\nBetreft het een eerste aanvraag, dan volgt een gesprek.") \
        == "Aanvraag bijzondere bijstand"


def test_list_items_that_go_on_a_lead_in_are_items_whatever_their_first_letter():
    # As the HTML reader writes a <ul> after "... als u:"; the items go on the lead-in's sentence.
    text = ("# Meedoenregeling\n\nU kunt de regeling krijgen als u:\n\n"
            "- in de gemeente Zutphen woont, ook in een van de kernen;\n\n- 18 jaar of ouder bent;\n\n"
            "- een inkomen heeft van niet meer dan 130% van het sociaal minimum.\n\n"
            "Voor een gezin is dat maximaal € 2.410 netto per maand.")
    found = chunk_document(Document(doc_id="faq.html", title="Meedoenregeling", text=text, kind="html"))
    assert [c.text for c in found] == [
        "U kunt de regeling krijgen als u: - in de gemeente Zutphen woont, ook in een van de kernen; "
        "- 18 jaar of ouder bent; - een inkomen heeft van niet meer dan 130% van het sociaal minimum.",
        "Voor een gezin is dat maximaal € 2.410 netto per maand.",
    ]


def test_a_tables_caption_heads_no_text_and_joins_the_table():
    text = ("# Jaarverslag\n\n## Resultaten\n\nDe gemeente haalde in 2024 de meeste doelen voor afval en energie.\n\n"
            "Tabel 6.1 Kernindicatoren programma 6\n\n"
            "Indicator: Grofvuil per inwoner (kg); 2024: 41; 2025: 38; Doel: 30\n\n"
            "De hoeveelheid grofvuil per inwoner daalde in 2025 naar 38 kilo door de ophaaldienst op afspraak.")
    found = chunk_document(Document(doc_id="jaarverslag.md", title="Jaarverslag", text=text, kind="md"))
    assert all(c.heading == "Jaarverslag › Resultaten" for c in found)
    assert [c.text for c in found][1] == ("Tabel 6.1 Kernindicatoren programma 6 "
                                         "Indicator: Grofvuil per inwoner (kg); 2024: 41; 2025: 38; Doel: 30")


def test_a_long_lists_items_are_headed_by_the_sentence_that_leads_into_them():
    item = ("- {} leidingen worden in 2026 vervangen door de eigenaar van het gebouw, met een bijdrage van het Rijk "
            "voor scholen en kinderopvang die dat zelf niet kunnen betalen.")
    text = ("# Maatregelen\n\nSamen met de GGD en de PO-Raad heb ik de resultaten besproken. Ik neem daarom de "
            "volgende maatregelen:\n\n" + "\n".join(item.format(kind) for kind in ("Loden", "Koperen", "Oude")))
    found = chunk_document(Document(doc_id="brief.docx", title="Brief", text=text, kind="docx"))
    items = [c for c in found if c.kind == "bullet"]
    assert len(items) == 3
    assert all(c.heading == "Maatregelen › Ik neem daarom de volgende maatregelen:" for c in items)

"""Dutch sentence splitting (Punkt with the shipped Dutch model)."""

from __future__ import annotations

from pathlib import Path

from index.sentences import sentence_spans, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_basic_split():
    assert split_sentences("Dat is heel belangrijk. Wij dringen erop aan. Klopt dat?") == [
        "Dat is heel belangrijk.",
        "Wij dringen erop aan.",
        "Klopt dat?",
    ]


def test_abbreviations_do_not_end_sentences():
    text = (
        "Dit geldt o.a. voor gemeenten, bijv. Delft. "
        "De brief t.a.v. de vaste Kamercommissie kwam m.b.t. de WW, d.w.z. de duur. "
        "Dhr. Jansen en mevr. De Vries spraken met mr. Choukeri. "
        "Zie art. 110 Vw en Kamerstukken 29 861, nr. 167. "
        "Op 30 oktober jl. is de brief verstuurd."
    )
    assert split_sentences(text) == [
        "Dit geldt o.a. voor gemeenten, bijv. Delft.",
        "De brief t.a.v. de vaste Kamercommissie kwam m.b.t. de WW, d.w.z. de duur.",
        "Dhr. Jansen en mevr. De Vries spraken met mr. Choukeri.",
        "Zie art. 110 Vw en Kamerstukken 29 861, nr. 167.",
        "Op 30 oktober jl. is de brief verstuurd.",
    ]


def test_enumerator_stays_with_its_sentence():
    assert split_sentences("1. Het kabinet wil de kwaliteit van werk verhogen. Lange tijd niet.") == [
        "1. Het kabinet wil de kwaliteit van werk verhogen.",
        "Lange tijd niet.",
    ]


def test_spans_index_the_input_exactly():
    text = "  Eerste zin.\n\nTweede   zin staat hier!  Derde?  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Eerste zin.", "Tweede   zin staat hier!", "Derde?"]
    assert sentence_spans("") == [] and sentence_spans("   \n") == []


def test_real_paragraph_from_seed():
    text = (SEEDS / "002_0af740f7ea07aefe.txt").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("De Wtta is") or "De Wtta is op 15 april jl." in ln)
    sents = split_sentences(line)
    # "jl." (jongstleden) does not end the sentence, twice.
    assert any(s.startswith("De Wtta is op 15 april jl. aangenomen in de Tweede Kamer en op")
               and s.endswith("jl. aangenomen in de Eerste Kamer.") for s in sents)
    assert "Een belangrijke mijlpaal." in sents
    for s, e in sentence_spans(line):
        assert line[s:e] == line[s:e].strip() and line[s:e]


def test_initials_titles_and_abbreviations_do_not_end_a_sentence():
    cases = [
        "De minister van Sociale Zaken en Werkgelegenheid, M.L.J. Paul",
        "Het rapport van prof. dr. A.B. de Wit en drs. K. Bakker verscheen gisteren.",
        "Het gaat o.a. om huur, bijv. Huurtoeslag, en e.d. Voorzieningen.",
        "Het kabinet trekt € 1,2 mld. uit voor de aanpak.",
        "Dat staat in artikel 3.1 van de wet en in art. 4 lid 2.",
        "De brief van 15 jan. 2025 gaat t.a.v. De Nederlandsche Bank over de rente, d.w.z. De hoogte ervan.",
        "Het kost ca. 500 euro per jaar, zie blz. 12 en nr. 4.",
    ]
    for sentence in cases:
        assert split_sentences(sentence) == [sentence]
    assert split_sentences("Hij heet J. de Vries. Zij werkt bij de gemeente.") == [
        "Hij heet J. de Vries.", "Zij werkt bij de gemeente."]


def test_signature_of_a_seed_letter_keeps_the_ministers_name():
    text = (SEEDS / "002_0af740f7ea07aefe.txt").read_text(encoding="utf-8")
    signature = " ".join(text.split("De minister van Sociale Zaken en Werkgelegenheid,")[1].split()[:2])
    sentence = f"De minister van Sociale Zaken en Werkgelegenheid, {signature}"
    assert split_sentences(sentence) == [sentence]


def test_numbered_items_inside_a_sentence_stay_in_it():
    """A seed's list "1. ..., 2. ..., en 3. ..." is one sentence; no item number ends one."""
    text = (SEEDS / "004_4a6563aa008f8ac9.txt").read_text(encoding="utf-8")
    lines = text.split("1. Het moet gaan om een goed in natura,")[1].split("\n\n")[0]
    items = " ".join(f"1. Het moet gaan om een goed in natura,{lines}".split())
    assert items.count(". ") >= 2  # the items as the seed numbers them
    assert split_sentences(items) == [items]
    assert split_sentences("Het aantal stijgt van 6 naar 17. De steden bereiden zich voor.") == [
        "Het aantal stijgt van 6 naar 17.", "De steden bereiden zich voor."]
    assert split_sentences("Er zijn twee eisen: 1) een woning, en 2) een inkomen. Dat is alles.") == [
        "Er zijn twee eisen: 1) een woning, en 2) een inkomen.", "Dat is alles."]

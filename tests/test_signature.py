"""Who signed a letter: the letter's signature answers, quoted word for word (qa.signature).

The corpus is two letters and a news article, written here: a signature is
the last thing in a letter and shares no word with "ondertekend", so before
it was never found.
"""

from __future__ import annotations

import pytest

from index.backends.local import open_index
from index.build import build_index
from qa.options import AnswerOptions
from qa.service import Answerer
from qa.signature import asks_for_signer

LETTER = """Aan de gemeenteraad van Zuidhorn

Onderwerp: vervanging van de brug over het Van Starkenborghkanaal

Geachte raadsleden,

Het college wil de brug over het Van Starkenborghkanaal in 2027 vervangen. De huidige brug is te smal voor
landbouwverkeer en de fundering is aangetast. De nieuwe brug krijgt een vrijliggend fietspad.

De kosten worden geraamd op 8,4 miljoen euro, waarvan de provincie Groningen de helft betaalt.

Met vriendelijke groet,

Hendrika Zwiers
burgemeester van Zuidhorn
"""
KAMERBRIEF = """Geachte voorzitter,

Hierbij informeer ik uw Kamer over de voortgang van het programma voor schone binnenvaart. In 2025 zijn
veertig schepen omgebouwd naar elektrische aandrijving, en de havens van Nijmegen en Tiel hebben laadpunten.

Het budget voor de subsidieregeling wordt in 2026 verhoogd tot 30 miljoen euro.

De minister van Infrastructuur en Waterstaat,

R.P.J. Terpstra
"""
ARTICLE = """Nieuwe brug bij Zuidhorn

Door Jan Mulder

De gemeente Zuidhorn vervangt de brug over het kanaal. Bewoners zijn blij dat er een fietspad komt,
maar vrezen overlast tijdens de bouw, die ruim een jaar duurt.
"""


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("brieven")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in (("raadsbrief.txt", LETTER), ("kamerbrief.txt", KAMERBRIEF), ("artikel.txt", ARTICLE)):
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, root / "index", embedder)
    return Answerer(open_index(root / "index"), embedder, AnswerOptions())


@pytest.mark.parametrize("question, signer", [
    ("Wie heeft de brief over de brug over het Van Starkenborghkanaal ondertekend?", "Hendrika Zwiers"),
    ("Wie is de afzender van de brief over de schone binnenvaart?", "R.P.J. Terpstra"),
    ("Wie schreef de brief aan de Kamer over elektrische schepen?", "R.P.J. Terpstra"),
])
def test_who_signed_a_letter_is_answered_by_its_signature(answerer, question, signer):
    answer = answerer.ask(question)
    assert not answer.abstained and signer in answer.text
    assert signer in answer.hits[0].chunk.text  # the signature's passage is listed first


def test_a_letter_of_a_body_the_documents_never_name_gets_no_signature(answerer):
    answer = answerer.ask("Wie heeft de brief van de gemeente Westerkwartier ondertekend?")
    assert "Zwiers" not in answer.text and "Terpstra" not in answer.text


def test_who_wrote_an_article_or_what_a_letter_says_asks_no_signer():
    assert not asks_for_signer("Wie schreef het artikel over de brug?")
    assert not asks_for_signer("Wat schreef de minister in de brief over de binnenvaart?")
    assert asks_for_signer("Wie heeft de raadsbrief ondertekend?")

"""A photo's caption is a paragraph of its own: the text below it does not continue it.

A news page puts a caption under its photo, closed by the photo's credit
("(Foto: ...)", "Beeld: ..."). That line does not end a sentence, and it is
long, so it was read as the first half of the paragraph under it, and the
credit was quoted as the opening of that paragraph's first sentence.
"""

from __future__ import annotations

import pytest

from index.chunker import chunk_document
from index.readers import read_document

CAPTION = ("Het nieuwe zwembad aan de Parklaan krijgt een dak van zonnepanelen en een buitenbad voor de "
           "zomermaanden.")
BODY = ("De gemeenteraad stemde dinsdagavond in met de bouw van het zwembad. Het kost 14 miljoen euro "
        "en moet in de zomer van 2027 open gaan, als het oude bad aan de Dorpsstraat sluit.")


@pytest.mark.parametrize("credit", ["(Foto: Dagblad van het Zuiden / Piet Smit)", "Beeld: Gemeente Veldhoven"])
def test_a_caption_closed_by_its_photo_credit_is_not_glued_to_the_next_paragraph(tmp_path, credit):
    page = tmp_path / "nieuws.html"
    page.write_text(
        "<html><body><article><h1>Zwembad Parklaan gaat door</h1>"
        f"<figure><img src='bad.jpg' alt=''><figcaption>{CAPTION} {credit}</figcaption></figure>"
        f"<p>{BODY}</p></article></body></html>", encoding="utf-8")
    chunks = chunk_document(read_document(page, tmp_path))
    texts = [" ".join(c.text.split()) for c in chunks]
    assert BODY in texts
    assert f"{CAPTION} {credit}" in texts


def test_the_same_in_plain_text(tmp_path):
    clipping = tmp_path / "knipsel.txt"
    clipping.write_text(f"Zwembad Parklaan gaat door\n\n{CAPTION} (Foto: Piet Smit)\n\n{BODY}\n", encoding="utf-8")
    texts = [" ".join(c.text.split()) for c in chunk_document(read_document(clipping, tmp_path))]
    assert BODY in texts

"""Hubness: each passage's mean similarity to its nearest other passages, and what the ranking does with it."""

from __future__ import annotations

import numpy as np

from index.backends import Candidates
from index.backends.hubness import NEIGHBOURS
from index.backends.local import open_index
from index.build import build_index
from qa import retrieval

CLOSING = ("Mocht u vragen hebben over deze brief, neem dan gerust contact op met onze adviseur "
           "via het algemene telefoonnummer.")
TOPICS = {
    "bibliotheek.txt": "De bibliotheek in Oosterveld is vanaf maart op donderdag open tot negen uur 's avonds.",
    "zwembad.txt": "Het buitenbad De Golfslag gaat dit jaar op 1 mei open; een seizoenskaart kost 65 euro.",
    "stalling.txt": "In de fietsenstalling aan het Molenplein stalt u de eerste vierentwintig uur gratis.",
    "markt.txt": "De weekmarkt verhuist in de zomer naar het Stationsplein vanwege werkzaamheden.",
    "afval.txt": "Het oud papier wordt voortaan elke tweede dinsdag van de maand opgehaald.",
}


def test_hubness_is_the_mean_similarity_to_the_nearest_other_passages(seeds_snapshot, embedder):
    everything = seeds_snapshot.all_vectors()
    question = "Hoeveel arbeidsmigranten werken er in Nederland?"
    vector = embedder.encode_queries([question])
    found = seeds_snapshot.search([question], vector, 50)
    assert set(found.hubness) == set(found.ids) and len(found.ids) >= 50
    for chunk_id in found.ids[:20]:
        similarities = everything @ everything[chunk_id]
        similarities[chunk_id] = -np.inf
        expected = np.sort(similarities)[-NEIGHBOURS:].mean()
        assert abs(found.hubness[chunk_id] - expected) < 1e-4
    # Asked again, the same values (computed once, kept with the opened version).
    again = seeds_snapshot.search([question], vector, 50)
    assert again.hubness == found.hubness


def test_a_closing_formula_repeated_in_every_letter_is_a_hub(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TOPICS.items():
        (corpus / name).write_text(f"{text}\n\n{CLOSING}\n", "utf-8")
    build_index(corpus, tmp_path / "index", embedder)
    index = open_index(tmp_path / "index")
    question = "Wanneer is de bibliotheek open?"
    found = index.search([question], embedder.encode_queries([question]), 20)
    closings = [i for i, c in found.chunks.items() if c.text == CLOSING]
    topics = [i for i, c in found.chunks.items() if c.text != CLOSING]
    assert len(closings) == len(TOPICS) and len(topics) == len(TOPICS)
    assert min(found.hubness[i] for i in closings) > max(found.hubness[i] for i in topics)


def test_a_passage_close_to_everything_gives_way_to_one_as_close_to_the_question():
    vectors = np.eye(3, dtype=np.float32)
    query = np.array([[0.86, 0.85, 0.0]], dtype=np.float32)
    found = Candidates(dense=[np.array([0, 1, 2])], lexical=[], ids=[0, 1, 2], vectors=vectors, chunks={},
                       document_ranks={}, coverage=1.0, hubness={0: 0.9, 1: 0.5, 2: 0.5})
    assert retrieval.locally_scaled(found, query)[0].tolist() == [1, 0, 2]
    # Without hubness values (or weight) the backend's order stands.
    plain = Candidates(dense=[np.array([0, 1, 2])], lexical=[], ids=[0, 1, 2], vectors=vectors, chunks={},
                       document_ranks={}, coverage=1.0)
    assert retrieval.locally_scaled(plain, query)[0].tolist() == [0, 1, 2]

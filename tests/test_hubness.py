"""Hubness: each passage's mean similarity to its nearest other passages, and what the ranking does with it."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from index import neighbours
from index.backends import Candidates
from index.backends.local import open_index
from index.build import build_index
from index.neighbours import NEIGHBOURS, hubness, neighbour_scores
from index.types import Chunk
from qa import retrieval
from tests.conftest import SEEDS

CLOSING = ("Mocht u vragen hebben over deze brief, neem dan gerust contact op met onze adviseur "
           "via het algemene telefoonnummer.")
TOPICS = {
    "bibliotheek.txt": "De bibliotheek in Oosterveld is vanaf maart op donderdag open tot negen uur 's avonds.",
    "zwembad.txt": "Het buitenbad De Golfslag gaat dit jaar op 1 mei open; een seizoenskaart kost 65 euro.",
    "stalling.txt": "In de fietsenstalling aan het Molenplein stalt u de eerste vierentwintig uur gratis.",
    "markt.txt": "De weekmarkt verhuist in de zomer naar het Stationsplein vanwege werkzaamheden.",
    "afval.txt": "Het oud papier wordt voortaan elke tweede dinsdag van de maand opgehaald.",
}


def _brute_force(vectors: np.ndarray) -> np.ndarray:
    """Every chunk's NEIGHBOURS best inner products with the others, the plain way."""
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -np.inf)
    return -np.sort(-similarities, axis=1)[:, :NEIGHBOURS]


def test_hubness_is_the_mean_similarity_to_the_nearest_other_passages(seeds_snapshot, embedder):
    everything = seeds_snapshot.all_vectors()
    question = "Hoeveel arbeidsmigranten werken er in Nederland?"
    vector = embedder.encode_queries([question])
    found = seeds_snapshot.search([question], vector, 50)
    assert set(found.hubness) == set(found.ids) and len(found.ids) >= 50
    expected = _brute_force(everything).mean(axis=1)
    for chunk_id in found.ids:
        assert abs(found.hubness[chunk_id] - expected[chunk_id]) < 1e-4
    # Stored with the version at build time: the whole table, row = chunk id.
    assert np.allclose(seeds_snapshot.neighbour_scores(), _brute_force(everything), atol=1e-5)


def test_an_update_corrects_the_neighbours_of_what_it_keeps_as_a_full_build_would(tmp_path, embedder,
                                                                                   monkeypatch):
    """A changed, a removed and an added document: the kept passages' neighbours are corrected, not
    recomputed (a removed passage was among some of their nearest, an added one comes among others')."""
    # Here the change is most of this small corpus; an update corrects rows whatever its share.
    monkeypatch.setattr(neighbours, "UPDATE_SHARE_MAX", 10.0)
    corrections = []
    real_updated = neighbours.updated
    monkeypatch.setattr(neighbours, "updated", lambda *a: corrections.append(1) or real_updated(*a))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt", "002_0af740f7ea07aefe.txt"):
        shutil.copy(SEEDS / name, corpus / name)
    build_index(corpus, tmp_path / "index", embedder)
    before = open_index(tmp_path / "index").neighbour_scores()
    changed = corpus / "001_ab8a111fa1afc862.txt"
    changed.write_text(changed.read_text("utf-8").replace("\n\n", "\n\nZie ook de bijlage.\n\n", 3), "utf-8")
    (corpus / "002_0af740f7ea07aefe.txt").unlink()
    shutil.copy(SEEDS / "003_b0a5a191aaa9f90d.txt", corpus / "003_b0a5a191aaa9f90d.txt")
    report = build_index(corpus, tmp_path / "index", embedder)
    assert corrections == [1]
    assert report.reused_files == ["000_d31a0db93372aa9b.txt"] and report.removed_files == ["002_0af740f7ea07aefe.txt"]
    updated = open_index(tmp_path / "index")
    kept = len(updated.document_chunks("000_d31a0db93372aa9b.txt"))
    scores = updated.neighbour_scores()
    assert np.allclose(scores, _brute_force(updated.all_vectors()), atol=1e-5)
    assert not np.allclose(scores[:kept], before[:kept], atol=1e-5)  # the kept document's rows did change


def test_beyond_the_exact_limit_the_neighbours_come_from_an_inverted_list_index(seeds_snapshot, monkeypatch):
    """A large corpus is compared within its nearest inverted lists; scanning all of them is exact search."""
    vectors = seeds_snapshot.all_vectors()
    monkeypatch.setattr(neighbours, "EXACT_MAX", 10)
    monkeypatch.setattr(neighbours, "IVF_NPROBE", len(vectors))
    assert np.allclose(neighbour_scores(vectors), _brute_force(vectors), atol=1e-5)
    monkeypatch.setattr(neighbours, "IVF_NPROBE", 1)  # one list: a lower bound, row by row
    assert (neighbour_scores(vectors) <= _brute_force(vectors) + 1e-5).all()


def test_copies_of_one_passage_through_the_inverted_lists_are_each_others_neighbours(monkeypatch):
    """k-means over identical vectors gives one list with every row and empty ones: no row is lost."""
    monkeypatch.setattr(neighbours, "EXACT_MAX", 10)
    copies = np.tile(np.eye(8, dtype=np.float32)[0], (500, 1))
    assert (neighbour_scores(copies) == 1.0).all()


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_corpus_with_fewer_passages_than_neighbours_pads_and_means_what_there_is(count):
    vectors = np.eye(4, dtype=np.float32)[:count] * 0.5 + 0.5 / np.sqrt(4)
    scores = neighbour_scores(vectors)
    assert scores.shape == (count, NEIGHBOURS) and np.isinf(scores[:, max(count - 1, 0):]).all()
    expected = [(vectors[i] @ np.delete(vectors, i, 0).T).mean() if count > 1 else 0.0 for i in range(count)]
    assert hubness(scores) == pytest.approx(expected, abs=1e-6)


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
                       coverage=1.0, hubness={0: 0.9, 1: 0.5, 2: 0.5})
    assert retrieval.locally_scaled(found, query)[0].tolist() == [1, 0, 2]
    # Without hubness values (or weight) the backend's order stands.
    plain = Candidates(dense=[np.array([0, 1, 2])], lexical=[], ids=[0, 1, 2], vectors=vectors, chunks={},
                       coverage=1.0)
    assert retrieval.locally_scaled(plain, query)[0].tolist() == [0, 1, 2]


def test_a_document_ranks_by_its_best_passage_less_its_hubness():
    """Document ranks (qa.retrieval.document_ranks): the closest passage decides, not the mean of all.

    Document "lang" has one passage on the question and three on other things; "kort" has two
    passages half way. By centroid, "kort" would come first; by its best passage, "lang" does --
    unless that passage is close to everything (hubness), as the dense ranking judges it too.
    """
    def chunk(doc, n):
        return Chunk(doc_id=doc, title=doc, heading=None, paragraph=n, text=f"{doc} {n}", start=0, end=1,
                     line_start=n, line_end=n)

    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    half = np.array([0.7, 0.71, 0.0], dtype=np.float32)
    vectors = np.stack([query, [0, 0, 1], [0, 0, 1], [0, 0, 1], half, half]).astype(np.float32)
    chunks = {0: chunk("lang", 1), 1: chunk("lang", 2), 2: chunk("lang", 3), 3: chunk("lang", 4),
              4: chunk("kort", 1), 5: chunk("kort", 2)}
    found = Candidates(dense=[np.arange(6)], lexical=[], ids=list(range(6)), vectors=vectors, chunks=chunks,
                       coverage=1.0)
    assert retrieval.document_ranks(found, query) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    found.hubness = {0: 0.9}  # 1.0 - 0.4 × 0.9 = 0.64 < 0.70
    assert retrieval.document_ranks(found, query) == {0: 2, 1: 2, 2: 2, 3: 2, 4: 1, 5: 1}

"""The vector index types on real chunk vectors of the seeds: exactness, recall, choice and files."""

import json

import numpy as np
import pytest

from index import vectors as vector_indexes
from index.build import build_index
from index.errors import IndexCorrupt, VraagbaakError
from index.backends.local import LocalSource, open_index
from index.store import MANIFEST, current_version
from qa.retrieval import Retriever

QUESTIONS = [
    "Hoeveel mensen slapen buiten?",
    "Wat doet het kabinet aan de woningnood?",
    "Welke afspraken zijn er gemaakt met gemeenten?",
    "Hoe lang duurt een procedure?",
]


@pytest.fixture(scope="module")
def real_vectors(seeds_snapshot, embedder):
    return seeds_snapshot.all_vectors(), embedder.encode_queries(QUESTIONS)


def _exact_top(vectors, queries, k):
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("kind", sorted(vector_indexes.KINDS))
def test_every_type_finds_the_exact_neighbours_of_real_questions(real_vectors, kind):
    vectors, queries = real_vectors
    index = vector_indexes.KINDS[kind].build(vectors, {"nprobe": 1024})
    scores, ids = index.search(queries, 10)
    assert ids.shape == (len(QUESTIONS), 10)
    expected = _exact_top(vectors, queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), expected.tolist())])
    assert recall >= 0.95
    # Scores are exact inner products, best first, whatever the type quantized internally.
    np.testing.assert_allclose(scores, np.take_along_axis(queries @ vectors.T, ids, axis=1), rtol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    np.testing.assert_allclose(index.vectors(ids[0][:3]), vectors[ids[0][:3]], rtol=1e-6)


def test_ivf_scans_only_some_lists_when_nprobe_is_small(real_vectors):
    vectors, queries = real_vectors
    index = vector_indexes.KINDS["ivf"].build(vectors, {"nlist": 8, "nprobe": 1})
    narrow = index.search(queries, 10)[1]
    index.tune({"nprobe": 8})
    wide = index.search(queries, 10)[1]
    expected = _exact_top(vectors, queries, 10)
    assert np.array_equal(wide, expected)
    assert not np.array_equal(narrow, expected)


def test_auto_picks_exact_below_the_threshold_and_ivf_above():
    assert vector_indexes.choose_kind(99, "auto", threshold=100) == "flat"
    assert vector_indexes.choose_kind(100, "auto", threshold=100) == "ivf"
    assert vector_indexes.choose_kind(10, "hnsw", threshold=100) == "hnsw"
    with pytest.raises(VraagbaakError, match="vectorindex"):
        vector_indexes.choose_kind(10, "kd-tree")


def test_an_approximate_index_is_recorded_reopened_and_answers_like_exact(small_corpus, tmp_path, embedder):
    exact = build_index(small_corpus, tmp_path / "exact", embedder)
    approximate = build_index(small_corpus, tmp_path / "ann", embedder,
                              source=LocalSource(tmp_path / "ann", ann_threshold=10))
    assert approximate.chunks == exact.chunks > 10

    manifest = json.loads((current_version(tmp_path / "ann") / MANIFEST).read_text())
    assert manifest["vector_index"] == "auto"
    assert manifest["vectors"]["kind"] == "ivf" and manifest["vectors"]["nlist"] >= 1
    assert json.loads((current_version(tmp_path / "exact") / MANIFEST).read_text())["vectors"]["kind"] == "flat"
    snapshot = open_index(tmp_path / "ann")
    assert snapshot.vector_index == "ivf"
    reference = Retriever(open_index(tmp_path / "exact"), embedder)
    retriever = Retriever(snapshot, embedder)
    for question in QUESTIONS:
        got = retriever.search(question, 5)
        want = reference.search(question, 5)
        assert [h.chunk.text for h in got.hits] == [h.chunk.text for h in want.hits]
        assert got.best_dense == pytest.approx(want.best_dense, abs=1e-5)


def test_a_damaged_exact_vector_file_is_reported_not_used(small_corpus, tmp_path, embedder):
    build_index(small_corpus, tmp_path / "idx", embedder, source=LocalSource(tmp_path / "idx", vector_index="ivf"))
    assert json.loads((current_version(tmp_path / "idx") / MANIFEST).read_text())["vector_index"] == "ivf"
    exact_file = current_version(tmp_path / "idx") / vector_indexes.EXACT_FILE
    exact_file.write_bytes(exact_file.read_bytes()[:1000])
    with pytest.raises(IndexCorrupt, match="exacte vectoren"):
        open_index(tmp_path / "idx")


def test_an_unknown_type_stops_the_build_with_a_clear_message(small_corpus, tmp_path, embedder):
    with pytest.raises(VraagbaakError, match="VRAAGBAAK_VECTOR_INDEX"):
        build_index(small_corpus, tmp_path / "idx", embedder,
                    source=LocalSource(tmp_path / "idx", vector_index="kd-tree"))
    assert current_version(tmp_path / "idx") is None


def test_the_vector_index_setting_reaches_the_build(small_corpus, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from web.cli import main

    monkeypatch.setenv("VRAAGBAAK_VECTOR_INDEX", "hnsw")
    result = CliRunner().invoke(main, ["index", str(small_corpus), "--index-dir", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    assert open_index(tmp_path / "idx").vector_index == "hnsw"

    monkeypatch.setenv("VRAAGBAAK_VECTOR_INDEX", "kd-tree")
    result = CliRunner().invoke(main, ["index", str(small_corpus), "--index-dir", str(tmp_path / "other")])
    assert result.exit_code != 0 and "VRAAGBAAK_VECTOR_INDEX" in result.output
    assert current_version(tmp_path / "other") is None

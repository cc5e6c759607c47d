"""qa.eval_index: an index of the evaluation corpus, apart from the served one and reused between runs."""

from __future__ import annotations

from index.backends.local import LocalSource
from index.store import current_version
from qa.eval_index import evaluation_index, evaluation_name


def test_the_evaluation_index_is_kept_apart_per_corpus_and_reused(small_corpus, tmp_path, embedder):
    folder = tmp_path / "eval-indexes"
    source = LocalSource(folder, vector_index="hnsw")
    stages = []
    first = evaluation_index(small_corpus, embedder, source, folder, progress=lambda s, d, t: stages.append(s))
    assert "embedden" in stages
    name = evaluation_name(small_corpus)
    assert name.startswith("eval_corpus_") and [p.name for p in folder.iterdir()] == [name]
    assert current_version(folder / name).name == first.version
    assert current_version(folder) is None  # nothing lands in the folder's own index
    assert first.vector_index == "hnsw"  # the source's build settings carry over
    assert {d.doc_id for d in first.documents()} == {p.name for p in small_corpus.iterdir()}

    stages.clear()
    again = evaluation_index(small_corpus, embedder, source, folder, progress=lambda s, d, t: stages.append(s))
    assert again.version == first.version and "embedden" not in stages

    other = tmp_path / "other" / "corpus"
    other.parent.mkdir()
    small_corpus.rename(other)
    assert evaluation_name(other) != name and evaluation_name(other).startswith("eval_corpus_")
    assert evaluation_name(tmp_path / "Één map!").startswith("eval_n_map_")

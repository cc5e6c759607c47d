"""Index builds and updates on real files with the real model and a real FAISS index."""

import json
import shutil
from collections import Counter

import numpy as np
import pytest

from index.backends import local as local_backend
from index.analysis import DutchAnalyzer
from index.build import HEADING_ALLOWANCE, build_index, lexical_text, passage_text
from index.chunker import chunk_document
from index.readers import read_document, reader_version
from index.errors import IndexCorrupt, IndexMissing, ModelMismatch, VraagbaakError
from index.lexical import LexicalIndex
from index.types import Chunk
from index.backends.local import LocalSource, open_index
from index.neighbours import NEIGHBOURS
from index.store import CURRENT, MANIFEST, NEIGHBOUR_SCORES, REUSABLE_FORMATS, VECTORS, current_version
from qa.retrieval import Retriever
from tests import hostile_pdfs

NEW_PARAGRAPH = (
    "\n\nDe gemeente Zwolle opent in het voorjaar een nieuw inloophuis voor dakloze jongeren "
    "aan de Thorbeckegracht, met plaats voor veertig bezoekers per dag.\n"
)


def test_build_records_model_chunker_and_file_hashes(small_corpus, tmp_path, embedder):
    report = build_index(small_corpus, tmp_path / "idx", embedder)
    assert report.documents == 2 and report.chunks > 10
    snapshot = open_index(tmp_path / "idx")
    manifest = snapshot.manifest
    assert manifest["model"] == embedder.model_id
    assert manifest["dimension"] == embedder.dimension == 384
    assert manifest["chunker_version"]
    assert set(manifest["files"]) == {"000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert snapshot.size == manifest["chunks"] == report.chunks


def test_update_embeds_only_changed_files_and_drops_vanished_ones(small_corpus, tmp_path, embedder):
    root = tmp_path / "idx"
    first = build_index(small_corpus, root, embedder)

    again = build_index(small_corpus, root, embedder)
    assert not again.changed and again.embedded_chunks == 0 and again.version == first.version

    changed = small_corpus / "001_ab8a111fa1afc862.txt"
    changed.write_text(changed.read_text("utf-8") + NEW_PARAGRAPH, "utf-8")
    update = build_index(small_corpus, root, embedder)
    assert update.embedded_files == ["001_ab8a111fa1afc862.txt"]
    assert update.reused_files == ["000_d31a0db93372aa9b.txt"]
    hits = Retriever(open_index(root), embedder).search("Waar komt het nieuwe inloophuis in Zwolle?", 3).hits
    assert hits[0].chunk.doc_id == "001_ab8a111fa1afc862.txt"
    assert "Thorbeckegracht" in hits[0].chunk.text

    (small_corpus / "000_d31a0db93372aa9b.txt").unlink()
    removal = build_index(small_corpus, root, embedder)
    assert removal.removed_files == ["000_d31a0db93372aa9b.txt"] and removal.embedded_chunks == 0
    snapshot = open_index(root)
    assert {d.doc_id for d in snapshot.documents()} == {"001_ab8a111fa1afc862.txt"}
    assert snapshot.size == removal.chunks


def test_failed_build_leaves_the_served_index_intact(small_corpus, tmp_path, embedder, monkeypatch):
    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    before = current_version(root)

    def crash(folder, *args, **kwargs):
        folder.mkdir(parents=True)
        (folder / VECTORS).write_bytes(b"half written")
        raise OSError("disk full")

    (small_corpus / "extra.txt").write_text(NEW_PARAGRAPH * 3, "utf-8")
    monkeypatch.setattr(local_backend, "write_version", crash)
    with pytest.raises(OSError):
        build_index(small_corpus, root, embedder)
    assert current_version(root) == before
    assert open_index(root).size > 0

    monkeypatch.undo()
    report = build_index(small_corpus, root, embedder)
    assert "extra.txt" in report.embedded_files
    assert current_version(root) != before


def test_missing_and_corrupt_indexes_are_refused_clearly(small_corpus, tmp_path, embedder):
    with pytest.raises(IndexMissing, match="vraagbaak index"):
        open_index(tmp_path / "nowhere")

    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    folder = current_version(root)
    vectors = (folder / VECTORS).read_bytes()
    (folder / VECTORS).write_bytes(vectors[: len(vectors) // 2])
    with pytest.raises(IndexCorrupt):
        open_index(root)

    (folder / VECTORS).write_bytes(vectors)
    scores = np.load(folder / NEIGHBOUR_SCORES)
    np.save(folder / NEIGHBOUR_SCORES, scores[:, :3])  # a table of another shape than the passages'
    with pytest.raises(IndexCorrupt, match="burenscores"):
        open_index(root)

    np.save(folder / NEIGHBOUR_SCORES, scores)
    (folder / MANIFEST).write_text("{ not json", "utf-8")
    with pytest.raises(IndexCorrupt, match="manifest"):
        open_index(root)


def test_an_update_reads_again_the_files_whose_reader_changed_and_only_those(small_corpus, tmp_path, embedder):
    import docx

    document = docx.Document()
    document.add_paragraph("De veiligheidsregio Twente telt dit jaar driehonderdtwaalf brandweervrijwilligers.")
    document.save(small_corpus / "nota.docx")
    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    folder = current_version(root)
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    assert manifest["files"]["nota.docx"]["reader"] == reader_version("docx") > 1
    # As an index written before readers had versions: no "reader", so each kind's first.
    for entry in manifest["files"].values():
        del entry["reader"]
    (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")

    update = build_index(small_corpus, root, embedder)
    assert update.embedded_files == ["nota.docx"]
    assert sorted(update.reused_files) == ["000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt"]
    assert open_index(root).manifest["files"]["nota.docx"]["reader"] == reader_version("docx")
    assert build_index(small_corpus, root, embedder).embedded_chunks == 0


def _as_older_format(root, version: int, *, neighbours: bool = False) -> dict:
    """Make the current version look as an older Vraagbaak wrote it: its format, and without neighbour
    scores (format 5) or with them and the document centroids that format 6 kept beside them."""
    folder = current_version(root)
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    manifest["format_version"] = version
    (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    if neighbours:
        np.save(folder / "documents.npy", np.zeros((len(manifest["files"]), manifest["dimension"]), np.float32))
    else:
        (folder / NEIGHBOUR_SCORES).unlink()
    return manifest


@pytest.mark.parametrize("version", REUSABLE_FORMATS)
def test_after_an_upgrade_the_old_index_is_refused_for_questions_and_updated_without_embedding(
        small_corpus, tmp_path, embedder, version, caplog):
    """An index of a format before is no index to answer from, but its chunks and vectors are:
    `vraagbaak index` writes the new format from them, with nothing embedded again. Neighbour scores
    it has are kept; what the new format leaves out (format 6's document centroids) is not copied."""
    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    before = _contents(root)
    kept_scores = open_index(root).neighbour_scores().copy()
    manifest = _as_older_format(root, version, neighbours=version >= 6)
    with pytest.raises(IndexCorrupt, match="Bouw de index opnieuw"):
        open_index(root)
    assert LocalSource(root).current_manifest()["files"].keys() == manifest["files"].keys()
    with caplog.at_level("INFO", logger="index.build"):
        report = build_index(small_corpus, root, embedder)
    assert report.changed and report.embedded_chunks == 0 and sorted(report.reused_files) == sorted(manifest["files"])
    assert ("Burenscores worden helemaal opnieuw berekend" in caplog.text) == (version < 6)
    after = _contents(root)
    assert after[1] == before[1] and np.array_equal(after[3], before[3])  # the same chunks and vectors
    scores = open_index(root).neighbour_scores()
    assert scores.shape == (len(after[1]), NEIGHBOURS) and np.isfinite(scores).all()
    assert np.allclose(scores, kept_scores, atol=1e-5)  # the same, copied or computed anew
    assert not (current_version(root) / "documents.npy").exists()


def test_an_index_of_a_format_too_old_to_reuse_is_built_anew(small_corpus, tmp_path, embedder):
    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    manifest = _as_older_format(root, min(REUSABLE_FORMATS) - 1)
    report = build_index(small_corpus, root, embedder)
    assert report.changed and sorted(report.embedded_files) == sorted(manifest["files"]) and not report.reused_files
    assert open_index(root).size == manifest["chunks"]


def test_index_of_another_model_is_refused(small_corpus, tmp_path, embedder):
    root = tmp_path / "idx"
    build_index(small_corpus, root, embedder)
    manifest_path = current_version(root) / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["model"] = "sentence-transformers/some-other-model"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelMismatch, match="some-other-model"):
        Retriever(open_index(root), embedder)


def test_broken_files_are_skipped_with_their_reason_and_the_rest_is_indexed(small_corpus, tmp_path, embedder):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Dit is een proefdocument over de bijstand in Groningen. " * 20)
    data = bytes(pdf.output())
    (small_corpus / "afgebroken.pdf").write_bytes(data[: len(data) // 2])
    (small_corpus / "binair.txt").write_bytes(bytes(range(256)) * 40)
    (small_corpus / "leeg.md").write_text("", "utf-8")

    report = build_index(small_corpus, tmp_path / "idx", embedder)
    skipped = dict(report.skipped)
    assert set(skipped) == {"afgebroken.pdf", "binair.txt", "leeg.md"}
    assert all(reason for reason in skipped.values())
    assert report.documents == 2


def test_a_folder_without_documents_is_an_error(tmp_path, embedder):
    (tmp_path / "empty").mkdir()
    with pytest.raises(VraagbaakError, match="Geen leesbare documenten"):
        build_index(tmp_path / "empty", tmp_path / "idx", embedder)
    assert not (tmp_path / "idx" / CURRENT).exists()


def test_copy_of_an_index_folder_still_opens(small_corpus, tmp_path, embedder):
    # The current link is relative, so an index can be moved or copied as a whole.
    build_index(small_corpus, tmp_path / "idx", embedder)
    shutil.copytree(tmp_path / "idx", tmp_path / "copy", symlinks=True)
    assert open_index(tmp_path / "copy").size == open_index(tmp_path / "idx").size


def _contents(root):
    """What a version holds that the build decides: documents with their texts, chunks with their ids,
    vectors, and per file its record in the manifest."""
    snapshot = open_index(root)
    try:
        documents = snapshot.documents()
        chunks = [c for d in documents for c in snapshot.document_chunks(d.doc_id)]
        return documents, chunks, [c.id for c in chunks], snapshot.all_vectors(), snapshot.manifest
    finally:
        snapshot.close()


def test_a_build_holds_what_reading_chunking_and_embedding_every_file_at_once_gives(small_corpus, tmp_path,
                                                                                      embedder):
    """The build keeps texts on disk and hands the model passages as it comes to them; the version is
    still exactly what the plain way makes: every file read and chunked, all passages embedded in one list."""
    hostile_pdfs.ordinary(small_corpus / "gewoon.pdf")
    (small_corpus / "kapot.pdf").write_bytes(b"%PDF-1.4 kapot")
    stages = []
    build_index(small_corpus, tmp_path / "idx", embedder,
                progress=lambda stage, done, total: stages[-1:] == [stage] or stages.append(stage))
    assert stages == ["lezen", "embedden", "buren", "opslaan", "lexicaal", "opslaan"]
    documents, chunks, ids, vectors, manifest = _contents(tmp_path / "idx")

    read = [read_document(path, small_corpus) for path in sorted(small_corpus.iterdir()) if path.name != "kapot.pdf"]
    expected = [c for doc in read for c in chunk_document(
        doc, max_tokens=embedder.max_passage_tokens - HEADING_ALLOWANCE, count_tokens=embedder.count_tokens)]
    assert [(d.doc_id, d.title, d.kind, d.text) for d in documents] == [(d.doc_id, d.title, d.kind, d.text)
                                                                        for d in read]
    assert chunks == expected and ids == list(range(len(expected)))
    assert np.array_equal(vectors, embedder.encode_passages([passage_text(c) for c in expected]))
    assert {name: f["chunks"] for name, f in manifest["files"].items()} == Counter(c.doc_id for c in expected)
    assert [s["file"] for s in manifest["skipped"]] == ["kapot.pdf"]


def test_an_update_holds_what_a_full_build_of_the_same_files_holds(small_corpus, tmp_path, embedder):
    """An update carries the unchanged document's text over from the version before, read when it is written."""
    build_index(small_corpus, tmp_path / "idx", embedder)
    changed = small_corpus / "001_ab8a111fa1afc862.txt"
    changed.write_text(changed.read_text("utf-8") + NEW_PARAGRAPH, "utf-8")
    update = build_index(small_corpus, tmp_path / "idx", embedder)
    assert update.reused_files == ["000_d31a0db93372aa9b.txt"] and update.embedded_files == [changed.name]
    build_index(small_corpus, tmp_path / "full", embedder, full=True)

    (documents, chunks, ids, vectors, manifest), (documents_full, chunks_full, ids_full, vectors_full, full) = (
        _contents(tmp_path / "idx"), _contents(tmp_path / "full"))
    assert documents == documents_full and all(d.text for d in documents)
    assert chunks == chunks_full and ids == ids_full
    # The changed file's passages were embedded in other batches than in the full build: equal to float noise.
    assert np.allclose(vectors, vectors_full, atol=1e-5)
    # Equal but for when each content was indexed: the unchanged file keeps the time of the first build.
    def without_time(files: dict) -> dict:
        return {name: {k: v for k, v in f.items() if k != "indexed"} for name, f in files.items()}

    assert without_time(manifest["files"]) == without_time(full["files"])
    assert manifest["files"]["000_d31a0db93372aa9b.txt"]["indexed"] <= full["files"]["000_d31a0db93372aa9b.txt"]["indexed"]


def test_a_full_disk_for_the_texts_stops_the_build_and_blames_no_file(small_corpus, tmp_path, embedder,
                                                                      monkeypatch):
    import errno
    import io

    from index import build as build_module

    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    root = tmp_path / "idx"
    first = build_index(small_corpus, root, embedder)
    changed = small_corpus / "001_ab8a111fa1afc862.txt"
    changed.write_text(changed.read_text("utf-8") + NEW_PARAGRAPH, "utf-8")
    monkeypatch.setattr(build_module.tempfile, "TemporaryFile", lambda **kwargs: Full())
    with pytest.raises(VraagbaakError, match="passen niet in .*No space left on device"):
        build_index(small_corpus, root, embedder)
    assert open_index(root).version == first.version


def test_a_footnote_is_found_by_the_sentence_it_annotates_not_only_by_its_heading():
    heading = "Schaf de huurtoeslaggrens af"
    body = Chunk("brief.txt", "Brief", heading, 3,
                 "De huurtoeslaggrens zorgt ervoor dat huishoudens met een hogere huur geen toeslag krijgen. "
                 "Wij vragen u die grens te schrappen.", 0, 10, 3, 4)
    note = Chunk("brief.txt", "Brief", heading, 9, "2 Wonen in de knel - Trouw", 20, 30, 9, 9, kind="footnote",
                 context="Veel huurders betalen meer dan de helft van hun inkomen aan huur.")
    assert note.context in lexical_text(note) and heading in lexical_text(note)
    assert note.context not in lexical_text(body)
    index = LexicalIndex.build([lexical_text(c) for c in (body, note)], DutchAnalyzer())
    # The heading alone no longer makes the one-line source title the best match on the heading's words.
    ids, _ = index.search("Wat is de huurtoeslaggrens?", 2)
    assert ids.tolist()[0] == 0
    ids, _ = index.search("Welk deel van hun inkomen betalen huurders?", 2)
    assert ids.tolist()[0] == 1


def test_chunks_come_from_sqlite_once_per_version_within_a_bound(seeds_index_dir, monkeypatch):
    snapshot = open_index(seeds_index_dir)  # its own cache, apart from the shared seeds snapshot
    ids = [7, 3, 10**9, 5]  # a row that does not exist is left out
    first = snapshot.chunks(ids)
    assert [c.id for c in first] == [7, 3, 5]
    assert first == [next(c for c in snapshot.document_chunks(c.doc_id) if c.id == i) for i, c in zip([7, 3, 5], first)]
    # The second time nothing is read from the database: the same objects come back.
    monkeypatch.setattr(snapshot, "_db", lambda: pytest.fail("read again"))
    assert all(a is b for a, b in zip(snapshot.chunks([7, 3, 5]), first))
    monkeypatch.undo()
    monkeypatch.setattr(local_backend, "CHUNK_CACHE_LIMIT", 4)
    for start in range(0, 40, 3):
        assert [c.id for c in snapshot.chunks([start, start + 1, start + 2])] == [start, start + 1, start + 2]
        assert len(snapshot._chunk_cache) <= 4

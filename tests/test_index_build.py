"""Index builds and updates on real files with the real model and a real FAISS index."""

import json
import shutil

import pytest

from index.backends import local as local_backend
from index.build import build_index
from index.errors import IndexCorrupt, IndexMissing, ModelMismatch, VraagbaakError
from index.backends.local import open_index
from index.store import CURRENT, MANIFEST, VECTORS, current_version
from qa.retrieval import Retriever

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
    (folder / MANIFEST).write_text("{ not json", "utf-8")
    with pytest.raises(IndexCorrupt, match="manifest"):
        open_index(root)


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

"""Collections: names, the folder layout, and questions over one or several real indexes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.backends.combined import split_id
from index.backends.local import LocalSource, open_index
from index.build import build_index
from index.collections import STANDARD, CollectionError, CollectionExists, CollectionMissing, Collections, check_name
from index.settings import load_settings
from qa.service import Answerer
from web.library import Library

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ROTTERDAM = "004_4a6563aa008f8ac9.txt"  # the seed letter about Rotterdam's rekentool
OTHERS = ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt")
QUESTION = "Welke gemeente heeft een rekentool voor bijstandsgerechtigden gelanceerd?"


@pytest.mark.parametrize("name", ["openbaar", "intern", "team-3", "a", "x" * 40])
def test_valid_names(name):
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "Intern", "in tern", "../x", "a_b", "x" * 41, ".verborgen", "é", None, 3,
                                  "-", "-intern"])  # "-" means "none" in VRAAGBAAK_PUBLIC_COLLECTIONS
def test_invalid_names_are_refused_in_dutch(name):
    with pytest.raises(CollectionError, match="collectienaam"):
        check_name(name)


def test_create_list_and_delete(tmp_path):
    collections = Collections(tmp_path / "collections", tmp_path / "index", LocalSource(tmp_path / "index"))
    assert collections.names() == [STANDARD]
    intern = collections.create("intern")
    assert intern.documents.is_dir() and intern.index_root.is_dir()
    assert collections.names() == [STANDARD, "intern"]
    with pytest.raises(CollectionExists):
        collections.create("intern")
    with pytest.raises(CollectionExists):
        collections.create(STANDARD)
    with pytest.raises(CollectionError):
        collections.delete(STANDARD)
    collections.delete("intern")
    assert collections.names() == [STANDARD]
    assert not (tmp_path / "collections" / "intern").exists()
    with pytest.raises(CollectionMissing):
        collections.get("intern")


def test_a_folder_without_its_marker_is_no_collection(tmp_path):
    """A creation or removal that died half-way leaves no collection behind, and the name can be taken again."""
    collections = Collections(tmp_path / "collections", tmp_path / "index", LocalSource(tmp_path / "index"))
    (tmp_path / "collections" / "half").mkdir(parents=True)
    assert collections.names() == [STANDARD]
    assert collections.create("half").name == "half"


@pytest.fixture(scope="module")
def two_collections(tmp_path_factory, embedder):
    """`standaard` with two seed letters, `rotterdam` with the Rotterdam letter: real indexes."""
    base = tmp_path_factory.mktemp("collections")
    settings = load_settings({}, overrides={"data_dir": base, "index_dir": base / "index"})
    library = Library(settings)
    for name in OTHERS:
        (base / "standaard-docs").mkdir(exist_ok=True)
        shutil.copy(SEEDS / name, base / "standaard-docs" / name)
    build_index(base / "standaard-docs", base / "index", embedder)
    rotterdam = library.collections.create("rotterdam")
    shutil.copy(SEEDS / ROTTERDAM, rotterdam.documents / ROTTERDAM)
    build_index(rotterdam.documents, rotterdam.index_root, embedder, source=rotterdam.source)
    library.standard._embedder = embedder  # the session's model, not a second load
    return library


def test_a_question_searches_only_the_collections_it_is_given(two_collections):
    both = two_collections.answerer([STANDARD, "rotterdam"]).ask(QUESTION)
    assert both.hits[0].chunk.collection == "rotterdam"
    assert both.hits[0].chunk.doc_id == ROTTERDAM
    assert "Rotterdam" in both.text
    assert {hit.chunk.collection for hit in both.hits} <= {STANDARD, "rotterdam"}

    alone = two_collections.answerer([STANDARD]).ask(QUESTION)
    assert all(hit.chunk.collection == STANDARD and hit.chunk.doc_id != ROTTERDAM for hit in alone.hits)
    assert "source" in alone.as_dict()["passages"][0] and alone.as_dict()["passages"][0]["source"]["collection"] == STANDARD


def test_a_passage_found_across_collections_is_read_in_its_own_section(two_collections):
    """The near-miss check reads the passages around an answer in the collection it came from."""
    answerer = two_collections.answerer([STANDARD, "rotterdam"])
    hit = answerer.ask(QUESTION).hits[0]
    section = answerer.section_text(hit)
    assert hit.chunk.text in section and "Rotterdam" in section


def test_one_collection_answers_exactly_as_the_single_index(two_collections, embedder):
    """The combined backend over one collection changes nothing: same passages, same order, same answer."""
    rotterdam = two_collections.collections.get("rotterdam")
    plain = Answerer(open_index(rotterdam.index_root), embedder, two_collections.options)
    combined = two_collections.answerer(["rotterdam"])
    for question in (QUESTION, "Wat kost de rekentool?", "Wie is de wethouder?"):
        a, b = plain.ask(question), combined.ask(question)
        assert [(h.chunk.doc_id, h.chunk.paragraph, h.chunk.text) for h in a.hits] == \
               [(h.chunk.doc_id, h.chunk.paragraph, h.chunk.text) for h in b.hits]
        assert a.text == b.text


def test_a_collection_without_an_index_is_left_out_of_a_combined_question(two_collections):
    two_collections.collections.create("leeg")
    answer = two_collections.answerer(["leeg", "rotterdam"]).ask(QUESTION)
    assert answer.hits[0].chunk.collection == "rotterdam"


def test_a_combined_search_stamps_each_chunk_once(two_collections):
    """A chunk carries its combined id and collection; the stamped copy is made once, not per question."""
    answerer = two_collections.answerer([STANDARD, "rotterdam"])
    first, again = answerer.ask(QUESTION).hits, answerer.ask(QUESTION).hits
    assert all(a.chunk is b.chunk for a, b in zip(first, again))
    found = first[0].chunk
    assert found.collection == "rotterdam" and split_id(found.id)[0] == 1
    in_document = answerer.snapshot.document_chunks(found.doc_id, collection="rotterdam")
    assert any(chunk is found for chunk in in_document)

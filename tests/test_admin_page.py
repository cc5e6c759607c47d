"""The admin page /beheer, driven in a real browser against a real server and real indexes.

Sign in with the admin token (kept in the tab's session storage, never a
cookie), make a collection, upload files with the picker and by drag and
drop, follow each file's result, delete a document after confirming, and
cancel an upload that waits for another build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build_index
from index.build_lock import BuildLock
from index.settings import load_settings
from tests.client import post_json
from tests.conftest import LiveServer
from web.app import create_app

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TOKEN = "beheer-test-token-7f3a"
FERRY = ("Veerdienst Oosterweel\n\n"
         "De veerpont tussen Oosterweel en Zandhoek vaart vanaf 1 april elk half uur, van zes uur 's ochtends "
         "tot middernacht. Een enkele overtocht kost twee euro voor voetgangers en fietsers.\n")
FERRY_QUESTION = "Hoe vaak vaart de veerpont tussen Oosterweel en Zandhoek?"
MARKET = ("Weekmarkt Zandhoek\n\n"
          "De weekmarkt op het Havenplein in Zandhoek is voortaan op zaterdag, van negen tot vier uur.\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("beheer")
    corpus = base / "seeds"
    corpus.mkdir()
    shutil.copy(SEEDS / "000_d31a0db93372aa9b.txt", corpus)
    build_index(corpus, base / "index", embedder)
    settings = load_settings({}, overrides={"data_dir": base, "index_dir": base / "index", "admin_token": TOKEN})
    app = create_app(settings=settings)
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    live = LiveServer(app)
    live.app = app
    yield live
    live.stop()


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    made = {"veerdienst.txt": FERRY, "weekmarkt.txt": MARKET}
    paths = {}
    for name, text in made.items():
        paths[name] = tmp_path / name
        paths[name].write_text(text, "utf-8")
    paths["kapot.pdf"] = tmp_path / "kapot.pdf"
    paths["kapot.pdf"].write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n")  # no end marker: damaged
    return paths


def _sign_in(page, url: str, token: str = TOKEN) -> None:
    page.goto(url + "/beheer")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.fill("#token", token)
    page.press("#token", "Enter")


def _ask(server, question: str, collection: str) -> dict:
    status, body = post_json(f"{server.url}/api/v1/ask", {"question": question, "collections": [collection]},
                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body
    return body


def test_a_wrong_token_is_refused_and_nothing_is_shown(server, page):
    _sign_in(page, server.url, "niet-de-token")
    page.locator("#login-error").wait_for()
    assert "niet" in page.locator("#login-error").inner_text()
    assert page.locator("#admin").is_hidden()
    assert page.evaluate("window.sessionStorage.getItem('vraagbaak.beheer.token')") is None


def test_collections_uploads_and_deletion(server, page, files):
    _sign_in(page, server.url)
    page.locator("#collections tr[data-collection=standaard]").wait_for()
    # The token is in this tab's session storage, and in no cookie.
    assert page.evaluate("window.sessionStorage.getItem('vraagbaak.beheer.token')") == TOKEN
    assert page.evaluate("document.cookie") == ""
    assert page.context.cookies() == []

    # A bad name is refused on the page, a good one makes the collection and opens it.
    page.fill("#new-name", "Met Spaties")
    page.press("#new-name", "Enter")
    page.locator("#admin-error", has_text="collectienaam").wait_for()  # the server's rule, shown as it says it
    page.fill("#new-name", "veer")
    page.press("#new-name", "Enter")
    page.locator("#collections tr[data-collection=veer]").wait_for()
    page.locator("#collection-title", has_text="veer").wait_for()

    # Upload with the file picker: one indexed, one skipped with its reason.
    page.set_input_files("#files", [str(files["veerdienst.txt"]), str(files["kapot.pdf"])])
    upload = page.locator("#uploads > li").first
    page.locator("#uploads > li.done").wait_for(timeout=120_000)
    assert "geïndexeerd" in upload.locator(".file-indexed").inner_text()
    skipped = upload.locator(".file-skipped")
    assert "kapot.pdf" in skipped.inner_text() and "PDF" in skipped.locator(".file-reason").inner_text()
    assert upload.locator("progress").evaluate("p => p.value") == 100
    page.locator("#documents tr[data-document='veerdienst.txt']").wait_for()
    assert page.locator("#collections tr[data-collection=veer] td.number").first.inner_text() == "1"
    assert not _ask(server, FERRY_QUESTION, "veer")["abstained"]

    # Drag and drop onto the drop zone.
    page.evaluate("""text => {
        const data = new DataTransfer();
        data.items.add(new File([text], "weekmarkt.txt", {type: "text/plain"}));
        const zone = document.getElementById("dropzone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", MARKET)
    page.locator("#documents tr[data-document='weekmarkt.txt']").wait_for(timeout=120_000)

    # Deleting asks first: cancel keeps the document, confirm removes it from the list and the answers.
    row = page.locator("#documents tr[data-document='veerdienst.txt']")
    row.locator("button").click()
    assert page.locator("#confirm").is_visible()
    assert "veerdienst.txt" in page.locator("#confirm-text").inner_text()
    page.click("#confirm button[value=cancel]")
    assert page.locator("#confirm").is_hidden() and row.count() == 1
    row.locator("button").click()
    page.click("#confirm-ok")
    row.wait_for(state="detached", timeout=120_000)
    answer = _ask(server, FERRY_QUESTION, "veer")
    assert all(p["source"]["document"] != "veerdienst.txt" for p in answer["passages"])

    # A reload keeps the tab signed in; signing out forgets the token.
    page.reload()
    page.locator("#collections tr[data-collection=veer]").wait_for()
    page.click("#logout")
    assert page.locator("#login").is_visible()
    assert page.evaluate("window.sessionStorage.getItem('vraagbaak.beheer.token')") is None

    # The collection can be removed from the page, standaard cannot.
    _sign_in(page, server.url)
    page.locator("#collections tr[data-collection=veer]").wait_for()
    assert page.locator("#collections tr[data-collection=standaard] button.danger").count() == 0
    page.locator("#collections tr[data-collection=veer] button.danger").click()
    page.click("#confirm-ok")
    page.locator("#collections tr[data-collection=veer]").wait_for(state="detached")


def test_an_upload_is_cancelled_from_the_page_and_nothing_of_it_is_indexed(server, page, files):
    status, body = post_json(f"{server.url}/api/v1/collections", {"name": "annuleer"},
                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 201, body
    collection = server.app.extensions["vraagbaak.library"].collections.get("annuleer")
    collection.index_root.mkdir(parents=True, exist_ok=True)
    _sign_in(page, server.url)
    page.locator("#collections tr[data-collection=annuleer] button.linklike").click()
    page.locator("#collection-title", has_text="annuleer").wait_for()
    with BuildLock(collection.index_root):  # a `vraagbaak index` run of the collection: the upload waits for it
        page.set_input_files("#files", [str(files["veerdienst.txt"]), str(files["weekmarkt.txt"])])
        upload = page.locator("#uploads > li").first
        upload.locator(".upload-state", has_text="bezig").wait_for()
        upload.locator("button.upload-cancel").click()
        assert "annuleren" in page.locator("#confirm-text").inner_text()
        assert page.locator("#confirm-ok").inner_text() == "Taak annuleren"
        page.click("#confirm-ok")
        upload.locator(".upload-state", has_text="wordt geannuleerd").wait_for()
        assert upload.locator("button.upload-cancel").count() == 0
    page.locator("#uploads > li.cancelled").wait_for(timeout=60_000)
    assert upload.locator(".upload-state").inner_text() == "geannuleerd"
    assert upload.locator(".file-skipped .file-reason").all_inner_texts() == ["de taak is geannuleerd"] * 2
    page.locator("#no-documents").wait_for()
    assert not any(collection.documents.iterdir())

    # The dialog asks to delete again afterwards.
    page.locator("#collections tr[data-collection=annuleer] button.danger").click()
    assert page.locator("#confirm-ok").inner_text() == "Verwijderen"
    page.click("#confirm-ok")
    page.locator("#collections tr[data-collection=annuleer]").wait_for(state="detached")

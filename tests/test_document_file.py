"""GET /documents/<document>/file and the "Bekijk pagina N" links, over a real index."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from index.build import build_index

QUESTION = "Hoeveel extra woonplekken komen er in Zwolle voor dakloze jongeren?"


def _pdf(path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for _ in range(3):
        pdf.multi_cell(0, 6, "De gemeente Zwolle bespreekt in de raad het beleid voor maatschappelijke "
                              "opvang en de samenwerking met de regiogemeenten in Overijssel.")
        pdf.ln(4)
    pdf.add_page()
    pdf.multi_cell(0, 6, "In Zwolle komen volgend jaar zestig extra woonplekken voor dakloze jongeren, "
                          "verdeeld over drie locaties in de wijken Holtenbroek en Diezerpoort.")
    path.write_bytes(bytes(pdf.output()))


SCANNED = ("Het college van Deventer heeft besloten dat de kinderboerderij in het Rijsterborgherpark "
           "ook na 2027 open blijft. De gemeente betaalt daarvoor jaarlijks veertigduizend euro.")


def _ocr_reason() -> str | None:
    from index.pdf import ocr

    return ocr.unavailable()


def _scanned_letter(path, work):
    """A one-page letter as a scan: text rendered to an image, wrapped as a PDF."""
    if _ocr_reason() is not None:
        return
    import pypdfium2
    from fpdf import FPDF

    letter = FPDF(format="A4")
    letter.add_page()
    letter.set_font("Helvetica", size=12)
    letter.multi_cell(0, 6, "Geachte heer Jansen,", new_x="LMARGIN", new_y="NEXT")
    letter.ln(4)
    letter.multi_cell(0, 6, SCANNED, new_x="LMARGIN", new_y="NEXT")
    image = pypdfium2.PdfDocument(bytes(letter.output()))[0].render(scale=200 / 72).to_pil()
    image_path = work / "scan.png"
    image.convert("L").save(image_path)
    scan = FPDF(format="A4")
    scan.add_page()
    scan.image(str(image_path), x=0, y=0, w=210, h=297)
    path.write_bytes(bytes(scan.output()))


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from web.app import create_app

    base = tmp_path_factory.mktemp("bestanden")
    corpus = base / "corpus"
    (corpus / "brieven").mkdir(parents=True)
    _pdf(corpus / "brieven" / "opvang zwolle.pdf")
    (corpus / "notitie.txt").write_text(
        "Notitie\n\nDe bibliotheek in Kampen gaat op zondag open, vanaf het voorjaar van 2027.\n", "utf-8")
    (corpus / "verslag.html").write_text(
        "<!doctype html><title>Verslag</title><script>window.x = 1</script>"
        "<p>De raad van Deventer besloot het zwembad te renoveren in plaats van te sluiten.</p>", "utf-8")
    (base / "geheim.txt").write_text("niet voor de buitenwereld", "utf-8")
    _scanned_letter(corpus / "scan brief.pdf", base)
    index_dir = base / "index"
    build_index(corpus, index_dir, embedder)
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(index_dir)})
    app.extensions["vraagbaak"]._embedder = embedder
    app.corpus = corpus
    return app


def test_pdf_is_served_inline_with_safe_headers(app):
    response = app.test_client().get("/documents/brieven/opvang%20zwolle.pdf/file")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == (app.corpus / "brieven" / "opvang zwolle.pdf").read_bytes()
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "opvang zwolle.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_text_inline_html_only_as_a_sandboxed_download(app):
    client = app.test_client()
    text = client.get("/documents/notitie.txt/file")
    assert text.status_code == 200 and text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.headers["Content-Disposition"].startswith("inline")
    html = client.get("/documents/verslag.html/file")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert html.headers["Content-Disposition"].startswith("attachment")
    assert html.headers["Content-Security-Policy"].startswith("sandbox")
    assert html.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", [
    "/documents/../geheim.txt/file",
    "/documents/%2e%2e/geheim.txt/file",
    "/documents/brieven/../../geheim.txt/file",
    "/documents/geheim.txt/file",
    "/documents/bestaat-niet.pdf/file",
    "/documents//etc/passwd/file",
])
def test_no_file_outside_the_index(app, url):
    response = app.test_client().get(url)
    assert response.status_code in (404, 308)
    assert b"buitenwereld" not in response.data and b"root:" not in response.data
    if response.status_code == 404:
        assert "niet" in response.get_data(as_text=True)


def test_a_removed_original_is_a_dutch_404(app, tmp_path):
    path = app.corpus / "notitie.txt"
    saved = path.read_bytes()
    path.unlink()
    try:
        response = app.test_client().get("/documents/notitie.txt/file")
        assert response.status_code == 404
        assert "niet (meer) beschikbaar" in response.get_data(as_text=True)
    finally:
        path.write_bytes(saved)


def test_pdf_source_links_to_its_page(app):
    client = app.test_client()
    response = client.post("/api/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    passages = response.get_json()["passages"]
    source = next(p["source"] for p in passages if "zestig extra woonplekken" in p["text"])
    assert source["page"] == 2
    assert source["page_url"] == "/documents/brieven/opvang%20zwolle.pdf/file#page=2"
    text_source = next((p["source"] for p in passages if p["source"]["document"] == "notitie.txt"), None)
    if text_source is not None:
        assert "page_url" not in text_source
    view = client.get("/documents/brieven/opvang%20zwolle.pdf").get_data(as_text=True)
    assert 'href="/documents/brieven/opvang%20zwolle.pdf/file#page=2"' in view
    assert "Bekijk pagina 2" in view


def test_slack_and_mattermost_link_a_pdf_page():
    from qa.service import Answer
    from web.slack_blocks import mattermost_text, slack_message

    base = "https://vraagbaak.example.nl"
    pdf = SimpleNamespace(doc_id="brief.pdf", title="Brief", paragraph=4, page=3, collection="standaard")
    txt = SimpleNamespace(doc_id="notitie.txt", title="Notitie", paragraph=1, page=None, collection="intern")
    answer = Answer(question="?", language=None, text="Antwoord [1] [2]", citations=[1, 2], abstained=False,
                    hits=[SimpleNamespace(rank=1, chunk=pdf), SimpleNamespace(rank=2, chunk=txt)], sentences=[])
    sources = slack_message(answer, base)["blocks"][1]["text"]["text"]
    assert f"<{base}/documents/brief.pdf/file#page=3|Bekijk pagina 3>" in sources
    assert sources.count("Bekijk pagina") == 1
    assert f"[Bekijk pagina 3]({base}/documents/brief.pdf/file#page=3)" in mattermost_text(answer, base)
    assert "Bekijk pagina" not in slack_message(answer, None)["blocks"][1]["text"]["text"]
    assert f"{base}/c/intern/documents/notitie.txt#p1" in sources  # a document in its own collection


def test_scanned_letter_is_answered_with_its_page(app):
    reason = _ocr_reason()
    if reason is not None:
        pytest.skip(f"geen OCR: {reason}")
    response = app.test_client().post(
        "/api/v1/ask", json={"question": "Blijft de kinderboerderij in Deventer open na 2027?"})
    assert response.status_code == 200
    passages = response.get_json()["passages"]
    source = passages[0]["source"]
    assert source["document"] == "scan brief.pdf"
    assert "kinderboerderij" in passages[0]["text"]
    assert source["page"] == 1
    assert source["page_url"] == "/documents/scan%20brief.pdf/file#page=1"


def test_chat_page_links_a_pdf_source_to_its_page(app):
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright ontbreekt (pip install -e .[test])")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium ontbreekt: installeer het Debian-pakket chromium")
    from tests.conftest import LiveServer

    server = LiveServer(app)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(server.url + "/")
            page.fill("#question", QUESTION)
            page.press("#question", "Enter")
            turn = page.locator("article.turn").first
            turn.locator(".answer").wait_for()
            link = turn.locator(".card-page-link").first
            assert link.inner_text() == "Bekijk pagina 2"
            assert link.get_attribute("href") == "/documents/brieven/opvang%20zwolle.pdf/file#page=2"
            browser.close()
    finally:
        server.stop()

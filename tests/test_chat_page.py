"""The chat page and the document view, driven in a real browser (Debian's Chromium via Playwright).

Each test talks to a real server on loopback over a real index. `scripts/test`
installs Chromium when it is missing; without it these tests skip locally and
fail on CI.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from index.build import build_index
from tests.client import post_json, request
from tests.conftest import app_server
from web.app import create_app

REPO = Path(__file__).resolve().parent.parent
SCREENSHOT = REPO / "docs" / "chat-page.png"

QUESTION = "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?"
FOLLOW_UP = "En wie is daar wethouder?"
OUT_OF_CORPUS = "Hoe lang moet een appeltaart met kaneel in de oven?"



def _ask(page, question: str):
    """Type a question, press Enter, and wait until its turn has an answer or an error."""
    turns_before = page.locator("article.turn").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    turn = page.locator("article.turn").nth(turns_before)
    turn.locator(".answer").wait_for()
    return turn


def _in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """el => {
        const r = el.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
    }""")


def _api_answer(server, question: str, **extra) -> dict:
    status, body = post_json(f"{server.url}/api/v1/ask", {"question": question, **extra})
    assert status == 200, body
    return body


# ---------- the browser tests ----------


def test_answer_with_citation_card_and_document_view(live_server, page):
    expected = _api_answer(live_server, QUESTION)
    assert not expected["abstained"]
    highlight = expected["answer"]["highlights"][0]
    cited = expected["passages"][highlight["passage"] - 1]
    sentence = cited["text"][highlight["start"]:highlight["end"]]

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("button.example").count() >= 3
    assert page.locator("[aria-live=polite]").count() >= 1
    assert page.evaluate("document.activeElement.id") == "question"

    turn = _ask(page, QUESTION)
    assert page.locator("#intro").is_hidden()
    answer = turn.locator(".answer")
    assert sentence in answer.inner_text()
    marker = turn.locator("a.citation").first
    assert marker.inner_text() == f"[{highlight['passage']}]"

    card = turn.locator(".source-card").first
    assert card.locator(".card-title").inner_text() == cited["source"]["title"]
    assert f"alinea {cited['source']['paragraph']}" in card.locator(".card-meta").inner_text()
    assert card.locator("mark").first.inner_text() == sentence
    assert card.locator("a.card-link").get_attribute("href") == cited["source"]["url"]
    # The screen reader region carries the answer.
    page.wait_for_function("document.getElementById('live').textContent.includes('Antwoord')")
    # Focus went back to the question field.
    assert page.evaluate("document.activeElement.id") == "question"

    if os.environ.get("VRAAGBAAK_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT))

    # The citation marker leads to its card.
    marker.click()
    page.wait_for_function("document.activeElement.classList.contains('source-card')")

    # The card's source link opens the document view at the highlighted paragraph.
    card.locator("a.card-link").click()
    target = f"p{cited['source']['paragraph']}"
    page.wait_for_url(f"**/documents/**#{target}")
    assert page.locator("h1").inner_text() == cited["source"]["title"]
    paragraph = page.locator(f"#{target}")
    assert paragraph.evaluate("el => el.matches(':target') && el.classList.contains('is-target')")
    background = paragraph.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator(".paragraph.is-target").count() == 1
    assert _in_viewport(page, f"#{target}")
    assert sentence.split()[0] in paragraph.inner_text()
    page.click("nav.back a")
    page.wait_for_url(live_server.url + "/")


def test_follow_up_sends_history_and_new_conversation_clears(live_server, page):
    asked: list[dict] = []
    page.on("request", lambda r: asked.append(r.post_data_json) if r.url.endswith("/api/v1/ask") else None)
    page.goto(live_server.url + "/")

    # Keyboard only: the first example question, chosen with Enter.
    first_example = page.locator("button.example").first
    example_text = first_example.inner_text()
    first_example.focus()
    page.keyboard.press("Enter")
    page.locator("article.turn .answer").first.wait_for()
    assert page.evaluate("document.activeElement.id") == "question"

    second = _ask(page, QUESTION)
    third = _ask(page, FOLLOW_UP)
    assert page.locator("article.turn").count() == 3
    assert third.locator(".question-text").inner_text() == FOLLOW_UP
    assert second.locator(".question-text").inner_text() == QUESTION
    assert [a["question"] for a in asked] == [example_text, QUESTION, FOLLOW_UP]
    assert asked[0]["history"] == []
    assert asked[1]["history"] == [example_text]
    assert asked[2]["history"] == [example_text, QUESTION]

    # Shift+Enter is a new line, not a question.
    page.fill("#question", "eerste regel")
    page.press("#question", "Shift+Enter")
    assert page.input_value("#question") == "eerste regel\n"
    assert page.locator("article.turn").count() == 3

    page.click("#new-conversation")
    assert page.locator("article.turn").count() == 0
    assert page.locator("#intro").is_visible()
    assert page.locator("#new-conversation").is_hidden()
    assert page.evaluate("document.activeElement.id") == "question"
    _ask(page, QUESTION)
    assert asked[-1]["history"] == []


def test_a_long_conversation_sends_only_the_earlier_questions_an_answer_reads(live_server, page):
    from qa.question import MAX_HISTORY_TURNS

    asked: list[dict] = []
    page.on("request", lambda r: asked.append(r.post_data_json) if r.url.endswith("/api/v1/ask") else None)
    page.goto(live_server.url + "/")
    questions = [f"{QUESTION} ({n})" for n in range(MAX_HISTORY_TURNS + 3)]
    for question in questions:
        _ask(page, question)
    assert [len(a["history"]) for a in asked] == [min(n, MAX_HISTORY_TURNS) for n in range(len(questions))]
    assert asked[-1]["history"] == questions[-1 - MAX_HISTORY_TURNS:-1]


def test_out_of_corpus_question_shows_nothing_found(live_server, page):
    page.goto(live_server.url + "/")
    turn = _ask(page, OUT_OF_CORPUS)
    assert "Ik heb hierover niets gevonden" in turn.locator(".nothing-found").inner_text()
    assert turn.locator(".source-card").count() == 0
    assert turn.locator("a.citation").count() == 0


def test_errors_are_shown_in_dutch(live_server, page):
    too_long = "Wat staat er over de rekentool? " + "x" * 1000
    status, body = post_json(f"{live_server.url}/api/v1/ask", {"question": too_long})
    assert status == 400
    page.goto(live_server.url + "/")
    turn = _ask(page, too_long)
    assert turn.locator(".error-message").inner_text() == body["error"]["message"]
    assert page.evaluate("document.activeElement.id") == "question"

    # A failed request (no network) is said plainly too, and the question is not part of the history.
    page.route("**/api/v1/ask", lambda route: route.abort())
    turn = _ask(page, QUESTION)
    assert "Geen verbinding" in turn.locator(".error-message").inner_text()
    page.unroute("**/api/v1/ask")
    asked: list[dict] = []
    page.on("request", lambda r: asked.append(r.post_data_json) if r.url.endswith("/api/v1/ask") else None)
    _ask(page, QUESTION)
    assert asked[-1]["history"] == []


def test_phone_width_has_no_horizontal_scroll(live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    turn = _ask(page, QUESTION)
    turn.locator("details.more-sources summary").first.click()
    no_scroll = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_scroll)
    assert page.locator("#send").is_visible() and page.locator("#question").is_visible()
    turn.locator("a.card-link").first.click()
    page.wait_for_url("**/documents/**")
    assert page.evaluate(no_scroll)


def test_hostile_document_text_stays_text(tmp_path, embedder, page):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    script = "<script>window.__pwned = 1</script>"
    image = '<img src=x onerror="window.__pwned = 2">'
    (corpus / "waterschap.txt").write_text(
        "Heffingen waterschap 2027\n\n"
        f"Het waterschap Rijn en IJssel verhoogt de zuiveringsheffing in 2027 met vier procent. {script}\n\n"
        f"De dijkversterking bij Zutphen begint in het voorjaar van 2028. {image}\n\n"
        "Inwoners kunnen bezwaar maken tegen de aanslag binnen zes weken na de dagtekening.\n",
        "utf-8")
    (corpus / "vergadering.html").write_text(
        "<!doctype html><html><head><title>Verslag &lt;img src=x onerror=\"window.__pwned = 3\"&gt;</title>"
        "<script>window.__pwned = 4</script></head><body>"
        "<h1>Verslag van de raadsvergadering</h1>"
        "<p>De gemeenteraad van Deventer besloot de bibliotheek aan de Brink op zondag te openen. "
        "&lt;script&gt;window.__pwned = 5&lt;/script&gt;</p>"
        "<p>De wethouder zegde toe de openingstijden na een jaar te evalueren met de bezoekers.</p>"
        "</body></html>", "utf-8")
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder)
    server = app_server(index_dir, embedder)
    try:
        page.goto(server.url + "/")
        turn = _ask(page, "Met hoeveel procent verhoogt het waterschap de zuiveringsheffing?")
        assert script in turn.locator(".source-card").first.inner_text()
        turn = _ask(page, "Wat besloot de gemeenteraad van Deventer over de bibliotheek?")
        assert "<script>window.__pwned = 5</script>" in turn.inner_text()
        assert turn.locator(".card-title").first.inner_text() == 'Verslag <img src=x onerror="window.__pwned = 3">'
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("article.turn script, article.turn img").count() == 0

        page.goto(server.url + "/documents/waterschap.txt#p2")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        text = page.locator("article.document").inner_text()
        assert script in text and image in text
        assert page.locator("article.document script, article.document img").count() == 0

        page.goto(server.url + "/documents/vergadering.html#p1")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert "<script>window.__pwned = 5</script>" in page.locator("#p1").inner_text()
        assert page.locator("h1").inner_text() == 'Verslag <img src=x onerror="window.__pwned = 3">'
        assert 'onerror="window.__pwned = 3"' in page.title()
        assert page.locator("article.document script, article.document img").count() == 0
        assert page.locator("#p1").evaluate("el => el.classList.contains('is-target')")
    finally:
        server.stop()


def test_thumbs_down_is_stored_and_exported(tmp_path, seeds_index_dir, embedder, page, monkeypatch):
    monkeypatch.delenv("VRAAGBAAK_FEEDBACK_DB", raising=False)
    db = tmp_path / "feedback.sqlite"
    server = app_server(seeds_index_dir, embedder, VRAAGBAAK_FEEDBACK_DB=str(db),
                         VRAAGBAAK_ADMIN_TOKEN="geheim-token")
    try:
        page.goto(server.url + "/")
        turn = _ask(page, QUESTION)
        down = turn.get_by_role("button", name="Duim omlaag: geen goed antwoord")
        assert turn.get_by_role("button", name="Duim omhoog: goed antwoord").is_visible()
        down.click()
        turn.get_by_text("Bedankt voor je feedback.").wait_for()
        assert down.get_attribute("aria-pressed") == "true"

        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT rating, question, answer, passages, history, index_version, created_at,"
                                " collections FROM feedback").fetchall()
        assert len(rows) == 1
        rating, question, answer, passages, history, version, created, collections = rows[0]
        assert (rating, question, json.loads(history)) == ("down", QUESTION, [])
        assert "[1]" in answer
        assert all("#" in p for p in json.loads(passages)) and json.loads(passages)
        assert version == (seeds_index_dir / "current").resolve().name
        assert created.startswith("20")
        assert json.loads(collections) == ["standaard"]  # the page sends its passages' collections

        # The export: only with the token.
        url = f"{server.url}/api/v1/feedback"
        assert request(url)[0] == 401
        assert request(url, headers={"Authorization": "Bearer fout"})[0] == 401
        status, _, data = request(url, headers={"Authorization": "Bearer geheim-token"})
        assert status == 200
        exported = json.loads(data)
        assert [r["rating"] for r in exported] == ["down"] and exported[0]["question"] == QUESTION
        assert exported[0]["collections"] == ["standaard"]
        status, headers, data = request(url + "?format=csv", headers={"Authorization": "Bearer geheim-token"})
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert table[0]["rating"] == "down" and table[0]["question"] == QUESTION
        assert table[0]["collections"] == "standaard"
    finally:
        server.stop()

    from web.cli import main

    out = tmp_path / "export.csv"
    result = CliRunner().invoke(main, ["feedback", "export", "--db", str(db), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list(csv.DictReader(out.open(encoding="utf-8")))[0]["question"] == QUESTION
    monkeypatch.setenv("VRAAGBAAK_FEEDBACK_DB", str(db))
    result = CliRunner().invoke(main, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["rating"] == "down"


# ---------- the same endpoints without a browser ----------


def test_feedback_is_validated(live_server, tmp_path, monkeypatch):
    url = f"{live_server.url}/api/v1/feedback"
    good = {"question": QUESTION, "answer": "Een antwoord [1]", "rating": "up", "passages": ["a.txt#3"]}
    for bad, code in [
        ({**good, "rating": "meh"}, "invalid_rating"),
        ({**good, "question": ""}, "invalid_question"),
        ({**good, "question": "x" * 1001}, "invalid_question"),
        ({k: v for k, v in good.items() if k != "answer"}, "invalid_answer"),
        ({**good, "passages": "a.txt#3"}, "invalid_passages"),
        ({**good, "passages": ["a.txt"]}, "invalid_passages"),
        ({**good, "history": [1, 2]}, "invalid_history"),
        ({**good, "comment": 5}, "invalid_comment"),
    ]:
        status, body = post_json(url, bad)
        assert status == 400, bad
        assert body["error"]["code"] == code and body["error"]["message"]
    status, _, data = request(url, method="POST", body=b"rating=up")
    assert status == 415 and json.loads(data)["error"]["message"].startswith("Stuur")


def test_feedback_export_is_off_without_a_token(live_server, monkeypatch):
    monkeypatch.delenv("VRAAGBAAK_ADMIN_TOKEN", raising=False)
    status, _, data = request(f"{live_server.url}/api/v1/feedback", headers={"Authorization": "Bearer x"})
    assert status == 404 and json.loads(data)["error"]["code"] == "not_found"


def test_passages_link_to_the_document_view(live_server, seeds_index_dir, embedder):
    body = _api_answer(live_server, QUESTION)
    for passage in body["passages"]:
        source = passage["source"]
        assert source["url"] == f"/documents/{source['document']}#p{source['paragraph']}"
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(seeds_index_dir),
                      "VRAAGBAAK_PUBLIC_BASE_URL": "https://vraagbaak.example.nl/"})
    app.extensions["vraagbaak"]._embedder = embedder
    response = app.test_client().post("/api/v1/ask", json={"question": QUESTION})
    url = response.get_json()["passages"][0]["source"]["url"]
    assert url.startswith("https://vraagbaak.example.nl/documents/") and "#p" in url
    schema = app.test_client().get("/api/v1/openapi.json").get_json()

    def resolved(node: dict) -> dict:
        while "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    answer = resolved(schema["paths"]["/api/v1/ask"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"])
    passage = resolved(resolved(answer["properties"]["passages"])["items"])
    assert "url" in resolved(passage["properties"]["source"])["required"]
    assert {"post", "get"} <= set(schema["paths"]["/api/v1/feedback"])


def test_document_view_pages(live_server, seeds_snapshot, tmp_path):
    doc_id = "000_d31a0db93372aa9b.txt"
    status, headers, data = request(f"{live_server.url}/documents/{doc_id}")
    html = data.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    numbers = sorted({c.paragraph for c in seeds_snapshot.document_chunks(doc_id)})
    for n in numbers:
        assert html.count(f'id="p{n}"') == 1
    assert "<script>" not in html.replace('<script src="/static/document.js" defer></script>', "")
    assert "onclick" not in html and "style=" not in html

    status, _, data = request(f"{live_server.url}/documents/bestaat-niet.txt")
    assert status == 404 and "Document niet gevonden" in data.decode("utf-8")

    empty = create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index")})
    response = empty.test_client().get(f"/documents/{doc_id}")
    assert response.status_code == 503 and "Nog geen documenten" in response.get_data(as_text=True)
    page = empty.test_client().get("/")
    assert page.status_code == 200 and 'lang="nl"' in page.get_data(as_text=True)


# Cells a spreadsheet reads as a formula (OWASP, CSV injection), also behind whitespace and line breaks.
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", "\n=1+1", " =1+1", "  \t@x", "\u00a0=1+1",
            "\u3000=1+1", "\x00=1+1", "\ufeff=1+1", "=HYPERLINK(\"http://kwaad.example\";\"klik\")",
            "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff201")
HARMLESS = ("Gewone vraag?", "Vraag - met een streepje", "'al een aanhalingsteken", "1+1=2", "a,b;\"c\"")


def test_feedback_export_neutralises_formulas(tmp_path):
    """Only =, +, - and @ at the very start were guarded; " =1+1" and "\\n=1+1" went through."""
    from web.feedback import FORMULA_PREFIX

    app = create_app({"VRAAGBAAK_INDEX_DIR": str(tmp_path / "geen-index"), "VRAAGBAAK_RATE_LIMIT": "off",
                      "VRAAGBAAK_FEEDBACK_DB": str(tmp_path / "feedback.sqlite"), "VRAAGBAAK_ADMIN_TOKEN": "beheer"})
    client = app.test_client()
    texts = FORMULAS + HARMLESS
    for text in texts:
        response = client.post("/api/v1/feedback", json={
            "question": f"Vraag {text}", "answer": text if text.strip() else "x", "rating": "down", "comment": text,
            "history": [text], "passages": [f"{text}#1"]})
        assert response.status_code == 201, (text, response.get_json())
    response = client.get("/api/v1/feedback?format=csv", headers={"Authorization": "Bearer beheer"})
    raw = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert len(rows) == len(texts)
    for text, row in zip(texts, rows):
        for column in ("comment", "history", "passages"):
            cell, original = row[column], text if column != "passages" else f"{text}#1"
            if text in FORMULAS:
                assert cell == FORMULA_PREFIX + original, (column, text, cell)
            else:
                assert cell == original, (column, text, cell)
        assert row["question"] == f"Vraag {text}"
    # Every cell is quoted, so a separator or quote inside a text cannot start a new cell.
    first_data_line = raw.split("\r\n")[1]
    assert first_data_line.startswith('"') and '","' in first_data_line


def test_every_page_names_an_icon_that_exists(live_server):
    """Without one, browsers ask /favicon.ico on every page and log its 404 as a console error."""
    import re

    for path in ("/", "/documents/000_d31a0db93372aa9b.txt"):
        status, _, html = request(live_server.url + path)
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html.decode())
        assert status == 200 and icon, path
        status, headers, data = request(live_server.url + icon.group(1))
        assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and data.startswith(b"<svg")

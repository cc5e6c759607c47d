"""What a person saw go wrong (issue 12), asked again as a person asks: over HTTP and on the chat page.

tests/test_answering.py asks the same questions of the answering service
itself; here they go through a real server on loopback (the API) and a real
browser (the chat page), so that what the page shows is checked too: the
answer text, its citation markers, and the cards of the cited passages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.client import post_json
from tests.conftest import app_server

# A quoted sentence that asks something ends in "?" right before its citation marker.
QUESTION_QUOTED = re.compile(r"\?\s*\[\d+\]")


@pytest.fixture(scope="module")
def server(seeds_index_dir: Path, embedder):
    """The app over the seeds index, without a rate limit: this module asks many questions in a row."""
    live = app_server(seeds_index_dir, embedder, VRAAGBAAK_PRELOAD=True, VRAAGBAAK_RATE_LIMIT="off")
    yield live
    live.stop()


def _served(server, page, question: str) -> tuple[dict, str, list[str]]:
    """The API's answer, and what the chat page shows for the same question: answer text and card texts."""
    status, body = post_json(f"{server.url}/api/v1/ask", {"question": question})
    assert status == 200, body
    assert not body["abstained"], body["answer"]
    turns_before = page.locator("article.turn").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    turn = page.locator("article.turn").nth(turns_before)
    turn.locator(".answer").wait_for()
    cards = turn.locator(".source-card .card-text").all_inner_texts()
    return body, turn.locator(".answer").inner_text(), cards


def test_the_issue_examples_over_the_api_and_on_the_chat_page(server, page):
    page.goto(server.url + "/")

    # A question from a letter is not the answer to "what is it".
    body, shown, _ = _served(server, page, "Wat is de kostendelersnorm?")
    assert "kostendelersnorm" in " ".join(p["text"] for p in body["passages"][:3]).lower()
    for text in (body["answer"]["text"], shown):
        assert re.search(r"\[\d+\]", text)  # the quote carries its citation marker ...
        assert not QUESTION_QUOTED.search(text)  # ... and no quoted sentence ends in "?"

    # The municipalities that lead are named in the first passage, and on its card.
    body, _, cards = _served(server, page, "Welke gemeenten lopen voorop met een bijstand vanuit vertrouwen?")
    for name in ("Enschede", "Tilburg"):
        assert name in body["passages"][0]["text"]
        assert name in cards[0]

    # Initials do not end the sentence: the minister's name is quoted whole.
    body, shown, _ = _served(server, page, "Wie is de minister van Sociale Zaken?")
    assert "M.L.J. Paul" in body["answer"]["text"]
    assert "M.L.J. Paul" in shown

    # The footnote that answers is quoted after the sentence it belongs to, without its number.
    body, shown, _ = _served(server, page, "Hoeveel dakloze mensen telde het CBS in Nederland?")
    for text in (body["answer"]["text"], shown):
        assert "30,6 duizend dakloze mensen" in text
        assert "alarmerend gestegen" in text
        assert not re.search(r"\d\s+30,6 duizend", text)  # no footnote number before the figure

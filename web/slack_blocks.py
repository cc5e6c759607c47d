"""Renders an Answer for chat: Slack Block Kit (mrkdwn), a plain fallback text, and Mattermost markdown.

Only the cited passages are listed as sources, numbered with their rank, so the
[n] markers in the answer text point at the source with the same number.
"""

from __future__ import annotations

import html
import re

from qa.service import Answer

from .links import document_link, file_link

# Slack refuses a section whose text is longer than 3000 characters.
SECTION_LIMIT = 3000

USAGE = ("Stel een vraag over de documenten, bijvoorbeeld: "
         "_Welke gemeente heeft een rekentool voor de bijstand gelanceerd?_")
SEARCHING = "Even zoeken…"
BUSY = "Vraagbaak is nu erg druk en kan deze vraag niet aannemen. Probeer het over een minuut opnieuw."


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; everything else in mrkdwn is plain text to Slack."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([^>|]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<([^>|]+)(?:\|([^>]*))?>")


def clean_slack_text(text: str) -> str:
    """A Slack message as the plain question the user typed: no mentions, links as their label."""
    text = _USER_MENTION.sub(" ", text or "")
    text = _SPECIAL.sub(lambda m: m.group(2) or "", text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return " ".join(html.unescape(text).split())


def _cited_hits(answer: Answer) -> list:
    if answer.abstained:
        return []
    cited = [hit for hit in answer.hits if hit.rank in set(answer.citations)]
    return cited or answer.hits[:1]


def _label(hit) -> tuple[str, str]:
    c = hit.chunk
    return f"[{hit.rank}]", f"{c.title or c.doc_id} — alinea {c.paragraph}"


def document_url(base_url: str, hit) -> str:
    """The passage in the document view, in its own collection."""
    c = hit.chunk
    return document_link(c.doc_id, c.paragraph, base_url, collection=c.collection)


def page_url(base_url: str, hit) -> str | None:
    """For a PDF passage: the original file at its page ("Bekijk pagina N"), else None."""
    c = hit.chunk
    page = getattr(c, "page", None)
    return file_link(c.doc_id, page, base_url, collection=c.collection) if page is not None else None


def _truncate(text: str, limit: int) -> str:
    """Escaped mrkdwn cut to `limit` characters, never inside an entity ("&amp;" cut to "&a" reads as text)."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    entity = text.rfind("&", max(0, cut - len("&amp;") + 1), cut)
    if entity != -1 and ";" not in text[entity:cut]:
        cut = entity
    return text[:cut].rstrip() + "…"


def slack_message(answer: Answer, base_url: str | None) -> dict:
    """Keyword arguments for chat.postMessage / respond(): `text` (fallback) and `blocks`."""
    blocks = [{"type": "section",
               "text": {"type": "mrkdwn", "text": _truncate(escape_mrkdwn(answer.text), SECTION_LIMIT)}}]
    lines, plain = [], []
    for hit in _cited_hits(answer):
        number, label = _label(hit)
        # In a link's label '|' and '>' would end it early; '>' is already escaped.
        safe = escape_mrkdwn(f"{number} {label}").replace("|", "¦")
        line = f"<{document_url(base_url, hit)}|{safe}>" if base_url else safe
        if base_url and page_url(base_url, hit):
            line += f" · <{page_url(base_url, hit)}|Bekijk pagina {hit.chunk.page}>"
        lines.append(line)
        plain.append(f"{number} {label}")
    if lines:
        # Whole lines only: a link cut in two is markup Slack shows as text.
        shown = "*Bronnen*"
        for line in lines:
            if len(shown) + 1 + len(line) > SECTION_LIMIT:
                break
            shown += "\n" + line
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": shown}})
    fallback = answer.text + ("\n\nBronnen:\n" + "\n".join(plain) if plain else "")
    return {"text": escape_mrkdwn(fallback), "blocks": blocks}


def _escape_markdown_label(text: str) -> str:
    return re.sub(r"([\\\[\]()*_`])", r"\\\1", text)


# Markdown's own characters, escaped with a backslash so that quoted text shows as written.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|~<>])")
# "@channel", "@all", "@here" and "@naam" notify people in Mattermost: a word joiner after the
# "@" shows the same text and mentions no one.
_MENTION = re.compile(r"@(?=\w)")


# The answer's citation markers stay as they are: "[1]" followed by a space is no Markdown link.
_ESCAPED_CITATION = re.compile(r"\\\[(\d+)\\\]")


def escape_mattermost(text: str) -> str:
    """Text from the documents as Mattermost shows it literally: no markup, no mentions."""
    escaped = _MENTION.sub("@\u2060", _MARKDOWN.sub(r"\\\1", text))
    return _ESCAPED_CITATION.sub(r"[\1]", escaped)


def mattermost_text(answer: Answer, base_url: str | None) -> str:
    """The answer as Mattermost markdown, with the sources as links where a public address is set."""
    lines = []
    for hit in _cited_hits(answer):
        number, label = _label(hit)
        text = _escape_markdown_label(f"{number} {label}")
        line = f"- [{text}]({document_url(base_url, hit)})" if base_url else f"- {text}"
        if base_url and page_url(base_url, hit):
            line += f" · [Bekijk pagina {hit.chunk.page}]({page_url(base_url, hit)})"
        lines.append(line)
    return escape_mattermost(answer.text) + ("\n\n**Bronnen**\n" + "\n".join(lines) if lines else "")

"""The document's own spellings, asked "does this form occur anywhere?".

Joining a hyphenated line break asks whether "werk-nemer" occurs elsewhere in
the document (then the hyphen stays), joining "(kinder)" + "armoede" whether
"(kinder)armoede" does. Each such question is a substring search of the whole
text: one pass per question, quadratic in a long document. `learn` answers
all questions of a document in one pass instead: every question holds a
hyphen or a closing bracket (its anchor), so only the text around the
anchors in the document is compared -- a few characters on either side as a
dictionary key, then the whole question where the key matches. A question
not learned is answered by a plain search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ANCHOR = re.compile(r"[-)]")
_SIDE = 3  # characters on either side of the anchor that make the key


class Vocabulary:
    def __init__(self, text: str):
        self.text = text
        self._known: dict[str, bool] = {}

    def __contains__(self, query: str) -> bool:
        if query not in self._known:
            self._known[query] = query in self.text
        return self._known[query]

    def learn(self, queries: Iterable[str]) -> None:
        """Find out, in one pass over the text, which of `queries` occur in it."""
        keys: dict[tuple[int, int], dict[str, list[tuple[str, int]]]] = {}
        for query in set(queries) - self._known.keys():
            anchor = _ANCHOR.search(query)
            if anchor is None:
                continue  # left to a plain search, should it be asked
            k = anchor.start()
            before, after = min(k, _SIDE), min(len(query) - k - 1, _SIDE)
            keys.setdefault((before, after), {}).setdefault(query[k - before:k + 1 + after], []).append((query, k))
            self._known[query] = False
        text = self.text
        for match in _ANCHOR.finditer(text):
            at = match.start()
            for (before, after), by_key in keys.items():
                if at < before:
                    continue
                for query, k in by_key.get(text[at - before:at + 1 + after], ()):
                    if not self._known[query] and text.startswith(query, at - k):
                        self._known[query] = True

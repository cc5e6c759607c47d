"""Stage 2, page furniture: lines that belong to the page, not to the text.

In extracted text a bare page number -- "3", "- 3 -", "— 3 —", "pagina 3",
"pagina 3 van 7" -- stands on a line of its own between the text of two
pages. It is read as a blank line, so that it never ends up inside a
paragraph and the paragraph that runs over the page break can still be
joined. So is a rule: a line of only dashes, asterisks, underscores or
equals signs ("---", "* * *", "=====") between sections, a clipping's
articles, or a Markdown document's parts. (The PDF
reader removes richer furniture -- running headers, footers, print stamps --
from the layout before the text gets here; see `index.pdf.furniture`.)
"""

from __future__ import annotations

import re

PAGE_NUMBER = re.compile(r"^(?:\d{1,3}|[-–—]\s*\d{1,3}\s*[-–—]|pagina \d+(?: van \d+)?)$", re.I)
RULE = re.compile(r"^(?:[-*_=~—–]\s*){3,}$")


def is_page_furniture(text: str) -> bool:
    """Whether a (stripped) line is a bare page number or a rule."""
    return PAGE_NUMBER.match(text) is not None or RULE.match(text) is not None

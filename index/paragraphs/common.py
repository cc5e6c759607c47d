"""What the stages share: the patterns of lines and the tests on their text."""

from __future__ import annotations

import re

SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUP_TRANS = str.maketrans(SUPERSCRIPT, "0123456789")
# Not after a unit of area or volume: the "²" of "1.150 m²" or "km²" is a power, no footnote marker.
NOT_A_POWER = r"(?<!\bm)(?<!\bkm)(?<!\bcm)(?<!\bdm)(?<!\bmm)"
# "*" opens a list item only before a space, as Markdown has it: "**Vet** ..." is emphasis.
BULLET = re.compile(r"^([•·▪◦∙●○■□➢►✓]|[-–−*](?=\s))\s*")
NUMBERED = re.compile(r"^(\(?\d{1,2}[.)]|\(?[a-z][.)])\s+(?=\S)")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ARTICLE = re.compile(r"^(\d{2})\.\s+\S")
SPACED = re.compile(r"^(?:[A-ZÀ-Ý0-9] ){3,}[A-ZÀ-Ý0-9]$")
URL_LINE = re.compile(r"^(?:https?://|mailto:|www\.)\S+$")
FOOTNOTE_LINE = re.compile(r"^(\d{1,2})\s+(?=\S)")
SUP_FOOTNOTE_LINE = re.compile(r"^([" + SUPERSCRIPT + r"]+)\s*(?=\S)")
INLINE_FN_DEF = re.compile(r"\[(\d{1,3}):\s+([^\[\]]*(?:\[[^\[\]]*\]\([^)]*\)[^\[\]]*)*)\]")
# A footnote reference: "[footnoteRef:3]" (Word export), or Markdown's "[^3]" (not its definition "[^3]: ...").
FN_REF = re.compile(r"\[footnoteRef:\d+\]|\[\^[^\]\s]+\](?!:)")
# A Markdown footnote definition: "[^3]: Zie ...".
MD_FOOTNOTE_LINE = re.compile(r"^\[\^(\d{1,3})\]:\s+(?=\S)")
# A Markdown link; its address may hold one level of brackets ("wiki/Gouda_(kaas)").
MD_LINK = re.compile(r"\[([^\[\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
DATE = re.compile(
    r"(?<!\d)\d{1,2}\s+(?:januari|februari|maart|april|mei|juni|juli|augustus|september|"
    r"oktober|november|december)\s+\d{4}\b",
    re.I,
)
# The caption of a table or figure ("Tabel 6.1 Kernindicatoren", "Figuur 2: ..."): it names what
# follows (or precedes) it, and heads no text after it.
TABLE_CAPTION = re.compile(r"^(?:Tabel|Figuur|Grafiek|Afbeelding|Kaart)\s+\d[\d.]*\b")
CAPTION = re.compile(r"^(?:Auteur|Door|Bron|Tekst|Redactie)\b|©|\bANP\b|\bFoto\b|\bBeeld\b|Hollandse Hoogte|\s[-–]\s|\w/\w")
# A photo's credit closing its caption: "... uitgebreid. (Foto: ANP / Jan de Vries)", "Beeld: Hollandse
# Hoogte". A caption is a paragraph of its own: no sentence of the text below continues it.
PHOTO_CREDIT = re.compile(r"(?:\((?:Foto|Beeld|Illustratie)\s*:[^()]{1,80}\)"
                          r"|(?:^|[.!?]\s+)(?:Foto|Beeld)\s*:\s*[^.:;!?()]{1,60})\s*$")
# A postal address: a Dutch postcode ("2500 EA") or a Postbus; an address heads nothing.
ADDRESS = re.compile(r"\b\d{4} ?[A-Z]{2}\b|\bPostbus \d")
# A letter's subject line: "Betreft Voortgang ...", "Onderwerp: ..." (or the label alone).
SUBJECT = re.compile(r"^(?:betreft|onderwerp)\b[:\t ]*(.*)$", re.I)
# The same label further on a line, capitalised: a PDF row "Datum 14 maart 2025 Betreft Voortgang ...".
SUBJECT_IN_LINE = re.compile(r"\s(?:Betreft|Onderwerp)\b[:\t ]*(.*)$")
SENT_END = ".!?"
CLOSERS = "'\"’”»)]*"

FUNCTION_WORDS = frozenset(
    """de het een en of van voor met op in aan bij tot uit naar over door om te
    als dan die dat dit deze zijn haar hun ons onze mijn je jouw u uw wij we zij
    ze hij er niet ook nog wel maar want dus is was wordt worden werd zal zullen
    kan kunnen moet moeten heeft hebben had zo al""".split()
)
KEEP_HYPHEN_PREFIXES = frozenset(
    "niet ex oud anti pro non semi co oud-".split()
)
CONJ_AFTER_HYPHEN = frozenset("en of tot noch".split())


def is_upper_start(s: str) -> bool:
    for ch in s:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return True
        if ch in "'\"‘“„(«[*":
            continue
        return False
    return False


def is_lower_start(s: str) -> bool:
    return bool(s) and s[0].isalpha() and s[0].islower()


def strip_closers(s: str) -> str:
    return s.rstrip().rstrip(CLOSERS + " ")


def ends_sentence(s: str) -> bool:
    t = s.rstrip()
    if not t:
        return False
    if t[-1] in SENT_END:
        return True
    # 'sentence.' / "sentence." / (sentence.)
    if t[-1] in CLOSERS:
        inner = t.rstrip(CLOSERS)
        return bool(inner) and inner[-1] in SENT_END
    return False


def word_list(s: str) -> list[str]:
    return s.split()

"""What a question asks for, and whether a sentence holds that kind of fact.

The question word decides the answer type: "hoeveel" wants a quantity,
"welk bedrag" an amount of money, "wanneer" a date or period, "wie" a person
or organisation, "waar" a place, "waarom" a reason, "welke X" an X; where no
question word says more than "a thing", the noun asked about does ("wat is de
ingangsdatum" a date, "welk aantal" a quantity). A
sentence holds the type when it has the surface form of such a fact: a
number that is not a date, a euro amount, a date or year, a name that the
question does not already contain (a person, a body, a place), or a causal
connective ("omdat", "doordat", "om ... te"). These are features of Dutch,
not of any document: nothing here names a question, a corpus or an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis import fold

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_NUMBER_WORDS = "nul|miljoen|miljard|procent|helft|kwart|derde|dubbel|verdubbeld|anderhalf|anderhalve"
# Dutch writes a number below a million as one word of these parts: "tweeduizend", "vijfentwintig",
# "achttien", "driehonderdveertig" ("tweeënveertig" is folded to "tweeenveertig" first). A word made
# of them only is a number; it may not end in the joining "en" ("achten" is a verb) nor be "een".
# A half is joined the same way: "tweeënhalf", "drieënhalve".
_NUMBER_PARTS = ("een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|twintig|"
                 "dertig|veertig|tachtig|tig|honderd|duizend")
_NUMBER_WORD = rf"(?!een\b)(?:(?:{_NUMBER_PARTS})(?:en)?)*(?:{_NUMBER_PARTS})(?:enhalf|enhalve)?"
# A quantity, not a date: "40 woningen", "12 procent", "twaalf gemeenten", "tweeduizend fietsers",
# but not "5 februari" or the year "2026" on its own.
QUANTITY = re.compile(
    rf"(?<![\d.,])(?!(?:19|20)\d\d\b)\d[\d.,]*(?!\s*(?:{_MONTHS})\b)(?![\d.,]*\d)"
    rf"|\b(?:{_NUMBER_WORDS}|{_NUMBER_WORD})\b"
)
MONEY = re.compile(r"€|\beuro\b|\bmiljoen\b|\bmiljard\b")
# A date, year or period, and the times of a week or a day ("op werkdagen van 9.00 tot 17.00 uur").
DATE = re.compile(
    rf"\b(?:(?:19|20)\d\d|{_MONTHS}|week \d+|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    r"werkdag(?:en)?|weekend(?:en)?|\d{1,2}[.:]\d\d\s*uur|"
    r"jaar|maand|kwartaal|voorjaar|najaar|zomer|winter|herfst)\b"
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "Hoe lang ...?" asks for a duration: a number of units of time ("twaalf maanden", "16 weken",
# "een half jaar"), or how far it runs ("tot 2031", "tot en met december").
_TIME_UNITS = (r"jaar|jaren|maand|maanden|week|weken|werkweek|werkweken|dag|dagen|werkdag|werkdagen|uur|uren|"
               r"minuut|minuten|seconden|kwartaal|decennium")
DURATION = re.compile(rf"(?:\d[\d.,]*|\b[a-z]+)\s+(?:{_TIME_UNITS})\b|\btot\s+(?:en met\s+)?(?:\d|{_MONTHS})")
_ASKS_DURATION = re.compile(r"\bhoe lang\b")
# A clause that gives a cause or a purpose ("omdat ...", "om ... te"); a reason is
# also named by words such as "reden", "doel", "leidt tot".
_CAUSE = r"omdat|doordat|want|zodat|vanwege|dankzij|aangezien|waardoor|om\b(?:\s+\S+){1,12}?\s+te"
CAUSE = re.compile(rf"\b(?:{_CAUSE})\b")
REASON = re.compile(
    rf"\b(?:{_CAUSE}|daardoor|daarom|reden|oorzaak|doel|bedoeld|bedoeling|zorgt ervoor|leidt tot|met als gevolg)\b"
)
# A name: a capitalised word, or initials ("M.L.J."), not at the start of the sentence; it may
# open a quotation, in straight or curly quotes ("de regeling ‘Samen Thuis’"), and never ends in
# the quote that closes it.
_NAME = re.compile(r"(?<=[\s(„\"'‘“])(?:[A-Z]\.){1,5}(?=\s)"
                   r"|(?<=[\s(„\"'‘“])[A-ZÀ-Ý][\w'’-]*[a-zà-ÿ0-9](?:[\w'’-]*\w)?")
_PLACE_PREPOSITION = re.compile(r"\b(?:in|te|bij|uit|naar|rond|nabij|op)\s+(?:de\s+|het\s+)?[A-ZÀ-Ý]")

# Question words and the answer type they ask for. The question word that
# comes first in the question decides ("Hoe heet de wet waar ... voor
# waarschuwt?" asks for a name: "waar" there only opens a clause); at the same
# position the more specific pattern, listed first, wins.
_LEAD = r"^(?:(?:en|maar|ook|dus|en dan)\s+)?(?:(?:naar|tot|vanaf|vanuit|sinds|in|op|aan|bij|met|door|voor)\s+)?"
_ASKS = (
    (re.compile(r"^(?:en\s+)?waar staat\b.*\bvoor\b"), "thing"),  # "Waar staat CCD2 voor?": a meaning
    (re.compile(r"\b(welk bedrag|hoeveel geld|wat kost|wat kosten|hoe duur|hoeveel euro|hoeveel kost)\b"), "amount"),
    (re.compile(r"\b(hoeveel|hoe veel|hoe groot|hoe hoog|welk percentage|welk deel|hoe lang|hoe vaak)\b"),
     "quantity"),
    (re.compile(r"\b(wanneer|welke datum|op welke dag|in welk jaar|welke week|per wanneer|welk jaar)\b"), "date"),
    (re.compile(r"\b(waarom|om welke reden|wat is het doel|wat is de reden|waartoe|hoe komt het dat)\b"), "reason"),
    (re.compile(r"\bwie\b"), "name"),
    (re.compile(_LEAD + r"waar\b|\b(in welke (stad|gemeente|provincie|plaats|regio)|welke (stad|steden|gemeente|"
                r"gemeenten|provincie|provincies|plaats|plaatsen|regio))\b"), "place"),
    (re.compile(r"\b(welke|welk|hoe heet|hoe heten|wat is de naam)\b"), "thing"),
)
# The question asks what someone asked: a quoted question is then its answer.
_ASKS_FOR_A_QUESTION = re.compile(
    r"\b(welke|wat voor|hoeveel) (vraag|vragen)\b|\bwat (vraagt|vroeg|vragen|vroegen|wil \w+ weten)\b")
_QUESTION_WORD = re.compile(_LEAD + r"(wat|welke|welk|wie|waar|wanneer|hoeveel|hoe|waarom|is|zijn|kan|kunnen|moet)\b")


_FOCUS = re.compile(r"\b(?:welke|welk|wie is de|wie zijn de|wie was de|hoe heet de|hoe heet het|hoe heten de)\s+(\w{3,})")
# "Wie is de burgemeester van ...?": the role whose holder is asked, a noun right
# before "van", "bij", ... or the question mark ("Wie is de nieuwe directeur" names
# no role this way: "nieuwe" is no role, and the check stays off).
_ROLE = re.compile(r"\bwie (?:is|zijn|was|waren) de (\w[\w-]{2,})(?=\s+(?:van|bij|in|op|die|achter|voor)\b|\s*\?)")
# "Wie is de voorzitter van de VNG?": the body whose role is asked, by its name or acronym.
_ROLE_BODY = re.compile(r"\b[Ww]ie (?:is|zijn|was|waren) de [\w-]+ (?:van|bij) (?:de |het )?"
                        r"([A-ZÀ-Ý][\w'’-]*(?: (?:[A-ZÀ-Ý][\w'’-]*|en|van|voor))*)")
# "Wat is de beoogde invoeringsdatum ...?", "Welke termijn ...?": the head of the noun
# the question asks about names the answer type, and a Dutch compound ends in its
# head ("invoerings|datum", "eigen|bijdrage"). Up to two words before it may be
# adjectives ("beoogde", "nieuwe"). "Welke kosten" asks which costs, not how much:
# money is only asked by "wat is/zijn".
_HEAD_NOUN = re.compile(
    r"^(?:(?:en|maar|ook|dus)\s+)?(?:(?:naar|tot|vanaf|vanuit|sinds|in|op|aan|bij|met|door|voor)\s+)?"
    r"(?P<lead>(?:wat|hoe)\s+(?:is|zijn|was|waren|wordt|worden|luidt|luiden)\s+(?:de|het|een)|welke|welk)"
    r"\s+(?P<words>\w+(?:\s+\w+){0,2})")
_HEAD_KINDS = (
    ("date", ("datum", "dag", "dagen", "jaar", "jaren", "jaartal", "maand", "maanden", "periode", "periodes",
              "termijn", "termijnen", "tijdstip", "deadline")),
    ("quantity", ("aantal", "percentage", "hoeveelheid", "omvang", "getal", "hoogte", "grootte", "lengte",
                  "duur", "leeftijd", "grens")),
    ("reason", ("reden", "redenen", "oorzaak", "oorzaken", "aanleiding", "doel", "doelen", "motivatie")),
)
_MONEY_HEADS = ("bedrag", "prijs", "kosten", "budget", "tarief", "tarieven", "premie", "boete")


@dataclass(frozen=True)
class Asked:
    """What a question wants: an answer type (or None: no type is recognisable), and whether a question may answer."""

    kind: str | None
    questions_answer: bool = False  # "Welke vraag stelt Valente?": a question is the answer
    focus: str | None = None  # "welke gemeenten" -> "gemeente": the noun the answer is an instance of
    role: str | None = None  # "Wie is de burgemeester van ...?" -> "burgemeester": the role whose holder is asked
    duration: bool = False  # "Hoe lang ...?": a quantity of time


def asked(question: str) -> Asked:
    q = fold(question)
    found = [(m.start(), order, kind) for order, (pattern, kind) in enumerate(_ASKS) if (m := pattern.search(q))]
    kind = min(found)[2] if found else None
    if kind in (None, "thing"):
        kind = _kind_of_head_noun(q) or kind
    focus = _FOCUS.search(q)
    role = _ROLE.search(q)
    return Asked(kind, bool(_ASKS_FOR_A_QUESTION.search(q)), _focus_stem(focus.group(1)) if focus else None,
                 _focus_stem(role.group(1)) if role else None,
                 duration=kind == "quantity" and bool(_ASKS_DURATION.search(q)))


def _kind_of_head_noun(folded_question: str) -> str | None:
    """The answer type named by the noun asked about: "wat is de ingangsdatum" a date, "welk aantal" a quantity.

    Only where no question word already decided more than "a thing". The first of
    the (up to three) words that ends in a typed head noun decides; money counts
    only after "wat is/zijn", since "welke kosten" asks which ones.
    """
    match = _HEAD_NOUN.search(folded_question)
    if not match:
        return None
    for word in match.group("words").split():
        for kind, heads in _HEAD_KINDS:
            if word.endswith(heads):
                return kind
        if word.endswith(_MONEY_HEADS) and not match.group("lead").startswith("welk"):
            return "amount"
        if not word.endswith("e"):
            return None  # the first word that is no inflected adjective is the noun; it names no type
    return None


def _focus_stem(word: str) -> str:
    """A crude common stem of a Dutch noun's singular and plural: "gemeenten" -> "gemeent"."""
    for ending in ("en", "s", "n", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def names_the_focus(wanted: Asked, sentence: str, question: str) -> bool:
    """The sentence names an instance of the asked-for noun: "de gemeente Enschede", "minister Keijzer", "Wet X"."""
    if not wanted.focus:
        return False
    for match in re.finditer(rf"\b{re.escape(wanted.focus)}\w*", fold(sentence)):
        after = sentence[match.start(): match.end() + 40]
        if new_names(after, question) or sentence[match.start()].isupper() and match.start() > 0:
            return True
    return False


def question_names(question: str) -> list[tuple[str, ...]]:
    """The names a question is specific about, each as its folded parts; not its first word.

    A name is a run of capitalised words ("Piet Fortuin", "Nationaal Actieplan
    Dakloosheid"); a hyphenated word counts by its capitalised parts
    ("Sittard-Geleen": sittard, geleen; "BRP-registratie": none, "registratie" is
    no name). Acronyms (CBS, VNG) and initials are left out: they name the bodies a
    question is about or quotes, which a passage may leave to its context.
    """
    names: list[list[str]] = []
    end = -1
    for match in _NAME.finditer(question):
        parts = [fold(part) for part in re.split(r"[-/]", match.group(0))
                 if part[:1].isupper() and re.search(r"[a-zà-ÿ]", part)]
        if not parts:
            continue
        if names and not question[end:match.start()].strip():
            names[-1].extend(parts)  # the next word of the same name
        else:
            names.append(parts)
        end = match.end()
    return [tuple(name) for name in names]


def role_body(question: str) -> tuple[str, ...]:
    """The folded capitalised words of the body whose role "wie is de X van Y?" asks: ("vng",), ("sociale", "zaken")."""
    found = _ROLE_BODY.search(question)
    if not found:
        return ()
    return tuple(fold(part) for part in re.split(r"[\s-]+", found.group(1)) if part[:1].isupper())


def has_question_word(question: str) -> bool:
    """Whether the question names what it asks ("En in 2024?" does not: it leans on the previous one)."""
    return any(pattern.search(fold(question)) for pattern, _ in _ASKS) or bool(_QUESTION_WORD.search(fold(question)))


def new_names(sentence: str, question: str) -> list[str]:
    """Names in the sentence (not at its start) that the question does not contain."""
    known = set(re.findall(r"\w+", fold(question)))
    return [m.group(0) for m in _NAME.finditer(sentence)
            if not set(re.findall(r"\w+", fold(m.group(0)))) <= known]


def type_evidence(wanted: Asked, sentence: str, question: str) -> float:
    """How well a sentence holds the kind of fact asked for: 0 (not at all) to 1."""
    kind = wanted.kind
    if kind is None:
        return 0.0
    if wanted.questions_answer:  # "Welke vraag stelt Valente?": a question is the kind of fact asked for
        return float(is_question(sentence))
    folded = fold(sentence)
    if kind == "amount":
        return 1.0 if MONEY.search(folded) and QUANTITY.search(folded) else 0.5 * bool(QUANTITY.search(folded))
    if kind == "quantity":
        counted = float(bool(QUANTITY.search(folded)))
        if wanted.duration:  # a number of something else half answers "hoe lang"
            return 1.0 if DURATION.search(folded) else 0.5 * counted
        return counted
    if kind == "date":
        return float(bool(DATE.search(folded)))
    if kind == "reason":
        return float(bool(REASON.search(folded)))
    names = new_names(sentence, question)
    if wanted.focus:
        # "welke gemeenten": best a name right after the noun ("de gemeente Enschede"), else any new name.
        return 1.0 if names_the_focus(wanted, sentence, question) else 0.5 * bool(names)
    if kind == "place":
        return 1.0 if names and _PLACE_PREPOSITION.search(sentence) else 0.5 * bool(names)
    # "wie": a name the question does not hold is often the answer.
    return float(bool(names))


def is_question(sentence: str) -> bool:
    """A sentence that asks something (ends in "?", allowing closing quotes or brackets)."""
    return sentence.rstrip(" \"'’”»)]*").endswith("?")

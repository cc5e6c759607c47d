"""Question checks and language detection, before any retrieval happens."""

import pytest

from qa.errors import QuestionError
from qa.language import detect_language
from qa.question import MAX_QUESTION_CHARS, clean_history, clean_question


@pytest.mark.parametrize("bad, code", [
    ("", "empty_question"),
    ("   \n\t ", "empty_question"),
    ("\u200b\u200d \u00ad\u200c", "empty_question"),
    ("x" * (MAX_QUESTION_CHARS + 1), "question_too_long"),
    ("?" * 100_000, "question_too_long"),
    (None, "invalid_question"),
    (42, "invalid_question"),
])
def test_bad_questions_get_a_clear_dutch_error(bad, code):
    with pytest.raises(QuestionError) as caught:
        clean_question(bad)
    assert caught.value.code == code
    assert caught.value.message  # shown to the user as is


def test_question_whitespace_and_control_characters_are_cleaned():
    assert clean_question("  Wat  doet\u0000 de\tgemeente?\n") == "Wat doet de gemeente?"
    # Invisible format characters go (a soft hyphen splits no word); the joiners of an emoji stay.
    assert clean_question("Wat kost het be\u00adleid\u200b? \U0001F469\u200d\U0001F4BB") == \
        "Wat kost het beleid? \U0001F469\u200d\U0001F4BB"


def test_history_is_validated_and_bounded():
    assert clean_history(None) == []
    assert clean_history([f"vraag {i}" for i in range(30)])[-1] == "vraag 29"
    assert len(clean_history([f"vraag {i}" for i in range(30)])) == 10
    with pytest.raises(QuestionError):
        clean_history("geen lijst")
    with pytest.raises(QuestionError):
        clean_history(["", "vraag"])


def test_dutch_question_is_dutch():
    language = detect_language("Welke gemeente heeft een rekentool voor mensen in de bijstand gelanceerd?")
    assert language.code == "nl" and language.confident and language.notice is None


@pytest.mark.parametrize("question", [
    "Hoe lang duurt een kinderopvangtoeslagaanvraag straks hoogstens?",
    "Hoe lank duur die huurtoeslagaanvraag nou eintlik?",  # Afrikaans: a reader of Dutch, no notice either
])
def test_what_langdetect_calls_afrikaans_gets_no_notice(question):
    language = detect_language(question)
    assert language.code == "nl" and not language.confident and language.notice is None


def test_confidently_foreign_question_gets_a_dutch_notice():
    language = detect_language("Which municipality launched a calculator for people on welfare benefits?")
    assert language.code == "en" and language.confident
    assert "Nederlands" in language.notice


@pytest.mark.parametrize("question, code", [
    ("Combien de personnes sans abri y a-t-il aux Pays-Bas?", "fr"),
    ("¿Cuántas personas sin hogar hay en los Países Bajos?", "es"),
    ("Ile osób bezdomnych jest w Holandii?", "pl"),
    ("Hollanda'da kaç evsiz insan var?", "tr"),
    ("Сколько бездомных людей в Нидерландах?", "ru"),
    ("كم عدد المشردين في هولندا؟", "ar"),
    ("Hur många hemlösa finns det i Nederländerna?", "sv"),
])
def test_questions_in_the_languages_people_here_write_get_their_language_and_the_notice(question, code):
    language = detect_language(question)
    assert language.code == code and language.confident and "Nederlands" in language.notice


def test_a_question_in_another_script_is_named_as_such():
    # Hebrew is none of the languages scored first; among those, langdetect called it Romanian.
    language = detect_language("מה עושה העירייה עבור אנשים ללא בית?")
    assert language.code == "he" and language.confident and "Nederlands" in language.notice
    assert detect_language("市政府为无家可归者做了什么？").notice is not None
    assert detect_language("Wat doet de gemeente voor mensen zonder huis?").code == "nl"


def test_short_question_is_not_called_foreign():
    # Two words are too few for langdetect to be trusted: no notice.
    language = detect_language("WW-duur verkort?")
    assert language.code == "nl" and not language.confident and language.notice is None


def test_detection_is_repeatable():
    question = "Quelle municipalité a lancé un outil de calcul pour les allocataires?"
    assert len({detect_language.__wrapped__(question) for _ in range(5)}) == 1


def test_a_clearly_dutch_question_is_not_given_to_langdetect(monkeypatch):
    # Half its words are Dutch function words: Dutch whatever langdetect would say, and langdetect
    # costs about a millisecond a question (docs/performance.md).
    def no_langdetect(*args):
        raise AssertionError("langdetect asked")

    monkeypatch.setattr("qa.language._guesses", no_langdetect)
    language = detect_language.__wrapped__("Hoeveel dakloze mensen zijn er in de gemeente?")
    assert language.code == "nl" and language.confident and language.notice is None
    assert not detect_language.__wrapped__("En in 2024?").confident  # too few words to judge by
    with pytest.raises(AssertionError):  # "is", "of", "in" are Dutch too, but not half of it
        detect_language.__wrapped__("What is the role of the minister in the Netherlands?")


@pytest.mark.parametrize("given, read", [
    ("🏠 Hoeveel dakloze mensen telde het CBS?", "Hoeveel dakloze mensen telde het CBS?"),
    ("- 1. „Wie is de minister?”", "Wie is de minister?”"),
    ("b) Wanneer gaat de wet in?", "Wanneer gaat de wet in?"),
    ("'s-Hertogenbosch: hoeveel inwoners?", "'s-Hertogenbosch: hoeveel inwoners?"),
    ("🏠🏠", "🏠🏠"),
])
def test_a_question_is_read_from_its_first_word(given, read):
    # An emoji or list number before "Hoeveel" would hide the question word and make a name of it.
    assert clean_question(given) == read

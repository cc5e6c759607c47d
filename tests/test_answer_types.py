"""What a question asks for, and which sentences hold it: Dutch question words against sentences written here."""

import pytest

from qa.answer_types import asked, has_question_word, is_question, new_names, question_names, type_evidence
from qa.evaluate import is_question_text, split_halves


@pytest.mark.parametrize("question, kind", [
    ("Hoeveel woningen bouwt de gemeente dit jaar?", "quantity"),
    ("Hoe veel mensen wonen er in de wijk?", "quantity"),
    ("Wat kost een parkeervergunning?", "amount"),
    ("Hoeveel euro krijgt een gezin erbij?", "amount"),
    ("Wanneer gaat de nieuwe regeling in?", "date"),
    ("Vanaf welk jaar geldt de regel?", "date"),
    ("Waarom stopt de gemeente met de proef?", "reason"),
    ("Wat is het doel van de nieuwe wet?", "reason"),
    ("Wie leidt het onderzoek naar de toeslagen?", "name"),
    ("Waar komt het nieuwe opvangcentrum?", "place"),
    ("Welke gemeenten doen mee aan de proef?", "place"),
    ("Welke wet regelt de registratie van uitzendbureaus?", "thing"),
    ("Wat vindt de wethouder van het plan?", None),
    # The noun asked about names the type when no question word does: a compound ends in its head.
    ("Wat is de beoogde ingangsdatum van de nieuwe regeling?", "date"),
    ("Welke termijn geldt voor een bezwaar?", "date"),
    ("Welk aantal woningen wil de provincie bouwen?", "quantity"),
    ("Wat is de hoogte van de eigen bijdrage?", "quantity"),
    ("Wat zijn de kosten van het nieuwe stelsel?", "amount"),
    ("Wat is het maximale maandbedrag?", "amount"),
    ("Wat is de aanleiding voor het onderzoek?", "reason"),
    ("Welke kosten vergoedt de gemeente?", "thing"),  # which costs, not how much
    ("Wat is het kenmerk van de brief?", None),
])
def test_the_question_word_decides_the_answer_type(question, kind):
    assert asked(question).kind == kind


@pytest.mark.parametrize("question, role", [
    ("Wie is de wethouder van Utrecht?", "wethouder"),
    ("Wie zijn de initiatiefnemers van het plan?", "initiatiefnemer"),
    ("Wie is de directeur-bestuurder van de corporatie?", "directeur-bestuurder"),
    ("Wie is de nieuwe directeur van de corporatie?", None),  # an adjective first: no role is read
    ("Wie leidt het onderzoek?", None),
])
def test_wie_is_de_x_van_y_asks_for_the_holder_of_role_x(question, role):
    assert asked(question).role == role


def test_the_noun_after_welke_is_the_focus_of_the_answer():
    wanted = asked("Welke minister werkt aan het wetsvoorstel?")
    assert wanted.focus == "minister"
    question = "Welke minister werkt aan het wetsvoorstel?"
    assert type_evidence(wanted, "Daar werkt minister Van Dalen al een jaar aan.", question) == 1.0
    assert type_evidence(wanted, "Het wetsvoorstel ligt bij de Raad van State.", question) == 0.5
    assert type_evidence(wanted, "Het wetsvoorstel is nog niet klaar.", question) == 0.0


def test_sentences_hold_the_kind_of_fact_asked_for():
    q = "Hoeveel woningen bouwt de gemeente?"
    assert type_evidence(asked(q), "De gemeente bouwt dit jaar 450 woningen.", q) == 1.0
    assert type_evidence(asked(q), "De gemeente bouwt in 2026 woningen.", q) == 0.0  # a year is no quantity
    q = "Wanneer gaat de regeling in?"
    assert type_evidence(asked(q), "De regeling gaat in op 1 januari 2027.", q) == 1.0
    assert type_evidence(asked(q), "De regeling gaat binnenkort in.", q) == 0.0
    q = "Wanneer is de Mantelzorglijn bereikbaar?"  # the times of a week or a day answer "wanneer" too
    assert type_evidence(asked(q), "Bereikbaar op werkdagen van 9.00 tot 17.00 uur.", q) == 1.0
    assert type_evidence(asked(q), "De lijn kost 1.50 per gesprek.", q) == 0.0
    q = "Waarom stopt de gemeente met de proef?"
    assert type_evidence(asked(q), "De gemeente stopt omdat het geld op is.", q) == 1.0
    assert type_evidence(asked(q), "De gemeente stopt om kosten te besparen.", q) == 1.0
    assert type_evidence(asked(q), "De gemeente stopt met de proef.", q) == 0.0
    q = "Wie leidt het onderzoek?"
    assert type_evidence(asked(q), "Het onderzoek wordt geleid door hoogleraar Anna de Vries.", q) == 1.0
    assert type_evidence(asked(q), "Het onderzoek loopt nog een jaar.", q) == 0.0


def test_names_are_new_words_with_a_capital_not_at_the_start():
    assert new_names("Volgens minister M.L.J. Paul is dat zo.", "Wie is de minister?") == ["M.L.J.", "Paul"]
    assert new_names("Volgens de gemeente Utrecht is dat zo.", "Wat vindt Utrecht?") == []
    assert new_names("Dat is zo.", "Wie?") == []
    assert new_names("Het project heet ‘Samen Thuis’ en loopt door.", "Hoe heet het project?") == ["Samen", "Thuis"]


def test_the_names_a_question_is_specific_about():
    assert question_names("Hoeveel statushouders moet Sittard-Geleen huisvesten?") == [("sittard", "geleen")]
    assert question_names("Hoeveel woningen bouwt Utrecht in 2027?") == [("utrecht",)]
    # A run of capitalised words is one name; a passage that holds one of its words names it.
    assert question_names("Wat zei Piet Fortuin over de regeling in Limburg?") == [("piet", "fortuin"), ("limburg",)]
    # The first word, acronyms and the lower-case part of a compound name no place or body.
    assert question_names("Wanneer meldde het CBS de verbeterde BRP-registratie?") == []


def test_zero_is_a_number():
    q = "Hoeveel dakloze mensen moeten er in 2030 nog zijn?"
    assert type_evidence(asked(q), "Het doel is nul dakloze mensen in 2030.", q) == 1.0


def test_questions_are_recognised_and_some_questions_ask_for_one():
    assert is_question("Neemt u het initiatief?")
    assert is_question("Hij vroeg: 'Waarom nu?'")
    assert not is_question("Het kabinet neemt het initiatief.")
    assert asked("Welke vraag stelt de vereniging aan de minister?").questions_answer
    assert not asked("Wat is de norm?").questions_answer
    # Then a question is the kind of fact asked for, and a statement naming the asker is not.
    q = "Welke vraag stelt de vereniging aan de minister?"
    assert type_evidence(asked(q), "Vraagt u de minister hoe hij de huren betaalbaar houdt?", q) == 1.0
    assert type_evidence(asked(q), "Dat stelt Anna de Vries, directeur van de vereniging.", q) == 0.0
    assert is_question_text("Is dat zo? [1]") and not is_question_text("Dat is zo. [1] Ja. [2]")


def test_an_elliptic_follow_up_names_no_question_word():
    assert not has_question_word("En in 2024?")
    assert has_question_word("En hoeveel kost dat?")


def test_the_evaluation_split_is_fixed_and_balanced_per_kind():
    questions = [{"id": f"q{i:02d}", "kind": "factoid" if i % 3 else "followup"} for i in range(12)]
    halves = split_halves(questions)
    assert halves == split_halves(list(reversed(questions)))  # order in the file does not matter
    for kind in ("factoid", "followup"):
        ids = [q["id"] for q in questions if q["kind"] == kind]
        assert sorted(halves[i] for i in ids).count("tune") == (len(ids) + 1) // 2


@pytest.mark.parametrize("sentence, holds", [
    ("De veerpont zet dagelijks tweeduizend fietsers over.", True),
    ("Er kwamen vijfentwintig nieuwe woningen bij.", True),
    ("In tweeënveertig gemeenten loopt de proef.", True),
    ("De wachtlijst telt driehonderdveertig mensen.", True),
    ("Achttien jongeren vonden een baan.", True),
    ("De verbouwing van het stadhuis duurt drieënhalf jaar.", True),
    ("Het traject duurt anderhalve maand.", True),
    ("Wij achten het wenselijk dat de gemeente een besluit neemt.", False),  # a verb, and an article
    ("Het elfstedentocht-comité vergadert in de zeventiende eeuw.", False),
])
def test_a_number_written_as_one_dutch_word_is_a_quantity(sentence, holds):
    q = "Hoeveel zijn het er?"
    assert type_evidence(asked(q), sentence, q) == float(holds)


@pytest.mark.parametrize("sentence, evidence", [
    ("Een aanvraag voor een gehandicaptenparkeerkaart duurt hoogstens acht weken.", 1.0),
    ("Na de keuring krijgt u de kaart binnen 10 werkdagen.", 1.0),
    ("De tijdelijke kaart is geldig tot 2029.", 1.0),
    ("Er kwamen 320 aanvragen binnen.", 0.5),  # a number, but not of time
    ("De aanvraag is eenvoudig.", 0.0),
])
def test_hoe_lang_asks_for_a_duration(sentence, evidence):
    q = "Hoe lang duurt het voordat ik een gehandicaptenparkeerkaart krijg?"
    assert asked(q).kind == "quantity" and asked(q).duration
    assert type_evidence(asked(q), sentence, q) == evidence
    assert not asked("Hoeveel parkeerkaarten gaf de gemeente uit?").duration

"""Answering on the real seeds index: fusion, follow-ups, extraction and abstention.

The questions are written for these tests from the seed documents; none comes
from the evaluation sets.
"""

import re
from dataclasses import replace

import numpy as np
import pytest

import qa.extract
import qa.service
from qa import retrieval
from index.backends import Candidates
from index.backends.local import open_index
from index.build import build_index
from index.types import Chunk
from qa.abstention import answer_is_unsupported, supported_sentences
from qa.extract import AnswerSentence, Question, answer_passage_first, extract_answer
from qa.options import AnswerOptions
from qa.retrieval import Hit, diversify, is_follow_up, near_the_earlier_answer
from qa.service import NOTHING_FOUND, Answerer

ROTTERDAM = "Welke gemeente heeft een rekentool gelanceerd voor mensen in de bijstand?"


@pytest.fixture(scope="module")
def answerer(seeds_snapshot, embedder):
    return Answerer(seeds_snapshot, embedder, AnswerOptions())


def _passage(doc: str, text: str) -> Hit:
    """A found passage of one paragraph: the whole of a small document, ranked first."""
    return Hit(Chunk(doc, doc.removesuffix(".txt").capitalize(), None, 1, text, 0, len(text), 1, 1, id=1), 1.0, 1, 0.9)


def test_answer_is_quoted_word_for_word_with_offsets(answerer):
    answer = answerer.ask(ROTTERDAM)
    assert not answer.abstained
    assert 1 <= len(answer.sentences) <= 2  # the best sentence, and one that scores nearly as well
    for sentence in answer.sentences:
        passage = answer.hits[sentence.passage - 1].chunk.text
        assert passage[sentence.start:sentence.end] == sentence.text
    assert answer.text == " ".join(f"{s.text} [{s.passage}]" for s in answer.sentences)
    assert "Rotterdam" in answer.text


def test_quantity_question_gets_the_sentence_with_the_number(answerer):
    answer = answerer.ask("Hoeveel Limburgse huishoudens met een bijstandsuitkering kregen een brief over de gratis kaart?")
    assert "28.000" in answer.text
    assert answer.hits[0].chunk.doc_id == "004_4a6563aa008f8ac9.txt"


def test_follow_up_is_answered_in_the_context_of_the_conversation(answerer):
    alone = answerer.ask("En wie is daar wethouder?")
    follow_up = answerer.ask("En wie is daar wethouder?", history=[ROTTERDAM])
    assert "Rotterdam" in follow_up.hits[0].chunk.heading
    assert "Versnel" in follow_up.text
    # Without the conversation the same words point elsewhere: the history did the work.
    assert "Rotterdam" not in (alone.hits[0].chunk.heading or "")


def test_a_new_subject_is_not_dragged_back_to_the_old_one(answerer):
    answer = answerer.ask("Wat vraagt Valente over medische zorg voor arbeidsmigranten?", history=[ROTTERDAM])
    assert answer.hits[0].chunk.doc_id == "001_ab8a111fa1afc862.txt"
    assert all("Rotterdam" not in (hit.chunk.heading or "") for hit in answer.hits[:3])


def test_follow_up_detection():
    terms = lambda text: re.findall(r"\w{4,}", text.lower())  # noqa: E731 - a stand-in analyzer
    assert is_follow_up("En hoeveel kost dat?", ["Wat is de kostendelersnorm?"], terms)
    assert is_follow_up("Vanaf wanneer gaat de inspectie daarop letten?", ["Wat regelt de wet?"], terms)
    assert not is_follow_up("En hoeveel kost dat?", [], terms)
    assert not is_follow_up("Welke maatregelen neemt het kabinet tegen malafide uitzendbureaus in Nederland?",
                            ["Wat is de kostendelersnorm?"], terms)


@pytest.mark.parametrize("question", [
    "Hoe lang moet een appeltaart met kaneel in de oven?",
    "Hoeveel kost een treinkaartje naar Parijs?",
])
def test_out_of_corpus_questions_abstain(answerer, question):
    answer = answerer.ask(question)
    assert answer.abstained and answer.text == NOTHING_FOUND
    assert answer.citations == [] and answer.sentences == []


def test_compound_in_the_question_finds_its_parts_in_the_text(answerer):
    answer = answerer.ask("Wat vindt Valente van de kostendelersnorm?", top_k=3)
    assert any("kostendelersnorm" in hit.chunk.text for hit in answer.hits)
    assert answer.hits[0].chunk.doc_id == "000_d31a0db93372aa9b.txt"


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_retrieval_mode_finds_the_rotterdam_article(seeds_snapshot, embedder, mode):
    answer = Answerer(seeds_snapshot, embedder, AnswerOptions(retrieval=mode)).ask(ROTTERDAM, top_k=5)
    assert any("Rotterdam" in (hit.chunk.heading or "") for hit in answer.hits[:3])
    assert [hit.rank for hit in answer.hits] == list(range(1, len(answer.hits) + 1))


def test_no_document_fills_the_whole_list(answerer):
    answer = answerer.ask("Wat staat er in de knipselkrant over de bijstand?", top_k=10)
    documents = [hit.chunk.doc_id for hit in answer.hits]
    assert len(set(documents)) >= 3


def test_later_passages_of_one_document_must_be_clearly_stronger_to_go_first():
    def chunk(doc, n):
        return Chunk(doc_id=doc, title=doc, heading=None, paragraph=n, text=f"{doc} {n}", start=0, end=1,
                     line_start=n, line_end=n)

    chunks = {1: chunk("a", 1), 2: chunk("a", 2), 3: chunk("a", 3), 4: chunk("b", 1), 5: chunk("b", 2)}
    scores = {1: 1.0, 2: 0.9, 3: 0.8, 4: 0.55, 5: 0.3}
    ranked = sorted(scores, key=lambda i: -scores[i])
    # a's second passage (0.9, decayed to 0.6) still beats b's best (0.55); its third (0.8 → 0.4) does not.
    assert diversify(ranked, scores, chunks, 5) == [1, 2, 4, 3, 5]
    assert diversify(ranked, scores, chunks, 2) == [1, 2]


# Issue 12: the answer a person reads. Questions written for these tests.

def test_a_question_in_a_letter_is_never_quoted_as_the_answer(answerer):
    answer = answerer.ask("Wat is de kostendelersnorm?")
    assert not answer.abstained
    assert all(not s.text.rstrip().endswith("?") for s in answer.sentences)


def test_a_question_may_answer_what_someone_asked(answerer):
    answer = answerer.ask("Welke vraag stelt Valente aan de minister over bestaanszekerheid?")
    assert "bestaanszekerheid" in answer.text and answer.sentences[0].text.endswith("?")


def test_initials_keep_the_ministers_name_whole(answerer):
    answer = answerer.ask("Wie is de minister van Sociale Zaken?")
    assert "M.L.J. Paul" in answer.text


def test_a_footnote_is_quoted_with_the_body_sentence_it_belongs_to(answerer):
    answer = answerer.ask("Hoeveel dakloze mensen telde het CBS in Nederland?")
    assert "Het aantal dakloze mensen is de afgelopen jaren alarmerend gestegen." in answer.text
    quote = next(s for s in answer.sentences if s.context)  # the answering footnote
    note = answer.hits[quote.passage - 1].chunk
    number, body = note.text.split(" ", 1)
    assert note.kind == "footnote" and quote.text == body  # the note, quoted without its number
    assert f"{number} {body}" not in answer.text and body in answer.text


def test_a_symbol_before_the_question_word_changes_nothing(answerer):
    plain = answerer.ask("Hoeveel dakloze mensen telde het CBS in Nederland?")
    for decorated in ("🏠 Hoeveel dakloze mensen telde het CBS in Nederland?",
                      "1. Hoeveel dakloze mensen telde het CBS in Nederland?"):
        answer = answerer.ask(decorated)
        assert not answer.abstained and answer.text == plain.text, decorated


def test_a_follow_up_about_a_year_or_place_the_documents_do_not_cover_abstains(answerer):
    # The year or place a follow-up names itself is its constraint, as in a question of its own.
    earlier = ["Hoeveel asielaanvragen zijn in 2025 afgewezen?"]
    assert answerer.ask("En in 2023?", history=earlier).abstained
    earlier = ["Hoeveel Limburgse huishoudens met bijstandsgerechtigden kregen een brief over de gratis ov-kaart?"]
    assert answerer.ask("En in Friesland?", history=earlier).abstained
    # A year the documents do give is answered.
    earlier = ["Hoeveel Syriërs kregen in 2025 een vergunning op grond van de vluchtelingenstatus?"]
    answer = answerer.ask("En in 2024?", history=earlier)
    assert not answer.abstained and "2,9 duizend" in answer.text


def test_passages_of_only_links_never_become_evidence(answerer):
    answer = answerer.ask("Waar staat het rapport over het Nationaal Actieplan Dakloosheid online?", top_k=10)
    assert all(hit.chunk.kind != "reference" for hit in answer.hits)
    assert "https://" not in answer.text


def test_which_municipalities_lead_names_them_in_the_top_passage(answerer):
    answer = answerer.ask("Welke gemeenten lopen voorop met een bijstand vanuit vertrouwen?")
    assert "Enschede" in answer.hits[0].chunk.text and "Tilburg" in answer.hits[0].chunk.text


@pytest.mark.parametrize("question", [
    # the documents count the households, but not in that year
    "Hoeveel Limburgse huishoudens met een bijstandsuitkering kregen in 2019 een brief over de gratis kaart?",
    "Hoeveel dakloze mensen telde het CBS in 2012?",
    # the documents describe the rekentool, but name no amount it costs
    "Hoeveel euro kost de rekentool van Rotterdam per gebruiker?",
    # they name a director (of Arriva Limburg) and the Belastingdienst, but not its director
    "Wie is de directeur van de Belastingdienst?",
    # they speak of the NVVK, but name no chair of it (the word "voorzitter" is not in the passage)
    "Wie is de voorzitter van de NVVK?",
    # they name the chairman of the CNV; of the VNG they name no chairman at all
    "Wie is de voorzitter van de VNG?",
    # they count the rides with the free pass in Limburg; Groningen is named once, in another article
    "Hoeveel ritten zijn er in Groningen gemaakt met de gratis kaarten?",
    # they describe the old Ambachtsschool of Sittard-Geleen; Venlo they never name
    "Hoeveel woningen komen er in de vroegere Ambachtsschool in Venlo?",
])
def test_a_near_miss_is_not_answered_with_something_close(answerer, question):
    answer = answerer.ask(question)
    assert answer.abstained and answer.text == NOTHING_FOUND


@pytest.mark.parametrize("question, expected", [
    # the passage counts the rides without naming Limburg; its article does
    ("Hoeveel ritten zijn er in Limburg gemaakt met de gratis kaarten?", "een miljoen ritten"),
    # "in Nederland" is the setting of the documents, not a constraint the passage must repeat
    ("Hoeveel asielaanvragen waren er in Nederland in 2025?", "asiel"),
])
def test_a_place_named_in_the_article_of_the_passage_is_no_near_miss(answerer, question, expected):
    answer = answerer.ask(question)
    assert not answer.abstained and expected in answer.text


def test_the_section_read_around_a_passage_is_bounded(seeds_snapshot, embedder, monkeypatch):
    """Names are looked up under the passage's heading, but never in a whole long document."""
    answerer = Answerer(seeds_snapshot, embedder)
    hit = answerer.ask("Hoeveel ritten zijn er in Limburg gemaakt met de gratis kaarten?").hits[0]
    wide = answerer.section_text(hit)
    monkeypatch.setattr(qa.service, "SECTION_REACH", 0)
    narrow = Answerer(seeds_snapshot, embedder).section_text(hit)  # a new one: sections are cached per Answerer
    assert hit.chunk.text in narrow and len(narrow) < len(wide) and "Limburg" in wide


def _answerer_over(tmp_path, embedder, name: str, text: str) -> Answerer:
    """An answerer over a real index of one document."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, tmp_path / "index", embedder)
    return Answerer(open_index(tmp_path / "index"), embedder, AnswerOptions())


def test_a_place_named_once_under_the_documents_title_holds_for_its_sections(tmp_path, embedder):
    answerer = _answerer_over(tmp_path, embedder, "notitie.md",
        "# Notitie fietsparkeren\n\nGemeente Deventer, team Verkeer, mei 2026.\n\n"
        "## Doelen\n\nIn 2028 staan er 2.300 overdekte fietsenstallingplekken, tegen 900 nu; de meeste komen bij "
        "het station en in de binnenstad.\n\n## Kosten\n\nDe aanleg kost de komende drie jaar "
        "0,8 miljoen euro uit het mobiliteitsfonds.\n")
    answer = answerer.ask("Hoeveel overdekte fietsenstallingplekken staan er in 2028 in Deventer?")
    assert not answer.abstained and "2.300 overdekte fietsenstallingplekken" in answer.text
    assert answerer.ask("Hoeveel overdekte fietsenstallingplekken staan er in 2028 in Zutphen?").abstained


def test_prepared_passages_are_not_split_again_when_a_question_comes(seeds_snapshot, embedder, monkeypatch):
    """A server splits and stems its passages' sentences when it opens the index, not on a first question."""
    answerer = Answerer(seeds_snapshot, embedder)
    assert answerer.prepare(limit=10) == 10
    qa.extract.passage_sentences.cache_clear()
    assert answerer.prepare() == seeds_snapshot.size
    split = []
    real = qa.extract.sentence_spans
    monkeypatch.setattr(qa.extract, "sentence_spans", lambda text: split.append(text) or real(text))
    answer = answerer.ask(ROTTERDAM)
    assert "Rotterdam" in answer.text and split == []


def _judge(text: str):
    """Whether a question is a near miss of a passage of one sentence (`answer_is_unsupported`)."""
    hit = _passage("passage.txt", text)
    sentence = AnswerSentence(1, 0, len(text), text)
    return lambda question: answer_is_unsupported(Question.of(question), sentence, hit, False, AnswerOptions())


def test_in_welk_jaar_over_a_passage_without_a_year_is_a_near_miss():
    text = "Het kabinet vervangt de toeslag door een nieuw stelsel van financiering via de organisaties."
    unsupported = _judge(text)
    assert unsupported("In welk jaar vervangt het kabinet de toeslag door een nieuw stelsel?")
    assert not unsupported("Waardoor vervangt het kabinet de toeslag?")
    assert not _judge(text + " Dat gebeurt in 2027.")("In welk jaar vervangt het kabinet de toeslag?")


def test_wanneer_about_an_event_over_a_passage_without_any_time_is_a_near_miss():
    text = "De raad heeft de adviescommissie gevraagd om een advies over de herinrichting van het stationsplein."
    unsupported = _judge(text)
    assert unsupported("Wanneer brengt de adviescommissie haar advies over het stationsplein uit?")
    assert not _judge(text + " Het advies komt in het najaar.")(
        "Wanneer brengt de adviescommissie haar advies over het stationsplein uit?")
    conditional = _judge("Bewoners van het stationsplein krijgen een vergoeding als hun winkel door de "
                         "herinrichting van het plein moet sluiten.")
    assert not conditional("Wanneer krijg je als bewoner van het stationsplein een vergoeding?")


def test_a_figure_the_question_names_must_be_in_the_passage():
    unsupported = _judge("Bewoners van de flat aan de Kanaalweg kregen 4.500 euro verhuisvergoeding van de corporatie.")

    assert not unsupported("Hoeveel verhuisvergoeding kregen de bewoners van de flat aan de Kanaalweg?")
    assert not unsupported("Kregen de bewoners van de flat aan de Kanaalweg 4.500 euro verhuisvergoeding?")
    assert unsupported("Kregen de bewoners van de flat aan de Kanaalweg 6.000 euro verhuisvergoeding?")


def test_each_answer_sentence_is_held_to_the_question_on_its_own():
    def kept(question: str, *texts: str) -> list[str]:
        hits = [replace(_passage(f"p{rank}.txt", text), rank=rank) for rank, text in enumerate(texts, 1)]
        sentences = [AnswerSentence(rank, 0, len(text), text) for rank, text in enumerate(texts, 1)]
        return [s.text for s in supported_sentences(Question.of(question), sentences, hits, False, AnswerOptions())]

    terse = "Dat waren er 1.200."
    full = "In 2026 kregen 1.450 huishoudens een energietoeslag van de gemeente."
    question = "Hoeveel huishoudens kregen een energietoeslag van de gemeente?"
    # A best sentence that says too little of the question gives way to one that says enough ...
    assert kept(question, terse, full) == [full]
    # ... and one that speaks only of the subject is not quoted beside one that answers.
    assert kept(question, full, "Het college is tevreden.") == [full]
    # A best sentence about another year than asked: the closest answer is about something else.
    other_year = "In 2025 kregen 1.200 huishoudens een energietoeslag van de gemeente."
    assert kept("Hoeveel huishoudens kregen in 2026 een energietoeslag?", other_year, full) == []


def test_a_person_asked_by_the_role_the_documents_name_is_answered(answerer):
    answer = answerer.ask("Wie is de directeur van Valente?")
    assert not answer.abstained and "Maarten Hijink" in answer.text


@pytest.mark.parametrize("follow_up, expected", [
    ("Waarom is die niet gewoon online beschikbaar?", "werkcoach"),
    ("Wat wil de gemeente daarmee doorbreken?", "mythe"),
])
def test_a_follow_up_with_a_pronoun_is_answered_about_the_earlier_subject(answerer, follow_up, expected):
    answer = answerer.ask(follow_up, history=[ROTTERDAM])
    assert "Rotterdam" in (answer.hits[0].chunk.heading or "")
    assert expected in answer.text



def _chunk(doc: str, paragraph: int, chunk_id: int) -> Chunk:
    return Chunk(doc, doc, None, paragraph, f"alinea {paragraph}", 0, 1, paragraph, paragraph, id=chunk_id)


def test_a_follow_up_ranks_the_earlier_answers_document_by_distance_to_that_answer():
    chunks = {1: _chunk("a.txt", 1, 1), 2: _chunk("a.txt", 9, 2), 3: _chunk("b.txt", 5, 3),
              4: _chunk("a.txt", 6, 4), 5: _chunk("a.txt", 4, 5)}
    found = Candidates([], [], sorted(chunks), np.zeros((5, 2), dtype=np.float32), chunks, {}, 1.0)
    # The earlier answer was paragraph 5 of a.txt: its neighbours first, another document not at all.
    assert near_the_earlier_answer(found, chunks[5]).tolist() == [5, 4, 1, 2]


def test_a_sentence_that_points_back_is_quoted_with_the_sentence_it_points_to():
    text = ("De gemeente verstuurt voortaan eerst een gratis herinnering als een boete niet op tijd is betaald. "
            "Op die manier krijgen mensen niet meteen extra kosten als zij een keer vergeten te betalen. "
            "De regeling gaat in op 1 maart.")
    hit = _passage("boetes.txt", text)
    question = Question.of("Krijg ik meteen extra kosten als ik vergeet een boete te betalen?")
    [answer] = extract_answer(question, [hit])[:1]
    assert answer.text.startswith("De gemeente verstuurt voortaan eerst een gratis herinnering")
    assert answer.text.endswith("een keer vergeten te betalen.")
    assert text[answer.start:answer.end] == answer.text


def test_a_distal_demonstrative_after_a_preposition_points_back_and_zon_does_not():
    text = ("De gratis buskaart blijft tot 2031. In dat jaar loopt de concessie van de vervoerder af. "
            "Zo'n 40.000 mensen reizen er dagelijks mee.")
    hit = _passage("bus.txt", text)
    [answer] = extract_answer(Question.of("Wanneer loopt de concessie van de vervoerder af?"), [hit])[:1]
    assert answer.text.startswith("De gratis buskaart blijft tot 2031.")  # "in dat jaar" needs the year
    [answer] = extract_answer(Question.of("Hoeveel mensen reizen dagelijks met de bus?"), [hit],
                              previous=lambda _: "Dat geldt ook voor de trein.")[:1]
    assert answer.text == "Zo'n 40.000 mensen reizen er dagelijks mee." and answer.lead is None
    # "in deze brief", "op dit moment" point at the text or the time at hand, not back.
    text = "De wet is aangenomen. Op dit moment werken 12 regio's met een informatiepunt."
    [answer] = extract_answer(Question.of("Hoeveel regio's werken met een informatiepunt?"), [_passage("win.txt", text)])[:1]
    assert answer.text.startswith("Op dit moment")


def test_a_why_question_answered_by_a_conclusion_is_quoted_with_its_reason():
    text = ("Een tijdelijke locatie vraagt elk jaar nieuwe vergunningen en verhuizingen. "
            "De provincie kiest daarom voor vaste opvang in bestaande gebouwen. "
            "De eerste locatie opent in mei.")
    hit = _passage("opvang.txt", text)
    [answer] = extract_answer(Question.of("Waarom kiest de provincie voor vaste opvang?"), [hit])[:1]
    assert answer.text.startswith("Een tijdelijke locatie vraagt") and answer.text.endswith("bestaande gebouwen.")
    # The same sentence answering another kind of question is quoted alone.
    [answer] = extract_answer(Question.of("Waar kiest de provincie voor?"), [hit])[:1]
    assert answer.text.startswith("De provincie kiest daarom")


def test_a_conclusion_that_opens_its_passage_is_quoted_after_the_last_sentence_of_the_passage_before():
    text = "Stilzitten is daarom geen optie voor het kabinet. Het investeert in scholing en in betere arbeidsvoorwaarden."
    hit = _passage("krapte.txt", text)
    question = Question.of("Waarom is stilzitten geen optie voor het kabinet?")
    reason = "Zonder extra mensen stagneert de groei en komen publieke voorzieningen onder druk."
    [answer] = extract_answer(question, [hit], previous=lambda _: f"De arbeidsmarkt is krap. {reason}")[:1]
    assert answer.lead == reason
    assert text[answer.start:answer.end] == answer.text  # the passage's own part keeps its offsets
    assert answer.text.startswith("Stilzitten is daarom") and "scholing" not in answer.text
    # A question is never quoted, not even as the lead; without a passage before, nothing is added.
    [answer] = extract_answer(question, [hit], previous=lambda _: "Wat moet het kabinet doen?")[:1]
    assert answer.lead is None
    [answer] = extract_answer(question, [hit], previous=lambda _: None)[:1]
    assert answer.lead is None
    # The passage before among the found ones, its last sentence nearly as good an answer: quoted once.
    cause = "Zonder extra mensen stagneert de groei, omdat het kabinet stilzitten niet kan betalen."
    before = replace(_passage("krapte.txt", f"De arbeidsmarkt is krap. {cause}"), rank=2)
    answer = extract_answer(question, [hit, before], previous=lambda h: before.chunk.text if h is hit else None)
    assert answer[0].lead == cause
    assert sum(cause in f"{s.lead or ''} {s.text}" for s in answer) == 1


def test_the_passage_before_is_read_from_the_index_and_only_under_the_same_heading(tmp_path, embedder):
    answerer = _answerer_over(tmp_path, embedder, "personeel.md",
        "# Personeel\n\n## Krapte\n\n"
        "De arbeidsmarkt is krap en in de zorg en de techniek blijven duizenden vacatures open. "
        "Zonder extra mensen stagneert de groei en komen publieke voorzieningen onder druk.\n\n"
        "Stilzitten is daarom geen optie voor het kabinet. Het investeert in scholing en in betere "
        "arbeidsvoorwaarden voor werkenden.\n\n## Wonen\n\n"
        "Dit jaar komen er tweeduizend woningen bij in de regio, vooral voor starters en ouderen.\n")
    reads = []
    read_document = answerer.snapshot.document_chunks
    answerer.snapshot.document_chunks = lambda doc_id, **kw: reads.append(doc_id) or read_document(doc_id, **kw)

    answer = answerer.ask("Waarom is stilzitten geen optie voor het kabinet?")
    # The passage before, the section and the lead's source come from one read of the document.
    assert reads == ["personeel.md"]
    [quoted] = [s for s in answer.sentences if s.lead]
    passage = answer.hits[quoted.passage - 1].chunk.text
    assert passage[quoted.start:quoted.end] == quoted.text and quoted.lead not in passage
    # The lead's own passage is among the sources, right after the one it is quoted with, and cited.
    lead_rank, start, end = quoted.lead_at
    assert lead_rank == quoted.passage + 1 and answer.hits[lead_rank - 1].chunk.text[start:end] == quoted.lead
    assert answer.text.startswith(f"Zonder extra mensen stagneert de groei en komen publieke voorzieningen onder "
                                  f"druk. [{lead_rank}] Stilzitten is daarom geen optie")
    assert {lead_rank, quoted.passage} <= set(answer.citations)
    assert {"passage": lead_rank, "start": start, "end": end} in answer.as_dict()["answer"]["highlights"]
    # The first passage under another heading has no passage before it to lean on.
    housing = next(h for h in answerer.ask("Hoeveel woningen komen er dit jaar bij?").hits
                   if h.chunk.text.startswith("Dit jaar"))
    assert answerer.previous_text(housing) is None


def test_a_why_question_answered_by_a_bare_claim_is_quoted_with_the_sentence_after_it():
    text = ("De gemeente stopt in april met de proef met gratis parkeren. "
            "Te weinig bewoners maakten er gebruik van. "
            "De raad besluit in juni over een vervolg.")
    hit = _passage("parkeren.txt", text)
    [answer] = extract_answer(Question.of("Waarom stopt de gemeente met de proef met gratis parkeren?"), [hit])[:1]
    assert answer.text.startswith("De gemeente stopt") and answer.text.endswith("er gebruik van.")
    # A claim that gives its cause itself is quoted alone.
    caused = ("De gemeente stopt in april met de proef met gratis parkeren, omdat te weinig bewoners er "
              "gebruik van maakten. De raad besluit in juni over een vervolg.")
    hit = replace(hit, chunk=replace(hit.chunk, text=caused, end=len(caused)))
    [answer] = extract_answer(Question.of("Waarom stopt de gemeente met de proef met gratis parkeren?"), [hit])[:1]
    assert answer.text.endswith("gebruik van maakten.") and "De raad" not in answer.text


def test_a_quote_never_reaches_over_a_question_it_leaves_out():
    text = "De pas kost 40 euro. Is dat veel? Voor een gezin met een laag inkomen is dat een flink bedrag."
    hit = _passage("pas.txt", text)
    answers = extract_answer(Question.of("Hoeveel euro kost de pas?"), [hit])
    assert answers[0].text == "De pas kost 40 euro." and all("?" not in a.text for a in answers)


def test_the_passage_an_answer_quotes_comes_first_when_it_is_of_the_first_document():
    hits = [Hit(_chunk(doc, paragraph, n), 1.0 / n, n, 0.9)
            for n, (doc, paragraph) in enumerate([("a.txt", 1), ("b.txt", 2), ("a.txt", 7)], 1)]
    quoted = [AnswerSentence(3, 0, 5, "alinea"), AnswerSentence(1, 0, 5, "alinea")]
    moved, sentences = answer_passage_first(hits, quoted)
    assert [h.chunk.id for h in moved] == [3, 1, 2] and [h.rank for h in moved] == [1, 2, 3]
    assert [s.passage for s in sentences] == [1, 2]  # the same sentences, cited by their new ranks
    # A passage of another document than the first stays where the ranking put it.
    other = [AnswerSentence(2, 0, 5, "alinea")]
    assert answer_passage_first(hits, other) == (hits, other)


@pytest.mark.parametrize("question, weight", [
    ("Hoeveel dakloze mensen telde het CBS in Nederland?", retrieval.WITHIN_DOCUMENT_LEXICAL_WEIGHT),
    ("Welke gemeenten lopen voorop met een bijstand vanuit vertrouwen?", retrieval.WITHIN_DOCUMENT_LEXICAL_WEIGHT),
    # in other words than the text's: the words it shares with a passage are incidental
    ("Hoeveel mensen hebben geen vaste woonplek volgens het statistiekbureau?", retrieval.FEW_SHARED_WORDS_WEIGHT),
    ("Wat doet het kabinet tegen het gebrek aan een dak boven het hoofd?", retrieval.FEW_SHARED_WORDS_WEIGHT),
])
def test_a_paraphrase_fills_a_documents_places_with_less_lexical_weight(seeds_snapshot, embedder, question, weight):
    vectors = embedder.encode_queries([question])
    found = seeds_snapshot.search([question], vectors, retrieval.CANDIDATES)
    assert retrieval.within_document_lexical_weight(question, found, seeds_snapshot.analyzer.content_terms) == weight

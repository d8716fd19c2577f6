"""The quiz as questions: which ones a visitor gets, how answers are read, the summary."""

import pytest

from bot.program import quiz


@pytest.mark.parametrize(
    "question,text,expected",
    [
        ("structure_type", "une asso", "association"),
        ("structure_type", "on est une PME", "pme"),
        ("structure_type", "Un collectif d'entreprises", "collectif"),
        ("structure_type", "je ne sais pas", quiz.UNKNOWN),
        ("headcount", "trente-cinq salariés", 35),
        ("headcount", "une cinquantaine", 50),
        ("headcount", "250", 250),
        ("headcount", "entre 50 et 249 salariés", 249),
        ("place", "Clermont-Ferrand", "Clermont-Ferrand (63)"),
        ("role", "je suis DRH", "salarie"),
        ("role", "Je suis le dirigeant", "dirigeant"),
        ("novelty", "oui", "yes"),
        ("working_life", "pas vraiment", "no"),
        ("stakeholders", "je sais pas trop", quiz.UNKNOWN),
        ("agreement", "yes", "yes"),  # an already normalised value stays as it is
        ("structure_type", "association", "association"),
    ],
)
def test_read_answer(question, text, expected):
    answer = quiz.read_answer(question, text)
    assert answer is not None and answer["value"] == expected


@pytest.mark.parametrize(
    "question,text", [("headcount", "beaucoup"), ("novelty", "le mardi"), ("structure_type", "bleu")]
)
def test_unreadable_answers_are_refused(question, text):
    assert quiz.read_answer(question, text) is None


def test_a_place_in_the_region_and_outside():
    assert quiz.read_answer("place", "69")["in_region"] is True
    assert quiz.read_answer("place", "Bordeaux")["in_region"] is False


def test_a_dirigeant_of_a_pme_answers_eight_questions():
    slots = {"structure_type": "pme", "role": "dirigeant"}
    assert quiz.required_questions(slots) == [
        "structure_type",
        "headcount",
        "place",
        "role",
        "novelty",
        "working_life",
        "lasting_change",
        "stakeholders",
    ]


def test_a_collective_is_not_asked_its_headcount_but_its_holder_needs_agreement():
    questions = quiz.required_questions({"structure_type": "collectif", "role": "porteur_collectif"})
    assert "headcount" not in questions and "agreement" in questions


def test_a_large_headcount_ends_the_quiz_early():
    slots = {"structure_type": "pme", "headcount": 300}
    assert quiz.required_questions(slots) == ["structure_type", "headcount"]
    assert quiz.next_question(slots) is None


def test_an_excluded_structure_ends_the_quiz_early():
    assert quiz.next_question({"structure_type": "public"}) is None


def test_progress_counts_the_questions_of_this_visitor():
    assert quiz.progress({}, "structure_type") == (1, 8)
    assert quiz.progress({"role": "representant_salaries"}, "agreement") == (5, 9)


def test_summary_reads_like_french():
    text = quiz.summary({"structure_type": "association", "headcount": 40, "novelty": "yes"})
    assert text == "structure : association ; effectif : 40 salariés ; projet novateur : oui"


def test_prefill_keeps_the_facts_given_up_front():
    facts = quiz.prefill("nous sommes une association de 40 salariés à Lyon, notre projet est-il éligible ?")
    assert facts["structure_type"] == "association"
    assert facts["headcount"] == 40
    assert facts["in_region"] is True


def test_prefill_does_not_take_a_department_for_a_headcount():
    facts = quiz.prefill("une PME dans le 38")
    assert "headcount" not in facts and facts["in_region"] is True


@pytest.mark.parametrize(
    "text,expected", [("en fait on est 300", {"headcount": 300}), ("en fait on est 30", {"headcount": 30})]
)
def test_a_correction_with_a_bare_number_is_a_headcount(text, expected):
    assert quiz.correction(text) == expected


def test_a_correction_of_the_place():
    facts = quiz.correction("non, nous sommes situés à Grenoble")
    assert facts["in_region"] is True and "headcount" not in facts


def test_answers_from_slots_turn_unknown_into_none():
    answers = quiz.answers_from_slots({"structure_type": quiz.UNKNOWN, "headcount": 12, "novelty": "yes"})
    assert answers.structure_type is None and answers.headcount == 12 and answers.novelty == "yes"


def test_staff_numbers_are_not_taken_for_the_visitors_role():
    assert "role" not in quiz.prefill("une association de 40 salariés à Saint-Étienne")
    assert quiz.prefill("je suis la présidente d'une association")["role"] == "dirigeant"


def test_a_vague_word_is_not_an_unknown_headcount():
    assert quiz.read_answer("headcount", "bof") is None
    assert quiz.read_answer("headcount", "aucune idée")["value"] == quiz.UNKNOWN


def test_the_place_button_for_another_region_reads_as_outside():
    assert quiz.read_answer("place", "dans une autre région") == {
        "value": "hors Auvergne-Rhône-Alpes",
        "in_region": False,
    }

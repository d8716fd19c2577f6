"""Personas taking the eligibility quiz over the REST channel, with the trained model."""

import re

import pytest

QUESTION_MARKS = {
    "structure_type": "type de structure",
    "headcount": "salariés compte",
    "place": "située",
    "role": "fonction",
    "agreement": "l'accord",
    "novelty": "novateur",
    "working_life": "qualité de vie au travail des salariés ?",
    "lasting_change": "durablement",
    "stakeholders": "parties concernées",
}


def asked(chat) -> str | None:
    """Which quiz question the last turn asks, from its wording."""
    last = re.split(r"(?i)question \d+ sur \d+", chat.text)
    for question, mark in QUESTION_MARKS.items():
        if len(last) > 1 and mark in last[-1]:
            return question
    return None


def answer_all(chat, answers: dict) -> None:
    """Answer each question the assistant asks with the persona's answer, until the verdict."""
    for _ in range(12):
        question = asked(chat)
        if question is None:
            return
        assert question in answers, f"unexpected question {question}: {chat.text}"
        chat.say(answers.pop(question))
    raise AssertionError("the quiz did not end")


def verdict(chat) -> dict:
    payload = chat.custom("eligibility")
    assert payload is not None, f"no verdict payload in: {chat.text}"
    return payload


ELIGIBLE_ASSOCIATION = {
    "structure_type": "Une association",
    "headcount": "on est 42",
    "place": "Villeurbanne",
    "role": "je suis la directrice",
    "novelty": "oui",
    "working_life": "oui bien sûr",
    "lasting_change": "tout à fait",
    "stakeholders": "oui",
}


def test_eligible_association_gets_the_next_steps(chat):
    chat.say("Je voudrais savoir si mon projet peut être retenu")
    assert asked(chat) == "structure_type" and "Question 1 sur" in chat.text
    answer_all(chat, dict(ELIGIBLE_ASSOCIATION))
    result = verdict(chat)
    assert result["verdict"] == "eligible"
    assert all(reason["ok"] is True for reason in result["reasons"])
    assert "v.semavoine@anact.fr" in chat.text and "comité" in chat.text and "Récapitulatif" in chat.text
    assert any("Estimer" in button["title"] for button in chat.buttons)


def test_pme_of_300_is_not_eligible_because_of_its_size(chat):
    chat.say("bonjour")
    chat.click("Tester mon projet")
    chat.say("une PME")
    chat.say("300 salariés")
    result = verdict(chat)
    assert result["verdict"] == "not_eligible"
    assert [r["criterion"] for r in result["reasons"] if r["ok"] is False] == ["headcount"]
    assert "250" in chat.text


# Personas who answer every question: (opening message, answers changed from the
# eligible association, expected verdict, criteria not met, phrase of the answer).
PERSONAS = {
    "pme without a working-life gain": (
        "est-ce qu'on rentre dans les clous pour ce programme ?",
        {"structure_type": "PME", "working_life": "pas vraiment"},
        "not_eligible",
        ["working_life"],
        "qualité de vie au travail",
    ),
    "employers' group, never asked its headcount": (
        "je voudrais faire le test d'éligibilité",
        {
            "structure_type": "un groupement d'employeurs",
            "headcount": None,
            "role": "je suis chargée de mission du groupement",
            "agreement": "oui",
        },
        "eligible",
        [],
        "v.semavoine@anact.fr",
    ),
    "employee representative without agreement": (
        "on peut tester notre dossier avec vous ?",
        {"role": "élu au CSE", "agreement": "non"},
        "not_eligible",
        ["submitter"],
        "accord",
    ),
    "structure outside the region": (
        "je voudrais faire le test d'éligibilité",
        {"place": "Bordeaux"},
        "to_check",
        [],
        "j.bertin@anact.fr",
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_reaches_the_right_verdict(chat, persona):
    opening, changes, expected, failed, phrase = PERSONAS[persona]
    answers = {question: text for question, text in {**ELIGIBLE_ASSOCIATION, **changes}.items() if text is not None}
    chat.say(opening)
    answer_all(chat, answers)
    result = verdict(chat)
    assert result["verdict"] == expected
    assert [r["criterion"] for r in result["reasons"] if r["ok"] is False] == failed
    assert phrase in chat.text


def test_faq_in_the_middle_is_answered_and_the_quiz_resumes(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    chat.say("Une association")
    assert asked(chat) == "headcount"
    chat.say("au fait, qui choisit les consultants ?")
    assert "identifie et pilote les consultants" in chat.text
    assert asked(chat) == "headcount"
    chat.say("35")
    assert asked(chat) == "place"


def test_why_do_you_ask(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    chat.say("Une PME")
    chat.say("pourquoi vous me demandez ça ?")
    assert "250 salariés" in chat.text
    assert asked(chat) == "headcount"


def test_correction_after_the_verdict_changes_it(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    answer_all(chat, {**ELIGIBLE_ASSOCIATION, "structure_type": "une PME", "headcount": "80"})
    assert verdict(chat)["verdict"] == "eligible"
    chat.say("ah non pardon, en fait on est 300")
    assert verdict(chat)["verdict"] == "not_eligible"


def test_restart_asks_to_confirm_then_goes_back_to_the_first_question(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    chat.say("Une association")
    chat.say("recommencer")
    assert "effacées" in chat.text and asked(chat) is None
    chat.click("Oui, recommencer")
    assert asked(chat) == "structure_type" and "Question 1 sur" in chat.text


def test_abandon_leaves_the_quiz(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    chat.say("Une association")
    chat.say("stop")
    assert "arrête" in chat.text and asked(chat) is None
    chat.say("qui finance ce dispositif ?")
    assert "Feder" in chat.text and asked(chat) is None


def test_answers_in_numbers_and_words(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    answer_all(chat, {**ELIGIBLE_ASSOCIATION, "headcount": "trente-cinq salariés", "place": "dans le 38"})
    result = verdict(chat)
    assert result["verdict"] == "eligible"
    assert result["answers"]["headcount"] == 35


def test_a_visitor_who_opens_with_facts_is_not_asked_them_again(chat):
    chat.say(
        "Bonjour, nous sommes une association de 40 salariés à Saint-Étienne : est-ce que notre projet peut être financé ?"
    )
    assert "association" in chat.text and "40 salariés" in chat.text
    assert asked(chat) == "role"
    assert "Question 4 sur 8" in chat.text


def test_two_unreadable_answers_get_help_and_buttons(chat):
    chat.say("je voudrais faire le test d'éligibilité")
    chat.say("Une PME")
    chat.say("bof")
    assert "Question 2 sur 8" in chat.text and "par exemple" in chat.text
    chat.say("euh")
    assert "j.bertin@anact.fr" in chat.text and chat.buttons

"""Conversation repair, in process: each case a visitor who does not follow the buttons (issue 17's list)."""

import pytest

from bot.dialogue.state import State
from tests.dialogue_support import Recorder, Visitor


def quiz_at(question: str) -> Visitor:
    """A visitor in the quiz, at the given question (association of 45 in Lyon, manager)."""
    visitor = Visitor().say("je veux tester mon projet", "start_quiz")
    answers = [
        ("structure_type", "une association"),
        ("headcount", "45"),
        ("place", "Lyon"),
        ("role", "je suis la directrice"),
        ("novelty", "oui"),
        ("working_life", "oui"),
        ("lasting_change", "oui"),
        ("stakeholders", "oui"),
    ]
    for _, answer in answers:
        if visitor.asks() == question:
            return visitor
        visitor.say(answer, "affirm" if answer == "oui" else "inform")
    raise AssertionError(f"never asked {question}")


def test_a_cost_question_mid_quiz_is_answered_and_the_quiz_resumes():
    visitor = quiz_at("headcount").faq("au fait ça coûte combien ?", "cout")
    assert "80 %" in visitor.text and "1 000 € HT" in visitor.text
    assert "Reprenons le test : question 2 sur 8" in visitor.text and visitor.asks() == "headcount"
    assert visitor.custom("funding") is None and visitor.state.stack == ["quiz"]
    assert [b["title"] for b in visitor.replies[0].buttons] == ["Estimer pour ma structure"], (
        "inside the quiz the cost answer keeps only its offer of an estimate"
    )


def test_an_estimate_asked_mid_quiz_offers_the_choice_and_the_quiz_resumes_after():
    visitor = quiz_at("place").say("et pour 10 jours d'appui long ça ferait combien ?", "ask_estimate")
    assert [b["title"] for b in visitor.buttons] == ["Terminer d'abord le test", "Faire l'estimation maintenant"]
    visitor.click("Faire l'estimation maintenant")
    assert visitor.custom("funding")["company_eur"] == 2000
    assert "Reprenons le test" in visitor.text and visitor.asks() == "place"
    assert visitor.slots["headcount"] == 45


def test_finishing_the_test_first_gives_the_estimate_after_the_verdict():
    visitor = quiz_at("novelty").say("je veux une estimation du coût", "ask_estimate").click("Terminer d'abord")
    assert visitor.asks() == "novelty"
    for _ in range(4):
        visitor.say("oui", "affirm")
    assert visitor.custom("eligibility")["verdict"] == "eligible"
    assert visitor.asks() == "support_type"


def test_numbers_in_small_talk_are_not_a_correction():
    visitor = quiz_at("novelty")
    visitor.say("attendez deux secondes", "out_of_scope", 0.5)
    assert visitor.slots["headcount"] == 45 and "corrigé" not in visitor.text
    visitor.say("on y travaille depuis 3 ans avec nos 15 bénévoles et les salariés", "inform")
    assert visitor.slots["headcount"] == 45 and "corrigé" not in visitor.text


def test_a_correction_at_a_later_question_changes_the_headcount_not_the_pending_answer():
    visitor = quiz_at("novelty").say("non attendez, en fait on est 300", "correct_answer")
    assert "C'est corrigé : effectif : 300 salariés" in visitor.text
    assert visitor.slots.get("novelty") is None
    assert visitor.custom("eligibility")["verdict"] == "not_eligible"  # 300: the quiz is decided


def test_a_place_correction_is_echoed_and_the_pending_question_comes_back():
    visitor = quiz_at("role").say("non plutôt dans l'Ain, pardon", "correct_answer")
    assert "C'est corrigé" in visitor.text and "Ain" in visitor.text
    assert visitor.asks() == "role"


def test_an_association_president_or_treasurer_is_its_manager():
    for role in ("je suis la présidente", "trésorier bénévole de l'association", "membre du bureau"):
        visitor = quiz_at("role").say(role)
        assert visitor.slots["role"] == "dirigeant", role


def test_a_phone_number_is_not_a_headcount():
    visitor = quiz_at("headcount").say("06 12 34 56 78")
    assert visitor.slots.get("headcount") is None and visitor.asks() == "headcount"


def test_a_staff_representative_named_first_gets_a_full_question():
    visitor = Visitor().say("je suis élue CSE dans une PME de 30 salariés, on peut tester ?", "start_quiz")
    assert "None" not in visitor.text
    visitor.say("Grenoble")
    assert visitor.asks() == "agreement" and "l'accord du dirigeant" in visitor.text


def test_the_total_of_questions_is_stable_and_a_change_is_announced():
    visitor = Visitor().say("tester mon projet", "start_quiz")
    assert "sur 8" in visitor.text
    visitor.say("une PME").say("20").say("Lyon")
    assert "Question 4 sur 8" in visitor.text
    visitor.say("je suis représentant des salariés")
    assert "compte 9 questions" in visitor.text and "Question 5 sur 9" in visitor.text


def test_stop_then_resume_goes_back_to_the_pending_question():
    visitor = quiz_at("place").say("stop", "stop_quiz")
    assert "reprendre" in visitor.text.lower() and not visitor.state.stack
    visitor.say("reprendre le test", "restart_quiz")  # the model may hear "restart": the words decide
    assert visitor.asks() == "place" and "question 3 sur 8" in visitor.text


def test_restart_mid_quiz_asks_to_confirm():
    visitor = quiz_at("place").say("recommencer", "restart_quiz")
    assert visitor.slots["headcount"] == 45 and "Oui, recommencer" in [b["title"] for b in visitor.buttons]
    visitor.click("Oui, recommencer")
    assert visitor.slots.get("headcount") is None and visitor.asks() == "structure_type"


def test_two_failures_give_help_then_a_way_forward_never_a_loop():
    visitor = quiz_at("place")
    seen = []
    for _ in range(5):
        visitor.say("blablabla truc", "nlu_fallback", 0.3)
        seen.append(visitor.text)
    assert "je ne sais pas" in " ".join(seen[1:3]).lower()
    assert any("Parler à une personne" in b["title"] for b in visitor.buttons_seen)
    assert visitor.slots.get("place") == "unknown", "after the offer, the quiz notes « à préciser » and goes on"
    assert visitor.asks() == "role"


def test_the_same_message_never_three_times_in_a_row():
    visitor = quiz_at("place")
    for _ in range(6):
        visitor.say("on reprend", "resume")
    texts = visitor.transcript
    assert all(not (a == b == c) for a, b, c in zip(texts, texts[1:], texts[2:]))


def test_a_consent_in_words_and_the_button_label_typed():
    for words in ("J'accepte", "oui ok", "d'accord allez-y"):
        visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human").say(words, "faq", 0.6, "comite")
        assert visitor.slots["consent"] == "yes" and visitor.asks() == "contact_name", words


def test_a_natural_refusal_at_consent_keeps_nothing_and_the_conversation_lives():
    visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human")
    visitor.say("non merci je préfère pas", "deny")
    assert "j.bertin@anact.fr" in visitor.text and visitor.slots.get("consent") is None
    visitor.say("recommencer", "restart_quiz")
    assert visitor.replies and not visitor.state.stack or visitor.asks()


def test_data_questions_at_consent_are_answered_and_consent_asked_again():
    visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human")
    visitor.faq("vous gardez mes données combien de temps ?", "donnees")
    assert "3 ans" in visitor.text and visitor.asks() == "consent"


def test_a_corrected_email_at_a_later_question_replaces_the_old_one():
    visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human").say("oui", "affirm")
    visitor.say("Claire Martin", "nlu_fallback", 0.3).say("claire@exemple.org")
    visitor.say("pardon c'est claire.martin@exemple.org", "inform")
    assert visitor.slots["contact_email"] == "claire.martin@exemple.org"
    assert visitor.slots.get("contact_organisation") is None and visitor.asks() == "contact_organisation"
    assert "corrigé" in visitor.text


def test_name_and_email_in_one_message_fill_both():
    visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human").say("oui", "affirm")
    visitor.say("Claire Martin, claire@exemple.org", "nlu_fallback", 0.3)
    assert visitor.slots["contact_name"] == "Claire Martin" and visitor.slots["contact_email"] == "claire@exemple.org"
    assert visitor.asks() == "contact_organisation"


@pytest.mark.parametrize("words", ["je ne souhaite pas le communiquer", "pas de téléphone", "passer", "non merci"])
def test_a_natural_refusal_of_the_phone_skips_it(words):
    visitor = Visitor().say("je voudrais parler à quelqu'un", "ask_human").say("oui", "affirm")
    visitor.say("Claire Martin").say("claire@exemple.org").say("Les Ateliers")
    assert visitor.asks() == "contact_phone"
    visitor.say(words, "deny", 0.7)
    assert visitor.slots["contact_phone"] == "aucun" and visitor.asks() == "contact_project"


def test_the_whole_handoff_saves_once_and_the_paused_quiz_resumes():
    services = Recorder()
    visitor = quiz_at("novelty")
    visitor.services = services
    visitor.say("je voudrais parler à une personne", "ask_human").click("Être recontacté maintenant")
    visitor.click("J'accepte").say("Claire Martin").say("claire@exemple.org").say("Les Ateliers")
    visitor.click("Pas de téléphone").say("Réorganiser les plannings avec les équipes")
    assert len(services.leads) == 1 and "Merci" in visitor.text
    assert "Reprenons le test" in visitor.text and visitor.asks() == "novelty"


def test_a_database_failure_at_submit_gives_the_address_and_goes_on():
    visitor = Visitor(Recorder(fail=True)).say("je voudrais parler à quelqu'un", "ask_human").say("oui", "affirm")
    visitor.say("Claire Martin").say("claire@exemple.org").say("Les Ateliers").say("pas de téléphone")
    visitor.say("Un projet d'organisation du travail")
    assert "j.bertin@anact.fr" in visitor.text and not visitor.state.stack


def test_ten_days_at_900_keeps_both_values():
    visitor = Visitor().say("je voudrais une estimation", "ask_estimate").click("Appui long")
    visitor.say("10 jours à 900 €")
    assert visitor.custom("funding") == {
        "support": "long",
        "days": 10,
        "day_rate_eur": 900,
        "total_eur": 9000,
        "funded_eur": 7200,
        "company_eur": 1800,
    }


def test_a_ttc_rate_is_converted_and_said():
    visitor = Visitor().say("appui court de 4 jours à 1 080 € TTC la journée", "ask_estimate")
    assert visitor.custom("funding")["day_rate_eur"] == 900 and "TTC" in visitor.text and "900 € HT" in visitor.text


def test_a_rate_above_the_ceiling_shows_the_real_total_and_the_excess():
    visitor = Visitor().say("5 jours d'appui court avec un consultant à 1 200 € par jour", "ask_estimate")
    result = visitor.custom("funding")
    assert result["total_eur"] == 6000 and result["excess_eur"] == 1000 and result["company_eur"] == 1000
    assert "6 000 € HT" in visitor.text and "1 000 € HT" in visitor.text and "à confirmer avec l'Aract" in visitor.text


def test_a_rate_given_after_the_estimate_gives_a_new_one():
    visitor = Visitor().say("10 jours d'appui long, ça coûte combien ?", "ask_estimate")
    assert visitor.custom("funding")["company_eur"] == 2000
    visitor.say("et à 800 € la journée ?", "ask_estimate")
    assert visitor.custom("funding")["day_rate_eur"] == 800 and visitor.custom("funding")["days"] == 10


def test_other_duration_asks_for_the_days():
    visitor = Visitor().say("10 jours d'appui long, ça coûte combien ?", "ask_estimate").click("Autre durée")
    assert visitor.custom("funding") is None and visitor.asks() == "consultant_days"
    visitor.say("5")
    assert visitor.custom("funding")["days"] == 5


def test_the_estimate_questions_do_not_loop_on_unrelated_answers():
    visitor = Visitor().say("je voudrais une estimation", "ask_estimate")
    for words in ("une association", "claire@exemple.org", "je veux une estimation", "bof", "euh"):
        visitor.say(words, "inform")
    assert (
        visitor.custom("funding") is not None
        or not visitor.state.stack
        or any("Parler à une personne" in b["title"] for b in visitor.buttons_seen)
    )


def test_a_general_cost_question_does_not_start_the_estimate():
    visitor = Visitor().faq("combien ça coûte ?", "cout")
    assert not visitor.state.stack and "Estimer pour ma structure" in [b["title"] for b in visitor.buttons]
    visitor.click("Estimer pour ma structure")
    assert visitor.asks() == "support_type"


def test_two_questions_in_one_message_get_both_answers():
    from bot.dialogue.reading import Reading

    parts = (
        Reading(
            text="qui peut déposer le dossier", intent="faq", confidence=0.9, topic="porteur", topic_confidence=0.9
        ),
        Reading(text="et à quel prix", intent="faq", confidence=0.9, topic="cout", topic_confidence=0.8),
    )
    visitor = Visitor().say("qui peut déposer le dossier et à quel prix ?", "faq", 0.7, "porteur", 0.6, parts=parts)
    assert "représentant des salariés" in visitor.text and "80 %" in visitor.text


def test_the_model_hesitating_asks_which_topic():
    visitor = Visitor().say(
        "et pour les délais ?",
        "nlu_fallback",
        0.4,
        ranking=(("faq", 0.42), ("ask_estimate", 0.38)),
        topic="calendrier",
        topic_confidence=0.45,
        topic_ranking=(("calendrier", 0.45), ("duree", 0.4)),
    )
    titles = [b["title"] for b in visitor.buttons]
    assert len(titles) >= 2 and "Les dates" in titles and "La durée de l'appui" in titles


def test_an_insult_gets_the_out_of_scope_answer_and_the_quiz_resumes():
    visitor = quiz_at("place").faq("t'es vraiment nul comme bot", "calendrier", 0.5)
    assert "je réponds seulement sur le dispositif" in visitor.text or "sort de mon domaine" in visitor.text
    assert visitor.asks() == "place"


def test_a_broken_state_slot_starts_afresh():
    assert State.from_slot({"stack": "nonsense", "fails": {"x": "y"}}).stack == []
    visitor = Visitor()
    visitor.slots["dialogue"] = {"stack": ["quiz"], "fails": "oops"}
    visitor.say("bonjour", "greet")
    assert visitor.replies

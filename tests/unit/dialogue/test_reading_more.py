"""Conversation repair, in process: what the last held-out conversations taught (tests/conversations/final).

Each case is a visitor move that went wrong before: the model's guess is given as the NLU gave it.
"""

from tests.dialogue_support import Visitor
from tests.unit.dialogue.test_repair import quiz_at


def estimated(support: str = "court", days: str = "3") -> Visitor:
    visitor = Visitor().say("je voudrais une estimation", "ask_estimate")
    visitor.click("Appui court" if support == "court" else "Appui long")
    return visitor.say(days, "inform")


# --- contact ----------------------------------------------------------------------------------------
def test_a_mail_signature_gives_the_name_the_structure_the_phone_and_the_address():
    message = (
        "Bonjour,\nJe souhaiterais être recontacté au sujet du dispositif.\nCordialement,\n--\nPaul Girard\n"
        "Directeur\nAssociation Les Ateliers du Forez\nTél. 04 77 12 34 56\npaul.girard@ateliersforez.org"
    )
    visitor = Visitor().say(message, "ask_human").say("oui", "affirm")
    assert visitor.slots["contact_name"] == "Paul Girard"
    assert visitor.slots["contact_organisation"] == "Association Les Ateliers du Forez"
    assert visitor.slots["contact_email"] == "paul.girard@ateliersforez.org"
    assert visitor.asks() == "contact_project", "only what is missing is asked"


def test_a_name_given_with_the_request_is_not_asked_again_after_consent():
    visitor = Visitor().say("Pouvez-vous demander à quelqu'un de me rappeler ? Je suis Hélène Marchal.", "ask_human")
    visitor.say("Bon, j'accepte.", "affirm")
    assert visitor.slots["contact_name"] == "Hélène Marchal" and visitor.asks() == "contact_email"


def test_a_job_title_after_je_suis_is_no_name():
    visitor = Visitor().say("Je suis Directeur Général, rappelez-moi", "ask_human").say("oui", "affirm")
    assert visitor.slots.get("contact_name") is None and visitor.asks() == "contact_name"


def test_how_long_the_details_are_kept_is_answered_at_the_consent_question():
    visitor = Visitor().say("je voudrais être rappelé", "ask_human")
    visitor.faq("Vous gardez tout ça combien de temps, et qui y a accès ?", "duree")
    assert "3 ans" in visitor.text and "jusqu'à 5 jours" not in visitor.text
    assert visitor.asks() == "consent"


def test_lets_go_to_the_handoff_at_the_consent_question_is_no_refusal():
    visitor = Visitor().say("je voudrais être rappelé", "ask_human").say("Allez, on passe à la mise en relation.")
    assert visitor.asks() == "consent" and visitor.slots.get("consent") is None


# --- estimate ---------------------------------------------------------------------------------------
def test_vat_on_the_structure_s_share_is_not_on_the_page_so_the_help_address_is_given():
    visitor = estimated().say("Et on peut récupérer la TVA sur notre part ?", "ask_estimate", 0.74)
    assert "hors taxes" in visitor.text and "j.bertin@anact.fr" in visitor.text
    assert visitor.asks() is None and visitor.custom("funding") is None


def test_a_bare_number_that_changes_the_plan_after_an_estimate_is_the_new_day_count():
    visitor = estimated("long", "10").say("Et si on n'en prend que 6 ?", "ask_estimate", 0.99)
    assert (visitor.custom("funding")["support"], visitor.custom("funding")["days"]) == ("long", 6)
    visitor.say("Bon, restons à 15.", "correct_answer", 0.6)
    assert visitor.custom("funding")["days"] == 15


def test_a_number_in_small_talk_after_an_estimate_is_no_day_count():
    visitor = estimated("long", "10").say("on a 12 salariés et 3 ans d'existence", "inform", 0.6)
    assert visitor.custom("funding") is None and visitor.slots["consultant_days"] == "10"


def test_the_support_corrected_during_the_estimate_is_said():
    visitor = Visitor().say("Je voudrais estimer le reste à charge pour un appui court.", "ask_estimate")
    assert visitor.asks() == "consultant_days"
    visitor.say("Ah non, je rectifie : c'est un appui long qu'il nous faut, pas un court.", "correct_answer")
    assert "appui long" in visitor.text and visitor.slots["support_type"] == "long"
    assert visitor.asks() == "consultant_days"


def test_no_wish_to_go_into_figures_stops_the_estimate():
    visitor = Visitor().say("je voudrais une estimation", "ask_estimate")
    visitor.say("Non merci, finalement pas envie de me lancer dans les chiffres.", "correct_answer", 0.5)
    assert visitor.asks() is None and visitor.state.stack == [] and "rien à corriger" not in visitor.text


def test_a_vague_answer_the_model_reads_as_a_request_for_a_person_is_a_failed_answer():
    visitor = Visitor().say("je voudrais une estimation", "ask_estimate").click("Appui court")
    visitor.say("Quelques-uns, je dirais.", "ask_human", 0.69)
    assert visitor.asks() == "consultant_days" and visitor.state.stack == ["estimate"]
    visitor.say("Ce que le consultant jugera utile.", "inform", 0.5)
    assert "Je ne sais pas" in [b["title"] for b in visitor.buttons], "the second failure offers « je ne sais pas »"


def test_cost_for_us_gives_the_rule_then_asks_what_the_estimate_needs():
    visitor = Visitor().say("c'est combien pour nous ?", "ask_estimate", 0.99)
    assert "80 %" in visitor.text and visitor.asks() == "support_type"
    assert [b["title"] for b in visitor.buttons] == ["Appui court", "Appui long"]
    general = Visitor().say("c'est payant ?", "ask_estimate", 0.99)
    assert "80 %" in general.text and general.asks() is None


def test_an_old_support_button_during_the_quiz_changes_the_estimate_and_the_quiz_goes_on():
    visitor = quiz_at("novelty").say("Et pour 5 jours, combien devrait-on débourser ?", "ask_estimate")
    visitor.click("Faire l'estimation maintenant").click("Appui court")
    assert visitor.custom("funding")["support"] == "court" and visitor.asks() == "novelty"
    visitor.click_old("Appui long")
    assert (visitor.custom("funding")["support"], visitor.custom("funding")["days"]) == ("long", 5)
    assert visitor.asks() == "novelty"


# --- quiz ---------------------------------------------------------------------------------------------
def test_whoever_carries_a_collective_s_project_is_its_holder_with_the_agreement_said():
    visitor = Visitor().say(
        "Je porte un projet pour un pôle de compétitivité à Grenoble, avec l'accord des membres, je veux tester.",
        "ask_human",
        0.8,
    )
    assert visitor.slots["role"] == "porteur_collectif" and visitor.slots["agreement"] == "yes"
    assert visitor.asks() == "novelty"


def test_a_role_answered_in_a_collective_reads_the_project_holder():
    visitor = Visitor().say("je veux tester", "start_quiz").say("Un groupement d'employeurs").say("Saint-Flour")
    assert visitor.asks() == "role"
    visitor.say("Je suis la chargée de mission qui porte le dossier, avec l'accord du conseil d'administration.")
    assert visitor.slots["role"] == "porteur_collectif" and visitor.slots["agreement"] == "yes"


def test_two_criteria_answered_in_one_message_are_both_kept():
    visitor = quiz_at("novelty").say("Oui pour la nouveauté, et oui aussi pour la qualité de vie au travail.", "affirm")
    assert (visitor.slots["novelty"], visitor.slots["working_life"]) == ("yes", "yes")
    assert visitor.asks() == "lasting_change" and "qualité de vie au travail : oui" in visitor.text


def test_an_acknowledgment_before_other_facts_is_no_yes():
    visitor = Visitor().say("je suis élu CSE d'une PME de 85 salariés à Valence, je veux tester", "start_quiz")
    assert visitor.asks() == "agreement"
    visitor.say("D'accord. Alors testons : PME de 85 salariés, à Valence, je suis représentant du personnel.")
    assert visitor.slots.get("agreement") is None and visitor.asks() == "agreement"


def test_a_department_number_ending_a_sentence_is_read():
    visitor = Visitor().say("je veux tester", "start_quiz").say("Une PME de 12 salariés").say("On est dans le 26.")
    assert visitor.slots["place"] == "Drôme (26)"


def test_a_question_carried_by_a_request_to_test_is_answered_then_the_test_starts():
    visitor = Visitor().say(
        "Je suis élu au CSE d'une PME de 85 salariés à Valence. Est-ce que j'ai le droit de "
        "présenter un projet moi-même, sans le patron ?",
        "start_quiz",
        0.99,
        "porteur",
        0.99,
    )
    assert "accord du dirigeant" in visitor.text and visitor.asks() == "agreement"


def test_even_if_after_a_negative_verdict_says_what_still_blocks():
    visitor = Visitor().say("je veux tester", "start_quiz").say("une mairie", "inform")
    assert visitor.custom("eligibility")["verdict"] == "not_eligible"
    visitor.faq("Même si le projet est vraiment innovant ?", "criteres")
    assert "ne change pas" in visitor.text and "PME" in visitor.text and visitor.custom("eligibility") is None


def test_what_is_missing_after_a_verdict_to_check_gives_its_open_points():
    visitor = quiz_at("novelty")
    for _ in range(3):
        visitor.say("oui", "affirm")
    visitor.say("je ne sais pas", "dont_know")
    assert visitor.custom("eligibility")["verdict"] == "to_check"
    visitor.say("Qu'est-ce qui me manque pour que ce soit bon ?", "capabilities", 0.6)
    assert "reste à remplir ou à confirmer" in visitor.text and "parties concernées" in visitor.text


def test_a_low_confidence_request_to_test_without_its_words_is_a_failed_answer():
    visitor = quiz_at("novelty").say("Le bleu canard, je pense.", "start_quiz", 0.58)
    assert visitor.asks() == "novelty" and visitor.state.fails.get("quiz:novelty") == 1


def test_an_association_asked_about_after_a_verdict_gets_the_rule_not_an_estimate():
    visitor = Visitor().say("je veux tester", "start_quiz").say("une filiale d'un grand groupe de 2 000 personnes")
    visitor.say("Dommage. Et une association partenaire à nous, elle pourrait postuler ?", "ask_estimate", 0.84)
    assert "250" in visitor.text and visitor.asks() is None


def test_announcing_questions_gets_an_invitation_not_a_handoff():
    """Found by the benchmark's visitors: the model reads "j'ai quelques questions" as a request for a person."""
    visitor = Visitor().say("j'ai quelques questions", "ask_human", 0.93)
    assert "Je vous écoute" in visitor.text and visitor.state.stack == [] and visitor.buttons
    in_quiz = quiz_at("place").say("J'ai une question", "dont_know", 0.93)
    assert "Je vous écoute" in in_quiz.text and in_quiz.asks() == "place" and in_quiz.slots.get("place") is None


def test_a_request_for_a_person_needs_words_for_a_person():
    assert Visitor().say("j'ai plein de choses à dire", "ask_human", 0.97).state.stack == []
    assert Visitor().say("un agent svp", "ask_human", 0.97).state.stack == ["contact"]


def test_details_listed_with_commas_give_the_name_and_the_structure():
    visitor = Visitor().say("je voudrais être rappelée", "ask_human").say("J'accepte", "affirm")
    visitor.say("Paul Girard, de la Menuiserie Girard, paul.girard@menuiserie-girard.fr", "inform")
    assert visitor.slots["contact_name"] == "Paul Girard"
    assert visitor.slots["contact_organisation"] == "Menuiserie Girard"
    assert visitor.asks() == "contact_phone"
    opening = Visitor().say("Bonjour, Karim Benali, karim@laposte.net. Je souhaiterais être recontacté.", "ask_human")
    opening.say("J'accepte", "affirm")
    assert opening.slots["contact_name"] == "Karim Benali" and opening.asks() == "contact_organisation"


def test_a_part_ending_on_a_question_mark_is_a_question_of_its_own():
    from bot.dialogue.splitting import question_parts

    assert question_parts("2 questions : l'appui long c'est combien de jours ? et le comité se réunit souvent ?") == [
        "2 questions : l'appui long c'est combien de jours ?",
        "le comité se réunit souvent ?",
    ]
    assert question_parts("le dossier de candidature, je l'envoie à qui ?") == []


def test_a_structure_listed_after_the_name_and_the_address_is_the_organisation():
    visitor = Visitor().say("je voudrais être rappelée", "ask_human").say("J'accepte", "affirm")
    visitor.say("Nadia Roux, nadia.roux@cantal-emballages.fr, Cantal Emballages", "inform")
    assert visitor.slots["contact_organisation"] == "Cantal Emballages" and visitor.asks() == "contact_phone"


def test_depuis_le_debut_inside_an_answer_is_no_restart():
    visitor = quiz_at("stakeholders")
    visitor.say("Oui, les salariées, les familles et la mairie sont associées depuis le début, je vous remercie.")
    assert visitor.custom("eligibility") and "recommencer" not in visitor.text
    again = quiz_at("novelty").say("on reprend depuis le début", "inform", 0.6)
    assert (again.state.offer or {}).get("kind") == "restart_confirm"

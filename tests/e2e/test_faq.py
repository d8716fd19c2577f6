"""Over the REST channel, every topic of the program page gets its key fact, in French."""

import pytest

# Each row: a question as a visitor could type it (not taken from the training data)
# and the facts of the program page that the answer must contain.
FAQ = [
    (
        "C'est quoi exactement ce dispositif d'appui-conseil ?",
        ["consultant", "Aract Auvergne-Rhône-Alpes", "Région Auvergne-Rhône-Alpes"],
    ),
    ("ça veut dire quoi, innovation sociale, dans votre programme ?", ["management", "organisation du travail"]),
    ("Quelles organisations sont visées par ce programme ?", ["moins de 250 salariés", "collectifs d'entreprises"]),
    ("les groupements d'employeurs sont-ils concernés ?", ["pôles de compétitivité", "porteur de projet"]),
    (
        "Faut-il forcément appartenir à l'économie sociale et solidaire ?",
        ["économie sociale et solidaire", "classique"],
    ),
    ("Donnez-moi des exemples de projets déjà éligibles", ["dialogue social", "consortium"]),
    (
        "Quelles conditions un projet doit-il remplir pour être accompagné ?",
        ["novatrice", "qualité de vie au travail", "durablement", "parties concernées"],
    ),
    ("Quelles formes d'accompagnement proposez-vous ?", ["5 jours", "15 jours", "18 mois"]),
    ("L'appui court, ça dure combien de jours ?", ["5 jours", "1 000 € HT"]),
    ("l'appui long s'étale sur quelle durée ?", ["15 jours", "18 mois", "3 000 € HT"]),
    ("Quel est le reste à charge pour l'entreprise ?", ["80 %", "20 %", "1 000 € HT", "3 000 € HT"]),
    ("Un élu du personnel a-t-il le droit de présenter le dossier ?", ["accord du dirigeant"]),
    ("Qui siège au comité qui choisit les projets ?", ["l'État", "Cress", "Ardi", "trois fois"]),
    ("Est-ce que je choisis moi-même le consultant ?", ["identifie et pilote les consultants"]),
    ("Ce programme est financé par quel organisme ?", ["Région Auvergne-Rhône-Alpes", "Feder"]),
    ("Le dispositif est-il réservé à une région ?", ["Auvergne-Rhône-Alpes", "j.bertin@anact.fr"]),
    ("Où dois-je envoyer mon dossier de candidature ?", ["v.semavoine@anact.fr"]),
    ("J'ai besoin d'aide, quelle adresse utiliser ?", ["j.bertin@anact.fr"]),
    ("Jusqu'à quand peut-on postuler ?", ["trois fois", "j.bertin@anact.fr"]),
]


@pytest.mark.parametrize("question,facts", FAQ, ids=[row[0][:40] for row in FAQ])
def test_each_topic_gets_its_fact_and_a_next_step(chat, question, facts):
    chat.say(question)
    for fact in facts:
        assert fact in chat.text, f"{fact!r} missing from the answer to {question!r}: {chat.text}"
    assert chat.buttons, "every answer offers a next step"


def test_welcome_introduces_the_assistant_with_the_main_paths(chat):
    chat.say("Bonjour")
    assert "assistant" in chat.text and "Appui-conseil à l'innovation sociale" in chat.text
    titles = [button["title"] for button in chat.buttons]
    assert "Tester mon projet" in titles and "Combien ça coûte ?" in titles


@pytest.mark.parametrize("title", ["Combien ça coûte ?", "Qui peut en bénéficier ?", "Comment candidater ?"])
def test_welcome_buttons_lead_to_the_right_answer(chat, title):
    expected = {
        "Combien ça coûte ?": "80 %",
        "Qui peut en bénéficier ?": "moins de 250 salariés",
        "Comment candidater ?": "v.semavoine@anact.fr",
    }[title]
    chat.say("salut")
    chat.click(title)
    assert expected in chat.text


def test_a_follow_up_in_context_about_the_long_support(chat):
    chat.say("L'appui court dure combien de temps ?")
    chat.say("et l'appui long alors ?")
    assert "15 jours" in chat.text and "3 000 € HT" in chat.text


def test_out_of_scope_gets_the_scope_and_the_help_contact(chat):
    chat.say("Quel temps fera-t-il demain à Lyon ?")
    assert "j.bertin@anact.fr" in chat.text


def test_english_gets_a_french_answer(chat):
    chat.say("Hello, can you tell me who can apply to this program?")
    assert "français" in chat.text


def test_gibberish_gets_a_french_rephrase_request(chat):
    chat.say("xkcd qwpz blorf")
    assert "j.bertin@anact.fr" in chat.text


def test_thanks_and_goodbye(chat):
    chat.say("merci beaucoup pour ces infos")
    assert "plaisir" in chat.text
    chat.say("au revoir")
    assert "Au revoir" in chat.text

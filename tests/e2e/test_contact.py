"""Consent, details, handoff email to a real SMTP server, and nothing kept without consent."""

import json
import subprocess
import sys

import sqlalchemy as sa

from tests.conftest import ROOT
from tests.e2e.test_quiz import ELIGIBLE_ASSOCIATION, answer_all


def bot_command(assistant, *args) -> subprocess.CompletedProcess:
    """`python -m bot …` on the same database and mail server as the running assistant."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=assistant["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def give_details(chat, email="claire.petit@gmial.com") -> None:
    assert "conservées par l'Aract" in chat.text and "3 ans" in chat.text and "j.bertin@anact.fr" in chat.text
    chat.click("J'accepte")
    assert "nom" in chat.text
    chat.say("Claire Petit")
    chat.say(email)
    if "gmial" in email:
        assert "claire.petit@gmail.com" in chat.text
        chat.click("claire.petit@gmail.com")
    assert "structure" in chat.text
    chat.say("Les Ateliers du Plateau")
    chat.click("Pas de téléphone")
    chat.say("Nous voulons réorganiser les plannings avec les salariés 🌱")


def leads_of(assistant) -> list:
    result = bot_command(assistant, "leads", "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_eligible_visitor_hands_over_to_the_applications_contact(chat, assistant):
    box = assistant["smtp"].box
    before = len(box.messages)
    chat.say("je voudrais faire le test d'éligibilité")
    answer_all(chat, dict(ELIGIBLE_ASSOCIATION))
    chat.say("je voudrais parler à une personne de l'Aract")
    give_details(chat)
    assert "v.semavoine@anact.fr" in chat.text and "claire.petit@gmail.com" in chat.text
    messages = box.wait_for(before + 1)
    assert len(messages) == before + 1, "exactly one mail"
    message = messages[-1]["message"]
    body = message.get_content()
    assert message["To"] == "v.semavoine@anact.fr" and message["Reply-To"] == "claire.petit@gmail.com"
    assert "Claire Petit" in message["Subject"]
    for expected in (
        "Les Ateliers du Plateau",
        "réorganiser les plannings avec les salariés 🌱",
        "semble éligible",
        "Visiteur : je voudrais faire le test d'éligibilité",
        "Assistant : Question 1 sur 8",
    ):
        assert expected in body
    lead = next(lead for lead in leads_of(assistant) if lead["conversation_id"] == chat.sender)
    assert lead["email"] == "claire.petit@gmail.com" and lead["verdict"] == "eligible"
    # The consent kept with the lead is the question the visitor answered (the action reads it from the domain).
    with sa.create_engine(assistant["env"]["DATABASE_URL"]).connect() as connection:
        consent = connection.execute(
            sa.text("SELECT consent_text FROM leads WHERE conversation_id = :c"), {"c": chat.sender}
        ).scalar_one()
    assert "conservées par l'Aract" in consent and "3 ans" in consent


def test_a_visitor_who_declines_leaves_no_personal_data(chat, assistant):
    chat.say("bonjour")
    chat.say("est-ce que quelqu'un peut me rappeler ?")
    chat.click("Je refuse")
    assert "j.bertin@anact.fr" in chat.text and "v.semavoine@anact.fr" in chat.text
    assert all(lead["conversation_id"] != chat.sender for lead in leads_of(assistant))
    engine = sa.create_engine(assistant["env"]["DATABASE_URL"])
    with engine.connect() as connection:
        texts = (
            connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": chat.sender}
            )
            .scalars()
            .all()
        )
    assert texts and not any("@" in json.loads(data).get("text", "") for data in texts)


def test_a_missing_at_sign_gets_a_clear_question(chat):
    chat.say("je veux être recontacté")
    chat.click("J'accepte")
    chat.say("Paul Girard")
    chat.say("paul.girard.orange.fr")
    assert "@" in chat.text and "réécrire" in chat.text


def test_smtp_down_keeps_the_lead_and_the_mail_until_a_retry(chat, assistant):
    server = assistant["smtp"]
    before = len(server.box.messages)
    server.stop()
    try:
        chat.say("j'aimerais échanger avec un conseiller de l'Aract")
        give_details(chat, email="nora@exemple.fr")
        assert "Merci" in chat.text
        assert any(lead["conversation_id"] == chat.sender for lead in leads_of(assistant))
        engine = sa.create_engine(assistant["env"]["DATABASE_URL"])
        with engine.connect() as connection:
            status = connection.execute(
                sa.text("SELECT status, last_error FROM outbox WHERE reply_to = 'nora@exemple.fr'")
            ).one()
        assert status[0] == "pending" and status[1]
    finally:
        server.start()
    result = bot_command(assistant, "outbox", "retry")
    assert result.returncode == 0, result.stdout + result.stderr
    messages = server.box.wait_for(before + 1)
    assert messages[-1]["message"]["Reply-To"] == "nora@exemple.fr"


def test_a_second_misunderstanding_offers_a_person(chat):
    chat.say("...")
    chat.say("hmm")
    assert "personne" in chat.text and any("relation" in button["title"] for button in chat.buttons)

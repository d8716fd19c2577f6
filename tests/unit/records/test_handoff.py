"""The handoff email reads well in French and carries everything the staff need."""

from datetime import datetime, timezone

from bot.records import handoff
from bot.records.models import Lead

EVENTS = [
    {"event": "user", "text": "Bonjour, on est une asso de 40 salariés à Lyon", "timestamp": 1796000000.0},
    {
        "event": "bot",
        "text": "Question 4 sur 8 — Quelle est votre fonction dans le projet ?",
        "timestamp": 1796000001.0,
    },
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "/ask_human", "timestamp": 1796000060.0},
]


def lead(**changes) -> Lead:
    values = dict(
        id=7,
        name="Élodie Martin",
        email="elodie@coop.fr",
        organisation="Coop Exemple",
        phone=None,
        project="Un atelier partagé pour l'équipe",
        verdict="eligible",
        verdict_reasons=[
            {
                "criterion": "structure",
                "ok": True,
                "message": "Structure : association, c'est bien un des publics du dispositif.",
            }
        ],
        quiz_answers={"structure_type": "association", "headcount": 40, "novelty": "yes"},
        funding={
            "support": "long",
            "days": 10,
            "day_rate_eur": 1000,
            "total_eur": 10000,
            "funded_eur": 8000,
            "company_eur": 2000,
        },
        conversation_id="conv-42",
        consent_text="Vos coordonnées seront conservées…",
        consent_at=datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc),
    )
    values.update(changes)
    return Lead(**values)


def test_transcript_is_readable():
    text = handoff.transcript(EVENTS)
    assert text.splitlines() == [
        "[30/11/2026 00:53 UTC] Visiteur : Bonjour, on est une asso de 40 salariés à Lyon",
        "[30/11/2026 00:53 UTC] Assistant : Question 4 sur 8 — Quelle est votre fonction dans le projet ?",
        "[30/11/2026 00:54 UTC] Visiteur : (bouton)",
    ]


def test_body_has_details_answers_estimate_consent_and_transcript():
    body = handoff.render_body(lead(), handoff.transcript(EVENTS))
    for expected in (
        "Élodie Martin",
        "elodie@coop.fr",
        "Téléphone : non communiqué",
        "Coop Exemple",
        "Un atelier partagé pour l'équipe",
        "semble éligible",
        "effectif : 40 salariés",
        "appui long de 10 jours",
        "2\u202f000\u00a0€\u00a0HT",
        "Vos coordonnées seront conservées",
        "conv-42",
        "Visiteur : Bonjour, on est une asso",
    ):
        assert expected in body


def test_recipient_and_subject():
    assert handoff.recipient_for(lead(), "help@x.fr", "apply@x.fr") == "apply@x.fr"
    assert handoff.recipient_for(lead(verdict=None), "help@x.fr", "apply@x.fr") == "help@x.fr"
    assert (
        handoff.subject_for(lead(verdict="to_check"))
        == "[Assistant innovation sociale] Demande de contact : Élodie Martin (Coop Exemple) - à confirmer"
    )


def test_without_quiz_or_estimate_the_mail_says_so():
    body = handoff.render_body(lead(verdict=None, verdict_reasons=None, quiz_answers=None, funding=None), "")
    assert "Le test n'a pas été passé" in body and "Pas d'estimation" in body

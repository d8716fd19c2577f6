"""The handoff email: who receives it, and its French text with answers, estimate and transcript."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from string import Template
from typing import Any, Iterable, Mapping

from bot.program import quiz
from bot.program.french import format_eur
from bot.records.models import Lead, OutboxMail

TEMPLATE = Template((Path(__file__).parent / "templates" / "handoff_mail.txt").read_text(encoding="utf-8"))
VERDICT_LABELS = {"eligible": "semble éligible", "not_eligible": "ne semble pas éligible", "to_check": "à confirmer"}
SUPPORT_LABELS = {"court": "appui court", "long": "appui long"}


def recipient_for(lead: Lead, help_email: str, applications_email: str) -> str:
    """An eligible project ready for an application goes to the applications contact; the rest to help."""
    return applications_email if lead.verdict == "eligible" else help_email


SUBJECT_LENGTH = OutboxMail.__table__.c.subject.type.length


def subject_for(lead: Lead) -> str:
    """A subject that tells the staff what to expect before opening."""
    organisation = f" ({lead.organisation})" if lead.organisation else ""
    verdict = VERDICT_LABELS.get(lead.verdict or "", "test non passé")
    subject = f"[Assistant innovation sociale] Demande de contact : {lead.name}{organisation} - {verdict}"
    # A name and an organisation as long as the form allows exceed the column: cut, keeping the verdict.
    room = SUBJECT_LENGTH - len(f" - {verdict}")
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: room - 1].rstrip() + f"… - {verdict}"
    return subject


def _local(moment: Any) -> str:
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, tz=timezone.utc)
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%d/%m/%Y %H:%M UTC")
    return ""


def transcript(events: Iterable[Mapping[str, Any]]) -> str:
    """The conversation as readable lines: "[27/11/2026 14:02 UTC] Visiteur : …"."""
    lines = []
    for event in events:
        speaker = {"user": "Visiteur", "bot": "Assistant"}.get(event.get("event"))
        text = (event.get("text") or "").strip()
        if not speaker or not text:
            continue
        if speaker == "Visiteur" and text.startswith("/"):
            text = "(bouton)"
        lines.append(f"[{_local(event.get('timestamp'))}] {speaker} : {text}")
    return "\n".join(lines) or "(aucun message)"


def _quiz_text(lead: Lead) -> str:
    if not lead.verdict:
        return "Le test n'a pas été passé dans cette conversation."
    answers = lead.quiz_answers or {}
    lines = [f"Résultat indicatif : {VERDICT_LABELS.get(lead.verdict, lead.verdict)}."]
    lines += [f"- {reason.get('message')}" for reason in lead.verdict_reasons or []]
    known = {key: value for key, value in answers.items() if value is not None}
    if known:
        lines.append("Réponses : " + quiz.summary(known))
    return "\n".join(lines)


def _funding_text(lead: Lead) -> str:
    funding = lead.funding
    if not funding:
        return "Pas d'estimation dans cette conversation."
    return (
        f"{SUPPORT_LABELS.get(funding.get('support'), funding.get('support'))} de {funding.get('days')} jours "
        f"à {format_eur(funding.get('day_rate_eur', 0))} par jour : total {format_eur(funding.get('total_eur', 0))}, "
        f"financé {format_eur(funding.get('funded_eur', 0))}, à la charge de la structure {format_eur(funding.get('company_eur', 0))}."
    )


def render_body(lead: Lead, conversation: str) -> str:
    """The body of the handoff email, in French."""
    return TEMPLATE.substitute(
        name=lead.name,
        email=lead.email,
        phone=lead.phone or "non communiqué",
        organisation=lead.organisation or "non communiquée",
        project=lead.project or "(non renseigné)",
        quiz=_quiz_text(lead),
        funding=_funding_text(lead),
        consent_at=_local(lead.consent_at),
        consent_text=lead.consent_text,
        conversation_id=lead.conversation_id or "",
        transcript=conversation,
        lead_id=lead.id,
    )

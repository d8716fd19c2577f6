"""Leads for the staff: list by status, status and note, CSV export for a French spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.leads import EXPORT_COLUMNS, clean_text, spreadsheet_safe
from bot.records.models import Lead
from bot.records.staff_models import LeadNote
from bot.web.staff.conversations import Page

PARIS = ZoneInfo("Europe/Paris")
STATUS_LABELS = {"new": "nouveau", "contacted": "contacté", "application_received": "dossier reçu", "closed": "clos"}
VERDICT_LABELS = {"eligible": "éligible", "not_eligible": "non éligible", "to_check": "à confirmer"}
# Column headings of the export, in French, in bot.records.leads' column order, plus the staff's note.
EXPORT_HEADINGS = {
    "id": "n°",
    "created_at": "date",
    "status": "statut",
    "name": "nom",
    "email": "courriel",
    "organisation": "structure",
    "phone": "téléphone",
    "structure_type": "type de structure",
    "headcount": "effectif",
    "verdict": "résultat du test",
    "funding_company_eur": "reste à charge estimé (€ HT)",
    "project": "projet",
    "conversation_id": "conversation",
    "consent_at": "consentement le",
    "note": "note de l'équipe",
}
MAX_NOTE = 5000
PER_PAGE = 50


def list_leads(session: Session, status: str = "", page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of leads, newest first, optionally of one status."""
    where = [Lead.status == status] if status in STATUS_LABELS else []
    total = session.execute(sa.select(sa.func.count(Lead.id)).where(*where)).scalar_one()
    page = min(max(1, page), max(1, -(-total // per_page)))
    leads = (
        session.execute(
            sa.select(Lead)
            .where(*where)
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return Page(leads, total, page, per_page)


def notes_of(session: Session, lead_ids: list[int]) -> dict[int, str]:
    """The staff's notes of these leads."""
    if not lead_ids:
        return {}
    return dict(session.execute(sa.select(LeadNote.lead_id, LeadNote.note).where(LeadNote.lead_id.in_(lead_ids))).all())


def update_lead(session: Session, lead: Lead, status: str, note: str, actor: str) -> None:
    """Set a lead's status and the staff's note on it."""
    if status not in STATUS_LABELS:
        raise ValueError("statut inconnu")
    lead.status = status
    record = session.get(LeadNote, lead.id) or LeadNote(lead_id=lead.id)
    record.note = clean_text(note, MAX_NOTE, multiline=True)
    record.updated_by = actor
    session.add(record)
    session.flush()


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _cell(value: object, column: str) -> str:
    return spreadsheet_safe(value, column)


def _row(lead: Lead, note: str) -> dict:
    company = (lead.funding or {}).get("company_eur")
    values = {
        "id": lead.id,
        "created_at": _local(lead.created_at),
        "status": STATUS_LABELS.get(lead.status, lead.status),
        "name": lead.name,
        "email": lead.email,
        "organisation": lead.organisation,
        "phone": lead.phone,
        "structure_type": lead.structure_type,
        "headcount": lead.headcount,
        "verdict": VERDICT_LABELS.get(lead.verdict or "", lead.verdict),
        # A French spreadsheet reads "1234,5" as a number, not "1234.5".
        "funding_company_eur": str(company).replace(".", ",") if company is not None else "",
        "project": lead.project,
        "conversation_id": lead.conversation_id,
        "consent_at": _local(lead.consent_at),
        "note": note,
    }
    return {EXPORT_HEADINGS[key]: _cell(value, key) for key, value in values.items()}


def export_csv(session: Session) -> tuple[str, int]:
    """Every lead as CSV for a French spreadsheet (UTF-8 with BOM, `;`, French headings), and their count."""
    leads = session.execute(sa.select(Lead).order_by(Lead.id)).scalars().all()
    notes = notes_of(session, [lead.id for lead in leads])
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[EXPORT_HEADINGS[c] for c in (*EXPORT_COLUMNS, "note")], delimiter=";", lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(_row(lead, notes.get(lead.id, "")) for lead in leads)
    return "\ufeff" + out.getvalue(), len(leads)

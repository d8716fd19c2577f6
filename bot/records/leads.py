"""Leads: checking what visitors give, saving it with their consent, export (erasure and retention: personal_data)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import Lead

MAX_FIELD = 300
MAX_PROJECT = 20_000
# Frequent typos of the big French and international mail domains.
DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmal.com": "gmail.com",
    "gmail.fr": "gmail.com",
    "gmai.com": "gmail.com",
    "gnail.com": "gmail.com",
    "gmail.co": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmail.fe": "hotmail.fr",
    "hotmal.fr": "hotmail.fr",
    "yahooo.fr": "yahoo.fr",
    "yaho.fr": "yahoo.fr",
    "orange.fe": "orange.fr",
    "oragne.fr": "orange.fr",
    "wanado.fr": "wanadoo.fr",
    "wanadoo.com": "wanadoo.fr",
    "laposte.fe": "laposte.net",
    "free.fe": "free.fr",
    "outlok.fr": "outlook.fr",
    "outlook.fe": "outlook.fr",
    "sfr.fe": "sfr.fr",
}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{7,19}$")
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "status",
    "name",
    "email",
    "organisation",
    "phone",
    "structure_type",
    "headcount",
    "verdict",
    "funding_company_eur",
    "project",
    "conversation_id",
    "consent_at",
)


@dataclass(frozen=True)
class EmailCheck:
    """An address as given, cleaned, or the reason it cannot be used."""

    value: str | None
    problem: str | None = None  # "missing_at", "typo", "invalid"
    suggestion: str | None = None


def check_email(text: str) -> EmailCheck:
    """Clean an address typed in a chat; spot a missing @ or a known domain typo."""
    candidate = (text or "").strip().strip("<>.,;:").replace(" ", "")
    if "\r" in text or "\n" in text.strip():
        return EmailCheck(None, "invalid")
    found = re.search(r"[^\s<>,;:]+@[^\s<>,;:]+", text or "")
    if found:
        candidate = found.group(0).strip(".")
    if "@" not in candidate:
        return EmailCheck(None, "missing_at")
    local, _, domain = candidate.rpartition("@")
    domain = domain.lower()
    if domain in DOMAIN_TYPOS:
        return EmailCheck(None, "typo", f"{local}@{DOMAIN_TYPOS[domain]}")
    address = f"{local}@{domain}"
    if len(address) > 254 or not _EMAIL.match(address):
        return EmailCheck(None, "invalid")
    return EmailCheck(address)


def check_phone(text: str) -> str | None:
    """A French or international phone number, or None."""
    candidate = (text or "").strip()
    return candidate if _PHONE.match(candidate) and sum(c.isdigit() for c in candidate) >= 9 else None


def clean_text(text: str, limit: int = MAX_FIELD, multiline: bool = False) -> str:
    """Visitor text kept as typed (accents, emoji, quotes), without control characters, within a limit.

    Single-line fields (a name, an organisation) end up in a mail subject: their
    line breaks become spaces so nothing can add a header.
    """
    allowed = "\n\t" if multiline else ""
    kept = "".join(c if c in allowed or ord(c) >= 32 else " " for c in (text or ""))
    return kept.strip()[:limit]


@dataclass
class LeadData:
    """What a conversation gathered for a lead."""

    name: str
    email: str
    consent_text: str
    consent_at: datetime
    conversation_id: str
    organisation: str | None = None
    phone: str | None = None
    project: str | None = None
    structure_type: str | None = None
    headcount: int | None = None
    eligibility: dict | None = None
    funding: dict | None = None


def save_lead(session: Session, data: LeadData) -> Lead:
    """Create the lead of this conversation, or update it if the visitor gives details again."""
    lead = session.execute(
        sa.select(Lead).where(Lead.conversation_id == data.conversation_id, Lead.email == data.email)
    ).scalars().first() or Lead(conversation_id=data.conversation_id, email=data.email)
    eligibility = data.eligibility or {}
    lead.name = clean_text(data.name, 200)
    lead.organisation = clean_text(data.organisation) if data.organisation else None
    lead.phone = data.phone
    lead.project = clean_text(data.project, MAX_PROJECT, multiline=True) if data.project else None
    lead.structure_type = data.structure_type
    lead.headcount = data.headcount
    lead.verdict = eligibility.get("verdict")
    lead.verdict_reasons = eligibility.get("reasons")
    lead.quiz_answers = eligibility.get("answers")
    lead.funding = data.funding
    lead.consent_text = data.consent_text
    lead.consent_at = data.consent_at
    session.add(lead)
    session.flush()
    return lead


def _row(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "created_at": lead.created_at.isoformat(timespec="seconds"),
        "status": lead.status,
        "name": lead.name,
        "email": lead.email,
        "organisation": lead.organisation or "",
        "phone": lead.phone or "",
        "structure_type": lead.structure_type or "",
        "headcount": lead.headcount if lead.headcount is not None else "",
        "verdict": lead.verdict or "",
        "funding_company_eur": (lead.funding or {}).get("company_eur", ""),
        "project": lead.project or "",
        "conversation_id": lead.conversation_id or "",
        "consent_at": lead.consent_at.isoformat(timespec="seconds"),
    }


def all_leads(session: Session) -> list[Lead]:
    """Every lead, oldest first."""
    return session.execute(sa.select(Lead).order_by(Lead.id)).scalars().all()


def spreadsheet_safe(value: object, column: str = "") -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ would run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not (column == "phone" and check_phone(text)):
        return "'" + text
    return text


def export_leads(leads: Iterable[Lead], fmt: str = "csv", delimiter: str = ",") -> str:
    """Leads as JSON (a list, visitor text as typed) or CSV (one row each, cells kept from running as formulas)."""
    rows = [_row(lead) for lead in leads]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows({column: spreadsheet_safe(value, column) for column, value in row.items()} for row in rows)
    return out.getvalue()

"""Audit log of staff actions: who, what, when — never the personal data acted upon."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.staff_models import AuditEntry

# French labels of the actions, shown on the journal page.
ACTION_LABELS = {
    "login": "connexion",
    "login_failed": "échec de connexion",
    "login_locked": "compte verrouillé",
    "logout": "déconnexion",
    "review": "relecture d'une conversation",
    "lead_update": "mise à jour d'une fiche contact",
    "leads_export": "export CSV des fiches contact",
    "erase": "effacement des données d'une personne",
    "person_export": "copie des données d'une personne",
    "purge": "purge de conservation",
    "staff_add": "création d'un compte équipe",
    "staff_password": "changement de mot de passe",
    "staff_unlock": "déverrouillage d'un compte",
    "staff_remove": "suppression d'un compte équipe",
}


def record(session: Session, actor: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    """Add one line to the log, in the caller's transaction."""
    session.add(AuditEntry(actor=actor[:254], action=action, target=(target or None) and target[:255], detail=detail))


def entries(session: Session, page: int, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of the log, newest first, and the total count."""
    total = session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar_one()
    rows = (
        session.execute(
            sa.select(AuditEntry)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return rows, total
